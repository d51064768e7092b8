//! The files of `agora run`: time series and summary stream out run by run;
//! aggregates, class shares and the manifest are written at the end.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{Class, METRIC_NAMES};
use crate::runner::{Prepared, Run};
use crate::stats::{mean_sd, quantile_sorted, wilson};

use super::manifest::Manifest;
use super::table::Table;

pub const TIMESERIES: &str = "timeseries.csv";
pub const SUMMARY: &str = "summary.csv";
pub const AGGREGATE: &str = "aggregate.csv";
pub const CLASSES: &str = "classes.csv";
pub const GRAPHS: &str = "graphs.csv";
pub const MANIFEST: &str = "manifest.ron";

/// Everything the aggregates of one scenario need: each metric at each step
/// across replicates (quantiles need the values), and class counts.
#[derive(Debug, Clone)]
pub struct ScenarioTally {
    pub name: String,
    /// `values[step][metric]` holds one value per replicate, in replicate order.
    values: Vec<[Vec<f64>; 13]>,
    pub classes: [u64; 5],
    pub runs: u64,
}

impl ScenarioTally {
    fn new(name: &str, steps: u32) -> Self {
        ScenarioTally {
            name: name.to_string(),
            values: vec![Default::default(); steps as usize + 1],
            classes: [0; 5],
            runs: 0,
        }
    }

    fn add(&mut self, run: &Run) {
        for (row, metrics) in self.values.iter_mut().zip(&run.series) {
            for (column, &value) in row.iter_mut().zip(&metrics.values) {
                column.push(value);
            }
        }
        self.classes[Class::ALL.iter().position(|&c| c == run.class).expect("a class")] += 1;
        self.runs += 1;
    }

    /// Mean and sd of a metric's final values.
    pub fn final_mean_sd(&self, metric: usize) -> (f64, f64) {
        mean_sd(&self.values.last().expect("step 0")[metric])
    }

    /// Class shares with their Wilson 95% intervals, in [`Class::ALL`] order.
    pub fn class_shares(&self) -> Vec<(Class, u64, f64, f64, f64)> {
        Class::ALL
            .iter()
            .zip(self.classes)
            .map(|(&class, count)| {
                let (lo, hi) = wilson(count, self.runs);
                (class, count, count as f64 / self.runs.max(1) as f64, lo, hi)
            })
            .collect()
    }
}

/// The open output of a `run`.
pub struct RunOutput {
    dir: PathBuf,
    timeseries: Table,
    summary: Table,
    graphs: Table,
    pub tallies: Vec<ScenarioTally>,
}

impl RunOutput {
    pub fn create(dir: &Path, batch: &[Prepared]) -> io::Result<RunOutput> {
        std::fs::create_dir_all(dir)?;
        let mut header = vec!["scenario", "replicate", "step"];
        header.extend(METRIC_NAMES);
        let timeseries = Table::create(&dir.join(TIMESERIES), &header)?;
        let mut header = vec!["scenario", "replicate", "seed"];
        header.extend(METRIC_NAMES);
        header.push("class");
        let summary = Table::create(&dir.join(SUMMARY), &header)?;
        let graphs = Table::create(
            &dir.join(GRAPHS),
            &[
                "scenario",
                "replicate",
                "nodes",
                "edges",
                "mean_degree",
                "max_degree",
                "components",
                "giant_share",
            ],
        )?;
        let tallies = batch
            .iter()
            .map(|p| ScenarioTally::new(&p.scenario.name, p.scenario.steps))
            .collect();
        Ok(RunOutput {
            dir: dir.to_path_buf(),
            timeseries,
            summary,
            graphs,
            tallies,
        })
    }

