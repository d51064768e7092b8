//! `agora merge`: the shard folders of one sweep into one folder whose
//! `runs.csv` and `points.csv` equal the unsharded sweep's, byte for byte.

use std::path::{Path, PathBuf};

use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance};
use super::sweep::{PointTally, RUNS, SERIES, SweepRecord, parse_row, read_record, runs_header};
use super::sweep::{point_steps, series_header, sweep_files, write_points, write_record};
use super::table::Table;
use crate::error::{Error, IoContext, Result};
use crate::sweep::{Shard, Sweep};

/// Merge complete shard folders into `out`: checks that each shard matches
/// its manifest, that all come from one sweep, that every shard is there
/// once and every run once; writes the same `runs.csv` and `points.csv` as
/// the unsharded sweep. Returns the sweep.
pub fn merge(dirs: &[PathBuf], out: &Folder, provenance: impl FnOnce() -> Provenance) -> Result<Sweep> {
    let shards = read_shards(dirs)?;
    let (sweep, ordered) = order_shards(&shards)?;
    out.retract()?;
    let tallies = copy_runs(&sweep, &ordered, out.path())?;
    if sweep.series {
        copy_series(&sweep, &ordered, out.path())?;
    }
    let dir = out.path();
    write_points(dir, &sweep, &tallies).at(dir)?;
    let record = SweepRecord {
        sweep: sweep.clone(),
        shard: Shard::WHOLE,
    };
    write_record(dir, &record).at(dir)?;
    let content = Content::Sweep {
        shard: Shard::WHOLE,
        merged_from: dirs.iter().map(|d| d.display().to_string()).collect(),
        sweep: sweep.clone(),
    };
    out.publish(&Manifest::of_files(
        dir,
        provenance(),
        content,
        &sweep_files(&sweep, true),
    )?)?;
    Ok(sweep)
}

/// Each shard folder's record, once its manifest vouches for its files.
fn read_shards(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, SweepRecord)>> {
    if dirs.is_empty() {
        return Err(Error::Input("nothing to merge: name the shard folders".into()));
    }
    let mut shards = Vec::new();
    for dir in dirs {
        // The manifest first: no file of a shard is read before it vouches for it.
        let manifest = Manifest::verify(dir).map_err(|e| {
            let shard = read_record(dir)
                .map(|r| format!("shard {}/{}", r.shard.index, r.shard.count))
                .unwrap_or_else(|_| format!("shard {}", dir.display()));
            Error::Unverified(format!(
                "{shard} is not complete or not intact (still running, or killed: finish it with --resume): {e}"
            ))
        })?;
        if !manifest.lists(super::sweep::RECORD) {
            return Err(Error::Unverified(format!(
                "{}: its manifest does not list {}: not a sweep shard",
                dir.display(),
                super::sweep::RECORD
            )));
        }
        let record = read_record(dir)?;
        if !matches!(manifest.content, Content::Sweep { .. }) {
            return Err(Error::Input(format!(
                "{}: holds the design of a sweep, not its runs (made with --design-only): run the sweep",
                dir.display()
            )));
        }
        shards.push((dir.clone(), record));
    }
    Ok(shards)
}

