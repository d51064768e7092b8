//! `agora optimize`: a front whose rows do not dominate each other, the same
//! bytes on any thread count and after a resume, a folder `verify` accepts,
//! agreement with `compare` on the same seeds, and clear errors.

use std::path::{Path, PathBuf};

use super::{Csv, agora, read, run_ok, write};

/// Small populations: a run of the 19 years takes a few milliseconds.
const SMALL: [&str; 4] = [
    "--set",
    "population.citizens=400",
    "--set",
    "population.administrations=8",
];

/// Two continuous levers (one with a start range), two objectives.
const LEVERS: &str = r#"Levers(
    name: "t",
    levers: [
        (path: "dynamics.training", value: Range(0.0, 0.05), start: Range("2026-01", "2027-12")),
        (path: "dynamics.security_investment", value: Range(0.0, 1.0)),
    ],
    objectives: [
        (metric: "transformed_share", sense: Maximise),
        (metric: "trust", sense: Maximise, aggregate: WorstCase),
    ],
    population: 8,
    replicates: 2,
    reevaluation: 3,
    seed: 3,
)"#;

fn optimize(levers: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "optimize",
        "--levers",
        levers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(SMALL);
    args.push("--quiet");
    args.extend(extra);
    String::from_utf8(run_ok(&args).stdout).unwrap()
}

/// The objective columns of pareto.csv as losses (smaller is better).
fn losses(row: &std::collections::HashMap<String, String>, columns: &[(&str, f64)]) -> Vec<f64> {
    columns.iter().map(|(c, sign)| sign * Csv::number(row, c)).collect()
}

fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

#[test]
fn the_front_is_non_dominated_the_same_on_any_thread_count_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let levers = write(dir.path(), "levers.ron", LEVERS);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let stdout = optimize(
        &levers,
        &one,
        &["--evaluations", "24", "--threads", "1", "--budget", "20"],
    );
    assert!(stdout.contains("policies on the front after 3 generations"), "{stdout}");
    optimize(
        &levers,
        &two,
        &["--evaluations", "24", "--threads", "2", "--budget", "20", "--report"],
    );
    let page = read(two.join("report.html"));
    assert!(page.contains("The front in parallel coordinates") && page.contains("worst_trust against cost"));
    for file in ["pareto.csv", "evaluations.csv", "convergence.csv", "search.ron"] {
        assert_eq!(
            read(one.join(file)),
            read(two.join(file)),
            "{file} differs between 1 and 2 threads"
        );
    }
    run_ok(&["verify", one.to_str().unwrap()]);
    let pareto = Csv::rows(one.join("pareto.csv"));
    assert!(!pareto.is_empty());
    let columns = [("mean_transformed_share", -1.0), ("worst_trust", -1.0), ("cost", 1.0)];
    for a in &pareto {
        assert_eq!(a["feasible"], "yes", "{a:?}");
        assert!(Csv::number(a, "cost") <= 20.0, "{a:?}");
        let lo = Csv::number(a, "mean_transformed_share_lo");
        let hi = Csv::number(a, "mean_transformed_share_hi");
        assert!(
            lo <= Csv::number(a, "mean_transformed_share_fresh") && lo <= hi,
            "{a:?}"
        );
        for b in &pareto {
            assert!(
                !dominates(&losses(a, &columns), &losses(b, &columns)),
                "{a:?} dominates {b:?}"
            );
        }
    }
    let evaluations = Csv::rows(one.join("evaluations.csv"));
    assert_eq!(evaluations.len(), 24, "3 generations of 8");
    assert_eq!(Csv::rows(one.join("convergence.csv")).len(), 3);
}

#[test]
fn a_resumed_search_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let levers = write(dir.path(), "levers.ron", LEVERS);
    let whole = dir.path().join("whole");
    optimize(&levers, &whole, &["--evaluations", "24"]);
    // An interruption after generation 1: two generations written, no pareto, no manifest.
    let cut: PathBuf = dir.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    std::fs::copy(whole.join("search.ron"), cut.join("search.ron")).unwrap();
    let lines: Vec<String> = read(whole.join("evaluations.csv")).lines().map(String::from).collect();
    std::fs::write(cut.join("evaluations.csv"), lines[..17].join("\n") + "\n").unwrap();
    let stdout = optimize(&levers, &cut, &["--evaluations", "24", "--resume"]);
    assert!(stdout.contains("after 3 generations"), "{stdout}");
    for file in ["pareto.csv", "evaluations.csv", "convergence.csv"] {
        assert_eq!(
            read(whole.join(file)),
            read(cut.join(file)),
            "{file} differs after --resume"
        );
    }
    // Another search in the folder is not resumed.
    let other = write(dir.path(), "other.ron", &LEVERS.replace("seed: 3", "seed: 4"));
    std::fs::remove_file(cut.join("manifest.ron")).unwrap();
    let out = agora()
        .args([
            "optimize",
            "--levers",
            other.to_str().unwrap(),
            "--out",
            cut.to_str().unwrap(),
        ])
        .args(["--evaluations", "24", "--resume", "--quiet"])
        .args(SMALL)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds another search"));
}

