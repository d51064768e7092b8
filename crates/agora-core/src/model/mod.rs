//! The Social CRM model, v2: state, initialisation and the five phases of a
//! monthly step (docs/model.md, "Process overview and scheduling" and
//! "Submodels").
//!
//! Architecture invariants:
//! - The model does no IO and cannot fail once its scenario is valid.
//! - Every random draw comes from [`crate::rng::Streams`] at a fixed address
//!   (purpose, step, agent, slot), and every reduction over citizens runs over
//!   fixed chunks combined in chunk order, so a replicate's numbers do not
//!   depend on the thread count.
//! - Citizen state is struct-of-arrays in `f32` (and `u8`); administration
//!   state is `f64`.

pub mod cost;
mod init;
pub mod metrics;

use std::sync::Arc;

use rayon::prelude::*;

pub use init::Network;
pub use metrics::{Class, METRIC_NAMES, METRICS, Metric, Metrics, N_METRICS};

use crate::graph::{Csr, Graph};
use crate::rng::{Purpose, Streams, chance, threshold};
use crate::scenario::{Dynamics, Scenario, Schedule};
use crate::simd;

/// Citizens per chunk of parallel work; fixed, so results do not depend on threads.
pub const CHUNK: usize = 4096;
/// Tolerance for threshold comparisons on `f32` citizen state: `f32`
/// rounding of `d + 0.1` steps is about 1e-7.
const EPS_CITIZEN: f32 = 1e-6;
/// Tolerance for threshold comparisons on `f64` administration state, so
/// that ten steps of 0.1 reach 1.
const EPS_ADMIN: f64 = 1e-9;
/// Months an online contact counts for `digital_interaction` (Eurostat asks
/// about the last 12 months).
pub const INTERACTION_MONTHS: u8 = 12;

// Per-citizen flags of the current step (phases 2 and 4); PENDING carries over.
const NEED: u8 = 1;
const ONLINE: u8 = 2;
const UNHEARD: u8 = 4;
const REQUEST: u8 = 8;
const RESOLVED: u8 = 16;
const PARTICIPANT: u8 = 32;
/// A need left unresolved: the citizen contacts the administration again next month.
const PENDING: u8 = 64;
/// This month's need is a repeat contact.
const REPEAT: u8 = 128;

/// Struct-of-arrays citizen state. Citizens are numbered jurisdiction by
/// jurisdiction, so a citizen's administration is implied by its index
/// ([`Administrations::of_citizen`]) and needs no array.
#[derive(Debug, Clone)]
pub struct Citizens {
    /// The most digitalization each citizen can reach (static).
    pub ceiling: Vec<f32>,
    /// Propensity to use online channels, 0-1.
    pub digital: Vec<f32>,
    /// Trust in the own administration, 0-1.
    pub trust: Vec<f32>,
    /// Satisfaction with the own administration, 0-1.
    pub satisfaction: Vec<f32>,
    /// Months since the last online contact with the administration (saturates at 255).
    pub online_age: Vec<u8>,
}

/// Struct-of-arrays administration state.
#[derive(Debug, Clone)]
pub struct Administrations {
    /// Citizens of `j` are `start[j]..start[j + 1]`.
    pub start: Vec<u32>,
    /// Social CRM adoption level, 0-1.
    pub adoption: Vec<f64>,
    /// Whether `j` is a pioneer.
    pub pioneer: Vec<bool>,
    /// ROI barrier, 0-1.
    pub roi: Vec<f64>,
    /// Security barrier, 0-1.
    pub security: Vec<f64>,
    /// Organisational barrier, 0-1.
    pub organizational: Vec<f64>,
    /// Information integration, 0-1.
    pub integration: Vec<f64>,
    /// Whether the value chain has been transformed (never reverts).
    pub transformed: Vec<bool>,
    /// Participants in the last step.
    pub participants: Vec<u32>,
}

impl Administrations {
    /// Number of administrations.
    pub fn len(&self) -> usize {
        self.adoption.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.adoption.is_empty()
    }

