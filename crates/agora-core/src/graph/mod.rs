//! Social and administration networks: undirected simple graphs in CSR form.
//!
//! Architecture invariant: a generator reads only its spec, the node count
//! (and jurisdiction sizes) and its own random stream, so the same
//! (spec, population, replicate seed) always gives the same graph.

mod generators;
pub mod stats;

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

pub use generators::{EdgeList, EdgeListError, generate, load_edge_list};

/// A network over `0..n`.
#[derive(Debug, Clone, PartialEq)]
pub enum Graph {
    /// Everyone is everyone's neighbour; never materialised.
    Complete {
        /// Number of nodes.
        nodes: u32,
    },
    /// An explicit graph in compressed sparse rows.
    Sparse(Csr),
}

/// A hint that `*p` will be read soon; never faults, whatever `p` is.
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint and never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// A fixed-size delay line: `push` returns the item pushed `N` pushes ago.
struct Ring<T, const N: usize> {
    items: [T; N],
    head: usize,
    filled: usize,
}

impl<T: Copy + Default, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Ring {
            items: [T::default(); N],
            head: 0,
            filled: 0,
        }
    }
}

impl<T: Copy, const N: usize> Ring<T, N> {
    #[inline(always)]
    fn push(&mut self, item: T) -> Option<T> {
        let out = (self.filled == N).then(|| self.items[self.head]);
        self.filled = (self.filled + 1).min(N);
        self.items[self.head] = item;
        self.head = (self.head + 1) % N;
        out
    }

    /// The items still held, oldest first; the ring is empty afterwards.
    fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        let first = (self.head + N - self.filled) % N;
        let filled = std::mem::take(&mut self.filled);
        (0..filled).map(move |k| self.items[(first + k) % N])
    }
}

/// Compressed sparse rows: the neighbours of `i` are
/// `neighbours[offsets[i]..offsets[i + 1]]`, sorted, each edge stored both ways.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Csr {
    offsets: Vec<u64>,
    neighbours: Vec<u32>,
}

impl Graph {
    /// Number of nodes.
    pub fn nodes(&self) -> u32 {
        match self {
            Graph::Complete { nodes } => *nodes,
            Graph::Sparse(csr) => csr.nodes(),
        }
    }

    /// Undirected edges.
    pub fn edges(&self) -> u64 {
        match self {
            Graph::Complete { nodes } => u64::from(*nodes) * u64::from(nodes.saturating_sub(1)) / 2,
            Graph::Sparse(csr) => csr.edges(),
        }
    }

    /// Degree of node `i`.
    pub fn degree(&self, i: u32) -> u32 {
        match self {
            Graph::Complete { nodes } => nodes - 1,
            Graph::Sparse(csr) => csr.degree(i),
        }
    }

    /// Bytes held by the graph's arrays.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Graph::Complete { .. } => 0,
            Graph::Sparse(csr) => csr.offsets.len() * 8 + csr.neighbours.len() * 4,
        }
    }

    /// Mean of `values` over the neighbours of every node, in node order
    /// (`None` for a node without neighbours). The complete graph's total is
    /// summed once, so this is linear in nodes + edges.
    pub fn neighbour_means_f64(&self, values: &[f64]) -> Vec<Option<f64>> {
        match self {
            Graph::Complete { nodes } => {
                let total: f64 = values.iter().sum();
                values
                    .iter()
                    .map(|x| (*nodes >= 2).then(|| (total - x) / f64::from(nodes - 1)))
                    .collect()
            }
            Graph::Sparse(csr) => (0..csr.nodes())
                .map(|i| {
                    let ns = csr.neighbours(i);
                    (!ns.is_empty()).then(|| ns.iter().map(|&j| values[j as usize]).sum::<f64>() / ns.len() as f64)
                })
                .collect(),
        }
    }

    /// The neighbours of node `i` (every other node of a complete graph).
    pub fn neighbours_of(&self, i: u32) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Graph::Complete { nodes } => Box::new((0..*nodes).filter(move |&k| k != i)),
            Graph::Sparse(csr) => Box::new(csr.neighbours(i).iter().copied()),
        }
    }

    /// Every edge once, as `(source, target)` with `source < target`, in order.
    pub fn edge_iter(&self) -> Box<dyn Iterator<Item = (u32, u32)> + '_> {
        match self {
            Graph::Complete { nodes } => {
                let n = *nodes;
                Box::new((0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, j))))
            }
            Graph::Sparse(csr) => Box::new(csr.edge_iter()),
        }
    }
}

