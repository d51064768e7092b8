// Drive `agora serve`'s page as a class would, in Debian's Chromium driven
// by playwright-core, at 1024x768 (a classroom projector) and 1920x1080:
//   - the page loads, draws the population on its canvas (non-blank pixels),
//     one shared past in every chart before the branch (2026-01) and no
//     future labelled with a class then ("still open");
//   - the grammar of docs/visual-grammar.md, measured by the browser: no
//     text under 12 px (SVG text at its drawn scale), every text at a
//     contrast of 4.5 or more against what is behind it, nothing wider than
//     the window, a legend for the administrations' discs, a glossary of
//     "adoption", "transformed" and "unheard";
//   - sliders show the value in force; a slider moved and applied from now
//     reaches the server (its value is in force afterwards); play advances
//     the months and the charts and the canvas change; past the branch each
//     future has its line and a changed future its baseline ghost; at the
//     end a message says in words what happened;
//   - no console error, no request outside the server's own address.
// Usage: node serve-check.mjs OUT_DIR URL
// With a third argument `class`, the class mode instead (classCheck below):
// node serve-check.mjs OUT_DIR URL class
// writes OUT_DIR/serve.png (1920x1080, the whole page after the run) and
// OUT_DIR/serve-1024.png (1024x768, the first screen before the branch).
import { chromium } from 'playwright-core';

const [outDir, url] = process.argv.slice(2);
// A file:// URL is the offline classroom (agora classroom --out DIR).
const offline = url.startsWith('file:');
const origin = offline ? 'file://' : new URL(url).origin;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
const failures = [];
if (!offline && new URL(url).hostname !== '127.0.0.1') failures.push(`the server is not on 127.0.0.1: ${url}`);
const shot = (name) => `${outDir}/${offline ? name.replace('serve', 'classroom') : name}`;

// The grammar, measured in the page: small text, low contrast, overflow.
function grammar() {
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const small = [], faint = [];
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  // HTML text: elements with a text node of their own.
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg') || !visible(e) || e.closest('details:not([open])') && e.tagName !== 'SUMMARY') continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const s = getComputedStyle(e);
    const size = parseFloat(s.fontSize);
    if (size < 12) small.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${size}px`);
    const ratio = (Math.max(lum(parse(s.color)), lum(background(e))) + 0.05) / (Math.min(lum(parse(s.color)), lum(background(e))) + 0.05);
    if (ratio < 4.5) faint.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  // SVG text: its font size times the scale the chart is drawn at.
  for (const t of document.querySelectorAll('svg text')) {
    const svg = t.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const size = parseFloat(t.getAttribute('font-size')) * scale;
    if (size < 12 - 0.05) small.push(`svg text "${t.textContent}" ${size.toFixed(1)}px`);
    const ratio = 1.05 / (lum(parse(getComputedStyle(t).fill)) + 0.05); // against the white chart
    if (ratio < 4.5) faint.push(`svg text "${t.textContent}" ${ratio.toFixed(2)}`);
  }
  const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
    .map((e) => `${e.tagName}#${e.id || ''}.${e.className}`).slice(0, 5);
  return {
    small: small.slice(0, 8), faint: faint.slice(0, 8), wide,
    scroll: document.documentElement.scrollWidth, width: innerWidth,
    classes: [...document.querySelectorAll('.future .class')].map((d) => d.textContent),
    glossary: (document.getElementById('glossary') || {}).textContent || '',
    discs: (document.getElementById('discs') || {}).textContent || '',
  };
}

function checkGrammar(where, g) {
  if (g.small.length) failures.push(`${where}: text under 12 px: ${g.small.join('; ')}`);
  if (g.faint.length) failures.push(`${where}: contrast under 4.5: ${g.faint.join('; ')}`);
  if (g.scroll > g.width) failures.push(`${where}: the page is ${g.scroll} px wide in a ${g.width} px window: ${g.wide.join(', ')}`);
  for (const word of ['adoption', 'transformed', 'unheard']) {
    if (!g.glossary.includes(word)) failures.push(`${where}: no glossary entry for "${word}"`);
  }
  for (const word of ['no Social CRM', 'pioneer', 'transformed']) {
    if (!g.discs.includes(word)) failures.push(`${where}: the discs' legend lacks "${word}"`);
  }
}

