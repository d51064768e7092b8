//! The files of `agora sweep` and `agora merge`.
//!
//! `runs.csv` streams one row per run in global job order, flushed after
//! each row, so a killed sweep leaves a prefix of complete rows (and perhaps
//! one torn row) in its hidden partial file; `--resume` keeps the complete
//! prefix and carries on. Per-point aggregates are rebuilt from that prefix,
//! so only a few numbers per point are ever held in memory.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::columnar::{Format, Kind, Streamed};
use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance};
use super::table::{Cells, Table, scan_rows};
use crate::error::{Error, IoContext, Result};
use crate::model::{Class, METRIC_NAMES, N_METRICS};
use crate::runner::{Jobs, Run, Sink};
use crate::stats::Running;
use crate::sweep::{Shard, Sweep};

/// One row per run: point, replicate, seed, swept values, final metrics, class.
pub const RUNS: &str = "runs.csv";
/// One row per point: swept values, metric means and sds, class shares.
pub const POINTS: &str = "points.csv";
/// The sweep and shard a folder holds, written first so `--resume` and merge can check it.
pub const RECORD: &str = "sweep.ron";
/// With `series: true`: one row per run and month, every metric.
pub const SERIES: &str = "timeseries.csv";
/// `agora sweep --design-only`: one row per point, its value on every axis.
pub const DESIGN: &str = "design.csv";

/// What a sweep folder holds: the sweep and which shard of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    /// The resolved sweep.
    pub sweep: Sweep,
    /// Which shard of it.
    pub shard: Shard,
}

/// Running aggregates of one point.
#[derive(Debug, Clone, Default)]
pub struct PointTally {
    metrics: [Running; N_METRICS],
    classes: [u64; Class::ALL.len()],
}

impl PointTally {
    pub(crate) fn add(&mut self, values: &[f64; N_METRICS], class: Class) {
        for (r, &v) in self.metrics.iter_mut().zip(values) {
            r.push(v);
        }
        self.classes[Class::ALL.iter().position(|&c| c == class).expect("a class")] += 1;
    }

    /// Runs counted at this point.
    pub fn runs(&self) -> u64 {
        self.classes.iter().sum()
    }

    /// Mean of metric `metric` (an [`crate::model::metrics::idx`] position).
    pub fn mean(&self, metric: usize) -> f64 {
        self.metrics[metric].mean()
    }

    /// Share of this point's runs that ended in `class`.
    pub fn share(&self, class: Class) -> f64 {
        let i = Class::ALL.iter().position(|&c| c == class).expect("a class");
        self.classes[i] as f64 / self.runs().max(1) as f64
    }
}

pub(crate) fn runs_header(sweep: &Sweep) -> Vec<String> {
    let mut header: Vec<String> = ["point", "replicate", "seed"].map(String::from).to_vec();
    header.extend(sweep.axes.iter().cloned());
    header.extend(METRIC_NAMES.map(String::from));
    header.push("class".into());
    header
}

/// The header of a sweep's `timeseries.csv`.
pub(crate) fn series_header() -> Vec<String> {
    let mut header: Vec<String> = ["point", "replicate", "step"].map(String::from).to_vec();
    header.extend(METRIC_NAMES.map(String::from));
    header
}

/// The last step of each point's runs (points may sweep `steps`).
pub(crate) fn point_steps(sweep: &Sweep) -> Result<Vec<u32>> {
    (0..sweep.points.len()).map(|p| Ok(sweep.point(p)?.steps)).collect()
}

/// The open output of one sweep shard.
pub struct SweepOutput {
    record: SweepRecord,
    format: Format,
    /// The kind of each axis column of `runs` (text in CSV).
    axes: Vec<Kind>,
    runs: Streamed,
    /// `timeseries.csv`, when the sweep records series.
    series: Option<Streamed>,
    /// Running aggregates per point.
    pub tallies: Vec<PointTally>,
}

impl SweepOutput {
    /// Open `dir` for `shard` of `sweep`. With `resume`, the partial
    /// `runs.csv` (and `timeseries.csv`) of the same sweep and shard are kept
    /// up to the last run both hold completely; returns the output and how
    /// many of the shard's jobs are already done.
    pub fn open(folder: &Folder, sweep: &Sweep, shard: Shard, resume: bool) -> Result<(SweepOutput, usize)> {
        SweepOutput::open_as(folder, sweep, shard, resume, Format::Csv)
    }

