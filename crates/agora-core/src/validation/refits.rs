//! Refits of the shared past: without each observation in turn (leave one
//! out), and to other indicators of citizens' online contact.

use super::data;
use super::past::{self, FitEffort, Observation, Params, fit, fitted_observations, simulated};
use super::row::{Group, Row};
use super::sample::{Quantity, Read, sample};
use crate::calendar::Month;
use crate::model::metrics::idx;
use crate::par::*;

/// One observation left out: its prediction by the full fit and by the fit without it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    /// The observation.
    pub observation: Observation,
    /// The prediction of a refit to all ten observations, by the same
    /// search from the same start (so the shift is the left-out point's doing).
    pub full: f64,
    /// The prediction of the fit without it.
    pub refit: f64,
    /// The refit.
    pub fit: past::Fit,
}

/// The search's first step in the unconstrained space, from the calibrated point.
const REFIT_STEP: f64 = 0.2;

/// Refit without each fitted observation (all six parameters, from the
/// calibrated ones), then predict the one left out: its row carries the
/// refit's band over `replicates` independent replicates.
pub fn leave_one_out(
    calibrated: Params,
    fit_effort: FitEffort,
    iterations: usize,
    citizens: u32,
    replicates: u32,
    seed: u64,
) -> (Vec<LeftOut>, Vec<Row>) {
    let all = fitted_observations();
    // Job k < n leaves observation k out; job n keeps all: the reference.
    let mut refits: Vec<past::Fit> = (0..=all.len())
        .into_par_iter()
        .map(|k| {
            let rest: Vec<Observation> = all
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .map(|(_, o)| o.clone())
                .collect();
            fit(
                &rest,
                calibrated,
                &[0, 1, 2, 3, 4, 5],
                REFIT_STEP,
                iterations,
                fit_effort,
            )
        })
        .collect();
    let reference = refits.pop().expect("the reference refit");
    let full = simulated(reference.params, &all, fit_effort);
    let mut left = Vec::new();
    let mut rows = Vec::new();
    for (k, (o, refit)) in all.iter().zip(refits).enumerate() {
        let prediction = simulated(refit.params, std::slice::from_ref(o), fit_effort)[0];
        let mut s = past::past_scenario(citizens);
        refit.params.apply(&mut s);
        let start = Month::parse(&s.start).expect("a valid start");
        let band = &sample(&s, seed, replicates, &[Read::at(o.quantity, start, o.month)])[0];
        rows.push(
            Row::new(
                Group::LeaveOneOut,
                format!("{} (predicted by a fit without it; share)", o.label),
                o.source.clone(),
                o.tag.clone(),
            )
            .observed(o.value, o.sd)
            .with_band(band),
        );
        left.push(LeftOut {
            observation: o.clone(),
            full: full[k],
            refit: prediction,
            fit: refit,
        });
    }
    (left, rows)
}

/// A fit of the digital layer to one choice of indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFit {
    /// The choice, in words.
    pub indicator: String,
    /// The observations, as `year value` pairs in percent.
    pub observations: String,
    /// Which parameters were free.
    pub free: String,
    /// The fit.
    pub fit: past::Fit,
}

/// Refit the digital layer to each choice of Eurostat indicator: the
/// calibration's (old module 2013 and the revised module), the revised
/// module alone, "used a website or app" (with the old module's 2013) and
/// "information from websites" (old module, 2019-2020). Where fewer than
/// three points exist, the initial digitalization mean is held.
pub fn indicators(calibrated: Params, fit_effort: FitEffort, iterations: usize) -> Vec<IndicatorFit> {
    let records = data::citizens();
    let online = Quantity::Metric(idx::DIGITAL_INTERACTION);
    let series = |picks: &[(&str, &str, f64)]| -> Vec<Observation> {
        records
            .iter()
            .filter_map(|r| {
                picks
                    .iter()
                    .find(|(i, g, _)| *i == r.indicator && *g == r.geography)
                    .map(|&(_, _, sd)| Observation::of(r, &r.indicator, 4, sd, online))
            })
            .filter(|o| o.month.year() >= 2012)
            .collect()
    };
    let old = ("egov_interact_online_old", "EU28", 0.03);
    let choices: Vec<(&str, Vec<Observation>)> = vec![
        (
            "interacted online: old module 2013 and revised module 2022-2025 (the calibration's choice)",
            series(&[old, ("egov_interact_online_iugov1", "EU27_2020", 0.015)]),
        ),
        (
            "interacted online: revised module only, 2022-2025",
            series(&[("egov_interact_online_iugov1", "EU27_2020", 0.015)]),
        ),
        (
            "used a website or app, 2023-2024, with the old module's 2013 (the broader definition)",
            series(&[old, ("egov_used_website_or_app", "EU27_2020", 0.015)]),
        ),
        (
            "information from websites, old module, 2019-2020",
            series(&[("egov_info_from_websites_old", "EU27_2020", 0.015)]),
        ),
    ];
    choices
        .into_par_iter()
        .map(|(name, obs)| {
            let free: &[usize] = if obs.len() >= 3 { &[0, 1, 2] } else { &[1, 2] };
            let fit = fit(&obs, calibrated, free, REFIT_STEP * 2.0, iterations, fit_effort);
            IndicatorFit {
                indicator: name.to_string(),
                observations: obs
                    .iter()
                    .map(|o| format!("{} {:.1}", o.month.year(), o.value * 100.0))
                    .collect::<Vec<_>>()
                    .join("; "),
                free: if free.len() == 3 {
                    "mean, innovation, imitation".into()
                } else {
                    "innovation, imitation (mean held)".into()
                },
                fit,
            }
        })
        .collect()
}
