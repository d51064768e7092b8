//! The library side of each `agora` subcommand: typed options in, files
//! out, a summary back. The binary (`src/cli.rs`) only parses arguments,
//! calls these and prints; Rust callers (and the Python module) can call
//! them the same way.

mod calibrate;
mod compare;
mod discover;
mod graph;
pub(crate) mod optimize;
mod run;
mod sensitivity;
mod sweep;
mod until;
mod validate;

use std::path::{Path, PathBuf};

pub use calibrate::{CalibrateOptions, CalibrateOutcome, calibrate, predictive};
pub use compare::{CompareOptions, CompareOutcome, compare};
pub use discover::{DiscoverOptions, DiscoverOutcome, Target, discover};
pub use graph::{GraphOptions, GraphOutcome, Network as GraphNetwork, graph};
pub use optimize::{
    Direction, Goal, Lever, LeversFile, Objective, OptimizeOptions, OptimizeOutcome, Policy, Search, Signpost, Start,
    Trigger, Value, When, optimize, run_policies, simulate_triggered,
};
pub use run::{RunOptions, RunSummary, run, run_tables};
pub use sensitivity::{SensitivityOptions, SensitivityOutcome, sensitivity};
pub use sweep::{SweepOptions, SweepOutcome, sweep};
pub use until::{Quantity, Until};
pub use validate::{ValidateOptions, ValidateOutcome, validate};

use crate::error::{Error, Result};
use crate::memory::{Estimate, available};
use crate::output::{Folder, Manifest, Stopwatch};
use crate::runner::Prepared;
use crate::scenario::{self, Scenario};
use crate::sweep::Sweep;

/// Writes a derived page (the report crate's `write_report`) into a folder
/// this process holds, returning its path: core draws no pictures itself.
pub type ReportWriter = fn(&Folder) -> Result<PathBuf>;

/// What a long command tells its caller while it works. Every method has a
/// default that does nothing, so a caller implements only what it shows.
pub trait Observer: Sync {
    /// Something worth a line on stderr (a note on loaded files, a resume).
    fn note(&self, _message: &str) {}
    /// Something that may make the result worse than asked for (a Sobol'
    /// sample size that is not a power of two); the command goes on.
    fn warn(&self, message: &str) {
        self.note(message);
    }
    /// Runs are about to start: `runs` of them remain.
    fn start(&self, _runs: u64) {}
    /// One more run is done.
    fn run_done(&self) {}
    /// All runs are done.
    fn finish(&self) {}
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// The scenarios `references` name (files, or built-in names); none gives
/// the three built-in scenarios.
pub fn load_scenarios(references: &[String]) -> Result<Vec<Scenario>> {
    if references.is_empty() {
        return Ok(scenario::built_in());
    }
    references
        .iter()
        .map(|r| Ok(scenario::load(Path::new(""), r)?))
        .collect()
}

/// Apply overrides, load edge lists, and pass on what loading noticed.
fn prepare(scenario: Scenario, overrides: &[(String, String)], observer: &dyn Observer) -> Result<Prepared> {
    let mut scenario = scenario;
    scenario::apply_overrides(&mut scenario, overrides)?;
    let prepared = Prepared::new(scenario)?;
    for note in &prepared.notes {
        observer.note(note);
    }
    Ok(prepared)
}

/// Refuse an output folder that is also an input: writing it would first
/// retract the result being read.
pub(crate) fn distinct_output(out: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(out_real) = out.canonicalize() else {
        return Ok(()); // not there yet, so no input
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|i| i == out_real) {
            return Err(Error::Input(format!(
                "--out {}: that folder is also an input, and writing it would remove the result being read; \
                 choose another folder",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Refuse work whose memory estimate exceeds what this machine has.
fn ensure_fits(estimate: &Estimate) -> Result<()> {
    match available() {
        Some(room) => estimate.check(room).map_err(Error::Input),
        None => Ok(()),
    }
}

/// `agora check`: each scenario resolved and validated, with its loaded
/// graphs and the memory estimate of running it on `threads` workers.
pub fn check(
    references: &[String],
    threads: Option<usize>,
    observer: &dyn Observer,
) -> Result<Vec<(Prepared, Estimate)>> {
    let threads = crate::runner::threads(threads);
    load_scenarios(references)?
        .into_iter()
        .map(|s| {
            let prepared = prepare(s, &[], observer)?;
            let estimate = Estimate::of(&[&prepared], threads, Some(crate::output::Quantiles::Auto));
            Ok((prepared, estimate))
        })
        .collect()
}

/// `agora verify DIR`: the folder's manifest, once every file it lists
/// matches its size and hash.
pub fn verify(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        return Err(Error::Input(format!("{}: no such results folder", dir.display())));
    }
    Manifest::verify(dir)
}

/// `agora merge DIR... --out OUT`: `dirs` are shard folders or folders
/// holding `shard-*` folders. Returns the sweep and how many shards were merged.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<(Sweep, usize)> {
    let clock = Stopwatch::start(1);
    let mut shards = Vec::new();
    for dir in dirs {
        if dir.join(crate::output::sweep::RECORD).exists() {
            shards.push(dir.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::Input(format!("{}: {e}", dir.display())))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("shard-")))
            .filter(|p| p.join(crate::output::sweep::RECORD).exists())
            .collect();
        if inside.is_empty() {
            return Err(Error::Input(format!(
                "{}: neither a sweep shard folder nor a folder of shards",
                dir.display()
            )));
        }
        inside.sort();
        shards.extend(inside);
    }
    distinct_output(out, &shards.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    let folder = Folder::lock(out)?;
    let sweep = crate::output::merge::merge(&shards, &folder, || clock.provenance())?;
    Ok((sweep, shards.len()))
}
