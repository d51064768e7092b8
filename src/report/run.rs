//! The report of an `agora run` folder: fan charts per metric, class
//! shares, final means.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::charts::{self, Bar, Fan};
use super::{Band, CsvTable, appendix, chart, escape, folder_name, number, page};
use crate::model::{Class, METRICS, metrics::metric};
use crate::output::run::{AGGREGATE, CLASSES, SUMMARY};

/// The page of the run folder `dir`.
pub(super) fn report(dir: &Path) -> io::Result<String> {
    let aggregate = CsvTable::read(&dir.join(AGGREGATE))?;
    let (scenarios, series) = fans(&aggregate)?;
    let mut body = format!(
        "<h1>agora report: {}</h1>\n<p>Scenarios: {}. Each chart shows, per scenario, the mean over replicates \
         (line) and the band from the 5th to the 95th percentile; time is in months. Flows (participation, \
         unheard posts, needs resolved, productivity) start at month 1.</p>\n",
        escape(&folder_name(dir)),
        escape(&scenarios.join(", "))
    );
    body.push_str("<h2>How the futures unfold</h2>\n<div class=\"charts\">\n");
    for m in METRICS {
        let Some(by_scenario) = series.get(m.name) else {
            continue;
        };
        let fans: Vec<Fan> = scenarios
            .iter()
            .filter_map(|s| {
                by_scenario.get(s).map(|points| Fan {
                    name: s,
                    points: points.clone(),
                })
            })
            .collect();
        body.push_str(&chart(&charts::fan_chart(
            &format!("{} ({})", m.label, m.name),
            "month",
            m.unit,
            &fans,
        )));
    }
    body.push_str("</div>\n");
    body.push_str(&class_section(dir, &scenarios)?);
    body.push_str(&final_means_table(dir, &scenarios)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora report: {}", escape(&folder_name(dir))), &body))
}

/// metric -> scenario -> one band per step.
type Series = BTreeMap<String, BTreeMap<String, Vec<Band>>>;

/// The scenarios in file order, and each metric's bands over the steps.
fn fans(aggregate: &CsvTable) -> io::Result<(Vec<String>, Series)> {
    let [scenario, step, name, mean, p05, p95] =
        ["scenario", "step", "metric", "mean", "p05", "p95"].map(|c| aggregate.column(c));
    let (scenario, step, name, mean, p05, p95) = (scenario?, step?, name?, mean?, p05?, p95?);
    let mut scenarios: Vec<String> = Vec::new();
    let mut series = Series::new();
    for row in &aggregate.rows {
        let (s, t) = (&row[scenario], number(&row[step]));
        if !scenarios.contains(s) {
            scenarios.push(s.clone());
        }
        // Flows are defined per step: step 0 has none, and a zero there is no observation.
        if t == 0.0 && metric(&row[name]).is_some_and(|m| m.flow) {
            continue;
        }
        series
            .entry(row[name].clone())
            .or_default()
            .entry(s.clone())
            .or_default()
            .push((t, number(&row[p05]), number(&row[mean]), number(&row[p95])));
    }
    Ok((scenarios, series))
}

/// The share of runs per class and scenario, with intervals.
fn class_section(dir: &Path, scenarios: &[String]) -> io::Result<String> {
    let classes = CsvTable::read(&dir.join(CLASSES))?;
    let [scenario, class, share, low, high] =
        ["scenario", "class", "share", "ci_low", "ci_high"].map(|c| classes.column(c));
    let (scenario, class, share, low, high) = (scenario?, class?, share?, low?, high?);
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
fn final_means_table(dir: &Path, scenarios: &[String]) -> io::Result<String> {
    let summary = CsvTable::read(&dir.join(SUMMARY))?;
    let scenario = summary.column("scenario")?;
    let mut out = String::from(
        "<h2>Final state (month of the last step)</h2>\n<p>Mean over replicates with its 95% confidence interval.</p>\n<table>\n<tr><th>metric</th>",
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
                .collect();
            let (mean, sd) = crate::stats::mean_sd(&values);
            let half = 1.96 * sd / (values.len().max(1) as f64).sqrt();
            let _ = write!(out, "<td>{mean:.3} [{:.3}, {:.3}]</td>", mean - half, mean + half);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    Ok(out)
}
