//! The whole `agora run` job, phase by phase (issue #30, BENCHMARKS.md
//! "Performance v3"): what `agora run fracture --replicates 1 --set
//! population.citizens=N` does, in the same order and through the same
//! library calls, with a clock around each phase.
//!
//! Phases: parse (scenario loaded and overridden, `Prepared`), graph (the
//! social graph generated, as `Model::new` does), statistics (the graph
//! summary of `graphs.csv`), init (the rest of `Model::new`: the peer graph,
//! the initial state, the 24-month prehistory; `Model::new` less the graph's
//! time), steps, metrics (the row of
//! each month), classify (the verdict), output (aggregation and every file
//! of the results folder, with its manifest).
//!
//! Run: cargo run --release --example phases -- CITIZENS [STEPS] [THREADS] [OUT]

use std::time::Instant;

use agora_core::graph::stats::Summary;
use agora_core::model::{Class, LoadedGraphs, Model, Network};
use agora_core::output::{Folder, RunOutput, Stopwatch};
use agora_core::runner::{Prepared, Run, Sink, jobs_of};
use agora_core::scenario;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Record the time since `clock` under `name`, and restart it.
fn lap(name: &'static str, times: &mut Vec<(&'static str, f64)>, clock: &mut Instant) {
    times.push((name, clock.elapsed().as_secs_f64()));
    *clock = Instant::now();
}

fn main() {
    let process = Instant::now();
    let args: Vec<String> = std::env::args().collect();
    let citizens: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let steps: Option<u32> = args.get(2).and_then(|s| s.parse().ok());
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let out = args
        .get(4)
        .map_or_else(|| std::env::temp_dir().join("agora-phases"), Into::into);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let mut times: Vec<(&'static str, f64)> = Vec::new();
    let mut clock = Instant::now();

    // Parse: the built-in scenario, overridden as `--replicates 1 --set population.citizens=N`.
    let mut s = scenario::load(std::path::Path::new(""), "fracture").expect("the built-in fracture");
    let mut overrides = vec![
        ("replicates".to_string(), "1".to_string()),
        ("population.citizens".to_string(), citizens.to_string()),
    ];
    if let Some(steps) = steps {
        overrides.push(("steps".into(), steps.to_string()));
    }
    scenario::apply_overrides(&mut s, &overrides).expect("valid overrides");
    let prepared = Prepared::new(s).expect("no edge list");
    let jobs = jobs_of(std::slice::from_ref(&prepared));
    let job = jobs[0];
    let s = &prepared.scenario;
    lap("parse", &mut times, &mut clock);

    let (series, verdict, graph_summary) = pool.install(|| {
        // Generated once alone to time it, then dropped: `Model::new` (which
        // generates it again, as `agora run` does) is timed whole and the
        // graph's time taken off it, so the example's total exceeds the
        // job's by one generation and its peak memory matches the job's.
        let graph = Model::network(s, job.seed, &LoadedGraphs::default(), Network::Social);
        lap("graph", &mut times, &mut clock);
        let graph_s = times.last().map_or(0.0, |t| t.1);
        drop(graph);
        clock = Instant::now();
        let mut model = Model::new(s, job.seed, &LoadedGraphs::default());
        times.push(("init", (clock.elapsed().as_secs_f64() - graph_s).max(0.0)));
        clock = Instant::now();
        let summary = Summary::of(model.social_graph());
        lap("statistics", &mut times, &mut clock);
        let (mut step_s, mut metric_s) = (0.0, 0.0);
        let mut series = Vec::with_capacity(s.steps as usize + 1);
        let t = Instant::now();
        series.push(model.metrics());
        metric_s += t.elapsed().as_secs_f64();
        for _ in 0..s.steps {
            let t = Instant::now();
            model.step();
            let u = Instant::now();
            series.push(model.metrics());
            step_s += (u - t).as_secs_f64();
            metric_s += u.elapsed().as_secs_f64();
        }
        times.push(("steps", step_s));
        times.push(("metrics", metric_s));
        clock = Instant::now();
        let verdict = Class::judge(&series, &s.classification, s.branch_step().unwrap_or(0));
        lap("classify", &mut times, &mut clock);
        (series, verdict, summary)
    });

    // Output: the results folder, as `agora run` writes it.
    let _ = std::fs::remove_dir_all(&out);
    let stopwatch = Stopwatch::start(threads);
    let folder = Folder::lock(&out).expect("a results folder");
    let (mut output, _) = RunOutput::open(
        &folder,
        std::slice::from_ref(&prepared),
        Some(&jobs),
        false,
        Default::default(),
        &[],
    )
    .expect("open");
    let run = Run {
        scenario: 0,
        replicate: job.replicate,
        seed: job.seed,
        series,
        class: verdict.class,
        margin: verdict.margin,
        graph: graph_summary,
    };
    output.add(&run).expect("write a run");
    output.finish(&folder, stopwatch.provenance()).expect("finish");
    drop(folder);
    lap("output", &mut times, &mut clock);

    let total = process.elapsed().as_secs_f64();
    let steps = s.steps;
    println!(
        "{citizens} citizens x {steps} months, {threads} thread(s), total {total:.3} s, peak RSS {:.0} MiB",
        peak_rss_mib()
    );
    for (name, secs) in &times {
        println!("{name:>12} {secs:9.4} s {:5.1}%", 100.0 * secs / total);
    }
    let per = times.iter().find(|(n, _)| *n == "steps").map_or(0.0, |t| t.1) / (f64::from(citizens) * f64::from(steps));
    println!("{:>12} {:9.2} ns per citizen-step", "steps", per * 1e9);
}
