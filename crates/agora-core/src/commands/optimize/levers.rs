//! The levers file of `agora optimize`: levers (a parameter path, a range
//! or a switch, a start month, a month range or a signpost), objectives
//! (a metric, when, the sense and the robustness metric), read, checked
//! against every future and resolved into a [`Search`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::nsga2::Config;
use crate::analysis::robustness::{Aggregate, Sense};
use crate::calendar::Month;
use crate::commands::load_scenarios;
use crate::error::{Error, Result};
use crate::model::metrics::{METRIC_NAMES, metric};
use crate::runner::Prepared;
use crate::scenario::{self, Intervention, ScenarioError, Source, Target};

/// A decision variable's value: a range, or one value it is switched to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// Any value from low to high.
    Range(f64, f64),
    /// Off (the future's own value) or on (this value).
    Switch(f64),
}

/// When a lever starts: a month, or any month of a range (both `YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Start {
    /// The branch month of the futures (their first month without one).
    #[default]
    Branch,
    /// This month.
    At(String),
    /// Any month from the first to the second, inclusive.
    Range(String, String),
    /// A signpost (adaptive pathways, Haasnoot et al. 2013): the lever
    /// starts the month after `metric` is first seen `Above` or `Below` the
    /// threshold, watched from the month after the branch; the threshold is any value
    /// from the first number to the second (equal: fixed).
    Signpost(String, Direction, f64, f64),
}

/// Which side of a signpost's threshold starts its lever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// When the metric exceeds the threshold.
    Above,
    /// When the metric falls below the threshold.
    Below,
}

impl Direction {
    /// Whether `value` is past `threshold` on this side.
    pub fn crossed(self, value: f64, threshold: f64) -> bool {
        match self {
            Direction::Above => value > threshold,
            Direction::Below => value < threshold,
        }
    }
}

/// A resolved signpost: the metric's index, the side, the threshold range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signpost {
    /// The metric watched.
    pub metric: usize,
    /// The side of the threshold that starts the lever.
    pub direction: Direction,
    /// The threshold's range (equal ends: fixed).
    pub range: (f64, f64),
}

/// One lever of the levers file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    /// The parameter path (`dynamics.<name>`), as in an intervention.
    pub path: String,
    /// Its range, or the value it is switched to.
    pub value: Value,
    /// When it starts; default: the branch month of the futures.
    #[serde(default)]
    pub start: Start,
}

/// When an objective reads its metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum When {
    /// The last month of the runs.
    End,
    /// This month (`YYYY-MM`).
    Month(String),
    /// The mean over these months, inclusive.
    Period(String, String),
}

/// One objective of the levers file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// A metric name (docs/model.md section 9).
    pub metric: String,
    /// When it is read; default: the last month.
    #[serde(default = "end")]
    pub at: When,
    /// Minimise or Maximise the metric.
    pub sense: Sense,
    /// Across futures and replicates; default: Mean.
    #[serde(default = "mean")]
    pub aggregate: Aggregate,
    /// The column name; default `<aggregate>_<metric>`.
    #[serde(default)]
    pub name: Option<String>,
}

fn end() -> When {
    When::End
}
fn mean() -> Aggregate {
    Aggregate::Mean
}

/// A levers file (RON) as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Levers", deny_unknown_fields)]
pub struct LeversFile {
    /// A name for the search.
    pub name: String,
    /// The decision variables.
    pub levers: Vec<Lever>,
    /// The objectives (the cost is always one more).
    pub objectives: Vec<Objective>,
    /// Policies per generation (even, at least 4).
    #[serde(default = "forty")]
    pub population: usize,
    /// Replicates of each future per policy.
    #[serde(default = "four")]
    pub replicates: u32,
    /// Replicates per future of the fresh re-evaluation of the front.
    #[serde(default = "ten")]
    pub reevaluation: u32,
    /// The seed of the search and of the replicates.
    #[serde(default)]
    pub seed: u64,
}

fn forty() -> usize {
    40
}
fn four() -> u32 {
    4
}
fn ten() -> u32 {
    10
}

/// A resolved objective: the metric's index and the months it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Its column name.
    pub name: String,
    /// The metric's index.
    pub metric: usize,
    /// First and last step read (the mean between).
    pub steps: (u32, u32),
    /// The metric's sense.
    pub sense: Sense,
    /// The robustness metric.
    pub aggregate: Aggregate,
}

/// A resolved search: the futures, the levers and goals, the settings.
#[derive(Debug, Clone)]
pub struct Search {
    /// The file as read (recorded for `--resume`).
    pub file: LeversFile,
    /// Each lever's start steps (first, last); a signpost's: the branch.
    pub starts: Vec<(u32, u32)>,
    /// Each lever's signpost, if it has one.
    pub signposts: Vec<Option<Signpost>>,
    /// The objectives.
    pub goals: Vec<Goal>,
    /// The futures every policy is run in.
    pub futures: Vec<Prepared>,
    /// The budget on the cost, euros per citizen; `None`: none.
    pub budget: Option<f64>,
    /// NSGA-II's settings.
    pub config: Config,
}

