//! The files of `agora run`: time series and summary stream out run by run;
//! aggregates, class shares and the manifest are written at the end.

use std::io;
use std::path::{Path, PathBuf};

use super::atomic::{partial_path, write_atomic};
use super::columnar::{Format, Kind, Streamed};
use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance, ScenarioRecord};
use super::table::{Cells, Columns, Table, scan_rows};
pub use super::tally::{Quantiles, ScenarioTally};
use crate::calendar::Month;
use crate::error::{IoContext, Result};
use crate::model::{Class, METRIC_NAMES, N_METRICS};
use crate::rng::replicate_seed;
use crate::runner::{Job, Prepared, Run, Sink};
use crate::scenario::Scenario;

/// One row per scenario, replicate and step: every metric.
pub const TIMESERIES: &str = "timeseries.csv";
/// One row per run: its final metrics and class.
pub const SUMMARY: &str = "summary.csv";
/// Long format: per scenario, step and metric, the mean, sd and quantiles.
pub const AGGREGATE: &str = "aggregate.csv";
/// Per scenario and class, the share of runs with its Wilson interval.
pub const CLASSES: &str = "classes.csv";
/// One row per run: the statistics of its social graph.
pub const GRAPHS: &str = "graphs.csv";
/// Identifies the batch an unfinished output folder belongs to; removed when done.
pub const RECORD: &str = ".run.ron";
/// The result files of a run folder, in the order they are written (with
/// `--format parquet` the first two end in `.parquet`).
pub const FILES: [&str; 5] = [TIMESERIES, SUMMARY, GRAPHS, AGGREGATE, CLASSES];
/// The columns of `aggregate.csv`.
const AGGREGATE_HEADER: [&str; 9] = ["scenario", "step", "date", "metric", "mean", "sd", "p05", "p50", "p95"];
/// The columns of `classes.csv`.
const CLASSES_HEADER: [&str; 6] = ["scenario", "class", "runs", "share", "ci_low", "ci_high"];

/// What `agora run` keeps of its runs, beyond the files it always writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// How the quantiles of `aggregate.csv` are computed.
    pub quantiles: Quantiles,
    /// Write no `timeseries.csv` (`aggregate.csv` still has every step):
    /// a million runs of 227 months would be tens of gigabytes of it.
    pub no_timeseries: bool,
    /// The format of the time series and the summary (the other tables are CSV).
    pub format: Format,
}

/// The open output of a `run`.
pub struct RunOutput {
    dir: PathBuf,
    scenarios: Vec<Scenario>,
    /// The month of step 0 of each scenario.
    starts: Vec<Month>,
    timeseries: Option<Streamed>,
    summary: Streamed,
    graphs: Streamed,
    /// The result files, in the order they are written (in the run's format).
    files: Vec<String>,
    /// Per scenario of the batch, what its runs so far add up to.
    pub tallies: Vec<ScenarioTally>,
    /// Why each scenario stopped adding runs (`--until`), for the manifest.
    pub stopping: Vec<String>,
}

