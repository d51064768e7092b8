//! Memory flat in replicates (issue: performance v3; BENCHMARKS.md): runs N
//! replicates of a 200-citizen, 227-month fracture run as `agora run
//! fracture --quantiles sketch --no-timeseries` does, then prints the runs,
//! the wall time, the bytes the aggregates keep, and the process's peak
//! resident memory (`VmHWM`). Run it for several N: the peak should not grow.
//!
//! Run: cargo run --release --example replicate_memory -- 100000 [threads] [exact|sketch]

use agora_core::commands::{RunOptions, Silent, run};
use agora_core::output::{Keep, Quantiles};

fn main() {
    let mut args = std::env::args().skip(1);
    let replicates: u32 = args.next().map_or(10_000, |s| s.parse().expect("replicates"));
    let threads: usize = args.next().map_or(2, |s| s.parse().expect("threads"));
    let quantiles = match args.next().as_deref() {
        Some("exact") => Quantiles::Exact,
        _ => Quantiles::Sketch,
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let options = RunOptions {
        scenarios: vec!["fracture".into()],
        out: dir.path().join("results"),
        overrides: vec![
            ("population.citizens".into(), "200".into()),
            ("replicates".into(), replicates.to_string()),
        ],
        threads: Some(threads),
        keep: Keep {
            quantiles,
            no_timeseries: true,
            ..Keep::default()
        },
        ..RunOptions::default()
    };
    let done = run(&options, &Silent).expect("the run");
    let kept: usize = done.tallies.iter().map(|t| t.heap_bytes()).sum();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(str::to_string))
        .unwrap_or_else(|| "VmHWM: unknown".into());
    println!(
        "replicates {replicates}, threads {threads}, {quantiles:?}: {:.1} s, aggregates keep {:.1} MiB, {peak}",
        done.seconds,
        kept as f64 / f64::from(1u32 << 20)
    );
}
