//! Many replicates: `--until` (adaptive replicates), `--quantiles sketch`
//! (memory flat in replicates) and `--no-timeseries`.

use super::{Csv, agora, read, run_ok};

const SMALL: [&str; 4] = ["--set", "population.citizens=300", "--steps", "48"];
const DATA: [&str; 5] = [
    "timeseries.csv",
    "summary.csv",
    "graphs.csv",
    "aggregate.csv",
    "classes.csv",
];

fn run_in(dir: &std::path::Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut args = vec!["run", "fracture", "--quiet", "--out", out.to_str().unwrap()];
    args.extend(SMALL);
    args.extend(extra);
    run_ok(&args);
    out
}

fn same_files(a: &std::path::Path, b: &std::path::Path, files: &[&str]) {
    for f in files {
        assert!(
            read(a.join(f)) == read(b.join(f)),
            "{f} differs between {a:?} and {b:?}"
        );
    }
}

/// `--until` stops at the same count for 1 and 2 threads, and the runs it
/// keeps are byte for byte those of a run asked for that many replicates.
#[test]
fn until_stops_at_the_same_count_whatever_the_threads_and_keeps_those_runs() {
    let dir = tempfile::tempdir().unwrap();
    // A cap far past what `auto` keeps exactly (6,849 runs of 48 months):
    // the quantiles follow the count reached, not the cap.
    let rule = [
        "--replicates",
        "20000",
        "--until",
        "trust:0.004",
        "--until",
        "class.fracture:0.2",
    ];
    let one = run_in(dir.path(), "one", &[&rule[..], &["--threads", "1"]].concat());
    let two = run_in(dir.path(), "two", &[&rule[..], &["--threads", "2"]].concat());
    same_files(&one, &two, &DATA);
    let runs = Csv::rows(one.join("summary.csv")).len();
    assert!(
        runs > 20 && runs < 300,
        "{runs} runs: the rule should stop between the first check and the cap"
    );
    let manifest = read(one.join("manifest.ron"));
    assert!(
        manifest.contains(&format!(
            "fracture: stopped after {runs} runs, every interval narrower than its width"
        )),
        "{manifest}"
    );
    let fixed = run_in(dir.path(), "fixed", &["--replicates", &runs.to_string()]);
    same_files(&one, &fixed, &DATA);
    run_ok(&["verify", one.to_str().unwrap()]);
}

/// A `--until` run killed at any point and resumed writes the folder of
/// the run that was never interrupted: mid-batch, at a check, in the
/// second scenario after the first one stopped.
#[test]
fn until_resumes_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "fracture",
        "pioneer",
        "--quiet",
        "--replicates",
        "120",
        "--until",
        "trust:0.004",
        "--set",
        "population.citizens=300",
        "--steps",
        "48",
        "--threads",
        "2",
    ];
    let run_into = |out: &std::path::Path, extra: &[&str]| {
        let mut all = vec!["run", "--out", out.to_str().unwrap()];
        all.extend(args);
        all.extend(extra);
        all.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let whole = dir.path().join("whole");
    run_ok(&run_into(&whole, &[]).iter().map(String::as_str).collect::<Vec<_>>());
    let summary = Csv::rows(whole.join("summary.csv"));
    let first = summary.iter().filter(|r| r["scenario"] == "fracture").count();
    assert!(first > 20 && first < summary.len(), "{first} of {}", summary.len());
    let stopping = |dir: &std::path::Path| {
        read(dir.join("manifest.ron"))
            .lines()
            .filter(|l| l.contains("stopped after"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let plain = |args: &[String]| {
        let at = args.iter().position(|a| a == "--until").unwrap();
        [&args[..at], &args[at + 2..]].concat()
    };
    for (k, rows) in [5, 25, first + 3, 30].into_iter().enumerate() {
        let out = dir.path().join(format!("killed{k}"));
        let killed = run_into(&out, &[]);
        // The last attempt was killed as a plain run: resumed with --until
        // it is another batch, so it starts again and still ends the same.
        let killed = if k == 3 { plain(&killed) } else { killed };
        super::kill_after_rows(
            &killed.iter().map(String::as_str).collect::<Vec<_>>(),
            &out.join(".summary.csv.partial"),
            rows,
        );
        let again = run_into(&out, &["--resume"]);
        let stderr = String::from_utf8(run_ok(&again.iter().map(String::as_str).collect::<Vec<_>>()).stderr).unwrap();
        same_files(&whole, &out, &DATA);
        assert_eq!(stopping(&whole), stopping(&out), "attempt {k}: {stderr}");
    }
}

/// A rule that cannot be met stops at the cap, and the manifest says so.
#[test]
fn until_stops_at_the_cap_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), "cap", &["--replicates", "25", "--until", "trust:1e-9"]);
    assert_eq!(Csv::rows(out.join("summary.csv")).len(), 25);
    assert!(read(out.join("manifest.ron")).contains("the cap of 25 replicates was reached first"));
    let bad = agora()
        .args(["run", "--until", "trst:0.01", "--out"])
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean `trust`"));
    run_ok(&["verify", out.to_str().unwrap()]);
}

