//! The end of a class: the debrief and the export.
//!
//! - The debrief sets the class's run beside the three built-in futures
//!   from the same seed and population (common random numbers: one shared
//!   past, the same draws after it), and asks of every student's choices
//!   whether they mattered: the class rerun with that student's choices
//!   replaced by the future's own levers (a paired counterfactual, from the
//!   model at the branch month), the difference in the class's trust,
//!   adoption and unheard share at the end, and whether its future changes.
//! - The export writes the class's scenario (`class.ron`: the choices as
//!   targeted interventions) and runs it through the ordinary `agora run`
//!   pipeline into `results/` (a results folder `agora verify` checks and
//!   `agora report` draws; `report.html` is written with it).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Value, json};

use agora_core::error::{IoContext, Result};
use agora_core::model::metrics::idx;
use agora_core::model::{LoadedGraphs, Metrics, Model};
use agora_core::rng::replicate_seed;
use agora_core::scenario::{self, Scenario, Target};

use crate::class::{CLASS_LEVERS, Choice, Class, admin_name, round_one, verdict_json};

/// The metrics the class's charts draw, by index and name.
pub const CHARTED: [(usize, &str); 4] = [
    (idx::TRUST, "trust"),
    (idx::UNHEARD_SHARE, "unheard_share"),
    (idx::ADOPTION, "adoption"),
    (idx::TRANSFORMED_SHARE, "transformed_share"),
];

/// What the debrief needs of a class, taken under its lock (the reruns run without it).
pub struct Inputs {
    scenario: Scenario,
    at_branch: Model,
    baseline: Choice,
    series: Vec<Metrics>,
    players: Vec<Option<String>>,
    round: u32,
}

impl Inputs {
    /// The rounds played when they were taken.
    pub fn round(&self) -> u32 {
        self.round
    }

    /// A copy of what `class` played so far.
    pub fn of(class: &Class) -> Inputs {
        Inputs {
            scenario: class.scenario.clone(),
            at_branch: class.at_branch.clone(),
            baseline: class.baseline.clone(),
            series: class.series.clone(),
            players: class.seats.iter().map(|s| s.as_ref().map(|s| s.name.clone())).collect(),
            round: class.round,
        }
    }
}

