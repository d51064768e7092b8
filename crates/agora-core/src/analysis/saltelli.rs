//! Variance-based (Sobol') sensitivity indices with the Saltelli design.
//!
//! **Design** (Saltelli 2002, "Making best use of model evaluations to
//! compute sensitivity indices", CPC 145:280). The base is `N` points of a
//! `2D`-dimensional Sobol' sequence; its first `D` columns are matrix `A`,
//! its last `D` are `B`. `AB_i` is `A` with column `i` taken from `B`, and
//! `BA_i` is `B` with column `i` taken from `A`. Rows come in SALib's order
//! (`SALib.sample.sobol.sample`), block by block per base row `r`:
//!
//! ```text
//! A_r, AB_1_r, ..., AB_D_r, [BA_1_r, ..., BA_D_r,] B_r
//! ```
//!
//! so `N (D + 2)` rows, or `N (2D + 2)` with second order. Model outputs are
//! given back in the same order.
//!
//! **Estimators**, as in SALib's `analyze.sobol`, all normalised by the
//! (population) variance `V` of the stacked `f(A)`, `f(B)`, after centring
//! every output on the mean of all outputs (which lowers the variance of the
//! products below without changing their expectation):
//!
//! - first order, Saltelli et al. (2010, CPC 181:259, Table 2 (b)):
//!   `S_i = mean(f(B) (f(AB_i) - f(A))) / V`;
//! - total order, Jansen (1999, CPC 117:35), Saltelli et al. (2010, Table 2 (f)):
//!   `ST_i = mean((f(A) - f(AB_i))^2) / 2 / V`;
//! - second order, Saltelli (2002, eq. 12 with the `f0^2` estimate
//!   `mean(f(A) f(B))`): `S_ij = mean(f(BA_i) f(AB_j) - f(A) f(B)) / V - S_i - S_j`.
//!
//! **Intervals**: the `N` base rows (each with its `D + 2` or `2D + 2`
//! outputs) are resampled with replacement; every index is recomputed on
//! each resample and the 2.5th and 97.5th percentiles are the interval
//! (Efron & Tibshirani 1993). SALib instead reports 1.96 bootstrap standard
//! errors; [`Estimate::se`] has that standard error too.

use crate::par::*;

use super::sobol_seq::sobol_points;
use super::{AnalysisError, Estimate, resample};

/// Rows of the Saltelli design for `n` base rows and `d` parameters.
pub fn design_rows(n: usize, d: usize, second_order: bool) -> usize {
    n * block(d, second_order)
}

/// Rows per base row: A, D x AB, [D x BA], B.
fn block(d: usize, second_order: bool) -> usize {
    if second_order { 2 * d + 2 } else { d + 2 }
}

/// The Saltelli design from base rows of `2D` unit values (A then B), in the
/// row order of the module doc.
pub fn saltelli_design(base: &[Vec<f64>], second_order: bool) -> Result<Vec<Vec<f64>>, AnalysisError> {
    let width = base.first().map_or(0, Vec::len);
    if width == 0 || width % 2 == 1 {
        return Err(AnalysisError::invalid(
            "base",
            format!("base rows have {width} columns; they need 2D > 0 (A then B)"),
        ));
    }
    let d = width / 2;
    let mut rows = Vec::with_capacity(design_rows(base.len(), d, second_order));
    for (r, row) in base.iter().enumerate() {
        if row.len() != width {
            return Err(AnalysisError::shape(format!("base row {r} columns"), width, row.len()));
        }
        let (a, b) = row.split_at(d);
        rows.push(a.to_vec());
        rows.extend((0..d).map(|i| cross(a, b, i)));
        if second_order {
            rows.extend((0..d).map(|i| cross(b, a, i)));
        }
        rows.push(b.to_vec());
    }
    Ok(rows)
}

/// `into` with column `i` taken from `from`.
fn cross(into: &[f64], from: &[f64], i: usize) -> Vec<f64> {
    let mut row = into.to_vec();
    row[i] = from[i];
    row
}

/// The unit-hypercube Saltelli design for `d` parameters from the first `n`
/// points of the `2d`-dimensional Sobol' sequence, Owen-scrambled with the
/// seed if `scramble` is given (as SALib does by default). Map it to
/// parameter ranges with [`super::scale`].
pub fn saltelli_sample(
    n: usize,
    d: usize,
    second_order: bool,
    scramble: Option<u64>,
) -> Result<Vec<Vec<f64>>, AnalysisError> {
    if d == 0 {
        return Err(AnalysisError::invalid("d", "no parameters"));
    }
    saltelli_design(&sobol_points(n, 2 * d, scramble)?, second_order)
}

