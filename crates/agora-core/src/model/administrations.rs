//! Phase 5, administrations (docs/model.md section 6.5): adoption, the
//! three barriers, integration, transformation and incidents, in index
//! order.

use super::{EPS_ADMIN, Model, lever};
use crate::rng::{Purpose, chance};
use crate::scenario::Dynamics;

impl Model {
    /// Phase 5: adoption, the three barriers, integration, transformation and
    /// incidents (docs/model.md, "Administrations").
    pub(super) fn administrations(&mut self) {
        let d = self.dynamics.clone();
        let seen = std::mem::take(&mut self.seen);
        // Measured results as they were when the phase began, own and peers'.
        let results: Vec<f64> = seen
            .iter()
            .zip(&self.admins.adoption)
            .map(|(o, &a)| a * o.service.unwrap_or(0.0))
            .collect();
        let peer_results = self.admin_graph.neighbour_means_f64(&results);
        let peer_adoption = self.admin_graph.neighbour_means_f64(&self.admins.adoption);
        let draws = self.streams.draws(Purpose::Administration { step: self.step });
        let mut incidents = Vec::new();
        for j in 0..self.admins.len() {
            let [adopt_word, incident_word] = draws.words(j as u64);
            let context = Context {
                voice: seen[j].voice,
                peer_adoption: peer_adoption[j].unwrap_or(0.0),
                evidence: lever(self.local.as_deref(), &d, j).roi_measurement
                    * (results[j] + d.roi_peer_weight * peer_results[j].unwrap_or(0.0)),
            };
            let own = lever(self.local.as_deref(), &d, j).clone();
            if self.admin_month(j, &own, context, adopt_word, incident_word) {
                incidents.push(j);
            }
        }
        // An incident is news among the peers: their security barrier rises too.
        for &j in &incidents {
            for k in self.admin_graph.neighbours_of(j as u32) {
                let s = &mut self.admins.security[k as usize];
                *s += d.incident_peer_rise * (1.0 - *s);
            }
        }
        self.flows.incidents = incidents.len() as u64;
    }

    /// One administration's month; returns whether it had an incident.
    fn admin_month(&mut self, j: usize, d: &Dynamics, context: Context, adopt_word: u32, incident_word: u32) -> bool {
        let a = &mut self.admins;
        let barrier = (1.0 - (d.roi_barrier_scale * a.roi[j]).min(1.0))
            * (1.0 - (d.security_barrier_scale * a.security[j]).min(1.0))
            * (1.0 - (d.organizational_barrier_scale * a.organizational[j]).min(1.0));
        let pioneer = if a.pioneer[j] { d.pioneer_innovation } else { 0.0 };
        let drive = d.adoption_innovation
            + pioneer
            + d.adoption_imitation * context.peer_adoption
            + d.citizen_pressure * context.voice;
        if a.adoption[j] < 1.0 - EPS_ADMIN && chance(adopt_word, (drive * barrier).min(1.0)) {
            a.adoption[j] = (a.adoption[j] + d.adoption_step).min(1.0);
        }
        let adoption = a.adoption[j];
        a.roi[j] *= 1.0 - (d.roi_learning * context.evidence).min(1.0);
        a.organizational[j] *= (1.0 - d.training) * (1.0 - d.org_experience * adoption);
        a.security[j] *= 1.0 - d.security_learning * d.security_investment;
        let ready = adoption * (1.0 - a.organizational[j]);
        a.integration[j] += d.integration_rate * (ready - a.integration[j]);
        let participation_share = f64::from(a.participants[j]) / f64::from(a.size(j));
        if !a.transformed[j]
            && adoption >= d.transformation_adoption - EPS_ADMIN
            && participation_share >= d.transformation_participation - EPS_ADMIN
            && a.organizational[j] <= d.transformation_org_max + EPS_ADMIN
        {
            a.transformed[j] = true;
        }
        let hazard = d.incident_rate * (d.incident_exposure + adoption) * (1.0 - d.security_investment);
        if !chance(incident_word, hazard) {
            return false;
        }
        a.security[j] += d.incident_barrier_rise * (1.0 - a.security[j]);
        let keep = (1.0 - d.incident_trust_loss) as f32;
        for t in &mut self.citizens.trust[a.block(j)] {
            *t *= keep;
        }
        true
    }
}

/// What drives one administration's month besides its own state.
#[derive(Debug, Clone, Copy)]
struct Context {
    voice: f64,
    peer_adoption: f64,
    evidence: f64,
}
