//! `agora serve`'s class mode over HTTP, as a room of 30 students would use
//! it: join by code, choose levers within the budget, reconnect, try
//! another's administration (403), the teacher advancing; then the class's
//! rounds against `agora run` of the same choices written as targeted
//! interventions, byte for byte.
//!
//! What "byte for byte" compares: the data files of the results folder
//! (aggregate.csv, classes.csv, graphs.csv, summary.csv, timeseries.csv) are
//! identical; manifest.ron and report.html differ only in the manifest's
//! provenance (command line, start time, wall seconds), which the report
//! prints. The rows the teacher's page was sent during the class (JSON,
//! shortest round-trip numbers) equal timeseries.csv's values bit for bit.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::{Csv, agora, run_ok};

struct Served {
    child: Child,
    address: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(classes: &Path) -> Served {
    let mut child = agora()
        .args(["serve", "--port", "0", "--citizens", "500", "--classes"])
        .arg(classes)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("agora serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let address = first
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    Served {
        child,
        address,
        _stdout: stdout,
    }
}

fn call(s: &Served, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, text) = call_text(s, method, path, body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The rows of a teacher's answer as the server wrote them, each number
/// parsed by Rust's correctly rounded `f64` parser (serde_json's default
/// parser may be one unit in the last place off).
fn rows_of(text: &str) -> Vec<Vec<Option<f64>>> {
    let start = text.find("\"rows\":[").expect("rows") + "\"rows\":[".len();
    let end = start + text[start..].find("]]").expect("rows end") + 1;
    text[start..end]
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split("],[")
        .map(|row| {
            row.split(',')
                .map(|x| (x != "null").then(|| x.parse().unwrap()))
                .collect()
        })
        .collect()
}

fn call_text(s: &Served, method: &str, path: &str, body: &Value) -> (u16, String) {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut stream = TcpStream::connect(&s.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.address,
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let text = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, text.to_string())
}

fn ok(s: &Served, method: &str, path: &str, body: Value) -> Value {
    let (status, v) = call(s, method, path, &body);
    assert_eq!(status, 200, "{method} {path}: {v}");
    v
}

/// The pioneer future's levers (what students start with).
const BASELINE: [(&str, f64); 8] = [
    ("dynamics.capacity_per_citizen", 0.12),
    ("dynamics.channel_openness", 0.3),
    ("dynamics.organizational_barrier_scale", 1.0),
    ("dynamics.roi_barrier_scale", 1.0),
    ("dynamics.roi_measurement", 0.3),
    ("dynamics.security_barrier_scale", 1.0),
    ("dynamics.security_investment", 0.0),
    ("dynamics.training", 0.0),
];

/// Student `k`'s choice in round `r` (some students do not choose some rounds).
fn choice(k: usize, r: usize) -> Option<BTreeMap<&'static str, f64>> {
    if (k + r) % 4 == 3 {
        return None;
    }
    let mut c = BTreeMap::new();
    match k % 5 {
        0 => c.insert("dynamics.training", [0.01, 0.02, 0.03][r % 3]),
        1 => c.insert("dynamics.security_investment", [0.3, 0.6, 1.0][r % 3]),
        2 => c.insert("dynamics.roi_measurement", [0.5, 0.8, 1.0][r % 3]),
        3 => c.insert("dynamics.channel_openness", [0.5, 0.7, 0.9][r % 3]),
        _ => c.insert("dynamics.capacity_per_citizen", [0.14, 0.16, 0.18][r % 3]),
    };
    if k.is_multiple_of(3) {
        c.insert("dynamics.roi_barrier_scale", 0.8);
    }
    Some(c)
}

struct Student {
    admin: usize,
    key: String,
}

/// Play a class of 30 students (and 2 administrations the computer plays)
/// over `rounds` rounds; returns (code, teacher, the choices as RON interventions).
fn play(s: &Served, rounds: usize, months: u32, checks: bool) -> (String, String, Vec<String>) {
    let made = ok(
        s,
        "POST",
        "/api/class",
        json!({"scenario": "pioneer", "administrations": 32, "citizens": 4000, "months": months,
               "rounds": rounds, "computer": [30, 31], "budget": 0.6}),
    );
    let code = made["code"].as_str().unwrap().to_string();
    let teacher = made["teacher"].as_str().unwrap().to_string();
    let api = format!("/api/class/{code}");
    let students: Vec<Student> = (0..30)
        .map(|k| {
            let v = ok(
                s,
                "POST",
                &format!("{api}/join"),
                json!({"name": format!("student {k}")}),
            );
            let url = v["url"].as_str().unwrap();
            assert!(
                url.contains(&code) && url.contains(v["student"].as_str().unwrap()),
                "{url}"
            );
            Student {
                admin: v["admin"].as_u64().unwrap() as usize,
                key: v["student"].as_str().unwrap().to_string(),
            }
        })
        .collect();
    let mut admins: Vec<usize> = students.iter().map(|st| st.admin).collect();
    admins.sort_unstable();
    assert_eq!(
        admins,
        (0..30).collect::<Vec<_>>(),
        "one administration each, none of the computer's"
    );
    if checks {
        let (status, v) = call(s, "POST", &format!("{api}/join"), &json!({"name": "one too many"}));
        assert_eq!(status, 409, "{v}");
        // Another's administration, with one's own key: refused, and nothing changes.
        let (a, b) = (&students[5], &students[6]);
        let own = |st: &Student| format!("{api}/admin/{}?student={}", st.admin, st.key);
        let before = ok(s, "GET", &own(b), Value::Null);
        for (method, path, body) in [
            ("GET", format!("{api}/admin/{}?student={}", b.admin, a.key), Value::Null),
            (
                "POST",
                format!("{api}/admin/{}/choose", b.admin),
                json!({"student": a.key, "levers": {"dynamics.training": 0.05}}),
            ),
            ("GET", format!("{api}/admin/30?student={}", a.key), Value::Null),
            ("POST", format!("{api}/advance"), json!({"teacher": a.key})),
            ("POST", format!("{api}/advance"), json!({})),
            ("GET", format!("{api}/teacher?teacher={}", a.key), Value::Null),
        ] {
            let (status, v) = call(s, method, &path, &body);
            assert_eq!(status, 403, "{method} {path}: {v}");
            assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
        assert_eq!(ok(s, "GET", &own(b), Value::Null), before);
        // Another class: the key means nothing there.
        let other = ok(
            s,
            "POST",
            "/api/class",
            json!({"administrations": 6, "citizens": 2000, "rounds": 1}),
        );
        let other = other["code"].as_str().unwrap();
        let (status, _) = call(
            s,
            "GET",
            &format!("/api/class/{other}/admin/{}?student={}", a.admin, a.key),
            &Value::Null,
        );
        assert_eq!(status, 403);
        assert_eq!(call(s, "GET", "/api/class/ZZZZZZ", &Value::Null).0, 404);
        // Over budget, or a lever a student does not hold: 400.
        let over =
            json!({"student": a.key, "levers": {"dynamics.training": 0.05, "dynamics.security_investment": 1.0}});
        let (status, v) = call(s, "POST", &format!("{api}/admin/{}/choose", a.admin), &over);
        assert!(
            status == 400 && v["error"].as_str().unwrap().contains("over budget"),
            "{v}"
        );
        let global = json!({"student": a.key, "levers": {"dynamics.incident_rate": 0.0}});
        assert_eq!(
            call(s, "POST", &format!("{api}/admin/{}/choose", a.admin), &global).0,
            400
        );
    }
    let mut interventions = Vec::new();
    let mut in_force: Vec<BTreeMap<&str, f64>> = vec![BASELINE.into_iter().collect(); 32];
    let branch = 168;
    for r in 0..rounds {
        let mut next = in_force.clone();
        for (k, st) in students.iter().enumerate() {
            if let Some(c) = choice(k, r) {
                let v = ok(
                    s,
                    "POST",
                    &format!("{api}/admin/{}/choose", st.admin),
                    json!({"student": st.key, "levers": c}),
                );
                assert_eq!(v["admin"]["chosen"], true);
                next[st.admin].extend(c);
            }
        }
        if checks && r == 1 {
            // A reload, or a new device with the same link: the same administration, its choice kept.
            let st = &students[12];
            let v = ok(
                s,
                "GET",
                &format!("{api}/admin/{}?student={}", st.admin, st.key),
                Value::Null,
            );
            assert_eq!(v["admin"]["id"].as_u64(), Some(st.admin as u64));
            assert_eq!(v["admin"]["player"], "student 12");
            assert_eq!(v["history"].as_array().unwrap().len(), 1);
        }
        let t = ok(s, "POST", &format!("{api}/advance"), json!({"teacher": teacher}));
        assert_eq!(t["class"]["round"].as_u64(), Some(r as u64 + 1));
        let at = branch + r as u32 * months;
        for j in 0..32 {
            let set: Vec<String> = next[j]
                .iter()
                .filter(|(p, v)| r == 0 || in_force[j].get(*p) != Some(*v))
                .map(|(p, v)| format!("{p:?}: {v:?}"))
                .collect();
            if !set.is_empty() {
                interventions.push(format!("(at: {at}, set: {{{}}}, target: Ids([{j}]))", set.join(", ")));
            }
        }
        in_force = next;
    }
    let (status, v) = call(s, "POST", &format!("{api}/advance"), &json!({"teacher": teacher}));
    assert_eq!(status, 409, "no round after the last: {v}");
    (code, teacher, interventions)
}

/// The class's choices as a scenario the test writes itself, run by `agora run`.
fn agora_run(dir: &Path, code: &str, rounds: usize, months: u32, interventions: &[String]) -> std::path::PathBuf {
    let file = dir.join("choices.ron");
    let text = format!(
        "Scenario(name: \"class-{}\", base: Some(\"pioneer\"), steps: {}, replicates: 1,\n  population: (citizens: 4000, administrations: 32),\n  interventions: [\n    {}\n  ])\n",
        code.to_ascii_lowercase(),
        168 + rounds as u32 * months,
        interventions.join(",\n    ")
    );
    std::fs::write(&file, text).unwrap();
    let out = dir.join("agora-run");
    run_ok(&["run", "--quiet", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    out
}

const DATA_FILES: [&str; 5] = [
    "aggregate.csv",
    "classes.csv",
    "graphs.csv",
    "summary.csv",
    "timeseries.csv",
];

fn same_data(a: &Path, b: &Path) {
    for name in DATA_FILES {
        let (x, y) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn thirty_students_over_http_play_rounds_that_equal_agora_run_of_their_choices() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("classes"));
    let (rounds, months) = (3, 6);
    let (code, teacher, interventions) = play(&s, rounds, months, true);
    // What the teacher's page was sent, round by round.
    let path = format!("/api/class/{code}/teacher?teacher={teacher}&from=0");
    let t = ok(&s, "GET", &path, Value::Null);
    let rows = rows_of(&call_text(&s, "GET", &path, &Value::Null).1);
    let names: Vec<&str> = t["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let out = agora_run(dir.path(), &code, rounds, months, &interventions);
    let csv = Csv::read(out.join("timeseries.csv"));
    assert_eq!(csv.rows.len(), rows.len());
    for (row, sent) in csv.rows.iter().zip(rows) {
        for (k, name) in names.iter().enumerate() {
            let cell = &row[*name];
            let expected = if cell.is_empty() {
                None
            } else {
                Some(cell.parse::<f64>().unwrap().to_bits())
            };
            let got = sent[k].map(f64::to_bits);
            assert_eq!(got, expected, "step {}: {name}", row["step"]);
        }
    }
    // The export is the same run.
    let e = export(&s, &code, &teacher);
    let results = Path::new(e["results"].as_str().unwrap());
    same_data(results, &out);
}

#[test]
fn a_class_of_30_students_over_10_rounds_exports_what_agora_run_computes() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("classes"));
    let (rounds, months) = (10, 6);
    let (code, teacher, interventions) = play(&s, rounds, months, false);
    let d = ok(
        &s,
        "POST",
        &format!("/api/class/{code}/debrief"),
        json!({"teacher": teacher}),
    );
    // The debrief names the choices that moved the class's future, largest first.
    let effects = d["effects"].as_array().unwrap();
    assert_eq!(effects.len(), 30);
    let top = &effects[0];
    assert!(top["moved"].as_f64().unwrap() > 0.0, "{top}");
    assert!(!top["choices"].as_array().unwrap().is_empty(), "{top}");
    assert!(top["player"].as_str().unwrap().starts_with("student "));
    let moved: Vec<f64> = effects.iter().map(|e| e["moved"].as_f64().unwrap()).collect();
    assert!(moved.windows(2).all(|w| w[0] >= w[1]), "{moved:?}");
    assert_eq!(d["futures"].as_array().unwrap().len(), 3);
    let e = export(&s, &code, &teacher);
    let results = Path::new(e["results"].as_str().unwrap());
    let out = agora_run(dir.path(), &code, rounds, months, &interventions);
    same_data(results, &out);
    // And the export's own scenario file replays it.
    let replay = dir.path().join("replay");
    let ron = results.parent().unwrap().join("class.ron");
    run_ok(&[
        "run",
        "--quiet",
        ron.to_str().unwrap(),
        "--out",
        replay.to_str().unwrap(),
    ]);
    same_data(results, &replay);
    run_ok(&["verify", results.to_str().unwrap()]);
    run_ok(&["report", results.to_str().unwrap()]);
    assert!(results.join("report.html").exists());
    assert!(results.parent().unwrap().join("debrief.json").exists());
}

#[test]
fn the_class_page_and_its_assets_name_no_outside_address() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    for path in ["/class", "/class.js", "/class.css"] {
        let mut stream = TcpStream::connect(&s.address).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", s.address).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        assert!(
            text.starts_with("HTTP/1.0 200") || text.starts_with("HTTP/1.1 200"),
            "{path}"
        );
        for outside in ["http:", "https:", "//cdn", "@import", "ws://", "wss://", "innerHTML"] {
            assert!(!text.contains(outside), "{path} names {outside}");
        }
    }
    // Class limits: rounds, students and classes.
    let (status, v) = call(&s, "POST", "/api/class", &json!({"rounds": 41}));
    assert!(status == 400 && v["error"].as_str().unwrap().contains("rounds"), "{v}");
    assert_eq!(call(&s, "POST", "/api/class", &json!({"administrations": 61})).0, 400);
    for _ in 0..4 {
        ok(
            &s,
            "POST",
            "/api/class",
            json!({"administrations": 6, "citizens": 600, "rounds": 1}),
        );
    }
    let (status, v) = call(
        &s,
        "POST",
        "/api/class",
        &json!({"administrations": 6, "citizens": 600}),
    );
    assert_eq!(status, 503, "{v}");
}

#[test]
fn a_round_runs_by_itself_when_its_timer_ends() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path());
    let made = ok(
        &s,
        "POST",
        "/api/class",
        json!({"administrations": 6, "citizens": 1200, "rounds": 2, "seconds": 1}),
    );
    let code = made["code"].as_str().unwrap();
    let status = ok(&s, "GET", &format!("/api/class/{code}"), Value::Null);
    assert_eq!(status["round"], 0);
    assert!(status["seconds_left"].as_u64().is_some_and(|s| s <= 1), "{status}");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let status = ok(&s, "GET", &format!("/api/class/{code}"), Value::Null);
        if status["finished"] == true {
            assert_eq!(status["round"], 2);
            assert!(
                status["seconds_left"].is_null(),
                "no timer after the last round: {status}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the timer did not run the rounds: {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The teacher exports the session; the answer names the results folder.
fn export(s: &Served, code: &str, teacher: &str) -> Value {
    ok(
        s,
        "POST",
        &format!("/api/class/{code}/export"),
        json!({"teacher": teacher}),
    )
}
