//! The report of an `agora compare` folder: per metric, the paired
//! difference of each policy from its baseline over time with its 95% band
//! and a zero line, and a forest plot of the final differences.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::charts::{self, Fan};
use super::{Band, CsvTable, appendix, chart, escape, number, page};
use crate::calendar::Month;
use crate::model::METRICS;
use crate::output::compare::COMPARISON;

/// metric -> policy -> (x, lo, mean, hi) per step with a defined difference.
type Differences = BTreeMap<String, BTreeMap<String, Vec<Band>>>;

/// The page of the compare folder `dir`.
pub(super) fn report(dir: &Path) -> io::Result<String> {
    let table = CsvTable::read(&dir.join(COMPARISON))?;
    let folder_name = |dir: &Path| {
        dir.canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir.display().to_string())
    };
    let (policies, differences) = differences(&table)?;
    let mut body = format!(
        "<h1>agora compare: {}</h1>\n<p>Policies: {}. Each chart shows, per policy, the mean over replicates of \
         the paired difference from its baseline (policy minus baseline, line) and its paired-t 95% interval \
         (band), month by month; the grey line is zero.</p>\n<p class=\"takeaway\"><strong>{}</strong></p>\n\
         <h2>Differences over time</h2>\n<div class=\"charts\">\n",
        escape(&folder_name(dir)),
        escape(&policies.join(", ")),
        escape(&takeaway(&policies, &differences))
    );
    for m in METRICS {
        let Some(by_policy) = differences.get(m.name) else {
            continue;
        };
        let names: Vec<&str> = policies.iter().map(String::as_str).collect();
        let mut fans: Vec<Fan> = policies
            .iter()
            .filter_map(|p| {
                by_policy.get(p).map(|points| Fan {
                    name: p,
                    look: charts::look(p, &names),
                    points: points.clone(),
                    markers: false,
                    scatter: Vec::new(),
                })
            })
            .collect();
        let zero = fans
            .iter()
            .flat_map(|f| f.points.iter().map(|p| (p.0, 0.0, 0.0, 0.0)))
            .collect();
        fans.push(Fan {
            name: "zero",
            look: charts::Look {
                colour: plotters::style::RGBColor(120, 120, 120),
                dash: (2, 3),
            },
            points: zero,
            markers: false,
            scatter: Vec::new(),
        });
        let title = format!("Difference in {} ({})", m.label.to_lowercase(), m.name);
        body.push_str(&chart(&charts::fan_chart(&title, "year", m.unit, &fans)));
    }
    body.push_str("</div>\n");
    body.push_str(&forest(&policies, &differences));
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora compare: {}", escape(&folder_name(dir))), &body))
}

/// The takeaway: each policy's final difference in trust with its interval.
fn takeaway(policies: &[String], differences: &Differences) -> String {
    let lines: Vec<String> = policies
        .iter()
        .filter_map(|p| {
            let last = differences.get("trust")?.get(p)?.last()?;
            let year = last.0.floor();
            let verdict = if last.1 > 0.0 {
                "raises"
            } else if last.3 < 0.0 {
                "lowers"
            } else {
                "does not clearly change"
            };
            Some(format!(
                "By {year:.0}, {p} {verdict} trust in the administration by {:+.3} [95% CI {:+.3}, {:+.3}] against its baseline.",
                last.2, last.1, last.3
            ))
        })
        .collect();
    if lines.is_empty() {
        "No trust difference could be computed.".to_string()
    } else {
        lines.join(" ")
    }
}

/// The policies in file order and every defined difference.
fn differences(table: &CsvTable) -> io::Result<(Vec<String>, Differences)> {
    let [policy, metric, date, diff, lo, hi] =
        ["policy", "metric", "date", "diff_mean", "diff_lo", "diff_hi"].map(|c| table.column(c));
    let (policy, metric, date, diff, lo, hi) = (policy?, metric?, date?, diff?, lo?, hi?);
    let mut policies: Vec<String> = Vec::new();
    let mut out = Differences::new();
    for row in &table.rows {
        if !policies.contains(&row[policy]) {
            policies.push(row[policy].clone());
        }
        let Some(t) = Month::parse(&row[date]).map(Month::as_year) else {
            continue;
        };
        if row[lo].is_empty() {
            continue;
        }
        let band = (t, number(&row[lo]), number(&row[diff]), number(&row[hi]));
        out.entry(row[metric].clone())
            .or_default()
            .entry(row[policy].clone())
            .or_default()
            .push(band);
    }
    Ok((policies, out))
}

/// A forest plot of the final differences: one row per metric and policy,
/// the interval drawn against zero on the metric's own scale.
fn forest(policies: &[String], differences: &Differences) -> String {
    let mut out = String::from(
        "<h2>Final differences (forest plot)</h2>\n<table>\n<tr><th>metric</th><th>policy</th>\
         <th>difference [95% CI]</th><th>interval against 0</th></tr>\n",
    );
    for m in METRICS {
        let Some(by_policy) = differences.get(m.name) else {
            continue;
        };
        let last: Vec<(&String, Band)> = policies
            .iter()
            .filter_map(|p| by_policy.get(p).and_then(|b| b.last()).map(|b| (p, *b)))
            .collect();
        let scale = last.iter().map(|(_, b)| b.1.abs().max(b.3.abs())).fold(0.0, f64::max);
        for (p, (_, lo, mean, hi)) in last {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{mean:+.4} [{lo:+.4}, {hi:+.4}]</td><td>{}</td></tr>",
                m.name,
                escape(p),
                interval_svg(lo, mean, hi, scale)
            );
        }
    }
    out.push_str("</table>\n");
    out
}

/// A 240 x 16 inline SVG: zero in the middle, the interval and its mean
/// scaled so that `scale` reaches the edge.
fn interval_svg(lo: f64, mean: f64, hi: f64, scale: f64) -> String {
    let x = |v: f64| if scale > 0.0 { 120.0 + 110.0 * v / scale } else { 120.0 };
    format!(
        "<svg width=\"240\" height=\"16\" viewBox=\"0 0 240 16\"><line x1=\"120\" y1=\"0\" x2=\"120\" y2=\"16\" \
         stroke=\"#888\"/><line x1=\"{:.1}\" y1=\"8\" x2=\"{:.1}\" y2=\"8\" stroke=\"#1f497d\" stroke-width=\"2\"/>\
         <rect x=\"{:.1}\" y=\"4\" width=\"8\" height=\"8\" fill=\"#1f497d\"/></svg>",
        x(lo),
        x(hi),
        x(mean) - 4.0
    )
}
