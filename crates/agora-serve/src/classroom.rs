//! `agora classroom --out DIR`: the classroom page with nothing to install.
//! One self-contained `DIR/index.html` (style, scripts and data inline) that
//! works from `file://` or any static host: the same page code as `agora
//! serve` (`page/app.js`), with `page/static-transport.js` in place of
//! `page/transport.js`, replaying runs computed here with the same
//! [`Session`] the server drives.
//!
//! What is computed: the three futures as built, and for every lever each
//! of its grid positions ([`positions`]: its lowest and highest value, and
//! the middle when the default is at an end) applied from the first month
//! to all three futures, one lever at a time. Against a live `serve`, a
//! teacher loses: applying a lever from a later month, to one future only,
//! at a value between the grid positions, and two levers at once.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use agora_core::error::{Error, IoContext, Result};

use super::{APP_JS, LEVERS, Lever, PAGE, STYLE, Session, SessionOptions, Which};

const STATIC_TRANSPORT_JS: &str = include_str!("page/static-transport.js");

/// How `agora classroom` computes its runs.
#[derive(Debug, Clone)]
pub struct ClassroomOptions {
    /// Citizens per future (fewer than `serve`'s 20,000 keep the file small
    /// and the computation short).
    pub citizens: u32,
    /// A picture of the population every this many months.
    pub frame_months: u32,
    /// Citizens the picture shows.
    pub shown: u32,
}

impl Default for ClassroomOptions {
    fn default() -> Self {
        ClassroomOptions {
            citizens: 5_000,
            frame_months: 12,
            shown: 300,
        }
    }
}

/// The grid positions of a lever besides its default: its lowest and
/// highest value, and the middle of its range when the default is one of
/// those ends.
pub fn positions(lever: &Lever) -> Vec<f64> {
    let default = Session::default_of(lever);
    let snap = |v: f64| ((v - lever.min) / lever.step).round() * lever.step + lever.min;
    let mut out = vec![lever.min, lever.max];
    let at_end = (default - lever.min).abs() < 1e-12 || (default - lever.max).abs() < 1e-12;
    if at_end {
        out.push(snap((lever.min + lever.max) / 2.0));
    }
    out.retain(|v| (v - default).abs() > 1e-12);
    out.sort_by(f64::total_cmp);
    out.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    out
}

/// Round to 5 significant digits for the page (it shows 2 or 3).
fn short(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    let digits = 5 - (v.abs().max(1e-300).log10().floor() as i32) - 1;
    let scale = 10f64.powi(digits.clamp(0, 12));
    json!((v * scale).round() / scale)
}

/// One run of the three futures to the end: metric rows and classes by
/// month, pictures and the levers in force every `frame_months` months
/// (and at the last).
fn record(session: &mut Session, frame_months: u32) -> Value {
    let steps = session.steps();
    let n = super::FUTURES.len();
    let mut rows: Vec<Vec<Value>> = vec![Vec::new(); n];
    let mut classes: Vec<Vec<Value>> = vec![Vec::new(); n];
    let mut frames: Vec<Vec<Value>> = vec![Vec::new(); n];
    loop {
        let month = session.month();
        let snap = session.snapshot(month);
        for (k, f) in snap.futures.iter().enumerate() {
            if let Some(row) = f.rows.first() {
                rows[k].push(Value::Array(row.iter().map(|&v| short(v)).collect()));
            }
            classes[k].push(f.class.map_or(Value::Null, |c| json!(c)));
            if month.is_multiple_of(frame_months) || month == steps {
                frames[k].push(json!({
                    "month": month, "digital": f.digital, "trust": f.trust, "heard": f.heard,
                    "adoption": f.adoption, "flags": f.flags, "levers": f.levers,
                }));
            }
        }
        if !session.step() {
            break;
        }
    }
    let futures: Vec<Value> = (0..n)
        .map(|k| json!({ "rows": rows[k], "classes": classes[k], "frames": frames[k] }))
        .collect();
    json!({ "futures": futures })
}

/// Write `dir/index.html`; returns its path.
pub fn write_classroom(dir: &Path, options: &ClassroomOptions) -> Result<PathBuf> {
    if options.frame_months == 0 {
        return Err(Error::Input("--frame-months must be at least 1".into()));
    }
    let session_options = SessionOptions {
        citizens: options.citizens,
        shown: options.shown,
    };
    let fresh = || Session::new(session_options).map_err(|e| Error::Input(e.to_string()));
    let mut runs = Vec::new();
    let mut base = fresh()?;
    let world = serde_json::to_value(base.world()).map_err(|e| Error::Input(e.to_string()))?;
    runs.push(json!({ "lever": Value::Null, "value": Value::Null, "run": record(&mut base, options.frame_months) }));
    for lever in &LEVERS {
        for value in positions(lever) {
            let mut s = fresh()?;
            s.set(lever.path, value).map_err(|e| Error::Input(e.0))?;
            s.intervene(Which::All).map_err(|e| Error::Input(e.0))?;
            runs.push(json!({ "lever": lever.path, "value": value, "run": record(&mut s, options.frame_months) }));
        }
    }
    let data = json!({
        "catalogue": super::levers_json(&session_options),
        "world": world,
        "runs": runs,
    });
    // Inline JSON: "</" could end the script element early.
    let data = data.to_string().replace("</", "<\\/");
    let html = PAGE
        .replace(
            "<link rel=\"stylesheet\" href=\"/style.css\">",
            &format!("<style>\n{STYLE}</style>"),
        )
        .replace(
            "<script src=\"/transport.js\"></script>",
            &format!(
                "<script type=\"application/json\" id=\"classroom-data\">{data}</script>\n<script>\n{STATIC_TRANSPORT_JS}</script>"
            ),
        )
        .replace("<script src=\"/app.js\"></script>", &format!("<script>\n{APP_JS}</script>"));
    std::fs::create_dir_all(dir).at(dir)?;
    let path = dir.join("index.html");
    agora_core::output::atomic::write_atomic(&path, html.as_bytes()).at(&path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lever_has_a_position_besides_its_default() {
        for l in &LEVERS {
            let p = positions(l);
            assert!(!p.is_empty(), "{}", l.path);
            for v in p {
                assert!(v >= l.min - 1e-12 && v <= l.max + 1e-12, "{}: {v}", l.path);
                assert!((v - Session::default_of(l)).abs() > 1e-12);
            }
        }
    }

    #[test]
    fn short_keeps_five_digits() {
        assert_eq!(short(0.123456789), json!(0.12346));
        assert_eq!(short(1234.5678), json!(1234.6));
        assert_eq!(short(0.0), json!(0.0));
        assert_eq!(short(f64::NAN), Value::Null);
    }
}
