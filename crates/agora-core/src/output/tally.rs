//! What the runs of one scenario add up to, for `aggregate.csv`,
//! `classes.csv`, the summary table and `--until`: every value (exact
//! quantiles) while they fit a budget, or running moments and a quantile
//! sketch with a stated error, whose memory does not grow with the runs.

use crate::model::{Class, N_METRICS};
use crate::stats::sketch::RELATIVE_ERROR;
use crate::stats::{QuantileSketch, Running, mean_sd, quantile_sorted, wilson};

/// How `agora run` computes the quantiles of `aggregate.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Quantiles {
    /// Exact while a scenario's values fit [`EXACT_BUDGET`], a sketch beyond.
    #[default]
    Auto,
    /// Keep every value: exact quantiles, memory in proportion to the runs.
    Exact,
    /// A DDSketch per step and metric: quantiles within
    /// [`RELATIVE_ERROR`] of the exact ones, memory flat in the runs.
    Sketch,
}

/// The memory [`Quantiles::Auto`] lets one scenario's kept values take:
/// 64 MiB, 1,471 replicates of a 227-month run.
pub const EXACT_BUDGET: u64 = 64 << 20;

/// Heap bytes a sketch of one step and metric is expected to take (its
/// counters span the values' spread: 4.8 KB on average at 10^5 runs of a
/// 200-citizen fracture run, BENCHMARKS.md; twice that, for wider spreads).
pub const SKETCH_BYTES: u64 = 10 << 10;

impl Quantiles {
    /// Whether a scenario of `replicates` runs of `steps` steps keeps every
    /// value (decided from the plan, never from the runs, so any thread
    /// count decides the same).
    pub fn exact(self, replicates: u32, steps: u32) -> bool {
        match self {
            Quantiles::Exact => true,
            Quantiles::Sketch => false,
            Quantiles::Auto => exact_bytes(replicates, steps) <= EXACT_BUDGET,
        }
    }

    /// Bytes kept across the runs of such a scenario.
    pub fn kept_bytes(self, replicates: u32, steps: u32) -> u64 {
        if self.exact(replicates, steps) {
            exact_bytes(replicates, steps)
        } else {
            // Auto holds the exact values up to the budget before it sketches them.
            let before = if self == Quantiles::Auto { EXACT_BUDGET } else { 0 };
            before + (u64::from(steps) + 1) * N_METRICS as u64 * (SKETCH_BYTES + std::mem::size_of::<Column>() as u64)
        }
    }

    /// How the manifest and the docs name it, for a scenario that kept every value or not.
    pub fn describe(exact: bool) -> String {
        if exact {
            "exact (every value kept)".to_string()
        } else {
            format!("DDSketch, each quantile within {RELATIVE_ERROR} x its value of the exact one")
        }
    }
}

fn exact_bytes(replicates: u32, steps: u32) -> u64 {
    u64::from(replicates) * (u64::from(steps) + 1) * N_METRICS as u64 * 8
}

/// One step and metric across runs: the values, or what stands for them.
#[derive(Debug, Clone)]
enum Column {
    /// Every value, in run order (undefined ones too, skipped when read).
    Exact(Vec<f64>),
    /// Moments (Welford, in run order) and a sketch of the defined values.
    Sketch(Running, QuantileSketch),
}

impl Column {
    fn add(&mut self, x: f64) {
        match self {
            Column::Exact(values) => values.push(x),
            Column::Sketch(moments, sketch) => {
                moments.push(x);
                sketch.add(x);
            }
        }
    }

    /// Defined values, mean and sd over them.
    fn moments(&self) -> (u64, f64, f64) {
        match self {
            Column::Exact(values) => {
                let defined = defined(values);
                let (mean, sd) = mean_sd(&defined);
                (defined.len() as u64, mean, sd)
            }
            Column::Sketch(moments, _) => (moments.count, moments.mean(), moments.sd()),
        }
    }

    /// Mean, sd, and the 5%, 50% and 95% quantiles of the defined values.
    fn summary(&self, scratch: &mut Vec<f64>) -> [f64; 5] {
        match self {
            Column::Exact(values) => {
                scratch.clear();
                scratch.extend(values.iter().copied().filter(|x| x.is_finite()));
                let (mean, sd) = mean_sd(scratch);
                scratch.sort_by(f64::total_cmp);
                let q = |p| quantile_sorted(scratch, p);
                [mean, sd, q(0.05), q(0.5), q(0.95)]
            }
            Column::Sketch(moments, sketch) => [
                moments.mean(),
                moments.sd(),
                sketch.quantile(0.05),
                sketch.quantile(0.5),
                sketch.quantile(0.95),
            ],
        }
    }
}

