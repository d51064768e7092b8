//! `agora serve`: a local web page for a classroom. The three built-in
//! futures run in the server, a [`Session`] per browser tab; the page draws
//! the population and live charts and moves the levers.
//!
//! - `session.rs`: the transport-free [`Session`] (new, set, intervene,
//!   step, reset, snapshot): what a WASM build or a test would call.
//! - this file: the HTTP seam over it (tiny_http; a thread per request, a
//!   clock thread that steps the sessions that play, server-sent events).
//! - `page/`: the page, its script and style, embedded with `include_str!`;
//!   `transport.js` is the only script that knows about HTTP.
//!
//! Architecture invariant: the model runs only here, in Rust; the page
//! draws what a [`Snapshot`] says and sends commands.

mod session;

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use session::{
    Applied, CHARTED, EXPLAIN, FUTURES, FutureState, LEVERS, Lever, Refused, Session, SessionOptions, Snapshot, Which,
    World, base64, metric_list,
};

use agora_core::error::{Error, Result};

const PAGE: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const TRANSPORT_JS: &str = include_str!("page/transport.js");
const STYLE: &str = include_str!("page/style.css");

/// Largest request body read (a command is a few dozen bytes).
const MAX_BODY: u64 = 64 * 1024;
/// Event streams open at once; each holds a thread.
const MAX_STREAMS: usize = 64;
/// Other requests handled at once.
const MAX_REQUESTS: usize = 64;
/// A comment on an idle event stream this often keeps proxies and the
/// browser from closing it, and lets the server notice a closed tab.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// How `agora serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to bind (127.0.0.1: this machine only).
    pub host: String,
    /// The port (0: any free one).
    pub port: u16,
    /// What each session simulates.
    pub session: SessionOptions,
    /// Sessions held at once; a new one beyond it replaces the least recently used idle one.
    pub max_sessions: usize,
    /// A session nobody used for this long is dropped.
    pub idle: Duration,
    /// Time between two months while a session plays.
    pub month: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            host: "127.0.0.1".into(),
            port: 8000,
            session: SessionOptions::default(),
            max_sessions: 16,
            idle: Duration::from_secs(15 * 60),
            month: Duration::from_millis(150),
        }
    }
}

/// A session with what its event streams wait on.
struct Slot {
    live: Mutex<Live>,
    changed: Condvar,
}

struct Live {
    session: Session,
    /// Bumped by every change a page should see.
    version: u64,
    /// Bumped when the rows restart (reset, a restart at January 2012).
    epoch: u64,
    used: Instant,
}

impl Slot {
    /// The session, even if a handler panicked while holding it (its state
    /// is then whatever the last complete command left).
    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct State {
    options: ServeOptions,
    sessions: Mutex<HashMap<String, Arc<Slot>>>,
    streams: AtomicUsize,
    requests: AtomicUsize,
    counter: AtomicU64,
    /// Sessions being built (a place reserved under the sessions lock, so
    /// concurrent creations cannot pass the cap together).
    creating: AtomicUsize,
    levers: String,
}

impl State {
    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self, id: &str) -> Result<Arc<Slot>, Reply> {
        self.sessions().get(id).cloned().ok_or_else(|| {
            Reply::error(
                400,
                format!("unknown session `{id}`: create one with POST /api/session"),
            )
        })
    }
}

/// A bound server, not yet answering.
pub struct Server {
    http: tiny_http::Server,
    state: Arc<State>,
    url: String,
}

