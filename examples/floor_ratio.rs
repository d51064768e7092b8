//! A model step against the memory floor, measured interleaved so that the
//! ratio survives a noisy shared host (issue: performance; BENCHMARKS.md).
//!
//! Each round times one neighbour-mean sweep over the scenario's own CSR
//! graph (the floor), then one full step from the initial state, then the
//! step on 2 threads, and reports the median and range of the per-round ratios.
//!
//! Run: cargo run --release --example floor_ratio -- 100000 [rounds]

mod support;

use std::hint::black_box;

use support::{floor_sweep, model, pool, seconds, summary};

fn main() {
    let mut args = std::env::args().skip(1);
    let citizens: u32 = args.next().map_or(100_000, |s| s.parse().expect("citizens"));
    let rounds: usize = args.next().map_or(30, |s| s.parse().expect("rounds"));
    let initial = model(citizens);
    let pools = [pool(1), pool(2)];
    let values = initial.citizens.trust.clone();
    let mut out = vec![0.0f32; citizens as usize];
    let (mut floor_ns, mut ratio, mut speedup) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        let floor = seconds(|| floor_sweep(initial.social_graph(), black_box(&values), &mut out));
        let mut steps = [0.0; 2];
        for (pool, step) in pools.iter().zip(&mut steps) {
            let mut m = initial.clone();
            *step = seconds(|| pool.install(|| m.step()));
            black_box(&m);
        }
        floor_ns.push(floor / f64::from(citizens) * 1e9);
        ratio.push(steps[0] / floor);
        speedup.push(steps[0] / steps[1]);
    }
    println!("{citizens} citizens, {rounds} rounds");
    summary("floor ns per citizen", floor_ns);
    summary("step / floor, 1 thread", ratio);
    summary("2-thread step speed-up", speedup);
}
