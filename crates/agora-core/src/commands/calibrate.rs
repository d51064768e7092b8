//! `agora calibrate`: a calibration file in, a posterior folder out.
//!
//! Approximate Bayesian computation by adaptive population Monte Carlo
//! ([`crate::analysis::abc`]) against an observed series; each generation
//! is appended to the folder as it completes, so `--resume` continues an
//! interrupted run after its last complete generation with the same bytes.

use std::path::PathBuf;

use crate::par::*;

use super::{Observer, ensure_fits};
use crate::analysis::abc::{self, Generation, Marginal, marginals, weighted_quantile};
use crate::calibration::Calibration;
use crate::error::{Error, Result};
use crate::memory::Estimate;
use crate::output::calibrate::{
    Band, CalibrationOutput, GENERATIONS, POSTERIOR, PREDICTIVE, SUMMARY, write_predictive, write_summary,
};
use crate::output::manifest::{Content, input_record};
use crate::output::{Folder, Manifest, Stopwatch};
use crate::runner::Prepared;

/// What `agora calibrate` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct CalibrateOptions {
    /// The calibration file (RON).
    pub file: PathBuf,
    /// The results folder; `None`: `results/<calibration name>`.
    pub out: Option<PathBuf>,
    /// Continue after the last complete generation of an interrupted run.
    pub resume: bool,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
}

/// What a finished `agora calibrate` reports.
#[derive(Debug, Clone)]
pub struct CalibrateOutcome {
    /// The resolved calibration.
    pub calibration: Calibration,
    /// The last generation (the posterior sample).
    pub last: Generation,
    /// Its marginal summaries, in parameter order.
    pub marginals: Vec<Marginal>,
    /// The posterior-predictive band at the observed dates.
    pub bands: Vec<Band>,
    /// Generations found complete by `--resume`.
    pub resumed: usize,
    /// Simulated particles (each of `replicates` runs), this invocation.
    pub simulations: usize,
    /// The folder written.
    pub out: PathBuf,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Run the calibration and write its folder.
pub fn calibrate(options: &CalibrateOptions, observer: &dyn Observer) -> Result<CalibrateOutcome> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    if !options.file.exists() {
        return Err(Error::Input(format!(
            "{}: no such calibration file",
            options.file.display()
        )));
    }
    let c = Calibration::load(&options.file)?;
    let base = c.prepare()?;
    ensure_fits(&Estimate::of(&[&base], threads, None))?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&c.name));
    let folder = Folder::lock(&out)?;
    folder.retract()?;
    let pool = crate::par::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::io("starting worker threads", std::io::Error::other(e)))?;
    let (mut output, resumed) = CalibrationOutput::open(&folder, &c, options.resume)?;
    let done = resumed.as_ref().map_or(0, |g| g.index + 1);
    if done > 0 {
        observer.note(&format!("resuming after generation {} of {}", done - 1, out.display()));
    }
    let mut simulations = 0;
    let last = pool.install(|| {
        let distance = |theta: &[f64], seed: u64| c.distance(&base, theta, seed);
        abc::apmc(&c.config(), &c.priors, resumed, distance, |g| {
            simulations += g.simulations;
            observer.note(&generation_line(g));
            output
                .add(g)
                .map_err(|e| Error::io(format!("writing results to {}", out.display()), e))
        })
    })?;
    let bands = pool.install(|| predictive(&c, &base, &last));
    let marginals = marginals(&last);
    write_outputs(&folder, output, &c, &marginals, &bands)?;
    publish(&folder, &options.file, &c, &last, &clock)?;
    Ok(CalibrateOutcome {
        calibration: c,
        last,
        marginals,
        bands,
        resumed: done,
        simulations,
        out,
        seconds: clock.seconds(),
    })
}

/// One line of progress per generation.
fn generation_line(g: &Generation) -> String {
    format!(
        "generation {}: epsilon {:.5}, acceptance {:.3}, {} simulations",
        g.index, g.epsilon, g.acceptance, g.simulations
    )
}

/// Commit the growing tables, then write the summary and the band.
fn write_outputs(
    folder: &Folder,
    output: CalibrationOutput,
    c: &Calibration,
    marginals: &[Marginal],
    bands: &[Band],
) -> Result<()> {
    let dir = folder.path().display().to_string();
    let context = |e| Error::io(format!("writing results to {dir}"), e);
    output.commit(folder).map_err(context)?;
    write_summary(&folder.join(SUMMARY), &c.parameters, marginals).map_err(context)?;
    write_predictive(&folder.join(PREDICTIVE), bands).map_err(context)
}

/// The manifest, last.
fn publish(
    folder: &Folder,
    file: &std::path::Path,
    c: &Calibration,
    last: &Generation,
    clock: &Stopwatch,
) -> Result<()> {
    let inputs = vec![input_record(file)?, input_record(&c.observed_file)?];
    let stopped = if last.acceptance < c.min_acceptance {
        format!(
            "stopped: acceptance {} below {} at generation {}",
            last.acceptance, c.min_acceptance, last.index
        )
    } else {
        format!("stopped: max_generations {} reached", c.max_generations)
    };
    let notes = vec![
        stopped,
        format!(
            "distance: RMSE at the observed dates of the mean of `{}` over {} replicates",
            c.metric, c.replicates
        ),
        "summary: weighted median, 5th and 95th percentiles and mean of the last generation".into(),
        "predictive: each last-generation particle simulated once more (fresh seeds), weighted percentiles".into(),
    ];
    let content = Content::Calibration {
        calibration: c.clone(),
        inputs,
        generations: last.index + 1,
        notes,
    };
    let files = [POSTERIOR, GENERATIONS, SUMMARY, PREDICTIVE];
    let manifest = Manifest::of_files(folder.path(), clock.provenance(), content, &files)?;
    folder.publish(&manifest)
}

/// The seed stream of the posterior-predictive simulations (no generation
/// reaches it).
const PREDICTIVE_STREAM: usize = u32::MAX as usize;

/// Each particle of `last` simulated once more with a fresh seed; the
/// weighted 5th, 50th and 95th percentiles at each observed date.
pub fn predictive(c: &Calibration, base: &Prepared, last: &Generation) -> Vec<Band> {
    let runs: Vec<Vec<f64>> = last
        .particles
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let seed = abc::simulation_seed(c.seed, PREDICTIVE_STREAM, i);
            c.simulate(base, &p.theta, seed)
                .unwrap_or_else(|_| vec![f64::NAN; c.observed.len()])
        })
        .collect();
    let weights = last.weights();
    c.observed
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let values: Vec<f64> = runs.iter().map(|r| r[k]).collect();
            Band {
                date: o.date.clone(),
                observed: o.value,
                p05: weighted_quantile(&values, &weights, 0.05),
                p50: weighted_quantile(&values, &weights, 0.5),
                p95: weighted_quantile(&values, &weights, 0.95),
            }
        })
        .collect()
}