impl Server {
    /// Bind `options.host:options.port`.
    pub fn bind(options: ServeOptions) -> Result<Server> {
        let address = format!("{}:{}", options.host, options.port);
        let http = tiny_http::Server::http(&address)
            .map_err(|e| Error::io(format!("listening on {address}"), std::io::Error::other(e.to_string())))?;
        let bound = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::Input(format!("{address} is not an IP address")))?;
        let url = format!("http://{bound}/");
        let state = Arc::new(State {
            levers: levers_json(&options.session).to_string(),
            options,
            sessions: Mutex::new(HashMap::new()),
            streams: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            counter: AtomicU64::new(0),
            creating: AtomicUsize::new(0),
        });
        Ok(Server { http, state, url })
    }

    /// The page's address, `http://HOST:PORT/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answer requests until the process ends.
    pub fn run(self) -> Result<()> {
        let clock = Arc::clone(&self.state);
        std::thread::Builder::new()
            .name("clock".into())
            .spawn(move || tick(&clock))
            .map_err(|e| Error::io("starting the clock thread", e))?;
        loop {
            let request = self.http.recv().map_err(|e| Error::io("accepting a request", e))?;
            let state = Arc::clone(&self.state);
            let busy = state.requests.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS;
            if busy {
                state.requests.fetch_sub(1, Ordering::SeqCst);
                let _ = request.respond(Reply::error(503, "the server is busy: try again").response());
                continue;
            }
            let spawned = std::thread::Builder::new().name("request".into()).spawn(move || {
                let counted = Release(&state.requests);
                handle(&state, request, counted);
            });
            if spawned.is_err() {
                self.state.requests.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// Decrements a counter when dropped (also when its thread unwinds).
struct Release<'a>(&'a AtomicUsize);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Step the sessions that play, one month per tick; drop idle sessions.
fn tick(state: &State) {
    loop {
        let started = Instant::now();
        let slots: Vec<Arc<Slot>> = state.sessions().values().cloned().collect();
        for slot in slots {
            let mut live = slot.lock();
            if live.session.playing() {
                // A step that panicked stops its session, not the clock.
                if catch_unwind(AssertUnwindSafe(|| live.session.step())).is_err() {
                    live.session.play(false);
                }
                live.version += 1;
                slot.changed.notify_all();
            }
        }
        let idle = state.options.idle;
        state.sessions().retain(|_, slot| slot.lock().used.elapsed() < idle);
        std::thread::sleep(state.options.month.saturating_sub(started.elapsed()));
    }
}

/// What a handler answers.
enum Reply {
    Body {
        status: u16,
        kind: &'static str,
        body: String,
    },
    Events(Arc<Slot>),
}

impl Reply {
    fn json(value: &Value) -> Reply {
        Reply::Body {
            status: 200,
            kind: "application/json",
            body: value.to_string(),
        }
    }

    fn text(kind: &'static str, body: &str) -> Reply {
        Reply::Body {
            status: 200,
            kind,
            body: body.to_string(),
        }
    }

    fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::Body {
            status,
            kind: "application/json",
            body: json!({ "error": message.into() }).to_string(),
        }
    }

    fn response(self) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let (status, kind, body) = match self {
            Reply::Body { status, kind, body } => (status, kind, body),
            Reply::Events(_) => (500, "text/plain", "an event stream has no body".to_string()),
        };
        let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).expect("an ASCII header");
        tiny_http::Response::from_string(body)
            .with_status_code(status)
            .with_header(header("Content-Type", &format!("{kind}; charset=utf-8")))
            .with_header(header("Cache-Control", "no-store"))
            .with_header(header("X-Content-Type-Options", "nosniff"))
    }
}

/// Answer one request; `counted` holds its place among [`MAX_REQUESTS`]
/// until it is answered (an event stream then counts among [`MAX_STREAMS`]
/// instead, so open tabs never starve commands).
fn handle(state: &Arc<State>, mut request: tiny_http::Request, counted: Release<'_>) {
    let method = request.method().as_str().to_ascii_uppercase();
    let url = request.url().to_string();
    let mut body = Vec::new();
    let read = request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body);
    let reply = if read.is_err() {
        Reply::error(400, "could not read the request body")
    } else if body.len() as u64 > MAX_BODY {
        Reply::error(413, format!("a request body may have at most {MAX_BODY} bytes"))
    } else {
        catch_unwind(AssertUnwindSafe(|| route(state, &method, &url, &body))).unwrap_or_else(|_| {
            Reply::error(
                500,
                format!("internal error answering {method} {url}; the server goes on"),
            )
        })
    };
    match reply {
        Reply::Events(slot) => {
            drop(counted);
            if state.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
                state.streams.fetch_sub(1, Ordering::SeqCst);
                let _ = request.respond(Reply::error(503, "too many open event streams").response());
                return;
            }
            let _done = Release(&state.streams);
            stream(&slot, request.into_writer());
        }
        reply => {
            let _ = request.respond(reply.response());
        }
    }
}

