//! Pattern-oriented validation of model v2 (Grimm et al. 2005): each test is
//! a pattern the sources or the data describe (docs/model.md, "Validation").
//! Statistical tests compare paired runs (common random numbers: the same
//! seeds, graphs and initial states) and derive their tolerance from the
//! standard error of the paired differences.

use rayon::prelude::*;

use agora_core::calendar::Month;
use agora_core::model::metrics::idx;
use agora_core::model::{METRICS, Metrics};
use agora_core::rng::replicate_seed;
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario::{self, Scenario};

fn built_in(name: &str) -> Scenario {
    scenario::built_in().into_iter().find(|s| s.name == name).unwrap()
}

/// A metric's value in a run: its final value for a state, its mean over the
/// last twelve months for a flow (one month is too noisy to compare).
fn outcome(series: &[Metrics], metric: usize) -> f64 {
    if !METRICS[metric].flow {
        return series[series.len() - 1].values[metric];
    }
    let year: Vec<f64> = series[series.len() - 12..]
        .iter()
        .map(|m| m.values[metric])
        .filter(|x| x.is_finite())
        .collect();
    year.iter().sum::<f64>() / year.len() as f64
}

/// Paired runs of `s` with `path` at `low` and at `high`: per replicate, the
/// outcome of each metric under both.
fn paired(
    s: &Scenario,
    path: &str,
    (low, high): (f64, f64),
    replicates: u32,
    metrics: &[usize],
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let with = |value: f64| {
        let mut v = s.clone();
        scenario::apply_overrides(&mut v, &[(path.to_string(), value.to_string())]).unwrap();
        Prepared::new(v).unwrap()
    };
    let (a, b) = (with(low), with(high));
    (0..replicates)
        .into_par_iter()
        .map(|r| {
            let seed = replicate_seed(s.seed, r);
            let (sa, _) = simulate(&a, seed);
            let (sb, _) = simulate(&b, seed);
            (
                metrics.iter().map(|&m| outcome(&sa, m)).collect(),
                metrics.iter().map(|&m| outcome(&sb, m)).collect(),
            )
        })
        .collect()
}

/// Mean and standard error of the differences `high - low`.
fn difference(pairs: &[(Vec<f64>, Vec<f64>)], k: usize) -> (f64, f64) {
    let diffs: Vec<f64> = pairs.iter().map(|(a, b)| b[k] - a[k]).collect();
    let (mean, sd) = agora_core::stats::mean_sd(&diffs);
    (mean, sd / (diffs.len() as f64).sqrt())
}

/// One seed concept of the sources (Pérez González & Solana González 2012;
/// Innova Institute 2012) as a mechanism: its lever moved from `low` to
/// `high` moves each downstream metric in the stated direction.
struct Concept {
    concept: &'static str,
    scenario: &'static str,
    lever: &'static str,
    values: (f64, f64),
    /// (metric, +1 up or -1 down)
    effects: &'static [(usize, f64)],
}

const UP: f64 = 1.0;
const DOWN: f64 = -1.0;

