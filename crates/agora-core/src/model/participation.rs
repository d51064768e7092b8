//! Phase 4, participation (docs/model.md section 6.4): citizens take part
//! through open administrations; then each administration observes its
//! citizens' month (participants, service, voice).

use crate::par::*;

use super::{CHUNK, Model, NEED, PARTICIPANT, RESOLVED, UNHEARD, chunk_min_len, jurisdictions_in, min_len};
use crate::rng::{Purpose, chance};
use crate::simd;

impl Model {
    /// Phase 4: participation through open administrations.
    pub(super) fn participation(&mut self) {
        let d = &self.dynamics;
        let admins = &self.admins;
        let openness: Vec<f64> = (0..admins.len())
            .map(|j| {
                let transformed = f64::from(u8::from(admins.transformed[j]));
                admins.adoption[j] * (d.participation_openness + (1.0 - d.participation_openness) * transformed)
            })
            .collect();
        let (rate, gain) = (d.participation_rate, d.participation_trust_gain as f32);
        let draws = self.streams.draws(Purpose::Participation { step: self.step });
        let digital = &self.citizens.digital;
        self.flags
            .par_chunks_mut(CHUNK)
            .zip(self.citizens.trust.par_chunks_mut(CHUNK))
            .zip(self.citizens.online_age.par_chunks_mut(CHUNK))
            .enumerate()
            .with_min_len(chunk_min_len(self.next.len()))
            .for_each(|(chunk, ((flags, trust), ages))| {
                simd::run(
                    #[inline(always)]
                    || {
                        let lo = chunk * CHUNK;
                        for (j, range) in jurisdictions_in(&admins.start, lo, lo + flags.len()) {
                            let openness = openness[j];
                            // A closed administration offers no participation: nobody's
                            // numbers change, and draws are addressed, so the block is skipped.
                            if openness <= 0.0 {
                                continue;
                            }
                            let local = range.start - lo..range.end - lo;
                            let people = flags[local.clone()]
                                .iter_mut()
                                .zip(&mut trust[local.clone()])
                                .zip(&mut ages[local])
                                .zip(&digital[range.clone()]);
                            for (k, (((flag, trust), age), &digital)) in people.enumerate() {
                                let [word, _] = draws.words((range.start + k) as u64);
                                let p = rate * f64::from(digital) * f64::from(*trust) * openness;
                                let joins = chance(word, p);
                                *flag |= u8::from(joins) * PARTICIPANT;
                                *trust += f32::from(u8::from(joins)) * gain * (1.0 - *trust);
                                // Participating goes through the administration's online channels.
                                *age = if joins { 0 } else { *age };
                            }
                        }
                    },
                )
            });
        let seen = self.observations();
        self.admins.participants = seen.iter().map(|o| o.participants).collect();
        self.flows.participants = seen.iter().map(|o| u64::from(o.participants)).sum();
        self.seen = seen;
    }

    /// End of phase 4, for phase 5: what each administration observes of its
    /// citizens this month (participants, the share of needs resolved, the
    /// citizens' voice), in one pass over each jurisdiction's block.
    fn observations(&self) -> Vec<Observation> {
        let admins = &self.admins;
        let c = &self.citizens;
        let flags = &self.flags;
        (0..admins.len())
            .into_par_iter()
            .with_min_len(min_len(admins.len(), flags.len()))
            .map(|j| {
                simd::run(
                    #[inline(always)]
                    || {
                        let block = admins.block(j);
                        let mut n = [0u32; 4]; // participants, needs, resolved, unheard
                        let mut discontent = 0.0f64;
                        let people = flags[block.clone()]
                            .iter()
                            .zip(&c.digital[block.clone()])
                            .zip(&c.satisfaction[block.clone()]);
                        for ((&f, &d), &s) in people {
                            n[0] += u32::from(f & PARTICIPANT != 0);
                            n[1] += u32::from(f & NEED != 0);
                            n[2] += u32::from(f & RESOLVED != 0);
                            n[3] += u32::from(f & UNHEARD != 0);
                            discontent += f64::from(d) * f64::from(1.0 - s);
                        }
                        let size = block.len() as f64;
                        Observation {
                            participants: n[0],
                            service: (n[1] > 0).then(|| f64::from(n[2]) / f64::from(n[1])),
                            voice: discontent / size + f64::from(n[3]) / size,
                        }
                    },
                )
            })
            .collect()
    }
}

/// What an administration observes of its citizens in a month.
#[derive(Debug, Clone, Copy)]
pub(super) struct Observation {
    /// Citizens who participated.
    pub(super) participants: u32,
    /// Share of its citizens' needs resolved (none without needs).
    pub(super) service: Option<f64>,
    /// Digital citizens' discontent plus unanswered online contacts, per citizen.
    pub(super) voice: f64,
}
