//! A quantile sketch with a stated relative error, so `agora run` keeps its
//! quantiles in memory that does not grow with the number of replicates.
//!
//! It is DDSketch (Masson, Rim & Lee, "DDSketch: A fast and fully-mergeable
//! quantile sketch with relative-error guarantees", PVLDB 12(12), 2019):
//! a value `x > 0` is counted in bucket `ceil(log_gamma(x))`, `gamma =
//! (1 + a) / (1 - a)`, whose representative `2 gamma^i / (gamma + 1)` lies
//! within `a x` of every value in the bucket; negative values go to a
//! mirrored store, zeros are counted apart. Buckets hold counts only, so the
//! sketch does not depend on the order its values came in: any thread
//! count or shard split gives the same sketch.
//!
//! Memory grows with the spread of the values (one counter per factor
//! `gamma` between the smallest and the largest), not with their number:
//! a share between 0.2 and 0.6 needs about 550 counters at `a = 0.001`.

/// The relative error of every quantile the sketch gives: within
/// `RELATIVE_ERROR x |q|` of the exact quantile `q` (type 7, see
/// [`QuantileSketch::quantile`]) when the two order statistics it lies
/// between have one sign; across a change of sign, within `RELATIVE_ERROR`
/// times the larger of their magnitudes.
pub const RELATIVE_ERROR: f64 = 1e-3;

/// Values smaller than this in magnitude are counted as zero (and given
/// back as 0); the metrics' smallest meaningful values are far above it.
const ZERO: f64 = 1e-300;

/// Counts of positive magnitudes by bucket index, stored densely from the
/// lowest index seen to the highest.
#[derive(Debug, Clone, Default, PartialEq)]
struct Store {
    /// Bucket index of `counts[0]`.
    offset: i32,
    counts: Vec<u32>,
    total: u64,
}

impl Store {
    fn add(&mut self, index: i32) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
        } else if index < self.offset || index >= self.offset + self.counts.len() as i32 {
            // Grow to exactly the span: the counters are the sketch's memory,
            // and the span stops growing once the values' spread is reached.
            let low = index.min(self.offset);
            let high = index.max(self.offset + self.counts.len() as i32 - 1);
            let mut counts = Vec::with_capacity((high - low) as usize + 1);
            counts.resize((self.offset - low) as usize, 0);
            counts.extend_from_slice(&self.counts);
            counts.resize((high - low) as usize + 1, 0);
            self.counts = counts;
            self.offset = low;
        }
        self.counts[(index - self.offset) as usize] += 1;
        self.total += 1;
    }

    /// The bucket index of the `rank`-th value (0-based) in ascending index order.
    fn index_of_rank(&self, rank: u64) -> i32 {
        let mut seen = 0u64;
        for (k, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen > rank {
                return self.offset + k as i32;
            }
        }
        self.offset + self.counts.len() as i32 - 1
    }

    fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u32>()
    }
}

/// A DDSketch of finite values (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSketch {
    /// `ln(gamma)`.
    ln_gamma: f64,
    positive: Store,
    negative: Store,
    zeros: u64,
    min: f64,
    max: f64,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        QuantileSketch::new(RELATIVE_ERROR)
    }
}