impl RunOutput {
    /// Open the output files in `dir`. With `resume`, the partial files of
    /// an interrupted run of the same batch are kept up to the last run that
    /// all of them hold completely; returns how many jobs are already done.
    /// `until`: the stopping rules as written (part of what a resume must match).
    /// `jobs`: the batch's jobs in order, or `None` when they are decided as
    /// the runs come (`--until`: each scenario's first replicates, one
    /// scenario after another), read back from the partial summary.
    /// Parquet files are never continued: `resume` with them is refused.
    pub fn open(
        folder: &Folder,
        batch: &[Prepared],
        jobs: Option<&[Job]>,
        resume: bool,
        keep: Keep,
        until: &[String],
    ) -> Result<(RunOutput, usize)> {
        let format = keep.format;
        format.check_available()?;
        format.check_resume(resume)?;
        let files = [format.rename(TIMESERIES), format.rename(SUMMARY)]
            .into_iter()
            .filter(|f| !keep.no_timeseries || *f != format.rename(TIMESERIES))
            .chain(FILES[2..].iter().map(|f| f.to_string()))
            .collect();
        let dir = folder.path();
        let scenarios = batch.iter().map(|p| p.scenario.clone()).collect();
        let starts: Vec<Month> = batch
            .iter()
            .map(|p| Month::parse(&p.scenario.start).expect("a validated start month"))
            .collect();
        let headers = Headers::new();
        let mut tallies = tallies_of(batch, keep.quantiles);
        // A resume continues only the same batch kept the same way and
        // stopped by the same rules.
        let identity = format!("{}\n{keep:?}\n{until:?}", batch_identity(batch));
        let record = dir.join(RECORD);
        let partials = [TIMESERIES, SUMMARY, GRAPHS].map(|f| partial_path(&dir.join(f)));
        let same_batch = std::fs::read_to_string(&record).is_ok_and(|text| text == identity);
        let resumed = |name: &str, keep: u64, header: &[String]| {
            Table::resume(&dir.join(name), keep, &refs(header))
                .map(Streamed::Csv)
                .at(dir)
        };
        if resume && same_batch && partials.iter().all(|p| p.exists()) {
            let written;
            let jobs = match jobs {
                Some(jobs) => jobs,
                None => {
                    written = written_jobs(&partials[1], &headers, batch).at(dir)?;
                    &written[..]
                }
            };
            let scan = scan_partials(&partials, &headers, batch, jobs).at(dir)?;
            for (job, (series, class)) in jobs.iter().zip(scan.runs) {
                tallies[job.scenario].add(series, class);
            }
            let output = RunOutput {
                dir: dir.to_path_buf(),
                scenarios,
                starts,
                timeseries: Some(resumed(TIMESERIES, scan.keep[0], &headers.timeseries)?),
                summary: resumed(SUMMARY, scan.keep[1], &headers.summary)?,
                graphs: resumed(GRAPHS, scan.keep[2], &headers.graphs)?,
                files,
                tallies,
                stopping: Vec::new(),
            };
            return Ok((output, scan.done));
        }
        folder.retract()?;
        write_atomic(&record, identity.as_bytes()).at(&record)?;
        let create = |format: Format, name: &str, columns: &[(&str, Kind)]| {
            Streamed::create(format, dir, name.trim_end_matches(".csv"), columns).at(dir)
        };
        let output = RunOutput {
            dir: dir.to_path_buf(),
            scenarios,
            starts,
            timeseries: if keep.no_timeseries {
                None
            } else {
                Some(create(format, TIMESERIES, &kinds(&headers.timeseries))?)
            },
            summary: create(format, SUMMARY, &kinds(&headers.summary))?,
            graphs: create(Format::Csv, GRAPHS, &kinds(&headers.graphs))?,
            files,
            tallies,
            stopping: Vec::new(),
        };
        Ok((output, 0))
    }

    /// Write the aggregates, move every file into place, and publish the
    /// manifest last; returns the tallies for the summary table.
    pub fn finish(self, folder: &Folder, provenance: Provenance) -> Result<Vec<ScenarioTally>> {
        let dir = folder.path().to_path_buf();
        let sketched = self.tallies.iter().any(|t| !t.is_exact());
        let content = Content::Run {
            scenarios: records(&self.scenarios, &self.tallies),
            quantiles: sketched.then(|| Quantiles::describe(false)),
            stopping: self.stopping.clone(),
        };
        let files = self.files.clone();
        let tallies = self
            .write_aggregates()
            .context(|| format!("writing results to {}", dir.display()))?;
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let manifest = Manifest::of_files(&dir, provenance, content, &files)?;
        folder.publish(&manifest)?;
        Ok(tallies)
    }
}

/// An empty tally per scenario of `batch`, exact or sketched as `quantiles` decides.
fn tallies_of(batch: &[Prepared], quantiles: Quantiles) -> Vec<ScenarioTally> {
    batch
        .iter()
        .map(|p| {
            let s = &p.scenario;
            ScenarioTally::new(&s.name, s.steps, quantiles)
        })
        .collect()
}

