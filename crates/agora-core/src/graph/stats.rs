//! Graph statistics: degrees, clustering, components, ties inside jurisdictions.

use rand::RngExt;

use super::{Csr, Graph};
use crate::rng::Rng;

/// Exact local clustering is computed up to this many nodes; above it, a
/// uniform sample of this many nodes gives an estimate with its standard error.
pub const EXACT_CLUSTERING_LIMIT: u32 = 1_000_000;
const CLUSTERING_SAMPLE: u32 = 100_000;

/// The cheap statistics recorded for every replicate in `graphs.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of nodes.
    pub nodes: u32,
    /// Number of undirected edges.
    pub edges: u64,
    /// Mean degree (2 edges / nodes).
    pub mean_degree: f64,
    /// Smallest degree.
    pub min_degree: u32,
    /// Largest degree.
    pub max_degree: u32,
    /// Connected components.
    pub components: u32,
    /// Share of nodes in the largest component.
    pub giant_share: f64,
}

impl Summary {
    /// The summary of `graph` (linear in nodes + edges).
    pub fn of(graph: &Graph) -> Summary {
        let nodes = graph.nodes();
        let mean_degree = if nodes == 0 {
            0.0
        } else {
            2.0 * graph.edges() as f64 / f64::from(nodes)
        };
        match graph {
            Graph::Complete { nodes } => Summary {
                nodes: *nodes,
                edges: graph.edges(),
                mean_degree,
                min_degree: nodes.saturating_sub(1),
                max_degree: nodes.saturating_sub(1),
                components: u32::from(*nodes > 0),
                giant_share: 1.0,
            },
            Graph::Sparse(csr) => {
                let (components, giant) = components(csr);
                let degrees = (0..nodes).map(|i| csr.degree(i));
                Summary {
                    nodes,
                    edges: csr.edges(),
                    mean_degree,
                    min_degree: degrees.clone().min().unwrap_or(0),
                    max_degree: degrees.max().unwrap_or(0),
                    components,
                    giant_share: f64::from(giant) / f64::from(nodes.max(1)),
                }
            }
        }
    }
}

/// Everything `agora graph --stats` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Sizes, degrees and components.
    pub summary: Summary,
    /// `histogram[d]` nodes have degree `d` (empty for a complete graph: all have n - 1).
    pub histogram: Vec<u64>,
    /// Average local clustering coefficient.
    pub clustering: f64,
    /// Standard error of `clustering`; 0 when computed exactly.
    pub clustering_se: f64,
    /// Whether `clustering` was computed over every node (else sampled).
    pub clustering_exact: bool,
    /// Share of edges whose ends are in the same jurisdiction.
    pub within_share: f64,
}

impl Report {
    /// `home[i]` is node `i`'s jurisdiction; `rng` draws the clustering sample.
    pub fn of(graph: &Graph, home: &[u32], rng: &mut Rng) -> Report {
        let summary = Summary::of(graph);
        match graph {
            Graph::Complete { nodes } => {
                let n = u64::from(*nodes);
                let mut blocks: std::collections::BTreeMap<u32, u64> = Default::default();
                for &h in home {
                    *blocks.entry(h).or_default() += 1;
                }
                let within: u64 = blocks.values().map(|&b| b * b.saturating_sub(1) / 2).sum();
                Report {
                    summary,
                    histogram: Vec::new(),
                    clustering: if n >= 3 { 1.0 } else { 0.0 },
                    clustering_se: 0.0,
                    clustering_exact: true,
                    within_share: ratio(within, graph.edges()),
                }
            }
            Graph::Sparse(csr) => {
                let mut histogram = vec![0u64; summary.max_degree as usize + 1];
                for i in 0..csr.nodes() {
                    histogram[csr.degree(i) as usize] += 1;
                }
                let within = csr
                    .edge_iter()
                    .filter(|&(a, b)| home[a as usize] == home[b as usize])
                    .count();
                let (clustering, clustering_se, clustering_exact) = if csr.nodes() <= EXACT_CLUSTERING_LIMIT {
                    let total: f64 = (0..csr.nodes()).map(|i| local_clustering(csr, i)).sum();
                    (total / f64::from(csr.nodes().max(1)), 0.0, true)
                } else {
                    let sample: Vec<f64> = (0..CLUSTERING_SAMPLE)
                        .map(|_| local_clustering(csr, rng.random_range(0..csr.nodes())))
                        .collect();
                    let (mean, sd) = crate::stats::mean_sd(&sample);
                    (mean, sd / f64::from(CLUSTERING_SAMPLE).sqrt(), false)
                };
                Report {
                    summary,
                    histogram,
                    clustering,
                    clustering_se,
                    clustering_exact,
                    within_share: ratio(within as u64, csr.edges()),
                }
            }
        }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Share of pairs of `i`'s neighbours that are tied (0 below degree 2).
pub fn local_clustering(csr: &Csr, i: u32) -> f64 {
    let ns = csr.neighbours(i);
    let k = ns.len() as u64;
    if k < 2 {
        return 0.0;
    }
    // Each tie among neighbours is found from both ends: sorted-merge intersections.
    let mut twice_ties = 0u64;
    for &u in ns {
        let (mut a, mut b) = (ns.iter().peekable(), csr.neighbours(u).iter().peekable());
        while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
            match x.cmp(&y) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    twice_ties += 1;
                    a.next();
                    b.next();
                }
            }
        }
    }
    twice_ties as f64 / (k * (k - 1)) as f64
}

/// Number of connected components and the size of the largest (union-find).
pub fn components(csr: &Csr) -> (u32, u32) {
    let n = csr.nodes() as usize;
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let grand = parent[parent[x as usize] as usize];
            parent[x as usize] = grand; // path halving
            x = grand;
        }
        x
    }
    for (a, b) in csr.edge_iter() {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo;
        }
    }
    let mut size = vec![0u32; n];
    for x in 0..n as u32 {
        let root = find(&mut parent, x);
        size[root as usize] += 1;
    }
    let components = size.iter().filter(|&&s| s > 0).count() as u32;
    (components, size.into_iter().max().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(n: u32, edges: &[(u32, u32)]) -> Csr {
        Csr::from_pairs(n, &mut edges.to_vec()).0
    }

    #[test]
    fn triangle_plus_pendant() {
        // 0-1-2 triangle, 3 hangs on 2, 4 alone.
        let g = csr(5, &[(0, 1), (1, 2), (0, 2), (2, 3)]);
        assert_eq!(local_clustering(&g, 0), 1.0);
        assert!((local_clustering(&g, 2) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(local_clustering(&g, 3), 0.0);
        assert_eq!(components(&g), (2, 4));
        let s = Summary::of(&Graph::Sparse(g));
        assert_eq!((s.edges, s.min_degree, s.max_degree, s.components), (4, 0, 3, 2));
    }
}
