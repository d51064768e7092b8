//! The visual grammar (docs/visual-grammar.md) on the reports a user makes:
//! text sizes, negative zeros, titles, the collapsed manifest, future
//! colours only on futures, calendar years with the branch, a large sweep
//! binned.

use scraper::Html;

use super::report::{charts_titled, select, texts};
use super::{read, run_ok, write};

/// The visual grammar (docs/visual-grammar.md) where a parsed page can
/// show it: no text under 12 px (SVG attributes and CSS), no "-0.00", a
/// title that is not the command's name, and the manifest collapsed at the
/// bottom of the page.
pub(super) fn assert_grammar(html: &str, what: &str) {
    for size in html.split("font-size=\"").skip(1) {
        let size: f64 = size.split('"').next().unwrap().parse().unwrap();
        assert!(size >= 12.0 - 1e-9, "{what}: a {size} px font");
    }
    for size in html.split("font-size: ").skip(1) {
        if let Some(px) = size.split("px").next().and_then(|v| v.parse::<f64>().ok()) {
            assert!(px >= 12.0, "{what}: a {px} px font in the style sheet");
        }
    }
    let (page, appendix) = html
        .split_once("<details class=\"reproduce\">")
        .expect("the manifest in <details>");
    assert!(
        appendix.trim_end().ends_with("</details>\n</body>\n</html>") || {
            let tail = appendix.rsplit_once("</details>").unwrap().1;
            tail.trim() == "</body>\n</html>"
        },
        "{what}: the manifest section is the last thing on the page"
    );
    let bytes = page.as_bytes();
    for (k, _) in page.match_indices("-0") {
        let rest = &bytes[k + 2..];
        let zeros = rest.iter().take_while(|&&b| b == b'.' || b == b'0').count();
        let next = rest.get(zeros).copied().unwrap_or(b' ');
        let before = if k == 0 { b' ' } else { bytes[k - 1] };
        if zeros > 0 && rest[0] == b'.' && !next.is_ascii_digit() && !before.is_ascii_alphanumeric() {
            panic!(
                "{what}: a negative zero near {:?}",
                &page[k.saturating_sub(40)..(k + 20).min(page.len())]
            );
        }
    }
    let title = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or("");
    assert!(
        title.len() >= 10 && !title.starts_with("agora "),
        "{what}: title {title:?}"
    );
}

/// No future's colour (the Okabe-Ito colours keyed to the classes, and the
/// first colour of other scenarios) on a page that draws no future.
pub(super) fn assert_no_future_colour(html: &str, what: &str) {
    use agora_report::charts::{CLASS_COLOURS, OTHER_COLOURS, hex};
    for c in CLASS_COLOURS[..5].iter().chain(&OTHER_COLOURS[..1]) {
        let h = hex(*c);
        assert!(!html.to_uppercase().contains(&h), "{what}: the future colour {h} drawn");
    }
}

#[test]
fn time_axes_are_calendar_years_with_the_branch_marked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res");
    let o = out.to_str().unwrap();
    // 2012-01 plus 180 months reaches past the branch (2026-01).
    run_ok(&[
        "run",
        "--out",
        o,
        "--replicates",
        "2",
        "--steps",
        "180",
        "--set",
        "population.citizens=300",
        "--set",
        "population.administrations=5",
        "--quiet",
        "--report",
    ]);
    let html = read(out.join("report.html"));
    assert_grammar(&html, "run to 2027");
    let doc = Html::parse_document(&html);
    let fans = charts_titled(&doc, "Trust in the administration (trust)");
    assert_eq!(fans.len(), 1);
    let words = texts(&fans[0]);
    assert!(
        words.iter().any(|t| t == "branch 2026-01"),
        "the branch marked: {words:?}"
    );
    assert!(words.iter().any(|t| t == "year"), "x axis in years: {words:?}");
    let years: Vec<i32> = words
        .iter()
        .filter_map(|t| t.parse::<i32>().ok())
        .filter(|y| (2000..2100).contains(y))
        .collect();
    assert!(
        years.len() >= 3 && years.contains(&2020),
        "calendar years on the axis: {words:?}"
    );
}

#[test]
fn a_large_latin_hypercube_is_binned_without_a_dot_per_sample() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.ron",
        "Scenario(name: \"pioneer\", population: (citizens: 40, administrations: 4, admin_graph: Complete), steps: 3)",
    );
    let samples = agora_report::SWEEP_MAX_DOTS + 100;
    let sweep = write(
        dir.path(),
        "s.ron",
        &format!(
            r#"Sweep(name: "big", base: "base.ron", replicates: 1, seed: 3, design: LatinHypercube(samples: {samples},
            ranges: {{"dynamics.digital_imitation": (0.01, 0.4), "dynamics.adoption_imitation": (0.0, 1.0)}}))"#
        ),
    );
    let out = dir.path().join("sw");
    let o = out.to_str().unwrap();
    run_ok(&["sweep", sweep.to_str().unwrap(), "--out", o, "--quiet"]);
    run_ok(&["report", o]);
    let html = read(out.join("report.html"));
    assert_grammar(&html, "large sweep");
    assert!(
        html.contains("<a href=\"points.csv\">points.csv</a>"),
        "the raw points linked"
    );
    let doc = Html::parse_document(&html);
    for chart in select(&doc, "div.chart > svg") {
        let circles = chart.inner_html().matches("<circle").count();
        assert!(
            circles < 50,
            "{circles} circles: the samples are binned, not drawn one by one"
        );
    }
    let phase = charts_titled(&doc, "Dominant future");
    assert_eq!(phase.len(), 1);
    let rects = phase[0].inner_html().matches("<rect").count();
    assert!(
        rects > 9 + 1 + agora_core::model::Class::ALL.len(),
        "a finer histogram for many samples: {rects}"
    );
}
