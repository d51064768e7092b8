//! The attack suite of SECURITY.md: each promise tried as an attacker
//! would, against a real `agora serve` process on 127.0.0.1 and against
//! results folders with planted links and forged manifests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{agora, read, run_ok};

/// A running `agora serve`, killed when dropped.
struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// The first line printed: the page's address (the join URL off loopback).
    url: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_on(host: &str) -> Served {
    let mut child = agora()
        .args([
            "serve",
            "--host",
            host,
            "--port",
            "0",
            "--citizens",
            "1000",
            "--month-ms",
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora serve starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    let port = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port in the first line: {url:?}"));
    let (send, stderr) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    Served {
        child,
        address: format!("127.0.0.1:{port}"),
        url,
        stderr,
    }
}

fn serve() -> Served {
    serve_on("127.0.0.1")
}

/// Status, headers and body of one request written verbatim (`{A}` in
/// `head` becomes the server's address); the connection is closed after.
fn raw(s: &Served, head: &str, body: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&s.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = head.replace("{A}", &s.address);
    let _ = stream.write_all(format!("{head}\r\nConnection: close\r\n\r\n{body}").as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (headers, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, headers.to_ascii_lowercase(), body.to_string())
}

fn post(s: &Served, path: &str, extra: &str, body: &str) -> (u16, String) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {{A}}\r\nContent-Type: application/json\r\nContent-Length: {}{extra}",
        body.len()
    );
    let (status, _, body) = raw(s, &head, body);
    (status, body)
}

fn get(s: &Served, path: &str) -> (u16, String) {
    let (status, _, body) = raw(s, &format!("GET {path} HTTP/1.1\r\nHost: {{A}}"), "");
    (status, body)
}

fn session(s: &Served) -> String {
    let (status, body) = post(s, "/api/session", "", "");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn month(s: &Served, id: &str) -> u64 {
    let (status, body) = get(s, &format!("/api/session/{id}"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["month"].as_u64().unwrap()
}

/// `GET /` answers 200 within 2 seconds.
fn page_answers_quickly(s: &Served) {
    let started = Instant::now();
    let (status, _) = get(s, "/");
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "GET / took {took:?}");
}

#[test]
fn a_huge_content_length_is_refused_before_it_is_read() {
    let s = serve();
    for path in ["/api/session", "/api/levers", "/"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {{A}}\r\nContent-Type: application/json\r\nContent-Length: 99999999999"
        );
        let (status, _, body) = raw(&s, &head, "{}");
        assert_eq!(status, 413, "{path}: {body}");
    }
    page_answers_quickly(&s);
    assert!(s.child.id() > 0 && get(&s, "/api/levers").0 == 200, "the server lives");
}

#[test]
fn a_huge_header_is_refused_and_the_server_goes_on() {
    let s = serve();
    let padding = "a".repeat(2 << 20);
    let (status, _, _) = raw(
        &s,
        &format!("GET / HTTP/1.1\r\nHost: {{A}}\r\nX-Padding: {padding}"),
        "",
    );
    // 431, or the connection closed while the head was still being sent.
    assert!(status == 431 || status == 0, "{status}");
    let many: String = (0..200).map(|i| format!("\r\nX-{i}: 1")).collect();
    let (status, _, _) = raw(&s, &format!("GET / HTTP/1.1\r\nHost: {{A}}{many}"), "");
    assert!(status == 431 || status == 0, "{status}");
    page_answers_quickly(&s);
}

#[test]
fn unfinished_bodies_neither_block_others_nor_stay_open() {
    let s = serve();
    let id = session(&s);
    let mut held = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(&s.address).unwrap();
        write!(
            stream,
            "POST /api/session/{id}/set HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"lever\":",
            s.address
        )
        .unwrap();
        held.push(stream);
    }
    let opened = Instant::now();
    // A normal request is answered at once.
    let started = Instant::now();
    assert_eq!(get(&s, "/api/levers").0, 200);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "a normal request took {took:?}");
    page_answers_quickly(&s);
    // The server closes each unfinished request (408) within 15 seconds.
    for mut stream in held {
        let left = Duration::from_secs(15).saturating_sub(opened.elapsed());
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut response = Vec::new();
        let closed = stream.read_to_end(&mut response);
        assert!(closed.is_ok(), "still open after 15 s: {closed:?}");
        let text = String::from_utf8_lossy(&response);
        assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    assert!(opened.elapsed() < Duration::from_secs(15));
    // The unfinished commands changed nothing.
    let (_, body) = get(&s, &format!("/api/session/{id}"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["pending"].as_object().unwrap().is_empty(), "{v}");
}

#[test]
fn six_hundred_idle_connections_do_not_lock_others_out() {
    let s = serve();
    let mut held = Vec::new();
    for k in 0..600 {
        let mut stream = TcpStream::connect(&s.address).unwrap();
        // Half send a partial head, half a head and a partial body.
        if k % 2 == 0 {
            write!(stream, "GET / HTTP/1.1\r\nHost: {}\r\n", s.address).unwrap();
        } else {
            write!(
                stream,
                "POST /api/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{{",
                s.address
            )
            .unwrap();
        }
        held.push(stream);
    }
    let started = Instant::now();
    assert_eq!(get(&s, "/api/levers").0, 200);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "a normal request took {took:?}");
    page_answers_quickly(&s);
}

#[test]
fn a_foreign_host_is_refused() {
    let s = serve();
    for host in ["evil.example", "evil.example:80", "attacker.localhost.evil.example:1"] {
        let (status, _, body) = raw(&s, &format!("GET / HTTP/1.1\r\nHost: {host}"), "");
        assert!((400..500).contains(&status), "{host}: {status} {body}");
        let (status, _, _) = raw(
            &s,
            &format!("POST /api/session HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0"),
            "",
        );
        assert!((400..500).contains(&status), "{host}: {status}");
    }
    let port = s.address.rsplit_once(':').unwrap().1;
    let (status, _, _) = raw(&s, &format!("GET / HTTP/1.1\r\nHost: evil.example:{port}"), "");
    assert_eq!(status, 403);
    let (status, _, _) = raw(&s, "GET / HTTP/1.0", "");
    assert_eq!(status, 400, "no Host at all");
    assert_eq!(raw(&s, &format!("GET / HTTP/1.1\r\nHost: localhost:{port}"), "").0, 200);
}

#[test]
fn a_cross_site_post_is_refused_and_changes_nothing() {
    let s = serve();
    let id = session(&s);
    let step = format!("/api/session/{id}/step");
    for extra in [
        "\r\nOrigin: http://evil.example",
        "\r\nOrigin: null",
        "\r\nSec-Fetch-Site: cross-site",
        "\r\nSec-Fetch-Site: same-site",
    ] {
        let (status, body) = post(&s, &step, extra, "{}");
        assert_eq!(status, 403, "{extra}: {body}");
    }
    // A form or a text/plain fetch, which need no preflight, cannot send JSON.
    for kind in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let head = format!("POST {step} HTTP/1.1\r\nHost: {{A}}\r\nContent-Type: {kind}\r\nContent-Length: 2");
        let (status, _, body) = raw(&s, &head, "{}");
        assert_eq!(status, 415, "{kind}: {body}");
    }
    let set = format!("/api/session/{id}/set");
    let (status, _) = post(
        &s,
        &set,
        "\r\nOrigin: http://evil.example",
        r#"{"lever": "dynamics.training", "value": 0.04}"#,
    );
    assert_eq!(status, 403);
    assert_eq!(month(&s, &id), 0, "nothing changed");
    let (_, body) = get(&s, &format!("/api/session/{id}"));
    assert!(
        serde_json::from_str::<Value>(&body).unwrap()["pending"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    // The page's own origin may.
    let origin = format!("\r\nOrigin: http://{}\r\nSec-Fetch-Site: same-origin", s.address);
    assert_eq!(post(&s, &step, &origin, "{}").0, 200);
    assert_eq!(month(&s, &id), 1);
}

#[test]
fn off_loopback_every_request_needs_the_join_token() {
    let s = serve_on("0.0.0.0");
    let token = s
        .url
        .split_once("?token=")
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| panic!("no token in the join URL: {}", s.url));
    assert_eq!(token.len(), 32, "128 bits in hex: {token}");
    let warning = s.stderr.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        warning.starts_with("warning:") && warning.contains("0.0.0.0") && warning.contains("anyone"),
        "{warning}"
    );
    // The token with its first digit changed (a token that starts with 0 gets a 1).
    let wrong = format!("{}{}", if token.starts_with('0') { '1' } else { '0' }, &token[1..]);
    for path in ["/", "/app.js", "/api/levers"] {
        assert_eq!(get(&s, path).0, 403, "{path} without the token");
        assert_eq!(get(&s, &format!("{path}?token={wrong}")).0, 403, "{path}, wrong token");
    }
    assert_eq!(post(&s, "/api/session", "", "").0, 403);
    // The join URL opens the page and gives it the cookie; the header and the cookie work too.
    let (status, headers, _) = raw(&s, &format!("GET /?token={token} HTTP/1.1\r\nHost: {{A}}"), "");
    assert_eq!(status, 200);
    assert!(
        headers.contains(&format!("set-cookie: agora_token={token}")) && headers.contains("samesite=strict"),
        "{headers}"
    );
    assert_eq!(
        raw(
            &s,
            &format!("GET /app.js HTTP/1.1\r\nHost: {{A}}\r\nCookie: agora_token={token}"),
            ""
        )
        .0,
        200
    );
    let (status, body) = post(&s, "/api/session", &format!("\r\nX-Agora-Token: {token}"), "");
    assert_eq!(status, 200, "{body}");
    // Still: a foreign name is refused even with the token.
    let (status, _, _) = raw(&s, &format!("GET /?token={token} HTTP/1.1\r\nHost: evil.example"), "");
    assert_eq!(status, 403);
}

