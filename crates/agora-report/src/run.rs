//! The report of an `agora run` folder: fan charts per metric, class
//! shares, final means.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Bar, Fan};
use super::{Band, appendix, chart, escape, number, page};
use agora_core::calendar::Month;
use agora_core::error::Result;
use agora_core::model::{Class, METRICS};
use agora_core::output::manifest::{Content, Manifest};
use agora_core::output::run::{AGGREGATE, CLASSES, SUMMARY};
use agora_core::output::table::CsvInput;

/// The page of the run folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let aggregate = super::read_table(&dir.join(AGGREGATE))?;
    let (scenarios, series) = fans(&aggregate)?;
    let names: Vec<&str> = scenarios.iter().map(String::as_str).collect();
    let title = format!("Futures compared: {}", and_list(&names));
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    body.push_str(&descriptions(dir, &scenarios));
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{}</strong></p>",
        escape(&takeaway(&series, &names))
    );
    body.push_str(
        "<p>Each chart shows, per scenario, the mean over replicates (line) and the band from the 5th to the \
         95th percentile across replicates, month by month. Each future keeps its colour and line style in every \
         chart, the class chart included. Flows (counted over a month: participation, unanswered contacts, needs \
         resolved, repeats, productivity, incidents) start with the first month.</p>\n",
    );
    let branch = Manifest::read(dir).ok().and_then(|m| match m.content {
        Content::Run { scenarios: records, .. } => super::branch_mark(records.iter().map(|r| &r.scenario)),
        _ => None,
    });
    if let Some((_, label)) = &branch {
        let _ = writeln!(
            body,
            "<p>Time runs in calendar years. The dotted line ({}) marks the month the futures branch: before it \
             they share one past, so their lines differ only by chance there.</p>",
            escape(label)
        );
    }
    body.push_str("<h2>How the futures unfold</h2>\n<div class=\"charts\">\n");
    for m in METRICS {
        let Some(by_scenario) = series.get(m.name) else {
            continue;
        };
        let fans: Vec<Fan> = names
            .iter()
            .filter_map(|s| {
                by_scenario.get(*s).map(|points| Fan {
                    name: s,
                    look: charts::look(s, &names),
                    points: points.clone(),
                    markers: false,
                    scatter: Vec::new(),
                })
            })
            .collect();
        let marks: Vec<(f64, &str)> = branch.iter().map(|(x, l)| (*x, l.as_str())).collect();
        body.push_str(&chart(&charts::fan_chart_marked(
            &format!("{} ({})", m.label, m.name),
            "year",
            m.unit,
            &fans,
            &marks,
        )));
    }
    body.push_str("</div>\n");
    body.push_str(&class_section(dir, &scenarios)?);
    let dates = aggregate.column("date")?;
    let last = aggregate.rows.iter().map(|r| &r[dates]).max().unwrap_or("");
    body.push_str(&final_means_table(dir, &scenarios, last)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// "a", "a and b", "a, b and c".
pub(super) fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Each scenario's description, from the resolved scenarios of the manifest.
fn descriptions(dir: &Path, scenarios: &[String]) -> String {
    let Ok(manifest) = Manifest::read(dir) else {
        return String::new();
    };
    let Content::Run { scenarios: records, .. } = manifest.content else {
        return String::new();
    };
    let mut out = String::from("<ul class=\"descriptions\">\n");
    for s in scenarios {
        let Some(r) = records.iter().find(|r| &r.scenario.name == s) else {
            continue;
        };
        let text = if r.scenario.description.is_empty() {
            "(no description)"
        } else {
            &r.scenario.description
        };
        let _ = writeln!(out, "<li><strong>{}</strong>: {}</li>", escape(s), escape(text));
    }
    out.push_str("</ul>\n");
    out
}

/// The highest and lowest final mean of one metric: (value, scenario), and the year.
type Ends<'a> = ((f64, &'a str), (f64, &'a str), f64);

/// The highest and lowest final mean of `metric` over the scenarios.
fn ends<'a>(series: &Series, metric: &str, names: &[&'a str]) -> Option<Ends<'a>> {
    let by = series.get(metric)?;
    let last: Vec<(f64, &str, f64)> = names
        .iter()
        .filter_map(|s| by.get(*s).and_then(|p| p.last()).map(|p| (p.2, *s, p.0)))
        .filter(|e| e.0.is_finite())
        .collect();
    let hi = last.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let lo = last.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(((hi.0, hi.1), (lo.0, lo.1), hi.2))
}

/// "By 2030, trust ends at 0.72 under participation against 0.40 under fracture".
fn ends_sentence(label: &str, (hi, lo, t): Ends) -> String {
    let start = format!(
        "By {:.0}, {} ends at {} under {}",
        t.floor(),
        label.to_lowercase(),
        charts::fixed(hi.0, 2),
        hi.1
    );
    if hi.1 == lo.1 {
        start
    } else {
        format!("{start} against {} under {}", charts::fixed(lo.0, 2), lo.1)
    }
}

