//! How much memory a command will need, and how much the machine has, so a
//! run that cannot fit is refused before it allocates (exit 2) instead of
//! being killed half-way.

use std::path::{Path, PathBuf};

use crate::graph::Graph;
use crate::model::N_METRICS;
use crate::output::Quantiles;
use crate::runner::Prepared;
use crate::scenario::GraphSpec;

/// Resident memory of the process besides its replicates: binary, libraries,
/// threads' stacks, CSV buffers. Measured (peak RSS, `tests/agora/memory.rs`):
/// a 10^5-citizen run peaks at 12.6 MB, of which about 7.3 MB grows with the
/// citizens, so about 5.3 MB is fixed; 24 MiB overstated it 4-fold and made
/// small runs look 2.5 times their size. The part that grows (29 bytes of
/// state and 48 of Watts-Strogatz neighbours as generated, k = 10) measured
/// 73 bytes a citizen from 10^5 to 2 x 10^6 citizens: kept, 5% over.
const BASE_BYTES: u64 = 6 << 20;
/// Per-citizen bytes of a replicate's state: five `f32` arrays, a byte of
/// flags, a byte of online-contact age, eight bytes of CSR offsets (see
/// `Model::heap_bytes`).
const STATE_BYTES_PER_CITIZEN: u64 = 30;

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
    /// The estimate of running `batch` on `threads` workers, keeping each
    /// step's values across runs as `kept` says (every value, or a sketch;
    /// `None` for a sweep, which keeps running sums only).
    pub fn of(batch: &[&Prepared], threads: usize, kept: Option<Quantiles>) -> Estimate {
        let per_replicate = batch.iter().map(|p| replicate_bytes(p)).max().unwrap_or(0);
        let runs: u64 = batch.iter().map(|p| u64::from(p.scenario.replicates)).sum();
        let concurrent = (threads as u64).min(runs.max(1));
        let row = N_METRICS as u64 * 8;
        let kept = match kept {
            Some(quantiles) => batch
                .iter()
                .map(|p| quantiles.kept_bytes(p.scenario.replicates, p.scenario.steps))
                .sum(),
            None => 0,
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

    /// The same estimate for `jobs` runs on `threads` workers, whatever the
    /// replicates of the scenario it was made from (a sweep's jobs span
    /// its points).
    pub fn with_concurrency(self, threads: usize, jobs: usize) -> Estimate {
        let concurrent = (threads as u64).min(jobs.max(1) as u64);
        let extra = concurrent.saturating_sub(self.concurrent) * self.per_replicate;
        Estimate {
            peak: self.peak + extra,
            concurrent,
            ..self
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
            hints.push("replicates or steps (every run's series is kept for exact quantiles; `--quantiles sketch` keeps memory flat)".into());
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
    // Targeted interventions give each administration its own dynamics,
    // and each target a flag per administration.
    let targets = p.scenario.interventions.iter().filter(|i| !i.target.is_all()).count() as u64;
    let local = match targets {
        0 => 0,
        n => u64::from(pop.administrations) * (std::mem::size_of::<crate::scenario::Dynamics>() as u64 + n),
    };
    STATE_BYTES_PER_CITIZEN * citizens + neighbours + admins + local
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

/// Room left under this process's cgroup memory limits (v2, else v1).
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    cgroup_dirs(&own, &mounts)
        .into_iter()
        .find_map(|(version, dir, top)| room_under(version, &dir, &top))
}

/// Which cgroup hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// The memory cgroup folders of this process, the unified (v2) hierarchy
/// first, then the v1 `memory` one (a hybrid system mounts both, with the
/// memory controller in one of them), each with its hierarchy's mount point
/// (the top of the walk over ancestors). `own` is `/proc/self/cgroup`,
/// `mountinfo` is `/proc/self/mountinfo`.
fn cgroup_dirs(own: &str, mountinfo: &str) -> Vec<(Version, PathBuf, PathBuf)> {
    let mut dirs = Vec::new();
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let version = match controllers {
            "" => Version::V2,
            _ if controllers.split(',').any(|c| c == "memory") => Version::V1,
            _ => continue,
        };
        let Some((root, mount)) = mountinfo.lines().find_map(|m| cgroup_mount(m, version)) else {
            continue;
        };
        // The path is seen from the hierarchy's root; the mount may show a
        // subtree of it (a container's own cgroup bind-mounted).
        let relative = match path.strip_prefix(root) {
            Some(rest) if root == "/" || rest.is_empty() || rest.starts_with('/') => rest,
            _ => "",
        };
        let top = PathBuf::from(mount);
        let dir = top.join(relative.trim_start_matches('/'));
        dirs.push((version, dir, top));
    }
    dirs.sort_by_key(|(version, ..)| *version == Version::V1);
    dirs
}

/// `(root, mount point)` of a `/proc/self/mountinfo` line that mounts the
/// cgroup hierarchy of `version` (for v1, the one with the memory controller).
fn cgroup_mount(line: &str, version: Version) -> Option<(&str, &str)> {
    let (left, right) = line.split_once(" - ")?;
    let mut fields = left.split(' ');
    let (root, mount) = (fields.nth(3)?, fields.next()?);
    let mut right = right.split(' ');
    let (fstype, options) = (right.next()?, right.nth(1).unwrap_or(""));
    let wanted = match version {
        Version::V2 => fstype == "cgroup2",
        Version::V1 => fstype == "cgroup" && options.split(',').any(|o| o == "memory"),
    };
    wanted.then_some((root, mount))
}

/// The least room, over `dir` and its ancestors up to `top`, between a
/// memory limit and what its group uses (less the inactive file cache,
/// which the kernel reclaims before it fails an allocation). `None` where no
/// level has a limit.
fn room_under(version: Version, dir: &Path, top: &Path) -> Option<u64> {
    let (limit_file, usage_file, inactive_key) = match version {
        Version::V2 => ("memory.max", "memory.current", "inactive_file"),
        Version::V1 => ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
    };
    let number =
        |d: &Path, file: &str| -> Option<u64> { std::fs::read_to_string(d.join(file)).ok()?.trim().parse().ok() };
    let mut room: Option<u64> = None;
    let mut level = dir;
    loop {
        // v2 writes "max" for no limit (no number); v1 a huge number.
        if let Some(limit) = number(level, limit_file).filter(|&l| l < 1 << 60) {
            let used = number(level, usage_file).unwrap_or(0);
            let inactive = std::fs::read_to_string(level.join("memory.stat"))
                .ok()
                .and_then(|stat| {
                    stat.lines().find_map(|l| {
                        l.strip_prefix(inactive_key)?
                            .strip_prefix(' ')?
                            .trim()
                            .parse::<u64>()
                            .ok()
                    })
                })
                .unwrap_or(0);
            let here = limit.saturating_sub(used.saturating_sub(inactive));
            room = Some(room.map_or(here, |r| r.min(here)));
        }
        if level == top {
            break;
        }
        match level.parent() {
            Some(parent) if parent.starts_with(top) => level = parent,
            _ => break,
        }
    }
    room
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
        let estimate = Estimate::of(&[&p], 2, Some(Quantiles::Exact));
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

    /// A hybrid system (this one's kind): the unified hierarchy mounted but
    /// without the memory controller, which is in v1 under the process's own path.
    #[test]
    fn cgroup_folders_of_a_hybrid_system() {
        let own = "9:name=systemd:/\n4:memory:/jobs/42\n1:cpu:/\n0::/\n";
        let mounts = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
                      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
                      36 31 0:33 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n\
                      40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        let dirs = cgroup_dirs(own, mounts);
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            dirs,
            [
                (Version::V2, p("/sys/fs/cgroup/unified"), p("/sys/fs/cgroup/unified")),
                (
                    Version::V1,
                    p("/sys/fs/cgroup/memory/jobs/42"),
                    p("/sys/fs/cgroup/memory")
                ),
            ]
        );
        // A container whose own cgroup is bind-mounted as the hierarchy's root.
        let mounts = "50 40 0:40 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        let dirs = cgroup_dirs("0::/docker/abc\n", mounts);
        assert_eq!(dirs, [(Version::V2, p("/sys/fs/cgroup/"), p("/sys/fs/cgroup"))]);
    }

    #[test]
    fn the_room_is_the_least_over_the_group_and_its_ancestors() {
        let top = tempfile::tempdir().unwrap();
        let job = top.path().join("jobs/42");
        std::fs::create_dir_all(&job).unwrap();
        let put = |dir: &Path, name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        // v2: the job may use 1000 and uses 300, 100 of it inactive file cache.
        put(&job, "memory.max", "1000\n");
        put(&job, "memory.current", "300\n");
        put(&job, "memory.stat", "anon 200\ninactive_file 100\nactive_file 0\n");
        assert_eq!(room_under(Version::V2, &job, top.path()), Some(800));
        // An ancestor with less room wins.
        let jobs = top.path().join("jobs");
        put(&jobs, "memory.max", "2000\n");
        put(&jobs, "memory.current", "1500\n");
        assert_eq!(room_under(Version::V2, &job, top.path()), Some(500));
        put(&jobs, "memory.max", "max\n");
        put(&job, "memory.max", "max\n");
        assert_eq!(room_under(Version::V2, &job, top.path()), None);
        // v1: "no limit" is a huge number.
        put(&job, "memory.limit_in_bytes", "9223372036854771712\n");
        assert_eq!(room_under(Version::V1, &job, top.path()), None);
        put(&job, "memory.limit_in_bytes", "4096\n");
        put(&job, "memory.usage_in_bytes", "1024\n");
        put(&job, "memory.stat", "cache 10\ntotal_inactive_file 24\n");
        assert_eq!(room_under(Version::V1, &job, top.path()), Some(3096));
    }
}