fn route(state: &State, method: &str, url: &str, body: &[u8]) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match (method, parts.as_slice()) {
        ("GET", []) => Reply::text("text/html", PAGE),
        ("GET", ["app.js"]) => Reply::text("text/javascript", APP_JS),
        ("GET", ["transport.js"]) => Reply::text("text/javascript", TRANSPORT_JS),
        ("GET", ["style.css"]) => Reply::text("text/css", STYLE),
        // Browsers ask for an icon; there is none.
        ("GET", ["favicon.ico"]) => Reply::Body {
            status: 204,
            kind: "image/x-icon",
            body: String::new(),
        },
        ("GET", ["api", "levers"]) => Reply::Body {
            status: 200,
            kind: "application/json",
            body: state.levers.clone(),
        },
        ("POST", ["api", "session"]) => create(state),
        (_, ["api", "session", id, rest @ ..]) => match state.slot(id) {
            Ok(slot) => command(&slot, method, rest, body),
            Err(reply) => reply,
        },
        ("GET", _) | ("POST", _) => Reply::error(404, format!("no such page or API path: {path}")),
        _ => Reply::error(
            405,
            format!("method {method} is not used here: GET pages, POST commands"),
        ),
    }
}

/// A new session, replacing the least recently used one that is idle if the server is full.
fn create(state: &State) -> Reply {
    {
        let mut sessions = state.sessions();
        if sessions.len() + state.creating.load(Ordering::SeqCst) >= state.options.max_sessions {
            let oldest = sessions
                .iter()
                .map(|(id, slot)| (slot.lock().used, id.clone()))
                .min()
                .filter(|(used, _)| used.elapsed() > Duration::from_secs(60));
            match oldest {
                Some((_, id)) => {
                    sessions.remove(&id);
                }
                None => {
                    return Reply::error(
                        503,
                        format!(
                            "{} sessions are in use (the most this server holds): close a tab or try again in a minute",
                            state.options.max_sessions
                        ),
                    );
                }
            }
        }
        state.creating.fetch_add(1, Ordering::SeqCst);
    }
    // The place is given back however the build ends, a panic included.
    struct Reserved<'a>(&'a AtomicUsize);
    impl Drop for Reserved<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let reserved = Reserved(&state.creating);
    let session = match Session::new(state.options.session) {
        Ok(s) => s,
        Err(e) => return Reply::error(500, e.to_string()),
    };
    let world = serde_json::to_value(session.world()).expect("a world serializes");
    let id = new_id(state);
    let slot = Arc::new(Slot {
        live: Mutex::new(Live {
            session,
            version: 0,
            epoch: 0,
            used: Instant::now(),
        }),
        changed: Condvar::new(),
    });
    {
        let mut sessions = state.sessions();
        sessions.insert(id.clone(), slot);
        drop(reserved);
    }
    Reply::json(&json!({ "id": id, "world": world }))
}

/// 64 random bits in hex (the standard library's random hasher keys).
fn new_id(state: &State) -> String {
    let mut h = std::hash::RandomState::new().build_hasher();
    h.write_u64(state.counter.fetch_add(1, Ordering::SeqCst));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("{:016x}", h.finish())
}

/// A command to one session.
fn command(slot: &Arc<Slot>, method: &str, rest: &[&str], body: &[u8]) -> Reply {
    if let ("GET", ["events"]) = (method, rest) {
        slot.lock().used = Instant::now();
        return Reply::Events(Arc::clone(slot));
    }
    let mut live = slot.lock();
    live.used = Instant::now();
    let outcome: Result<(), Reply> = match (method, rest) {
        ("GET", []) => return Reply::json(&to_json(&live.session.snapshot(0), live.epoch)),
        ("GET", ["world"]) => return Reply::json(&serde_json::to_value(live.session.world()).expect("serializes")),
        ("POST", ["play"]) => {
            live.session.play(true);
            Ok(())
        }
        ("POST", ["pause"]) => {
            live.session.play(false);
            Ok(())
        }
        ("POST", ["step"]) => {
            live.session.play(false);
            live.session.step();
            Ok(())
        }
        ("POST", ["reset"]) => {
            live.session.reset();
            live.epoch += 1;
            Ok(())
        }
        ("POST", ["set"]) => parse(body).and_then(|v| {
            let lever = v
                .get("lever")
                .and_then(Value::as_str)
                .ok_or_else(|| Reply::error(400, "set needs {\"lever\": PATH, \"value\": NUMBER}"))?;
            let value = v
                .get("value")
                .and_then(Value::as_f64)
                .ok_or_else(|| Reply::error(400, format!("set {lever}: \"value\" must be a number")))?;
            live.session.set(lever, value).map_err(|e| Reply::error(400, e.0))
        }),
        ("POST", ["intervene"]) => parse(body).and_then(|v| {
            let name = v.get("future").and_then(Value::as_str).unwrap_or("all");
            let which = Which::parse(name).map_err(|e| Reply::error(400, e.0))?;
            let restarts = live.session.month() == 0;
            live.session.intervene(which).map_err(|e| Reply::error(400, e.0))?;
            if restarts {
                live.epoch += 1;
            }
            Ok(())
        }),
        (_, [name]) if ["play", "pause", "step", "reset", "set", "intervene"].contains(name) => {
            Err(Reply::error(405, format!("{name} is a POST command")))
        }
        _ => Err(Reply::error(
            404,
            format!("no such session command: {}", rest.join("/")),
        )),
    };
    match outcome {
        Ok(()) => {
            live.version += 1;
            slot.changed.notify_all();
            let month = live.session.month();
            Reply::json(&to_json(&live.session.snapshot(month), live.epoch))
        }
        Err(reply) => reply,
    }
}

