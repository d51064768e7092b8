//! Performance benches (issue: a step within 4x of the memory floor).
//! Run: cargo bench --bench perf
//!
//! - floor: one neighbour-mean sweep over the scenario's own CSR graph, 1 thread;
//! - step: one full model step on the same graph, 1 and 2 threads;
//! - ratio: step over floor, timed pairwise (reported as seconds: 3.5 s = 3.5x);
//! - batch: the three scenarios x 16 replicates x 10^4 citizens, 1 and 2 threads,
//!   and the 2-thread speed-up timed pairwise (ratio/batch_speedup_2t);
//! - csv: writing the time series of a default-size run.

#[path = "../examples/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use agora_core::output::table::Table;
use agora_core::runner::{Prepared, jobs_of, run_ordered, simulate};
use agora_core::scenario;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use support::{floor_sweep, model, pool};

fn floor_and_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(20);
    for citizens in [100_000u32, 1_000_000] {
        let m = model(citizens);
        group.throughput(Throughput::Elements(u64::from(citizens)));
        let values = m.citizens.trust.clone();
        let mut out = vec![0.0f32; citizens as usize];
        group.bench_function(BenchmarkId::new("floor_1t", citizens), |b| {
            b.iter(|| floor_sweep(m.social_graph(), black_box(&values), &mut out))
        });
        for threads in [1usize, 2] {
            let p = pool(threads);
            group.bench_function(BenchmarkId::new(format!("model_step_{threads}t"), citizens), |b| {
                b.iter_batched_ref(|| m.clone(), |m| p.install(|| m.step()), BatchSize::LargeInput)
            });
        }
    }
    group.finish();

    // The goal's ratio itself, timed pairwise (a floor sweep, then a step)
    // so that a host that changes speed between samples cannot skew it.
    // Criterion reports the ratio as if it were seconds: 3.5 s means 3.5x.
    let mut group = c.benchmark_group("ratio");
    group.sample_size(20);
    for citizens in [100_000u32, 1_000_000] {
        let m = model(citizens);
        let values = m.citizens.trust.clone();
        let mut out = vec![0.0f32; citizens as usize];
        let p = pool(1);
        group.bench_function(BenchmarkId::new("step_to_floor_1t", citizens), |b| {
            b.iter_custom(|iters| {
                let mut ratios = 0.0;
                for _ in 0..iters {
                    let mut fresh = m.clone();
                    let clock = Instant::now();
                    floor_sweep(m.social_graph(), black_box(&values), &mut out);
                    let floor = clock.elapsed().as_secs_f64();
                    let clock = Instant::now();
                    p.install(|| fresh.step());
                    ratios += clock.elapsed().as_secs_f64() / floor;
                    black_box(&fresh);
                }
                Duration::from_secs_f64(ratios)
            })
        });
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    let batch: Vec<Prepared> = scenario::built_in()
        .into_iter()
        .map(|mut s| {
            s.population.citizens = 10_000;
            s.replicates = 16;
            Prepared::new(s).unwrap()
        })
        .collect();
    let jobs = jobs_of(&batch);
    let run_batch = |p: &rayon::ThreadPool| {
        let stop = AtomicBool::new(false);
        p.install(|| {
            run_ordered(&batch, jobs.as_slice(), &stop, |run| {
                black_box(run);
                Ok::<_, ()>(())
            })
        })
        .expect("the consumer only drops runs")
    };
    let pools = [pool(1), pool(2)];
    group.throughput(Throughput::Elements(jobs.len() as u64));
    for p in &pools {
        let threads = p.current_num_threads();
        group.bench_function(BenchmarkId::new("runs", format!("{threads}t")), |b| {
            b.iter(|| run_batch(p))
        });
    }
    group.finish();

    // The speed-up itself, timed pairwise (1 thread, then 2), reported as
    // seconds: 1.9 s means 1.9x.
    let mut group = c.benchmark_group("ratio");
    group.sample_size(10).measurement_time(Duration::from_secs(50));
    group.bench_function("batch_speedup_2t", |b| {
        b.iter_custom(|iters| {
            let mut speedups = 0.0;
            for _ in 0..iters {
                let clock = Instant::now();
                black_box(run_batch(&pools[0]));
                let one = clock.elapsed().as_secs_f64();
                let clock = Instant::now();
                black_box(run_batch(&pools[1]));
                speedups += one / clock.elapsed().as_secs_f64();
            }
            Duration::from_secs_f64(speedups)
        })
    });
    group.finish();
}

fn csv(c: &mut Criterion) {
    let mut group = c.benchmark_group("csv");
    group.sample_size(10);
    let mut s = scenario::built_in().remove(0);
    s.population.citizens = 2_000;
    let (series, _) = simulate(&Prepared::new(s).unwrap(), 1);
    let dir = tempfile::tempdir().unwrap();
    let runs = 300u64;
    group.throughput(Throughput::Elements(runs * series.len() as u64));
    group.bench_function("timeseries_default_run", |b| {
        b.iter(|| {
            let mut header = vec!["scenario", "replicate", "step"];
            header.extend(agora_core::model::METRIC_NAMES);
            let mut t = Table::create(&dir.path().join("timeseries.csv"), &header).unwrap();
            for r in 0..runs {
                for m in &series {
                    t.text("participation").unwrap();
                    t.int(r).unwrap();
                    t.int(u64::from(m.step)).unwrap();
                    for &v in &m.values {
                        t.float(v).unwrap();
                    }
                    t.end_row().unwrap();
                }
            }
            t.commit().unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, floor_and_step, batch, csv);
criterion_main!(benches);
