//! Random streams: every draw is addressed, never taken from a shared generator.
//!
//! A replicate owns one ChaCha8 key, derived from (scenario seed, replicate).
//! Each *purpose* (a graph, an initial attribute, one phase of one step) is
//! its own ChaCha stream under that key, and inside a step's stream citizen
//! `i` owns the fixed words `i * W .. i * W + W`. ChaCha is a counter-mode
//! cipher, so jumping to any citizen's words is O(1): a range of citizens can
//! be simulated by any thread, in any split, and draws the same numbers.
//! Two scenarios with the same seed therefore see the same draws wherever
//! the model makes the same draws (common random numbers).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use rand_chacha::ChaCha8Rng as Rng;

/// SplitMix64 finaliser: a bijective mix of 64 bits.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
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
    SocialGraph,
    AdminGraph,
    DigitalCeiling,
    Digitalization,
    Trust,
    Satisfaction,
    Adoption,
    Pioneer,
    RoiBarrier,
    SecurityBarrier,
    OrganizationalBarrier,
    /// The node sample of a sampled clustering estimate (not used by the model).
    GraphStatistics,
    /// A sweep's Latin hypercube, one stream per axis (keyed by the sweep seed).
    SweepDesign {
        axis: u32,
    },
    /// Phase 1: one word per citizen.
    Diffusion {
        step: u32,
    },
    /// Phase 2a: need, channel, heard, fallback (four words per citizen).
    ServiceChannel {
        step: u32,
    },
    /// Phase 2b-c: served, resolved (two words per citizen).
    ServiceOutcome {
        step: u32,
    },
    /// Phase 4: one word per citizen.
    Participation {
        step: u32,
    },
    /// Phase 5: adoption, incident (two words per administration).
    Administration {
        step: u32,
    },
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
            Purpose::SweepDesign { axis } => (2 << 40) | u64::from(axis),
            Purpose::Diffusion { step } => step_stream(step, 1),
            Purpose::ServiceChannel { step } => step_stream(step, 2),
            Purpose::ServiceOutcome { step } => step_stream(step, 3),
            Purpose::Participation { step } => step_stream(step, 4),
            Purpose::Administration { step } => step_stream(step, 5),
        }
    }
}

/// The keyed generator of one replicate; cheap to clone into streams.
#[derive(Clone)]
pub struct Streams {
    key: ChaCha8Rng,
}

impl Streams {
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
}

/// `true` with probability `p` (clipped to [0,1]), from one 32-bit word.
#[inline(always)]
pub fn chance(word: u32, p: f64) -> bool {
    (word as f64) < p * 4_294_967_296.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

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
    fn chance_is_exact_at_the_ends() {
        assert!(!chance(0, 0.0));
        assert!(chance(u32::MAX, 1.0));
        assert!(chance(u32::MAX, 1.5));
        assert!(!chance(0, -0.5));
    }

    #[test]
    fn replicate_seeds_differ() {
        assert_ne!(replicate_seed(0, 0), replicate_seed(0, 1));
        assert_ne!(replicate_seed(0, 0), replicate_seed(1, 0));
    }
}
