//! Parameter sweeps: a base scenario, a design of points (parameter-path
//! assignments), replicates per point, and the split of the runs into shards.
//!
//! Seeds: replicate `r` of every point is seeded `replicate_seed(seed, r)`,
//! so all points share their random numbers replicate by replicate (common
//! random numbers) and differences between points measure the parameters.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rand::RngExt;
use ron::value::RawValue;
use serde::{Deserialize, Serialize};

use crate::rng::{Purpose, Streams, replicate_seed};
use crate::runner::{Job, Jobs};
use crate::scenario::settings::Given;
use crate::scenario::{self, Scenario, ScenarioError};

/// A sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(rename = "Sweep", deny_unknown_fields)]
struct SweepFile {
    name: String,
    /// The base scenario, relative to the sweep file (or a built-in name).
    base: String,
    design: DesignFile,
    /// Default: the base scenario's.
    #[serde(default)]
    replicates: Given<u32>,
    /// Default: the base scenario's.
    #[serde(default)]
    seed: Given<u64>,
    /// Also stream every run's monthly metrics to `timeseries.csv`.
    #[serde(default)]
    series: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
enum DesignFile {
    /// Full factorial over the listed values, the last axis varying fastest.
    Grid { axes: IndexMap<String, Vec<Box<RawValue>>> },
    /// `samples` points; each axis range cut into `samples` equal strata,
    /// one sample in each.
    LatinHypercube {
        samples: u32,
        ranges: IndexMap<String, (f64, f64)>,
    },
    /// The Saltelli scheme on a scrambled Sobol' sequence: `samples (D + 2)`
    /// points, or `samples (2D + 2)` with `second_order`.
    Sobol {
        samples: u32,
        ranges: IndexMap<String, (f64, f64)>,
        #[serde(default)]
        second_order: bool,
    },
    /// `trajectories` Morris elementary-effects trajectories of `D + 1`
    /// points on a `levels`-point grid (default 4).
    Morris {
        trajectories: u32,
        #[serde(default = "four")]
        levels: u32,
        ranges: IndexMap<String, (f64, f64)>,
    },
}

fn four() -> u32 {
    4
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The sensitivity design a sweep's points come from, as `agora sensitivity`
/// needs it to read the outputs back: which method, its size, the ranges of
/// the axes (in axis order) and, for Morris, the unit-hypercube rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SensitivityDesign {
    /// A Saltelli design in SALib's row order
    /// ([`crate::analysis::saltelli`]): `samples` base rows.
    Sobol {
        /// Base rows N.
        samples: u32,
        /// Whether the design has the `BA` blocks for second-order indices.
        second_order: bool,
        /// `(low, high)` of each axis.
        ranges: Vec<(f64, f64)>,
    },
    /// Morris trajectories, `D + 1` rows each.
    Morris {
        /// Trajectories R.
        trajectories: u32,
        /// Grid levels p.
        levels: u32,
        /// `(low, high)` of each axis.
        ranges: Vec<(f64, f64)>,
        /// The unit-hypercube row of each point (exact multiples of 1/(p-1)).
        unit: Vec<Vec<f64>>,
    },
}

impl SensitivityDesign {
    /// `"Sobol"` or `"Morris"`.
    pub fn method(&self) -> &'static str {
        match self {
            SensitivityDesign::Sobol { .. } => "Sobol",
            SensitivityDesign::Morris { .. } => "Morris",
        }
    }

    /// How many points the design has.
    pub fn points(&self) -> usize {
        match self {
            SensitivityDesign::Sobol {
                samples,
                second_order,
                ranges,
            } => crate::analysis::design_rows(*samples as usize, ranges.len(), *second_order),
            SensitivityDesign::Morris { unit, .. } => unit.len(),
        }
    }
}

/// A resolved, validated sweep: what `sweep.ron` records and merge checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The sweep's name (the default output folder is `results/<name>`).
    pub name: String,
    /// Hash of the resolved content (base, axes, points, replicates, seed, and
    /// the sensitivity design and `series` when present).
    pub hash: String,
    /// Replicates per point.
    pub replicates: u32,
    /// The seed every point's replicates are seeded from (and the design's).
    pub seed: u64,
    /// The swept parameter paths, in design order.
    pub axes: Vec<String>,
    /// `points[p][a]`: the RON value of axis `a` at point `p`.
    pub points: Vec<Vec<String>>,
    /// The resolved base scenario.
    pub base: Scenario,
    /// The Sobol' or Morris design of the points; `None` for Grid and
    /// LatinHypercube, whose points say all there is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<SensitivityDesign>,
    /// Whether runs also write their monthly metrics to `timeseries.csv`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub series: bool,
}

