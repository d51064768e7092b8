//! The files of `agora optimize`.
//!
//! - `search.ron`: the levers file as read, the futures, overrides, budget
//!   and search settings; written first, and compared by `--resume`.
//! - `evaluations.csv`: every candidate of every generation: `generation,
//!   candidate`, per lever its value (a switch: 1 on, 0 off), start month
//!   and start step, every objective and `cost`, `violation`, `feasible`,
//!   per objective and future the per-future value (`<objective>@<future>`),
//!   and the search's raw coordinates (`gene_<k>`, for `--resume`).
//! - `convergence.csv`: `generation,evaluations,hypervolume,front,feasible`.
//! - `pareto.csv`: the non-dominated policies: `policy`, the lever columns,
//!   per objective (and `cost`) the search's estimate, the fresh
//!   re-evaluation and its bootstrap 95% interval, then `feasible`.
//!
//! `evaluations.csv` and `convergence.csv` are rewritten whole (atomically)
//! after each generation, so an interrupted search leaves complete
//! generations only; the manifest comes last.

use std::path::Path;

use super::analysis::publish;
use super::atomic::write_atomic;
use super::folder::Folder;
use super::manifest::input_record;
use super::table::{CsvInput, Table, parse_float};
use super::{Stopwatch, analysis::in_folder};
use crate::analysis::Estimate;
use crate::analysis::hypervolume::hypervolume;
use crate::analysis::nsga2::{Candidate, Generation, survive};
use crate::calendar::Month;
use crate::commands::optimize::{Direction, OptimizeOptions, Policy, Search, best_of};
use crate::error::{Error, Result};
use crate::model::METRIC_NAMES;

/// The search's settings, compared on `--resume`.
pub const SEARCH: &str = "search.ron";
/// Every candidate.
pub const EVALUATIONS: &str = "evaluations.csv";
/// Hypervolume by generation.
pub const CONVERGENCE: &str = "convergence.csv";
/// The non-dominated policies.
pub const PARETO: &str = "pareto.csv";

/// One evaluated candidate as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its generation (0: the initial population).
    pub generation: usize,
    /// Its position in the generation.
    pub candidate: usize,
    /// The search coordinates.
    pub genes: Vec<f64>,
    /// The objectives in their own units and sense, `cost` last.
    pub objectives: Vec<f64>,
    /// Per objective (without the cost) and future, the per-future value.
    pub per_future: Vec<Vec<f64>>,
    /// How far the cost exceeds the budget (0: feasible).
    pub violation: f64,
}

/// One generation of `convergence.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceRow {
    /// The generation.
    pub generation: usize,
    /// Candidates evaluated up to and including it.
    pub evaluations: usize,
    /// The hypervolume of the feasible first-rank survivors, objectives
    /// scaled by generation 0's range, reference point 1.1 in each.
    pub hypervolume: f64,
    /// First-rank survivors.
    pub front: usize,
    /// Feasible survivors.
    pub feasible: usize,
}

/// One row of `pareto.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoRow {
    /// The policy.
    pub policy: Policy,
    /// The search's estimates, natural units, `cost` last.
    pub objectives: Vec<f64>,
    /// The fresh re-evaluation of each, with its bootstrap interval.
    pub fresh: Vec<Estimate>,
    /// How far the cost exceeds the budget (0: feasible).
    pub violation: f64,
}

/// The text of `search.ron`.
pub fn record(search: &Search, options: &OptimizeOptions) -> String {
    let mut text = String::from("// agora optimize: the search this folder holds (compared by --resume)\n");
    text += &format!(
        "(\n    futures: {:?},\n    overrides: {:?},\n    budget: {:?},\n    generations: {},\n    levers: {},\n)\n",
        search.future_names(),
        options.overrides,
        search.budget,
        search.config.generations,
        ron::ser::to_string_pretty(&search.file, ron::ser::PrettyConfig::default()).unwrap_or_default(),
    );
    text
}

/// The growing record of a search.
pub struct State {
    rows: Vec<Row>,
    /// Hypervolume by generation so far.
    pub convergence: Vec<ConvergenceRow>,
    scale: Option<(Vec<f64>, Vec<f64>)>,
}

