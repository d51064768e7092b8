//! Monte Carlo: many (scenario, replicate) runs in parallel, delivered in order.
//!
//! Architecture invariant: runs are handed to the consumer in job order
//! (scenario by scenario, replicate by replicate), whatever order the threads
//! finish them in, so everything written downstream is thread-count independent.
//! Workers take jobs from a shared counter in order, so the reorder buffer
//! holds about as many runs as there are threads, never the whole batch.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::graph::stats::Summary;
use crate::graph::{EdgeListError, load_edge_list};
use crate::model::{Class, LoadedGraphs, Metrics, Model, Verdict};
use crate::rng::replicate_seed;
use crate::scenario::{GraphSpec, Scenario};

/// A valid scenario with its edge-list files loaded, ready to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The resolved, validated scenario.
    pub scenario: Scenario,
    /// Graphs read from edge-list files, shared by the replicates.
    pub graphs: LoadedGraphs,
    /// What loading noticed and fixed (self-loops dropped, duplicates merged).
    pub notes: Vec<String>,
}

impl Prepared {
    /// Load the edge lists a scenario names (once, shared by all replicates).
    pub fn new(scenario: Scenario) -> Result<Prepared, EdgeListError> {
        let p = &scenario.population;
        let mut notes = Vec::new();
        let mut load = |spec: &GraphSpec, nodes: u32| -> Result<_, EdgeListError> {
            let GraphSpec::EdgeList(path) = spec else {
                return Ok(None);
            };
            let list = load_edge_list(Path::new(path), nodes)?;
            if list.self_loops > 0 || list.duplicates > 0 {
                notes.push(format!(
                    "{path}: dropped {} self-loops, merged {} duplicate edges",
                    list.self_loops, list.duplicates
                ));
            }
            Ok(Some(Arc::new(list.graph)))
        };
        let graphs = LoadedGraphs {
            social: load(&p.social_graph, p.citizens)?,
            admin: load(&p.admin_graph, p.administrations)?,
        };
        Ok(Prepared {
            scenario,
            graphs,
            notes,
        })
    }
}

/// One finished replicate.
#[derive(Debug, Clone)]
pub struct Run {
    /// Index of the scenario in the batch.
    pub scenario: usize,
    /// Replicate number within its scenario.
    pub replicate: u32,
    /// The replicate's seed.
    pub seed: u64,
    /// Metrics for steps `0..=steps`.
    pub series: Vec<Metrics>,
    /// The future the run ended in.
    pub class: Class,
    /// How far the deciding quantity ended from its threshold ([`crate::model::Verdict`]).
    pub margin: f64,
    /// The social graph this replicate ran on.
    pub graph: Summary,
}

impl Run {
    /// The metrics of the last step.
    pub fn last(&self) -> &Metrics {
        self.series.last().expect("a run has at least step 0")
    }
}

/// Simulate one replicate of a prepared scenario, seeded `seed`.
pub fn simulate(prepared: &Prepared, seed: u64) -> (Vec<Metrics>, Class) {
    let (series, verdict, _) = simulate_with_graph(prepared, seed);
    (series, verdict.class)
}

/// [`simulate`], also returning the social graph's summary statistics.
pub fn simulate_with_graph(prepared: &Prepared, seed: u64) -> (Vec<Metrics>, Verdict, Summary) {
    let scenario = &prepared.scenario;
    let mut model = Model::new(scenario, seed, &prepared.graphs);
    let graph = Summary::of(model.social_graph());
    let mut series = Vec::with_capacity(scenario.steps as usize + 1);
    series.push(model.metrics());
    for _ in 0..scenario.steps {
        model.step();
        series.push(model.metrics());
    }
    let branch = scenario.branch_step().unwrap_or(0);
    let verdict = Class::judge(&series, &scenario.classification, branch);
    (series, verdict, graph)
}

