// Look at generated reports as a person would, in Debian's Chromium driven
// by playwright-core, at 1024x768 and at 1920x1080 (docs/visual-grammar.md):
//   - each future (a legend name) has one colour in every chart of every page,
//     and a future's colour marks no legend entry that is not a future;
//   - no text under 12 px or under 4.5:1 contrast against its background,
//     nothing wider than the window, no legend entry over a data series;
//   - no two text boxes of a chart overlap, and none leaves its chart;
//   - every chart has a y axis label (rotated text) and an x axis label
//     (a worded text at the bottom); no text is smaller than 12 px;
//   - the page has a title and a takeaway and logs no error.
// Usage: node browser-check.mjs OUT_DIR NAME=REPORT.html [NAME=REPORT.html ...]
// writes OUT_DIR/NAME.png (the first screen at 1920x1080) and
// OUT_DIR/NAME-1024.png (at 1024x768); the checks read the whole page.
import { chromium } from 'playwright-core';

const [outDir, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
const failures = [];
const colours = new Map(); // future -> "colour (page, chart)"
// The futures' colours (Okabe-Ito, crates/agora-report/src/charts/look.rs).
const FUTURE_COLOURS = new Map([
  ['rgb(0, 114, 178)', 'participation'], ['rgb(0, 158, 115)', 'pioneer'], ['rgb(213, 94, 0)', 'fracture'],
  ['rgb(204, 121, 167)', 'analog'], ['rgb(230, 159, 0)', 'broad_adoption'],
]);
const isFuture = (label) => [...FUTURE_COLOURS.values(), 'undecided'].some((f) =>
  label === f || label.startsWith(`${f}-`) || label === `${f} starts` || label.startsWith(`${f}-`) && label.endsWith(' starts'));

// Everything the assertions need, measured by the browser itself.
function measure() {
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
  const paint = (e) => {
    const s = getComputedStyle(e);
    const c = e.tagName === 'rect' ? s.fill : s.stroke;
    return c && c !== 'none' ? c : s.fill;
  };
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
  const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  const small = [], faint = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('details:not([open])') && e.tagName !== 'SUMMARY') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const st = getComputedStyle(e);
    const svg = e.closest('svg');
    const scale = svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
      ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
    const size = parseFloat(st.fontSize) * (e.tagName === 'text' ? scale : 1);
    if (size < 12 - 0.05) small.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${size.toFixed(1)}px`);
    const colour = parse(e.tagName === 'text' ? st.fill : st.color);
    // Behind an SVG text: the topmost filled shape under its centre (a
    // phase diagram's cell), at its opacity over white; else the page.
    let behind = background(e);
    if (e.tagName === 'text') {
      const [cx, cy] = [r.left + r.width / 2, r.top + r.height / 2];
      // Shapes drawn before the text that cover its centre; the last is on top.
      const under = [...e.ownerSVGElement.querySelectorAll('rect, polygon')]
        .filter((u) => (u.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)
          && getComputedStyle(u).fill.startsWith('rgb'))
        .filter((u) => { const b = u.getBoundingClientRect(); return b.left <= cx && cx <= b.right && b.top <= cy && cy <= b.bottom; })
        .pop();
      if (under) {
        const fill = parse(getComputedStyle(under).fill).slice(0, 3);
        const a = parseFloat(getComputedStyle(under).fillOpacity) * parseFloat(getComputedStyle(under).opacity);
        behind = fill.map((v) => v * a + 255 * (1 - a));
      }
    }
    if (colour.length >= 3 && ratio(colour.slice(0, 3), behind) < 4.5) {
      faint.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${ratio(colour.slice(0, 3), behind).toFixed(2)}`);
    }
  }
  return {
    small: small.slice(0, 6), faint: faint.slice(0, 6),
    scroll: document.documentElement.scrollWidth, width: innerWidth,
    title: (document.querySelector('h1') || {}).textContent || '',
    takeaway: (document.querySelector('.takeaway') || {}).textContent || '',
    charts: [...document.querySelectorAll('div.chart > svg')].map((svg) => {
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => ({
        text: t.textContent.trim(),
        rotated: (t.getAttribute('transform') || '').includes('rotate'),
        size: parseFloat(getComputedStyle(t).fontSize),
        box: box(t),
      }));
      const shapes = [...svg.querySelectorAll('polyline, line, path, rect, polygon')].map((s) => ({
        colour: paint(s), box: box(s),
        // A data series: a line or band of more than two points.
        series: (s.getAttribute('points') || '').trim().split(/\s+/).length > 2
          || (s.getAttribute('d') || '').split(/[LM]/).length > 4,
      }));
      return { box: box(svg), texts, shapes };
    }),
  };
}

