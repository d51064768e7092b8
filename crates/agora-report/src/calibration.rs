//! The report of an `agora calibrate` folder: the weighted posterior of each
//! parameter over its prior range, the posterior-predictive band with the
//! observations over it, the summary and the generations.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Dots, Fan, Look};
use super::run::and_list;
use super::sensitivity::short;
use super::{appendix, chart, escape, number, page};
use agora_core::calendar::Month;
use agora_core::calibration::Calibration;
use agora_core::error::{Error, Result};
use agora_core::model::METRICS;
use agora_core::output::calibrate::{GENERATIONS, POSTERIOR, PREDICTIVE, SUMMARY};
use agora_core::output::manifest::{Content, Manifest};
use agora_core::output::table::CsvInput;

/// Bins of a posterior histogram over the prior range.
const BINS: usize = 20;

/// (median, lo90, hi90, mean) of a parameter, from `summary.csv`.
type Summary = (f64, f64, f64, f64);

/// (year, observed, p05, p50, p95) at an observed date, from `predictive.csv`.
type Predicted = (f64, f64, f64, f64, f64);

/// Decimals enough for a value on a range of width `width`.
fn fine(width: f64) -> usize {
    charts::decimals(width) + 2
}

/// The page of the calibration folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let manifest = Manifest::read(dir)?;
    let Content::Calibration {
        calibration: c, notes, ..
    } = manifest.content
    else {
        return Err(Error::Input(format!("{}: not a calibration folder", dir.display())));
    };
    let summary = summaries(&super::read_table(&dir.join(SUMMARY))?, &c)?;
    let predictive = super::read_table(&dir.join(PREDICTIVE))?;
    let shorts: Vec<&str> = c.parameters.iter().map(|p| short(p)).collect();
    let title = format!(
        "Calibration {}: {} against the observed {}",
        c.name,
        and_list(&shorts),
        c.metric
    );
    let mut body = format!("<h1>{}</h1>\n<ul class=\"notes\">\n", escape(&title));
    for note in &notes {
        let _ = writeln!(body, "<li>{}</li>", escape(note));
    }
    body.push_str("</ul>\n");
    let bands = bands(&predictive)?;
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{}</strong></p>",
        escape(&takeaway(&c, &summary, &bands))
    );
    body.push_str(
        "<p>The posterior is the last generation of particles, each with its normalised weight. Credible \
         intervals are 90%: from the weighted 5th to the weighted 95th percentile. The predictive band \
         simulates each last-generation particle once more (fresh seeds) and spans the weighted 5th to 95th \
         percentile of the metric at each observed date, the line its weighted median.</p>\n",
    );
    body.push_str("<h2>Posterior</h2>\n<div class=\"charts\">\n");
    let posterior = super::read_table(&dir.join(POSTERIOR))?;
    for (k, parameter) in c.parameters.iter().enumerate() {
        let range = c.priors[k];
        let bins = histogram(&posterior, parameter, range)?;
        let (median, lo, hi, _) = summary[k];
        body.push_str(&chart(&charts::histogram_chart(
            &format!("{}: posterior", short(parameter)),
            &format!("{parameter} (axis: prior {} .. {})", range.0, range.1),
            range,
            &bins,
            median,
            (lo, hi),
        )));
    }
    body.push_str("</div>\n<h2>Posterior predictive</h2>\n<div class=\"charts\">\n");
    let unit = METRICS.iter().find(|m| m.name == c.metric).map_or("", |m| m.unit);
    let label = METRICS
        .iter()
        .find(|m| m.name == c.metric)
        .map_or(c.metric.clone(), |m| format!("{} ({})", m.label, m.name));
    let fan = Fan {
        name: "predictive median",
        look: Look {
            colour: charts::NEUTRAL[1],
            dash: (1000, 0),
        },
        points: bands.iter().map(|b| (b.0, b.2, b.3, b.4)).collect(),
        markers: false,
        scatter: Vec::new(),
    };
    let dots = Dots {
        name: "observed",
        points: bands.iter().map(|b| (b.0, b.1)).collect(),
    };
    body.push_str(&chart(&charts::fan_chart_with(
        &label,
        ("year", if unit.is_empty() { c.metric.as_str() } else { unit }),
        &[fan],
        Some(&dots),
        charts::legend_width(&["predictive median"]),
        &[],
    )));
    body.push_str("</div>\n");
    body.push_str(&summary_table(&c, &summary));
    body.push_str(&generations_table(dir)?);
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// Each parameter's summary, in the calibration's order.
fn summaries(table: &CsvInput, c: &Calibration) -> Result<Vec<Summary>> {
    let [p, median, lo, hi, mean] = table.columns(["parameter", "median", "lo90", "hi90", "mean"])?;
    Ok(c.parameters
        .iter()
        .map(|name| {
            table
                .rows
                .iter()
                .find(|r| &r[p] == name)
                .map_or((f64::NAN, f64::NAN, f64::NAN, f64::NAN), |r| {
                    (number(&r[median]), number(&r[lo]), number(&r[hi]), number(&r[mean]))
                })
        })
        .collect())
}