/// A job of a batch: replicate `replicate` of scenario `scenario`, seeded `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Index of the scenario in the batch.
    pub scenario: usize,
    /// Replicate number within its scenario.
    pub replicate: u32,
    /// The replicate's seed.
    pub seed: u64,
}

/// All jobs of a `run`: every replicate of every scenario, in output order.
pub fn jobs_of(batch: &[Prepared]) -> Vec<Job> {
    batch
        .iter()
        .enumerate()
        .flat_map(|(s, p)| {
            (0..p.scenario.replicates).map(move |r| Job {
                scenario: s,
                replicate: r,
                seed: replicate_seed(p.scenario.seed, r),
            })
        })
        .collect()
}

/// An ordered list of jobs; lazy lists (a sweep's) need not hold them all.
pub trait Jobs: Sync {
    /// How many jobs there are.
    fn count(&self) -> usize;
    /// Job `k`, `k < count()`.
    fn job(&self, k: usize) -> Job;
}

/// The jobs of `jobs` after the first `done`: what a resumed command still
/// has to run.
pub struct After<'a, J: Jobs + ?Sized> {
    /// The whole list.
    pub jobs: &'a J,
    /// How many of its first jobs are done.
    pub done: usize,
}

impl<J: Jobs + ?Sized> Jobs for After<'_, J> {
    fn count(&self) -> usize {
        self.jobs.count().saturating_sub(self.done)
    }
    fn job(&self, k: usize) -> Job {
        self.jobs.job(self.done + k)
    }
}

/// Where finished runs go, one at a time and in job order: the output
/// files of `run` and `sweep`, or anything else a caller wants to feed.
pub trait Sink: Send {
    /// Take one finished run; an error stops the batch.
    fn add(&mut self, run: &Run) -> std::io::Result<()>;
}

/// Run `jobs` of `batch` on `threads` workers and feed every run to `sink`
/// in job order, calling `on_run` after each. The one pipeline of every
/// command that simulates.
///
/// ```
/// use agora_core::model::metrics::idx;
/// use agora_core::runner::{Prepared, Run, Sink, execute, jobs_of};
/// use agora_core::scenario;
///
/// /// Keeps each run's final adoption, in job order.
/// struct Adoption(Vec<(u32, f64)>);
/// impl Sink for Adoption {
///     fn add(&mut self, run: &Run) -> std::io::Result<()> {
///         self.0.push((run.replicate, run.last().values[idx::ADOPTION]));
///         Ok(())
///     }
/// }
///
/// let mut pioneer = scenario::load(std::path::Path::new(""), "pioneer")?;
/// let small = [("population.citizens", "1000"), ("steps", "12"), ("replicates", "4")];
/// scenario::apply_overrides(&mut pioneer, &small.map(|(p, v)| (p.to_string(), v.to_string())))?;
/// let batch = vec![Prepared::new(pioneer)?];
/// let mut adoption = Adoption(Vec::new());
/// let delivered = execute(&batch, &jobs_of(&batch)[..], 2, &mut adoption, &|| {})?;
/// assert_eq!(delivered, 4);
/// // Whatever thread finished first, runs arrive replicate by replicate.
/// assert_eq!(adoption.0.iter().map(|r| r.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
/// # Ok::<(), agora_core::Error>(())
/// ```
pub fn execute(
    batch: &[Prepared],
    jobs: &(impl Jobs + ?Sized),
    threads: usize,
    sink: &mut dyn Sink,
    on_run: &(dyn Fn() + Sync),
) -> crate::error::Result<usize> {
    execute_until(batch, jobs, threads, sink, on_run, &AtomicBool::new(false))
}

