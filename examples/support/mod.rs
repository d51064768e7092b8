//! What the performance examples and `benches/perf.rs` share: the model they
//! time, the memory-floor kernel, and timing helpers. Each user takes what it
//! needs, hence the allowance for unused items.
#![allow(dead_code)]

use std::time::Instant;

use agora_core::graph::Graph;
use agora_core::model::{LoadedGraphs, Model};
use agora_core::rng::replicate_seed;
use agora_core::scenario;

/// Replicate 0 of the built-in fracture scenario with `citizens` citizens, on
/// its own Watts-Strogatz(k: 10, beta: 0.1) graph.
pub fn model(citizens: u32) -> Model {
    let mut s = scenario::built_in().remove(0);
    s.population.citizens = citizens;
    scenario::validate(&s).expect("a valid population size");
    Model::new(&s, replicate_seed(1, 0), &LoadedGraphs::default())
}

/// The memory floor: a mean over each node's neighbours, nothing else.
pub fn floor_sweep(graph: &Graph, values: &[f32], out: &mut [f32]) {
    let Graph::Sparse(csr) = graph else {
        unreachable!("the built-in scenarios are sparse")
    };
    for (i, slot) in out.iter_mut().enumerate() {
        let ns = csr.neighbours(i as u32);
        let sum: f32 = ns.iter().map(|&j| values[j as usize]).sum();
        *slot = sum / ns.len().max(1) as f32;
    }
}

pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

/// Wall seconds that `f` takes.
pub fn seconds(f: impl FnOnce()) -> f64 {
    let clock = Instant::now();
    f();
    clock.elapsed().as_secs_f64()
}

/// Print the median and range of `xs`.
pub fn summary(name: &str, mut xs: Vec<f64>) {
    xs.sort_by(f64::total_cmp);
    let median = xs[xs.len() / 2];
    println!(
        "{name:>28}: median {median:.2}, range {:.2}-{:.2}",
        xs[0],
        xs[xs.len() - 1]
    );
}