// What the page shows: chart paths, canvas pixels (a hash and how many are not background).
const look = (page) => page.evaluate(() => {
  const canvas = document.getElementById('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let lit = 0, hash = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] + data[i + 1] + data[i + 2] > 120) lit++;
    hash = (hash * 31 + data[i] * 7 + data[i + 1] * 3 + data[i + 2]) | 0;
  }
  const d = (sel) => [...document.querySelectorAll(sel)].map((p) => p.getAttribute('d') || '');
  return {
    past: d('.chart path[data-past]'), futures: d('.chart path[data-future]'), ghosts: d('.chart path[data-ghost]'),
    charts: document.querySelectorAll('.chart').length,
    lit, hash, pixels: data.length / 4,
    date: document.getElementById('date').textContent,
    end: document.getElementById('end').hidden ? '' : document.getElementById('end').textContent,
  };
});

async function open(viewport) {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (offline ? r.url() !== url : !r.url().startsWith(origin + '/')) failures.push(`request outside the server: ${r.url()}`);
  });
  await page.goto(url);
  // Before the branch, every chart with a value has its shared past (4 of 6 at January 2012).
  await page.waitForFunction(() => document.querySelectorAll('.chart path[data-past][d^="M"]').length >= 4, null, { timeout: 20000 })
    .catch(async (e) => { console.log(failures.join('\n')); throw e; });
  return page;
}

const setLever = (page, path, value) => page.evaluate(([path, value]) => {
  const input = document.querySelector(`input[data-lever="${path}"]`);
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('change'));
}, [path, value]);

const playUntil = async (page, test) => {
  await page.click('#play');
  await page.waitForFunction(test, null, { timeout: 90000 });
  await page.click('#pause');
  // Paused once the server says so (the Play button no longer lit).
  await page.waitForFunction(() => !document.getElementById('play').classList.contains('on'), null, { timeout: 5000 });
  await page.waitForTimeout(300);
};

