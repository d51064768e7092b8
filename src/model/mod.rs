//! The SCRM model: state, initialisation and the five phases of a step
//! (shared/MODEL.md sections 1-5).
//!
//! Architecture invariants:
//! - The model does no IO and cannot fail once its scenario is valid.
//! - Every random draw comes from [`crate::rng::Streams`] at a fixed address
//!   (purpose, step, agent, slot), and every reduction over citizens runs over
//!   fixed chunks combined in chunk order, so a replicate's numbers do not
//!   depend on the thread count.
//! - Citizen state is struct-of-arrays in `f32`; administration state is `f64`.

mod init;
pub mod metrics;

use std::sync::Arc;

use rayon::prelude::*;

pub use init::Network;
pub use metrics::{Class, METRIC_NAMES, METRICS, Metric, Metrics, N_METRICS};

use crate::graph::{Csr, Graph};
use crate::rng::{Purpose, Streams, chance, threshold};
use crate::scenario::{Dynamics, Scenario, Schedule};

/// Citizens per chunk of parallel work; fixed, so results do not depend on threads.
pub const CHUNK: usize = 4096;
/// Tolerance for threshold comparisons on `f32` citizen state. shared/MODEL.md
/// asks for 1e-9 on exact arithmetic; `f32` rounding of `d + 0.1` steps is ~1e-7.
const EPS_CITIZEN: f32 = 1e-6;
/// Tolerance for threshold comparisons on `f64` administration state.
const EPS_ADMIN: f64 = 1e-9;

// Per-citizen outcome flags of the current step (phase 2 and 4).
const NEED: u8 = 1;
const POSTED: u8 = 2;
const UNHEARD: u8 = 4;
const REQUEST: u8 = 8;
const RESOLVED: u8 = 16;
const PARTICIPANT: u8 = 32;

/// Struct-of-arrays citizen state. Citizens are numbered jurisdiction by
/// jurisdiction, so a citizen's administration is implied by its index
/// ([`Administrations::of_citizen`]) and needs no array.
#[derive(Debug, Clone)]
pub struct Citizens {
    pub ceiling: Vec<f32>,
    pub digital: Vec<f32>,
    pub trust: Vec<f32>,
    pub satisfaction: Vec<f32>,
}

/// Struct-of-arrays administration state.
#[derive(Debug, Clone)]
pub struct Administrations {
    /// Citizens of `j` are `start[j]..start[j + 1]`.
    pub start: Vec<u32>,
    pub adoption: Vec<f64>,
    pub pioneer: Vec<bool>,
    pub roi: Vec<f64>,
    pub security: Vec<f64>,
    pub organizational: Vec<f64>,
    pub integration: Vec<f64>,
    pub transformed: Vec<bool>,
    /// Participants in the last step.
    pub participants: Vec<u32>,
}

impl Administrations {
    pub fn len(&self) -> usize {
        self.adoption.len()
    }

    pub fn is_empty(&self) -> bool {
        self.adoption.is_empty()
    }

    /// The administration of citizen `i`.
    pub fn of_citizen(&self, i: usize) -> usize {
        jurisdiction_of(&self.start, i)
    }

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
    posts: u64,
    unheard: u64,
    served: u64,
    resolved: u64,
    participants: u64,
}

/// One replicate of one scenario.
#[derive(Clone)]
pub struct Model {
    dynamics: Dynamics,
    schedule: Schedule,
    streams: Streams,
    step: u32,
    social: Arc<Graph>,
    admin_graph: Arc<Graph>,
    pub citizens: Citizens,
    pub admins: Administrations,
    /// Double buffer for the synchronous phases.
    next: Vec<f32>,
    flags: Vec<u8>,
    flows: Flows,
}

/// Graphs loaded from files once per scenario and shared by its replicates.
#[derive(Debug, Clone, Default)]
pub struct LoadedGraphs {
    pub social: Option<Arc<Graph>>,
    pub admin: Option<Arc<Graph>>,
}

