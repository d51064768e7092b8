//! The monthly metrics (docs/model.md, "Observation") and the classification
//! of a run (docs/model.md, "Futures").

use serde::Serialize;

use crate::scenario::Classification;

/// What one metric is: its column name, how to label it, its unit and range,
/// and whether it is a flow (counted during a step, so undefined at step 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    /// Column name in every CSV file.
    pub name: &'static str,
    /// Human title for charts and tables.
    pub label: &'static str,
    /// A short column header for terminal tables (8 characters at most).
    pub short: &'static str,
    /// Unit or scale, for axis labels.
    pub unit: &'static str,
    /// The values it can take, `(low, high)`.
    pub range: (f64, f64),
    /// A flow is counted over the last step; at step 0 there is none yet.
    pub flow: bool,
}

/// Defines [`METRICS`] and the [`idx`] constants from one list, so that a
/// metric's position, name and description cannot drift apart.
macro_rules! metric_table {
    ($( $id:ident: $name:literal, $short:literal, $label:literal, $unit:literal, ($lo:expr, $hi:expr), $kind:ident; )*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(usize)]
        enum Position { $( $id ),* }

        /// Index of each metric in [`Metrics::values`] and [`METRICS`].
        pub mod idx {
            $(
                #[doc = concat!("Position of `", $name, "`.")]
                pub const $id: usize = super::Position::$id as usize;
            )*
        }

        /// Every metric, in CSV column order. The one place metrics are listed:
        /// headers, parsing, report labels and the demo all read this table.
        pub const METRICS: &[Metric] = &[
            $( Metric { name: $name, label: $label, short: $short, unit: $unit, range: ($lo, $hi), flow: metric_table!(@flow $kind) }, )*
        ];
    };
    (@flow flow) => { true };
    (@flow state) => { false };
}

metric_table! {
    DIGITALIZATION: "digitalization", "digital", "Citizens' digitalization", "mean propensity to go online (0-1)", (0.0, 1.0), state;
    DIGITAL_INTERACTION: "digital_interaction", "online", "Citizens in online contact", "share with an online contact in the last 12 months", (0.0, 1.0), state;
    ADOPTION: "adoption", "adoption", "Social CRM adoption", "mean level (0-1)", (0.0, 1.0), state;
    PRESENCE_SHARE: "presence_share", "present", "Administrations present on social media", "share with a first Social CRM step (adoption > 0)", (0.0, 1.0), state;
    REACH: "reach", "reach", "Citizens whose administration is present", "share of citizens (adoption > 0 at home)", (0.0, 1.0), state;
    ADOPTER_SHARE: "adopter_share", "adopters", "Adopting administrations", "share with adoption >= 0.5", (0.0, 1.0), state;
    TRANSFORMED_SHARE: "transformed_share", "transf.", "Transformed value chains", "share of administrations", (0.0, 1.0), state;
    INTEGRATION: "integration", "integr.", "Information integration", "mean level (0-1)", (0.0, 1.0), state;
    TRUST: "trust", "trust", "Trust in the administration", "mean level (0-1)", (0.0, 1.0), state;
    TRUST_GAP: "trust_gap", "trustgap", "Trust gap, digital minus non-digital", "difference (-1 to 1)", (-1.0, 1.0), state;
    SATISFACTION: "satisfaction", "satisf.", "Citizen satisfaction", "mean level (0-1)", (0.0, 1.0), state;
    PARTICIPATION: "participation", "partic.", "Participation", "share of citizens per month", (0.0, 1.0), flow;
    UNHEARD_SHARE: "unheard_share", "unheard", "Unanswered online contacts", "share of online contacts per month", (0.0, 1.0), flow;
    SERVICE_RATE: "service_rate", "service", "Needs resolved", "share of needs per month", (0.0, 1.0), flow;
    REPEAT_SHARE: "repeat_share", "repeats", "Repeat contacts", "share of needs that are repeats, per month", (0.0, 1.0), flow;
    PENDING_SHARE: "pending_share", "backlog", "Unresolved needs (backlog)", "share of citizens at the end of the month", (0.0, 1.0), state;
    PRODUCTIVITY: "productivity", "product.", "Productivity", "needs resolved per unit of staff capacity", (0.0, f64::INFINITY), flow;
    ROI_BARRIER: "roi_barrier", "roi", "ROI barrier", "mean level (0-1)", (0.0, 1.0), state;
    SECURITY_BARRIER: "security_barrier", "security", "Security barrier", "mean level (0-1)", (0.0, 1.0), state;
    ORGANIZATIONAL_BARRIER: "organizational_barrier", "organis.", "Organisational barrier", "mean level (0-1)", (0.0, 1.0), state;
    INCIDENTS: "incidents", "incid.", "Security incidents", "per administration per month", (0.0, 1.0), flow;
    ABANDONED_SHARE: "abandoned_share", "abandon.", "Abandoned Social CRM", "share of administrations that adopted and then abandoned", (0.0, 1.0), state;
    FAILED_PROJECTS: "failed_projects", "failed", "Failed Social CRM projects", "per administration since the start", (0.0, f64::INFINITY), state;
    FRACTURE: "fracture", "fracture", "Fracture", "mean max(0, digitalization - adoption)", (0.0, 1.0), state;
    COST: "cost", "cost", "Cost of the levers", "cumulative euros per citizen (docs/costs.md)", (0.0, f64::INFINITY), state;
}