impl State {
    /// Start a search in `folder`, or with `resume` read the generations an
    /// interrupted one wrote (it must be the same search).
    pub fn open(folder: &Folder, search: &Search, record: &str, resume: bool) -> Result<State> {
        let mut state = State {
            rows: Vec::new(),
            convergence: Vec::new(),
            scale: None,
        };
        let path = folder.join(SEARCH);
        if resume && path.exists() {
            let old =
                std::fs::read_to_string(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            if old != record {
                return Err(Error::Input(format!(
                    "--resume: {} holds another search (its levers file, futures, overrides, budget or \
                     evaluations differ); run without --resume to start again",
                    folder.path().display()
                )));
            }
            if folder.join(EVALUATIONS).exists() {
                state.rows = read_rows(&folder.join(EVALUATIONS), search)?;
            }
            return Ok(state);
        }
        in_folder(write_atomic(&path, record.as_bytes()), folder.path())?;
        Ok(state)
    }

    /// Complete generations read back.
    pub fn generations(&self) -> usize {
        self.rows.last().map_or(0, |r| r.generation + 1)
    }

    /// The regret reference of the rows read back (empty before generation 0).
    pub fn regret_reference(&self, search: &Search, base: &[Vec<Vec<f64>>]) -> Vec<Vec<f64>> {
        let first: Vec<&Row> = self.rows.iter().filter(|r| r.generation == 0).collect();
        if first.is_empty() {
            return Vec::new();
        }
        // best_of takes raw runs; per-future values are their own means here.
        let as_raw: Vec<Vec<Vec<Vec<f64>>>> = first
            .iter()
            .map(|r| {
                r.per_future
                    .iter()
                    .map(|pf| pf.iter().map(|&v| vec![v]).collect())
                    .collect()
            })
            .collect();
        best_of(search, base, &as_raw)
    }

    /// Replay the generations read back: the survivors of the last one.
    pub fn replay(&mut self, search: &Search) -> Result<Option<(usize, Vec<Candidate>)>> {
        let n = self.generations();
        if n == 0 {
            return Ok(None);
        }
        let mut survivors: Vec<Candidate> = Vec::new();
        let rows = std::mem::take(&mut self.rows);
        for g in 0..n {
            let evaluated: Vec<Candidate> = rows
                .iter()
                .filter(|r| r.generation == g)
                .map(|r| {
                    let (f, v) = search.evaluation(&r.objectives);
                    Candidate::new(r.genes.clone(), f, v.max(r.violation))
                })
                .collect();
            let mut merged = survivors;
            merged.extend(evaluated.iter().cloned());
            survivors = survive(merged, search.config.population);
            self.note_convergence(search, g, &evaluated, &survivors);
        }
        self.rows = rows;
        Ok(Some((n - 1, survivors)))
    }

    fn note_convergence(&mut self, search: &Search, g: usize, evaluated: &[Candidate], survivors: &[Candidate]) {
        if self.scale.is_none() {
            let m = evaluated[0].f.len();
            let lo: Vec<f64> = (0..m)
                .map(|k| evaluated.iter().map(|c| c.f[k]).fold(f64::INFINITY, f64::min))
                .collect();
            let hi: Vec<f64> = (0..m)
                .map(|k| evaluated.iter().map(|c| c.f[k]).fold(f64::NEG_INFINITY, f64::max))
                .collect();
            self.scale = Some((lo, hi));
        }
        let (lo, hi) = self.scale.as_ref().expect("set above");
        let front: Vec<Vec<f64>> = survivors
            .iter()
            .filter(|c| c.rank == 0 && c.violation == 0.0)
            .map(|c| {
                c.f.iter()
                    .enumerate()
                    .map(|(k, v)| {
                        if hi[k] > lo[k] {
                            (v - lo[k]) / (hi[k] - lo[k])
                        } else {
                            v - lo[k]
                        }
                    })
                    .collect()
            })
            .collect();
        let reference = vec![1.1; lo.len()];
        self.convergence.push(ConvergenceRow {
            generation: g,
            evaluations: search.config.population * (g + 1),
            hypervolume: hypervolume(&front, &reference),
            front: survivors.iter().filter(|c| c.rank == 0).count(),
            feasible: survivors.iter().filter(|c| c.violation == 0.0).count(),
        });
    }

    /// A generation is complete: record it and rewrite the growing files.
    pub fn complete(
        &mut self,
        folder: &Folder,
        search: &Search,
        generation: &Generation,
        rows: Vec<Row>,
    ) -> Result<()> {
        self.rows.extend(rows);
        self.note_convergence(search, generation.index, &generation.evaluated, &generation.survivors);
        in_folder(write_rows(&folder.join(EVALUATIONS), search, &self.rows), folder.path())?;
        in_folder(
            write_convergence(&folder.join(CONVERGENCE), &self.convergence),
            folder.path(),
        )
    }

    /// Write `pareto.csv`, then the manifest.
    pub fn finish(
        &self,
        folder: &Folder,
        search: &Search,
        pareto: &[ParetoRow],
        record: &str,
        levers: &Path,
        clock: &Stopwatch,
    ) -> Result<()> {
        in_folder(write_rows(&folder.join(EVALUATIONS), search, &self.rows), folder.path())?;
        in_folder(
            write_convergence(&folder.join(CONVERGENCE), &self.convergence),
            folder.path(),
        )?;
        in_folder(write_pareto(&folder.join(PARETO), search, pareto), folder.path())?;
        in_folder(write_atomic(&folder.join(SEARCH), record.as_bytes()), folder.path())?;
        let notes = vec![
            format!(
                "NSGA-II: population {}, {} generations in all, seed {}; {} replicates of each future per policy \
                 on the same seeds (common random numbers)",
                search.config.population,
                search.config.generations + 1,
                search.file.seed,
                search.file.replicates
            ),
            format!(
                "cost: mean extra euros per citizen over the futures without the policy, to the last month; budget {}",
                search.budget.map_or("none".to_string(), |b| b.to_string())
            ),
            "regret: against the best per-future mean of the futures without a policy and generation 0".into(),
            format!(
                "pareto.csv: the first-rank survivors, each run again on {} fresh replicates per future; \
                 intervals: bootstrap 95% percentile over replicates",
                search.file.reevaluation
            ),
            "convergence: hypervolume of the feasible front, objectives scaled by generation 0's range, reference 1.1"
                .into(),
        ];
        publish(
            folder,
            clock.provenance(),
            "optimize",
            vec![input_record(levers)?],
            notes,
            &[SEARCH, EVALUATIONS, CONVERGENCE, PARETO],
        )
    }
}

/// The lever columns: value, start month (a signpost: `<metric>><threshold>`
/// or `<`), start step (a signpost's: watched from), threshold (a signpost's).
fn lever_header(search: &Search) -> Vec<String> {
    search
        .file
        .levers
        .iter()
        .flat_map(|l| {
            [
                l.path.clone(),
                format!("{}:start", l.path),
                format!("{}:start_step", l.path),
                format!("{}:threshold", l.path),
            ]
        })
        .collect()
}

fn write_levers(t: &mut Table, search: &Search, policy: &Policy) -> std::io::Result<()> {
    let start = Month::parse(&search.futures[0].scenario.start).expect("a validated start");
    for (k, lever) in search.file.levers.iter().enumerate() {
        match (lever.value, policy.values[k]) {
            (crate::commands::optimize::Value::Switch(_), v) => t.float(if v.is_some() { 1.0 } else { 0.0 })?,
            (_, v) => t.float(v.unwrap_or(f64::NAN))?,
        }
        match (search.signposts[k], policy.thresholds[k]) {
            (Some(sp), Some(threshold)) => {
                let side = if sp.direction == Direction::Above { '>' } else { '<' };
                t.text(&format!("{}{side}{threshold}", METRIC_NAMES[sp.metric]))?
            }
            _ => t.text(&start.plus(policy.starts[k]).to_string())?,
        }
        t.int(u64::from(policy.starts[k]))?;
        t.float(policy.thresholds[k].unwrap_or(f64::NAN))?;
    }
    Ok(())
}

fn evaluation_header(search: &Search) -> Vec<String> {
    let mut h: Vec<String> = vec!["generation".into(), "candidate".into()];
    h.extend(lever_header(search));
    h.extend(search.objective_names());
    h.extend(["violation".into(), "feasible".into()]);
    for g in &search.goals {
        h.extend(search.future_names().iter().map(|f| format!("{}@{f}", g.name)));
    }
    h.extend((0..search.bounds().len()).map(|k| format!("gene_{k}")));
    h
}

fn write_rows(path: &Path, search: &Search, rows: &[Row]) -> std::io::Result<()> {
    let header = evaluation_header(search);
    let mut t = Table::create(path, &header.iter().map(String::as_str).collect::<Vec<_>>())?;
    for r in rows {
        t.int(r.generation as u64)?;
        t.int(r.candidate as u64)?;
        write_levers(&mut t, search, &search.decode(&r.genes))?;
        for &v in &r.objectives {
            t.float(v)?;
        }
        t.float(r.violation)?;
        t.text(if r.violation > 0.0 { "no" } else { "yes" })?;
        for v in r.per_future.iter().flatten() {
            t.float(*v)?;
        }
        for &g in &r.genes {
            t.float(g)?;
        }
        t.end_row()?;
    }
    t.commit()
}

/// Read `evaluations.csv` back for `--resume`; only whole generations count.
fn read_rows(path: &Path, search: &Search) -> Result<Vec<Row>> {
    let input = CsvInput::read(path)?;
    let header = evaluation_header(search);
    if input.header != header {
        return Err(Error::Input(format!(
            "--resume: {} has other columns than this search writes; run without --resume",
            path.display()
        )));
    }
    let (n_lev, n_obj, n_f) = (
        4 * search.file.levers.len(),
        search.goals.len() + 1,
        search.futures.len(),
    );
    let mut rows: Vec<Row> = Vec::new();
    for (i, rec) in input.rows.iter().enumerate() {
        let num = |j: usize| -> Result<f64> {
            parse_float(rec.get(j).unwrap_or("")).ok_or_else(|| {
                Error::Input(format!(
                    "{}:{}: `{}` is not a number",
                    path.display(),
                    input.line(i),
                    &header[j]
                ))
            })
        };
        let o = 2 + n_lev;
        let pf0 = o + n_obj + 2;
        let g0 = pf0 + search.goals.len() * n_f;
        rows.push(Row {
            generation: num(0)? as usize,
            candidate: num(1)? as usize,
            objectives: (o..o + n_obj).map(num).collect::<Result<_>>()?,
            violation: num(o + n_obj)?,
            per_future: (0..search.goals.len())
                .map(|g| (0..n_f).map(|f| num(pf0 + g * n_f + f)).collect())
                .collect::<Result<_>>()?,
            genes: (g0..header.len()).map(num).collect::<Result<_>>()?,
        });
    }
    // Keep whole generations: a generation is complete when it has the population.
    let pop = search.config.population;
    let complete = (0..)
        .take_while(|&g| rows.iter().filter(|r| r.generation == g).count() == pop)
        .count();
    rows.retain(|r| r.generation < complete);
    Ok(rows)
}

fn write_convergence(path: &Path, rows: &[ConvergenceRow]) -> std::io::Result<()> {
    let mut t = Table::create(path, &["generation", "evaluations", "hypervolume", "front", "feasible"])?;
    for r in rows {
        t.int(r.generation as u64)?;
        t.int(r.evaluations as u64)?;
        t.float(r.hypervolume)?;
        t.int(r.front as u64)?;
        t.int(r.feasible as u64)?;
        t.end_row()?;
    }
    t.commit()
}

fn write_pareto(path: &Path, search: &Search, rows: &[ParetoRow]) -> std::io::Result<()> {
    let mut header = vec!["policy".to_string()];
    header.extend(lever_header(search));
    for name in search.objective_names() {
        header.extend([
            name.clone(),
            format!("{name}_fresh"),
            format!("{name}_lo"),
            format!("{name}_hi"),
        ]);
    }
    header.push("feasible".into());
    let mut t = Table::create(path, &header.iter().map(String::as_str).collect::<Vec<_>>())?;
    for (i, r) in rows.iter().enumerate() {
        t.int(i as u64)?;
        write_levers(&mut t, search, &r.policy)?;
        for (v, e) in r.objectives.iter().zip(&r.fresh) {
            for x in [*v, e.value, e.lo, e.hi] {
                t.float(x)?;
            }
        }
        t.text(if r.violation > 0.0 { "no" } else { "yes" })?;
        t.end_row()?;
    }
    t.commit()
}
