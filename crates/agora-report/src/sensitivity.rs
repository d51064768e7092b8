//! The report of an `agora sensitivity` folder: per output, the indices of
//! each parameter as horizontal bars with their bootstrap 95% intervals,
//! parameters ranked by `ST` (Sobol') or `mu_star` (Morris); the indices
//! over time when the folder has them; every index in a table.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Fan, IndexBar};
use super::run::and_list;
use super::{appendix, chart, escape, number, page};
use agora_core::error::Result;
use agora_core::model::METRICS;
use agora_core::output::analysis::{SENSITIVITY, SENSITIVITY_OVER_TIME};
use agora_core::output::manifest::{Content, Manifest};
use agora_core::output::table::CsvInput;

/// One row of `sensitivity.csv` (or of `sensitivity_over_time.csv`).
struct Row {
    output: String,
    step: Option<u32>,
    parameter: String,
    index: String,
    value: f64,
    lo: f64,
    hi: f64,
}

impl Row {
    fn contains_zero(&self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }

    fn cell(&self) -> String {
        let zero = if self.contains_zero() { " ~0" } else { "" };
        let f = |v| charts::fixed(v, 3);
        format!("{} [{}, {}]{zero}", f(self.value), f(self.lo), f(self.hi))
    }
}

fn rows(table: &CsvInput) -> Result<Vec<Row>> {
    let [output, parameter, index, value, lo, hi] =
        table.columns(["output", "parameter", "index", "value", "lo", "hi"])?;
    let step = table.find("step");
    Ok(table
        .rows
        .iter()
        .map(|r| Row {
            output: r[output].to_string(),
            step: step.and_then(|s| r[s].parse().ok()),
            parameter: r[parameter].to_string(),
            index: r[index].to_string(),
            value: number(&r[value]),
            lo: number(&r[lo]),
            hi: number(&r[hi]),
        })
        .collect())
}

/// The last segment of a parameter path (`digital_imitation`), or the last
/// two when the last is a single letter (`digitalization.a`).
pub(super) fn short(path: &str) -> &str {
    let mut cut = path.rmatch_indices('.').map(|(k, _)| k);
    match cut.next() {
        Some(k) if path.len() - k <= 2 => cut.next().map_or(path, |k| &path[k + 1..]),
        Some(k) => &path[k + 1..],
        None => path,
    }
}

/// The label of an output: a metric's label and name, or the column's name.
fn label(output: &str) -> String {
    match METRICS.iter().find(|m| m.name == output) {
        Some(m) => format!("{} ({})", m.label, m.name),
        None => output.to_string(),
    }
}

