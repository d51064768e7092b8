//! `agora graph`: a graph's edge list and its statistics as CSV files.

use std::path::Path;

use super::table::Table;
use crate::error::{IoContext, Result};
use crate::graph::Graph;
use crate::graph::stats::Report;

/// The statistics files `agora graph --stats` writes into its folder.
pub const STATS: &str = "graph_stats.csv";
/// The degree histogram file.
pub const HISTOGRAM: &str = "degree_histogram.csv";

/// Write `graph` as `source,target` rows, each edge once, source < target.
pub fn write_edges(graph: &Graph, path: &Path) -> Result<()> {
    let written = (|| {
        let mut table = Table::create(path, &["source", "target"])?;
        for (a, b) in graph.edge_iter() {
            table.int(u64::from(a))?;
            table.int(u64::from(b))?;
            table.end_row()?;
        }
        table.commit()
    })();
    written.context(|| format!("writing {}", path.display()))
}

/// Write the statistics (`graph_stats.csv`: stat,value) and the degree
/// histogram (`degree_histogram.csv`: degree,count) into `dir`.
pub fn write_stats(report: &Report, dir: &Path) -> Result<()> {
    let written = (|| {
        std::fs::create_dir_all(dir)?;
        let mut stats = Table::create(&dir.join(STATS), &["stat", "value"])?;
        for (name, value) in stats_rows(report) {
            stats.text(name)?;
            stats.text(&value)?;
            stats.end_row()?;
        }
        stats.commit()?;
        let mut histogram = Table::create(&dir.join(HISTOGRAM), &["degree", "count"])?;
        if report.histogram.is_empty() {
            histogram.int(u64::from(report.summary.max_degree))?;
            histogram.int(u64::from(report.summary.nodes))?;
            histogram.end_row()?;
        }
        for (degree, &count) in report.histogram.iter().enumerate().filter(|(_, c)| **c > 0) {
            histogram.int(degree as u64)?;
            histogram.int(count)?;
            histogram.end_row()?;
        }
        histogram.commit()
    })();
    written.context(|| format!("writing statistics to {}", dir.display()))
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

/// The statistics as the few lines `agora graph --stats` prints.
pub fn stats_text(r: &Report) -> String {
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
