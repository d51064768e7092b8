//! SVG charts drawn with plotters; each function returns an `<svg>` string.
//!
//! One look per future everywhere ([`look()`], the palette and dashes in
//! `look.rs`). Every chart has a title, axis labels and a legend outside the
//! plotting area; no text is smaller than 12 px. This file holds the canvas
//! they share (sizes, fonts, frame, legend); one file per kind of chart:
//! `fan.rs` (bands over time or an axis), `classes.rs` (class shares and the
//! phase diagram), `indices.rs` (sensitivity indices), `boxes.rs` (PRIM's
//! trajectory and box limits), `histogram.rs` (a posterior).

mod boxes;
mod classes;
mod fan;
mod histogram;
mod indices;
mod look;

use plotters::element::DashedPathElement;
use std::ops::Range;

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use boxes::{Limit, limits_chart, trajectory_chart};
pub use classes::{Bar, Cell, PhaseAxis, class_chart, phase_diagram};
pub use fan::{Dots, Fan, fan_chart, fan_chart_marked, fan_chart_with};
pub use histogram::histogram_chart;
pub use indices::{INDEX_COLOURS, IndexBar, index_chart};
pub use look::{
    BRANCH_LABEL, CLASS_COLOURS, Look, MIN_TEXT_PX, NEUTRAL, OTHER_COLOURS, PARAMETER_COLOURS, contrast, decimals,
    fixed, hex, initials, is_future_colour, look, neutral_look, number_text, parameter_look, signed,
};

/// Chart width in pixels.
pub const WIDTH: u32 = 640;
/// Chart height in pixels.
pub const HEIGHT: u32 = 400;
/// Width of the legend strip right of the plotting area.
const LEGEND: u32 = 170;
/// Font sizes in CSS pixels: title, axis descriptions, tick labels and
/// legends, cell labels.
const TITLE: f64 = 18.0;
const AXIS: f64 = 14.0;
const TICK: f64 = 13.0;
const CELL: f64 = 12.5;

/// The font size to give plotters for `css` pixels: its SVG backend writes
/// a font of size s as `font-size` s / 1.24.
fn px(css: f64) -> f64 {
    css * 1.24
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-3);
    (lo - pad, hi + pad)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// A chart's plotting area with both axes in numbers.
type Cartesian<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The plotting area of a chart inside `plot`: axes over `x` and `y`, a
/// strip `y_labels` pixels wide for the y tick labels and its description.
fn axes<'a, 'b>(
    plot: &'a Area<'b>,
    y_labels: u32,
    x: Range<f64>,
    y: Range<f64>,
) -> Result<Cartesian<'a, 'b>, Box<dyn std::error::Error>> {
    Ok(ChartBuilder::on(plot)
        .margin(8)
        .x_label_area_size(46)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)?)
}

/// The mesh of `chart` in the charts' fonts (tick labels, axis
/// descriptions); the caller sets the ticks and labels and draws it.
fn mesh<'a, 'b, 'c>(
    chart: &'c mut Cartesian<'a, 'b>,
) -> MeshStyle<'a, 'c, RangedCoordf64, RangedCoordf64, SVGBackend<'b>> {
    let mut mesh = chart.configure_mesh();
    mesh.label_style(("sans-serif", px(TICK)))
        .axis_desc_style(("sans-serif", px(AXIS)));
    mesh
}

/// Draw on a white SVG canvas of `size`; returns the `<svg>` text (or a
/// note in its place if plotters fails).
fn svg(size: (u32, u32), draw: impl FnOnce(&Area) -> Drawn) -> String {
    let mut text = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.into())
            .and_then(|_| draw(&root))
            .and_then(|_| root.present().map_err(|e| e.into()))
    };
    match result {
        Ok(()) => text,
        Err(e) => format!("<p>chart failed: {e}</p>"),
    }
}

/// The title on top, then the plotting area and the legend strip right of it.
fn frame<'a>(root: &Area<'a>, title: &str) -> Result<(Area<'a>, Area<'a>), Box<dyn std::error::Error>> {
    frame_with(root, title, LEGEND)
}

/// [`frame`] with a legend strip `legend` pixels wide.
fn frame_with<'a>(
    root: &Area<'a>,
    title: &str,
    legend: u32,
) -> Result<(Area<'a>, Area<'a>), Box<dyn std::error::Error>> {
    let body = root.titled(title, ("sans-serif", px(TITLE)))?;
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(legend)))
}

/// The width of a legend strip that holds entries named `names` (at least
/// the usual strip): swatch, gap, and about 7.5 px per character.
pub fn legend_width(names: &[&str]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as f64;
    LEGEND.max((52.0 + 7.5 * longest).ceil() as u32)
}

/// A legend entry: a line (with dash), a filled box, a hollow box or a dot.
enum Swatch {
    Line(Look),
    Box(RGBColor),
    Hollow(RGBColor),
    Dot(RGBColor),
}

/// Entries one under the other in the legend strip, with an optional heading.
fn legend(area: &Area, heading: &str, entries: &[(String, Swatch)]) -> Drawn {
    let text = TextStyle::from(("sans-serif", px(TICK)).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = 24;
    if !heading.is_empty() {
        area.draw(&Text::new(heading.to_string(), (8, y), text.clone()))?;
        y += 22;
    }
    for (label, swatch) in entries {
        match swatch {
            Swatch::Line(look) => {
                let style = look.colour.stroke_width(3);
                let (dash, gap) = look.dash;
                if gap == 0 {
                    area.draw(&PathElement::new(vec![(8, y), (36, y)], style))?;
                } else {
                    area.draw(&DashedPathElement::new(vec![(8, y), (36, y)], dash, gap, style))?;
                }
            }
            Swatch::Box(c) => area.draw(&Rectangle::new([(14, y - 7), (28, y + 7)], c.filled()))?,
            Swatch::Hollow(c) => area.draw(&Rectangle::new([(14, y - 7), (28, y + 7)], c.stroke_width(2)))?,
            Swatch::Dot(c) => area.draw(&Circle::new((21, y), 4, c.filled()))?,
        }
        area.draw(&Text::new(label.clone(), (44, y), text.clone()))?;
        y += 22;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_to_the_spread() {
        assert_eq!(decimals(1.0), 1);
        assert_eq!(decimals(0.02), 3);
        assert_eq!(decimals(30.0), 0);
    }
}
