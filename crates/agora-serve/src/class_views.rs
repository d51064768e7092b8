//! What the class's pages see: a student's administration, the class's
//! state, the teacher's view, as JSON (`class_routes.rs` sends them).

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

use agora_core::model::metrics;

use crate::class::{CLASS_LEVERS, Class, admin_name, verdict_json};

impl Class {
    /// The class's future so far with its margin, once a year past the branch.
    pub fn verdict(&self) -> Option<Value> {
        (self.series.len() > self.branch() as usize + 12).then(|| verdict_json(&self.series, &self.scenario))
    }

    /// One administration for a table or a student: its state now, its player, its totals.
    pub fn admin_json(&self, j: usize) -> Value {
        let v = &self.now[j];
        let h = &self.history[j];
        let last = h.last();
        json!({
            "id": j,
            "name": admin_name(j),
            "player": self.seats[j].as_ref().map(|s| s.name.clone()),
            "computer": self.computer[j],
            "citizens": v.citizens,
            "pioneer": v.pioneer,
            "trust": v.trust,
            "adoption": v.adoption,
            "transformed": v.transformed,
            "digitalization": v.digitalization,
            "barriers": [v.roi_barrier, v.security_barrier, v.organizational_barrier],
            "unheard_share": last.map_or_else(|| v.unheard_share(), |r| r.unheard_share),
            "incidents": h.iter().map(|r| r.incidents).sum::<u32>(),
            "cost": h.iter().map(|r| r.cost).sum::<f64>() + 0.0,
            "chosen": self.chosen_for[j] > self.round,
        })
    }

    /// What a student's page shows.
    pub fn student_json(&self, j: usize) -> Value {
        let start = &self.start[j];
        let population: u32 = self.now.iter().map(|v| v.citizens).sum();
        let neighbours: Vec<Value> = self.peers[j].iter().map(|&k| self.admin_json(k as usize)).collect();
        json!({
            "class": self.status_json(),
            "admin": self.admin_json(j),
            "share": f64::from(start.citizens) / f64::from(population.max(1)),
            "start": {
                "trust": start.trust, "adoption": start.adoption, "digitalization": start.digitalization,
                "barriers": [start.roi_barrier, start.security_barrier, start.organizational_barrier],
                "unheard_share": start.unheard_share(),
            },
            "history": self.history[j],
            "neighbours": neighbours,
            "choice": self.choice[j],
            "in_force": self.in_force[j],
            "cost": self.monthly_cost(&self.choice[j]),
        })
    }

    /// The state of the class any page may see: round, dates, budget, levers.
    pub fn status_json(&self) -> Value {
        let at = self.model.step_index();
        json!({
            "code": self.code,
            "scenario": self.options.scenario,
            "round": self.round,
            "rounds": self.options.rounds,
            "months": self.options.months,
            "date": self.date(at),
            "next": if self.finished() { Value::Null } else { json!(self.date(at + self.options.months - 1)) },
            "finished": self.finished(),
            "budget": self.budget(),
            "baseline": self.baseline,
            "baseline_cost": self.monthly_cost(&self.baseline),
            "levers": CLASS_LEVERS,
            "administrations": self.seats.len(),
            "joined": self.seats.iter().filter(|s| s.is_some()).count(),
            "open": self.open_seats(),
            "seconds_left": self.deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs()),
        })
    }

    /// What the teacher's page shows; metric rows from step `from` on (full precision).
    pub fn teacher_json(&self, from: usize) -> Value {
        let from = from.min(self.series.len());
        let rows: Vec<&[f64]> = self.series[from..].iter().map(|m| &m.values[..]).collect();
        let chosen = (0..self.seats.len())
            .filter(|&j| self.seats[j].is_some() && self.chosen_for[j] > self.round)
            .count();
        json!({
            "class": self.status_json(),
            "start": self.scenario.start,
            "branch": self.branch(),
            "from": from,
            "rows": rows,
            "metrics": metrics::METRIC_NAMES,
            "admins": (0..self.seats.len()).map(|j| self.admin_json(j)).collect::<Vec<_>>(),
            "chosen": chosen,
            "verdict": self.verdict(),
            "colours": crate::FUTURES.iter().map(|(n, _)| (n.to_string(), crate::colour(n))).chain(
                ["analog", "broad_adoption", "undecided"].iter().map(|n| (n.to_string(), crate::colour(n)))).collect::<BTreeMap<_, _>>(),
            "debrief": self.debrief.is_some(),
            "exported": self.exported.as_ref().map(|e| e.1.clone()),
        })
    }
}
