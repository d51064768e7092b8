//! Model-independent mathematics of sensitivity analysis and scenario discovery.
//!
//! Everything here is a pure function of numbers: designs are built in the
//! unit hypercube and mapped to parameter ranges with [`scale`]; analyses take
//! the model outputs in the design's row order. No IO, no file formats.
//!
//! - [`sobol_seq`]: the Sobol' low-discrepancy sequence with Joe & Kuo (2008)
//!   direction numbers, optionally Owen-scrambled.
//! - [`saltelli`]: the Saltelli (2002, 2010) design and the first, total
//!   (Jansen 1999) and second order Sobol' indices with bootstrap intervals.
//! - [`morris`]: Morris (1991) elementary-effects trajectories and the
//!   mu, mu* (Campolongo et al. 2007) and sigma screening measures.
//! - [`abc`]: approximate Bayesian computation by adaptive population Monte
//!   Carlo (Lenormand, Jabot & Deffuant 2013), for calibration.
//! - [`nelder_mead`]: simplex minimisation for calibration objectives.
//! - [`prim`]: the Patient Rule Induction Method (Friedman & Fisher 1999)
//!   for scenario discovery, after the EMA Workbench.
//! - [`nsga2`]: the NSGA-II many-objective search (Deb et al. 2002), with
//!   [`hypervolume`] (exact) and the [`problems`] with known fronts
//!   (ZDT1-3, DTLZ2) it is tested on, and the [`robustness`] metrics
//!   (mean, worst case, regret, satisficing share), for `agora optimize`.
//!
//! Bootstrap intervals are percentile intervals (Efron & Tibshirani 1993,
//! ch. 13) over resampled design rows or trajectories, reported as an
//! [`Estimate`].

#![warn(missing_docs)]

pub mod abc;
pub mod hypervolume;
pub mod morris;
pub mod nelder_mead;
pub mod nsga2;
pub mod prim;
pub mod problems;
pub mod robustness;
pub mod saltelli;
mod sobol_directions;
pub mod sobol_seq;

pub use morris::{MorrisIndices, elementary_effects, morris_analyze, morris_trajectories};
pub use prim::{
    BoxStats, CoveringBox, InputTable, Limit, Objective, PrimConfig, Trajectory, box_stats, cover, paste, peel, quasi_p,
};
pub use saltelli::{
    SecondOrder, SobolIndices, design_rows, power_of_two_warning, saltelli_design, saltelli_sample, sobol_indices,
};
pub use sobol_seq::{MAX_DIMS, Sobol, sobol_points};

use crate::stats::{mean_sd, quantile_sorted};

/// Why an analysis function refused its arguments.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// A length or count does not match what the method needs.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// What was measured, e.g. "outputs" or "row 3 columns".
        what: String,
        /// The length the method needs.
        expected: usize,
        /// The length it was given.
        found: usize,
    },
    /// An argument is outside the values the method accepts.
    #[error("{name}: {reason}")]
    Invalid {
        /// The argument's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl AnalysisError {
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            reason: reason.into(),
        }
    }

    pub(crate) fn shape(what: impl Into<String>, expected: usize, found: usize) -> Self {
        Self::Shape {
            what: what.into(),
            expected,
            found,
        }
    }
}

/// A point estimate with a bootstrap 95% percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate on the full sample.
    pub value: f64,
    /// 2.5th percentile of the bootstrap replicates.
    pub lo: f64,
    /// 97.5th percentile of the bootstrap replicates.
    pub hi: f64,
    /// Standard deviation of the bootstrap replicates (n - 1), the bootstrap
    /// standard error; 0 without replicates.
    pub se: f64,
}

impl Estimate {
    /// The estimate with the 95% percentile interval and standard error of
    /// `replicates` (Efron & Tibshirani 1993, ch. 13). Without replicates the
    /// interval collapses onto `value`.
    pub fn from_replicates(value: f64, mut replicates: Vec<f64>) -> Self {
        if replicates.is_empty() {
            return Self {
                value,
                lo: value,
                hi: value,
                se: 0.0,
            };
        }
        let (_, se) = mean_sd(&replicates);
        replicates.sort_by(f64::total_cmp);
        let lo = quantile_sorted(&replicates, 0.025);
        let hi = quantile_sorted(&replicates, 0.975);
        Self { value, lo, hi, se }
    }

    /// Whether the interval contains 0: the effect is not distinguishable
    /// from none at this sample size.
    pub fn contains_zero(&self) -> bool {
        self.lo <= 0.0 && 0.0 <= self.hi
    }

    /// Whether `x` lies in the interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// Maps unit-hypercube rows to parameter ranges: column `j` of each row goes
/// from [0, 1) to [low_j, high_j) by `low + u (high - low)`.
pub fn scale(unit_rows: &[Vec<f64>], ranges: &[(f64, f64)]) -> Result<Vec<Vec<f64>>, AnalysisError> {
    for (j, &(low, high)) in ranges.iter().enumerate() {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(AnalysisError::invalid(
                "ranges",
                format!("range {j} is ({low}, {high}); it needs finite low < high"),
            ));
        }
    }
    unit_rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            if row.len() != ranges.len() {
                return Err(AnalysisError::shape(
                    format!("row {r} columns"),
                    ranges.len(),
                    row.len(),
                ));
            }
            Ok(row
                .iter()
                .zip(ranges)
                .map(|(u, (low, high))| low + u * (high - low))
                .collect())
        })
        .collect()
}

/// Indices of `n` items drawn with replacement: one bootstrap resample.
/// Each replicate has its own ChaCha8 stream of `seed`, so replicates can be
/// computed in any order or in parallel and still be the same.
pub(crate) fn resample(seed: u64, replicate: u64, n: usize) -> Vec<usize> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replicate);
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_interval_and_zero_flag() {
        let reps: Vec<f64> = (0..=1000).map(|i| i as f64 / 1000.0 - 0.2).collect();
        let e = Estimate::from_replicates(0.3, reps);
        assert!((e.lo - (0.025 - 0.2)).abs() < 1e-12);
        assert!((e.hi - (0.975 - 0.2)).abs() < 1e-12);
        assert!(e.contains_zero());
        let e = Estimate::from_replicates(1.0, vec![0.9, 1.1, 1.0]);
        assert!(!e.contains_zero());
        let none = Estimate::from_replicates(2.0, vec![]);
        assert_eq!((none.lo, none.hi, none.se), (2.0, 2.0, 0.0));
    }

    #[test]
    fn scale_maps_unit_to_ranges_and_checks_shapes() {
        let rows = vec![vec![0.0, 0.5], vec![0.25, 1.0]];
        let s = scale(&rows, &[(1.0, 3.0), (-1.0, 1.0)]).unwrap();
        assert_eq!(s, vec![vec![1.0, 0.0], vec![1.5, 1.0]]);
        assert!(scale(&rows, &[(1.0, 3.0)]).is_err());
        assert!(scale(&rows, &[(1.0, 1.0), (0.0, 1.0)]).is_err());
    }

    #[test]
    fn resample_is_deterministic_and_in_range() {
        let a = resample(7, 3, 50);
        assert_eq!(a, resample(7, 3, 50));
        assert_ne!(a, resample(7, 4, 50));
        assert!(a.iter().all(|&i| i < 50));
    }
}
