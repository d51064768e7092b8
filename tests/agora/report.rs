//! The HTML report: its parts, parsed, and its determinism.

use scraper::{Html, Selector};

use super::grammar::{assert_grammar, assert_no_future_colour};
use super::{Csv, read, run_ok, write};

pub(super) fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
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
    assert_grammar(&first, "run");
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
        agora_core::model::N_METRICS + 1,
        "one fan chart per metric plus the class chart"
    );
    let texts: Vec<String> = charts.iter().map(|c| c.text().collect::<Vec<_>>().join(" ")).collect();
    for metric in agora_core::model::METRIC_NAMES {
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
            let colour = agora_report::charts::hex(agora_report::charts::look(name, &names).colour);
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
    assert!(first.contains("From 2026 administrations retreat"));
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
        1 + agora_core::model::N_METRICS,
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
    assert_grammar(&html, "sweep");
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
        1 + 2 * agora_core::model::N_METRICS,
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
    assert_eq!(
        initials.len(),
        agora_core::model::Class::ALL.len(),
        "a legend entry per class: {texts:?}"
    );
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
    assert_grammar(&html, "sweep");
    let doc = Html::parse_document(&html);
    let charts = select(&doc, "div.chart > svg");
    let phase = charts
        .iter()
        .find(|c| c.text().collect::<String>().contains("Dominant future"))
        .expect("a phase diagram");
    // Cells: at most bins x bins (3 x 3 for 30 samples), not one per sample;
    // the other rectangles are the background and one legend swatch per class.
    let rects = phase.inner_html().matches("<rect").count();
    assert!(
        rects <= 9 + 1 + agora_core::model::Class::ALL.len(),
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
    let pioneer = agora_report::charts::hex(agora_report::charts::look("pioneer", &["pioneer"]).colour);
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

/// Every text of a chart, trimmed, in order.
pub(super) fn texts(chart: &scraper::ElementRef) -> Vec<String> {
    chart
        .text()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// The charts of a page whose title (first text) starts with `prefix`.
pub(super) fn charts_titled<'a>(doc: &'a Html, prefix: &str) -> Vec<scraper::ElementRef<'a>> {
    select(doc, "div.chart > svg")
        .into_iter()
        .filter(|c| texts(c).first().is_some_and(|t| t.starts_with(prefix)))
        .collect()
}

/// The page is readable and self-contained: no font below 12 px, nothing fetched.
fn assert_readable(html: &str) {
    for size in html.split("font-size=\"").skip(1) {
        let size: f64 = size.split('"').next().unwrap().parse().unwrap();
        assert!(size >= 12.0 - 1e-9, "a {size} px font");
    }
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
}

/// A small model sweep of `design` on the participation future, run.
fn small_sweep(dir: &std::path::Path, design: &str, series: bool) -> std::path::PathBuf {
    write(
        dir,
        "base.ron",
        "Scenario(name: \"base\", base: Some(\"participation\"), population: (citizens: 300, administrations: 5), steps: 12)",
    );
    let sweep = write(
        dir,
        "s.ron",
        &format!(
            "Sweep(name: \"small\", base: \"base.ron\", design: {design}, replicates: 2, seed: 5, series: {series})"
        ),
    );
    let out = dir.join("sw");
    run_ok(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    out
}

#[test]
fn sensitivity_report_ranks_parameters_with_their_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = small_sweep(
        dir.path(),
        r#"Sobol(samples: 8, ranges: {"dynamics.digital_imitation": (0.05, 0.5),
            "dynamics.adoption_imitation": (0.01, 0.3), "dynamics.citizen_pressure": (0.0, 0.2)})"#,
        true,
    );
    let s = sweep.to_str().unwrap();
    run_ok(&["sensitivity", s, "--over-time", "--bootstrap", "50"]);
    let folder = sweep.join("sensitivity");
    let f = folder.to_str().unwrap();
    run_ok(&["report", f]);
    let html = read(folder.join("report.html"));
    assert_grammar(&html, "sensitivity");
    assert_no_future_colour(&html, "sensitivity");
    run_ok(&["report", f]);
    assert_eq!(html, read(folder.join("report.html")), "byte-identical when made twice");
    assert_readable(&html);
    let doc = Html::parse_document(&html);
    let h1: String = select(&doc, "h1")[0].text().collect();
    assert!(
        h1.starts_with("Sobol' sensitivity of ")
            && h1.ends_with("to digital_imitation, adoption_imitation and citizen_pressure"),
        "{h1}"
    );
    let rows = Csv::rows(folder.join("sensitivity.csv"));
    let mut outputs: Vec<&str> = rows.iter().map(|r| r["output"].as_str()).collect();
    outputs.dedup();
    // One index chart per output, titled with the metric's label and name.
    let index_charts: Vec<_> = select(&doc, "div.chart > svg")
        .into_iter()
        .filter(|c| texts(c).iter().any(|t| t == "index (share of the output's variance)"))
        .collect();
    assert_eq!(index_charts.len(), outputs.len());
    let trust = index_charts
        .iter()
        .find(|c| texts(c)[0] == "Trust in the administration (trust)")
        .expect("a chart for trust");
    let trust_texts = texts(trust);
    for t in ["S1", "ST", "hollow: CI holds 0", "parameter"] {
        assert!(trust_texts.contains(&t.to_string()), "{t}: {trust_texts:?}");
    }
    // Parameters ranked by ST, the largest on top (first named).
    let st = |p: &str| -> f64 {
        rows.iter()
            .find(|r| r["output"] == "trust" && r["parameter"] == p && r["index"] == "ST")
            .map(|r| r["value"].parse().unwrap())
            .unwrap()
    };
    let named: Vec<&String> = trust_texts.iter().filter(|t| t.starts_with("dynamics.")).collect();
    assert_eq!(named.len(), 3, "{trust_texts:?}");
    assert!(
        st(named[0]) >= st(named[1]) && st(named[1]) >= st(named[2]),
        "{named:?}"
    );
    // An index whose interval contains 0 is a hollow bar: one per such row.
    let zero = rows
        .iter()
        .filter(|r| r["output"] == "trust" && r["interval_contains_zero"] == "true")
        .count();
    assert_eq!(
        trust
            .inner_html()
            .split("<rect")
            .skip(1)
            .filter(|r| r.split('>').next().unwrap().contains("fill=\"none\""))
            .count()
            - 1,
        zero,
        "a hollow bar per interval containing 0, plus the legend's swatch"
    );
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    let top = rows
        .iter()
        .filter(|r| r["output"] == "trust" && r["index"] == "ST")
        .max_by(|a, b| st(&a["parameter"]).total_cmp(&st(&b["parameter"])))
        .unwrap();
    let value: f64 = top["value"].parse().unwrap();
    assert!(
        takeaway.starts_with(&format!(
            "For trust in the administration, {} explains most of the variance (ST {value:.2} [",
            top["parameter"]
        )),
        "{takeaway}"
    );
    assert!(html.contains("whose interval contains 0"), "the interval said once");
    // Over time: the ST of each parameter per output over the years.
    let over_time = charts_titled(&doc, "Trust in the administration (trust): ST over time");
    assert_eq!(over_time.len(), 1);
    let t = texts(&over_time[0]);
    assert!(t.contains(&"years after the start".to_string()) && t.contains(&"digital_imitation".to_string()));
    assert_eq!(
        select(&doc, "table.indices tr").len(),
        1 + rows.iter().filter(|r| r["index"] == "ST").count(),
        "a row per output and parameter"
    );

    // Morris: ranked by mu_star, sigma beside it.
    let morris_dir = dir.path().join("m");
    std::fs::create_dir_all(&morris_dir).unwrap();
    let morris = small_sweep(
        &morris_dir,
        r#"Morris(trajectories: 3, levels: 4, ranges: {"dynamics.digital_imitation": (0.05, 0.5),
            "dynamics.citizen_pressure": (0.0, 0.2)})"#,
        false,
    );
    run_ok(&["sensitivity", morris.to_str().unwrap(), "--bootstrap", "50"]);
    run_ok(&["report", morris.join("sensitivity").to_str().unwrap()]);
    let html = read(morris.join("sensitivity/report.html"));
    assert_grammar(&html, "morris");
    assert_no_future_colour(&html, "morris");
    let doc = Html::parse_document(&html);
    assert!(
        select(&doc, "h1")[0]
            .text()
            .collect::<String>()
            .starts_with("Morris sensitivity")
    );
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    assert!(
        takeaway.contains("has the largest elementary effects (mu_star "),
        "{takeaway}"
    );
    let first = &select(&doc, "div.chart > svg")[0];
    let t = texts(first);
    assert!(
        t.contains(&"mu_star".to_string()) && t.contains(&"sigma".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"elementary effect (output units)".to_string()));
}

