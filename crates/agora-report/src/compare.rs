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
    let branch = compare_branch(dir);
    let start_names: Vec<String> = starts.iter().map(|(label, ..)| format!("{label} starts")).collect();
    let title = format!(
        "Policies against their baselines: {}",
        super::run::and_list(&policy_names(&policies))
    );
    let mut body = format!(
        "<h1>{}</h1>\n<p>Folder {}. Policies: {}. Each chart shows, per policy, the mean over replicates of \
         the paired difference from its baseline (policy minus baseline, line) and its paired-t 95% interval \
         (band), month by month; the grey line is zero, a dotted line marks when a policy's first \
         intervention starts ({}).</p>\n<p class=\"takeaway\"><strong>{}</strong></p>\n\
         <h2>Differences over time</h2>\n<div class=\"charts\">\n",
        escape(&title),
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
                colour: charts::NEUTRAL[2],
                dash: (2, 3),
            },
            points: zero,
            markers: false,
            scatter: Vec::new(),
        });
        let title = format!("{}: difference ({})", m.label, m.name);
        let marks: Vec<(f64, &str)> = branch.iter().map(|(x, l)| (*x, l.as_str())).collect();
        body.push_str(&chart(&charts::fan_chart_marked(&title, "year", m.unit, &fans, &marks)));
    }
    body.push_str("</div>\n");
    body.push_str(&forest(&policies, &differences));
    body.push_str(&cost_table(&table)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// The branch month of the compared scenarios, from the folder's manifest.
fn compare_branch(dir: &Path) -> Option<(f64, String)> {
    let manifest = agora_core::output::Manifest::read(dir).ok()?;
    let agora_core::output::manifest::Content::Compare { scenarios, .. } = manifest.content else {
        return None;
    };
    super::branch_mark(scenarios.iter().map(|r| &r.scenario))
}

fn policy_names(policies: &[String]) -> Vec<&str> {
    policies.iter().map(String::as_str).collect()
}

/// Per policy label, the date of its first intervention (as a fractional
/// year and as `YYYY-MM`), from the folder's manifest.
fn intervention_starts(dir: &Path) -> Vec<(String, f64, String)> {
    let Ok(manifest) = agora_core::output::Manifest::read(dir) else {
        return Vec::new();
    };
    let agora_core::output::manifest::Content::Compare { scenarios, pairs, .. } = manifest.content else {
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
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r[policy]),
            charts::fixed(number(&r[base]), 2),
            charts::fixed(number(&r[pol]), 2),
            charts::signed(number(&r[diff]), 2)
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
                "By {year:.0}, {p} {verdict} trust in the administration by {} [95% CI {}, {}] against its baseline.",
                charts::signed(last.2, 3),
                charts::signed(last.1, 3),
                charts::signed(last.3, 3)
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
        "<h2>Final differences (forest plot)</h2>\n<p>Per metric, an axis in the metric's unit centred on zero \
         (no difference), then one row per policy: its mean difference (square) and 95% interval (line) in the \
         policy's colour.</p>\n<table class=\"forest\">\n<tr><th>metric</th><th>policy</th>\
         <th>difference [95% CI]</th><th>interval against 0</th></tr>\n",
    );
    let names: Vec<&str> = policies.iter().map(String::as_str).collect();
    for m in METRICS {
        let Some(by_policy) = differences.get(m.name) else {
            continue;
        };
        let last: Vec<(&String, Band)> = policies
            .iter()
            .filter_map(|p| by_policy.get(p).and_then(|b| b.last()).map(|b| (p, *b)))
            .collect();
        let scale = last.iter().map(|(_, b)| b.1.abs().max(b.3.abs())).fold(0.0, f64::max);
        let d = charts::decimals(2.0 * scale) + 1;
        if last.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<tr class=\"axis\"><td>{} ({})</td><td></td><td></td><td>{}</td></tr>",
            m.name,
            escape(m.unit),
            axis_svg(scale, d)
        );
        for (p, (_, lo, mean, hi)) in last {
            let colour = charts::hex(charts::look(p, &names).colour);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{} [{}, {}]</td><td>{}</td></tr>",
                m.name,
                escape(p),
                charts::signed(mean, d),
                charts::signed(lo, d),
                charts::signed(hi, d),
                interval_svg((lo, mean, hi), scale, &colour)
            );
        }
    }
    out.push_str("</table>\n");
    out
}

/// A 240 x 16 inline SVG: zero in the middle, the interval and its mean
/// scaled so that `scale` reaches the edge.
fn interval_svg((lo, mean, hi): (f64, f64, f64), scale: f64, colour: &str) -> String {
    let x = |v: f64| if scale > 0.0 { 120.0 + 110.0 * v / scale } else { 120.0 };
    format!(
        "<svg width=\"240\" height=\"16\" viewBox=\"0 0 240 16\"><line x1=\"120\" y1=\"0\" x2=\"120\" y2=\"16\" \
         stroke=\"#707070\"/><line x1=\"{:.1}\" y1=\"8\" x2=\"{:.1}\" y2=\"8\" stroke=\"{colour}\" stroke-width=\"2\"/>\
         <rect x=\"{:.1}\" y=\"4\" width=\"8\" height=\"8\" fill=\"{colour}\"/></svg>",
        x(lo),
        x(hi),
        x(mean) - 4.0
    )
}

/// The axis of a forest plot's metric: ticks at -scale, 0 and +scale
/// (the interval SVG's edges), labelled with `d` decimals, 12 px or more.
fn axis_svg(scale: f64, d: usize) -> String {
    let label = |x: f64, v: f64, anchor: &str| {
        format!(
            "<line x1=\"{x}\" y1=\"18\" x2=\"{x}\" y2=\"24\" stroke=\"#444\"/><text x=\"{x}\" y=\"14\" \
             font-size=\"13\" fill=\"#222\" text-anchor=\"{anchor}\">{}</text>",
            charts::signed(v, d)
        )
    };
    format!(
        "<svg class=\"forest-axis\" width=\"240\" height=\"24\" viewBox=\"0 0 240 24\">\
         <line x1=\"10\" y1=\"23\" x2=\"230\" y2=\"23\" stroke=\"#444\"/>{}{}{}</svg>",
        label(10.0, -scale, "start"),
        label(120.0, 0.0, "middle"),
        label(230.0, scale, "end")
    )
}
