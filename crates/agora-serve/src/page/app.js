// The page: draws the states the server sends and turns clicks into
// commands. It knows nothing of HTTP (that is transport.js) and holds no
// model code: every number it shows comes from a snapshot.
"use strict";

// Each future's colour, as in `agora report` (sent by the server); the
// visual grammar (docs/visual-grammar.md): these colours mark futures only,
// greys mark the shared past and the baseline ghost, and no text is under
// 12 px or drawn in a colour below 4.5:1 contrast (a future's name is ink
// beside a swatch of its colour).
const COLOURS = {};
const INK = "#1d232a", GREY = "#444444";
const MIN_PX = 12.5;
const RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
const HEARD = [["#4a5159", "no online contact"], ["#56B4E9", "answered"], ["#E69F00", "unheard"]];

const page = {
  catalogue: null,
  world: null,
  rows: [[], [], []],
  snapshot: null,
  startYear: 2012,
  startMonth: 0,
  branchStep: 0,
  ghost: [[], [], []],
  touched: new Set(),
};

const $ = (id) => document.getElementById(id);

// Meaningful digits, and no "-0.00".
function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  const s = a !== 0 && a < 0.1 ? String(Number(x.toPrecision(3))) : x.toFixed(2);
  return /^-0[.0]*$/.test(s) ? s.slice(1) : s;
}

const swatch = (name) => `<span class="swatch" style="background:${COLOURS[name]}"></span>`;

function decode(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function ramp(t) {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]].map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
const RAMP_CACHE = Array.from({ length: 256 }, (_, k) => ramp(k / 255));

function say(text, error) {
  const m = $("message");
  m.textContent = text;
  m.className = error ? "message error" : "message";
}

async function command(name, body) {
  try {
    await transport.send(name, body);
    if (name !== "set") say("");
  } catch (e) {
    say(e.message, true);
    throw e;
  }
}

// ---------- charts (SVG, years on the x axis) ----------

const W = 270, H = 150, L = 30, R = 8, T = 8, B = 22;
// The SVG namespace, read from an <svg> the HTML parser made (no URL in the page).
let SVG = null;

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function x(month) {
  const years = (page.catalogue.steps + 1) / 12;
  return L + (month / 12 / years) * (W - L - R);
}

function y(value, metric) {
  const [lo, hi] = metric.lo !== undefined ? [metric.lo, metric.hi] : [0, 1];
  return T + (1 - (value - lo) / (hi - lo)) * (H - T - B);
}

function buildCharts() {
  const grid = $("grid");
  page.charts = page.catalogue.charted.map((name) => {
    const index = page.catalogue.metrics.findIndex((m) => m.name === name);
    const metric = page.catalogue.metrics[index];
    const box = document.createElement("div");
    box.className = "chart";
    box.dataset.metric = name;
    box.innerHTML = `<h3>${metric.label}</h3><p>${metric.explain} <i>(${metric.unit})</i></p>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${metric.label}"></svg>`;
    const svg = box.querySelector("svg");
    SVG = svg.namespaceURI;
    const [lo, hi] = metric.lo !== undefined ? [metric.lo, metric.hi] : [0, 1];
    for (const v of [lo, (lo + hi) / 2, hi]) {
      el("line", { x1: L, x2: W - R, y1: y(v, metric), y2: y(v, metric), stroke: "#e3e7ec" }, svg);
      el("text", { x: L - 4, y: y(v, metric) + 4, "text-anchor": "end", "font-size": 11, fill: GREY, class: "tick" }, svg).textContent = v;
    }
    const years = Math.floor((page.catalogue.steps) / 12);
    for (let k = 0; k <= years; k += 6) {
      const xx = x(k * 12);
      el("line", { x1: xx, x2: xx, y1: T, y2: H - B, stroke: "#eef1f4" }, svg);
      el("text", { x: xx, y: H - 5, "text-anchor": "middle", "font-size": 11, fill: GREY, class: "tick" }, svg).textContent = page.startYear + k;
    }
    // The branch: before it the three futures are one shared past.
    const bx = x(page.branchStep);
    el("line", { x1: bx, x2: bx, y1: T, y2: H - B, stroke: GREY, "stroke-width": 0.8, "stroke-dasharray": "1 2" }, svg);
    el("text", { x: bx + 3, y: T + 9, "font-size": 11, fill: GREY, class: "tick branch" }, svg).textContent = "branch";
    // A ghost: the future as built, a faint dashed line in its colour.
    const ghosts = page.catalogue.futures.map((f) =>
      el("path", { fill: "none", stroke: COLOURS[f.name], "stroke-opacity": 0.55, "stroke-width": 1.4, "stroke-dasharray": "3 2", d: "", "data-ghost": f.name }, svg));
    const past = el("path", { fill: "none", stroke: GREY, "stroke-width": 1.8, d: "", "data-past": "shared" }, svg);
    const marks = el("g", {}, svg);
    const now = el("line", { y1: T, y2: H - B, stroke: INK, "stroke-width": 0.7, "stroke-dasharray": "2 2" }, svg);
    const paths = page.catalogue.futures.map((f) =>
      el("path", { fill: "none", stroke: COLOURS[f.name], "stroke-width": 1.8, d: "", "data-future": f.name }, svg));
    const values = document.createElement("div");
    values.className = "now";
    box.appendChild(values);
    grid.appendChild(box);
    return { index, metric, paths, ghosts, past, now, marks, values, svg };
  });
  fitText();
}

