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

use agora_core::analysis::nelder_mead::minimize;
use agora_core::model::METRICS;
use agora_core::validation::past::{
    FIT_SEED, FitEffort, Params, fitted_observations, simulated_spread, weighted_sum_of_squares,
};
use agora_core::validation::sample::Quantity;

/// Replicates per evaluation and citizens per replicate.
const EFFORT: FitEffort = FitEffort {
    citizens: 20_000,
    replicates: 8,
};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The observations and the objective are the library's
    // (agora_core::validation::past), which `agora validate` refits too.
    let obs = fitted_observations();
    let start = Params {
        mean: 0.3,
        innovation: 0.007,
        imitation: 0.01,
        presence: 0.18,
        adoption_innovation: 0.002,
        adoption_imitation: 0.05,
    }
    .to_search();
    let step = [0.4, 0.7, 0.7, 0.4, 0.7, 0.7];
    let best = minimize(
        |x| weighted_sum_of_squares(Params::from_search(x), &obs, EFFORT),
        &start,
        &step,
        250,
        1e-3,
    );
    let (p, value) = (Params::from_search(&best.x), best.value);
    let fit = simulated_spread(p, &obs, EFFORT);

    let dir = root.join("data/calibration");
    std::fs::create_dir_all(&dir).unwrap();
    let mut table =
        String::from("indicator,metric,month,observed,observed_sd,simulated_mean,simulated_sd,replicates\n");
    for (o, (m, sd)) in obs.iter().zip(&fit) {
        let Quantity::Metric(k) = o.quantity else {
            unreachable!("the past is fitted to metrics")
        };
        table.push_str(&format!(
            "{},{},{},{:.4},{},{m:.4},{sd:.4},{}\n",
            o.indicator, METRICS[k].name, o.month, o.value, o.sd, EFFORT.replicates
        ));
    }
    std::fs::write(dir.join("past_fit.csv"), &table).unwrap();
    let a = 7.0 * p.mean;
    let params = format!(
        "parameter,value\ncitizens.digitalization.a,{a:.4}\ncitizens.digitalization.b,{:.4}\n\
         dynamics.digital_innovation,{:.6}\ndynamics.digital_imitation,{:.6}\nadministrations.presence,{:.4}\n\
         dynamics.adoption_innovation,{:.6}\ndynamics.adoption_imitation,{:.6}\n\
         weighted_sum_of_squares,{value:.4}\nobservations,{}\nreplicates,{}\ncitizens,{}\nseed,{FIT_SEED}\n",
        7.0 - a,
        p.innovation,
        p.imitation,
        p.presence,
        p.adoption_innovation,
        p.adoption_imitation,
        obs.len(),
        EFFORT.replicates,
        EFFORT.citizens
    );
    std::fs::write(dir.join("past.csv"), &params).unwrap();
    print!("{params}\n{table}");
}
