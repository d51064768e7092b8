//! The report of an `agora optimize` folder: the front in parallel
//! coordinates (levers, objectives, cost), each objective against the cost
//! (every candidate, the front with its fresh intervals), the convergence,
//! and the front as a table. Hand-drawn SVG in neutral greys, the front's
//! lines on a sequential palette by cost (never the futures' colours).

use std::fmt::Write as _;
use std::path::Path;

use super::{appendix, chart, escape, number, page, read_table};
use agora_core::error::{Error, Result};
use agora_core::output::manifest::{Content, Manifest};
use agora_core::output::optimize::{CONVERGENCE, EVALUATIONS, PARETO};
use agora_core::output::table::CsvInput;

const W: f64 = 640.0;
const H: f64 = 400.0;
const PAD: f64 = 56.0;

/// A sequential palette (light to dark blue) for a share `t` in [0, 1].
fn sequential(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(198.0, 8.0),
        mix(219.0, 48.0),
        mix(239.0, 107.0)
    )
}

fn column(t: &CsvInput, name: &str) -> Result<Vec<f64>> {
    let j = t.column(name)?;
    Ok(t.rows.iter().map(|r| number(r.get(j).unwrap_or(""))).collect())
}

fn span(v: &[f64]) -> (f64, f64) {
    let lo = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    match (lo.is_finite(), hi > lo) {
        (false, _) => (0.0, 1.0),
        (true, false) => (lo - 0.5, lo + 0.5),
        (true, true) => (lo, hi),
    }
}

fn svg_open(title: &str, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" font-family=\"sans-serif\" \
         font-size=\"11\"><text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
        W / 2.0,
        escape(title)
    )
}

/// The page of the optimize folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let manifest = Manifest::read(dir)?;
    let Content::Analysis { notes, .. } = &manifest.content else {
        return Err(Error::Input(format!("{}: not an optimize folder", dir.display())));
    };
    let pareto = read_table(&dir.join(PARETO))?;
    let evaluations = read_table(&dir.join(EVALUATIONS))?;
    let convergence = read_table(&dir.join(CONVERGENCE))?;
    // Objectives: the columns with a `_fresh` twin, cost last.
    let objectives: Vec<String> = pareto
        .header
        .iter()
        .filter_map(|h| h.strip_suffix("_fresh").map(String::from))
        .collect();
    let levers: Vec<String> = pareto
        .header
        .iter()
        .filter(|h| h.starts_with("dynamics.") && !h.contains(':'))
        .cloned()
        .collect();
    let mut body = format!(
        "<h1>Optimize: {} policies on the front</h1>\n<ul class=\"notes\">\n",
        pareto.rows.len()
    );
    for note in notes {
        let _ = writeln!(body, "<li>{}</li>", escape(note));
    }
    body.push_str(
        "</ul>\n<p>Each line of the first chart is a policy of the front: its levers, then its objectives \
         (search estimates), then its cost; the darker, the costlier. The next charts put each objective \
         against the cost: every candidate evaluated in grey, the front in dark blue with the 95% interval \
         of its fresh re-evaluation (other seeds) as a bar; a front that moves on fresh seeds was fitted to \
         the search's seeds.</p>\n<div class=\"charts\">\n",
    );
    let cost = column(&pareto, "cost")?;
    let (c_lo, c_hi) = span(&cost);
    let mut axes: Vec<(String, Vec<f64>)> = Vec::new();
    for name in levers.iter().chain(&objectives) {
        axes.push((name.clone(), column(&pareto, name)?));
    }
    body.push_str(&chart(&parallel(&axes, &cost, (c_lo, c_hi))));
    let all_cost = column(&evaluations, "cost")?;
    for name in objectives.iter().filter(|o| *o != "cost") {
        let all = column(&evaluations, name)?;
        let front = column(&pareto, name)?;
        let lo = column(&pareto, &format!("{name}_lo"))?;
        let hi = column(&pareto, &format!("{name}_hi"))?;
        body.push_str(&chart(&trade_off(name, (&all_cost, &all), (&cost, &front, &lo, &hi))));
    }
    let gens = column(&convergence, "generation")?;
    let hv = column(&convergence, "hypervolume")?;
    body.push_str(&chart(&line("Hypervolume by generation", "generation", &gens, &hv)));
    body.push_str("</div>\n<h2>The front</h2>\n<table>\n<tr>");
    for h in &pareto.header {
        let _ = write!(body, "<th>{}</th>", escape(h));
    }
    body.push_str("</tr>\n");
    for row in &pareto.rows {
        body.push_str("<tr>");
        for cell in row {
            let text = match cell.parse::<f64>() {
                Ok(x) if cell.contains('.') => format!("{x:.4}"),
                _ => cell.to_string(),
            };
            let _ = write!(body, "<td>{}</td>", escape(&text));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</table>\n");
    body.push_str(&appendix(dir)?);
    Ok(page("agora optimize", &body))
}

/// Parallel coordinates: one vertical axis per column, each scaled to the front's range.
fn parallel(axes: &[(String, Vec<f64>)], cost: &[f64], (c_lo, c_hi): (f64, f64)) -> String {
    let height = H + 60.0;
    let mut s = svg_open("The front in parallel coordinates (darker: costlier)", height);
    let n = axes.len().max(2) as f64;
    let x = |k: usize| PAD + k as f64 * (W - 2.0 * PAD) / (n - 1.0);
    let (top, bottom) = (40.0, H - 20.0);
    let spans: Vec<(f64, f64)> = axes.iter().map(|(_, v)| span(v)).collect();
    let y = |k: usize, v: f64| bottom - (v - spans[k].0) / (spans[k].1 - spans[k].0) * (bottom - top);
    let mut order: Vec<usize> = (0..cost.len()).collect();
    order.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]));
    for i in order {
        let points: Vec<String> = axes
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| v[i].is_finite())
            .map(|(k, (_, v))| format!("{:.1},{:.1}", x(k), y(k, v[i])))
            .collect();
        let colour = sequential((cost[i] - c_lo) / (c_hi - c_lo));
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" opacity=\"0.9\"/>",
            points.join(" ")
        );
    }
    for (k, (name, _)) in axes.iter().enumerate() {
        let (lo, hi) = spans[k];
        let label = name.strip_prefix("dynamics.").unwrap_or(name);
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{top}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"#555\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{hi:.3}</text>\
             <text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{lo:.3}</text>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"end\" transform=\"rotate(-30 {0:.1} {3:.1})\">{4}</text>",
            x(k),
            top - 4.0,
            bottom + 13.0,
            bottom + 30.0,
            escape(label)
        );
    }
    s + "</svg>"
}

