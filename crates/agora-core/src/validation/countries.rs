//! The country spread (docs/model.md section 11): each country started from
//! its own level, everything else from the EU fit, its 2024 level predicted.
//!
//! The indicators differ across survey revisions, so each is tied to the
//! model's `digital_interaction` by an offset on the logit scale learnt from
//! the EU aggregate only: `logit(EU observed) - logit(EU model)` in the
//! indicator's year. A country's start is its observed level moved by the
//! offset of its indicator; the initial digitalization mean is then set (by
//! bisection) so that the model meets that level; its 2024 reading, moved by
//! the 2024 offset, is the prediction of "used a website or app".

use super::data::{self, Record};
use super::past::{FIT_SEED, FitEffort, Params, past_scenario};
use super::row::{Group, Row};
use super::sample::{Quantity, Read, band, mean, sample};
use crate::calendar::Month;
use crate::model::metrics::idx;
use crate::scenario::Scenario;

/// The indicator every country is predicted in, and its year.
const TARGET: (&str, i32) = ("egov_used_website_or_app", 2024);
/// Each start: the indicator, its EU aggregate's geography, and the year.
const STARTS: [(&str, &str, i32, Group); 2] = [
    ("egov_interact_online_old", "EU28", 2013, Group::Countries2013),
    ("egov_info_from_websites_old", "EU27_2020", 2019, Group::Countries2019),
];
/// The uncertainty of a country's value (share): a national sample of a few
/// thousand people, second-hand and rounded figures (assumption).
const COUNTRY_SD: f64 = 0.02;
/// The range the initial digitalization mean is searched in.
const MEAN_RANGE: (f64, f64) = (0.01, 0.97);

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One country's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// Which start (`2013` or `2019`).
    pub from_year: i32,
    /// The country code.
    pub geography: String,
    /// The start's indicator and observed share.
    pub from_indicator: String,
    /// Observed share at the start.
    pub from_value: f64,
    /// The initial digitalization mean that meets the start.
    pub start_mean: f64,
    /// Whether the model can meet the start within the searched range.
    pub reachable: bool,
    /// Observed share in 2024.
    pub observed: f64,
    /// The model's prediction: mean and 95% band over replicates.
    pub predicted: (f64, f64, f64),
    /// The naive forecast: the country's start moved by the EU's change on the logit scale.
    pub naive: f64,
}

/// Across the countries of one start: how well the model ranks and places them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Which start.
    pub from_year: i32,
    /// Countries compared.
    pub countries: usize,
    /// Spearman rank correlation of predicted and observed 2024 values.
    pub spearman: f64,
    /// The same from the start levels alone (what ranking by the start
    /// gives without any model).
    pub start_spearman: f64,
    /// Mean of predicted minus observed.
    pub mean_error: f64,
    /// Mean absolute error of the model.
    pub mean_absolute_error: f64,
    /// Mean absolute error of the naive forecast.
    pub naive_mean_absolute_error: f64,
}

/// Ranks (1 = smallest), ties averaged.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            r[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation (Pearson's on the ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

fn with_mean(s: &Scenario, mean: f64) -> Scenario {
    let mut s = s.clone();
    let mut p = Params::of(&s);
    p.mean = mean;
    p.apply(&mut s);
    s
}

/// The initial digitalization mean whose model value at `read` is `target`
/// (mean over the fit's replicates), by bisection; and whether it is reachable.
fn match_start(s: &Scenario, read: Read, target: f64, fit: FitEffort, steps: usize) -> (f64, bool) {
    let mut small = s.clone();
    small.population.citizens = fit.citizens;
    let at = |m: f64| mean(&sample(&with_mean(&small, m), FIT_SEED, fit.replicates, &[read])[0]);
    let (mut lo, mut hi) = MEAN_RANGE;
    if at(hi) < target {
        return (hi, false);
    }
    if at(lo) > target {
        return (lo, false);
    }
    for _ in 0..steps {
        let mid = 0.5 * (lo + hi);
        if at(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi), true)
}