    /// Stream one finished run out (runs arrive in job order).
    pub fn add(&mut self, run: &Run) -> io::Result<()> {
        let name = self.tallies[run.scenario].name.clone();
        let t = &mut self.timeseries;
        for metrics in &run.series {
            t.text(&name)?;
            t.int(u64::from(run.replicate))?;
            t.int(u64::from(metrics.step))?;
            for &value in &metrics.values {
                t.float(value)?;
            }
            t.end_row()?;
        }
        let s = &mut self.summary;
        s.text(&name)?;
        s.int(u64::from(run.replicate))?;
        s.int(run.seed)?;
        for &value in &run.last().values {
            s.float(value)?;
        }
        s.text(run.class.name())?;
        s.end_row()?;
        let (g, summary) = (&mut self.graphs, &run.graph);
        g.text(&name)?;
        g.int(u64::from(run.replicate))?;
        g.int(u64::from(summary.nodes))?;
        g.int(summary.edges)?;
        g.float(summary.mean_degree)?;
        g.int(u64::from(summary.max_degree))?;
        g.int(u64::from(summary.components))?;
        g.float(summary.giant_share)?;
        g.end_row()?;
        self.tallies[run.scenario].add(run);
        Ok(())
    }

    /// Write the aggregates and the manifest, then move every file into place.
    pub fn finish(self, manifest: &Manifest) -> io::Result<Vec<ScenarioTally>> {
        let mut aggregate = Table::create(
            &self.dir.join(AGGREGATE),
            &["scenario", "step", "metric", "mean", "sd", "p05", "p50", "p95"],
        )?;
        let mut sorted = Vec::new();
        for tally in &self.tallies {
            for (step, row) in tally.values.iter().enumerate() {
                for (metric, values) in METRIC_NAMES.iter().zip(row) {
                    let (mean, sd) = mean_sd(values);
                    sorted.clear();
                    sorted.extend_from_slice(values);
                    sorted.sort_by(f64::total_cmp);
                    aggregate.text(&tally.name)?;
                    aggregate.int(step as u64)?;
                    aggregate.text(metric)?;
                    for x in [
                        mean,
                        sd,
                        quantile_sorted(&sorted, 0.05),
                        quantile_sorted(&sorted, 0.5),
                        quantile_sorted(&sorted, 0.95),
                    ] {
                        aggregate.float(x)?;
                    }
                    aggregate.end_row()?;
                }
            }
        }
        let mut classes = Table::create(
            &self.dir.join(CLASSES),
            &["scenario", "class", "runs", "share", "ci_low", "ci_high"],
        )?;
        for tally in &self.tallies {
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
        self.timeseries.commit()?;
        self.summary.commit()?;
        self.graphs.commit()?;
        aggregate.commit()?;
        classes.commit()?;
        manifest.write(&self.dir.join(MANIFEST))?;
        Ok(self.tallies)
    }
}

/// The short table `agora run` prints: per scenario, the class shares with
/// their 95% intervals and the final means of the main metrics.
pub fn summary_table(tallies: &[ScenarioTally]) -> String {
    use crate::model::metrics::idx;
    let mut out = String::new();
    let shown = [
        ("digital", idx::DIGITALIZATION),
        ("adoption", idx::ADOPTION),
        ("transf.", idx::TRANSFORMED_SHARE),
        ("trust", idx::TRUST),
        ("fracture", idx::FRACTURE),
    ];
    out.push_str(&format!(
        "{:<16} {:>5}  {:<34}",
        "scenario", "runs", "class share [95% CI]"
    ));
    for (label, _) in shown {
        out.push_str(&format!(" {label:>8}"));
    }
    out.push('\n');
    for tally in tallies {
        let mut shares: Vec<_> = tally.class_shares().into_iter().filter(|c| c.1 > 0).collect();
        shares.sort_by_key(|share| std::cmp::Reverse(share.1));
        for (line, (class, _, share, lo, hi)) in shares.iter().enumerate() {
            let class_text = format!(
                "{:<15}{:>4.0}% [{:.0}-{:.0}]",
                class.name(),
                share * 100.0,
                lo * 100.0,
                hi * 100.0
            );
            if line == 0 {
                out.push_str(&format!(
                    "{:<16} {:>5}  {:<34}",
                    truncate(&tally.name, 16),
                    tally.runs,
                    class_text
                ));
                for (_, metric) in shown {
                    out.push_str(&format!(" {:>8.3}", tally.final_mean_sd(metric).0));
                }
            } else {
                out.push_str(&format!("{:<16} {:>5}  {:<34}", "", "", class_text));
            }
            out.push('\n');
        }
    }
    out
}

fn truncate(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}
