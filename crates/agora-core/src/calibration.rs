//! Calibration files for `agora calibrate`: a base scenario, uniform priors
//! over parameter paths, an observed series (`date,value`) matched to one
//! metric, and the settings of approximate Bayesian computation
//! ([`crate::analysis::abc`]).
//!
//! The distance of a parameter vector is the root mean square error, at the
//! observed dates, between the observations and the mean over `replicates`
//! replicates of the metric.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::analysis::abc::AbcConfig;
use crate::calendar::Month;
use crate::error::{Error, Result};
use crate::model::metrics::{METRIC_NAMES, metric};
use crate::output::table::CsvInput;
use crate::rng::replicate_seed;
use crate::runner::{Prepared, simulate};
use crate::scenario::{self, Scenario};

/// A calibration file as written.
#[derive(Debug, Deserialize)]
#[serde(rename = "Calibration", deny_unknown_fields)]
struct CalibrationFile {
    name: String,
    base: String,
    priors: IndexMap<String, (f64, f64)>,
    observed: String,
    metric: String,
    #[serde(default = "default_population")]
    population: usize,
    #[serde(default = "default_alpha")]
    alpha: f64,
    #[serde(default = "default_min_acceptance")]
    min_acceptance: f64,
    #[serde(default = "default_max_generations")]
    max_generations: usize,
    #[serde(default = "one")]
    replicates: u32,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    set: IndexMap<String, String>,
}

fn default_population() -> usize {
    200
}
fn default_alpha() -> f64 {
    0.5
}
fn default_min_acceptance() -> f64 {
    0.05
}
fn default_max_generations() -> usize {
    30
}
fn one() -> u32 {
    1
}

/// One observation: a month and the observed value of the metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// `YYYY-MM`.
    pub date: String,
    /// The step of the run dated `date`.
    pub step: u32,
    /// The observed value.
    pub value: f64,
}

/// A resolved, checked calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Its name (the default output folder is `results/<name>`).
    pub name: String,
    /// The base scenario with `set` applied and `steps` up to the last
    /// observation (unless `set` gives `steps`).
    pub scenario: Scenario,
    /// The calibrated parameter paths, in file order.
    pub parameters: Vec<String>,
    /// `(low, high)` of each parameter's uniform prior.
    pub priors: Vec<(f64, f64)>,
    /// The observed series file, as resolved.
    pub observed_file: PathBuf,
    /// The observations, in file order.
    pub observed: Vec<Observation>,
    /// The metric matched to the observations.
    pub metric: String,
    /// Particles of generation 0; `alpha` of them are kept per generation.
    pub population: usize,
    /// Share kept per generation.
    pub alpha: f64,
    /// Stop once the acceptance rate falls below this.
    pub min_acceptance: f64,
    /// Stop after this many generations at most.
    pub max_generations: usize,
    /// Replicates averaged per simulated particle.
    pub replicates: u32,
    /// The seed of every draw.
    pub seed: u64,
}

/// Bad input in the calibration file `path`.
fn bad(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {message}", path.display()))
}

impl Calibration {
    /// Read and check a calibration file.
    pub fn load(path: &Path) -> Result<Calibration> {
        let text = std::fs::read_to_string(path).map_err(|e| bad(path, e))?;
        let source = scenario::Source::File(path.to_path_buf());
        let file: CalibrationFile = ron::Options::default()
            .from_str(&text)
            .map_err(|e| scenario::ScenarioError::parse(&source, &e))?;
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut scenario = scenario::load(&folder, &file.base)?;
        let set: Vec<(String, String)> = file.set.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        scenario::apply_overrides(&mut scenario, &set)?;
        if metric(&file.metric).is_none() {
            let names = METRIC_NAMES.join(", ");
            let hint = scenario::suggest::hint(&file.metric, METRIC_NAMES.iter().copied());
            return Err(bad(
                path,
                format!("unknown metric `{}`{hint}; metrics: {names}", file.metric),
            ));
        }
        let observed_file = folder.join(&file.observed);
        let series = read_observed(&observed_file)?;
        if !file.set.contains_key("steps") {
            scenario.steps = last_step(&scenario, &series, &observed_file)?;
        }
        let observed = date_steps(&scenario, series, &observed_file)?;
        let calibration = Calibration {
            name: file.name,
            scenario,
            parameters: file.priors.keys().cloned().collect(),
            priors: file.priors.values().copied().collect(),
            observed_file,
            observed,
            metric: file.metric,
            population: file.population,
            alpha: file.alpha,
            min_acceptance: file.min_acceptance,
            max_generations: file.max_generations,
            replicates: file.replicates,
            seed: file.seed,
        };
        calibration.check(path)?;
        Ok(calibration)
    }

    /// Check the priors (each path settable at both ends) and the settings.
    fn check(&self, path: &Path) -> Result<()> {
        self.config().check(&self.priors).map_err(|e| bad(path, e))?;
        if self.replicates < 1 {
            return Err(bad(path, "replicates: 0; at least 1 is needed"));
        }
        for (name, &(low, high)) in self.parameters.iter().zip(&self.priors) {
            for end in [low, high] {
                let mut s = self.scenario.clone();
                scenario::set_path(&mut s, name, &end.to_string()).map_err(|error| scenario::ScenarioError::Path {
                    context: format!("{}: prior `{name}`", path.display()),
                    error,
                })?;
                scenario::validate(&s)?;
            }
        }
        Ok(())
    }

