//! Argument parsing and the subcommands. Bad input of any kind ends in exit
//! code 2 with a message naming the file position, flag or parameter path.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use agora_core::commands::{self, GraphNetwork};
use agora_core::error::Result;
use agora_core::memory::gib;
use agora_core::output::analysis::{discovery_text, ranked_table};
use agora_core::output::compare::compare_table;
use agora_core::output::graph::stats_text;
use agora_core::output::summary_table;
use agora_core::sweep::Shard;

use crate::terminal::{Console, display_dir, print_text, say, warn};

#[derive(Parser, Debug)]
#[command(
    name = "agora",
    version,
    about = "Agent-based scenarios of citizens, public administrations and Social CRM"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scenarios (the three built-in ones when none is given) and write results
    Run(RunArgs),
    /// Compare policies with a baseline on the same seeds: paired differences with 95% intervals
    Compare(CompareArgs),
    /// Run a parameter sweep (or one shard of it) and write runs.csv and points.csv
    Sweep(SweepArgs),
    /// Merge the shard folders of a sweep into one folder
    Merge {
        /// Shard folders, or folders that contain shard-*-of-* folders
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder
        #[arg(long)]
        out: PathBuf,
    },
    /// Write DIR/report.html (charts, class shares, final means, manifest) from a results folder
    Report {
        /// A results folder of `agora run` or `agora sweep`
        dir: PathBuf,
    },
    /// Check that a results folder is one complete result: every file its manifest lists, unchanged
    Verify {
        /// A results folder
        dir: PathBuf,
    },
    /// A classroom demo: the three futures unfold side by side in the terminal, then a report
    Demo {
        /// Output folder for the demo's results and report
        #[arg(long, default_value = "results/demo")]
        out: PathBuf,
        /// Citizens per run
        #[arg(long, default_value_t = 2000)]
        citizens: u32,
        /// Replicates per scenario
        #[arg(long, default_value_t = 8)]
        replicates: u32,
        /// Pause between frames in milliseconds (terminal only)
        #[arg(long, default_value_t = 70)]
        frame_ms: u64,
    },
    /// A classroom web page on this machine: the three futures live, their population, the levers
    Serve {
        /// Port to listen on (0: any free port; the first line printed is the page's address)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on (127.0.0.1: this machine only; 0.0.0.0: the whole network, with a join URL carrying a random token)
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Citizens per future
        #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(100..=200_000))]
        citizens: u32,
        /// Milliseconds between two months while playing
        #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(10..=10_000))]
        month_ms: u64,
    },
    /// Write the graph a replicate simulates on, and its statistics
    Graph(GraphArgs),
    /// Sobol' or Morris sensitivity indices of a sweep with a Sobol or Morris design
    Sensitivity(SensitivityArgs),
    /// Scenario discovery (PRIM): the input ranges where a target holds, from any table
    Discover(DiscoverArgs),
    /// Approximate Bayesian computation (adaptive population Monte Carlo) against an observed series
    Calibrate(CalibrateArgs),
    /// Check the model against data, most of it not fitted: validation.csv (observed, model band, pass, fitted)
    Validate(ValidateArgs),
    /// Robust policy portfolios: NSGA-II over levers and start months, objectives aggregated across the futures
    Optimize(OptimizeArgs),
    /// Validate scenario files and print them fully resolved, with their memory estimate
    Check {
        /// Scenario files (RON), or names of built-in scenarios
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Worker threads the memory estimate assumes (default: all cores)
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
        threads: Option<u32>,
    },
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Scenario files (RON) or built-in names; none runs the built-in fracture, participation and pioneer
    scenarios: Vec<String>,
    /// Output folder
    #[arg(long, default_value = "results")]
    out: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
    /// Keep the complete runs of an interrupted run in --out and compute only the rest
    #[arg(long)]
    resume: bool,
    /// Also write DIR/report.html
    #[arg(long)]
    report: bool,
}

