//! Random streams: every draw is addressed, never taken from a shared generator.
//!
//! A replicate owns one ChaCha8 key, derived from (scenario seed, replicate).
//! Each *purpose* (a graph, an initial attribute, one phase of one step) is
//! its own ChaCha stream under that key. Set-up work (graphs, initial state)
//! reads its stream sequentially or jumps in it; ChaCha is a counter-mode
//! cipher, so jumping to any word is O(1).
//!
//! The step loop needs a few words per citizen per phase, hundreds of millions
//! of times per run, where even ChaCha8 costs more than the rest of the step.
//! A step phase therefore takes one 64-bit key from its ChaCha stream and
//! reads [`Draws`]: the SplitMix64 output at a counter that encodes
//! (citizen, slot), a stateless hash that any thread can evaluate for any
//! citizen. Either way a range of citizens can be simulated by any thread, in
//! any split, and draws the same numbers, and two scenarios with the same seed
//! see the same draws wherever the model makes the same draws (common random
//! numbers).

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use rand_chacha::ChaCha8Rng as Rng;

/// The SplitMix64 increment (2^64 / golden ratio, odd).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finaliser: a bijective mix of 64 bits.
#[inline(always)]
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(GAMMA);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of replicate `replicate` of a scenario (or sweep) seeded `seed`.
/// It is what `summary.csv` reports, and all that the replicate's streams depend on.
pub fn replicate_seed(seed: u64, replicate: u32) -> u64 {
    mix64(mix64(seed) ^ mix64(0x5EED_0000_0000_0000 | u64::from(replicate)))
}

/// What a stream is used for. Initialisation purposes are fixed ids; step
/// phases get one stream per (step, phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The citizens' social graph.
    SocialGraph,
    /// The administrations' peer graph.
    AdminGraph,
    /// Initial digital ceilings.
    DigitalCeiling,
    /// Initial digitalization.
    Digitalization,
    /// Initial trust.
    Trust,
    /// Initial satisfaction.
    Satisfaction,
    /// Initial adoption.
    Adoption,
    /// Which administrations are pioneers.
    Pioneer,
    /// Initial ROI barriers.
    RoiBarrier,
    /// Initial security barriers.
    SecurityBarrier,
    /// Initial organisational barriers.
    OrganizationalBarrier,
    /// Months since each citizen's last online contact before step 0.
    OnlineHistory,
    /// The node sample of a sampled clustering estimate (not used by the model).
    GraphStatistics,
    /// A sweep's Latin hypercube, one stream per axis (keyed by the sweep seed).
    SweepDesign {
        /// The design axis.
        axis: u32,
    },
    /// A sweep's Sobol' scrambling or Morris trajectories (keyed by the sweep seed).
    SensitivityDesign,
    /// Phase 1: value `i` for citizen `i` (its low word).
    /// Step phases are read through [`Streams::draws`].
    Diffusion {
        /// The step.
        step: u32,
    },
    /// Phase 2a: need, channel (value `2i`), heard, fallback (value `2i + 1`).
    ServiceChannel {
        /// The step.
        step: u32,
    },
    /// Phase 2b-c: served, resolved (value `i`).
    ServiceOutcome {
        /// The step.
        step: u32,
    },
    /// Phase 4: value `i` (its low word).
    Participation {
        /// The step.
        step: u32,
    },
    /// Phase 5: adoption, incident (value `j` for administration `j`).
    Administration {
        /// The step.
        step: u32,
    },
    /// Phase 5, the events v3 added: project failure, transformation (value
    /// `2j`), abandonment (value `2j + 1`) for administration `j`.
    AdministrationEvents {
        /// The step.
        step: u32,
    },
    /// Which administrations start 2012 with a first Social CRM step.
    Presence,
    /// Which administrations a `Share` target of an intervention picks
    /// (value `j` for administration `j`; the same in every scenario with
    /// the same seed, so a policy and its baseline pick the same ones).
    Target,
}

