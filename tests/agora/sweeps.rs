//! Sweeps end to end: sharding and merging, refusals, kill -9 and resume.

use std::path::Path;

use super::{Csv, agora, kill_after_rows, read, run_ok, write};

const SWEEP: &str = r#"Sweep(
    name: "barriers",
    base: "base.ron",
    design: Grid(axes: {
        "dynamics.digital_imitation": [0.1, 0.4],
        "dynamics.security_barrier_scale": [0.25, 0.5, 1.0],
    }),
    replicates: 3,
    seed: 7,
)"#;

fn setup(dir: &Path, citizens: u32, steps: u32) -> String {
    write(
        dir,
        "base.ron",
        &format!(
            "Scenario(name: \"base\", base: Some(\"{}\"), population: (citizens: {citizens}, administrations: 10), steps: {steps})",
            fracture_path()
        ),
    );
    write(dir, "sweep.ron", SWEEP).to_str().unwrap().to_string()
}

fn fracture_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/fracture.ron")
        .to_str()
        .unwrap()
        .to_string()
}

fn outputs(dir: &Path) -> (String, String) {
    (read(dir.join("runs.csv")), read(dir.join("points.csv")))
}

#[test]
fn sweep_writes_one_row_per_run_and_point() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = setup(dir.path(), 1500, 20);
    let out = dir.path().join("whole");
    run_ok(&["sweep", &sweep, "--out", out.to_str().unwrap(), "--quiet"]);
    let (runs, points) = outputs(&out);
    assert_eq!(runs.lines().count(), 1 + 6 * 3, "2 x 3 grid points x 3 replicates");
    assert!(runs.starts_with(
        "point,replicate,seed,dynamics.digital_imitation,dynamics.security_barrier_scale,digitalization,"
    ));
    assert_eq!(points.lines().count(), 1 + 6);
    assert!(points.lines().next().unwrap().ends_with(
        ",runs,share_participation,share_pioneer,share_fracture,share_analog,share_broad_adoption,share_undecided"
    ));
    // Common random numbers: replicate r has the same seed at every point.
    let seeds: Vec<(String, String)> = Csv::rows(out.join("runs.csv"))
        .into_iter()
        .map(|r| (r["replicate"].clone(), r["seed"].clone()))
        .collect();
    for (replicate, seed) in &seeds {
        assert!(seeds.iter().filter(|(r, _)| r == replicate).all(|(_, s)| s == seed));
    }
    assert!(out.join("manifest.ron").exists() && out.join("sweep.ron").exists());
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = setup(dir.path(), 1500, 20);
    let whole = dir.path().join("whole");
    run_ok(&["sweep", &sweep, "--out", whole.to_str().unwrap(), "--quiet"]);
    let expected = outputs(&whole);
    for n in [2u32, 3, 5, 18, 25] {
        let parts = dir.path().join(format!("parts{n}"));
        for i in 0..n {
            run_ok(&[
                "sweep",
                &sweep,
                "--out",
                parts.to_str().unwrap(),
                "--shard",
                &format!("{i}/{n}"),
                "--quiet",
            ]);
        }
        let merged = dir.path().join(format!("merged{n}"));
        run_ok(&["merge", parts.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
        assert!(
            outputs(&merged) == expected,
            "{n} shards merged differ from the unsharded sweep"
        );
    }
    // The Slurm array environment picks the shard.
    let slurm = dir.path().join("slurm");
    for task in 1..=3 {
        let out = agora()
            .args(["sweep", &sweep, "--out", slurm.to_str().unwrap(), "--quiet"])
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_MAX", "3")
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let merged = dir.path().join("merged-slurm");
    run_ok(&["merge", slurm.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert!(outputs(&merged) == expected);
}

#[test]
fn merge_refuses_missing_doubled_and_foreign_shards() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = setup(dir.path(), 800, 10);
    let parts = dir.path().join("parts");
    for i in 0..3 {
        run_ok(&[
            "sweep",
            &sweep,
            "--out",
            parts.to_str().unwrap(),
            "--shard",
            &format!("{i}/3"),
            "--quiet",
        ]);
    }
    let other = write(dir.path(), "other.ron", &SWEEP.replace("seed: 7", "seed: 8"));
    let foreign = dir.path().join("foreign");
    run_ok(&[
        "sweep",
        other.to_str().unwrap(),
        "--out",
        foreign.to_str().unwrap(),
        "--shard",
        "2/3",
        "--quiet",
    ]);
    let shard = |root: &Path, i: u32| root.join(format!("shard-{i}-of-3")).to_str().unwrap().to_string();
    let out = dir.path().join("merged").to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![shard(&parts, 0), shard(&parts, 1)], "missing shard(s) 2 of 3"),
        (
            vec![shard(&parts, 0), shard(&parts, 1), shard(&parts, 1), shard(&parts, 2)],
            "shard 1/3 is given twice",
        ),
        (
            vec![shard(&parts, 0), shard(&parts, 1), shard(&foreign, 2)],
            "shards of different sweeps cannot be merged",
        ),
    ];
    for (dirs, expected) in cases {
        let mut args = vec!["merge".to_string()];
        args.extend(dirs);
        args.extend(["--out".to_string(), out.clone()]);
        let result = agora().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "expected `{expected}` in {stderr}");
    }
    // A shard with a torn or doubled row no longer matches its manifest: refused (exit 1), naming the file.
    let runs = Path::new(&shard(&parts, 1)).join("runs.csv");
    let text = read(&runs);
    let last = text.lines().last().unwrap().to_string();
    std::fs::write(&runs, format!("{text}{last}\n")).unwrap();
    let result = agora()
        .args(["merge", parts.to_str().unwrap(), "--out", &out])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("runs.csv: does not match manifest.ron"), "{stderr}");
}

