//! Reading a model at calendar months: the model counterpart of an
//! observation, one value per replicate.

use crate::calendar::Month;
use crate::model::Model;
use crate::par::*;
use crate::rng::replicate_seed;
use crate::runner::Prepared;
use crate::scenario::Scenario;

/// What to read from the model's state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// A metric of docs/model.md section 9, by its position.
    Metric(usize),
    /// The share of administrations with a first Social CRM step among
    /// those whose log-size position `q` (section 5) lies in `(above, up_to]`.
    PresenceBySize {
        /// Lower bound of `q`, exclusive.
        above: f64,
        /// Upper bound of `q`, inclusive.
        up_to: f64,
    },
}

/// One reading: a quantity at a month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Read {
    /// What.
    pub quantity: Quantity,
    /// The step it is read at.
    pub step: u32,
}

impl Read {
    /// `quantity` at `month` of a scenario starting at `start`.
    pub fn at(quantity: Quantity, start: Month, month: Month) -> Read {
        let step = start.months_to(month);
        assert!(step >= 0, "month {month} is before the start {start}");
        Read {
            quantity,
            step: step as u32,
        }
    }
}

/// The log-size position `q_j` of each administration: 0 for the smallest
/// jurisdiction, 1 for the largest, on a log scale (as size readiness uses it).
pub fn size_positions(model: &Model) -> Vec<f64> {
    let sizes: Vec<f64> = (0..model.admins.len())
        .map(|j| f64::from(model.admins.size(j).max(1)).ln())
        .collect();
    let lo = sizes.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = sizes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    sizes
        .iter()
        .map(|&s| if hi > lo { (s - lo) / (hi - lo) } else { 0.0 })
        .collect()
}

fn value(model: &Model, quantity: Quantity, positions: &[f64]) -> f64 {
    match quantity {
        Quantity::Metric(k) => model.metrics().values[k],
        Quantity::PresenceBySize { above, up_to } => {
            let (mut n, mut present) = (0u32, 0u32);
            for (j, &q) in positions.iter().enumerate() {
                if q > above && q <= up_to {
                    n += 1;
                    present += u32::from(model.admins.adoption[j] > 0.0);
                }
            }
            if n == 0 {
                f64::NAN
            } else {
                f64::from(present) / f64::from(n)
            }
        }
    }
}

/// The readings of one replicate seeded `seed`, in the order of `reads`.
pub fn observe(prepared: &Prepared, seed: u64, reads: &[Read]) -> Vec<f64> {
    let mut model = Model::new(&prepared.scenario, seed, &prepared.graphs);
    let positions = size_positions(&model);
    let last = reads.iter().map(|r| r.step).max().unwrap_or(0);
    let mut out = vec![f64::NAN; reads.len()];
    for step in 0..=last {
        if step > 0 {
            model.step();
        }
        for (k, r) in reads.iter().enumerate() {
            if r.step == step {
                out[k] = value(&model, r.quantity, &positions);
            }
        }
    }
    out
}

/// The readings of replicates `0..replicates` (seeds from `seed`, as `agora
/// run` derives them), indexed `[reading][replicate]`; in parallel, the same
/// numbers at any thread count.
pub fn sample(scenario: &Scenario, seed: u64, replicates: u32, reads: &[Read]) -> Vec<Vec<f64>> {
    let mut s = scenario.clone();
    // Run exactly as far as the last reading (as the calibration did).
    s.steps = reads.iter().map(|r| r.step).max().unwrap_or(0);
    let prepared = Prepared::new(s).expect("built-in scenarios load no files");
    let runs: Vec<Vec<f64>> = (0..replicates)
        .into_par_iter()
        .map(|r| observe(&prepared, replicate_seed(seed, r), reads))
        .collect();
    (0..reads.len())
        .map(|k| runs.iter().map(|run| run[k]).collect())
        .collect()
}

/// The mean and the central 95% band (2.5th and 97.5th percentiles,
/// interpolated) of one reading across replicates; undefined values left out.
pub fn band(values: &[f64]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (
        mean,
        crate::stats::quantile_sorted(&v, 0.025),
        crate::stats::quantile_sorted(&v, 0.975),
    )
}

/// The mean of a reading across replicates (undefined values left out).
pub fn mean(values: &[f64]) -> f64 {
    band(values).0
}
