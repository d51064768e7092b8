//! `agora sensitivity`: Sobol' or Morris indices of a sweep whose design is
//! `Sobol(...)` or `Morris(...)`, read back from its folder.
//!
//! The design comes from the folder's `sweep.ron` (method, size, ranges and,
//! for Morris, the unit-hypercube rows); the outputs from its `points.csv`
//! (the outcome of a point is the mean over its replicates of each final
//! metric), its `timeseries.csv` (`--over-time`: the same mean at every
//! month), or any CSV with a `point` column (`--outputs`).

use std::path::{Path, PathBuf};

use super::Observer;
use crate::analysis::{AnalysisError, Estimate, morris_analyze, sobol_indices};
use crate::error::{Error, Result};
use crate::model::METRICS;
use crate::output::analysis::{self, IndexRow, SENSITIVITY, SENSITIVITY_OVER_TIME};
use crate::output::manifest::{Content, FileRecord, input_record};
use crate::output::sweep::{POINTS, RECORD, SERIES, read_record};
use crate::output::table::CsvInput;
use crate::output::{Folder, Manifest, Stopwatch};
use crate::sweep::{SensitivityDesign, Shard, Sweep};

/// What `agora sensitivity` is asked to do.
#[derive(Debug, Clone)]
pub struct SensitivityOptions {
    /// The sweep folder (or `--design-only` folder) whose design is analysed.
    pub dir: PathBuf,
    /// A CSV with a `point` column and numeric outputs, instead of the
    /// folder's own results.
    pub outputs: Option<PathBuf>,
    /// Which outputs: metric names (or, with `outputs`, column names);
    /// empty: every metric (every numeric column).
    pub metrics: Vec<String>,
    /// Bootstrap resamples for the 95% intervals.
    pub bootstrap: usize,
    /// Seed of the bootstrap; `None`: the sweep's seed.
    pub seed: Option<u64>,
    /// Also compute the indices of every metric at every month.
    pub over_time: bool,
    /// The output folder; `None`: `DIR/sensitivity`.
    pub out: Option<PathBuf>,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        SensitivityOptions {
            dir: PathBuf::new(),
            outputs: None,
            metrics: Vec::new(),
            bootstrap: 1000,
            seed: None,
            over_time: false,
            out: None,
        }
    }
}

/// What a finished `agora sensitivity` reports.
#[derive(Debug, Clone)]
pub struct SensitivityOutcome {
    /// `Sobol` or `Morris`.
    pub method: &'static str,
    /// The parameter paths, in design order.
    pub parameters: Vec<String>,
    /// The outputs analysed, in order.
    pub outputs: Vec<String>,
    /// The indices of the final outputs, as in `sensitivity.csv`.
    pub indices: Vec<IndexRow>,
    /// Rows of `sensitivity_over_time.csv` (0 without `--over-time`).
    pub over_time_rows: usize,
    /// What the outcome of a point is, in words.
    pub outcome: String,
    /// The folder written.
    pub out: PathBuf,
}

/// A Sobol' index is a share of variance, in [0, 1]; an estimate outside
/// that range beyond its whole bootstrap interval is estimation error.
/// One warning per such index, with its likely cause and the remedy.
pub fn out_of_range(indices: &[IndexRow], design: &SensitivityDesign) -> Vec<String> {
    let SensitivityDesign::Sobol { samples, .. } = design else {
        return Vec::new();
    };
    // Rounding noise of an index that is 0 or 1 exactly is not a finding.
    const TOLERANCE: f64 = 1e-6;
    indices
        .iter()
        .filter(|r| matches!(r.index, "S1" | "ST" | "S2"))
        .filter_map(|r| {
            let e = &r.estimate;
            let side = if e.hi < -TOLERANCE {
                "below 0"
            } else if e.lo > 1.0 + TOLERANCE {
                "above 1"
            } else {
                return None;
            };
            Some(format!(
                "{} of `{}` for {} is {:.3} [{:.3}, {:.3}], {side} beyond its 95% interval, though an index is a \
                 share of variance in [0, 1]: likely too few samples ({samples} base samples) for the Saltelli \
                 estimators, or replicate noise the point means do not average out; double `samples` in the \
                 sweep file (or raise `replicates`) and run it again",
                r.index, r.parameter, r.output, e.value, e.lo, e.hi
            ))
        })
        .collect()
}

