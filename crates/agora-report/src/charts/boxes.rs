//! PRIM's charts: the peeling trajectory and the chosen box's limits.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    CELL, HEIGHT, Look, NEUTRAL, PARAMETER_COLOURS, Swatch, WIDTH, axes, decimals, fixed, frame, legend, mesh, px, svg,
};

/// A PRIM peeling trajectory: density against coverage, a point per step;
/// the chosen step ringed and labelled with `label` (one line each), the
/// pasted box (if it differs) as a cross.
pub fn trajectory_chart(
    title: &str,
    steps: &[(f64, f64)],
    chosen: usize,
    label: &[String],
    pasted: Option<(f64, f64)>,
) -> String {
    // Neither a future nor a parameter: the neutral greys.
    let line = NEUTRAL[2];
    let mark = NEUTRAL[0];
    svg((WIDTH, HEIGHT), |root| {
        let (plot, side) = frame(root, title)?;
        // Both are shares: axes from a little below the smallest to a
        // little above the largest, within 0..1 and never narrower than 0.1.
        let share = |v: Vec<f64>| {
            let lo = v.iter().copied().fold(1.0, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            let lo = (lo - 0.05).min(hi - 0.1).max(0.0);
            (lo, (hi + 0.05).max(lo + 0.1).min(1.05))
        };
        let x = share(
            steps
                .iter()
                .map(|p| p.0)
                .chain(pasted.map(|p| p.0))
                .chain([1.0])
                .collect(),
        );
        let y = share(steps.iter().map(|p| p.1).chain(pasted.map(|p| p.1)).collect());
        let mut chart = axes(&plot, 70, x.0..x.1, y.0..y.1)?;
        let (dx, dy) = (decimals(x.1 - x.0), decimals(y.1 - y.0));
        mesh(&mut chart)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| fixed(*v, dx))
            .y_label_formatter(&|v| fixed(*v, dy))
            .x_desc("coverage (share of all cases inside the box)")
            .y_desc("density (share of cases in the box)")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(LineSeries::new(steps.iter().copied(), line.stroke_width(2)))?;
        chart.draw_series(steps.iter().map(|&p| Circle::new(p, 3, line.filled())))?;
        if let Some(p) = pasted {
            chart.draw_series(std::iter::once(Cross::new(p, 6, BLACK.stroke_width(2))))?;
        }
        if let Some(&p) = steps.get(chosen) {
            chart.draw_series(std::iter::once(Circle::new(p, 8, mark.stroke_width(3))))?;
            // The label beside the ring. A trajectory falls from the upper
            // left to the lower right, so below-left of a point and
            // above-right of it are empty: the first with room is taken.
            let (cx, cy) = chart.backend_coord(&p);
            let ((left, top), (right, bottom)) = (chart.backend_coord(&(x.0, y.1)), chart.backend_coord(&(x.1, y.0)));
            let longest = label.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32;
            let (wide, tall) = (20 + 7 * longest, 22 + 17 * label.len() as i32);
            let (h, dx, below) = if cx - left > wide && bottom - cy > tall {
                (HPos::Right, -14, true)
            } else if right - cx > wide && cy - top > tall {
                (HPos::Left, 14, false)
            } else if cx > (left + right) / 2 {
                (HPos::Right, -14, cy < (top + bottom) / 2)
            } else {
                (HPos::Left, 14, cy < (top + bottom) / 2)
            };
            let style = TextStyle::from(("sans-serif", px(CELL)).into_font()).pos(Pos::new(h, VPos::Center));
            for (k, text) in label.iter().enumerate() {
                let k = k as i32;
                let y = if below {
                    cy + 22 + 17 * k
                } else {
                    cy - 22 - 17 * (label.len() as i32 - 1 - k)
                };
                root.draw(&Text::new(text.clone(), (cx + dx, y), style.clone()))?;
            }
        }
        let mut entries = vec![
            (
                "peeling steps".to_string(),
                Swatch::Line(Look {
                    colour: line,
                    dash: (1000, 0),
                }),
            ),
            ("chosen step".to_string(), Swatch::Hollow(mark)),
        ];
        if pasted.is_some() {
            entries.push(("pasted box (x)".to_string(), Swatch::Dot(BLACK)));
        }
        legend(&side, "", &entries)
    })
}

/// One restricted input of a PRIM box: its name, the data's range and the box's.
pub struct Limit<'a> {
    /// The input.
    pub name: &'a str,
    /// (min, max) of the input over the data.
    pub data: (f64, f64),
    /// (lower, upper) limit of the box.
    pub inside: (f64, f64),
}

/// The box's limits over each input's data range: a grey bar for the data,
/// the box in colour, the numbers written; x is the position within each
/// input's own range (0 its minimum, 1 its maximum).
pub fn limits_chart(title: &str, limits: &[Limit]) -> String {
    // The box restricts parameters: the sequential palette; the data range neutral.
    let grey = NEUTRAL[4];
    let colour = PARAMETER_COLOURS[1];
    let n = limits.len().max(1) as f64;
    let row_px = 66.0;
    let height = (row_px * n) as u32 + 118;
    svg((WIDTH, height), |root| {
        let (plot, side) = frame(root, title)?;
        let mut chart = axes(&plot, 34, -0.02..1.02, 0.0..n)?;
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| fixed(*v, 1))
            .x_desc("position in the input's data range (0 min, 1 max)")
            .y_desc("restricted input")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let unit = 1.0 / row_px;
        let font = || TextStyle::from(("sans-serif", px(CELL)).into_font());
        for (k, l) in limits.iter().enumerate() {
            let top = n - k as f64;
            let d = decimals(l.data.1 - l.data.0) + 1;
            let at = |v: f64| {
                if l.data.1 > l.data.0 {
                    (v - l.data.0) / (l.data.1 - l.data.0)
                } else {
                    0.0
                }
            };
            chart.draw_series(std::iter::once(Text::new(
                format!("{}: {} .. {}", l.name, fixed(l.inside.0, d), fixed(l.inside.1, d)),
                (0.0, top - 11.0 * unit),
                font().pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
            let (y1, y0) = (top - 22.0 * unit, top - 36.0 * unit);
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, y0), (1.0, y1)], grey.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(at(l.inside.0), y0), (at(l.inside.1), y1)],
                colour.filled(),
            )))?;
            for (v, x, h) in [(l.data.0, 0.0, HPos::Left), (l.data.1, 1.0, HPos::Right)] {
                chart.draw_series(std::iter::once(Text::new(
                    fixed(v, d),
                    (x, top - 48.0 * unit),
                    font().color(&NEUTRAL[1]).pos(Pos::new(h, VPos::Center)),
                )))?;
            }
        }
        let entries = vec![
            ("data range".to_string(), Swatch::Box(grey)),
            ("the box".to_string(), Swatch::Box(colour)),
        ];
        legend(&side, "", &entries)
    })
}
