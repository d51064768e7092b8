//! The files of `agora compare`: every run's series and summary (as `agora
//! run` writes them, plus the months to thresholds), the paired differences
//! of each policy from its baseline per metric and month, class shares, the
//! months to thresholds and, across futures, the robustness table.
//!
//! Pairs are matched by replicate: replicate `r` of a policy and of its
//! baseline share the seed, hence the graph, the initial state and every
//! draw the two make alike (common random numbers).

use std::io;

use super::folder::Folder;
use super::manifest::{Content, Manifest, Provenance, ScenarioRecord};
use super::table::Table;
use crate::calendar::Month;
use crate::error::{IoContext, Result};
use crate::model::metrics::idx;
use crate::model::{Class, METRIC_NAMES, METRICS};
use crate::runner::{Prepared, Run, Sink};
use crate::stats::paired_t;

/// Per policy, metric and month: the paired difference from the baseline.
pub const COMPARISON: &str = "comparison.csv";
/// Per policy and class: the shares of baseline and policy runs and their paired difference.
pub const CLASSES: &str = "classes.csv";
/// Per policy and threshold: the months to reach it and their paired difference.
pub const THRESHOLDS: &str = "thresholds.csv";
/// With `--across`: per policy and metric, the final difference in each future and the extremes.
pub const ROBUSTNESS: &str = "robustness.csv";

/// The metrics whose first month at 25% and 50% a compare reports.
pub const THRESHOLD_METRICS: [usize; 3] = [idx::ADOPTION, idx::TRANSFORMED_SHARE, idx::DIGITAL_INTERACTION];
/// The levels of the threshold months, in percent.
pub const THRESHOLD_LEVELS: [u32; 2] = [25, 50];
/// The metrics of the console table, cost last.
pub const SHOWN: [usize; 9] = [
    idx::DIGITALIZATION,
    idx::DIGITAL_INTERACTION,
    idx::ADOPTION,
    idx::TRANSFORMED_SHARE,
    idx::TRUST,
    idx::SATISFACTION,
    idx::UNHEARD_SHARE,
    idx::FRACTURE,
    idx::COST,
];

/// One comparison: a policy run against its baseline, replicate by replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// How output rows name the comparison (the policy, `policy@future` across futures).
    pub label: String,
    /// The policy's name without the future.
    pub policy_name: String,
    /// The future it was applied to, across futures.
    pub future: Option<String>,
    /// Index of the baseline in the batch.
    pub base: usize,
    /// Index of the policy in the batch.
    pub policy: usize,
}

/// The runs of a compare, kept in memory per scenario in replicate order.
pub struct Collected {
    /// `runs[scenario]`, replicate by replicate.
    pub runs: Vec<Vec<Run>>,
}

impl Collected {
    /// Room for the runs of `scenarios` scenarios.
    pub fn new(scenarios: usize) -> Collected {
        Collected {
            runs: vec![Vec::new(); scenarios],
        }
    }
}

impl Sink for Collected {
    fn add(&mut self, run: &Run) -> io::Result<()> {
        self.runs[run.scenario].push(run.clone());
        Ok(())
    }
}

/// A paired difference: means of both sides over the pairs used, and the
/// paired-t 95% interval of policy minus baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Baseline mean over the pairs used.
    pub base: f64,
    /// Policy mean over the pairs used.
    pub policy: f64,
    /// Mean difference.
    pub diff: f64,
    /// Standard deviation of the differences.
    pub sd: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
    /// Pairs where both values are defined.
    pub pairs: usize,
}

/// The paired difference of `value` between two lists of runs matched by
/// position; pairs where either value is undefined are skipped.
pub fn paired(base: &[Run], policy: &[Run], value: impl Fn(&Run) -> f64) -> Paired {
    let both: Vec<(f64, f64)> = base
        .iter()
        .zip(policy)
        .map(|(b, p)| (value(b), value(p)))
        .filter(|(b, p)| b.is_finite() && p.is_finite())
        .collect();
    let mean = |v: &mut dyn Iterator<Item = f64>| crate::stats::mean_sd(&v.collect::<Vec<_>>()).0;
    let diffs: Vec<f64> = both.iter().map(|(b, p)| p - b).collect();
    let (diff, sd, lo, hi, pairs) = paired_t(&diffs);
    Paired {
        base: mean(&mut both.iter().map(|x| x.0)),
        policy: mean(&mut both.iter().map(|x| x.1)),
        diff,
        sd,
        lo,
        hi,
        pairs,
    }
}

