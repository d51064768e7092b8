// The only script that knows how the page reaches its simulation: HTTP
// commands and server-sent events. A WASM build would replace this file
// with one of the same shape, calling `Session` directly.
"use strict";

// A server open to the network prints a join URL with ?token=...; every
// request carries it (a header on commands, the query on the event stream,
// which cannot set headers).
const token = new URLSearchParams(location.search).get("token");

const transport = {
  // Where the runs come from, in the page's words.
  runs: "The simulation runs on the server",
  id: null,
  events: null,

  // The levers, metrics and futures (GET /api/levers).
  async catalogue() {
    return this.request("GET", "/api/levers");
  },

  // Reuse the session named in the address if the server still has it,
  // else create one; returns {id, world}.
  async open() {
    const wanted = new URLSearchParams(location.search).get("session");
    if (wanted) {
      try {
        const world = await this.request("GET", `/api/session/${wanted}/world`);
        this.id = wanted;
        return { id: wanted, world };
      } catch (_) {
        // Expired: start a new one.
      }
    }
    const created = await this.request("POST", "/api/session");
    this.id = created.id;
    const url = new URL(location.href);
    url.searchParams.set("session", created.id);
    history.replaceState(null, "", url);
    return created;
  },

  // Call onState(snapshot) with every state the server sends.
  connect(onState, onError) {
    const query = token ? `?token=${encodeURIComponent(token)}` : "";
    this.events = new EventSource(`/api/session/${this.id}/events${query}`);
    this.events.addEventListener("state", (e) => onState(JSON.parse(e.data)));
    this.events.onerror = () => onError && onError();
  },

  // A command: play, pause, step, reset, set ({lever, value}), intervene ({future}).
  // Resolves to the state after it, rejects with the server's message.
  async send(command, body) {
    return this.request("POST", `/api/session/${this.id}/${command}`, body);
  },

  async request(method, path, body) {
    // Commands are JSON and say so (the server refuses any other body).
    const headers = method === "GET" ? {} : { "Content-Type": "application/json" };
    if (token) headers["X-Agora-Token"] = token;
    const response = await fetch(path, {
      method,
      headers,
      body: method === "GET" ? undefined : JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  },
};

window.transport = transport;
