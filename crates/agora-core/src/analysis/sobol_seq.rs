//! The Sobol' (1967) low-discrepancy sequence in base 2, with the direction
//! numbers of Joe & Kuo (2008, file new-joe-kuo-6.21201) for up to
//! [`MAX_DIMS`] dimensions, in Gray-code order (Antonov & Saleev 1979) as
//! Joe & Kuo's reference generator, SALib and SciPy produce it.
//!
//! **The first point (the origin) is kept.** The old SALib `saltelli.sample`
//! skipped points; SALib's current `sobol.sample` (`skip_values = 0`) and
//! SciPy do not, because Owen (2020, "On dropping the first Sobol' point",
//! arXiv:2008.08051) shows that dropping it breaks the net property that
//! makes the first 2^k points stratified, and slows convergence. Scrambling
//! is the remedy for the corner point: with it the first point is uniform.
//! Callers who want to skip anyway can start at any index with
//! [`Sobol::points`].
//!
//! **Scrambling** is Owen's (1995) nested uniform scrambling of the 32 binary
//! digits: digit `j` of a coordinate is flipped by a random bit that depends
//! on the dimension and on digits `1..j` before scrambling. The random bits
//! come from hashing (seed, dimension, tree node), the idea of Laine & Karras
//! (2011) and Burley (2020, "Practical hash-based Owen scrambling", JCGT 9:4),
//! here with the exact node path rather than their approximate per-integer
//! hash, so the result is a true nested scramble: every (t, m, s)-net
//! stays one, and each point is uniform on a 2^-32 grid.

use super::AnalysisError;
use super::sobol_directions::DIRECTIONS;
use crate::rng::mix64;

/// The most dimensions [`Sobol`] supports (the Joe & Kuo rows embedded).
pub const MAX_DIMS: usize = DIRECTIONS.len() + 1;

/// Binary digits per coordinate: up to 2^32 points.
const BITS: usize = 32;

/// A Sobol' sequence generator of fixed dimension, optionally scrambled.
#[derive(Debug, Clone)]
pub struct Sobol {
    /// Direction numbers `v[d][k]`: bit `k + 1` of dimension `d`, as a
    /// binary fraction left-aligned in 32 bits.
    directions: Vec<[u32; BITS]>,
    /// Per-dimension scrambling keys; empty when unscrambled.
    keys: Vec<u64>,
}

impl Sobol {
    /// The unscrambled sequence in `dims` dimensions (1 to [`MAX_DIMS`]).
    pub fn new(dims: usize) -> Result<Self, AnalysisError> {
        if dims == 0 || dims > MAX_DIMS {
            return Err(AnalysisError::invalid(
                "dims",
                format!("{dims} dimensions; the Sobol' sequence here has 1 to {MAX_DIMS}"),
            ));
        }
        let directions = (0..dims).map(direction_numbers).collect();
        Ok(Self {
            directions,
            keys: Vec::new(),
        })
    }

    /// The sequence Owen-scrambled with `seed`: the same seed gives the same
    /// points on every machine.
    pub fn scrambled(dims: usize, seed: u64) -> Result<Self, AnalysisError> {
        let mut sobol = Self::new(dims)?;
        // Each dimension gets an independent key so that its scramble
        // is independent of the others'.
        sobol.keys = (0..dims as u64).map(|d| mix64(mix64(seed) ^ mix64(!d))).collect();
        Ok(sobol)
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.directions.len()
    }

    /// Point `index` (0 is the first), computed directly from the Gray code
    /// of `index`. Panics if `index` >= 2^32.
    pub fn point(&self, index: u64) -> Vec<f64> {
        assert!(index < 1 << BITS, "the Sobol' sequence here has 2^32 points");
        let gray = index ^ (index >> 1);
        let raw = self
            .directions
            .iter()
            .map(|v| (0..BITS).filter(|k| gray >> k & 1 == 1).fold(0, |x, k| x ^ v[k]));
        raw.enumerate().map(|(d, x)| self.to_unit(d, x)).collect()
    }

