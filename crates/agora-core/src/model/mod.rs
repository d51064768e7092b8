//! The Social CRM model, v3: state, initialisation and the five phases of a
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
mod neighbourhood;
mod observation;

// The phases of a month, one file each, in the order of docs/model.md section 6.
mod administrations;
mod diffusion;
mod participation;
mod service;
mod trust;

use std::sync::Arc;

use crate::par::*;

pub use init::Network;
pub use metrics::{Class, METRIC_NAMES, METRICS, Metric, Metrics, N_METRICS, Verdict};

use crate::graph::Graph;
use crate::rng::Streams;
use crate::scenario::{Dynamics, Scenario, Schedule};
use neighbourhood::MeanField;
use participation::Observation;

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
    /// Whether the value chain has been transformed (lost only by abandoning Social CRM).
    pub transformed: Vec<bool>,
    /// Whether `j` abandoned Social CRM and has not taken it up again.
    pub abandoned: Vec<bool>,
    /// Failed Social CRM projects of `j` since the start.
    pub failed: Vec<u32>,
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
    failed_projects: u64,
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
        // Five f64 arrays, three flags, participants, failures and block starts.
        let admins = self.admins.len() * (8 * 5 + 3 + 4 + 4 + 4);
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

    /// Advance one month (docs/model.md section 3): interventions due now,
    /// then the five phases in order, each reading the state as the phase
    /// before left it.
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
}

/// The dynamics in force at administration `j`: its own if some are targeted.
fn lever<'a>(local: Option<&'a [Dynamics]>, global: &'a Dynamics, j: usize) -> &'a Dynamics {
    local.map_or(global, |l| &l[j])
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

// Read-only observations per administration, and following interventions
// decided while the model runs (`agora serve`'s class mode).
pub mod by_administration;
pub use by_administration::AdministrationView;