impl Model {
    /// Initialise replicate state (shared/MODEL.md section 2) from a valid scenario.
    pub fn new(scenario: &Scenario, replicate_seed: u64, loaded: &LoadedGraphs) -> Model {
        init::build(scenario, replicate_seed, loaded)
    }

    /// One of the networks replicate `replicate_seed` of `scenario` simulates on,
    /// built exactly as [`Model::new`] builds it.
    pub fn network(scenario: &Scenario, replicate_seed: u64, loaded: &LoadedGraphs, which: Network) -> Arc<Graph> {
        init::network(scenario, &Streams::new(replicate_seed), loaded, which)
    }

    /// Bytes held by the replicate's state and its social graph.
    pub fn heap_bytes(&self) -> usize {
        let c = &self.citizens;
        let citizens = (c.ceiling.len() + c.digital.len() + c.trust.len() + c.satisfaction.len() + self.next.len()) * 4
            + self.flags.len();
        let admins = self.admins.len() * (8 * 5 + 2 + 4 + 4);
        citizens + admins + self.social.heap_bytes() + self.admin_graph.heap_bytes()
    }

    pub fn step_index(&self) -> u32 {
        self.step
    }

    pub fn social_graph(&self) -> &Graph {
        &self.social
    }

    pub fn dynamics(&self) -> &Dynamics {
        &self.dynamics
    }