/// A warning when `n` is not a power of two: the Sobol' sequence is balanced
/// (a net) only in blocks of 2^k points, so other sizes converge worse
/// (Owen 2020; SALib warns the same way).
pub fn power_of_two_warning(n: usize) -> Option<String> {
    if n == 0 {
        return Some("N = 0: the design has no base rows".into());
    }
    (!n.is_power_of_two()).then(|| {
        let up = n.checked_next_power_of_two().unwrap_or(n).max(1);
        format!(
            "N = {n} is not a power of two; Sobol' points are balanced only in blocks of 2^k, \
             so convergence may be worse (use N = {} or {up})",
            (up / 2).max(1)
        )
    })
}

/// A second-order index of the parameter pair (`i`, `j`), `i < j`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecondOrder {
    /// First parameter (0-based).
    pub i: usize,
    /// Second parameter, greater than `i`.
    pub j: usize,
    /// `S_ij`, the share of variance due to the interaction alone.
    pub estimate: Estimate,
}

/// Sobol' indices of every parameter, in parameter order.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order indices `S_i`.
    pub s1: Vec<Estimate>,
    /// Total-order indices `ST_i`.
    pub st: Vec<Estimate>,
    /// Second-order indices for every pair `i < j` in order (0,1), (0,2), ...,
    /// (1,2), ...; empty unless computed.
    pub s2: Vec<SecondOrder>,
}

