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

use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance};
use super::table::{Table, scan_rows};
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
    classes: [u64; 5],
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

/// The open output of one sweep shard.
pub struct SweepOutput {
    record: SweepRecord,
    runs: Table,
    /// Running aggregates per point.
    pub tallies: Vec<PointTally>,
}

impl SweepOutput {
    /// Open `dir` for `shard` of `sweep`. With `resume`, a partial `runs.csv`
    /// of the same sweep and shard is kept up to its last complete row;
    /// returns the output and how many of the shard's jobs are already done.
    pub fn open(folder: &Folder, sweep: &Sweep, shard: Shard, resume: bool) -> Result<(SweepOutput, usize)> {
        let dir = folder.path();
        let record = SweepRecord {
            sweep: sweep.clone(),
            shard,
        };
        let header = runs_header(sweep);
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut tallies = vec![PointTally::default(); sweep.points.len()];
        let partial = super::atomic::partial_path(&dir.join(RUNS));
        if resume && partial.exists() {
            let existing = read_record(dir)?;
            if existing.sweep.hash != sweep.hash || existing.shard != shard {
                return Err(Error::Input(format!(
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
                )));
            }
            let jobs = sweep.jobs(shard);
            let (done, keep_bytes) = scan_rows(&partial, &header, |s, row, _| {
                if s >= jobs.count() {
                    return false;
                }
                let job = jobs.job(s);
                let Some(parsed) = parse_row(row, sweep) else {
                    return false;
                };
                if parsed.0 != job.scenario || parsed.1 != job.replicate {
                    return false;
                }
                tallies[parsed.0].add(&parsed.2, parsed.3);
                true
            })
            .at(dir)?;
            let runs = Table::resume(&dir.join(RUNS), keep_bytes, &header_refs).at(dir)?;
            return Ok((SweepOutput { record, runs, tallies }, done));
        }
        folder.retract()?;
        write_record(dir, &record).at(dir)?;
        let runs = Table::create_durable(&dir.join(RUNS), &header_refs).at(dir)?;
        Ok((SweepOutput { record, runs, tallies }, 0))
    }

    /// Move `runs.csv` into place; for a whole sweep also write `points.csv`;
    /// publish the manifest last.
    pub fn finish(self, folder: &Folder, provenance: Provenance) -> Result<Vec<PointTally>> {
        let dir = folder.path();
        let whole = self.record.shard == Shard::WHOLE;
        let written = (|| {
            self.runs.commit()?;
            if whole {
                write_points(dir, &self.record.sweep, &self.tallies)?;
            }
            Ok(())
        })();
        written.context(|| format!("writing results to {}", dir.display()))?;
        let files: &[&str] = if whole {
            &[RECORD, RUNS, POINTS]
        } else {
            &[RECORD, RUNS]
        };
        let content = Content::Sweep {
            shard: self.record.shard,
            merged_from: Vec::new(),
            sweep: self.record.sweep,
        };
        folder.publish(&Manifest::of_files(dir, provenance, content, files)?)?;
        Ok(self.tallies)
    }
}

impl Sink for SweepOutput {
    /// Write one finished run (runs arrive in job order) and flush it.
    fn add(&mut self, run: &Run) -> io::Result<()> {
        let sweep = &self.record.sweep;
        let t = &mut self.runs;
        t.int(run.scenario as u64)?;
        t.int(u64::from(run.replicate))?;
        t.int(run.seed)?;
        for value in &sweep.points[run.scenario] {
            t.text(value)?;
        }
        for &value in &run.last().values {
            t.float(value)?;
        }
        t.text(run.class.name())?;
        t.end_row()?;
        t.flush()?;
        self.tallies[run.scenario].add(&run.last().values, run.class);
        Ok(())
    }
}

/// Whether `dir` already holds the verified, finished output of `shard` of `sweep`.
pub fn is_complete(dir: &Path, sweep: &Sweep, shard: Shard) -> bool {
    Manifest::verify(dir).is_ok() && read_record(dir).is_ok_and(|r| r.sweep.hash == sweep.hash && r.shard == shard)
}

/// Write `sweep.ron`.
pub(crate) fn write_record(dir: &Path, record: &SweepRecord) -> io::Result<()> {
    let text = ron::ser::to_string_pretty(record, ron::ser::PrettyConfig::new()).map_err(io::Error::other)?;
    super::atomic::write_atomic(&dir.join(RECORD), format!("{text}\n").as_bytes())
}

/// Read `sweep.ron`.
pub(crate) fn read_record(dir: &Path) -> Result<SweepRecord> {
    let path = dir.join(RECORD);
    let text = std::fs::read_to_string(&path)
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
