//! The per-step metrics (shared/MODEL.md section 5) and the classification
//! of a run's final state (section 6).

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
    DIGITALIZATION: "digitalization", "digital", "Citizens' digitalization", "mean level (0-1)", (0.0, 1.0), state;
    ADOPTION: "adoption", "adoption", "Social CRM adoption", "mean level (0-1)", (0.0, 1.0), state;
    ADOPTER_SHARE: "adopter_share", "adopters", "Adopting administrations", "share with adoption >= 0.5", (0.0, 1.0), state;
    TRANSFORMED_SHARE: "transformed_share", "transf.", "Transformed value chains", "share of administrations", (0.0, 1.0), state;
    INTEGRATION: "integration", "integr.", "Information integration", "mean level (0-1)", (0.0, 1.0), state;
    TRUST: "trust", "trust", "Trust in the administration", "mean level (0-1)", (0.0, 1.0), state;
    TRUST_GAP: "trust_gap", "trustgap", "Trust gap, digital minus non-digital", "difference (-1 to 1)", (-1.0, 1.0), state;
    SATISFACTION: "satisfaction", "satisf.", "Citizen satisfaction", "mean level (0-1)", (0.0, 1.0), state;
    PARTICIPATION: "participation", "partic.", "Participation", "share of citizens per month", (0.0, 1.0), flow;
    UNHEARD_SHARE: "unheard_share", "unheard", "Unheard social posts", "share of posts per month", (0.0, 1.0), flow;
    SERVICE_RATE: "service_rate", "service", "Needs resolved", "share of needs per month", (0.0, 1.0), flow;
    PRODUCTIVITY: "productivity", "product.", "Productivity", "served requests / base capacity", (0.0, f64::INFINITY), flow;
    FRACTURE: "fracture", "fracture", "Fracture", "mean max(0, digitalization - adoption)", (0.0, 1.0), state;
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

/// The future a run ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Class {
    /// Administrations share functions with citizens: Social CRM is the backbone of participation.
    Participation,
    /// A few pioneer administrations adopt, most do not.
    Pioneer,
    /// Citizens go digital while administrations stay closed.
    Fracture,
    /// Neither citizens nor administrations go digital.
    Analog,
    /// Many administrations adopt without transforming.
    BroadAdoption,
}

impl Class {
    /// Every class, in the order of output columns.
    pub const ALL: [Class; 5] = [
        Class::Participation,
        Class::Pioneer,
        Class::Fracture,
        Class::Analog,
        Class::BroadAdoption,
    ];

    /// The name used in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Class::Participation => "participation",
            Class::Pioneer => "pioneer",
            Class::Fracture => "fracture",
            Class::Analog => "analog",
            Class::BroadAdoption => "broad_adoption",
        }
    }

    /// The class called `name`.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Classify final metrics by the scenario's thresholds, rules in order.
    pub fn of(final_metrics: &Metrics, thresholds: &Classification) -> Class {
        let v = &final_metrics.values;
        let adopters = v[idx::ADOPTER_SHARE];
        if v[idx::TRANSFORMED_SHARE] >= thresholds.participation_transformed {
            Class::Participation
        } else if adopters >= thresholds.pioneer_min_adopters && adopters < thresholds.pioneer_max_adopters {
            Class::Pioneer
        } else if adopters < thresholds.pioneer_min_adopters {
            if v[idx::DIGITALIZATION] >= thresholds.fracture_digitalization {
                Class::Fracture
            } else {
                Class::Analog
            }
        } else {
            Class::BroadAdoption
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(adopters: f64, transformed: f64, digital: f64) -> Metrics {
        let mut values = [0.0; N_METRICS];
        values[idx::ADOPTER_SHARE] = adopters;
        values[idx::TRANSFORMED_SHARE] = transformed;
        values[idx::DIGITALIZATION] = digital;
        Metrics { step: 120, values }
    }

    #[test]
    fn rules_apply_in_order() {
        let t = Classification::default();
        assert_eq!(Class::of(&with(0.9, 0.6, 0.9), &t), Class::Participation);
        assert_eq!(Class::of(&with(0.12, 0.0, 0.9), &t), Class::Pioneer);
        assert_eq!(Class::of(&with(0.05, 0.0, 0.9), &t), Class::Pioneer);
        assert_eq!(Class::of(&with(0.0, 0.0, 0.6), &t), Class::Fracture);
        assert_eq!(Class::of(&with(0.04, 0.0, 0.59), &t), Class::Analog);
        assert_eq!(Class::of(&with(0.5, 0.49, 0.5), &t), Class::BroadAdoption);
    }
}
