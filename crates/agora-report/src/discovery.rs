//! The report of an `agora discover` folder: per box, the peeling
//! trajectory (density against coverage) with the chosen step marked, the
//! box's limits over each restricted input's data range, and its quasi-p
//! values.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Limit};
use super::run::and_list;
use super::{appendix, chart, escape, number, page};
use agora_core::error::Result;
use agora_core::output::analysis::{BOXES, TRAJECTORY};
use agora_core::output::manifest::{Content, Manifest};
use agora_core::output::table::CsvInput;

/// One box of `trajectory.csv` or `boxes.csv`.
struct BoxRow {
    index: usize,
    step: usize,
    coverage: f64,
    density: f64,
    mass: f64,
    /// (lo, hi) per input.
    limits: Vec<(f64, f64)>,
    /// Quasi-p per input (`None`: unrestricted); empty on the trajectory.
    quasi_p: Vec<Option<f64>>,
    /// Points and cases in the box (`boxes.csv` only).
    counts: Option<(String, String)>,
}

/// The inputs (from the `<input>_lo` columns) and the rows of a box table.
fn read_boxes(table: &CsvInput) -> Result<(Vec<String>, Vec<BoxRow>)> {
    let inputs: Vec<String> = table
        .header
        .iter()
        .filter_map(|h| h.strip_suffix("_lo").map(String::from))
        .collect();
    let [b, step, coverage, density, mass] = table.columns(["box", "step", "coverage", "density", "mass"])?;
    let los = inputs
        .iter()
        .map(|i| table.column(&format!("{i}_lo")))
        .collect::<Result<Vec<_>>>()?;
    let his = inputs
        .iter()
        .map(|i| table.column(&format!("{i}_hi")))
        .collect::<Result<Vec<_>>>()?;
    let qps: Vec<Option<usize>> = inputs.iter().map(|i| table.find(&format!("{i}_qp"))).collect();
    let (points, cases) = (table.find("points"), table.find("cases"));
    let rows = table
        .rows
        .iter()
        .map(|r| BoxRow {
            index: r[b].parse().unwrap_or(0),
            step: r[step].parse().unwrap_or(0),
            coverage: number(&r[coverage]),
            density: number(&r[density]),
            mass: number(&r[mass]),
            limits: los
                .iter()
                .zip(&his)
                .map(|(&l, &h)| (number(&r[l]), number(&r[h])))
                .collect(),
            quasi_p: qps.iter().filter_map(|q| q.map(|q| r[q].parse::<f64>().ok())).collect(),
            counts: points.zip(cases).map(|(p, c)| (r[p].to_string(), r[c].to_string())),
        })
        .collect();
    Ok((inputs, rows))
}

/// The target and its counts, from the manifest's notes
/// (`target: class=fracture (206 of 2560 rows)`).
fn target(dir: &Path) -> (String, String) {
    let Ok(Manifest {
        content: Content::Analysis { notes, .. },
        ..
    }) = Manifest::read(dir)
    else {
        return ("the target".into(), String::new());
    };
    let Some(note) = notes.iter().find_map(|n| n.strip_prefix("target: ")) else {
        return ("the target".into(), String::new());
    };
    match note.split_once(" (") {
        Some((expr, counts)) => (expr.to_string(), counts.trim_end_matches(')').to_string()),
        None => (note.to_string(), String::new()),
    }
}

/// "the fracture cases" for `class=fracture`, else "the cases (EXPR)".
fn cases_of(expr: &str) -> String {
    match expr.strip_prefix("class=") {
        Some(class) => format!("the {class} cases"),
        None => format!("the cases ({expr})"),
    }
}

/// The page of the discovery folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let (inputs, trajectory) = read_boxes(&super::read_table(&dir.join(TRAJECTORY))?)?;
    let (_, boxes) = read_boxes(&super::read_table(&dir.join(BOXES))?)?;
    let (expr, counts) = target(dir);
    // The data's range of each input: the limits of the first box's first
    // step, which restricts nothing.
    let span: Vec<(f64, f64)> = trajectory
        .iter()
        .find(|r| r.index == 0 && r.step == 0)
        .map_or_else(|| vec![(f64::NAN, f64::NAN); inputs.len()], |r| r.limits.clone());
    let names: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let title = format!("Scenario discovery: where {expr}, over {}", and_list(&names));
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    if !counts.is_empty() {
        let _ = writeln!(
            body,
            "<p>Cases of interest: {} ({}).</p>",
            escape(&expr),
            escape(&counts)
        );
    }
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{}</strong></p>",
        escape(&takeaway(&expr, &inputs, &boxes, &span))
    );
    body.push_str(
        "<p>PRIM peels a box of input ranges down from the whole data, a small slice at a time. <em>Coverage</em> \
         is the share of the cases of interest inside the box, <em>density</em> the share of the box's points \
         that are cases, <em>mass</em> the share of all points inside it. The chosen step is the densest with at \
         least the minimum coverage; pasting then widens it while that raises the density. A restricted input's \
         <em>quasi-p</em> value is a one-sided binomial test of the box against the box without that restriction \
         (small: the restriction matters). Box k &gt; 0 is sought on the points outside the earlier boxes, and \
         its statistics are over those points. Boxes are numbered from 0, as in boxes.csv.</p>\n",
    );
    for found in &boxes {
        body.push_str(&box_section(found, &inputs, &trajectory, &span));
    }
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// `lo < name < hi`, or one side where the box reaches the data's end.
fn condition(name: &str, (lo, hi): (f64, f64), (min, max): (f64, f64)) -> String {
    let d = charts::decimals(max - min) + 1;
    match (lo <= min, hi >= max) {
        (true, true) => format!("any {name}"),
        (true, false) => format!("{name} < {hi:.d$}"),
        (false, true) => format!("{name} > {lo:.d$}"),
        (false, false) => format!("{lo:.d$} < {name} < {hi:.d$}"),
    }
}