impl Purpose {
    fn stream(self) -> u64 {
        let step_stream = |step: u32, phase: u64| (1 << 40) | (u64::from(step) << 8) | phase;
        match self {
            Purpose::SocialGraph => 1,
            Purpose::AdminGraph => 2,
            Purpose::DigitalCeiling => 3,
            Purpose::Digitalization => 4,
            Purpose::Trust => 5,
            Purpose::Satisfaction => 6,
            Purpose::Adoption => 7,
            Purpose::Pioneer => 8,
            Purpose::RoiBarrier => 9,
            Purpose::SecurityBarrier => 10,
            Purpose::OrganizationalBarrier => 11,
            Purpose::GraphStatistics => 12,
            Purpose::OnlineHistory => 13,
            Purpose::SweepDesign { axis } => (2 << 40) | u64::from(axis),
            Purpose::SensitivityDesign => 14,
            Purpose::Diffusion { step } => step_stream(step, 1),
            Purpose::ServiceChannel { step } => step_stream(step, 2),
            Purpose::ServiceOutcome { step } => step_stream(step, 3),
            Purpose::Participation { step } => step_stream(step, 4),
            Purpose::Administration { step } => step_stream(step, 5),
            Purpose::AdministrationEvents { step } => step_stream(step, 6),
            Purpose::Presence => 15,
            Purpose::Target => 14,
        }
    }
}

/// The keyed generator of one replicate; cheap to clone into streams.
#[derive(Clone)]
pub struct Streams {
    key: ChaCha8Rng,
}

impl Streams {
    /// The streams of the replicate seeded `replicate_seed`.
    pub fn new(replicate_seed: u64) -> Self {
        Streams {
            key: ChaCha8Rng::seed_from_u64(replicate_seed),
        }
    }

    /// The stream for `purpose`, positioned at its start.
    pub fn stream(&self, purpose: Purpose) -> ChaCha8Rng {
        self.at(purpose, 0)
    }

    /// The stream for `purpose`, positioned at word `word`.
    pub fn at(&self, purpose: Purpose, word: u64) -> ChaCha8Rng {
        let mut rng = self.key.clone();
        rng.set_stream(purpose.stream());
        rng.set_word_pos(u128::from(word));
        rng
    }

    /// The counter-based draws of `purpose`, keyed by the first 64 bits of its stream.
    pub fn draws(&self, purpose: Purpose) -> Draws {
        Draws {
            key: self.stream(purpose).next_u64(),
        }
    }
}

/// Random 64-bit values addressed by a counter: value `n` is the `n`-th output
/// of SplitMix64 started from the key (Steele, Lea & Flood 2014), so each
/// purpose's draws are a full-quality SplitMix64 sequence that can be read at
/// any position in a few cycles. Phases address citizen `i`'s slot `s` of `W`
/// as `n = i * W + s`.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    key: u64,
}

impl Draws {
    /// The 64-bit value at counter `n`.
    #[inline(always)]
    pub fn at(self, n: u64) -> u64 {
        mix64(self.key.wrapping_add(n.wrapping_mul(GAMMA)))
    }

    /// The value at counter `n` as two 32-bit words (for [`chance`]).
    #[inline(always)]
    pub fn words(self, n: u64) -> [u32; 2] {
        let x = self.at(n);
        [x as u32, (x >> 32) as u32]
    }
}

/// `true` with probability `p` (clipped to \[0, 1\]), from one 32-bit word.
#[inline(always)]
pub fn chance(word: u32, p: f64) -> bool {
    (word as f64) < p * 4_294_967_296.0
}

