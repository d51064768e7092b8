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

use agora::graph::stats::Report;
use agora::graph::{EdgeListError, Graph};
use agora::model::{Model, Network};
use agora::output::manifest::{ScenarioRecord, rfc3339};
use agora::output::sweep::{SweepError, SweepManifest, SweepOutput, is_complete, merge};
use agora::output::table::Table;
use agora::output::{Manifest, RunOutput, summary_table};
use agora::runner::{Job, Jobs};
use agora::runner::{Prepared, jobs_of, run_ordered};
use agora::scenario::{self, Scenario, ScenarioError};
use agora::sweep::{Shard, Sweep, SweepJobs, shard_folder};

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
        #[arg(long, default_value_t = 25)]
        frame_ms: u64,
    },
    /// Write the graph a replicate simulates on, and its statistics
    Graph(GraphArgs),
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
    /// Keep the complete runs of an interrupted run in --out and compute only the rest
    #[arg(long)]
    resume: bool,
    /// Also write DIR/report.html
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
}

#[derive(Args, Debug)]
struct GraphArgs {
    /// Scenario file (RON), or the name of a built-in scenario
    scenario: PathBuf,
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
            || matches!(e.downcast_ref::<SweepError>(), Some(SweepError::Mismatch(_)))
    })
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() && !value.trim().is_empty() => {
            Ok((path.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not PATH=VALUE (e.g. dynamics.need_rate=0.4)")),
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
        Command::Graph(args) => graph_command(args),
        Command::Sweep(args) => sweep_command(args),
        Command::Report { dir } => {
            if !dir.is_dir() {
                return Err(UsageError(format!("{}: no such results folder", dir.display())).into());
            }
            let path = agora::report::write_report(&dir).map_err(|e| UsageError(e.to_string()))?;
            println!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            out,
            citizens,
            replicates,
            frame_ms,
        } => crate::demo::run(&out, citizens, replicates, frame_ms),
        Command::Merge { dirs, out } => merge_command(&dirs, &out),
    }
}

fn load_scenarios(files: &[PathBuf]) -> Result<Vec<Scenario>> {
    if files.is_empty() {
        return Ok(scenario::built_in());
    }
    // A bare built-in name (`fracture`) stands for the built-in scenario.
    files
        .iter()
        .map(|path| Ok(scenario::load(Path::new(""), &path.to_string_lossy())?))
        .collect()
}

fn check_command(files: &[PathBuf]) -> Result<ExitCode> {
    for scenario in load_scenarios(files)? {
        let prepared = Prepared::new(scenario)?;
        print_notes(&prepared);
        println!("{}", prepared.scenario.to_ron());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_notes(prepared: &Prepared) {
    for note in &prepared.notes {
        eprintln!("note: {note}");
    }
}

fn graph_command(args: GraphArgs) -> Result<ExitCode> {
    let mut scenario = load_scenarios(std::slice::from_ref(&args.scenario))?.remove(0);
    scenario::apply_overrides(&mut scenario, &args.set)?;
    if args.replicate >= scenario.replicates {
        return Err(UsageError(format!(
            "--replicate {}: the scenario has replicates 0 ..= {}",
            args.replicate,
            scenario.replicates - 1
        ))
        .into());
    }
    let prepared = Prepared::new(scenario)?;
    print_notes(&prepared);
    let s = &prepared.scenario;
    let seed = agora::rng::replicate_seed(s.seed, args.replicate);
    let which = match args.network {
        WhichGraph::Social => Network::Social,
        WhichGraph::Admin => Network::Admin,
    };
    let graph = Model::network(s, seed, &prepared.graphs, which);
    if let Some(path) = &args.edges {
        write_edges(&graph, path).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {} edges to {}", graph.edges(), path.display());
    }
    if args.stats {
        let p = &s.population;
        let home: Vec<u32> = match which {
            Network::Social => p
                .jurisdictions
                .sizes(p.citizens, p.administrations)
                .iter()
                .enumerate()
                .flat_map(|(j, &n)| std::iter::repeat_n(j as u32, n as usize))
                .collect(),
            Network::Admin => (0..p.administrations).collect(),
        };
        let mut rng = agora::rng::Streams::new(seed).stream(agora::rng::Purpose::GraphStatistics);
        let report = Report::of(&graph, &home, &mut rng);
        print!("{}", stats_text(&report));
        write_stats(&report, &args.out).with_context(|| format!("writing statistics to {}", args.out.display()))?;
        println!("statistics in {}", display_dir(&args.out));
    }
    if args.edges.is_none() && !args.stats {
        eprintln!("nothing to do: give --edges FILE and/or --stats");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_edges(graph: &Graph, path: &Path) -> std::io::Result<()> {
    let mut table = Table::create(path, &["source", "target"])?;
    for (a, b) in graph.edge_iter() {
        table.int(u64::from(a))?;
        table.int(u64::from(b))?;
        table.end_row()?;
    }
    table.commit()
}

fn stats_rows(r: &Report) -> Vec<(&'static str, String)> {
    let s = &r.summary;
    vec![
        ("nodes", s.nodes.to_string()),
        ("edges", s.edges.to_string()),
        ("mean_degree", format!("{}", s.mean_degree)),
        ("min_degree", s.min_degree.to_string()),
        ("max_degree", s.max_degree.to_string()),
        ("clustering", format!("{}", r.clustering)),
        ("clustering_se", format!("{}", r.clustering_se)),
        ("clustering_exact", r.clustering_exact.to_string()),
        ("components", s.components.to_string()),
        ("giant_share", format!("{}", s.giant_share)),
        ("within_jurisdiction_share", format!("{}", r.within_share)),
    ]
}

fn stats_text(r: &Report) -> String {
    let s = &r.summary;
    let clustering = if r.clustering_exact {
        format!("{:.4} (exact)", r.clustering)
    } else {
        format!(
            "{:.4} +- {:.4} (sampled, standard error)",
            r.clustering, r.clustering_se
        )
    };
    format!(
        "nodes                 {}\nedges                 {}\ndegree mean/min/max   {:.3} / {} / {}\n\
         clustering            {clustering}\ncomponents            {} (giant: {:.2}% of nodes)\n\
         ties in jurisdiction  {:.2}%\n",
        s.nodes,
        s.edges,
        s.mean_degree,
        s.min_degree,
        s.max_degree,
        s.components,
        100.0 * s.giant_share,
        100.0 * r.within_share
    )
}

fn write_stats(r: &Report, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut stats = Table::create(&dir.join("graph_stats.csv"), &["stat", "value"])?;
    for (name, value) in stats_rows(r) {
        stats.text(name)?;
        stats.text(&value)?;
        stats.end_row()?;
    }
    stats.commit()?;
    let mut histogram = Table::create(&dir.join("degree_histogram.csv"), &["degree", "count"])?;
    if r.histogram.is_empty() {
        histogram.int(u64::from(r.summary.max_degree))?;
        histogram.int(u64::from(r.summary.nodes))?;
        histogram.end_row()?;
    }
    for (degree, &count) in r.histogram.iter().enumerate().filter(|(_, c)| **c > 0) {
        histogram.int(degree as u64)?;
        histogram.int(count)?;
        histogram.end_row()?;
    }
    histogram.commit()
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
        let prepared = Prepared::new(scenario)?;
        print_notes(&prepared);
        batch.push(prepared);
    }
    check_unique_names(&batch)?;

    let (pool, threads) = worker_pool(args.threads)?;
    let jobs = jobs_of(&batch);
    let (mut output, done) = RunOutput::open(&args.out, &batch, &jobs, args.resume)
        .with_context(|| format!("creating output files in {}", args.out.display()))?;
    if done > 0 {
        eprintln!("resuming: {done} runs already done, {} to go", jobs.len() - done);
    }
    let progress = progress_bar((jobs.len() - done) as u64, args.quiet);
    let stop = AtomicBool::new(false);
    pool.install(|| {
        run_ordered(&batch, &jobs[done..], &stop, |run| {
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
                replicate_seeds: jobs.iter().filter(|j| j.scenario == s).map(|j| j.seed).collect(),
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
    if args.report {
        let path = agora::report::write_report(&args.out).context("writing the report")?;
        println!("report: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn worker_pool(threads: Option<u32>) -> Result<(rayon::ThreadPool, usize)> {
    let threads = threads
        .map(|t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    Ok((pool, threads))
}

/// The jobs of a shard after the first `done`, which a resumed sweep has.
struct Remaining {
    jobs: SweepJobs,
    done: usize,
}

impl Jobs for Remaining {
    fn count(&self) -> usize {
        self.jobs.count() - self.done
    }
    fn job(&self, k: usize) -> Job {
        self.jobs.job(self.done + k)
    }
}

fn sweep_command(args: SweepArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    if !args.sweep.exists() {
        return Err(UsageError(format!("{}: no such sweep file", args.sweep.display())).into());
    }
    let sweep = Sweep::load(&args.sweep)?;
    let shard = match args.shard {
        Some(shard) => shard,
        None => Shard::from_slurm(|name| std::env::var(name).ok())
            .map_err(UsageError)?
            .unwrap_or(Shard::WHOLE),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&sweep.name));
    let dir = shard_folder(&out, shard);
    if args.resume && is_complete(&dir, &sweep, shard) {
        println!(
            "sweep {}: {} is complete already; nothing to resume",
            sweep.name,
            display_dir(&dir)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut batch = Vec::with_capacity(sweep.points.len());
    for p in 0..sweep.points.len() {
        let prepared = Prepared::new(sweep.point(p)?)?;
        if p == 0 {
            print_notes(&prepared);
        }
        batch.push(prepared);
    }
    let (pool, threads) = worker_pool(args.threads)?;
    let (mut output, done) = SweepOutput::open(&dir, &sweep, shard, args.resume)?;
    let jobs = Remaining {
        jobs: sweep.jobs(shard),
        done,
    };
    if done > 0 {
        eprintln!("resuming: {done} runs already done, {} to go", jobs.count());
    }
    let progress = progress_bar(jobs.count() as u64, args.quiet);
    let stop = AtomicBool::new(false);
    pool.install(|| {
        run_ordered(&batch, &jobs, &stop, |run| {
            progress.inc(1);
            output.add(&run)
        })
    })
    .with_context(|| format!("writing results to {}", dir.display()))?;
    progress.finish_and_clear();
    let manifest = SweepManifest {
        agora_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: std::env::args().collect(),
        threads,
        started: rfc3339(started),
        wall_seconds: clock.elapsed().as_secs_f64(),
        shard,
        merged_from: Vec::new(),
        sweep: sweep.clone(),
    };
    output
        .finish(&manifest)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    let part = if shard == Shard::WHOLE {
        String::new()
    } else {
        format!(" (shard {}/{})", shard.index, shard.count)
    };
    println!(
        "sweep {}: {} points x {} replicates{part}, {} runs in {:.1} s; results in {}",
        sweep.name,
        sweep.points.len(),
        sweep.replicates,
        jobs.jobs.count(),
        clock.elapsed().as_secs_f64(),
        display_dir(&dir)
    );
    Ok(ExitCode::SUCCESS)
}

fn merge_command(dirs: &[PathBuf], out: &Path) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut shards = Vec::new();
    for dir in dirs {
        if dir.join("sweep.ron").exists() {
            shards.push(dir.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| UsageError(format!("{}: {e}", dir.display())))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("shard-")))
            .filter(|p| p.join("sweep.ron").exists())
            .collect();
        if inside.is_empty() {
            return Err(UsageError(format!(
                "{}: neither a sweep shard folder nor a folder of shards",
                dir.display()
            ))
            .into());
        }
        inside.sort();
        shards.extend(inside);
    }
    let sources: Vec<String> = shards.iter().map(|d| d.display().to_string()).collect();
    let sweep = merge(&shards, out, |sweep| SweepManifest {
        agora_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: std::env::args().collect(),
        threads: 1,
        started: rfc3339(started),
        wall_seconds: clock.elapsed().as_secs_f64(),
        shard: Shard::WHOLE,
        merged_from: sources.clone(),
        sweep: sweep.clone(),
    })?;
    println!(
        "merged {} shards of sweep {} ({} runs) into {}",
        shards.len(),
        sweep.name,
        sweep.total_runs(),
        display_dir(out)
    );
    Ok(ExitCode::SUCCESS)
}

fn check_unique_names(batch: &[Prepared]) -> Result<()> {
    for (i, a) in batch.iter().enumerate() {
        if batch[..i].iter().any(|b| b.scenario.name == a.scenario.name) {
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
