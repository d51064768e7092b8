//! `--format parquet`: the same rows as the CSV files, the same bytes at
//! any thread count, merged shards equal to the unsharded sweep, the
//! manifest covering the Parquet files, and the clear refusals.

use std::path::Path;

use agora_core::output::columnar::read_columns;
use agora_core::output::table::Column;

use super::{Csv, agora, run_ok, write};

/// Every cell of a Parquet file as the CSV file writes it (a number in its
/// shortest exact form, an undefined value empty), rows by column name.
fn parquet_as_csv(path: &Path) -> Csv {
    let columns = read_columns(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut floats = ryu::Buffer::new();
    let rows = (0..columns.rows)
        .map(|r| {
            columns
                .header
                .iter()
                .zip(&columns.columns)
                .map(|(name, column)| {
                    let cell = match column {
                        Column::Text(v) => v[r].clone(),
                        Column::Int(v) => v[r].to_string(),
                        Column::Float(v) if v[r].is_finite() => floats.format_finite(v[r]).to_string(),
                        Column::Float(_) => String::new(),
                    };
                    (name.clone(), cell)
                })
                .collect()
        })
        .collect();
    Csv {
        header: columns.header.clone(),
        rows,
    }
}

/// The CSV file and the Parquet file hold the same header and rows; a
/// sweep's numeric axes (text in CSV, numbers in Parquet) compare as numbers.
fn assert_same_rows(csv: &Path, parquet: &Path) {
    let (a, b) = (Csv::read(csv), parquet_as_csv(parquet));
    assert_eq!(a.header, b.header, "{}", parquet.display());
    assert_eq!(a.rows.len(), b.rows.len(), "{}", parquet.display());
    for (r, (x, y)) in a.rows.iter().zip(&b.rows).enumerate() {
        for name in &a.header {
            let same = x[name] == y[name]
                || x[name]
                    .parse::<f64>()
                    .ok()
                    .is_some_and(|v| y[name].parse::<f64>().ok() == Some(v));
            assert!(
                same,
                "{} row {r} column {name}: {:?} vs {:?}",
                parquet.display(),
                x[name],
                y[name]
            );
        }
    }
}

fn bytes(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

const RUN: [&str; 9] = [
    "run",
    "participation",
    "pioneer",
    "--replicates",
    "3",
    "--steps",
    "30",
    "--set",
    "population.citizens=600",
];

fn run_into(out: &Path, extra: &[&str]) {
    let mut args: Vec<&str> = RUN.to_vec();
    args.extend(["--out", out.to_str().unwrap(), "--quiet"]);
    args.extend(extra);
    run_ok(&args);
}

#[test]
fn a_parquet_run_holds_the_csv_rows_in_the_same_bytes_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, one, two) = (dir.path().join("csv"), dir.path().join("one"), dir.path().join("two"));
    run_into(&csv, &["--threads", "2"]);
    run_into(&one, &["--format", "parquet", "--threads", "1"]);
    run_into(&two, &["--format", "parquet", "--threads", "2"]);
    for table in ["timeseries", "summary"] {
        let file = format!("{table}.parquet");
        assert_eq!(
            bytes(one.join(&file)),
            bytes(two.join(&file)),
            "{file}: 1 and 2 threads"
        );
        assert_same_rows(&csv.join(format!("{table}.csv")), &one.join(&file));
        assert!(!one.join(format!("{table}.csv")).exists());
    }
    // The small tables stay CSV, the same bytes.
    for small in ["aggregate.csv", "classes.csv", "graphs.csv"] {
        assert_eq!(bytes(csv.join(small)), bytes(one.join(small)), "{small}");
    }
    // Seeds are unsigned 64-bit numbers; undefined values are nulls.
    let summary = read_columns(&one.join("summary.parquet")).unwrap();
    let seed = summary.header.iter().position(|h| h == "seed").unwrap();
    assert!(matches!(summary.columns[seed], Column::Int(_)));
    let verified = run_ok(&["verify", one.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("5 files match"));
}

#[test]
fn verify_detects_a_changed_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_into(&out, &["--format", "parquet"]);
    let path = out.join("timeseries.parquet");
    let mut data = bytes(&path);
    let middle = data.len() / 2;
    data[middle] ^= 1;
    std::fs::write(&path, data).unwrap();
    let verify = agora().args(["verify", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(verify.status.code(), Some(1));
    let message = String::from_utf8_lossy(&verify.stderr);
    assert!(
        message.contains("timeseries.parquet") && message.contains("does not match"),
        "{message}"
    );
}

#[test]
fn parquet_refusals_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let refused = |args: &[&str], says: &str| {
        let output = agora().args(args).output().unwrap();
        let message = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(message.contains(says), "{args:?}: {message}");
    };
    let o = out.to_str().unwrap();
    let base = ["run", "participation", "--replicates", "2", "--steps", "6"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(extra).copied().collect() };
    refused(
        &[&with(&["--format", "parquet", "--resume"])[..], &["--out", o]].concat(),
        "--resume works with --format csv only",
    );
    refused(
        &[&with(&["--format", "parquet", "--report"])[..], &["--out", o]].concat(),
        "--report draws from CSV",
    );
    assert!(!out.join("timeseries.parquet").exists(), "nothing written");
    run_ok(&[&with(&["--format", "parquet", "--quiet"])[..], &["--out", o]].concat());
    refused(&["report", o], "holds Parquet tables");
    refused(
        &[
            "discover",
            &format!("{o}/summary.parquet"),
            "--target",
            "class=pioneer",
            "--inputs",
            "replicate",
        ],
        "reads a CSV table",
    );
}

const SWEEP: &str = r#"Sweep(
    name: "parquet",
    base: "base.ron",
    design: Grid(axes: {
        "dynamics.digital_imitation": [0.1, 0.4],
        "population.jurisdictions": [Equal, Zipf(exponent: 1.0)],
    }),
    replicates: 3,
    seed: 11,
    series: true,
)"#;