/// The outputs of every design point for one output (and month).
struct Outcome {
    output: String,
    step: Option<u32>,
    values: Vec<f64>,
}

/// Analyse the folder's design and write `sensitivity.csv`.
pub fn sensitivity(options: &SensitivityOptions, observer: &dyn Observer) -> Result<SensitivityOutcome> {
    let clock = Stopwatch::start(crate::runner::threads(None));
    let (sweep, design, ran) = open_design(&options.dir)?;
    let (finals, over_time, outcome, read) = read_outcomes(options, &sweep, ran)?;
    let seed = options.seed.unwrap_or(sweep.seed);
    let analyse = |outcomes: &[Outcome]| -> Result<Vec<IndexRow>> {
        let mut rows = Vec::new();
        for o in outcomes {
            rows.extend(indices_of(&design, &sweep.axes, o, options.bootstrap, seed)?);
        }
        Ok(rows)
    };
    // An output that is the same at every point has no variance to
    // apportion: its indices are undefined, not 0, so it is left out (and said so).
    let varying = |outcomes: Vec<Outcome>, what: &str| -> Vec<Outcome> {
        let (kept, constant): (Vec<Outcome>, Vec<Outcome>) = outcomes
            .into_iter()
            .partition(|o| o.values.iter().any(|&v| v != o.values[0]));
        let mut names: Vec<&str> = constant.iter().map(|o| o.output.as_str()).collect();
        names.dedup();
        if !names.is_empty() {
            observer.warn(&format!(
                "{} {what} the same at every design point: no index (undefined, not 0)",
                names.join(", "),
            ));
        }
        kept
    };
    let finals = varying(finals, "is");
    let over_time = varying(over_time, "is, in some months,");
    let indices = analyse(&finals)?;
    let timed = analyse(&over_time)?;
    if let Some(w) = sweep.warnings().first() {
        observer.warn(w);
    }
    for warning in out_of_range(&indices, &design) {
        observer.warn(&warning);
    }
    let out = options.out.clone().unwrap_or_else(|| options.dir.join("sensitivity"));
    super::distinct_output(&out, &[&options.dir])?;
    let folder = Folder::lock(&out)?;
    folder.retract()?;
    analysis::in_folder(
        analysis::write_indices(&folder.join(SENSITIVITY), &indices, false),
        &out,
    )?;
    let mut files = vec![SENSITIVITY];
    if options.over_time {
        let path = folder.join(SENSITIVITY_OVER_TIME);
        analysis::in_folder(analysis::write_indices(&path, &timed, true), &out)?;
        files.push(SENSITIVITY_OVER_TIME);
    }
    let notes = vec![
        format!("method: {} over {}", design.method(), sweep.axes.join(", ")),
        format!("outcome: {outcome}"),
        format!(
            "intervals: bootstrap 95% percentile, {} resamples, seed {seed}",
            options.bootstrap
        ),
    ];
    analysis::publish(&folder, clock.provenance(), "sensitivity", read, notes, &files)?;
    Ok(SensitivityOutcome {
        method: design.method(),
        parameters: sweep.axes.clone(),
        outputs: finals.iter().map(|o| o.output.clone()).collect(),
        indices,
        over_time_rows: timed.len(),
        outcome,
        out,
    })
}