/// How many metrics there are.
pub const N_METRICS: usize = METRICS.len();

/// The metric column names, in CSV order.
pub const METRIC_NAMES: [&str; N_METRICS] = {
    let mut names = [""; N_METRICS];
    let mut i = 0;
    while i < N_METRICS {
        names[i] = METRICS[i].name;
        i += 1;
    }
    names
};

/// The table entry of the metric named `name`.
pub fn metric(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// One row of a run's time series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// The month this row describes (0: the initial state).
    pub step: u32,
    /// One value per metric, in [`METRICS`] order.
    pub values: [f64; N_METRICS],
}

impl Metrics {
    /// The value of the metric named `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        METRIC_NAMES.iter().position(|&n| n == name).map(|i| self.values[i])
    }
}

/// The future a run ended in (docs/model.md, "Futures": each rule and its thresholds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Class {
    /// Most administrations transformed their value chain with citizens:
    /// Social CRM is the backbone of participation.
    Participation,
    /// A minority of administrations adopts; transformation stays low.
    Pioneer,
    /// Citizens are online, largely unanswered, and their trust falls after
    /// the branch: administrations and citizens drift apart.
    Fracture,
    /// Few administrations adopt, without a fracture: citizens not (yet)
    /// online, still answered, or still trusting.
    Analog,
    /// Most administrations adopt, but most do not transform.
    BroadAdoption,
    /// The run ended too close to a threshold to name its future (within
    /// `classification.undecided_margin`).
    Undecided,
}

/// A run's class with its margin: how far the deciding quantity is from
/// its threshold, in the threshold's unit (a share, or trust for the fall).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The future, or [`Class::Undecided`] when the margin is within the tolerance.
    pub class: Class,
    /// The class the rules give before the tolerance is applied.
    pub nearest: Class,
    /// The smallest change of a deciding quantity that would change the class.
    pub margin: f64,
}

impl Class {
    /// Every class, in the order of output columns.
    pub const ALL: [Class; 6] = [
        Class::Participation,
        Class::Pioneer,
        Class::Fracture,
        Class::Analog,
        Class::BroadAdoption,
        Class::Undecided,
    ];

    /// The name used in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Class::Participation => "participation",
            Class::Pioneer => "pioneer",
            Class::Fracture => "fracture",
            Class::Analog => "analog",
            Class::BroadAdoption => "broad_adoption",
            Class::Undecided => "undecided",
        }
    }

    /// The class called `name`.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Classify a run from its series (step 0 first); see [`Class::judge`].
    pub fn of(series: &[Metrics], thresholds: &Classification, branch: u32) -> Class {
        Class::judge(series, thresholds, branch).class
    }

    /// Judge a run by the scenario's thresholds, rules in order
    /// (docs/model.md section 10). Flows are read as their mean over the
    /// last 12 months, so one noisy month does not decide; the trust fall
    /// is measured from the branch step (step 0 if the run ends before it).
    pub fn judge(series: &[Metrics], t: &Classification, branch: u32) -> Verdict {
        let last = &series[series.len() - 1];
        let reference = series.iter().find(|m| m.step == branch).unwrap_or(&series[0]);
        let v = &last.values;
        let adopters = v[idx::ADOPTER_SHARE];
        let year = &series[series.len().saturating_sub(12).max(1).min(series.len() - 1)..];
        let unheard = last_year_mean(year, idx::UNHEARD_SHARE);
        // The year up to the branch month (flows start at step 1; a branch at
        // step 0 compares with the first month).
        let at = series.iter().position(|m| m.step == reference.step).unwrap_or(0);
        let upto = at.max(1).min(series.len() - 1);
        let before = &series[upto.saturating_sub(11).max(1).min(upto)..=upto];
        let unheard_rise = unheard - last_year_mean(before, idx::UNHEARD_SHARE);
        let trust_fall = reference.values[idx::TRUST] - v[idx::TRUST];
        // Each rule is a conjunction of `quantity - threshold >= 0`.
        let rules: [(Class, Vec<f64>); 4] = [
            (
                Class::Participation,
                vec![v[idx::TRANSFORMED_SHARE] - t.participation_transformed],
            ),
            (Class::BroadAdoption, vec![adopters - t.pioneer_max_adopters]),
            (
                Class::Fracture,
                vec![
                    v[idx::DIGITAL_INTERACTION] - t.fracture_digital_interaction,
                    unheard - t.fracture_unheard,
                    unheard_rise - t.fracture_unheard_rise,
                    trust_fall - t.fracture_trust_fall,
                ],
            ),
            (Class::Pioneer, vec![adopters - t.pioneer_min_adopters]),
        ];
        let mut margin = f64::INFINITY;
        let mut nearest = Class::Analog;
        for (class, conditions) in &rules {
            // An undefined quantity (NaN) never fires a rule and is never near it.
            let fires = conditions.iter().all(|&c| c >= 0.0);
            if fires {
                let inside = conditions.iter().copied().fold(f64::INFINITY, f64::min);
                margin = margin.min(inside);
                nearest = *class;
                break;
            }
            let outside = conditions
                .iter()
                .filter(|c| !c.is_nan() && **c < 0.0)
                .map(|c| -c)
                .fold(0.0, f64::max);
            if conditions.iter().all(|c| !c.is_nan()) {
                margin = margin.min(outside);
            }
        }
        let class = if margin < t.undecided_margin {
            Class::Undecided
        } else {
            nearest
        };
        // No defined quantity at all (an empty series): no distance to quote.
        let margin = if margin.is_finite() { margin } else { f64::NAN };
        Verdict { class, nearest, margin }
    }
}

