//! Fan charts: mean lines with p05-p95 bands, and observations as dots.

use plotters::prelude::*;

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Cartesian, Drawn, HEIGHT, LEGEND, Look, NEUTRAL, Swatch, TICK, WIDTH, axes, bounds, decimals, fixed, frame_with,
    legend, mesh, px, svg,
};

/// One scenario's band in a fan chart.
pub struct Fan<'a> {
    /// The series' name in the legend.
    pub name: &'a str,
    /// How it is drawn.
    pub look: Look,
    /// (x, p05, mean, p95), sorted by x.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// Whether to mark each point (sampled values of a sweep axis).
    pub markers: bool,
    /// Single observations (sweep points) drawn as neutral grey dots under the line: (x, y).
    pub scatter: Vec<(f64, f64)>,
}

/// Mean lines with p05-p95 bands, one per series, on shared axes. With
/// `x_label` "year", x values are fractional years and ticks are whole years.
pub fn fan_chart(title: &str, x_label: &str, y_label: &str, fans: &[Fan]) -> String {
    fan_chart_with(title, (x_label, y_label), fans, None, LEGEND, &[])
}

/// [`fan_chart`] with dated marks: a dotted vertical line and its label at
/// each (x, label) inside the x range, such as the branch of the futures.
pub fn fan_chart_marked(title: &str, x_label: &str, y_label: &str, fans: &[Fan], marks: &[(f64, &str)]) -> String {
    fan_chart_with(title, (x_label, y_label), fans, None, LEGEND, marks)
}

/// Observations drawn as black dots over the bands, with their own legend entry.
pub struct Dots<'a> {
    /// The legend entry.
    pub name: &'a str,
    /// (x, y) of each observation.
    pub points: Vec<(f64, f64)>,
}

/// [`fan_chart`] with observations over the bands (`dots`) and a legend
/// strip `strip` pixels wide (see [`legend_width`](super::legend_width)); the canvas widens with it;
/// and `marks` as in [`fan_chart_marked`].
pub fn fan_chart_with(
    title: &str,
    (x_label, y_label): (&str, &str),
    fans: &[Fan],
    dots: Option<&Dots>,
    strip: u32,
    marks: &[(f64, &str)],
) -> String {
    let years = x_label == "year";
    let observed = dots.map_or(&[][..], |d| d.points.as_slice());
    svg((WIDTH - LEGEND + strip, HEIGHT), |root| {
        let (plot, side) = frame_with(root, title, strip)?;
        let x = bounds(
            fans.iter()
                .flat_map(|f| f.points.iter().map(|p| p.0).chain(f.scatter.iter().map(|p| p.0)))
                .chain(observed.iter().map(|p| p.0)),
        );
        let y = bounds(
            fans.iter()
                .flat_map(|f| {
                    let band = f.points.iter().flat_map(|p| [p.1, p.3]);
                    band.chain(f.scatter.iter().map(|p| p.1))
                })
                .chain(observed.iter().map(|p| p.1)),
        );
        let x = if years { (x.0.floor(), x.1) } else { x };
        let mut chart = axes(&plot, 84, x.0..x.1, y.0..y.1)?;
        let (dx, dy) = (decimals(x.1 - x.0), decimals(y.1 - y.0));
        let x_ticks = |v: &f64| if years { format!("{v:.0}") } else { fixed(*v, dx) };
        mesh(&mut chart)
            .x_labels(if years { 8 } else { 6 })
            .y_labels(6)
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&|v| fixed(*v, dy))
            .x_desc(x_label)
            .y_desc(y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let ink = NEUTRAL[1];
        let note = TextStyle::from(("sans-serif", px(TICK)).into_font())
            .color(&ink)
            .pos(Pos::new(HPos::Left, VPos::Top));
        for &(at, label) in marks.iter().filter(|m| m.0 > x.0 && m.0 < x.1) {
            chart.draw_series(DashedLineSeries::new([(at, y.0), (at, y.1)], 2, 3, ink.stroke_width(1)))?;
            let (px_, py_) = chart.backend_coord(&(at, y.1));
            plot.draw(&Text::new(label.to_string(), (px_ + 3, py_ + 2), note.clone()))?;
        }
        for fan in fans {
            draw_fan(&mut chart, fan)?;
        }
        chart.draw_series(observed.iter().map(|&p| Circle::new(p, 4, BLACK.filled())))?;
        let mut entries: Vec<(String, Swatch)> = fans
            .iter()
            .map(|f| (f.name.to_string(), Swatch::Line(f.look)))
            .collect();
        if let Some(d) = dots {
            entries.push((d.name.to_string(), Swatch::Dot(BLACK)));
        }
        legend(&side, "", &entries)
    })
}

/// One band, its mean line and (optionally) a marker per point.
fn draw_fan(chart: &mut Cartesian, fan: &Fan) -> Drawn {
    let colour = fan.look.colour;
    let mut band: Vec<(f64, f64)> = fan.points.iter().map(|p| (p.0, p.3)).collect();
    band.extend(fan.points.iter().rev().map(|p| (p.0, p.1)));
    chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.18).filled())))?;
    let style = colour.stroke_width(2);
    let line = fan.points.iter().map(|p| (p.0, p.2));
    match fan.look.dash {
        (_, 0) => chart.draw_series(LineSeries::new(line, style))?,
        (dash, gap) => chart.draw_series(DashedLineSeries::new(line, dash, gap, style))?,
    };
    chart.draw_series(
        fan.scatter
            .iter()
            .map(|&p| Circle::new(p, 3, NEUTRAL[2].mix(0.6).filled())),
    )?;
    if fan.markers {
        chart.draw_series(fan.points.iter().map(|p| Circle::new((p.0, p.2), 3, colour.filled())))?;
    }
    Ok(())
}