/// Two switches with fixed starts: four policies in all. The front
/// includes or dominates each single-lever policy, and its objectives are
/// the ones `compare --across` finds for the same policy on the same seeds.
#[test]
fn the_front_covers_every_single_lever_policy_that_compare_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let levers = write(
        dir.path(),
        "levers.ron",
        r#"Levers(
            name: "switches",
            levers: [
                (path: "dynamics.training", value: Switch(0.04), start: At("2026-01")),
                (path: "dynamics.security_investment", value: Switch(1.0), start: At("2026-01")),
            ],
            objectives: [(metric: "transformed_share", sense: Maximise)],
            population: 8, replicates: 3, reevaluation: 3, seed: 2012,
        )"#,
    );
    let out = dir.path().join("o");
    optimize(&levers, &out, &["--evaluations", "24"]);
    let pareto = Csv::rows(out.join("pareto.csv"));
    let columns = [("mean_transformed_share", -1.0), ("cost", 1.0)];
    for (lever, value) in [("training", "0.04"), ("security_investment", "1")] {
        let policy = write(
            dir.path(),
            &format!("{lever}.ron"),
            &format!("Scenario(name: \"{lever}\", interventions: [(at: 168, set: {{\"dynamics.{lever}\": {value}}})])"),
        );
        let cmp = dir.path().join(format!("cmp-{lever}"));
        let mut args = vec!["compare", policy.to_str().unwrap(), "--across", "fracture", "--across"];
        args.extend(["participation", "--across", "pioneer", "--out", cmp.to_str().unwrap()]);
        args.extend(["--replicates", "3", "--quiet"]);
        args.extend(SMALL);
        run_ok(&args);
        let rows = Csv::rows(cmp.join("robustness.csv"));
        let mean_of = |metric: &str, column: &str| {
            let v: Vec<f64> = rows
                .iter()
                .filter(|r| r["metric"] == metric && r["case"] == "future")
                .map(|r| Csv::number(r, column))
                .collect();
            assert_eq!(v.len(), 3);
            v.iter().sum::<f64>() / 3.0
        };
        let single = [
            -mean_of("transformed_share", "policy_mean"),
            mean_of("cost", "diff_mean"),
        ];
        let covered = pareto.iter().any(|row| {
            let f = losses(row, &columns);
            dominates(&f, &single) || f.iter().zip(&single).all(|(a, b)| (a - b).abs() < 1e-9)
        });
        assert!(
            covered,
            "{lever}: {single:?} is neither on nor dominated by the front {pareto:?}"
        );
    }
}

#[test]
fn bad_levers_files_are_refused_with_where_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            LEVERS.replace("\"transformed_share\"", "\"transformed_shar\""),
            "did you mean `transformed_share`",
        ),
        (
            LEVERS.replace("dynamics.training", "dynamics.trainin"),
            "levers[0] `dynamics.trainin`",
        ),
        (
            LEVERS.replace("Range(0.0, 1.0)", "Range(1.0, 0.0)"),
            "needs finite low < high",
        ),
        (LEVERS.replace("\"2027-12\"", "\"2040-01\""), "outside the runs"),
        (LEVERS.replace("population: 8", "population: 7"), "must be even"),
        (
            LEVERS.replace(
                r#"Range("2026-01", "2027-12")"#,
                r#"Signpost("unheard_shar", Above, 0.1, 0.2)"#,
            ),
            "did you mean `unheard_share`",
        ),
        (LEVERS.replace("seed: 3,", "seed: 3, colour: 1,"), "levers.ron:"),
    ];
    for (text, expected) in cases {
        let levers = write(dir.path(), "levers.ron", &text);
        let out = agora()
            .args([
                "optimize",
                "--levers",
                levers.to_str().unwrap(),
                "--evaluations",
                "8",
                "--quiet",
            ])
            .args(["--out", dir.path().join("o").to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{expected}: {stderr}");
        assert!(stderr.contains(expected), "expected `{expected}` in: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = agora()
        .args(["optimize", "--levers", dir.path().join("none.ron").to_str().unwrap()])
        .args(["--evaluations", "8", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such levers file"));
}

/// A signpost that is crossed as soon as it is watched starts its lever in
/// the same month as a lever dated then; one that is never crossed leaves
/// the future as it is (no cost, the same outcomes).
#[test]
fn a_signpost_crossed_at_once_is_a_dated_lever_and_one_never_crossed_is_none() {
    use agora_core::commands::{Search, run_policies};
    let dir = tempfile::tempdir().unwrap();
    let file = |start: &str| {
        let text = format!(
            r#"Levers(name: "s", levers: [(path: "dynamics.training", value: Switch(0.05), start: {start})],
                objectives: [(metric: "transformed_share", sense: Maximise)], population: 4, seed: 9)"#
        );
        write(dir.path(), "levers.ron", &text)
    };
    let overrides: Vec<(String, String)> = [("population.citizens", "400"), ("population.administrations", "8")]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec();
    let futures = vec!["fracture".to_string()];
    let load = |start: &str| Search::load(&file(start), &futures, &overrides, None, 8, None).unwrap();
    let dated = load(r#"At("2026-02")"#);
    let at_once = load(r#"Signpost("unheard_share", Above, -1.0, -1.0)"#);
    let never = load(r#"Signpost("unheard_share", Above, 2.0, 2.0)"#);
    let run = |s: &Search, on: bool| run_policies(s, &[Some(s.decode(&[if on { 1.0 } else { 0.0 }]))], 9, 3);
    assert_eq!(run(&dated, true), run(&at_once, true));
    assert_eq!(run(&never, true), run(&never, false));
    assert_ne!(run(&dated, true), run(&dated, false), "the lever changes something");
    assert_eq!(at_once.decode(&[1.0]).thresholds, vec![Some(-1.0)]);
    let free = load(r#"Signpost("unheard_share", Below, 0.2, 0.6)"#);
    assert_eq!(
        free.bounds(),
        vec![(0.0, 1.0), (0.2, 0.6)],
        "a threshold range is searched"
    );
    assert_eq!(free.decode(&[1.0, 0.3]).thresholds, vec![Some(0.3)]);
}