    /// The ABC settings.
    pub fn config(&self) -> AbcConfig {
        AbcConfig {
            population: self.population,
            alpha: self.alpha,
            min_acceptance: self.min_acceptance,
            max_generations: self.max_generations,
            seed: self.seed,
        }
    }

    /// The base scenario ready to run (its edge lists loaded once).
    pub fn prepare(&self) -> Result<Prepared> {
        Ok(Prepared::new(self.scenario.clone())?)
    }

    /// The mean over replicates of the metric at each observed date, for
    /// parameters `theta` and replicate seeds drawn from `seed`.
    pub fn simulate(&self, base: &Prepared, theta: &[f64], seed: u64) -> Result<Vec<f64>> {
        let mut prepared = base.clone();
        for (name, x) in self.parameters.iter().zip(theta) {
            scenario::set_path(&mut prepared.scenario, name, &x.to_string()).map_err(|error| {
                scenario::ScenarioError::Path {
                    context: format!("prior `{name}`"),
                    error,
                }
            })?;
        }
        scenario::validate(&prepared.scenario)?;
        let mut sums = vec![0.0; self.observed.len()];
        for r in 0..self.replicates {
            let (series, _) = simulate(&prepared, replicate_seed(seed, r));
            for (sum, o) in sums.iter_mut().zip(&self.observed) {
                *sum += series[o.step as usize].get(&self.metric).unwrap_or(f64::NAN);
            }
        }
        Ok(sums.into_iter().map(|s| s / f64::from(self.replicates)).collect())
    }

    /// The RMSE of `simulated` against the observations (infinite if undefined).
    pub fn rmse(&self, simulated: &[f64]) -> f64 {
        let sum: f64 = simulated
            .iter()
            .zip(&self.observed)
            .map(|(s, o)| (s - o.value).powi(2))
            .sum();
        let rmse = (sum / self.observed.len() as f64).sqrt();
        if rmse.is_nan() { f64::INFINITY } else { rmse }
    }

    /// The distance of `theta` with simulation seed `seed`; an invalid
    /// point is infinitely far.
    pub fn distance(&self, base: &Prepared, theta: &[f64], seed: u64) -> f64 {
        match self.simulate(base, theta, seed) {
            Ok(simulated) => self.rmse(&simulated),
            Err(_) => f64::INFINITY,
        }
    }

    /// A fingerprint of the resolved calibration, to tell whether a partial
    /// folder belongs to it.
    pub fn fingerprint(&self) -> String {
        ron::to_string(self).expect("a calibration serializes")
    }
}

/// `date,value` rows of an observed series (lines starting with `#` are comments).
fn read_observed(path: &Path) -> Result<Vec<(Month, String, f64)>> {
    let table = CsvInput::read_commented(path)?;
    let column = |name: &str| {
        table.find(name).ok_or_else(|| {
            bad(
                path,
                format!(
                    "no `{name}` column (columns: {}); the file needs date,value",
                    table.header.join(",")
                ),
            )
        })
    };
    let (date, value) = (column("date")?, column("value")?);
    let mut out = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let line = table.line(r);
        let month = Month::parse(&row[date])
            .ok_or_else(|| bad(path, format!("line {line}: date `{}` is not YYYY-MM", &row[date])))?;
        let x: f64 = row[value]
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad(path, format!("line {line}: value `{}` is not a number", &row[value])))?;
        out.push((month, month.to_string(), x));
    }
    if out.is_empty() {
        return Err(bad(path, "no observations; rows of date,value are needed"));
    }
    Ok(out)
}

/// The step of the last observation (the shortest run that covers them all).
fn last_step(scenario: &Scenario, series: &[(Month, String, f64)], path: &Path) -> Result<u32> {
    let start = start_of(scenario)?;
    let last = series.iter().map(|o| o.0).max().expect("not empty");
    u32::try_from(start.months_to(last)).map_err(|_| bad(path, format!("{last} is before the run starts ({start})")))
}

fn start_of(scenario: &Scenario) -> Result<Month> {
    Month::parse(&scenario.start).ok_or_else(|| Error::Input(format!("start `{}` is not YYYY-MM", scenario.start)))
}

/// The observations with their steps; dates outside the run are refused.
fn date_steps(scenario: &Scenario, series: Vec<(Month, String, f64)>, path: &Path) -> Result<Vec<Observation>> {
    let start = start_of(scenario)?;
    let end = start.plus(scenario.steps);
    series
        .into_iter()
        .map(|(month, date, value)| match u32::try_from(start.months_to(month)) {
            Ok(step) if step <= scenario.steps => Ok(Observation { date, step, value }),
            _ => Err(bad(
                path,
                format!("date {month} is outside the run ({start} to {end}); observe inside it or change steps"),
            )),
        })
        .collect()
}
