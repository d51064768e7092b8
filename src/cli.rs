//! Argument parsing and the subcommands. Bad input of any kind ends in exit
//! code 2 with a message naming the file position, flag or parameter path.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use agora::graph::EdgeListError;
use agora::output::manifest::{ScenarioRecord, rfc3339};
use agora::output::{Manifest, RunOutput, summary_table};
use agora::runner::{Prepared, jobs_of, run_ordered};
use agora::scenario::{self, Scenario, ScenarioError};

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
    /// Validate scenario files and print them fully resolved
    Check {
        /// Scenario files (RON)
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Scenario files (RON); none runs the built-in fracture, participation and pioneer
    scenarios: Vec<PathBuf>,
    /// Output folder
    #[arg(long, default_value = "results")]
    out: PathBuf,
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

/// An error in what the user asked for: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

pub fn is_usage_error(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<ScenarioError>()
            || e.is::<EdgeListError>()
            || e.is::<clap::Error>()
    })
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() && !value.trim().is_empty() => {
            Ok((path.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "`{text}` is not PATH=VALUE (e.g. dynamics.need_rate=0.4)"
        )),
    }
}

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
        Command::Check { scenarios } => check_command(&scenarios),
    }
}

fn load_scenarios(files: &[PathBuf]) -> Result<Vec<Scenario>> {
    if files.is_empty() {
        return Ok(scenario::built_in());
    }
    files
        .iter()
        .map(|path| {
            if !path.exists() {
                return Err(
                    UsageError(format!("{}: no such scenario file", path.display())).into(),
                );
            }
            Ok(scenario::load(path)?)
        })
        .collect()
}

fn check_command(files: &[PathBuf]) -> Result<ExitCode> {
    for scenario in load_scenarios(files)? {
        Prepared::new(scenario.clone())?;
        println!("{}", scenario.to_ron());
    }
    Ok(ExitCode::SUCCESS)
}

fn run_command(args: RunArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut overrides = args.set.clone();
    for (flag, value) in [
        ("replicates", args.replicates.map(|x| x.to_string())),
        ("seed", args.seed.map(|x| x.to_string())),
        ("steps", args.steps.map(|x| x.to_string())),
    ] {
        if let Some(value) = value {
            overrides.push((flag.to_string(), value));
        }
    }
    let mut batch = Vec::new();
    for mut scenario in load_scenarios(&args.scenarios)? {
        scenario::apply_overrides(&mut scenario, &overrides)?;
        batch.push(Prepared::new(scenario)?);
    }
    check_unique_names(&batch)?;

    let threads = args.threads.map(|t| t as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    let jobs = jobs_of(&batch);
    let progress = progress_bar(jobs.len() as u64, args.quiet);
    let mut output = RunOutput::create(&args.out, &batch)
        .with_context(|| format!("creating output files in {}", args.out.display()))?;
    let stop = AtomicBool::new(false);
    pool.install(|| {
        run_ordered(&batch, &jobs, &stop, |run| {
            progress.inc(1);
            output.add(&run)
        })
    })
    .with_context(|| format!("writing results to {}", args.out.display()))?;
    progress.finish_and_clear();

    let manifest = Manifest {
        agora_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: std::env::args().collect(),
        threads,
        started: rfc3339(started),
        wall_seconds: clock.elapsed().as_secs_f64(),
        scenarios: batch
            .iter()
            .enumerate()
            .map(|(s, p)| ScenarioRecord {
                scenario: p.scenario.clone(),
                replicate_seeds: jobs
                    .iter()
                    .filter(|j| j.scenario == s)
                    .map(|j| j.seed)
                    .collect(),
            })
            .collect(),
    };
    let tallies = output
        .finish(&manifest)
        .with_context(|| format!("writing results to {}", args.out.display()))?;
    print!("{}", summary_table(&tallies));
    println!(
        "{} runs in {:.1} s on {threads} threads; results in {}",
        jobs.len(),
        clock.elapsed().as_secs_f64(),
        display_dir(&args.out)
    );
    Ok(ExitCode::SUCCESS)
}

fn check_unique_names(batch: &[Prepared]) -> Result<()> {
    for (i, a) in batch.iter().enumerate() {
        if batch[..i]
            .iter()
            .any(|b| b.scenario.name == a.scenario.name)
        {
            return Err(UsageError(format!(
                "two scenarios are named `{}`; names label the output rows, so they must differ",
                a.scenario.name
            ))
            .into());
        }
    }
    Ok(())
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed_precise} (eta {eta})")
            .expect("a valid template"),
    );
    bar
}

fn display_dir(dir: &Path) -> String {
    format!("{}/", dir.display().to_string().trim_end_matches('/'))
}
