//! `agora report DIR`: one self-contained HTML page (inline SVG, no
//! network) from a results folder of `run` or `sweep`.
//!
//! Architecture invariant: the page is a pure function of the folder's
//! files, so the report of a folder is byte-identical when made twice.

pub mod charts;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use charts::{Bar, Cell, Fan};

use crate::model::{Class, METRIC_NAMES};
use crate::output::sweep::SweepRecord;

pub const REPORT: &str = "report.html";

/// (x, p05, mean, p95) of one point of a fan chart.
type Band = (f64, f64, f64, f64);

/// Metrics that count what happened during a step (0 at step 0).
const FLOWS: [&str; 4] = ["participation", "unheard_share", "service_rate", "productivity"];

/// What each metric measures, for chart titles and axis labels.
pub fn metric_label(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "digitalization" => ("Citizens' digitalization", "mean level (0-1)"),
        "adoption" => ("Social CRM adoption", "mean level (0-1)"),
        "adopter_share" => ("Adopting administrations", "share with adoption >= 0.5"),
        "transformed_share" => ("Transformed value chains", "share of administrations"),
        "integration" => ("Information integration", "mean level (0-1)"),
        "trust" => ("Trust in the administration", "mean level (0-1)"),
        "trust_gap" => ("Trust gap, digital minus non-digital", "difference (-1 to 1)"),
        "satisfaction" => ("Citizen satisfaction", "mean level (0-1)"),
        "participation" => ("Participation", "share of citizens per month"),
        "unheard_share" => ("Unheard social posts", "share of posts per month"),
        "service_rate" => ("Needs resolved", "share of needs per month"),
        "productivity" => ("Productivity", "served requests / base capacity"),
        "fracture" => ("Fracture", "mean max(0, digitalization - adoption)"),
        _ => ("", ""),
    }
}

/// Write `DIR/report.html`; returns its path.
pub fn write_report(dir: &Path) -> io::Result<std::path::PathBuf> {
    let html = if dir.join("aggregate.csv").exists() {
        run_report(dir)?
    } else if dir.join("points.csv").exists() {
        sweep_report(dir)?
    } else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{} holds neither the results of `agora run` (aggregate.csv) nor of `agora sweep` (points.csv)",
                dir.display()
            ),
        ));
    };
    let path = dir.join(REPORT);
    crate::output::atomic::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

fn read_table(path: &Path) -> io::Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    let header = reader
        .headers()
        .map_err(io::Error::other)?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record.map_err(io::Error::other)?.iter().map(String::from).collect());
    }
    Ok((header, rows))
}