const overlap = (a, b) => a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;

function checkChart(name, k, chart) {
  const where = `${name} chart ${k + 1} (${(chart.texts[0] || {}).text})`;
  const { texts, shapes, box } = chart;
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    if (a.size < 12) failures.push(`${where}: "${a.text}" is ${a.size} px`);
    if (a.box.x < box.x - 1 || a.box.x + a.box.w > box.x + box.w + 1 || a.box.y < box.y - 1 || a.box.y + a.box.h > box.y + box.h + 1) {
      failures.push(`${where}: "${a.text}" leaves the chart`);
    }
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(a.box, texts[j].box)) failures.push(`${where}: "${a.text}" overlaps "${texts[j].text}"`);
    }
  }
  if (!texts.some((t) => t.rotated && /[a-z]/i.test(t.text))) failures.push(`${where}: no y axis label`);
  const flat = texts.filter((t) => !t.rotated);
  const bottom = flat.reduce((lo, t) => (t.box.y > (lo ? lo.box.y : -1) ? t : lo), null);
  if (!bottom || !/[a-z]{3}/i.test(bottom.text)) failures.push(`${where}: no x axis label at the bottom`);
  // Legend entries: a text right of a small swatch on its line, in the
  // legend strip right of the plotting area.
  for (const t of texts.filter((t) => t.box.x > box.x + box.w - 175)) {
    const swatch = shapes.find((s) => s.box.w <= 40 && s.box.h <= 16 && s.box.x + s.box.w <= t.box.x
      && t.box.x - (s.box.x + s.box.w) < 20 && Math.abs((s.box.y + s.box.h / 2) - (t.box.y + t.box.h / 2)) < 4);
    if (!swatch) continue;
    const future = t.text.replace(/^[A-Z][a-z]?: /, '').replace(/ \(base .*\)$/, '');
    const owner = FUTURE_COLOURS.get(swatch.colour);
    if (owner && !isFuture(future)) failures.push(`${where}: "${t.text}" wears ${owner}'s colour ${swatch.colour}`);
    const over = shapes.find((s) => s.series && overlap(s.box, t.box));
    if (over) failures.push(`${where}: legend entry "${t.text}" lies over a data series`);
    const seen = colours.get(future);
    if (seen && seen.colour !== swatch.colour) {
      failures.push(`${future}: ${swatch.colour} in ${where} but ${seen.colour} in ${seen.where}`);
    } else if (!seen) colours.set(future, { colour: swatch.colour, where });
  }
}

for (const spec of pages) {
  const [name, file] = spec.split('=');
  // The first screen at a classroom projector's size: the grammar holds there too.
  {
    const small = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await small.goto(`file://${file}`);
    await small.screenshot({ path: `${outDir}/${name}-1024.png` });
    const seen = await small.evaluate(measure);
    if (seen.scroll > seen.width) failures.push(`${name} at 1024x768: ${seen.scroll} px wide`);
    if (seen.small.length) failures.push(`${name} at 1024x768: text under 12 px: ${seen.small.join('; ')}`);
    await small.close();
  }
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`${name}: console error ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) failures.push(`${name}: request to ${r.url()}`); });
  await page.goto(`file://${file}`);
  await page.screenshot({ path: `${outDir}/${name}.png` });
  const seen = await page.evaluate(measure);
  if (seen.scroll > seen.width) failures.push(`${name}: ${seen.scroll} px wide in a ${seen.width} px window`);
  if (seen.small.length) failures.push(`${name}: text under 12 px: ${seen.small.join('; ')}`);
  if (seen.faint.length) failures.push(`${name}: contrast under 4.5: ${seen.faint.join('; ')}`);
  if (seen.title.trim().length < 10) failures.push(`${name}: no title`);
  if (seen.takeaway.length < 20) failures.push(`${name}: no takeaway`);
  if (seen.charts.length === 0) failures.push(`${name}: no chart`);
  seen.charts.forEach((c, k) => checkChart(name, k, c));
  console.log(`${name}: ${seen.charts.length} charts looked at`);
}
await browser.close();
console.log('colours:', [...colours].map(([f, c]) => `${f}=${c.colour}`).join(', '));
if (failures.length) {
  console.log(`browser check FAILED:\n  ${failures.slice(0, 60).join('\n  ')}`);
  process.exit(1);
}
console.log('browser check: colours consistent, no overlapping text, axes labelled');