/// The manifest's record of each scenario as run: its replicates are the
/// runs done (fewer than asked when `--until` stopped early) and their seeds.
fn records(scenarios: &[Scenario], tallies: &[ScenarioTally]) -> Vec<ScenarioRecord> {
    scenarios
        .iter()
        .zip(tallies)
        .map(|(scenario, tally)| {
            let runs = tally.runs as u32;
            let mut scenario = scenario.clone();
            scenario.replicates = runs;
            ScenarioRecord {
                replicate_seeds: (0..runs).map(|r| replicate_seed(scenario.seed, r)).collect(),
                scenario,
            }
        })
        .collect()
}

impl Sink for RunOutput {
    /// Stream one finished run out (runs arrive in job order).
    fn add(&mut self, run: &Run) -> io::Result<()> {
        let (name, start) = (&self.tallies[run.scenario].name, self.starts[run.scenario]);
        if let Some(timeseries) = &mut self.timeseries {
            series_rows(run, name, start, timeseries)?;
            timeseries.flush()?;
        }
        other_rows(run, name, [&mut self.summary, &mut self.graphs])?;
        self.summary.flush()?;
        self.graphs.flush()?;
        self.tallies[run.scenario].add(run.series.iter().map(|m| m.values), run.class);
        Ok(())
    }
}

/// The rows of one run in the streamed files: its time series, its summary
/// row and its graph row, in that order of `tables`.
fn run_rows<C: Cells>(run: &Run, name: &str, start: Month, tables: [&mut C; 3]) -> io::Result<()> {
    let [t, s, g] = tables;
    series_rows(run, name, start, t)?;
    other_rows(run, name, [s, g])
}

/// The rows of one run in the summary and graph files.
fn other_rows<C: Cells>(run: &Run, name: &str, tables: [&mut C; 2]) -> io::Result<()> {
    let [s, g] = tables;
    summary_cells(run, name, s)?;
    s.end_row()?;
    let summary = &run.graph;
    g.text(name)?;
    g.int(u64::from(run.replicate))?;
    g.int(u64::from(summary.nodes))?;
    g.int(summary.edges)?;
    g.float(summary.mean_degree)?;
    g.int(u64::from(summary.max_degree))?;
    g.int(u64::from(summary.components))?;
    g.float(summary.giant_share)?;
    g.end_row()
}

/// The rows of one run in `timeseries.csv` (columns [`timeseries_header`]),
/// month by month; `agora compare` writes the same.
pub(crate) fn series_rows(run: &Run, name: &str, start: Month, t: &mut impl Cells) -> io::Result<()> {
    for metrics in &run.series {
        t.text(name)?;
        t.int(u64::from(run.replicate))?;
        t.int(u64::from(metrics.step))?;
        t.text(&start.plus(metrics.step).to_string())?;
        for &value in &metrics.values {
            t.float(value)?;
        }
        t.end_row()?;
    }
    Ok(())
}

/// The cells of one run's row in `summary.csv` (columns [`summary_header`]),
/// the row left open: `agora compare` appends its threshold months.
pub(crate) fn summary_cells(run: &Run, name: &str, s: &mut impl Cells) -> io::Result<()> {
    s.text(name)?;
    s.int(u64::from(run.replicate))?;
    s.int(run.seed)?;
    for &value in &run.last().values {
        s.float(value)?;
    }
    s.text(run.class.name())?;
    s.float(run.margin)
}

/// The columns of `timeseries.csv`.
pub(crate) fn timeseries_header() -> Vec<&'static str> {
    let mut header = vec!["scenario", "replicate", "step", "date"];
    header.extend(METRIC_NAMES);
    header
}

/// The columns of `summary.csv` as `agora run` writes it.
pub(crate) fn summary_header() -> Vec<&'static str> {
    let mut header = vec!["scenario", "replicate", "seed"];
    header.extend(METRIC_NAMES);
    header.push("class");
    header.push("class_margin");
    header
}

