//! Fault injection: a full disk, two writers at once, `kill -9` at random
//! moments (also during the final renames), readers while a writer works,
//! and a rerun over an older result. What must hold every time: a folder
//! either verifies as one complete result or has no manifest; nothing
//! half-written is visible; the next `--resume` (or rerun) needs no cleanup
//! and gives the bytes of an uninterrupted run.
//!
//! A test that needs what this machine may not offer (root, `mount`) prints
//! why it skips and passes. Moments are drawn from a seeded generator: set
//! `AGORA_FAULT_SEED` to replay another sequence (the seed is printed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use agora_core::output::Manifest;
use agora_core::output::manifest::FileRecord;

use super::{agora, run_ok, write};

/// A small batch: 3 scenarios x 3 replicates, about 0.1 s.
const SMALL: [&str; 7] = [
    "--quiet",
    "--set",
    "population.citizens=2000",
    "--steps",
    "30",
    "--replicates",
    "3",
];

/// Print why a test does not run here.
fn skip(test: &str, reason: &str) {
    eprintln!("skipped {test}: {reason}");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// `agora run --out OUT` with the small batch and `extra`.
fn run_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["run", "--out", path(out)].map(String::from).to_vec();
    args.extend(SMALL.map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn output(args: &[String]) -> Output {
    agora().args(args).output().expect("agora starts")
}

fn spawn(args: &[String]) -> Child {
    agora()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The visible files of `dir` (result files, the manifest, a report) by name.
fn visible(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The hidden files of `dir`.
fn hidden(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Every result file of `dir` (visible, not the manifest, which holds the
/// command line and the time) with its bytes.
fn results(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    visible(dir)
        .into_iter()
        .filter(|n| n != "manifest.ron")
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// `dir` holds exactly the result of `reference`: the same files, byte for
/// byte, and a manifest that lists them with the same sizes and hashes.
fn assert_same(dir: &Path, reference: &Path, what: &str) {
    let (found, expected) = (results(dir), results(reference));
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&found),
        names(&expected),
        "{what}: other files than an uninterrupted run"
    );
    for (name, bytes) in &expected {
        assert!(
            found[name] == *bytes,
            "{what}: {name} differs from an uninterrupted run"
        );
    }
    let listed = |d: &Path| {
        Manifest::verify(d)
            .map(|m| m.files)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    };
    assert_eq!(listed(dir), listed(reference), "{what}: the manifests list other files");
}

/// What `agora verify DIR` says of a folder.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// The folder is not there (the command was killed before creating it).
    NoFolder,
    /// Exit 0: one complete result.
    Complete,
    /// Exit 1: no manifest, so no finished result.
    NoManifest,
}

/// Run `agora verify DIR`; anything but a pass or "no manifest" (a manifest
/// that does not match its files) fails the test.
fn verdict(dir: &Path, what: &str) -> Verdict {
    if !dir.exists() {
        return Verdict::NoFolder;
    }
    let out = output(&["verify".into(), path(dir).into()]);
    let stderr = text(&out.stderr);
    match out.status.code() {
        Some(0) => Verdict::Complete,
        Some(1) if stderr.contains("no manifest.ron") => Verdict::NoManifest,
        _ => panic!("{what}: a folder whose manifest does not match its files: {stderr}"),
    }
}

/// A deterministic generator for the moments of the faults.
struct Moments(u64);

impl Moments {
    fn new(test: &str) -> Moments {
        let seed = std::env::var("AGORA_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20240611);
        eprintln!("{test}: AGORA_FAULT_SEED={seed}");
        Moments(seed)
    }

    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A moment in `0 ..= limit`.
    fn within(&mut self, limit: Duration) -> Duration {
        let micros = limit.as_micros().max(1) as u64;
        Duration::from_micros(self.next() % (micros + 1))
    }
}

/// How long `args` take uninterrupted (written into a throwaway folder).
fn duration_of(args: &[String]) -> Duration {
    let start = Instant::now();
    let out = output(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    start.elapsed()
}

/// Start `args`, wait `after`, kill -9 it.
fn kill_after(args: &[String], after: Duration) {
    let mut child = spawn(args);
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Start `args`, poll (without sleeping) until `file` appears, kill -9 it.
/// Returns whether the file appeared before the command ended by itself.
fn kill_when(args: &[String], file: &Path) -> bool {
    let mut child = spawn(args);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = false;
    while Instant::now() < deadline {
        if file.exists() {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::hint::spin_loop();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    seen
}

/// A sweep of 6 points x `replicates` over a small fracture scenario, in `dir`.
fn sweep_file(dir: &Path, replicates: u32) -> String {
    let fracture = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fracture.ron");
    write(
        dir,
        "base.ron",
        &format!(
            "Scenario(name: \"base\", base: Some(\"{}\"), population: (citizens: 2000, administrations: 10), steps: 30)",
            path(&fracture)
        ),
    );
    let sweep = format!(
        r#"Sweep(
    name: "faults",
    base: "base.ron",
    design: Grid(axes: {{
        "dynamics.digital_imitation": [0.1, 0.4],
        "dynamics.security_barrier_scale": [0.25, 0.5, 1.0],
    }}),
    replicates: {replicates},
    seed: 7,
)"#
    );
    path(&write(dir, &format!("sweep{replicates}.ron"), &sweep)).to_string()
}

fn sweep_args(file: &str, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["sweep", file, "--out", path(out), "--quiet"]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

// ---------------------------------------------------------------------------
// 1. A full disk.

/// A tmpfs mounted on a fresh folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mount a tmpfs of `bytes`; the reason why not where this cannot be done.
    fn mount(bytes: u64) -> Result<Tmpfs, String> {
        if !is_root() {
            return Err("mounting a small tmpfs needs root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let size = format!("size={bytes}");
        match Command::new("mount")
            .args(["-t", "tmpfs", "-o", &size, "agora-faults", path(dir.path())])
            .output()
        {
            Err(e) => Err(format!("no `mount` command: {e}")),
            Ok(out) if !out.status.success() => Err(format!(
                "`mount -t tmpfs` failed (no CAP_SYS_ADMIN in this container?): {}",
                text(&out.stderr).trim()
            )),
            Ok(_) => Ok(Tmpfs { dir }),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Free space: remount with a new size.
    fn resize(&self, bytes: u64) {
        let options = format!("remount,size={bytes}");
        let out = Command::new("mount")
            .args(["-o", &options, path(self.path())])
            .output()
            .unwrap();
        assert!(out.status.success(), "remount: {}", text(&out.stderr));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Busy (a child still running after a failed assertion): detach it.
            let _ = Command::new("umount").arg("-l").arg(self.path()).status();
        }
    }
}

/// After a write failed on a full disk: exit 1 with the OS error, no panic,
/// nothing visible but `allowed` (all else hidden partials), no manifest.
fn assert_failed_on_full_disk(out: &Output, dir: &Path, allowed: &[&str], what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
    assert!(stderr.contains("No space left on device"), "{what}: {stderr}");
    assert!(
        stderr.contains(path(dir)),
        "{what}: the message names no folder: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && stderr.lines().count() == 1,
        "{what}: {stderr}"
    );
    let shown = visible(dir);
    assert!(
        shown.iter().all(|n| allowed.contains(&n.as_str())),
        "{what}: visible after a failed write: {shown:?}"
    );
    assert!(!dir.join("manifest.ron").exists());
}

#[test]
fn a_full_disk_fails_cleanly_and_resumes_to_identical_output() {
    const TEST: &str = "a_full_disk_fails_cleanly_and_resumes_to_identical_output";
    // 64 KiB: the lock, the batch record and the small streams fit, the time
    // series (54 KB for these 9 runs) fills it part-way.
    let disk = match Tmpfs::mount(64 << 10) {
        Ok(disk) => disk,
        Err(reason) => return skip(TEST, &reason),
    };
    let dir = tempfile::tempdir().unwrap();

    // `run`.
    let reference = dir.path().join("run");
    run_ok(&run_args(&reference, &[]).iter().map(String::as_str).collect::<Vec<_>>());
    let out = disk.path().join("run");
    let failed = output(&run_args(&out, &[]));
    assert_failed_on_full_disk(&failed, &out, &[], "run");
    assert!(
        out.join(".timeseries.csv.partial").exists(),
        "run: the disk filled before the runs started (make the tmpfs larger)"
    );
    disk.resize(32 << 20);
    let resumed = output(&run_args(&out, &["--resume"]));
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(text(&resumed.stderr).contains("resuming:"), "no complete run was kept");
    assert_same(&out, &reference, "run after a full disk");

    // `sweep`: 60 runs, a runs.csv of about 20 KB into 16 KiB.
    let file = sweep_file(dir.path(), 10);
    let reference = dir.path().join("sweep");
    assert!(output(&sweep_args(&file, &reference, &[])).status.success());
    drop(disk);
    let disk = Tmpfs::mount(16 << 10).expect("a second tmpfs");
    let out = disk.path().join("sweep");
    let failed = output(&sweep_args(&file, &out, &[]));
    assert_failed_on_full_disk(&failed, &out, &["sweep.ron"], "sweep");
    disk.resize(32 << 20);
    let resumed = output(&sweep_args(&file, &out, &["--resume"]));
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(text(&resumed.stderr).contains("resuming:"), "no complete run was kept");
    assert_same(&out, &reference, "sweep after a full disk");
}

// ---------------------------------------------------------------------------
// 2. Two writers.

/// Start `a` and `b` at nearly the same time; their outputs and pids.
fn race(a: &[String], b: &[String]) -> [(Output, u32); 2] {
    let first = spawn(a);
    let second = spawn(b);
    let ids = [first.id(), second.id()];
    let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
    let [x, y] = outputs;
    [(x, ids[0]), (y, ids[1])]
}

/// Of two writers of one folder, exactly one was refused (exit 1) naming the
/// folder and the other's pid and command line; returns the winner's index,
/// or `None` when both ran (one after the other: they did not overlap).
fn one_refused(pair: &[(Output, u32); 2], dir: &Path, marks: [&str; 2], what: &str) -> Option<usize> {
    let codes = pair.each_ref().map(|(o, _)| o.status.code());
    let winner = match codes {
        [Some(0), Some(0)] => return None,
        [Some(0), Some(1)] => 0,
        [Some(1), Some(0)] => 1,
        _ => panic!(
            "{what}: exit codes {codes:?}: {} / {}",
            text(&pair[0].0.stderr),
            text(&pair[1].0.stderr)
        ),
    };
    let loser = text(&pair[1 - winner].0.stderr);
    let pid = pair[winner].1;
    assert!(
        loser.contains("being written by another agora process"),
        "{what}: {loser}"
    );
    assert!(loser.contains(path(dir)), "{what}: the folder is not named: {loser}");
    assert!(
        loser.contains(&format!("pid {pid},")),
        "{what}: the winner is pid {pid}: {loser}"
    );
    assert!(
        loser.contains(marks[winner]),
        "{what}: the winner's command line (`{}`) is not named: {loser}",
        marks[winner]
    );
    assert_eq!(loser.lines().count(), 1, "{what}: {loser}");
    Some(winner)
}

#[test]
fn of_two_writers_of_one_folder_exactly_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = ["11", "12"];
    let references = seeds.map(|seed| {
        let reference = dir.path().join(format!("seed{seed}"));
        assert!(output(&run_args(&reference, &["--seed", seed])).status.success());
        reference
    });
    // One folder for every round: each round's winner replaces the last
    // round's result, and the lock file still holds the last holder's text.
    let shared = dir.path().join("shared");
    let mut overlapped = 0;
    for round in 0..20 {
        let args = seeds.map(|seed| run_args(&shared, &["--seed", seed, "--threads", "1"]));
        let pair = race(&args[0], &args[1]);
        let marks = ["--seed 11", "--seed 12"];
        let what = format!("run round {round}");
        match one_refused(&pair, &shared, marks, &what) {
            Some(winner) => {
                overlapped += 1;
                assert_same(&shared, &references[winner], &what);
                assert_eq!(verdict(&shared, &what), Verdict::Complete);
            }
            None => {
                // Not at the same time after all: the later one's result stands.
                assert_eq!(verdict(&shared, &what), Verdict::Complete);
            }
        }
    }
    assert!(
        overlapped >= 10,
        "only {overlapped} of 20 rounds had two writers at once"
    );

    // Two processes of the same sweep shard.
    let file = sweep_file(dir.path(), 3);
    let reference = dir.path().join("sweep-ref");
    assert!(
        output(&sweep_args(&file, &reference, &["--shard", "0/2"]))
            .status
            .success()
    );
    let reference = reference.join("shard-0-of-2");
    let parts = dir.path().join("parts");
    let shard = parts.join("shard-0-of-2");
    let mut overlapped = 0;
    for round in 0..8 {
        let args = sweep_args(&file, &parts, &["--shard", "0/2", "--threads", "1"]);
        let pair = race(&args, &args);
        let what = format!("sweep round {round}");
        if one_refused(&pair, &shard, ["--shard 0/2"; 2], &what).is_some() {
            overlapped += 1;
        }
        assert_same(&shard, &reference, &what);
    }
    assert!(
        overlapped >= 4,
        "only {overlapped} of 8 sweep rounds had two writers at once"
    );
}

// ---------------------------------------------------------------------------
// 3. kill -9.

/// Kill `command` at seeded random moments and as its final files appear;
/// after each kill the folder verifies or has no manifest, and `again`
/// (the same command with `--resume`, or a rerun) gives `reference`'s bytes.
fn kill_and_recover(
    what: &str,
    moments: &mut Moments,
    folder: impl Fn(usize) -> PathBuf,
    command: impl Fn(&Path) -> Vec<String>,
    again: impl Fn(&Path) -> Vec<String>,
    finals: &[&str],
    reference: &Path,
) {
    let whole = duration_of(&command(&folder(1000)));
    let random = 10;
    for attempt in 0..random + finals.len() {
        let dir = folder(attempt);
        let what = format!("{what}, attempt {attempt}");
        if attempt < random {
            // Kill once or twice (the second time during the resume) before finishing.
            kill_after(&command(&dir), moments.within(whole));
            verdict(&dir, &what);
            if moments.next().is_multiple_of(2) {
                kill_after(&again(&dir), moments.within(whole));
                verdict(&dir, &what);
            }
        } else {
            let file = dir.join(finals[attempt - random]);
            let seen = kill_when(&command(&dir), &file);
            let found = verdict(&dir, &what);
            if !seen {
                eprintln!("{what}: ended before {} appeared", file.display());
            }
            if file.ends_with("manifest.ron") && found == Verdict::Complete {
                assert_same(&dir, reference, &what);
            }
        }
        let out = output(&again(&dir));
        assert!(
            out.status.success(),
            "{what}: the next command failed: {}",
            text(&out.stderr)
        );
        assert_same(&dir, reference, &what);
        let left = hidden(&dir);
        assert_eq!(left, [".agora.lock"], "{what}: hidden files left: {left:?}");
    }
}

#[test]
fn kill_9_at_any_moment_leaves_a_folder_that_resumes_to_identical_output() {
    let mut moments = Moments::new("kill_9");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    let reference = root.join("run-ref");
    assert!(output(&run_args(&reference, &[])).status.success());
    kill_and_recover(
        "run",
        &mut moments,
        |k| root.join(format!("run{k}")),
        |d| run_args(d, &[]),
        |d| run_args(d, &["--resume"]),
        &["timeseries.csv", "classes.csv", "manifest.ron"],
        &reference,
    );

    let file = sweep_file(root, 3);
    let reference = root.join("sweep-ref");
    assert!(output(&sweep_args(&file, &reference, &[])).status.success());
    kill_and_recover(
        "sweep",
        &mut moments,
        |k| root.join(format!("sweep{k}")),
        |d| sweep_args(&file, d, &[]),
        |d| sweep_args(&file, d, &["--resume"]),
        &["runs.csv", "points.csv", "manifest.ron"],
        &reference,
    );

    // merge: two shards, merged again after each kill.
    let parts = root.join("parts");
    for i in 0..2 {
        assert!(
            output(&sweep_args(&file, &parts, &["--shard", &format!("{i}/2")]))
                .status
                .success()
        );
    }
    let merge = |d: &Path| -> Vec<String> { ["merge", path(&parts), "--out", path(d)].map(String::from).to_vec() };
    let reference = root.join("merge-ref");
    assert!(output(&merge(&reference)).status.success());
    let unsharded = root.join("sweep-ref");
    for name in ["runs.csv", "points.csv"] {
        assert!(std::fs::read(reference.join(name)).unwrap() == std::fs::read(unsharded.join(name)).unwrap());
    }
    kill_and_recover(
        "merge",
        &mut moments,
        |k| root.join(format!("merge{k}")),
        merge,
        merge,
        &["runs.csv", "points.csv", "manifest.ron"],
        &reference,
    );
}

// ---------------------------------------------------------------------------
// 4. Readers while a writer works.

#[test]
fn a_reader_during_a_write_is_refused_or_sees_no_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("busy");
    // About a second of work, one run at a time.
    let args: Vec<String> = [
        "run",
        "--out",
        path(&out),
        "--quiet",
        "--set",
        "population.citizens=20000",
        "--steps",
        "30",
        "--replicates",
        "4",
        "--threads",
        "1",
    ]
    .map(String::from)
    .to_vec();
    let mut writer = spawn(&args);
    let started = Instant::now();
    while !out.join(".timeseries.csv.partial").exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the writer never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut during = 0;
    let mut early_passes = Vec::new();
    for _ in 0..12 {
        let alive_before = writer.try_wait().unwrap().is_none();
        let report = output(&["report".into(), path(&out).into()]);
        let verify = output(&["verify".into(), path(&out).into()]);
        let alive_after = writer.try_wait().unwrap().is_none();
        if !(alive_before && alive_after) {
            break;
        }
        during += 1;
        let stderr = text(&report.stderr);
        assert_eq!(report.status.code(), Some(1), "a report during the write: {stderr}");
        assert!(stderr.contains("being written by another agora process"), "{stderr}");
        assert!(!out.join("report.html").exists());
        match verify.status.code() {
            Some(1) => assert!(
                text(&verify.stderr).contains("no manifest.ron"),
                "{}",
                text(&verify.stderr)
            ),
            // Between the manifest and the writer's exit the result is complete.
            Some(0) => early_passes.push(during),
            _ => panic!("verify during the write: {}", text(&verify.stderr)),
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    let finished = writer.wait_with_output().unwrap();
    assert!(finished.status.success(), "{}", text(&finished.stderr));
    assert!(during >= 3, "only {during} reads happened while the writer ran");
    assert!(
        early_passes.len() <= 1,
        "verify passed at reads {early_passes:?} of a running write"
    );
    run_ok(&["verify", path(&out)]);
    run_ok(&["report", path(&out)]);
}

// ---------------------------------------------------------------------------
// 5. A rerun over an older result.

/// Watch `dir` with [`Manifest::verify`] while `child` runs: every pass must
/// be exactly the old or the new result. Returns how many passes of each
/// and how many refusals were seen.
fn watch(dir: &Path, mut child: Child, old: &[FileRecord], new: &[FileRecord], what: &str) -> [usize; 3] {
    let mut seen = [0; 3];
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut polls = 0u64;
    loop {
        let done = child.try_wait().unwrap().is_some();
        match Manifest::verify(dir) {
            Ok(m) if m.files == old => seen[0] += 1,
            Ok(m) if m.files == new => seen[1] += 1,
            Ok(m) => panic!(
                "{what}: verified files that are neither the old nor the new result: {:?}",
                m.files
            ),
            Err(agora_core::Error::Unverified(_)) => seen[2] += 1,
            Err(e) => panic!("{what}: {e}"),
        }
        // Now and then the command line reader too.
        polls += 1;
        if polls.is_multiple_of(16) {
            verdict(dir, what);
        }
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "{what}: the rerun did not end");
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{what}: {}", text(&out.stderr));
    seen
}

#[test]
fn a_rerun_never_shows_old_and_new_files_as_one_result() {
    let dir = tempfile::tempdir().unwrap();
    let new_reference = dir.path().join("new");
    assert!(output(&run_args(&new_reference, &["--seed", "2"])).status.success());
    let new = Manifest::verify(&new_reference).unwrap().files;
    let file = sweep_file(dir.path(), 3);

    for old_kind in ["run with a report", "sweep"] {
        let out = dir.path().join(old_kind.replace(' ', "-"));
        let old_args = match old_kind {
            "sweep" => sweep_args(&file, &out, &[]),
            _ => run_args(&out, &["--seed", "1", "--report"]),
        };
        assert!(output(&old_args).status.success());
        let old = Manifest::verify(&out).unwrap().files;
        assert_ne!(old, new);
        let child = spawn(&run_args(&out, &["--seed", "2"]));
        let seen = watch(&out, child, &old, &new, old_kind);
        assert!(seen[2] > 0, "{old_kind}: never saw the rerun at work: {seen:?}");
        // Only the new result is left, and listed.
        assert_same(&out, &new_reference, old_kind);
        assert_eq!(hidden(&out), [".agora.lock"], "{old_kind}");
    }
}
