//! Index charts: sensitivity indices per parameter with their intervals.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{NEUTRAL, Swatch, TICK, WIDTH, axes, bounds, decimals, fixed, frame, legend, mesh, px, svg};

/// The colours of the indices of an index chart, in order: neutral greys
/// (an index is neither a future nor a parameter), mid then dark, and the
/// black whiskers show on both. Mid is the lightest grey at 3:1 or more on
/// white, as a graphic that carries meaning needs (WCAG 1.4.11).
pub const INDEX_COLOURS: [RGBColor; 2] = [NEUTRAL[2], NEUTRAL[1]];

/// One bar of an index chart: a sensitivity index of a parameter with its
/// 95% interval.
pub struct IndexBar<'a> {
    /// The parameter (a row of the chart).
    pub parameter: &'a str,
    /// The index (`S1`, `ST`, `mu_star`, `sigma`).
    pub index: &'a str,
    /// The estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

impl IndexBar<'_> {
    /// Whether the interval contains 0 (the index is not told from none).
    pub fn contains_zero(&self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }
}

/// Horizontal bars, one row per parameter in the order given (most
/// influential first), one bar per index with its interval whisker; a bar
/// whose interval contains 0 is hollow. Each row is named above its bars.
pub fn index_chart(title: &str, x_label: &str, indices: &[&str], parameters: &[&str], bars: &[IndexBar]) -> String {
    let n = parameters.len().max(1) as f64;
    let m = indices.len().max(1);
    let row_px = 24.0 + 16.0 * m as f64 + 10.0;
    let height = (row_px * n) as u32 + 118;
    let x = bounds(bars.iter().flat_map(|b| [b.lo, b.hi, b.value]).chain([0.0]));
    svg((WIDTH, height), |root| {
        let (plot, side) = frame(root, title)?;
        let mut chart = axes(&plot, 34, x.0..x.1, 0.0..n)?;
        let dx = decimals(x.1 - x.0);
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| fixed(*v, dx))
            .x_desc(x_label)
            .y_desc("parameter")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let unit = 1.0 / row_px;
        if x.0 < 0.0 {
            let grey = NEUTRAL[2];
            chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, n)], grey)))?;
        }
        let name_style = TextStyle::from(("sans-serif", px(TICK)).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (k, parameter) in parameters.iter().enumerate() {
            let top = n - k as f64;
            chart.draw_series(std::iter::once(Text::new(
                parameter.to_string(),
                (x.0 + (x.1 - x.0) * 0.01, top - 12.0 * unit),
                name_style.clone(),
            )))?;
            for (i, index) in indices.iter().enumerate() {
                let Some(b) = bars.iter().find(|b| b.parameter == *parameter && b.index == *index) else {
                    continue;
                };
                let colour = INDEX_COLOURS[i % INDEX_COLOURS.len()];
                let (y1, y0) = (
                    top - (24.0 + 16.0 * i as f64) * unit,
                    top - (24.0 + 16.0 * i as f64 + 12.0) * unit,
                );
                let style = if b.contains_zero() {
                    colour.stroke_width(2)
                } else {
                    colour.filled()
                };
                if b.value.is_finite() {
                    chart.draw_series(std::iter::once(Rectangle::new([(0.0, y0), (b.value, y1)], style)))?;
                }
                if b.lo.is_finite() && b.hi.is_finite() {
                    let mid = (y0 + y1) / 2.0;
                    let cap = 5.0 * unit;
                    for path in [
                        vec![(b.lo, mid), (b.hi, mid)],
                        vec![(b.lo, mid - cap), (b.lo, mid + cap)],
                        vec![(b.hi, mid - cap), (b.hi, mid + cap)],
                    ] {
                        chart.draw_series(std::iter::once(PathElement::new(path, BLACK.stroke_width(1))))?;
                    }
                }
            }
        }
        let mut entries: Vec<(String, Swatch)> = indices
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), Swatch::Box(INDEX_COLOURS[i % INDEX_COLOURS.len()])))
            .collect();
        entries.push(("hollow: CI holds 0".to_string(), Swatch::Hollow(NEUTRAL[1])));
        legend(&side, "index", &entries)
    })
}