#[test]
fn discovery_report_marks_the_chosen_box_and_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    let data = super::sensitivity::box_data(dir.path(), 2000);
    let out = dir.path().join("found");
    let o = out.to_str().unwrap();
    run_ok(&[
        "discover",
        data.to_str().unwrap(),
        "--target",
        "class=hit",
        "--inputs",
        "x0,x1,x2,x3",
        "--min-coverage",
        "0.9",
        "--out",
        o,
    ]);
    run_ok(&["report", o]);
    let html = read(out.join("report.html"));
    assert_grammar(&html, "discover");
    assert_readable(&html);
    let doc = Html::parse_document(&html);
    let boxes = Csv::rows(out.join("boxes.csv"));
    let trajectory = Csv::rows(out.join("trajectory.csv"));
    let chosen = &boxes[0];
    let at = trajectory
        .iter()
        .find(|r| r["box"] == "0" && r["step"] == chosen["step"])
        .unwrap();
    let n = |r: &std::collections::HashMap<String, String>, c: &str| -> f64 { r[c].parse().unwrap() };
    let peel = charts_titled(&doc, "Box 0: peeling trajectory");
    assert_eq!(peel.len(), 1);
    let t = texts(&peel[0]);
    assert!(t.contains(&format!("box 0, step {}", chosen["step"])), "{t:?}");
    assert!(
        t.contains(&format!("coverage {:.2}", n(at, "coverage")))
            && t.contains(&format!("density {:.2}", n(at, "density"))),
        "the label is the trajectory's chosen step: {t:?}"
    );
    for label in [
        "coverage (share of all cases inside the box)",
        "density (share of cases in the box)",
    ] {
        assert!(t.contains(&label.to_string()), "{label}");
    }
    let steps = trajectory.iter().filter(|r| r["box"] == "0").count();
    assert!(
        peel[0].inner_html().matches("<circle").count() >= steps,
        "a point per peeling step"
    );
    // The limits: x0 and x1 restricted, drawn over their data range.
    let limits = charts_titled(&doc, "Box 0: limits");
    assert_eq!(limits.len(), 1);
    let t = texts(&limits[0]);
    let named: Vec<&String> = t.iter().filter(|t| t.starts_with('x')).collect();
    assert_eq!(named.len(), 2, "{t:?}");
    assert!(
        named[0].starts_with(&format!("x0: {:.3} .. ", n(chosen, "x0_lo"))),
        "{named:?}"
    );
    assert!(named[1].starts_with("x1: ") && named[1].ends_with(&format!(".. {:.3}", n(chosen, "x1_hi"))));
    assert_eq!(
        select(&doc, "table.limits tr").len(),
        3,
        "header and the two restricted inputs"
    );
    let free: String = select(&doc, "p.unrestricted")[0].text().collect();
    assert_eq!(free, "Unrestricted: x2, x3.");
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    assert!(
        takeaway.starts_with(&format!(
            "Box 0 covers {:.0}% of the hit cases with density {:.0}% when x0 > 0.",
            100.0 * n(chosen, "coverage"),
            100.0 * n(chosen, "density")
        )) && takeaway.contains(" and x1 < 0."),
        "{takeaway}"
    );
    // Covering: one section per box.
    run_ok(&[
        "discover",
        data.to_str().unwrap(),
        "--target",
        "class=hit",
        "--inputs",
        "x0,x1,x2,x3",
        "--boxes",
        "2",
        "--min-coverage",
        "0.5",
        "--out",
        o,
    ]);
    run_ok(&["report", o]);
    let covering = read(out.join("report.html"));
    let doc = Html::parse_document(&covering);
    let boxes = Csv::rows(out.join("boxes.csv"));
    assert_eq!(select(&doc, "h2").len(), boxes.len(), "a section per box");
    assert_grammar(&covering, "discover");
    assert_no_future_colour(&covering, "discover");
    for b in 0..boxes.len() {
        assert_eq!(charts_titled(&doc, &format!("Box {b}: peeling trajectory")).len(), 1);
    }
}

