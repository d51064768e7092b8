//! Calibrate the citizens' digital layer to the Eurostat series bundled in
//! `data/` (docs/model.md, "Calibration"):
//!
//! ```sh
//! cargo run --release --example calibrate            # writes data/calibration/
//! ```
//!
//! Free parameters: the mean of the initial digitalization (a Beta with
//! a + b = 7, the v1 shape), `dynamics.digital_innovation` and
//! `dynamics.digital_imitation`. Target: `digital_interaction` of the pioneer
//! scenario (the future nearest to what happened) at April of each survey
//! year, against "interacted online with public authorities in the last 12
//! months" (EU, 16-74). Objective: weighted least squares, each observation
//! weighted by its stated uncertainty. Method: Nelder-Mead from a fixed start
//! on a fixed set of replicates (common random numbers, so the objective is
//! a deterministic function of the parameters). Same command, same result.

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

/// One observed value of the target series.
struct Observation {
    indicator: String,
    year: i32,
    value: f64,
    sd: f64,
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
            year: row[year].parse().unwrap(),
            value: row[value].parse::<f64>().unwrap() / 100.0,
            sd,
        });
    }
    out.sort_by_key(|o| o.year);
    out
}

/// The calibration's parameters in natural units.
#[derive(Debug, Clone, Copy)]
struct Params {
    mean: f64,
    innovation: f64,
    imitation: f64,
}

impl Params {
    /// From the unconstrained search space (logit, log, log).
    fn from(x: &[f64]) -> Params {
        Params {
            mean: 1.0 / (1.0 + (-x[0]).exp()),
            innovation: x[1].exp(),
            imitation: x[2].exp(),
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
        ]
    }
}

/// Mean and sd over replicates of `digital_interaction` at each observation.
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
                    let at = start.months_to(Month::parse(&format!("{}-04", o.year)).unwrap()) as usize;
                    series[at].values[idx::DIGITAL_INTERACTION]
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
    let last = obs.iter().map(|o| o.year).max().unwrap();
    let steps = Month::parse("2012-01")
        .unwrap()
        .months_to(Month::parse(&format!("{last}-04")).unwrap()) as u32;
    let start = [(0.35f64 / 0.65).ln(), 0.002f64.ln(), 0.01f64.ln()];
    let (best, value) = nelder_mead(|x| objective(x, &obs, steps), &start, &[0.4, 0.7, 0.7], 80);
    let p = Params::from(&best);
    let fit = simulated(p, &obs, steps);

    let dir = root.join("data/calibration");
    std::fs::create_dir_all(&dir).unwrap();
    let mut table = String::from("indicator,year,observed,observed_sd,simulated_mean,simulated_sd,replicates\n");
    for (o, (m, sd)) in obs.iter().zip(&fit) {
        table.push_str(&format!(
            "{},{},{:.4},{},{m:.4},{sd:.4},{REPLICATES}\n",
            o.indicator, o.year, o.value, o.sd
        ));
    }
    std::fs::write(dir.join("digital_layer_fit.csv"), &table).unwrap();
    let a = 7.0 * p.mean;
    let params = format!(
        "parameter,value\ncitizens.digitalization.a,{a:.4}\ncitizens.digitalization.b,{:.4}\n\
         dynamics.digital_innovation,{:.6}\ndynamics.digital_imitation,{:.6}\nweighted_sum_of_squares,{value:.4}\n\
         replicates,{REPLICATES}\ncitizens,{CITIZENS}\nseed,{SEED}\n",
        7.0 - a,
        p.innovation,
        p.imitation
    );
    std::fs::write(dir.join("digital_layer.csv"), &params).unwrap();
    print!("{params}\n{table}");
}
