//! The command line: outputs, determinism across threads, and bad input.

use super::{agora, kill_after_rows, read, run_ok, write};

const SMALL: &[&str] = &[
    "--replicates",
    "4",
    "--steps",
    "30",
    "--set",
    "population.citizens=3000",
    "--quiet",
];
const FILES: [&str; 4] = ["timeseries.csv", "summary.csv", "aggregate.csv", "classes.csv"];

#[test]
fn run_writes_every_file_with_the_documented_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    let mut args = vec!["run", "--out", out.to_str().unwrap()];
    args.extend(SMALL);
    let stdout = String::from_utf8(run_ok(&args).stdout).unwrap();
    assert!(stdout.contains("fracture") && stdout.contains("participation") && stdout.contains("pioneer"));

    let ts = read(out.join("timeseries.csv"));
    let mut lines = ts.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,replicate,step,date,digitalization,digital_interaction,adoption,presence_share,reach,\
         adopter_share,transformed_share,integration,trust,trust_gap,satisfaction,participation,unheard_share,\
         service_rate,repeat_share,pending_share,productivity,roi_barrier,security_barrier,organizational_barrier,\
         incidents,abandoned_share,failed_projects,fracture,cost"
    );
    assert_eq!(ts.lines().count(), 1 + 3 * 4 * 31);
    let first = lines.next().unwrap();
    assert!(first.starts_with("fracture,0,0,2012-01,"), "{first}");
    // Step 0 has no flows yet: participation, unheard_share, service_rate,
    // repeat_share (then pending_share, a state), productivity, and incidents are empty.
    let fields: Vec<&str> = first.split(',').collect();
    assert_eq!(fields[15..19], ["", "", "", ""], "{first}");
    // The backlog the prehistory left (docs/model.md section 5): no spin-up from 0.
    let backlog: f64 = fields[19].parse().unwrap();
    assert!(backlog > 0.0 && backlog < 0.5, "a backlog at the start: {first}");
    assert_eq!((fields[20], fields[24]), ("", ""), "{first}");
    let month_30 = ts.lines().nth(31).unwrap();
    assert!(month_30.starts_with("fracture,0,30,2014-07,"), "{month_30}");

    let summary = read(out.join("summary.csv"));
    assert!(summary.starts_with("scenario,replicate,seed,digitalization,"));
    assert!(
        summary
            .lines()
            .next()
            .unwrap()
            .ends_with(",fracture,cost,class,class_margin")
    );
    assert_eq!(summary.lines().count(), 1 + 12);

    let aggregate = read(out.join("aggregate.csv"));
    assert!(aggregate.starts_with("scenario,step,date,metric,mean,sd,p05,p50,p95\n"));
    assert_eq!(aggregate.lines().count(), 1 + 3 * 31 * agora_core::model::N_METRICS);

    let classes = read(out.join("classes.csv"));
    assert!(classes.starts_with("scenario,class,runs,share,ci_low,ci_high\n"));
    assert_eq!(classes.lines().count(), 1 + 3 * 6);

    let manifest = read(out.join("manifest.ron"));
    for field in [
        "agora_version",
        "command_line",
        "threads",
        "started",
        "wall_seconds",
        "replicate_seeds",
    ] {
        assert!(manifest.contains(field), "manifest lacks {field}");
    }
    // Nothing half-written is left behind.
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".partial"), "{name} left behind");
    }
}

#[test]
fn floats_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    let mut args = vec!["run", "--out", out.to_str().unwrap()];
    args.extend(SMALL);
    run_ok(&args);
    for line in read(out.join("aggregate.csv")).lines().skip(1).take(200) {
        // Undefined values (flows at step 0) are empty cells, not numbers.
        for field in line.split(',').skip(4).filter(|f| !f.is_empty()) {
            let x: f64 = field.parse().unwrap();
            assert_eq!(ryu::Buffer::new().format(x), field);
        }
    }
}

/// Same seed, same bytes: across repeated runs and 1, 2 and 4 threads, also
/// when a population is large enough to be split into parallel chunks.
#[test]
fn output_bytes_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 2] = [
        SMALL,
        &[
            "--replicates",
            "2",
            "--steps",
            "8",
            "--set",
            "population.citizens=70000",
            "--quiet",
        ],
    ];
    for (case, extra) in cases.iter().enumerate() {
        let mut reference: Option<Vec<String>> = None;
        for threads in ["1", "2", "4", "2"] {
            let out = dir.path().join(format!("c{case}-t{threads}"));
            let mut args = vec!["run", "--out", out.to_str().unwrap(), "--threads", threads];
            args.extend(*extra);
            run_ok(&args);
            let contents: Vec<String> = FILES.iter().map(|f| read(out.join(f))).collect();
            match &reference {
                None => reference = Some(contents),
                Some(r) => {
                    for (f, (a, b)) in FILES.iter().zip(r.iter().zip(&contents)) {
                        assert!(a == b, "case {case}: {f} differs with {threads} threads");
                    }
                }
            }
        }
    }
}

