//! Argument parsing and the subcommands. Bad input of any kind ends in exit
//! code 2 with a message naming the file position, flag or parameter path.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use agora_core::commands::{self, GraphNetwork};
use agora_core::error::Result;
use agora_core::memory::gib;
use agora_core::output::compare_text::{across_text, compare_text};
use agora_core::output::graph::stats_text;
use agora_core::output::summary_table;
use agora_core::sweep::Shard;

use crate::analyses::{
    CalibrateArgs, DiscoverArgs, OptimizeArgs, SensitivityArgs, ValidateArgs, calibrate_command, discover_command,
    optimize_command, sensitivity_command, validate_command,
};
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
    #[command(
        after_help = "Example:\n  agora run pioneer --replicates 10 --intervene '2027-01 dynamics.training=0.04' --out results/training"
    )]
    Run(RunArgs),
    /// Compare policies with a baseline on the same seeds: paired differences with 95% intervals
    #[command(after_help = "Example:\n  agora compare pioneer examples/policies/secure-2y.ron --replicates 10")]
    Compare(CompareArgs),
    /// Run a parameter sweep (or one shard of it) and write runs.csv and points.csv
    #[command(after_help = "Example:\n  agora sweep examples/sweeps/barriers.ron --out results/barriers")]
    Sweep(SweepArgs),
    /// Merge the shard folders of a sweep into one folder
    #[command(after_help = "Example:\n  agora merge results/barriers-shards --out results/barriers-merged")]
    Merge {
        /// Shard folders, or folders that contain shard-*-of-* folders
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder
        #[arg(long)]
        out: PathBuf,
    },
    /// Write DIR/report.html (charts, class shares, final means, manifest) from a results folder
    #[command(after_help = "Example:\n  agora report results")]
    Report {
        /// A results folder of `agora run` or `agora sweep`
        dir: PathBuf,
    },
    /// Check that a results folder is one complete result: every file its manifest lists, unchanged
    #[command(after_help = "Example:\n  agora verify results")]
    Verify {
        /// A results folder
        dir: PathBuf,
    },
    /// A classroom demo: the three futures unfold side by side in the terminal, then a report
    #[command(after_help = "Example:\n  agora demo --citizens 500 --replicates 2 --frame-ms 0")]
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
    /// A classroom web page on this machine: the three futures live, their population, the levers; and a class mode at /class
    #[command(after_help = "Example:\n  agora serve --classes results/classes")]
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
        /// Folder where a class's session is exported (a subfolder per class and round)
        #[arg(long, default_value = "agora-classes")]
        classes: PathBuf,
    },
    /// The classroom page with nothing to install: one HTML file with runs computed in advance, for file:// or any static host
    #[command(after_help = "Example:\n  agora classroom --out results/classroom --citizens 500")]
    Classroom {
        /// Output folder (index.html is written there)
        #[arg(long, default_value = "classroom")]
        out: PathBuf,
        /// Citizens per future
        #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(100..=200_000))]
        citizens: u32,
    },
    /// Write the graph a replicate simulates on, and its statistics
    #[command(after_help = "Example:\n  agora graph fracture --stats --set population.citizens=2000")]
    Graph(GraphArgs),
    /// Sobol' or Morris sensitivity indices of a sweep with a Sobol or Morris design
    #[command(after_help = "Example:\n  agora sensitivity results/barriers-sobol --metrics trust,adopter_share")]
    Sensitivity(SensitivityArgs),
    /// Scenario discovery (PRIM): the input ranges where a target holds, from any table
    #[command(
        after_help = "Example:\n  agora discover results/barriers-sobol/runs.csv --target class=pioneer --inputs dynamics.roi_barrier_scale,dynamics.security_barrier_scale"
    )]
    Discover(DiscoverArgs),
    /// Approximate Bayesian computation (adaptive population Monte Carlo) against an observed series
    #[command(after_help = "Example:\n  agora calibrate examples/calibration/digital.ron --out results/abc-digital")]
    Calibrate(CalibrateArgs),
    /// Check the model against data, most of it not fitted: validation.csv (observed, model band, pass, fitted)
    #[command(after_help = "Example:\n  agora validate --quick --out results/validation-quick")]
    Validate(ValidateArgs),
    /// Robust policy portfolios: NSGA-II over levers and start months, objectives aggregated across the futures
    #[command(
        after_help = "Example:\n  agora optimize --levers examples/levers.ron --budget 60 --evaluations 200 --set population.citizens=2000 --set population.administrations=20"
    )]
    Optimize(OptimizeArgs),
    /// Validate scenario, sweep and calibration files; print scenarios fully resolved, with their memory estimate
    #[command(
        after_help = "Example:\n  agora check fracture examples/policies/secure-2y.ron examples/sweeps/barriers.ron"
    )]
    Check {
        /// Scenario files (RON) or names of built-in scenarios (policies are scenarios), sweep files, calibration files
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
    /// Also write DIR/report.html (CSV only)
    #[arg(long)]
    report: bool,
    /// Add replicates in fixed batches until the 95% interval of QUANTITY (a metric's final mean, or class.NAME's share) is narrower than WIDTH; --replicates is the cap (repeatable: all must hold), e.g. --until 'class.fracture:0.02'
    #[arg(long, value_name = "'QUANTITY:WIDTH'", value_parser = parse_until)]
    until: Vec<commands::Until>,
    /// Quantiles of aggregate.csv: exact (every value kept), sketch (memory flat in replicates, within 0.1% of exact), or auto (exact up to 64 MiB of values per scenario)
    #[arg(long, value_enum, default_value_t = QuantilesArg::Auto)]
    quantiles: QuantilesArg,
    /// Write no timeseries.csv (aggregate.csv still has every step's mean and quantiles)
    #[arg(long)]
    no_timeseries: bool,
    /// Format of timeseries and summary: csv, or parquet (zstd; for DuckDB, pandas, polars; not resumable)
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
}