    /// The administration of citizen `i`.
    pub fn of_citizen(&self, i: usize) -> usize {
        jurisdiction_of(&self.start, i)
    }

    /// Citizens of administration `j`.
    pub fn size(&self, j: usize) -> u32 {
        self.start[j + 1] - self.start[j]
    }

    fn block(&self, j: usize) -> std::ops::Range<usize> {
        self.start[j] as usize..self.start[j + 1] as usize
    }
}

/// Counts of the last step's flows, for the flow metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Flows {
    needs: u64,
    repeats: u64,
    online: u64,
    unheard: u64,
    served: u64,
    resolved: u64,
    participants: u64,
    incidents: u64,
}

/// One replicate of one scenario.
#[derive(Clone)]
pub struct Model {
    dynamics: Dynamics,
    /// Per administration, the dynamics in force there, when an intervention
    /// targets some administrations (`None`: everywhere `dynamics`).
    local: Option<Vec<Dynamics>>,
    /// Per targeted intervention (in [`Schedule::targets`] order), which administrations it reaches.
    chosen: Vec<Vec<bool>>,
    /// The levers' cost so far, euros per citizen.
    cost: f64,
    schedule: Schedule,
    streams: Streams,
    step: u32,
    social: Arc<Graph>,
    admin_graph: Arc<Graph>,
    /// Citizen state.
    pub citizens: Citizens,
    /// Administration state.
    pub admins: Administrations,
    /// Double buffer for the synchronous phases.
    next: Vec<f32>,
    flags: Vec<u8>,
    flows: Flows,
    /// What each administration observed this month (end of phase 4, read by phase 5).
    seen: Vec<Observation>,
}

/// Graphs loaded from files once per scenario and shared by its replicates.
#[derive(Debug, Clone, Default)]
pub struct LoadedGraphs {
    /// The social graph, if the scenario names an edge list.
    pub social: Option<Arc<Graph>>,
    /// The administrations' graph, if the scenario names an edge list.
    pub admin: Option<Arc<Graph>>,
}

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

impl Model {
    /// Initialise replicate state (docs/model.md, "Initialisation") from a valid scenario.
    pub fn new(scenario: &Scenario, replicate_seed: u64, loaded: &LoadedGraphs) -> Model {
        init::build(scenario, replicate_seed, loaded)
    }

    /// One of the networks replicate `replicate_seed` of `scenario` simulates on,
    /// built exactly as [`Model::new`] builds it.
    pub fn network(scenario: &Scenario, replicate_seed: u64, loaded: &LoadedGraphs, which: Network) -> Arc<Graph> {
        init::network(scenario, &Streams::new(replicate_seed), loaded, which)
    }

    /// Bytes held by the replicate's state and its graphs.
    pub fn heap_bytes(&self) -> usize {
        let c = &self.citizens;
        let citizens = (c.ceiling.len() + c.digital.len() + c.trust.len() + c.satisfaction.len() + self.next.len()) * 4
            + self.flags.len()
            + c.online_age.len();
        // Five f64 arrays, two flags, participants and block starts.
        let admins = self.admins.len() * (8 * 5 + 2 + 4 + 4);
        let local = self
            .local
            .as_ref()
            .map_or(0, |l| l.len() * std::mem::size_of::<Dynamics>())
            + self.chosen.iter().map(Vec::len).sum::<usize>();
        citizens + admins + local + self.social.heap_bytes() + self.admin_graph.heap_bytes()
    }

    /// Steps done so far.
    pub fn step_index(&self) -> u32 {
        self.step
    }

    /// The citizens' social graph.
    pub fn social_graph(&self) -> &Graph {
        &self.social
    }

    /// The parameters in force (interventions change them).
    pub fn dynamics(&self) -> &Dynamics {
        &self.dynamics
    }

    /// The dynamics in force at administration `j`.
    pub fn dynamics_of(&self, j: usize) -> &Dynamics {
        lever(self.local.as_deref(), &self.dynamics, j)
    }

