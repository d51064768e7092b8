//! `agora serve` without a browser: the page, the levers, sessions, bad
//! requests and the event stream, over plain TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::agora;

/// A running `agora serve --port 0`, ended when dropped.
struct Served {
    child: Child,
    address: String,
    /// Held open: the server may print more.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let mut child = agora()
        .args(["serve", "--port", "0", "--citizens", "2000", "--month-ms", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("agora serve starts");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let url = first.trim();
    let address = url
        .strip_prefix("http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the first line is not the page's address: {first:?}"))
        .to_string();
    assert!(
        address.starts_with("127.0.0.1:"),
        "bound to 127.0.0.1 by default: {url}"
    );
    Served {
        child,
        address,
        _stdout: stdout,
    }
}

/// Status and body of one request (HTTP/1.0: the body is not chunked).
fn request(s: &Served, method: &str, path: &str, body: &str) -> (u16, String) {
    request_to(&s.address, method, path, body)
}

fn request_to(address: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn json(s: &Served, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, text) = request(s, method, path, body);
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", &text[..text.len().min(300)]));
    (status, value)
}

fn session(s: &Served) -> String {
    let (status, v) = json(s, "POST", "/api/session", "");
    assert_eq!(status, 200, "{v}");
    assert!(!v["world"]["citizens"].as_array().unwrap().is_empty());
    v["id"].as_str().unwrap().to_string()
}

fn month(s: &Served, id: &str) -> u64 {
    let (status, v) = json(s, "GET", &format!("/api/session/{id}"), "");
    assert_eq!(status, 200, "{v}");
    v["month"].as_u64().unwrap()
}

#[test]
fn the_page_and_its_assets_name_no_outside_address() {
    let s = serve();
    let (status, page) = request(&s, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(page.contains("<canvas") && page.contains("/app.js"), "{page}");
    for path in ["/", "/app.js", "/transport.js", "/style.css"] {
        let (status, text) = request(&s, "GET", path, "");
        assert_eq!(status, 200, "{path}");
        for outside in ["http:", "https:", "//cdn", "@import", "ws://", "wss://"] {
            assert!(!text.contains(outside), "{path} names {outside}");
        }
    }
    // Every src and href is a path on this server.
    for attribute in page.split(['"', '\'']).collect::<Vec<_>>().windows(2) {
        if attribute[0].ends_with("src=") || attribute[0].ends_with("href=") {
            assert!(attribute[1].starts_with('/'), "{}", attribute[1]);
        }
    }
    assert_eq!(request(&s, "GET", "/nowhere", "").0, 404);
}

#[test]
fn levers_come_with_ranges_defaults_and_explanations() {
    let s = serve();
    let (status, v) = json(&s, "GET", "/api/levers", "");
    assert_eq!(status, 200);
    let levers = v["levers"].as_array().unwrap();
    let paths: Vec<&str> = levers.iter().map(|l| l["path"].as_str().unwrap()).collect();
    for path in [
        "dynamics.digital_imitation",
        "dynamics.roi_barrier_scale",
        "dynamics.security_barrier_scale",
        "dynamics.organizational_barrier_scale",
        "dynamics.citizen_pressure",
        "administrations.pioneer_share",
        "dynamics.training",
        "dynamics.security_investment",
    ] {
        assert!(paths.contains(&path), "{path} missing: {paths:?}");
    }
    for l in levers {
        assert!(l["min"].as_f64().unwrap() <= l["default"].as_f64().unwrap(), "{l}");
        assert!(l["default"].as_f64().unwrap() <= l["max"].as_f64().unwrap(), "{l}");
        assert!(l["explanation"].as_str().unwrap().len() > 20, "{l}");
    }
    let training = levers.iter().find(|l| l["path"] == "dynamics.training").unwrap();
    assert_eq!(training["allowed"], "0 ..= 1");
    let futures: Vec<&str> = v["futures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(futures, ["fracture", "participation", "pioneer"]);
    let trust = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "trust")
        .unwrap();
    assert_eq!(trust["label"], "Trust in the administration");
    assert!(trust["explain"].as_str().is_some());
}

#[test]
fn a_step_advances_one_month_in_all_three_futures() {
    let s = serve();
    let id = session(&s);
    assert_eq!(month(&s, &id), 0);
    let (status, v) = json(&s, "POST", &format!("/api/session/{id}/step"), "");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["month"], 1);
    assert_eq!(v["date"], "2012-02");
    for future in v["futures"].as_array().unwrap() {
        let rows = future["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "the new month's row");
        assert_eq!(rows[0].as_array().unwrap().len(), agora_core::model::N_METRICS);
    }
    let (_, reset) = json(&s, "POST", &format!("/api/session/{id}/reset"), "");
    assert_eq!(reset["month"], 0);
}

#[test]
fn bad_requests_get_400_with_a_clear_message() {
    let s = serve();
    let id = session(&s);
    let set = format!("/api/session/{id}/set");
    let (status, v) = json(&s, "POST", &set, r#"{"lever": "dynamics.training", "value": 2}"#);
    assert_eq!(status, 400);
    let message = v["error"].as_str().unwrap();
    assert!(
        message.contains("dynamics.training") && message.contains("0 ..= 1"),
        "{message}"
    );
    let (status, v) = json(&s, "POST", &set, r#"{"lever": "dynamics.nothing", "value": 0.1}"#);
    assert_eq!(status, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("unknown lever `dynamics.nothing`"),
        "{v}"
    );
    let (status, v) = json(&s, "POST", &set, r#"{"lever": "#);
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("malformed JSON"), "{v}");
    let (status, v) = json(&s, "POST", &set, r#"{"lever": "dynamics.training", "value": "high"}"#);
    assert_eq!(status, 400, "{v}");
    let (status, v) = json(&s, "POST", "/api/session/0123456789abcdef/step", "");
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("unknown session"), "{v}");
    let (status, v) = json(
        &s,
        "POST",
        &format!("/api/session/{id}/intervene"),
        r#"{"future": "utopia"}"#,
    );
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("unknown future `utopia`"), "{v}");
    assert_eq!(request(&s, "POST", &format!("/api/session/{id}/fly"), "").0, 404);
    // A valid lever applied from now is in force in the future it was applied to only.
    assert_eq!(json(&s, "POST", &format!("/api/session/{id}/step"), "").0, 200);
    let (status, _) = json(&s, "POST", &set, r#"{"lever": "dynamics.training", "value": 0.04}"#);
    assert_eq!(status, 200);
    let (status, v) = json(
        &s,
        "POST",
        &format!("/api/session/{id}/intervene"),
        r#"{"future": "fracture"}"#,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["futures"][0]["levers"]["dynamics.training"], 0.04);
    assert_eq!(v["futures"][2]["levers"]["dynamics.training"], 0.0);
    assert_eq!(v["applied"][0]["month"], 1);
    // The server is still there.
    assert_eq!(month(&s, &id), 1);
}

#[test]
fn two_sessions_are_independent() {
    let s = serve();
    let (a, b) = (session(&s), session(&s));
    assert_ne!(a, b);
    for _ in 0..3 {
        assert_eq!(json(&s, "POST", &format!("/api/session/{a}/step"), "").0, 200);
    }
    assert_eq!((month(&s, &a), month(&s, &b)), (3, 0));
}

#[test]
fn the_event_stream_delivers_states_as_the_session_plays() {
    let s = serve();
    let id = session(&s);
    let mut stream = TcpStream::connect(&s.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "GET /api/session/{id}/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        s.address
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut next_state = || -> Value {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
            if let Some(data) = line.strip_prefix("data: ") {
                return serde_json::from_str(data).unwrap();
            }
        }
    };
    let first = next_state();
    assert_eq!((first["month"].as_u64(), first["from"].as_u64()), (Some(0), Some(0)));
    assert_eq!(first["futures"][0]["rows"].as_array().unwrap().len(), 1);
    assert_eq!(json(&s, "POST", &format!("/api/session/{id}/play"), "").0, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut months = Vec::new();
    while months.len() < 5 && Instant::now() < deadline {
        let state = next_state();
        months.push(state["month"].as_u64().unwrap());
    }
    assert!(months.windows(2).all(|w| w[0] <= w[1]), "{months:?}");
    assert!(*months.last().unwrap() >= 3, "playing advances the months: {months:?}");
    assert_eq!(json(&s, "POST", &format!("/api/session/{id}/pause"), "").0, 200);
}

#[test]
fn sessions_are_bounded() {
    use agora_serve::{ServeOptions, Server, SessionOptions};
    let server = Server::bind(ServeOptions {
        port: 0,
        max_sessions: 2,
        session: SessionOptions {
            citizens: 500,
            shown: 100,
        },
        ..ServeOptions::default()
    })
    .unwrap();
    let address = server
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    std::thread::spawn(move || server.run());
    for _ in 0..2 {
        assert_eq!(request_to(&address, "POST", "/api/session", "").0, 200);
    }
    // Both are in use (not idle for a minute): a third is refused, not made.
    let (status, body) = request_to(&address, "POST", "/api/session", "");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("2 sessions are in use"), "{body}");
}

/// `agora classroom`: one self-contained page, the same page code as
/// `serve` with the offline transport, every lever's grid positions
/// computed, the same bytes when written twice.
#[test]
fn the_offline_classroom_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("class");
    let o = out.to_str().unwrap();
    super::run_ok(&["classroom", "--out", o, "--citizens", "300"]);
    let html = super::read(out.join("index.html"));
    assert!(
        !html.contains("<link") && !html.contains("src=\"") && !html.contains("href=\""),
        "nothing fetched"
    );
    assert!(
        !html.contains("EventSource") && !html.contains("fetch("),
        "no server transport"
    );
    assert!(html.contains("const page = {"), "the page code of serve");
    let data = html
        .split("<script type=\"application/json\" id=\"classroom-data\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("the runs inline");
    let data: Value = serde_json::from_str(&data.replace("<\\/", "</")).unwrap();
    let positions: usize = agora_serve::LEVERS
        .iter()
        .map(|l| agora_serve::positions(l).len())
        .sum();
    let runs = data["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        1 + positions,
        "the futures as built and each lever's positions"
    );
    let steps = data["catalogue"]["steps"].as_u64().unwrap() as usize;
    for run in runs {
        for f in run["run"]["futures"].as_array().unwrap() {
            assert_eq!(f["rows"].as_array().unwrap().len(), steps + 1);
            // No class before a year after the branch (2026-01 is month 168).
            assert!(f["classes"][168].is_null() && !f["classes"][steps].is_null());
        }
    }
    super::run_ok(&["classroom", "--out", o, "--citizens", "300"]);
    assert_eq!(
        html,
        super::read(out.join("index.html")),
        "the same bytes when written twice"
    );
    let bad = agora()
        .args(["classroom", "--out", o, "--citizens", "5"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "too few citizens is bad usage");
}