// Chart text is at least MIN_PX screen pixels however wide the chart is drawn.
function fitText() {
  for (const c of page.charts || []) {
    const w = c.svg.getBoundingClientRect().width;
    if (!w) continue;
    const size = Math.max(11, (MIN_PX * W) / w);
    c.svg.querySelectorAll("text").forEach((t) => t.setAttribute("font-size", size.toFixed(2)));
  }
}

// Whether a lever was applied to future `name` alone before month `m` (a
// lever applied to all three keeps their past shared).
function leveredBefore(name, m) {
  return page.snapshot.applied.some((a) => a.future === name && a.month < m);
}

function pathOf(rows, index, metric, from, to) {
  let d = "";
  for (let m = from; m < Math.min(to, rows.length); m++) {
    const v = rows[m] && rows[m][index];
    if (v === null || v === undefined) continue;
    d += `${d ? "L" : "M"}${x(m).toFixed(1)},${y(v, metric).toFixed(1)}`;
  }
  return d;
}

function drawCharts() {
  const s = page.snapshot;
  for (const c of page.charts) {
    // One shared past in grey up to the branch; each future in its colour
    // from the branch on (from the start if a lever changed it earlier).
    const b = page.branchStep;
    c.past.setAttribute("d", pathOf(page.rows[0], c.index, c.metric, 0, b + 1));
    c.paths.forEach((path, k) => {
      const name = page.catalogue.futures[k].name;
      const from = leveredBefore(name, b) ? 0 : b;
      path.setAttribute("d", pathOf(page.rows[k], c.index, c.metric, from, Infinity));
      // The ghost: this future as built (no lever), shown once a lever changed it.
      const changed = s.applied.some((a) => a.future === name || a.future === "all");
      c.ghosts[k].setAttribute("d", changed ? pathOf(page.ghost[k], c.index, c.metric, 0, Infinity) : "");
    });
    c.now.setAttribute("x1", x(s.month));
    c.now.setAttribute("x2", x(s.month));
    c.marks.innerHTML = "";
    for (const a of s.applied) {
      el("line", { x1: x(a.month), x2: x(a.month), y1: T, y2: H - B, stroke: COLOURS[a.future] || INK, "stroke-dasharray": "4 3", "stroke-width": 1 }, c.marks);
    }
    c.values.innerHTML = page.catalogue.futures
      .map((f, k) => {
        const row = page.rows[k][page.rows[k].length - 1];
        return `<span>${swatch(f.name)}${f.name} ${fmt(row ? row[c.index] : null)}</span>`;
      })
      .join(" ");
  }
}

// ---------- the population (canvas) ----------

function buildWorld() {
  const w = page.world;
  const canvas = $("canvas");
  canvas.width = 1000;
  canvas.height = w.height;
  const ties = document.createElement("canvas");
  ties.width = 1000;
  ties.height = w.height;
  const g = ties.getContext("2d");
  g.fillStyle = "#14181d";
  g.fillRect(0, 0, ties.width, ties.height);
  g.strokeStyle = "rgba(200,210,225,0.13)";
  g.lineWidth = 0.8;
  g.beginPath();
  for (const [a, b] of w.edges) {
    const [p, q] = [w.citizens[a], w.citizens[b]];
    g.moveTo(p[0], p[1]);
    g.lineTo(q[0], q[1]);
  }
  g.stroke();
  page.ties = ties;
}

