//! Presence by jurisdiction size, and large councils' presence: data the
//! calibration never saw (docs/model.md section 11).
//!
//! The model places each administration by its log-size position `q` (0 the
//! smallest jurisdiction, 1 the largest; section 5). A real body of `S`
//! inhabitants in a population whose bodies range from `S_min` to `S_max`
//! has `q = ln(S / S_min) / ln(S_max / S_min)`; the ranges are stated
//! assumptions below. The model's 100 administrations stand for thousands,
//! so a size class holds a handful of them in one run: the band of these
//! rows is the 95% interval of the model's mean share over replicates, not
//! the spread of single runs.

use super::data::{self, Record};
use super::past::past_scenario;
use super::row::{Group, Row};
use super::sample::{Quantity, Read, sample};
use crate::calendar::Month;

/// Swiss communes: the smallest has about 32 inhabitants (Kammersrohr SO,
/// federal spatial nomenclature 2019), the largest about 430,000 (Zürich).
const SWISS: (f64, f64) = (32.0, 430_000.0);
/// Michigan's local governments: from townships of about 10 residents to
/// Wayne County, about 1.8 million (2020 census).
const MICHIGAN: (f64, f64) = (10.0, 1_800_000.0);
/// Councils of more than this many inhabitants count as large bodies (the
/// smallest Scottish council, Orkney, has about 22,000), placed on the Swiss
/// range: an assumption, as the model has one population of administrations.
const LARGE: f64 = 20_000.0;
/// The stated uncertainty of a share of bodies used as a proxy for the
/// model's population (as for the fitted presence series).
const BODIES_SD: f64 = 0.05;

fn position(inhabitants: f64, (min, max): (f64, f64)) -> f64 {
    ((inhabitants / min).ln() / (max / min).ln()).clamp(0.0, 1.0)
}

/// The Swiss size classes: indicator, label, lower and upper bound of inhabitants.
const SWISS_CLASSES: [(&str, &str, f64, f64); 6] = [
    ("commune_social_media_up_to_500", "up to 500", 0.0, 500.0),
    ("commune_social_media_501_2000", "501-2,000", 500.0, 2_000.0),
    ("commune_social_media_2001_5000", "2,001-5,000", 2_000.0, 5_000.0),
    ("commune_social_media_5001_7000", "5,001-7,000", 5_000.0, 7_000.0),
    ("commune_social_media_7001_10000", "7,001-10,000", 7_000.0, 10_000.0),
    (
        "commune_social_media_over_10000",
        "over 10,000",
        10_000.0,
        f64::INFINITY,
    ),
];

fn between(lo: f64, hi: f64, range: (f64, f64)) -> Quantity {
    Quantity::PresenceBySize {
        above: if lo <= 0.0 { -1.0 } else { position(lo, range) },
        up_to: if hi.is_finite() { position(hi, range) } else { 2.0 },
    }
}

fn find<'a>(records: &'a [Record], indicator: &str, geography: &str, year: i32) -> &'a Record {
    data::value(records, indicator, geography, year)
        .unwrap_or_else(|| panic!("{indicator} {geography} {year} is bundled"))
}

/// The rows of the size gradient and of the large councils, from one set of
/// runs of the shared past.
pub fn rows(citizens: u32, replicates: u32, seed: u64) -> Vec<Row> {
    let records = data::administrations();
    let past = past_scenario(citizens);
    let start = Month::parse(&past.start).expect("a valid start");
    let at = |month: &str| Month::parse(month).expect("a valid month");
    let mut plan: Vec<(Row, Read)> = Vec::new();

    for (indicator, label, lo, hi) in SWISS_CLASSES {
        let r = find(&records, indicator, "CH", 2026);
        plan.push((
            Row::new(
                Group::Size,
                format!("Swiss communes of {label} inhabitants on social media, January 2026 (share of communes; band: the model's mean)"),
                r.source(),
                format!("CH {label}"),
            )
            .observed(r.value / 100.0, BODIES_SD),
            Read::at(between(lo, hi, SWISS), start, at("2026-01")),
        ));
    }
    for year in [2012, 2021] {
        let r = find(&records, "local_government_social_media_over_30000", "US-MI", year);
        plan.push((
            Row::new(
                Group::Size,
                format!("Michigan local governments over 30,000 residents using social media, {year} (share; band: the model's mean)"),
                r.source(),
                format!("MI >30,000 {year}"),
            )
            .observed(r.value / 100.0, BODIES_SD),
            Read::at(between(30_000.0, f64::INFINITY, MICHIGAN), start, at(&format!("{year}-04"))),
        ));
    }
    let large = between(LARGE, f64::INFINITY, SWISS);
    for (indicator, geography, year, month, label) in [
        (
            "council_twitter_socitm",
            "UK",
            2012,
            "04",
            "UK councils with a Twitter account",
        ),
        (
            "council_twitter_socitm",
            "UK",
            2013,
            "04",
            "UK councils with a Twitter account",
        ),
        (
            "council_active_twitter_scotland",
            "UK-SCT",
            2013,
            "12",
            "Scottish councils active on Twitter",
        ),
    ] {
        let r = find(&records, indicator, geography, year);
        plan.push((
            Row::new(
                Group::LargeBodies,
                format!(
                    "{label}, {year} (share; model: jurisdictions over 20,000 inhabitants, band: the model's mean)"
                ),
                r.source(),
                format!("{year}-{month}"),
            )
            .observed(r.value / 100.0, BODIES_SD),
            Read::at(large, start, at(&format!("{year}-{month}"))),
        ));
    }

    // The gradient itself: the largest class minus the smallest, per replicate.
    let reads: Vec<Read> = plan.iter().map(|(_, r)| *r).collect();
    let values = sample(&past, seed, replicates, &reads);
    let mut rows: Vec<Row> = plan
        .into_iter()
        .zip(&values)
        .map(|((row, _), v)| row.with_mean_band(v, (0.0, 1.0)))
        .collect();
    let (top, bottom) = (&values[SWISS_CLASSES.len() - 1], &values[0]);
    let spread: Vec<f64> = top.iter().zip(bottom).map(|(t, b)| t - b).collect();
    let (o_top, o_bottom) = (rows[SWISS_CLASSES.len() - 1].observed, rows[0].observed);
    rows.insert(
        SWISS_CLASSES.len(),
        Row::new(
            Group::Size,
            "Swiss communes: presence over 10,000 inhabitants minus up to 500, January 2026 (difference of shares; band: the model's mean)",
            format!(
                "{} minus {}",
                find(&records, SWISS_CLASSES[5].0, "CH", 2026).source(),
                find(&records, SWISS_CLASSES[0].0, "CH", 2026).source()
            ),
            "CH gradient",
        )
        .observed(o_top - o_bottom, BODIES_SD * 2f64.sqrt())
        .with_mean_band(&spread, (-1.0, 1.0)),
    );
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_span_the_range_on_a_log_scale() {
        assert_eq!(position(32.0, SWISS), 0.0);
        assert!((position(430_000.0, SWISS) - 1.0).abs() < 1e-12);
        let mid = (32.0f64 * 430_000.0).sqrt();
        assert!((position(mid, SWISS) - 0.5).abs() < 1e-12);
    }
}
