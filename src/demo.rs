//! `agora demo`: the three built-in futures unfold side by side in the
//! terminal (unicode sparklines, 80 columns), then a results folder and its
//! report are written. When stdout is not a terminal it prints plain text.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use rayon::prelude::*;

use agora::error::{Error, IoContext, Result};
use agora::graph::stats::Summary;
use agora::model::{Class, METRICS, Metrics, Model, N_METRICS, metrics::idx};
use agora::output::{Folder, RunOutput, Stopwatch};
use agora::runner::{Prepared, Run, Sink, jobs_of};
use agora::scenario;

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const WIDTH: usize = 48;
/// The metrics the demo draws (positions in the metric table).
const SHOWN: [usize; 5] = [
    idx::DIGITALIZATION,
    idx::ADOPTION,
    idx::TRUST,
    idx::PARTICIPATION,
    idx::FRACTURE,
];

pub fn run(out: &Path, citizens: u32, replicates: u32, frame_ms: u64) -> Result<ExitCode> {
    let clock = Stopwatch::start(rayon::current_num_threads());
    let mut batch = Vec::new();
    for mut s in scenario::built_in() {
        let overrides = [
            ("population.citizens".to_string(), citizens.to_string()),
            ("replicates".to_string(), replicates.to_string()),
            (
                "population.administrations".to_string(),
                (citizens / 100).clamp(1, 100).to_string(),
            ),
        ];
        scenario::apply_overrides(&mut s, &overrides)?;
        batch.push(Prepared::new(s)?);
    }
    let folder = Folder::lock(out)?;
    let steps = batch[0].scenario.steps;
    let jobs = jobs_of(&batch);
    let mut models: Vec<Model> = jobs
        .par_iter()
        .map(|j| Model::new(&batch[j.scenario].scenario, j.seed, &batch[j.scenario].graphs))
        .collect();
    let graphs: Vec<Summary> = models.iter().map(|m| Summary::of(m.social_graph())).collect();
    let mut series: Vec<Vec<Metrics>> = models.iter().map(|m| vec![m.metrics()]).collect();
    let terminal = std::io::stdout().is_terminal();
    let mut stdout = std::io::stdout().lock();
    let print = |e: std::io::Error| Error::io("printing", e);
    let mut drawn_lines = 0;
    for step in 1..=steps {
        let metrics: Vec<Metrics> = models
            .par_iter_mut()
            .map(|m| {
                m.step();
                m.metrics()
            })
            .collect();
        for (s, m) in series.iter_mut().zip(metrics) {
            s.push(m);
        }
        if terminal {
            let frame = render(&batch, &jobs, &series, step, steps);
            if drawn_lines > 0 {
                write!(stdout, "\x1b[{drawn_lines}A").map_err(print)?;
            }
            write!(stdout, "{frame}").map_err(print)?;
            stdout.flush().map_err(print)?;
            drawn_lines = frame.lines().count();
            std::thread::sleep(Duration::from_millis(frame_ms));
        } else if step % 24 == 0 || step == steps {
            writeln!(stdout, "month {step}:").map_err(print)?;
            for (s, p) in batch.iter().enumerate() {
                let means = scenario_means(&jobs, &series, s, step as usize);
                let values: Vec<String> = SHOWN
                    .iter()
                    .map(|&i| format!("{} {:.2}", METRICS[i].short, means[i]))
                    .collect();
                writeln!(stdout, "  {:<13} {}", p.scenario.name, values.join(" ")).map_err(print)?;
            }
        }
    }
    if !terminal {
        // One plain chart per metric at the end: text that reads in a log or a pipe.
        write!(stdout, "{}", render(&batch, &jobs, &series, steps, steps)).map_err(print)?;
    }
    drop(stdout);

    let (mut output, _) = RunOutput::open(&folder, &batch, &jobs, false)?;
    for ((job, run_series), graph) in jobs.iter().zip(series).zip(graphs) {
        let class = Class::of(&run_series, &batch[job.scenario].scenario.classification);
        output
            .add(&Run {
                scenario: job.scenario,
                replicate: job.replicate,
                seed: job.seed,
                series: run_series,
                class,
                graph,
            })
            .at(out)?;
    }
    output.finish(&folder, clock.provenance())?;
    let report = agora::report::write_report(&folder)?;
    crate::cli::say(format_args!(
        "\nEvery chart is in the report; open it in a browser:\n{}",
        report.display()
    ))
}

/// Mean of each metric over the replicates of scenario `s` at `step`.
fn scenario_means(jobs: &[agora::runner::Job], series: &[Vec<Metrics>], s: usize, step: usize) -> [f64; N_METRICS] {
    let mut sum = [0.0; N_METRICS];
    let mut n = 0.0;
    for (job, run) in jobs.iter().zip(series) {
        if job.scenario == s {
            for (a, b) in sum.iter_mut().zip(run[step].values) {
                *a += b;
            }
            n += 1.0;
        }
    }
    sum.map(|x| x / n)
}

/// One frame: per metric, a sparkline per scenario from month 0 to `step`.
fn render(batch: &[Prepared], jobs: &[agora::runner::Job], series: &[Vec<Metrics>], step: u32, steps: u32) -> String {
    let mut out = format!("agora demo: three futures of Social CRM, month {step:>3} of {steps}\n");
    // The whole story so far, one column per month up to WIDTH months, sampled evenly beyond.
    let step = step as usize;
    let months: Vec<usize> = if step < WIDTH {
        (0..=step).collect()
    } else {
        (0..WIDTH).map(|c| (c * step + (WIDTH - 1) / 2) / (WIDTH - 1)).collect()
    };
    for metric in SHOWN {
        let name = METRICS[metric].label;
        let history: Vec<Vec<f64>> = (0..batch.len())
            .map(|s| {
                months
                    .iter()
                    .map(|&t| scenario_means(jobs, series, s, t)[metric])
                    .collect()
            })
            .collect();
        let top = history.iter().flatten().cloned().fold(1e-9f64, f64::max).max(1.0);
        out.push_str(&format!("{name}\n"));
        for (s, values) in history.iter().enumerate() {
            let line: String = values
                .iter()
                .map(|v| SPARKS[((v / top).clamp(0.0, 1.0) * 7.0).round() as usize])
                .collect();
            out.push_str(&format!(
                "  {:<14}{line:<width$} {:>6.3}\n",
                batch[s].scenario.name,
                values.last().copied().unwrap_or(0.0),
                width = WIDTH
            ));
        }
    }
    out
}