/// The rows of `aggregate.csv`: per scenario, step and metric, over the runs
/// where the metric is defined (undefined in all: empty cells).
fn aggregate_rows(aggregate: &mut impl Cells, tallies: &[ScenarioTally], starts: &[Month]) -> io::Result<()> {
    let mut scratch = Vec::new();
    for (tally, start) in tallies.iter().zip(starts) {
        for step in 0..tally.steps() {
            let date = start.plus(step as u32).to_string();
            for (metric, name) in METRIC_NAMES.iter().enumerate() {
                aggregate.text(&tally.name)?;
                aggregate.int(step as u64)?;
                aggregate.text(&date)?;
                aggregate.text(name)?;
                for x in tally.summary(step, metric, &mut scratch) {
                    aggregate.float(x)?;
                }
                aggregate.end_row()?;
            }
        }
    }
    Ok(())
}

/// The rows of `classes.csv`: per scenario and class, the share of runs.
fn class_rows(classes: &mut impl Cells, tallies: &[ScenarioTally]) -> io::Result<()> {
    for tally in tallies {
        for (class, count, share, lo, hi) in tally.class_shares() {
            classes.text(&tally.name)?;
            classes.text(class.name())?;
            classes.int(count)?;
            classes.float(share)?;
            classes.float(lo)?;
            classes.float(hi)?;
            classes.end_row()?;
        }
    }
    Ok(())
}

/// The tables of `agora run` kept in memory instead of written: the rows of
/// its files, made by the same code, for callers that want values, not
/// files (the Python module's `agora.run`).
pub struct RunTables {
    /// The rows of `timeseries.csv`.
    pub timeseries: Columns,
    /// The rows of `summary.csv`.
    pub summary: Columns,
    /// The rows of `graphs.csv`.
    pub graphs: Columns,
    /// The rows of `aggregate.csv`.
    pub aggregate: Columns,
    /// The rows of `classes.csv`.
    pub classes: Columns,
    /// Per scenario: class counts and final metrics.
    pub tallies: Vec<ScenarioTally>,
}

/// A [`Sink`] that keeps the tables of `agora run` in memory
/// ([`RunTables`]); nothing is written.
pub struct RunFrames {
    starts: Vec<Month>,
    tables: RunTables,
}

impl RunFrames {
    /// Empty tables for the runs of `batch`.
    pub fn new(batch: &[Prepared]) -> RunFrames {
        let headers = Headers::new();
        RunFrames {
            starts: batch
                .iter()
                .map(|p| Month::parse(&p.scenario.start).expect("a validated start month"))
                .collect(),
            tables: RunTables {
                timeseries: Columns::new(&headers.timeseries),
                summary: Columns::new(&headers.summary),
                graphs: Columns::new(&headers.graphs),
                aggregate: Columns::new(&AGGREGATE_HEADER),
                classes: Columns::new(&CLASSES_HEADER),
                tallies: tallies_of(batch, Quantiles::Auto),
            },
        }
    }

    /// The tables, with the aggregates and class shares of the runs added.
    pub fn finish(self) -> RunTables {
        let mut tables = self.tables;
        aggregate_rows(&mut tables.aggregate, &tables.tallies, &self.starts).expect("memory tables take any row");
        class_rows(&mut tables.classes, &tables.tallies).expect("memory tables take any row");
        tables
    }
}

impl Sink for RunFrames {
    fn add(&mut self, run: &Run) -> io::Result<()> {
        let t = &mut self.tables;
        let (name, start) = (&t.tallies[run.scenario].name, self.starts[run.scenario]);
        run_rows(run, name, start, [&mut t.timeseries, &mut t.summary, &mut t.graphs])?;
        t.tallies[run.scenario].add(run.series.iter().map(|m| m.values), run.class);
        Ok(())
    }
}

