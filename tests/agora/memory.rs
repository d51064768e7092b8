//! Memory: the estimate against measured peaks, the guard that refuses a run
//! too large for the machine (and for a cgroup limit) before it allocates,
//! and the one-line exit 1 when an allocation fails anyway.
//!
//! Peaks are the kernel's: `wait4` returns the child's `ru_maxrss`, the
//! high-water mark of its resident memory, however brief; nothing needs to
//! be installed.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use agora_core::memory::{Estimate, gib};
use agora_core::runner::Prepared;

use super::{agora, read, write};

fn skip(test: &str, reason: &str) {
    eprintln!("skipped {test}: {reason}");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// What a finished child did: exit code (128 + signal if killed), peak
/// resident bytes, stderr, wall time.
struct Finished {
    code: i32,
    peak: u64,
    stderr: String,
    seconds: f64,
}

/// Run `command` to its end and take its peak resident memory (its VmHWM,
/// sampled every millisecond; `wait4`'s ru_maxrss if none was read).
fn measure(mut command: Command) -> Finished {
    let mut stderr = tempfile::tempfile().unwrap();
    let start = Instant::now();
    // Reaped by wait4 below, which std's Child::wait cannot do with the usage.
    #[allow(clippy::zombie_processes)]
    let child = command
        .stdout(Stdio::null())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // The child's own high-water mark, sampled while it runs: its ru_maxrss
    // also counts the test process's peak, whose memory the child shared
    // between spawn (vfork) and exec, so a busy test binary inflated it.
    let mut sampled = 0u64;
    let hwm = || -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    loop {
        sampled = sampled.max(hwm().unwrap_or(0));
        // SAFETY: pid is our unwaited child; status and usage are valid for writes.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(waited >= 0, "wait4: {}", std::io::Error::last_os_error());
        if waited == pid {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let seconds = start.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let mut text = String::new();
    stderr.rewind().unwrap();
    stderr.read_to_string(&mut text).unwrap();
    Finished {
        code,
        // Linux reports ru_maxrss in KiB; it is an upper bound of the sampled peak.
        peak: if sampled > 0 {
            sampled
        } else {
            usage.ru_maxrss as u64 * 1024
        },
        stderr: text,
        seconds,
    }
}

/// The built-in fracture scenario at a size, as `run` prepares it.
fn fracture(citizens: u32, replicates: u32, steps: u32) -> Prepared {
    let mut s = agora_core::scenario::built_in()
        .into_iter()
        .find(|s| s.name == "fracture")
        .unwrap();
    s.population.citizens = citizens;
    s.replicates = replicates;
    s.steps = steps;
    Prepared::new(s).unwrap()
}

/// `agora run fracture` at a size, into `out`.
fn run_fracture(out: &Path, citizens: u32, replicates: u32, threads: usize, steps: u32) -> Command {
    let mut command = agora();
    command.args(run_args(out, citizens, replicates, threads, steps));
    command
}

fn run_args(out: &Path, citizens: u32, replicates: u32, threads: usize, steps: u32) -> Vec<String> {
    [
        "run".to_string(),
        "fracture".into(),
        "--quiet".into(),
        "--out".into(),
        out.to_str().unwrap().into(),
        "--set".into(),
        format!("population.citizens={citizens}"),
        "--replicates".into(),
        replicates.to_string(),
        "--threads".into(),
        threads.to_string(),
        "--steps".into(),
        steps.to_string(),
    ]
    .to_vec()
}

/// `MemAvailable` in bytes.
fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// The estimate of `agora run` and `agora check` against the measured peak,
/// within 25%, at 10^5, 10^6 and 3 x 10^6 citizens (one replicate on one
/// thread) and for 4 replicates of 10^6 on 2 threads. Ten steps: the peak
/// does not grow with steps beyond the kept series, which the estimate counts.
#[test]
fn the_memory_estimate_is_within_25_percent_of_the_measured_peak() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(u32, u32, usize); 4] = [(100_000, 1, 1), (1_000_000, 1, 1), (3_000_000, 1, 1), (1_000_000, 4, 2)];
    let needed: u64 = cases
        .iter()
        .map(|&(n, r, t)| Estimate::of(&[&fracture(n, r, 10)], t, Some(agora_core::output::Quantiles::Exact)).peak)
        .max()
        .unwrap();
    if mem_available().is_some_and(|m| m < 2 * needed) {
        return skip(
            "the memory estimate test",
            "less than twice the largest case's memory is available",
        );
    }
    let mut table = String::from("citizens  replicates  threads   estimate   measured  ratio\n");
    let mut failures = Vec::new();
    for (k, &(citizens, replicates, threads)) in cases.iter().enumerate() {
        let estimate = Estimate::of(
            &[&fracture(citizens, replicates, 10)],
            threads,
            Some(agora_core::output::Quantiles::Exact),
        );
        let out = dir.path().join(format!("case{k}"));
        let finished = measure(run_fracture(&out, citizens, replicates, threads, 10));
        assert_eq!(finished.code, 0, "{}", finished.stderr);
        let ratio = estimate.peak as f64 / finished.peak as f64;
        let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20));
        table.push_str(&format!(
            "{citizens:>8}  {replicates:>10}  {threads:>7}  {:>9}  {:>9}  {ratio:.2}\n",
            mib(estimate.peak),
            mib(finished.peak)
        ));
        if !(0.75..=1.25).contains(&ratio) {
            failures.push(citizens);
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "estimate off by more than 25%:\n{table}");

    // `agora check` prints the same estimate.
    let file = write(
        dir.path(),
        "million.ron",
        "Scenario(name: \"million\", base: Some(\"fracture\"), population: (citizens: 1000000), steps: 10, replicates: 1)",
    );
    let check = agora()
        .args(["check", file.to_str().unwrap(), "--threads", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr);
    let mut million = fracture(1_000_000, 1, 10);
    million.scenario.name = "million".into();
    let expected = gib(Estimate::of(&[&million], 1, Some(agora_core::output::Quantiles::Exact)).peak);
    assert!(
        stderr.contains(&format!("memory: about {expected} for `million`")),
        "{stderr}"
    );
}

/// A run far too large for the machine is refused at once (exit 2) with
/// the estimate, the limit and what to change, before it allocates.
#[test]
fn a_run_too_large_for_the_machine_is_refused_before_it_allocates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("huge");
    let huge = fracture(1_000_000_000, 1, 120);
    let estimate = Estimate::of(&[&huge, &huge, &huge], 2, Some(agora_core::output::Quantiles::Exact));
    if mem_available().is_some_and(|m| m > estimate.peak) {
        return skip("the too-large test", "this machine has room for 10^9 citizens");
    }
    let mut command = agora();
    command.args([
        "run",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "population.citizens=1000000000",
        "--replicates",
        "1",
    ]);
    let finished = measure(command);
    let stderr = &finished.stderr;
    assert_eq!(finished.code, 2, "{stderr}");
    assert!(stderr.starts_with("error: this run needs about "), "{stderr}");
    assert!(stderr.contains("GiB per replicate"), "the estimate: {stderr}");
    assert!(
        stderr.contains("MemAvailable") || stderr.contains("the cgroup limit"),
        "the limit: {stderr}"
    );
    assert!(stderr.contains("lower population.citizens"), "what to change: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(finished.seconds < 5.0, "took {:.1} s", finished.seconds);
    assert!(finished.peak < 64 << 20, "allocated {} first", gib(finished.peak));
    assert!(!out.exists(), "the output folder was created");
}

/// A memory cgroup (v2, else v1) with a limit, removed when dropped.
struct MemoryGroup {
    dir: PathBuf,
}

impl MemoryGroup {
    /// A new group limited to `bytes`; the reason where none can be made.
    fn create(bytes: u64) -> Result<MemoryGroup, String> {
        if !is_root() {
            return Err("making a memory cgroup needs root".into());
        }
        let own = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| format!("/proc/self/cgroup: {e}"))?;
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").map_err(|e| format!("mountinfo: {e}"))?;
        let mount_of = |wanted: &dyn Fn(&str, &str) -> bool| {
            mounts.lines().find_map(|line| {
                let (left, right) = line.split_once(" - ")?;
                let mount = left.split(' ').nth(4)?;
                let mut right = right.split(' ');
                let (fstype, options) = (right.next()?, right.nth(1).unwrap_or(""));
                wanted(fstype, options).then(|| PathBuf::from(mount))
            })
        };
        let name = format!("agora-test-{}", std::process::id());
        let put = |path: PathBuf, text: &str| {
            std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))
        };
        // cgroup v2 with the memory controller: a child of the root group
        // (the root may hold processes and still give children controllers).
        let unified = mount_of(&|fstype, _| fstype == "cgroup2").filter(|root| {
            std::fs::read_to_string(root.join("cgroup.controllers"))
                .is_ok_and(|c| c.split_whitespace().any(|c| c == "memory"))
        });
        if let Some(root) = unified {
            let _ = put(root.join("cgroup.subtree_control"), "+memory");
            let dir = root.join(&name);
            std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
            let group = MemoryGroup { dir };
            put(group.dir.join("memory.max"), &bytes.to_string())?;
            return Ok(group);
        }
        // cgroup v1: a child of this process's own memory group.
        let Some(memory) = mount_of(&|fstype, options| fstype == "cgroup" && options.split(',').any(|o| o == "memory"))
        else {
            return Err("no memory cgroup controller is mounted (neither v2 nor v1)".into());
        };
        let path = own
            .lines()
            .find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
                controllers.split(',').any(|c| c == "memory").then_some(path)
            })
            .unwrap_or("/");
        let dir = memory.join(path.trim_start_matches('/')).join(&name);
        std::fs::create_dir(&dir).map_err(|e| format!("creating {} (cgroup not writable?): {e}", dir.display()))?;
        let group = MemoryGroup { dir };
        put(group.dir.join("memory.limit_in_bytes"), &bytes.to_string())?;
        Ok(group)
    }

    /// `agora args` started inside the group.
    fn agora(&self, args: &[String]) -> Command {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("echo $$ > \"$0/cgroup.procs\" && exec \"$@\"")
            .arg(&self.dir)
            .arg(env!("CARGO_BIN_EXE_agora"))
            .args(args);
        command
    }
}