fn number(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 1340px; margin: 1em auto; padding: 0 1em; color: #111; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #999; margin-top: 1.6em; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.chart {{ border: 1px solid #ccc; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #999; padding: 3px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
pre {{ background: #f4f4f4; border: 1px solid #ccc; padding: 8px; font-size: 0.8em; white-space: pre-wrap; }}
@media print {{ .chart {{ break-inside: avoid; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"#
    )
}

fn chart(svg: &str) -> String {
    format!("<div class=\"chart\">{svg}</div>\n")
}

fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string())
}

fn run_report(dir: &Path) -> io::Result<String> {
    let (_, aggregate) = read_table(&dir.join("aggregate.csv"))?;
    let mut scenarios: Vec<String> = Vec::new();
    // metric -> scenario -> (step, p05, mean, p95)
    let mut series: BTreeMap<String, BTreeMap<String, Vec<Band>>> = BTreeMap::new();
    for row in &aggregate {
        let (scenario, step, metric) = (&row[0], number(&row[1]), &row[2]);
        // Flows are defined per step: step 0 has none, and a zero there is no observation.
        if step == 0.0 && FLOWS.contains(&metric.as_str()) {
            if !scenarios.contains(scenario) {
                scenarios.push(scenario.clone());
            }
            continue;
        }
        if !scenarios.contains(scenario) {
            scenarios.push(scenario.clone());
        }
        series
            .entry(metric.clone())
            .or_default()
            .entry(scenario.clone())
            .or_default()
            .push((step, number(&row[5]), number(&row[3]), number(&row[7])));
    }
    let mut body = format!(
        "<h1>agora report: {}</h1>\n<p>Scenarios: {}. Each chart shows, per scenario, the mean over replicates \
         (line) and the band from the 5th to the 95th percentile; time is in months. Flows (participation, \
         unheard posts, needs resolved, productivity) start at month 1.</p>\n",
        escape(&folder_name(dir)),
        escape(&scenarios.join(", "))
    );
    body.push_str("<h2>How the futures unfold</h2>\n<div class=\"charts\">\n");
    for metric in METRIC_NAMES {
        let Some(by_scenario) = series.get(metric) else {
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
        let (title, unit) = metric_label(metric);
        body.push_str(&chart(&charts::fan_chart(
            &format!("{title} ({metric})"),
            "month",
            unit,
            &fans,
        )));
    }
    body.push_str("</div>\n");

    let (_, classes) = read_table(&dir.join("classes.csv"))?;
    let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
    let bars: Vec<Bar> = classes
        .iter()
        .map(|r| Bar {
            group: &r[0],
            class: &r[1],
            share: number(&r[3]),
            low: number(&r[4]),
            high: number(&r[5]),
        })
        .collect();
    let groups: Vec<&str> = scenarios.iter().map(String::as_str).collect();
    body.push_str("<h2>Which future each run ended in</h2>\n<div class=\"charts\">\n");
    body.push_str(&chart(&charts::class_chart(
        "Share of runs per class",
        &groups,
        &names,
        &bars,
    )));
    body.push_str("</div>\n");

    body.push_str(&final_means_table(dir, &scenarios)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora report: {}", escape(&folder_name(dir))), &body))
}

/// Final means with 95% intervals (mean +- 1.96 sd / sqrt(n)) per scenario.
fn final_means_table(dir: &Path, scenarios: &[String]) -> io::Result<String> {
    let (header, rows) = read_table(&dir.join("summary.csv"))?;
    let mut out = String::from(
        "<h2>Final state (month of the last step)</h2>\n<p>Mean over replicates with its 95% confidence interval.</p>\n<table>\n<tr><th>metric</th>",
    );
    for s in scenarios {
        let _ = write!(out, "<th>{}</th>", escape(s));
    }
    out.push_str("</tr>\n");
    for metric in METRIC_NAMES {
        let Some(col) = header.iter().position(|h| h == metric) else {
            continue;
        };
        let _ = write!(out, "<tr><td>{metric}</td>");
        for s in scenarios {
            let values: Vec<f64> = rows.iter().filter(|r| &r[0] == s).map(|r| number(&r[col])).collect();
            let (mean, sd) = crate::stats::mean_sd(&values);
            let half = 1.96 * sd / (values.len().max(1) as f64).sqrt();
            let _ = write!(out, "<td>{mean:.3} [{:.3}, {:.3}]</td>", mean - half, mean + half);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    Ok(out)
}

fn appendix(dir: &Path) -> io::Result<String> {
    let mut out = String::from("<h2>Reproduce</h2>\n");
    for (file, what) in [
        ("sweep.ron", "The resolved sweep"),
        (
            "manifest.ron",
            "Manifest: agora version, command line, seeds and the resolved scenarios",
        ),
    ] {
        let path = dir.join(file);
        if path.exists() {
            let text = std::fs::read_to_string(&path)?;
            let _ = write!(
                out,
                "<h3>{what} ({file})</h3>\n<pre class=\"manifest\">{}</pre>\n",
                escape(&text)
            );
        }
    }
    Ok(out)
}

fn sweep_report(dir: &Path) -> io::Result<String> {
    let record: SweepRecord = ron::from_str(&std::fs::read_to_string(dir.join("sweep.ron"))?)
        .map_err(|e| io::Error::other(format!("{}: {e}", dir.join("sweep.ron").display())))?;
    let sweep = &record.sweep;
    let (header, rows) = read_table(&dir.join("points.csv"))?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut body = format!(
        "<h1>agora report: sweep {}</h1>\n<p>{} points x {} replicates over {}. Charts show the mean over \
         replicates at each value (line) and the band of one standard deviation; other axes are averaged over.</p>\n",
        escape(&sweep.name),
        sweep.points.len(),
        sweep.replicates,
        escape(&sweep.axes.join(", "))
    );
    // The axes that matter most: the largest spread of per-level means, summed over metrics.
    let levels = |a: usize| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for p in &sweep.points {
            if !v.contains(&p[a]) {
                v.push(p[a].clone());
            }
        }
        v
    };
    let level_means = |a: usize, column: usize| -> Vec<(String, f64, f64)> {
        levels(a)
            .into_iter()
            .map(|level| {
                let chosen: Vec<&Vec<String>> = rows
                    .iter()
                    .enumerate()
                    .filter(|(p, _)| sweep.points[*p][a] == level)
                    .map(|(_, r)| r)
                    .collect();
                let mean = chosen.iter().map(|r| number(&r[column])).sum::<f64>() / chosen.len().max(1) as f64;
                let sd = chosen.iter().map(|r| number(&r[column + 1])).sum::<f64>() / chosen.len().max(1) as f64;
                (level, mean, sd)
            })
            .collect()
    };
    let spread = |a: usize| -> f64 {
        METRIC_NAMES
            .iter()
            .filter_map(|m| col(&format!("{m}_mean")))
            .map(|c| {
                let means: Vec<f64> = level_means(a, c).iter().map(|l| l.1).collect();
                let all: Vec<f64> = rows.iter().map(|r| number(&r[c])).collect();
                let range = |v: &[f64]| {
                    v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                        - v.iter().cloned().fold(f64::INFINITY, f64::min)
                };
                range(&means) / (range(&all) + 1e-12)
            })
            .sum()
    };
    let mut order: Vec<usize> = (0..sweep.axes.len()).collect();
    order.sort_by(|&a, &b| spread(b).total_cmp(&spread(a)).then(a.cmp(&b)));
    let shown: Vec<usize> = order.iter().take(2).cloned().collect();
    if sweep.axes.len() > 2 {
        let _ = writeln!(
            body,
            "<p>This sweep has {} axes; shown are the two whose levels spread the metric means most: {} and {}.</p>",
            sweep.axes.len(),
            escape(&sweep.axes[shown[0]]),
            escape(&sweep.axes[shown[1]])
        );
    }
    if shown.len() == 2 {
        let (xa, ya) = (shown[0], shown[1]);
        let (xs, ys) = (levels(xa), levels(ya));
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let mut cells = Vec::new();
        for (xi, xv) in xs.iter().enumerate() {
            for (yi, yv) in ys.iter().enumerate() {
                let chosen: Vec<&Vec<String>> = rows
                    .iter()
                    .enumerate()
                    .filter(|(p, _)| &sweep.points[*p][xa] == xv && &sweep.points[*p][ya] == yv)
                    .map(|(_, r)| r)
                    .collect();
                let shares: Vec<f64> = names
                    .iter()
                    .map(|c| {
                        let column = col(&format!("share_{c}")).unwrap_or(0);
                        chosen.iter().map(|r| number(&r[column])).sum::<f64>() / chosen.len().max(1) as f64
                    })
                    .collect();
                let (class, share) = shares
                    .iter()
                    .enumerate()
                    .fold((0, -1.0), |best, (k, &s)| if s > best.1 { (k, s) } else { best });
                cells.push(Cell {
                    x: xi,
                    y: yi,
                    class,
                    share,
                });
            }
        }
        body.push_str("<h2>Phase diagram</h2>\n<p>Each cell: the class most runs ended in (colour and initial) and the share of runs in it (shade and percentage).</p>\n<div class=\"charts\">\n");
        body.push_str(&chart(&charts::phase_diagram(
            "Dominant future by parameter values",
            (&sweep.axes[xa], &xs),
            (&sweep.axes[ya], &ys),
            &names,
            &cells,
        )));
        body.push_str("</div>\n");
    }
    for &a in &shown {
        let _ = write!(
            body,
            "<h2>Metrics against {}</h2>\n<div class=\"charts\">\n",
            escape(&sweep.axes[a])
        );
        let numeric = levels(a).iter().all(|l| l.parse::<f64>().is_ok());
        for metric in METRIC_NAMES {
            let Some(c) = col(&format!("{metric}_mean")) else {
                continue;
            };
            let points: Vec<(f64, f64, f64, f64)> = level_means(a, c)
                .iter()
                .enumerate()
                .map(|(k, (level, mean, sd))| {
                    let x = if numeric { number(level) } else { k as f64 };
                    (x, mean - sd, *mean, mean + sd)
                })
                .collect();
            let (title, unit) = metric_label(metric);
            let x_label = if numeric {
                sweep.axes[a].clone()
            } else {
                format!("{} (level index)", sweep.axes[a])
            };
            body.push_str(&chart(&charts::fan_chart(
                &format!("{title} ({metric})"),
                &x_label,
                unit,
                &[Fan {
                    name: &sweep.name,
                    points,
                }],
            )));
        }
        body.push_str("</div>\n");
    }
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora report: sweep {}", escape(&sweep.name)), &body))
}