#[test]
fn seed_changes_results_and_set_changes_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["run", "--out", out.to_str().unwrap()];
        args.extend(SMALL);
        args.extend(extra);
        run_ok(&args);
        read(out.join("timeseries.csv"))
    };
    let a = run("a", &[]);
    assert_ne!(a, run("b", &["--seed", "99"]));
    assert_ne!(a, run("c", &["--set", "dynamics.digital_imitation=0.1"]));
}

#[test]
fn check_prints_the_resolved_scenario_with_inheritance() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.ron",
        "Scenario(name: \"base\", steps: 50, dynamics: (need_rate: 0.4, fallback: 0.1))",
    );
    let child = write(
        dir.path(),
        "child.ron",
        "Scenario(name: \"child\", base: Some(\"base.ron\"), dynamics: (fallback: 0.9))",
    );
    let out = run_ok(&["check", child.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("name: \"child\""), "{text}");
    assert!(text.contains("steps: 50"), "{text}");
    assert!(text.contains("need_rate: 0.4"), "{text}");
    assert!(text.contains("fallback: 0.9"), "{text}");
    assert!(text.contains("replicates: 100"), "{text}");
}

#[test]
fn a_base_can_name_a_built_in_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let child = write(
        dir.path(),
        "open.ron",
        "Scenario(name: \"open\", base: Some(\"participation\"), dynamics: (fallback: 0.9))",
    );
    let text = String::from_utf8(run_ok(&["check", child.to_str().unwrap()]).stdout).unwrap();
    assert!(text.contains("name: \"open\""), "{text}");
    assert!(text.contains("fallback: 0.9"), "{text}");
    // From the built-in participation scenario: its future.
    assert!(text.contains("\"dynamics.training\": 0.05"), "{text}");
    assert!(text.contains("branch: \"2026-01\""), "{text}");
}

/// Each kind of bad input: exit code 2, one clear message, no panic, no output.
#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| write(dir.path(), name, text).to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![file(
                "malformed.ron",
                "Scenario(\n  name: \"x\",\n  steps: 12\n  seed: 1,\n)",
            )],
            "malformed.ron:4:3",
        ),
        (
            vec![file("unknown.ron", "Scenario(name: \"x\", dynamics: (nope: 1.0))")],
            "unknown.ron:1:32: Unexpected field named `nope` in `Dynamics`",
        ),
        (
            vec![file("prob.ron", "Scenario(name: \"x\", dynamics: (need_rate: 1.5))")],
            "`dynamics.need_rate` = 1.5 is out of range: allowed 0 ..= 1",
        ),
        (
            vec![file("nobody.ron", "Scenario(name: \"x\", population: (citizens: 0))")],
            "`population.citizens` = 0",
        ),
        (
            vec![file(
                "admins.ron",
                "Scenario(name: \"x\", population: (citizens: 10, administrations: 11))",
            )],
            "`population.administrations` = 11 is out of range: allowed 1 ..= population.citizens (10)",
        ),
        (
            vec![file(
                "odd.ron",
                "Scenario(name: \"x\", population: (social_graph: WattsStrogatz(k: 5, beta: 0.1)))",
            )],
            "`population.social_graph.k` = 5 is out of range: allowed an even number",
        ),
        (
            vec![file(
                "bigk.ron",
                "Scenario(name: \"x\", population: (citizens: 10, administrations: 2, social_graph: WattsStrogatz(k: 12, beta: 0.1)))",
            )],
            "`population.social_graph.k` = 12",
        ),
        (
            vec![file("steps.ron", "Scenario(name: \"x\", steps: 0)")],
            "`steps` = 0 is out of range: allowed 1",
        ),
        (
            vec![file("noname.ron", "Scenario(steps: 3)")],
            "a scenario needs a `name`",
        ),
        (
            vec![dir.path().join("missing.ron").to_str().unwrap().to_string()],
            "missing.ron: no such scenario file",
        ),
        (
            vec!["--set".into(), "dynamics.nope=1".into()],
            "unknown parameter `dynamics.nope`",
        ),
        (
            vec!["--set".into(), "dynamics.need_rate=lots".into()],
            "`lots` is not a number",
        ),
        (
            vec!["--set".into(), "dynamics.need_rate=2".into()],
            "`dynamics.need_rate` = 2 is out of range",
        ),
        (vec!["--set".into(), "noequals".into()], "is not PATH=VALUE"),
        (vec!["--threads".into(), "0".into()], "--threads"),
        (vec!["--replicates".into(), "0".into()], "`replicates` = 0"),
    ];
    for (i, (args, expected)) in cases.iter().enumerate() {
        let out_dir = dir.path().join(format!("out{i}"));
        let mut full = vec![
            "run".to_string(),
            "--quiet".into(),
            "--out".into(),
            out_dir.to_str().unwrap().into(),
        ];
        full.extend(args.iter().cloned());
        let output = agora().args(&full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected `{expected}` in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!out_dir.join("timeseries.csv").exists(), "{args:?} wrote output");
    }
}

