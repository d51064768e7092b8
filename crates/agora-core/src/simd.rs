//! Instruction sets for the per-citizen loops, chosen at run time.
//!
//! The model's phase loops are written once, branch-free and lane by lane
//! over citizens (hashes, thresholds, lerps), and compiled several times:
//! for AVX-512 (eight 64-bit hashes per instruction, native 64-bit
//! multiplies), for AVX2, and for the baseline of the target (SSE2 on
//! x86-64, NEON on aarch64). [`Isa::current`] picks the best the CPU has
//! once per process; `AGORA_SIMD=scalar` (or `avx2`) caps it, for the
//! byte-identity test and for measurements.
//!
//! Every variant writes the same bytes: the loops use only exact integer
//! arithmetic and IEEE-754 `f32`/`f64` additions and multiplications in
//! the order written (Rust never fuses a multiply and an add on its own), so
//! wider registers change how many citizens an instruction handles, never a
//! result. `tests/agora/pinned.rs` runs the built-in scenarios under each
//! instruction set the machine has and compares the files byte for byte.

use std::sync::atomic::{AtomicU8, Ordering};

/// The process's instruction set plus one; 0 until first read.
static CURRENT: AtomicU8 = AtomicU8::new(0);

/// An instruction set the per-citizen loops can be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// The target's baseline (SSE2 on x86-64, NEON on aarch64).
    Scalar,
    /// x86-64 with AVX2, FMA, BMI1/2, LZCNT and POPCNT (x86-64-v3).
    Avx2,
    /// x86-64 with AVX-512 F, BW, DQ and VL (x86-64-v4).
    Avx512,
}

impl Isa {
    /// The instruction set of this process: the best the CPU supports,
    /// capped by `AGORA_SIMD` (`scalar`/`off`, `avx2`, `avx512`), read once.
    #[inline]
    pub fn current() -> Isa {
        match CURRENT.load(Ordering::Relaxed) {
            0 => {
                let cap = std::env::var("AGORA_SIMD").ok().and_then(|v| {
                    let cap = Isa::parse(&v);
                    if cap.is_none() {
                        // Said once: a mistyped cap must not pass for a scalar measurement.
                        eprintln!(
                            "agora: AGORA_SIMD={v} is not one of scalar, avx2, avx512; using the best the CPU has"
                        );
                    }
                    cap
                });
                let best = Isa::detected();
                let isa = cap.map_or(best, |cap| cap.min(best));
                CURRENT.store(isa as u8 + 1, Ordering::Relaxed);
                isa
            }
            1 => Isa::Scalar,
            2 => Isa::Avx2,
            _ => Isa::Avx512,
        }
    }

    /// Use `isa` (or the best this CPU has below it) from now on, in the
    /// whole process: for benchmarks that compare instruction sets in one
    /// run. Results do not depend on it.
    pub fn force(isa: Isa) {
        CURRENT.store(isa.min(Isa::detected()) as u8 + 1, Ordering::Relaxed);
    }

    /// The best instruction set this CPU supports.
    pub fn detected() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("bmi1")
                && std::arch::is_x86_feature_detected!("lzcnt")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("bmi1")
                && std::arch::is_x86_feature_detected!("lzcnt")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Isa::Avx2;
            }
        }
        Isa::Scalar
    }

    /// Every instruction set this CPU can run, narrowest first.
    pub fn available() -> Vec<Isa> {
        [Isa::Scalar, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .filter(|&isa| isa <= Isa::detected())
            .collect()
    }

    /// The name `AGORA_SIMD` takes.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    fn parse(text: &str) -> Option<Isa> {
        match text.trim().to_ascii_lowercase().as_str() {
            "scalar" | "off" | "none" | "0" => Some(Isa::Scalar),
            "avx2" => Some(Isa::Avx2),
            "avx512" | "auto" | "on" | "" => Some(Isa::Avx512),
            _ => None,
        }
    }
}

/// Run `f` compiled for the instruction set of this process.
///
/// `f` is inlined into a function compiled with that set's target features,
/// so its loops are vectorised for it. Pass a closure whose body is the
/// whole loop: only code inlined into the wrapper gains the wider registers.
#[inline(always)]
pub fn run<R>(f: impl FnOnce() -> R) -> R {
    match Isa::current() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::current` returns Avx512 only when the CPU has every feature enabled here.
        Isa::Avx512 => unsafe { avx512(f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above, for AVX2, FMA and BMI2.
        Isa::Avx2 => unsafe { avx2(f) },
        _ => f(),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for isa in [Isa::Scalar, Isa::Avx2, Isa::Avx512] {
            assert_eq!(Isa::parse(isa.name()), Some(isa));
        }
        assert_eq!(Isa::parse("OFF"), Some(Isa::Scalar));
        assert_eq!(Isa::parse("sse9"), None);
    }

    #[test]
    fn the_current_set_is_available() {
        assert!(Isa::available().contains(&Isa::current()));
        assert_eq!(Isa::available()[0], Isa::Scalar);
    }
}