    /// As [`SweepOutput::open`], `runs` and `timeseries` in `format`
    /// (Parquet is never resumed: `resume` with it is refused).
    pub fn open_as(
        folder: &Folder,
        sweep: &Sweep,
        shard: Shard,
        resume: bool,
        format: Format,
    ) -> Result<(SweepOutput, usize)> {
        format.check_available()?;
        format.check_resume(resume)?;
        let axes = match format {
            Format::Csv => vec![Kind::Text; sweep.axes.len()],
            Format::Parquet => runs_columns(sweep)[3..3 + sweep.axes.len()]
                .iter()
                .map(|c| c.1)
                .collect(),
        };
        let dir = folder.path();
        let record = SweepRecord {
            sweep: sweep.clone(),
            shard,
        };
        let mut tallies = vec![PointTally::default(); sweep.points.len()];
        let partial = super::atomic::partial_path(&dir.join(RUNS));
        if resume && partial.exists() {
            check_same_sweep(dir, sweep, shard)?;
            if let Some(found) = scan_partials(dir, sweep, shard)? {
                for (point, values, class) in &found.rows {
                    tallies[*point].add(values, *class);
                }
                let (runs_header, series_header) = (runs_header(sweep), series_header());
                let runs = Table::resume(&dir.join(RUNS), found.keep_runs, &as_refs(&runs_header)).at(dir)?;
                let series = match found.keep_series {
                    Some(keep) => Some(Table::resume(&dir.join(SERIES), keep, &as_refs(&series_header)).at(dir)?),
                    None => None,
                };
                let output = SweepOutput {
                    record,
                    format,
                    axes,
                    runs: Streamed::Csv(runs),
                    series: series.map(Streamed::Csv),
                    tallies,
                };
                return Ok((output, found.rows.len()));
            }
        }
        folder.retract()?;
        write_record(dir, &record).at(dir)?;
        let runs = Streamed::create(format, dir, "runs", &runs_columns(sweep)).at(dir)?;
        let series = match sweep.series {
            true => Some(Streamed::create(format, dir, "timeseries", &series_columns()).at(dir)?),
            false => None,
        };
        let output = SweepOutput {
            record,
            format,
            axes,
            runs,
            series,
            tallies,
        };
        Ok((output, 0))
    }

    /// Move `runs.csv` (and `timeseries.csv`) into place; for a whole sweep
    /// also write `points.csv`; publish the manifest last.
    pub fn finish(self, folder: &Folder, provenance: Provenance) -> Result<Vec<PointTally>> {
        let dir = folder.path();
        let whole = self.record.shard == Shard::WHOLE;
        let written = (|| {
            self.runs.commit()?;
            if let Some(series) = self.series {
                series.commit()?;
            }
            if whole {
                write_points(dir, &self.record.sweep, &self.tallies)?;
            }
            Ok(())
        })();
        written.context(|| format!("writing results to {}", dir.display()))?;
        let files = sweep_files(&self.record.sweep, whole, self.format);
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let content = Content::Sweep {
            shard: self.record.shard,
            merged_from: Vec::new(),
            sweep: self.record.sweep,
        };
        folder.publish(&Manifest::of_files(dir, provenance, content, &files)?)?;
        Ok(self.tallies)
    }
}

/// The files of a sweep folder, in the order they are listed.
pub(crate) fn sweep_files(sweep: &Sweep, whole: bool, format: Format) -> Vec<String> {
    let mut files = vec![RECORD.to_string(), format.rename(RUNS)];
    if sweep.series {
        files.push(format.rename(SERIES));
    }
    if whole {
        files.push(POINTS.to_string());
    }
    files
}

/// The columns of `runs` with their kinds: an axis is a number where every
/// point's value is one (its RON text reads as a finite number), else text.
pub(crate) fn runs_columns(sweep: &Sweep) -> Vec<(String, Kind)> {
    let header = runs_header(sweep);
    let mut columns: Vec<(String, Kind)> = super::run::kinds(&header)
        .into_iter()
        .map(|(name, kind)| (name.to_string(), kind))
        .collect();
    for (a, column) in columns[3..3 + sweep.axes.len()].iter_mut().enumerate() {
        let numeric = sweep
            .points
            .iter()
            .all(|p| p[a].parse::<f64>().is_ok_and(f64::is_finite));
        column.1 = if numeric { Kind::Float } else { Kind::Text };
    }
    columns
}

/// The columns of a sweep's `timeseries` with their kinds.
pub(crate) fn series_columns() -> Vec<(String, Kind)> {
    super::run::kinds(&series_header())
        .into_iter()
        .map(|(name, kind)| (name.to_string(), kind))
        .collect()
}

/// Refuse to continue a folder that holds another sweep or shard.
fn check_same_sweep(dir: &Path, sweep: &Sweep, shard: Shard) -> Result<()> {
    let existing = read_record(dir)?;
    if existing.sweep.hash == sweep.hash && existing.shard == shard {
        return Ok(());
    }
    Err(Error::Input(format!(
        "{} holds shard {}/{} of sweep {} ({}); this is shard {}/{} of sweep {} ({}): use another --out",
        dir.display(),
        existing.shard.index,
        existing.shard.count,
        existing.sweep.name,
        existing.sweep.hash,
        shard.index,
        shard.count,
        sweep.name,
        sweep.hash
    )))
}