/// The values of `values` that are defined (finite), in order.
fn defined(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Everything the aggregates of one scenario need: each metric at each step
/// across replicates, and class counts.
#[derive(Debug, Clone)]
pub struct ScenarioTally {
    /// The scenario's name.
    pub name: String,
    /// `columns[step][metric]`.
    columns: Vec<[Column; N_METRICS]>,
    /// Runs per class, in [`Class::ALL`] order.
    pub classes: [u64; Class::ALL.len()],
    /// Runs counted.
    pub runs: u64,
    /// [`Quantiles::Auto`]: the runs kept exactly; one more turns every
    /// column into a sketch, fed the values kept in run order, which is what
    /// a sketch from the first run holds. So a run's aggregates depend on
    /// its count alone, whether it was asked for or reached by `--until`.
    exact_runs: Option<u64>,
    /// Each metric's final value, in run order, for `--until`: one formula
    /// whichever way the quantiles are kept.
    finals: [Running; N_METRICS],
}

impl ScenarioTally {
    /// An empty tally of a scenario of `steps` steps, its quantiles kept as
    /// `quantiles` says (`Auto`: exact up to [`EXACT_BUDGET`]).
    pub fn new(name: &str, steps: u32, quantiles: Quantiles) -> Self {
        let per_run = (u64::from(steps) + 1) * N_METRICS as u64 * 8;
        ScenarioTally::with_exact_runs(name, steps, quantiles, EXACT_BUDGET / per_run)
    }

    fn with_exact_runs(name: &str, steps: u32, quantiles: Quantiles, exact_runs: u64) -> Self {
        let column = || match quantiles {
            Quantiles::Sketch => Column::Sketch(Running::default(), QuantileSketch::default()),
            Quantiles::Exact | Quantiles::Auto => Column::Exact(Vec::new()),
        };
        ScenarioTally {
            name: name.to_string(),
            columns: (0..=steps).map(|_| std::array::from_fn(|_| column())).collect(),
            classes: [0; Class::ALL.len()],
            runs: 0,
            exact_runs: (quantiles == Quantiles::Auto).then_some(exact_runs),
            finals: [Running::default(); N_METRICS],
        }
    }

    /// Turn every exact column into a sketch fed its values in run order.
    fn sketch_the_values(&mut self) {
        for row in &mut self.columns {
            for column in row.iter_mut() {
                if let Column::Exact(values) = column {
                    let mut sketched = Column::Sketch(Running::default(), QuantileSketch::default());
                    values.iter().for_each(|&x| sketched.add(x));
                    *column = sketched;
                }
            }
        }
    }

    /// Whether it keeps every value (exact quantiles).
    pub fn is_exact(&self) -> bool {
        matches!(self.columns.first().map(|row| &row[0]), Some(Column::Exact(_)) | None)
    }

    /// Count one run: its metrics step by step, and its class.
    pub fn add(&mut self, series: impl IntoIterator<Item = [f64; N_METRICS]>, class: Class) {
        let mut last = None;
        for (row, values) in self.columns.iter_mut().zip(series) {
            for (column, value) in row.iter_mut().zip(values) {
                column.add(value);
            }
            last = Some(values);
        }
        if let Some(values) = last {
            self.finals.iter_mut().zip(values).for_each(|(r, x)| r.push(x));
        }
        self.classes[Class::ALL.iter().position(|&c| c == class).expect("a class")] += 1;
        self.runs += 1;
        if self.exact_runs.is_some_and(|k| self.runs > k) && self.is_exact() {
            self.sketch_the_values();
        }
    }

    /// Runs where a metric's final value is defined, and its mean and sd
    /// there, by Welford in run order (what `--until` reads).
    pub fn final_running(&self, metric: usize) -> (u64, f64, f64) {
        let r = &self.finals[metric];
        (r.count, r.mean(), r.sd())
    }

    /// Mean and sd of a metric's final values, over the runs where it is defined.
    pub fn final_mean_sd(&self, metric: usize) -> (f64, f64) {
        let (_, mean, sd) = self.final_moments(metric);
        (mean, sd)
    }

    /// Runs where a metric's final value is defined, and its mean and sd there.
    pub fn final_moments(&self, metric: usize) -> (u64, f64, f64) {
        self.columns.last().expect("step 0")[metric].moments()
    }

    /// Mean, sd, p05, p50 and p95 of a metric at a step; `scratch` is reused
    /// between calls.
    pub fn summary(&self, step: usize, metric: usize, scratch: &mut Vec<f64>) -> [f64; 5] {
        self.columns[step][metric].summary(scratch)
    }

    /// Steps tallied (the scenario's steps + 1).
    pub fn steps(&self) -> usize {
        self.columns.len()
    }

    /// Class shares with their Wilson 95% intervals, in [`Class::ALL`] order.
    pub fn class_shares(&self) -> Vec<(Class, u64, f64, f64, f64)> {
        Class::ALL
            .iter()
            .zip(self.classes)
            .map(|(&class, count)| {
                let (lo, hi) = wilson(count, self.runs);
                (class, count, count as f64 / self.runs.max(1) as f64, lo, hi)
            })
            .collect()
    }

    /// Bytes the tally holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        let per_column = |c: &Column| match c {
            Column::Exact(values) => values.capacity() * 8,
            Column::Sketch(_, sketch) => sketch.heap_bytes(),
        };
        self.columns
            .iter()
            .map(|row| std::mem::size_of_val(row) + row.iter().map(per_column).sum::<usize>())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_keeps_every_value_within_the_budget_only() {
        assert!(Quantiles::Auto.exact(1_471, 227));
        assert!(!Quantiles::Auto.exact(1_472, 227));
        assert!(Quantiles::Exact.exact(1_000_000, 227));
        assert!(!Quantiles::Sketch.exact(2, 227));
    }

    /// `Auto` past its budget holds what a sketch from the first run holds,
    /// bit for bit, and is exact below it.
    #[test]
    fn auto_turns_into_the_sketch_a_sketch_from_the_start_would_be() {
        let row = |r: usize| {
            std::array::from_fn(|m| {
                if m == 3 {
                    f64::NAN
                } else {
                    ((r * 7919 + m * 104_729) % 997) as f64 / 991.0 - 0.2
                }
            })
        };
        let (mut auto, mut sketch) = (
            ScenarioTally::with_exact_runs("s", 1, Quantiles::Auto, 40),
            ScenarioTally::new("s", 1, Quantiles::Sketch),
        );
        let mut scratch = Vec::new();
        for r in 0..120 {
            auto.add([row(r), row(r)], Class::ALL[r % 4]);
            sketch.add([row(r), row(r)], Class::ALL[r % 4]);
            assert_eq!(auto.is_exact(), r < 40, "after {} runs", r + 1);
        }
        for m in 0..N_METRICS {
            let (a, b) = (auto.summary(1, m, &mut scratch), sketch.summary(1, m, &mut scratch));
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "metric {m}");
            assert_eq!(auto.final_running(m).1.to_bits(), sketch.final_running(m).1.to_bits());
        }
    }

    /// The sketched tally's quantiles are within the stated error of the
    /// exact tally's, and its moments agree to rounding.
    #[test]
    fn a_sketched_tally_agrees_with_the_exact_one() {
        let (mut exact, mut sketch) = (
            ScenarioTally::new("s", 1, Quantiles::Exact),
            ScenarioTally::new("s", 1, Quantiles::Sketch),
        );
        for r in 0..500 {
            let mut row = [0.0; N_METRICS];
            for (m, x) in row.iter_mut().enumerate() {
                *x = ((r * 7919 + m * 104_729) % 1000) as f64 / 1000.0 + m as f64;
            }
            row[1] = f64::NAN;
            exact.add([row, row], Class::ALL[r % 3]);
            sketch.add([row, row], Class::ALL[r % 3]);
        }
        assert!(exact.is_exact() && !sketch.is_exact());
        let mut scratch = Vec::new();
        for m in 0..N_METRICS {
            let (e, s) = (exact.summary(1, m, &mut scratch), sketch.summary(1, m, &mut scratch));
            if m == 1 {
                assert!(e.iter().chain(&s).all(|x| x.is_nan()));
                continue;
            }
            assert!((e[0] - s[0]).abs() < 1e-12 && (e[1] - s[1]).abs() < 1e-9, "{e:?} {s:?}");
            for k in 2..5 {
                assert!(
                    (e[k] - s[k]).abs() <= RELATIVE_ERROR * e[k].abs() * 1.000_001,
                    "{e:?} {s:?}"
                );
            }
        }
        assert_eq!(exact.class_shares(), sketch.class_shares());
        assert!(sketch.heap_bytes() < exact.heap_bytes());
        // Memory flat in runs: once the values' spread is reached (all
        // 1,000 residues), ten times the runs take the same bytes.
        let row = |r: usize| std::array::from_fn(|m| ((r * 7919 + m * 104_729) % 1000) as f64 / 1000.0 + m as f64);
        (0..1_000).for_each(|r| sketch.add([row(r), row(r)], Class::Fracture));
        let before = sketch.heap_bytes();
        (0..10_000).for_each(|r| sketch.add([row(r), row(r)], Class::Fracture));
        assert_eq!(sketch.heap_bytes(), before);
    }
}
