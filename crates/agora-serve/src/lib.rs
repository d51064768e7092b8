//! `agora serve`: a local web page for a classroom. The three built-in
//! futures run in the server, a [`Session`] per browser tab; the page draws
//! the population and live charts and moves the levers.
//!
//! - `session.rs`: the transport-free [`Session`] (new, set, intervene,
//!   step, reset, snapshot): what a WASM build or a test would call.
//! - `guard.rs`: who may drive the server (Host, token, Origin and
//!   Sec-Fetch-Site, content type), pure checks on a request's head.
//! - `net.rs`: HTTP/1.1 on hyper and tokio with the limits built in (head
//!   size, head and body timeouts, a stalled write timeout, connections,
//!   event streams, TCP_NODELAY) and server-sent events.
//! - this file: the routes, the sessions and the clock thread that steps
//!   the sessions that play.
//! - `page/`: the page, its script and style, embedded with `include_str!`;
//!   `transport.js` is the only script that knows about HTTP;
//!   `static-transport.js` replaces it in the offline classroom.
//! - `classroom.rs`: `agora classroom`, the page as one self-contained file
//!   with runs computed in advance.
//! - `class.rs`, `class_views.rs`, `class_routes.rs`, `debrief.rs`, and
//!   `page/class.*`: the class mode (docs/classroom.md): one shared future,
//!   a student per administration, round by round; its debrief and export.
//!
//! Architecture invariant: the model runs only here, in Rust; the page
//! draws what a [`Snapshot`] says and sends commands.
//!
//! SECURITY.md at the repository's root says what the server promises and
//! which tests check each promise.

mod class;
mod class_routes;
mod class_views;
mod classroom;
mod debrief;
mod guard;
mod net;
mod session;

pub use class::{
    CLASS_LEVERS, Class, ClassLever, ClassOptions, MAX_CITIZENS, MAX_CLASSES, MAX_MONTHS, MAX_ROUNDS, MAX_STUDENTS,
};
pub use classroom::{ClassroomOptions, positions, write_classroom};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use session::{
    Applied, CHARTED, EXPLAIN, FUTURES, FutureState, LEVERS, Lever, MAX_APPLIED, Refused, Session, SessionOptions,
    Snapshot, Which, World, base64, metric_list,
};

use agora_core::error::{Error, Result};

const PAGE: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const TRANSPORT_JS: &str = include_str!("page/transport.js");
const STYLE: &str = include_str!("page/style.css");

/// Largest request body read (a command is a few dozen bytes); a larger
/// `Content-Length` is refused before anything is read.
pub const MAX_BODY: usize = 16 * 1024;
/// Largest request head (request line and headers), in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// Event streams open at once.
pub const MAX_STREAMS: usize = 64;
/// Requests being answered at once (beyond: 503).
pub const MAX_REQUESTS: usize = 64;
/// Connections open at once; one beyond is closed at once. Each costs a
/// task and at most a few tens of KiB of buffers; the process's limit on
/// open files is raised to fit them where it is lower (1024 on many Linux
/// systems, 256 on macOS).
pub const MAX_CONNECTIONS: usize = 1024;
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
    /// A request's head or body not arrived in this time is closed (head,
    /// or an idle keep-alive connection) or answered 408 (body); a write
    /// the client does not take in this time closes its connection.
    pub timeout: Duration,
    /// Where a class's export is written (a folder per class and round).
    pub classes: std::path::PathBuf,
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
            timeout: Duration::from_secs(10),
            classes: "agora-classes".into(),
        }
    }
}

/// A session with what its event streams wait on.
struct Slot {
    live: Mutex<Live>,
    /// The session's version, sent after every change a page should see.
    changed: tokio::sync::watch::Sender<u64>,
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

    /// Tell the event streams that `live` changed.
    fn bump(&self, live: &mut Live) {
        live.version += 1;
        self.changed.send_replace(live.version);
    }
}

struct State {
    options: ServeOptions,
    access: guard::Access,
    sessions: Mutex<HashMap<String, Arc<Slot>>>,
    streams: AtomicUsize,
    requests: AtomicUsize,
    /// Sessions being built (a place reserved under the sessions lock, so
    /// concurrent creations cannot pass the cap together).
    creating: AtomicUsize,
    levers: String,
    /// The class mode's classes.
    classes: class_routes::Classes,
}

impl State {
    fn new(options: ServeOptions, access: guard::Access) -> State {
        State {
            levers: levers_json(&options.session).to_string(),
            options,
            access,
            sessions: Mutex::new(HashMap::new()),
            streams: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            creating: AtomicUsize::new(0),
            classes: class_routes::Classes::default(),
        }
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self, id: &str) -> Result<Arc<Slot>, Reply> {
        self.sessions().get(id).cloned().ok_or_else(|| {
            Reply::error(
                400,
                format!(
                    "unknown session `{}`: create one with POST /api/session",
                    id.chars()
                        .take(40)
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                ),
            )
        })
    }
}

