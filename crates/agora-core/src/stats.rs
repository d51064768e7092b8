//! Small statistics used by the aggregates: exact ones here, and a quantile
//! sketch with a stated error ([`sketch`]) for aggregates over more runs than
//! memory holds.
//!
//! ```
//! use agora_core::stats::{mean_sd, paired_t, wilson};
//!
//! assert_eq!(mean_sd(&[1.0, 2.0, 3.0]), (2.0, 1.0));
//! // 30 of 100 runs in a class: a 95% interval around 0.3.
//! let (lo, hi) = wilson(30, 100);
//! assert!(lo < 0.3 && 0.3 < hi);
//! // Paired differences of a policy from its baseline, replicate by replicate.
//! let (mean, _sd, lo, hi, pairs) = paired_t(&[0.1, 0.2, 0.3, 0.2]);
//! assert!((mean - 0.2).abs() < 1e-12 && lo > 0.0 && hi > mean && pairs == 4);
//! ```

pub mod sketch;

pub use sketch::QuantileSketch;

/// Mean and sample standard deviation (n - 1); sd is 0 for one value, and
/// both are NaN (undefined) for none.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|x| (x - mean).powi(2)).sum();
    (mean, (ss / (n - 1) as f64).sqrt())
}

/// Quantile `q` of sorted values by linear interpolation between order
/// statistics (Hyndman & Fan type 7, the default of R and NumPy); NaN for none.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Wilson score interval for `successes` of `trials` at 95%.
pub fn wilson(successes: u64, trials: u64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Running mean and variance (Welford), for aggregates that must not hold their inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    /// Values seen.
    pub count: u64,
    mean: f64,
    m2: f64,
}

impl Running {
    /// Add a value; an undefined one (NaN) is not counted.
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Mean of the values seen (NaN for none).
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// Sample standard deviation (n - 1; 0 for one value, NaN for none).
    pub fn sd(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else if self.count < 2 {
            0.0
        } else {
            (self.m2 / (self.count - 1) as f64).sqrt()
        }
    }
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`, the one-sided binomial test's p
/// value (`scipy.stats.binomtest(k, n, p, alternative="greater")`). The
/// terms are summed in log space, so large `n` neither overflows nor
/// underflows to a wrong 0.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    // ln P(X = k) = ln C(n, k) + k ln p + (n - k) ln q.
    let ln_choose: f64 = (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum();
    let mut term = ln_choose + k as f64 * lp + (n - k) as f64 * lq;
    let (mut max, mut sum) = (term, 1.0);
    for j in k..n {
        term += ((n - j) as f64 / (j + 1) as f64).ln() + lp - lq;
        if term > max {
            sum = sum * (max - term).exp() + 1.0;
            max = term;
        } else {
            sum += (term - max).exp();
        }
    }
    (max + sum.ln()).exp().min(1.0)
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (exact
/// table to 30, then the Cornish-Fisher expansion, within 1e-4); NaN for 0.
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604,
        2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518,
        2.0484, 2.0452, 2.0423,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let (z, n) = (1.959_963_985_f64, df as f64);
            let (z3, z5) = (z.powi(3), z.powi(5));
            z + (z3 + z) / (4.0 * n) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// The paired-t 95% interval of differences: mean, sd, low, high and the
/// number of differences. Undefined (NaN) below two differences, except the
/// mean of one.
pub fn paired_t(diffs: &[f64]) -> (f64, f64, f64, f64, usize) {
    let n = diffs.len();
    let (mean, sd) = mean_sd(diffs);
    if n < 2 {
        return (mean, f64::NAN, f64::NAN, f64::NAN, n);
    }
    let half = t_975(n - 1) * sd / (n as f64).sqrt();
    (mean, sd, mean - half, mean + half, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_upper_tail_matches_exact_sums() {
        // P(X >= 8), n = 10, p = 1/2: (45 + 10 + 1) / 1024.
        assert!((binomial_upper_tail(8, 10, 0.5) - 56.0 / 1024.0).abs() < 1e-14);
        assert_eq!(binomial_upper_tail(0, 10, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.3), 0.0);
        assert_eq!(binomial_upper_tail(3, 10, 0.0), 0.0);
        // P(X >= 1) = 1 - q^n.
        let exact = 1.0 - 0.9f64.powi(50);
        assert!((binomial_upper_tail(1, 50, 0.1) - exact).abs() < 1e-12);
        // Far in the tail: P(X = n) = p^n, here 1e-300 without underflow of the sum.
        let tiny = binomial_upper_tail(100, 100, 1e-3);
        assert!((tiny.ln() - 100.0 * 1e-3f64.ln()).abs() < 1e-9, "{tiny}");
        // Around the mean of a large n.
        let half = binomial_upper_tail(50_000, 100_000, 0.5);
        assert!((half - 0.5).abs() < 0.002, "{half}");
    }

    #[test]
    fn quantiles_match_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert!((quantile_sorted(&v, 0.05) - 1.15).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.95) - 3.85).abs() < 1e-12);
    }

    #[test]
    fn wilson_matches_reference_values() {
        // 10 of 100: (0.0552, 0.1744) in the standard tables.
        let (lo, hi) = wilson(10, 100);
        assert!((lo - 0.05523).abs() < 1e-4 && (hi - 0.17437).abs() < 1e-4);
        let (lo, hi) = wilson(30, 30);
        assert!((hi - 1.0).abs() < 1e-12 && (lo - 0.8865).abs() < 1e-3);
    }

    #[test]
    fn running_agrees_with_two_pass() {
        let v = [0.3, 0.1, 0.4, 0.1, 0.5, 0.9];
        let mut r = Running::default();
        v.iter().for_each(|&x| r.push(x));
        let (m, s) = mean_sd(&v);
        assert!((r.mean() - m).abs() < 1e-12 && (r.sd() - s).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles_and_paired_intervals() {
        assert_eq!(t_975(1), 12.7062);
        assert!((t_975(31) - 2.0395).abs() < 1e-3);
        assert!((t_975(1000) - 1.9623).abs() < 1e-3);
        assert_eq!(paired_t(&[0.0, 0.0, 0.0]), (0.0, 0.0, 0.0, 0.0, 3));
        let (mean, _, lo, hi, n) = paired_t(&[1.0, 2.0, 3.0]);
        assert_eq!((mean, n), (2.0, 3));
        assert!((hi - 2.0 - 4.3027 / 3f64.sqrt()).abs() < 1e-9 && (2.0 - lo - (hi - 2.0)).abs() < 1e-12);
    }
}
