//! The tables of docs/model.md that say how robust the three futures are
//! (docs/model.md, "Futures" and "Validation"):
//!
//! ```sh
//! cargo run --release --example futures       # writes docs/futures/ (about 3 minutes on 2 cores)
//! ```
//!
//! - `ablation.csv`: each mechanism switched off in turn, from 2012 on (so
//!   the past changes too), and the class shares of each built-in scenario
//!   with Wilson 95% intervals;
//! - `thresholds.csv`: the class shares when each classification threshold
//!   moves by -20% and +20% (by -0.01 and +0.01 for a threshold at 0; the
//!   same runs, classified again);
//! - `final_states.csv`: per scenario, the mean over runs of the metrics at
//!   the branch and in December 2030 (flows: the mean of the year before).
//!
//! - `tables.md`: the markdown tables docs/model.md quotes, made from the
//!   three files (`-- --tables` makes only these, from the files there).
//!
//! 30 replicates of 10,000 citizens per cell, seeds 2012 (replicates
//! 0..30): common random numbers, so every cell sees the same draws.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use agora_core::model::{Class, METRICS, Metrics};
use agora_core::output::table::CsvInput;
use agora_core::rng::replicate_seed;
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario::{self, Classification, Scenario};
use agora_core::stats::wilson;

const REPLICATES: u32 = 30;
const CITIZENS: u32 = 10_000;

/// A mechanism and the parameter values that switch it off.
const ABLATIONS: [(&str, &[(&str, &str)]); 9] = [
    ("none (the model as specified)", &[]),
    (
        "pull-along (imitation and peers' results)",
        &[("dynamics.adoption_imitation", "0"), ("dynamics.roi_peer_weight", "0")],
    ),
    ("citizens' pressure (voice)", &[("dynamics.citizen_pressure", "0")]),
    ("learning from measured results", &[("dynamics.roi_learning", "0")]),
    ("size readiness", &[("administrations.size_readiness", "0")]),
    ("project failure", &[("dynamics.project_failure", "0")]),
    ("abandonment", &[("dynamics.abandonment_rate", "0")]),
    ("security incidents", &[("dynamics.incident_rate", "0")]),
    (
        "digital diffusion after 2012",
        &[
            ("dynamics.digital_innovation", "0"),
            ("dynamics.digital_imitation", "0"),
        ],
    ),
];

