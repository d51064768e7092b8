//! Phase 5, administrations (docs/model.md section 6.5): adoption and
//! project failure, the three barriers, integration, transformation,
//! incidents and abandonment, administration by administration in index
//! order; then the month's news (incidents, failures, abandonments) reaches
//! the peers.

use super::{EPS_ADMIN, Model, lever};
use crate::rng::{Purpose, chance};
use crate::scenario::Dynamics;

/// What one administration's month produced that its peers hear about.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct News {
    incident: bool,
    /// A project failed or Social CRM was abandoned: negative evidence.
    setback: bool,
    failed_project: bool,
}

impl Model {
    /// Phase 5: every administration's month, then the news among peers.
    pub(super) fn administrations(&mut self) {
        let d = self.dynamics.clone();
        let seen = std::mem::take(&mut self.seen);
        // Measured results as they were when the phase began, own and peers'.
        // An administration with no needs this month shows no result.
        let results: Vec<f64> = seen
            .iter()
            .zip(&self.admins.adoption)
            .map(|(o, &a)| a * o.service.unwrap_or(0.0))
            .collect();
        let peer_results = self.admin_graph.neighbour_means_f64(&results);
        let peer_adoption = self.admin_graph.neighbour_means_f64(&self.admins.adoption);
        let draws = Draws {
            main: self.streams.draws(Purpose::Administration { step: self.step }),
            events: self.streams.draws(Purpose::AdministrationEvents { step: self.step }),
        };
        let mut news = Vec::with_capacity(self.admins.len());
        for j in 0..self.admins.len() {
            let own = lever(self.local.as_deref(), &d, j).clone();
            let context = Context {
                voice: seen[j].voice,
                peer_adoption: peer_adoption[j].unwrap_or(0.0),
                evidence: own.roi_measurement * (results[j] + d.roi_peer_weight * peer_results[j].unwrap_or(0.0)),
                // Measurement shows a shortfall only where there were needs to serve.
                shortfall: own.roi_measurement * (1.0 - seen[j].service.unwrap_or(1.0)),
            };
            news.push(self.admin_month(j, &own, context, draws.words(j)));
        }
        // News travels to the peers: an incident raises their security
        // barrier, a failed project or an abandonment their ROI barrier.
        for (j, n) in news.iter().enumerate() {
            for k in self.admin_graph.neighbours_of(j as u32) {
                let k = k as usize;
                if n.incident {
                    let s = &mut self.admins.security[k];
                    *s += d.incident_peer_rise * (1.0 - *s);
                }
                if n.setback {
                    let r = &mut self.admins.roi[k];
                    *r += d.failure_peer_rise * (1.0 - *r);
                }
            }
        }
        self.flows.incidents = news.iter().filter(|n| n.incident).count() as u64;
        self.flows.failed_projects = news.iter().filter(|n| n.failed_project).count() as u64;
    }

    /// One administration's month (docs/model.md section 6.5, in its order).
    fn admin_month(&mut self, j: usize, d: &Dynamics, context: Context, words: [u32; 5]) -> News {
        let [adopt_word, incident_word, fail_word, transform_word, abandon_word] = words;
        let a = &mut self.admins;
        let mut news = News::default();
        // Adoption: a hazard that rises with the drivers and falls with the barriers.
        let barrier = (1.0 - (d.roi_barrier_scale * a.roi[j]).min(1.0))
            * (1.0 - (d.security_barrier_scale * a.security[j]).min(1.0))
            * (1.0 - (d.organizational_barrier_scale * a.organizational[j]).min(1.0));
        let pioneer = if a.pioneer[j] { d.pioneer_innovation } else { 0.0 };
        let drive = d.adoption_innovation
            + pioneer
            + d.adoption_imitation * context.peer_adoption
            + d.citizen_pressure * context.voice;
        if a.adoption[j] < 1.0 - EPS_ADMIN && chance(adopt_word, (drive * barrier).min(1.0)) {
            // Each step is a project; an unready organisation fails more often.
            if chance(fail_word, (d.project_failure * 2.0 * a.organizational[j]).min(1.0)) {
                a.failed[j] += 1;
                a.roi[j] += d.failure_roi_rise * (1.0 - a.roi[j]);
                news.failed_project = true;
                news.setback = true;
            } else {
                a.adoption[j] = (a.adoption[j] + d.adoption_step).min(1.0);
                a.abandoned[j] = false;
            }
        }
        let adoption = a.adoption[j];
        a.roi[j] *= 1.0 - (d.roi_learning * context.evidence).min(1.0);
        a.organizational[j] *= (1.0 - d.training) * (1.0 - d.org_experience * adoption);
        a.security[j] *= 1.0 - d.security_learning * d.security_investment;
        let ready = adoption * (1.0 - a.organizational[j]);
        a.integration[j] += d.integration_rate * (ready - a.integration[j]);
        // Transformation: a chance that grows with adoption and participation
        // and falls continuously with the organisational barrier.
        let participation_share = f64::from(a.participants[j]) / f64::from(a.size(j));
        if !a.transformed[j] && adoption >= d.transformation_adoption - EPS_ADMIN {
            let participation = if d.transformation_participation > 0.0 {
                (participation_share / d.transformation_participation).min(1.0)
            } else {
                1.0
            };
            let hazard = d.transformation_rate * adoption * participation * (1.0 - a.organizational[j]);
            a.transformed[j] = chance(transform_word, hazard);
        }
        let hazard = d.incident_rate * (d.incident_exposure + adoption) * (1.0 - d.security_investment);
        news.incident = chance(incident_word, hazard);
        if news.incident {
            a.security[j] += d.incident_barrier_rise * (1.0 - a.security[j]);
            let keep = (1.0 - d.incident_trust_loss) as f32;
            for t in &mut self.citizens.trust[a.block(j)] {
                *t *= keep;
            }
        }
        // Abandonment: a base hazard, raised by an incident this month and by
        // poor results where they are measured.
        if adoption > EPS_ADMIN {
            let incident = if news.incident { d.abandonment_incident } else { 0.0 };
            let hazard = d.abandonment_rate * (1.0 + incident) * (1.0 + d.abandonment_results * context.shortfall);
            if chance(abandon_word, hazard.min(1.0)) {
                a.adoption[j] = 0.0;
                a.transformed[j] = false;
                a.abandoned[j] = true;
                a.roi[j] += d.failure_roi_rise * (1.0 - a.roi[j]);
                news.setback = true;
            }
        }
        news
    }
}

/// The draws of phase 5 for administration `j`: adoption and incident from
/// the phase's first stream (as in v2), the events v3 added from a second.
struct Draws {
    main: crate::rng::Draws,
    events: crate::rng::Draws,
}

impl Draws {
    fn words(&self, j: usize) -> [u32; 5] {
        let [adopt, incident] = self.main.words(j as u64);
        let [fail, transform] = self.events.words(2 * j as u64);
        let [abandon, _] = self.events.words(2 * j as u64 + 1);
        [adopt, incident, fail, transform, abandon]
    }
}

/// What drives one administration's month besides its own state.
#[derive(Debug, Clone, Copy)]
struct Context {
    voice: f64,
    peer_adoption: f64,
    evidence: f64,
    /// Measured shortfall of service: `roi_measurement (1 - service)`.
    shortfall: f64,
}
