//! `agora demo`: the three built-in futures unfold side by side in the
//! terminal (unicode sparklines as wide as the terminal, each metric on its
//! own scale, years marked under them), then a results folder and its report
//! are written. When stdout is not a terminal it prints plain text in 80
//! columns.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use rayon::prelude::*;

use agora_core::error::{Error, IoContext, Result};
use agora_core::graph::stats::Summary;
use agora_core::model::{Class, METRICS, Metrics, Model, N_METRICS, metrics::idx};
use agora_core::output::{Folder, RunOutput, Stopwatch};
use agora_core::runner::{Prepared, Run, Sink, jobs_of};
use agora_core::scenario;

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Columns of plain text, and of a terminal whose width is unknown.
const PLAIN_WIDTH: usize = 80;
/// The scenario name column, and the value after each sparkline.
const NAME: usize = 16;
const VALUE: usize = 7;
/// The metrics the demo draws (positions in the metric table).
const SHOWN: [usize; 5] = [
    idx::DIGITALIZATION,
    idx::ADOPTION,
    idx::TRUST,
    idx::PARTICIPATION,
    idx::FRACTURE,
];

/// Run the demo: simulate, draw, then write `out` and its report.
pub fn run(out: &Path, citizens: u32, replicates: u32, frame_ms: u64) -> Result<ExitCode> {
    let clock = Stopwatch::start(rayon::current_num_threads());
    let mut batch = Vec::new();
    for mut s in scenario::built_in() {
        let overrides = [
            ("population.citizens".to_string(), citizens.to_string()),
            ("replicates".to_string(), replicates.to_string()),
            (
                "population.administrations".to_string(),
                (citizens / 100).clamp(5, 100).to_string(),
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
    let (width, rows) = if terminal {
        terminal_size()
    } else {
        (PLAIN_WIDTH, usize::MAX)
    };
    let start = agora_core::calendar::Month::parse(&batch[0].scenario.start);
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
            let frame = render(
                &Frame {
                    batch: &batch,
                    jobs: &jobs,
                    series: &series,
                    start,
                    width,
                    rows,
                },
                step,
                steps,
            );
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
                let line = format!("  {:<13} {}", p.scenario.name, values.join(" "));
                writeln!(stdout, "{}", line.chars().take(width).collect::<String>()).map_err(print)?;
            }
        }
    }
    if !terminal {
        // One plain chart per metric at the end: text that reads in a log or a pipe.
        let frame = Frame {
            batch: &batch,
            jobs: &jobs,
            series: &series,
            start,
            width,
            rows,
        };
        write!(stdout, "{}", render(&frame, steps, steps)).map_err(print)?;
    }
    let ended: Vec<Class> = jobs
        .iter()
        .zip(&series)
        .map(|(job, s)| judge(s, &batch[job.scenario].scenario).class)
        .collect();
    write!(stdout, "{}", endings(&batch, &jobs, &ended, width)).map_err(print)?;
    drop(stdout);

    let (mut output, _) = RunOutput::open(&folder, &batch, Some(&jobs), false, Default::default(), &[])?;
    for ((job, run_series), graph) in jobs.iter().zip(series).zip(graphs) {
        let verdict = judge(&run_series, &batch[job.scenario].scenario);
        output
            .add(&Run {
                scenario: job.scenario,
                replicate: job.replicate,
                seed: job.seed,
                series: run_series,
                class: verdict.class,
                margin: verdict.margin,
                graph,
            })
            .at(out)?;
    }
    output.finish(&folder, clock.provenance())?;
    let report = agora_report::write_report(&folder)?;
    crate::terminal::say(format_args!(
        "\nEvery chart is in the report; open it in a browser:\n{}",
        report.display()
    ))
}

/// Mean of each metric over the replicates of scenario `s` at `step`.
fn scenario_means(
    jobs: &[agora_core::runner::Job],
    series: &[Vec<Metrics>],
    s: usize,
    step: usize,
) -> [f64; N_METRICS] {
    // Over the replicates where each metric is defined, as the aggregates do.
    let mut sum = [0.0; N_METRICS];
    let mut n = [0.0; N_METRICS];
    for (job, run) in jobs.iter().zip(series) {
        if job.scenario == s {
            for ((a, k), b) in sum.iter_mut().zip(&mut n).zip(run[step].values) {
                if b.is_finite() {
                    *a += b;
                    *k += 1.0;
                }
            }
        }
    }
    std::array::from_fn(|m| sum[m] / n[m])
}

/// What a frame draws from.
struct Frame<'a> {
    batch: &'a [Prepared],
    jobs: &'a [agora_core::runner::Job],
    series: &'a [Vec<Metrics>],
    start: Option<agora_core::calendar::Month>,
    width: usize,
    /// The terminal's rows: a frame keeps one free for the cursor.
    rows: usize,
}

/// The terminal's columns and rows: `COLUMNS` and `LINES` if set, else
/// the window size of stdout, else 80 x 24.
fn terminal_size() -> (usize, usize) {
    let env = |name: &str| std::env::var(name).ok().and_then(|c| c.trim().parse::<usize>().ok());
    let window = window_size();
    let columns = env("COLUMNS").or(window.map(|w| w.0)).unwrap_or(PLAIN_WIDTH);
    let rows = env("LINES").or(window.map(|w| w.1)).unwrap_or(24);
    (columns.clamp(40, 400), rows.clamp(8, 400))
}

/// The columns and rows of the terminal on stdout, from the TIOCGWINSZ ioctl.
fn window_size() -> Option<(usize, usize)> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which
    // points to a live, writable value of that type.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0 && size.ws_row > 0).then_some((size.ws_col as usize, size.ws_row as usize))
}

