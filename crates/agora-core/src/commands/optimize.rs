//! `agora optimize`: robust policy portfolios across the futures (docs/optimize.md).
//!
//! A levers file names the decision variables (a lever path, its range or
//! the value it is switched to, and the range of its start month) and the
//! objectives (a metric at a month or over a period, minimised or maximised,
//! aggregated across futures and replicates by a robustness metric). Every
//! candidate policy is added as interventions to each future and run on the
//! same replicate seeds (common random numbers); its cost is its mean extra
//! spending over the futures without it (the `cost` metric, docs/costs.md),
//! always an objective, and `--budget` bounds it. NSGA-II
//! ([`crate::analysis::nsga2`]) searches; each generation is written as it
//! completes, so `--resume` replays the written generations and goes on with
//! the same bytes. The final front is run again on fresh seeds, with
//! bootstrap intervals over replicates.

use std::path::PathBuf;

use super::{Observer, ensure_fits};
use crate::analysis::nsga2::{self, Candidate, Evaluation};
use crate::analysis::robustness::{Aggregate, Sense};
use crate::analysis::{Estimate, resample};
use crate::error::{Error, Result};
use crate::memory::Estimate as Memory;
use crate::model::metrics::idx;
use crate::output::optimize::{self as out, Row};
use crate::output::{Folder, Stopwatch};
use crate::par::*;
use crate::rng::{mix64, replicate_seed};
use crate::runner::{Prepared, simulate};

mod levers;
pub use levers::{Direction, Goal, Lever, LeversFile, Objective, Policy, Search, Signpost, Start, Value, When};
use levers::{bad, intervention};

/// The goals' values and the cost of one run.
fn outcomes(search: &Search, prepared: &Prepared, seed: u64, triggers: &[Trigger]) -> Vec<f64> {
    let series = match triggers.is_empty() {
        true => simulate(prepared, seed).0,
        false => simulate_triggered(prepared, seed, triggers),
    };
    let mut v: Vec<f64> = search
        .goals
        .iter()
        .map(|g| {
            let slice = &series[g.steps.0 as usize..=g.steps.1 as usize];
            slice.iter().map(|m| m.values[g.metric]).sum::<f64>() / slice.len() as f64
        })
        .collect();
    v.push(series.last().expect("a run").values[idx::COST]);
    v
}

/// A signpost of a policy: watched from `from`, it sets `name` to `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The metric watched.
    pub metric: usize,
    /// The side of the threshold that starts the lever.
    pub direction: Direction,
    /// The threshold.
    pub threshold: f64,
    /// The first step watched.
    pub from: u32,
    /// The dynamics parameter (without `dynamics.`).
    pub name: String,
    /// The value it is set to.
    pub value: f64,
}

/// Run a replicate month by month: when a trigger's metric is past its
/// threshold at the end of a month (from its first month watched on), its
/// lever is set from the next month on (`Model::set_dynamics`), once.
pub fn simulate_triggered(prepared: &Prepared, seed: u64, triggers: &[Trigger]) -> Vec<crate::model::Metrics> {
    let scenario = &prepared.scenario;
    let mut model = crate::model::Model::new(scenario, seed, &prepared.graphs);
    let mut series = Vec::with_capacity(scenario.steps as usize + 1);
    series.push(model.metrics());
    let mut fired = vec![false; triggers.len()];
    for _ in 0..scenario.steps {
        model.step();
        let m = model.metrics();
        for (t, done) in triggers.iter().zip(fired.iter_mut()) {
            if !*done && m.step >= t.from && t.direction.crossed(m.values[t.metric], t.threshold) {
                model.set_dynamics(&t.name, t.value);
                *done = true;
            }
        }
        series.push(m);
    }
    series
}

/// Per policy, per goal and then the cost, per future, per replicate.
pub type Raw = Vec<Vec<Vec<Vec<f64>>>>;