/// A decoded policy: per lever its value (`None`: switched off) and start step.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Per lever, the value set, or `None` when a switch is off.
    pub values: Vec<Option<f64>>,
    /// Per lever, the step it starts at (a signpost's: from which it is watched).
    pub starts: Vec<u32>,
    /// Per lever with a signpost, its threshold.
    pub thresholds: Vec<Option<f64>>,
}

pub(super) fn bad(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {message}", path.display()))
}

/// The closest of `names` to `word`, if close enough to suggest.
fn did_you_mean<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for j in 0..b.len() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != b[j])).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    };
    names
        .into_iter()
        .map(|n| (distance(word, n), n))
        .filter(|(d, n)| *d <= 3.max(n.len() / 3))
        .min()
        .map_or(String::new(), |(_, n)| format!("; did you mean `{n}`?"))
}

impl Search {
    /// Read and check a levers file against the futures `scenarios` name.
    pub fn load(
        path: &Path,
        scenarios: &[String],
        overrides: &[(String, String)],
        budget: Option<f64>,
        evaluations: usize,
        seed: Option<u64>,
    ) -> Result<Search> {
        let text = std::fs::read_to_string(path).map_err(|e| bad(path, e))?;
        let source = Source::File(path.to_path_buf());
        let mut file: LeversFile = ron::Options::default()
            .from_str(&text)
            .map_err(|e| ScenarioError::parse(&source, &e))?;
        if let Some(seed) = seed {
            file.seed = seed;
        }
        let mut futures = Vec::new();
        for mut s in load_scenarios(scenarios)? {
            scenario::apply_overrides(&mut s, overrides)?;
            futures.push(Prepared::new(s)?);
        }
        let first = &futures[0].scenario;
        for f in &futures[1..] {
            if f.scenario.start != first.start || f.scenario.steps != first.steps {
                return Err(Error::Input(format!(
                    "futures `{}` and `{}` cover different months; give them the same start and steps",
                    first.name, f.scenario.name
                )));
            }
        }
        let start = Month::parse(&first.start).expect("a validated start month");
        let step_of = |month: &str, what: &str| -> Result<u32> {
            let m =
                Month::parse(month).ok_or_else(|| bad(path, format!("{what}: `{month}` is not a YYYY-MM month")))?;
            let s = start.months_to(m);
            if s < 0 || s > first.steps as i32 {
                return Err(bad(
                    path,
                    format!(
                        "{what}: {month} is outside the runs ({} to {})",
                        first.start,
                        start.plus(first.steps)
                    ),
                ));
            }
            Ok(s as u32)
        };
        let check = |cond: bool, message: String| if cond { Ok(()) } else { Err(bad(path, message)) };
        check(!file.levers.is_empty(), "give at least one lever".into())?;
        check(!file.objectives.is_empty(), "give at least one objective".into())?;
        check(
            file.population >= 4 && file.population.is_multiple_of(2),
            format!("population: {} must be even and at least 4", file.population),
        )?;
        check(file.replicates >= 1, "replicates: at least 1".into())?;
        check(
            file.reevaluation >= 2,
            "reevaluation: at least 2 (an interval needs two replicates)".into(),
        )?;
        let branch = first.branch_step().unwrap_or(0).min(first.steps);
        let mut starts = Vec::new();
        let mut signposts = Vec::new();
        for (i, lever) in file.levers.iter().enumerate() {
            let what = format!("levers[{i}] `{}`", lever.path);
            let (lo, hi) = match lever.value {
                Value::Range(lo, hi) => {
                    check(
                        lo.is_finite() && hi.is_finite() && lo < hi,
                        format!("{what}: Range({lo}, {hi}) needs finite low < high"),
                    )?;
                    (lo, hi)
                }
                Value::Switch(v) => (v, v),
            };
            let span = match &lever.start {
                Start::Branch => (branch, branch),
                Start::At(m) => (step_of(m, &what)?, step_of(m, &what)?),
                Start::Range(a, b) => (step_of(a, &what)?, step_of(b, &what)?),
                // Watched from the month after the branch, so that the
                // future's own changes at the branch come first.
                Start::Signpost(..) => ((branch + 1).min(first.steps), (branch + 1).min(first.steps)),
            };
            signposts.push(match &lever.start {
                Start::Signpost(name, direction, low, high) => {
                    let m = metric(name).ok_or_else(|| {
                        bad(
                            path,
                            format!(
                                "{what}: unknown signpost metric `{name}`{}",
                                did_you_mean(name, METRIC_NAMES.iter().copied())
                            ),
                        )
                    })?;
                    check(
                        low.is_finite() && high.is_finite() && low <= high,
                        format!("{what}: Signpost thresholds ({low}, {high}) need finite low <= high"),
                    )?;
                    check(
                        lever.path.starts_with("dynamics."),
                        format!("{what}: a signpost starts a `dynamics.` lever only"),
                    )?;
                    Some(Signpost {
                        metric: METRIC_NAMES.iter().position(|n| *n == m.name).expect("a metric"),
                        direction: *direction,
                        range: (*low, *high),
                    })
                }
                _ => None,
            });
            check(
                span.0 <= span.1,
                format!("{what}: the start range ends before it begins"),
            )?;
            for value in [lo, hi] {
                for f in &futures {
                    let mut s = f.scenario.clone();
                    s.interventions.push(intervention(span.0, &lever.path, value));
                    scenario::validate(&s).map_err(|e| bad(path, format!("{what} at {value}: {e}")))?;
                }
            }
            starts.push(span);
        }
        let mut goals = Vec::new();
        for (i, o) in file.objectives.iter().enumerate() {
            let what = format!("objectives[{i}]");
            let m = metric(&o.metric).ok_or_else(|| {
                bad(
                    path,
                    format!(
                        "{what}: unknown metric `{}`{}",
                        o.metric,
                        did_you_mean(&o.metric, METRIC_NAMES.iter().copied())
                    ),
                )
            })?;
            let steps = match &o.at {
                When::End => (first.steps, first.steps),
                When::Month(a) => (step_of(a, &what)?, step_of(a, &what)?),
                When::Period(a, b) => (step_of(a, &what)?, step_of(b, &what)?),
            };
            check(steps.0 <= steps.1, format!("{what}: the period ends before it begins"))?;
            if let Aggregate::Satisficing(t) = o.aggregate {
                check(t.is_finite(), format!("{what}: Satisficing needs a finite threshold"))?;
            }
            let name = o
                .name
                .clone()
                .unwrap_or_else(|| format!("{}_{}", o.aggregate.stem(), o.metric));
            check(
                name != "cost" && !goals.iter().any(|g: &Goal| g.name == name),
                format!("{what}: two objectives are named `{name}` (cost is taken); give one a `name`"),
            )?;
            goals.push(Goal {
                name,
                metric: METRIC_NAMES.iter().position(|n| *n == m.name).expect("a metric"),
                steps,
                sense: o.sense,
                aggregate: o.aggregate,
            });
        }
        if let Some(b) = budget {
            check(
                b.is_finite() && b >= 0.0,
                format!("--budget {b}: give euros per citizen, 0 or more"),
            )
            .map_err(|_| Error::Input(format!("--budget {b}: give euros per citizen, 0 or more")))?;
        }
        let generations = evaluations.div_ceil(file.population).saturating_sub(1).max(1);
        let config = Config::new(file.population, generations, file.seed);
        Ok(Search {
            file,
            starts,
            signposts,
            goals,
            futures,
            budget,
            config,
        })
    }