/// One frame: per metric a caption with its scale, then a sparkline per
/// scenario from month 0 to `step`; years marked under the last one.
fn render(f: &Frame, step: u32, steps: u32) -> String {
    let date = |t: u32| {
        f.start
            .map(|m| m.plus(t).to_string())
            .unwrap_or_else(|| format!("month {t}"))
    };
    // Every line fits the width (a wrapped line would throw the redraw
    // off), and the frame fits the rows: metrics that do not fit are left out.
    let title = match f.width >= 72 {
        true => format!(
            "agora demo: three futures of Social CRM, now {} (month {step:>3} of {steps})",
            date(step)
        ),
        false => format!("agora demo: three futures, {} ({step:>3}/{steps})", date(step)),
    };
    let mut out: String = title.chars().take(f.width).collect();
    out.push('\n');
    let metrics = (f.rows.saturating_sub(3) / (1 + f.batch.len())).clamp(1, SHOWN.len());
    let columns = f.width.saturating_sub(NAME + VALUE + 3).max(10);
    let step = step as usize;
    // The whole story so far, one column per month up to `columns` months, sampled evenly beyond.
    let months: Vec<usize> = if step < columns {
        (0..=step).collect()
    } else {
        (0..columns)
            .map(|c| (c * step + (columns - 1) / 2) / (columns - 1))
            .collect()
    };
    for metric in &SHOWN[..metrics] {
        out.push_str(&metric_block(f, *metric, &months));
    }
    let marks = year_marks(f.start, &months);
    out.push_str(
        marks
            .trim_end_matches('\n')
            .chars()
            .take(f.width)
            .collect::<String>()
            .as_str(),
    );
    out.push('\n');
    out
}

/// A metric's caption (label, and the values of the lowest and highest
/// mark) and a sparkline per scenario, ending in its current value.
fn metric_block(f: &Frame, metric: usize, months: &[usize]) -> String {
    let history: Vec<Vec<f64>> = (0..f.batch.len())
        .map(|s| {
            months
                .iter()
                .map(|&t| scenario_means(f.jobs, f.series, s, t)[metric])
                .collect()
        })
        .collect();
    let finite = || history.iter().flatten().cloned().filter(|v| v.is_finite());
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let caption = format!(
        "{}: {lo:.2} {} to {hi:.2} {}",
        METRICS[metric].label, SPARKS[0], SPARKS[7]
    );
    let mut out: String = caption.chars().take(f.width).collect();
    out.push('\n');
    for (s, values) in history.iter().enumerate() {
        let line: String = values
            .iter()
            .map(|v| {
                let x = if hi - lo > 1e-12 { (v - lo) / (hi - lo) } else { 0.0 };
                SPARKS[(x.clamp(0.0, 1.0) * 7.0).round() as usize]
            })
            .collect();
        let name: String = f.batch[s].scenario.name.chars().take(NAME - 3).collect();
        let last = values.last().copied().unwrap_or(f64::NAN);
        let row = format!("  {name:<w$} {line} {last:>VALUE$.3}", w = NAME - 3);
        out.push_str(&row.chars().take(f.width).collect::<String>());
        out.push('\n');
    }
    out
}

/// A line of year marks under the sparklines: every year, or every 2, 5
/// or 10 years, whichever is the first whose labels do not touch.
fn year_marks(start: Option<agora_core::calendar::Month>, months: &[usize]) -> String {
    let (Some(start), Some(&last)) = (start, months.last()) else {
        return String::new();
    };
    let columns_per_year = 12.0 * months.len() as f64 / (last.max(1) as f64);
    let every = [1, 2, 5, 10]
        .into_iter()
        .find(|k| *k as f64 * columns_per_year >= 6.0)
        .unwrap_or(20);
    let mut line = vec![' '; NAME + months.len() + 4];
    for (c, &t) in months.iter().enumerate() {
        let year = start.plus(t as u32).year();
        let previous = c.checked_sub(1).map(|p| start.plus(months[p] as u32).year());
        if previous == Some(year) || year % every != 0 || NAME + c + 4 > line.len() {
            continue;
        }
        for (k, ch) in year.to_string().chars().enumerate() {
            line[NAME + c + k] = ch;
        }
    }
    let mut text: String = line.into_iter().collect();
    text.truncate(text.trim_end().len());
    text + "\n"
}

/// The line after the story: per scenario, the futures its runs ended in.
fn endings(batch: &[Prepared], jobs: &[agora_core::runner::Job], ended: &[Class], width: usize) -> String {
    let mut parts = Vec::new();
    for (s, p) in batch.iter().enumerate() {
        let mine: Vec<Class> = jobs
            .iter()
            .zip(ended)
            .filter(|(j, _)| j.scenario == s)
            .map(|(_, c)| *c)
            .collect();
        let counts: Vec<String> = Class::ALL
            .iter()
            .map(|c| (c, mine.iter().filter(|m| *m == c).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{} {n}/{}", c.name(), mine.len()))
            .collect();
        parts.push(format!("{} -> {}", p.scenario.name, counts.join(", ")));
    }
    let mut out = String::new();
    let mut line = String::from("Ended in:");
    for part in parts {
        if line.chars().count() + 2 + part.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from("  ");
        } else {
            line.push(' ');
        }
        line.push_str(&part);
        line.push(';');
    }
    line.pop();
    out + &line + "\n"
}

/// A run's verdict by its scenario's thresholds, the trust fall measured from its branch.
fn judge(
    series: &[agora_core::model::Metrics],
    scenario: &agora_core::scenario::Scenario,
) -> agora_core::model::Verdict {
    Class::judge(series, &scenario.classification, scenario.branch_step().unwrap_or(0))
}
