//! `agora run`: scenarios in, a results folder out.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::until::{Until, is_check, next_check, verdict};
use super::{Observer, ensure_fits, load_scenarios, prepare};
use crate::error::{Error, Result};
use crate::memory::Estimate;
use crate::output::{Folder, Format, Keep, Quantiles, RunFrames, RunOutput, RunTables, ScenarioTally, Stopwatch};
use crate::rng::replicate_seed;
use crate::runner::{After, Job, Prepared, execute, execute_until, jobs_of};
use crate::scenario::Scenario;

/// What `agora run` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Scenario files or built-in names; empty runs the three built-in scenarios.
    pub scenarios: Vec<String>,
    /// The results folder.
    pub out: PathBuf,
    /// `PATH=VALUE` overrides applied to every scenario (`replicates`, `seed`
    /// and `steps` are paths too).
    pub overrides: Vec<(String, String)>,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
    /// Keep the complete runs of an interrupted run of the same batch.
    pub resume: bool,
    /// Also write `report.html` with this writer (the report crate's), under the same folder lock.
    pub report: Option<super::ReportWriter>,
    /// How quantiles are kept, whether the time series is written, and in which format.
    pub keep: Keep,
    /// Stopping rules (`--until`): add runs until every one is met, the
    /// scenario's `replicates` being the cap; empty: run them all.
    pub until: Vec<Until>,
}

/// What a finished `agora run` reports.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Per scenario: class counts and final metrics.
    pub tallies: Vec<ScenarioTally>,
    /// Runs in the batch (done before a resume included).
    pub runs: usize,
    /// Runs found done by `--resume`.
    pub resumed: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// The report, if one was asked for.
    pub report: Option<PathBuf>,
}

/// Run the batch and write its folder.
pub fn run(options: &RunOptions, observer: &dyn Observer) -> Result<RunSummary> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    let batch = load_scenarios(&options.scenarios)?
        .into_iter()
        .map(|s| prepare(s, &options.overrides, observer))
        .collect::<Result<Vec<_>>>()?;
    check_unique_names(&batch)?;
    ensure_fits(&Estimate::of(
        &batch.iter().collect::<Vec<_>>(),
        threads,
        Some(options.keep.quantiles),
    ))?;
    check_format(options)?;
    if options.resume && options.keep.no_timeseries {
        return Err(Error::Input(
            "--resume rebuilds the aggregates of the runs done from timeseries.csv; \
             it does not combine with --no-timeseries"
                .into(),
        ));
    }

    let folder = Folder::lock(&options.out)?;
    // With `--until` the jobs are known as they come; a resume reads the
    // ones done from the partial files.
    let jobs = options.until.is_empty().then(|| jobs_of(&batch));
    let rules: Vec<String> = options.until.iter().map(Until::text).collect();
    let (mut output, done) = RunOutput::open(&folder, &batch, jobs.as_deref(), options.resume, options.keep, &rules)?;
    let jobs = jobs.unwrap_or_default();
    if done > 0 {
        let to_go = match options.until.is_empty() {
            true => format!("{} to go", jobs.len() - done),
            false => "the rest until the rule holds".to_string(),
        };
        observer.note(&format!("resuming: {done} runs already done, {to_go}"));
    }
    let on_run = || observer.run_done();
    let runs = if options.until.is_empty() {
        let remaining = After { jobs: &jobs[..], done };
        observer.start(remaining.count() as u64);
        execute(&batch, &remaining, threads, &mut output, &on_run).map_err(|e| in_folder(e, &options.out))?;
        jobs.len()
    } else {
        observer.start(batch.iter().map(|p| u64::from(p.scenario.replicates)).sum());
        for (s, prepared) in batch.iter().enumerate() {
            let (cap, seed) = (prepared.scenario.replicates, prepared.scenario.seed);
            let mut runs = output.tallies[s].runs as u32;
            // Resumed: a scenario followed by runs of the next was finished.
            let finished = output.tallies[s + 1..].iter().any(|t| t.runs > 0);
            let line = loop {
                if finished || is_check(runs, cap) {
                    let (met, line) = verdict(&options.until, &output.tallies[s], cap);
                    if finished || met || runs >= cap {
                        break line;
                    }
                }
                let next = next_check(runs, cap);
                let jobs: Vec<Job> = (runs..next)
                    .map(|replicate| Job {
                        scenario: s,
                        replicate,
                        seed: replicate_seed(seed, replicate),
                    })
                    .collect();
                execute(&batch, &jobs[..], threads, &mut output, &on_run).map_err(|e| in_folder(e, &options.out))?;
                runs = next;
            };
            observer.note(&line);
            output.stopping.push(line);
        }
        output.tallies.iter().map(|t| t.runs as usize).sum()
    };
    observer.finish();
    let tallies = output.finish(&folder, clock.provenance())?;
    let report = options.report.map(|write| write(&folder)).transpose()?;
    Ok(RunSummary {
        tallies,
        runs,
        resumed: done,
        seconds: clock.seconds(),
        threads,
        report,
    })
}

use crate::runner::Jobs as _;

/// `agora run` without files: the tables of its folder, in memory (the
/// Python module's `agora.run`). `scenarios` are loaded already; `stop`, set
/// from another thread, cuts the batch short, and then there are no tables.
pub fn run_tables(
    scenarios: Vec<Scenario>,
    overrides: &[(String, String)],
    threads: Option<usize>,
    observer: &dyn Observer,
    stop: &AtomicBool,
) -> Result<Option<RunTables>> {
    let threads = crate::runner::threads(threads);
    let batch = scenarios
        .into_iter()
        .map(|s| prepare(s, overrides, observer))
        .collect::<Result<Vec<_>>>()?;
    check_unique_names(&batch)?;
    ensure_fits(&Estimate::of(
        &batch.iter().collect::<Vec<_>>(),
        threads,
        Some(Quantiles::Auto),
    ))?;
    let jobs = jobs_of(&batch);
    let mut frames = RunFrames::new(&batch);
    observer.start(jobs.len() as u64);
    let delivered = execute_until(&batch, &jobs[..], threads, &mut frames, &|| observer.run_done(), stop)?;
    observer.finish();
    Ok((delivered == jobs.len()).then(|| frames.finish()))
}

/// Name the folder in a write failure.
pub(super) fn in_folder(e: Error, dir: &std::path::Path) -> Error {
    match e {
        Error::Io { source, .. } => Error::io(format!("writing results to {}", dir.display()), source),
        other => other,
    }
}

/// Refuse, before anything is written, what `--format parquet` cannot do.
fn check_format(options: &RunOptions) -> Result<()> {
    options.keep.format.check_available()?;
    options.keep.format.check_resume(options.resume)?;
    if options.keep.format == Format::Parquet && options.report.is_some() {
        return Err(Error::Input(
            "--report draws from CSV tables: with --format parquet, query the Parquet files with DuckDB, \
             pandas or polars, or run with --format csv for a report"
                .into(),
        ));
    }
    Ok(())
}

fn check_unique_names(batch: &[Prepared]) -> Result<()> {
    for (i, a) in batch.iter().enumerate() {
        if batch[..i].iter().any(|b| b.scenario.name == a.scenario.name) {
            return Err(Error::Input(format!(
                "two scenarios are named `{}`; names label the output rows, so they must differ",
                a.scenario.name
            )));
        }
    }
    Ok(())
}
