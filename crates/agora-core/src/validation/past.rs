//! The shared past (docs/model.md section 8): the observations the
//! calibration fits, the six free parameters, and the weighted least-squares
//! objective under common random numbers. `examples/calibrate.rs` fits it;
//! `agora validate` refits it without each observation in turn and with
//! other indicators.

use super::data::{self, Record};
use super::sample::{Quantity, Read, sample};
use crate::calendar::Month;
use crate::model::metrics::idx;
use crate::scenario::{self, Dist, Scenario};

/// The first month of the shared past and the branch, where it ends.
pub const START: &str = "2012-01";
/// The branch month of every built-in scenario.
pub const BRANCH: &str = "2026-01";
/// The seed of the calibration's replicates (common random numbers).
pub const FIT_SEED: u64 = 2012;

/// One observed value of a target series, in shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Short label, as in tables (`online contact, EU, 2013`).
    pub label: String,
    /// The data row's indicator.
    pub indicator: String,
    /// A short tag for charts: `EU 2013`, `MI 2021`, `CH 2026`.
    pub tag: String,
    /// The data row it comes from, as `file: indicator, geography, year`.
    pub source: String,
    /// The month the model is read at.
    pub month: Month,
    /// Observed value (share).
    pub value: f64,
    /// Its stated uncertainty (standard deviation, share).
    pub sd: f64,
    /// The model quantity it is compared with.
    pub quantity: Quantity,
}

impl Observation {
    /// An observation from a data row, read at `month_of_year` of its year.
    pub fn of(record: &Record, label: &str, month_of_year: u32, sd: f64, quantity: Quantity) -> Observation {
        let place = match record.geography.as_str() {
            g if g.starts_with("EU") => "EU",
            "US-MI" => "MI",
            g => g,
        };
        Observation {
            label: format!("{label}, {}", record.year),
            indicator: record.indicator.clone(),
            tag: format!("{place} {}", record.year),
            source: record.source(),
            month: Month::parse(&format!("{}-{month_of_year:02}", record.year)).expect("a valid month"),
            value: record.value / 100.0,
            sd,
            quantity,
        }
    }
}

/// The ten observations the shared past is fitted to: online contact with
/// public authorities in the EU (2013 old module, 2022-2025 revised module,
/// read at April) and local governments' presence on social media
/// (Michigan 2012 and 2021 at April, all Swiss communes 2023, 2024, 2026 at
/// January).
pub fn fitted_observations() -> Vec<Observation> {
    let online = Quantity::Metric(idx::DIGITAL_INTERACTION);
    let present = Quantity::Metric(idx::PRESENCE_SHARE);
    let mut out = Vec::new();
    for r in data::citizens() {
        match (r.indicator.as_str(), r.geography.as_str()) {
            ("egov_interact_online_old", "EU28") => {
                out.push(Observation::of(&r, "online contact, EU (old module)", 4, 0.03, online));
            }
            ("egov_interact_online_iugov1", "EU27_2020") => {
                out.push(Observation::of(&r, "online contact, EU", 4, 0.015, online));
            }
            _ => {}
        }
    }
    for r in data::administrations() {
        match r.indicator.as_str() {
            "local_government_social_media" => {
                out.push(Observation::of(
                    &r,
                    "presence, Michigan local governments",
                    4,
                    0.05,
                    present,
                ));
            }
            "commune_social_media" => out.push(Observation::of(&r, "presence, Swiss communes", 1, 0.05, present)),
            _ => {}
        }
    }
    out
}

/// The six free parameters of the shared past, in natural units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Mean of the initial digitalization, a Beta with a + b = 7.
    pub mean: f64,
    /// `dynamics.digital_innovation`, per month.
    pub innovation: f64,
    /// `dynamics.digital_imitation`, per month.
    pub imitation: f64,
    /// `administrations.presence`, share in January 2012.
    pub presence: f64,
    /// `dynamics.adoption_innovation`, per month.
    pub adoption_innovation: f64,
    /// `dynamics.adoption_imitation`, per month.
    pub adoption_imitation: f64,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// The sum of the Beta's shape parameters (the v1 shape, kept).
pub const BETA_SUM: f64 = 7.0;

impl Params {
    /// The parameters a scenario runs with (its digitalization must be a Beta).
    pub fn of(s: &Scenario) -> Params {
        let mean = match s.citizens.digitalization {
            Dist::Beta { a, b } => a / (a + b),
            _ => 0.3,
        };
        Params {
            mean,
            innovation: s.dynamics.digital_innovation,
            imitation: s.dynamics.digital_imitation,
            presence: s.administrations.presence,
            adoption_innovation: s.dynamics.adoption_innovation,
            adoption_imitation: s.dynamics.adoption_imitation,
        }
    }