/// The number of 32-bit words for which [`chance`] with probability `p` is
/// true, so that `u64::from(word) < threshold(p)` decides exactly as
/// `chance(word, p)` does: for an integer `w`, `w < x` holds iff `w < ceil(x)`.
/// Worth it where one `p` serves many draws.
#[inline]
pub fn threshold(p: f64) -> u64 {
    // `as` saturates: negative and NaN give 0.
    ((p * 4_294_967_296.0).ceil() as u64).min(1 << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumping_equals_drawing_through() {
        let streams = Streams::new(42);
        let mut through = streams.stream(Purpose::Diffusion { step: 3 });
        let words: Vec<u32> = (0..100).map(|_| through.next_u32()).collect();
        for start in [0, 1, 15, 16, 17, 63, 99] {
            let mut jumped = streams.at(Purpose::Diffusion { step: 3 }, start);
            assert_eq!(jumped.next_u32(), words[start as usize]);
        }
    }

    #[test]
    fn purposes_and_steps_are_distinct_streams() {
        let streams = Streams::new(42);
        let a = streams.stream(Purpose::Diffusion { step: 3 }).next_u64();
        let b = streams.stream(Purpose::Diffusion { step: 4 }).next_u64();
        let c = streams.stream(Purpose::Participation { step: 3 }).next_u64();
        assert!(a != b && a != c && b != c);
    }

    #[test]
    fn draws_are_splitmix64_read_at_any_position() {
        // SplitMix64 as published: state += GAMMA, output = finalise(state).
        let draws = Streams::new(7).draws(Purpose::Participation { step: 2 });
        let mut state = draws.key;
        for n in 0..50 {
            state = state.wrapping_add(GAMMA);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            assert_eq!(draws.at(n), z ^ (z >> 31));
        }
        let other = Streams::new(7).draws(Purpose::Participation { step: 3 });
        assert_ne!(draws.at(0), other.at(0));
    }

    #[test]
    fn draws_are_uniform_words() {
        // Both halves of each value: mean 1/2 and a flat histogram of 16 bins,
        // within 5 standard errors (fixed key, so this is deterministic).
        let draws = Streams::new(11).draws(Purpose::Diffusion { step: 0 });
        let n = 200_000u64;
        let mut bins = [0u64; 16];
        let mut sum = 0.0;
        for i in 0..n {
            for w in draws.words(i) {
                bins[(w >> 28) as usize] += 1;
                sum += f64::from(w) / 4_294_967_296.0;
            }
        }
        let words = (2 * n) as f64;
        let mean_se = (1.0 / 12.0 / words).sqrt();
        assert!((sum / words - 0.5).abs() < 5.0 * mean_se);
        let expected = words / 16.0;
        let bin_se = (expected * (1.0 - 1.0 / 16.0)).sqrt();
        for b in bins {
            assert!((b as f64 - expected).abs() < 5.0 * bin_se, "{bins:?}");
        }
    }

    #[test]
    fn chance_is_exact_at_the_ends() {
        assert!(!chance(0, 0.0));
        assert!(chance(u32::MAX, 1.0));
        assert!(chance(u32::MAX, 1.5));
        assert!(!chance(0, -0.5));
    }

    #[test]
    fn threshold_decides_as_chance_does() {
        let ps = [
            -0.5,
            0.0,
            1e-12,
            0.1,
            0.3,
            0.5,
            1.0 / 3.0,
            0.999_999_9,
            1.0,
            1.5,
            f64::NAN,
        ];
        let exact = |p: f64| p * 4_294_967_296.0;
        for p in ps {
            let t = threshold(p);
            // Words on either side of the boundary, and the ends.
            let edge = exact(p).clamp(0.0, 4_294_967_295.0) as u32;
            for w in [0, 1, edge.saturating_sub(1), edge, edge.saturating_add(1), u32::MAX] {
                assert_eq!(u64::from(w) < t, chance(w, p), "p = {p}, word = {w}");
            }
        }
    }

    #[test]
    fn replicate_seeds_differ() {
        assert_ne!(replicate_seed(0, 0), replicate_seed(0, 1));
        assert_ne!(replicate_seed(0, 0), replicate_seed(1, 0));
    }

    #[test]
    fn every_purpose_has_its_own_stream() {
        let purposes = [
            Purpose::SocialGraph,
            Purpose::AdminGraph,
            Purpose::DigitalCeiling,
            Purpose::Digitalization,
            Purpose::Trust,
            Purpose::Satisfaction,
            Purpose::Adoption,
            Purpose::Pioneer,
            Purpose::RoiBarrier,
            Purpose::SecurityBarrier,
            Purpose::OrganizationalBarrier,
            Purpose::GraphStatistics,
            Purpose::OnlineHistory,
            Purpose::SensitivityDesign,
            Purpose::SweepDesign { axis: 0 },
            Purpose::SweepDesign { axis: 1 },
            Purpose::Diffusion { step: 0 },
            Purpose::ServiceChannel { step: 0 },
            Purpose::ServiceOutcome { step: 0 },
            Purpose::Participation { step: 0 },
            Purpose::Administration { step: 0 },
            Purpose::Diffusion { step: 1 },
        ];
        let ids: Vec<u64> = purposes.iter().map(|p| p.stream()).collect();
        for (k, id) in ids.iter().enumerate() {
            assert!(!ids[..k].contains(id), "{:?} shares stream {id}", purposes[k]);
        }
    }
}