/// kill -9 at some moment, then --resume: the same bytes as a run never interrupted.
#[test]
fn killed_sweep_resumes_to_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = setup(dir.path(), 20_000, 60);
    let whole = dir.path().join("whole");
    run_ok(&[
        "sweep",
        &sweep,
        "--out",
        whole.to_str().unwrap(),
        "--quiet",
        "--threads",
        "2",
    ]);
    let expected = outputs(&whole);
    for (attempt, rows_before_kill) in [2usize, 9].into_iter().enumerate() {
        let out = dir.path().join(format!("killed{attempt}"));
        let o = out.to_str().unwrap();
        kill_after_rows(
            &["sweep", &sweep, "--out", o, "--quiet", "--threads", "2"],
            &out.join(".runs.csv.partial"),
            rows_before_kill,
        );
        assert!(
            !out.join("runs.csv").exists() || attempt > 0,
            "the sweep finished before it could be killed"
        );
        run_ok(&["sweep", &sweep, "--out", out.to_str().unwrap(), "--quiet", "--resume"]);
        assert!(outputs(&out) == expected, "attempt {attempt}: resumed output differs");
    }
}

#[test]
fn bad_sweeps_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), 800, 10);
    let cases = [
        (
            "unknown.ron",
            SWEEP.replace("dynamics.digital_imitation", "dynamics.nope"),
            "unknown parameter `dynamics.nope`",
        ),
        (
            "range.ron",
            SWEEP.replace("[0.1, 0.4]", "[0.1, 1.4]"),
            "point 3 (dynamics.digital_imitation=1.4, dynamics.security_barrier_scale=0.25)",
        ),
        (
            "syntax.ron",
            SWEEP.replace("replicates: 3,", "replicates: 3"),
            "syntax.ron:9:5: Expected comma",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, &text);
        let out = agora()
            .args(["sweep", path.to_str().unwrap(), "--quiet"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: expected `{expected}` in {stderr}");
    }
    let sweep = dir.path().join("sweep.ron");
    let out = agora()
        .args(["sweep", sweep.to_str().unwrap(), "--shard", "3/3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
