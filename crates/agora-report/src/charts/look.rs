//! The visual grammar: one look per future everywhere. A series' colour and
//! dash are keyed by its name ([`look`]), from the Okabe-Ito palette, which
//! stays apart under the common colour blindnesses; every series also
//! differs in its dash, so grey print keeps them apart. The palette lives
//! here, with the charts, and the classroom page (agora-serve) takes its
//! class colours from here too, so a future has one colour on every page.

use plotters::style::RGBColor;

use agora_core::model::Class;

/// The Okabe-Ito colours for the five classes, in [`Class::ALL`] order
/// (participation, pioneer, fracture, analog, broad_adoption).
pub const CLASS_COLOURS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(153, 153, 153), // grey: undecided
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

#[cfg(test)]
mod tests {
    use super::*;
    use agora_core::model::Class;
    #[test]
    fn initials_are_unique() {
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let short = initials(&names);
        assert_eq!(short, ["Pa", "Pi", "F", "A", "B", "U"]);
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
}
