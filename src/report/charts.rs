//! SVG charts drawn with plotters; each function returns an `<svg>` string.
//!
//! One look per future everywhere: a series' colour and dash are keyed by
//! its name ([`look`]), from the Okabe-Ito palette, which stays apart under
//! the common colour blindnesses; every series also differs in its dash, so
//! grey print keeps them apart. Every chart has a title, axis labels and a
//! legend outside the plotting area; no text is smaller than 12 px.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::Class;

/// The Okabe-Ito colours for the five classes, in [`Class::ALL`] order
/// (participation, pioneer, fracture, analog, broad_adoption).
pub const CLASS_COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
];

/// The Okabe-Ito colours left for series not named like a class.
pub const OTHER_COLOURS: [RGBColor; 3] = [
    RGBColor(86, 180, 233), // sky blue
    RGBColor(0, 0, 0),      // black
    RGBColor(240, 228, 66), // yellow
];

/// Dash patterns (segment, gap); `(1000, 0)` is a solid line.
const DASHES: [(u32, u32); 6] = [(1000, 0), (9, 4), (3, 3), (14, 4), (5, 7), (7, 2)];

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

/// How one series is drawn: colour and dash.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// Line and band colour.
    pub colour: RGBColor,
    /// (segment, gap) of the line; a gap of 0 is solid.
    pub dash: (u32, u32),
}

/// The class whose name `name` is, or starts with followed by `-` (a
/// baseline and its variants, such as `pioneer-secure-2y`).
fn baseline(name: &str) -> Option<usize> {
    Class::ALL.iter().position(|c| {
        let c = c.name();
        name == c || name.strip_prefix(c).is_some_and(|rest| rest.starts_with('-'))
    })
}

/// The look of series `name` among the series `all` of a page: a class's
/// colour for a scenario named like it, a lighter or darker shade of it for
/// a variant, the remaining palette colours in order for other names.
pub fn look(name: &str, all: &[&str]) -> Look {
    if let Some(c) = baseline(name) {
        let base = CLASS_COLOURS[c];
        let variants: Vec<&&str> = all
            .iter()
            .filter(|n| baseline(n) == Some(c) && **n != Class::ALL[c].name())
            .collect();
        let k = variants.iter().position(|n| **n == name).map_or(0, |k| k + 1);
        return Look {
            colour: shade(base, k),
            dash: DASHES[(c + k) % DASHES.len()],
        };
    }
    let others: Vec<&&str> = all.iter().filter(|n| baseline(n).is_none()).collect();
    let k = others.iter().position(|n| **n == name).unwrap_or(0);
    Look {
        colour: OTHER_COLOURS[k % OTHER_COLOURS.len()],
        dash: DASHES[(k + 5) % DASHES.len()],
    }
}

/// Variant `k` of a colour: 0 is the colour, then alternately darker and lighter.
fn shade(c: RGBColor, k: usize) -> RGBColor {
    if k == 0 {
        return c;
    }
    let step = 0.28 * k.div_ceil(2) as f64;
    let towards = |v: u8, to: f64| (v as f64 + (to - v as f64) * step.min(0.7)).round() as u8;
    let to = if k % 2 == 1 { 0.0 } else { 255.0 };
    RGBColor(towards(c.0, to), towards(c.1, to), towards(c.2, to))
}

/// The colour as `#rrggbb`, as the SVG writes it.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The shortest unique initials of each class name: the first letters
/// that tell it from every other (`Pa` participation, `Pi` pioneer, `F`).
pub fn initials(classes: &[&str]) -> Vec<String> {
    classes
        .iter()
        .map(|name| {
            let chars: Vec<char> = name.chars().collect();
            let unique = |k: usize| {
                let mine: String = chars.iter().take(k).collect();
                classes
                    .iter()
                    .filter(|o| o.chars().take(k).collect::<String>() == mine)
                    .count()
                    == 1
            };
            let k = (1..=chars.len()).find(|&k| unique(k)).unwrap_or(chars.len());
            let mut s: String = chars.iter().take(k).collect();
            s[..1].make_ascii_uppercase();
            s
        })
        .collect()
}

/// The decimals a tick needs when `range` is split in about ten steps.
pub fn decimals(range: f64) -> usize {
    if !(range.is_finite() && range > 0.0) {
        return 2;
    }
    (-(range / 10.0).log10().floor()).clamp(0.0, 6.0) as usize
}

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
    /// Single observations drawn as dots under the line: (x, y).
    pub scatter: Vec<(f64, f64)>,
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
    let body = root.titled(title, ("sans-serif", px(TITLE)))?;
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(LEGEND)))
}

