//! The report of an `agora validate` folder: per pattern group, one small
//! chart (each observation with its tolerance, two standard deviations,
//! over the model's 95% band; calendar years on the axis where the pattern
//! is a series) and its rows in a table; then the countries' summary, the
//! leave-one-out refits and the indicator refits.

use std::fmt::Write as _;
use std::path::Path;

use super::{appendix, chart, escape, number, page, read_table};
use agora_core::error::Result;
use agora_core::output::table::CsvInput;
use agora_core::output::validation::{COUNTRY_SUMMARY, INDICATORS, LEAVE_ONE_OUT, VALIDATION, VALIDATION_COLUMNS};
use agora_core::validation::Group;

/// Neutral colours: this page shows no futures' series (visual grammar).
const BAND: &str = "#c8c8c8";
const MEAN: &str = "#4d4d4d";
const OBSERVED: &str = "#000000";
const GRID: &str = "#e3e3e3";
const TEXT: &str = "#222222";

struct Point {
    pattern: String,
    source: String,
    x: String,
    observed: f64,
    sd: f64,
    mean: f64,
    low: f64,
    high: f64,
    pass: bool,
    fitted: bool,
}

fn read_points(table: &CsvInput) -> Result<Vec<(String, Point)>> {
    let [pattern, source, observed, sd, low, high, pass, fitted, mean, group, x] = table.columns(VALIDATION_COLUMNS)?;
    Ok(table
        .rows
        .iter()
        .map(|r| {
            (
                r[group].to_string(),
                Point {
                    pattern: r[pattern].to_string(),
                    source: r[source].to_string(),
                    x: r[x].to_string(),
                    observed: number(&r[observed]),
                    sd: number(&r[sd]),
                    mean: number(&r[mean]),
                    low: number(&r[low]),
                    high: number(&r[high]),
                    pass: &r[pass] == "yes",
                    fitted: &r[fitted] == "yes",
                },
            )
        })
        .collect())
}

/// A `YYYY-MM` month as a fractional year.
fn year_of(x: &str) -> Option<f64> {
    let (y, m) = x.split_once('-')?;
    Some(y.parse::<f64>().ok()? + (m.parse::<f64>().ok()? - 1.0) / 12.0)
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}", 100.0 * x + 0.0)
    } else {
        "–".into()
    }
}

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;