/// The classification thresholds, by name, with their getter and setter.
type Threshold = (&'static str, fn(&Classification) -> f64, fn(&mut Classification, f64));
const THRESHOLDS: [Threshold; 7] = [
    (
        "participation_transformed",
        |c| c.participation_transformed,
        |c, v| c.participation_transformed = v,
    ),
    (
        "pioneer_min_adopters",
        |c| c.pioneer_min_adopters,
        |c, v| c.pioneer_min_adopters = v,
    ),
    (
        "pioneer_max_adopters",
        |c| c.pioneer_max_adopters,
        |c, v| c.pioneer_max_adopters = v,
    ),
    (
        "fracture_digital_interaction",
        |c| c.fracture_digital_interaction,
        |c, v| c.fracture_digital_interaction = v,
    ),
    (
        "fracture_unheard",
        |c| c.fracture_unheard,
        |c, v| c.fracture_unheard = v,
    ),
    (
        "fracture_unheard_rise",
        |c| c.fracture_unheard_rise,
        |c, v| c.fracture_unheard_rise = v,
    ),
    (
        "fracture_trust_fall",
        |c| c.fracture_trust_fall,
        |c, v| c.fracture_trust_fall = v,
    ),
];

/// The series of every replicate of `s` with `overrides` applied.
fn runs(s: &Scenario, overrides: &[(&str, &str)]) -> Vec<Vec<Metrics>> {
    let mut s = s.clone();
    let mut all: Vec<(String, String)> = overrides.iter().map(|(p, v)| (p.to_string(), v.to_string())).collect();
    all.push(("population.citizens".into(), CITIZENS.to_string()));
    scenario::apply_overrides(&mut s, &all).expect("valid overrides");
    let prepared = Prepared::new(s).expect("a valid scenario");
    (0..REPLICATES)
        .into_par_iter()
        .map(|r| simulate(&prepared, replicate_seed(prepared.scenario.seed, r)).0)
        .collect()
}

/// The mean of metric `m` over the last 12 rows of `rows` where it is defined.
fn year_mean(rows: &[Metrics], m: usize) -> f64 {
    let year: Vec<f64> = rows[rows.len().saturating_sub(12)..]
        .iter()
        .map(|r| r.values[m])
        .filter(|x| x.is_finite())
        .collect();
    year.iter().sum::<f64>() / year.len().max(1) as f64
}

/// `scenario,class,runs,share,ci_low,ci_high` cells for one set of runs.
fn shares(s: &Scenario, series: &[Vec<Metrics>], thresholds: &Classification) -> Vec<(Class, u64, f64, f64, f64)> {
    let branch = s.branch_step().unwrap_or(0);
    let classes: Vec<Class> = series.iter().map(|x| Class::of(x, thresholds, branch)).collect();
    Class::ALL
        .iter()
        .map(|&c| {
            let k = classes.iter().filter(|&&x| x == c).count() as u64;
            let (lo, hi) = wilson(k, classes.len() as u64);
            (c, k, k as f64 / classes.len() as f64, lo, hi)
        })
        .collect()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("docs/futures");
    // `-- --tables`: only the markdown tables, from the CSV files already there.
    if std::env::args().any(|a| a == "--tables") {
        return write_tables(&dir);
    }
    std::fs::create_dir_all(&dir).expect("docs/futures");
    let scenarios = scenario::built_in();

    let mut ablation = String::from("mechanism_off,scenario,class,runs,share,ci_low,ci_high\n");
    let mut thresholds = String::from("threshold,change,value,scenario,class,runs,share,ci_low,ci_high\n");
    let mut states = String::from("scenario,metric,at_branch,in_2030\n");
    for (name, overrides) in ABLATIONS {
        for s in &scenarios {
            let series = runs(s, overrides);
            for (class, k, share, lo, hi) in shares(s, &series, &s.classification) {
                writeln!(
                    ablation,
                    "{name},{},{},{k},{share:.4},{lo:.4},{hi:.4}",
                    s.name,
                    class.name()
                )
                .unwrap();
            }
            if !overrides.is_empty() {
                continue;
            }
            let branch = s.branch_step().unwrap_or(0) as usize;
            for (m, metric) in METRICS.iter().enumerate() {
                let at = |step: usize| {
                    let values: Vec<f64> = series
                        .iter()
                        .map(|x| {
                            if metric.flow {
                                year_mean(&x[..=step], m)
                            } else {
                                x[step].values[m]
                            }
                        })
                        .collect();
                    values.iter().sum::<f64>() / values.len() as f64
                };
                let last = series[0].len() - 1;
                writeln!(states, "{},{},{:.4},{:.4}", s.name, metric.name, at(branch), at(last)).unwrap();
            }
            for (threshold, get, set) in THRESHOLDS {
                for change in [-0.2, 0.2] {
                    let mut moved = s.classification.clone();
                    // A threshold at 0 does not move by a share of itself: by 0.01 instead.
                    let now = get(&moved);
                    let value = if now == 0.0 {
                        change / 20.0
                    } else {
                        now * (1.0 + change)
                    };
                    set(&mut moved, value);
                    for (class, k, share, lo, hi) in shares(s, &series, &moved) {
                        writeln!(
                            thresholds,
                            "{threshold},{change:+},{value:.4},{},{},{k},{share:.4},{lo:.4},{hi:.4}",
                            s.name,
                            class.name()
                        )
                        .unwrap();
                    }
                }
            }
        }
        eprintln!("done: {name}");
    }
    std::fs::write(dir.join("ablation.csv"), &ablation).expect("ablation.csv");
    std::fs::write(dir.join("thresholds.csv"), &thresholds).expect("thresholds.csv");
    std::fs::write(dir.join("final_states.csv"), &states).expect("final_states.csv");
    write_tables(&dir);
}

/// Write and print `tables.md` from the CSV files in `dir`.
fn write_tables(dir: &Path) {
    let text = tables(dir);
    std::fs::write(dir.join("tables.md"), &text).expect("tables.md");
    print!("{text}");
}

/// The three futures, in the order of the tables' columns.
const FUTURES: [&str; 3] = ["fracture", "participation", "pioneer"];

/// `docs/futures/tables.md`: the markdown tables docs/model.md quotes, made
/// from the three CSV files in `dir`.
fn tables(dir: &Path) -> String {
    let read = |name: &str| CsvInput::read(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    let cell = |t: &CsvInput, row: &csv::StringRecord, name: &str| row[t.column(name).unwrap()].to_string();
    let share = |t: &CsvInput, row: &csv::StringRecord, name: &str| cell(t, row, name).parse::<f64>().unwrap();
    let mut out = String::new();

    // Ablation: per mechanism and future, the own class with its interval and where the others went.
    let ablation = read("ablation.csv");
    out.push_str("| mechanism switched off | fracture | participation | pioneer |\n|---|---|---|---|\n");
    let mut mechanisms: Vec<String> = Vec::new();
    for row in &ablation.rows {
        let m = cell(&ablation, row, "mechanism_off");
        if !mechanisms.contains(&m) {
            mechanisms.push(m);
        }
    }
    for m in &mechanisms {
        let cells: Vec<String> = FUTURES
            .iter()
            .map(|future| {
                let rows: Vec<&csv::StringRecord> = ablation
                    .rows
                    .iter()
                    .filter(|r| &cell(&ablation, r, "mechanism_off") == m && cell(&ablation, r, "scenario") == *future)
                    .collect();
                let own = rows
                    .iter()
                    .find(|r| cell(&ablation, r, "class") == *future)
                    .expect("own class");
                let mut text = format!(
                    "{:.2} [{:.2}, {:.2}]",
                    share(&ablation, own, "share"),
                    share(&ablation, own, "ci_low"),
                    share(&ablation, own, "ci_high")
                );
                let others: Vec<String> = rows
                    .iter()
                    .filter(|r| cell(&ablation, r, "class") != *future && share(&ablation, r, "share") > 0.0)
                    .map(|r| {
                        format!(
                            "{} {:.2}",
                            cell(&ablation, r, "class").replace('_', " "),
                            share(&ablation, r, "share")
                        )
                    })
                    .collect();
                if !others.is_empty() {
                    text.push_str("; ");
                    text.push_str(&others.join(", "));
                }
                text
            })
            .collect();
        writeln!(out, "| {m} | {} |", cells.join(" | ")).unwrap();
    }

    // Thresholds: per moved threshold and future, the own class and the undecided share.
    let moved = read("thresholds.csv");
    out.push_str("\n| threshold | moved to | fracture | participation | pioneer |\n|---|---|---|---|---|\n");
    let mut variants: Vec<(String, String, String)> = Vec::new();
    for row in &moved.rows {
        let v = (
            cell(&moved, row, "threshold"),
            cell(&moved, row, "change"),
            cell(&moved, row, "value"),
        );
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    for (threshold, change, value) in &variants {
        let of = |future: &str, class: &str| {
            let row = moved
                .rows
                .iter()
                .find(|r| {
                    cell(&moved, r, "threshold") == *threshold
                        && cell(&moved, r, "change") == *change
                        && cell(&moved, r, "scenario") == future
                        && cell(&moved, r, "class") == class
                })
                .expect("a row per class");
            share(&moved, row, "share")
        };
        let cells: Vec<String> = FUTURES
            .iter()
            .map(|f| format!("{:.2} ({:.2} undecided)", of(f, f), of(f, "undecided")))
            .collect();
        let sign = &change[..1];
        let value: f64 = value.parse().unwrap();
        writeln!(out, "| `{threshold}` | {sign}20%: {value} | {} |", cells.join(" | ")).unwrap();
    }

    // States: at the branch (the same in all three) and in December 2030.
    let states = read("final_states.csv");
    let state = |future: &str, metric: &str, column: &str| {
        let row = states
            .rows
            .iter()
            .find(|r| cell(&states, r, "scenario") == future && cell(&states, r, "metric") == metric)
            .expect("a row per metric");
        share(&states, row, column)
    };
    out.push_str("\n| metric | January 2026 (all) | fracture 2030 | participation 2030 | pioneer 2030 |\n|---|---|---|---|---|\n");
    for (metric, label) in [
        ("digital_interaction", "online (12 months)"),
        ("presence_share", "present"),
        ("adopter_share", "adopters"),
        ("transformed_share", "transformed"),
        ("abandoned_share", "abandoned"),
        ("failed_projects", "failed projects per adm."),
        ("unheard_share", "unheard"),
        ("service_rate", "service rate"),
        ("trust", "trust"),
    ] {
        let ends: Vec<String> = FUTURES
            .iter()
            .map(|f| format!("{:.3}", state(f, metric, "in_2030")))
            .collect();
        writeln!(
            out,
            "| {label} (`{metric}`) | {:.3} | {} |",
            state("pioneer", metric, "at_branch"),
            ends.join(" | ")
        )
        .unwrap();
    }
    out
}
