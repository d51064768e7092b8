//! The report of an `agora compare` folder: per metric, the paired
//! difference of each policy from its baseline over time with its 95% band
//! and a zero line, and a forest plot of the final differences.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Fan};
use super::{Band, appendix, chart, escape, number, page};
use agora_core::calendar::Month;
use agora_core::error::Result;
use agora_core::model::METRICS;
use agora_core::output::compare::COMPARISON;
use agora_core::output::table::CsvInput;

/// metric -> policy -> (x, lo, mean, hi) per step with a defined difference.
type Differences = BTreeMap<String, BTreeMap<String, Vec<Band>>>;

/// The page of the compare folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let table = super::read_table(&dir.join(COMPARISON))?;
    let folder_name = |dir: &Path| {
        dir.canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir.display().to_string())
    };
    let (policies, differences) = differences(&table)?;
    let starts = intervention_starts(dir);
    let start_names: Vec<String> = starts.iter().map(|(label, ..)| format!("{label} starts")).collect();
    let mut body = format!(
        "<h1>agora compare: {}</h1>\n<p>Policies: {}. Each chart shows, per policy, the mean over replicates of \
         the paired difference from its baseline (policy minus baseline, line) and its paired-t 95% interval \
         (band), month by month; the grey line is zero, a dotted line marks when a policy's first \
         intervention starts ({}).</p>\n<p class=\"takeaway\"><strong>{}</strong></p>\n\
         <h2>Differences over time</h2>\n<div class=\"charts\">\n",
        escape(&folder_name(dir)),
        escape(&policies.join(", ")),
        escape(
            &starts
                .iter()
                .map(|(l, _, d)| format!("{l}: {d}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
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
        // Each policy's first intervention, as a vertical line across the band.
        let span = fans
            .iter()
            .flat_map(|f| f.points.iter().flat_map(|p| [p.1, p.3]))
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        for ((label, year, _), name) in starts.iter().zip(&start_names) {
            if let Some(look) = fans.iter().find(|f| f.name == label).map(|f| f.look) {
                fans.push(Fan {
                    name,
                    look: charts::Look { dash: (1, 4), ..look },
                    points: vec![(*year, span.0, span.0, span.0), (*year, span.1, span.1, span.1)],
                    markers: false,
                    scatter: Vec::new(),
                });
            }
        }
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
        let title = format!("{}: difference ({})", m.label, m.name);
        body.push_str(&chart(&charts::fan_chart(&title, "year", m.unit, &fans)));
    }
    body.push_str("</div>\n");
    body.push_str(&forest(&policies, &differences));
    body.push_str(&cost_table(&table)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora compare: {}", escape(&folder_name(dir))), &body))
}

/// Per policy label, the date of its first intervention (as a fractional
/// year and as `YYYY-MM`), from the folder's manifest.
fn intervention_starts(dir: &Path) -> Vec<(String, f64, String)> {
    let Ok(manifest) = agora_core::output::Manifest::read(dir) else {
        return Vec::new();
    };
    let agora_core::output::manifest::Content::Compare { scenarios, pairs } = manifest.content else {
        return Vec::new();
    };
    pairs
        .iter()
        .filter_map(|(label, _, policy)| {
            let s = &scenarios.iter().find(|r| &r.scenario.name == policy)?.scenario;
            let at = s.interventions.iter().map(|i| i.at).min()?;
            let month = Month::parse(&s.start)?.plus(at);
            Some((label.clone(), month.as_year(), month.to_string()))
        })
        .collect()
}

/// The cost table: per policy at the last month, the cumulative cost of
/// baseline and policy and the difference, euros per citizen.
fn cost_table(table: &CsvInput) -> Result<String> {
    let [policy, metric, step, base, pol, diff] =
        table.columns(["policy", "metric", "step", "base_mean", "policy_mean", "diff_mean"])?;
    let costs: Vec<&csv::StringRecord> = table.rows.iter().filter(|r| &r[metric] == "cost").collect();
    let last = costs.iter().map(|r| number(&r[step])).fold(f64::NEG_INFINITY, f64::max);
    let mut out = String::from(
        "<h2>Costs</h2>\n<p>Cumulative cost of the levers in force to the last month, euros per citizen \
         (docs/costs.md gives each lever's cost model).</p>\n<table>\n<tr><th>policy</th><th>baseline</th>\
         <th>policy</th><th>difference</th></tr>\n",
    );
    for r in costs.iter().filter(|r| number(&r[step]) == last) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:+.2}</td></tr>",
            escape(&r[policy]),
            number(&r[base]),
            number(&r[pol]),
            number(&r[diff])
        );
    }
    out.push_str("</table>\n");
    Ok(out)
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
fn differences(table: &CsvInput) -> Result<(Vec<String>, Differences)> {
    let [policy, metric, date, diff, lo, hi] =
        table.columns(["policy", "metric", "date", "diff_mean", "diff_lo", "diff_hi"])?;
    let mut policies: Vec<String> = Vec::new();
    let mut out = Differences::new();
    for row in &table.rows {
        if !policies.iter().any(|p| p == &row[policy]) {
            policies.push(row[policy].to_string());
        }
        let Some(t) = Month::parse(&row[date]).map(Month::as_year) else {
            continue;
        };
        if row[lo].is_empty() {
            continue;
        }
        let band = (t, number(&row[lo]), number(&row[diff]), number(&row[hi]));
        out.entry(row[metric].to_string())
            .or_default()
            .entry(row[policy].to_string())
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
