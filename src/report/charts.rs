//! SVG charts drawn with plotters; each function returns an `<svg>` string.
//!
//! Grey print: every series differs in lightness and in its line dash or
//! marker as well as in hue, and every chart has a title, axis labels with
//! units and a legend.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Series colours: distinct hues with clearly different grey values.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 73, 125),   // dark blue
    RGBColor(230, 140, 30),  // light orange
    RGBColor(60, 140, 60),   // mid green
    RGBColor(150, 40, 40),   // dark red
    RGBColor(140, 110, 190), // light purple
    RGBColor(90, 90, 90),    // grey
];

/// Dash patterns (segment, gap) by series, so lines differ without colour.
const DASHES: [(u32, u32); 6] = [(1000, 0), (8, 4), (2, 3), (12, 3), (4, 6), (6, 2)];

/// Chart width in pixels.
pub const WIDTH: u32 = 640;
/// Chart height in pixels.
pub const HEIGHT: u32 = 360;

/// One scenario's band in a fan chart.
pub struct Fan<'a> {
    /// The series' name in the legend.
    pub name: &'a str,
    /// (x, p05, mean, p95)
    pub points: Vec<(f64, f64, f64, f64)>,
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-3);
    (lo - pad, hi + pad)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

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

/// Mean lines with p05-p95 bands, one per scenario, on shared axes. With
/// `x_label` "year", x values are fractional years and ticks are whole years.
pub fn fan_chart(title: &str, x_label: &str, y_label: &str, fans: &[Fan]) -> String {
    let years = x_label == "year";
    svg((WIDTH, HEIGHT), |root| {
        let x = bounds(fans.iter().flat_map(|f| f.points.iter().map(|p| p.0)));
        let y = bounds(fans.iter().flat_map(|f| f.points.iter().flat_map(|p| [p.1, p.3])));
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x.0.max(0.0)..x.1, y.0..y.1)?;
        let year_ticks = |v: &f64| format!("{v:.0}");
        let plain_ticks = |v: &f64| format!("{v}");
        let ticks: &dyn Fn(&f64) -> String = if years { &year_ticks } else { &plain_ticks };
        chart
            .configure_mesh()
            .x_label_formatter(ticks)
            .x_desc(x_label)
            .y_desc(y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (k, fan) in fans.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let mut band: Vec<(f64, f64)> = fan.points.iter().map(|p| (p.0, p.3)).collect();
            band.extend(fan.points.iter().rev().map(|p| (p.0, p.1)));
            chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.18).filled())))?;
            let (dash, gap) = DASHES[k % DASHES.len()];
            let style = colour.stroke_width(2);
            let line = fan.points.iter().map(|p| (p.0, p.2));
            if gap == 0 {
                chart
                    .draw_series(LineSeries::new(line, style))?
                    .label(fan.name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            } else {
                chart
                    .draw_series(DashedLineSeries::new(line, dash, gap, style))?
                    .label(fan.name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], style));
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        Ok(())
    })
}

/// One bar of the class chart: share and its 95% interval.
pub struct Bar<'a> {
    /// The bar group (a scenario).
    pub group: &'a str,
    /// The class the bar counts.
    pub class: &'a str,
    /// Share of runs.
    pub share: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

/// Share of runs per class, grouped by scenario, with 95% interval whiskers.
pub fn class_chart(title: &str, groups: &[&str], classes: &[&str], bars: &[Bar]) -> String {
    let slots = groups.len() * (classes.len() + 1);
    svg((WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            // Room on the right for the legend, and above the bars for the scenario names.
            .build_cartesian_2d(0.0..(slots + 4) as f64, 0.0..1.15)?;
        let per = classes.len() + 1;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_desc("scenario (bars: classes, whiskers: 95% Wilson interval)")
            .y_desc("share of runs")
            .draw()?;
        let centre = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        chart.draw_series(groups.iter().enumerate().map(|(g, name)| {
            Text::new(
                name.to_string(),
                ((g * per) as f64 + classes.len() as f64 / 2.0, 1.09),
                centre.clone(),
            )
        }))?;
        for (c, class) in classes.iter().enumerate() {
            let colour = PALETTE[c % PALETTE.len()];
            let mine: Vec<&Bar> = bars.iter().filter(|b| b.class == *class).collect();
            chart
                .draw_series(mine.iter().map(|b| {
                    let g = groups.iter().position(|x| *x == b.group).unwrap_or(0);
                    let x0 = (g * per + c) as f64 + 0.1;
                    Rectangle::new([(x0, 0.0), (x0 + 0.8, b.share)], colour.filled())
                }))?
                .label(*class)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
            chart.draw_series(mine.iter().map(|b| {
                let g = groups.iter().position(|x| *x == b.group).unwrap_or(0);
                let xm = (g * per + c) as f64 + 0.5;
                PathElement::new(vec![(xm, b.low), (xm, b.high)], BLACK.stroke_width(1))
            }))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    })
}

/// A cell of a phase diagram: the dominant class and its share.
pub struct Cell {
    /// Column (level index of the x axis).
    pub x: usize,
    /// Row (level index of the y axis).
    pub y: usize,
    /// Index of the dominant class.
    pub class: usize,
    /// Share of runs in the dominant class.
    pub share: f64,
}

/// Heat map over two swept axes: colour = dominant class, shade = its share;
/// the class's initial is written in each cell for grey print.
pub fn phase_diagram(
    title: &str,
    x_axis: (&str, &[String]),
    y_axis: (&str, &[String]),
    classes: &[&str],
    cells: &[Cell],
) -> String {
    let (nx, ny) = (x_axis.1.len(), y_axis.1.len());
    svg((WIDTH, HEIGHT + 40), |root| {
        let (x_values, y_values) = (x_axis.1.to_vec(), y_axis.1.to_vec());
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx * 2 + 1)
            .y_labels(ny * 2 + 1)
            .x_label_formatter(&|x| cell_label(*x, &x_values))
            .y_label_formatter(&|y| cell_label(*y, &y_values))
            .x_desc(x_axis.0)
            .y_desc(y_axis.0)
            .draw()?;
        for (k, class) in classes.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let mine: Vec<&Cell> = cells.iter().filter(|c| c.class == k).collect();
            chart
                .draw_series(mine.iter().map(|c| {
                    let (x, y) = (c.x as f64, c.y as f64);
                    Rectangle::new([(x, y), (x + 1.0, y + 1.0)], colour.mix(0.25 + 0.75 * c.share).filled())
                }))?
                .label(format!("{} ({})", class, initial(class)))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
            let style = TextStyle::from(("sans-serif", 12).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart.draw_series(mine.iter().map(|c| {
                Text::new(
                    format!("{} {:.0}%", initial(class), 100.0 * c.share),
                    (c.x as f64 + 0.5, c.y as f64 + 0.5),
                    style.clone(),
                )
            }))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::LowerRight)
            .draw()?;
        Ok(())
    })
}

fn cell_label(v: f64, values: &[String]) -> String {
    let k = v - 0.5;
    if (k - k.round()).abs() < 1e-6 && k >= 0.0 && (k as usize) < values.len() {
        values[k as usize].clone()
    } else {
        String::new()
    }
}

fn initial(class: &str) -> String {
    class
        .split('_')
        .map(|w| w.chars().next().unwrap_or('?').to_ascii_uppercase())
        .collect()
}