/// Mean of metric `m` over rows where it is defined (NaN if none is).
fn last_year_mean(rows: &[Metrics], m: usize) -> f64 {
    let defined: Vec<f64> = rows.iter().map(|r| r.values[m]).filter(|x| x.is_finite()).collect();
    defined.iter().sum::<f64>() / defined.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of 25 months whose branch is step 12: trust goes from
    /// `trust.0` there to `trust.1` at the end; the unheard share is
    /// `unheard - 0.1` in the year up to the branch and `unheard` in the last.
    fn run(adopters: f64, transformed: f64, online: f64, unheard: f64, trust: (f64, f64)) -> Vec<Metrics> {
        (0..=24u32)
            .map(|step| {
                let mut v = [0.0; N_METRICS];
                v[idx::UNHEARD_SHARE] = match step {
                    0 => f64::NAN,
                    1..=12 => unheard - 0.1,
                    _ => unheard,
                };
                v[idx::TRUST] = if step == 24 { trust.1 } else { trust.0 };
                if step == 24 {
                    v[idx::ADOPTER_SHARE] = adopters;
                    v[idx::TRANSFORMED_SHARE] = transformed;
                    v[idx::DIGITAL_INTERACTION] = online;
                }
                Metrics { step, values: v }
            })
            .collect()
    }

    #[test]
    fn rules_apply_in_order() {
        let t = Classification::default();
        let falling = (0.5, 0.4);
        let of = |r: &[Metrics]| Class::of(r, &t, 12);
        assert_eq!(of(&run(0.9, 0.6, 0.9, 0.0, falling)), Class::Participation);
        assert_eq!(of(&run(0.6, 0.1, 0.9, 0.0, falling)), Class::BroadAdoption);
        assert_eq!(of(&run(0.12, 0.0, 0.9, 0.3, falling)), Class::Pioneer);
        assert_eq!(of(&run(0.07, 0.0, 0.9, 0.3, falling)), Class::Pioneer);
        assert_eq!(of(&run(0.0, 0.0, 0.6, 0.7, falling)), Class::Fracture);
        // A fracture with a pioneer minority is still a fracture.
        assert_eq!(of(&run(0.12, 0.0, 0.6, 0.7, falling)), Class::Fracture);
        // No fracture while citizens are offline, answered, or trusting.
        assert_eq!(of(&run(0.0, 0.0, 0.3, 0.7, falling)), Class::Analog);
        assert_eq!(of(&run(0.0, 0.0, 0.6, 0.3, falling)), Class::Analog);
        assert_eq!(of(&run(0.0, 0.0, 0.6, 0.7, (0.4, 0.5))), Class::Analog);
    }

    #[test]
    fn margins_measure_the_distance_to_the_nearest_threshold() {
        let t = Classification::default();
        // Pioneer by 0.07 - 0.05 = 0.02 adopters; fracture fails by its unheard share (0.5 - 0.3).
        let v = Class::judge(&run(0.07, 0.0, 0.9, 0.3, (0.5, 0.4)), &t, 12);
        assert_eq!(v.class, Class::Pioneer);
        assert!((v.margin - 0.02).abs() < 1e-12, "{}", v.margin);
        // Within the tolerance of the pioneer threshold: undecided, nearest pioneer.
        let v = Class::judge(&run(0.055, 0.0, 0.9, 0.3, (0.5, 0.4)), &t, 12);
        assert_eq!((v.class, v.nearest), (Class::Undecided, Class::Pioneer));
        // A fracture decided by its closest condition, the unheard share's rise (0.1 - 0.02).
        let v = Class::judge(&run(0.0, 0.0, 0.9, 0.9, (0.5, 0.4)), &t, 12);
        assert_eq!(v.class, Class::Fracture);
        assert!((v.margin - 0.08).abs() < 1e-9, "{}", v.margin);
    }

    #[test]
    fn the_table_is_consistent() {
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(METRIC_NAMES[i], m.name);
            assert!(
                METRICS[..i].iter().all(|other| other.name != m.name),
                "{} twice",
                m.name
            );
            assert!(m.short.len() <= 8, "{}: short label too long", m.name);
            assert!(m.range.0 < m.range.1, "{}", m.name);
        }
        assert_eq!(METRICS[idx::FRACTURE].name, "fracture");
        assert_eq!(METRICS[idx::DIGITAL_INTERACTION].name, "digital_interaction");
    }
}
