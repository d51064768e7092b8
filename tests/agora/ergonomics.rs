//! What a daily user meets: "did you mean" for mistyped names,
//! `--intervene` on the command line, `check` of every kind of file, the
//! PRIM objective named.

use super::{Csv, agora, read, run_ok, write};

const SMALL: &[&str] = &[
    "--replicates",
    "2",
    "--steps",
    "30",
    "--set",
    "population.citizens=1000",
    "--quiet",
];

/// Run `agora args`, expect exit 2, return stderr.
fn refused(args: &[&str]) -> String {
    let out = agora().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "agora {args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn a_mistyped_name_gets_the_nearest_one_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out = out.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 5] = [
        (
            vec!["run", "--out", out, "--set", "dynamics.adoption_imitaton=0.2"],
            "did you mean `dynamics.adoption_imitation`?",
        ),
        (vec!["run", "--out", out, "fractur"], "did you mean `fracture`?"),
        (
            vec!["run", "--out", out, "--intervene", "2027-01 dynamics.trainig=0.04"],
            "did you mean `dynamics.training`?",
        ),
        (
            vec!["compare", "pioneer", "partcipation", "--out", out],
            "did you mean `participation`?",
        ),
        (
            vec!["check", "examples/sweeps/barriers-sobl.ron"],
            "did you mean `examples/sweeps/barriers-sobol.ron`?",
        ),
    ];
    for (args, hint) in cases {
        let stderr = refused(&args);
        assert!(stderr.contains(hint), "agora {args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
}

#[test]
fn intervene_on_the_command_line_is_the_intervention_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "trained.ron",
        "Scenario(name: \"pioneer\", base: Some(\"pioneer\"), \
         interventions: [(at: 12, set: {\"dynamics.training\": 0.04})])",
    );
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    let mut args = vec![
        "run",
        "pioneer",
        "--out",
        a.to_str().unwrap(),
        "--intervene",
        "2013-01 dynamics.training=0.04",
    ];
    args.extend(SMALL);
    run_ok(&args);
    let mut args = vec![
        "run",
        "pioneer",
        "--out",
        b.to_str().unwrap(),
        "--intervene",
        "12 dynamics.training=0.04",
    ];
    args.extend(SMALL);
    run_ok(&args);
    let mut args = vec!["run", file.to_str().unwrap(), "--out", c.to_str().unwrap()];
    args.extend(SMALL);
    run_ok(&args);
    let series = read(a.join("timeseries.csv"));
    assert_eq!(series, read(b.join("timeseries.csv")), "a date and its step");
    assert_eq!(series, read(c.join("timeseries.csv")), "the flag and the file");
    let plain = dir.path().join("plain");
    let mut args = vec!["run", "pioneer", "--out", plain.to_str().unwrap()];
    args.extend(SMALL);
    run_ok(&args);
    assert_ne!(series, read(plain.join("timeseries.csv")), "training changes the run");

    for (bad, says) in [
        ("2011-06 dynamics.training=0.04", "a month from the start (2012-01) on"),
        ("soon dynamics.training=0.04", "MONTH as a step"),
        ("12 dynamics.training", "PATH=VALUE after the month"),
        (
            "12 dynamics.training=2",
            "--intervene '12 dynamics.training=2': `dynamics.training` = 2 is out of range",
        ),
        ("12 population.citizens=5", "a `dynamics.<parameter>` path"),
    ] {
        let stderr = refused(&["run", "--out", a.to_str().unwrap(), "--intervene", bad]);
        assert!(stderr.contains(says), "--intervene '{bad}': {stderr}");
    }
}

#[test]
fn check_accepts_every_sweep_and_calibration_file_in_the_repository() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in [
        "examples/sweeps",
        "examples/calibration",
        "examples/policies",
        "scenarios",
    ] {
        for entry in std::fs::read_dir(repo.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    for file in &files {
        let out = run_ok(&["check", file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let text = read(file);
        if text.lines().any(|l| l.starts_with("Sweep(")) {
            assert!(stdout.contains(": sweep `") && stdout.contains("is valid"), "{stdout}");
        } else if text.lines().any(|l| l.starts_with("Calibration(")) {
            assert!(stdout.contains(": calibration `"), "{stdout}");
        } else {
            assert!(stdout.starts_with("Scenario("), "{}: {stdout}", file.display());
        }
    }
    // A bad point of a sweep is refused with its position and the point.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.ron",
        "Sweep(name: \"b\", base: \"fracture\", design: Grid(axes: {\"dynamics.training\": [0.1, 3.0]}))",
    );
    let stderr = refused(&["check", bad.to_str().unwrap()]);
    assert!(stderr.contains("point 1 (dynamics.training=3.0)"), "{stderr}");
}

#[test]
fn discover_names_its_objective_and_each_gives_a_box() {
    let dir = tempfile::tempdir().unwrap();
    // y holds where x < 0.3: every objective finds x's upper limit.
    let mut table = String::from("x,z,y\n");
    for i in 0..400 {
        let x = f64::from(i) / 400.0;
        let z = f64::from((i * 37) % 400) / 400.0;
        table.push_str(&format!("{x},{z},{}\n", u8::from(x < 0.3)));
    }
    let file = write(dir.path(), "t.csv", &table);
    for objective in ["lenient1", "lenient2", "original"] {
        let out = dir.path().join(objective);
        let mut args = vec!["discover", file.to_str().unwrap(), "--target", "y=1", "--inputs", "x,z"];
        args.extend(["--out", out.to_str().unwrap()]);
        if objective != "lenient1" {
            args.extend(["--objective", objective]);
        } else {
            args.push("--report");
        }
        let stdout = String::from_utf8(run_ok(&args).stdout).unwrap();
        assert!(stdout.contains(&format!("PRIM objective {objective}")), "{stdout}");
        let boxes = Csv::rows(out.join("boxes.csv"));
        let hi = Csv::number(&boxes[0], "x_hi");
        assert!((0.28..0.32).contains(&hi), "{objective}: x_hi {hi}");
        assert!(Csv::number(&boxes[0], "density") > 0.95, "{objective}: {:?}", boxes[0]);
        // --report writes the page right after the analysis.
        assert_eq!(out.join("report.html").exists(), objective == "lenient1", "{stdout}");
    }
    let stderr = refused(&[
        "discover",
        file.to_str().unwrap(),
        "--target",
        "y=1",
        "--inputs",
        "x",
        "--objective",
        "lenient",
    ]);
    assert!(stderr.contains("lenient1"), "{stderr}");
}