/// Run `policies` (`None`: the futures without a policy) in every future on
/// `replicates` seeds of `seed`, in parallel, in a fixed order.
pub fn run_policies(search: &Search, policies: &[Option<Policy>], seed: u64, replicates: u32) -> Raw {
    let (n_f, n_r) = (search.futures.len(), replicates as usize);
    let jobs: Vec<(usize, usize, usize)> = (0..policies.len())
        .flat_map(|p| (0..n_f).flat_map(move |f| (0..n_r).map(move |r| (p, f, r))))
        .collect();
    let results: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|&(p, f, r)| {
            let future = &search.futures[f];
            let mut prepared = future.clone();
            let mut triggers = Vec::new();
            if let Some(policy) = &policies[p] {
                for (k, lever) in search.file.levers.iter().enumerate() {
                    let Some(v) = policy.values[k] else { continue };
                    match (search.signposts[k], policy.thresholds[k]) {
                        (Some(sp), Some(threshold)) => triggers.push(Trigger {
                            metric: sp.metric,
                            direction: sp.direction,
                            threshold,
                            from: policy.starts[k],
                            name: lever.path.trim_start_matches("dynamics.").to_string(),
                            value: v,
                        }),
                        _ => {
                            let i = intervention(policy.starts[k], &lever.path, v);
                            prepared.scenario.interventions.push(i);
                        }
                    }
                }
            }
            outcomes(search, &prepared, replicate_seed(seed, r as u32), &triggers)
        })
        .collect();
    let n_v = search.goals.len() + 1;
    (0..policies.len())
        .map(|p| {
            (0..n_v)
                .map(|v| {
                    (0..n_f)
                        .map(|f| (0..n_r).map(|r| results[(p * n_f + f) * n_r + r][v]).collect())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// What the search knows of the futures without a policy, and the
/// reference policies' best per-future values for regrets.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The futures' cost without a policy, per future and replicate.
    pub base_cost: Vec<Vec<f64>>,
    /// Per goal, per future: the best per-future value among the baseline
    /// and the initial population (for regrets).
    pub best: Vec<Vec<f64>>,
}

/// The objectives (natural units, cost last) and per goal the per-future
/// values of one policy's runs.
pub fn score(
    search: &Search,
    raw: &[Vec<Vec<f64>>],
    base_cost: &[Vec<f64>],
    best: &[Vec<f64>],
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let runs: Vec<usize> = raw[0].iter().map(Vec::len).collect();
    let mut objectives = Vec::new();
    let mut per_future = Vec::new();
    for (g, goal) in search.goals.iter().enumerate() {
        let pf = goal.aggregate.per_future(goal.sense, &raw[g]);
        let empty = Vec::new();
        objectives.push(
            goal.aggregate
                .combine(goal.sense, &pf, &runs, best.get(g).unwrap_or(&empty)),
        );
        per_future.push(pf);
    }
    let cost = &raw[search.goals.len()];
    let (mut extra, mut n) = (0.0, 0usize);
    for (f, runs) in cost.iter().enumerate() {
        for (r, c) in runs.iter().enumerate() {
            extra += c - base_cost[f][r % base_cost[f].len()];
            n += 1;
        }
    }
    objectives.push(extra / n.max(1) as f64);
    (objectives, per_future)
}

impl Search {
    /// The minimised vector and the violation of natural objectives.
    pub fn evaluation(&self, objectives: &[f64]) -> Evaluation {
        let mut f: Vec<f64> = self
            .goals
            .iter()
            .zip(objectives)
            .map(|(g, &v)| g.aggregate.sense(g.sense).loss(v))
            .collect();
        let cost = objectives[self.goals.len()];
        f.push(cost);
        (f, self.budget.map_or(0.0, |b| (cost - b).max(0.0)))
    }
}

/// What `agora optimize` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct OptimizeOptions {
    /// The futures: scenario files or built-in names; none: the three built-in ones.
    pub scenarios: Vec<String>,
    /// The levers file (RON).
    pub levers: PathBuf,
    /// The budget on the cost, euros per citizen.
    pub budget: Option<f64>,
    /// Candidate evaluations (rounded up to whole generations).
    pub evaluations: usize,
    /// The results folder.
    pub out: PathBuf,
    /// `PATH=VALUE` overrides applied to every future.
    pub overrides: Vec<(String, String)>,
    /// Overrides the levers file's seed.
    pub seed: Option<u64>,
    /// Worker threads; `None`: every core.
    pub threads: Option<usize>,
    /// Continue after the last complete generation of an interrupted run.
    pub resume: bool,
    /// Also write `report.html` with this writer (the report crate's).
    pub report: Option<super::ReportWriter>,
}

/// What a finished `agora optimize` reports.
#[derive(Debug, Clone)]
pub struct OptimizeOutcome {
    /// The resolved search.
    pub search: Search,
    /// The rows of `pareto.csv`.
    pub pareto: Vec<out::ParetoRow>,
    /// Hypervolume by generation.
    pub convergence: Vec<out::ConvergenceRow>,
    /// Generations found complete by `--resume`.
    pub resumed: usize,
    /// Runs simulated by this invocation.
    pub runs: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The report, if one was asked for.
    pub report: Option<PathBuf>,
}

/// Run the search and write its folder.
pub fn optimize(options: &OptimizeOptions, observer: &dyn Observer) -> Result<OptimizeOutcome> {
    let threads = crate::runner::threads(options.threads);
    let clock = Stopwatch::start(threads);
    if !options.levers.is_file() {
        return Err(bad(&options.levers, "no such levers file"));
    }
    if options.evaluations == 0 {
        return Err(Error::Input("--evaluations: give at least 1".into()));
    }
    let search = Search::load(
        &options.levers,
        &options.scenarios,
        &options.overrides,
        options.budget,
        options.evaluations,
        options.seed,
    )?;
    ensure_fits(&Memory::of(&search.futures.iter().collect::<Vec<_>>(), threads, None))?;
    let folder = Folder::lock(&options.out)?;
    folder.retract()?;
    let pool = crate::par::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::io("starting worker threads", std::io::Error::other(e)))?;
    let record = out::record(&search, options);
    let mut state = out::State::open(&folder, &search, &record, options.resume)?;
    let resumed = state.generations();
    if resumed > 0 {
        observer.note(&format!(
            "resuming after generation {} of {}",
            resumed - 1,
            options.out.display()
        ));
    }
    let (n_f, reps) = (search.futures.len(), search.file.replicates as usize);
    let mut runs = 0;
    let base = pool.install(|| run_policies(&search, &[None], search.file.seed, search.file.replicates));
    runs += n_f * reps;
    let base_cost = base[0][search.goals.len()].clone();
    let mut reference = Reference {
        base_cost,
        best: state.regret_reference(&search, &base[0]),
    };
    let bounds = search.bounds();
    let replay = state.replay(&search)?;
    observer.start((search.config.generations + 1).saturating_sub(resumed) as u64);
    let pending = std::cell::RefCell::new(Vec::new());
    let last = {
        nsga2::nsga2(
            &search.config,
            &bounds,
            replay,
            |g, xs| {
                let policies: Vec<Option<Policy>> = xs.iter().map(|x| Some(search.decode(x))).collect();
                let raw = pool.install(|| run_policies(&search, &policies, search.file.seed, search.file.replicates));
                runs += xs.len() * n_f * reps;
                if g == 0 {
                    reference.best = best_of(&search, &base[0], &raw);
                }
                let mut rows = Vec::new();
                for (i, (x, r)) in xs.iter().zip(&raw).enumerate() {
                    let (objectives, per_future) = score(&search, r, &reference.base_cost, &reference.best);
                    let (_, violation) = search.evaluation(&objectives);
                    rows.push(Row {
                        generation: g,
                        candidate: i,
                        genes: x.clone(),
                        objectives,
                        per_future,
                        violation,
                    });
                }
                let evaluations = rows.iter().map(|r| search.evaluation(&r.objectives)).collect();
                *pending.borrow_mut() = rows;
                Ok::<_, Error>(evaluations)
            },
            |generation| {
                state.complete(&folder, &search, generation, pending.take())?;
                observer.run_done();
                Ok(())
            },
        )
    }?;
    observer.finish();
    let front = front_policies(&search, &last);
    let fresh_seed = mix64(search.file.seed ^ 0x6f70_7469_6d69_7a65);
    let fresh = pool.install(|| {
        run_policies(
            &search,
            &front.iter().map(|c| Some(search.decode(&c.x))).collect::<Vec<_>>(),
            fresh_seed,
            search.file.reevaluation,
        )
    });
    let fresh_base = pool.install(|| run_policies(&search, &[None], fresh_seed, search.file.reevaluation));
    runs += (front.len() + 1) * n_f * search.file.reevaluation as usize;
    let pareto = pareto_rows(
        &search,
        &front,
        &fresh,
        &fresh_base[0][search.goals.len()],
        &reference.best,
    );
    let convergence = state.convergence.clone();
    state.finish(&folder, &search, &pareto, &record, &options.levers, &clock)?;
    let report = options.report.map(|write| write(&folder)).transpose()?;
    Ok(OptimizeOutcome {
        search,
        pareto,
        convergence,
        resumed,
        runs,
        seconds: clock.seconds(),
        report,
    })
}

/// Per goal and future, the best per-future value of the baseline and the
/// initial population.
pub fn best_of(search: &Search, base: &[Vec<Vec<f64>>], raw: &Raw) -> Vec<Vec<f64>> {
    search
        .goals
        .iter()
        .enumerate()
        .map(|(g, goal)| {
            let mut all = vec![goal.aggregate.per_future(goal.sense, &base[g])];
            all.extend(raw.iter().map(|r| goal.aggregate.per_future(goal.sense, &r[g])));
            Aggregate::best(goal.sense, &all)
        })
        .collect()
}

/// The feasible non-dominated survivors (all of the first rank when none is
/// feasible), one per distinct policy, in survivor order.
fn front_policies(search: &Search, last: &[Candidate]) -> Vec<Candidate> {
    let mut front: Vec<Candidate> = Vec::new();
    let mut seen: Vec<Policy> = Vec::new();
    for c in last.iter().filter(|c| c.rank == 0) {
        let p = search.decode(&c.x);
        if !seen.contains(&p) {
            seen.push(p);
            front.push(c.clone());
        }
    }
    front
}

/// Bootstrap resamples of the fresh replicates for the intervals.
const BOOTSTRAP: u64 = 200;

/// `pareto.csv`'s rows: the search's estimates and the fresh ones with
/// bootstrap 95% intervals (replicates resampled, the same ones in every future).
fn pareto_rows(
    search: &Search,
    front: &[Candidate],
    fresh: &Raw,
    fresh_base_cost: &[Vec<f64>],
    best: &[Vec<f64>],
) -> Vec<out::ParetoRow> {
    let n_r = search.file.reevaluation as usize;
    front
        .iter()
        .zip(fresh)
        .enumerate()
        .map(|(i, (c, raw))| {
            let (value, _) = score(search, raw, fresh_base_cost, best);
            let draws: Vec<Vec<f64>> = (0..BOOTSTRAP)
                .map(|b| {
                    let pick = resample(search.file.seed ^ i as u64, b, n_r);
                    let take = |runs: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
                        runs.iter().map(|r| pick.iter().map(|&k| r[k]).collect()).collect()
                    };
                    let resampled: Vec<Vec<Vec<f64>>> = raw.iter().map(take).collect();
                    score(search, &resampled, &take(&fresh_base_cost.to_vec()), best).0
                })
                .collect();
            let fresh = value
                .iter()
                .enumerate()
                .map(|(k, &v)| Estimate::from_replicates(v, draws.iter().map(|d| d[k]).collect()))
                .collect();
            let objectives = (0..search.goals.len())
                .map(|g| match search.goals[g].aggregate.sense(search.goals[g].sense) {
                    Sense::Minimise => c.f[g],
                    Sense::Maximise => -c.f[g],
                })
                .chain(std::iter::once(c.f[search.goals.len()]))
                .collect();
            out::ParetoRow {
                policy: search.decode(&c.x),
                objectives,
                fresh,
                violation: c.violation,
            }
        })
        .collect()
}