/// `--quantiles`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum QuantilesArg {
    Auto,
    Exact,
    Sketch,
}

fn parse_until(text: &str) -> std::result::Result<commands::Until, String> {
    commands::Until::parse(text).map_err(|e| e.to_string())
}

/// The format of the big tables (`--format`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum FormatArg {
    Csv,
    Parquet,
}

impl From<FormatArg> for agora_core::output::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => Self::Csv,
            FormatArg::Parquet => Self::Parquet,
        }
    }
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
    /// From MONTH (a date YYYY-MM or a step) on, set a dynamics parameter, e.g. '2027-01 dynamics.training=0.04' (repeatable)
    #[arg(long, value_name = "'MONTH PATH=VALUE'")]
    intervene: Vec<String>,
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
    /// Add replicates in fixed batches until every comparison's paired 95% interval of QUANTITY (a metric's final value, or class.NAME) is narrower than WIDTH; --replicates is the cap (repeatable)
    #[arg(long, value_name = "'QUANTITY:WIDTH'", value_parser = parse_until)]
    until: Vec<commands::Until>,
}

#[derive(Args, Debug)]
struct SweepArgs {
    /// Sweep file (RON)
    sweep: PathBuf,
    /// Output folder (default: `results/<sweep name>`); a shard writes into its shard-I-of-N folder inside it
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only shard I of N (0 <= I < N), e.g. --shard 0/2 --out results/barriers-shards; inside a Slurm job array it is taken from SLURM_ARRAY_TASK_*
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
    /// Also write DIR/report.html (CSV only)
    #[arg(long, conflicts_with = "design_only")]
    report: bool,
    /// Format of runs and timeseries: csv, or parquet (zstd; for DuckDB, pandas, polars; --resume reruns an interrupted shard whole)
    #[arg(long, value_enum, default_value_t = FormatArg::Csv, conflicts_with = "design_only")]
    format: FormatArg,
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

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum WhichGraph {
    Social,
    Admin,
}

pub(crate) fn parse_assignment(text: &str) -> Result<(String, String), String> {
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
            classes,
        } => serve_command(port, host, citizens, month_ms, classes),
        Command::Classroom { out, citizens } => {
            let options = agora_serve::ClassroomOptions {
                citizens,
                ..Default::default()
            };
            let path = agora_serve::write_classroom(&out, &options)?;
            say(format_args!("wrote {}", path.display()))
        }
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
fn serve_command(port: u16, host: String, citizens: u32, month_ms: u64, classes: PathBuf) -> Result<ExitCode> {
    let options = agora_serve::ServeOptions {
        host,
        port,
        session: agora_serve::SessionOptions {
            citizens,
            ..Default::default()
        },
        month: std::time::Duration::from_millis(month_ms),
        classes,
        ..Default::default()
    };
    let server = agora_serve::Server::bind(options)?;
    say(format_args!("{}", server.url()))?;
    // The rest goes to stderr: a script may read the address and close stdout.
    if let Some(warning) = server.warning() {
        warn(format_args!("{warning}"));
    }
    warn(format_args!(
        "Open that address in a browser (a tab per session; a class at /class); Ctrl-C stops the server."
    ));
    server.run()?;
    Ok(ExitCode::SUCCESS)
}

/// `agora check FILE...`: each file by its kind (the RON's outer name):
/// a sweep (every point validated), a calibration, or a scenario (a file
/// or a built-in name; policies are scenarios), printed fully resolved.
fn check_command(files: &[String], threads: Option<u32>) -> Result<ExitCode> {
    let console = Console::new(true);
    for file in files {
        let path = Path::new(file);
        let kind = std::fs::read_to_string(path).ok().and_then(|text| {
            text.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("//"))
                .map(|l| l.split('(').next().unwrap_or("").trim().to_string())
        });
        match kind.as_deref() {
            Some("Sweep") => {
                let sweep = agora_core::sweep::Sweep::load(path)?;
                for warning in sweep.warnings() {
                    warn(format_args!("warning: {warning}"));
                }
                let method = sweep
                    .design
                    .as_ref()
                    .map_or(String::new(), |d| format!(" ({})", d.method()));
                say(format_args!(
                    "{file}: sweep `{}` is valid: {} points{method} x {} replicates = {} runs of base `{}` over {}",
                    sweep.name,
                    sweep.points.len(),
                    sweep.replicates,
                    sweep.total_runs(),
                    sweep.base.name,
                    sweep.axes.join(", ")
                ))?;
            }
            Some("Calibration") => {
                let c = agora_core::calibration::Calibration::load(path)?;
                say(format_args!(
                    "{file}: calibration `{}` is valid: {} parameters ({}) against {} observations of `{}`",
                    c.name,
                    c.parameters.len(),
                    c.parameters.join(", "),
                    c.observed.len(),
                    c.metric
                ))?;
            }
            _ => {
                let checked = commands::check(std::slice::from_ref(file), threads.map(|t| t as usize), &console)?;
                for (prepared, estimate) in checked {
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
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--report` of a command that wrote a results folder: the page, and where it is.
pub(crate) fn report_of(wanted: bool, dir: &Path) -> Result<ExitCode> {
    if wanted {
        let path = agora_report::report(dir)?;
        say(format_args!("report: {}", path.display()))?;
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

/// `--set` assignments, then `--replicates`, `--seed` and `--steps` as
/// paths, then the `--intervene`s (after `steps`, so a date is checked
/// against the run's final length).
fn with_flags(b: &BatchArgs) -> Vec<(String, String)> {
    let mut overrides = b.set.clone();
    for (flag, value) in [
        ("replicates", b.replicates.map(|x| x.to_string())),
        ("seed", b.seed.map(|x| x.to_string())),
        ("steps", b.steps.map(|x| x.to_string())),
    ] {
        if let Some(value) = value {
            overrides.push((flag.to_string(), value));
        }
    }
    let intervene = agora_core::scenario::INTERVENE.to_string();
    overrides.extend(b.intervene.iter().map(|i| (intervene.clone(), i.clone())));
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
        overrides: with_flags(&args.batch),
        threads: args.batch.threads.map(|t| t as usize),
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
        until: args.until,
    };
    let outcome = commands::compare(&options, &Console::new(args.batch.quiet))?;
    for pair in &outcome.pairs {
        print_text(&format!("{}\n", compare_text(pair, options.across.is_empty())))?;
    }
    if !options.across.is_empty() {
        print_text(&format!("{}\n", across_text(&outcome.pairs)))?;
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
        overrides: with_flags(b),
        threads: b.threads.map(|t| t as usize),
        resume: args.resume,
        report: args
            .report
            .then_some(agora_report::write_report as agora_core::commands::ReportWriter),
        keep: agora_core::output::Keep {
            quantiles: match args.quantiles {
                QuantilesArg::Auto => agora_core::output::Quantiles::Auto,
                QuantilesArg::Exact => agora_core::output::Quantiles::Exact,
                QuantilesArg::Sketch => agora_core::output::Quantiles::Sketch,
            },
            no_timeseries: args.no_timeseries,
            format: args.format.into(),
        },
        until: args.until,
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
        format: args.format.into(),
    };
    if args.report && args.format == FormatArg::Parquet {
        return Err(agora_core::Error::Input(
            "--report draws from CSV tables: with --format parquet, query the Parquet files with DuckDB, \
             pandas or polars, or run with --format csv for a report"
                .into(),
        ));
    }
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
    ))?;
    report_of(args.report && outcome.shard == Shard::WHOLE, &outcome.dir)
}
