//! `agora validate`: the model checked against data, most of which it was
//! not fitted to; a results folder with `validation.csv` and a manifest.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::Observer;
use crate::error::{Error, Result};
use crate::output::manifest::FileRecord;
use crate::output::{Folder, Stopwatch, analysis, validation as files};
use crate::validation::{self, Effort, Validation};

/// The default seed of the validation's replicates: not the calibration's
/// (2012), so the bands come from replicates the fit never saw.
pub const SEED: u64 = 2026;

/// What `agora validate` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The results folder.
    pub out: PathBuf,
    /// Small populations and few replicates (checks the command in seconds; not for quoting).
    pub quick: bool,
    /// The replicates' seed; `None`: 2026, the default seed.
    pub seed: Option<u64>,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
    /// Also write `report.html` with this writer.
    pub report: Option<super::ReportWriter>,
}

/// What a finished validation reports.
#[derive(Debug, Clone)]
pub struct ValidateOutcome {
    /// Everything computed.
    pub validation: Validation,
    /// The table printed.
    pub text: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// The report, if one was asked for.
    pub report: Option<PathBuf>,
}

/// Run every validation pattern and write the folder.
pub fn validate(options: &ValidateOptions, observer: &dyn Observer) -> Result<ValidateOutcome> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    // The quick mode of the environment (AGORA_QUICK, README's commands in CI) implies --quick.
    let quick = options.quick || crate::scenario::quick_mode();
    let effort = if quick { Effort::quick() } else { Effort::full() };
    let seed = options.seed.unwrap_or(SEED);
    let folder = Folder::lock(&options.out)?;
    let pool = crate::par::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Input(format!("cannot start {threads} worker threads: {e}")))?;
    let result =
        pool.install(|| validation::validate(effort, seed, &|part| observer.note(&format!("validating: {part}"))));
    analysis::in_folder(files::write(&result, folder.path()), folder.path())?;
    let inputs = validation::data::files()
        .into_iter()
        .map(|(name, bytes)| FileRecord {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(bytes)),
        })
        .collect();
    let notes = vec![
        format!(
            "effort: {} ({} citizens and {} replicates per band, {} citizens for the futures; refits of {} citizens x {} replicates, {} leave-one-out and {} indicator iterations)",
            if quick { "quick" } else { "full" },
            effort.citizens,
            effort.replicates,
            effort.future_citizens,
            effort.fit.citizens,
            effort.fit.replicates,
            effort.loo_iterations,
            effort.indicator_iterations
        ),
        format!(
            "seed {seed} for the bands; refits use the calibration's seed {}",
            validation::past::FIT_SEED
        ),
        "pass: the observation lies within 2 of its standard deviations of the model's 95% band".into(),
    ];
    analysis::publish(&folder, clock.provenance(), "validate", inputs, notes, &files::FILES)?;
    let report = options.report.map(|write| write(&folder)).transpose()?;
    Ok(ValidateOutcome {
        text: files::text(&result),
        validation: result,
        seconds: clock.seconds(),
        threads,
        report,
    })
}