/// The takeaway: trust at the end in each future, and the metric whose
/// final means differ most between the futures (relative to its range).
fn takeaway(series: &Series, names: &[&str]) -> String {
    let mut best: Option<(f64, &str, Ends)> = None;
    for m in METRICS.iter().filter(|m| m.range.1.is_finite()) {
        let Some(e) = ends(series, m.name, names) else { continue };
        let gap = (e.0.0 - e.1.0) / (m.range.1 - m.range.0);
        if best.is_none_or(|b| gap > b.0) {
            best = Some((gap, m.label, e));
        }
    }
    let trust = &METRICS[agora_core::model::metrics::idx::TRUST];
    let mut text = match ends(series, trust.name, names) {
        Some(e) => ends_sentence(trust.label, e) + ".",
        None => String::new(),
    };
    match best {
        Some((_, label, e)) if label != trust.label && names.len() > 1 => {
            text.push_str(&format!(
                " The widest gap: {}.",
                ends_sentence(label, e).split_once(", ").map_or("", |x| x.1)
            ));
        }
        None if text.is_empty() => text.push_str("No metric has a value to compare."),
        _ => {}
    }
    text
}

/// metric -> scenario -> one band per step.
type Series = BTreeMap<String, BTreeMap<String, Vec<Band>>>;

/// The scenarios in file order, and each metric's bands over the steps.
fn fans(aggregate: &CsvInput) -> Result<(Vec<String>, Series)> {
    let [scenario, date, name, mean, p05, p95] =
        aggregate.columns(["scenario", "date", "metric", "mean", "p05", "p95"])?;
    let mut scenarios: Vec<String> = Vec::new();
    let mut series = Series::new();
    for row in &aggregate.rows {
        let s = &row[scenario];
        if !scenarios.iter().any(|known| known == s) {
            scenarios.push(s.to_string());
        }
        // Dates parse: validation ends every run by 2200-12.
        let Some(t) = Month::parse(&row[date]).map(Month::as_year) else {
            continue;
        };
        // Undefined values (flows at step 0, a gap with an empty group) are no observation.
        if row[mean].is_empty() {
            continue;
        }
        series
            .entry(row[name].to_string())
            .or_default()
            .entry(s.to_string())
            .or_default()
            .push((t, number(&row[p05]), number(&row[mean]), number(&row[p95])));
    }
    Ok((scenarios, series))
}

/// The share of runs per class and scenario, with intervals.
fn class_section(dir: &Path, scenarios: &[String]) -> Result<String> {
    let classes = super::read_table(&dir.join(CLASSES))?;
    let [scenario, class, share, low, high] = classes.columns(["scenario", "class", "share", "ci_low", "ci_high"])?;
    let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
    let bars: Vec<Bar> = classes
        .rows
        .iter()
        .map(|r| Bar {
            group: &r[scenario],
            class: &r[class],
            share: number(&r[share]),
            low: number(&r[low]),
            high: number(&r[high]),
        })
        .collect();
    let groups: Vec<&str> = scenarios.iter().map(String::as_str).collect();
    let mut out = String::from("<h2>Which future each run ended in</h2>\n<div class=\"charts\">\n");
    out.push_str(&chart(&charts::class_chart(
        "Share of runs per class",
        &groups,
        &names,
        &bars,
    )));
    out.push_str("</div>\n");
    Ok(out)
}

/// Final means with 95% intervals (mean +- 1.96 sd / sqrt(n)) per scenario.
fn final_means_table(dir: &Path, scenarios: &[String], last: &str) -> Result<String> {
    let summary = super::read_table(&dir.join(SUMMARY))?;
    let scenario = summary.column("scenario")?;
    let mut out = format!(
        "<h2>Final state ({})</h2>\n<p>Mean over replicates with its 95% confidence interval; \
         a flow is its value in the last month.</p>\n<table>\n<tr><th>metric</th>",
        escape(last)
    );
    for s in scenarios {
        let _ = write!(out, "<th>{}</th>", escape(s));
    }
    out.push_str("</tr>\n");
    for m in METRICS {
        let Some(col) = summary.find(m.name) else {
            continue;
        };
        let _ = write!(out, "<tr><td>{}</td>", m.name);
        for s in scenarios {
            let values: Vec<f64> = summary
                .rows
                .iter()
                .filter(|r| &r[scenario] == s)
                .map(|r| number(&r[col]))
                .filter(|x| x.is_finite())
                .collect();
            if values.is_empty() {
                out.push_str("<td>undefined</td>");
                continue;
            }
            let (mean, sd) = agora_core::stats::mean_sd(&values);
            let half = 1.96 * sd / (values.len() as f64).sqrt();
            let f = |v| charts::fixed(v, 3);
            let _ = write!(out, "<td>{} [{}, {}]</td>", f(mean), f(mean - half), f(mean + half));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    Ok(out)
}
