//! The model's steps under each instruction set this CPU has, measured
//! interleaved in one process so that a noisy host cannot skew the ratios
//! (issue: performance v2; BENCHMARKS.md).
//!
//! Each round runs `STEPS` steps from the same initial state under every
//! instruction set in turn, on one thread, and reports per set the median
//! time per citizen-step and the median per-round speed-up over scalar.
//!
//! Run: cargo run --release --example simd_ratio -- 100000 [rounds] [steps]

mod support;

use std::hint::black_box;

use agora_core::simd::Isa;
use support::{model, pool, seconds, summary};

fn main() {
    let mut args = std::env::args().skip(1);
    let citizens: u32 = args.next().map_or(100_000, |s| s.parse().expect("citizens"));
    let rounds: usize = args.next().map_or(15, |s| s.parse().expect("rounds"));
    let steps: u32 = args.next().map_or(10, |s| s.parse().expect("steps"));
    let initial = model(citizens);
    let one = pool(1);
    let sets = Isa::available();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); sets.len()];
    for _ in 0..rounds {
        for (k, &isa) in sets.iter().enumerate() {
            Isa::force(isa);
            let mut m = initial.clone();
            let t = seconds(|| {
                one.install(|| {
                    for _ in 0..steps {
                        m.step();
                    }
                })
            });
            black_box(&m);
            times[k].push(t);
        }
    }
    println!("{citizens} citizens, {rounds} rounds of {steps} steps, one thread");
    let per = f64::from(citizens) * f64::from(steps);
    for (k, isa) in sets.iter().enumerate() {
        summary(
            &format!("{} ns per citizen-step", isa.name()),
            times[k].iter().map(|t| t / per * 1e9).collect(),
        );
        if k > 0 {
            let speedup = times[0].iter().zip(&times[k]).map(|(s, t)| s / t).collect();
            summary(&format!("{} speed-up over scalar", isa.name()), speedup);
        }
    }
}
