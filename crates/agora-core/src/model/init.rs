//! Initialisation of one replicate (docs/model.md, "Initialisation"). Each
//! attribute draws from its own stream, so changing one distribution leaves
//! every other initial value of the replicate unchanged.

use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Beta, Distribution, Normal};

use super::{Administrations, Citizens, Flows, LoadedGraphs, Model};
use crate::graph::{Graph, generate};
use crate::rng::{Purpose, Rng, Streams};
use crate::scenario::{Dist, GraphSpec, Scenario, Schedule, Target};

pub(super) fn build(scenario: &Scenario, replicate_seed: u64, loaded: &LoadedGraphs) -> Model {
    let streams = Streams::new(replicate_seed);
    let p = &scenario.population;
    let sizes = p.jurisdictions.sizes(p.citizens, p.administrations);
    let n = p.citizens as usize;
    let m = p.administrations as usize;

    let social = network(scenario, &streams, loaded, Network::Social);
    let admin_graph = network(scenario, &streams, loaded, Network::Admin);

    let mut start = Vec::with_capacity(m + 1);
    start.push(0u32);
    for (j, &size) in sizes.iter().enumerate() {
        start.push(start[j] + size);
    }

    let c = &scenario.citizens;
    let ceiling: Vec<f32> = draws(&c.digital_ceiling, n, &streams, Purpose::DigitalCeiling, single);
    let mut digital: Vec<f32> = draws(&c.digitalization, n, &streams, Purpose::Digitalization, single);
    for (d, &cap) in digital.iter_mut().zip(&ceiling) {
        *d = d.min(cap);
    }
    let trust = draws(&c.trust, n, &streams, Purpose::Trust, single);
    let satisfaction = draws(&c.satisfaction, n, &streams, Purpose::Satisfaction, single);
    let online_age = online_history(&digital, &scenario.dynamics, &streams);

    let a = &scenario.administrations;
    let adoption: Vec<f64> = draws(&a.adoption, m, &streams, Purpose::Adoption, double);
    let mut pioneer_rng = streams.stream(Purpose::Pioneer);
    let pioneer: Vec<bool> = (0..m).map(|_| pioneer_rng.random_bool(a.pioneer_share)).collect();
    let scaled = |dist: &Dist, purpose| -> Vec<f64> {
        let mut values: Vec<f64> = draws(dist, m, &streams, purpose, double);
        for (v, &is_pioneer) in values.iter_mut().zip(&pioneer) {
            if is_pioneer {
                *v *= a.pioneer_barrier_scale;
            }
        }
        values
    };
    // Pioneers take the risk and believe in the return; their organisation is
    // no readier than anyone's (so they can adopt without transforming).
    let roi = scaled(&a.roi_barrier, Purpose::RoiBarrier);
    let security = scaled(&a.security_barrier, Purpose::SecurityBarrier);
    let mut organizational: Vec<f64> = draws(
        &a.organizational_barrier,
        m,
        &streams,
        Purpose::OrganizationalBarrier,
        double,
    );
    // Larger jurisdictions have more staff, budget and IT skills: lower barriers.
    let (mut roi, mut security) = (roi, security);
    for (j, readiness) in size_readiness(&sizes, a.size_readiness).into_iter().enumerate() {
        roi[j] *= readiness;
        security[j] *= readiness;
        organizational[j] *= readiness;
    }
    let adoption = first_steps(
        adoption,
        a.presence,
        scenario.dynamics.adoption_step,
        [&roi, &security, &organizational],
        &streams,
    );

    let schedule = Schedule::of_scenario(scenario).expect("interventions are checked by validation");
    let chosen: Vec<Vec<bool>> = schedule
        .targets
        .iter()
        .map(|t| choose(t, &start, &pioneer, &streams))
        .collect();
    let local = schedule.is_targeted().then(|| vec![scenario.dynamics.clone(); m]);
    let mut model = Model {
        local,
        chosen,
        cost: 0.0,
        dynamics: scenario.dynamics.clone(),
        schedule,
        streams,
        step: 0,
        social,
        admin_graph,
        citizens: Citizens {
            ceiling,
            digital,
            trust,
            satisfaction,
            online_age,
        },
        admins: Administrations {
            start,
            adoption,
            pioneer,
            roi,
            security,
            organizational,
            integration: vec![0.0; m],
            transformed: vec![false; m],
            abandoned: vec![false; m],
            failed: vec![0; m],
            participants: vec![0; m],
        },
        next: vec![0.0; n],
        flags: vec![0; n],
        flows: Flows::default(),
        seen: Vec::new(),
    };
    model.prehistory();
    model
}

/// The factor on each administration's barriers: `1 - readiness q_j`, where
/// `q_j` places its size between the smallest (0) and the largest (1) on a
/// log scale. Equal sizes give every administration the factor 1.
fn size_readiness(sizes: &[u32], readiness: f64) -> Vec<f64> {
    let log = |n: u32| f64::from(n.max(1)).ln();
    let lo = sizes.iter().copied().map(log).fold(f64::INFINITY, f64::min);
    let hi = sizes.iter().copied().map(log).fold(f64::NEG_INFINITY, f64::max);
    sizes
        .iter()
        .map(|&n| {
            let q = if hi > lo { (log(n) - lo) / (hi - lo) } else { 0.0 };
            1.0 - readiness * q
        })
        .collect()
}