/// The flags of every command that simulates a batch (`run`, `compare`).
#[derive(Args, Debug)]
struct BatchArgs {
    /// Replicates per scenario (overrides the files)
    #[arg(long)]
    replicates: Option<u32>,
    /// Base seed (overrides the files)
    #[arg(long)]
    seed: Option<u64>,
    /// Steps (months) per run (overrides the files)
    #[arg(long)]
    steps: Option<u32>,
    /// Worker threads (default: all cores)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// Set a parameter by path, e.g. --set dynamics.digital_imitation=0.2 (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, String)>,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// BASE then POLICY...: scenario files or built-in names (with --across: POLICY... only)
    #[arg(required = true, value_name = "BASE POLICY")]
    scenarios: Vec<String>,
    /// Apply each policy's interventions on top of each of these futures (each its own baseline)
    #[arg(long, value_name = "FUTURE,...", value_delimiter = ',')]
    across: Vec<String>,
    /// Output folder
    #[arg(long, default_value = "results/compare")]
    out: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
    /// Also write DIR/report.html (differences over time with their bands, a forest plot)
    #[arg(long)]
    report: bool,
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// Sweep file (RON)
    sweep: PathBuf,
    /// Output folder (default: results/<sweep name>); a shard writes into its shard-I-of-N folder inside it
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only shard I of N (0 <= I < N); inside a Slurm job array it is taken from SLURM_ARRAY_TASK_*
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Keep the complete runs of an interrupted sweep in --out and compute only the rest
    #[arg(long)]
    resume: bool,
    /// Worker threads (default: all cores)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
    /// Write the design (design.csv: point and one column per parameter path) and sweep.ron; simulate nothing
    #[arg(long, conflicts_with_all = ["shard", "resume"])]
    design_only: bool,
}

#[derive(Args, Debug)]
struct GraphArgs {
    /// Scenario file (RON), or the name of a built-in scenario
    scenario: String,
    /// Which replicate's graph
    #[arg(long, default_value_t = 0)]
    replicate: u32,
    /// Write the edge list (`source,target`, each edge once, source < target) to FILE
    #[arg(long, value_name = "FILE")]
    edges: Option<PathBuf>,
    /// Print statistics and write graph_stats.csv and degree_histogram.csv into --out
    #[arg(long)]
    stats: bool,
    /// Folder for the statistics files
    #[arg(long, default_value = "graph")]
    out: PathBuf,
    /// The citizens' social graph or the administrations' peer graph
    #[arg(long, value_enum, default_value_t = WhichGraph::Social)]
    network: WhichGraph,
    /// Set a parameter by path (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, String)>,
}

#[derive(Args, Debug)]
struct SensitivityArgs {
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
}