function drawWorld() {
  const s = page.snapshot;
  if (!s || !page.world) return;
  const k = Number($("future").value);
  const f = s.futures[k];
  const mode = $("colour").value;
  const canvas = $("canvas");
  const g = canvas.getContext("2d");
  g.drawImage(page.ties, 0, 0);
  const values = decode(mode === "digital" ? f.digital : mode === "trust" ? f.trust : f.heard);
  const cits = page.world.citizens;
  for (let i = 0; i < cits.length; i++) {
    g.fillStyle = mode === "heard" ? HEARD[values[i]][0] : RAMP_CACHE[values[i]];
    g.beginPath();
    g.arc(cits[i][0], cits[i][1], 4, 0, 2 * Math.PI);
    g.fill();
  }
  const adoption = decode(f.adoption);
  const flags = decode(f.flags);
  page.world.admins.forEach(([cx, cy, r], j) => {
    const t = adoption[j] / 255;
    g.fillStyle = `rgb(${Math.round(110 - 110 * t)},${Math.round(116 + 114 * t)},${Math.round(128 + 10 * t)})`;
    g.beginPath();
    g.arc(cx, cy, r, 0, 2 * Math.PI);
    g.fill();
    if (flags[j] & 2) { g.strokeStyle = "#ffffff"; g.lineWidth = 3; g.stroke(); }
    else if (flags[j] & 1) { g.strokeStyle = "#F0E442"; g.lineWidth = 3; g.stroke(); }
  });
}

function drawLegend() {
  const mode = $("colour").value;
  const legend = $("legend");
  if (mode === "heard") {
    legend.innerHTML = HEARD.map(([c, t]) => `<span><span class="dot" style="background:${c}"></span>${t}</span>`).join("");
  } else {
    const label = mode === "digital" ? "digitalization" : "trust";
    legend.innerHTML = `<span>${label}: 0 <span class="ramp" style="background:linear-gradient(90deg,${RAMP.join(",")})"></span> 1</span>`;
  }
}

// ---------- what happened, in words ----------

function metricAt(k, name, m) {
  const i = page.catalogue.metrics.findIndex((x) => x.name === name);
  const row = page.rows[k][Math.min(m, page.rows[k].length - 1)];
  return row ? row[i] : null;
}

function endMessage() {
  const s = page.snapshot;
  const year = s.date.slice(0, 4);
  const b = page.branchStep;
  const parts = page.catalogue.futures.map((f, k) => {
    const [g0, g1] = [metricAt(k, "fracture", b), metricAt(k, "fracture", s.month)];
    const [t0, t1] = [metricAt(k, "trust", b), metricAt(k, "trust", s.month)];
    const gap = g1 > g0 + 0.01 ? "widened" : g1 < g0 - 0.01 ? "narrowed" : "stayed about the same";
    const trust = t1 > t0 + 0.01 ? "rose" : t1 < t0 - 0.01 ? "fell" : "held";
    const cls = s.futures[k].class ? `; it ended as a ${s.futures[k].class} future` : "";
    return `in ${f.name} the gap between digital citizens and their administrations ${gap} (${fmt(g0)} to ${fmt(g1)}) and trust ${trust} (${fmt(t0)} to ${fmt(t1)})${cls}`;
  });
  return `By ${year}, since the branch in ${page.catalogue.branch}: ${parts.join("; ")}.`;
}

// ---------- futures and levers ----------

function buildFutures() {
  const select = $("future");
  const box = $("futures");
  page.catalogue.futures.forEach((f, k) => {
    const o = document.createElement("option");
    o.value = k;
    o.textContent = f.name;
    select.appendChild(o);
    const d = document.createElement("div");
    d.className = "future";
    d.style.borderColor = COLOURS[f.name];
    d.innerHTML = `<b>${swatch(f.name)}${f.name}</b>: ${f.explain}<div class="class"></div>`;
    box.appendChild(d);
  });
}

// The lever's value in force in the future shown (a slider shows it unless
// a new value waits to be applied).
function inForce(sl) {
  const k = Number($("future").value) || 0;
  return page.snapshot ? page.snapshot.futures[k].levers[sl.lever.path] : sl.lever.default;
}

function buildSliders() {
  const box = $("sliders");
  page.sliders = page.catalogue.levers.map((l) => {
    const d = document.createElement("div");
    d.className = "lever";
    d.innerHTML = `<label><span>${l.label}</span><span class="value"></span></label>
      <input type="range" min="${l.min}" max="${l.max}" step="${l.step}" value="${l.default}" aria-label="${l.label}" data-lever="${l.path}">
      <p>${l.explanation}</p><div class="force"></div>`;
    const input = d.querySelector("input");
    const value = d.querySelector(".value");
    const show = () => { value.textContent = fmt(Number(input.value)); };
    show();
    input.addEventListener("input", show);
    input.addEventListener("change", async () => {
      try {
        await command("set", { lever: l.path, value: Number(input.value) });
        page.touched.add(l.path);
        value.classList.add("changed");
        say(`${l.label} set to ${fmt(Number(input.value))}: press Apply from now.`);
      } catch (_) { /* said */ }
    });
    box.appendChild(d);
    return { lever: l, input, value, force: d.querySelector(".force") };
  });
}