/// The sweep of a verified folder, its Sobol' or Morris design, and
/// whether its runs are there (not a `--design-only` folder).
fn open_design(dir: &Path) -> Result<(Sweep, SensitivityDesign, bool)> {
    if !dir.is_dir() {
        return Err(Error::Input(format!("{}: no such sweep folder", dir.display())));
    }
    let manifest = Manifest::verify(dir)?;
    let ran = match manifest.content {
        Content::Sweep { .. } => true,
        Content::Design { .. } => false,
        _ => {
            return Err(Error::Input(format!(
                "{}: not a sweep folder (its manifest is of another command)",
                dir.display()
            )));
        }
    };
    let record = read_record(dir)?;
    if record.shard != Shard::WHOLE {
        return Err(Error::Input(format!(
            "{}: holds shard {}/{} only; merge the shards first (agora merge)",
            dir.display(),
            record.shard.index,
            record.shard.count
        )));
    }
    let sweep = record.sweep;
    let Some(design) = sweep.design.clone() else {
        return Err(Error::Input(format!(
            "{}: sweep {} has a Grid or LatinHypercube design; sensitivity needs Sobol(samples: N, ranges: {{...}}) \
             or Morris(trajectories: R, levels: P, ranges: {{...}})",
            dir.join(RECORD).display(),
            sweep.name
        )));
    };
    if design.points() != sweep.points.len() {
        return Err(Error::Input(format!(
            "{}: its {} design has {} points but the sweep lists {}: the file does not fit its sweep",
            dir.join(RECORD).display(),
            design.method(),
            design.points(),
            sweep.points.len()
        )));
    }
    Ok((sweep, design, ran))
}

/// Final outcomes, outcomes per month (with `--over-time`), what an
/// outcome is, and the files they were read from.
type Outcomes = (Vec<Outcome>, Vec<Outcome>, String, Vec<FileRecord>);

fn read_outcomes(options: &SensitivityOptions, sweep: &Sweep, ran: bool) -> Result<Outcomes> {
    let dir = &options.dir;
    let mut read = vec![input_record(&dir.join(RECORD))?];
    if let Some(file) = &options.outputs {
        let table = CsvInput::read(file)?;
        read.push(input_record(file)?);
        let (finals, timed) = outcomes_from_file(&table, sweep, &options.metrics, options.over_time)?;
        let outcome = format!("the columns of {} as given, per point", file.display());
        return Ok((finals, timed, outcome, read));
    }
    if !ran {
        return Err(Error::Input(format!(
            "{}: holds the design of sweep {} only (made with --design-only): run the sweep, \
             or give the outputs of its points with --outputs FILE.csv",
            dir.display(),
            sweep.name
        )));
    }
    let metrics = select_metrics(&options.metrics)?;
    let points = CsvInput::read(&dir.join(POINTS))?;
    let finals = outcomes_from_points(&points, &metrics)?;
    read.push(input_record(&dir.join(POINTS))?);
    let mut timed = Vec::new();
    if options.over_time {
        if !sweep.series {
            return Err(Error::Input(format!(
                "--over-time needs the monthly series of every run, and {} holds final values only: \
                 add `series: true` to the sweep file and run it again",
                dir.display()
            )));
        }
        let parquet = dir.join(crate::output::Format::Parquet.rename(SERIES));
        if !dir.join(SERIES).exists() && parquet.exists() {
            return Err(Error::Input(format!(
                "--over-time reads {SERIES}, and {} holds {} (made with --format parquet): \
                 run the sweep again with --format csv",
                dir.display(),
                parquet.display()
            )));
        }
        let series = CsvInput::read(&dir.join(SERIES))?;
        timed = outcomes_from_series(&series, sweep, &metrics)?;
        read.push(input_record(&dir.join(SERIES))?);
    }
    let outcome = format!(
        "the mean over the point's {} replicates of each metric's final value{}",
        sweep.replicates,
        if options.over_time {
            " (over time: of its value at each month)"
        } else {
            ""
        }
    );
    Ok((finals, timed, outcome, read))
}

/// The metrics named (all when none is), each checked against the metric table.
fn select_metrics(names: &[String]) -> Result<Vec<&'static str>> {
    if names.is_empty() {
        return Ok(METRICS.iter().map(|m| m.name).collect());
    }
    names
        .iter()
        .map(|name| match crate::model::metrics::metric(name) {
            Some(m) => Ok(m.name),
            None => Err(Error::Input(
                match crate::scenario::suggest::did_you_mean(name, METRICS.iter().map(|m| m.name)) {
                    Some(near) => format!("--metrics: unknown metric `{name}`; did you mean `{near}`?"),
                    None => format!(
                        "--metrics: unknown metric `{name}`; the metrics are {}",
                        METRICS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
                    ),
                },
            )),
        })
        .collect()
}

