//! The analysis subcommands' arguments and handlers: `sensitivity`,
//! `calibrate`, `validate`, `optimize` and `discover` (analyses of runs or of data,
//! beside the simulating commands in `cli.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use agora_core::analysis::Objective;
use agora_core::commands;
use agora_core::error::Result;
use agora_core::output::analysis::{discovery_text, ranked_table};

use crate::cli::{parse_assignment, report_of};
use crate::terminal::{Console, display_dir, print_text, say};

#[derive(Args, Debug)]
pub(crate) struct SensitivityArgs {
    /// A sweep folder (or a --design-only folder with --outputs) of a Sobol or Morris design
    dir: PathBuf,
    /// A CSV with a `point` column and numeric outputs, instead of the folder's points.csv
    #[arg(long, value_name = "FILE.csv")]
    outputs: Option<PathBuf>,
    /// Outputs to analyse: metric names (with --outputs: column names); default all
    #[arg(long, value_name = "M,...", value_delimiter = ',')]
    metrics: Vec<String>,
    /// Bootstrap resamples for the 95% intervals
    #[arg(long, value_name = "B", default_value_t = 1000)]
    bootstrap: usize,
    /// Bootstrap seed (default: the sweep's seed)
    #[arg(long)]
    seed: Option<u64>,
    /// Also the indices of every metric at every month (needs a sweep with `series: true`)
    #[arg(long)]
    over_time: bool,
    /// Output folder (default: DIR/sensitivity)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write report.html into the output folder
    #[arg(long)]
    report: bool,
}