/// Sketched quantiles are within the stated relative error of the exact
/// ones, means and sds agree to rounding, the bytes do not depend on the
/// threads, and the manifest says how the quantiles were made.
#[test]
fn sketched_quantiles_are_within_the_stated_error_and_thread_independent() {
    let dir = tempfile::tempdir().unwrap();
    let exact = run_in(dir.path(), "exact", &["--replicates", "120", "--quantiles", "exact"]);
    let sketch1 = run_in(
        dir.path(),
        "s1",
        &["--replicates", "120", "--quantiles", "sketch", "--threads", "1"],
    );
    let sketch2 = run_in(
        dir.path(),
        "s2",
        &["--replicates", "120", "--quantiles", "sketch", "--threads", "2"],
    );
    same_files(&sketch1, &sketch2, &DATA);
    same_files(&exact, &sketch1, &DATA[..3]);
    let (e, s) = (
        Csv::rows(exact.join("aggregate.csv")),
        Csv::rows(sketch1.join("aggregate.csv")),
    );
    assert_eq!(e.len(), s.len());
    let error = agora_core::stats::sketch::RELATIVE_ERROR;
    let mut compared = 0;
    for (a, b) in e.iter().zip(&s) {
        assert_eq!((&a["step"], &a["metric"]), (&b["step"], &b["metric"]));
        if a["mean"].is_empty() {
            assert!(b["mean"].is_empty());
            continue;
        }
        for (column, tolerance) in [
            ("mean", 1e-9),
            ("sd", 1e-6),
            ("p05", error),
            ("p50", error),
            ("p95", error),
        ] {
            let (x, y) = (Csv::number(a, column), Csv::number(b, column));
            // CSV keeps shortest round-trip text: allow its last digit too.
            assert!(
                (x - y).abs() <= tolerance * x.abs() * 1.000_001 + 1e-12,
                "{} {} {column}: exact {x}, sketch {y}",
                a["step"],
                a["metric"]
            );
            compared += 1;
        }
    }
    assert!(compared > 1000, "{compared}");
    assert!(read(sketch1.join("manifest.ron")).contains("DDSketch"));
    assert!(!read(exact.join("manifest.ron")).contains("DDSketch"));
}

/// `--no-timeseries` writes everything else, the same bytes, and a folder
/// `verify` and `report` accept; `--resume` with it is refused up front.
#[test]
fn no_timeseries_leaves_out_only_the_timeseries() {
    let dir = tempfile::tempdir().unwrap();
    let with = run_in(dir.path(), "with", &["--replicates", "4"]);
    let without = run_in(dir.path(), "without", &["--replicates", "4", "--no-timeseries"]);
    assert!(!without.join("timeseries.csv").exists());
    same_files(&with, &without, &DATA[1..]);
    run_ok(&["verify", without.to_str().unwrap()]);
    run_ok(&["report", without.to_str().unwrap()]);
    let resume = agora()
        .args(["run", "--no-timeseries", "--resume", "--out"])
        .arg(&without)
        .output()
        .unwrap();
    assert_eq!(resume.status.code(), Some(2));
    run_ok(&["verify", without.to_str().unwrap()]);
}

/// `compare --until` stops on the paired differences, at the same count for
/// 1 and 2 threads, and writes what `compare --replicates N` writes.
#[test]
fn compare_until_stops_on_the_paired_interval_and_keeps_those_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let compare = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "compare",
            "pioneer",
            "examples/policies/secure-2y.ron",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(SMALL);
        args.extend(extra);
        run_ok(&args);
        out
    };
    let rule = ["--replicates", "200", "--until", "adoption:0.03"];
    let one = compare("one", &[&rule[..], &["--threads", "1"]].concat());
    let two = compare("two", &[&rule[..], &["--threads", "2"]].concat());
    let files = ["timeseries.csv", "summary.csv", "comparison.csv", "classes.csv"];
    same_files(&one, &two, &files);
    let pairs = Csv::rows(one.join("summary.csv")).len() / 2;
    assert!((20..200).contains(&pairs), "{pairs}");
    assert!(read(one.join("manifest.ron")).contains(&format!("stopped after {pairs} replicates")));
    let fixed = compare("fixed", &["--replicates", &pairs.to_string()]);
    same_files(&one, &fixed, &files);
}