/// Per metric, the `<metric>_mean` column of `points.csv` (one row per point, in order).
/// A metric undefined at some point (no runs had it: a flow with nothing to
/// count) has no index there and is left out.
fn outcomes_from_points(points: &CsvInput, metrics: &[&str]) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for m in metrics {
        let values = points.numbers_or_undefined(points.column(&format!("{m}_mean"))?)?;
        if values.iter().all(|x| x.is_finite()) {
            outcomes.push(Outcome {
                output: m.to_string(),
                step: None,
                values,
            });
        }
    }
    Ok(outcomes)
}

/// Per metric and month, the mean over replicates at each point, from a
/// sweep's `timeseries.csv`; months run to the last one every point has.
fn outcomes_from_series(series: &CsvInput, sweep: &Sweep, metrics: &[&str]) -> Result<Vec<Outcome>> {
    let n = sweep.points.len();
    let (point, step) = (
        series.numbers(series.column("point")?)?,
        series.numbers(series.column("step")?)?,
    );
    let last = step.iter().fold(0.0f64, |a, &b| a.max(b)) as usize;
    let columns: Vec<Vec<f64>> = metrics
        .iter()
        .map(|m| series.numbers_or_undefined(series.column(m)?))
        .collect::<Result<_>>()?;
    // sums[m][t][p] and defined[m][t][p] over the replicates where the metric
    // is defined; counts[t][p] over all rows.
    let mut sums = vec![vec![vec![0.0; n]; last + 1]; metrics.len()];
    let mut defined = vec![vec![vec![0u32; n]; last + 1]; metrics.len()];
    let mut counts = vec![vec![0u32; n]; last + 1];
    for r in 0..point.len() {
        let (p, t) = (point[r] as usize, step[r] as usize);
        if p >= n {
            return Err(Error::Input(format!(
                "{}:{}: point {p} is not in the sweep (points 0..{n})",
                series.path.display(),
                series.line(r)
            )));
        }
        counts[t][p] += 1;
        for (m, column) in columns.iter().enumerate() {
            if column[r].is_finite() {
                sums[m][t][p] += column[r];
                defined[m][t][p] += 1;
            }
        }
    }
    let common = counts.iter().take_while(|c| c.iter().all(|&k| k > 0)).count();
    let mut outcomes = Vec::new();
    for (m, name) in metrics.iter().enumerate() {
        // A month where the metric is undefined at some point (a flow at step 0) has no index.
        for t in (0..common).filter(|&t| defined[m][t].iter().all(|&k| k > 0)) {
            let values = (0..n).map(|p| sums[m][t][p] / f64::from(defined[m][t][p])).collect();
            outcomes.push(Outcome {
                output: name.to_string(),
                step: Some(t as u32),
                values,
            });
        }
    }
    Ok(outcomes)
}

/// Outcomes from a CSV with a `point` column: every numeric column but
/// `point`, `step` and the swept paths (or those `names` asks for). Columns
/// named like a swept path must hold the sweep's values. With `over_time`,
/// rows are grouped by their `step` column.
fn outcomes_from_file(
    table: &CsvInput,
    sweep: &Sweep,
    names: &[String],
    over_time: bool,
) -> Result<(Vec<Outcome>, Vec<Outcome>)> {
    let point_col = table.column("point")?;
    check_axes(table, sweep)?;
    let step_col = table.find("step");
    if over_time && step_col.is_none() {
        return Err(Error::Input(format!(
            "{}: --over-time needs a `step` column (one row per point and month)",
            table.path.display()
        )));
    }
    let outputs: Vec<(&str, Vec<f64>)> = output_columns(table, sweep, names)?
        .into_iter()
        .map(|(name, j)| Ok((name, table.numbers(j)?)))
        .collect::<Result<_>>()?;
    let points = point_numbers(table, point_col)?;
    let steps: Vec<Option<u32>> = match (over_time, step_col) {
        (true, Some(j)) => table.numbers(j)?.into_iter().map(|s| Some(s as u32)).collect(),
        _ => vec![None; points.len()],
    };
    let mut distinct: Vec<Option<u32>> = steps.clone();
    distinct.sort();
    distinct.dedup();
    let mut timed = Vec::new();
    for &step in &distinct {
        let rows: Vec<usize> = (0..points.len()).filter(|&r| steps[r] == step).collect();
        let order = point_order(table, &points, &rows, sweep, step_col.is_some() && !over_time)?;
        for (name, column) in &outputs {
            timed.push(Outcome {
                output: name.to_string(),
                step,
                values: order.iter().map(|&r| column[r]).collect(),
            });
        }
    }
    if !over_time {
        return Ok((timed, Vec::new()));
    }
    // The final outcomes are those of the last month.
    let last = distinct.last().copied().flatten();
    let finals = timed
        .iter()
        .filter(|o| o.step == last)
        .map(|o| Outcome {
            output: o.output.clone(),
            step: None,
            values: o.values.clone(),
        })
        .collect();
    Ok((finals, timed))
}