#[test]
fn sessions_are_isolated_by_unguessable_ids() {
    let s = serve();
    let (a, b) = (session(&s), session(&s));
    for id in [&a, &b] {
        assert_eq!(id.len(), 32, "128 bits: {id}");
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(a, b);
    for _ in 0..2 {
        assert_eq!(post(&s, &format!("/api/session/{a}/step"), "", "").0, 200);
    }
    assert_eq!((month(&s, &a), month(&s, &b)), (2, 0));
    // A neighbouring or shortened id names no session.
    let near = format!("{}{}", &a[..31], if a.ends_with('0') { '1' } else { '0' });
    for id in [near.as_str(), &a[..16], "0123456789abcdef"] {
        let (status, body) = post(&s, &format!("/api/session/{id}/step"), "", "");
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("unknown session"), "{body}");
    }
}

/// The first `data:` line of `id`'s event stream.
fn first_event(s: &Served, id: &str) -> String {
    let mut stream = TcpStream::connect(&s.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "GET /api/session/{id}/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        s.address
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        if let Some(data) = line.strip_prefix("data: ") {
            return data.trim_end().to_string();
        }
    }
}

#[test]
fn an_event_carries_the_current_state_not_the_whole_history() {
    let s = serve();
    let id = session(&s);
    let set = format!("/api/session/{id}/set");
    let intervene = format!("/api/session/{id}/intervene");
    let fresh = first_event(&s, &id).len();
    for k in 0..120 {
        assert_eq!(post(&s, &format!("/api/session/{id}/step"), "", "").0, 200);
        let value = format!(r#"{{"lever": "dynamics.training", "value": 0.0{}}}"#, k % 9 + 1);
        assert_eq!(post(&s, &set, "", &value).0, 200);
        assert_eq!(post(&s, &intervene, "", r#"{"future": "all"}"#).0, 200);
    }
    let event = first_event(&s, &id);
    let state: Value = serde_json::from_str(&event).unwrap();
    let applied = state["applied"].as_array().unwrap();
    assert_eq!(applied.len(), 64, "the latest changes only");
    assert_eq!(applied.last().unwrap()["month"], 120);
    // 120 months of rows and 64 changes: bounded by the calendar, not the history.
    assert!(event.len() < 400_000, "{} bytes (fresh: {fresh})", event.len());
}

#[test]
fn a_keep_alive_request_takes_under_15_ms() {
    let s = serve();
    let id = session(&s);
    let mut stream = TcpStream::connect(&s.address).unwrap();
    stream.set_nodelay(true).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut times = Vec::new();
    for k in 0..100 {
        let (method, path) = if k % 2 == 0 {
            ("GET", format!("/api/session/{id}/world"))
        } else {
            ("GET", "/api/levers".to_string())
        };
        let started = Instant::now();
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {}\r\n\r\n", s.address).unwrap();
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!("keep-alive request: median {median:?}, max {:?}", times.last().unwrap());
    assert!(median < Duration::from_millis(15), "median {median:?}");
}

// Results folders.

const SMALL: &[&str] = &[
    "--replicates",
    "1",
    "--steps",
    "13",
    "--set",
    "population.citizens=500",
    "--quiet",
];

fn run_into(out: &Path) -> std::process::Output {
    let mut args = vec!["run", "--out", out.to_str().unwrap()];
    args.extend(SMALL);
    agora().args(&args).output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_planted_symlink_is_refused_and_the_outside_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("precious.txt");
    for planted in [
        ".agora.lock",
        ".timeseries.csv.partial",
        ".manifest.ron.partial",
        "summary.csv",
    ] {
        std::fs::write(&outside, "precious\n").unwrap();
        let out = dir.path().join(format!("out-{}", planted.trim_start_matches('.')));
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&outside, out.join(planted)).unwrap();
        let result = run_into(&out);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{planted}: {stderr}");
        assert!(stderr.contains("symbolic link") && stderr.contains(planted), "{stderr}");
        assert_eq!(read(&outside), "precious\n", "{planted}");
        assert!(!out.join("manifest.ron").exists());
    }
    // A hard link as the lock: refused too (writing it would write the outside file).
    std::fs::write(&outside, "precious\n").unwrap();
    let out = dir.path().join("out-hard");
    std::fs::create_dir(&out).unwrap();
    std::fs::hard_link(&outside, out.join(".agora.lock")).unwrap();
    let result = run_into(&out);
    assert_eq!(
        result.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(read(&outside), "precious\n");
    // A symbolic link to a folder's file: verify and report refuse to read through it.
    let out = dir.path().join("good");
    assert!(run_into(&out).status.success());
    let aggregate = out.join("aggregate.csv");
    std::fs::rename(&aggregate, dir.path().join("aggregate.csv")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("aggregate.csv"), &aggregate).unwrap();
    let verified = agora().args(["verify", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(verified.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verified.stderr).contains("symbolic link"));
}

#[test]
fn a_forged_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    assert!(run_into(&out).status.success());
    let manifest = read(out.join("manifest.ron"));
    std::fs::write(dir.path().join("outside.csv"), "a\n1\n").unwrap();
    let first = manifest.find("FileRecord(").unwrap();
    let files_start = manifest[..first].rfind('[').unwrap();
    let files_end = manifest.rfind(']').unwrap();
    let files = &manifest[files_start + 1..files_end];
    let record = |name: &str, body: &[u8]| {
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "FileRecord(name: \"{name}\", bytes: {}, sha256: \"{hash}\"),",
            body.len()
        )
    };
    let outside = record("../outside.csv", b"a\n1\n");
    let duplicate = files[..files.find("),").unwrap() + 2].to_string();
    let cases = [
        ("no files", String::new(), "lists no files"),
        ("a parent path", format!("{files}{outside}"), "a path"),
        (
            "a parent name",
            format!("{files}{}", record("..", b"")),
            "a name with `..`",
        ),
        (
            "a hidden name",
            format!("{files}{}", record(".agora.lock", b"")),
            "a hidden name",
        ),
        (
            "an absolute path",
            format!("{files}{}", record("/etc/hostname", b"")),
            "a path",
        ),
        ("a sub-path", format!("{files}{}", record("sub/x.csv", b"")), "a path"),
        ("a duplicate", format!("{files}{duplicate}"), "twice"),
    ];
    for (what, list, expected) in cases {
        let forged = format!("{}{list}{}", &manifest[..=files_start], &manifest[files_end..]);
        std::fs::write(out.join("manifest.ron"), &forged).unwrap();
        let verified = agora().args(["verify", out.to_str().unwrap()]).output().unwrap();
        let stderr = String::from_utf8_lossy(&verified.stderr);
        assert_eq!(verified.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        let report = agora().args(["report", out.to_str().unwrap()]).output().unwrap();
        assert!(!report.status.success(), "{what}: report drew a forged folder");
    }
    // A manifest that leaves out a file the report reads: verify passes and
    // names it; report refuses to read it.
    let classes = files.find("\"classes.csv\"").expect("classes.csv is listed");
    let start = files[..classes].rfind("FileRecord(").unwrap();
    let end = start + files[start..].find("),").unwrap() + 2;
    let without = format!("{}{}", &files[..start], &files[end..]);
    let forged = format!("{}{without}{}", &manifest[..=files_start], &manifest[files_end..]);
    std::fs::write(out.join("manifest.ron"), &forged).unwrap();
    let verified = run_ok(&["verify", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&verified.stderr);
    assert!(
        stderr.contains("not listed") && stderr.contains("classes.csv"),
        "{stderr}"
    );
    let report = agora().args(["report", out.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(!report.status.success(), "the report read an unlisted file");
    assert!(
        stderr.contains("classes.csv") && stderr.contains("not listed"),
        "{stderr}"
    );
    // The real manifest back: all is well again.
    std::fs::write(out.join("manifest.ron"), &manifest).unwrap();
    run_ok(&["report", out.to_str().unwrap()]);
}