/// kill -9 during a run, then --resume: the same bytes as a run never interrupted.
#[test]
fn killed_run_resumes_to_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--replicates",
        "6",
        "--steps",
        "60",
        "--set",
        "population.citizens=20000",
        "--quiet",
        "--threads",
        "2",
    ];
    let whole = dir.path().join("whole");
    let mut full = vec!["run", "--out", whole.to_str().unwrap()];
    full.extend(args);
    run_ok(&full);
    let files = [
        "timeseries.csv",
        "summary.csv",
        "aggregate.csv",
        "classes.csv",
        "graphs.csv",
    ];
    for (attempt, rows_before_kill) in [1usize, 7].into_iter().enumerate() {
        let out = dir.path().join(format!("killed{attempt}"));
        let mut killed = vec!["run", "--out", out.to_str().unwrap()];
        killed.extend(args);
        kill_after_rows(&killed, &out.join(".summary.csv.partial"), rows_before_kill);
        let mut again = vec!["run", "--out", out.to_str().unwrap(), "--resume"];
        again.extend(args);
        let stderr = String::from_utf8(run_ok(&again).stderr).unwrap();
        if attempt == 1 {
            assert!(stderr.contains("resuming:"), "nothing was resumed: {stderr}");
        }
        for file in files {
            assert!(
                read(out.join(file)) == read(whole.join(file)),
                "attempt {attempt}: {file} differs"
            );
        }
        assert!(!out.join(".run.ron").exists());
    }
}

/// A run that takes a fraction of a second; the `--out` folder follows.
const TINY_RUN: [&str; 9] = [
    "run",
    "--quiet",
    "--replicates",
    "2",
    "--steps",
    "5",
    "--set",
    "population.citizens=500",
    "--out",
];

/// A folder no process may write: a read-only tmpfs as root (root ignores
/// permission bits), a mode-555 folder otherwise. `None` (and a printed
/// reason) where neither can be made.
pub fn read_only_folder(parent: &std::path::Path) -> Option<ReadOnly> {
    let dir = parent.join("read-only");
    std::fs::create_dir_all(&dir).unwrap();
    let root = std::process::Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    if root {
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir.to_str().unwrap()])
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipping: cannot mount a read-only tmpfs as root here");
            return None;
        }
        Some(ReadOnly { dir, mounted: true })
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        Some(ReadOnly { dir, mounted: false })
    }
}

/// A read-only folder, made writable again (unmounted) when dropped.
pub struct ReadOnly {
    pub dir: std::path::PathBuf,
    mounted: bool,
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount").arg(&self.dir).status();
        } else {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[test]
fn a_read_only_folder_exits_1_for_run_sweep_and_report() {
    let dir = tempfile::tempdir().unwrap();
    // A finished run to report on, copied into the read-only folder's place below.
    let Some(locked) = read_only_folder(dir.path()) else {
        return;
    };
    let ro = locked.dir.to_str().unwrap().to_string();
    let sweep = write(
        dir.path(),
        "s.ron",
        "Sweep(name: \"s\", base: \"fracture\", design: Grid(axes: {\"dynamics.digital_imitation\": [0.1, 0.2]}), replicates: 2, seed: 1)",
    );
    let cases: Vec<Vec<String>> = vec![
        TINY_RUN
            .iter()
            .map(|s| s.to_string())
            .chain([format!("{ro}/results")])
            .collect(),
        vec![
            "sweep".into(),
            sweep.to_str().unwrap().into(),
            "--quiet".into(),
            "--out".into(),
            format!("{ro}/sweep"),
        ],
        vec!["report".into(), ro.clone()],
    ];
    for args in cases {
        let out = agora().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.lines().count() == 1,
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("ead-only") || stderr.contains("ermission denied"),
            "{args:?}: {stderr}"
        );
    }
}

/// Reads `lines` lines of the command's stdout (0: none, so its first write
/// meets a closed pipe), closes the pipe, and returns the exit code and stderr.
fn close_stdout_after(args: &[&str], lines: usize) -> (Option<i32>, String) {
    use std::io::{BufRead, Read};
    use std::process::Stdio;
    let mut child = agora()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for _ in 0..lines {
        stdout.read_line(&mut line).unwrap();
    }
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_stdout_is_a_normal_end() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let run = dir.path().join("run");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "demo",
            "--citizens",
            "500",
            "--replicates",
            "2",
            "--out",
            demo.to_str().unwrap(),
        ],
        vec!["check", "fracture"],
        [&TINY_RUN[..], &[run.to_str().unwrap()]].concat(),
    ];
    for args in cases {
        for lines in [0, 1] {
            let (code, stderr) = close_stdout_after(&args, lines);
            assert_eq!(code, Some(0), "{args:?} after {lines} lines: {stderr}");
            assert!(
                !stderr.contains("panicked") && !stderr.contains("error"),
                "{args:?} after {lines} lines: {stderr}"
            );
        }
    }
}
