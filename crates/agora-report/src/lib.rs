//! `agora report DIR`: one self-contained HTML page (inline SVG, no
//! network) from a results folder of `run`, `sweep`, `compare`,
//! `sensitivity`, `discover`, `calibrate` or `validate`; the folder's kind is told by
//! its manifest and its files.
//!
//! Architecture invariant: the page is a pure function of the folder's
//! files, so the report of a folder is byte-identical when made twice.

mod calibration;
pub mod charts;
mod compare;
mod discovery;
mod optimize;
mod run;
mod sensitivity;
mod sweep;
mod validation;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use agora_core::error::{Error, IoContext, Result};
use agora_core::output::analysis::{SENSITIVITY, TRAJECTORY};
use agora_core::output::calibrate::POSTERIOR;
use agora_core::output::manifest::{Content, MANIFEST, Manifest};
use agora_core::output::table::CsvInput;
use agora_core::output::validation::VALIDATION;
use agora_core::output::{Folder, compare::COMPARISON, run::AGGREGATE, sweep::POINTS};

pub use agora_core::output::folder::REPORT;

/// Up to this many points a sweep report draws each sample as a dot; above,
/// bins only (a 2-D histogram), and the page links to `points.csv`.
pub const SWEEP_MAX_DOTS: usize = sweep::MAX_DOTS;

/// (x, p05, mean, p95) of one point of a fan chart.
type Band = (f64, f64, f64, f64);

/// Write `DIR/report.html` for the folder this process holds; returns its
/// path. The folder's manifest is checked first: a report is never drawn
/// from files that are not one complete result.
pub fn write_report(folder: &Folder) -> Result<PathBuf> {
    let dir = folder.path();
    let neither = || {
        Error::Input(format!(
            "{} holds neither the results of `agora run` ({AGGREGATE}) nor of a whole `agora sweep` ({POINTS}), \
             `agora compare` ({COMPARISON}), `agora sensitivity` ({SENSITIVITY}), `agora discover` ({TRAJECTORY}) \
             `agora calibrate` ({POSTERIOR}) or `agora validate` ({VALIDATION})",
            dir.display()
        ))
    };
    let kinds = [
        AGGREGATE,
        POINTS,
        MANIFEST,
        SENSITIVITY,
        TRAJECTORY,
        POSTERIOR,
        VALIDATION,
    ];
    if !kinds.iter().any(|f| dir.join(f).exists()) {
        return Err(neither());
    }
    let manifest = Manifest::verify(dir)?;
    if let Some(file) = manifest.files.iter().find(|f| f.name.ends_with(".parquet")) {
        return Err(Error::Input(format!(
            "{}: holds Parquet tables ({}, made with --format parquet) and a report draws from CSV: \
             query them with DuckDB, pandas or polars, or run again with --format csv for a report",
            dir.display(),
            file.name
        )));
    }
    // From here on, only the files the manifest lists are read.
    let _listed = Listed::set(&manifest);
    let has = |name: &str| manifest.lists(name);
    let html = match &manifest.content {
        Content::Run { .. } if has(AGGREGATE) => run::report(dir),
        Content::Sweep { .. } if has(POINTS) => sweep::report(dir),
        Content::Compare { .. } if has(COMPARISON) => compare::report(dir),
        Content::Analysis { command, .. } if command == "sensitivity" && has(SENSITIVITY) => sensitivity::report(dir),
        Content::Analysis { command, .. } if command == "discover" && has(TRAJECTORY) => discovery::report(dir),
        Content::Analysis { command, .. } if command == "validate" && has(VALIDATION) => validation::report(dir),
        Content::Analysis { command, .. } if command == "optimize" && has("pareto.csv") => optimize::report(dir),
        Content::Calibration { .. } if has(POSTERIOR) => calibration::report(dir),
        _ => return Err(neither()),
    };
    let path = dir.join(REPORT);
    let html = html?;
    agora_core::output::atomic::write_atomic(&path, html.as_bytes()).at(&path)?;
    Ok(path)
}

