//! The graph generators (docs/model.md, "Entities"), each linear in nodes + edges.

use std::path::{Path, PathBuf};

use rand::RngExt;

use super::{Csr, EdgeSet, Graph, edge_key, prefetch};
use crate::rng::Rng;
use crate::scenario::GraphSpec;

/// Generate the graph of `spec` over `blocks.iter().sum()` nodes; `blocks`
/// are the jurisdiction sizes (used by `StochasticBlock`). `EdgeList` graphs
/// are loaded once per scenario by [`load_edge_list`], not here.
///
/// ```
/// use agora_core::graph::{generate, stats::Summary};
/// use agora_core::rng::{Purpose, Streams};
/// use agora_core::scenario::GraphSpec;
///
/// let rng = Streams::new(42).stream(Purpose::SocialGraph);
/// let graph = generate(&GraphSpec::WattsStrogatz { k: 6, beta: 0.1 }, &[600, 400], &rng);
/// let summary = Summary::of(&graph);
/// assert_eq!(summary.nodes, 1000);
/// // A ring lattice of degree 6 with a tenth of its edges rewired.
/// assert!((summary.mean_degree - 6.0).abs() < 0.1);
/// // The same spec, sizes and stream give the same graph.
/// assert_eq!(Summary::of(&generate(&GraphSpec::WattsStrogatz { k: 6, beta: 0.1 }, &[600, 400], &rng)), summary);
/// ```
pub fn generate(spec: &GraphSpec, blocks: &[u32], rng: &Rng) -> Graph {
    let n: u32 = blocks.iter().sum();
    match *spec {
        GraphSpec::Complete => Graph::Complete { nodes: n },
        GraphSpec::ErdosRenyi { mean_degree } => {
            let p = if n > 1 { mean_degree / f64::from(n - 1) } else { 0.0 };
            Graph::Sparse(Csr::from_replayable(n, |emit| {
                let mut rng = rng.clone();
                skip_sample((1..n).map(|v| (v, 0, v)), p, &mut rng, emit);
            }))
        }
        GraphSpec::WattsStrogatz { k, beta } => Graph::Sparse(watts_strogatz(n, k, beta, rng.clone())),
        GraphSpec::BarabasiAlbert { m } => Graph::Sparse(barabasi_albert(n, m, rng.clone())),
        GraphSpec::StochasticBlock { mean_degree, within } => {
            Graph::Sparse(stochastic_block(blocks, mean_degree, within, rng))
        }
        GraphSpec::EdgeList(_) => unreachable!("edge lists are loaded before generation"),
    }
}

/// Bernoulli(p) sampling of every cell of a ragged triangle by geometric
/// skipping (Batagelj & Brandes 2005): row `v` covers targets
/// `base .. base + len`. Cost is linear in rows + hits, not in cells.
fn skip_sample(rows: impl Iterator<Item = (u32, u32, u32)>, p: f64, rng: &mut Rng, emit: &mut dyn FnMut(u32, u32)) {
    if p <= 0.0 {
        return;
    }
    let log_q = (1.0 - p).ln();
    let skip = |rng: &mut Rng| -> u64 {
        if p >= 1.0 {
            return 0;
        }
        let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
        let s = (u.ln() / log_q).floor();
        if s >= 1e18 { u64::MAX / 2 } else { s as u64 }
    };
    // `pending` cells are skipped before the next hit.
    let mut pending = skip(rng);
    for (v, base, len) in rows {
        let mut w = 0u64;
        loop {
            let left = u64::from(len) - w;
            if pending >= left {
                pending -= left;
                break;
            }
            w += pending;
            emit(v, base + w as u32);
            w += 1;
            pending = skip(rng);
        }
    }
}