/// The output columns of an outputs file: those `names` asks for, or every
/// numeric one but `point`, `step` and the swept paths.
fn output_columns<'a>(table: &'a CsvInput, sweep: &Sweep, names: &'a [String]) -> Result<Vec<(&'a str, usize)>> {
    let reserved = |h: &str| h == "point" || h == "step" || sweep.axes.iter().any(|a| a == h);
    let outputs: Vec<(&str, usize)> = if names.is_empty() {
        (0..table.header.len())
            .filter(|&j| !reserved(&table.header[j]) && table.is_numeric(j))
            .map(|j| (table.header[j].as_str(), j))
            .collect()
    } else {
        names
            .iter()
            .map(|n| Ok((n.as_str(), table.column(n)?)))
            .collect::<Result<_>>()?
    };
    if outputs.is_empty() {
        return Err(Error::Input(format!(
            "{}: no numeric output column besides `point`, `step` and the swept paths",
            table.path.display()
        )));
    }
    Ok(outputs)
}

/// The `point` column as whole numbers.
fn point_numbers(table: &CsvInput, j: usize) -> Result<Vec<usize>> {
    let numbers = table.numbers(j)?;
    numbers
        .iter()
        .enumerate()
        .map(|(r, &x)| {
            if x >= 0.0 && x.fract() == 0.0 {
                Ok(x as usize)
            } else {
                Err(Error::Input(format!(
                    "{}:{}: point `{x}` is not a point number",
                    table.path.display(),
                    table.line(r)
                )))
            }
        })
        .collect()
}

/// The row of each design point among `rows`, in point order: every point
/// once, none outside the design.
fn point_order(
    table: &CsvInput,
    points: &[usize],
    rows: &[usize],
    sweep: &Sweep,
    has_step: bool,
) -> Result<Vec<usize>> {
    let n = sweep.points.len();
    let file = table.path.display();
    let mut order: Vec<Option<usize>> = vec![None; n];
    for &r in rows {
        let p = points[r];
        if p >= n {
            return Err(Error::Input(format!(
                "{file}:{}: point {p} is not in the design (points 0..{}): the file does not fit this sweep",
                table.line(r),
                n - 1
            )));
        }
        if let Some(first) = order[p] {
            let hint = if has_step {
                " (the file has a `step` column: add --over-time)"
            } else {
                ""
            };
            return Err(Error::Input(format!(
                "{file}: point {p} appears twice (lines {} and {}){hint}",
                table.line(first),
                table.line(r)
            )));
        }
        order[p] = Some(r);
    }
    let missing: Vec<usize> = (0..n).filter(|&p| order[p].is_none()).collect();
    if !missing.is_empty() {
        let method = sweep.design.as_ref().map_or("", |d| d.method());
        let shown: Vec<String> = missing.iter().take(8).map(|p| p.to_string()).collect();
        return Err(Error::Input(format!(
            "{file}: has {} of the {n} points the {method} design needs (missing {}{})",
            n - missing.len(),
            shown.join(", "),
            if missing.len() > 8 { ", ..." } else { "" }
        )));
    }
    Ok(order.into_iter().flatten().collect())
}

