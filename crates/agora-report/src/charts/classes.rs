//! Class charts: the shares of runs per class, and the phase diagram of a sweep.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    CELL, HEIGHT, NEUTRAL, Swatch, TICK, WIDTH, axes, contrast, fixed, frame, initials, legend, look, mesh,
    number_text, px, svg,
};

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
        let mut chart = axes(&plot, 84, -0.5..(slots as f64 - 1.5), 0.0..1.0)?;
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| fixed(*v, 1))
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
            PhaseAxis::Numeric(_, (lo, hi)) => number_text(v, hi - lo),
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
        let mut chart = axes(&plot, 70, xr.0..xr.1, yr.0..yr.1)?;
        mesh(&mut chart)
            .disable_mesh()
            .x_labels(x_axis.ticks())
            .y_labels(y_axis.ticks())
            .x_label_formatter(&|x| x_axis.label(*x))
            .y_label_formatter(&|y| y_axis.label(*y))
            .x_desc(x_axis.name())
            .y_desc(y_axis.name())
            .draw()?;
        let style = TextStyle::from(("sans-serif", px(CELL)).into_font())
            .color(&NEUTRAL[0])
            .pos(Pos::new(HPos::Center, VPos::Center));
        let light = style.clone().color(&WHITE);
        // Narrow cells (a fine 2-D histogram) say the initials only.
        let narrow = cells.first().is_some_and(|c| {
            let (x0, _) = chart.backend_coord(&(c.x.0, c.y.0));
            let (x1, _) = chart.backend_coord(&(c.x.1, c.y.0));
            x1 - x0 < 56
        });
        for (k, class) in classes.iter().enumerate() {
            let colour = look(class, classes).colour;
            let mine: Vec<&Cell> = cells.iter().filter(|c| c.class == k).collect();
            chart.draw_series(mine.iter().map(|c| {
                let fill = colour.mix(cell_alpha(colour, c.share)).filled();
                Rectangle::new([(c.x.0, c.y.0), (c.x.1, c.y.1)], fill)
            }))?;
        }
        // The samples under the labels, so that no dot hides a label.
        chart.draw_series(samples.iter().map(|&p| Circle::new(p, 2, NEUTRAL[1].mix(0.5).filled())))?;
        for (k, class) in classes.iter().enumerate() {
            let colour = look(class, classes).colour;
            chart.draw_series(cells.iter().filter(|c| c.class == k).map(|c| {
                let centre = ((c.x.0 + c.x.1) / 2.0, (c.y.0 + c.y.1) / 2.0);
                let text = match narrow {
                    true => short[k].clone(),
                    false => format!("{} {:.0}%", short[k], 100.0 * c.share),
                };
                // Ink or white, whichever reads better on the cell's shade.
                let fill = over_white(colour, cell_alpha(colour, c.share));
                let chosen = match contrast(NEUTRAL[0], fill) >= contrast(WHITE, fill) {
                    true => &style,
                    false => &light,
                };
                Text::new(text, centre, chosen.clone())
            }))?;
        }
        let entries: Vec<(String, Swatch)> = classes
            .iter()
            .zip(&short)
            .map(|(c, s)| (format!("{s}: {c}"), Swatch::Box(look(c, classes).colour)))
            .collect();
        legend(&side, "dominant class", &entries)
    })
}

/// The opacity of a cell of `colour` whose class holds `share` of its runs:
/// from 0.25 to 1; where neither ink nor white would read on it at 4.5:1
/// (a narrow band of dark blue), fully opaque, where white reads.
fn cell_alpha(colour: RGBColor, share: f64) -> f64 {
    let alpha = 0.25 + 0.75 * share.clamp(0.0, 1.0);
    let fill = over_white(colour, alpha);
    if contrast(NEUTRAL[0], fill).max(contrast(WHITE, fill)) >= 4.5 {
        alpha
    } else {
        1.0
    }
}

/// `c` at opacity `alpha` over white, as the page shows it.
fn over_white(c: RGBColor, alpha: f64) -> RGBColor {
    let mix = |v: u8| (255.0 - (255.0 - v as f64) * alpha).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
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
    fn cell_labels_pass_wcag_aa_on_every_shade_of_every_future() {
        for c in super::super::CLASS_COLOURS {
            for k in 0..=20 {
                let fill = over_white(c, cell_alpha(c, k as f64 / 20.0));
                let best = contrast(NEUTRAL[0], fill).max(contrast(WHITE, fill));
                assert!(best >= 4.5, "{c:?} at {k}/20: {best:.2}");
            }
        }
    }
}
