//! Morris (1991) elementary-effects screening.
//!
//! **Design** (Morris 1991, "Factorial sampling plans for preliminary
//! computational experiments", Technometrics 33:161, section 3;
//! Campolongo, Cariboni & Saltelli 2007, Environ. Model. Softw. 22:1509,
//! eq. 3; SALib `sample.morris`). A trajectory is `D + 1` points on the
//! `p`-level grid {0, 1/(p-1), ..., 1} with step `Delta = p / (2 (p - 1))`:
//!
//! ```text
//! B* = (J x* + Delta/2 ((2B - J) D* + J)) P*
//! ```
//!
//! with `B` the strictly lower-triangular `(D+1) x D` matrix of ones, `J`
//! ones, `x*` a random base point among the first `p/2` levels (so that
//! `x* + Delta` is on the grid), `D*` a random diagonal of +/-1 and `P*` a
//! random permutation. Row `k` differs from row `k - 1` in exactly one
//! coordinate, by +/-Delta, and each coordinate moves once. Trajectories
//! follow each other, `D + 1` rows each. `p` must be even (as Morris
//! requires for the levels to be equally likely); 4 is the usual choice.
//! The optimised selection of Campolongo et al. (2007) is not done here.
//!
//! **Analysis**. The elementary effect of the coordinate `i` that moves at a
//! step is `(f(upper) - f(lower)) / Delta`, in unit-hypercube units (the
//! inputs as given to [`morris_trajectories`], before [`super::scale`]).
//! Per parameter over the `R` trajectories: `mu`, the mean effect (Morris
//! 1991); `mu*`, the mean absolute effect (Campolongo et al. 2007); and
//! `sigma`, the standard deviation (n - 1) of the effects, which is large
//! when the effect depends on the other inputs or is nonlinear. Each has a
//! bootstrap 95% percentile interval over resampled trajectories.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{AnalysisError, Estimate, resample};
use crate::stats::mean_sd;

/// `R` Morris trajectories of `d` parameters on a `levels`-point grid of the
/// unit hypercube: `R (d + 1)` rows in trajectory order. Trajectory `t` is
/// drawn from ChaCha8 stream `t` of `seed`, so it does not depend on `r`.
pub fn morris_trajectories(r: usize, d: usize, levels: usize, seed: u64) -> Result<Vec<Vec<f64>>, AnalysisError> {
    if levels < 2 || levels % 2 == 1 {
        return Err(AnalysisError::invalid(
            "levels",
            format!("{levels}; it must be even and at least 2"),
        ));
    }
    if d == 0 || r == 0 {
        return Err(AnalysisError::invalid("r, d", "no trajectories or no parameters"));
    }
    let mut rows = Vec::with_capacity(r * (d + 1));
    for t in 0..r as u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t);
        rows.extend(trajectory(&mut rng, d, levels));
    }
    Ok(rows)
}

/// One trajectory, B* of the module doc, computed in whole grid levels so
/// that every coordinate is exactly `level / (levels - 1)`.
fn trajectory(rng: &mut ChaCha8Rng, d: usize, levels: usize) -> Vec<Vec<f64>> {
    let half = levels / 2; // Delta in levels
    let base: Vec<usize> = (0..d).map(|_| rng.random_range(0..half)).collect();
    let up: Vec<bool> = (0..d).map(|_| rng.random_bool(0.5)).collect();
    let mut order: Vec<usize> = (0..d).collect();
    order.shuffle(rng);
    let top = (levels - 1) as f64;
    (0..=d)
        .map(|k| {
            // Column c of B* is column order[c] of the unpermuted matrix,
            // whose column l has moved once k > l; the term
            // ((2B - J) D* + J) / 2 is 1 exactly when the column sits at x* + Delta.
            (0..d)
                .map(|c| {
                    let l = order[c];
                    let moved = k > l;
                    let high = moved == up[l];
                    (base[l] + if high { half } else { 0 }) as f64 / top
                })
                .collect()
        })
        .collect()
}

