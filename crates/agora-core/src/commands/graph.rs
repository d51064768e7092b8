//! `agora graph`: the exact graph a replicate simulates on, as an edge list
//! and as statistics.

use std::path::PathBuf;

use super::{Observer, load_scenarios, prepare};
use crate::error::{Error, Result};
use crate::graph::stats::Report;
use crate::model::Model;
use crate::output::graph::{write_edges, write_stats};

/// Which of a replicate's two networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    /// The citizens' social graph.
    #[default]
    Social,
    /// The administrations' peer graph.
    Admin,
}

/// What `agora graph` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// A scenario file or built-in name.
    pub scenario: String,
    /// `PATH=VALUE` overrides.
    pub overrides: Vec<(String, String)>,
    /// Which replicate's graph.
    pub replicate: u32,
    /// Which network.
    pub network: Network,
    /// Write the edge list here.
    pub edges: Option<PathBuf>,
    /// Write the statistics files into this folder.
    pub stats: Option<PathBuf>,
}

/// What `agora graph` produced.
#[derive(Debug, Clone)]
pub struct GraphOutcome {
    /// Edges of the graph.
    pub edges: u64,
    /// Its statistics, when asked for.
    pub report: Option<Report>,
}

/// Build the graph and write what was asked for.
pub fn graph(options: &GraphOptions, observer: &dyn Observer) -> Result<GraphOutcome> {
    let scenario = load_scenarios(std::slice::from_ref(&options.scenario))?.remove(0);
    let prepared = prepare(scenario, &options.overrides, observer)?;
    let s = &prepared.scenario;
    if options.replicate >= s.replicates {
        return Err(Error::Input(format!(
            "--replicate {}: the scenario has replicates 0 ..= {}",
            options.replicate,
            s.replicates - 1
        )));
    }
    let seed = crate::rng::replicate_seed(s.seed, options.replicate);
    let which = match options.network {
        Network::Social => crate::model::Network::Social,
        Network::Admin => crate::model::Network::Admin,
    };
    let graph = Model::network(s, seed, &prepared.graphs, which);
    if let Some(path) = &options.edges {
        write_edges(&graph, path)?;
    }
    let report = match &options.stats {
        None => None,
        Some(dir) => {
            let p = &s.population;
            let home: Vec<u32> = match options.network {
                Network::Social => p
                    .jurisdictions
                    .sizes(p.citizens, p.administrations)
                    .iter()
                    .enumerate()
                    .flat_map(|(j, &n)| std::iter::repeat_n(j as u32, n as usize))
                    .collect(),
                Network::Admin => (0..p.administrations).collect(),
            };
            let mut rng = crate::rng::Streams::new(seed).stream(crate::rng::Purpose::GraphStatistics);
            let report = Report::of(&graph, &home, &mut rng);
            // One writer per folder, as for every results folder.
            let _folder = crate::output::Folder::lock(dir)?;
            write_stats(&report, dir)?;
            Some(report)
        }
    };
    Ok(GraphOutcome {
        edges: graph.edges(),
        report,
    })
}