/// (year, observed, p05, p50, p95) at each observed date.
fn bands(table: &CsvInput) -> Result<Vec<Predicted>> {
    let [date, observed, p05, p50, p95] = table.columns(["date", "observed", "p05", "p50", "p95"])?;
    Ok(table
        .rows
        .iter()
        .filter_map(|r| {
            let t = Month::parse(&r[date])?.as_year();
            Some((
                t,
                number(&r[observed]),
                number(&r[p05]),
                number(&r[p50]),
                number(&r[p95]),
            ))
        })
        .collect())
}

/// The weight of the last generation's particles in each of [`BINS`] equal
/// bins of the prior range.
fn histogram(posterior: &CsvInput, parameter: &str, (lo, hi): (f64, f64)) -> Result<Vec<f64>> {
    let (generation, weight, value) = (
        posterior.column("generation")?,
        posterior.column("weight")?,
        posterior.column(parameter)?,
    );
    let last = posterior
        .rows
        .iter()
        .filter_map(|r| r[generation].parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    let mut bins = vec![0.0; BINS];
    for r in posterior.rows.iter().filter(|r| r[generation] == last.to_string()) {
        let (x, w) = (number(&r[value]), number(&r[weight]));
        if x.is_finite() && w.is_finite() && hi > lo {
            let k = (((x - lo) / (hi - lo)) * BINS as f64)
                .floor()
                .clamp(0.0, BINS as f64 - 1.0) as usize;
            bins[k] += w;
        }
    }
    Ok(bins)
}

/// The takeaway: each parameter's median and interval against its prior,
/// and how many observations the predictive band holds.
fn takeaway(c: &Calibration, summary: &[Summary], bands: &[Predicted]) -> String {
    let parts: Vec<String> = c
        .parameters
        .iter()
        .zip(summary)
        .zip(&c.priors)
        .map(|((p, (median, lo, hi, _)), (a, b))| {
            let d = fine(b - a);
            format!("{p} at {median:.d$} [90% CI {lo:.d$}, {hi:.d$}] (prior {a} .. {b})")
        })
        .collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let inside = bands.iter().filter(|b| b.2 <= b.1 && b.1 <= b.4).count();
    format!(
        "The posterior puts {}; {inside} of the {} observations lie inside the 90% predictive band.",
        and_list(&refs),
        bands.len()
    )
}

fn summary_table(c: &Calibration, summary: &[Summary]) -> String {
    let mut out = String::from(
        "<h2>Summary</h2>\n<table class=\"summary\">\n<tr><th>parameter</th><th>prior</th><th>median</th>\
         <th>90% credible interval</th><th>mean</th></tr>\n",
    );
    for ((p, (median, lo, hi, mean)), (a, b)) in c.parameters.iter().zip(summary).zip(&c.priors) {
        let d = fine(b - a);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{a} .. {b}</td><td>{median:.d$}</td><td>{lo:.d$} .. {hi:.d$}</td><td>{mean:.d$}</td></tr>",
            escape(p)
        );
    }
    out.push_str("</table>\n");
    out
}

fn generations_table(dir: &Path) -> Result<String> {
    let path = dir.join(GENERATIONS);
    if !path.exists() {
        return Ok(String::new());
    }
    let table = super::read_table(&path)?;
    let [g, epsilon, acceptance, simulations] =
        table.columns(["generation", "epsilon", "acceptance", "simulations"])?;
    let mut out = String::from(
        "<h2>Generations</h2>\n<p>Tolerance: the largest distance (RMSE) among a generation's kept particles; \
         acceptance rate: the share of its new particles closer than the previous tolerance.</p>\n<table class=\"generations\">\n\
         <tr><th>generation</th><th>tolerance</th><th>acceptance rate</th><th>simulations</th></tr>\n",
    );
    for r in &table.rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{:.5}</td><td>{:.3}</td><td>{}</td></tr>",
            escape(&r[g]),
            number(&r[epsilon]),
            number(&r[acceptance]),
            escape(&r[simulations])
        );
    }
    out.push_str("</table>\n");
    Ok(out)
}