/// One objective against the cost: every candidate, the front with intervals.
fn trade_off(name: &str, (all_x, all_y): (&[f64], &[f64]), front: (&[f64], &[f64], &[f64], &[f64])) -> String {
    let (fx, fy, lo, hi) = front;
    let mut s = svg_open(&format!("{name} against cost"), H);
    let xs: Vec<f64> = all_x.iter().chain(fx).copied().collect();
    let ys: Vec<f64> = all_y.iter().chain(fy).chain(lo).chain(hi).copied().collect();
    let ((x0, x1), (y0, y1)) = (span(&xs), span(&ys));
    let px = |v: f64| PAD + (v - x0) / (x1 - x0) * (W - 2.0 * PAD);
    let py = |v: f64| H - PAD - (v - y0) / (y1 - y0) * (H - 2.0 * PAD);
    axes_frame(&mut s, (x0, x1), (y0, y1), "cost (extra euros per citizen)", name);
    for (&a, &b) in all_x.iter().zip(all_y) {
        if a.is_finite() && b.is_finite() {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#bbb\"/>",
                px(a),
                py(b)
            );
        }
    }
    for i in 0..fx.len() {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#08306b\" opacity=\"0.5\"/>\
             <circle cx=\"{0:.1}\" cy=\"{3:.1}\" r=\"3.5\" fill=\"#08306b\"/>",
            px(fx[i]),
            py(lo[i]),
            py(hi[i]),
            py(fy[i])
        );
    }
    s + "</svg>"
}

fn axes_frame(s: &mut String, (x0, x1): (f64, f64), (y0, y1): (f64, f64), x_label: &str, y_label: &str) {
    let _ = write!(
        s,
        "<rect x=\"{PAD}\" y=\"{PAD}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#555\"/>\
         <text x=\"{PAD}\" y=\"{}\" >{x0:.3}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{x1:.3}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{y0:.3}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{y1:.3}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>",
        W - 2.0 * PAD,
        H - 2.0 * PAD,
        H - PAD + 14.0,
        W - PAD,
        H - PAD + 14.0,
        PAD - 4.0,
        H - PAD,
        PAD - 4.0,
        PAD + 8.0,
        W / 2.0,
        H - 12.0,
        escape(x_label),
        H / 2.0,
        H / 2.0,
        escape(y_label)
    );
}

/// A line chart of `y` against `x`.
fn line(title: &str, x_label: &str, x: &[f64], y: &[f64]) -> String {
    let mut s = svg_open(title, H);
    let ((x0, x1), (y0, y1)) = (span(x), span(y));
    axes_frame(&mut s, (x0, x1), (y0, y1), x_label, "hypervolume (scaled objectives)");
    let points: Vec<String> = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| {
            format!(
                "{:.1},{:.1}",
                PAD + (a - x0) / (x1 - x0) * (W - 2.0 * PAD),
                H - PAD - (b - y0) / (y1 - y0) * (H - 2.0 * PAD)
            )
        })
        .collect();
    let _ = write!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\"/>",
        points.join(" ")
    );
    s + "</svg>"
}