/// Predict every country with a start and a 2024 value.
pub fn predict(
    citizens: u32,
    replicates: u32,
    seed: u64,
    fit: FitEffort,
    bisection_steps: usize,
) -> (Vec<Country>, Vec<Summary>, Vec<Row>) {
    let records = data::citizens();
    let past = past_scenario(citizens);
    let start = Month::parse(&past.start).expect("a valid start");
    let online = Quantity::Metric(idx::DIGITAL_INTERACTION);
    let april = |year: i32| Month::parse(&format!("{year}-04")).expect("a valid month");
    let target_read = Read::at(online, start, april(TARGET.1));
    let eu_target = data::value(&records, TARGET.0, "EU27_2020", TARGET.1).expect("the EU's 2024 value");

    // The EU run: the offsets of each indicator.
    let mut reads = vec![target_read];
    reads.extend(
        STARTS
            .iter()
            .map(|&(_, _, year, _)| Read::at(online, start, april(year))),
    );
    let eu = sample(&past, seed, replicates, &reads);
    let offset_target = logit(eu_target.value / 100.0) - logit(mean(&eu[0]));

    let (mut countries, mut summaries, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for (k, &(indicator, eu_geo, year, group)) in STARTS.iter().enumerate() {
        let eu_start: &Record = data::value(&records, indicator, eu_geo, year).expect("the EU's start");
        let offset_start = logit(eu_start.value / 100.0) - logit(mean(&eu[k + 1]));
        let read = Read::at(online, start, april(year));
        let mut mine = Vec::new();
        for from in records
            .iter()
            .filter(|r| r.indicator == indicator && r.year == year && r.geography.len() == 2)
        {
            let Some(to) = data::value(&records, TARGET.0, &from.geography, TARGET.1) else {
                continue;
            };
            let goal = logistic(logit(from.value / 100.0) - offset_start);
            let (start_mean, reachable) = match_start(&past, read, goal, fit, bisection_steps);
            let runs = &sample(&with_mean(&past, start_mean), seed, replicates, &[target_read])[0];
            let predicted: Vec<f64> = runs.iter().map(|&m| logistic(logit(m) + offset_target)).collect();
            let naive =
                logistic(logit(from.value / 100.0) + logit(eu_target.value / 100.0) - logit(eu_start.value / 100.0));
            let country = Country {
                from_year: year,
                geography: from.geography.clone(),
                from_indicator: indicator.to_string(),
                from_value: from.value / 100.0,
                start_mean,
                reachable,
                observed: to.value / 100.0,
                predicted: band(&predicted),
                naive,
            };
            let reach = if reachable {
                ""
            } else {
                "; start out of the model's reach"
            };
            rows.push(
                Row::new(
                    group,
                    format!(
                        "{}: used a website or app, 2024, from {:.0}% in {year}{reach} (share of people 16-74)",
                        from.geography, from.value
                    ),
                    format!("{}; start {}", to.source(), from.source()),
                    from.geography.clone(),
                )
                .observed(country.observed, COUNTRY_SD)
                .with_band(&predicted),
            );
            mine.push(country);
        }
        let predicted: Vec<f64> = mine.iter().map(|c| c.predicted.0).collect();
        let observed: Vec<f64> = mine.iter().map(|c| c.observed).collect();
        let n = mine.len() as f64;
        summaries.push(Summary {
            from_year: year,
            countries: mine.len(),
            spearman: spearman(&predicted, &observed),
            start_spearman: spearman(&mine.iter().map(|c| c.from_value).collect::<Vec<_>>(), &observed),
            mean_error: mine.iter().map(|c| c.predicted.0 - c.observed).sum::<f64>() / n,
            mean_absolute_error: mine.iter().map(|c| (c.predicted.0 - c.observed).abs()).sum::<f64>() / n,
            naive_mean_absolute_error: mine.iter().map(|c| (c.naive - c.observed).abs()).sum::<f64>() / n,
        });
        countries.extend(mine);
    }
    (countries, summaries, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_a_monotone_pair_is_one_and_ties_average() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 35.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
    }
}
