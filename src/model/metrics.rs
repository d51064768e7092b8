//! The per-step metrics (shared/MODEL.md section 5) and the classification
//! of a run's final state (section 6).

use serde::Serialize;

use crate::scenario::Classification;

/// Metric columns after `step`, in CSV order.
pub const METRIC_NAMES: [&str; 13] = [
    "digitalization",
    "adoption",
    "adopter_share",
    "transformed_share",
    "integration",
    "trust",
    "trust_gap",
    "satisfaction",
    "participation",
    "unheard_share",
    "service_rate",
    "productivity",
    "fracture",
];

/// Index of each metric in [`Metrics::values`].
pub mod idx {
    pub const DIGITALIZATION: usize = 0;
    pub const ADOPTION: usize = 1;
    pub const ADOPTER_SHARE: usize = 2;
    pub const TRANSFORMED_SHARE: usize = 3;
    pub const INTEGRATION: usize = 4;
    pub const TRUST: usize = 5;
    pub const TRUST_GAP: usize = 6;
    pub const SATISFACTION: usize = 7;
    pub const PARTICIPATION: usize = 8;
    pub const UNHEARD_SHARE: usize = 9;
    pub const SERVICE_RATE: usize = 10;
    pub const PRODUCTIVITY: usize = 11;
    pub const FRACTURE: usize = 12;
}

/// One row of a run's time series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub step: u32,
    pub values: [f64; 13],
}

impl Metrics {
    pub fn get(&self, name: &str) -> Option<f64> {
        METRIC_NAMES.iter().position(|&n| n == name).map(|i| self.values[i])
    }
}

/// The future a run ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Class {
    Participation,
    Pioneer,
    Fracture,
    Analog,
    BroadAdoption,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Participation,
        Class::Pioneer,
        Class::Fracture,
        Class::Analog,
        Class::BroadAdoption,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Participation => "participation",
            Class::Pioneer => "pioneer",
            Class::Fracture => "fracture",
            Class::Analog => "analog",
            Class::BroadAdoption => "broad_adoption",
        }
    }

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
        let mut values = [0.0; 13];
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