/// Which part of a sweep's runs this process computes: job `k` belongs to
/// shard `k % count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// I, from 0.
    pub index: u32,
    /// N, the number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole sweep, `0/1`.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not I/N with 0 <= I < N (e.g. 0/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm job array task, from its environment.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        let Some(task) = env("SLURM_ARRAY_TASK_ID") else {
            return Ok(None);
        };
        let number = |name: &str| -> Result<Option<u32>, String> {
            env(name)
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("{name}={v} is not a whole number"))
                })
                .transpose()
        };
        let task: u32 = task
            .trim()
            .parse()
            .map_err(|_| format!("SLURM_ARRAY_TASK_ID={task} is not a whole number"))?;
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = match (number("SLURM_ARRAY_TASK_COUNT")?, number("SLURM_ARRAY_TASK_MAX")?) {
            (Some(count), _) => count,
            (None, Some(max)) => max - min + 1,
            (None, None) => return Err("SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT or _MAX".into()),
        };
        let index = task
            .checked_sub(min)
            .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?;
        Shard::parse(&format!("{index}/{count}")).map(Some)
    }

    /// `shard-I-of-N`.
    pub fn folder_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

impl Sweep {
    /// Read and check a sweep file: every point must be a valid scenario.
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let source = scenario::Source::File(path.to_path_buf());
        let file: SweepFile = ron::Options::default()
            .from_str(&text)
            .map_err(|e| ScenarioError::parse(&source, &e))?;
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = scenario::load(&folder, &file.base)?;
        let seed = file.seed.0.unwrap_or(base.seed);
        let (axes, points, design) = match &file.design {
            DesignFile::Grid { axes } => plain(grid(axes)),
            DesignFile::LatinHypercube { samples, ranges } => {
                plain(latin_hypercube(*samples, ranges, file.seed.0.unwrap_or(0)))
            }
            sensitivity => sensitivity_design(sensitivity, seed)?,
        };
        if axes.is_empty() {
            return Err(ScenarioError::invalid("design", "no axes", "at least one axis"));
        }
        let mut sweep = Sweep {
            name: file.name,
            hash: String::new(),
            replicates: file.replicates.0.unwrap_or(base.replicates),
            seed,
            axes,
            points,
            base,
            design,
            series: file.series,
        };
        if sweep.replicates < 1 {
            return Err(ScenarioError::invalid(
                "replicates",
                sweep.replicates,
                "1 ..= 4294967295",
            ));
        }
        if sweep.points.is_empty() {
            return Err(ScenarioError::invalid("design", "no points", "at least one point"));
        }
        // Check every point now, so that a bad value fails before any run.
        for p in 0..sweep.points.len() {
            sweep.point(p).map_err(|e| ScenarioError::InSweep {
                file: source.display(),
                point: p,
                assignments: sweep.assignments(p),
                error: Box::new(e),
            })?;
        }
        sweep.hash = format!("{:016x}", fnv1a(ron::to_string(&sweep).expect("serializes").as_bytes()));
        Ok(sweep)
    }

    /// The scenario of point `p`: the base with the point's assignments.
    pub fn point(&self, p: usize) -> Result<Scenario, ScenarioError> {
        let mut s = self.base.clone();
        s.replicates = self.replicates;
        s.seed = self.seed;
        for (axis, value) in self.axes.iter().zip(&self.points[p]) {
            scenario::set_path(&mut s, axis, value).map_err(|error| ScenarioError::Path {
                context: format!("sweep axis `{axis}` at point {p}"),
                error,
            })?;
        }
        scenario::validate(&s)?;
        Ok(s)
    }

    /// `path=value, ...` of point `p`, for messages.
    pub fn assignments(&self, p: usize) -> String {
        let pairs: Vec<String> = self
            .axes
            .iter()
            .zip(&self.points[p])
            .map(|(a, v)| format!("{a}={v}"))
            .collect();
        pairs.join(", ")
    }

    /// Warnings about the design that do not stop the sweep: a Sobol'
    /// sample size that is not a power of two.
    pub fn warnings(&self) -> Vec<String> {
        match &self.design {
            Some(SensitivityDesign::Sobol { samples, .. }) => crate::analysis::power_of_two_warning(*samples as usize)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Points times replicates.
    pub fn total_runs(&self) -> usize {
        self.points.len() * self.replicates as usize
    }

    /// The jobs of one shard, in global job order.
    pub fn jobs(&self, shard: Shard) -> SweepJobs {
        SweepJobs {
            replicates: self.replicates,
            seed: self.seed,
            total: self.total_runs(),
            shard,
        }
    }
}

/// The lazy job list of one shard: job `s` of the shard is global job
/// `shard.index + s * shard.count`; global job `k` is point `k / replicates`,
/// replicate `k % replicates`.
#[derive(Debug, Clone, Copy)]
pub struct SweepJobs {
    replicates: u32,
    seed: u64,
    total: usize,
    /// The shard these jobs belong to.
    pub shard: Shard,
}

impl SweepJobs {
    /// The global job index of the shard's `s`-th job.
    pub fn global(&self, s: usize) -> usize {
        self.shard.index as usize + s * self.shard.count as usize
    }
}

impl Jobs for SweepJobs {
    fn count(&self) -> usize {
        let (i, n) = (self.shard.index as usize, self.shard.count as usize);
        if self.total > i {
            (self.total - i).div_ceil(n)
        } else {
            0
        }
    }

    fn job(&self, s: usize) -> Job {
        let k = self.global(s);
        let replicate = (k % self.replicates as usize) as u32;
        Job {
            scenario: k / self.replicates as usize,
            replicate,
            seed: replicate_seed(self.seed, replicate),
        }
    }
}

fn grid(axes: &IndexMap<String, Vec<Box<RawValue>>>) -> (Vec<String>, Vec<Vec<String>>) {
    let names: Vec<String> = axes.keys().cloned().collect();
    let mut points: Vec<Vec<String>> = vec![Vec::new()];
    for values in axes.values() {
        points = points
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut point = prefix.clone();
                    point.push(v.get_ron().trim().to_string());
                    point
                })
            })
            .collect();
    }
    if axes.values().any(Vec::is_empty) {
        points.clear();
    }
    (names, points)
}

