//! Monte Carlo throughput on 1 and 2 threads, measured interleaved, next to
//! a control that is pure arithmetic: the control shows how much two threads
//! can gain on this host at all (issue: performance; BENCHMARKS.md).
//!
//! Run: cargo run --release --example scaling -- [rounds] [replicates] [citizens]

mod support;

use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use agora_core::rng::mix64;
use agora_core::runner::{Prepared, jobs_of, run_ordered};
use agora_core::scenario;
use rayon::prelude::*;
use support::{pool, seconds, summary};

/// Independent arithmetic tasks, as many as the batch has runs.
fn control(tasks: usize) -> u64 {
    (0..tasks as u64)
        .into_par_iter()
        .map(|t| (0..4_000_000u64).fold(t, |acc, i| acc ^ mix64(acc.wrapping_add(i))))
        .reduce(|| 0, |a, b| a ^ b)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(10, |s| s.parse().expect("rounds"));
    let replicates: u32 = args.next().map_or(8, |s| s.parse().expect("replicates"));
    let citizens: u32 = args.next().map_or(10_000, |s| s.parse().expect("citizens"));
    let batch: Vec<Prepared> = scenario::built_in()
        .into_iter()
        .map(|mut s| {
            s.population.citizens = citizens;
            s.replicates = replicates;
            Prepared::new(s).expect("built-in scenarios are valid")
        })
        .collect();
    let jobs = jobs_of(&batch);
    let pools = [pool(1), pool(2)];
    let run_batch = |pool: &rayon::ThreadPool| {
        seconds(|| {
            let stop = AtomicBool::new(false);
            pool.install(|| {
                run_ordered(&batch, jobs.as_slice(), &stop, |run| {
                    black_box(run);
                    Ok::<_, ()>(())
                })
            })
            .expect("the consumer cannot fail");
        })
    };
    let run_control = |pool: &rayon::ThreadPool| {
        seconds(|| {
            black_box(pool.install(|| control(jobs.len())));
        })
    };
    let (mut runs_per_s, mut batch_speedup, mut control_speedup) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (b1, b2) = (run_batch(&pools[0]), run_batch(&pools[1]));
        let (c1, c2) = (run_control(&pools[0]), run_control(&pools[1]));
        runs_per_s.push(jobs.len() as f64 / b1);
        batch_speedup.push(b1 / b2);
        control_speedup.push(c1 / c2);
    }
    println!("{} runs of {citizens} citizens per batch, {rounds} rounds", jobs.len());
    summary("runs per second, 1 thread", runs_per_s);
    summary("batch speed-up, 2 threads", batch_speedup);
    summary("control speed-up, 2 threads", control_speedup);
}
