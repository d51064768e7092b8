//! Phase 2, service (docs/model.md section 6.2): 2a contacts and channels,
//! 2b capacity, 2c resolution, 2d satisfaction and trust from the
//! experience.

use crate::par::*;

use super::{
    CHUNK, Flows, Model, NEED, ONLINE, PENDING, REPEAT, REQUEST, RESOLVED, UNHEARD, chunk_min_len, jurisdictions_in,
    lever, min_len,
};
use crate::rng::{Purpose, chance, threshold};
use crate::scenario::Dynamics;
use crate::simd;

/// What phase 2b decided for one administration this month.
#[derive(Debug, Clone, Copy)]
struct Service {
    /// Threshold of the chance that a request is handled.
    serve: u64,
    /// Threshold of the chance that a handled request is resolved.
    resolve: u64,
    /// Counts: needs, repeats, online contacts, unheard.
    counts: [u64; 4],
}

/// Months of needs, contacts and their outcomes run before step 0, so that
/// January 2012's backlog and online contacts are where the process keeps
/// them (docs/model.md section 5): no spin-up in the first year.
pub const PREHISTORY_MONTHS: u32 = 24;

impl Model {
    /// The contact process (phases 2a-c) for [`PREHISTORY_MONTHS`] months
    /// before step 0, with everything else frozen: nobody learns from the
    /// outcomes, digitalization and adoption stay put. Its random numbers
    /// are addressed by steps no run reaches (`u32::MAX - k`).
    pub(super) fn prehistory(&mut self) {
        let saved = self.dynamics.clone();
        self.dynamics.satisfaction_rate = 0.0;
        self.dynamics.trust_experience_rate = 0.0;
        for k in (1..=PREHISTORY_MONTHS).rev() {
            self.step = u32::MAX - k;
            self.service();
        }
        self.dynamics = saved;
        self.step = 0;
        self.flows = Flows::default();
        for flag in &mut self.flags {
            *flag &= PENDING;
        }
    }

    /// Phase 2: contacts, channels, capacity, resolution, satisfaction and
    /// trust from experience (docs/model.md, "Service").
    pub(super) fn service(&mut self) {
        self.contacts();
        let services = self.capacity();
        self.outcomes(&services);
    }

    /// Phase 2a: who contacts the administration (new needs and repeats of
    /// unresolved ones), through which channel, and whether it is answered.
    fn contacts(&mut self) {
        let d = &self.dynamics;
        let admins = &self.admins;
        let digital = &self.citizens.digital;
        let (repeat, fallback) = (threshold(d.repeat_rate), threshold(d.fallback));
        let (need_rate, digital_demand) = (d.need_rate, d.need_rate * d.digital_demand);
        let local = self.local.as_deref();
        let channel = self.streams.draws(Purpose::ServiceChannel { step: self.step });
        self.flags
            .par_chunks_mut(CHUNK)
            .zip(self.citizens.online_age.par_chunks_mut(CHUNK))
            .enumerate()
            .with_min_len(chunk_min_len(digital.len()))
            .for_each(|(chunk, (flags, ages))| {
                simd::run(
                    #[inline(always)]
                    || {
                        let lo = chunk * CHUNK;
                        for (j, range) in jurisdictions_in(&admins.start, lo, lo + flags.len()) {
                            // An online contact is answered by the web channel, or by Social CRM.
                            let openness = lever(local, d, j).channel_openness;
                            let heard = threshold(openness + (1.0 - openness) * admins.adoption[j]);
                            let local = range.start - lo..range.end - lo;
                            let people = flags[local.clone()]
                                .iter_mut()
                                .zip(&mut ages[local])
                                .zip(&digital[range.clone()]);
                            for (k, ((flag, age), &digital)) in people.enumerate() {
                                let i = (range.start + k) as u64;
                                let ([w0, w1], [w2, w3]) = (channel.words(2 * i), channel.words(2 * i + 1));
                                // Branchless: the outcomes are coin flips, so branches would mispredict.
                                // An unresolved need is raised again or given up; others may have a new one.
                                let pending = *flag & PENDING != 0;
                                // A float compare: decides exactly as `threshold` would, without its `ceil`.
                                let new_need = chance(w0, need_rate + digital_demand * f64::from(digital));
                                let need = if pending { u64::from(w0) < repeat } else { new_need };
                                let repeat = pending & need;
                                let online = need & chance(w1, f64::from(digital));
                                let unheard = online & (u64::from(w2) >= heard);
                                let dropped = unheard & (u64::from(w3) >= fallback);
                                *flag = (u8::from(need) * NEED)
                                    | (u8::from(repeat) * REPEAT)
                                    | (u8::from(online) * ONLINE)
                                    | (u8::from(unheard) * UNHEARD)
                                    | (u8::from(need & !dropped) * REQUEST);
                                *age = if online { 0 } else { age.saturating_add(1) };
                            }
                        }
                    },
                )
            });
    }

    /// Phase 2b: per administration, the chance that a request is handled
    /// (capacity against requests) and resolved (integration), with the
    /// counts of 2a.
    fn capacity(&self) -> Vec<Service> {
        let d = &self.dynamics;
        let admins = &self.admins;
        let flags = &self.flags;
        let local = self.local.as_deref();
        (0..admins.len())
            .into_par_iter()
            .with_min_len(min_len(admins.len(), flags.len()))
            .map(|j| {
                let histogram = flag_histogram(&flags[admins.block(j)]);
                // requests, needs, repeats, online, unheard
                let n = [REQUEST, NEED, REPEAT, ONLINE, UNHEARD].map(|bit| count_with(&histogram, bit));
                let staff = lever(local, d, j).capacity_per_citizen * f64::from(admins.size(j));
                let coproduction = d.coproduction_capacity
                    * f64::from(u8::from(admins.transformed[j]))
                    * f64::from(admins.participants[j]);
                let capacity = staff * (1.0 + d.productivity_gain * admins.adoption[j]) + coproduction;
                let requests = f64::from(n[0]);
                let serve = if n[0] == 0 { 1.0 } else { (capacity / requests).min(1.0) };
                Service {
                    serve: threshold(serve),
                    resolve: threshold(d.resolution_base + (1.0 - d.resolution_base) * admins.integration[j]),
                    counts: [n[1], n[2], n[3], n[4]].map(u64::from),
                }
            })
            .collect()
    }