#[derive(Args, Debug)]
struct CalibrateArgs {
    /// A calibration file (RON): base scenario, priors, observed series, metric, ABC settings
    file: PathBuf,
    /// Output folder (default: results/<name>)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Continue an interrupted calibration after its last complete generation
    #[arg(long)]
    resume: bool,
    /// Worker threads (default: all cores)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// No progress lines
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct OptimizeArgs {
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
struct ValidateArgs {
    /// Output folder
    #[arg(long, default_value = "results/validation")]
    out: PathBuf,
    /// Small populations and few replicates: the same rows in about a minute, to check the command (not to quote)
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
struct DiscoverArgs {
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
    /// Output folder (default: discover/ next to FILE)
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum WhichGraph {
    Social,
    Admin,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() && !value.trim().is_empty() => {
            Ok((path.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not PATH=VALUE (e.g. dynamics.need_rate=0.4)")),
    }
}

/// Parse the command line and run the subcommand.
pub fn run() -> Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are successes; everything else is bad usage.
            let code = if e.use_stderr() { 2 } else { 0 };
            e.print().ok();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Check { scenarios, threads } => check_command(&scenarios, threads),
        Command::Serve {
            port,
            host,
            citizens,
            month_ms,
        } => serve_command(port, host, citizens, month_ms),
        Command::Graph(args) => graph_command(args),
        Command::Sweep(args) => sweep_command(args),
        Command::Compare(args) => compare_command(args),
        Command::Sensitivity(args) => sensitivity_command(args),
        Command::Discover(args) => discover_command(args),
        Command::Calibrate(args) => calibrate_command(args),
        Command::Validate(args) => validate_command(args),
        Command::Optimize(args) => optimize_command(args),
        Command::Report { dir } => {
            let path = agora_report::report(&dir)?;
            say(format_args!("wrote {}", path.display()))
        }
        Command::Verify { dir } => {
            let manifest = commands::verify(&dir)?;
            let unlisted = manifest.unlisted(&dir)?;
            if !unlisted.is_empty() {
                warn(format_args!(
                    "{}: not listed in the manifest, so not part of the result: {}",
                    display_dir(&dir),
                    unlisted.join(", ")
                ));
            }
            say(format_args!(
                "{}: {} files match their manifest",
                display_dir(&dir),
                manifest.files.len()
            ))
        }
        Command::Demo {
            out,
            citizens,
            replicates,
            frame_ms,
        } => crate::demo::run(&out, citizens, replicates, frame_ms),
        Command::Merge { dirs, out } => {
            let (sweep, shards) = commands::merge(&dirs, &out)?;
            say(format_args!(
                "merged {shards} shards of sweep {} ({} runs) into {}",
                sweep.name,
                sweep.total_runs(),
                display_dir(&out)
            ))
        }
    }
}

/// Print one line to stdout; a closed stdout ends the command normally.
/// `agora serve`: bind, print the address first (tests and scripts read
/// it), then answer until stopped.
fn serve_command(port: u16, host: String, citizens: u32, month_ms: u64) -> Result<ExitCode> {
    let options = agora_serve::ServeOptions {
        host,
        port,
        session: agora_serve::SessionOptions {
            citizens,
            ..Default::default()
        },
        month: std::time::Duration::from_millis(month_ms),
        ..Default::default()
    };
    let server = agora_serve::Server::bind(options)?;
    say(format_args!("{}", server.url()))?;
    // The rest goes to stderr: a script may read the address and close stdout.
    if let Some(warning) = server.warning() {
        warn(format_args!("{warning}"));
    }
    warn(format_args!(
        "Open that address in a browser (a tab per session); Ctrl-C stops the server."
    ));
    server.run()?;
    Ok(ExitCode::SUCCESS)
}

fn check_command(scenarios: &[String], threads: Option<u32>) -> Result<ExitCode> {
    let console = Console::new(true);
    for (prepared, estimate) in commands::check(scenarios, threads.map(|t| t as usize), &console)? {
        print_text(&format!("{}\n", prepared.scenario.to_ron()))?;
        warn(format_args!(
            "memory: about {} for `{}` ({} per replicate, {} at once, {} of series kept)",
            gib(estimate.peak),
            prepared.scenario.name,
            gib(estimate.per_replicate),
            estimate.concurrent,
            gib(estimate.kept)
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn graph_command(args: GraphArgs) -> Result<ExitCode> {
    if args.edges.is_none() && !args.stats {
        warn(format_args!("nothing to do: give --edges FILE and/or --stats"));
        return Ok(ExitCode::from(2));
    }
    let options = commands::GraphOptions {
        scenario: args.scenario,
        overrides: args.set,
        replicate: args.replicate,
        network: match args.network {
            WhichGraph::Social => GraphNetwork::Social,
            WhichGraph::Admin => GraphNetwork::Admin,
        },
        edges: args.edges.clone(),
        stats: args.stats.then(|| args.out.clone()),
    };
    let outcome = commands::graph(&options, &Console::new(true))?;
    if let Some(path) = &args.edges {
        warn(format_args!("wrote {} edges to {}", outcome.edges, path.display()));
    }
    if let Some(report) = &outcome.report {
        print_text(&stats_text(report))?;
        say(format_args!("statistics in {}", display_dir(&args.out)))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--set` assignments followed by `--replicates`, `--seed` and `--steps` as paths.
fn with_flags(
    set: &[(String, String)],
    replicates: Option<u32>,
    seed: Option<u64>,
    steps: Option<u32>,
) -> Vec<(String, String)> {
    let mut overrides = set.to_vec();
    for (flag, value) in [
        ("replicates", replicates.map(|x| x.to_string())),
        ("seed", seed.map(|x| x.to_string())),
        ("steps", steps.map(|x| x.to_string())),
    ] {
        if let Some(value) = value {
            overrides.push((flag.to_string(), value));
        }
    }
    overrides
}

fn compare_command(args: CompareArgs) -> Result<ExitCode> {
    let mut scenarios = args.scenarios.into_iter();
    let base = if args.across.is_empty() { scenarios.next() } else { None };
    let options = commands::CompareOptions {
        base,
        policies: scenarios.collect(),
        across: args.across,
        out: args.out.clone(),
        overrides: with_flags(
            &args.batch.set,
            args.batch.replicates,
            args.batch.seed,
            args.batch.steps,
        ),
        threads: args.batch.threads.map(|t| t as usize),
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
    };
    let outcome = commands::compare(&options, &Console::new(args.batch.quiet))?;
    for pair in &outcome.pairs {
        print_text(&format!("{}\n", compare_table(pair)))?;
    }
    say_finished(
        outcome.runs,
        outcome.seconds,
        outcome.threads,
        &args.out,
        outcome.report.as_deref(),
    )
}

fn run_command(args: RunArgs) -> Result<ExitCode> {
    let b = &args.batch;
    let options = commands::RunOptions {
        scenarios: args.scenarios,
        out: args.out.clone(),
        overrides: with_flags(&b.set, b.replicates, b.seed, b.steps),
        threads: b.threads.map(|t| t as usize),
        resume: args.resume,
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
    };
    let summary = commands::run(&options, &Console::new(b.quiet))?;
    print_text(&summary_table(&summary.tallies))?;
    say_finished(
        summary.runs,
        summary.seconds,
        summary.threads,
        &args.out,
        summary.report.as_deref(),
    )
}

/// The closing lines of a batch of runs: how many, how long, where, and the report if one was made.
fn say_finished(runs: usize, seconds: f64, threads: usize, out: &Path, report: Option<&Path>) -> Result<ExitCode> {
    say(format_args!(
        "{runs} runs in {seconds:.1} s on {threads} threads; results in {}",
        display_dir(out)
    ))?;
    if let Some(path) = report {
        say(format_args!("report: {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn sweep_command(args: SweepArgs) -> Result<ExitCode> {
    let options = commands::SweepOptions {
        file: args.sweep,
        out: args.out,
        shard: args.shard,
        resume: args.resume,
        threads: args.threads.map(|t| t as usize),
        design_only: args.design_only,
    };
    let outcome = commands::sweep(&options, &Console::new(args.quiet))?;
    let sweep = &outcome.sweep;
    if let Some(design) = &outcome.design {
        let method = sweep
            .design
            .as_ref()
            .map(|d| format!(" ({})", d.method()))
            .unwrap_or_default();
        return say(format_args!(
            "sweep {}: {} design points{method} over {} parameters in {}; nothing simulated",
            sweep.name,
            sweep.points.len(),
            sweep.axes.len(),
            design.display()
        ));
    }
    if outcome.already_complete {
        return say(format_args!(
            "sweep {}: {} is complete already; nothing to resume",
            sweep.name,
            display_dir(&outcome.dir)
        ));
    }
    let part = if outcome.shard == Shard::WHOLE {
        String::new()
    } else {
        format!(" (shard {}/{})", outcome.shard.index, outcome.shard.count)
    };
    say(format_args!(
        "sweep {}: {} points x {} replicates{part}, {} runs in {:.1} s; results in {}",
        sweep.name,
        sweep.points.len(),
        sweep.replicates,
        outcome.runs,
        outcome.seconds,
        display_dir(&outcome.dir)
    ))
}

fn sensitivity_command(args: SensitivityArgs) -> Result<ExitCode> {
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
    ))
}

fn calibrate_command(args: CalibrateArgs) -> Result<ExitCode> {
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
    ))
}

fn validate_command(args: ValidateArgs) -> Result<ExitCode> {
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

fn optimize_command(args: OptimizeArgs) -> Result<ExitCode> {
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

fn discover_command(args: DiscoverArgs) -> Result<ExitCode> {
    let options = commands::DiscoverOptions {
        file: args.file,
        target: args.target.clone(),
        inputs: args.inputs,
        config: agora_core::analysis::PrimConfig {
            peel_alpha: args.peel_alpha,
            paste_alpha: args.paste_alpha,
            mass_min: args.mass_min,
            ..Default::default()
        },
        boxes: args.boxes as usize,
        min_coverage: args.min_coverage,
        out: args.out,
    };
    let outcome = commands::discover(&options)?;
    print_text(&format!(
        "target {}: {} of {} rows\n",
        args.target, outcome.cases, outcome.rows
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
    ))
}
