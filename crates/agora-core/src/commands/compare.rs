//! `agora compare`: a baseline and policies run on the same seeds, and the
//! paired differences of every metric (docs in README, "Compare two policies").

use std::path::PathBuf;

use super::until::{Until, next_check};
use super::{Observer, ensure_fits, load_scenarios, prepare};
use crate::error::{Error, Result};
use crate::memory::Estimate;
use crate::output::compare::{Collected, Pair, PairSummary, write};
use crate::output::{Folder, Stopwatch};
use crate::rng::replicate_seed;
use crate::runner::{Job, Prepared, execute, jobs_of};
use crate::scenario::{self, Scenario};

/// What `agora compare` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// The baseline (a scenario file or built-in name); `None` with `across`.
    pub base: Option<String>,
    /// The policies: scenario files or built-in names.
    pub policies: Vec<String>,
    /// Futures (built-in names or files) to apply each policy's interventions to,
    /// each future being its own baseline; empty: compare with `base`.
    pub across: Vec<String>,
    /// The results folder.
    pub out: PathBuf,
    /// `PATH=VALUE` overrides applied to every scenario (`replicates`,
    /// `seed` and `steps` are paths too).
    pub overrides: Vec<(String, String)>,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
    /// Also write `report.html` with this writer (the report crate's), under the same folder lock.
    pub report: Option<super::ReportWriter>,
    /// Stopping rules (`--until`) on the paired differences of every
    /// comparison; the scenarios' `replicates` is the cap.
    pub until: Vec<Until>,
}

/// What a finished `agora compare` reports.
#[derive(Debug, Clone)]
pub struct CompareOutcome {
    /// Per comparison, what the console shows.
    pub pairs: Vec<PairSummary>,
    /// Runs simulated.
    pub runs: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// The report, if one was asked for.
    pub report: Option<PathBuf>,
}

/// Run the baseline(s) and policies and write the comparison folder.
pub fn compare(options: &CompareOptions, observer: &dyn Observer) -> Result<CompareOutcome> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    let (scenarios, pairs) = match options.across.is_empty() {
        true => against_base(options)?,
        false => across_futures(options)?,
    };
    let batch = scenarios
        .into_iter()
        .map(|s| prepare(s, &[], observer))
        .collect::<Result<Vec<Prepared>>>()?;
    for pair in &pairs {
        check_pair(&batch[pair.base].scenario, &batch[pair.policy].scenario)?;
    }
    ensure_fits(&Estimate::of(
        &batch.iter().collect::<Vec<_>>(),
        threads,
        Some(crate::output::Quantiles::Exact),
    ))?;
    let folder = Folder::lock(&options.out)?;
    let mut batch = batch;
    let mut collected = Collected::new(batch.len());
    let on_run = || observer.run_done();
    let in_folder = |e| super::run::in_folder(e, &options.out);
    let mut stopping = Vec::new();
    if options.until.is_empty() {
        let jobs = jobs_of(&batch);
        observer.start(jobs.len() as u64);
        execute(&batch, &jobs[..], threads, &mut collected, &on_run).map_err(in_folder)?;
    } else {
        // Every scenario is paired, so all share one count: add a batch of
        // replicates to each until every comparison's interval is narrow enough.
        let cap = batch[0].scenario.replicates;
        if let Some(other) = batch.iter().find(|p| p.scenario.replicates != cap) {
            return Err(Error::Input(format!(
                "compare --until: every scenario shares one count of replicates, the cap, but `{}` has {} and \
                 `{}` has {cap}; give them the same `replicates` (or --replicates N)",
                other.scenario.name, other.scenario.replicates, batch[0].scenario.name
            )));
        }
        observer.start(u64::from(cap) * batch.len() as u64);
        let mut runs = 0;
        loop {
            let next = next_check(runs, cap);
            let jobs: Vec<Job> = (0..batch.len())
                .flat_map(|s| {
                    let seed = batch[s].scenario.seed;
                    (runs..next).map(move |replicate| Job {
                        scenario: s,
                        replicate,
                        seed: replicate_seed(seed, replicate),
                    })
                })
                .collect();
            execute(&batch, &jobs[..], threads, &mut collected, &on_run).map_err(in_folder)?;
            runs = next;
            let widths: Vec<(Until, f64)> = options
                .until
                .iter()
                .map(|rule| {
                    let widest = pairs
                        .iter()
                        .map(|p| rule.paired_width(&collected.runs[p.base], &collected.runs[p.policy]))
                        .fold(0.0, f64::max);
                    (*rule, widest)
                })
                .collect();
            let met = widths.iter().all(|(rule, w)| *w < rule.width);
            if met || runs >= cap {
                let why = if met {
                    "every paired interval narrower than its width".to_string()
                } else {
                    format!("the cap of {cap} replicates was reached first")
                };
                let widths: Vec<String> = widths
                    .iter()
                    .map(|(rule, w)| format!("{} widest paired interval {w:.6}", rule.text()))
                    .collect();
                stopping.push(format!(
                    "stopped after {runs} replicates, {why} ({})",
                    widths.join(", ")
                ));
                observer.note(&stopping[0]);
                break;
            }
        }
        for prepared in &mut batch {
            prepared.scenario.replicates = runs;
        }
    }
    observer.finish();
    let runs = collected.runs.iter().map(Vec::len).sum();
    let summaries = write(&folder, &batch, &collected, &pairs, stopping, || clock.provenance())?;
    let report = options.report.map(|write| write(&folder)).transpose()?;
    Ok(CompareOutcome {
        pairs: summaries,
        runs,
        seconds: clock.seconds(),
        threads,
        report,
    })
}