    /// Phases 2c-d: resolution, then satisfaction by expectation-disconfirmation
    /// and trust following satisfaction, for the citizens with a need.
    fn outcomes(&mut self, services: &[Service]) {
        let d = &self.dynamics;
        let admins = &self.admins;
        let learn = Learning::of(d);
        let outcome = self.streams.draws(Purpose::ServiceOutcome { step: self.step });
        let digital = &self.citizens.digital;
        let counts: Vec<[u64; 2]> = self
            .flags
            .par_chunks_mut(CHUNK)
            .zip(self.citizens.trust.par_chunks_mut(CHUNK))
            .zip(self.citizens.satisfaction.par_chunks_mut(CHUNK))
            .enumerate()
            .with_min_len(chunk_min_len(self.next.len()))
            .map(|(chunk, ((flags, trust), satisfaction))| {
                simd::run(
                    #[inline(always)]
                    || {
                        let lo = chunk * CHUNK;
                        let mut n = [0u64; 2]; // served, resolved
                        for (j, range) in jurisdictions_in(&admins.start, lo, lo + flags.len()) {
                            let service = services[j];
                            let local = range.start - lo..range.end - lo;
                            let people = flags[local.clone()]
                                .iter_mut()
                                .zip(&mut trust[local.clone()])
                                .zip(&mut satisfaction[local])
                                .zip(&digital[range.clone()]);
                            for (k, (((flag, trust), satisfaction), &digital)) in people.enumerate() {
                                let words = outcome.words((range.start + k) as u64);
                                let f = *flag;
                                let need = f & NEED != 0;
                                // Branchless: `&` rather than `&&`, the outcomes are coin flips.
                                let served = (f & REQUEST != 0) & (u64::from(words[0]) < service.serve);
                                let resolved = served & (u64::from(words[1]) < service.resolve);
                                n[0] += u64::from(served);
                                n[1] += u64::from(resolved);
                                *flag = f | (u8::from(resolved) * RESOLVED) | (u8::from(need & !resolved) * PENDING);
                                learn.apply(need, resolved, digital, satisfaction, trust);
                            }
                        }
                        n
                    },
                )
            })
            .collect();
        let sum = |k: usize| services.iter().map(|s| s.counts[k]).sum::<u64>();
        let outcomes = |k: usize| counts.iter().map(|n| n[k]).sum::<u64>();
        self.flows = Flows {
            needs: sum(0),
            repeats: sum(1),
            online: sum(2),
            unheard: sum(3),
            served: outcomes(0),
            resolved: outcomes(1),
            participants: 0,
            incidents: 0,
            failed_projects: 0,
        };
    }
}

/// Satisfaction by expectation-disconfirmation and trust following it,
/// applied per citizen in phase 2d.
#[derive(Debug, Clone, Copy)]
struct Learning {
    satisfaction_rate: f32,
    expectation_base: f32,
    expectation_digital: f32,
    trust_rate: f32,
    trust_negativity: f32,
}

impl Learning {
    fn of(d: &Dynamics) -> Learning {
        Learning {
            satisfaction_rate: d.satisfaction_rate as f32,
            expectation_base: d.expectation_base as f32,
            expectation_digital: d.expectation_digital as f32,
            trust_rate: d.trust_experience_rate as f32,
            trust_negativity: d.trust_negativity as f32,
        }
    }

    /// A citizen without a need learns nothing: a zero weight leaves them exactly as they were.
    #[inline(always)]
    fn apply(self, need: bool, resolved: bool, digital: f32, satisfaction: &mut f32, trust: &mut f32) {
        let needs = f32::from(u8::from(need));
        let outcome = f32::from(u8::from(resolved));
        let expectation = self.expectation_base + self.expectation_digital * digital;
        // Neutral (0.5) when the outcome meets the expectation.
        let judgement = (0.5 + 0.5 * (outcome - expectation)).clamp(0.0, 1.0);
        *satisfaction += needs * self.satisfaction_rate * (judgement - *satisfaction);
        let gap = *satisfaction - *trust;
        let negative = f32::from(u8::from(gap < 0.0));
        *trust += needs * self.trust_rate * (1.0 + self.trust_negativity * negative) * gap;
    }
}

/// The flags phase 2a sets (NEED, ONLINE, UNHEARD, REQUEST, REPEAT) packed
/// into five bits.
#[inline(always)]
fn contact_bits(f: u8) -> usize {
    usize::from((f & 0x0F) | ((f & REPEAT) >> 3))
}

/// How many citizens of a block have each combination of the contact flags:
/// one increment per citizen, where counting five bits one by one costs
/// fifteen instructions.
fn flag_histogram(flags: &[u8]) -> [u32; 32] {
    let mut histogram = [0u32; 32];
    for &f in flags {
        histogram[contact_bits(f)] += 1;
    }
    histogram
}

/// Citizens whose contact flags include `bit`, from a [`flag_histogram`].
fn count_with(histogram: &[u32; 32], bit: u8) -> u32 {
    let packed = contact_bits(bit);
    (0..32).filter(|&k| k & packed != 0).map(|k| histogram[k]).sum()
}
