//! Calibrate the shared past (2012-01 to the branch, 2026-01) to the
//! observations bundled in `data/` (docs/model.md, "Calibration"):
//!
//! ```sh
//! cargo run --release --example calibrate            # writes data/calibration/
//! ```
//!
//! Free parameters (six): the mean of the initial digitalization (a Beta
//! with a + b = 7, the v1 shape), `dynamics.digital_innovation`,
//! `dynamics.digital_imitation`, `administrations.presence` (January 2012's
//! share with a first step), `dynamics.adoption_innovation` and
//! `dynamics.adoption_imitation`. Targets, fitted jointly: the citizens'
//! `digital_interaction` at April of each survey year against "interacted
//! online with public authorities in the last 12 months" (Eurostat, EU,
//! 16-74), and the administrations' `presence_share` against the share of
//! local governments on social media (Michigan 2012 and 2021, all Swiss
//! communes 2023, 2024 and January 2026). Every built-in scenario shares this
//! past, so the pioneer file is simulated to the branch. Objective: weighted
//! least squares, each observation weighted by its stated uncertainty.
//! Method: Nelder-Mead from a fixed start on a fixed set of replicates
//! (common random numbers: the objective is a deterministic function of the
//! parameters). Same command, same result.

use std::path::Path;

use rayon::prelude::*;

use agora_core::calendar::Month;
use agora_core::model::metrics::idx;
use agora_core::rng::replicate_seed;
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario;

/// Replicates per evaluation and citizens per replicate.
const REPLICATES: u32 = 8;
const CITIZENS: u32 = 20_000;
const SEED: u64 = 2012;

/// One observed value of a target series.
struct Observation {
    indicator: String,
    /// The month the model is read at, `YYYY-MM`.
    month: String,
    value: f64,
    sd: f64,
    /// The metric it is compared with.
    metric: usize,
}

/// The EU observations of the two "interacted online" indicators, in shares.
fn observations(root: &Path) -> Vec<Observation> {
    let mut reader = csv::Reader::from_path(root.join("data/eurostat_egov.csv")).expect("data/eurostat_egov.csv");
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ind, geo, year, value) = (col("indicator"), col("geography"), col("year"), col("value"));
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        // The old module's EU-28 figure, and the revised module's EU-27 extract.
        let sd = match (&row[ind], &row[geo]) {
            ("egov_interact_online_old", "EU28") => 0.03,
            ("egov_interact_online_iugov1", "EU27_2020") => 0.015,
            _ => continue,
        };
        out.push(Observation {
            indicator: row[ind].to_string(),
            month: format!("{}-04", &row[year]),
            value: row[value].parse::<f64>().unwrap() / 100.0,
            sd,
            metric: idx::DIGITAL_INTERACTION,
        });
    }
    out.extend(admin_observations(root));
    out
}

/// The administrations' series: the share of local governments present on
/// social media, read at January (Swiss waves) or April (Michigan survey).
/// Each is a proxy across countries for the model's population of
/// administrations, so each carries 5 points of uncertainty.
fn admin_observations(root: &Path) -> Vec<Observation> {
    let mut reader =
        csv::Reader::from_path(root.join("data/admin_social_media.csv")).expect("data/admin_social_media.csv");
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ind, year, value) = (col("indicator"), col("year"), col("value"));
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        let month = match &row[ind] {
            "local_government_social_media" => "04",
            "commune_social_media" => "01",
            _ => continue,
        };
        out.push(Observation {
            indicator: row[ind].to_string(),
            month: format!("{}-{month}", &row[year]),
            value: row[value].parse::<f64>().unwrap() / 100.0,
            sd: 0.05,
            metric: idx::PRESENCE_SHARE,
        });
    }
    out
}

