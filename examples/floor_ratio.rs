//! A model step against the memory floor, measured interleaved so that the
//! ratio survives a noisy shared host (issue: performance; BENCHMARKS.md).
//!
//! Each round times one neighbour-mean sweep over the scenario's own CSR
//! graph (the floor), then one full step from the initial state, then the
//! step on 2 threads, and reports the median and range of the per-round ratios.
//!
//! Run: cargo run --release --example floor_ratio -- 100000 [rounds]

use std::hint::black_box;
use std::time::Instant;

use agora::graph::Graph;
use agora::model::{LoadedGraphs, Model};
use agora::rng::replicate_seed;
use agora::scenario;

fn floor_sweep(graph: &Graph, values: &[f32], out: &mut [f32]) {
    let Graph::Sparse(csr) = graph else {
        unreachable!("the built-in scenarios are sparse")
    };
    for (i, slot) in out.iter_mut().enumerate() {
        let ns = csr.neighbours(i as u32);
        let sum: f32 = ns.iter().map(|&j| values[j as usize]).sum();
        *slot = sum / ns.len().max(1) as f32;
    }
}

fn seconds(f: impl FnOnce()) -> f64 {
    let clock = Instant::now();
    f();
    clock.elapsed().as_secs_f64()
}

fn summary(name: &str, mut xs: Vec<f64>) {
    xs.sort_by(f64::total_cmp);
    let median = xs[xs.len() / 2];
    println!(
        "{name:>22}: median {median:.2}, range {:.2}-{:.2}",
        xs[0],
        xs[xs.len() - 1]
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let citizens: u32 = args.next().map_or(100_000, |s| s.parse().expect("citizens"));
    let rounds: usize = args.next().map_or(30, |s| s.parse().expect("rounds"));
    let mut s = scenario::built_in().remove(0);
    s.population.citizens = citizens;
    scenario::validate(&s).expect("valid scenario");
    let initial = Model::new(&s, replicate_seed(1, 0), &LoadedGraphs::default());
    let pools = [1, 2].map(|t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap());
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