    /// From the unconstrained search space (logit for shares, log for rates).
    pub fn from_search(x: &[f64]) -> Params {
        Params {
            mean: logistic(x[0]),
            innovation: x[1].exp(),
            imitation: x[2].exp(),
            presence: logistic(x[3]),
            adoption_innovation: x[4].exp(),
            adoption_imitation: x[5].exp(),
        }
    }

    /// Into the unconstrained search space.
    pub fn to_search(&self) -> [f64; 6] {
        [
            logit(self.mean),
            self.innovation.ln(),
            self.imitation.ln(),
            logit(self.presence),
            self.adoption_innovation.ln(),
            self.adoption_imitation.ln(),
        ]
    }

    /// Set them on a scenario.
    pub fn apply(&self, s: &mut Scenario) {
        // b as the sum minus a (not 7 (1 - mean)): the bits the committed
        // calibration was fitted with.
        let a = BETA_SUM * self.mean;
        s.citizens.digitalization = Dist::Beta { a, b: BETA_SUM - a };
        s.dynamics.digital_innovation = self.innovation;
        s.dynamics.digital_imitation = self.imitation;
        s.administrations.presence = self.presence;
        s.dynamics.adoption_innovation = self.adoption_innovation;
        s.dynamics.adoption_imitation = self.adoption_imitation;
    }
}

/// The built-in pioneer scenario (whose future is "nothing new", so its runs
/// to the branch are every built-in scenario's shared past) with `citizens`
/// citizens.
pub fn past_scenario(citizens: u32) -> Scenario {
    let mut s = scenario::built_in()
        .into_iter()
        .find(|s| s.name == "pioneer")
        .expect("the pioneer scenario is built in");
    s.population.citizens = citizens;
    s
}

/// How hard to work: population and replicates of each objective evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitEffort {
    /// Citizens per replicate.
    pub citizens: u32,
    /// Replicates per evaluation (common random numbers, seeds from [`FIT_SEED`]).
    pub replicates: u32,
}

/// The mean over the effort's replicates of each observation's model value.
pub fn simulated(params: Params, observations: &[Observation], effort: FitEffort) -> Vec<f64> {
    simulated_spread(params, observations, effort)
        .into_iter()
        .map(|(mean, _)| mean)
        .collect()
}

/// The mean and standard deviation over the effort's replicates of each
/// observation's model value.
pub fn simulated_spread(params: Params, observations: &[Observation], effort: FitEffort) -> Vec<(f64, f64)> {
    let mut s = past_scenario(effort.citizens);
    params.apply(&mut s);
    scenario::validate(&s).expect("parameters inside their ranges");
    let start = Month::parse(&s.start).expect("a valid start");
    let reads: Vec<Read> = observations
        .iter()
        .map(|o| Read::at(o.quantity, start, o.month))
        .collect();
    sample(&s, FIT_SEED, effort.replicates, &reads)
        .iter()
        .map(|v| crate::stats::mean_sd(v))
        .collect()
}

/// Weighted sum of squares of the model against the observations.
pub fn weighted_sum_of_squares(params: Params, observations: &[Observation], effort: FitEffort) -> f64 {
    simulated(params, observations, effort)
        .iter()
        .zip(observations)
        .map(|(m, o)| ((m - o.value) / o.sd).powi(2))
        .sum()
}

/// A fit of some of the six parameters (the others held), its objective
/// and how the search ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The fitted parameters (the held ones as given).
    pub params: Params,
    /// Weighted sum of squares at the fit.
    pub wss: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Whether the search converged before its iteration limit.
    pub converged: bool,
}

/// Fit the parameters at positions `free` (in the order of
/// [`Params::to_search`]: 0 the digitalization mean, 1-2 the digital
/// layer's rates, 3-5 the administrations'), the others held at `start`, to
/// `observations` by Nelder-Mead from `start`, each first step `step` in the
/// search space, for at most `iterations` iterations.
pub fn fit(
    observations: &[Observation],
    start: Params,
    free: &[usize],
    step: f64,
    iterations: usize,
    effort: FitEffort,
) -> Fit {
    let base = start.to_search();
    let full = |x: &[f64]| -> Params {
        let mut v = base;
        for (&k, &value) in free.iter().zip(x) {
            v[k] = value;
        }
        Params::from_search(&v)
    };
    let objective = |x: &[f64]| weighted_sum_of_squares(full(x), observations, effort);
    let from: Vec<f64> = free.iter().map(|&k| base[k]).collect();
    let m = crate::analysis::nelder_mead::minimize(objective, &from, &vec![step; free.len()], iterations, 1e-3);
    Fit {
        params: full(&m.x),
        wss: m.value,
        iterations: m.iterations,
        converged: m.converged,
    }
}
