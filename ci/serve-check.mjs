// Drive `agora serve`'s page as a class would, in Debian's Chromium driven
// by playwright-core at 1400 px width:
//   - the page loads, draws the population on its canvas (non-blank pixels)
//     and a line per future in every chart;
//   - a slider moved and applied from now reaches the server (its value is
//     in force afterwards), play advances the months, and the charts and the
//     canvas change;
//   - no console error, no request outside the server's own address.
// Usage: node serve-check.mjs OUT_DIR URL   (writes OUT_DIR/serve.png)
import { chromium } from 'playwright-core';

const [outDir, url] = process.argv.slice(2);
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
const failures = [];
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) failures.push(`request outside the server: ${r.url()}`); });
if (new URL(url).hostname !== '127.0.0.1') failures.push(`the server is not on 127.0.0.1: ${url}`);

await page.goto(url);
// At January 2012 the flows (participation, unheard contacts) have no value yet: 4 charts of 6 have lines.
await page.waitForFunction(() => document.querySelectorAll('.chart path[d^="M"]').length >= 12, null, { timeout: 20000 })
  .catch(async (e) => { console.log(failures.join('\n')); throw e; });

// What the page shows: chart paths, canvas pixels (a hash and how many are not background).
const look = () => page.evaluate(() => {
  const canvas = document.getElementById('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let lit = 0, hash = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] + data[i + 1] + data[i + 2] > 120) lit++;
    hash = (hash * 31 + data[i] * 7 + data[i + 1] * 3 + data[i + 2]) | 0;
  }
  return {
    paths: [...document.querySelectorAll('.chart path')].map((p) => p.getAttribute('d')),
    charts: document.querySelectorAll('.chart').length,
    lit, hash, pixels: data.length / 4,
    date: document.getElementById('date').textContent,
  };
});
const before = await look();
if (before.charts < 6) failures.push(`${before.charts} charts, expected 6`);
if (before.lit < 2000) failures.push(`the canvas looks blank: ${before.lit} of ${before.pixels} pixels lit`);

// A lever: training to 0.04, applied from now to all three futures.
await page.evaluate(() => {
  const input = document.querySelector('input[data-lever="dynamics.training"]');
  input.value = '0.04';
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('change'));
});
await page.waitForFunction(() => document.getElementById('message').textContent.includes('set to'), null, { timeout: 5000 });
await page.click('#apply-all');
await page.waitForFunction(() => document.getElementById('message').textContent.includes('Applied'), null, { timeout: 5000 });

// Play until 2020, then pause.
await page.click('#play');
await page.waitForFunction(() => document.getElementById('date').textContent >= '2020-01', null, { timeout: 60000 });
await page.click('#pause');
await page.waitForTimeout(500);
const after = await look();
const changed = after.paths.filter((d, k) => d !== before.paths[k]).length;
if (changed < after.paths.length) failures.push(`only ${changed} of ${after.paths.length} chart lines changed while playing`);
if (after.hash === before.hash) failures.push('the canvas did not change while playing');
if (after.lit < 2000) failures.push(`the canvas looks blank after playing: ${after.lit} pixels lit`);
const force = await page.evaluate(() =>
  document.querySelector('input[data-lever="dynamics.training"]').closest('.lever').querySelector('.force').textContent);
if ((force.match(/0\.04/g) || []).length !== 3) failures.push(`training 0.04 is not in force in all three futures: "${force}"`);

// The other colourings draw too.
for (const mode of ['trust', 'heard']) {
  await page.selectOption('#colour', mode);
  const seen = await look();
  if (seen.lit < 1000 || seen.hash === after.hash) failures.push(`colouring by ${mode} draws nothing new`);
}
await page.selectOption('#colour', 'digital');
await page.screenshot({ path: `${outDir}/serve.png`, fullPage: true });
await browser.close();
console.log(`serve check: ${before.date} -> ${after.date}, ${changed} chart lines changed, canvas ${after.lit} pixels lit`);
if (failures.length) {
  console.log(`serve check FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('serve check: page drawn, lever applied, play advanced the charts and the canvas, no error, no outside request');