fn parse(body: &[u8]) -> Result<Value, Reply> {
    let text = if body.is_empty() { b"{}" as &[u8] } else { body };
    match serde_json::from_slice::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Reply::error(400, "the request body must be a JSON object")),
        Err(e) => Err(Reply::error(400, format!("malformed JSON in the request body: {e}"))),
    }
}

fn to_json(snapshot: &Snapshot, epoch: u64) -> Value {
    let mut v = serde_json::to_value(snapshot).expect("a snapshot serializes");
    v["epoch"] = json!(epoch);
    v
}

/// Write server-sent events of `slot`'s state until the tab goes away.
fn stream(slot: &Slot, mut out: Box<dyn Write + Send>) {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if out.write_all(head.as_bytes()).and_then(|()| out.flush()).is_err() {
        return;
    }
    let mut seen: Option<(u64, u64, u32)> = None; // version, epoch, month sent
    loop {
        let message = {
            let mut live = slot.lock();
            if let Some((version, _, _)) = seen {
                let (guard, _) = slot
                    .changed
                    .wait_timeout_while(live, KEEP_ALIVE, |l| l.version == version)
                    .unwrap_or_else(|e| e.into_inner());
                live = guard;
            }
            live.used = Instant::now();
            let month = live.session.month();
            match seen {
                Some((version, _, _)) if version == live.version => None,
                _ => {
                    let from = match seen {
                        Some((_, epoch, sent)) if epoch == live.epoch && sent <= month => (sent + 1).min(month),
                        _ => 0,
                    };
                    let state = to_json(&live.session.snapshot(from), live.epoch);
                    seen = Some((live.version, live.epoch, month));
                    Some(state.to_string())
                }
            }
        };
        let text = match message {
            Some(json) => format!("event: state\ndata: {json}\n\n"),
            None => ": keep-alive\n\n".to_string(),
        };
        if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

/// A future's colour in `agora report`'s charts (Okabe-Ito, by class name), as `#rrggbb`.
fn colour(name: &str) -> String {
    let position = agora_core::model::Class::ALL
        .iter()
        .position(|c| c.name() == name)
        .unwrap_or(0);
    let c = agora_report::charts::CLASS_COLOURS[position];
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// What GET /api/levers answers: the levers with their ranges and
/// defaults, the metrics, the futures, the calendar.
fn levers_json(options: &SessionOptions) -> Value {
    let levers: Vec<Value> = LEVERS
        .iter()
        .map(|l| {
            let mut v = serde_json::to_value(l).expect("a lever serializes");
            v["default"] = json!(Session::default_of(l));
            v["allowed"] = json!(Session::allowed(l));
            v
        })
        .collect();
    let scenarios = agora_core::scenario::built_in();
    let futures: Vec<Value> = FUTURES
        .iter()
        .zip(&scenarios)
        .map(|((name, explain), s)| {
            json!({ "name": name, "explain": explain, "description": s.description, "colour": colour(name) })
        })
        .collect();
    json!({
        "levers": levers,
        "metrics": metric_list(),
        "charted": CHARTED,
        "futures": futures,
        "start": scenarios[0].start,
        "citizens": options.citizens,
        "administrations": Session::administrations(options.citizens),
        "steps": scenarios[0].steps,
    })
}
