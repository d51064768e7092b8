//! `agora calibrate` end to end: ABC recovers parameters agora itself
//! generated the data with (coverage of the 90% credible intervals over
//! seeds), one result per seed whatever the thread count, a `kill -9` then
//! `--resume` giving the bytes of an uninterrupted run, bad input exit 2.

use std::path::Path;

use agora_core::calendar::Month;
use agora_core::rng::replicate_seed;
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario;

use super::{Csv, agora, kill_after_rows, read, run_ok, write};

/// The truth of the coverage test.
const TRUE_INNOVATION: f64 = 0.008;
const TRUE_IMITATION: f64 = 0.02;
/// Small and short: 1,000 citizens, 10 administrations, three years.
const SET: &str = r#""population.citizens": "1000", "population.administrations": "10", "steps": "36""#;

/// `observed.csv`: `digital_interaction` of one run of the pioneer scenario
/// with the true parameters (seeded `seed`), every six months.
fn observed(dir: &Path, seed: u64, citizens: u32, steps: u32) {
    let mut s = scenario::built_in().into_iter().find(|s| s.name == "pioneer").unwrap();
    let set = [
        ("population.citizens", citizens.to_string()),
        ("population.administrations", "10".to_string()),
        ("steps", steps.to_string()),
        ("dynamics.digital_innovation", TRUE_INNOVATION.to_string()),
        ("dynamics.digital_imitation", TRUE_IMITATION.to_string()),
    ];
    let overrides: Vec<(String, String)> = set.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    scenario::apply_overrides(&mut s, &overrides).unwrap();
    let (series, _) = simulate(&Prepared::new(s).unwrap(), replicate_seed(seed, 0));
    let start = Month::parse("2012-01").unwrap();
    let mut text = String::from("# simulated by agora with known parameters\ndate,value\n");
    for step in (6..=steps).step_by(6) {
        text.push_str(&format!(
            "{},{}\n",
            start.plus(step),
            series[step as usize].get("digital_interaction").unwrap()
        ));
    }
    write(dir, "observed.csv", &text);
}

const BOTH: &str = r#""dynamics.digital_innovation": (0.0, 0.02), "dynamics.digital_imitation": (0.0, 0.05)"#;
const INNOVATION: &str = r#""dynamics.digital_innovation": (0.0, 0.02)"#;

/// `cal.ron` over the two digital rates with `extra` settings.
fn calibration(dir: &Path, population: usize, seed: u64, set: &str, extra: &str) -> String {
    calibration_of(dir, BOTH, population, seed, set, extra)
}

/// `cal.ron` over `priors`.
fn calibration_of(dir: &Path, priors: &str, population: usize, seed: u64, set: &str, extra: &str) -> String {
    let text = format!(
        r#"Calibration(name: "test", base: "pioneer",
            priors: {{{priors}}},
            observed: "observed.csv", metric: "digital_interaction", population: {population},
            replicates: 1, seed: {seed}, set: {{{set}}}{extra})"#
    );
    write(dir, "cal.ron", &text).to_str().unwrap().to_string()
}

/// The coverage runs: 2,000 citizens, 10 administrations, five years,
/// `digital_imitation` at its true value.
const COVERAGE_SET: &str = r#""population.citizens": "2000", "population.administrations": "10", "steps": "60",
    "dynamics.digital_imitation": "0.02""#;

/// Whether the 90% interval of `digital_innovation` with seed `seed`
/// contains the truth, and its width. The calibration runs as a child
/// process, so that the test harness stays small (the memory test measures
/// children whose peak includes the harness at the fork).
fn covers(seed: u64) -> (bool, f64) {
    let dir = tempfile::tempdir().unwrap();
    observed(dir.path(), 1000 + seed, 2000, 60);
    let file = calibration_of(dir.path(), INNOVATION, 100, seed, COVERAGE_SET, "");
    let out = dir.path().join("out");
    run_ok(&["calibrate", &file, "--out", out.to_str().unwrap(), "--quiet"]);
    let summary = Csv::rows(out.join("summary.csv"));
    let [median, lo90, hi90] = ["median", "lo90", "hi90"].map(|c| Csv::number(&summary[0], c));
    let generations = read(out.join("generations.csv")).lines().count() - 1;
    eprintln!("seed {seed}: innovation median {median:.5}, 90% [{lo90:.5}, {hi90:.5}], {generations} generations");
    ((lo90..=hi90).contains(&TRUE_INNOVATION), hi90 - lo90)
}

/// Seeds whose interval holds the truth, and the mean width of the intervals.
fn coverage(seeds: u64) -> (usize, f64) {
    let runs: Vec<(bool, f64)> = (0..seeds).map(covers).collect();
    let hits = runs.iter().filter(|r| r.0).count();
    let width = runs.iter().map(|r| r.1).sum::<f64>() / seeds as f64;
    eprintln!("coverage over {seeds} seeds: {hits}, mean 90% width {width:.5} (prior width 0.02)");
    (hits, width)
}