fn as_refs(header: &[String]) -> Vec<&str> {
    header.iter().map(String::as_str).collect()
}

/// What a resumed sweep keeps of its partial files.
struct Kept {
    /// (point, final metrics, class) of every job both files hold, in order.
    rows: Vec<(usize, [f64; N_METRICS], Class)>,
    /// Bytes of `runs.csv` to keep.
    keep_runs: u64,
    /// Bytes of `timeseries.csv` to keep, when the sweep records series.
    keep_series: Option<u64>,
}

/// The complete runs of the partial files, or `None` when there is nothing
/// to continue (a header never written): then the sweep starts afresh.
fn scan_partials(dir: &Path, sweep: &Sweep, shard: Shard) -> Result<Option<Kept>> {
    let jobs = sweep.jobs(shard);
    let partial = super::atomic::partial_path(&dir.join(RUNS));
    let Some(header) = header_len(&partial).at(dir)? else {
        return Ok(None);
    };
    let mut rows = Vec::new();
    let mut run_ends = vec![header];
    scan_rows(&partial, &runs_header(sweep), |s, row, end| {
        let parsed = parse_row(row, sweep)
            .filter(|p| s < jobs.count() && (p.0, p.1) == (jobs.job(s).scenario, jobs.job(s).replicate));
        let Some((point, _, values, class)) = parsed else {
            return false;
        };
        rows.push((point, values, class));
        run_ends.push(end);
        true
    })
    .at(dir)?;
    let mut done = rows.len();
    let mut keep_series = None;
    if sweep.series {
        let series_partial = super::atomic::partial_path(&dir.join(SERIES));
        let Some(ends) = scan_series(&series_partial, sweep, &jobs)? else {
            return Ok(None);
        };
        done = done.min(ends.len() - 1);
        keep_series = Some(ends[done]);
    }
    rows.truncate(done);
    Ok(Some(Kept {
        rows,
        keep_runs: run_ends[done],
        keep_series,
    }))
}

/// The byte length of a file's first line, if it is complete.
fn header_len(path: &Path) -> io::Result<Option<u64>> {
    let mut line = String::new();
    match std::fs::File::open(path) {
        Ok(file) => io::BufRead::read_line(&mut io::BufReader::new(file), &mut line)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(line.ends_with('\n').then_some(line.len() as u64))
}

/// The end of the header and of each complete run in a partial
/// `timeseries.csv` (steps + 1 rows per run, in job order), or `None`
/// when it has no complete header.
fn scan_series(path: &Path, sweep: &Sweep, jobs: &crate::sweep::SweepJobs) -> Result<Option<Vec<u64>>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let Some(header) = header_len(path).at(dir)? else {
        return Ok(None);
    };
    let steps = point_steps(sweep)?;
    let mut ends = vec![header];
    let (mut s, mut step) = (0usize, 0u32);
    scan_rows(path, &series_header(), |_, row, end| {
        if s >= jobs.count() {
            return false;
        }
        let job = jobs.job(s);
        let number = |i: usize| row.get(i).and_then(|v| v.parse::<u64>().ok());
        let expected = [job.scenario as u64, u64::from(job.replicate), u64::from(step)];
        let metrics_ok = (3..row.len()).all(|i| row.get(i).and_then(super::table::parse_float).is_some());
        if (0..3).any(|i| number(i) != Some(expected[i])) || !metrics_ok {
            return false;
        }
        if step == steps[job.scenario] {
            ends.push(end);
            (s, step) = (s + 1, 0);
        } else {
            step += 1;
        }
        true
    })
    .at(dir)?;
    Ok(Some(ends))
}

impl Sink for SweepOutput {
    /// Write one finished run (runs arrive in job order) and flush it.
    fn add(&mut self, run: &Run) -> io::Result<()> {
        let sweep = &self.record.sweep;
        let t = &mut self.runs;
        t.int(run.scenario as u64)?;
        t.int(u64::from(run.replicate))?;
        t.int(run.seed)?;
        for (value, &kind) in sweep.points[run.scenario].iter().zip(&self.axes) {
            axis_cell(t, kind, value)?;
        }
        for &value in &run.last().values {
            t.float(value)?;
        }
        t.text(run.class.name())?;
        t.end_row()?;
        t.flush()?;
        if let Some(series) = &mut self.series {
            write_series(series, run)?;
        }
        self.tallies[run.scenario].add(&run.last().values, run.class);
        Ok(())
    }
}

/// An axis value: its RON text, or in a numeric Parquet column
/// ([`runs_columns`]) the number it reads as.
pub(crate) fn axis_cell(t: &mut impl Cells, kind: Kind, value: &str) -> io::Result<()> {
    match (kind, value.parse::<f64>()) {
        (Kind::Float, Ok(x)) => t.float(x),
        _ => t.text(value),
    }
}

