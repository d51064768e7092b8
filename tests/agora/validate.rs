//! `agora validate`: the model against data, most of it not fitted.

use super::{Csv, read, run_ok};

/// The quick validation writes the table the issue asks for, a manifest
/// that verifies, a report, and the same bytes at any thread count.
#[test]
fn quick_validation_writes_every_pattern_with_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let out = run_ok(&[
        "validate",
        "--quick",
        "--quiet",
        "--threads",
        "1",
        "--out",
        one.to_str().unwrap(),
        "--report",
    ]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("checks pass ("), "{printed}");
    run_ok(&[
        "validate",
        "--quick",
        "--quiet",
        "--threads",
        "2",
        "--out",
        two.to_str().unwrap(),
    ]);
    run_ok(&["verify", one.to_str().unwrap()]);

    let table = Csv::read(one.join("validation.csv"));
    assert_eq!(
        &table.header[..8],
        [
            "pattern",
            "source",
            "observed",
            "observed_sd",
            "model_low",
            "model_high",
            "pass",
            "fitted"
        ]
    );
    assert!(table.rows.len() >= 7, "{} rows", table.rows.len());
    let held = table.rows.iter().filter(|r| r["fitted"] == "no").count();
    let fitted = table.rows.iter().filter(|r| r["fitted"] == "yes").count();
    assert!(held >= 3 && fitted >= 1, "{held} held out, {fitted} fitted");
    let groups = [
        "online_contact",
        "presence",
        "leave_one_out",
        "countries_2013",
        "countries_2019",
        "size",
        "large_bodies",
        "futures",
        "bass",
    ];
    for group in groups {
        assert!(table.rows.iter().any(|r| r["group"] == group), "no row of {group}");
    }
    for r in &table.rows {
        assert!(matches!(r["pass"].as_str(), "yes" | "no"));
        assert!(!r["source"].is_empty(), "{} has no source", r["pattern"]);
        let (low, high): (f64, f64) = (r["model_low"].parse().unwrap(), r["model_high"].parse().unwrap());
        assert!(low <= high, "{}: band {low} > {high}", r["pattern"]);
        // The verdict is the stated rule: within 2 sd of the band.
        let (o, sd): (f64, f64) = (r["observed"].parse().unwrap(), r["observed_sd"].parse().unwrap());
        let gap = (o - o.clamp(low, high)).abs();
        assert_eq!(
            r["pass"] == "yes",
            gap <= 2.0 * sd + 1e-9,
            "{}: {o} +- {sd} vs [{low}, {high}]",
            r["pattern"]
        );
    }
    // Every data source the rows cite is a file and line of the bundled data, or a citation.
    assert!(
        table
            .rows
            .iter()
            .any(|r| r["source"].starts_with("data/eurostat_egov.csv:"))
    );
    assert!(
        table
            .rows
            .iter()
            .any(|r| r["source"].starts_with("data/admin_social_media.csv:"))
    );

    for file in [
        "validation.csv",
        "countries.csv",
        "country_summary.csv",
        "leave_one_out.csv",
        "indicators.csv",
    ] {
        assert_eq!(
            read(one.join(file)),
            read(two.join(file)),
            "{file} differs between 1 and 2 threads"
        );
    }
    let countries = Csv::read(one.join("country_summary.csv"));
    assert_eq!(countries.rows.len(), 2);
    assert_eq!(Csv::read(one.join("leave_one_out.csv")).rows.len(), 10);
    assert_eq!(Csv::read(one.join("indicators.csv")).rows.len(), 4);

    let html = read(one.join("report.html"));
    assert!(html.contains("Validation: the model against data"));
    assert_eq!(html.matches("<svg").count(), groups.len(), "one chart per group");
    assert!(
        html.contains("calendar year"),
        "time axes are labelled in calendar years"
    );
}

/// The committed full run (data/validation/) is one complete result, made by
/// the full command, and docs/model.md quotes its tables verbatim: a change
/// of model that changes a number fails here until the run is remade
/// (`agora validate --out data/validation --report`) and the docs with it.
#[test]
fn the_committed_validation_is_complete_and_quoted_verbatim() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("data/validation");
    run_ok(&["verify", dir.to_str().unwrap()]);
    let manifest = read(dir.join("manifest.ron"));
    assert!(manifest.contains("\"validate\""), "made by agora validate");
    assert!(manifest.contains("effort: full"), "the full run, not --quick");
    let tables = read(dir.join("validation.md"));
    let model = read(root.join("docs/model.md"));
    assert!(
        model.contains(tables.trim()),
        "docs/model.md section 11 must quote data/validation/validation.md verbatim"
    );
    // At least the shape: 7 patterns, 3 of them not fitted.
    let table = Csv::read(dir.join("validation.csv"));
    assert!(table.rows.len() >= 7);
    assert!(table.rows.iter().filter(|r| r["fitted"] == "no").count() >= 3);
}