    /// Advance one month: interventions due now, then the five phases.
    pub fn step(&mut self) {
        let t = self.step;
        self.schedule.apply(t, &mut self.dynamics);
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

    /// Phase 1: network Bass diffusion with levels.
    fn diffusion<N: Neighbourhood>(&mut self, graph: &N) {
        let d = &self.dynamics;
        let (innovation, imitation, gain) = (d.digital_innovation, d.digital_imitation, d.digital_step as f32);
        let c = &self.citizens;
        let context = graph.prepare(&c.digital);
        let draws = self.streams.draws(Purpose::Diffusion { step: self.step });
        par_chunks(&mut self.next, |lo, out| {
            let rows = graph.rows(lo..lo + out.len());
            let people = out.iter_mut().zip(&c.digital[lo..]).zip(&c.ceiling[lo..]).zip(rows);
            for (k, (((slot, &digital), &ceiling), row)) in people.enumerate() {
                let i = lo + k;
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
        });
        std::mem::swap(&mut self.citizens.digital, &mut self.next);
    }

    /// Phase 2: needs, channels, capacity, resolution, experience.
    fn service(&mut self) {
        let d = &self.dynamics;
        let digital = &self.citizens.digital;
        let admins = &self.admins;
        let step = self.step;

        // 2a: who has a need and which channel reaches the administration.
        let (need, fallback) = (threshold(d.need_rate), threshold(d.fallback));
        let channel = self.streams.draws(Purpose::ServiceChannel { step });
        par_chunks(&mut self.flags, |lo, out| {
            for (j, range) in jurisdictions_in(&admins.start, lo, lo + out.len()) {
                let heard = threshold(admins.adoption[j]);
                let people = out[range.start - lo..range.end - lo]
                    .iter_mut()
                    .zip(&digital[range.clone()]);
                for (k, (flag, &digital)) in people.enumerate() {
                    let i = (range.start + k) as u64;
                    let ([w0, w1], [w2, w3]) = (channel.words(2 * i), channel.words(2 * i + 1));
                    // Branchless: the outcomes are coin flips, so branches would mispredict.
                    let need = u64::from(w0) < need;
                    let posted = need & chance(w1, f64::from(digital));
                    let unheard = posted & (u64::from(w2) >= heard);
                    let dropped = unheard & (u64::from(w3) >= fallback);
                    *flag = (u8::from(need) * NEED)
                        | (u8::from(posted) * POSTED)
                        | (u8::from(unheard) * UNHEARD)
                        | (u8::from(need & !dropped) * REQUEST);
                }
            }
        });

        // 2b: each request is served with probability min(1, C_j / R_j).
        let flags = &self.flags;
        // With the requests, count the flows of 2a (needs, posts, unheard) per block.
        let per_admin: Vec<(u64, [u64; 3])> = (0..admins.len())
            .into_par_iter()
            .with_min_len(min_len(admins.len(), flags.len()))
            .map(|j| {
                let mut n = [0u32; 4]; // requests, needs, posts, unheard
                for &f in &flags[admins.block(j)] {
                    n[0] += u32::from(f & REQUEST != 0);
                    n[1] += u32::from(f & NEED != 0);
                    n[2] += u32::from(f & POSTED != 0);
                    n[3] += u32::from(f & UNHEARD != 0);
                }
                let requests = n[0];
                let base = d.capacity_per_citizen * f64::from(admins.size(j));
                let capacity = base * (1.0 + d.productivity_gain * admins.adoption[j])
                    + d.coproduction_capacity
                        * f64::from(u8::from(admins.transformed[j]))
                        * f64::from(admins.participants[j]);
                let serve = threshold(if requests == 0 {
                    1.0
                } else {
                    (capacity / f64::from(requests)).min(1.0)
                });
                (serve, [n[1], n[2], n[3]].map(u64::from))
            })
            .collect();
        let resolve: Vec<u64> = admins
            .integration
            .iter()
            .map(|g| threshold(d.resolution_base + (1.0 - d.resolution_base) * g))
            .collect();

        // 2c-d: resolution and learning from the outcome.
        let (satisfaction_rate, experience_rate) = (d.satisfaction_rate as f32, d.trust_experience_rate as f32);
        let outcome = self.streams.draws(Purpose::ServiceOutcome { step });
        let counts: Vec<[u64; 2]> = self
            .flags
            .par_chunks_mut(CHUNK)
            .zip(self.citizens.trust.par_chunks_mut(CHUNK))
            .zip(self.citizens.satisfaction.par_chunks_mut(CHUNK))
            .enumerate()
            .with_min_len(chunk_min_len(self.next.len()))
            .map(|(chunk, ((flags, trust), satisfaction))| {
                let lo = chunk * CHUNK;
                let mut n = [0u64; 2]; // served, resolved
                for (j, range) in jurisdictions_in(&admins.start, lo, lo + flags.len()) {
                    let (serve, resolve) = (per_admin[j].0, resolve[j]);
                    let local = range.start - lo..range.end - lo;
                    let people = flags[local.clone()]
                        .iter_mut()
                        .zip(&mut trust[local.clone()])
                        .zip(&mut satisfaction[local]);
                    for (k, ((flag, trust), satisfaction)) in people.enumerate() {
                        let words = outcome.words((range.start + k) as u64);
                        let f = *flag;
                        let need = f & NEED != 0;
                        // Branchless: `&` rather than `&&`, the outcomes are coin flips.
                        let served = (f & REQUEST != 0) & (u64::from(words[0]) < serve);
                        let resolved = served & (u64::from(words[1]) < resolve);
                        n[0] += u64::from(served);
                        n[1] += u64::from(resolved);
                        *flag = f | (u8::from(resolved) * RESOLVED);
                        // Citizens without a need learn nothing: a zero rate leaves them exactly as they were.
                        let o = f32::from(u8::from(resolved));
                        let needs = f32::from(u8::from(need));
                        *satisfaction += needs * satisfaction_rate * (o - *satisfaction);
                        *trust += needs * experience_rate * (o - *trust);
                    }
                }
                n
            })
            .collect();
        let requested = |k: usize| per_admin.iter().map(|(_, n)| n[k]).sum::<u64>();
        let outcomes = |k: usize| counts.iter().map(|n| n[k]).sum::<u64>();
        self.flows = Flows {
            needs: requested(0),
            posts: requested(1),
            unheard: requested(2),
            served: outcomes(0),
            resolved: outcomes(1),
            participants: 0,
        };
    }

    /// Phase 3: DeGroot averaging of trust, weighted up by digitalization.
    fn social_trust<N: Neighbourhood>(&mut self, graph: &N) {
        let d = &self.dynamics;
        let (base, digital_weight) = (d.trust_social_rate as f32, d.trust_social_digital as f32);
        let c = &self.citizens;
        let context = graph.prepare(&c.trust);
        par_chunks(&mut self.next, |lo, out| {
            let rows = graph.rows(lo..lo + out.len());
            let people = out.iter_mut().zip(&c.trust[lo..]).zip(&c.digital[lo..]).zip(rows);
            for (k, (((slot, &t), &digital), row)) in people.enumerate() {
                let i = lo + k;
                *slot = match graph.mean(&context, row, i, &c.trust) {
                    Some(m) => t + (base + digital_weight * digital).min(1.0) * (m - t),
                    None => t,
                };
            }
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
            .enumerate()
            .with_min_len(chunk_min_len(self.next.len()))
            .for_each(|(chunk, (flags, trust))| {
                let lo = chunk * CHUNK;
                for (j, range) in jurisdictions_in(&admins.start, lo, lo + flags.len()) {
                    let openness = openness[j];
                    let local = range.start - lo..range.end - lo;
                    let people = flags[local.clone()]
                        .iter_mut()
                        .zip(&mut trust[local])
                        .zip(&digital[range.clone()]);
                    for (k, ((flag, trust), &digital)) in people.enumerate() {
                        let [word, _] = draws.words((range.start + k) as u64);
                        let p = rate * f64::from(digital) * f64::from(*trust) * openness;
                        let joins = chance(word, p);
                        *flag |= u8::from(joins) * PARTICIPANT;
                        *trust += f32::from(u8::from(joins)) * gain * (1.0 - *trust);
                    }
                }
            });
        let flags = &self.flags;
        self.admins.participants = (0..admins.len())
            .into_par_iter()
            .with_min_len(min_len(admins.len(), flags.len()))
            .map(|j| flags[admins.block(j)].iter().filter(|&&f| f & PARTICIPANT != 0).count() as u32)
            .collect();
        self.flows.participants = self.admins.participants.iter().map(|&p| u64::from(p)).sum();
    }

    /// Phase 5: adoption, ROI learning, integration, transformation, incidents.
    fn administrations(&mut self) {
        let d = &self.dynamics;
        let digital = &self.citizens.digital;
        let pressure: Vec<f64> = (0..self.admins.len())
            .into_par_iter()
            .with_min_len(min_len(self.admins.len(), digital.len()))
            .map(|j| {
                let block = self.admins.block(j);
                let n = block.len() as f64;
                digital[block].iter().map(|&x| f64::from(x)).sum::<f64>() / n
            })
            .collect();
        // Peers' adoption as it was when the phase began.
        let peers = self.admin_graph.neighbour_means_f64(&self.admins.adoption);
        let draws = self.streams.draws(Purpose::Administration { step: self.step });
        let a = &mut self.admins;
        #[allow(clippy::needless_range_loop)] // `j` indexes a dozen parallel arrays
        for j in 0..a.len() {
            let [adopt_word, incident_word] = draws.words(j as u64);
            let peer = peers[j].unwrap_or(0.0);
            let barrier = (1.0 - (d.roi_barrier_scale * a.roi[j]).min(1.0))
                * (1.0 - (d.security_barrier_scale * a.security[j]).min(1.0))
                * (1.0 - (d.organizational_barrier_scale * a.organizational[j]).min(1.0));
            let pioneer = if a.pioneer[j] { d.pioneer_innovation } else { 0.0 };
            let hazard =
                ((d.adoption_innovation + pioneer + d.adoption_imitation * peer + d.citizen_pressure * pressure[j])
                    * barrier)
                    .min(1.0);
            if a.adoption[j] < 1.0 - EPS_ADMIN && chance(adopt_word, hazard) {
                a.adoption[j] = (a.adoption[j] + d.adoption_step).min(1.0);
            }
            let adoption = a.adoption[j];
            a.roi[j] *= 1.0 - d.roi_learning * adoption;
            a.integration[j] += d.integration_rate * (adoption - a.integration[j]);
            let participation_share = f64::from(a.participants[j]) / f64::from(a.size(j));
            if !a.transformed[j]
                && adoption >= d.transformation_adoption - EPS_ADMIN
                && participation_share >= d.transformation_participation - EPS_ADMIN
            {
                a.transformed[j] = true;
            }
            let incident = d.incident_rate * adoption * (d.security_barrier_scale * a.security[j]).min(1.0);
            if chance(incident_word, incident) {
                let keep = (1.0 - d.incident_trust_loss) as f32;
                for t in &mut self.citizens.trust[a.block(j)] {
                    *t *= keep;
                }
            }
        }
    }

    /// The metrics of the current state (shared/MODEL.md section 5).
    pub fn metrics(&self) -> Metrics {
        use metrics::idx::*;
        let c = &self.citizens;
        let a = &self.admins;
        let n = c.digital.len();
        // Sums per fixed chunk, added in chunk order: deterministic.
        let partials: Vec<[f64; 6]> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .with_min_len(chunk_min_len(n))
            .map(|chunk| {
                let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                let mut s = [0.0f64; 6]; // digital, trust, satisfaction, digital count, digital trust, fracture
                for (j, range) in jurisdictions_in(&a.start, range.start, range.end) {
                    let adoption = a.adoption[j];
                    let people = c.digital[range.clone()]
                        .iter()
                        .zip(&c.trust[range.clone()])
                        .zip(&c.satisfaction[range]);
                    for ((&d, &t), &satisfaction) in people {
                        let (d, t) = (f64::from(d), f64::from(t));
                        s[0] += d;
                        s[1] += t;
                        s[2] += f64::from(satisfaction);
                        // Branchless (adding 0.0 leaves a sum unchanged): a coin flip for mixed populations.
                        let high = f64::from(u8::from(d >= f64::from(0.5 - EPS_CITIZEN)));
                        s[3] += high;
                        s[4] += high * t;
                        s[5] += (d - adoption).max(0.0);
                    }
                }
                s
            })
            .collect();
        let mut s = [0.0f64; 6];
        for p in &partials {
            for (a, b) in s.iter_mut().zip(p) {
                *a += b;
            }
        }
        let n_f = n as f64;
        let m_f = a.len() as f64;
        let mut v = [0.0f64; N_METRICS];
        v[DIGITALIZATION] = s[0] / n_f;
        v[TRUST] = s[1] / n_f;
        v[SATISFACTION] = s[2] / n_f;
        let (high, low) = (s[3], n_f - s[3]);
        if high > 0.0 && low > 0.0 {
            v[TRUST_GAP] = s[4] / high - (s[1] - s[4]) / low;
        }
        v[FRACTURE] = s[5] / n_f;
        v[ADOPTION] = a.adoption.iter().sum::<f64>() / m_f;
        v[INTEGRATION] = a.integration.iter().sum::<f64>() / m_f;
        v[ADOPTER_SHARE] = a.adoption.iter().filter(|&&x| x >= 0.5 - EPS_ADMIN).count() as f64 / m_f;
        v[TRANSFORMED_SHARE] = a.transformed.iter().filter(|&&x| x).count() as f64 / m_f;
        if self.step > 0 {
            let f = &self.flows;
            v[PARTICIPATION] = f.participants as f64 / n_f;
            v[UNHEARD_SHARE] = ratio(f.unheard, f.posts);
            v[SERVICE_RATE] = ratio(f.resolved, f.needs);
            let base: f64 = (0..a.len())
                .map(|j| self.dynamics.capacity_per_citizen * f64::from(a.size(j)))
                .sum();
            v[PRODUCTIVITY] = if base > 0.0 { f.served as f64 / base } else { 0.0 };
        }
        Metrics {
            step: self.step,
            values: v,
        }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
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