impl RunOutput {
    /// Write the aggregates, then move every file into place.
    fn write_aggregates(self) -> io::Result<Vec<ScenarioTally>> {
        let mut aggregate = Table::create(&self.dir.join(AGGREGATE), &AGGREGATE_HEADER)?;
        aggregate_rows(&mut aggregate, &self.tallies, &self.starts)?;
        let mut classes = Table::create(&self.dir.join(CLASSES), &CLASSES_HEADER)?;
        class_rows(&mut classes, &self.tallies)?;
        if let Some(timeseries) = self.timeseries {
            timeseries.commit()?;
        }
        self.summary.commit()?;
        self.graphs.commit()?;
        let _ = std::fs::remove_file(self.dir.join(RECORD));
        aggregate.commit()?;
        classes.commit()?;
        Ok(self.tallies)
    }
}

/// The column names of the streamed files.
struct Headers {
    timeseries: Vec<String>,
    summary: Vec<String>,
    graphs: Vec<String>,
}

impl Headers {
    fn new() -> Headers {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let timeseries = strings(&timeseries_header());
        let summary = strings(&summary_header());
        let graphs = strings(&[
            "scenario",
            "replicate",
            "nodes",
            "edges",
            "mean_degree",
            "max_degree",
            "components",
            "giant_share",
        ]);
        Headers {
            timeseries,
            summary,
            graphs,
        }
    }
}

impl Headers {
    /// The position of column `name` in `header` (every name looked up is one we write).
    fn column(&self, header: &[String], name: &str) -> usize {
        header.iter().position(|h| h == name).expect("a column we write")
    }
}

/// The columns of a streamed file with their kinds: names and classes
/// text, a seed a 64-bit whole number, counts whole numbers, the rest
/// (metrics, shares, the class margin) numbers.
pub(crate) fn kinds(header: &[String]) -> Vec<(&str, Kind)> {
    header
        .iter()
        .map(|name| {
            let kind = match name.as_str() {
                "scenario" | "class" | "date" => Kind::Text,
                "seed" => Kind::UInt,
                "replicate" | "step" | "point" | "nodes" | "edges" | "max_degree" | "components" => Kind::Int,
                _ => Kind::Float,
            };
            (name.as_str(), kind)
        })
        .collect()
}

fn refs(header: &[String]) -> Vec<&str> {
    header.iter().map(String::as_str).collect()
}

/// What a resumed run found in its partial files.
struct Scan {
    /// Jobs complete in all three files.
    done: usize,
    /// Bytes to keep of timeseries, summary and graphs.
    keep: [u64; 3],
    /// Series and class of each done job, in job order.
    runs: Vec<(Vec<[f64; N_METRICS]>, Class)>,
}

/// The jobs a partial summary holds when they were decided as the runs came
/// (`--until`): scenario by scenario in batch order, each from replicate 0
/// on without gaps; reading stops at the first row that breaks that order.
fn written_jobs(summary: &Path, headers: &Headers, batch: &[Prepared]) -> io::Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::new();
    scan_rows(summary, &headers.summary, |_, row, _| {
        let scenario = batch.iter().position(|p| Some(p.scenario.name.as_str()) == row.get(0));
        let replicate = row.get(1).and_then(|r| r.parse::<u32>().ok());
        let (Some(scenario), Some(replicate)) = (scenario, replicate) else {
            return false;
        };
        let follows = match jobs.last() {
            None => scenario == 0 && replicate == 0,
            Some(last) => {
                (scenario == last.scenario && replicate == last.replicate + 1)
                    || (scenario == last.scenario + 1 && replicate == 0)
            }
        };
        let fits = replicate < batch[scenario].scenario.replicates;
        if follows && fits {
            let seed = replicate_seed(batch[scenario].scenario.seed, replicate);
            jobs.push(Job {
                scenario,
                replicate,
                seed,
            });
        }
        follows && fits
    })?;
    Ok(jobs)
}