    /// How citizen `i`'s online contact went in the last step: `None`
    /// without one, `Some(true)` answered, `Some(false)` unheard. A read of
    /// the step's flags, for pictures of the population (`agora serve`).
    pub fn heard(&self, i: usize) -> Option<bool> {
        let f = self.flags[i];
        (f & ONLINE != 0).then_some(f & UNHEARD == 0)
    }

    /// Set the dynamics parameter `name` to `value` from the next step on,
    /// at every administration (an intervention decided while the model
    /// runs). The caller checks the value (`scenario::validate`); `false`
    /// if no parameter is called `name`. Changes the schedule brings later
    /// still apply.
    pub fn set_dynamics(&mut self, name: &str, value: f64) -> bool {
        let Some(setter) = Dynamics::setter(name) else {
            return false;
        };
        (setter.set)(&mut self.dynamics, value);
        for local in self.local.iter_mut().flatten() {
            (setter.set)(local, value);
        }
        true
    }

    /// Advance one month: interventions due now, then the five phases.
    pub fn step(&mut self) {
        self.schedule.apply(self.step, &mut self.dynamics);
        if let Some(local) = &mut self.local {
            self.schedule.apply_local(self.step, local, &self.chosen);
        }
        self.cost += self.monthly_cost();
        let social = Arc::clone(&self.social);
        match &*social {
            Graph::Complete { nodes } => {
                let mean_field = MeanField::new(*nodes);
                self.diffusion(&mean_field);
                self.service();
                self.social_trust(&mean_field);
            }
            Graph::Sparse(csr) => {
                self.diffusion(csr);
                self.service();
                self.social_trust(csr);
            }
        }
        self.participation();
        self.administrations();
        self.step += 1;
    }

    /// Phase 1: network Bass diffusion with levels (docs/model.md, "Digital diffusion").
    fn diffusion<N: Neighbourhood>(&mut self, graph: &N) {
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

    /// Phase 2: contacts, channels, capacity, resolution, satisfaction and
    /// trust from experience (docs/model.md, "Service").
    fn service(&mut self) {
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
        };
    }