function drawLevers() {
  const s = page.snapshot;
  for (const sl of page.sliders) {
    sl.force.innerHTML = "in force: " + s.futures
      .map((f) => `<span>${swatch(f.name)}${fmt(f.levers[sl.lever.path])}</span>`)
      .join(" ");
    const pending = s.pending[sl.lever.path];
    if (document.activeElement === sl.input) continue;
    if (pending !== undefined) {
      sl.input.value = pending;
      sl.value.textContent = fmt(pending);
      sl.value.classList.add("changed");
      sl.value.title = "set, not yet applied";
    } else {
      const v = inForce(sl);
      if (v !== undefined && v !== null && !Number.isNaN(v)) sl.input.value = v;
      sl.value.textContent = fmt(v);
      sl.value.classList.remove("changed");
      sl.value.title = `in force in ${page.catalogue.futures[Number($("future").value) || 0].name}`;
    }
  }
  $("shown").textContent = page.catalogue.futures[Number($("future").value) || 0].name;
  const before = s.month < page.branchStep;
  document.querySelectorAll(".future .class").forEach((d, k) => {
    const c = s.futures[k].class;
    d.textContent = before
      ? `still open: the three futures share one past until ${page.catalogue.branch}`
      : !c
        ? `still open: branched in ${page.catalogue.branch}, too early to tell`
        : s.month >= s.steps
          ? `ended as: ${c}`
          : `heading for: ${c} (decided at the end)`;
    d.classList.toggle("open", before || !c);
  });
}

// ---------- states ----------

function onState(s) {
  s.futures.forEach((f, k) => {
    page.rows[k].length = Math.min(page.rows[k].length, s.from);
    f.rows.forEach((row, i) => { page.rows[k][s.from + i] = row; });
    // The future as built (no lever applied to it yet) is the ghost a
    // changed future is compared with; the same seed replays it exactly.
    const changed = s.applied.some((a) => a.future === f.name || a.future === "all");
    if (!changed && page.rows[k].length > page.ghost[k].length) page.ghost[k] = page.rows[k].slice();
  });
  page.snapshot = s;
  $("date").textContent = s.date;
  $("month").textContent = `month ${s.month} of ${s.steps}`;
  $("play").classList.toggle("on", s.playing);
  drawCharts();
  drawWorld();
  drawLevers();
  const end = $("end");
  if (s.month >= s.steps) {
    end.textContent = endMessage();
    end.hidden = false;
  } else {
    end.hidden = true;
  }
}

async function main() {
  page.catalogue = await transport.catalogue();
  page.startYear = Number(page.catalogue.start.slice(0, 4));
  const [by, bm] = page.catalogue.branch.split("-").map(Number);
  const [sy, sm] = page.catalogue.start.split("-").map(Number);
  page.branchStep = Math.max(0, (by - sy) * 12 + (bm - sm));
  for (const f of page.catalogue.futures) COLOURS[f.name] = f.colour;
  const c = page.catalogue;
  $("intro").innerHTML = `Each future is the same ${c.citizens.toLocaleString("en")} citizens and
    ${c.administrations} administrations from January ${page.startYear}, with different barriers and policies.
    The three share one past until ${c.branch}, when they branch. ${transport.runs}; move a lever, then
    press <em>${transport.fromStart ? `Apply from ${c.start}` : "Apply from now"}</em> to see what it changes.`;
  for (const m of page.catalogue.metrics) if (m.name === "trust_gap") { m.lo = -1; m.hi = 1; }
  const opened = await transport.open();
  page.world = opened.world;
  buildFutures();
  buildCharts();
  buildSliders();
  buildWorld();
  drawLegend();
  $("future").addEventListener("change", () => { drawWorld(); if (page.snapshot) drawLevers(); });
  window.addEventListener("resize", fitText);
  $("large").addEventListener("click", () => {
    const on = document.body.classList.toggle("large");
    $("large").classList.toggle("on", on);
    fitText();
  });
  $("colour").addEventListener("change", () => { drawLegend(); drawWorld(); });
  for (const name of ["play", "pause", "step", "reset"]) {
    $(name).addEventListener("click", () => command(name).catch(() => {}));
  }
  if (transport.baseline) page.ghost = transport.baseline();
  if (transport.fromStart) {
    $("apply-one").hidden = true;
    $("apply-all").textContent = `Apply from ${c.start} to all three futures`;
  }
  const from = () => (transport.fromStart ? c.start : page.snapshot.date);
  $("apply-all").addEventListener("click", () =>
    command("intervene", { future: "all" }).then(() => say(`Applied from ${from()} to all three futures.`)).catch(() => {}));
  $("apply-one").addEventListener("click", () => {
    const name = page.catalogue.futures[Number($("future").value)].name;
    command("intervene", { future: name }).then(() => say(`Applied from ${page.snapshot.date} to ${name}.`)).catch(() => {});
  });
  transport.connect(onState, () => say("Lost the connection to the server; reconnecting…", true));
}

main().catch((e) => say(`Could not start: ${e.message}`, true));
