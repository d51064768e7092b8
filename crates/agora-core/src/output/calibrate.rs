//! The files of `agora calibrate`.
//!
//! - `posterior.csv`: `generation,particle,weight,importance,distance,` one
//!   column per parameter: the kept particles of every generation, closest
//!   first; `weight` is normalised within the generation, `importance` the
//!   unnormalised importance weight the next generation is drawn with.
//! - `generations.csv`: `generation,epsilon,acceptance,simulations,` then
//!   `<parameter>_kernel_sd`: the tolerance, acceptance rate and kernel of
//!   each generation.
//! - `summary.csv`: `parameter,median,lo90,hi90,mean` of the last generation.
//! - `predictive.csv`: `date,observed,p05,p50,p95`, the posterior-predictive
//!   band of the metric at the observed dates.
//!
//! `posterior.csv` and `generations.csv` grow one generation at a time under
//! their hidden partial names; a generation is complete once its row of
//! `generations.csv` is there, and `--resume` continues after the last
//! complete one.

use std::io;
use std::path::Path;

use super::atomic::partial_path;
use super::folder::Folder;
use super::table::{Table, scan_rows};
use crate::analysis::abc::{Generation, Marginal, Particle};
use crate::calibration::Calibration;
use crate::error::{Error, IoContext, Result};

/// The kept particles of every generation.
pub const POSTERIOR: &str = "posterior.csv";
/// Tolerance, acceptance and kernel of every generation.
pub const GENERATIONS: &str = "generations.csv";
/// Posterior medians and 90% credible intervals.
pub const SUMMARY: &str = "summary.csv";
/// The posterior-predictive band at the observed dates.
pub const PREDICTIVE: &str = "predictive.csv";
/// The hidden record of the calibration a partial folder belongs to.
const PENDING: &str = ".calibration.pending";

fn posterior_header(c: &Calibration) -> Vec<String> {
    let mut h: Vec<String> = ["generation", "particle", "weight", "importance", "distance"]
        .map(String::from)
        .to_vec();
    h.extend(c.parameters.iter().cloned());
    h
}

fn generations_header(c: &Calibration) -> Vec<String> {
    let mut h: Vec<String> = ["generation", "epsilon", "acceptance", "simulations"]
        .map(String::from)
        .to_vec();
    h.extend(c.parameters.iter().map(|p| format!("{p}_kernel_sd")));
    h
}

/// The two growing tables of a calibration.
pub struct CalibrationOutput {
    posterior: Table,
    generations: Table,
}

/// The partial tables' complete generations: the last one rebuilt, and the
/// byte lengths to keep of each file.
struct Resumed {
    last: Generation,
    posterior_keep: u64,
    generations_keep: u64,
}

impl CalibrationOutput {
    /// Open the tables of `folder`: continued after their last complete
    /// generation with `resume` (if the folder holds a partial run of the
    /// same calibration), else new. Returns the last complete generation.
    pub fn open(folder: &Folder, c: &Calibration, resume: bool) -> Result<(CalibrationOutput, Option<Generation>)> {
        let (post, gens) = (folder.join(POSTERIOR), folder.join(GENERATIONS));
        let resumed = if resume { resume_state(folder, c)? } else { None };
        let (ph, gh) = (posterior_header(c), generations_header(c));
        let (ph, gh): (Vec<&str>, Vec<&str>) = (
            ph.iter().map(String::as_str).collect(),
            gh.iter().map(String::as_str).collect(),
        );
        let open = |path: &Path, keep: Option<u64>, header: &[&str]| match keep {
            Some(keep) => Table::resume(path, keep, header),
            None => Table::create_durable(path, header),
        };
        let result = (|| -> io::Result<CalibrationOutput> {
            if resumed.is_none() {
                super::atomic::write_atomic(&folder.join(PENDING), c.fingerprint().as_bytes())?;
            }
            Ok(CalibrationOutput {
                posterior: open(&post, resumed.as_ref().map(|r| r.posterior_keep), &ph)?,
                generations: open(&gens, resumed.as_ref().map(|r| r.generations_keep), &gh)?,
            })
        })();
        let output = result.context(|| format!("writing results to {}", folder.path().display()))?;
        Ok((output, resumed.map(|r| r.last)))
    }

    /// Append a complete generation: its particles, then (marking it
    /// complete) its row of `generations.csv`.
    pub fn add(&mut self, g: &Generation) -> io::Result<()> {
        let weights = g.weights();
        for (i, (p, w)) in g.particles.iter().zip(weights).enumerate() {
            let t = &mut self.posterior;
            t.int(g.index as u64)?;
            t.int(i as u64)?;
            for x in [w, p.weight, p.distance] {
                t.float(x)?;
            }
            for &x in &p.theta {
                t.float(x)?;
            }
            t.end_row()?;
        }
        self.posterior.flush()?;
        let t = &mut self.generations;
        t.int(g.index as u64)?;
        t.float(g.epsilon)?;
        t.float(g.acceptance)?;
        t.int(g.simulations as u64)?;
        let dims = g.particles.first().map_or(0, |p| p.theta.len());
        for j in 0..dims {
            t.float(g.kernel_sd.get(j).copied().unwrap_or(f64::NAN))?;
        }
        t.end_row()?;
        t.flush()
    }