/// The indices of a method: the one that ranks, then the one shown beside it.
struct Method {
    name: &'static str,
    rank_by: &'static str,
    shown: [&'static str; 2],
    x_label: &'static str,
}

const SOBOL: Method = Method {
    name: "Sobol'",
    rank_by: "ST",
    shown: ["S1", "ST"],
    x_label: "index (share of the output's variance)",
};
const MORRIS: Method = Method {
    name: "Morris",
    rank_by: "mu_star",
    shown: ["mu_star", "sigma"],
    x_label: "elementary effect (output units)",
};

/// The page of the sensitivity folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let finals = rows(&super::read_table(&dir.join(SENSITIVITY))?)?;
    let over_time = match dir.join(SENSITIVITY_OVER_TIME) {
        path if path.exists() => rows(&super::read_table(&path)?)?,
        _ => Vec::new(),
    };
    let method = if finals.iter().chain(&over_time).any(|r| r.index == "ST") {
        &SOBOL
    } else {
        &MORRIS
    };
    let mut outputs: Vec<&str> = Vec::new();
    let mut parameters: Vec<&str> = Vec::new();
    for r in finals.iter().chain(&over_time) {
        if !outputs.contains(&r.output.as_str()) {
            outputs.push(&r.output);
        }
        if r.index != "S2" && !parameters.contains(&r.parameter.as_str()) {
            parameters.push(&r.parameter);
        }
    }
    let shorts: Vec<&str> = parameters.iter().map(|p| short(p)).collect();
    let title = format!(
        "{} sensitivity of {} output{} to {}",
        method.name,
        outputs.len(),
        if outputs.len() == 1 { "" } else { "s" },
        and_list(&shorts)
    );
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    if let Ok(Manifest {
        content: Content::Analysis { notes, .. },
        ..
    }) = Manifest::read(dir)
    {
        body.push_str("<ul class=\"notes\">\n");
        for note in notes {
            let _ = writeln!(body, "<li>{}</li>", escape(&note));
        }
        body.push_str("</ul>\n");
    }
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{}</strong></p>",
        escape(&takeaway(method, &finals, &outputs))
    );
    let what = match method.rank_by {
        "ST" => {
            "S1 is the share of the output's variance a parameter explains alone, ST the share it explains \
             with all its interactions"
        }
        _ => {
            "mu_star is the mean absolute elementary effect of a parameter, sigma the spread of its effects (large: interactions or non-linearity)"
        }
    };
    let _ = writeln!(
        body,
        "<p>{what}. Each chart ranks the parameters by {}, most influential on top. Bars are the estimates, \
         whiskers their bootstrap 95% percentile intervals (over the design points); a hollow bar is an index \
         whose interval contains 0, not told apart from no effect.</p>",
        method.rank_by
    );
    body.push_str("<h2>Indices of the final outputs</h2>\n<div class=\"charts\">\n");
    for output in &outputs {
        let mine: Vec<&Row> = finals.iter().filter(|r| r.output == *output).collect();
        if mine.is_empty() {
            continue;
        }
        let ranked = ranked(&mine, method.rank_by, &parameters);
        let bars: Vec<IndexBar> = mine
            .iter()
            .filter(|r| method.shown.contains(&r.index.as_str()))
            .map(|r| IndexBar {
                parameter: &r.parameter,
                index: &r.index,
                value: r.value,
                lo: r.lo,
                hi: r.hi,
            })
            .collect();
        body.push_str(&chart(&charts::index_chart(
            &label(output),
            method.x_label,
            &method.shown,
            &ranked,
            &bars,
        )));
    }
    body.push_str("</div>\n");
    body.push_str(&over_time_section(method, &over_time, &outputs, &parameters));
    body.push_str(&tables(method, &finals, &outputs, &parameters));
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// The parameters of `rows` by their `rank_by` index, largest first.
fn ranked<'a>(rows: &[&Row], rank_by: &str, parameters: &[&'a str]) -> Vec<&'a str> {
    let value = |p: &str| {
        rows.iter()
            .find(|r| r.parameter == p && r.index == rank_by)
            .map_or(f64::NEG_INFINITY, |r| r.value)
    };
    let mut ranked = parameters.to_vec();
    ranked.sort_by(|a, b| value(b).total_cmp(&value(a)));
    ranked
}

/// The takeaway: the parameter that ranks first for trust (or the first
/// output), and for how many outputs it ranks first.
fn takeaway(method: &Method, finals: &[Row], outputs: &[&str]) -> String {
    let top = |output: &str| {
        finals
            .iter()
            .filter(|r| r.output == output && r.index == method.rank_by && r.value.is_finite())
            .max_by(|a, b| a.value.total_cmp(&b.value))
    };
    let with_finals: Vec<&str> = outputs.iter().copied().filter(|o| top(o).is_some()).collect();
    let Some(&main) = with_finals.iter().find(|o| **o == "trust").or(with_finals.first()) else {
        return "No index of a final output could be computed.".to_string();
    };
    let best = top(main).expect("an output with an index");
    let name = METRICS
        .iter()
        .find(|m| m.name == main)
        .map_or(main.to_string(), |m| m.label.to_lowercase());
    let what = match method.rank_by {
        "ST" => "explains most of the variance",
        _ => "has the largest elementary effects",
    };
    let mut text = format!(
        "For {name}, {} {what} ({} {} [{}, {}]).",
        best.parameter,
        method.rank_by,
        charts::fixed(best.value, 2),
        charts::fixed(best.lo, 2),
        charts::fixed(best.hi, 2)
    );
    if best.contains_zero() {
        text.push_str(" Its interval contains 0: no parameter is told apart from no effect.");
    }
    let firsts = with_finals
        .iter()
        .filter(|o| top(o).is_some_and(|r| r.parameter == best.parameter))
        .count();
    if with_finals.len() > 1 {
        let _ = write!(
            text,
            " It ranks first for {firsts} of the {} outputs",
            with_finals.len()
        );
        // An output that never varies over the design has no index to rank.
        let undefined = outputs.len() - with_finals.len();
        text.push_str(&match undefined {
            0 => ".".to_string(),
            1 => " (one output has no defined index).".to_string(),
            k => format!(" ({k} outputs have no defined index)."),
        });
    }
    text
}

