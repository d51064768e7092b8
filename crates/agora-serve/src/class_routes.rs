//! The class mode's routes and its registry of classes.
//!
//! Who may do what: anyone with the page (and, off loopback, the server's
//! token) may open a class and join one by its code; a student acts only
//! on the administration their secret was given for (in their link:
//! `/class?code=CODE&student=SECRET`); advancing, the debrief and the export
//! need the teacher's secret. A wrong secret is 403, an unknown code 404.
//! Limits: [`MAX_CLASSES`] classes, [`crate::class::MAX_STUDENTS`] per class,
//! [`crate::class::MAX_ROUNDS`] rounds (`ClassOptions::from_json`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{Value, json};

use crate::class::{CLASS_IDLE, Class, ClassOptions, MAX_CLASSES};
use crate::debrief;
use crate::{Reply, State, guard, parse, random_hex};

const CLASS_PAGE: &str = include_str!("page/class.html");
const CLASS_JS: &str = include_str!("page/class.js");
const CLASS_CSS: &str = include_str!("page/class.css");

/// The classes a server holds, by code.
#[derive(Default)]
pub(crate) struct Classes {
    map: Mutex<HashMap<String, Arc<Mutex<Class>>>>,
    /// Classes being built (a place reserved under the lock).
    creating: std::sync::atomic::AtomicUsize,
}

impl Classes {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<Mutex<Class>>>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, code: &str) -> Result<Arc<Mutex<Class>>, Reply> {
        let code = code.to_ascii_uppercase();
        self.map().get(&code).cloned().ok_or_else(|| {
            Reply::error(
                404,
                format!(
                    "no class with code {}: check the code on the teacher's screen",
                    code.chars()
                        .take(12)
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                ),
            )
        })
    }
}

fn lock(class: &Mutex<Class>) -> MutexGuard<'_, Class> {
    class.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run rounds whose timer ended; drop idle classes (the clock thread calls it).
pub(crate) fn tick(state: &State) {
    let classes: Vec<Arc<Mutex<Class>>> = state.classes.map().values().cloned().collect();
    for class in classes {
        let mut c = lock(&class);
        if c.deadline.is_some_and(|d| Instant::now() >= d) {
            let _ = c.advance();
        }
    }
    state.classes.map().retain(|_, c| lock(c).used.elapsed() < CLASS_IDLE);
}

/// A class code: six letters and digits that cannot be mistaken for each other.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// `&token=...` for links off loopback (the server's own token).
fn server_token(state: &State) -> String {
    state.access.token().map_or(String::new(), |t| format!("&token={t}"))
}

/// The class routes: `GET /class` (the page), its assets, and `/api/class/...`.
pub(crate) fn route(state: &State, method: &str, url: &str, parts: &[&str], body: &[u8]) -> Reply {
    match (method, parts) {
        ("GET", ["class"]) => Reply::text("text/html", CLASS_PAGE),
        ("GET", ["class.js"]) => Reply::text("text/javascript", CLASS_JS),
        ("GET", ["class.css"]) => Reply::text("text/css", CLASS_CSS),
        ("POST", ["api", "class"]) => parse(body).and_then(|v| create(state, &v)).unwrap_or_else(|r| r),
        ("POST" | "GET", ["api", "class", code, "debrief"]) => match state.classes.get(code) {
            Ok(class) => debrief_of(&class, url, body).unwrap_or_else(|r| r),
            Err(reply) => reply,
        },
        (_, ["api", "class", code, rest @ ..]) => match state.classes.get(code) {
            Ok(class) => {
                let mut c = lock(&class);
                c.used = Instant::now();
                command(state, &mut c, method, url, rest, body).unwrap_or_else(|r| r)
            }
            Err(reply) => reply,
        },
        _ => Reply::error(404, format!("no such class path: /{}", parts.join("/"))),
    }
}

fn create(state: &State, v: &Value) -> Result<Reply, Reply> {
    let options = ClassOptions::from_json(v).map_err(|e| Reply::error(400, e.0))?;
    {
        let map = state.classes.map();
        if map.len() + state.classes.creating.load(Ordering::SeqCst) >= MAX_CLASSES {
            return Err(Reply::error(
                503,
                format!("{MAX_CLASSES} classes are open (the most this server holds): end one or restart the server"),
            ));
        }
        state.classes.creating.fetch_add(1, Ordering::SeqCst);
    }
    let _reserved = crate::Release(&state.classes.creating);
    let code = loop {
        let code = new_code();
        if !state.classes.map().contains_key(&code) {
            break code;
        }
    };
    let teacher = random_hex(16);
    let class = Class::new(code.clone(), teacher.clone(), options).map_err(|e| Reply::error(400, e.0))?;
    state.classes.map().insert(code.clone(), Arc::new(Mutex::new(class)));
    let token = server_token(state);
    Ok(Reply::json(&json!({
        "code": code,
        "teacher": teacher,
        "join": format!("/class?code={code}{token}"),
        "teacher_url": format!("/class?code={code}&teacher={teacher}{token}"),
    })))
}

