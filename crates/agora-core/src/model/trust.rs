//! Phase 3, social trust (docs/model.md section 6.3): DeGroot averaging of
//! trust over the social graph, weighted up by digitalization.

use super::neighbourhood::{Neighbourhood, PREFETCH_AHEAD, prefetching};
use super::{Model, par_chunks};
use crate::simd;

impl Model {
    /// Phase 3: DeGroot averaging of trust, weighted up by digitalization.
    pub(super) fn social_trust<N: Neighbourhood>(&mut self, graph: &N) {
        let d = &self.dynamics;
        let (base, digital_weight) = (d.trust_social_rate as f32, d.trust_social_digital as f32);
        let c = &self.citizens;
        let context = graph.prepare(&c.trust);
        par_chunks(&mut self.next, |lo, out| {
            simd::run(
                #[inline(always)]
                || {
                    let rows = graph.rows(lo..lo + out.len());
                    let people = out.iter_mut().zip(&c.trust[lo..]).zip(&c.digital[lo..]).zip(rows);
                    let far = prefetching(&c.trust);
                    for (k, (((slot, &t), &digital), row)) in people.enumerate() {
                        let i = lo + k;
                        if far {
                            graph.prefetch_row(i + PREFETCH_AHEAD, &c.trust);
                        }
                        *slot = match graph.mean(&context, row, i, &c.trust) {
                            Some(m) => t + (base + digital_weight * digital).min(1.0) * (m - t),
                            None => t,
                        };
                    }
                },
            )
        });
        std::mem::swap(&mut self.citizens.trust, &mut self.next);
    }
}