/// Find the jobs whose rows are complete in every partial file.
fn scan_partials(partials: &[PathBuf; 3], headers: &Headers, batch: &[Prepared], jobs: &[Job]) -> io::Result<Scan> {
    let name = |job: &Job| batch[job.scenario].scenario.name.as_str();
    let matches = |row: &csv::StringRecord, job: &Job| {
        row.get(0) == Some(name(job)) && row.get(1).and_then(|r| r.parse::<u32>().ok()) == Some(job.replicate)
    };
    // Summary and graphs: one row per job.
    let mut classes = Vec::new();
    let mut summary_ends = vec![0u64];
    scan_rows(&partials[1], &headers.summary, |k, row, end| {
        let Some(job) = jobs.get(k) else { return false };
        let class = row.get(headers.summary.len() - 2).and_then(Class::from_name);
        match class {
            Some(class) if matches(row, job) => {
                classes.push(class);
                summary_ends.push(end);
                true
            }
            _ => false,
        }
    })?;
    let mut graph_ends = vec![0u64];
    scan_rows(&partials[2], &headers.graphs, |k, row, end| {
        let ok = jobs.get(k).is_some_and(|job| matches(row, job));
        if ok {
            graph_ends.push(end);
        }
        ok
    })?;
    // Time series: steps + 1 rows per job.
    let mut series: Vec<Vec<[f64; N_METRICS]>> = vec![Vec::new()];
    let mut series_ends = vec![0u64];
    let mut job = 0usize;
    let first_metric = headers.column(&headers.timeseries, METRIC_NAMES[0]);
    scan_rows(&partials[0], &headers.timeseries, |_, row, end| {
        let Some(current) = jobs.get(job) else { return false };
        let step = series[job].len();
        if !matches(row, current) || row.get(2).and_then(|s| s.parse::<usize>().ok()) != Some(step) {
            return false;
        }
        let mut values = [0.0; N_METRICS];
        for (m, value) in values.iter_mut().enumerate() {
            match row.get(first_metric + m).and_then(super::table::parse_float) {
                Some(x) => *value = x,
                None => return false,
            }
        }
        series[job].push(values);
        if step == batch[current.scenario].scenario.steps as usize {
            job += 1;
            series.push(Vec::new());
            series_ends.push(end);
        }
        true
    })?;
    let done = (summary_ends.len() - 1)
        .min(graph_ends.len() - 1)
        .min(series_ends.len() - 1);
    // The header's bytes come first: a job boundary offset of 0 means "header only".
    // A file killed before its first flush is empty, or holds a torn header:
    // keep nothing of it, and [`Table::resume`] writes the header again.
    let header_len = |p: &PathBuf| -> io::Result<u64> {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(std::fs::File::open(p)?), &mut line)?;
        Ok(if line.ends_with('\n') { line.len() as u64 } else { 0 })
    };
    let keep =
        |ends: &[u64], p: &PathBuf| -> io::Result<u64> { if done == 0 { header_len(p) } else { Ok(ends[done]) } };
    Ok(Scan {
        done,
        keep: [
            keep(&series_ends, &partials[0])?,
            keep(&summary_ends, &partials[1])?,
            keep(&graph_ends, &partials[2])?,
        ],
        runs: series.into_iter().zip(classes).take(done).collect(),
    })
}

/// A text that identifies a batch: its resolved scenarios.
fn batch_identity(batch: &[Prepared]) -> String {
    let scenarios: Vec<&crate::scenario::Scenario> = batch.iter().map(|p| &p.scenario).collect();
    ron::to_string(&scenarios).expect("scenarios serialize")
}

/// The width the summary table fits in.
pub const TABLE_WIDTH: usize = 80;
/// The one line under the summary table that explains its columns (the
/// metrics' short names are their CSV names or plain abbreviations).
const LEGEND: &str = "Class: the future each run ended in [95% Wilson CI]; other columns: final means.";

