//! `agora merge`: the shard folders of one sweep into one folder whose
//! `runs.csv` and `points.csv` equal the unsharded sweep's, byte for byte;
//! shards written with `--format parquet` merge into `runs.parquet` (and
//! `timeseries.parquet`), equal to the unsharded sweep's too.

use std::path::{Path, PathBuf};

use super::columnar::{Format, Kind, Streamed};
use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance};
use super::sweep::{PointTally, RUNS, SERIES, SweepRecord, parse_row, read_record, runs_header};
use super::sweep::{point_steps, runs_columns, series_columns, series_header, sweep_files, write_points, write_record};
use super::table::Table;
use crate::error::{Error, IoContext, Result};
use crate::sweep::{Shard, Sweep};

/// Merge complete shard folders into `out`: checks that each shard matches
/// its manifest, that all come from one sweep, that every shard is there
/// once and every run once; writes the same `runs.csv` and `points.csv` as
/// the unsharded sweep. Returns the sweep.
pub fn merge(dirs: &[PathBuf], out: &Folder, provenance: impl FnOnce() -> Provenance) -> Result<Sweep> {
    let (shards, format) = read_shards(dirs)?;
    let (sweep, ordered) = order_shards(&shards)?;
    format.check_available()?;
    out.retract()?;
    let tallies = copy_runs(&sweep, &ordered, out.path(), format)?;
    if sweep.series {
        copy_series(&sweep, &ordered, out.path(), format)?;
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
    let files = sweep_files(&sweep, true, format);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    out.publish(&Manifest::of_files(dir, provenance(), content, &files)?)?;
    Ok(sweep)
}

/// Each shard folder's record, once its manifest vouches for its files, and
/// the format all of them hold their runs in.
fn read_shards(dirs: &[PathBuf]) -> Result<(Vec<(PathBuf, SweepRecord)>, Format)> {
    if dirs.is_empty() {
        return Err(Error::Input("nothing to merge: name the shard folders".into()));
    }
    let mut shards = Vec::new();
    let mut formats: Vec<(Format, &PathBuf)> = Vec::new();
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
        let format = match manifest.lists(&Format::Parquet.rename(RUNS)) {
            true => Format::Parquet,
            false => Format::Csv,
        };
        if let Some((other, other_dir)) = formats.iter().find(|f| f.0 != format) {
            return Err(Error::Input(format!(
                "{} holds its runs as {} but {} as {}: shards of one merge share a --format",
                dir.display(),
                format.extension(),
                other_dir.display(),
                other.extension()
            )));
        }
        formats.push((format, dir));
        shards.push((dir.clone(), record));
    }
    Ok((shards, formats[0].0))
}

/// The rows of one shard's table, in either format, read one at a time.
enum Rows {
    Csv(PathBuf, csv::Reader<std::fs::File>),
    #[cfg(feature = "parquet")]
    Parquet(PathBuf, super::columnar::ParquetRows),
}