    /// `n` consecutive points from index `start`, each a row of
    /// [`Sobol::dims`] coordinates in [0, 1).
    pub fn points(&self, start: u64, n: usize) -> Result<Vec<Vec<f64>>, AnalysisError> {
        if start.checked_add(n as u64).is_none_or(|end| end > 1 << BITS) {
            return Err(AnalysisError::invalid(
                "n",
                format!("points {start}..{start}+{n} pass the 2^32 the sequence has"),
            ));
        }
        if n == 0 {
            return Ok(Vec::new());
        }
        let gray = start ^ (start >> 1);
        let mut x: Vec<u32> = self
            .directions
            .iter()
            .map(|v| (0..BITS).filter(|k| gray >> k & 1 == 1).fold(0, |x, k| x ^ v[k]))
            .collect();
        let mut rows = Vec::with_capacity(n);
        rows.push(self.row(&x));
        for i in start + 1..start + n as u64 {
            // Consecutive Gray codes differ in the bit of i's lowest one bit.
            let k = i.trailing_zeros() as usize;
            x.iter_mut().zip(&self.directions).for_each(|(x, v)| *x ^= v[k]);
            rows.push(self.row(&x));
        }
        Ok(rows)
    }

    fn row(&self, x: &[u32]) -> Vec<f64> {
        x.iter().enumerate().map(|(d, &x)| self.to_unit(d, x)).collect()
    }

    /// Scrambles (if keyed) and maps 32 binary digits to [0, 1).
    fn to_unit(&self, dim: usize, x: u32) -> f64 {
        let x = match self.keys.get(dim) {
            Some(&key) => owen_scramble(x, key),
            None => x,
        };
        f64::from(x) / (1u64 << BITS) as f64
    }
}

/// The first `n` points of the `dims`-dimensional sequence, unscrambled when
/// `scramble` is `None`, else Owen-scrambled with that seed.
pub fn sobol_points(n: usize, dims: usize, scramble: Option<u64>) -> Result<Vec<Vec<f64>>, AnalysisError> {
    let sobol = match scramble {
        Some(seed) => Sobol::scrambled(dims, seed)?,
        None => Sobol::new(dims)?,
    };
    sobol.points(0, n)
}

/// Direction numbers of dimension `dim` (0-based) by the recurrence of
/// Bratley & Fox (1988, ACM TOMS 14:88), eq. (2) of Joe & Kuo (2008):
/// v_k = a_1 v_{k-1} ^ ... ^ a_{s-1} v_{k-s+1} ^ v_{k-s} ^ (v_{k-s} >> s).
fn direction_numbers(dim: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if dim == 0 {
        // All m_k = 1: the van der Corput sequence.
        for (k, v) in v.iter_mut().enumerate() {
            *v = 1 << (BITS - 1 - k);
        }
        return v;
    }
    let (a, m) = DIRECTIONS[dim - 1];
    let s = m.len();
    for k in 0..BITS {
        v[k] = if k < s {
            m[k] << (BITS - 1 - k)
        } else {
            let mut x = v[k - s] ^ (v[k - s] >> s);
            for l in 1..s {
                if (a >> (s - 1 - l)) & 1 == 1 {
                    x ^= v[k - l];
                }
            }
            x
        };
    }
    v
}