/// The calibration's parameters in natural units.
#[derive(Debug, Clone, Copy)]
struct Params {
    mean: f64,
    innovation: f64,
    imitation: f64,
    presence: f64,
    adoption_innovation: f64,
    adoption_imitation: f64,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Params {
    /// From the unconstrained search space (logit for shares, log for rates).
    fn from(x: &[f64]) -> Params {
        Params {
            mean: logistic(x[0]),
            innovation: x[1].exp(),
            imitation: x[2].exp(),
            presence: logistic(x[3]),
            adoption_innovation: x[4].exp(),
            adoption_imitation: x[5].exp(),
        }
    }

    fn overrides(&self) -> Vec<(String, String)> {
        let a = 7.0 * self.mean;
        vec![
            (
                "citizens.digitalization".into(),
                format!("Beta(a: {a}, b: {})", 7.0 - a),
            ),
            ("dynamics.digital_innovation".into(), self.innovation.to_string()),
            ("dynamics.digital_imitation".into(), self.imitation.to_string()),
            ("administrations.presence".into(), self.presence.to_string()),
            (
                "dynamics.adoption_innovation".into(),
                self.adoption_innovation.to_string(),
            ),
            (
                "dynamics.adoption_imitation".into(),
                self.adoption_imitation.to_string(),
            ),
        ]
    }
}

/// Mean and sd over replicates of each observation's metric at its month.
fn simulated(params: Params, obs: &[Observation], steps: u32) -> Vec<(f64, f64)> {
    let mut s = scenario::built_in().into_iter().find(|s| s.name == "pioneer").unwrap();
    let mut overrides = params.overrides();
    overrides.push(("population.citizens".into(), CITIZENS.to_string()));
    overrides.push(("steps".into(), steps.to_string()));
    scenario::apply_overrides(&mut s, &overrides).expect("valid parameters");
    let start = Month::parse(&s.start).unwrap();
    let prepared = Prepared::new(s).unwrap();
    let runs: Vec<Vec<f64>> = (0..REPLICATES)
        .into_par_iter()
        .map(|r| {
            let (series, _) = simulate(&prepared, replicate_seed(SEED, r));
            obs.iter()
                .map(|o| {
                    let at = start.months_to(Month::parse(&o.month).unwrap()) as usize;
                    series[at].values[o.metric]
                })
                .collect()
        })
        .collect();
    (0..obs.len())
        .map(|k| agora_core::stats::mean_sd(&runs.iter().map(|r| r[k]).collect::<Vec<_>>()))
        .collect()
}

fn objective(x: &[f64], obs: &[Observation], steps: u32) -> f64 {
    let p = Params::from(x);
    simulated(p, obs, steps)
        .iter()
        .zip(obs)
        .map(|((m, _), o)| ((m - o.value) / o.sd).powi(2))
        .sum()
}

/// Nelder-Mead (Lagarias et al. 1998 coefficients), a fixed number of iterations at most.
fn nelder_mead(f: impl Fn(&[f64]) -> f64, start: &[f64], step: &[f64], iterations: usize) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = vec![(start.to_vec(), f(start))];
    for i in 0..n {
        let mut x = start.to_vec();
        x[i] += step[i];
        let fx = f(&x);
        simplex.push((x, fx));
    }
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if simplex[n].1 - simplex[0].1 < 1e-3 {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|i| simplex[..n].iter().map(|p| p.0[i]).sum::<f64>() / n as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|i| centroid[i] + t * (simplex[n].0[i] - centroid[i]))
                .collect()
        };
        let reflected = toward(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = toward(-2.0);
            let fe = f(&expanded);
            simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[n].1 { toward(-0.5) } else { toward(0.5) };
            let fc = f(&contracted);
            if fc < fr.min(simplex[n].1) {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    p.0 = (0..n).map(|i| best[i] + 0.5 * (p.0[i] - best[i])).collect();
                    p.1 = f(&p.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let obs = observations(root);
    // The shared past ends at the branch: simulate to January 2026.
    let steps = Month::parse("2012-01")
        .unwrap()
        .months_to(Month::parse("2026-01").unwrap()) as u32;
    let start = [
        (0.3f64 / 0.7).ln(),
        0.007f64.ln(),
        0.01f64.ln(),
        (0.18f64 / 0.82).ln(),
        0.002f64.ln(),
        0.05f64.ln(),
    ];
    let step = [0.4, 0.7, 0.7, 0.4, 0.7, 0.7];
    let (best, value) = nelder_mead(|x| objective(x, &obs, steps), &start, &step, 250);
    let p = Params::from(&best);
    let fit = simulated(p, &obs, steps);

    let dir = root.join("data/calibration");
    std::fs::create_dir_all(&dir).unwrap();
    let mut table =
        String::from("indicator,metric,month,observed,observed_sd,simulated_mean,simulated_sd,replicates\n");
    for (o, (m, sd)) in obs.iter().zip(&fit) {
        table.push_str(&format!(
            "{},{},{},{:.4},{},{m:.4},{sd:.4},{REPLICATES}\n",
            o.indicator,
            agora_core::model::METRICS[o.metric].name,
            o.month,
            o.value,
            o.sd
        ));
    }
    std::fs::write(dir.join("past_fit.csv"), &table).unwrap();
    let a = 7.0 * p.mean;
    let params = format!(
        "parameter,value\ncitizens.digitalization.a,{a:.4}\ncitizens.digitalization.b,{:.4}\n\
         dynamics.digital_innovation,{:.6}\ndynamics.digital_imitation,{:.6}\nadministrations.presence,{:.4}\n\
         dynamics.adoption_innovation,{:.6}\ndynamics.adoption_imitation,{:.6}\n\
         weighted_sum_of_squares,{value:.4}\nobservations,{}\nreplicates,{REPLICATES}\ncitizens,{CITIZENS}\nseed,{SEED}\n",
        7.0 - a,
        p.innovation,
        p.imitation,
        p.presence,
        p.adoption_innovation,
        p.adoption_imitation,
        obs.len()
    );
    std::fs::write(dir.join("past.csv"), &params).unwrap();
    print!("{params}\n{table}");
}