/// A restricted input of a box: its name, the box's limits, the data's range.
type Restricted<'a> = (&'a str, (f64, f64), (f64, f64));

/// The restricted inputs of a box.
fn restricted<'a>(found: &BoxRow, inputs: &'a [String], span: &[(f64, f64)]) -> Vec<Restricted<'a>> {
    inputs
        .iter()
        .enumerate()
        .filter(|(j, _)| found.quasi_p.get(*j).copied().flatten().is_some())
        .map(|(j, name)| (name.as_str(), found.limits[j], span[j]))
        .collect()
}

/// The takeaway: the first box's coverage, density and conditions.
fn takeaway(expr: &str, inputs: &[String], boxes: &[BoxRow], span: &[(f64, f64)]) -> String {
    let Some(first) = boxes.first() else {
        return "No box was found.".to_string();
    };
    let conditions: Vec<String> = restricted(first, inputs, span)
        .iter()
        .map(|(name, limits, data)| condition(name, *limits, *data))
        .collect();
    let refs: Vec<&str> = conditions.iter().map(String::as_str).collect();
    let mut text = format!(
        "Box {} covers {:.0}% of {} with density {:.0}%",
        first.index,
        100.0 * first.coverage,
        cases_of(expr),
        100.0 * first.density
    );
    if refs.is_empty() {
        text.push_str(", restricting no input.");
    } else {
        let _ = write!(text, " when {}.", and_list(&refs));
    }
    if boxes.len() > 1 {
        let _ = write!(
            text,
            " {} more box{} cover{} part of the remaining cases.",
            boxes.len() - 1,
            if boxes.len() == 2 { "" } else { "es" },
            if boxes.len() == 2 { "s" } else { "" }
        );
    }
    text
}

/// One box: its trajectory, its limits and its table.
fn box_section(found: &BoxRow, inputs: &[String], trajectory: &[BoxRow], span: &[(f64, f64)]) -> String {
    let b = found.index;
    let steps: Vec<&BoxRow> = trajectory.iter().filter(|r| r.index == b).collect();
    let points: Vec<(f64, f64)> = steps.iter().map(|r| (r.coverage, r.density)).collect();
    let chosen = steps.iter().position(|r| r.step == found.step).unwrap_or(0);
    let at = steps.get(chosen);
    let mut label = vec![format!("box {b}, step {}", found.step)];
    if let Some(r) = at {
        label.push(format!("coverage {:.2}", r.coverage));
        label.push(format!("density {:.2}", r.density));
    }
    let pasted = (found.coverage, found.density);
    let pasted = at.is_none_or(|r| (r.coverage, r.density) != pasted).then_some(pasted);
    let mut out = format!(
        "<h2>Box {b}</h2>\n<p>Chosen: step {} of {} peeling steps; after pasting, coverage {:.3}, density {:.3}, \
         mass {:.3}{}.</p>\n<div class=\"charts\">\n",
        found.step,
        steps.len().saturating_sub(1),
        found.coverage,
        found.density,
        found.mass,
        found
            .counts
            .as_ref()
            .map_or(String::new(), |(p, c)| format!(" ({p} points, {c} cases)"))
    );
    out.push_str(&chart(&charts::trajectory_chart(
        &format!("Box {b}: peeling trajectory"),
        &points,
        chosen,
        &label,
        pasted,
    )));
    let kept = restricted(found, inputs, span);
    if !kept.is_empty() {
        let limits: Vec<Limit> = kept
            .iter()
            .map(|(name, inside, data)| Limit {
                name,
                data: *data,
                inside: *inside,
            })
            .collect();
        out.push_str(&chart(&charts::limits_chart(&format!("Box {b}: limits"), &limits)));
    }
    out.push_str("</div>\n");
    out.push_str("<table class=\"limits\">\n<tr><th>input</th><th>box</th><th>data range</th><th>quasi-p</th></tr>\n");
    let mut free = Vec::new();
    for (j, name) in inputs.iter().enumerate() {
        let Some(qp) = found.quasi_p.get(j).copied().flatten() else {
            free.push(name.as_str());
            continue;
        };
        let (lo, hi) = found.limits[j];
        let (min, max) = span[j];
        let d = charts::decimals(max - min) + 1;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{lo:.d$} .. {hi:.d$}</td><td>{min:.d$} .. {max:.d$}</td><td>{qp:.2e}</td></tr>",
            escape(name)
        );
    }
    out.push_str("</table>\n");
    if !free.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"unrestricted\">Unrestricted: {}.</p>",
            escape(&free.join(", "))
        );
    }
    out
}