impl Drop for MemoryGroup {
    fn drop(&mut self) {
        // The group empties as its last process is reaped; give it a moment.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("could not remove the test cgroup {}", self.dir.display());
    }
}

/// Under a cgroup limit far below the machine's free memory, the guard
/// refuses by the cgroup's limit, and a run that fits still runs.
#[test]
fn the_guard_reads_the_cgroup_limit() {
    const TEST: &str = "the cgroup guard test";
    let limit: u64 = 256 << 20;
    let big = Estimate::of(
        &[&fracture(10_000_000, 1, 10)],
        1,
        Some(agora_core::output::Quantiles::Exact),
    );
    if mem_available().is_none_or(|m| m < 2 * big.peak) {
        return skip(TEST, "the machine's free memory is not far above the cgroup limit");
    }
    let group = match MemoryGroup::create(limit) {
        Ok(group) => group,
        Err(reason) => return skip(TEST, &reason),
    };
    let dir = tempfile::tempdir().unwrap();
    let small = measure(group.agora(&run_args(&dir.path().join("small"), 100_000, 1, 1, 10)));
    assert_eq!(small.code, 0, "a run that fits the cgroup: {}", small.stderr);
    let out = dir.path().join("big");
    let refused = measure(group.agora(&run_args(&out, 10_000_000, 1, 1, 10)));
    let stderr = &refused.stderr;
    assert_eq!(refused.code, 2, "{stderr}");
    assert!(stderr.contains("but the cgroup limit has "), "{stderr}");
    assert!(
        stderr.contains(&format!("this run needs about {}", gib(big.peak))),
        "{stderr}"
    );
    assert!(refused.seconds < 5.0 && refused.peak < 64 << 20, "it allocated first");
    assert!(!out.exists());
}