/// [`execute`] that a caller can cut short from another thread by setting
/// `stop` (the Python module on Ctrl-C): workers start no job after it is
/// set, the runs delivered so far stay complete, and the count of delivered
/// runs tells the caller whether the batch was cut.
pub fn execute_until(
    batch: &[Prepared],
    jobs: &(impl Jobs + ?Sized),
    threads: usize,
    sink: &mut dyn Sink,
    on_run: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> crate::error::Result<usize> {
    let pool = crate::par::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| crate::error::Error::io("starting worker threads", std::io::Error::other(e)))?;
    pool.install(|| {
        run_ordered(batch, jobs, stop, |run| {
            on_run();
            sink.add(&run)
        })
    })
    .map_err(|e| crate::error::Error::io("writing results", e))
}

/// The number of worker threads: `requested`, or every core.
pub fn threads(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

impl Jobs for [Job] {
    fn count(&self) -> usize {
        self.len()
    }
    fn job(&self, k: usize) -> Job {
        self[k]
    }
}

/// Run `jobs` on the current rayon pool and hand each finished run to
/// `deliver` in job order. `stop` lets a caller cut the batch short (the
/// runs delivered so far stay complete); returns how many were delivered.
pub fn run_ordered<E: Send>(
    batch: &[Prepared],
    jobs: &(impl Jobs + ?Sized),
    stop: &AtomicBool,
    mut deliver: impl FnMut(Run) -> Result<(), E> + Send,
) -> Result<usize, E> {
    let next = AtomicUsize::new(0);
    let total = jobs.count();
    let workers = crate::par::current_num_threads().min(total).max(1);
    let (sender, receiver) = mpsc::sync_channel::<(usize, Run)>(workers * 2);
    std::thread::scope(|scope| {
        // The consumer: puts runs back in job order and delivers them.
        let consumer = scope.spawn(move || {
            let mut pending: BTreeMap<usize, Run> = BTreeMap::new();
            let mut delivered = 0usize;
            for (k, run) in receiver.iter() {
                pending.insert(k, run);
                while let Some(run) = pending.remove(&delivered) {
                    if let Err(e) = deliver(run) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    delivered += 1;
                }
            }
            Ok(delivered)
        });
        // The workers, on the caller's rayon pool, take jobs in order.
        crate::par::scope(|s| {
            for _ in 0..workers {
                let sender = sender.clone();
                let next = &next;
                s.spawn(move |_| {
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= total {
                            break;
                        }
                        let job = jobs.job(k);
                        let (series, verdict, graph) = simulate_with_graph(&batch[job.scenario], job.seed);
                        let run = Run {
                            scenario: job.scenario,
                            replicate: job.replicate,
                            seed: job.seed,
                            series,
                            class: verdict.class,
                            margin: verdict.margin,
                            graph,
                        };
                        if sender.send((k, run)).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        drop(sender);
        consumer.join().expect("the consumer does not panic")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The same bytes with and without the `parallel` feature: CI runs this
    /// test both ways (`cargo test -p agora-core --no-default-features`), so
    /// the sequential build of `par` writes what rayon writes. 2 jobs of a
    /// 9,000-citizen population (three chunks of citizens) to past the branch.
    #[test]
    fn runs_write_the_pinned_bytes_with_or_without_threads() {
        let mut s = crate::scenario::built_in().remove(1);
        crate::scenario::apply_overrides(
            &mut s,
            &[
                ("population.citizens".into(), "9000".into()),
                ("steps".into(), "180".into()),
                ("replicates".into(), "2".into()),
            ],
        )
        .unwrap();
        let prepared = Prepared::new(s).unwrap();
        let jobs = jobs_of(std::slice::from_ref(&prepared));
        let mut hash = Sha256::new();
        let stop = AtomicBool::new(false);
        let delivered = run_ordered(std::slice::from_ref(&prepared), &jobs[..], &stop, |run| {
            for m in &run.series {
                for v in m.values {
                    hash.update(v.to_bits().to_le_bytes());
                }
            }
            hash.update(run.class.name().as_bytes());
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(delivered, 2);
        let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            digest,
            "191886e87f1263b3bb6ec98b40164bf114ce1bc3ba1b64165a6dfc4fa339a1a0"
        );
    }
}