thread_local! {
    /// The files a report being drawn on this thread may read: those its
    /// verified manifest lists.
    static LISTED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// The list of [`LISTED`] while a report is drawn.
struct Listed;

impl Listed {
    fn set(manifest: &Manifest) -> Listed {
        let names = manifest.files.iter().map(|f| f.name.clone()).collect();
        LISTED.with(|l| *l.borrow_mut() = Some(names));
        Listed
    }
}

impl Drop for Listed {
    fn drop(&mut self) {
        LISTED.with(|l| *l.borrow_mut() = None);
    }
}

/// Open a file of the folder a report is drawn from: only one its manifest
/// lists (or the manifest), never through a symbolic link.
fn open_listed(path: &Path) -> io::Result<std::fs::File> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let listed = LISTED.with(|l| {
        l.borrow()
            .as_ref()
            .is_none_or(|names| name == MANIFEST || names.contains(&name))
    });
    if !listed {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not listed in the folder's {MANIFEST}: not read", path.display()),
        ));
    }
    agora_core::output::atomic::open_existing(path, false)
}

/// A text file of the folder a report is drawn from ([`open_listed`]).
fn read_text(path: &Path) -> Result<String> {
    let mut text = String::new();
    io::Read::read_to_string(&mut open_listed(path).at(path)?, &mut text).at(path)?;
    Ok(text)
}

/// A CSV table of the folder a report is drawn from ([`open_listed`]).
fn read_table(path: &Path) -> Result<CsvInput> {
    CsvInput::read_from(path, open_listed(path).at(path)?)
}

/// The branch month of `scenarios` as (fractional year, "branch YYYY-MM"),
/// when they share one that lies after their start.
fn branch_mark<'a>(mut scenarios: impl Iterator<Item = &'a agora_core::scenario::Scenario>) -> Option<(f64, String)> {
    let first = scenarios.next()?;
    let branch = first.branch.clone();
    if scenarios.any(|s| s.branch != branch) {
        return None;
    }
    first.branch_step().filter(|&s| s > 0)?;
    let month = agora_core::calendar::Month::parse(&branch)?;
    Some((month.as_year(), format!("{} {branch}", charts::BRANCH_LABEL)))
}

fn number(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
/* The visual grammar (docs/visual-grammar.md): text 12 px or more in ink
   or greys of 4.5:1 on white at least. */
body {{ font-family: sans-serif; font-size: 16px; max-width: 1340px; margin: 1em auto; padding: 0 1em; color: #111; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #707070; margin-top: 1.6em; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.chart {{ border: 1px solid #ccc; }}
.chart svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; font-size: 14px; display: block; max-width: 100%; overflow-x: auto; }}
th, td {{ border: 1px solid #707070; padding: 3px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
tr.axis td {{ border-bottom: none; color: #444; }}
details.reproduce {{ margin-top: 2em; border-top: 1px solid #707070; padding-top: 0.5em; }}
details.reproduce summary {{ cursor: pointer; font-weight: bold; }}
pre {{ background: #f4f4f4; border: 1px solid #ccc; padding: 8px; font-size: 13px; white-space: pre-wrap; max-height: 40em; overflow: auto; }}
@media print {{ .chart {{ break-inside: avoid; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"#
    )
}

fn chart(svg: &str) -> String {
    format!("<div class=\"chart\">{svg}</div>\n")
}

/// Files longer than this (bytes) are linked from a report, not copied in.
const MAX_VERBATIM: usize = 256 * 1024;

/// The files that let a reader reproduce the result, verbatim, collapsed
/// at the bottom of the page.
fn appendix(dir: &Path) -> Result<String> {
    let mut out = String::from(
        "<details class=\"reproduce\"><summary>Reproduce: the resolved inputs and the manifest \
         (click to open)</summary>\n",
    );
    for (file, what) in [
        ("sweep.ron", "The resolved sweep"),
        (
            "manifest.ron",
            "Manifest: agora version, command line, seeds and the resolved scenarios",
        ),
    ] {
        let path = dir.join(file);
        if path.exists() {
            let text = read_text(&path)?;
            if text.len() > MAX_VERBATIM {
                // A design of many points: the page stays small and links the file.
                let _ = writeln!(
                    out,
                    "<h3>{what} ({file})</h3>\n<p>{} KiB, too long to show here: open \
                     <a href=\"{file}\">{file}</a> in the results folder.</p>",
                    text.len().div_ceil(1024)
                );
                continue;
            }
            let _ = write!(
                out,
                "<h3>{what} ({file})</h3>\n<pre class=\"manifest\">{}</pre>\n",
                escape(&text)
            );
        }
    }
    out.push_str("</details>\n");
    Ok(out)
}

/// `agora report DIR`: lock the folder, check its manifest, then write `DIR/report.html`.
pub fn report(dir: &Path) -> Result<PathBuf> {
    if !dir.is_dir() {
        return Err(Error::Input(format!("{}: no such results folder", dir.display())));
    }
    let folder = Folder::lock(dir)?;
    write_report(&folder)
}
