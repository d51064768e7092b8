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
    let printed = run_ok(&[
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
    let table = String::from_utf8(printed.stdout).unwrap();
    assert!(
        table.lines().all(|l| l.chars().count() <= 80),
        "the summary fits 80 columns:\n{table}"
    );
    // One line under the table explains the columns (issue #14: it wrapped to three).
    let legend: Vec<&str> = table.lines().filter(|l| l.contains("final means")).collect();
    assert_eq!(legend.len(), 1, "columns explained in one line:\n{table}");
    assert!(legend[0].starts_with("Class: the future"), "{table}");
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
    // One colour per future in every chart, the class chart included, keyed by name.
    let names = ["fracture", "participation", "pioneer"];
    for (k, chart) in charts.iter().enumerate() {
        let svg = chart.html();
        for name in names {
            let colour = agora::report::charts::hex(agora::report::charts::look(name, &names).colour);
            assert!(svg.contains(&colour), "chart {k}: {name} is not drawn in {colour}");
        }
    }
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    assert!(
        takeaway.starts_with("By 20") && takeaway.contains(" under "),
        "{takeaway}"
    );
    assert_eq!(
        select(&doc, "ul.descriptions li").len(),
        3,
        "each scenario's description"
    );
    assert!(first.contains("Citizens go digital, administrations stay closed"));
    // Readable text: no font below 12 px.
    for size in first.split("font-size=\"").skip(1) {
        let size: f64 = size.split('"').next().unwrap().parse().unwrap();
        assert!(size >= 12.0 - 1e-9, "a {size} px font");
    }
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
    assert_unique_initials(&phase[0].text().collect::<Vec<_>>());
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    assert!(
        takeaway.starts_with("Most runs end in") && takeaway.contains("Raising"),
        "{takeaway}"
    );
    assert_eq!(
        charts.len(),
        1 + 2 * agora::model::N_METRICS,
        "phase diagram plus metrics against each axis"
    );
    assert_eq!(select(&doc, "pre.manifest").len(), 2, "sweep.ron and manifest.ron");
}

/// The legend of a phase diagram names each class with initials no other class has.
fn assert_unique_initials(texts: &[&str]) {
    let initials: Vec<&str> = texts
        .iter()
        .filter_map(|t| t.split_once(": "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(initials.len(), 5, "a legend entry per class: {texts:?}");
    for (k, i) in initials.iter().enumerate() {
        assert!(!initials[..k].contains(i), "initials {i} twice: {initials:?}");
    }
}

#[test]
fn latin_hypercube_report_bins_its_phase_diagram() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.ron",
        "Scenario(name: \"pioneer\", population: (citizens: 500, administrations: 5), steps: 12)",
    );
    let samples = 30;
    let sweep = write(
        dir.path(),
        "s.ron",
        &format!(
            r#"Sweep(name: "cube", base: "base.ron", replicates: 2, seed: 3, design: LatinHypercube(samples: {samples},
            ranges: {{"dynamics.digital_imitation": (0.01, 0.4), "dynamics.adoption_imitation": (0.0, 1.0)}}))"#
        ),
    );
    let out = dir.path().join("sw");
    let o = out.to_str().unwrap();
    run_ok(&["sweep", sweep.to_str().unwrap(), "--out", o, "--quiet"]);
    run_ok(&["report", o]);
    let html = read(out.join("report.html"));
    let doc = Html::parse_document(&html);
    let charts = select(&doc, "div.chart > svg");
    let phase = charts
        .iter()
        .find(|c| c.text().collect::<String>().contains("Dominant future"))
        .expect("a phase diagram");
    // Cells: at most bins x bins (3 x 3 for 30 samples), not one per sample;
    // the other rectangles are the background and the 5 legend swatches.
    let rects = phase.inner_html().matches("<rect").count();
    assert!(
        rects <= 9 + 6,
        "{rects} rectangles for {samples} samples: binned, not one cell per sample"
    );
    assert!(
        phase.inner_html().matches("<circle").count() >= samples,
        "each sample marked"
    );
    assert!(html.contains("bins without a sample are left blank"));
    run_ok(&["report", o]);
    assert_eq!(
        html,
        read(out.join("report.html")),
        "a sweep's report is byte-identical when made twice"
    );
    // Sampled values in order along every axis chart, a marker at each.
    let fan = &charts[1];
    assert!(fan.inner_html().matches("<circle").count() >= samples);
    // Colour of the base future (pioneer) in every metric chart.
    let pioneer = agora::report::charts::hex(agora::report::charts::look("pioneer", &["pioneer"]).colour);
    assert!(charts[1..].iter().all(|c| c.html().contains(&pioneer)));
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
    assert!(
        text.contains("Trust in the administration: "),
        "a caption with the metric's scale"
    );
    assert!(text.contains("2020") && text.contains("2030"), "year marks");
    assert!(text.contains("Ended in: fracture -> "), "the futures the runs ended in");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "fits 80 columns");
    assert!(out.join("report.html").exists() && text.contains("report.html"));
}