/// Over 20 seeds, 90% intervals should hold the truth about 18 times; below
/// 14 is unlikely (binomial(20, 0.9) puts 0.24% there). Measured: 17 of 20
/// (seeds 2 and 8 miss by less than 0.0003, seed 4 by 0.001), mean width 0.0064 of
/// the prior's 0.02; 221 s on 2 busy cores, hence ignored in CI.
#[test]
#[ignore = "20 seeds; run with --ignored"]
fn credible_intervals_cover_the_truth_in_most_of_20_seeds() {
    let (hits, width) = coverage(20);
    assert!(hits >= 14, "{hits} of 20");
    assert!(
        width < 0.01,
        "the intervals span {width} of the prior's 0.02: the data say little"
    );
}

/// The CI version: 3 seeds, each interval must hold the truth at least twice.
#[test]
fn credible_intervals_cover_the_truth_in_3_seeds() {
    let (hits, width) = coverage(3);
    assert!(hits >= 2, "{hits} of 3");
    assert!(
        width < 0.01,
        "the intervals span {width} of the prior's 0.02: the data say little"
    );
}

const FILES: [&str; 4] = ["posterior.csv", "generations.csv", "summary.csv", "predictive.csv"];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert_eq!(read(a.join(f)), read(b.join(f)), "{f}");
    }
}

#[test]
fn one_seed_one_result_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    observed(dir.path(), 7, 1000, 36);
    let file = calibration(dir.path(), 40, 3, SET, "");
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_ok(&[
        "calibrate",
        &file,
        "--out",
        one.to_str().unwrap(),
        "--threads",
        "1",
        "--quiet",
    ]);
    run_ok(&[
        "calibrate",
        &file,
        "--out",
        two.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ]);
    same_files(&one, &two);
    run_ok(&["verify", one.to_str().unwrap()]);
    let summary = read(one.join("summary.csv"));
    assert!(
        summary.starts_with("parameter,median,lo90,hi90,mean\ndynamics.digital_innovation,"),
        "{summary}"
    );
    let predictive = read(one.join("predictive.csv"));
    assert!(
        predictive.starts_with("date,observed,p05,p50,p95\n2012-07,"),
        "{predictive}"
    );
    assert_eq!(predictive.lines().count(), 7);
}

#[test]
fn a_killed_calibration_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    observed(dir.path(), 9, 1000, 36);
    let set = r#""population.citizens": "4000", "population.administrations": "10", "steps": "36""#;
    let file = calibration(dir.path(), 60, 4, set, ", min_acceptance: 0.0, max_generations: 12");
    let (whole, killed) = (dir.path().join("whole"), dir.path().join("killed"));
    run_ok(&["calibrate", &file, "--out", whole.to_str().unwrap(), "--quiet"]);
    let args = ["calibrate", &file, "--out", killed.to_str().unwrap(), "--quiet"];
    kill_after_rows(&args, &killed.join(".generations.csv.partial"), 3);
    assert!(
        !killed.join("manifest.ron").exists(),
        "killed too late: the run had finished"
    );
    let done = read(killed.join(".generations.csv.partial")).lines().count();
    assert!((4..13).contains(&done), "{done} lines");
    let resumed = run_ok(&["calibrate", &file, "--out", killed.to_str().unwrap(), "--resume"]);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("resuming after generation"), "{stderr}");
    same_files(&whole, &killed);
    assert_eq!(read(whole.join("generations.csv")).lines().count(), 13);
}

/// `agora calibrate` on `text` (with `observed.csv` there) exits 2 with a
/// message containing `expected`.
fn refused(text: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    observed(dir.path(), 1, 1000, 36);
    let file = write(dir.path(), "bad.ron", text);
    let out = agora()
        .args([
            "calibrate",
            file.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
    assert!(stderr.contains(expected), "{text}: {stderr}");
}

#[test]
fn bad_input_exits_2() {
    let cal = |priors: &str, rest: &str| {
        format!(
            r#"Calibration(name: "bad", base: "pioneer", priors: {{{priors}}}, observed: "observed.csv",
                metric: "digital_interaction", population: 20{rest})"#
        )
    };
    let ok = r#""dynamics.digital_innovation": (0.0, 0.02)"#;
    refused(&cal(r#""dynamics.no_such_rate": (0.0, 1.0)"#, ""), "no_such_rate");
    refused(&cal(r#""dynamics.digital_innovation": (0.02, 0.02)"#, ""), "low < high");
    refused(&cal(ok, r#", set: {"steps": "3"}"#), "outside the run");
    refused(
        &cal(ok, "").replace("digital_interaction", "no_metric"),
        "unknown metric",
    );
    refused(&cal(ok, "").replace("observed.csv", "missing.csv"), "missing.csv");
    refused(&cal(ok, ", alpha: 1.5"), "alpha");
    refused("Calibration(name: \"x\")", "bad.ron:");
    let out = agora().args(["calibrate", "/no/such/file.ron"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