    /// Phase 3: DeGroot averaging of trust, weighted up by digitalization.
    fn social_trust<N: Neighbourhood>(&mut self, graph: &N) {
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

    /// Phase 4: participation through open administrations.
    fn participation(&mut self) {
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

    /// Phase 5: adoption, the three barriers, integration, transformation and
    /// incidents (docs/model.md, "Administrations").
    fn administrations(&mut self) {
        let d = self.dynamics.clone();
        let seen = std::mem::take(&mut self.seen);
        // Measured results as they were when the phase began, own and peers'.
        let results: Vec<f64> = seen
            .iter()
            .zip(&self.admins.adoption)
            .map(|(o, &a)| a * o.service.unwrap_or(0.0))
            .collect();
        let peer_results = self.admin_graph.neighbour_means_f64(&results);
        let peer_adoption = self.admin_graph.neighbour_means_f64(&self.admins.adoption);
        let draws = self.streams.draws(Purpose::Administration { step: self.step });
        let mut incidents = Vec::new();
        for j in 0..self.admins.len() {
            let [adopt_word, incident_word] = draws.words(j as u64);
            let context = Context {
                voice: seen[j].voice,
                peer_adoption: peer_adoption[j].unwrap_or(0.0),
                evidence: lever(self.local.as_deref(), &d, j).roi_measurement
                    * (results[j] + d.roi_peer_weight * peer_results[j].unwrap_or(0.0)),
            };
            let own = lever(self.local.as_deref(), &d, j).clone();
            if self.admin_month(j, &own, context, adopt_word, incident_word) {
                incidents.push(j);
            }
        }
        // An incident is news among the peers: their security barrier rises too.
        for &j in &incidents {
            for k in self.admin_graph.neighbours_of(j as u32) {
                let s = &mut self.admins.security[k as usize];
                *s += d.incident_peer_rise * (1.0 - *s);
            }
        }
        self.flows.incidents = incidents.len() as u64;
    }

    /// One administration's month; returns whether it had an incident.
    fn admin_month(&mut self, j: usize, d: &Dynamics, context: Context, adopt_word: u32, incident_word: u32) -> bool {
        let a = &mut self.admins;
        let barrier = (1.0 - (d.roi_barrier_scale * a.roi[j]).min(1.0))
            * (1.0 - (d.security_barrier_scale * a.security[j]).min(1.0))
            * (1.0 - (d.organizational_barrier_scale * a.organizational[j]).min(1.0));
        let pioneer = if a.pioneer[j] { d.pioneer_innovation } else { 0.0 };
        let drive = d.adoption_innovation
            + pioneer
            + d.adoption_imitation * context.peer_adoption
            + d.citizen_pressure * context.voice;
        if a.adoption[j] < 1.0 - EPS_ADMIN && chance(adopt_word, (drive * barrier).min(1.0)) {
            a.adoption[j] = (a.adoption[j] + d.adoption_step).min(1.0);
        }
        let adoption = a.adoption[j];
        a.roi[j] *= 1.0 - (d.roi_learning * context.evidence).min(1.0);
        a.organizational[j] *= (1.0 - d.training) * (1.0 - d.org_experience * adoption);
        a.security[j] *= 1.0 - d.security_learning * d.security_investment;
        let ready = adoption * (1.0 - a.organizational[j]);
        a.integration[j] += d.integration_rate * (ready - a.integration[j]);
        let participation_share = f64::from(a.participants[j]) / f64::from(a.size(j));
        if !a.transformed[j]
            && adoption >= d.transformation_adoption - EPS_ADMIN
            && participation_share >= d.transformation_participation - EPS_ADMIN
            && a.organizational[j] <= d.transformation_org_max + EPS_ADMIN
        {
            a.transformed[j] = true;
        }
        let hazard = d.incident_rate * (d.incident_exposure + adoption) * (1.0 - d.security_investment);
        if !chance(incident_word, hazard) {
            return false;
        }
        a.security[j] += d.incident_barrier_rise * (1.0 - a.security[j]);
        let keep = (1.0 - d.incident_trust_loss) as f32;
        for t in &mut self.citizens.trust[a.block(j)] {
            *t *= keep;
        }
        true
    }

    /// The metrics of the current state (docs/model.md, "Observation").
    pub fn metrics(&self) -> Metrics {
        use metrics::idx::*;
        let c = &self.citizens;
        let a = &self.admins;
        let n = c.digital.len();
        // Sums per fixed chunk, added in chunk order: deterministic.
        let partials: Vec<([f64; 6], [u32; 2])> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .with_min_len(chunk_min_len(n))
            .map(|chunk| {
                simd::run(
                    #[inline(always)]
                    || {
                        let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                        // digital, trust, satisfaction, digital count, digital trust, fracture
                        let mut s = [0.0f64; 6];
                        // online in the last 12 months, pending
                        let mut k = [0u32; 2];
                        for (j, range) in jurisdictions_in(&a.start, range.start, range.end) {
                            let adoption = a.adoption[j];
                            let people = c.digital[range.clone()]
                                .iter()
                                .zip(&c.trust[range.clone()])
                                .zip(&c.satisfaction[range.clone()])
                                .zip(&c.online_age[range.clone()])
                                .zip(&self.flags[range]);
                            for ((((&d, &t), &satisfaction), &age), &f) in people {
                                let (d, t) = (f64::from(d), f64::from(t));
                                s[0] += d;
                                s[1] += t;
                                s[2] += f64::from(satisfaction);
                                // Branchless (adding 0.0 leaves a sum unchanged): a coin flip for mixed populations.
                                let high = f64::from(u8::from(d >= f64::from(0.5 - EPS_CITIZEN)));
                                s[3] += high;
                                s[4] += high * t;
                                s[5] += (d - adoption).max(0.0);
                                k[0] += u32::from(age < INTERACTION_MONTHS);
                                k[1] += u32::from(f & PENDING != 0);
                            }
                        }
                        (s, k)
                    },
                )
            })
            .collect();
        let mut s = [0.0f64; 8];
        for (sums, counts) in &partials {
            for (a, b) in s.iter_mut().zip(sums) {
                *a += b;
            }
            s[6] += f64::from(counts[0]);
            s[7] += f64::from(counts[1]);
        }
        let n_f = n as f64;
        let m_f = a.len() as f64;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / m_f;
        let mut v = [f64::NAN; N_METRICS];
        v[DIGITALIZATION] = s[0] / n_f;
        v[DIGITAL_INTERACTION] = s[6] / n_f;
        v[TRUST] = s[1] / n_f;
        v[SATISFACTION] = s[2] / n_f;
        let (high, low) = (s[3], n_f - s[3]);
        if high > 0.0 && low > 0.0 {
            v[TRUST_GAP] = s[4] / high - (s[1] - s[4]) / low;
        }
        v[FRACTURE] = s[5] / n_f;
        v[PENDING_SHARE] = s[7] / n_f;
        v[ADOPTION] = mean(&a.adoption);
        v[INTEGRATION] = mean(&a.integration);
        v[ROI_BARRIER] = mean(&a.roi);
        v[SECURITY_BARRIER] = mean(&a.security);
        v[ORGANIZATIONAL_BARRIER] = mean(&a.organizational);
        v[ADOPTER_SHARE] = a.adoption.iter().filter(|&&x| x >= 0.5 - EPS_ADMIN).count() as f64 / m_f;
        v[TRANSFORMED_SHARE] = a.transformed.iter().filter(|&&x| x).count() as f64 / m_f;
        if self.step > 0 {
            let f = &self.flows;
            v[PARTICIPATION] = f.participants as f64 / n_f;
            v[UNHEARD_SHARE] = ratio(f.unheard, f.online);
            v[SERVICE_RATE] = ratio(f.resolved, f.needs);
            v[REPEAT_SHARE] = ratio(f.repeats, f.needs);
            let staff = self.staff_capacity();
            v[PRODUCTIVITY] = if staff > 0.0 {
                f.resolved as f64 / staff
            } else {
                f64::NAN
            };
            v[INCIDENTS] = f.incidents as f64 / m_f;
        }
        v[COST] = self.cost;
        Metrics {
            step: self.step,
            values: v,
        }
    }

    /// Requests all staff can handle in a month.
    fn staff_capacity(&self) -> f64 {
        match &self.local {
            None => self.dynamics.capacity_per_citizen * self.citizens.digital.len() as f64,
            Some(local) => (0..self.admins.len())
                .map(|j| local[j].capacity_per_citizen * f64::from(self.admins.size(j)))
                .sum(),
        }
    }

    /// This month's cost of the levers in force, euros per citizen: with
    /// targeted levers, the mean over administrations weighted by citizens.
    fn monthly_cost(&self) -> f64 {
        match &self.local {
            None => cost::monthly(&self.dynamics),
            Some(local) => {
                let total: f64 = (0..self.admins.len())
                    .map(|j| cost::monthly(&local[j]) * f64::from(self.admins.size(j)))
                    .sum();
                total / self.citizens.digital.len() as f64
            }
        }
    }
}

/// The dynamics in force at administration `j`: its own if some are targeted.
fn lever<'a>(local: Option<&'a [Dynamics]>, global: &'a Dynamics, j: usize) -> &'a Dynamics {
    local.map_or(global, |l| &l[j])
}

/// What an administration observes of its citizens in a month.
#[derive(Debug, Clone, Copy)]
struct Observation {
    /// Citizens who participated.
    participants: u32,
    /// Share of its citizens' needs resolved (none without needs).
    service: Option<f64>,
    /// Digital citizens' discontent plus unanswered online contacts, per citizen.
    voice: f64,
}

/// What drives one administration's month besides its own state.
#[derive(Debug, Clone, Copy)]
struct Context {
    voice: f64,
    peer_adoption: f64,
    evidence: f64,
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

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        f64::NAN
    } else {
        part as f64 / whole as f64
    }
}

/// The jurisdictions that citizens `lo..hi` belong to, in order, each with
/// its citizens in that range. Citizens are numbered jurisdiction by
/// jurisdiction, so a loop over a block reads its administration's values once.
fn jurisdictions_in(start: &[u32], lo: usize, hi: usize) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    (jurisdiction_of(start, lo)..start.len() - 1)
        .take_while(move |&j| (start[j] as usize) < hi)
        .map(move |j| (j, (start[j] as usize).max(lo)..(start[j + 1] as usize).min(hi)))
}

