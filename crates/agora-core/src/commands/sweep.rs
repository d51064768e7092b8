//! `agora sweep`: a sweep file in, a sweep (or shard) folder out.

use std::path::PathBuf;

use super::run::in_folder;
use super::{Observer, ensure_fits};
use crate::error::{Error, Result};
use crate::memory::Estimate;
use crate::output::sweep::{DESIGN, is_complete, write_design};
use crate::output::{Folder, Format, Stopwatch, SweepOutput};
use crate::runner::{After, Jobs, Prepared, execute};
use crate::sweep::{Shard, Sweep, shard_folder};

/// What `agora sweep` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// The sweep file.
    pub file: PathBuf,
    /// The results folder; `None`: `results/<sweep name>`. A shard writes
    /// into its `shard-I-of-N` folder inside it.
    pub out: Option<PathBuf>,
    /// Which shard; `None`: the Slurm array task's, else the whole sweep.
    pub shard: Option<Shard>,
    /// Keep the complete runs of an interrupted sweep (with Parquet: keep
    /// a complete shard, run an interrupted one again whole).
    pub resume: bool,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
    /// Write the design (`design.csv`, `sweep.ron`) and simulate nothing.
    pub design_only: bool,
    /// The format of `runs` and `timeseries` (`points.csv` is CSV).
    pub format: Format,
}

/// What a finished `agora sweep` reports.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    /// The resolved sweep.
    pub sweep: Sweep,
    /// The shard computed.
    pub shard: Shard,
    /// The folder written.
    pub dir: PathBuf,
    /// Runs of this shard.
    pub runs: usize,
    /// Whether the folder was complete already (a `--resume` with nothing to do).
    pub already_complete: bool,
    /// With `design_only`: the `design.csv` written (and no runs).
    pub design: Option<PathBuf>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Run a sweep, or one shard of it.
pub fn sweep(options: &SweepOptions, observer: &dyn Observer) -> Result<SweepOutcome> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    if !options.file.exists() {
        return Err(Error::Input(format!("{}: no such sweep file", options.file.display())));
    }
    let sweep = Sweep::load(&options.file)?;
    sweep.warnings().iter().for_each(|w| observer.warn(w));
    if options.design_only {
        return design_only(options, sweep, &clock);
    }
    let shard = match options.shard {
        Some(shard) => shard,
        None => Shard::from_slurm(|name| std::env::var(name).ok())
            .map_err(Error::Input)?
            .unwrap_or(Shard::WHOLE),
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&sweep.name));
    let dir = shard_folder(&out, shard);
    let all = sweep.jobs(shard);
    let outcome = |already_complete, seconds| SweepOutcome {
        sweep: sweep.clone(),
        shard,
        dir: dir.clone(),
        runs: all.count(),
        already_complete,
        design: None,
        seconds,
    };
    options.format.check_available()?;
    if options.resume && is_complete(&dir, &sweep, shard, options.format) {
        return Ok(outcome(true, clock.seconds()));
    }
    let mut batch: Vec<Prepared> = Vec::with_capacity(sweep.points.len());
    for p in 0..sweep.points.len() {
        let prepared = Prepared::new(sweep.point(p)?)?;
        if p == 0 {
            prepared.notes.iter().for_each(|n| observer.note(n));
        }
        batch.push(prepared);
    }
    // A sweep keeps running sums per point, not series; each thread holds one
    // replicate of some point at a time: estimate with the largest point.
    if let Some(largest) = batch.iter().max_by_key(|p| p.scenario.population.citizens) {
        ensure_fits(&Estimate::of(&[largest], threads, None).with_concurrency(threads, all.count()))?;
    }

    let folder = Folder::lock(&dir)?;
    // A Parquet file has its index at its end: an interrupted one cannot be continued.
    let resume = options.resume && options.format == Format::Csv;
    if options.resume && !resume {
        observer.note(&format!(
            "--format parquet: an interrupted shard cannot be continued; running its {} runs again",
            all.count()
        ));
    }
    let (mut output, done) = SweepOutput::open_as(&folder, &sweep, shard, resume, options.format)?;
    let remaining = After { jobs: &all, done };
    if done > 0 {
        observer.note(&format!(
            "resuming: {done} runs already done, {} to go",
            remaining.count()
        ));
    }
    observer.start(remaining.count() as u64);
    execute(&batch, &remaining, threads, &mut output, &|| observer.run_done()).map_err(|e| in_folder(e, &dir))?;
    observer.finish();
    output.finish(&folder, clock.provenance())?;
    Ok(outcome(false, clock.seconds()))
}

/// `--design-only`: lock the folder, write `sweep.ron` and `design.csv`
/// and the manifest; no run is simulated.
fn design_only(options: &SweepOptions, sweep: Sweep, clock: &Stopwatch) -> Result<SweepOutcome> {
    if options.shard.is_some() || options.resume {
        return Err(Error::Input(
            "--design-only writes the whole design and runs nothing: it takes neither --shard nor --resume".into(),
        ));
    }
    let dir = options
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&sweep.name));
    let folder = Folder::lock(&dir)?;
    write_design(&folder, &sweep, clock.provenance())?;
    Ok(SweepOutcome {
        design: Some(dir.join(DESIGN)),
        sweep,
        shard: Shard::WHOLE,
        dir,
        runs: 0,
        already_complete: false,
        seconds: clock.seconds(),
    })
}
