//! The visual grammar (docs/visual-grammar.md): the one place that says
//! which colour, dash, font size and number format a mark gets.
//!
//! - Futures (scenarios and their variants) are keyed by name ([`look`])
//!   into the Okabe-Ito palette, which stays apart under the common colour
//!   blindnesses; these colours are used for futures only.
//! - Parameters, sweep points and calibration generations take the
//!   sequential palette [`PARAMETER_COLOURS`] ([`parameter_look`]): ordered
//!   from dark to light, never a future's colour.
//! - Everything else (zero lines, indices, posteriors, boxes, grids) takes
//!   the neutral greys ([`NEUTRAL`], [`neutral_look`]).
//! - Every text is at least [`MIN_TEXT_PX`] CSS pixels and every colour a
//!   text or a line is drawn in has a contrast ratio of at least 4.5 (text)
//!   or 3 (lines) against white ([`contrast`]).
//! - Numbers carry the digits their spread needs and no sign on a zero
//!   ([`number_text`]); time axes are calendar years with the branch month
//!   marked ([`BRANCH_LABEL`]).
//!
//! Every series also differs in its dash, so grey print keeps them apart.
//! The classroom page (agora-serve) takes its class colours from here too,
//! so a future has one colour on every page.

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

/// The sequential palette of parameters, sweep points and calibration
/// generations: cividis (Nuñez, Anderton and Renslow 2018, readable under
/// the common colour blindnesses) from 0 to 0.5, dark navy to olive grey, so
/// that every step keeps a contrast of at least 3 against white.
pub const PARAMETER_COLOURS: [RGBColor; 6] = [
    RGBColor(0, 34, 78),
    RGBColor(28, 56, 110),
    RGBColor(62, 77, 108),
    RGBColor(93, 98, 110),
    RGBColor(117, 117, 117),
    RGBColor(138, 132, 113),
];

/// The neutral greys of everything that is neither a future nor a
/// parameter: ink (text, reference lines), dark, mid (the lightest grey a
/// text may take, 4.5:1 on white), light (fills, ranges), faint (grids).
pub const NEUTRAL: [RGBColor; 5] = [
    RGBColor(17, 17, 17),
    RGBColor(68, 68, 68),
    RGBColor(112, 112, 112),
    RGBColor(187, 187, 187),
    RGBColor(221, 221, 221),
];

/// The smallest text of any chart or page, in CSS pixels.
pub const MIN_TEXT_PX: f64 = 12.0;

/// The label of the month the three futures branch from their shared past.
pub const BRANCH_LABEL: &str = "branch";

/// The look of parameter `k` of `n` (in design order, a generation in
/// time order): a step of the sequential palette, spread over it, and its
/// own dash.
pub fn parameter_look(k: usize, n: usize) -> Look {
    let steps = PARAMETER_COLOURS.len();
    let at = if n <= 1 {
        0
    } else if n <= steps {
        k * (steps - 1) / (n - 1)
    } else {
        k % steps
    };
    Look {
        colour: PARAMETER_COLOURS[at.min(steps - 1)],
        dash: DASHES[k % DASHES.len()],
    }
}

/// The look of the `k`-th neutral series (an index, a posterior, a box):
/// ink, dark, mid grey, with their own dashes.
pub fn neutral_look(k: usize) -> Look {
    Look {
        colour: NEUTRAL[k % 3],
        dash: DASHES[k % DASHES.len()],
    }
}

/// Whether `c` is one of the futures' colours (or a shade of one), which
/// only futures may wear.
pub fn is_future_colour(c: RGBColor) -> bool {
    CLASS_COLOURS[..5]
        .iter()
        .chain(&OTHER_COLOURS[..1])
        .any(|&f| (0..6).any(|k| shade(f, k) == c))
}

/// The WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let lum = |c: RGBColor| {
        let lin = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The decimals a number needs when values spread over `range` (about ten
/// steps of it tell apart).
pub fn decimals(range: f64) -> usize {
    if !(range.is_finite() && range > 0.0) {
        return 2;
    }
    (-(range / 10.0).log10().floor()).clamp(0.0, 6.0) as usize
}

/// `v` with the decimals a spread of `range` needs, never "-0.00": a value
/// that rounds to zero is written without a sign; "n/a" when not finite.
pub fn number_text(v: f64, range: f64) -> String {
    fixed(v, decimals(range))
}

/// `v` with `d` decimals, a zero never signed; "n/a" when not finite.
pub fn fixed(v: f64, d: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{v:.d$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// [`fixed`] with an explicit sign on a non-zero value ("+0.12", "-0.03", "0.00").
pub fn signed(v: f64, d: usize) -> String {
    let s = fixed(v, d);
    if s.starts_with('-') || s == "n/a" || s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
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
    fn parameters_and_neutrals_never_wear_a_future_colour() {
        for n in 1..12 {
            for k in 0..n {
                let c = parameter_look(k, n).colour;
                assert!(!is_future_colour(c), "parameter {k} of {n}: {c:?}");
                assert!(
                    contrast(c, RGBColor(255, 255, 255)) >= 3.0,
                    "parameter {k} of {n} too pale"
                );
            }
        }
        for k in 0..6 {
            assert!(!is_future_colour(neutral_look(k).colour));
        }
        for c in CLASS_COLOURS[..5].iter() {
            assert!(is_future_colour(*c));
        }
        assert!(is_future_colour(
            look("pioneer-secure-2y", &["pioneer", "pioneer-secure-2y"]).colour
        ));
    }

    #[test]
    fn sequential_palette_is_ordered_dark_to_light() {
        let white = RGBColor(255, 255, 255);
        let c: Vec<f64> = PARAMETER_COLOURS.iter().map(|&c| contrast(c, white)).collect();
        assert!(c.windows(2).all(|w| w[0] > w[1]), "{c:?}");
    }

    #[test]
    fn text_greys_pass_wcag_aa() {
        let white = RGBColor(255, 255, 255);
        for c in &NEUTRAL[..3] {
            assert!(contrast(*c, white) >= 4.5, "{c:?}: {}", contrast(*c, white));
        }
        assert!((contrast(RGBColor(0, 0, 0), white) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn numbers_have_meaningful_digits_and_no_negative_zero() {
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.004, 0), "0");
        assert_eq!(fixed(-0.02, 2), "-0.02");
        assert_eq!(signed(-0.001, 2), "0.00");
        assert_eq!(signed(0.05, 2), "+0.05");
        assert_eq!(number_text(0.123456, 1.0), "0.1");
        assert_eq!(number_text(0.123456, 0.5), "0.12");
        assert_eq!(number_text(1234.6, 3000.0), "1235");
        assert_eq!(fixed(f64::NAN, 2), "n/a");
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