/// A legend entry: a line (with dash) or a filled box.
enum Swatch {
    Line(Look),
    Box(RGBColor),
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
        }
        area.draw(&Text::new(label.clone(), (44, y), text.clone()))?;
        y += 22;
    }
    Ok(())
}

/// Mean lines with p05-p95 bands, one per series, on shared axes. With
/// `x_label` "year", x values are fractional years and ticks are whole years.
pub fn fan_chart(title: &str, x_label: &str, y_label: &str, fans: &[Fan]) -> String {
    let years = x_label == "year";
    svg((WIDTH, HEIGHT), |root| {
        let (plot, side) = frame(root, title)?;
        let x = bounds(
            fans.iter()
                .flat_map(|f| f.points.iter().map(|p| p.0).chain(f.scatter.iter().map(|p| p.0))),
        );
        let y = bounds(fans.iter().flat_map(|f| {
            let band = f.points.iter().flat_map(|p| [p.1, p.3]);
            band.chain(f.scatter.iter().map(|p| p.1))
        }));
        let x = if years { (x.0.floor(), x.1) } else { x };
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(84)
            .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
        let (dx, dy) = (decimals(x.1 - x.0), decimals(y.1 - y.0));
        let x_ticks = |v: &f64| if years { format!("{v:.0}") } else { format!("{v:.dx$}") };
        chart
            .configure_mesh()
            .x_labels(if years { 8 } else { 6 })
            .y_labels(6)
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&|v| format!("{v:.dy$}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
            .x_desc(x_label)
            .y_desc(y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for fan in fans {
            draw_fan(&mut chart, fan)?;
        }
        let entries: Vec<(String, Swatch)> = fans
            .iter()
            .map(|f| (f.name.to_string(), Swatch::Line(f.look)))
            .collect();
        legend(&side, "", &entries)
    })
}

type Cartesian<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

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
            .map(|&p| Circle::new(p, 3, colour.mix(0.55).filled())),
    )?;
    if fan.markers {
        chart.draw_series(fan.points.iter().map(|p| Circle::new((p.0, p.2), 3, colour.filled())))?;
    }
    Ok(())
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
/// Bars take their class's colour ([`look`]), the colour of the future of
/// the same name in every other chart.
pub fn class_chart(title: &str, groups: &[&str], classes: &[&str], bars: &[Bar]) -> String {
    let per = classes.len() + 1;
    let slots = groups.len() * per;
    let shown: Vec<&str> = groups.iter().chain(classes).copied().collect();
    svg((WIDTH, HEIGHT), |root| {
        let (plot, side) = frame(root, title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(84)
            .build_cartesian_2d(-0.5..(slots as f64 - 1.5), 0.0..1.0)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
            .x_desc("scenario (bars: classes; whiskers: 95% Wilson interval)")
            .y_desc("share of runs")
            .draw()?;
        // Scenario names under their group of bars, where tick labels would be.
        let below = TextStyle::from(("sans-serif", px(TICK)).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (g, name) in groups.iter().enumerate() {
            let centre = (g * per) as f64 + (classes.len() as f64 - 1.0) / 2.0;
            let (px, py) = chart.backend_coord(&(centre, 0.0));
            root.draw(&Text::new(name.to_string(), (px, py + 6), below.clone()))?;
        }
        for (c, class) in classes.iter().enumerate() {
            let colour = look(class, &shown).colour;
            let mine: Vec<&Bar> = bars.iter().filter(|b| b.class == *class).collect();
            let slot = |b: &Bar| (groups.iter().position(|x| *x == b.group).unwrap_or(0) * per + c) as f64;
            chart.draw_series(mine.iter().map(|b| {
                let x0 = slot(b) + 0.1 - 0.5;
                Rectangle::new([(x0, 0.0), (x0 + 0.8, b.share)], colour.filled())
            }))?;
            chart.draw_series(mine.iter().map(|b| {
                let xm = slot(b);
                PathElement::new(vec![(xm, b.low), (xm, b.high)], BLACK.stroke_width(1))
            }))?;
        }
        let entries: Vec<(String, Swatch)> = classes
            .iter()
            .map(|c| (c.to_string(), Swatch::Box(look(c, &shown).colour)))
            .collect();
        legend(&side, "class", &entries)
    })
}

/// A cell of a phase diagram: a rectangle in axis units, its dominant class
/// and that class's share of the runs in it.
pub struct Cell {
    /// (left, right) in x axis units.
    pub x: (f64, f64),
    /// (bottom, top) in y axis units.
    pub y: (f64, f64),
    /// Index of the dominant class.
    pub class: usize,
    /// Share of runs in the dominant class.
    pub share: f64,
}

/// One axis of a phase diagram: its name and either its levels (a grid: one
/// column per level, labelled) or numeric bounds (samples binned).
pub enum PhaseAxis<'a> {
    /// Grid levels, in order; level `k` spans `k..k + 1`.
    Levels(&'a str, &'a [String]),
    /// A continuous axis from low to high.
    Numeric(&'a str, (f64, f64)),
}

impl PhaseAxis<'_> {
    fn name(&self) -> &str {
        match self {
            PhaseAxis::Levels(n, _) | PhaseAxis::Numeric(n, _) => n,
        }
    }

    fn range(&self) -> (f64, f64) {
        match self {
            PhaseAxis::Levels(_, l) => (0.0, l.len() as f64),
            PhaseAxis::Numeric(_, r) => *r,
        }
    }

    fn ticks(&self) -> usize {
        match self {
            PhaseAxis::Levels(_, l) => l.len() * 2 + 1,
            PhaseAxis::Numeric(..) => 6,
        }
    }

    fn label(&self, v: f64) -> String {
        match self {
            PhaseAxis::Levels(_, values) => cell_label(v, values),
            PhaseAxis::Numeric(_, (lo, hi)) => format!("{v:.*}", decimals(hi - lo)),
        }
    }
}

/// Heat map over two swept axes: colour = dominant class, shade = its share;
/// each cell also says the class's initial and share for grey print. Cells
/// without runs are left blank; `samples` (if any) are marked as dots.
pub fn phase_diagram(
    title: &str,
    (x_axis, y_axis): (PhaseAxis, PhaseAxis),
    classes: &[&str],
    cells: &[Cell],
    samples: &[(f64, f64)],
) -> String {
    let short = initials(classes);
    svg((WIDTH, HEIGHT + 40), |root| {
        let (plot, side) = frame(root, title)?;
        let (xr, yr) = (x_axis.range(), y_axis.range());
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(x_axis.ticks())
            .y_labels(y_axis.ticks())
            .x_label_formatter(&|x| x_axis.label(*x))
            .y_label_formatter(&|y| y_axis.label(*y))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
            .x_desc(x_axis.name())
            .y_desc(y_axis.name())
            .draw()?;
        let style = TextStyle::from(("sans-serif", px(CELL)).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (k, class) in classes.iter().enumerate() {
            let colour = look(class, classes).colour;
            let mine: Vec<&Cell> = cells.iter().filter(|c| c.class == k).collect();
            chart.draw_series(mine.iter().map(|c| {
                let fill = colour.mix(0.25 + 0.75 * c.share).filled();
                Rectangle::new([(c.x.0, c.y.0), (c.x.1, c.y.1)], fill)
            }))?;
            chart.draw_series(mine.iter().map(|c| {
                let centre = ((c.x.0 + c.x.1) / 2.0, (c.y.0 + c.y.1) / 2.0);
                Text::new(format!("{} {:.0}%", short[k], 100.0 * c.share), centre, style.clone())
            }))?;
        }
        chart.draw_series(samples.iter().map(|&p| Circle::new(p, 2, BLACK.mix(0.6).filled())))?;
        let entries: Vec<(String, Swatch)> = classes
            .iter()
            .zip(&short)
            .map(|(c, s)| (format!("{s}: {c}"), Swatch::Box(look(c, classes).colour)))
            .collect();
        legend(&side, "dominant class", &entries)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_unique() {
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let short = initials(&names);
        assert_eq!(short, ["Pa", "Pi", "F", "A", "B"]);
    }

    #[test]
    fn looks_are_keyed_by_name() {
        let page = ["participation", "base", "pioneer-secure-2y", "pioneer", "fracture"];
        let alone = ["pioneer"];
        assert_eq!(
            look("pioneer", &page),
            look("pioneer", &alone),
            "a class's look does not depend on the page"
        );
        let variant = look("pioneer-secure-2y", &page);
        assert_ne!(variant, look("pioneer", &page));
        assert_ne!(variant.colour, look("participation", &page).colour);
        assert_eq!(look("base", &page).colour, OTHER_COLOURS[0]);
        let all: Vec<Look> = page.iter().map(|n| look(n, &page)).collect();
        for (k, a) in all.iter().enumerate() {
            assert!(
                all[..k].iter().all(|b| b.colour != a.colour),
                "{} shares a colour",
                page[k]
            );
        }
    }

    #[test]
    fn ticks_round_to_the_spread() {
        assert_eq!(decimals(1.0), 1);
        assert_eq!(decimals(0.02), 3);
        assert_eq!(decimals(30.0), 0);
    }
}