const CONCEPTS: &[Concept] = &[
    Concept {
        concept: "productivity: staff capacity",
        scenario: "fracture",
        lever: "dynamics.capacity_per_citizen",
        values: (0.12, 0.2),
        effects: &[
            (idx::SERVICE_RATE, UP),
            (idx::PENDING_SHARE, DOWN),
            (idx::SATISFACTION, UP),
            (idx::TRUST, UP),
        ],
    },
    Concept {
        concept: "productivity: Social CRM gain",
        scenario: "pioneer",
        lever: "dynamics.productivity_gain",
        values: (0.0, 1.0),
        effects: &[(idx::SERVICE_RATE, UP), (idx::PENDING_SHARE, DOWN), (idx::TRUST, UP)],
    },
    Concept {
        concept: "co-production",
        scenario: "participation",
        lever: "dynamics.coproduction_capacity",
        values: (0.0, 1.0),
        effects: &[(idx::SERVICE_RATE, UP), (idx::PENDING_SHARE, DOWN)],
    },
    Concept {
        concept: "satisfaction: expectations",
        scenario: "fracture",
        lever: "dynamics.expectation_digital",
        values: (0.0, 0.8),
        effects: &[(idx::SATISFACTION, DOWN), (idx::TRUST, DOWN)],
    },
    Concept {
        concept: "satisfaction: learning rate",
        scenario: "fracture",
        lever: "dynamics.satisfaction_rate",
        values: (0.05, 0.4),
        effects: &[(idx::SATISFACTION, DOWN), (idx::TRUST, DOWN)],
    },
    Concept {
        concept: "information integration",
        scenario: "pioneer",
        lever: "dynamics.integration_rate",
        values: (0.0, 0.2),
        effects: &[
            (idx::INTEGRATION, UP),
            (idx::REPEAT_SHARE, DOWN),
            (idx::SERVICE_RATE, UP),
        ],
    },
    Concept {
        concept: "ROI barrier: measurement",
        scenario: "pioneer",
        lever: "dynamics.roi_measurement",
        values: (0.0, 1.0),
        effects: &[(idx::ROI_BARRIER, DOWN), (idx::ADOPTER_SHARE, UP)],
    },
    Concept {
        concept: "security barrier: incidents",
        scenario: "pioneer",
        lever: "dynamics.incident_rate",
        values: (0.0, 0.02),
        effects: &[(idx::INCIDENTS, UP), (idx::SECURITY_BARRIER, UP), (idx::TRUST, DOWN)],
    },
    Concept {
        concept: "security barrier: investment",
        scenario: "pioneer",
        lever: "dynamics.security_investment",
        values: (0.0, 1.0),
        effects: &[
            (idx::INCIDENTS, DOWN),
            (idx::SECURITY_BARRIER, DOWN),
            (idx::ADOPTER_SHARE, UP),
        ],
    },
    Concept {
        concept: "organisational barrier: training",
        scenario: "pioneer",
        lever: "dynamics.training",
        values: (0.0, 0.02),
        effects: &[(idx::ORGANIZATIONAL_BARRIER, DOWN), (idx::INTEGRATION, UP)],
    },
    Concept {
        concept: "pioneers: pull-along by imitation",
        scenario: "pioneer",
        lever: "dynamics.adoption_imitation",
        values: (0.01, 0.3),
        effects: &[(idx::ADOPTER_SHARE, UP), (idx::ADOPTION, UP)],
    },
    Concept {
        concept: "citizens' voice: pressure",
        scenario: "pioneer",
        lever: "dynamics.citizen_pressure",
        values: (0.0, 0.5),
        effects: &[(idx::ADOPTION, UP), (idx::UNHEARD_SHARE, DOWN)],
    },
    Concept {
        concept: "citizens' voice: channel openness",
        scenario: "fracture",
        lever: "dynamics.channel_openness",
        values: (0.3, 0.8),
        effects: &[(idx::UNHEARD_SHARE, DOWN), (idx::TRUST, UP)],
    },
];