/// The jurisdiction of citizen `i`, when jurisdiction `j` holds citizens
/// `start[j]..start[j + 1]` (jurisdictions are never empty).
fn jurisdiction_of(start: &[u32], i: usize) -> usize {
    // `start[0] == 0`, so at least one start is <= i.
    start.partition_point(|&s| s as usize <= i) - 1
}

/// The `with_min_len` of a parallel loop over `items` (chunks of citizens, or
/// administrations) in a population of `citizens`: up to eight chunks of
/// citizens the whole loop is one task, since rayon's fork costs more than it
/// gains and the replicates are parallel already.
fn min_len(items: usize, citizens: usize) -> usize {
    if citizens.div_ceil(CHUNK) <= 8 { items.max(1) } else { 1 }
}

/// [`min_len`] for a loop over the chunks of `n` citizens.
fn chunk_min_len(n: usize) -> usize {
    min_len(n.div_ceil(CHUNK), n)
}

/// Run `f(first_index, chunk)` over fixed chunks of `out`, in parallel.
fn par_chunks<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    let min = chunk_min_len(out.len());
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .with_min_len(min)
        .for_each(|(chunk, slice)| f(chunk * CHUNK, slice));
}

/// Citizens ahead of the current one whose neighbours' values a gather
/// prefetches: about one memory latency of work.
const PREFETCH_AHEAD: usize = 16;