/// The ranking index of each parameter at every month, per output, as lines
/// over the years with their intervals as bands.
fn over_time_section(method: &Method, rows: &[Row], outputs: &[&str], parameters: &[&str]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<h2>{} over time</h2>\n<p>At every month, the {} of each parameter for the output at that month \
         (line) with its bootstrap 95% interval (band); years after the start of the runs.</p>\n\
         <div class=\"charts\">\n",
        method.rank_by, method.rank_by
    );
    let shorts: Vec<&str> = parameters.iter().map(|p| short(p)).collect();
    let strip = charts::legend_width(&shorts);
    // The rows of the ranking index grouped by (output, parameter) once: linear in the rows.
    let mut grouped: std::collections::HashMap<(&str, &str), Vec<&Row>> = std::collections::HashMap::new();
    for r in rows.iter().filter(|r| r.index == method.rank_by) {
        grouped
            .entry((r.output.as_str(), r.parameter.as_str()))
            .or_default()
            .push(r);
    }
    for output in outputs {
        let fans: Vec<Fan> = parameters
            .iter()
            .zip(&shorts)
            .enumerate()
            .filter_map(|(k, (p, name))| {
                let points: Vec<(f64, f64, f64, f64)> = grouped
                    .get(&(*output, *p))
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .filter_map(|r| Some((f64::from(r.step?) / 12.0, r.lo, r.value, r.hi)))
                    .filter(|b| b.2.is_finite())
                    .collect();
                (!points.is_empty()).then(|| Fan {
                    name,
                    look: charts::parameter_look(k, parameters.len()),
                    points,
                    markers: false,
                    scatter: Vec::new(),
                })
            })
            .collect();
        if fans.is_empty() {
            continue;
        }
        out.push_str(&chart(&charts::fan_chart_with(
            &format!("{}: {} over time", label(output), method.rank_by),
            ("years after the start", method.rank_by),
            &fans,
            None,
            strip,
            &[],
        )));
    }
    out.push_str("</div>\n");
    out
}

/// Every index of the final outputs, and the second-order ones if any.
fn tables(method: &Method, finals: &[Row], outputs: &[&str], parameters: &[&str]) -> String {
    let indices: Vec<&str> = match method.rank_by {
        "ST" => vec!["S1", "ST"],
        _ => vec!["mu_star", "mu", "sigma"],
    };
    let mut out =
        String::from("<h2>Every index</h2>\n<table class=\"indices\">\n<tr><th>output</th><th>parameter</th>");
    for i in &indices {
        let _ = write!(out, "<th>{i} [95% CI]</th>");
    }
    out.push_str("</tr>\n");
    for output in outputs {
        let mine: Vec<&Row> = finals.iter().filter(|r| r.output == *output).collect();
        for p in ranked(&mine, method.rank_by, parameters) {
            if !mine.iter().any(|r| r.parameter == p) {
                continue;
            }
            let _ = write!(out, "<tr><td>{}</td><td>{}</td>", escape(output), escape(p));
            for i in &indices {
                let cell = mine
                    .iter()
                    .find(|r| r.parameter == p && r.index == *i)
                    .map_or(String::new(), |r| r.cell());
                let _ = write!(out, "<td>{cell}</td>");
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</table>\n<p>~0: the interval contains 0.</p>\n");
    let pairs: Vec<&Row> = finals.iter().filter(|r| r.index == "S2").collect();
    if !pairs.is_empty() {
        out.push_str(
            "<h2>Second-order indices</h2>\n<p>S2: the share of the variance the interaction of two \
             parameters explains beyond their first-order effects.</p>\n<table class=\"s2\">\n\
             <tr><th>output</th><th>parameters</th><th>S2 [95% CI]</th></tr>\n",
        );
        for r in pairs {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.output),
                escape(&r.parameter.replace('|', " x ")),
                r.cell()
            );
        }
        out.push_str("</table>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_names_keep_a_word() {
        assert_eq!(super::short("dynamics.digital_imitation"), "digital_imitation");
        assert_eq!(super::short("citizens.digitalization.a"), "digitalization.a");
        assert_eq!(super::short("x0"), "x0");
    }
}