/// Elementary effects `ee[t][i]` of each parameter `i` in each trajectory
/// `t`, from the unit design rows and the outputs in the same order. Each
/// step must change exactly one coordinate and each coordinate must change
/// once per trajectory; the step is read from the rows, so any design of
/// that form works, not only [`morris_trajectories`].
pub fn elementary_effects(unit_rows: &[Vec<f64>], outputs: &[f64], d: usize) -> Result<Vec<Vec<f64>>, AnalysisError> {
    if d == 0 || unit_rows.is_empty() || !unit_rows.len().is_multiple_of(d + 1) {
        return Err(AnalysisError::invalid(
            "unit_rows",
            format!(
                "{} rows is not a positive multiple of D + 1 = {}",
                unit_rows.len(),
                d + 1
            ),
        ));
    }
    if outputs.len() != unit_rows.len() {
        return Err(AnalysisError::shape("outputs", unit_rows.len(), outputs.len()));
    }
    let mut effects = Vec::with_capacity(unit_rows.len() / (d + 1));
    for (t, (rows, ys)) in unit_rows.chunks(d + 1).zip(outputs.chunks(d + 1)).enumerate() {
        let mut ee = vec![f64::NAN; d];
        for k in 1..=d {
            let at = t * (d + 1) + k;
            let (prev, row) = (&rows[k - 1], &rows[k]);
            if prev.len() != d || row.len() != d {
                return Err(AnalysisError::shape(format!("row {at} columns"), d, row.len()));
            }
            // Round-off from scaling or text files is far below any Delta.
            let moved: Vec<usize> = (0..d).filter(|&i| (row[i] - prev[i]).abs() > 1e-9).collect();
            let &[i] = moved.as_slice() else {
                return Err(AnalysisError::invalid(
                    "unit_rows",
                    format!(
                        "row {at} changes {} coordinates; a Morris step changes one",
                        moved.len()
                    ),
                ));
            };
            if !ee[i].is_nan() {
                return Err(AnalysisError::invalid(
                    "unit_rows",
                    format!("trajectory {t} moves coordinate {i} twice"),
                ));
            }
            ee[i] = (ys[k] - ys[k - 1]) / (row[i] - prev[i]);
        }
        effects.push(ee);
    }
    Ok(effects)
}

/// Morris measures of one parameter, each with a bootstrap 95% interval
/// over resampled trajectories.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndices {
    /// Mean elementary effect; effects of opposite sign cancel in it.
    pub mu: Estimate,
    /// Mean absolute elementary effect.
    pub mu_star: Estimate,
    /// Standard deviation of the elementary effects (n - 1; 0 for one
    /// trajectory).
    pub sigma: Estimate,
}

/// (mu, mu*, sigma) of the effects of trajectories `rows` (possibly repeated).
fn measures(effects: &[f64], rows: &[usize]) -> (f64, f64, f64) {
    let picked: Vec<f64> = rows.iter().map(|&t| effects[t]).collect();
    let (mu, sigma) = mean_sd(&picked);
    let mu_star = picked.iter().map(|e| e.abs()).sum::<f64>() / picked.len() as f64;
    (mu, mu_star, sigma)
}