fn sweep_file(dir: &Path) -> String {
    sized_sweep(dir, 500, 24)
}

/// The sweep over a base of `citizens` and `steps`.
fn sized_sweep(dir: &Path, citizens: u32, steps: u32) -> String {
    let fracture = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fracture.ron");
    let base = format!(
        "Scenario(name: \"base\", base: Some({:?}), population: (citizens: {citizens}, administrations: 10), steps: {steps})",
        fracture.to_str().unwrap()
    );
    write(dir, "base.ron", &base);
    write(dir, "sweep.ron", SWEEP).to_str().unwrap().to_string()
}

fn sweep(file: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["sweep", file, "--out", out.to_str().unwrap(), "--quiet"];
    args.extend(extra);
    run_ok(&args);
}

#[test]
fn parquet_shards_merge_into_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path());
    let (csv, whole, parts) = (
        dir.path().join("csv"),
        dir.path().join("whole"),
        dir.path().join("parts"),
    );
    sweep(&file, &csv, &[]);
    sweep(&file, &whole, &["--format", "parquet", "--threads", "2"]);
    assert_same_rows(&csv.join("runs.csv"), &whole.join("runs.parquet"));
    assert_same_rows(&csv.join("timeseries.csv"), &whole.join("timeseries.parquet"));
    assert_eq!(bytes(csv.join("points.csv")), bytes(whole.join("points.csv")));
    // A numeric axis is a number column, a RON value text.
    let runs = read_columns(&whole.join("runs.parquet")).unwrap();
    assert!(matches!(runs.columns[3], Column::Float(_)) && matches!(runs.columns[4], Column::Text(_)));
    for i in 0..2 {
        let shard = format!("{i}/2");
        sweep(
            &file,
            &parts,
            &["--format", "parquet", "--shard", &shard, "--threads", "1"],
        );
    }
    let merged = dir.path().join("merged");
    run_ok(&["merge", parts.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    for name in ["runs.parquet", "timeseries.parquet", "points.csv"] {
        assert_eq!(bytes(whole.join(name)), bytes(merged.join(name)), "{name}");
    }
    run_ok(&["verify", merged.to_str().unwrap()]);
    // Shards of one merge share a format.
    let mixed = dir.path().join("mixed");
    sweep(&file, &mixed, &["--shard", "0/2"]);
    std::fs::rename(parts.join("shard-1-of-2"), mixed.join("shard-1-of-2")).unwrap();
    let output = agora()
        .args([
            "merge",
            mixed.to_str().unwrap(),
            "--out",
            dir.path().join("m2").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("share a --format"));
}

#[test]
fn an_interrupted_parquet_sweep_resumed_is_the_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough to be killed mid-way: about a second.
    let file = sized_sweep(dir.path(), 10000, 120);
    let (whole, killed) = (dir.path().join("whole"), dir.path().join("killed"));
    sweep(&file, &whole, &["--format", "parquet"]);
    let args = [
        "sweep",
        &file,
        "--out",
        killed.to_str().unwrap(),
        "--quiet",
        "--format",
        "parquet",
    ];
    let mut child = agora().args(args).spawn().unwrap();
    let started = std::time::Instant::now();
    // Until the first run is in (its one-shot partial Parquet file is there from the start).
    while started.elapsed().as_secs() < 30 && child.try_wait().unwrap().is_none() {
        let partial = std::fs::read_dir(&killed)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with(".runs.parquet."))
            })
            .unwrap_or(false);
        if partial {
            std::thread::sleep(std::time::Duration::from_millis(100));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let interrupted = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    let resumed = run_ok(&[&args[..], &["--resume"]].concat());
    let said = String::from_utf8_lossy(&resumed.stdout).into_owned() + &String::from_utf8_lossy(&resumed.stderr);
    assert!(!interrupted || said.contains("running its 12 runs again"), "{said}");
    for name in ["runs.parquet", "timeseries.parquet", "points.csv"] {
        assert_eq!(bytes(whole.join(name)), bytes(killed.join(name)), "{name}: {said}");
    }
    // Resumed again: complete, nothing to do.
    let again = run_ok(&[&args[..], &["--resume"]].concat());
    assert!(String::from_utf8_lossy(&again.stdout).contains("complete already"));
}
