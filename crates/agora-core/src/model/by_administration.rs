//! Read-only observations administration by administration, and a model
//! that takes interventions as they are decided (a class that plays its
//! future round by round, `agora serve`'s class mode).
//!
//! Nothing here changes what a run computes: [`Model::by_administration`]
//! and [`Model::incidents_in_last_step`] only read the state, and
//! [`Model::follow`] gives the model the schedule a fresh run of the
//! extended scenario would have had from the start.

use super::{Model, ONLINE, UNHEARD, cost, init};
use crate::rng::{Purpose, chance};
use crate::scenario::{Scenario, ScenarioError, Schedule};

/// One administration at the current step: its jurisdiction, its state and
/// its citizens' means.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AdministrationView {
    /// Citizens in its jurisdiction.
    pub citizens: u32,
    /// Whether it is a pioneer.
    pub pioneer: bool,
    /// Social CRM adoption, 0-1.
    pub adoption: f64,
    /// ROI barrier, 0-1.
    pub roi_barrier: f64,
    /// Security barrier, 0-1.
    pub security_barrier: f64,
    /// Organisational barrier, 0-1.
    pub organizational_barrier: f64,
    /// Whether its value chain is transformed.
    pub transformed: bool,
    /// Whether it abandoned Social CRM and has not taken it up again.
    pub abandoned: bool,
    /// Its citizens' mean trust in it, 0-1.
    pub trust: f64,
    /// Its citizens' mean digitalization, 0-1.
    pub digitalization: f64,
    /// Its citizens' mean satisfaction, 0-1.
    pub satisfaction: f64,
    /// Online contacts of its citizens in the last step.
    pub online: u32,
    /// Of those, the ones nobody answered.
    pub unheard: u32,
    /// Citizens who took part in its work in the last step.
    pub participants: u32,
    /// The cost of its levers in force, euros per citizen per month (docs/costs.md).
    pub monthly_cost: f64,
}

impl AdministrationView {
    /// The share of online contacts nobody answered (`None` without any).
    pub fn unheard_share(&self) -> Option<f64> {
        (self.online > 0).then(|| f64::from(self.unheard) / f64::from(self.online))
    }
}

impl Model {
    /// Every administration at the current step, in id order.
    pub fn by_administration(&self) -> Vec<AdministrationView> {
        let a = &self.admins;
        let c = &self.citizens;
        (0..a.len())
            .map(|j| {
                let block = a.block(j);
                let n = block.len() as f64;
                let mean = |v: &[f32]| v[block.clone()].iter().map(|&x| f64::from(x)).sum::<f64>() / n;
                let flags = &self.flags[block.clone()];
                let online = flags.iter().filter(|&&f| f & ONLINE != 0).count() as u32;
                let unheard = flags.iter().filter(|&&f| f & ONLINE != 0 && f & UNHEARD != 0).count() as u32;
                AdministrationView {
                    citizens: a.size(j),
                    pioneer: a.pioneer[j],
                    adoption: a.adoption[j],
                    roi_barrier: a.roi[j],
                    security_barrier: a.security[j],
                    organizational_barrier: a.organizational[j],
                    transformed: a.transformed[j],
                    abandoned: a.abandoned[j],
                    trust: mean(&c.trust),
                    digitalization: mean(&c.digital),
                    satisfaction: mean(&c.satisfaction),
                    online,
                    unheard,
                    participants: a.participants[j],
                    monthly_cost: cost::monthly(self.dynamics_of(j)),
                }
            })
            .collect()
    }

    /// Which administrations had a security incident in the last step,
    /// given their adoption before it (`adoption_before`, one per
    /// administration). The incident draw of phase 5 is read again at its
    /// address with the hazard it was decided with; exact except in a month
    /// where an administration also abandoned Social CRM and the two
    /// adoptions it may have had at the draw disagree (then the one before
    /// the step is used). All false before the first step.
    pub fn incidents_in_last_step(&self, adoption_before: &[f64]) -> Vec<bool> {
        let a = &self.admins;
        let Some(step) = self.step.checked_sub(1) else {
            return vec![false; a.len()];
        };
        let draws = self.streams.draws(Purpose::Administration { step });
        (0..a.len())
            .map(|j| {
                let d = self.dynamics_of(j);
                let word = draws.words(j as u64)[1];
                let decide = |adoption: f64| {
                    let hazard = d.incident_rate * (d.incident_exposure + adoption) * (1.0 - d.security_investment);
                    chance(word, hazard)
                };
                if a.adoption[j] > 0.0 {
                    return decide(a.adoption[j]);
                }
                // Adoption 0 now: none at the draw, or abandoned after it.
                let before = adoption_before.get(j).copied().unwrap_or(0.0);
                decide(before)
            })
            .collect()
    }