fn latin_hypercube(samples: u32, ranges: &IndexMap<String, (f64, f64)>, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let n = samples as usize;
    let streams = Streams::new(seed);
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for (a, &(low, high)) in ranges.values().enumerate() {
        let mut rng = streams.at(Purpose::SweepDesign { axis: a as u32 }, 0);
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        columns.push(
            strata
                .iter()
                .map(|&stratum| low + (stratum as f64 + rng.random::<f64>()) / n as f64 * (high - low))
                .collect(),
        );
    }
    let mut ryu = ryu::Buffer::new();
    let points = (0..n)
        .map(|i| columns.iter().map(|c| ryu.format(c[i]).to_string()).collect())
        .collect();
    (ranges.keys().cloned().collect(), points)
}

/// A design's axes, its points, and what else the analysis needs of it.
type DesignParts = (Vec<String>, Vec<Vec<String>>, Option<SensitivityDesign>);

/// Axes and points of a design whose points say all there is.
fn plain((axes, points): (Vec<String>, Vec<Vec<String>>)) -> DesignParts {
    (axes, points, None)
}

/// A Sobol' or Morris design: its unit rows drawn from the sweep seed,
/// scaled to the ranges and printed exactly.
fn sensitivity_design(design: &DesignFile, seed: u64) -> Result<DesignParts, ScenarioError> {
    let (DesignFile::Sobol { ranges, .. } | DesignFile::Morris { ranges, .. }) = design else {
        unreachable!("only Sobol and Morris designs come here")
    };
    if ranges.is_empty() {
        return Ok((Vec::new(), Vec::new(), None));
    }
    check_ranges(ranges)?;
    let bounds: Vec<(f64, f64)> = ranges.values().copied().collect();
    let key = Streams::new(seed).stream(Purpose::SensitivityDesign).random::<u64>();
    let d = ranges.len();
    let (unit, record) = match *design {
        DesignFile::Sobol {
            samples, second_order, ..
        } => {
            at_least_one("design.samples", samples)?;
            if 2 * d > crate::analysis::MAX_DIMS {
                let allowed = format!("at most {} axes", crate::analysis::MAX_DIMS / 2);
                return Err(ScenarioError::invalid("design.ranges", format!("{d} axes"), allowed));
            }
            let unit = crate::analysis::saltelli_sample(samples as usize, d, second_order, Some(key))
                .expect("a checked Saltelli design builds");
            let ranges = bounds.clone();
            (
                unit,
                SensitivityDesign::Sobol {
                    samples,
                    second_order,
                    ranges,
                },
            )
        }
        DesignFile::Morris {
            trajectories, levels, ..
        } => {
            at_least_one("design.trajectories", trajectories)?;
            if levels < 2 || levels % 2 == 1 {
                return Err(ScenarioError::invalid(
                    "design.levels",
                    levels,
                    "an even number, at least 2",
                ));
            }
            let unit = crate::analysis::morris_trajectories(trajectories as usize, d, levels as usize, key)
                .expect("checked Morris trajectories build");
            let ranges = bounds.clone();
            let record = SensitivityDesign::Morris {
                trajectories,
                levels,
                ranges,
                unit: unit.clone(),
            };
            (unit, record)
        }
        _ => unreachable!("only Sobol and Morris designs come here"),
    };
    let scaled = crate::analysis::scale(&unit, &bounds).expect("checked ranges scale");
    let mut ryu = ryu::Buffer::new();
    let points = scaled
        .iter()
        .map(|row| row.iter().map(|&x| ryu.format(x).to_string()).collect())
        .collect();
    Ok((ranges.keys().cloned().collect(), points, Some(record)))
}