/// Morris measures of each parameter from a design of `d` parameters in
/// unit-hypercube rows and the outputs in the same order, with intervals
/// from `resamples` bootstrap resamples of whole trajectories (seeded with
/// `seed`).
///
/// ```
/// use agora_core::analysis::{morris_analyze, morris_trajectories};
///
/// // A linear model: every elementary effect is its coefficient exactly.
/// let rows = morris_trajectories(10, 3, 4, 1)?;
/// let y: Vec<f64> = rows.iter().map(|x| 2.0 * x[0] - x[1]).collect();
/// let m = morris_analyze(&rows, &y, 3, 100, 1)?;
/// assert!((m[0].mu_star.value - 2.0).abs() < 1e-9);
/// assert!((m[1].mu.value + 1.0).abs() < 1e-9);
/// assert_eq!(m[2].mu_star.value, 0.0); // x2 does nothing
/// # Ok::<(), agora_core::analysis::AnalysisError>(())
/// ```
pub fn morris_analyze(
    unit_rows: &[Vec<f64>],
    outputs: &[f64],
    d: usize,
    resamples: usize,
    seed: u64,
) -> Result<Vec<MorrisIndices>, AnalysisError> {
    if let Some(r) = outputs.iter().position(|y| !y.is_finite()) {
        return Err(AnalysisError::invalid("outputs", format!("output {r} is not finite")));
    }
    let ee = elementary_effects(unit_rows, outputs, d)?;
    let n = ee.len();
    let replicates: Vec<Vec<usize>> = (0..resamples as u64).map(|k| resample(seed, k, n)).collect();
    let all: Vec<usize> = (0..n).collect();
    Ok((0..d)
        .map(|i| {
            let column: Vec<f64> = ee.iter().map(|e| e[i]).collect();
            let full = measures(&column, &all);
            let reps: Vec<(f64, f64, f64)> = replicates.iter().map(|rows| measures(&column, rows)).collect();
            let estimate = |value: f64, pick: fn(&(f64, f64, f64)) -> f64| {
                Estimate::from_replicates(value, reps.iter().map(pick).collect())
            };
            MorrisIndices {
                mu: estimate(full.0, |m| m.0),
                mu_star: estimate(full.1, |m| m.1),
                sigma: estimate(full.2, |m| m.2),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_step_one_coordinate_by_delta_on_the_grid() {
        for (d, levels) in [(1, 2), (3, 4), (7, 6), (12, 8)] {
            let (r, delta) = (30, levels as f64 / (2.0 * (levels - 1) as f64));
            let rows = morris_trajectories(r, d, levels, 11).unwrap();
            assert_eq!(rows.len(), r * (d + 1));
            for x in rows.iter().flatten() {
                let level = x * (levels - 1) as f64;
                assert!((level - level.round()).abs() < 1e-12 && (0.0..=1.0).contains(x), "{x}");
            }
            for traj in rows.chunks(d + 1) {
                let mut moved = vec![0; d];
                for step in traj.windows(2) {
                    let changed: Vec<usize> = (0..d).filter(|&i| step[1][i] != step[0][i]).collect();
                    assert_eq!(changed.len(), 1);
                    let i = changed[0];
                    assert!(((step[1][i] - step[0][i]).abs() - delta).abs() < 1e-12);
                    moved[i] += 1;
                }
                assert!(moved.iter().all(|&m| m == 1));
            }
        }
    }

    #[test]
    fn trajectories_are_deterministic_and_prefix_stable() {
        let a = morris_trajectories(10, 4, 4, 5).unwrap();
        assert_eq!(a, morris_trajectories(10, 4, 4, 5).unwrap());
        assert_eq!(a[..15], morris_trajectories(3, 4, 4, 5).unwrap()[..]);
        assert_ne!(a, morris_trajectories(10, 4, 4, 6).unwrap());
        assert!(morris_trajectories(10, 4, 5, 5).is_err());
        assert!(morris_trajectories(10, 0, 4, 5).is_err());
    }

    #[test]
    fn analytic_function_measures() {
        // f = 2 x1 + x2^2 + 0 x3 + (x4 - 1/2)^2 with p = 4, Delta = 2/3, lower
        // levels {0, 1/3}: EE1 = 2; EE2 = 2 x + Delta in {2/3, 4/3};
        // EE3 = 0; EE4 = 2 (x - 1/2) + Delta in {-1/3, 1/3}, so mu*4 = 1/3.
        let f = |x: &[f64]| 2.0 * x[0] + x[1] * x[1] + 0.0 * x[2] + (x[3] - 0.5).powi(2);
        let rows = morris_trajectories(40, 4, 4, 3).unwrap();
        let y: Vec<f64> = rows.iter().map(|x| f(x)).collect();
        let ee = elementary_effects(&rows, &y, 4).unwrap();
        for e in &ee {
            assert!((e[0] - 2.0).abs() < 1e-12);
            assert!((e[1] - 2.0 / 3.0).abs() < 1e-12 || (e[1] - 4.0 / 3.0).abs() < 1e-12);
            assert_eq!(e[2], 0.0);
            assert!((e[3].abs() - 1.0 / 3.0).abs() < 1e-12);
        }
        let m = morris_analyze(&rows, &y, 4, 200, 9).unwrap();
        assert!((m[0].mu_star.value - 2.0).abs() < 1e-12 && (m[0].mu.value - 2.0).abs() < 1e-12);
        assert!(m[0].sigma.value < 1e-12 && m[0].sigma.hi < 1e-12);
        assert!((m[0].mu_star.lo - 2.0).abs() < 1e-12 && (m[0].mu_star.hi - 2.0).abs() < 1e-12);
        assert!((2.0 / 3.0..=4.0 / 3.0).contains(&m[1].mu_star.value) && m[1].sigma.value > 0.0);
        assert_eq!((m[2].mu_star.value, m[2].mu.value, m[2].sigma.value), (0.0, 0.0, 0.0));
        assert!(m[2].mu_star.contains_zero());
        assert!((m[3].mu_star.value - 1.0 / 3.0).abs() < 1e-12);
        assert!(m[3].mu.value.abs() < m[3].mu_star.value && m[3].sigma.value > 0.1);
        assert!(m[3].mu.contains(m[3].mu.value) && m[3].sigma.contains(m[3].sigma.value));
        assert!(m[0].mu_star.value > m[1].mu_star.value);
        assert!(m[1].mu_star.value > m[3].mu_star.value && m[3].mu_star.value > m[2].mu_star.value);
        let lo_hi = (m[1].mu_star.lo, m[1].mu_star.hi);
        assert!(lo_hi.0 <= m[1].mu_star.value && m[1].mu_star.value <= lo_hi.1);
    }

    #[test]
    fn rejects_designs_that_are_not_trajectories() {
        let mut rows = morris_trajectories(2, 3, 4, 1).unwrap();
        let y = vec![0.0; rows.len()];
        assert!(elementary_effects(&rows, &y, 3).is_ok());
        assert!(elementary_effects(&rows, &y[1..], 3).is_err());
        assert!(elementary_effects(&rows[1..], &y[1..], 3).is_err());
        rows[1] = rows[0].iter().map(|x| 1.0 - x).collect();
        assert!(elementary_effects(&rows, &y, 3).is_err());
        let mut ny = y.clone();
        ny[0] = f64::INFINITY;
        assert!(morris_analyze(&morris_trajectories(2, 3, 4, 1).unwrap(), &ny, 3, 10, 1).is_err());
    }
}