    /// The peers of administration `j` in the administrations' graph, by id.
    pub fn peers_of(&self, j: usize) -> Vec<u32> {
        self.admin_graph.neighbours_of(j as u32).collect()
    }

    /// Follow `scenario`'s interventions from the current step on, as if
    /// the model had been built from it: `scenario` must be the one the
    /// model was built with (or last followed) with interventions added at
    /// or after the current step only. Then stepping on gives, byte for
    /// byte, the run of `scenario` from the start.
    ///
    /// A model built without a targeted intervention keeps one copy of the
    /// dynamics; given targeted ones now, it gets one per administration, and
    /// its cost and productivity may then differ in the last digits from a
    /// fresh run (which sums them per administration from the first month):
    /// build the model with a targeted intervention to compare runs exactly.
    pub fn follow(&mut self, scenario: &Scenario) -> Result<(), ScenarioError> {
        let schedule = Schedule::of_scenario(scenario)?;
        let a = &self.admins;
        self.chosen = schedule
            .targets
            .iter()
            .map(|t| init::choose(t, &a.start, &a.pioneer, &self.streams))
            .collect();
        if schedule.is_targeted() && self.local.is_none() {
            self.local = Some(vec![self.dynamics.clone(); a.len()]);
        }
        self.schedule = schedule;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{LoadedGraphs, Model};
    use crate::scenario::{self, Intervention, Scenario, Target};

    fn small() -> Scenario {
        let mut s = scenario::built_in().remove(0);
        let set = |s: &mut Scenario, p: &str, v: &str| scenario::set_path(s, p, v).unwrap();
        set(&mut s, "population.citizens", "1500");
        set(&mut s, "population.administrations", "12");
        set(&mut s, "steps", "40");
        s.branch = "2013-01".into();
        set(&mut s, "dynamics.incident_rate", "0.05");
        s
    }

    fn choice(at: u32, id: u32, lever: &str, value: f64) -> Intervention {
        Intervention {
            at,
            set: [(format!("dynamics.{lever}"), value)].into_iter().collect(),
            target: Target::Ids(vec![id]),
        }
    }

    #[test]
    fn a_model_that_follows_rounds_equals_a_fresh_run() {
        let mut s = small();
        let rounds: Vec<Vec<Intervention>> = vec![
            (0..12)
                .map(|j| choice(12, j, "training", 0.01 * f64::from(j % 3)))
                .collect(),
            vec![
                choice(20, 3, "training", 0.04),
                choice(20, 7, "security_investment", 0.8),
            ],
            vec![
                choice(30, 3, "roi_measurement", 0.9),
                choice(30, 0, "channel_openness", 0.9),
            ],
        ];
        // Built with a placeholder for the first round (everyone at the
        // baseline), replaced before its step: the class's way.
        let mut first = s.clone();
        first.interventions = (0..12).map(|j| choice(12, j, "training", 0.0)).collect();
        let mut live = Model::new(&first, 7, &LoadedGraphs::default());
        let mut rows = Vec::new();
        let mut incidents = 0;
        for (r, round) in rounds.iter().enumerate() {
            let until = [20, 30, 40][r];
            s.interventions.extend(round.iter().cloned());
            live.follow(&s).unwrap();
            while live.step_index() < until {
                let before = live.admins.adoption.clone();
                live.step();
                let m = live.metrics();
                let seen = live.incidents_in_last_step(&before).iter().filter(|&&x| x).count();
                assert_eq!(seen as f64 / 12.0, m.values[crate::model::metrics::idx::INCIDENTS]);
                incidents += seen;
                rows.push(m);
            }
        }
        assert!(incidents > 0, "the check saw some incidents");
        let mut fresh = Model::new(&s, 7, &LoadedGraphs::default());
        for row in &rows {
            fresh.step();
            let f = fresh.metrics();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&f.values), bits(&row.values), "step {}", f.step);
        }
        let views = fresh.by_administration();
        assert_eq!(views, live.by_administration());
        assert_eq!(views.iter().map(|v| v.citizens).sum::<u32>(), 1500);
    }
}