/// January 2012's first steps (docs/model.md section 5): an administration
/// without adoption takes one step (`adoption_step`, an account that
/// informs) with chance `1 - exp(-H r_j)`, as if an adoption hazard in
/// proportion to its readiness `r_j` (the product of one minus each barrier,
/// the factor that gates adoption later) had acted before 2012. `H` is set
/// by bisection so that the mean chance is `presence`.
fn first_steps(mut adoption: Vec<f64>, presence: f64, step: f64, barriers: [&[f64]; 3], streams: &Streams) -> Vec<f64> {
    let m = adoption.len();
    if presence <= 0.0 {
        return adoption;
    }
    let ready: Vec<f64> = (0..m).map(|j| barriers.iter().map(|b| 1.0 - b[j]).product()).collect();
    let mean_chance = |h: f64| ready.iter().map(|&r| 1.0 - (-h * r).exp()).sum::<f64>() / m as f64;
    // The mean chance rises with H from 0 to the share of ready administrations.
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while mean_chance(hi) < presence && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mean_chance(mid) < presence {
            lo = mid
        } else {
            hi = mid
        }
    }
    let draws = streams.draws(Purpose::Presence);
    for (j, a) in adoption.iter_mut().enumerate() {
        let p = 1.0 - (-hi * ready[j]).exp();
        if *a <= 0.0 && crate::rng::chance(draws.words(j as u64)[0], p) {
            *a = step.min(1.0);
        }
    }
    adoption
}

/// The administrations `target` picks: `chosen[j]` for administration `j`.
pub(super) fn choose(target: &Target, start: &[u32], pioneer: &[bool], streams: &Streams) -> Vec<bool> {
    let m = pioneer.len();
    match target {
        Target::All => vec![true; m],
        Target::Pioneers => pioneer.to_vec(),
        Target::Ids(ids) => (0..m).map(|j| ids.contains(&(j as u32))).collect(),
        Target::Largest(k) => {
            let mut order: Vec<usize> = (0..m).collect();
            // Largest first; ties by the lower id (a stable sort keeps index order).
            order.sort_by_key(|&j| std::cmp::Reverse(start[j + 1] - start[j]));
            let mut chosen = vec![false; m];
            for &j in order.iter().take(*k as usize) {
                chosen[j] = true;
            }
            chosen
        }
        Target::Share(share) => {
            let draws = streams.draws(Purpose::Target);
            (0..m)
                .map(|j| crate::rng::chance(draws.words(j as u64)[0], *share))
                .collect()
        }
    }
}

/// Which of a scenario's two networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The citizens' social graph.
    Social,
    /// The administrations' peer graph.
    Admin,
}

/// The network a replicate seeded `replicate_seed` simulates on.
pub fn network(scenario: &Scenario, streams: &Streams, loaded: &LoadedGraphs, which: Network) -> Arc<Graph> {
    let p = &scenario.population;
    let (spec, sizes, purpose, loaded) = match which {
        Network::Social => (
            &p.social_graph,
            p.jurisdictions.sizes(p.citizens, p.administrations),
            Purpose::SocialGraph,
            &loaded.social,
        ),
        Network::Admin => (
            &p.admin_graph,
            vec![1; p.administrations as usize],
            Purpose::AdminGraph,
            &loaded.admin,
        ),
    };
    match (spec, loaded) {
        (GraphSpec::EdgeList(_), Some(graph)) => Arc::clone(graph),
        (GraphSpec::EdgeList(path), None) => {
            panic!("edge list {path} was not loaded before the run")
        }
        _ => Arc::new(generate(spec, &sizes, &streams.stream(purpose))),
    }
}

/// Months since each citizen's last online contact, as if the contact
/// process of the model had run before January 2012. A citizen has
/// `need_rate (1 + digital_demand d)` needs a month, each one a geometric
/// number of contacts (first-contact resolution `resolution_base`, raised
/// again with chance `repeat_rate`), each online with chance `d`; so the
/// months since the last online contact are geometric.
fn online_history(digital: &[f32], dynamics: &crate::scenario::Dynamics, streams: &Streams) -> Vec<u8> {
    let mut rng = streams.stream(Purpose::OnlineHistory);
    let per_need = 1.0 / (1.0 - dynamics.repeat_rate * (1.0 - dynamics.resolution_base));
    digital
        .iter()
        .map(|&d| {
            let d = f64::from(d);
            let q = (dynamics.need_rate * (1.0 + dynamics.digital_demand * d) * per_need * d).min(1.0);
            let u: f64 = rng.random();
            if q <= 0.0 {
                return u8::MAX;
            }
            // P(age >= k) = (1 - q)^k.
            let age = ((1.0 - u).ln() / (1.0 - q).ln()).floor();
            if age.is_finite() {
                age.min(f64::from(u8::MAX)) as u8
            } else {
                u8::MAX
            }
        })
        .collect()
}

/// `count` draws of `dist`, clipped to [0,1], from the stream of `purpose`.
fn draws<T>(dist: &Dist, count: usize, streams: &Streams, purpose: Purpose, store: impl Fn(f64) -> T) -> Vec<T> {
    let mut rng = streams.stream(purpose);
    let mut take = |draw: &mut dyn FnMut(&mut Rng) -> f64| -> Vec<T> {
        (0..count).map(|_| store(draw(&mut rng).clamp(0.0, 1.0))).collect()
    };
    match *dist {
        Dist::Const(x) => take(&mut |_| x),
        Dist::Uniform { low, high } => take(&mut |rng| low + (high - low) * rng.random::<f64>()),
        Dist::Beta { a, b } => {
            let beta = Beta::new(a, b).expect("validated beta");
            take(&mut |rng| beta.sample(rng))
        }
        Dist::Normal { mean, sd } => {
            let normal = Normal::new(mean, sd).expect("validated normal");
            take(&mut |rng| normal.sample(rng))
        }
    }
}

fn single(x: f64) -> f32 {
    x as f32
}

fn double(x: f64) -> f64 {
    x
}