/// The first step at which `metric` of `run` reaches `percent`% (None: never).
pub fn first_month(run: &Run, metric: usize, percent: u32) -> Option<u32> {
    let level = f64::from(percent) / 100.0 - 1e-12;
    run.series.iter().find(|m| m.values[metric] >= level).map(|m| m.step)
}

/// The column name of a threshold month, e.g. `adoption_25_month`.
pub fn threshold_name(metric: usize, percent: u32) -> String {
    format!("{}_{percent}_month", METRIC_NAMES[metric])
}

/// Every threshold as (metric, level).
fn thresholds() -> impl Iterator<Item = (usize, u32)> {
    THRESHOLD_METRICS
        .into_iter()
        .flat_map(|m| THRESHOLD_LEVELS.into_iter().map(move |l| (m, l)))
}

fn as_month(month: Option<u32>) -> f64 {
    month.map_or(f64::NAN, f64::from)
}

/// What the console shows of one comparison.
#[derive(Debug, Clone)]
pub struct PairSummary {
    /// The comparison.
    pub pair: Pair,
    /// The baseline's name.
    pub base_name: String,
    /// The last step and its date.
    pub step: u32,
    /// The date of the last step.
    pub date: String,
    /// Per [`SHOWN`] metric, the paired difference at the last step.
    pub metrics: Vec<(usize, Paired)>,
    /// Per threshold: its name, the paired difference in months (over the
    /// pairs where both reach it) and how many baseline and policy runs reach it.
    pub thresholds: Vec<(String, Paired, usize, usize)>,
    /// Per class: the shares of baseline and policy runs ending in it and
    /// the paired difference of the class indicator.
    pub classes: Vec<(Class, Paired)>,
    /// The first month of the runs.
    pub start: String,
    /// Citizens per run (for totals over the population).
    pub citizens: u32,
    /// The classification rules the runs were classed by.
    pub classification: crate::scenario::Classification,
}

/// Write every file of a compare into `folder`, the manifest last.
pub fn write(
    folder: &Folder,
    batch: &[Prepared],
    collected: &Collected,
    pairs: &[Pair],
    stopping: Vec<String>,
    provenance: impl FnOnce() -> Provenance,
) -> Result<Vec<PairSummary>> {
    let dir = folder.path().to_path_buf();
    folder.retract()?;
    let writing = || format!("writing results to {}", dir.display());
    let starts: Vec<Month> = batch
        .iter()
        .map(|p| Month::parse(&p.scenario.start).expect("a validated start month"))
        .collect();
    write_runs(&dir, batch, collected, &starts).context(writing)?;
    write_comparison(&dir, collected, pairs, &starts).context(writing)?;
    write_classes(&dir, collected, pairs).context(writing)?;
    write_thresholds(&dir, collected, pairs).context(writing)?;
    let across = pairs.iter().any(|p| p.future.is_some());
    let mut files = vec![
        super::run::TIMESERIES,
        super::run::SUMMARY,
        COMPARISON,
        CLASSES,
        THRESHOLDS,
    ];
    if across {
        write_robustness(&dir, collected, pairs).context(writing)?;
        files.push(ROBUSTNESS);
    }
    let content = Content::Compare {
        scenarios: batch
            .iter()
            .enumerate()
            .map(|(s, p)| ScenarioRecord {
                scenario: p.scenario.clone(),
                replicate_seeds: collected.runs[s].iter().map(|r| r.seed).collect(),
            })
            .collect(),
        stopping,
        pairs: pairs
            .iter()
            .map(|p| {
                (
                    p.label.clone(),
                    batch[p.base].scenario.name.clone(),
                    batch[p.policy].scenario.name.clone(),
                )
            })
            .collect(),
    };
    let manifest = Manifest::of_files(&dir, provenance(), content, &files)?;
    folder.publish(&manifest)?;
    Ok(pairs.iter().map(|p| summarize(batch, collected, p, &starts)).collect())
}