/// Owen's nested uniform scramble of the 32 digits of `x`: digit `j` (from
/// the most significant) is flipped by a hash of the tree node that digits
/// `1..j` of `x` lead to. Nodes are numbered as in a binary heap, so each
/// (depth, prefix) has its own random bit.
fn owen_scramble(x: u32, key: u64) -> u32 {
    let mut flips = 0u32;
    for depth in 0..BITS {
        let prefix = u64::from(x).checked_shr((BITS - depth) as u32).unwrap_or(0);
        let node = (1u64 << depth) | prefix;
        let bit = (mix64(key ^ mix64(node)) >> 63) as u32;
        flips |= bit << (BITS - 1 - depth);
    }
    x ^ flips
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the first 2^k values of one coordinate fall one in each
    /// interval [i 2^-k, (i + 1) 2^-k).
    fn stratified(values: impl Iterator<Item = f64>, k: u32) -> bool {
        let mut seen = vec![false; 1 << k];
        for u in values {
            let cell = (u * f64::from(1u32 << k)) as usize;
            if !(0.0..1.0).contains(&u) || std::mem::replace(&mut seen[cell], true) {
                return false;
            }
        }
        seen.iter().all(|&s| s)
    }

    #[test]
    fn first_points_match_published_values() {
        // SciPy's documentation, `qmc.Sobol(d=2, scramble=False).random_base2(3)`,
        // which is Joe & Kuo's generator.
        let expected = [
            [0.0, 0.0],
            [0.5, 0.5],
            [0.75, 0.25],
            [0.25, 0.75],
            [0.375, 0.375],
            [0.875, 0.875],
            [0.625, 0.125],
            [0.125, 0.625],
        ];
        let got = sobol_points(8, 2, None).unwrap();
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.as_slice(), e.as_slice());
        }
        // Point 1000 in dimensions 1, 2, 3, 101 and 1024, times 2^32, from
        // SciPy 1.17 `qmc.Sobol(d=1024, scramble=False, bits=32)`; the whole
        // 1024 x 1024 block was checked against it when this was written.
        let x = Sobol::new(MAX_DIMS).unwrap().point(1000);
        let got: Vec<u64> = [0, 1, 2, 100, 1023]
            .iter()
            .map(|&d| (x[d] * 2f64.powi(32)) as u64)
            .collect();
        assert_eq!(got, [943718400, 415236096, 2227175424, 3300917248, 3066036224]);
    }

    #[test]
    fn random_access_matches_sequential_and_start() {
        let sobol = Sobol::new(40).unwrap();
        let seq = sobol.points(0, 300).unwrap();
        for i in [0, 1, 2, 3, 77, 128, 299] {
            assert_eq!(sobol.point(i as u64), seq[i]);
        }
        assert_eq!(sobol.points(100, 200).unwrap(), seq[100..].to_vec());
        let scrambled = Sobol::scrambled(5, 9).unwrap();
        assert_eq!(scrambled.point(37), scrambled.points(30, 10).unwrap()[7]);
    }

    #[test]
    fn every_projection_of_first_2k_points_is_stratified() {
        let points = sobol_points(1 << 10, MAX_DIMS, None).unwrap();
        for k in 0..=10 {
            for d in 0..MAX_DIMS {
                let column = points[..1 << k].iter().map(|p| p[d]);
                assert!(stratified(column, k), "dimension {d}, 2^{k} points");
            }
        }
    }

    #[test]
    fn scrambled_points_are_in_unit_interval_and_stratified() {
        let points = sobol_points(1 << 12, 64, Some(42)).unwrap();
        for k in [0, 1, 5, 8, 12] {
            for d in 0..64 {
                let column = points[..1 << k].iter().map(|p| p[d]);
                assert!(stratified(column, k), "dimension {d}, 2^{k} points");
            }
        }
        // The scramble moves the origin off the corner.
        assert!(points[0].iter().all(|&u| u > 0.0));
    }

    #[test]
    fn scrambling_is_deterministic_and_seed_dependent() {
        let a = sobol_points(16, 3, Some(1)).unwrap();
        assert_eq!(a, sobol_points(16, 3, Some(1)).unwrap());
        assert_ne!(a, sobol_points(16, 3, Some(2)).unwrap());
        assert_ne!(a, sobol_points(16, 3, None).unwrap());
    }

    #[test]
    fn rejects_unsupported_sizes() {
        assert!(Sobol::new(0).is_err());
        assert!(Sobol::new(MAX_DIMS + 1).is_err());
        assert!(Sobol::new(MAX_DIMS).is_ok());
        assert!(Sobol::new(1).unwrap().points(u32::MAX as u64, 2).is_err());
        assert_eq!(Sobol::new(1).unwrap().points(u32::MAX as u64, 1).unwrap().len(), 1);
    }
}