#[test]
fn calibration_report_draws_the_posterior_and_the_predictive_band() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "observed.csv",
        "date,value\n2012-07,0.30\n2013-01,0.33\n2013-07,0.36\n2014-01,0.40\n",
    );
    let file = write(
        dir.path(),
        "cal.ron",
        r#"Calibration(name: "tiny", base: "pioneer",
            priors: {"dynamics.digital_innovation": (0.0, 0.02), "citizens.digitalization.a": (1.0, 3.5)},
            observed: "observed.csv", metric: "digital_interaction", population: 20, max_generations: 3,
            replicates: 1, seed: 2, set: {"population.citizens": "500", "population.administrations": "10"})"#,
    );
    let out = dir.path().join("cal");
    let o = out.to_str().unwrap();
    run_ok(&["calibrate", file.to_str().unwrap(), "--out", o, "--quiet"]);
    run_ok(&["report", o]);
    let html = read(out.join("report.html"));
    assert_grammar(&html, "calibration");
    assert_no_future_colour(&html, "calibration");
    assert_readable(&html);
    let doc = Html::parse_document(&html);
    let h1: String = select(&doc, "h1")[0].text().collect();
    assert_eq!(
        h1,
        "Calibration tiny: digital_innovation and digitalization.a against the observed digital_interaction"
    );
    // A histogram per parameter over its prior range.
    for (name, path, prior, first) in [
        (
            "digital_innovation",
            "dynamics.digital_innovation",
            "0 .. 0.02",
            "0.0000",
        ),
        ("digitalization.a", "citizens.digitalization.a", "1 .. 3.5", "1.00"),
    ] {
        let charts = charts_titled(&doc, &format!("{name}: posterior"));
        assert_eq!(charts.len(), 1, "{name}");
        let t = texts(&charts[0]);
        assert!(t.contains(&format!("{path} (axis: prior {prior})")), "{t:?}");
        assert!(
            t.contains(&first.to_string()),
            "{name}: the prior's low end {first} on the axis: {t:?}"
        );
        for legend in ["posterior", "median", "90% credible", "posterior weight per bin"] {
            assert!(t.contains(&legend.to_string()), "{legend}");
        }
    }
    let predictive = charts_titled(&doc, "Citizens in online contact (digital_interaction)");
    assert_eq!(predictive.len(), 1);
    let t = texts(&predictive[0]);
    for label in ["year", "observed", "predictive median", "2013"] {
        assert!(t.contains(&label.to_string()), "{label}: {t:?}");
    }
    assert!(
        predictive[0].inner_html().matches("<circle").count() >= 4,
        "the observations"
    );
    assert!(html.contains("weighted 5th to 95th"), "the band said");
    let summary = Csv::rows(out.join("summary.csv"));
    let takeaway: String = select(&doc, "p.takeaway")[0].text().collect();
    let median: f64 = summary[0]["median"].parse().unwrap();
    assert!(
        takeaway.starts_with(&format!(
            "The posterior puts dynamics.digital_innovation at {median:.5} [90% CI "
        )) && takeaway.contains("of the 4 observations lie inside the 90% predictive band"),
        "{takeaway}"
    );
    assert_eq!(select(&doc, "table.summary tr").len(), 3);
    let generations = Csv::rows(out.join("generations.csv"));
    assert_eq!(select(&doc, "table.generations tr").len(), 1 + generations.len());
}

#[test]
fn report_of_a_design_only_folder_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s.ron",
        r#"Sweep(name: "d", base: "pioneer", design: Sobol(samples: 4, ranges: {"dynamics.digital_imitation": (0.0, 0.5)}))"#,
    );
    let out = dir.path().join("d");
    run_ok(&[
        "sweep",
        dir.path().join("s.ron").to_str().unwrap(),
        "--design-only",
        "--out",
        out.to_str().unwrap(),
    ]);
    let printed = super::agora().args(["report", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(printed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&printed.stderr);
    assert!(
        stderr.contains("neither the results") && stderr.contains("`agora sensitivity` (sensitivity.csv)"),
        "{stderr}"
    );
}