fn summarize(batch: &[Prepared], collected: &Collected, pair: &Pair, starts: &[Month]) -> PairSummary {
    let (base, policy) = (&collected.runs[pair.base], &collected.runs[pair.policy]);
    let last = base[0].series.len() - 1;
    PairSummary {
        classes: Class::ALL
            .iter()
            .map(|&class| (class, paired(base, policy, |r| f64::from(u8::from(r.class == class)))))
            .collect(),
        start: starts[pair.base].to_string(),
        citizens: batch[pair.base].scenario.population.citizens,
        classification: batch[pair.base].scenario.classification.clone(),
        pair: pair.clone(),
        base_name: batch[pair.base].scenario.name.clone(),
        step: last as u32,
        date: starts[pair.base].plus(last as u32).to_string(),
        metrics: SHOWN
            .iter()
            .map(|&m| (m, paired(base, policy, |r| r.series[last].values[m])))
            .collect(),
        thresholds: thresholds()
            .map(|(m, l)| {
                let reached = |runs: &[Run]| runs.iter().filter(|r| first_month(r, m, l).is_some()).count();
                let months = paired(base, policy, |r| as_month(first_month(r, m, l)));
                (threshold_name(m, l), months, reached(base), reached(policy))
            })
            .collect(),
    }
}

/// `timeseries.csv` and `summary.csv` as `agora run` writes them, the
/// summary with the threshold months after `class`.
fn write_runs(dir: &std::path::Path, batch: &[Prepared], collected: &Collected, starts: &[Month]) -> io::Result<()> {
    use super::run::{series_rows, summary_cells, summary_header, timeseries_header};
    let mut timeseries = Table::create(&dir.join(super::run::TIMESERIES), &timeseries_header())?;
    let names: Vec<String> = thresholds().map(|(m, l)| threshold_name(m, l)).collect();
    let mut header = summary_header();
    header.extend(names.iter().map(String::as_str));
    let mut summary = Table::create(&dir.join(super::run::SUMMARY), &header)?;
    for (s, runs) in collected.runs.iter().enumerate() {
        let name = &batch[s].scenario.name;
        for run in runs {
            series_rows(run, name, starts[s], &mut timeseries)?;
            summary_cells(run, name, &mut summary)?;
            for (m, l) in thresholds() {
                match first_month(run, m, l) {
                    Some(month) => summary.int(u64::from(month))?,
                    None => summary.text("")?,
                }
            }
            summary.end_row()?;
        }
    }
    timeseries.commit()?;
    summary.commit()
}

fn paired_cells(table: &mut Table, p: &Paired) -> io::Result<()> {
    for x in [p.base, p.policy, p.diff, p.sd, p.lo, p.hi] {
        table.float(x)?;
    }
    table.int(p.pairs as u64)
}

/// The columns [`paired_cells`] writes: both sides' means, then the paired
/// difference with its sd, 95% interval and the pairs it is over.
const PAIRED: [&str; 7] = [
    "base_mean",
    "policy_mean",
    "diff_mean",
    "diff_sd",
    "diff_lo",
    "diff_hi",
    "replicates",
];

/// A header: leading columns, the paired ones, trailing columns.
fn header<'a>(lead: &[&'a str], paired: &[&'a str], trail: &[&'a str]) -> Vec<&'a str> {
    [lead, paired, trail].concat()
}

/// `comparison.csv`: one row per (policy, metric, step).
fn write_comparison(dir: &std::path::Path, collected: &Collected, pairs: &[Pair], starts: &[Month]) -> io::Result<()> {
    let mut table = Table::create(
        &dir.join(COMPARISON),
        &header(&["policy", "metric", "step", "date"], &PAIRED, &["diff_per_euro"]),
    )?;
    for pair in pairs {
        let (base, policy) = (&collected.runs[pair.base], &collected.runs[pair.policy]);
        for (m, name) in METRIC_NAMES.iter().enumerate() {
            for step in 0..base[0].series.len() {
                let p = paired(base, policy, |r| r.series[step].values[m]);
                let cost = paired(base, policy, |r| r.series[step].values[idx::COST]);
                table.text(&pair.label)?;
                table.text(name)?;
                table.int(step as u64)?;
                table.text(&starts[pair.base].plus(step as u32).to_string())?;
                paired_cells(&mut table, &p)?;
                table.float(per_euro(p.diff, cost.diff))?;
                table.end_row()?;
            }
        }
    }
    table.commit()
}