/// One group's chart: x by calendar year or by category; y in percent.
fn group_chart(group: Group, points: &[&Point]) -> String {
    let by_year = group.by_year() && points.iter().all(|p| year_of(&p.x).is_some());
    let bottom = if by_year { 52.0 } else { 96.0 };
    let values = points
        .iter()
        .flat_map(|p| [p.observed - 2.0 * p.sd, p.observed + 2.0 * p.sd, p.low, p.high])
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((0.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = ((lo * 10.0).floor() / 10.0, (hi * 10.0).ceil() / 10.0);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - bottom;
    let y = |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    let (x0, x1) = if by_year {
        let ys: Vec<f64> = points.iter().filter_map(|p| year_of(&p.x)).collect();
        let a = ys.iter().copied().fold(f64::INFINITY, f64::min).floor();
        let b = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max).ceil();
        (a - 0.5, b + 0.5)
    } else {
        (-0.5, points.len() as f64 - 0.5)
    };
    let x = |k: usize, p: &Point| {
        let v = if by_year {
            year_of(&p.x).unwrap_or(f64::NAN)
        } else {
            k as f64
        };
        LEFT + plot_w * (v - x0) / (x1 - x0)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
         font-family=\"sans-serif\" font-size=\"13\" fill=\"{TEXT}\" role=\"img\">\n<title>{}</title>\n",
        escape(group.title())
    );
    // Horizontal grid and the y axis, in percent.
    let step = if hi - lo > 0.6 { 0.2 } else { 0.1 };
    let mut t = (lo / step).ceil() * step;
    while t <= hi + 1e-9 {
        let yy = y(t);
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}</text>",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            100.0 * t + 0.0
        );
        t += step;
    }
    let _ = writeln!(
        svg,
        "<text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">percent</text>",
        TOP + plot_h / 2.0
    );
    // The x axis: years or categories.
    let base = TOP + plot_h;
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base:.1}\" y2=\"{base:.1}\" stroke=\"{TEXT}\"/>",
        W - RIGHT
    );
    if by_year {
        let (a, b) = ((x0 + 0.5) as i32, (x1 - 0.5) as i32);
        let every = if b - a > 8 { 2 } else { 1 };
        for year in (a..=b).filter(|y| (y - a) % every == 0) {
            let xx = LEFT + plot_w * (f64::from(year) - x0) / (x1 - x0);
            let _ = writeln!(
                svg,
                "<line x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{base:.1}\" y2=\"{:.1}\" stroke=\"{TEXT}\"/>\
                 <text x=\"{xx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
                base + 5.0,
                base + 20.0
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">calendar year (tick: January)</text>",
            LEFT + plot_w / 2.0,
            H - 10.0
        );
    } else {
        for (k, p) in points.iter().enumerate() {
            let xx = x(k, p);
            let _ = writeln!(
                svg,
                "<text transform=\"translate({xx:.1} {:.1}) rotate(-35)\" text-anchor=\"end\">{}</text>",
                base + 16.0,
                escape(&p.x)
            );
        }
    }
    // Bands, means, observations.
    for (k, p) in points.iter().enumerate() {
        let xx = x(k, p);
        if p.low.is_finite() && p.high.is_finite() {
            let _ = writeln!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"{:.1}\" fill=\"{BAND}\"/>\
                 <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{MEAN}\" stroke-width=\"2\"/>",
                xx - 7.0,
                y(p.high),
                (y(p.low) - y(p.high)).max(1.0),
                xx - 7.0,
                xx + 7.0,
                y(p.mean),
                y(p.mean)
            );
        }
        if p.sd > 0.0 {
            let (a, b) = (y(p.observed + 2.0 * p.sd), y(p.observed - 2.0 * p.sd));
            let _ = writeln!(
                svg,
                "<line x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{a:.1}\" y2=\"{b:.1}\" stroke=\"{OBSERVED}\"/>\
                 <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{a:.1}\" y2=\"{a:.1}\" stroke=\"{OBSERVED}\"/>\
                 <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{b:.1}\" y2=\"{b:.1}\" stroke=\"{OBSERVED}\"/>",
                xx - 4.0,
                xx + 4.0,
                xx - 4.0,
                xx + 4.0
            );
        }
        let yy = y(p.observed);
        if p.pass {
            let _ = writeln!(
                svg,
                "<circle cx=\"{xx:.1}\" cy=\"{yy:.1}\" r=\"4.5\" fill=\"{OBSERVED}\"/>"
            );
        } else {
            let _ = writeln!(
                svg,
                "<path d=\"M{:.1} {yy:.1} L{xx:.1} {:.1} L{:.1} {yy:.1} L{xx:.1} {:.1} Z\" fill=\"#ffffff\" \
                 stroke=\"{OBSERVED}\" stroke-width=\"2\"/>",
                xx - 6.0,
                yy - 6.0,
                xx + 6.0,
                yy + 6.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

const LEGEND: &str = "<p class=\"legend\">Grey bar: the model's 95% band (its mean as a dark line); \
    black dot: the observation, which passes; open diamond: the observation, which fails; \
    whisker: two of the observation's standard deviations, the tolerance of the test.</p>\n";

fn rows_table(points: &[&Point]) -> String {
    let mut t = String::from(
        "<table>\n<tr><th>pattern</th><th>observed (%)</th><th>model mean (%)</th><th>model 95% band (%)</th>\
         <th>pass</th><th>fitted</th><th>source</th></tr>\n",
    );
    for p in points {
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{} ± {}</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td>\
             <td class=\"source\">{}</td></tr>",
            escape(&p.pattern),
            pct(p.observed),
            pct(p.sd),
            pct(p.mean),
            pct(p.low),
            pct(p.high),
            if p.pass { "yes" } else { "<strong>no</strong>" },
            if p.fitted { "yes" } else { "no" },
            escape(&p.source)
        );
    }
    t.push_str("</table>\n");
    t
}

/// A CSV table as HTML, verbatim.
fn plain_table(table: &CsvInput) -> String {
    let mut t = String::from("<table>\n<tr>");
    for h in &table.header {
        let _ = write!(t, "<th>{}</th>", escape(h));
    }
    t.push_str("</tr>\n");
    for r in &table.rows {
        t.push_str("<tr>");
        for cell in r.iter() {
            let _ = write!(t, "<td>{}</td>", escape(cell));
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</table>\n");
    t
}

/// The page of the validation folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let points = read_points(&read_table(&dir.join(VALIDATION))?)?;
    let total = points.len();
    let passed = points.iter().filter(|(_, p)| p.pass).count();
    let kinds: Vec<String> = Group::KINDS
        .iter()
        .filter_map(|kind| {
            let mine: Vec<&Point> = points
                .iter()
                .filter(|(g, _)| Group::named(g).is_some_and(|g| g.kind() == *kind))
                .map(|(_, p)| p)
                .collect();
            (!mine.is_empty()).then(|| format!("{} of {} {kind}", mine.iter().filter(|p| p.pass).count(), mine.len()))
        })
        .collect();
    let title = "Validation: the model against data it was and was not fitted to";
    let mut body = format!(
        "<style>td.source, td:first-child {{ text-align: left; }} td.source {{ font-size: 0.85em; }} \
         .legend {{ font-size: 0.95em; }}</style>\n<h1>{title}</h1>\n"
    );
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{passed} of {total} checks pass ({}).</strong> Held-out data are data the \
         model never saw; a refit predicts each fitted point by a fit without it; narratives are the scenario \
         study's futures given values and tolerances; verification checks the code against an equation. A failing \
         check is a finding about the model, shown as it is.</p>",
        escape(&kinds.join(", "))
    );
    body.push_str(
        "<p>Each check compares an observed value with the model's 95% band over independent replicates (seeds \
         the calibration never used). It passes when the observation lies within two of its stated standard \
         deviations of the band. Where the model's quantity is a share of a handful of administrations, the \
         band is the 95% interval of the model's mean instead (said in the pattern).</p>\n",
    );
    body.push_str(LEGEND);
    for group in Group::ALL {
        let mine: Vec<&Point> = points
            .iter()
            .filter(|(g, _)| g == group.name())
            .map(|(_, p)| p)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let fails = mine.iter().filter(|p| !p.pass).count();
        let _ = writeln!(
            body,
            "<h2 id=\"{}\">{}</h2>\n<p>{} of {} pass.</p>",
            group.name(),
            escape(group.title()),
            mine.len() - fails,
            mine.len()
        );
        body.push_str(&chart(&group_chart(group, &mine)));
        body.push_str(&rows_table(&mine));
    }
    for (file, what) in [
        (
            COUNTRY_SUMMARY,
            "Countries: rank correlation and errors, against a naive forecast",
        ),
        (
            LEAVE_ONE_OUT,
            "Leave-one-out refits: how far each left-out prediction moves",
        ),
        (INDICATORS, "The digital layer refitted to each choice of indicator"),
    ] {
        let _ = writeln!(body, "<h2>{what}</h2>\n<p>From {file}.</p>");
        body.push_str(&plain_table(&read_table(&dir.join(file))?));
    }
    body.push_str(&appendix(dir)?);
    Ok(page(title, &body))
}