/// One scenario with the overrides applied.
fn load_one(reference: &str, overrides: &[(String, String)]) -> Result<Scenario> {
    let mut scenario = load_scenarios(&[reference.to_string()])?.remove(0);
    scenario::apply_overrides(&mut scenario, overrides)?;
    Ok(scenario)
}

/// The baseline first, then the policies, each paired with the baseline.
fn against_base(options: &CompareOptions) -> Result<(Vec<Scenario>, Vec<Pair>)> {
    let base_ref = options
        .base
        .as_deref()
        .ok_or_else(|| Error::Input("compare needs a BASE scenario and at least one POLICY".into()))?;
    if options.policies.is_empty() {
        return Err(Error::Input(format!(
            "compare {base_ref}: give at least one POLICY scenario to compare with it"
        )));
    }
    let mut scenarios = vec![load_one(base_ref, &options.overrides)?];
    let mut pairs = Vec::new();
    for reference in &options.policies {
        let mut policy = load_one(reference, &options.overrides)?;
        policy.name = unique_name(&policy.name, &scenarios);
        pairs.push(Pair {
            label: policy.name.clone(),
            policy_name: policy.name.clone(),
            future: None,
            base: 0,
            policy: scenarios.len(),
        });
        scenarios.push(policy);
    }
    Ok((scenarios, pairs))
}

/// Each future, then the policy's interventions on top of it, per policy.
fn across_futures(options: &CompareOptions) -> Result<(Vec<Scenario>, Vec<Pair>)> {
    if options.policies.is_empty() {
        return Err(Error::Input(
            "compare --across: give at least one POLICY scenario".into(),
        ));
    }
    let policies = options
        .policies
        .iter()
        .map(|r| load_one(r, &options.overrides))
        .collect::<Result<Vec<_>>>()?;
    let mut scenarios = Vec::new();
    let mut pairs = Vec::new();
    for reference in &options.across {
        let future = load_one(reference, &options.overrides)?;
        let base = scenarios.len();
        scenarios.push(future.clone());
        for policy in &policies {
            let mut on_top = future.clone();
            on_top.interventions.extend(policy.interventions.iter().cloned());
            on_top.name = format!("{}@{}", policy.name, future.name);
            scenario::validate(&on_top)?;
            pairs.push(Pair {
                label: on_top.name.clone(),
                policy_name: policy.name.clone(),
                future: Some(future.name.clone()),
                base,
                policy: scenarios.len(),
            });
            scenarios.push(on_top);
        }
    }
    if let Some(name) = duplicate(&scenarios) {
        return Err(Error::Input(format!(
            "compare --across: two runs would be named `{name}`; give each future once"
        )));
    }
    Ok((scenarios, pairs))
}

fn duplicate(scenarios: &[Scenario]) -> Option<&str> {
    scenarios
        .iter()
        .enumerate()
        .find(|(i, s)| scenarios[..*i].iter().any(|o| o.name == s.name))
        .map(|(_, s)| s.name.as_str())
}

/// `name`, or `name-2`, `name-3`, ... if a scenario already has it (comparing
/// a scenario with itself).
fn unique_name(name: &str, taken: &[Scenario]) -> String {
    let free = |n: &str| taken.iter().all(|s| s.name != n);
    if free(name) {
        return name.to_string();
    }
    (2..)
        .map(|k| format!("{name}-{k}"))
        .find(|n| free(n))
        .expect("a free name")
}

/// A policy is matched to its baseline replicate by replicate only if both
/// draw the same graphs and initial states for the same seeds, and an
/// interval needs two pairs at least.
fn check_pair(base: &Scenario, policy: &Scenario) -> Result<()> {
    let unmatched = |what: &str, b: String, p: String| {
        Error::Input(format!(
            "policy `{}` has {what} {p} but its baseline `{}` has {b}: its runs would not be paired \
             replicate by replicate with the baseline's; give both the same {what} (or --set {what}=...)",
            policy.name, base.name
        ))
    };
    if base.population != policy.population {
        let text = |s: &Scenario| ron::to_string(&s.population).unwrap_or_default();
        return Err(unmatched("population", text(base), text(policy)));
    }
    if base.seed != policy.seed {
        return Err(unmatched("seed", base.seed.to_string(), policy.seed.to_string()));
    }
    if base.replicates != policy.replicates {
        return Err(unmatched(
            "replicates",
            base.replicates.to_string(),
            policy.replicates.to_string(),
        ));
    }
    if base.steps != policy.steps || base.start != policy.start {
        let when = |s: &Scenario| format!("{} from {}", s.steps, s.start);
        return Err(unmatched("steps", when(base), when(policy)));
    }
    if base.replicates < 2 {
        return Err(Error::Input(format!(
            "compare needs at least 2 replicates (`{}` has {}): a paired 95% interval is undefined \
             for one pair; use --replicates 2 or more",
            base.name, base.replicates
        )));
    }
    Ok(())
}