/// Whether a gather over `values` prefetches: only when the array is far
/// larger than the caches (a social graph's far ties then miss them; at 3
/// x 10^6 citizens steps take 0.6 of the time), since below that the hints
/// only cost instructions (at 10^5 a run takes 1.8 times as long).
#[inline]
fn prefetching(values: &[f32]) -> bool {
    values.len() >= 1 << 21
}

/// The neighbour mean of a citizen attribute, specialised per graph kind so
/// that the phase loops compile to tight code for each.
trait Neighbourhood: Sync {
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
struct MeanField {
    nodes: u32,
}

impl MeanField {
    fn new(nodes: u32) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdiction_blocks_tile_any_range() {
        // Jurisdictions of 3, 1, 5 and 2 citizens.
        let start = [0u32, 3, 4, 9, 11];
        // An oracle independent of the binary search: scan the blocks.
        let of = |i: usize| {
            start
                .windows(2)
                .position(|w| w[0] as usize <= i && i < w[1] as usize)
                .unwrap()
        };
        for i in 0..11 {
            assert_eq!(jurisdiction_of(&start, i), of(i), "citizen {i}");
        }
        for lo in 0..11 {
            for hi in lo + 1..=11 {
                let blocks: Vec<_> = jurisdictions_in(&start, lo, hi).collect();
                let covered: Vec<usize> = blocks.iter().flat_map(|(_, r)| r.clone()).collect();
                assert_eq!(covered, (lo..hi).collect::<Vec<_>>(), "{lo}..{hi}");
                for (j, range) in blocks {
                    assert!(!range.is_empty());
                    assert!(range.clone().all(|i| of(i) == j), "{lo}..{hi}: block {j} {range:?}");
                }
            }
        }
    }
}