/// Ring lattice over index order, each lattice edge `(u, u+j)` rewired with
/// probability `beta` to `(u, w)`, `w` uniform, not `u`, not already a
/// neighbour (the Watts & Strogatz 1998 procedure, as networkx orders it: `j`
/// outer, `u` inner). Membership is answered arithmetically for lattice edges
/// plus a set of the (few) rewired ones, so memory stays near the final CSR.
fn watts_strogatz(n: u32, k: u32, beta: f64, mut rng: Rng) -> Csr {
    let half = k / 2;
    let lattice_edges = u64::from(n) * u64::from(half);
    let mut rewired = vec![0u64; lattice_edges.div_ceil(64) as usize];
    let is_rewired = |bits: &[u64], idx: u64| bits[(idx / 64) as usize] >> (idx % 64) & 1 == 1;
    let mut added = EdgeSet::default();
    let mut targets: Vec<(u64, u32)> = Vec::new();
    let mut degree = vec![k; n as usize];
    let lattice_index = |a: u32, b: u32| -> Option<u64> {
        // (a, a + d) for d in 1..=half is lattice edge (d - 1) * n + a.
        let d = (u64::from(b) + u64::from(n) - u64::from(a)) % u64::from(n);
        (d >= 1 && d <= u64::from(half)).then(|| (d - 1) * u64::from(n) + u64::from(a))
    };
    if beta > 0.0 && k + 1 < n {
        for j in 1..=half {
            for u in 0..n {
                if !rng.random_bool(beta) {
                    continue;
                }
                if degree[u as usize] >= n - 1 {
                    continue;
                }
                let exists = |bits: &[u64], added: &EdgeSet, w: u32| {
                    let lattice = lattice_index(u, w)
                        .or_else(|| lattice_index(w, u))
                        .is_some_and(|idx| !is_rewired(bits, idx));
                    lattice || added.contains(&edge_key(u, w))
                };
                let mut w = rng.random_range(0..n);
                while w == u || exists(&rewired, &added, w) {
                    w = rng.random_range(0..n);
                }
                let v = (u + j) % n;
                let idx = u64::from(j - 1) * u64::from(n) + u64::from(u);
                rewired[(idx / 64) as usize] |= 1 << (idx % 64);
                added.insert(edge_key(u, w));
                targets.push((idx, w));
                degree[v as usize] -= 1;
                degree[w as usize] += 1;
            }
        }
    }
    drop(added);
    drop(degree);
    // `targets` is in increasing lattice index order, as the loops visit them.
    Csr::from_replayable(n, |emit| {
        let mut next = targets.iter().peekable();
        for j in 1..=half {
            for u in 0..n {
                let idx = u64::from(j - 1) * u64::from(n) + u64::from(u);
                match next.peek() {
                    Some(&&(i, w)) if i == idx => {
                        next.next();
                        emit(u, w);
                    }
                    _ => emit(u, (u + j) % n),
                }
            }
        }
    })
}

/// Preferential attachment (Barabási & Albert 1999), as networkx builds it:
/// a star over the first `m + 1` nodes, then each new node ties to `m`
/// distinct targets drawn from the list of all edge endpoints so far. The
/// edge list doubles as that endpoint list. Labels are permuted afterwards so
/// that hubs are spread over jurisdictions.
fn barabasi_albert(n: u32, m: u32, mut rng: Rng) -> Csr {
    // Edge `e` is (target[e], source(e)): a star of node 0 with leaves 1..=m,
    // then m edges per later node. Sources follow from `e`, so only targets
    // are stored (4 bytes per edge), and the list doubles as the list of
    // edge endpoints that preferential attachment samples from.
    let mu = m as usize;
    let source = |e: usize| -> u32 {
        if e < mu {
            e as u32 + 1
        } else {
            m + 1 + ((e - mu) / mu) as u32
        }
    };
    let mut target: Vec<u32> = Vec::with_capacity(mu + (n - m - 1) as usize * mu);
    target.resize(mu, 0);
    let mut chosen: Vec<u32> = Vec::with_capacity(mu);
    // Every pick reads a random entry of a list far larger than the caches.
    // A clone of the generator runs `AHEAD` nodes in front, assuming no
    // rejected pick, and prefetches what those nodes will read; the real
    // draws are untouched, and after a rejection the clone restarts from them.
    const AHEAD: u32 = 24;
    let list_len = |v: u32| mu + (v - m - 1) as usize * mu; // entries when node v attaches
    let mut scout = rng.clone();
    let mut scout_node = m + 1;
    let scout_one = |scout: &mut Rng, v: u32, target: &Vec<u32>| {
        for _ in 0..mu {
            let pick = scout.random_range(0..list_len(v) * 2);
            if pick % 2 == 0 {
                prefetch(target.as_ptr().wrapping_add(pick / 2));
            }
        }
    };
    for v in m + 1..n {
        while scout_node < n && scout_node <= v + AHEAD {
            scout_one(&mut scout, scout_node, &target);
            scout_node += 1;
        }
        chosen.clear();
        let mut draws = 0;
        while chosen.len() < mu {
            let pick = rng.random_range(0..target.len() * 2);
            draws += 1;
            let e = pick / 2;
            let endpoint = if pick % 2 == 0 { target[e] } else { source(e) };
            if !chosen.contains(&endpoint) {
                chosen.push(endpoint);
            }
        }
        target.extend_from_slice(&chosen);
        if draws != mu {
            scout = rng.clone();
            scout_node = v + 1;
        }
    }
    let mut label: Vec<u32> = (0..n).collect();
    for i in (1..n as usize).rev() {
        label.swap(i, rng.random_range(0..=i));
    }
    Csr::from_replayable(n, |emit| {
        for (e, &t) in target.iter().enumerate() {
            emit(label[t as usize], label[source(e) as usize]);
        }
    })
}