/// A difference per euro of extra cost per citizen; undefined without extra cost.
pub fn per_euro(diff: f64, cost_diff: f64) -> f64 {
    if cost_diff.abs() > 1e-12 {
        diff / cost_diff
    } else {
        f64::NAN
    }
}

/// `classes.csv`: per policy and class, the share of baseline and policy runs
/// in it and the paired difference of the class indicator.
fn write_classes(dir: &std::path::Path, collected: &Collected, pairs: &[Pair]) -> io::Result<()> {
    let mut table = Table::create(
        &dir.join(CLASSES),
        &header(&["policy", "class", "base_share", "policy_share"], &PAIRED[2..], &[]),
    )?;
    for pair in pairs {
        let (base, policy) = (&collected.runs[pair.base], &collected.runs[pair.policy]);
        for class in Class::ALL {
            let is = |r: &Run| f64::from(u8::from(r.class == class));
            table.text(&pair.label)?;
            table.text(class.name())?;
            paired_cells(&mut table, &paired(base, policy, is))?;
            table.end_row()?;
        }
    }
    table.commit()
}

/// `thresholds.csv`: per policy and threshold, the months to reach it (over
/// the pairs where both reach it) and how many runs of each side reach it.
fn write_thresholds(dir: &std::path::Path, collected: &Collected, pairs: &[Pair]) -> io::Result<()> {
    let mut table = Table::create(
        &dir.join(THRESHOLDS),
        &header(&["policy", "threshold"], &PAIRED, &["base_reached", "policy_reached"]),
    )?;
    for pair in pairs {
        let (base, policy) = (&collected.runs[pair.base], &collected.runs[pair.policy]);
        for (m, l) in thresholds() {
            let month = |r: &Run| as_month(first_month(r, m, l));
            let reached = |runs: &[Run]| runs.iter().filter(|r| first_month(r, m, l).is_some()).count() as u64;
            table.text(&pair.label)?;
            table.text(&threshold_name(m, l))?;
            paired_cells(&mut table, &paired(base, policy, month))?;
            table.int(reached(base))?;
            table.int(reached(policy))?;
            table.end_row()?;
        }
    }
    table.commit()
}

/// `robustness.csv`: per policy and metric, the final paired difference in
/// each future (`case` `future`), then the smallest and the largest
/// difference over the futures (`case` `min`, `max`, naming the future).
fn write_robustness(dir: &std::path::Path, collected: &Collected, pairs: &[Pair]) -> io::Result<()> {
    let mut table = Table::create(
        &dir.join(ROBUSTNESS),
        &header(&["policy", "metric", "case", "future"], &PAIRED, &[]),
    )?;
    let mut policies: Vec<&str> = pairs.iter().map(|p| p.policy_name.as_str()).collect();
    policies.dedup();
    for policy in policies {
        let group: Vec<&Pair> = pairs.iter().filter(|p| p.policy_name == policy).collect();
        for (m, metric) in METRICS.iter().enumerate() {
            let rows: Vec<(&str, Paired)> = group
                .iter()
                .map(|pair| {
                    let (b, p) = (&collected.runs[pair.base], &collected.runs[pair.policy]);
                    let last = b[0].series.len() - 1;
                    (
                        pair.future.as_deref().unwrap_or(""),
                        paired(b, p, |r| r.series[last].values[m]),
                    )
                })
                .collect();
            let mut write_row = |case: &str, (future, p): &(&str, Paired)| -> io::Result<()> {
                table.text(policy)?;
                table.text(metric.name)?;
                table.text(case)?;
                table.text(future)?;
                paired_cells(&mut table, p)?;
                table.end_row()
            };
            for row in &rows {
                write_row("future", row)?;
            }
            let defined: Vec<&(&str, Paired)> = rows.iter().filter(|r| r.1.diff.is_finite()).collect();
            let by = |a: &&(&str, Paired), b: &&(&str, Paired)| a.1.diff.total_cmp(&b.1.diff);
            if let Some(min) = defined.iter().copied().min_by(by) {
                write_row("min", min)?;
            }
            if let Some(max) = defined.iter().copied().max_by(by) {
                write_row("max", max)?;
            }
        }
    }
    table.commit()
}
