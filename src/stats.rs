//! Small, exact statistics used by the aggregates.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