#[derive(Args, Debug)]
pub(crate) struct CalibrateArgs {
    /// A calibration file (RON): base scenario, priors, observed series, metric, ABC settings
    file: PathBuf,
    /// Output folder (default: results/<name>)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Continue an interrupted calibration after its last complete generation
    #[arg(long)]
    resume: bool,
    /// Also write report.html into the output folder
    #[arg(long)]
    report: bool,
    /// Worker threads (default: all cores)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// No progress lines
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct OptimizeArgs {
    /// Futures: scenario files or built-in names (default: the three built-in ones)
    scenarios: Vec<String>,
    /// The levers file (RON): levers, their ranges and start months, objectives
    #[arg(long)]
    levers: PathBuf,
    /// Budget on the cost, extra euros per citizen to the last month (default: none)
    #[arg(long)]
    budget: Option<f64>,
    /// Candidate policies to evaluate (rounded up to whole generations)
    #[arg(long)]
    evaluations: usize,
    /// Output folder
    #[arg(long, default_value = "results/optimize")]
    out: PathBuf,
    /// Set a parameter of every future (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, String)>,
    /// Seed of the search and the replicates (default: the levers file's)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; results do not depend on it)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// Continue an interrupted search after its last complete generation
    #[arg(long)]
    resume: bool,
    /// Also write DIR/report.html
    #[arg(long)]
    report: bool,
    /// No progress lines
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct ValidateArgs {
    /// Output folder
    #[arg(long, default_value = "results/validation")]
    out: PathBuf,
    /// Small populations and few replicates: the same rows in seconds, to check the command (not to quote)
    #[arg(long)]
    quick: bool,
    /// Seed of the replicates behind the model's bands (default 2026; the calibration used 2012)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; results do not depend on it)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// Also write DIR/report.html: one chart per pattern
    #[arg(long)]
    report: bool,
    /// No progress lines
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct DiscoverArgs {
    /// A CSV table with a header, e.g. a sweep's runs.csv
    file: PathBuf,
    /// The cases of interest: COL=VALUE, COL<X or COL>X (e.g. class=fracture, trust<0.45)
    #[arg(long, value_name = "EXPR")]
    target: String,
    /// Numeric input columns the boxes restrict
    #[arg(long, value_name = "COL,...", value_delimiter = ',', required = true)]
    inputs: Vec<String>,
    /// Share of the box's points each peel removes
    #[arg(long, default_value_t = 0.05)]
    peel_alpha: f64,
    /// Share of the points just outside each paste adds
    #[arg(long, default_value_t = 0.05)]
    paste_alpha: f64,
    /// Smallest share of the points a box may hold
    #[arg(long, default_value_t = 0.05)]
    mass_min: f64,
    /// Boxes to find; each next box is sought on the points outside the earlier ones
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    boxes: u32,
    /// The chosen box is the densest with at least this coverage
    #[arg(long, default_value_t = 0.8)]
    min_coverage: f64,
    /// How peeling scores a candidate box, as the EMA Workbench's PRIM: lenient1 (its default: the gain in density per point removed), lenient2 (that gain times the box's points) or original (the box's density)
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Lenient1)]
    objective: ObjectiveArg,
    /// Output folder (default: discover/ next to FILE)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write report.html into the output folder
    #[arg(long)]
    report: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum ObjectiveArg {
    Original,
    Lenient1,
    Lenient2,
}

pub(crate) fn sensitivity_command(args: SensitivityArgs) -> Result<ExitCode> {
    let options = commands::SensitivityOptions {
        dir: args.dir,
        outputs: args.outputs,
        metrics: args.metrics,
        bootstrap: args.bootstrap,
        seed: args.seed,
        over_time: args.over_time,
        out: args.out,
    };
    let outcome = commands::sensitivity(&options, &Console::new(true))?;
    print_text(&format!(
        "{} indices of {} parameters with 95% bootstrap intervals ({} resamples; ~0: the interval contains 0)\n\
         outcome of a point: {}\n",
        outcome.method,
        outcome.parameters.len(),
        options.bootstrap,
        outcome.outcome,
    ))?;
    for output in &outcome.outputs {
        print_text(&format!("\n{output}\n{}", ranked_table(&outcome.indices, output)))?;
    }
    let timed = match outcome.over_time_rows {
        0 => String::new(),
        n => format!(" and {n} rows over time in sensitivity_over_time.csv"),
    };
    say(format_args!(
        "\nsensitivity.csv{timed} in {}",
        display_dir(&outcome.out)
    ))?;
    report_of(args.report, &outcome.out)
}

pub(crate) fn calibrate_command(args: CalibrateArgs) -> Result<ExitCode> {
    let options = commands::CalibrateOptions {
        file: args.file,
        out: args.out,
        resume: args.resume,
        threads: args.threads.map(|t| t as usize),
    };
    let console = Console::new(args.quiet);
    let observer: &dyn commands::Observer = if args.quiet { &commands::Silent } else { &console };
    let o = commands::calibrate(&options, observer)?;
    let c = &o.calibration;
    let width = c.parameters.iter().map(String::len).max().unwrap_or(0).max(9);
    let mut text = format!(
        "posterior of {} parameters after {} generations ({} particles, epsilon {:.5}, acceptance {:.3})\n\
         {:width$}  median     5%         95%        mean\n",
        c.parameters.len(),
        o.last.index + 1,
        o.last.particles.len(),
        o.last.epsilon,
        o.last.acceptance,
        "parameter",
    );
    for (name, m) in c.parameters.iter().zip(&o.marginals) {
        text.push_str(&format!(
            "{name:width$}  {:<10.6} {:<10.6} {:<10.6} {:.6}\n",
            m.median, m.lo90, m.hi90, m.mean
        ));
    }
    print_text(&text)?;
    say(format_args!(
        "{} simulations in {:.1} s; posterior.csv, summary.csv and predictive.csv in {}",
        o.simulations,
        o.seconds,
        display_dir(&o.out)
    ))?;
    report_of(args.report, &o.out)
}

pub(crate) fn validate_command(args: ValidateArgs) -> Result<ExitCode> {
    let options = commands::ValidateOptions {
        out: args.out,
        quick: args.quick,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
    };
    let console = Console::new(args.quiet);
    let observer: &dyn commands::Observer = if args.quiet { &commands::Silent } else { &console };
    let o = commands::validate(&options, observer)?;
    print_text(&o.text)?;
    let report = match &o.report {
        Some(path) => format!("; report {}", path.display()),
        None => String::new(),
    };
    say(format_args!(
        "validated in {:.1} s on {} threads; validation.csv in {}{report}",
        o.seconds,
        o.threads,
        display_dir(&options.out)
    ))
}

pub(crate) fn optimize_command(args: OptimizeArgs) -> Result<ExitCode> {
    let options = commands::OptimizeOptions {
        scenarios: args.scenarios,
        levers: args.levers,
        budget: args.budget,
        evaluations: args.evaluations,
        out: args.out,
        overrides: args.set,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
        resume: args.resume,
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
    };
    let console = Console::new(args.quiet);
    let observer: &dyn commands::Observer = if args.quiet { &commands::Silent } else { &console };
    let o = commands::optimize(&options, observer)?;
    let hv = o.convergence.last().map_or(0.0, |c| c.hypervolume);
    let report = o
        .report
        .map(|p| format!("; report {}", p.display()))
        .unwrap_or_default();
    say(format_args!(
        "optimize {}: {} policies on the front after {} generations (hypervolume {hv:.4}), {} runs in {:.1} s; \
         pareto.csv, evaluations.csv and convergence.csv in {}{report}",
        o.search.file.name,
        o.pareto.len(),
        o.search.config.generations + 1,
        o.runs,
        o.seconds,
        display_dir(&options.out)
    ))
}

pub(crate) fn discover_command(args: DiscoverArgs) -> Result<ExitCode> {
    let options = commands::DiscoverOptions {
        file: args.file,
        target: args.target.clone(),
        inputs: args.inputs,
        config: agora_core::analysis::PrimConfig {
            peel_alpha: args.peel_alpha,
            paste_alpha: args.paste_alpha,
            mass_min: args.mass_min,
            objective: match args.objective {
                ObjectiveArg::Original => Objective::Original,
                ObjectiveArg::Lenient1 => Objective::Lenient1,
                ObjectiveArg::Lenient2 => Objective::Lenient2,
            },
        },
        boxes: args.boxes as usize,
        min_coverage: args.min_coverage,
        out: args.out,
    };
    let outcome = commands::discover(&options)?;
    print_text(&format!(
        "target {}: {} of {} rows; PRIM objective {}\n",
        args.target,
        outcome.cases,
        outcome.rows,
        options.config.objective.name()
    ))?;
    print_text(&discovery_text(
        &outcome.boxes,
        &outcome.chosen,
        &outcome.inputs,
        options.min_coverage,
    ))?;
    say(format_args!(
        "trajectory.csv and boxes.csv in {}",
        display_dir(&outcome.out)
    ))?;
    report_of(args.report, &outcome.out)
}