/// Blocks are the jurisdictions (contiguous index ranges). Inside block `j`
/// a pair is tied with `min(1, within * d / (n_j - 1))`; across blocks with
/// `(1 - within) * d * N / (N^2 - sum n_j^2)`. Row `v` of the across part is
/// the contiguous range of all earlier blocks, so both parts are ragged
/// triangles for geometric skipping.
fn stochastic_block(blocks: &[u32], mean_degree: f64, within: f64, rng: &Rng) -> Csr {
    let n: u32 = blocks.iter().sum();
    let n_f = f64::from(n);
    let squares: f64 = blocks.iter().map(|&b| f64::from(b).powi(2)).sum();
    let p_across = if n_f * n_f > squares {
        (1.0 - within) * mean_degree * n_f / (n_f * n_f - squares)
    } else {
        0.0
    };
    let starts: Vec<u32> = blocks
        .iter()
        .scan(0u32, |acc, &b| {
            let s = *acc;
            *acc += b;
            Some(s)
        })
        .collect();
    Csr::from_replayable(n, |emit| {
        let mut within_rng = rng.clone();
        within_rng.set_stream(within_rng.get_stream() ^ 0xB10C);
        for (&start, &size) in starts.iter().zip(blocks) {
            let p_in = if size > 1 {
                (within * mean_degree / f64::from(size - 1)).min(1.0)
            } else {
                0.0
            };
            skip_sample(
                (start + 1..start + size).map(|v| (v, start, v - start)),
                p_in,
                &mut within_rng,
                emit,
            );
        }
        let mut across_rng = rng.clone();
        let rows = starts
            .iter()
            .zip(blocks)
            .flat_map(|(&start, &size)| (start..start + size).map(move |v| (v, 0, start)));
        skip_sample(rows, p_across, &mut across_rng, emit);
    })
}

/// An edge list read from CSV, with what was dropped while reading it.
#[derive(Debug, Clone)]
pub struct EdgeList {
    /// The graph, each edge once.
    pub graph: Graph,
    /// Rows whose two ends were the same node (dropped).
    pub self_loops: u64,
    /// Rows that repeated an edge (merged).
    pub duplicates: u64,
}

#[derive(Debug, Clone, thiserror::Error)]
/// What is wrong with an edge-list file; every message names the file (and line).
pub enum EdgeListError {
    #[error("{}: {message}", path.display())]
    /// The file as a whole (missing, unreadable, no header).
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    #[error("{}:{line}: {message}", path.display())]
    /// One row of the file.
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Read `source,target` pairs (0-based ids `< nodes`); self-loops are
/// dropped and duplicates merged.
pub fn load_edge_list(path: &Path, nodes: u32) -> Result<EdgeList, EdgeListError> {
    let file_error = |message: String| EdgeListError::File {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| file_error(e.to_string()))?;
    let headers = reader.headers().map_err(|e| file_error(e.to_string()))?.clone();
    if headers.len() < 2 || &headers[0] != "source" || &headers[1] != "target" {
        return Err(file_error(format!(
            "the header must be `source,target`, found `{}`",
            headers.iter().collect::<Vec<_>>().join(",")
        )));
    }
    let mut pairs = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut largest = 0u32;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(file_error(e.to_string())),
        }
        let line = record.position().map_or(0, |p| p.line());
        let id = |field: usize| -> Result<u32, EdgeListError> {
            let text = record.get(field).unwrap_or("");
            let line_error = |message: String| EdgeListError::Line {
                path: path.to_path_buf(),
                line,
                message,
            };
            let value: i64 = text.parse().map_err(|_| {
                line_error(format!(
                    "`{text}` is not a node id (a whole number 0 ..= {})",
                    nodes - 1
                ))
            })?;
            if value < 0 || value >= i64::from(nodes) {
                return Err(line_error(format!(
                    "node id {value} is out of range: population.citizens is {nodes}, so ids are 0 ..= {}",
                    nodes - 1
                )));
            }
            Ok(value as u32)
        };
        let (a, b) = (id(0)?, id(1)?);
        largest = largest.max(a).max(b);
        pairs.push((a, b));
    }
    if pairs.is_empty() {
        return Err(file_error("the edge list has no edges".into()));
    }
    if largest + 1 != nodes {
        return Err(file_error(format!(
            "the edge list covers nodes 0 ..= {largest} but the population has {nodes}"
        )));
    }
    let (csr, self_loops, duplicates) = Csr::from_pairs(nodes, &mut pairs);
    Ok(EdgeList {
        graph: Graph::Sparse(csr),
        self_loops,
        duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Streams};

    fn rng() -> Rng {
        Streams::new(7).stream(Purpose::SocialGraph)
    }

    #[test]
    fn lattice_without_rewiring_is_a_ring() {
        let g = generate(&GraphSpec::WattsStrogatz { k: 4, beta: 0.0 }, &[10], &rng());
        let Graph::Sparse(csr) = &g else { panic!() };
        assert_eq!(csr.neighbours(0), &[1, 2, 8, 9]);
        assert_eq!(g.edges(), 20);
    }

    #[test]
    fn full_rewiring_keeps_edge_count() {
        let g = generate(&GraphSpec::WattsStrogatz { k: 10, beta: 1.0 }, &[1000], &rng());
        assert_eq!(g.edges(), 5000);
    }

    #[test]
    fn erdos_renyi_with_p_one_is_complete() {
        let g = generate(&GraphSpec::ErdosRenyi { mean_degree: 5.0 }, &[6], &rng());
        assert_eq!(g.edges(), 15);
    }
}
