//! Criterion benches of the model. Throughput is reported in citizen-steps.
//! Run: cargo bench --bench model

use std::hint::black_box;

use agora_core::graph::generate;
use agora_core::rng::{Purpose, Streams, replicate_seed};
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario;
use agora_core::scenario::GraphSpec;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The fracture scenario at `citizens`, `steps` steps.
fn prepared(citizens: u32, steps: u32) -> Prepared {
    let mut s = scenario::built_in().remove(0);
    s.population.citizens = citizens;
    s.steps = steps;
    Prepared::new(s).expect("valid")
}

/// One full run (initialisation, graph, 120 steps, metrics), single replicate.
fn full_run(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_run");
    group.sample_size(10);
    for citizens in [10_000u32, 100_000] {
        let p = prepared(citizens, 120);
        group.throughput(Throughput::Elements(u64::from(citizens) * 120));
        group.bench_with_input(BenchmarkId::from_parameter(citizens), &p, |b, p| {
            b.iter(|| black_box(simulate(p, replicate_seed(1, 0))))
        });
    }
    group.finish();
}

/// Social graph generation at 10^6 citizens (10^7: examples/graph_scale.rs).
fn generate_graph(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    let n = 1_000_000u32;
    for spec in [
        GraphSpec::WattsStrogatz { k: 10, beta: 0.1 },
        GraphSpec::BarabasiAlbert { m: 5 },
    ] {
        let name = format!("{spec:?}")
            .split_whitespace()
            .next()
            .unwrap_or("graph")
            .to_string();
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter(|| black_box(generate(&spec, &[n], &Streams::new(1).stream(Purpose::SocialGraph))))
        });
    }
    group.finish();
}

criterion_group!(benches, full_run, generate_graph);
criterion_main!(benches);