if (process.argv[4] === 'class') {
  await classCheck();
  await browser.close();
  if (failures.length) {
    console.log(`class check FAILED:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('class check: opened, joined, chose, reloaded, two rounds, debrief names the choice; grammar holds at 390x844 and 1920x1080; no error, no outside request');
  process.exit(0);
}

// 1024x768: the first screen as a class sees it, before the branch.
{
  const page = await open({ width: 1024, height: 768 });
  await page.screenshot({ path: shot('serve-1024.png') });
  const g = await page.evaluate(grammar);
  checkGrammar('1024x768', g);
  if (!g.classes.every((c) => c.startsWith('still open'))) failures.push(`1024x768: a class before the branch: ${g.classes.join(' | ')}`);
  const shown = await page.evaluate(() => [...document.querySelectorAll('.lever')].map((d) => [
    d.querySelector('input').value, d.querySelector('.value').textContent, d.querySelector('.force span').textContent]));
  for (const [input, value, force] of shown) {
    if (Number(value) !== Number(force) || Math.abs(Number(input) - Number(force)) > 0.01 * Math.max(Math.abs(Number(force)), 0.01)) {
      failures.push(`a slider shows ${value} (at ${input}) but ${force} is in force`);
    }
  }
  await page.click('#large');
  checkGrammar('1024x768, large text', await page.evaluate(grammar));
  await page.close();
}

// 1920x1080: a whole class session. The future as built first (the ghost),
// then reset, a lever applied, played past the branch and to the end.
{
  const page = await open({ width: 1920, height: 1080 });
  checkGrammar('1920x1080', await page.evaluate(grammar));
  const before = await look(page);
  if (before.charts < 6) failures.push(`${before.charts} charts, expected 6`);
  if (before.lit < 2000) failures.push(`the canvas looks blank: ${before.lit} of ${before.pixels} pixels lit`);
  await playUntil(page, () => document.getElementById('date').textContent >= '2028-01');
  await page.click('#reset');
  await page.waitForFunction(() => document.getElementById('date').textContent === '2012-01', null, { timeout: 5000 });
  await setLever(page, 'dynamics.training', '0.04');
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('set to'), null, { timeout: 5000 });
  await page.click('#apply-all');
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Applied'), null, { timeout: 5000 });
  await playUntil(page, () => document.getElementById('date').textContent >= '2020-01');
  const mid = await look(page);
  const g = await page.evaluate(grammar);
  if (!g.classes.every((c) => c.startsWith('still open'))) failures.push(`2020: a class before the branch: ${g.classes.join(' | ')}`);
  if (mid.hash === before.hash) failures.push('the canvas did not change while playing');
  if (mid.past.filter((d, k) => d !== before.past[k]).length < 4) failures.push('the shared past did not grow while playing');
  // The value applied (0.04 live; the nearest position computed offline) is in force in all three.
  const [force, applied, date] = await page.evaluate(() => {
    const lever = document.querySelector('input[data-lever="dynamics.training"]').closest('.lever');
    return [lever.querySelector('.force').textContent, lever.querySelector('.value').textContent,
      document.getElementById('date').textContent];
  });
  if (!offline && applied !== '0.04') failures.push(`training shows ${applied}, not 0.04, after applying 0.04`);
  if (force.split(applied).length - 1 !== 3) failures.push(`training ${applied} is not in force in all three futures at ${date}: "${force}"`);
  for (const mode of ['trust', 'heard']) {
    await page.selectOption('#colour', mode);
    const seen = await look(page);
    if (seen.lit < 1000 || seen.hash === mid.hash) failures.push(`colouring by ${mode} draws nothing new`);
  }
  await page.selectOption('#colour', 'digital');
  await playUntil(page, () => !document.getElementById('end').hidden);
  const after = await look(page);
  if (after.futures.filter((d) => d.startsWith('M')).length < 18) failures.push(`after the branch, ${after.futures.filter((d) => d.startsWith('M')).length} of 18 future lines drawn`);
  if (after.ghosts.filter((d) => d.split('L').length > 100).length < 18) failures.push('no baseline ghost for the futures the lever changed');
  if (!/^By 20\d\d, since the branch/.test(after.end) || !after.end.includes('ended as')) failures.push(`end message: "${after.end}"`);
  const end = await page.evaluate(grammar);
  if (!end.classes.every((c) => c.startsWith('ended as: '))) failures.push(`at the end: ${end.classes.join(' | ')}`);
  checkGrammar('1920x1080 at the end', end);
  await page.screenshot({ path: shot('serve.png'), fullPage: true });
  console.log(`serve check: ${before.date} -> ${after.date}; ${after.end}`);
  await page.close();
}
await browser.close();
if (failures.length) {
  console.log(`serve check FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('serve check: grammar holds at 1024x768 and 1920x1080, classes only once told, sliders show the value in force, ghost and end message drawn, no error, no outside request');

// The class mode (/class): a teacher opens a class at 1920x1080 (a
// projector), a student joins on a phone (390x844), moves a lever within
// the budget and sends it, reloads (same administration back), the teacher
// runs two rounds and the debrief, which names the student's choice. At
// both sizes, on both pages: no text under 12 px, contrast of 4.5 or more,
// nothing wider than the window. Screenshots: class-join.png,
// class-student.png (phone), class-teacher.png, class-debrief.png (1920x1080).
async function classCheck() {
  const PHONE = { width: 390, height: 844 }, PROJECTOR = { width: 1920, height: 1080 };
  const page = async (viewport, address) => {
    const p = await browser.newPage({ viewport });
    p.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
    p.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
    p.on('request', (r) => { if (!r.url().startsWith(origin + '/')) failures.push(`request outside the server: ${r.url()}`); });
    await p.goto(address);
    return p;
  };
  const check = async (where, p) => {
    const g = await p.evaluate(grammar);
    if (g.small.length) failures.push(`${where}: text under 12 px: ${g.small.join('; ')}`);
    if (g.faint.length) failures.push(`${where}: contrast under 4.5: ${g.faint.join('; ')}`);
    if (g.scroll > g.width) failures.push(`${where}: the page is ${g.scroll} px wide in a ${g.width} px window: ${g.wide.join(', ')}`);
  };
  const wait = (p, test, arg) => p.waitForFunction(test, arg, { timeout: 15000 });
  const teacher = await page(PROJECTOR, `${origin}/class`);
  await check('class open 1920x1080', teacher);
  await teacher.fill('#administrations', '8');
  await teacher.fill('#rounds', '2');
  await teacher.fill('#months', '12');
  await teacher.click('#open');
  await wait(teacher, () => document.getElementById('code'));
  const code = await teacher.textContent('#code');
  const student = await page(PHONE, `${origin}/class?code=${code}`);
  await wait(student, () => document.getElementById('name'));
  await check('class join 390x844', student);
  await student.fill('#name', 'Ana');
  await student.screenshot({ path: `${outDir}/class-join.png` });
  await student.click('#join');
  await wait(student, () => document.getElementById('status') && document.querySelector('input[data-path]'));
  const admin = await student.textContent('h1');
  await student.evaluate(() => {
    const input = document.querySelector('input[data-path="dynamics.channel_openness"]');
    input.value = '0.9';
    input.dispatchEvent(new Event('input'));
  });
  await student.click('#send');
  await wait(student, () => document.querySelector('#status.sent'));
  await check('class student 390x844', student);
  // A reload (or the same link on another device) gives the administration back.
  await student.reload();
  await wait(student, () => document.querySelector('#status.sent'));
  if (await student.textContent('h1') !== admin) failures.push(`after a reload the student plays ${await student.textContent('h1')}, not ${admin}`);
  for (const round of [1, 2]) {
    await wait(teacher, (r) => document.getElementById('advance') && !document.getElementById('advance').disabled && document.body.textContent.includes(`round ${r - 1} of 2 played`), round);
    await teacher.click('#advance');
    await wait(teacher, (r) => document.body.textContent.includes(`round ${r} of 2 played`), round);
    if (round === 1) {
      // Mid-class, as a student sees it: what round 1 made, the levers for round 2.
      await wait(student, () => document.querySelectorAll('#history tbody tr').length === 1);
      await student.screenshot({ path: `${outDir}/class-student.png`, fullPage: true });
    }
  }
  const lines = await teacher.evaluate(() => [...document.querySelectorAll('.chart path')].filter((p) => (p.getAttribute('d') || '').split('L').length > 20).length);
  if (lines < 4) failures.push(`the teacher's charts draw ${lines} lines, expected the class in 4 charts`);
  await wait(student, () => document.querySelectorAll('#history tbody tr').length === 2);
  await check('class teacher 1920x1080', teacher);
  await teacher.screenshot({ path: `${outDir}/class-teacher.png` });
  await teacher.click('#debrief');
  await wait(teacher, () => document.getElementById('movers'));
  const movers = await teacher.textContent('#movers');
  if (!movers.includes('Ana') || !movers.includes('open online channels 0.90')) failures.push(`the debrief does not name Ana's open channels: "${movers.slice(0, 200)}"`);
  const debriefLines = await teacher.evaluate(() => document.querySelectorAll('#debrief-section .chart path').length);
  if (debriefLines < 16) failures.push(`the debrief's charts draw ${debriefLines} paths, expected the class, three futures and the past in 4 charts`);
  await check('class debrief 1920x1080', teacher);
  const debrief = await page(PROJECTOR, `${teacher.url()}&view=debrief`);
  await wait(debrief, () => document.getElementById('movers'));
  await debrief.screenshot({ path: `${outDir}/class-debrief.png` });
  // The other sizes: the student's page on a projector, the teacher's on a phone.
  const big = await page(PROJECTOR, student.url());
  await wait(big, () => document.querySelector('#history tbody tr'));
  await check('class student 1920x1080', big);
  const small = await page(PHONE, teacher.url());
  await wait(small, () => document.querySelector('.chart'));
  await check('class teacher 390x844', small);
}
