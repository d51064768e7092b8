//! The files of `agora sweep` and `agora merge`.
//!
//! `runs.csv` streams one row per run in global job order, flushed after
//! each row, so a killed sweep leaves a prefix of complete rows (and perhaps
//! one torn row) in its hidden partial file; `--resume` keeps the complete
//! prefix and carries on. Per-point aggregates are rebuilt from that prefix,
//! so only a few numbers per point are ever held in memory.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::table::{Table, scan_rows};
use crate::model::{Class, METRIC_NAMES};
use crate::runner::{Jobs, Run};
use crate::stats::Running;
use crate::sweep::{Shard, Sweep};

pub const RUNS: &str = "runs.csv";
pub const POINTS: &str = "points.csv";
pub const RECORD: &str = "sweep.ron";
pub const MANIFEST: &str = "manifest.ron";

/// What a sweep folder holds: the sweep and which shard of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub sweep: Sweep,
    pub shard: Shard,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepManifest {
    pub agora_version: String,
    pub command_line: Vec<String>,
    pub threads: usize,
    pub started: String,
    pub wall_seconds: f64,
    pub shard: Shard,
    /// Shard folders merged into this one (empty for a direct run).
    pub merged_from: Vec<String>,
    pub sweep: Sweep,
}

/// Failures of sweep output that are the user's to fix (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Mismatch(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Running aggregates of one point.
#[derive(Debug, Clone, Default)]
pub struct PointTally {
    metrics: [Running; 13],
    classes: [u64; 5],
}

impl PointTally {
    fn add(&mut self, values: &[f64; 13], class: Class) {
        for (r, &v) in self.metrics.iter_mut().zip(values) {
            r.push(v);
        }
        self.classes[Class::ALL.iter().position(|&c| c == class).expect("a class")] += 1;
    }

    pub fn runs(&self) -> u64 {
        self.classes.iter().sum()
    }

    pub fn mean(&self, metric: usize) -> f64 {
        self.metrics[metric].mean()
    }

    pub fn share(&self, class: Class) -> f64 {
        let i = Class::ALL.iter().position(|&c| c == class).expect("a class");
        self.classes[i] as f64 / self.runs().max(1) as f64
    }
}

fn runs_header(sweep: &Sweep) -> Vec<String> {
    let mut header: Vec<String> = ["point", "replicate", "seed"].map(String::from).to_vec();
    header.extend(sweep.axes.iter().cloned());
    header.extend(METRIC_NAMES.map(String::from));
    header.push("class".into());
    header
}

/// The open output of one sweep shard.
pub struct SweepOutput {
    dir: PathBuf,
    record: SweepRecord,
    runs: Table,
    pub tallies: Vec<PointTally>,
}