impl Csr {
    /// Build from an edge source that can be replayed: `emit_all` is called
    /// twice (count, then fill), so no edge list is ever held in memory.
    /// The source must emit each undirected edge once, no self-loops.
    pub fn from_replayable(nodes: u32, emit_all: impl Fn(&mut dyn FnMut(u32, u32))) -> Csr {
        let n = nodes as usize;
        let mut offsets = vec![0u64; n + 1];
        // Random graphs scatter their edges over arrays far larger than the
        // caches. Each pass therefore handles an edge a fixed number of edges
        // after it was emitted and prefetches what it will touch meanwhile;
        // edges are still handled in emission order, so the result is the same.
        let mut delayed: Ring<(u32, u32), 32> = Ring::default();
        let count = |offsets: &mut [u64], (a, b): (u32, u32)| {
            offsets[a as usize + 1] += 1;
            offsets[b as usize + 1] += 1;
        };
        emit_all(&mut |a, b| {
            prefetch(&offsets[a as usize + 1]);
            prefetch(&offsets[b as usize + 1]);
            if let Some(edge) = delayed.push((a, b)) {
                count(&mut offsets, edge);
            }
        });
        for edge in delayed.drain() {
            count(&mut offsets, edge);
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut neighbours = vec![0u32; offsets[n] as usize];
        // The row starts serve as fill cursors, so no second offsets array is
        // held: after the fill `offsets[i]` is the end of row `i`, the start of
        // row `i + 1`, and one shift puts every start back. Two stages: an
        // edge claims its two slots (cursors move in emission order), and the
        // slots are written later (each is written once, so order is free).
        let mut writes: Ring<(usize, u32), 64> = Ring::default();
        let claim =
            |offsets: &mut [u64], neighbours: &mut [u32], writes: &mut Ring<(usize, u32), 64>, (a, b): (u32, u32)| {
                for (from, to) in [(a, b), (b, a)] {
                    let slot = offsets[from as usize] as usize;
                    offsets[from as usize] += 1;
                    prefetch(neighbours.as_ptr().wrapping_add(slot));
                    if let Some((slot, value)) = writes.push((slot, to)) {
                        neighbours[slot] = value;
                    }
                }
            };
        emit_all(&mut |a, b| {
            prefetch(&offsets[a as usize]);
            prefetch(&offsets[b as usize]);
            if let Some(edge) = delayed.push((a, b)) {
                claim(&mut offsets, &mut neighbours, &mut writes, edge);
            }
        });
        for edge in delayed.drain() {
            claim(&mut offsets, &mut neighbours, &mut writes, edge);
        }
        for (slot, value) in writes.drain() {
            neighbours[slot] = value;
        }
        offsets.copy_within(0..n, 1);
        offsets[0] = 0;
        let mut csr = Csr { offsets, neighbours };
        csr.sort_rows();
        csr
    }

    /// Build from a list of pairs that may contain self-loops and duplicates
    /// (in either direction); returns the graph and (self-loops, duplicates) dropped.
    pub fn from_pairs(nodes: u32, pairs: &mut Vec<(u32, u32)>) -> (Csr, u64, u64) {
        let before = pairs.len() as u64;
        pairs.retain(|&(a, b)| a != b);
        let self_loops = before - pairs.len() as u64;
        for pair in pairs.iter_mut() {
            if pair.0 > pair.1 {
                *pair = (pair.1, pair.0);
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let duplicates = before - self_loops - pairs.len() as u64;
        let csr = Csr::from_replayable(nodes, |emit| {
            for &(a, b) in pairs.iter() {
                emit(a, b);
            }
        });
        (csr, self_loops, duplicates)
    }

    fn sort_rows(&mut self) {
        for i in 0..self.nodes() as usize {
            let (lo, hi) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
            self.neighbours[lo..hi].sort_unstable();
        }
    }

    /// Number of nodes.
    pub fn nodes(&self) -> u32 {
        (self.offsets.len().saturating_sub(1)) as u32
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> u64 {
        self.neighbours.len() as u64 / 2
    }

    #[inline(always)]
    /// The neighbours of node `i`, in ascending order.
    pub fn neighbours(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.neighbours[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The neighbour lists of nodes `range`, in order: one walk along the
    /// neighbour array, without looking each row up.
    #[inline]
    pub fn rows(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &[u32]> {
        let offsets = &self.offsets[range.start..=range.end];
        let mut rest = &self.neighbours[offsets[0] as usize..offsets[offsets.len() - 1] as usize];
        offsets.windows(2).map(move |w| {
            let (row, tail) = rest.split_at((w[1] - w[0]) as usize);
            rest = tail;
            row
        })
    }

    #[inline(always)]
    /// Degree of node `i`.
    pub fn degree(&self, i: u32) -> u32 {
        let i = i as usize;
        (self.offsets[i + 1] - self.offsets[i]) as u32
    }

    /// Row starts: node `i`'s neighbours are `neighbour_ids()[offsets()[i]..offsets()[i + 1]]`.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// Every row's neighbours, concatenated.
    pub fn neighbour_ids(&self) -> &[u32] {
        &self.neighbours
    }

    /// Each edge once, as `(a, b)` with `a < b`.
    pub fn edge_iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.nodes()).flat_map(move |i| self.neighbours(i).iter().filter(move |&&j| j > i).map(move |&j| (i, j)))
    }
}

/// A fast, deterministic hasher for integer keys (SplitMix64 finaliser).
#[derive(Default, Clone, Copy)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        crate::rng::mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 ^= x;
    }
}

/// A set of edges keyed `a << 32 | b`, with a fast integer hash.
pub type EdgeSet = HashSet<u64, BuildHasherDefault<MixHasher>>;

/// The key of an undirected edge.
#[inline]
pub fn edge_key(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}