    /// Move both tables into place.
    pub fn commit(self, folder: &Folder) -> io::Result<()> {
        self.posterior.commit()?;
        self.generations.commit()?;
        match std::fs::remove_file(folder.join(PENDING)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The last complete generation of a partial folder of calibration `c`;
/// `None` if there is nothing to continue.
fn resume_state(folder: &Folder, c: &Calibration) -> Result<Option<Resumed>> {
    let (post, gens) = (
        partial_path(&folder.join(POSTERIOR)),
        partial_path(&folder.join(GENERATIONS)),
    );
    match std::fs::read_to_string(folder.join(PENDING)) {
        Ok(text) if text == c.fingerprint() => {}
        Ok(_) => {
            return Err(Error::Input(format!(
                "{}: holds a partial run of another calibration; run without --resume or choose another --out",
                folder.path().display()
            )));
        }
        Err(_) => return Ok(None),
    }
    if !post.exists() || !gens.exists() {
        return Ok(None);
    }
    let (mut rows, generations_keep) = read_generations(&gens, c)?;
    let Some(last_index) = rows.len().checked_sub(1) else {
        return Ok(None);
    };
    let (particles, posterior_keep) = read_last_particles(&post, c, rows.len())?;
    if particles.len() != c.config().kept() {
        return Ok(None);
    }
    let row = rows.swap_remove(last_index);
    let last = Generation {
        index: last_index,
        particles,
        epsilon: row.epsilon,
        acceptance: row.acceptance,
        simulations: row.simulations,
        kernel_sd: if last_index == 0 { Vec::new() } else { row.kernel_sd },
    };
    Ok(Some(Resumed {
        last,
        posterior_keep,
        generations_keep,
    }))
}

/// One row of `generations.csv` as read back.
struct GenerationRow {
    epsilon: f64,
    acceptance: f64,
    simulations: usize,
    kernel_sd: Vec<f64>,
}

/// The complete rows of a partial `generations.csv`, and its length up to them.
fn read_generations(path: &Path, c: &Calibration) -> Result<(Vec<GenerationRow>, u64)> {
    let mut rows = Vec::new();
    let (complete, keep) = scan_rows(path, &generations_header(c), |i, row, _| {
        let parsed = (row[0].parse::<usize>(), row[1].parse(), row[2].parse(), row[3].parse());
        let (Ok(index), Ok(epsilon), Ok(acceptance), Ok(simulations)) = parsed else {
            return false;
        };
        let kernel_sd = (4..row.len()).map(|k| row[k].parse().unwrap_or(f64::NAN)).collect();
        rows.push(GenerationRow {
            epsilon,
            acceptance,
            simulations,
            kernel_sd,
        });
        index == i
    })
    .at(path)?;
    rows.truncate(complete);
    Ok((rows, keep))
}

/// The particles of generation `complete - 1` in a partial `posterior.csv`,
/// and its length up to the end of that generation.
fn read_last_particles(path: &Path, c: &Calibration, complete: usize) -> Result<(Vec<Particle>, u64)> {
    let kept = c.config().kept();
    let mut particles = Vec::new();
    let (_, keep) = scan_rows(path, &posterior_header(c), |i, row, _| {
        let (generation, particle) = (i / kept, i % kept);
        if generation >= complete || row[0] != generation.to_string() || row[1] != particle.to_string() {
            return false;
        }
        if generation + 1 == complete {
            let values: Vec<f64> = (3..row.len()).map(|k| row[k].parse().unwrap_or(f64::NAN)).collect();
            particles.push(Particle {
                weight: values[0],
                distance: values[1],
                theta: values[2..].to_vec(),
            });
        }
        true
    })
    .at(path)?;
    Ok((particles, keep))
}

/// Write `summary.csv`: `parameter,median,lo90,hi90,mean`.
pub fn write_summary(path: &Path, parameters: &[String], marginals: &[Marginal]) -> io::Result<()> {
    let mut t = Table::create(path, &["parameter", "median", "lo90", "hi90", "mean"])?;
    for (name, m) in parameters.iter().zip(marginals) {
        t.text(name)?;
        for x in [m.median, m.lo90, m.hi90, m.mean] {
            t.float(x)?;
        }
        t.end_row()?;
    }
    t.commit()
}

/// One row of `predictive.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// `YYYY-MM`.
    pub date: String,
    /// The observed value.
    pub observed: f64,
    /// Weighted 5th, 50th and 95th percentiles of the simulated metric.
    pub p05: f64,
    /// The weighted median.
    pub p50: f64,
    /// The weighted 95th percentile.
    pub p95: f64,
}

/// Write `predictive.csv`: `date,observed,p05,p50,p95`.
pub fn write_predictive(path: &Path, bands: &[Band]) -> io::Result<()> {
    let mut t = Table::create(path, &["date", "observed", "p05", "p50", "p95"])?;
    for b in bands {
        t.text(&b.date)?;
        for x in [b.observed, b.p05, b.p50, b.p95] {
            t.float(x)?;
        }
        t.end_row()?;
    }
    t.commit()
}