impl SweepOutput {
    /// Open `dir` for `shard` of `sweep`. With `resume`, a partial `runs.csv`
    /// of the same sweep and shard is kept up to its last complete row;
    /// returns the output and how many of the shard's jobs are already done.
    pub fn open(dir: &Path, sweep: &Sweep, shard: Shard, resume: bool) -> Result<(SweepOutput, usize), SweepError> {
        std::fs::create_dir_all(dir)?;
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
                return Err(SweepError::Mismatch(format!(
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
            let (done, keep_bytes) = scan_rows(&partial, header.len(), |s, row, _| {
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
            })?;
            let runs = Table::resume(&dir.join(RUNS), keep_bytes)?;
            return Ok((
                SweepOutput {
                    dir: dir.to_path_buf(),
                    record,
                    runs,
                    tallies,
                },
                done,
            ));
        }
        let text = ron::ser::to_string_pretty(&record, ron::ser::PrettyConfig::new()).map_err(io::Error::other)?;
        super::atomic::write_atomic(&dir.join(RECORD), format!("{text}\n").as_bytes())?;
        let runs = Table::create_durable(&dir.join(RUNS), &header_refs)?;
        Ok((
            SweepOutput {
                dir: dir.to_path_buf(),
                record,
                runs,
                tallies,
            },
            0,
        ))
    }

    /// Write one finished run (runs arrive in job order) and flush it.
    pub fn add(&mut self, run: &Run) -> io::Result<()> {
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

    /// Move `runs.csv` into place; for a whole sweep also write `points.csv`.
    pub fn finish(self, manifest: &SweepManifest) -> io::Result<Vec<PointTally>> {
        self.runs.commit()?;
        if self.record.shard == Shard::WHOLE {
            write_points(&self.dir, &self.record.sweep, &self.tallies)?;
        }
        write_manifest(&self.dir, manifest)?;
        Ok(self.tallies)
    }
}

/// Whether `dir` already holds the finished output of `shard` of `sweep`.
pub fn is_complete(dir: &Path, sweep: &Sweep, shard: Shard) -> bool {
    dir.join(RUNS).exists()
        && dir.join(MANIFEST).exists()
        && read_record(dir).is_ok_and(|r| r.sweep.hash == sweep.hash && r.shard == shard)
}

fn write_manifest(dir: &Path, manifest: &SweepManifest) -> io::Result<()> {
    let config = ron::ser::PrettyConfig::new().struct_names(true);
    let text = ron::ser::to_string_pretty(manifest, config).map_err(io::Error::other)?;
    super::atomic::write_atomic(&dir.join(MANIFEST), format!("{text}\n").as_bytes())
}

fn read_record(dir: &Path) -> Result<SweepRecord, SweepError> {
    let path = dir.join(RECORD);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SweepError::Mismatch(format!("{}: {e} (is this a sweep folder?)", path.display())))?;
    ron::from_str(&text).map_err(|e| SweepError::Mismatch(format!("{}: {e}", path.display())))
}

/// Parse a runs.csv row: (point, replicate, metrics, class).
fn parse_row(row: &csv::StringRecord, sweep: &Sweep) -> Option<(usize, u32, [f64; 13], Class)> {
    let point: usize = row.get(0)?.parse().ok()?;
    let replicate: u32 = row.get(1)?.parse().ok()?;
    if point >= sweep.points.len() || replicate >= sweep.replicates {
        return None;
    }
    let first = 3 + sweep.axes.len();
    let mut values = [0.0; 13];
    for (m, value) in values.iter_mut().enumerate() {
        *value = row.get(first + m)?.parse().ok()?;
    }
    let class = Class::from_name(row.get(first + 13)?)?;
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

/// Merge complete shard folders into `out`: checks that all come from one
/// sweep, that every shard is there once and every run once; writes the
/// same `runs.csv` and `points.csv` as the unsharded sweep.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    manifest: impl FnOnce(&Sweep) -> SweepManifest,
) -> Result<Sweep, SweepError> {
    let mismatch = |m: String| SweepError::Mismatch(m);
    if dirs.is_empty() {
        return Err(mismatch("nothing to merge: name the shard folders".into()));
    }
    let mut shards: Vec<(PathBuf, SweepRecord)> = Vec::new();
    for dir in dirs {
        let record = read_record(dir)?;
        if !dir.join(RUNS).exists() {
            return Err(mismatch(format!(
                "{}: shard {}/{} is incomplete (still running, or killed: finish it with --resume)",
                dir.display(),
                record.shard.index,
                record.shard.count
            )));
        }
        shards.push((dir.clone(), record));
    }
    let (first_dir, first) = (&shards[0].0, &shards[0].1);
    let sweep = first.sweep.clone();
    let count = first.shard.count;
    for (dir, record) in &shards[1..] {
        if record.sweep.hash != sweep.hash {
            return Err(mismatch(format!(
                "{} is from sweep {} ({}) but {} is from sweep {} ({}): shards of different sweeps cannot be merged",
                dir.display(),
                record.sweep.name,
                record.sweep.hash,
                first_dir.display(),
                sweep.name,
                sweep.hash
            )));
        }
        if record.shard.count != count {
            return Err(mismatch(format!(
                "{} is shard {}/{} but {} is shard {}/{}: all shards must come from the same split",
                dir.display(),
                record.shard.index,
                record.shard.count,
                first_dir.display(),
                first.shard.index,
                count
            )));
        }
    }
    let mut by_index: Vec<Option<&PathBuf>> = vec![None; count as usize];
    for (dir, record) in &shards {
        let slot = &mut by_index[record.shard.index as usize];
        if let Some(other) = slot {
            return Err(mismatch(format!(
                "shard {}/{count} is given twice: {} and {}",
                record.shard.index,
                other.display(),
                dir.display()
            )));
        }
        *slot = Some(dir);
    }
    let missing: Vec<String> = (0..count)
        .filter(|&i| by_index[i as usize].is_none())
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(mismatch(format!("missing shard(s) {} of {count}", missing.join(", "))));
    }

    std::fs::create_dir_all(out)?;
    let header = runs_header(&sweep);
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut readers = Vec::new();
    for dir in by_index.iter().flatten() {
        let reader = csv::ReaderBuilder::new().from_path(dir.join(RUNS)).map_err(csv_error)?;
        readers.push((dir.to_path_buf(), reader));
    }
    for (dir, reader) in &mut readers {
        let found: Vec<String> = reader.headers().map_err(csv_error)?.iter().map(String::from).collect();
        if found != header {
            return Err(mismatch(format!(
                "{}: runs.csv has an unexpected header",
                dir.display()
            )));
        }
    }
    let mut runs = Table::create(&out.join(RUNS), &refs)?;
    let mut tallies = vec![PointTally::default(); sweep.points.len()];
    let mut record = csv::StringRecord::new();
    let replicates = sweep.replicates as usize;
    for k in 0..sweep.total_runs() {
        let (dir, reader) = &mut readers[k % count as usize];
        let (point, replicate) = (k / replicates, (k % replicates) as u32);
        let lost = || {
            format!(
                "{}: run (point {point}, replicate {replicate}) is missing",
                dir.display()
            )
        };
        if !reader.read_record(&mut record).map_err(csv_error)? {
            return Err(mismatch(lost()));
        }
        match parse_row(&record, &sweep) {
            Some((p, r, values, class)) if p == point && r == replicate => {
                tallies[p].add(&values, class);
            }
            Some((p, r, ..)) => {
                return Err(mismatch(format!(
                    "{} (found point {p}, replicate {r} in its place)",
                    lost()
                )));
            }
            None => {
                return Err(mismatch(format!(
                    "{}: a malformed row in place of point {point}, replicate {replicate}",
                    dir.display()
                )));
            }
        }
        for field in &record {
            runs.text(field)?;
        }
        runs.end_row()?;
    }
    for (dir, reader) in &mut readers {
        if reader.read_record(&mut record).map_err(csv_error)? {
            return Err(mismatch(format!(
                "{}: holds more runs than its shard of the sweep (doubled rows)",
                dir.display()
            )));
        }
    }
    runs.commit()?;
    write_points(out, &sweep, &tallies)?;
    let record = SweepRecord {
        sweep: sweep.clone(),
        shard: Shard::WHOLE,
    };
    let text = ron::ser::to_string_pretty(&record, ron::ser::PrettyConfig::new()).map_err(io::Error::other)?;
    super::atomic::write_atomic(&out.join(RECORD), format!("{text}\n").as_bytes())?;
    write_manifest(out, &manifest(&sweep))?;
    Ok(sweep)
}

fn csv_error(e: csv::Error) -> SweepError {
    SweepError::Mismatch(e.to_string())
}