/// The sweep all shards come from and their folders in shard order, after
/// checking they are one complete split.
fn order_shards(shards: &[(PathBuf, SweepRecord)]) -> Result<(Sweep, Vec<PathBuf>)> {
    let (first_dir, first) = (&shards[0].0, &shards[0].1);
    let sweep = first.sweep.clone();
    let count = first.shard.count;
    for (dir, record) in &shards[1..] {
        if record.sweep.hash != sweep.hash {
            return Err(Error::Input(format!(
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
            return Err(Error::Input(format!(
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
    for (dir, record) in shards {
        let slot = &mut by_index[record.shard.index as usize];
        if let Some(other) = slot {
            return Err(Error::Input(format!(
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
        return Err(Error::Input(format!(
            "missing shard(s) {} of {count}",
            missing.join(", ")
        )));
    }
    Ok((sweep, by_index.into_iter().flatten().cloned().collect()))
}

/// Interleave the shards' rows back into global job order into
/// `out/runs.csv`, checking every run is there once; returns the tallies.
fn copy_runs(sweep: &Sweep, shards: &[PathBuf], out: &Path) -> Result<Vec<PointTally>> {
    let header = runs_header(sweep);
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut readers = Vec::new();
    for dir in shards {
        let path = dir.join(RUNS);
        let mut reader = csv::ReaderBuilder::new()
            .from_path(&path)
            .map_err(|e| csv_error(&path, e))?;
        let found: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(&path, e))?
            .iter()
            .map(String::from)
            .collect();
        if found != header {
            return Err(Error::Input(format!(
                "{}: runs.csv has an unexpected header",
                dir.display()
            )));
        }
        readers.push((dir, path, reader));
    }
    let mut runs = Table::create(&out.join(RUNS), &refs).at(out)?;
    let mut tallies = vec![PointTally::default(); sweep.points.len()];
    let mut record = csv::StringRecord::new();
    let (replicates, count) = (sweep.replicates as usize, shards.len());
    for k in 0..sweep.total_runs() {
        let (dir, path, reader) = &mut readers[k % count];
        let (point, replicate) = (k / replicates, (k % replicates) as u32);
        let lost = || {
            format!(
                "{}: run (point {point}, replicate {replicate}) is missing",
                dir.display()
            )
        };
        if !reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
            return Err(Error::Input(lost()));
        }
        match parse_row(&record, sweep) {
            Some((p, r, values, class)) if p == point && r == replicate => tallies[p].add(&values, class),
            Some((p, r, ..)) => {
                return Err(Error::Input(format!(
                    "{} (found point {p}, replicate {r} in its place)",
                    lost()
                )));
            }
            None => {
                return Err(Error::Input(format!(
                    "{}: a malformed row in place of point {point}, replicate {replicate}",
                    dir.display()
                )));
            }
        }
        for field in &record {
            runs.text(field).at(out)?;
        }
        runs.end_row().at(out)?;
    }
    for (dir, path, reader) in &mut readers {
        if reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
            return Err(Error::Input(format!(
                "{}: holds more runs than its shard of the sweep (doubled rows)",
                dir.display()
            )));
        }
    }
    runs.commit().at(out)?;
    Ok(tallies)
}

/// Interleave the shards' `timeseries.csv` back into global job order
/// (steps + 1 rows per run), checking every run's rows are there once.
fn copy_series(sweep: &Sweep, shards: &[PathBuf], out: &Path) -> Result<()> {
    let header = series_header();
    let steps = point_steps(sweep)?;
    let mut readers = Vec::new();
    for dir in shards {
        readers.push((dir, open_checked(&dir.join(SERIES), &header)?));
    }
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut series = Table::create(&out.join(SERIES), &refs).at(out)?;
    let mut record = csv::StringRecord::new();
    let (replicates, count) = (sweep.replicates as usize, shards.len());
    for k in 0..sweep.total_runs() {
        let (dir, (path, reader)) = &mut readers[k % count];
        let (point, replicate) = (k / replicates, k % replicates);
        for step in 0..=steps[point] as usize {
            let read = reader.read_record(&mut record).map_err(|e| csv_error(path, e))?;
            let at = |i: usize| record.get(i).and_then(|v| v.parse::<usize>().ok());
            if !read || (at(0), at(1), at(2)) != (Some(point), Some(replicate), Some(step)) {
                return Err(Error::Input(format!(
                    "{}: step {step} of run (point {point}, replicate {replicate}) is missing from {SERIES}",
                    dir.display()
                )));
            }
            for field in &record {
                series.text(field).at(out)?;
            }
            series.end_row().at(out)?;
        }
    }
    for (dir, (path, reader)) in &mut readers {
        if reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
            return Err(Error::Input(format!(
                "{}: {SERIES} holds more rows than its runs",
                dir.display()
            )));
        }
    }
    series.commit().at(out)
}

/// A CSV reader of `path` whose header must be `header`.
fn open_checked(path: &Path, header: &[String]) -> Result<(PathBuf, csv::Reader<std::fs::File>)> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| csv_error(path, e))?;
    let found = reader.headers().map_err(|e| csv_error(path, e))?;
    if found.iter().ne(header.iter().map(String::as_str)) {
        return Err(Error::Input(format!("{}: unexpected header", path.display())));
    }
    Ok((path.to_path_buf(), reader))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path.display().to_string(), e),
        other => Error::Input(format!("{}: {other:?}", path.display())),
    }
}