/// Every seed concept is a working mechanism: its lever moves its
/// downstream metrics in the sources' direction by more than 3 standard
/// errors of the paired difference (6,000 citizens, 12 paired replicates).
#[test]
fn every_seed_concept_moves_its_downstream_metrics() {
    let mut failures = Vec::new();
    for c in CONCEPTS {
        let mut s = built_in(c.scenario);
        s.population.citizens = 6_000;
        let metrics: Vec<usize> = c.effects.iter().map(|e| e.0).collect();
        let pairs = paired(&s, c.lever, c.values, 12, &metrics);
        for (k, &(metric, direction)) in c.effects.iter().enumerate() {
            let (diff, se) = difference(&pairs, k);
            let line = format!(
                "{:<36} {:<30} {} -> {}: {:<22} {diff:+.4} (se {se:.4})",
                c.concept, c.lever, c.values.0, c.values.1, METRICS[metric].name
            );
            eprintln!("{line}");
            if diff * direction <= 3.0 * se || diff == 0.0 {
                failures.push(line);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "concepts without their effect:\n{}",
        failures.join("\n")
    );
}

/// The pioneer future is an outcome, not an input: adoption spreads beyond
/// the pioneers as far as imitation carries it, and without value-chain
/// transformation (Innova Institute 2012: adoption in pioneers only, no
/// transformation).
#[test]
fn pioneers_adopt_without_transformation_and_spread_is_an_outcome() {
    let mut s = built_in("pioneer");
    s.population.citizens = 6_000;
    let metrics = [idx::ADOPTER_SHARE, idx::TRANSFORMED_SHARE];
    let pairs = paired(&s, "dynamics.adoption_imitation", (0.01, 0.3), 12, &metrics);
    let n = pairs.len() as f64;
    let low = pairs.iter().map(|p| p.0[0]).sum::<f64>() / n;
    let high = pairs.iter().map(|p| p.1[0]).sum::<f64>() / n;
    let share = s.administrations.pioneer_share;
    // Not a copy of the input: with weak imitation adoption stays near the
    // pioneers, with strong imitation it spreads well beyond them.
    assert!(high > low + 0.1, "adopters {low:.3} -> {high:.3} with imitation");
    assert!(high > 1.5 * share, "adopters {high:.3} against pioneer_share {share}");
    for (a, b) in &pairs {
        for (adopters, transformed) in [(a[0], a[1]), (b[0], b[1])] {
            assert!(
                transformed < 0.5 * adopters,
                "transformed {transformed} of adopters {adopters}"
            );
        }
    }
}

/// Each built-in scenario ends in its own future in at least 90% of 30 runs
/// (10,000 citizens, to December 2030).
#[test]
fn built_in_scenarios_end_in_their_own_future() {
    for mut s in scenario::built_in() {
        s.population.citizens = 10_000;
        let expected = agora_core::model::Class::from_name(&s.name).unwrap();
        let prepared = Prepared::new(s.clone()).unwrap();
        let hits = (0..30u32)
            .into_par_iter()
            .filter(|&r| simulate(&prepared, replicate_seed(s.seed, r)).1 == expected)
            .count();
        assert!(hits >= 27, "{}: {hits} of 30 runs in class {}", s.name, expected.name());
    }
}

/// The calibrated digital layer reproduces the bundled Eurostat series: the
/// pioneer scenario's `digital_interaction` at April of each survey year
/// lies within two standard deviations (the observation's stated
/// uncertainty, docs/model.md section 8, and the simulation's standard
/// error) of the data in `data/eurostat_egov.csv`. The replicates are not
/// those the calibration fitted (its seeds are replicates 0-7; these are
/// 100-107), so the test checks the calibrated layer on fresh random numbers.
#[test]
fn the_calibrated_digital_layer_reproduces_the_eurostat_series() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/eurostat_egov.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (indicator, geo, year, value) = (col("indicator"), col("geography"), col("year"), col("value"));
    // The two "interacted online with public authorities" series, never spliced.
    let rows: Vec<(i32, f64, f64)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter_map(|r| {
            let sd = match (&r[indicator], &r[geo]) {
                ("egov_interact_online_old", "EU28") => 0.03,
                ("egov_interact_online_iugov1", "EU27_2020") => 0.015,
                _ => return None,
            };
            Some((r[year].parse().unwrap(), r[value].parse::<f64>().unwrap() / 100.0, sd))
        })
        .collect();
    assert!(rows.len() >= 4, "the bundled series has its observations");
    let mut s = built_in("pioneer");
    s.population.citizens = 20_000;
    let start = Month::parse(&s.start).unwrap();
    let prepared = Prepared::new(s.clone()).unwrap();
    let runs: Vec<Vec<Metrics>> = (100..108u32)
        .into_par_iter()
        .map(|r| simulate(&prepared, replicate_seed(s.seed, r)).0)
        .collect();
    for (year, observed, sd) in rows {
        let at = start.months_to(Month::parse(&format!("{year}-04")).unwrap()) as usize;
        let values: Vec<f64> = runs.iter().map(|r| r[at].values[idx::DIGITAL_INTERACTION]).collect();
        let (mean, spread) = agora_core::stats::mean_sd(&values);
        let tolerance = 2.0 * (sd * sd + spread * spread / values.len() as f64).sqrt();
        eprintln!("{year}: simulated {mean:.4}, observed {observed:.4}, tolerance {tolerance:.4}");
        assert!(
            (mean - observed).abs() <= tolerance,
            "{year}: simulated {mean:.4} against observed {observed} (tolerance {tolerance:.4})"
        );
    }
}