/// A bound server, not yet answering.
pub struct Server {
    listener: std::net::TcpListener,
    state: Arc<State>,
    url: String,
    bound: SocketAddr,
}

impl Server {
    /// Bind `options.host:options.port`. Off loopback, the server draws a
    /// random token that every request must carry ([`Server::url`] has it).
    pub fn bind(options: ServeOptions) -> Result<Server> {
        let host = options.host.trim_start_matches('[').trim_end_matches(']');
        let address = if host.contains(':') {
            format!("[{host}]:{}", options.port)
        } else {
            format!("{host}:{}", options.port)
        };
        let listener =
            std::net::TcpListener::bind(&address).map_err(|e| Error::io(format!("listening on {address}"), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Error::io(format!("listening on {address}"), e))?;
        let token = (!bound.ip().is_loopback()).then(|| random_hex(16));
        let access = guard::Access::new(bound, token.clone());
        let url = match &token {
            None => format!("http://{}/", bound),
            Some(token) => {
                // Students type the machine's name or address; 0.0.0.0 is neither.
                let name = if bound.ip().is_unspecified() {
                    match hostname() {
                        name if name.is_empty() => guard::literal(bound.ip()),
                        name => name,
                    }
                } else {
                    guard::literal(bound.ip())
                };
                format!("http://{name}:{}/?token={token}", bound.port())
            }
        };
        Ok(Server {
            listener,
            state: Arc::new(State::new(options, access)),
            url,
            bound,
        })
    }

    /// The page's address, `http://HOST:PORT/` (off loopback the join URL,
    /// with `?token=...`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.bound
    }

    /// Off loopback, who can reach the server, in one line for the terminal.
    pub fn warning(&self) -> Option<String> {
        let ip = self.bound.ip();
        if ip.is_loopback() {
            return None;
        }
        let who = if ip.is_unspecified() {
            "every network this machine is on (the school network, a cafe's Wi-Fi)".to_string()
        } else {
            format!("the network of {ip}")
        };
        Some(format!(
            "warning: agora serve listens on {}: anyone on {who} can connect; only who has the join URL \
             (its token) can use the page, so share it with your class only; --host 127.0.0.1 keeps it to this machine",
            self.bound
        ))
    }

    /// Answer requests until the process ends.
    pub fn run(self) -> Result<()> {
        let clock = Arc::clone(&self.state);
        std::thread::Builder::new()
            .name("clock".into())
            .spawn(move || tick(&clock))
            .map_err(|e| Error::io("starting the clock thread", e))?;
        net::run(self.listener, self.state)
    }
}

/// `n` random bytes from the operating system, in hex.
fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    agora_core::output::manifest::hex(&bytes)
}

/// This machine's name (empty where it cannot be read).
fn hostname() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that.
    if unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0 {
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        return String::from_utf8_lossy(&buffer[..end]).into_owned();
    }
    String::new()
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
                slot.bump(&mut live);
            }
        }
        class_routes::tick(state);
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

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Body { status, body, .. } => write!(f, "{status} {body}"),
            Reply::Events(_) => write!(f, "events"),
        }
    }
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
        (_, ["class" | "class.js" | "class.css"]) | (_, ["api", "class", ..]) => {
            class_routes::route(state, method, url, &parts, body)
        }
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
    let id = random_hex(16);
    let slot = Arc::new(Slot {
        live: Mutex::new(Live {
            session,
            version: 0,
            epoch: 0,
            used: Instant::now(),
        }),
        changed: tokio::sync::watch::Sender::new(0),
    });
    {
        let mut sessions = state.sessions();
        sessions.insert(id.clone(), slot);
        drop(reserved);
    }
    Reply::json(&json!({ "id": id, "world": world }))
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
            slot.bump(&mut live);
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

/// The next state event of `slot` for a stream that has sent `seen`
/// (version, epoch, month), or `None` if nothing changed since. The rows
/// are those the stream has not sent yet (all of them after a restart), so
/// an event's size does not grow with the session's history.
fn next_event(slot: &Slot, seen: &mut Option<(u64, u64, u32)>) -> Option<String> {
    let mut live = slot.lock();
    live.used = Instant::now();
    let month = live.session.month();
    if let Some((version, _, _)) = *seen
        && version == live.version
    {
        return None;
    }
    let from = match *seen {
        Some((_, epoch, sent)) if epoch == live.epoch && sent <= month => (sent + 1).min(month),
        _ => 0,
    };
    let state = to_json(&live.session.snapshot(from), live.epoch);
    *seen = Some((live.version, live.epoch, month));
    Some(state.to_string())
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
        "branch": scenarios[0].branch,
        "citizens": options.citizens,
        "administrations": Session::administrations(options.citizens),
        "steps": scenarios[0].steps,
    })
}