/// An allocation that fails although the guard let the run start (it sees
/// MemAvailable, not an address-space limit) ends with one line on stderr
/// and exit 1, not Rust's abort (exit 134); the folder resumes afterwards.
#[test]
fn a_failed_allocation_exits_1_with_one_line() {
    const TEST: &str = "the out-of-memory test";
    // The run needs about 80 MB resident; the address space allows 48 MiB.
    let limit: u64 = 48 << 20;
    let estimate = Estimate::of(
        &[&fracture(1_000_000, 1, 2)],
        1,
        Some(agora_core::output::Quantiles::Exact),
    );
    if mem_available().is_none_or(|m| m < 4 * estimate.peak) {
        return skip(TEST, "too little free memory for the guard to let the run start");
    }
    let limited = |args: &[String]| -> Option<Command> {
        let prlimit = Command::new("prlimit")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        let mut command = if prlimit {
            let mut c = Command::new("prlimit");
            c.arg(format!("--as={limit}")).arg("--");
            c
        } else if Command::new("sh")
            .arg("-c")
            .arg("ulimit -v")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", limit >> 10));
            c
        } else {
            return None;
        };
        command.arg(env!("CARGO_BIN_EXE_agora")).args(args);
        Some(command)
    };
    let dir = tempfile::tempdir().unwrap();
    // A tiny run must start under the limit, or the limit says nothing here.
    let Some(tiny) = limited(&run_args(&dir.path().join("tiny"), 1000, 1, 1, 2)) else {
        return skip(TEST, "neither prlimit nor `ulimit -v` is available");
    };
    let tiny = measure(tiny);
    if tiny.code != 0 {
        return skip(
            TEST,
            &format!(
                "agora does not even start in 48 MiB of address space here: {}",
                tiny.stderr
            ),
        );
    }
    let out = dir.path().join("oom");
    let args = run_args(&out, 1_000_000, 1, 1, 2);
    let failed = measure(limited(&args).unwrap());
    let stderr = &failed.stderr;
    assert_eq!(failed.code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: out of memory: could not allocate "),
        "{stderr}"
    );
    assert!(
        stderr.contains(" bytes; ") && stderr.contains("population.citizens"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("memory allocation of"),
        "{stderr}"
    );

    // No result, and a resume with enough memory finishes it as if never interrupted.
    assert!(!out.join("manifest.ron").exists());
    let mut resume = args.clone();
    resume.push("--resume".into());
    let resumed = agora().args(&resume).output().unwrap();
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let clean = dir.path().join("clean");
    assert!(
        agora()
            .args(run_args(&clean, 1_000_000, 1, 1, 2))
            .output()
            .unwrap()
            .status
            .success()
    );
    for file in [
        "timeseries.csv",
        "summary.csv",
        "graphs.csv",
        "aggregate.csv",
        "classes.csv",
    ] {
        assert!(
            read(out.join(file)) == read(clean.join(file)),
            "{file} differs after the resume"
        );
    }
}