/// The teacher's secret from the query or the body; 403 unless it is this class's.
fn teacher(c: &Class, url: &str, body: &Value) -> Result<(), Reply> {
    let given = guard::query_value(url, "teacher").or_else(|| body.get("teacher").and_then(Value::as_str));
    if given.is_some_and(|t| guard::same(t, &c.teacher)) {
        Ok(())
    } else {
        Err(Reply::error(
            403,
            "only the teacher can do this: open the teacher's link (it carries the teacher's key)",
        ))
    }
}

/// The administration `id` of a student whose secret is in the query or body; 403 unless theirs.
fn student(c: &Class, id: &str, url: &str, body: &Value) -> Result<usize, Reply> {
    let j = id.parse::<usize>().ok().filter(|&j| j < c.seats.len()).ok_or_else(|| {
        Reply::error(
            404,
            format!(
                "class {} has no administration {}",
                c.code,
                id.chars().take(8).collect::<String>()
            ),
        )
    })?;
    let given = guard::query_value(url, "student").or_else(|| body.get("student").and_then(Value::as_str));
    if given.is_some_and(|t| c.is_student(j, t)) {
        Ok(j)
    } else {
        Err(Reply::error(
            403,
            format!(
                "{} is another player's administration: use your own link (it carries your key)",
                crate::class::admin_name(j)
            ),
        ))
    }
}

/// The debrief, computed without holding the class (its reruns take about a
/// second for 40 students; the students' pages go on meanwhile).
fn debrief_of(class: &Mutex<Class>, url: &str, body: &[u8]) -> Result<Reply, Reply> {
    let inputs = {
        let mut c = lock(class);
        c.used = Instant::now();
        let v = if body.is_empty() { json!({}) } else { parse(body)? };
        teacher(&c, url, &v)?;
        if c.round == 0 {
            return Err(Reply::error(
                409,
                "play a round first: the debrief compares what the class chose",
            ));
        }
        if let Some((round, value)) = &c.debrief
            && *round == c.round
        {
            return Ok(Reply::json(value));
        }
        debrief::Inputs::of(&c)
    };
    let value = debrief::debrief(&inputs);
    let reply = Reply::json(&value);
    let mut c = lock(class);
    if c.round == inputs.round() {
        c.debrief = Some((inputs.round(), value));
    }
    Ok(reply)
}

fn command(state: &State, c: &mut Class, method: &str, url: &str, rest: &[&str], body: &[u8]) -> Result<Reply, Reply> {
    let v = if method == "POST" { parse(body)? } else { json!({}) };
    Ok(match (method, rest) {
        ("GET", []) => Reply::json(&c.status_json()),
        ("POST", ["join"]) => {
            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
            let key = random_hex(12);
            let j = c.join(name, key.clone()).map_err(|e| Reply::error(409, e.0))?;
            let token = server_token(state);
            Reply::json(&json!({
                "admin": j, "student": key,
                "url": format!("/class?code={}&admin={j}&student={key}{token}", c.code),
            }))
        }
        ("GET", ["admin", id]) => Reply::json(&c.student_json(student(c, id, url, &v)?)),
        ("POST", ["admin", id, "choose"]) => {
            let j = student(c, id, url, &v)?;
            let levers = v
                .get("levers")
                .and_then(Value::as_object)
                .ok_or_else(|| Reply::error(400, "choose needs {\"student\": KEY, \"levers\": {PATH: NUMBER}}"))?;
            c.choose(j, levers).map_err(|e| Reply::error(400, e.0))?;
            Reply::json(&c.student_json(j))
        }
        ("GET", ["teacher"]) => {
            teacher(c, url, &v)?;
            let from = guard::query_value(url, "from")
                .and_then(|f| f.parse().ok())
                .unwrap_or(0);
            Reply::json(&c.teacher_json(from))
        }
        ("POST", ["advance"]) => {
            teacher(c, url, &v)?;
            c.advance().map_err(|e| Reply::error(409, e.0))?;
            Reply::json(&c.teacher_json(usize::MAX))
        }
        ("POST", ["export"]) => {
            teacher(c, url, &v)?;
            if c.round == 0 {
                return Err(Reply::error(409, "play a round first: there is nothing to export yet"));
            }
            if c.exported.as_ref().is_none_or(|(r, _)| *r != c.round) {
                let dir = state
                    .options
                    .classes
                    .join(format!("{}-round-{}", c.code.to_ascii_lowercase(), c.round));
                let debrief = c.debrief.as_ref().filter(|(r, _)| *r == c.round).map(|d| &d.1);
                let out = debrief::export(&dir, &c.scenario, debrief).map_err(|e| Reply::error(500, e.to_string()))?;
                c.exported = Some((c.round, out.display().to_string()));
            }
            let path = c.exported.as_ref().expect("written").1.clone();
            Reply::json(&json!({ "results": path, "replay": format!("agora run {}/../class.ron --out results", path) }))
        }
        (_, [name, ..]) if ["join", "advance", "debrief", "export"].contains(name) && method != "POST" => {
            return Err(Reply::error(405, format!("{name} is a POST command")));
        }
        _ => return Err(Reply::error(404, format!("no such class command: {}", rest.join("/")))),
    })
}
