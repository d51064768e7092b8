// Look at generated reports as a person would, in Debian's Chromium driven
// by playwright-core, at 1400 px width:
//   - each future (a legend name) has one colour in every chart of every page;
//   - no two text boxes of a chart overlap, and none leaves its chart;
//   - every chart has a y axis label (rotated text) and an x axis label
//     (a worded text at the bottom); no text is smaller than 12 px;
//   - the page has a title and a takeaway and logs no error.
// Usage: node browser-check.mjs OUT_DIR NAME=REPORT.html [NAME=REPORT.html ...]
// writes OUT_DIR/NAME.png (the first screen); the checks read the whole page.
import { chromium } from 'playwright-core';

const [outDir, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
const failures = [];
const colours = new Map(); // future -> "colour (page, chart)"

// Everything the assertions need, measured by the browser itself.
function measure() {
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
  const paint = (e) => {
    const s = getComputedStyle(e);
    const c = e.tagName === 'rect' ? s.fill : s.stroke;
    return c && c !== 'none' ? c : s.fill;
  };
  return {
    title: (document.querySelector('h1') || {}).textContent || '',
    takeaway: (document.querySelector('.takeaway') || {}).textContent || '',
    charts: [...document.querySelectorAll('div.chart > svg')].map((svg) => {
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => ({
        text: t.textContent.trim(),
        rotated: (t.getAttribute('transform') || '').includes('rotate'),
        size: parseFloat(getComputedStyle(t).fontSize),
        box: box(t),
      }));
      const shapes = [...svg.querySelectorAll('polyline, line, path, rect')].map((s) => ({ colour: paint(s), box: box(s) }));
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
    const seen = colours.get(future);
    if (seen && seen.colour !== swatch.colour) {
      failures.push(`${future}: ${swatch.colour} in ${where} but ${seen.colour} in ${seen.where}`);
    } else if (!seen) colours.set(future, { colour: swatch.colour, where });
  }
}

for (const spec of pages) {
  const [name, file] = spec.split('=');
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`${name}: console error ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) failures.push(`${name}: request to ${r.url()}`); });
  await page.goto(`file://${file}`);
  await page.screenshot({ path: `${outDir}/${name}.png` });
  const seen = await page.evaluate(measure);
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
