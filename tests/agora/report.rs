//! The HTML report: its parts, parsed, and its determinism.

use scraper::{Html, Selector};

use super::{read, run_ok, write};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

#[test]
fn run_report_has_every_part_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    let o = out.to_str().unwrap();
    run_ok(&[
        "run",
        "--out",
        o,
        "--replicates",
        "4",
        "--steps",
        "24",
        "--set",
        "population.citizens=1500",
        "--quiet",
        "--report",
    ]);
    let first = read(out.join("report.html"));
    run_ok(&["report", o]);
    assert_eq!(
        first,
        read(out.join("report.html")),
        "the report of a folder is byte-identical when made twice"
    );

    let doc = Html::parse_document(&first);
    let charts = select(&doc, "div.chart > svg");
    assert_eq!(
        charts.len(),
        agora::model::N_METRICS + 1,
        "one fan chart per metric plus the class chart"
    );
    let texts: Vec<String> = charts.iter().map(|c| c.text().collect::<Vec<_>>().join(" ")).collect();
    for metric in agora::model::METRIC_NAMES {
        let chart = texts
            .iter()
            .find(|t| t.contains(&format!("({metric})")))
            .unwrap_or_else(|| panic!("no chart for {metric}"));
        assert!(chart.contains("year"), "{metric}: x axis label");
        for scenario in ["fracture", "participation", "pioneer"] {
            assert!(chart.contains(scenario), "{metric}: legend lacks {scenario}");
        }
    }
    let class_chart = texts
        .iter()
        .find(|t| t.contains("Share of runs per class"))
        .expect("class chart");
    assert!(class_chart.contains("share of runs") && class_chart.contains("broad_adoption"));
    // Bands: each fan chart has one filled polygon per scenario.
    assert!(charts[0].inner_html().matches("<polygon").count() >= 3);
    let table = select(&doc, "table tr");
    assert_eq!(
        table.len(),
        1 + agora::model::N_METRICS,
        "header plus one row per metric"
    );
    let manifest = select(&doc, "pre.manifest");
    assert_eq!(manifest.len(), 1);
    let manifest_text: String = manifest[0].text().collect();
    assert!(manifest_text.contains("agora_version") && manifest_text.contains("replicate_seeds"));
    // Self-contained: no scripts, no stylesheets or images fetched from elsewhere.
    assert!(!first.contains("<script") && !first.contains("<link") && !first.contains("<img"));
}

#[test]
fn sweep_report_draws_a_phase_diagram() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.ron",
        "Scenario(name: \"base\", population: (citizens: 800, administrations: 8), steps: 20)",
    );
    let sweep = write(
        dir.path(),
        "s.ron",
        r#"Sweep(name: "two", base: "base.ron", replicates: 2, seed: 1, design: Grid(axes: {
            "dynamics.digital_imitation": [0.1, 0.4], "dynamics.adoption_imitation": [0.0, 0.5, 1.0]}))"#,
    );
    let out = dir.path().join("sw");
    run_ok(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    run_ok(&["report", out.to_str().unwrap()]);
    let html = read(out.join("report.html"));
    let doc = Html::parse_document(&html);
    let charts = select(&doc, "div.chart > svg");
    let phase: Vec<_> = charts
        .iter()
        .filter(|c| {
            c.text()
                .collect::<String>()
                .contains("Dominant future by parameter values")
        })
        .collect();
    assert_eq!(phase.len(), 1);
    assert!(
        phase[0].inner_html().matches("<rect").count() >= 6,
        "a cell per grid point"
    );
    assert_eq!(
        charts.len(),
        1 + 2 * agora::model::N_METRICS,
        "phase diagram plus metrics against each axis"
    );
    assert_eq!(select(&doc, "pre.manifest").len(), 2, "sweep.ron and manifest.ron");
}

#[test]
fn report_of_a_folder_without_results_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = super::agora()
        .args(["report", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither the results"));
}

#[test]
fn demo_prints_plain_text_when_piped_and_writes_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = run_ok(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--citizens",
        "600",
        "--replicates",
        "2",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no terminal escapes in a pipe");
    assert!(text.contains("month 120:") && text.contains("participation"));
    assert!(text.lines().all(|l| l.chars().count() <= 80), "fits 80 columns");
    assert!(out.join("report.html").exists() && text.contains("report.html"));
}