/// Columns of an outputs file named like a swept path must hold the
/// sweep's value of that path at each row's point.
fn check_axes(table: &CsvInput, sweep: &Sweep) -> Result<()> {
    let points = point_numbers(table, table.column("point")?)?;
    for (a, axis) in sweep.axes.iter().enumerate() {
        let Some(j) = table.find(axis) else { continue };
        let values = table.numbers(j)?;
        for (r, (&p, &x)) in points.iter().zip(&values).enumerate() {
            let Some(expected) = sweep.points.get(p).and_then(|v| v[a].parse::<f64>().ok()) else {
                continue; // point_order reports points outside the design
            };
            if (x - expected).abs() > 1e-9 * expected.abs().max(1.0) {
                return Err(Error::Input(format!(
                    "{}:{}: {axis} = {x} at point {p}, but the sweep has {expected} there: \
                     the file does not fit this sweep's design",
                    table.path.display(),
                    table.line(r)
                )));
            }
        }
    }
    Ok(())
}

/// The indices of one outcome.
fn indices_of(
    design: &SensitivityDesign,
    axes: &[String],
    outcome: &Outcome,
    bootstrap: usize,
    seed: u64,
) -> Result<Vec<IndexRow>> {
    let bad = |e: AnalysisError| Error::Input(format!("{}: {e}", outcome.output));
    let row = |parameter: String, index: &'static str, estimate: Estimate| IndexRow {
        output: outcome.output.clone(),
        step: outcome.step,
        parameter,
        index,
        estimate,
    };
    let d = axes.len();
    let mut rows = Vec::new();
    match design {
        SensitivityDesign::Sobol { second_order, .. } => {
            let s = sobol_indices(&outcome.values, d, *second_order, bootstrap, seed).map_err(bad)?;
            for (i, axis) in axes.iter().enumerate() {
                rows.push(row(axis.clone(), "S1", s.s1[i]));
                rows.push(row(axis.clone(), "ST", s.st[i]));
            }
            for pair in &s.s2 {
                rows.push(row(format!("{}|{}", axes[pair.i], axes[pair.j]), "S2", pair.estimate));
            }
        }
        SensitivityDesign::Morris { unit, .. } => {
            let m = morris_analyze(unit, &outcome.values, d, bootstrap, seed).map_err(bad)?;
            for (axis, m) in axes.iter().zip(m) {
                rows.push(row(axis.clone(), "mu_star", m.mu_star));
                rows.push(row(axis.clone(), "mu", m.mu));
                rows.push(row(axis.clone(), "sigma", m.sigma));
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: &'static str, value: f64, lo: f64, hi: f64) -> IndexRow {
        IndexRow {
            output: "trust".into(),
            step: None,
            parameter: "dynamics.x".into(),
            index,
            estimate: Estimate { value, lo, hi, se: 0.1 },
        }
    }

    #[test]
    fn indices_outside_0_1_beyond_their_interval_warn_with_the_cause() {
        let design = SensitivityDesign::Sobol {
            samples: 32,
            second_order: false,
            ranges: vec![(0.0, 1.0)],
        };
        let rows = [
            row("ST", 1.15, 1.05, 1.30),       // above 1 beyond its interval: warn
            row("S1", -0.08, -0.15, -0.02),    // below 0 beyond its interval: warn
            row("ST", 1.05, 0.90, 1.20),       // above 1 within its interval: no
            row("S1", -1e-18, -1e-17, -1e-19), // rounding noise of 0: no
            row("mu_star", 2.0, 1.5, 2.5),     // not a share: no
        ];
        let warnings = out_of_range(&rows, &design);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("ST of `dynamics.x` for trust is 1.150 [1.050, 1.300], above 1"));
        assert!(warnings[1].contains("below 0") && warnings[1].contains("too few samples (32 base samples)"));
        let morris = SensitivityDesign::Morris {
            trajectories: 4,
            levels: 4,
            ranges: vec![(0.0, 1.0)],
            unit: Vec::new(),
        };
        assert!(out_of_range(&rows, &morris).is_empty());
    }
}
