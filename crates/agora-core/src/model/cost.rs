//! The cost of the levers in force (docs/costs.md, "Costs"): euros per
//! citizen per month, from the dynamics parameters of that month. The model
//! adds them up into the `cost` metric (cumulative, euros per citizen).
//!
//! Every rate is an assumption or a published figure converted to euros;
//! docs/costs.md gives the source or the reasoning of each.

use crate::scenario::Dynamics;

/// Euros of one fully loaded staff-month (salary, social charges, overhead).
pub const STAFF_MONTH: f64 = 4000.0;
/// Citizen-facing and back-office staff per citizen whose training counts.
pub const STAFF_PER_CITIZEN: f64 = 0.005;
/// Staff-months one person's Social CRM training takes (course and time away).
pub const TRAINING_STAFF_MONTHS: f64 = 0.5;
/// Euros per citizen-month of a fully funded security programme.
pub const SECURITY_PROGRAMME: f64 = 0.5;
/// Euros per citizen-month of measuring every result (analytics staff, tools).
pub const MEASUREMENT: f64 = 0.1;
/// Euros per request handled by staff (Socitm phone contact, GBP 2.83 at 1.23 EUR/GBP).
pub const STAFF_CONTACT: f64 = 3.48;
/// Staff capacity already paid for in every scenario (the default `capacity_per_citizen`).
pub const CAPACITY_BASELINE: f64 = 0.12;
/// Euros per online contact answered through the web channel (Socitm web contact, GBP 0.15).
pub const WEB_CONTACT: f64 = 0.18;
/// Online contacts per citizen-month the web channel is sized for.
pub const WEB_CONTACTS_PER_CITIZEN: f64 = 0.1;
/// Euros per citizen-month of a programme that removes one barrier's weight entirely.
pub const BARRIER_PROGRAMME: f64 = 0.3;

/// The cost of one month under `d`, euros per citizen.
pub fn monthly(d: &Dynamics) -> f64 {
    let training = d.training * STAFF_PER_CITIZEN * TRAINING_STAFF_MONTHS * STAFF_MONTH;
    let security = d.security_investment * SECURITY_PROGRAMME;
    let measurement = d.roi_measurement * MEASUREMENT;
    let capacity = (d.capacity_per_citizen - CAPACITY_BASELINE).max(0.0) * STAFF_CONTACT;
    let channel = d.channel_openness * WEB_CONTACTS_PER_CITIZEN * WEB_CONTACT;
    let barriers = [
        d.roi_barrier_scale,
        d.security_barrier_scale,
        d.organizational_barrier_scale,
    ]
    .iter()
    .map(|&scale| (1.0 - scale).clamp(0.0, 1.0) * BARRIER_PROGRAMME)
    .sum::<f64>();
    training + security + measurement + capacity + channel + barriers
}

impl super::Model {
    /// This month's cost of the levers in force, euros per citizen: with
    /// targeted levers, the mean over administrations weighted by citizens.
    pub(super) fn monthly_cost(&self) -> f64 {
        match &self.local {
            None => monthly(&self.dynamics),
            Some(local) => {
                let total: f64 = (0..self.admins.len())
                    .map(|j| monthly(&local[j]) * f64::from(self.admins.size(j)))
                    .sum();
                total / self.citizens.digital.len() as f64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lever_costs_more_when_pushed() {
        let base = monthly(&Dynamics::default());
        let pushes: [fn(&mut Dynamics); 6] = [
            |d| d.training = 0.05,
            |d| d.security_investment = 0.5,
            |d| d.roi_measurement = 0.8,
            |d| d.capacity_per_citizen = 0.2,
            |d| d.channel_openness = 0.9,
            |d| d.security_barrier_scale = 0.5,
        ];
        for push in pushes {
            let mut d = Dynamics::default();
            push(&mut d);
            assert!(monthly(&d) > base);
        }
    }
}
