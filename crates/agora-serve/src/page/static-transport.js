// The offline classroom's transport (agora classroom --out DIR): the same
// shape as transport.js (catalogue, open, connect, send, runs), but the runs
// were computed by `agora classroom` and sit in this page; a clock here
// replays them month by month. Nothing is fetched, so the page works from
// file:// and from any static host.
"use strict";

const transport = (() => {
  const data = JSON.parse(document.getElementById("classroom-data").textContent);
  const steps = data.catalogue.steps;
  const [sy, sm] = data.catalogue.start.split("-").map(Number);
  const date = (m) => {
    const t = sy * 12 + (sm - 1) + m;
    return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, "0")}`;
  };
  const defaults = Object.fromEntries(data.catalogue.levers.map((l) => [l.path, l.default]));
  // The grid positions each lever was computed at (its default is the run as built).
  const grid = {};
  for (const l of data.catalogue.levers) grid[l.path] = [l.default];
  for (const r of data.runs) if (r.lever) grid[r.lever].push(r.value);
  const state = { month: 0, playing: false, run: 0, pending: {}, applied: [], sent: -1, timer: null };
  let onState = null;

  const frameAt = (f, m) => {
    let best = f.frames[0];
    for (const fr of f.frames) if (fr.month <= m) best = fr;
    return best;
  };

  function snapshot() {
    const run = data.runs[state.run].run;
    const from = state.sent < 0 || state.sent > state.month ? 0 : Math.min(state.sent + 1, state.month);
    const futures = data.catalogue.futures.map((meta, k) => {
      const f = run.futures[k];
      const fr = frameAt(f, state.month);
      return {
        name: meta.name,
        rows: f.rows.slice(from, state.month + 1),
        class: f.classes[state.month],
        levers: fr.levers,
        digital: fr.digital, trust: fr.trust, heard: fr.heard, adoption: fr.adoption, flags: fr.flags,
      };
    });
    state.sent = state.month;
    return {
      month: state.month, date: date(state.month), steps, from, playing: state.playing,
      futures, pending: { ...state.pending }, applied: state.applied.slice(),
    };
  }

  const push = () => { if (onState) onState(snapshot()); };

  function tick() {
    if (state.month >= steps) { state.playing = false; clearInterval(state.timer); state.timer = null; }
    else state.month += 1;
    push();
  }

  const commands = {
    play() {
      if (state.month >= steps) return;
      state.playing = true;
      if (!state.timer) state.timer = setInterval(tick, 120);
    },
    pause() { state.playing = false; clearInterval(state.timer); state.timer = null; },
    step() { commands.pause(); if (state.month < steps) state.month += 1; },
    reset() { commands.pause(); state.month = 0; state.run = 0; state.applied = []; state.pending = {}; state.sent = -1; },
    set(body) {
      const positions = grid[body.lever];
      if (!positions) throw new Error(`unknown lever ${body.lever}`);
      // The nearest position computed; one lever at a time.
      const value = positions.reduce((a, b) => (Math.abs(b - body.value) < Math.abs(a - body.value) ? b : a));
      state.pending = { [body.lever]: value };
    },
    intervene() {
      const [path, value] = Object.entries(state.pending)[0] || [];
      if (path === undefined) throw new Error("no lever set: move a slider first");
      const k = data.runs.findIndex((r) => r.lever === path && r.value === value);
      state.run = value === defaults[path] || k < 0 ? 0 : k;
      state.applied = state.run === 0 ? [] : [{ month: 0, future: "all" }];
      state.pending = {};
      state.sent = -1; // the whole run is new: send every row again
    },
  };

  return {
    runs: "This offline classroom replays runs computed in advance, each lever at a few positions, applied from "
      + `${data.catalogue.start} to all three futures, one lever at a time (agora serve computes them live)`,
    id: "offline",
    // Levers apply from the first month to all three futures.
    fromStart: true,
    async catalogue() { return data.catalogue; },
    async open() { return { id: "offline", world: data.world }; },
    // The future as built, month by month, for the page's baseline ghost.
    baseline() { return data.runs[0].run.futures.map((f) => f.rows); },
    connect(callback) { onState = callback; push(); },
    async send(command, body) {
      const run = commands[command];
      if (!run) throw new Error(`unknown command ${command}`);
      run(body || {});
      const s = snapshot();
      if (onState) onState(s);
      return s;
    },
  };
})();

window.transport = transport;
