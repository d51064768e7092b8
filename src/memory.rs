//! How much memory a command will need, and how much the machine has, so a
//! run that cannot fit is refused before it allocates (exit 2) instead of
//! being killed half-way.

use crate::graph::Graph;
use crate::model::N_METRICS;
use crate::runner::Prepared;
use crate::scenario::GraphSpec;

/// Resident memory of the process before any replicate: binary, threads' stacks, buffers.
const BASE_BYTES: u64 = 24 << 20;
/// Per-citizen bytes of a replicate's state: five `f32` arrays, one byte of
/// flags, eight bytes of CSR offsets (see `Model::heap_bytes`).
const STATE_BYTES_PER_CITIZEN: u64 = 29;

/// A command's expected peak resident memory, and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Expected peak, bytes.
    pub peak: u64,
    /// Peak of the largest replicate (graph while generated, then state), bytes.
    pub per_replicate: u64,
    /// Replicates in memory at once (one per worker thread).
    pub concurrent: u64,
    /// What the command keeps across replicates (every run's series, for
    /// exact quantiles), bytes.
    pub kept: u64,
}

impl Estimate {
    /// The estimate of running `batch` on `threads` workers, keeping
    /// `kept_steps` series rows of every run (0 for a sweep, which keeps
    /// running sums only).
    pub fn of(batch: &[&Prepared], threads: usize, keep_series: bool) -> Estimate {
        let per_replicate = batch.iter().map(|p| replicate_bytes(p)).max().unwrap_or(0);
        let runs: u64 = batch.iter().map(|p| u64::from(p.scenario.replicates)).sum();
        let concurrent = (threads as u64).min(runs.max(1));
        let row = N_METRICS as u64 * 8;
        let kept = if keep_series {
            batch
                .iter()
                .map(|p| u64::from(p.scenario.replicates) * (u64::from(p.scenario.steps) + 1) * row)
                .sum()
        } else {
            0
        };
        // A series per run in flight and in the reorder buffer (two per worker).
        let longest = batch.iter().map(|p| u64::from(p.scenario.steps) + 1).max().unwrap_or(1);
        let in_flight = 3 * concurrent * longest * row;
        let shared: u64 = batch.iter().map(|p| loaded_bytes(p)).sum();
        Estimate {
            peak: BASE_BYTES + concurrent * per_replicate + kept + in_flight + shared,
            per_replicate,
            concurrent,
            kept,
        }
    }

    /// Refuse the estimate if it does not fit in `available` bytes; the
    /// message says what to change.
    pub fn check(&self, available: Available) -> Result<(), String> {
        if self.peak <= available.bytes {
            return Ok(());
        }
        let mut hints = vec!["population.citizens (or the graph's degree)".to_string()];
        if self.concurrent > 1 {
            hints.push(format!(
                "--threads (now {}: one replicate in memory per thread)",
                self.concurrent
            ));
        }
        if self.kept > available.bytes / 4 {
            hints.push("replicates or steps (every run's series is kept for exact quantiles)".into());
        }
        Err(format!(
            "this run needs about {} of memory ({} per replicate x {} at once, {} kept across runs) \
             but {} has {}: lower {}",
            gib(self.peak),
            gib(self.per_replicate),
            self.concurrent,
            gib(self.kept),
            available.source,
            gib(available.bytes),
            hints.join(", or ")
        ))
    }
}