impl Rows {
    /// Open `dir`'s table `name` (a CSV name) in `format`; its columns must be `header`.
    fn open(dir: &Path, name: &str, format: Format, header: &[String]) -> Result<Rows> {
        let path = dir.join(format.rename(name));
        match format {
            Format::Csv => {
                let (path, reader) = open_checked(&path, header)?;
                Ok(Rows::Csv(path, reader))
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => {
                let rows = super::columnar::ParquetRows::open(&path).at(&path)?;
                if rows.names != header {
                    return Err(Error::Input(format!("{}: unexpected columns", path.display())));
                }
                Ok(Rows::Parquet(path, rows))
            }
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => Err(Error::Input("built without the `parquet` feature".into())),
        }
    }

    /// The next row as CSV text; false at the end.
    fn read(&mut self, record: &mut csv::StringRecord) -> Result<bool> {
        match self {
            Rows::Csv(path, reader) => reader.read_record(record).map_err(|e| csv_error(path, e)),
            #[cfg(feature = "parquet")]
            Rows::Parquet(path, rows) => rows
                .read(record)
                .map_err(|e| Error::Input(format!("{}: {e}", path.display()))),
        }
    }

    /// Write the row last read (`record`) into `out` as it was written.
    fn write(&self, record: &csv::StringRecord, out: &mut Streamed) -> std::io::Result<()> {
        use super::table::Cells;
        match self {
            Rows::Csv(..) => {
                for field in record {
                    out.text(field)?;
                }
                out.end_row()
            }
            #[cfg(feature = "parquet")]
            Rows::Parquet(_, rows) => rows.write_last(out),
        }
    }
}

/// A merged table `name` (a CSV name) in `out`, written in one go.
fn create(out: &Path, name: &str, format: Format, columns: &[(String, Kind)]) -> Result<Streamed> {
    let path = out.join(format.rename(name));
    match format {
        Format::Csv => {
            let header: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
            Ok(Streamed::Csv(Table::create(&path, &header).at(out)?))
        }
        #[cfg(feature = "parquet")]
        Format::Parquet => Ok(Streamed::Parquet(
            super::columnar::ParquetTable::create(&path, columns).at(out)?,
        )),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(Error::Input("built without the `parquet` feature".into())),
    }
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
/// `out/runs.csv` (or `.parquet`), checking every run is there once;
/// returns the tallies.
fn copy_runs(sweep: &Sweep, shards: &[PathBuf], out: &Path, format: Format) -> Result<Vec<PointTally>> {
    let header = runs_header(sweep);
    let mut readers = Vec::new();
    for dir in shards {
        readers.push((dir, Rows::open(dir, RUNS, format, &header)?));
    }
    let mut runs = create(out, RUNS, format, &runs_columns(sweep))?;
    let mut tallies = vec![PointTally::default(); sweep.points.len()];
    let mut record = csv::StringRecord::new();
    let (replicates, count) = (sweep.replicates as usize, shards.len());
    for k in 0..sweep.total_runs() {
        let (dir, reader) = &mut readers[k % count];
        let (point, replicate) = (k / replicates, (k % replicates) as u32);
        let lost = || {
            format!(
                "{}: run (point {point}, replicate {replicate}) is missing",
                dir.display()
            )
        };
        if !reader.read(&mut record)? {
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
        reader.write(&record, &mut runs).at(out)?;
    }
    for (dir, reader) in &mut readers {
        if reader.read(&mut record)? {
            return Err(Error::Input(format!(
                "{}: holds more runs than its shard of the sweep (doubled rows)",
                dir.display()
            )));
        }
    }
    runs.commit().at(out)?;
    Ok(tallies)
}

/// Interleave the shards' `timeseries.csv` (or `.parquet`) back into global
/// job order (steps + 1 rows per run), checking every run's rows are there once.
fn copy_series(sweep: &Sweep, shards: &[PathBuf], out: &Path, format: Format) -> Result<()> {
    let header = series_header();
    let steps = point_steps(sweep)?;
    let mut readers = Vec::new();
    for dir in shards {
        readers.push((dir, Rows::open(dir, SERIES, format, &header)?));
    }
    let mut series = create(out, SERIES, format, &series_columns())?;
    let mut record = csv::StringRecord::new();
    let (replicates, count) = (sweep.replicates as usize, shards.len());
    for k in 0..sweep.total_runs() {
        let (dir, reader) = &mut readers[k % count];
        let (point, replicate) = (k / replicates, k % replicates);
        for step in 0..=steps[point] as usize {
            let read = reader.read(&mut record)?;
            let at = |i: usize| record.get(i).and_then(|v| v.parse::<usize>().ok());
            if !read || (at(0), at(1), at(2)) != (Some(point), Some(replicate), Some(step)) {
                return Err(Error::Input(format!(
                    "{}: step {step} of run (point {point}, replicate {replicate}) is missing from {}",
                    dir.display(),
                    format.rename(SERIES)
                )));
            }
            reader.write(&record, &mut series).at(out)?;
        }
    }
    for (dir, reader) in &mut readers {
        if reader.read(&mut record)? {
            return Err(Error::Input(format!(
                "{}: {} holds more rows than its runs",
                dir.display(),
                format.rename(SERIES)
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