/// The rows of one run in `timeseries.csv`, flushed.
fn write_series(t: &mut Streamed, run: &Run) -> io::Result<()> {
    for metrics in &run.series {
        t.int(run.scenario as u64)?;
        t.int(u64::from(run.replicate))?;
        t.int(u64::from(metrics.step))?;
        for &value in &metrics.values {
            t.float(value)?;
        }
        t.end_row()?;
    }
    t.flush()
}

/// Whether `dir` already holds the verified, finished output of `shard` of
/// `sweep`, its runs in `format`.
pub fn is_complete(dir: &Path, sweep: &Sweep, shard: Shard, format: Format) -> bool {
    let ran = Manifest::verify(dir)
        .is_ok_and(|m| matches!(m.content, Content::Sweep { .. }) && m.lists(&format.rename(RUNS)));
    ran && read_record(dir).is_ok_and(|r| r.sweep.hash == sweep.hash && r.shard == shard)
}

/// `agora sweep --design-only`: `sweep.ron` and `design.csv` (`point` and
/// one column per axis, the exact values the runs would get), then the
/// manifest. Nothing is simulated.
pub fn write_design(folder: &Folder, sweep: &Sweep, provenance: Provenance) -> Result<()> {
    let dir = folder.path();
    folder.retract()?;
    let record = SweepRecord {
        sweep: sweep.clone(),
        shard: Shard::WHOLE,
    };
    let written = (|| {
        write_record(dir, &record)?;
        let mut header = vec!["point".to_string()];
        header.extend(sweep.axes.iter().cloned());
        let refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut t = Table::create(&dir.join(DESIGN), &refs)?;
        for (p, values) in sweep.points.iter().enumerate() {
            t.int(p as u64)?;
            for value in values {
                t.text(value)?;
            }
            t.end_row()?;
        }
        t.commit()
    })();
    written.context(|| format!("writing the design to {}", dir.display()))?;
    let content = Content::Design { sweep: sweep.clone() };
    folder.publish(&Manifest::of_files(dir, provenance, content, &[RECORD, DESIGN])?)
}

/// Write `sweep.ron`.
pub(crate) fn write_record(dir: &Path, record: &SweepRecord) -> io::Result<()> {
    let text = ron::ser::to_string_pretty(record, ron::ser::PrettyConfig::new()).map_err(io::Error::other)?;
    super::atomic::write_atomic(&dir.join(RECORD), format!("{text}\n").as_bytes())
}

/// Read `sweep.ron`.
pub(crate) fn read_record(dir: &Path) -> Result<SweepRecord> {
    let path = dir.join(RECORD);
    let text = super::atomic::open_existing(&path, false)
        .and_then(|mut f| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut f, &mut text).map(|_| text)
        })
        .map_err(|e| Error::Input(format!("{}: {e} (is this a sweep folder?)", path.display())))?;
    ron::from_str(&text).map_err(|e| Error::Input(format!("{}: {e}", path.display())))
}

/// Parse a runs.csv row: (point, replicate, metrics, class).
pub(crate) fn parse_row(row: &csv::StringRecord, sweep: &Sweep) -> Option<(usize, u32, [f64; N_METRICS], Class)> {
    let point: usize = row.get(0)?.parse().ok()?;
    let replicate: u32 = row.get(1)?.parse().ok()?;
    if point >= sweep.points.len() || replicate >= sweep.replicates {
        return None;
    }
    let first = 3 + sweep.axes.len();
    let mut values = [0.0; N_METRICS];
    for (m, value) in values.iter_mut().enumerate() {
        *value = super::table::parse_float(row.get(first + m)?)?;
    }
    let class = Class::from_name(row.get(first + N_METRICS)?)?;
    Some((point, replicate, values, class))
}

/// `points.csv`: per point the swept values, per metric mean and sd, runs,
/// and per class its share.
pub fn write_points(dir: &Path, sweep: &Sweep, tallies: &[PointTally]) -> io::Result<()> {
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(sweep.axes.iter().cloned());
    for m in METRIC_NAMES {
        header.push(format!("{m}_mean"));
        header.push(format!("{m}_sd"));
    }
    header.push("runs".into());
    header.extend(Class::ALL.iter().map(|c| format!("share_{}", c.name())));
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::create(&dir.join(POINTS), &refs)?;
    for (p, tally) in tallies.iter().enumerate() {
        t.int(p as u64)?;
        for value in &sweep.points[p] {
            t.text(value)?;
        }
        for r in &tally.metrics {
            t.float(r.mean())?;
            t.float(r.sd())?;
        }
        t.int(tally.runs())?;
        for class in Class::ALL {
            t.float(tally.share(class))?;
        }
        t.end_row()?;
    }
    t.commit()
}
