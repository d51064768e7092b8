//! The files of `agora sensitivity` and `agora discover`, and the console
//! tables that summarise them.
//!
//! - `sensitivity.csv` (and `sensitivity_over_time.csv` with a `step`
//!   column): long format, one row per output, parameter and index.
//! - `trajectory.csv`: one row per box of each PRIM peeling trajectory.
//! - `boxes.csv`: one row per chosen, pasted box, with quasi-p values.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::folder::Folder;
use super::manifest::{Content, FileRecord, Manifest, Provenance};
use super::table::Table;
use crate::analysis::{BoxStats, CoveringBox, Estimate};
use crate::error::{IoContext, Result};

/// Sensitivity indices of the final outputs.
pub const SENSITIVITY: &str = "sensitivity.csv";
/// Sensitivity indices of each metric at each month (`--over-time`).
pub const SENSITIVITY_OVER_TIME: &str = "sensitivity_over_time.csv";
/// Every box of every PRIM peeling trajectory.
pub const TRAJECTORY: &str = "trajectory.csv";
/// The chosen, pasted PRIM boxes.
pub const BOXES: &str = "boxes.csv";

/// One index of one parameter for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The output (a metric, or a column of an outputs file).
    pub output: String,
    /// The month, for indices over time.
    pub step: Option<u32>,
    /// The parameter path, or `a|b` for a second-order pair.
    pub parameter: String,
    /// `S1`, `ST`, `S2` (Sobol') or `mu_star`, `mu`, `sigma` (Morris).
    pub index: &'static str,
    /// The value with its bootstrap 95% interval.
    pub estimate: Estimate,
}

/// Write `rows` to `path`: `output,[step,]parameter,index,value,lo,hi,interval_contains_zero`.
pub fn write_indices(path: &Path, rows: &[IndexRow], with_step: bool) -> io::Result<()> {
    let mut header = vec!["output"];
    if with_step {
        header.push("step");
    }
    header.extend(["parameter", "index", "value", "lo", "hi", "interval_contains_zero"]);
    let mut t = Table::create(path, &header)?;
    for row in rows {
        t.text(&row.output)?;
        if with_step {
            t.int(u64::from(row.step.unwrap_or(0)))?;
        }
        t.text(&row.parameter)?;
        t.text(row.index)?;
        let e = &row.estimate;
        for x in [e.value, e.lo, e.hi] {
            t.float(x)?;
        }
        t.text(if e.contains_zero() { "true" } else { "false" })?;
        t.end_row()?;
    }
    t.commit()
}

/// One PRIM box as written: which covering box and step it is, its
/// statistics, and its limits with unrestricted inputs shown at the data's
/// minimum and maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxRow {
    /// The covering box (0 for the first).
    pub box_index: usize,
    /// The step of that box's peeling trajectory.
    pub step: usize,
    /// Coverage, density, mass, counts and limits.
    pub stats: BoxStats,
    /// `(lo, hi)` per input as written.
    pub limits: Vec<(f64, f64)>,
    /// Quasi-p value per input (`None` where unrestricted); empty on the trajectory.
    pub quasi_p: Vec<Option<f64>>,
}

/// Write `trajectory.csv` (`with_qp` false) or `boxes.csv` (`with_qp` true:
/// also `points`, `cases` and a `<input>_qp` column per input).
pub fn write_boxes(path: &Path, inputs: &[String], rows: &[BoxRow], with_qp: bool) -> io::Result<()> {
    let mut header: Vec<String> = ["box", "step", "coverage", "density", "mass", "restricted"]
        .map(String::from)
        .to_vec();
    if with_qp {
        header.extend(["points", "cases"].map(String::from));
    }
    for input in inputs {
        header.extend([format!("{input}_lo"), format!("{input}_hi")]);
        if with_qp {
            header.push(format!("{input}_qp"));
        }
    }
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::create(path, &refs)?;
    for row in rows {
        t.int(row.box_index as u64)?;
        t.int(row.step as u64)?;
        let s = &row.stats;
        for x in [s.coverage, s.density, s.mass] {
            t.float(x)?;
        }
        t.int(s.restricted_dims as u64)?;
        if with_qp {
            t.int(s.n as u64)?;
            t.int(s.k as u64)?;
        }
        for (j, &(lo, hi)) in row.limits.iter().enumerate() {
            t.float(lo)?;
            t.float(hi)?;
            if with_qp {
                match row.quasi_p.get(j).copied().flatten() {
                    Some(qp) => t.float(qp)?,
                    None => t.text("")?,
                }
            }
        }
        t.end_row()?;
    }
    t.commit()
}

/// Publish an analysis folder: its manifest, listing `files` and recording
/// what was read (`inputs`) and how (`notes`).
pub fn publish(
    folder: &Folder,
    provenance: Provenance,
    command: &str,
    inputs: Vec<FileRecord>,
    notes: Vec<String>,
    files: &[&str],
) -> Result<()> {
    let content = Content::Analysis {
        command: command.to_string(),
        inputs,
        notes,
    };
    let manifest = Manifest::of_files(folder.path(), provenance, content, files)?;
    folder.publish(&manifest)
}

/// Name the folder in a write failure.
pub fn in_folder<T>(result: io::Result<T>, dir: &Path) -> Result<T> {
    result.context(|| format!("writing results to {}", dir.display()))
}