/// The charted metrics of a series, one array per metric.
fn charted(series: &[Metrics]) -> Value {
    CHARTED
        .iter()
        .map(|&(i, name)| {
            (
                name.to_string(),
                json!(series.iter().map(|m| m.values[i]).collect::<Vec<_>>()),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The mean of a metric over the last 12 rows (flows are noisy month by month).
fn last_year(series: &[Metrics], i: usize) -> f64 {
    let tail = &series[series.len().saturating_sub(12)..];
    let values: Vec<f64> = tail.iter().map(|m| m.values[i]).filter(|v| v.is_finite()).collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The end of a run: trust, adoption, transformed share (last row) and unheard share (last year).
fn ends(series: &[Metrics]) -> [f64; 4] {
    let last = &series[series.len() - 1].values;
    [
        last[idx::TRUST],
        last[idx::ADOPTION],
        last_year(series, idx::UNHEARD_SHARE),
        last[idx::TRANSFORMED_SHARE],
    ]
}

/// The administrations' own interventions in `s`.
fn own(s: &Scenario, j: usize) -> impl Iterator<Item = &scenario::Intervention> {
    s.interventions
        .iter()
        .filter(move |i| i.target == Target::Ids(vec![j as u32]))
}

/// Compute the debrief of what the class played so far.
pub fn debrief(inputs: &Inputs) -> Value {
    let s = &inputs.scenario;
    let played = inputs.series.len() as u32 - 1;
    let branch = s.branch_step().unwrap_or(0);
    let mut truncated = s.clone();
    truncated.steps = played;
    let class_ends = ends(&inputs.series);
    // The three futures with the class's population and seed.
    let futures: Vec<Value> = scenario::built_in()
        .into_par_iter()
        .map(|mut f| {
            f.population = s.population.clone();
            f.replicates = 1;
            f.steps = played;
            let mut model = Model::new(&f, replicate_seed(f.seed, 0), &LoadedGraphs::default());
            let mut series = vec![model.metrics()];
            while model.step_index() < played {
                model.step();
                series.push(model.metrics());
            }
            json!({ "name": f.name, "colour": crate::colour(&f.name), "series": charted(&series),
                    "verdict": verdict_json(&series, &f), "ends": ends(&series) })
        })
        .collect();
    // Every student's choices replaced by the future's levers.
    let students: Vec<usize> = (0..inputs.players.len())
        .filter(|&j| inputs.players[j].is_some())
        .collect();
    let mut effects: Vec<Value> = students
        .par_iter()
        .map(|&j| {
            let mut without = truncated.clone();
            let first = without
                .interventions
                .iter()
                .position(|i| i.target == Target::Ids(vec![j as u32]));
            without
                .interventions
                .retain(|i| i.target != Target::Ids(vec![j as u32]));
            if let Some(at) = first {
                without.interventions.insert(at, round_one(branch, j, &inputs.baseline));
            }
            let mut model = inputs.at_branch.clone();
            model.follow(&without).expect("a class's scenario resolves");
            let mut series = inputs.series[..=branch as usize].to_vec();
            while model.step_index() < played {
                model.step();
                series.push(model.metrics());
            }
            let e = ends(&series);
            let delta: Vec<f64> = class_ends.iter().zip(&e).map(|(a, b)| a - b).collect();
            // Trust, adoption and unheard share are all 0-1: their sum of moves ranks the students.
            let moved = delta[0].abs() + delta[1].abs() + delta[2].abs();
            json!({
                "id": j,
                "name": admin_name(j),
                "player": inputs.players[j],
                "choices": describe(s, j, &inputs.baseline),
                "delta": delta,
                "moved": moved,
                "verdict_without": verdict_json(&series, &without),
            })
        })
        .collect();
    effects.sort_by(|a, b| {
        b["moved"]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&a["moved"].as_f64().unwrap_or(0.0))
    });
    json!({
        "round": inputs.round,
        "played": played,
        "start": s.start,
        "branch": branch,
        "class": { "series": charted(&inputs.series), "verdict": verdict_json(&inputs.series, &truncated), "ends": class_ends },
        "futures": futures,
        "effects": effects,
        "ends": ["trust", "adoption", "unheard_share", "transformed_share"],
    })
}

/// A student's choices in words: each lever they moved away from the
/// future's value, with the value and the round it was first set.
fn describe(s: &Scenario, j: usize, baseline: &Choice) -> Vec<Value> {
    let branch = s.branch_step().unwrap_or(0);
    let months = s
        .interventions
        .iter()
        .map(|i| i.at)
        .filter(|&at| at > branch)
        .min()
        .map_or(1, |at| at - branch);
    let mut out = Vec::new();
    for lever in &CLASS_LEVERS {
        let mut last = baseline[lever.path];
        for i in own(s, j) {
            if let Some(&v) = i.set.get(lever.path)
                && (v - last).abs() > 1e-12
            {
                out.push(json!({ "lever": lever.label, "path": lever.path, "value": v,
                    "baseline": baseline[lever.path], "round": (i.at - branch) / months.max(1) + 1 }));
                last = v;
            }
        }
    }
    out
}

/// Write the class's scenario and its `agora run` into `dir`; returns the results folder.
pub fn export(dir: &Path, s: &Scenario, debrief: Option<&Value>) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).at(dir)?;
    let file = dir.join("class.ron");
    let text = format!(
        "// {}\n// Replay: agora run class.ron --out results\n{}\n",
        s.description,
        s.to_ron()
    );
    agora_core::output::atomic::write_atomic(&file, text.as_bytes()).at(&file)?;
    if let Some(d) = debrief {
        let path = dir.join("debrief.json");
        agora_core::output::atomic::write_atomic(&path, d.to_string().as_bytes()).at(&path)?;
    }
    let out = dir.join("results");
    let options = agora_core::commands::RunOptions {
        scenarios: vec![file.to_string_lossy().into_owned()],
        out: out.clone(),
        overrides: Vec::new(),
        threads: None,
        resume: false,
        report: Some(agora_report::write_report),
        ..Default::default()
    };
    agora_core::commands::run(&options, &agora_core::commands::Silent)?;
    Ok(out)
}
