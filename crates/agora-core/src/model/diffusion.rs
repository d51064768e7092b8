//! Phase 1, digital diffusion (docs/model.md section 6.1): network Bass
//! diffusion with levels, each citizen's digitalization rising towards its
//! ceiling by innovation and by imitation of its neighbours.

use super::neighbourhood::{Neighbourhood, PREFETCH_AHEAD, prefetching};
use super::{EPS_CITIZEN, Model, par_chunks};
use crate::rng::{Purpose, chance};
use crate::simd;

impl Model {
    /// Phase 1: network Bass diffusion with levels (docs/model.md, "Digital diffusion").
    pub(super) fn diffusion<N: Neighbourhood>(&mut self, graph: &N) {
        let d = &self.dynamics;
        let (innovation, imitation, gain) = (d.digital_innovation, d.digital_imitation, d.digital_step as f32);
        let c = &self.citizens;
        let context = graph.prepare(&c.digital);
        let draws = self.streams.draws(Purpose::Diffusion { step: self.step });
        par_chunks(&mut self.next, |lo, out| {
            simd::run(
                #[inline(always)]
                || {
                    let rows = graph.rows(lo..lo + out.len());
                    let people = out.iter_mut().zip(&c.digital[lo..]).zip(&c.ceiling[lo..]).zip(rows);
                    let far = prefetching(&c.digital);
                    for (k, (((slot, &digital), &ceiling), row)) in people.enumerate() {
                        let i = lo + k;
                        if far {
                            graph.prefetch_row(i + PREFETCH_AHEAD, &c.digital);
                        }
                        *slot = digital;
                        // Citizens at their ceiling skip the draw: draws are addressed, so
                        // nobody else's numbers move.
                        if digital < ceiling - EPS_CITIZEN {
                            let m = graph.mean(&context, row, i, &c.digital).unwrap_or(0.0);
                            let [word, _] = draws.words(i as u64);
                            if chance(word, innovation + imitation * f64::from(m)) {
                                *slot = (digital + gain).min(ceiling);
                            }
                        }
                    }
                },
            )
        });
        std::mem::swap(&mut self.citizens.digital, &mut self.next);
    }
}
