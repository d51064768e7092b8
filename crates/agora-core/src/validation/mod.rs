//! Validation: the model checked against data, most of which it was not
//! fitted to (docs/model.md section 11; `agora validate`).
//!
//! Each pattern becomes [`Row`]s: an observed value with its stated
//! uncertainty, the model's 95% band over independent replicates, and
//! whether the observation was used in fitting. A row passes when the
//! observation lies within two of its standard deviations of the band. A
//! failing row is a finding to show, never a reason to stop.
//!
//! - [`past`]: the ten observations the shared past is fitted to, the six
//!   free parameters and the objective (used by `examples/calibrate.rs`).
//! - [`refits`]: leave-one-out refits and refits to other indicators.
//! - [`countries`]: each country from its own start level to 2024.
//! - [`sizes`]: presence by jurisdiction size and large councils' presence.
//! - [`futures`]: the narratives after the branch and the Bass limit.

pub mod countries;
pub mod data;
pub mod futures;
pub mod past;
pub mod refits;
mod row;
pub mod sample;
pub mod sizes;

pub use row::{Group, Row};

use crate::calendar::Month;
use past::{FitEffort, Params, fitted_observations, past_scenario};
use sample::{Read, sample};

/// How much work a validation does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effort {
    /// Citizens per replicate of the bands.
    pub citizens: u32,
    /// Independent replicates per band.
    pub replicates: u32,
    /// Citizens per replicate of the three futures (to December 2030).
    pub future_citizens: u32,
    /// Each refit's objective evaluation.
    pub fit: FitEffort,
    /// Nelder-Mead iterations of each leave-one-out refit.
    pub loo_iterations: usize,
    /// Nelder-Mead iterations of each indicator refit.
    pub indicator_iterations: usize,
    /// Bisection steps matching a country's start.
    pub bisection_steps: usize,
}

impl Effort {
    /// The run whose table is committed under `data/validation/`.
    pub fn full() -> Effort {
        Effort {
            citizens: 20_000,
            replicates: 30,
            future_citizens: 10_000,
            fit: FitEffort {
                citizens: 10_000,
                replicates: 4,
            },
            loo_iterations: 60,
            indicator_iterations: 80,
            bisection_steps: 12,
        }
    }

    /// Small populations and few replicates: the same rows in seconds, for
    /// checking the command, not for quoting.
    pub fn quick() -> Effort {
        Effort {
            citizens: 2_000,
            replicates: 6,
            future_citizens: 2_000,
            fit: FitEffort {
                citizens: 2_000,
                replicates: 2,
            },
            loo_iterations: 3,
            indicator_iterations: 3,
            bisection_steps: 4,
        }
    }
}

/// Everything a validation computed.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Every pattern's rows, in table order.
    pub rows: Vec<Row>,
    /// The countries' predictions.
    pub countries: Vec<countries::Country>,
    /// Per start: rank correlation and errors across countries.
    pub country_summaries: Vec<countries::Summary>,
    /// The leave-one-out refits.
    pub left_out: Vec<refits::LeftOut>,
    /// The digital layer refitted to each indicator.
    pub indicators: Vec<refits::IndicatorFit>,
    /// The calibrated parameters everything starts from.
    pub calibrated: Params,
}

/// The fitted observations against the calibrated model's band.
fn fitted_rows(citizens: u32, replicates: u32, seed: u64) -> Vec<Row> {
    let observations = fitted_observations();
    let past = past_scenario(citizens);
    let start = Month::parse(&past.start).expect("a valid start");
    let reads: Vec<Read> = observations
        .iter()
        .map(|o| Read::at(o.quantity, start, o.month))
        .collect();
    let values = sample(&past, seed, replicates, &reads);
    observations
        .iter()
        .zip(&values)
        .map(|(o, v)| {
            let group = match o.quantity {
                sample::Quantity::Metric(k) if k == crate::model::metrics::idx::DIGITAL_INTERACTION => {
                    Group::OnlineContact
                }
                _ => Group::Presence,
            };
            Row::new(
                group,
                format!("{} (share)", o.label),
                o.source.clone(),
                o.month.to_string(),
            )
            .observed(o.value, o.sd)
            .fitted()
            .with_band(v)
        })
        .collect()
}

/// Run every pattern. `progress` is called with the name of each part as it starts.
pub fn validate(effort: Effort, seed: u64, progress: &dyn Fn(&str)) -> Validation {
    let calibrated = Params::of(&past_scenario(effort.citizens));
    let mut rows = Vec::new();
    progress("the fitted past");
    rows.extend(fitted_rows(effort.citizens, effort.replicates, seed));
    progress("leave-one-out refits");
    let (left_out, loo_rows) = refits::leave_one_out(
        calibrated,
        effort.fit,
        effort.loo_iterations,
        effort.citizens,
        effort.replicates,
        seed,
    );
    rows.extend(loo_rows);
    progress("countries");
    let (countries, country_summaries, country_rows) = countries::predict(
        effort.citizens,
        effort.replicates,
        seed,
        effort.fit,
        effort.bisection_steps,
    );
    rows.extend(country_rows);
    progress("size and large councils");
    rows.extend(sizes::rows(effort.citizens, effort.replicates, seed));
    progress("the three futures");
    rows.extend(futures::rows(effort.future_citizens, effort.replicates, seed));
    rows.extend(futures::bass_rows(effort.citizens, effort.replicates, seed));
    progress("indicator refits");
    let indicators = refits::indicators(calibrated, effort.fit, effort.indicator_iterations);
    // Table order: by group, as the report draws them.
    rows.sort_by_key(|r| Group::ALL.iter().position(|g| *g == r.group));
    Validation {
        rows,
        countries,
        country_summaries,
        left_out,
        indicators,
        calibrated,
    }
}
