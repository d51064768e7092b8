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

use agora_core::model::Class;

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

/// The Okabe-Ito colours of series that are not futures (parameters), in
/// order; yellow is left out, too pale for a line on white.
const SERIES_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The look of the `k`-th series of a page that is not a future (a
/// parameter in design order): its own colour and dash.
pub fn series_look(k: usize) -> Look {
    Look {
        colour: SERIES_COLOURS[k % SERIES_COLOURS.len()],
        dash: DASHES[k % DASHES.len()],
    }
}

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

/// Mean lines with p05-p95 bands, one per series, on shared axes. With
/// `x_label` "year", x values are fractional years and ticks are whole years.
pub fn fan_chart(title: &str, x_label: &str, y_label: &str, fans: &[Fan]) -> String {
    fan_chart_with(title, (x_label, y_label), fans, None, LEGEND)
}

/// Observations drawn as black dots over the bands, with their own legend entry.
pub struct Dots<'a> {
    /// The legend entry.
    pub name: &'a str,
    /// (x, y) of each observation.
    pub points: Vec<(f64, f64)>,
}

/// [`fan_chart`] with observations over the bands (`dots`) and a legend
/// strip `strip` pixels wide (see [`legend_width`]); the canvas widens with it.
pub fn fan_chart_with(
    title: &str,
    (x_label, y_label): (&str, &str),
    fans: &[Fan],
    dots: Option<&Dots>,
    strip: u32,
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

/// The colours of the indices of an index chart, in order (sky blue, blue):
/// light and dark in grey print, and the black whiskers show on both.
pub const INDEX_COLOURS: [RGBColor; 2] = [RGBColor(86, 180, 233), RGBColor(0, 114, 178)];

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
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(34)
            .build_cartesian_2d(x.0..x.1, 0.0..n)?;
        let dx = decimals(x.1 - x.0);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| format!("{v:.dx$}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
            .x_desc(x_label)
            .y_desc("parameter")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let unit = 1.0 / row_px;
        if x.0 < 0.0 {
            let grey = RGBColor(120, 120, 120);
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
        entries.push(("hollow: CI holds 0".to_string(), Swatch::Hollow(RGBColor(90, 90, 90))));
        legend(&side, "index", &entries)
    })
}

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
    let line = RGBColor(0, 114, 178);
    let mark = RGBColor(213, 94, 0);
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
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
        let (dx, dy) = (decimals(x.1 - x.0), decimals(y.1 - y.0));
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{v:.dx$}"))
            .y_label_formatter(&|v| format!("{v:.dy$}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
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
    let grey = RGBColor(200, 200, 200);
    let colour = RGBColor(213, 94, 0);
    let n = limits.len().max(1) as f64;
    let row_px = 66.0;
    let height = (row_px * n) as u32 + 118;
    svg((WIDTH, height), |root| {
        let (plot, side) = frame(root, title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(34)
            .build_cartesian_2d(-0.02..1.02, 0.0..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
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
                format!("{}: {:.d$} .. {:.d$}", l.name, l.inside.0, l.inside.1),
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
                    format!("{v:.d$}"),
                    (x, top - 48.0 * unit),
                    font().color(&RGBColor(90, 90, 90)).pos(Pos::new(h, VPos::Center)),
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
    let colour = RGBColor(86, 180, 233);
    let shade = RGBColor(230, 159, 0);
    svg((WIDTH, HEIGHT), |root| {
        let (plot, side) = frame(root, title)?;
        let top = bins.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.12;
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(range.0..range.1, 0.0..top)?;
        let (dx, dy) = (decimals(range.1 - range.0) + 1, decimals(top));
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(5)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{v:.dx$}"))
            .y_label_formatter(&|v| format!("{v:.dy$}"))
            .label_style(("sans-serif", px(TICK)))
            .axis_desc_style(("sans-serif", px(AXIS)))
            .x_desc(x_label)
            .y_desc("posterior weight per bin")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(interval.0, 0.0), (interval.1, top)],
            shade.mix(0.18).filled(),
        )))?;
        let width = (range.1 - range.0) / bins.len().max(1) as f64;
        chart.draw_series(bins.iter().enumerate().map(|(k, &w)| {
            let x0 = range.0 + width * k as f64;
            Rectangle::new([(x0 + width * 0.06, 0.0), (x0 + width * 0.94, w)], colour.filled())
        }))?;
        for v in [interval.0, interval.1] {
            chart.draw_series(DashedLineSeries::new([(v, 0.0), (v, top)], 6, 4, shade.stroke_width(2)))?;
        }
        chart.draw_series(LineSeries::new([(median, 0.0), (median, top)], BLACK.stroke_width(2)))?;
        let entries = vec![
            ("posterior".to_string(), Swatch::Box(colour)),
            (
                "median".to_string(),
                Swatch::Line(Look {
                    colour: BLACK,
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