fn at_least_one(path: &str, value: u32) -> Result<(), ScenarioError> {
    match value {
        0 => Err(ScenarioError::invalid(path, value, "1 ..= 4294967295")),
        _ => Ok(()),
    }
}

/// Every range finite with low < high.
fn check_ranges(ranges: &IndexMap<String, (f64, f64)>) -> Result<(), ScenarioError> {
    for (axis, &(low, high)) in ranges {
        if !(low.is_finite() && high.is_finite() && low < high) {
            let path = format!("design.ranges.{axis}");
            return Err(ScenarioError::invalid(
                path,
                format!("({low}, {high})"),
                "(low, high), finite, low < high",
            ));
        }
    }
    Ok(())
}

/// FNV-1a, 64 bit: a stable hash that does not change between builds.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Where a shard of a sweep writes, under the sweep's output folder.
pub fn shard_folder(out: &Path, shard: Shard) -> PathBuf {
    if shard == Shard::WHOLE {
        out.to_path_buf()
    } else {
        out.join(shard.folder_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Sweep {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ron");
        std::fs::write(&path, text).unwrap();
        Sweep::load(&path).unwrap()
    }

    #[test]
    fn grid_is_the_full_factorial_last_axis_fastest() {
        let s = load(
            r#"Sweep(name: "g", base: "fracture", replicates: 2, seed: 3, design: Grid(axes: {
                "dynamics.digital_imitation": [0.1, 0.2, 0.4],
                "population.social_graph": [Complete, WattsStrogatz(k: 4, beta: 0.1)],
            }))"#,
        );
        assert_eq!(s.points.len(), 6);
        assert_eq!(s.points[0], vec!["0.1", "Complete"]);
        assert_eq!(s.points[1], vec!["0.1", "WattsStrogatz(k: 4, beta: 0.1)"]);
        assert_eq!(s.points[5], vec!["0.4", "WattsStrogatz(k: 4, beta: 0.1)"]);
        assert_eq!(
            s.point(1).unwrap().population.social_graph,
            crate::scenario::GraphSpec::WattsStrogatz { k: 4, beta: 0.1 }
        );
        assert_eq!(s.total_runs(), 12);
    }

    #[test]
    fn latin_hypercube_has_one_sample_per_stratum() {
        let s = load(
            r#"Sweep(name: "l", base: "fracture", seed: 9, design: LatinHypercube(samples: 50, ranges: {
                "dynamics.digital_imitation": (0.01, 0.5), "dynamics.need_rate": (0.1, 0.3)}))"#,
        );
        for (a, (low, high)) in [(0.01, 0.5), (0.1, 0.3)].into_iter().enumerate() {
            let mut hit = [0u32; 50];
            for p in &s.points {
                let x: f64 = p[a].parse().unwrap();
                hit[(((x - low) / (high - low)) * 50.0).floor() as usize] += 1;
            }
            assert!(hit.iter().all(|&h| h == 1), "axis {a}: {hit:?}");
        }
    }

    #[test]
    fn sobol_design_has_the_saltelli_size_and_is_seeded() {
        let text = |seed: u64, second: bool| {
            format!(
                r#"Sweep(name: "s", base: "fracture", seed: {seed}, design: Sobol(samples: 16, second_order: {second},
                ranges: {{"dynamics.digital_imitation": (0.1, 0.5), "dynamics.need_rate": (0.2, 0.3),
                "dynamics.citizen_pressure": (0.0, 0.1)}}))"#
            )
        };
        let s = load(&text(1, false));
        assert_eq!(s.points.len(), 16 * (3 + 2));
        assert_eq!(s.design.as_ref().map(|d| d.points()), Some(80));
        assert!(s.warnings().is_empty());
        for p in &s.points {
            let x: f64 = p[1].parse().unwrap();
            assert!((0.2..0.3).contains(&x), "{x}");
            // The RON text reads back to the very number the analysis scaled.
            assert_eq!(ryu::Buffer::new().format(x), p[1]);
        }
        // A, AB_1: the first row differs from the second in axis 0 only.
        assert_ne!(s.points[0][0], s.points[1][0]);
        assert_eq!(s.points[0][1..], s.points[1][1..]);
        assert_eq!(load(&text(1, false)).points, s.points);
        let other = load(&text(2, false));
        assert_ne!(other.points, s.points);
        assert_ne!(other.hash, s.hash);
        assert_eq!(load(&text(1, true)).points.len(), 16 * (2 * 3 + 2));
        let odd = load(&text(1, false).replace("samples: 16", "samples: 12"));
        assert!(odd.warnings()[0].contains("power of two"));
    }

    #[test]
    fn morris_design_records_its_unit_rows() {
        let s = load(
            r#"Sweep(name: "m", base: "fracture", seed: 4, design: Morris(trajectories: 5, ranges: {
                "dynamics.digital_imitation": (0.1, 0.4), "dynamics.need_rate": (0.2, 0.8)}))"#,
        );
        let Some(SensitivityDesign::Morris { unit, levels, .. }) = &s.design else {
            panic!("{:?}", s.design)
        };
        assert_eq!((*levels, unit.len(), s.points.len()), (4, 5 * 3, 15));
        for (u, p) in unit.iter().zip(&s.points) {
            let x: f64 = p[0].parse().unwrap();
            assert!((x - (0.1 + u[0] * 0.3)).abs() < 1e-15, "{x} {u:?}");
        }
        // Grid and Latin hypercube sweeps record no design and keep their old hash text.
        let grid = load(r#"Sweep(name: "g", base: "fracture", design: Grid(axes: {"seed": [1, 2]}))"#);
        assert!(grid.design.is_none() && !ron::to_string(&grid).unwrap().contains("design"));
    }

    #[test]
    fn shards_partition_the_jobs() {
        let s =
            load(r#"Sweep(name: "g", base: "fracture", replicates: 3, design: Grid(axes: {"seed": [1, 2, 3, 4, 5]}))"#);
        for n in 1..=7u32 {
            let mut seen = vec![0; s.total_runs()];
            for i in 0..n {
                let jobs = s.jobs(Shard { index: i, count: n });
                for j in 0..jobs.count() {
                    seen[jobs.global(j)] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "n = {n}");
        }
    }

    #[test]
    fn slurm_environment_gives_the_shard() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(Shard::from_slurm(env(&[])).unwrap(), None);
        let s = Shard::from_slurm(env(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4")])).unwrap();
        assert_eq!(s, Some(Shard { index: 2, count: 4 }));
        let s = Shard::from_slurm(env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
        ]))
        .unwrap();
        assert_eq!(s, Some(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("4/4").is_err() && Shard::parse("x").is_err());
    }
}
