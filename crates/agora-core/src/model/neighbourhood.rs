//! The neighbour mean of a citizen attribute over the social graph, for
//! phases 1 and 3: a complete graph as a mean field, a sparse one as CSR.

use crate::par::*;

use super::{CHUNK, chunk_min_len};
use crate::graph::Csr;

/// Citizens ahead of the current one whose neighbours' values a gather
/// prefetches: about one memory latency of work.
pub(super) const PREFETCH_AHEAD: usize = 16;

/// Whether a gather over `values` prefetches: only when the array is far
/// larger than the caches (a social graph's far ties then miss them; at 3
/// x 10^6 citizens steps take 0.6 of the time), since below that the hints
/// only cost instructions (at 10^5 a run takes 1.8 times as long).
#[inline]
pub(super) fn prefetching(values: &[f32]) -> bool {
    values.len() >= 1 << 21
}

/// The neighbour mean of a citizen attribute, specialised per graph kind so
/// that the phase loops compile to tight code for each.
pub(super) trait Neighbourhood: Sync {
    /// Whatever the graph needs once per sweep (the total, for mean field).
    type Context: Sync;
    /// What the graph knows of one node (its neighbour list, for a CSR).
    type Row<'a>
    where
        Self: 'a;
    fn prepare(&self, values: &[f32]) -> Self::Context;
    /// The rows of nodes `range`, in order.
    fn rows(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = Self::Row<'_>>;
    /// Hint that node `i`'s neighbours' `values` will be read soon.
    #[inline(always)]
    fn prefetch_row(&self, _i: usize, _values: &[f32]) {}
    /// The mean of `values` over the neighbours of node `i`, whose row is `row`.
    fn mean(&self, context: &Self::Context, row: Self::Row<'_>, i: usize, values: &[f32]) -> Option<f32>;
}

/// The complete graph, as a mean field: `(sum - x_i) / (n - 1)`.
pub(super) struct MeanField {
    nodes: u32,
}

impl MeanField {
    pub(super) fn new(nodes: u32) -> Self {
        MeanField { nodes }
    }
}

impl Neighbourhood for MeanField {
    type Context = f64;
    type Row<'a> = ();

    fn prepare(&self, values: &[f32]) -> f64 {
        // Chunked sum in chunk order, like every other reduction.
        let partials: Vec<f64> = values
            .par_chunks(CHUNK)
            .with_min_len(chunk_min_len(values.len()))
            .map(|c| c.iter().map(|&x| f64::from(x)).sum::<f64>())
            .collect();
        partials.iter().sum()
    }

    fn rows(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = ()> {
        range.map(|_| ())
    }

    #[inline(always)]
    fn mean(&self, total: &f64, _: (), i: usize, values: &[f32]) -> Option<f32> {
        (self.nodes >= 2).then(|| ((total - f64::from(values[i])) / f64::from(self.nodes - 1)) as f32)
    }
}

impl Neighbourhood for Csr {
    type Context = ();
    type Row<'a> = &'a [u32];

    fn prepare(&self, _: &[f32]) {}

    #[inline(always)]
    fn prefetch_row(&self, i: usize, values: &[f32]) {
        if i < values.len() {
            for &j in self.neighbours(i as u32) {
                crate::graph::prefetch(values.as_ptr().wrapping_add(j as usize));
            }
        }
    }

    fn rows(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &[u32]> {
        Csr::rows(self, range)
    }

    #[inline(always)]
    fn mean(&self, _: &(), ns: &[u32], _: usize, values: &[f32]) -> Option<f32> {
        if ns.is_empty() {
            return None;
        }
        // Four accumulators break the chain of dependent adds.
        let mut acc = [0.0f32; 4];
        let quads = ns.chunks_exact(4);
        let rest = quads.remainder();
        debug_assert!(ns.iter().all(|&j| (j as usize) < values.len()));
        for q in quads {
            // SAFETY: CSR ids are < nodes (checked when the graph is built) and
            // `values` holds one entry per node.
            unsafe {
                acc[0] += *values.get_unchecked(q[0] as usize);
                acc[1] += *values.get_unchecked(q[1] as usize);
                acc[2] += *values.get_unchecked(q[2] as usize);
                acc[3] += *values.get_unchecked(q[3] as usize);
            }
        }
        let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        for &j in rest {
            sum += values[j as usize];
        }
        Some(sum / ns.len() as f32)
    }
}