    /// The search coordinates: a lever's value (a switch's in [0, 1]: on
    /// from 0.5), then its start month where it has a range, or its
    /// signpost's threshold where that has one.
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        let mut b = Vec::new();
        for (k, (lever, &(s0, s1))) in self.file.levers.iter().zip(&self.starts).enumerate() {
            b.push(match lever.value {
                Value::Range(lo, hi) => (lo, hi),
                Value::Switch(_) => (0.0, 1.0),
            });
            if s1 > s0 {
                b.push((f64::from(s0), f64::from(s1) + 1.0));
            }
            if let Some(Signpost { range: (lo, hi), .. }) = self.signposts[k]
                && hi > lo
            {
                b.push((lo, hi));
            }
        }
        b
    }

    /// The policy at search coordinates `x`.
    pub fn decode(&self, x: &[f64]) -> Policy {
        let mut k = 0;
        let mut policy = Policy {
            values: Vec::new(),
            starts: Vec::new(),
            thresholds: Vec::new(),
        };
        for (j, (lever, &(s0, s1))) in self.file.levers.iter().zip(&self.starts).enumerate() {
            policy.values.push(match lever.value {
                Value::Range(..) => Some(x[k]),
                Value::Switch(v) => (x[k] >= 0.5).then_some(v),
            });
            k += 1;
            policy.starts.push(if s1 > s0 {
                k += 1;
                (x[k - 1].floor() as u32).clamp(s0, s1)
            } else {
                s0
            });
            policy.thresholds.push(self.signposts[j].map(|sp| match sp.range {
                (lo, hi) if hi > lo => {
                    k += 1;
                    x[k - 1]
                }
                (lo, _) => lo,
            }));
        }
        policy
    }

    /// The objective names, then `cost`.
    pub fn objective_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.goals.iter().map(|g| g.name.clone()).collect();
        names.push("cost".into());
        names
    }

    /// The future names.
    pub fn future_names(&self) -> Vec<String> {
        self.futures.iter().map(|f| f.scenario.name.clone()).collect()
    }
}

pub(super) fn intervention(at: u32, path: &str, value: f64) -> Intervention {
    Intervention {
        at,
        set: BTreeMap::from([(path.to_string(), value)]),
        target: Target::All,
    }
}