impl QuantileSketch {
    /// An empty sketch whose quantiles are within `relative_error` (0 to 1,
    /// exclusive) of the exact ones.
    pub fn new(relative_error: f64) -> QuantileSketch {
        assert!(
            relative_error > 0.0 && relative_error < 1.0,
            "a relative error in (0, 1)"
        );
        QuantileSketch {
            ln_gamma: ((1.0 + relative_error) / (1.0 - relative_error)).ln(),
            positive: Store::default(),
            negative: Store::default(),
            zeros: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.positive.total + self.negative.total + self.zeros
    }

    /// Count `x`; an undefined value (NaN, infinite) is not counted.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x.abs() < ZERO {
            self.zeros += 1;
        } else if x > 0.0 {
            self.positive.add(self.index(x));
        } else {
            self.negative.add(self.index(-x));
        }
    }

    fn index(&self, magnitude: f64) -> i32 {
        (magnitude.ln() / self.ln_gamma).ceil() as i32
    }

    /// The representative of bucket `index`: within the relative error of
    /// every magnitude in it.
    fn value(&self, index: i32) -> f64 {
        let gamma = self.ln_gamma.exp();
        2.0 * (f64::from(index) * self.ln_gamma).exp() / (gamma + 1.0)
    }

    /// An estimate of the `rank`-th smallest value (0-based), clamped to the
    /// exact minimum and maximum (so a constant series comes back exactly).
    fn at_rank(&self, rank: u64) -> f64 {
        let estimate = if rank < self.negative.total {
            // The most negative values have the highest magnitude index.
            -self.value(self.negative.index_of_rank(self.negative.total - 1 - rank))
        } else if rank < self.negative.total + self.zeros {
            0.0
        } else {
            self.value(self.positive.index_of_rank(rank - self.negative.total - self.zeros))
        };
        estimate.clamp(self.min, self.max)
    }

    /// Quantile `q` (0 to 1) by linear interpolation between order statistics
    /// (Hyndman & Fan type 7, as [`super::quantile_sorted`]), each within the
    /// relative error; NaN for no values.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        match n {
            0 => f64::NAN,
            1 => self.at_rank(0),
            _ => {
                let h = (n - 1) as f64 * q;
                let lo = h.floor() as u64;
                let hi = (lo + 1).min(n - 1);
                let (a, b) = (self.at_rank(lo), self.at_rank(hi));
                if a == b { a } else { a + (h - lo as f64) * (b - a) }
            }
        }
    }

    /// Bytes the sketch holds on the heap (its counters).
    pub fn heap_bytes(&self) -> usize {
        self.positive.heap_bytes() + self.negative.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;
    use rand::{RngExt, SeedableRng};

    /// Every quantile within the stated relative error of the exact one, for
    /// values of both signs, zeros and spreads over many orders of magnitude.
    #[test]
    fn quantiles_are_within_the_stated_relative_error() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let samples: Vec<Vec<f64>> = vec![
            (0..10_000).map(|_| rng.random::<f64>()).collect(),
            (0..5_001).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect(),
            (0..2_000).map(|_| (rng.random::<f64>() * 40.0 - 20.0).exp()).collect(),
            (0..999)
                .map(|k| if k % 3 == 0 { 0.0 } else { rng.random::<f64>() * 1e-3 })
                .collect(),
            (0..300).map(|k| f64::from(k % 7)).collect(),
        ];
        for values in samples {
            let mut sketch = QuantileSketch::default();
            values.iter().for_each(|&x| sketch.add(x));
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
                let (exact, estimate) = (quantile_sorted(&sorted, q), sketch.quantile(q));
                // Interpolating between two values of opposite sign mixes
                // their errors: bound by the larger magnitude there.
                let h = (sorted.len() - 1) as f64 * q;
                let scale = sorted[h.floor() as usize].abs().max(sorted[h.ceil() as usize].abs());
                assert!(
                    (estimate - exact).abs() <= RELATIVE_ERROR * scale * (1.0 + 1e-9),
                    "q {q}: {estimate} against {exact}"
                );
            }
        }
    }

    #[test]
    fn the_order_of_the_values_does_not_matter() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let values: Vec<f64> = (0..4_000).map(|_| rng.random::<f64>() - 0.3).collect();
        let (mut forward, mut backward) = (QuantileSketch::default(), QuantileSketch::default());
        values.iter().for_each(|&x| forward.add(x));
        values.iter().rev().for_each(|&x| backward.add(x));
        for q in [0.05, 0.5, 0.95] {
            assert_eq!(forward.quantile(q).to_bits(), backward.quantile(q).to_bits());
        }
    }

    #[test]
    fn constant_values_come_back_exactly_and_nan_is_skipped() {
        let mut sketch = QuantileSketch::default();
        for _ in 0..50 {
            sketch.add(0.4321);
            sketch.add(f64::NAN);
        }
        assert_eq!(sketch.count(), 50);
        assert_eq!(sketch.quantile(0.05), 0.4321);
        assert_eq!(sketch.quantile(0.95), 0.4321);
        assert!(QuantileSketch::default().quantile(0.5).is_nan());
    }

    /// Memory follows the spread of the values, not their number.
    #[test]
    fn memory_does_not_grow_with_the_count() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut sketch = QuantileSketch::default();
        let mut sizes = Vec::new();
        for round in 0..4 {
            for _ in 0..(10usize.pow(round + 2)) {
                sketch.add(0.2 + 0.4 * rng.random::<f64>());
            }
            sizes.push(sketch.heap_bytes());
        }
        // ln(3) / ln(1.002 / 0.998) = 550 counters of 4 bytes, whatever the count.
        // The extremes of the spread are found within the first thousand values.
        assert!(sizes[1..].iter().all(|&b| b == sizes[1] && b <= 4 * 552), "{sizes:?}");
    }
}