/// The short table `agora run` prints: per scenario, the class shares with
/// their 95% intervals and the final means of the main metrics, in
/// [`TABLE_WIDTH`] columns, with one line that explains the columns under it.
/// Scenario names too long for their column are shortened to distinct strings.
pub fn summary_table(tallies: &[ScenarioTally]) -> String {
    use crate::model::{METRICS, metrics::idx};
    let runs: Vec<u64> = tallies.iter().map(|t| t.runs).collect();
    let same_runs = runs.windows(2).all(|w| w[0] == w[1]);
    let names = distinct_names(&tallies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), 16);
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(8).max(8);
    let runs_width = if same_runs { 0 } else { 6 };
    let class_header = match (same_runs, runs.first()) {
        (true, Some(n)) => format!("class, % of {n} runs [95% CI]"),
        _ => "class, % of runs [95% CI]".to_string(),
    };
    // Class (14), share and its interval: "participation  100% [72-100]".
    let class_width = class_header.chars().count().max(29);
    let fixed = name_width + runs_width + 2 + class_width;
    let shown: Vec<usize> = [
        idx::ADOPTION,
        idx::TRANSFORMED_SHARE,
        idx::TRUST,
        idx::FRACTURE,
        idx::DIGITALIZATION,
    ]
    .into_iter()
    .take((TABLE_WIDTH - fixed.min(TABLE_WIDTH)) / 9)
    .collect();
    let mut out = format!("{:<name_width$}", "scenario");
    if !same_runs {
        out.push_str(&format!(" {:>5}", "runs"));
    }
    out.push_str(&format!("  {class_header:<class_width$}"));
    for &i in &shown {
        out.push_str(&format!(" {:>8}", METRICS[i].short));
    }
    out.push('\n');
    for (tally, name) in tallies.iter().zip(&names) {
        let mut shares: Vec<_> = tally.class_shares().into_iter().filter(|c| c.1 > 0).collect();
        shares.sort_by_key(|share| std::cmp::Reverse(share.1));
        for (line, (class, _, share, lo, hi)) in shares.iter().enumerate() {
            let class_text = format!(
                "{:<14}{:>5.0}% [{:.0}-{:.0}]",
                class.name(),
                share * 100.0,
                lo * 100.0,
                hi * 100.0
            );
            let first = line == 0;
            out.push_str(&format!("{:<name_width$}", if first { name.as_str() } else { "" }));
            if !same_runs {
                let n = if first { tally.runs.to_string() } else { String::new() };
                out.push_str(&format!(" {n:>5}"));
            }
            out.push_str(&format!("  {class_text:<class_width$}"));
            if first {
                for &metric in &shown {
                    out.push_str(&format!(" {:>8.3}", tally.final_mean_sd(metric).0));
                }
            }
            // Continuation lines end in padding; keep the table free of trailing blanks.
            out.truncate(out.trim_end_matches(' ').len());
            out.push('\n');
        }
    }
    out.push_str(LEGEND);
    out.push('\n');
    out
}

/// `names` shortened to at most `width` characters each, all distinct: a
/// long name keeps its start and ends in `~` and, if that start is shared,
/// a number.
pub fn distinct_names(names: &[&str], width: usize) -> Vec<String> {
    let cut = |s: &str, keep: usize, tail: &str| -> String { s.chars().take(keep).collect::<String>() + tail };
    let mut out: Vec<String> = names
        .iter()
        .map(|n| {
            if n.chars().count() <= width {
                n.to_string()
            } else {
                cut(n, width - 1, "~")
            }
        })
        .collect();
    for k in 0..out.len() {
        let clash = (0..out.len()).any(|j| j != k && out[j] == out[k]);
        if clash && names[k].chars().count() > width {
            let tail = format!("~{}", k + 1);
            out[k] = cut(names[k], width - tail.len(), &tail);
        }
    }
    out
}

#[cfg(test)]
mod table_tests {
    use super::{LEGEND, TABLE_WIDTH, distinct_names};

    #[test]
    fn the_legend_is_one_line_of_the_table_width() {
        assert!(LEGEND.chars().count() <= TABLE_WIDTH && !LEGEND.contains('\n'));
    }

    #[test]
    fn long_names_stay_distinct() {
        let names = ["pioneer-secure-2y", "pioneer-secure-5y", "fracture"];
        let short = distinct_names(&names, 12);
        assert_eq!(short[2], "fracture");
        assert_ne!(short[0], short[1], "{short:?}");
        assert!(short.iter().all(|s| s.chars().count() <= 12), "{short:?}");
    }
}
