//! The narratives after the branch and the Bass limit (docs/model.md
//! section 11): patterns the sources describe in words, each given a value
//! and a tolerance stated as an assumption.

use super::row::{Group, Row};
use super::sample::band;
use crate::model::metrics::idx;
use crate::par::*;
use crate::rng::replicate_seed;
use crate::runner::{Prepared, simulate};
use crate::scenario::{self, Dist, GraphSpec, Scenario};
use crate::stats::wilson;

const PAST_START: &str = super::past::START;
const INNOVA: &str = "Innova Institute (2012), the three futures of Social CRM in public administration";

/// Rows of the three futures: each future's share of runs in its own class
/// (the narrative says "this happens": 1, tolerance 0.1, so at least 0.8 of
/// runs), and the pioneer future's adoption ("a few administrations adopt":
/// 0.15, sd 0.075, so 0 to 0.3) and transformation ("no change of the value
/// chain": 0 of adopters transformed, sd 0.1, so at most 0.2).
pub fn rows(citizens: u32, replicates: u32, seed: u64) -> Vec<Row> {
    let mut rows = Vec::new();
    for mut s in scenario::built_in() {
        s.population.citizens = citizens;
        let prepared = Prepared::new(s).expect("built-in scenarios load no files");
        let runs: Vec<(bool, f64, f64)> = (0..replicates)
            .into_par_iter()
            .map(|r| {
                let (series, class) = simulate(&prepared, replicate_seed(seed, r));
                let last = &series.last().expect("a run has rows").values;
                let own = class.name() == prepared.scenario.name;
                let adopters = last[idx::ADOPTER_SHARE];
                let transformed = if adopters > 0.0 {
                    (last[idx::TRANSFORMED_SHARE] / adopters).min(1.0)
                } else {
                    0.0
                };
                (own, adopters, transformed)
            })
            .collect();
        let name = prepared.scenario.name.clone();
        let own = runs.iter().filter(|r| r.0).count() as u64;
        let (low, high) = wilson(own, u64::from(replicates));
        rows.push(Row {
            model_mean: own as f64 / f64::from(replicates),
            model_low: low,
            model_high: high,
            ..Row::new(
                Group::Futures,
                format!("the {name} future: share of runs classed {name} in 2030-12 (band: 95% Wilson interval)"),
                INNOVA,
                name.clone(),
            )
            .observed(1.0, 0.1)
        });
        if name == "pioneer" {
            let adopters: Vec<f64> = runs.iter().map(|r| r.1).collect();
            let transformed: Vec<f64> = runs.iter().map(|r| r.2).collect();
            rows.push(
                Row::new(
                    Group::Futures,
                    "the pioneer future: a few administrations adopt (share with adoption >= 0.5, 2030-12)",
                    INNOVA,
                    "pioneer: adopters",
                )
                .observed(0.15, 0.075)
                .with_band(&adopters),
            );
            rows.push(
                Row::new(
                    Group::Futures,
                    "the pioneer future: the value chain does not change (share of adopters transformed, 2030-12)",
                    INNOVA,
                    "pioneer: transformed",
                )
                .observed(0.0, 0.1)
                .with_band(&transformed),
            );
        }
    }
    rows
}

/// The digital layer with unit steps, full ceilings and a complete graph.
fn bass_scenario(citizens: u32) -> Scenario {
    let mut s = Scenario {
        name: "bass".into(),
        steps: 12,
        ..Scenario::default()
    };
    s.population.citizens = citizens;
    s.population.social_graph = GraphSpec::Complete;
    s.citizens.digital_ceiling = Dist::Const(1.0);
    s.citizens.digitalization = Dist::Const(0.0);
    s.dynamics.digital_step = 1.0;
    s.dynamics.digital_innovation = BASS.0;
    s.dynamics.digital_imitation = BASS.1;
    s
}

/// Bass (1969)'s innovation and imitation rates for the check (per month).
const BASS: (f64, f64) = (0.03, 0.38);

/// Rows of the Bass limit: the share of digital citizens at months 6 and 12
/// against the agent-based Bass recursion `F(t+1) = F + (p + q F N/(N-1))(1 - F)`.
pub fn bass_rows(citizens: u32, replicates: u32, seed: u64) -> Vec<Row> {
    let s = bass_scenario(citizens);
    scenario::validate(&s).expect("a valid Bass scenario");
    let prepared = Prepared::new(s).expect("no files");
    let series: Vec<Vec<f64>> = (0..replicates)
        .into_par_iter()
        .map(|r| {
            let (metrics, _) = simulate(&prepared, replicate_seed(seed, r));
            metrics.iter().map(|m| m.values[idx::DIGITALIZATION]).collect()
        })
        .collect();
    let n = f64::from(citizens);
    let mut expected = vec![0.0f64];
    for t in 0..12 {
        let f = expected[t];
        expected.push(f + (BASS.0 + BASS.1 * f * n / (n - 1.0)) * (1.0 - f));
    }
    [6usize, 12]
        .into_iter()
        .map(|t| {
            let values: Vec<f64> = series.iter().map(|s| s[t]).collect();
            let (mean, low, high) = band(&values);
            Row {
                model_mean: mean,
                model_low: low,
                model_high: high,
                ..Row::new(
                    Group::Bass,
                    format!("Bass limit (p 0.03, q 0.38, complete graph): digital share after {t} months"),
                    "Bass, F. M. (1969) 'A new product growth for model consumer durables', Management Science 15(5):215-227",
                    crate::calendar::Month::parse(PAST_START).expect("a month").plus(t as u32).to_string(),
                )
                .observed(expected[t], 0.0)
            }
        })
        .collect()
}