/// The request checks and the router fuzzed without a socket: any method,
/// path, headers and body; nothing panics, every answer is one of the
/// statuses the server uses with a JSON body on the API, and a request the
/// checks refuse never reaches a session. 10^4 cases by default;
/// `PROPTEST_CASES=1000000` for a long local run.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(10_000)
    }

    fn state() -> (State, String) {
        let options = ServeOptions {
            session: SessionOptions {
                citizens: 500,
                shown: 50,
            },
            max_sessions: 1,
            ..ServeOptions::default()
        };
        let access = guard::Access::new("127.0.0.1:8000".parse().unwrap(), None);
        let state = State::new(options, access);
        let Reply::Body { status: 200, body, .. } = route(&state, "POST", "/api/session", b"") else {
            panic!("a session is made");
        };
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        (state, id)
    }

    fn one_of(items: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(items).prop_map(str::to_string)
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => one_of(&["api", "session", "ID", "events", "set", "intervene", "step", "play", "pause", "reset",
                "world", "levers", "app.js", "transport.js", "style.css", "favicon.ico", "..", "%2e%2e", "",
                "class", "class.js", "join", "admin", "0", "choose", "teacher", "advance", "debrief", "export"]),
            1 => "[ -~]{0,12}",
            1 => any::<String>(),
        ]
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            one_of(&[
                "",
                "{}",
                r#"{"lever": "dynamics.training", "value": 0.04}"#,
                r#"{"lever": "dynamics.training", "value": 1e308}"#,
                r#"{"lever": "administrations.pioneer_share", "value": 0.2}"#,
                r#"{"future": "fracture"}"#,
                r#"{"future": "all"}"#,
                r#"{"future": "utopia"}"#,
                "[1,2]",
                "null",
                r#"{"lever": "#,
            ])
            .prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..64),
        ]
    }

    fn maybe(items: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
        prop_oneof![Just(None), one_of(items).prop_map(Some), "[ -~]{0,20}".prop_map(Some)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        #[test]
        fn requests_are_checked_and_routed_without_panic(
            method in prop_oneof![4 => one_of(&["GET", "POST"]), 1 => one_of(&["PUT", "DELETE", "HEAD", "OPTIONS"]), 1 => "[A-Z]{1,8}"],
            segments in prop::collection::vec(segment(), 0..5),
            query in prop_oneof![Just(String::new()), one_of(&["?session=ID", "?token=x", "?a=b&token="]), "\\?[ -~]{0,12}"],
            host in maybe(&["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "evil.example", "127.0.0.1:8001", "localhost"]),
            origin in maybe(&["http://127.0.0.1:8000", "http://evil.example", "null", "https://127.0.0.1:8000"]),
            fetch_site in maybe(&["same-origin", "none", "same-site", "cross-site"]),
            content_type in maybe(&["application/json", "application/json; charset=utf-8", "text/plain", "multipart/form-data"]),
            body in body(),
        ) {
            thread_local! {
                static STATE: (State, String) = state();
            }
            STATE.with(|(state, id)| {
                let path: Vec<String> = segments.iter().map(|s| s.replace("ID", id)).collect();
                let target = format!("/{}{}", path.join("/"), query.replace("ID", id));
                let head = guard::Head {
                    method: &method,
                    target: &target,
                    host: host.as_deref(),
                    origin: origin.as_deref(),
                    fetch_site: fetch_site.as_deref(),
                    content_type: content_type.as_deref(),
                    token: None,
                    cookie: None,
                    has_body: !body.is_empty(),
                };
                let version = || state.sessions().get(id.as_str()).map(|s| s.lock().version);
                let before = version();
                let checked = state.access.check(&head);
                let foreign = origin.as_deref().is_some_and(|o| Some(o.strip_prefix("http://").unwrap_or("-")) != host.as_deref());
                if method == "POST" && foreign {
                    prop_assert!(checked.is_err(), "a POST from {origin:?} to {host:?} passed");
                }
                if checked.is_err() {
                    prop_assert_eq!(version(), before, "a refused request changed the session");
                    return Ok(());
                }
                // Long games end; a fresh session keeps the cases varied.
                if state.sessions().get(id.as_str()).is_some_and(|s| s.lock().session.month() > 60) {
                    state.sessions().get(id.as_str()).unwrap().lock().session.reset();
                }
                match route(state, &method, &target, &body) {
                    Reply::Body { status, kind, body } => {
                        // 403 and 409: a class's keys and its state (the class routes).
                        prop_assert!([200, 204, 400, 403, 404, 405, 409, 503].contains(&status), "{status} {body}");
                        if kind == "application/json" {
                            prop_assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");
                        }
                    }
                    Reply::Events(_) => prop_assert!(method == "GET" && target.contains("/events")),
                }
                Ok(())
            })?;
        }
    }
}
