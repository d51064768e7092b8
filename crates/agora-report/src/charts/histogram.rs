//! Histograms: a weighted posterior over its prior range.

use plotters::prelude::*;

use super::{HEIGHT, Look, NEUTRAL, PARAMETER_COLOURS, Swatch, WIDTH, axes, decimals, fixed, frame, legend, mesh, svg};

/// A weighted histogram over a prior range: bar heights are the weight in
/// each bin; the median (solid) and the ends of the interval (dashed) are
/// marked, the interval shaded.
pub fn histogram_chart(
    title: &str,
    x_label: &str,
    range: (f64, f64),
    bins: &[f64],
    median: f64,
    interval: (f64, f64),
) -> String {
    // A parameter's posterior: the sequential palette; the interval neutral.
    let colour = PARAMETER_COLOURS[3];
    let shade = NEUTRAL[2];
    svg((WIDTH, HEIGHT), |root| {
        let (plot, side) = frame(root, title)?;
        let top = bins.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.12;
        let mut chart = axes(&plot, 70, range.0..range.1, 0.0..top)?;
        let (dx, dy) = (decimals(range.1 - range.0) + 1, decimals(top));
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(5)
            .y_labels(6)
            .x_label_formatter(&|v| fixed(*v, dx))
            .y_label_formatter(&|v| fixed(*v, dy))
            .x_desc(x_label)
            .y_desc("posterior weight per bin")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(interval.0, 0.0), (interval.1, top)],
            NEUTRAL[4].mix(0.6).filled(),
        )))?;
        let width = (range.1 - range.0) / bins.len().max(1) as f64;
        chart.draw_series(bins.iter().enumerate().map(|(k, &w)| {
            let x0 = range.0 + width * k as f64;
            Rectangle::new([(x0 + width * 0.06, 0.0), (x0 + width * 0.94, w)], colour.filled())
        }))?;
        for v in [interval.0, interval.1] {
            chart.draw_series(DashedLineSeries::new([(v, 0.0), (v, top)], 6, 4, shade.stroke_width(2)))?;
        }
        chart.draw_series(LineSeries::new(
            [(median, 0.0), (median, top)],
            NEUTRAL[0].stroke_width(2),
        ))?;
        let entries = vec![
            ("posterior".to_string(), Swatch::Box(colour)),
            (
                "median".to_string(),
                Swatch::Line(Look {
                    colour: NEUTRAL[0],
                    dash: (1000, 0),
                }),
            ),
            (
                "90% credible".to_string(),
                Swatch::Line(Look {
                    colour: shade,
                    dash: (6, 4),
                }),
            ),
        ];
        legend(&side, "", &entries)
    })
}