/// Bytes as GiB or MiB, for messages.
pub fn gib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else {
        format!("{:.0} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

/// Peak bytes of one replicate of `p`: its graph while being generated (the
/// generators' scratch space, measured in BENCHMARKS.md), then graph and state.
fn replicate_bytes(p: &Prepared) -> u64 {
    let pop = &p.scenario.population;
    let citizens = u64::from(pop.citizens);
    let (edges, generation) = match &pop.social_graph {
        GraphSpec::Complete => (0.0, 1.0),
        GraphSpec::ErdosRenyi { mean_degree } => (mean_degree * citizens as f64, 1.5),
        GraphSpec::WattsStrogatz { k, .. } => (f64::from(*k) * citizens as f64, 1.2),
        GraphSpec::BarabasiAlbert { m } => (2.0 * f64::from(*m) * citizens as f64, 1.5),
        GraphSpec::StochasticBlock { mean_degree, .. } => (mean_degree * citizens as f64, 1.5),
        // Loaded once and shared (counted in `loaded_bytes`).
        GraphSpec::EdgeList(_) => (0.0, 1.0),
    };
    let neighbours = (4.0 * edges * generation) as u64;
    let admins = u64::from(pop.administrations) * 128;
    STATE_BYTES_PER_CITIZEN * citizens + neighbours + admins
}

/// Bytes of the graphs `p` loaded from files, shared by its replicates.
fn loaded_bytes(p: &Prepared) -> u64 {
    [&p.graphs.social, &p.graphs.admin]
        .into_iter()
        .flatten()
        .map(|g| Graph::heap_bytes(g) as u64)
        .sum()
}

/// Memory the process may use, and where that figure comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Available {
    /// Bytes.
    pub bytes: u64,
    /// `"the cgroup limit"` or `"this machine (MemAvailable)"`.
    pub source: &'static str,
}

/// The memory available to this process: the smaller of the cgroup's limit
/// (less what the cgroup already uses) and the kernel's MemAvailable.
/// `None` where neither can be read (not Linux).
pub fn available() -> Option<Available> {
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_available(&t));
    let cgroup = cgroup_room();
    match (meminfo, cgroup) {
        (Some(m), Some(c)) if c < m => Some(Available {
            bytes: c,
            source: "the cgroup limit",
        }),
        (Some(m), _) => Some(Available {
            bytes: m,
            source: "this machine (MemAvailable)",
        }),
        (None, Some(c)) => Some(Available {
            bytes: c,
            source: "the cgroup limit",
        }),
        (None, None) => None,
    }
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Room left under this process's cgroup memory limit (v2, else v1).
fn cgroup_room() -> Option<u64> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let number = |t: Option<String>| t.and_then(|t| t.trim().parse::<u64>().ok());
    let own = read("/proc/self/cgroup")?;
    // cgroup v2: one line `0::/path`.
    if let Some(path) = own.lines().find_map(|l| l.strip_prefix("0::")) {
        let dir = format!("/sys/fs/cgroup{}", path.trim_end_matches('/'));
        if let Some(limit) = number(read(&format!("{dir}/memory.max"))) {
            let used = number(read(&format!("{dir}/memory.current"))).unwrap_or(0);
            return Some(limit.saturating_sub(used));
        }
        return None;
    }
    let limit = number(read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))?;
    // v1 reports "no limit" as a huge number.
    if limit >= 1 << 60 {
        return None;
    }
    let used = number(read("/sys/fs/cgroup/memory/memory.usage_in_bytes")).unwrap_or(0);
    Some(limit.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_reads_kib() {
        let text = "MemTotal:       24000000 kB\nMemFree:  1 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(mem_available(text), Some(20_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn a_run_too_large_is_refused_with_what_to_change() {
        let mut s = crate::scenario::built_in().remove(0);
        s.population.citizens = 100_000_000;
        s.replicates = 1;
        let p = Prepared::new(s).unwrap();
        let estimate = Estimate::of(&[&p], 2, true);
        // 29 bytes of state and 40 of Watts-Strogatz neighbours (k = 10, x 1.2) per citizen, at least.
        assert!(estimate.peak > 6_000_000_000, "{estimate:?}");
        let small = Available {
            bytes: 3 << 30,
            source: "the cgroup limit",
        };
        let message = estimate.check(small).unwrap_err();
        assert!(
            message.contains("population.citizens") && message.contains("3.0 GiB"),
            "{message}"
        );
        assert!(
            estimate
                .check(Available {
                    bytes: u64::MAX,
                    ..small
                })
                .is_ok()
        );
    }
}