/// The console table of one output's indices, parameters ranked by `ST`
/// (Sobol') or `mu_star` (Morris), most influential first. An interval
/// that contains 0 is marked `~0`.
pub fn ranked_table(rows: &[IndexRow], output: &str) -> String {
    let mine: Vec<&IndexRow> = rows.iter().filter(|r| r.output == output && r.step.is_none()).collect();
    let sobol = mine.iter().any(|r| r.index == "ST");
    let (rank_by, shown): (&str, &[&str]) = if sobol {
        ("ST", &["S1", "ST"])
    } else {
        ("mu_star", &["mu_star", "mu", "sigma"])
    };
    let mut parameters: Vec<(&str, f64)> = mine
        .iter()
        .filter(|r| r.index == rank_by)
        .map(|r| (r.parameter.as_str(), r.estimate.value))
        .collect();
    parameters.sort_by(|a, b| b.1.total_cmp(&a.1));
    let width = parameters.iter().map(|p| p.0.len()).max().unwrap_or(9).max(9);
    let mut out = format!("{:<width$}", "parameter");
    for index in shown {
        let _ = write!(out, "  {:<26}", format!("{index} [95% CI]"));
    }
    out = out.trim_end().to_string() + "\n";
    for (parameter, _) in &parameters {
        let mut line = format!("{parameter:<width$}");
        for index in shown {
            let cell = mine
                .iter()
                .find(|r| r.parameter == *parameter && r.index == *index)
                .map_or(String::new(), |r| estimate_cell(&r.estimate));
            let _ = write!(line, "  {cell:<26}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for pair in mine.iter().filter(|r| r.index == "S2") {
        let _ = writeln!(out, "{:<width$}  S2 {}", pair.parameter, estimate_cell(&pair.estimate));
    }
    out
}

/// The console text of a PRIM covering: per box, its peeling trajectory
/// (the coverage/density trade-off, the chosen step marked) and the chosen,
/// pasted box with the quasi-p value of each restricted input.
pub fn discovery_text(boxes: &[CoveringBox], chosen: &[BoxRow], inputs: &[String], min_coverage: f64) -> String {
    let mut out = String::new();
    for (found, row) in boxes.iter().zip(chosen) {
        let b = row.box_index;
        let _ = writeln!(
            out,
            "\nbox {b}: peeling trajectory on {} points\n step  coverage  density    mass  restricted",
            found.rows.len()
        );
        let steps = found.trajectory.steps.len();
        // A long trajectory shows its ends and the steps around the chosen one.
        let shown = |step: usize| steps <= 16 || step < 2 || step + 2 >= steps || step.abs_diff(found.chosen) <= 2;
        for (step, s) in found.trajectory.steps.iter().enumerate() {
            if !shown(step) {
                if shown(step - 1) {
                    let _ = writeln!(out, "  ...");
                }
                continue;
            }
            let mark = if step == found.chosen {
                format!("   <- chosen: densest with coverage >= {min_coverage}")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{step:>5}  {:>8.3}  {:>7.3}  {:>6.3}  {:>10}{mark}",
                s.coverage, s.density, s.mass, s.restricted_dims
            );
        }
        if steps > 16 {
            let _ = writeln!(out, "  (all {steps} steps in trajectory.csv)");
        }
        let p = &found.pasted;
        let _ = writeln!(
            out,
            "box {b} (step {}, pasted): coverage {:.3}, density {:.3}, mass {:.3} ({} points, {} cases)",
            found.chosen, p.coverage, p.density, p.mass, p.n, p.k
        );
        let width = inputs.iter().map(String::len).max().unwrap_or(0);
        let mut free = Vec::new();
        for (j, name) in inputs.iter().enumerate() {
            match row.quasi_p.get(j).copied().flatten() {
                Some(qp) => {
                    let (lo, hi) = row.limits[j];
                    let _ = writeln!(out, "  {name:<width$}  {lo:.4} .. {hi:.4}   quasi-p {qp:.2e}");
                }
                None => free.push(name.as_str()),
            }
        }
        if !free.is_empty() {
            let _ = writeln!(out, "  unrestricted: {}", free.join(", "));
        }
    }
    out
}

/// `value [lo, hi]`, with `~0` when the interval contains 0.
fn estimate_cell(e: &Estimate) -> String {
    let zero = if e.contains_zero() { " ~0" } else { "" };
    let f = |x: f64| super::compare_text::meaningful(x, 1.0, 3, false);
    format!("{} [{}, {}]{zero}", f(e.value), f(e.lo), f(e.hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(parameter: &str, index: &'static str, value: f64) -> IndexRow {
        IndexRow {
            output: "y".into(),
            step: None,
            parameter: parameter.into(),
            index,
            estimate: Estimate {
                value,
                lo: value - 0.1,
                hi: value + 0.1,
                se: 0.05,
            },
        }
    }

    #[test]
    fn ranked_table_puts_the_largest_total_index_first() {
        let rows = vec![
            row("a", "S1", 0.1),
            row("a", "ST", 0.2),
            row("b", "S1", 0.5),
            row("b", "ST", 0.7),
        ];
        let table = ranked_table(&rows, "y");
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("parameter") && lines[0].contains("ST [95% CI]"),
            "{table}"
        );
        assert!(lines[1].starts_with('b') && lines[2].starts_with('a'), "{table}");
        assert!(lines[2].contains("0.100 [0.000, 0.200] ~0"), "{table}");
    }
}