/// Model outputs split by block: `a[r]`, `b[r]`, `ab[i][r]`, `ba[i][r]`.
struct Blocks {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

impl Blocks {
    /// Splits centred `outputs` of a design with `d` parameters.
    fn split(outputs: &[f64], d: usize, second_order: bool) -> Result<Self, AnalysisError> {
        let step = block(d, second_order);
        if d == 0 || outputs.is_empty() || !outputs.len().is_multiple_of(step) {
            return Err(AnalysisError::invalid(
                "outputs",
                format!(
                    "{} outputs is not a positive multiple of {step} (D = {d}, second order {second_order})",
                    outputs.len()
                ),
            ));
        }
        if let Some(r) = outputs.iter().position(|y| !y.is_finite()) {
            return Err(AnalysisError::invalid("outputs", format!("output {r} is not finite")));
        }
        let mean = outputs.iter().sum::<f64>() / outputs.len() as f64;
        let column = |k: usize| outputs.iter().skip(k).step_by(step).map(|y| y - mean).collect();
        Ok(Self {
            a: column(0),
            b: column(step - 1),
            ab: (0..d).map(|i| column(1 + i)).collect(),
            ba: if second_order {
                (0..d).map(|i| column(1 + d + i)).collect()
            } else {
                Vec::new()
            },
        })
    }
}

/// Point values of every index on one set of base rows.
struct Values {
    s1: Vec<f64>,
    st: Vec<f64>,
    /// In pair order (0,1), (0,2), ..., (1,2), ...
    s2: Vec<f64>,
}

/// Indices on the base rows `rows` (possibly repeated). All zero when the
/// outputs on those rows do not vary.
fn indices_on(blocks: &Blocks, rows: &[usize]) -> Values {
    let d = blocks.ab.len();
    let n = rows.len() as f64;
    let mean = |f: &dyn Fn(usize) -> f64| rows.iter().map(|&r| f(r)).sum::<f64>() / n;
    let (a, b) = (&blocks.a, &blocks.b);
    let m = mean(&|r| a[r] + b[r]) / 2.0;
    let var = mean(&|r| (a[r] - m).powi(2) + (b[r] - m).powi(2)) / 2.0;
    if var <= 0.0 {
        let pairs = if blocks.ba.is_empty() { 0 } else { d * (d - 1) / 2 };
        return Values {
            s1: vec![0.0; d],
            st: vec![0.0; d],
            s2: vec![0.0; pairs],
        };
    }
    let s1: Vec<f64> = (0..d)
        .map(|i| mean(&|r| b[r] * (blocks.ab[i][r] - a[r])) / var)
        .collect();
    let st = (0..d)
        .map(|i| mean(&|r| (a[r] - blocks.ab[i][r]).powi(2)) / 2.0 / var)
        .collect();
    let mut s2 = Vec::new();
    if !blocks.ba.is_empty() {
        for i in 0..d {
            for j in i + 1..d {
                let closed = mean(&|r| blocks.ba[i][r] * blocks.ab[j][r] - a[r] * b[r]) / var;
                s2.push(closed - s1[i] - s1[j]);
            }
        }
    }
    Values { s1, st, s2 }
}

/// First, total and (with `second_order`) second-order Sobol' indices of
/// `outputs`, the model evaluated on a Saltelli design of `d` parameters in
/// its row order, with 95% percentile intervals from `resamples` bootstrap
/// resamples of the base rows (seeded with `seed`; 0 resamples gives
/// intervals of zero width). Outputs that do not vary give indices of 0.
///
/// ```
/// use agora_core::analysis::{saltelli_sample, sobol_indices};
///
/// // y = 4 x0 + x1 on the unit square: x0 holds 16/17 of the variance, x1 1/17.
/// let design = saltelli_sample(1024, 2, false, Some(7))?;
/// let y: Vec<f64> = design.iter().map(|x| 4.0 * x[0] + x[1]).collect();
/// let indices = sobol_indices(&y, 2, false, 200, 1)?;
/// assert!((indices.s1[0].value - 16.0 / 17.0).abs() < 0.03);
/// assert!((indices.st[1].value - 1.0 / 17.0).abs() < 0.03);
/// assert!(indices.s1[0].lo <= indices.s1[0].value && indices.s1[0].value <= indices.s1[0].hi);
/// # Ok::<(), agora_core::analysis::AnalysisError>(())
/// ```
pub fn sobol_indices(
    outputs: &[f64],
    d: usize,
    second_order: bool,
    resamples: usize,
    seed: u64,
) -> Result<SobolIndices, AnalysisError> {
    let blocks = Blocks::split(outputs, d, second_order)?;
    let n = blocks.a.len();
    let full = indices_on(&blocks, &(0..n).collect::<Vec<_>>());
    // Replicates are independent streams, so the parallel map is deterministic.
    let reps: Vec<_> = (0..resamples as u64)
        .into_par_iter()
        .map(|k| indices_on(&blocks, &resample(seed, k, n)))
        .collect();
    let estimate =
        |value: f64, pick: &dyn Fn(&Values) -> f64| Estimate::from_replicates(value, reps.iter().map(pick).collect());
    let pairs = (0..d).flat_map(|i| (i + 1..d).map(move |j| (i, j)));
    Ok(SobolIndices {
        s1: (0..d).map(|i| estimate(full.s1[i], &|r| r.s1[i])).collect(),
        st: (0..d).map(|i| estimate(full.st[i], &|r| r.st[i])).collect(),
        s2: pairs
            .zip(0..full.s2.len())
            .map(|((i, j), k)| SecondOrder {
                i,
                j,
                estimate: estimate(full.s2[k], &|r| r.s2[k]),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::scale;
    use std::f64::consts::PI;

    const RESAMPLES: usize = 500;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Ishigami & Homma (1990) indices for a = 7, b = 0.1 (Sobol' & Levitan
    /// 1999): S1, ST, and S13 (the only nonzero interaction).
    fn ishigami_truth() -> ([f64; 3], [f64; 3], f64) {
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v], v13 / v)
    }

    fn run(d: usize, n: usize, second_order: bool, ranges: &[(f64, f64)], f: impl Fn(&[f64]) -> f64) -> SobolIndices {
        let design = scale(&saltelli_sample(n, d, second_order, Some(2024)).unwrap(), ranges).unwrap();
        let y: Vec<f64> = design.iter().map(|x| f(x)).collect();
        sobol_indices(&y, d, second_order, RESAMPLES, 7).unwrap()
    }

    /// |estimate - truth| < 4 SE, with a small SE; returns whether the
    /// truth is inside the 95% interval.
    fn check(name: &str, e: &Estimate, truth: f64) -> bool {
        assert!(e.se < 0.03, "{name}: SE {} too large", e.se);
        let err = (e.value - truth).abs();
        assert!(
            err < 4.0 * e.se.max(1e-4),
            "{name}: {} vs {truth} (SE {})",
            e.value,
            e.se
        );
        e.contains(truth)
    }

    #[test]
    fn design_has_salib_row_order() {
        let base = vec![vec![0.1, 0.2, 0.8, 0.9], vec![0.3, 0.4, 0.6, 0.7]];
        let rows = saltelli_design(&base, true).unwrap();
        assert_eq!(rows.len(), design_rows(2, 2, true));
        let first = [[0.1, 0.2], [0.8, 0.2], [0.1, 0.9], [0.1, 0.9], [0.8, 0.2], [0.8, 0.9]];
        for (r, e) in rows.iter().zip(&first) {
            assert_eq!(r.as_slice(), e.as_slice());
        }
        assert_eq!(rows[6], vec![0.3, 0.4]);
        let rows = saltelli_design(&base, false).unwrap();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows[3], vec![0.8, 0.9]);
        assert_eq!(rows[4], vec![0.3, 0.4]);
        assert!(saltelli_design(&[vec![0.1, 0.2, 0.3]], false).is_err());
    }

    #[test]
    fn ishigami_indices_match_analytic_values() {
        let ranges = [(-PI, PI); 3];
        let s = run(3, 1 << 12, true, &ranges, ishigami);
        let (s1, st, s13) = ishigami_truth();
        let show = |e: &Estimate| format!("{:.4} [{:.4}, {:.4}] se {:.4}", e.value, e.lo, e.hi, e.se);
        for i in 0..3 {
            println!("S1[{i}] {} truth {:.4}", show(&s.s1[i]), s1[i]);
            println!("ST[{i}] {} truth {:.4}", show(&s.st[i]), st[i]);
        }
        for p in &s.s2 {
            println!("S2[{},{}] {}", p.i, p.j, show(&p.estimate));
        }
        let mut inside = 0;
        for i in 0..3 {
            inside += usize::from(check(&format!("S1[{i}]"), &s.s1[i], s1[i]));
            inside += usize::from(check(&format!("ST[{i}]"), &s.st[i], st[i]));
        }
        let s2_truth = [0.0, s13, 0.0];
        for (p, truth) in s.s2.iter().zip(s2_truth) {
            inside += usize::from(check(&format!("S2[{},{}]", p.i, p.j), &p.estimate, truth));
        }
        assert_eq!((s.s2[1].i, s.s2[1].j), (0, 2));
        assert!(inside >= 8, "only {inside} of 9 intervals hold the truth");
        assert!(!s.s1[0].contains_zero() && !s.st[2].contains_zero());
        assert!(s.s1[2].contains_zero());
    }

    #[test]
    fn g_function_indices_match_analytic_values() {
        // Sobol' G-function (Saltelli & Sobol' 1995): V_i = 1 / (3 (1 + a_i)^2).
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let g = |x: &[f64]| {
            x.iter()
                .zip(&a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product()
        };
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
        let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let s = run(6, 1 << 12, false, &[(0.0, 1.0); 6], g);
        let mut inside = 0;
        for i in 0..6 {
            let rest: f64 = (0..6).filter(|&j| j != i).map(|j| 1.0 + vi[j]).product();
            inside += usize::from(check(&format!("S1[{i}]"), &s.s1[i], vi[i] / v));
            inside += usize::from(check(&format!("ST[{i}]"), &s.st[i], vi[i] * rest / v));
        }
        assert!(inside >= 10, "only {inside} of 12 intervals hold the truth");
        assert!(s.s2.is_empty());
    }

    #[test]
    fn additive_model_has_equal_first_and_total_indices() {
        let c = [1.0, 2.0, 3.0];
        let s = run(3, 1 << 12, true, &[(0.0, 1.0); 3], |x| {
            x.iter().zip(&c).map(|(x, c)| x * c).sum()
        });
        for (i, c) in c.iter().enumerate() {
            let truth = c * c / 14.0;
            check("S1", &s.s1[i], truth);
            check("ST", &s.st[i], truth);
            let gap = (s.s1[i].value - s.st[i].value).abs();
            assert!(
                gap < 4.0 * (s.s1[i].se + s.st[i].se),
                "S1 {} vs ST {}",
                s.s1[i].value,
                s.st[i].value
            );
        }
        for p in &s.s2 {
            check("S2", &p.estimate, 0.0);
        }
    }

    #[test]
    fn constant_and_malformed_outputs() {
        let s = sobol_indices(&[3.0; 5 * 8], 3, false, 10, 1).unwrap();
        assert!(s.s1.iter().chain(&s.st).all(|e| e.value == 0.0));
        assert!(sobol_indices(&[1.0; 7], 3, false, 10, 1).is_err());
        assert!(sobol_indices(&[f64::NAN; 5], 3, false, 10, 1).is_err());
        assert!(sobol_indices(&[], 3, false, 10, 1).is_err());
    }

    #[test]
    fn warns_when_n_is_not_a_power_of_two() {
        assert!(power_of_two_warning(1024).is_none());
        assert!(power_of_two_warning(1).is_none());
        let w = power_of_two_warning(1000).unwrap();
        assert!(w.contains("512") && w.contains("1024"), "{w}");
        assert!(power_of_two_warning(0).is_some());
    }

    #[test]
    fn bootstrap_is_deterministic() {
        let y: Vec<f64> = (0..5 * 64).map(|k| ((k * 37) % 11) as f64).collect();
        assert_eq!(sobol_indices(&y, 3, false, 50, 3), sobol_indices(&y, 3, false, 50, 3));
    }
}
