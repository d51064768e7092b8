// The class page of `agora serve`: open a class (teacher), join it by code
// (student), play one administration round by round, watch the class's
// future (teacher), and the debrief. Which view shows depends on the
// address: /class (open or join), /class?code=C (join), /class?code=C&admin=J&student=K
// (a student; the link is the student's key, so a reload or another device
// gets the same administration back), /class?code=C&teacher=T (the teacher).
// Every text is set as text (never as HTML): names come from students.
'use strict';

const q = new URLSearchParams(location.search);
const code = (q.get('code') || '').toUpperCase();
const app = document.getElementById('app');
const POLL_MS = 2000;

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
    else if (k === 'style') e.style.cssText = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

function showError(message) {
  const e = document.getElementById('error');
  e.textContent = message || '';
  e.hidden = !message;
}

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  let r;
  try { r = await fetch(path, init); } catch (_) { throw new Error('the class server cannot be reached: check the Wi-Fi, the page retries by itself'); }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.error || `the server answered ${r.status}`);
  return data;
}

// Numbers as the grammar writes them: no signed zero, "n/a" for no number.
function fixed(v, d = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const s = v.toFixed(d);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}
function signed(v, d = 3) {
  if (!Number.isFinite(v)) return 'n/a';
  const s = fixed(v, d);
  return Number(s) === 0 ? s : (v > 0 ? '+' + s : s);
}
const pct = (v) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${Math.round(v * 100)}%`);
const euros = (v) => `EUR ${fixed(v, 2)}`;
const NAMES = { trust: 'Trust', unheard_share: 'Unheard contacts', adoption: 'Social CRM adoption', transformed_share: 'Transformed administrations' };
const AXES = { trust: 'mean level (0-1)', unheard_share: 'share of online contacts', adoption: 'mean level (0-1)', transformed_share: 'share of administrations' };
const DASHES = { class: '', fracture: '8 4', participation: '2 3', pioneer: '10 3 2 3' };

// A line chart over calendar years: `series` = [{name, label, colour, values, dash, width}],
// values by month from `start` (YYYY-MM); the branch month dotted and labelled.
function chart(title, axis, start, branch, series, total, width) {
  // Drawn at its real width (text at its CSS size), larger on a projector.
  const big = innerWidth >= 1600 ? 1.25 : 1;
  const f = (px) => Math.round(px * big * 10) / 10;
  const W = Math.max(300, Math.floor(width || 640)), H = Math.round(Math.min(440, Math.max(260, W * 0.48)));
  const L = f(58), R = f(165), T = f(34), B = f(46);
  const n = Math.max(total || 0, ...series.map((s) => s.values.length));
  const [y0, m0] = start.split('-').map(Number);
  const year = (i) => y0 + (m0 - 1 + i) / 12;
  const x0 = year(0), x1 = year(Math.max(n - 1, 1));
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  // Ticks at a round step, at most six of them.
  const high = Math.max(...all, 0.01);
  const tick = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((t) => high / t <= 5) || 0.25;
  const top = Math.ceil(high / tick - 1e-9) * tick;
  const X = (t) => L + (W - L - R) * (year(t) - x0) / (x1 - x0);
  const Y = (v) => T + (H - T - B) * (1 - v / top);
  // The SVG namespace, read from the <svg> the HTML parser made (no URL in the page).
  const ns = document.getElementById('svg-ns').namespaceURI;
  const s = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': title });
  svg.append(s('text', { x: 4, y: f(20), 'font-size': f(18), 'font-weight': 600 }, title));
  for (let k = 0; k * tick <= top + 1e-9; k++) {
    const v = k * tick;
    svg.append(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: '#ddd' }));
    svg.append(s('text', { x: L - 6, y: Y(v) + f(4), 'font-size': f(13), 'text-anchor': 'end', class: 'tick' }, fixed(v, tick < 0.1 || tick === 0.25 ? 2 : 1)));
  }
  const step = x1 - x0 > 12 ? 4 : (x1 - x0 > 5 ? 2 : 1);
  for (let y = Math.ceil(x0); y <= x1; y += 1) {
    if ((y - Math.ceil(x0)) % step) continue;
    const x = L + (W - L - R) * (y - x0) / (x1 - x0);
    svg.append(s('line', { x1: x, x2: x, y1: H - B, y2: H - B + 5, stroke: '#707070' }));
    svg.append(s('text', { x, y: H - B + f(19), 'font-size': f(13), 'text-anchor': 'middle', class: 'tick' }, y));
  }
  svg.append(s('text', { x: (L + W - R) / 2, y: H - 6, 'font-size': f(14), 'text-anchor': 'middle' }, 'year'));
  svg.append(s('text', { x: f(14), y: (T + H - B) / 2, 'font-size': f(14), 'text-anchor': 'middle', transform: `rotate(-90 ${f(14)} ${(T + H - B) / 2})` }, axis));
  if (branch < n) {
    const bx = X(branch);
    svg.append(s('line', { x1: bx, x2: bx, y1: T, y2: H - B, stroke: '#707070', 'stroke-dasharray': '2 3' }));
    const [by, bm] = [y0 + Math.floor((m0 - 1 + branch) / 12), (m0 - 1 + branch) % 12 + 1];
    svg.append(s('text', { x: bx - 4, y: T + f(12), 'font-size': f(13), 'text-anchor': 'end', class: 'tick' }, `branch ${by}-${String(bm).padStart(2, '0')}`));
  }
  series.forEach((ser, k) => {
    // Before the branch every run shares one past: drawn once, in grey.
    const from = ser.shared ? 0 : Math.min(branch, ser.values.length - 1);
    const path = (a, b) => {
      let d = '';
      for (let i = a; i <= b; i++) {
        const v = ser.values[i];
        if (!Number.isFinite(v)) continue;
        d += `${d ? 'L' : 'M'}${X(i).toFixed(1)},${Y(Math.min(v, top)).toFixed(1)}`;
      }
      return d;
    };
    if (k === 0 && branch > 0) svg.append(s('path', { d: path(0, Math.min(branch, ser.values.length - 1)), fill: 'none', stroke: '#707070', 'stroke-width': 2 }));
    svg.append(s('path', { d: path(from, ser.values.length - 1), fill: 'none', stroke: ser.colour, 'stroke-width': ser.width || 2.5, 'stroke-dasharray': ser.dash || '' }));
    const ly = T + f(14) + f(22) * k;
    svg.append(s('line', { x1: W - R + 10, x2: W - R + 36, y1: ly - 4, y2: ly - 4, stroke: ser.colour, 'stroke-width': ser.width || 2.5, 'stroke-dasharray': ser.dash || '' }));
    svg.append(s('text', { x: W - R + 42, y: ly, 'font-size': f(13) }, ser.label));
  });
  if (branch > 0) {
    const ly = T + f(14) + f(22) * series.length;
    svg.append(s('line', { x1: W - R + 10, x2: W - R + 36, y1: ly - 4, y2: ly - 4, stroke: '#707070', 'stroke-width': 2 }));
    svg.append(s('text', { x: W - R + 42, y: ly, 'font-size': f(13) }, 'shared past'));
  }
  return h('div', { class: 'chart card' }, svg);
}

// Charts in one or two columns, each as wide as its column.
function chartGrid(make) {
  const cols = app.clientWidth >= 1100 ? 2 : 1;
  // The main element's padding (2 x 16 px), the gaps, each card's padding and border (2 x 15 px).
  const width = Math.floor((app.clientWidth - 32 - 12 * (cols - 1)) / cols) - 31;
  return h('div', { class: 'charts', style: `grid-template-columns: repeat(${cols}, minmax(0, 1fr))` }, make(width));
}

// Replace the page's content (null children skipped).
function put(...children) {
  app.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

// ---- Open a class, or join one ----

function openView() {
  const field = (label, input, help) => [h('label', { for: input.id }, label), input, help ? h('p', { class: 'muted' }, help) : null];
  const num = (id, value, min, max, step) => h('input', { type: 'number', id, value, min, max, step: step || 1 });
  const scenario = h('select', { id: 'scenario' },
    h('option', { value: 'pioneer' }, 'pioneer: nothing new after 2026'),
    h('option', { value: 'fracture' }, 'fracture: administrations retreat'),
    h('option', { value: 'participation' }, 'participation: a national programme'));
  const inputs = {
    administrations: num('administrations', 30, 6, 60), months: num('months', 12, 1, 24), rounds: num('rounds', 5, 1, 40),
    budget: num('budget', 0.6, 0, 10, 0.05), seconds: num('seconds', 0, 0, 3600, 10),
    computer: h('input', { type: 'text', id: 'computer', placeholder: 'e.g. 0, 7, 12' }),
  };
  const go = h('button', { id: 'open', on: { click: async () => {
    go.disabled = true;
    try {
      const body = { scenario: scenario.value };
      for (const k of ['administrations', 'months', 'rounds', 'seconds']) body[k] = Number(inputs[k].value);
      body.budget = Number(inputs.budget.value);
      body.computer = inputs.computer.value.split(/[\s,]+/).filter(Boolean).map(Number);
      const made = await api('POST', '/api/class', body);
      location.assign(made.teacher_url);
    } catch (e) { showError(e.message); go.disabled = false; }
  } } }, 'Open the class');
  const joinCode = h('input', { type: 'text', id: 'join-code', autocomplete: 'off', placeholder: 'ABC234', style: 'text-transform: uppercase' });
  put(
    h('h1', {}, 'A class plays one shared future'),
    h('p', {}, 'Each student runs one administration from 2026 on: its levers, its budget, its citizens. Round by round, the class sees what its choices made.'),
    h('section', { class: 'card' }, h('h2', {}, 'Join a class'),
      ...field('Class code (on the teacher\'s screen)', joinCode),
      h('button', { on: { click: () => location.assign(`/class?code=${encodeURIComponent(joinCode.value.trim().toUpperCase())}`) } }, 'Join')),
    h('section', { class: 'card' }, h('h2', {}, 'Open a class (teacher)'),
      ...field('Future the class starts from', scenario),
      ...field('Administrations (one per student; the computer plays the rest)', inputs.administrations),
      ...field('Months per round', inputs.months), ...field('Rounds', inputs.rounds),
      ...field('Budget: euros per citizen per month for the levers', inputs.budget, 'A full security programme costs EUR 0.50, training 5% of staff a month EUR 0.50, a barrier programme EUR 0.30.'),
      ...field('Administrations the computer plays (ids, optional)', inputs.computer),
      ...field('Seconds before a round runs by itself (0: you advance)', inputs.seconds),
      go));
}

async function joinView() {
  const saved = localStorage.getItem(`agora-class-${code}`);
  let status;
  try { status = await api('GET', `/api/class/${code}`); } catch (e) { put(h('h1', {}, 'Class not found'), h('p', {}, e.message), h('p', {}, h('a', { href: '/class' }, 'Type another code'))); return; }
  const name = h('input', { type: 'text', id: 'name', maxlength: 40, autocomplete: 'nickname' });
  const go = h('button', { id: 'join', on: { click: async () => {
    go.disabled = true;
    try {
      const joined = await api('POST', `/api/class/${code}/join`, { name: name.value });
      localStorage.setItem(`agora-class-${code}`, joined.url);
      location.replace(joined.url);
    } catch (e) { showError(e.message); go.disabled = false; }
  } } }, 'Take an administration');
  put(
    h('h1', {}, `Join class ${code}`),
    h('p', {}, `${status.joined} of ${status.administrations} administrations have a player; ${status.open} open. Future: ${status.scenario}, ${status.rounds} rounds of ${status.months} months.`),
    saved ? h('p', { class: 'status' }, 'You joined from this device before: ', h('a', { href: saved }, 'continue with your administration')) : null,
    status.open > 0 ? h('section', { class: 'card' }, h('label', { for: 'name' }, 'Your name or a nickname'), name, go,
      h('p', { class: 'muted' }, 'Once you join, this page\'s address is your key: opened again (or on another device) it gives you your administration back.'))
      : h('p', { class: 'status', id: 'full' }, 'Every administration has a player: ask your teacher to open a class with more administrations.'));
}

// ---- The student ----

function studentView() {
  const admin = q.get('admin'), key = q.get('student');
  const base = `/api/class/${code}/admin/${admin}`;
  localStorage.setItem(`agora-class-${code}`, location.pathname + location.search);
  let state = null, draft = null, version = '';
  const render = () => {
    const c = state.class, a = state.admin;
    const levers = c.levers;
    const cost = (choice) => {
      // Prices of docs/costs.md, as the server charges them (model/cost.rs).
      const g = (p) => choice[p];
      const bar = (p) => Math.min(Math.max(1 - g(p), 0), 1) * 0.3;
      return g('dynamics.training') * 0.005 * 0.5 * 4000 + g('dynamics.security_investment') * 0.5 + g('dynamics.roi_measurement') * 0.1
        + Math.max(g('dynamics.capacity_per_citizen') - 0.12, 0) * 3.48 + g('dynamics.channel_openness') * 0.1 * 0.18
        + bar('dynamics.roi_barrier_scale') + bar('dynamics.security_barrier_scale') + bar('dynamics.organizational_barrier_scale');
    };
    const spent = cost(draft);
    const over = spent > c.budget + 1e-9;
    const meter = h('div', { class: `meter${over ? ' over' : ''}` }, h('div', { style: `width:${Math.min(100, 100 * spent / Math.max(c.budget, 1e-9))}%` }));
    const send = h('button', { id: 'send', disabled: over || c.finished, on: { click: async () => {
      send.disabled = true;
      try { state = await api('POST', `${base}/choose`, { student: key, levers: draft }); draft = { ...state.choice }; render(); showError(''); } catch (e) { showError(e.message); send.disabled = false; }
    } } }, `Send my choices for round ${c.round + 1}`);
    const sliders = levers.map((l) => {
      const value = h('span', {}, fixed(draft[l.path], l.step < 0.01 ? 3 : 2));
      const changed = Math.abs(draft[l.path] - c.baseline[l.path]) > 1e-9;
      const input = h('input', { type: 'range', min: l.min, max: l.max, step: l.step, value: draft[l.path], 'aria-label': l.label, 'data-path': l.path,
        on: { input: (ev) => { draft[l.path] = Number(ev.target.value); render(); } } });
      return h('div', { class: 'lever' },
        h('div', { class: 'head' }, h('span', {}, l.label), h('span', { class: changed ? 'changed' : '' }, value)),
        input, h('p', { class: 'explain' }, `${l.explanation} Future's value: ${fixed(c.baseline[l.path], l.step < 0.01 ? 3 : 2)}.`));
    });
    const chosen = a.chosen;
    const status = c.finished ? 'The class has played its last round: look at the teacher\'s screen for the debrief.'
      : chosen ? `Sent. Waiting for the teacher to run round ${c.round + 1} (${c.date} to ${c.next}).`
      : `Round ${c.round + 1} (${c.date} to ${c.next}): choose your levers and send them. If you send nothing, your last choices stay in force.`;
    const last = state.history[state.history.length - 1];
    const stat = (label, value, id) => h('div', { class: 'stat', id }, h('b', {}, value), h('span', {}, label));
    const barriers = ['Doubt about pay-off (ROI)', 'Fear of incidents (security)', 'Unready organisation'].map((label, k) =>
      h('div', { class: 'bar' }, h('span', {}, label), h('div', { class: 'meter' }, h('div', { style: `width:${100 * a.barriers[k]}%` })), h('span', {}, fixed(a.barriers[k], 2))));
    const rows = state.history.map((r) => h('tr', {}, h('td', {}, r.date), h('td', {}, fixed(r.trust, 2)), h('td', {}, pct(r.unheard_share)),
      h('td', {}, r.incidents), h('td', {}, fixed(r.adoption, 2))));
    const neighbours = state.neighbours.map((n) => h('tr', {}, h('td', {}, n.name), h('td', { class: 'left' }, n.computer ? 'computer' : (n.player || 'open')),
      h('td', {}, fixed(n.trust, 2)), h('td', {}, fixed(n.adoption, 2)), h('td', {}, pct(n.unheard_share))));
    put(
      h('h1', {}, a.name), h('p', { class: 'muted' }, `Played by ${a.player} · class ${c.code} · round ${Math.min(c.round + 1, c.rounds)} of ${c.rounds}`),
      h('p', { class: `status${chosen ? ' sent' : ''}`, id: 'status' }, status),
      h('section', { class: 'card' }, h('h2', {}, 'What your choices made'),
        state.history.length ? h('div', { class: 'scroll' }, h('table', { id: 'history' }, h('thead', {}, h('tr', {}, ['Until', 'Trust', 'Unheard', 'Incid.', 'Adopt.'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)))
          : h('p', {}, `At the start (${c.date}): trust ${fixed(state.start.trust, 2)}, adoption ${fixed(state.start.adoption, 2)}. The first round shows what changes.`),
        last ? h('p', {}, `Last round: trust ${signed(last.trust - (state.history.length > 1 ? state.history[state.history.length - 2].trust : state.start.trust), 3)}, ${last.incidents} incident${last.incidents === 1 ? '' : 's'}, ${pct(last.unheard_share)} of online contacts unheard, EUR ${fixed(last.cost, 2)} per citizen spent (incid.: incidents; adopt.: Social CRM adoption).`) : null),
      h('section', { class: 'card' }, h('h2', {}, 'Your administration now'),
        h('p', {}, `${a.citizens} citizens (${pct(state.share)} of the population)${a.pioneer ? ', a pioneer' : ''}${a.transformed ? ', transformed with its citizens' : ''}.`),
        h('div', { class: 'stats' }, stat('citizens\' trust (0-1)', fixed(a.trust, 2), 'trust'), stat('online contacts unheard', pct(a.unheard_share), 'unheard'),
          stat('Social CRM adoption (0-1)', fixed(a.adoption, 2)), stat('incidents so far', a.incidents), stat('spent per citizen since 2026', euros(a.cost))),
        h('h2', { style: 'margin-top:12px' }, 'What holds you back (0-1)'), ...barriers),
      h('section', { class: 'card' }, h('h2', {}, `Your levers for round ${Math.min(c.round + 1, c.rounds)}`),
        h('p', {}, `Cost: ${euros(spent)} of ${euros(c.budget)} per citizen per month${over ? ': over budget, lower a lever' : ''} (a budget of ${euros(c.budget * c.months)} per citizen for this round of ${c.months} months).`), meter,
        ...sliders, send),
      h('section', { class: 'card' }, h('h2', {}, 'Your neighbours'),
        h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Administration', 'Player', 'Trust', 'Adoption', 'Unheard'].map((t, k) => h('th', { class: k === 1 ? 'left' : '' }, t)))), h('tbody', {}, neighbours)))));
  };
  const poll = async () => {
    try {
      const fresh = await api('GET', `${base}?student=${encodeURIComponent(key)}`);
      const v = `${fresh.class.round}/${fresh.class.finished}/${fresh.admin.chosen}/${fresh.class.joined}`;
      if (!state || v !== version) {
        const keep = state && state.class.round === fresh.class.round && draft;
        state = fresh; version = v;
        draft = keep ? draft : { ...fresh.choice };
        render();
      }
      showError('');
    } catch (e) { showError(e.message); }
    setTimeout(poll, POLL_MS);
  };
  poll();
}

// ---- The teacher ----

function teacherView() {
  const key = q.get('teacher');
  const rows = [];
  let t = null, debrief = null;
  const column = (name) => rows.map((r) => r[t.metrics.indexOf(name)]);
  const render = () => {
    const c = t.class;
    const joinUrl = `${location.origin}/class?code=${c.code}`;
    const run = h('button', { id: 'advance', disabled: c.finished, on: { click: async () => {
      run.disabled = true;
      try { await api('POST', `/api/class/${code}/advance`, { teacher: key }); await poll(true); } catch (e) { showError(e.message); run.disabled = false; }
    } } }, c.finished ? 'All rounds played' : `Run round ${c.round + 1} (${c.date} to ${c.next})`);
    const brief = h('button', { id: 'debrief', class: 'secondary', disabled: c.round === 0, on: { click: async () => {
      brief.disabled = true;
      try { debrief = await api('POST', `/api/class/${code}/debrief`, { teacher: key }); render(); document.getElementById('debrief-section').scrollIntoView(); } catch (e) { showError(e.message); }
      brief.disabled = false;
    } } }, 'Debrief');
    const exp = h('button', { id: 'export', class: 'secondary', disabled: c.round === 0, on: { click: async () => {
      exp.disabled = true;
      try { const r = await api('POST', `/api/class/${code}/export`, { teacher: key }); showError(''); t.exported = r.results; render(); } catch (e) { showError(e.message); }
      exp.disabled = false;
    } } }, 'Export the session');
    const v = t.verdict;
    const verdict = v ? h('p', { id: 'verdict', style: 'font-size:1.25em' }, h('span', { class: 'swatch', style: `background:${t.colours[v.class] || '#999'}` }),
      `The class's future so far: ${v.class.replace('_', ' ')} (margin ${fixed(v.margin, 3)}: how far it is from another future${v.class === 'undecided' ? `; nearest ${v.nearest}` : ''})`)
      : h('p', { id: 'verdict' }, 'The class\'s future is still open: it can be named a year after 2026-01.');
    const charts = chartGrid((w) => ['trust', 'unheard_share', 'adoption', 'transformed_share'].map((m) =>
      chart(NAMES[m], AXES[m], t.start, t.branch, [{ label: `class ${c.code}`, colour: '#111', values: column(m), width: 3 }], t.branch + c.rounds * c.months + 1, w)));
    const table = h('table', { id: 'admins' }, h('thead', {}, h('tr', {}, ['Administration', 'Player', 'Citizens', 'Trust', 'Unheard', 'Adoption', 'Incidents', 'Spent', 'Sent'].map((x, k) => h('th', { class: k < 2 ? 'left' : '' }, x)))),
      h('tbody', {}, t.admins.map((a) => h('tr', {}, h('td', {}, a.name), h('td', { class: 'left' }, a.computer ? 'computer' : (a.player || 'open (computer)')), h('td', {}, a.citizens),
        h('td', {}, fixed(a.trust, 2)), h('td', {}, pct(a.unheard_share)), h('td', {}, fixed(a.adoption, 2)), h('td', {}, a.incidents), h('td', {}, euros(a.cost)),
        h('td', {}, a.computer || !a.player ? '' : (a.chosen ? 'yes' : '-'))))));
    put(
      h('div', { class: 'teacher-top' },
        h('div', {}, h('h1', {}, `Class ${c.code}: one shared future from ${c.scenario}`),
          h('p', { class: 'join' }, 'Students join at ', h('b', { id: 'join-url' }, joinUrl)),
          h('p', {}, `${c.joined} of ${c.administrations} administrations have a player · round ${c.round} of ${c.rounds} played${c.round < c.rounds ? ` · ${t.chosen} of them chose for round ${c.round + 1}` : ''}${c.seconds_left !== null && c.seconds_left !== undefined ? ` · ${c.seconds_left} s left` : ''}`),
          verdict),
        h('div', { class: 'card' }, h('p', { class: 'muted' }, 'class code'), h('p', { class: 'big', id: 'code' }, c.code))),
      h('p', {}, run, brief, exp),
      h('p', { class: 'muted' }, 'Keep this page\'s address: it carries your teacher key (running rounds, the debrief and the export need it).'),
      t.exported ? h('p', { class: 'status', id: 'exported' }, `Exported: ${t.exported} (agora verify and agora report read it; class.ron beside it replays the class).`) : null,
      debrief && q.get('view') === 'debrief' ? debriefSection(debrief, t) : null,
      charts,
      h('section', { class: 'card' }, h('h2', {}, 'Administrations'), h('div', { class: 'scroll' }, table)),
      debrief && q.get('view') !== 'debrief' ? debriefSection(debrief, t) : null);
  };
  const poll = async (once) => {
    try {
      const fresh = await api('GET', `/api/class/${code}/teacher?teacher=${encodeURIComponent(key)}&from=${rows.length}`);
      rows.push(...fresh.rows);
      const exported = t && t.exported;
      t = fresh; if (!t.exported) t.exported = exported;
      if (!debrief && q.get('view') === 'debrief' && t.debrief) debrief = await api('GET', `/api/class/${code}/debrief?teacher=${encodeURIComponent(key)}`);
      render();
      showError('');
    } catch (e) { showError(e.message); }
    if (once !== true) setTimeout(poll, POLL_MS);
  };
  poll();
}

function debriefSection(d, t) {
  const series = (m) => [{ label: `class ${t.class.code}`, colour: '#111', values: d.class.series[m], width: 3.5 }]
    .concat(d.futures.map((f) => ({ label: f.name, colour: f.colour, values: f.series[m], dash: DASHES[f.name] || '4 2' })));
  const charts = chartGrid((w) => ['trust', 'unheard_share', 'adoption', 'transformed_share'].map((m) =>
    chart(`${NAMES[m]}: the class and the three futures`, AXES[m], d.start, d.branch, series(m), null, w)));
  const endRow = (label, colour, e, verdict) => h('tr', {}, h('td', {}, h('span', { class: 'swatch', style: `background:${colour}` }), label),
    h('td', { class: 'left' }, `${verdict.class.replace('_', ' ')} (${fixed(verdict.margin, 3)})`), ...e.map((x, k) => h('td', {}, k === 2 ? pct(x) : fixed(x, 2))));
  const ends = h('table', { id: 'ends' }, h('thead', {}, h('tr', {}, ['Run', 'Future (margin)', 'Trust', 'Adoption', 'Unheard (last year)', 'Transformed'].map((x, k) => h('th', { class: k < 2 ? 'left' : '' }, x)))),
    h('tbody', {}, endRow(`the class ${t.class.code}`, '#111', d.class.ends, d.class.verdict), d.futures.map((f) => endRow(f.name, f.colour, f.ends, f.verdict))));
  const words = (e) => e.choices.length ? e.choices.map((c) => `${c.lever.toLowerCase()} ${fixed(c.value, c.value < 0.1 ? 3 : 2)} (future: ${fixed(c.baseline, c.baseline < 0.1 && c.baseline > 0 ? 3 : 2)}) from round ${c.round}`).join(', ') : 'kept the future\'s levers';
  const moved = d.effects.filter((e) => e.moved > 1e-4).slice(0, 5);
  const movers = moved.map((e) => {
    const changed = e.verdict_without.class !== d.class.verdict.class;
    return h('li', {}, h('b', {}, `${e.player} (${e.name})`), `: ${words(e)}. These choices changed the whole class's end by trust ${signed(e.delta[0], 3)}, adoption ${signed(e.delta[1], 3)}, unheard contacts ${signed(100 * e.delta[2], 1)} points`,
      changed ? h('b', {}, `; without them the class's future would be ${e.verdict_without.class.replace('_', ' ')}`) : '', '.');
  });
  const all = h('table', { id: 'effects' }, h('thead', {}, h('tr', {}, ['Student', 'Administration', 'Trust', 'Adoption', 'Unheard (points)', 'Future without'].map((x, k) => h('th', { class: k < 2 ? 'left' : '' }, x)))),
    h('tbody', {}, d.effects.map((e) => h('tr', {}, h('td', {}, e.player), h('td', { class: 'left' }, e.name), h('td', {}, signed(e.delta[0], 3)), h('td', {}, signed(e.delta[1], 3)), h('td', {}, signed(100 * e.delta[2], 1)),
      h('td', {}, e.verdict_without.class.replace('_', ' '))))));
  return h('section', { id: 'debrief-section' },
    h('h1', {}, `Debrief: what the class's choices made (${d.round} round${d.round === 1 ? '' : 's'})`),
    h('p', {}, `The class's run beside the three built-in futures, with the same population and the same random draws (one shared past until 2026-01). After round ${d.round} the class's future is ${d.class.verdict.class.replace('_', ' ')}.`),
    h('section', { class: 'card' }, h('h2', {}, 'The choices that moved the class\'s future'),
      moved.length ? h('ol', { class: 'movers', id: 'movers' }, movers) : h('p', { id: 'movers' }, 'No student\'s choices moved the class\'s trust, adoption or unheard share by more than 0.0001.'),
      h('p', { class: 'muted' }, 'Each student\'s choices were replaced by the future\'s own levers and the class rerun from 2026 with the same draws; the differences are what those choices added (trust and adoption at the end, unheard share over the last year).')),
    charts,
    h('section', { class: 'card' }, h('h2', {}, 'The class and the three futures at the end'), h('div', { class: 'scroll' }, ends)),
    h('section', { class: 'card' }, h('h2', {}, 'Every student: what their choices added to the class'), h('div', { class: 'scroll' }, all)));
}

if (!code) openView();
else if (q.get('teacher')) teacherView();
else if (q.get('student') && q.get('admin') !== null) studentView();
else joinView();
