//! A participatory class (`agora serve`'s class mode, docs/classroom.md):
//! one shared future, each student plays one administration, round by round.
//!
//! The class IS a scenario: a built-in future with a class-sized population,
//! and every student's choice a targeted intervention (`Target::Ids([id])`)
//! from the first month of the round it was made for. The model runs here
//! round by round and follows the scenario as it grows
//! ([`Model::follow`]), so what the class saw is, byte for byte, what `agora
//! run` computes from the exported scenario. No transport here: the routes
//! are in `class_routes.rs`, the debrief and the export in `debrief.rs`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use agora_core::calendar::Month;
use agora_core::model::cost;
use agora_core::model::{AdministrationView, Class as Future, LoadedGraphs, Metrics, Model};
use agora_core::rng::replicate_seed;
use agora_core::scenario::{self, Intervention, Scenario, Target};

use crate::Refused;

/// Classes a server holds at once.
pub const MAX_CLASSES: usize = 4;
/// Administrations (and so students) a class may have.
pub const MAX_STUDENTS: u32 = 60;
/// Rounds a class may play.
pub const MAX_ROUNDS: u32 = 40;
/// Months a round may last.
pub const MAX_MONTHS: u32 = 24;
/// Citizens a class's population may have.
pub const MAX_CITIZENS: u32 = 40_000;
/// A class nobody used for this long is dropped.
pub const CLASS_IDLE: Duration = Duration::from_secs(6 * 3600);

/// A lever a student holds: the page's slider ([`crate::session::Lever`]),
/// never an initial condition.
pub use crate::session::Lever as ClassLever;

const fn lever(
    path: &'static str,
    label: &'static str,
    explanation: &'static str,
    min: f64,
    max: f64,
    step: f64,
) -> ClassLever {
    ClassLever {
        initial: false,
        path,
        label,
        explanation,
        min,
        max,
        step,
    }
}

/// The levers of a student's administration, in the order the page shows them.
pub const CLASS_LEVERS: [ClassLever; 8] = [
    lever(
        "dynamics.training",
        "Staff training",
        "Share of staff trained each month: lowers the organisational barrier.",
        0.0,
        0.05,
        0.005,
    ),
    lever(
        "dynamics.security_investment",
        "Security programme",
        "Share of a full security programme funded: fewer incidents, a lower security barrier.",
        0.0,
        1.0,
        0.05,
    ),
    lever(
        "dynamics.roi_measurement",
        "Measuring results",
        "Share of results measured: evidence that Social CRM pays (or does not).",
        0.0,
        1.0,
        0.05,
    ),
    lever(
        "dynamics.capacity_per_citizen",
        "Staff for requests",
        "Requests your staff can handle per citizen each month.",
        0.04,
        0.3,
        0.02,
    ),
    lever(
        "dynamics.channel_openness",
        "Open online channels",
        "Chance that an online contact is answered before Social CRM (web forms, e-mail).",
        0.0,
        1.0,
        0.05,
    ),
    lever(
        "dynamics.roi_barrier_scale",
        "Doubt about pay-off",
        "How much doubt that Social CRM pays holds you back (1 = as observed; lower costs a programme).",
        0.0,
        1.0,
        0.05,
    ),
    lever(
        "dynamics.security_barrier_scale",
        "Fear of incidents",
        "How much fear of incidents holds you back (1 = as observed).",
        0.0,
        1.0,
        0.05,
    ),
    lever(
        "dynamics.organizational_barrier_scale",
        "Unready organisation",
        "How much unready processes and skills hold you back (1 = as observed).",
        0.0,
        1.0,
        0.05,
    ),
];

/// Names for the administrations, by id (beyond the list: "Town N").
const NAMES: [&str; 60] = [
    "Aldmoor",
    "Brackenford",
    "Caster Hill",
    "Dunmere",
    "Eastwick",
    "Fernlow",
    "Glenhaven",
    "Harrowgate",
    "Ivybridge",
    "Juniper Bay",
    "Kestrel Vale",
    "Lindenfield",
    "Marlow Cross",
    "Northby",
    "Oakhurst",
    "Pebbleton",
    "Quarry Green",
    "Rosedale",
    "Stonebridge",
    "Thornbury",
    "Upton Reach",
    "Valemont",
    "Westerleigh",
    "Yarrowfield",
    "Ashcombe",
    "Birchmouth",
    "Coldharbour",
    "Dovecote",
    "Elmstead",
    "Foxley",
    "Greywater",
    "Hollins",
    "Inchmore",
    "Kingsmead",
    "Larkspur",
    "Millbrook",
    "Netherby",
    "Orchard End",
    "Pinewood",
    "Redcliffe",
    "Saltmarsh",
    "Tamworth Lea",
    "Underhill",
    "Wickham",
    "Amberley",
    "Bellhaven",
    "Cresswell",
    "Draycott",
    "Evesford",
    "Fallowfield",
    "Goldcrest",
    "Heathcote",
    "Kilnsey",
    "Lowther",
    "Moorcroft",
    "Newhaven",
    "Oxley",
    "Penrose",
    "Ravenglass",
    "Silverdale",
];

/// An administration's name.
pub fn admin_name(id: usize) -> String {
    NAMES
        .get(id)
        .map_or_else(|| format!("Town {}", id + 1), |n| n.to_string())
}

/// What a teacher opens a class with.
#[derive(Debug, Clone, Serialize)]
pub struct ClassOptions {
    /// The built-in future the class starts from (fracture, participation, pioneer).
    pub scenario: String,
    /// Administrations: one per student, and those the computer plays.
    pub administrations: u32,
    /// Citizens in the whole population.
    pub citizens: u32,
    /// Months per round.
    pub months: u32,
    /// Rounds, from the branch month on.
    pub rounds: u32,
    /// Administrations the computer plays (it keeps the future's levers).
    pub computer: Vec<u32>,
    /// Euros per citizen per month an administration may spend on its levers (docs/costs.md prices).
    pub budget: f64,
    /// Seconds a round stays open before it runs by itself (0: the teacher advances).
    pub seconds: u32,
}

impl Default for ClassOptions {
    fn default() -> Self {
        ClassOptions {
            scenario: "pioneer".into(),
            administrations: 30,
            citizens: 6000,
            months: 12,
            rounds: 5,
            computer: Vec::new(),
            budget: 0.6,
            seconds: 0,
        }
    }
}

impl ClassOptions {
    /// Read the options a page sent (missing fields: defaults), within the class limits.
    pub fn from_json(v: &Value) -> Result<ClassOptions, Refused> {
        let d = ClassOptions::default();
        let int = |key: &str, default: u32, lo: u32, hi: u32| -> Result<u32, Refused> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(default),
                Some(x) => x
                    .as_u64()
                    .filter(|&n| n >= u64::from(lo) && n <= u64::from(hi))
                    .map(|n| n as u32)
                    .ok_or_else(|| Refused(format!("`{key}` must be a whole number in {lo} ..= {hi}"))),
            }
        };
        let administrations = int("administrations", d.administrations, 6, MAX_STUDENTS)?;
        let citizens = int(
            "citizens",
            (200 * administrations).max(2000),
            20 * administrations,
            MAX_CITIZENS,
        )?;
        let scenario = v
            .get("scenario")
            .and_then(Value::as_str)
            .unwrap_or(&d.scenario)
            .to_string();
        if !crate::FUTURES.iter().any(|(n, _)| *n == scenario) {
            return Err(Refused(format!(
                "unknown scenario `{}`: a class starts from fracture, participation or pioneer",
                scenario.chars().take(40).collect::<String>()
            )));
        }
        let computer: Vec<u32> = match v.get("computer") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|x| x.as_u64().filter(|&n| n < u64::from(administrations)).map(|n| n as u32))
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| Refused(format!("`computer` lists administration ids below {administrations}")))?,
            Some(_) => return Err(Refused("`computer` is a list of administration ids".into())),
        };
        let budget = match v.get("budget") {
            None | Some(Value::Null) => d.budget,
            Some(x) => x
                .as_f64()
                .filter(|b| (0.0..=10.0).contains(b))
                .ok_or_else(|| Refused("`budget` is euros per citizen per month, 0 ..= 10".into()))?,
        };
        Ok(ClassOptions {
            scenario,
            administrations,
            citizens,
            months: int("months", d.months, 1, MAX_MONTHS)?,
            rounds: int("rounds", d.rounds, 1, MAX_ROUNDS)?,
            computer,
            budget,
            seconds: int("seconds", d.seconds, 0, 3600)?,
        })
    }
}

/// A student's seat: who plays an administration.
#[derive(Debug, Clone)]
pub struct Seat {
    /// The name the student gave.
    pub name: String,
    /// The secret in the student's link.
    pub token: String,
}

/// What a round did to one administration.
#[derive(Debug, Clone, Serialize)]
pub struct RoundResult {
    /// The round (1 first).
    pub round: u32,
    /// Its last month, `YYYY-MM`.
    pub date: String,
    /// Citizens' mean trust at its end.
    pub trust: f64,
    /// Online contacts unheard over the round (None without any).
    pub unheard_share: Option<f64>,
    /// Security incidents in the round.
    pub incidents: u32,
    /// Social CRM adoption at its end.
    pub adoption: f64,
    /// Whether transformed at its end.
    pub transformed: bool,
    /// Euros per citizen the levers cost over the round.
    pub cost: f64,
    /// Citizens' mean digitalization at its end.
    pub digitalization: f64,
    /// The three barriers at its end: ROI, security, organisational.
    pub barriers: [f64; 3],
}

/// A lever setting: path to value.
pub type Choice = BTreeMap<&'static str, f64>;

/// One class: its scenario, its live model, its players.
pub struct Class {
    /// The code students type.
    pub code: String,
    /// The teacher's secret.
    pub teacher: String,
    /// What it was opened with.
    pub options: ClassOptions,
    /// The scenario so far: every round's choices as targeted interventions.
    pub scenario: Scenario,
    /// The levers in force in the future the class starts from.
    pub baseline: Choice,
    /// The model at the branch month, before any choice (for the debrief's reruns).
    pub at_branch: Model,
    pub(crate) model: Model,
    /// Metric rows from step 0.
    pub series: Vec<Metrics>,
    /// Seats by administration id.
    pub seats: Vec<Option<Seat>>,
    /// Whether the computer plays an administration.
    pub computer: Vec<bool>,
    /// The choice each administration goes into the next round with.
    pub choice: Vec<Choice>,
    /// The choice in force (after the last round).
    pub(crate) in_force: Vec<Choice>,
    /// The round each administration last chose for (0: never).
    pub chosen_for: Vec<u32>,
    /// Per administration, per round.
    pub history: Vec<Vec<RoundResult>>,
    /// Per administration, the state at the branch and now.
    pub start: Vec<AdministrationView>,
    /// Per administration now.
    pub now: Vec<AdministrationView>,
    /// Administrations' peers.
    pub peers: Vec<Vec<u32>>,
    /// Rounds played.
    pub round: u32,
    /// When the open round runs by itself (with `options.seconds`).
    pub deadline: Option<Instant>,
    /// Last use, for dropping idle classes.
    pub used: Instant,
    /// The debrief once computed (for the rounds played then).
    pub debrief: Option<(u32, Value)>,
    /// The export folder once written (for the rounds played then).
    pub exported: Option<(u32, String)>,
}

/// The value of lever `path` in force after the branch of `s`.
fn in_force_after_branch(s: &Scenario, path: &str) -> f64 {
    s.future
        .get(path)
        .copied()
        .unwrap_or_else(|| s.dynamics.get(path.trim_start_matches("dynamics.")).unwrap_or(f64::NAN))
}

impl Class {
    /// Open a class: build its scenario and run the shared past to the branch month.
    pub fn new(code: String, teacher: String, options: ClassOptions) -> Result<Class, Refused> {
        let mut s = scenario::built_in()
            .into_iter()
            .find(|s| s.name == options.scenario)
            .ok_or_else(|| Refused(format!("unknown scenario `{}`", options.scenario)))?;
        let branch = s.branch_step().unwrap_or(0);
        let steps = branch + options.rounds * options.months;
        let overrides = [
            ("population.citizens", options.citizens.to_string()),
            ("population.administrations", options.administrations.to_string()),
            ("replicates", "1".to_string()),
            ("steps", steps.to_string()),
        ];
        let overrides: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        scenario::apply_overrides(&mut s, &overrides).map_err(|e| Refused(e.to_string()))?;
        s.name = format!("class-{}", code.to_ascii_lowercase());
        s.description = format!(
            "A class's future from {}: each administration's levers chosen by a student, {} rounds of {} months (agora serve)",
            options.scenario, options.rounds, options.months
        );
        scenario::validate(&s).map_err(|e| Refused(e.to_string()))?;
        let baseline: Choice = CLASS_LEVERS
            .iter()
            .map(|l| (l.path, in_force_after_branch(&s, l.path)))
            .collect();
        let m = options.administrations as usize;
        // Built with everyone at the baseline in the first round: a targeted
        // schedule from the first month, replaced by the real first round
        // before its month is stepped (Model::follow).
        let mut placeholder = s.clone();
        placeholder.interventions = (0..m).map(|j| round_one(branch, j, &baseline)).collect();
        let mut model = Model::new(&placeholder, replicate_seed(s.seed, 0), &LoadedGraphs::default());
        let mut series = vec![model.metrics()];
        while model.step_index() < branch {
            model.step();
            series.push(model.metrics());
        }
        let now = model.by_administration();
        let peers = (0..m).map(|j| model.peers_of(j)).collect();
        let mut computer = vec![false; m];
        for &j in &options.computer {
            computer[j as usize] = true;
        }
        Ok(Class {
            code,
            teacher,
            at_branch: model.clone(),
            model,
            series,
            seats: vec![None; m],
            computer,
            choice: vec![baseline.clone(); m],
            in_force: vec![baseline.clone(); m],
            chosen_for: vec![0; m],
            history: vec![Vec::new(); m],
            start: now.clone(),
            now,
            peers,
            round: 0,
            deadline: (options.seconds > 0).then(|| Instant::now() + Duration::from_secs(u64::from(options.seconds))),
            used: Instant::now(),
            debrief: None,
            exported: None,
            scenario: s,
            baseline,
            options,
        })
    }

    /// The branch step (the first round's first month).
    pub fn branch(&self) -> u32 {
        self.scenario.branch_step().unwrap_or(0)
    }

    /// The calendar month of step `t`.
    pub fn date(&self, t: u32) -> String {
        Month::parse(&self.scenario.start)
            .expect("a validated start")
            .plus(t)
            .to_string()
    }

    /// Whether every round was played.
    pub fn finished(&self) -> bool {
        self.round >= self.options.rounds
    }

    /// Seats a student can take: not the computer's, not taken.
    pub fn open_seats(&self) -> usize {
        (0..self.seats.len())
            .filter(|&j| self.seats[j].is_none() && !self.computer[j])
            .count()
    }

    /// Seat a student at the first open administration; returns its id.
    pub fn join(&mut self, name: &str, token: String) -> Result<usize, Refused> {
        let name: String = name.trim().chars().filter(|c| !c.is_control()).take(40).collect();
        if name.is_empty() {
            return Err(Refused("type your name (or a nickname) to join".into()));
        }
        let j = (0..self.seats.len())
            .find(|&j| self.seats[j].is_none() && !self.computer[j])
            .ok_or_else(|| {
                Refused(format!(
                    "class {} is full: every administration has a player",
                    self.code
                ))
            })?;
        self.seats[j] = Some(Seat { name, token });
        Ok(j)
    }

    /// Whether `token` is the student's of administration `j`.
    pub fn is_student(&self, j: usize, token: &str) -> bool {
        self.seats
            .get(j)
            .and_then(Option::as_ref)
            .is_some_and(|s| crate::guard::same(&s.token, token))
    }

    /// The monthly cost of `choice` at administration `j`, euros per citizen.
    pub fn monthly_cost(&self, choice: &Choice) -> f64 {
        let mut s = self.scenario.clone();
        for (path, value) in choice {
            scenario::set_path(&mut s, path, &value.to_string()).expect("a class lever path");
        }
        cost::monthly(&s.dynamics)
    }

    /// The budget: the options' one, or the baseline's cost if higher (the
    /// future's own levers always fit).
    pub fn budget(&self) -> f64 {
        self.options.budget.max(self.monthly_cost(&self.baseline))
    }

    /// Set administration `j`'s choice for the next round (levers not named keep their value).
    pub fn choose(&mut self, j: usize, levers: &serde_json::Map<String, Value>) -> Result<(), Refused> {
        if self.finished() {
            return Err(Refused("the class has played its last round".into()));
        }
        let mut next = self.choice[j].clone();
        for (path, value) in levers {
            let lever = CLASS_LEVERS.iter().find(|l| l.path == path).ok_or_else(|| {
                let names: Vec<&str> = CLASS_LEVERS.iter().map(|l| l.path).collect();
                Refused(format!(
                    "unknown lever `{}`: levers are {}",
                    path.chars().take(60).collect::<String>(),
                    names.join(", ")
                ))
            })?;
            let v = value
                .as_f64()
                .filter(|v| *v >= lever.min - 1e-9 && *v <= lever.max + 1e-9)
                .ok_or_else(|| Refused(format!("{}: a number in {} ..= {}", lever.path, lever.min, lever.max)))?;
            next.insert(lever.path, v);
        }
        let (cost, budget) = (self.monthly_cost(&next), self.budget());
        if cost > budget + 1e-9 {
            return Err(Refused(format!(
                "over budget: these levers cost EUR {cost:.2} per citizen per month, the budget is EUR {budget:.2}"
            )));
        }
        self.choice[j] = next;
        self.chosen_for[j] = self.round + 1;
        Ok(())
    }

    /// Play the open round: every administration's choice from its first
    /// month on, then its months.
    pub fn advance(&mut self) -> Result<(), Refused> {
        if self.finished() {
            return Err(Refused("the class has played its last round".into()));
        }
        let at = self.model.step_index();
        for j in 0..self.choice.len() {
            let set: BTreeMap<String, f64> = self.choice[j]
                .iter()
                .filter(|(p, v)| self.round == 0 || self.in_force[j].get(*p) != Some(*v))
                .map(|(p, v)| (p.to_string(), *v))
                .collect();
            if !set.is_empty() {
                self.scenario.interventions.push(Intervention {
                    at,
                    set,
                    target: Target::Ids(vec![j as u32]),
                });
            }
        }
        self.model.follow(&self.scenario).map_err(|e| Refused(e.to_string()))?;
        self.in_force = self.choice.clone();
        let m = self.choice.len();
        let (mut incidents, mut cost, mut online, mut unheard) =
            (vec![0u32; m], vec![0.0; m], vec![0u32; m], vec![0u32; m]);
        for _ in 0..self.options.months {
            let before = self.model.admins.adoption.clone();
            self.model.step();
            self.series.push(self.model.metrics());
            for (j, hit) in self.model.incidents_in_last_step(&before).into_iter().enumerate() {
                incidents[j] += u32::from(hit);
            }
            for (j, v) in self.model.by_administration().into_iter().enumerate() {
                cost[j] += v.monthly_cost;
                online[j] += v.online;
                unheard[j] += v.unheard;
            }
        }
        self.round += 1;
        self.now = self.model.by_administration();
        // The round's last month.
        let date = self.date(self.model.step_index() - 1);
        for (j, v) in self.now.iter().enumerate() {
            self.history[j].push(RoundResult {
                round: self.round,
                date: date.clone(),
                trust: v.trust,
                unheard_share: (online[j] > 0).then(|| f64::from(unheard[j]) / f64::from(online[j])),
                incidents: incidents[j],
                adoption: v.adoption,
                transformed: v.transformed,
                cost: cost[j],
                digitalization: v.digitalization,
                barriers: [v.roi_barrier, v.security_barrier, v.organizational_barrier],
            });
        }
        self.deadline = (self.options.seconds > 0 && !self.finished())
            .then(|| Instant::now() + Duration::from_secs(u64::from(self.options.seconds)));
        Ok(())
    }
}

/// The first round's intervention for administration `j`: every lever,
/// also the unchanged ones, so the run keeps one set of levers per
/// administration from its first month (what byte-for-byte replay needs).
pub fn round_one(at: u32, j: usize, choice: &Choice) -> Intervention {
    Intervention {
        at,
        set: choice.iter().map(|(p, v)| (p.to_string(), *v)).collect(),
        target: Target::Ids(vec![j as u32]),
    }
}

/// A series' future with its margin, as JSON.
pub fn verdict_json(series: &[Metrics], s: &Scenario) -> Value {
    let v = Future::judge(series, &s.classification, s.branch_step().unwrap_or(0));
    json!({ "class": v.class.name(), "nearest": v.nearest.name(), "margin": v.margin })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Class {
        let options = ClassOptions {
            administrations: 6,
            citizens: 1200,
            months: 6,
            rounds: 3,
            computer: vec![5],
            ..ClassOptions::default()
        };
        Class::new("ABC234".into(), "t".into(), options).unwrap()
    }

    #[test]
    fn seats_choices_budget_and_rounds() {
        let mut c = small();
        assert_eq!(c.open_seats(), 5);
        for k in 0..5 {
            assert_eq!(c.join(&format!("s{k}"), format!("tok{k}")).unwrap(), k);
        }
        assert!(c.join("late", "x".into()).unwrap_err().0.contains("full"));
        assert!(c.is_student(2, "tok2") && !c.is_student(2, "tok1") && !c.is_student(5, ""));
        let over: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"dynamics.training": 0.05, "dynamics.security_investment": 1.0}"#).unwrap();
        assert!(c.choose(0, &over).unwrap_err().0.contains("over budget"));
        let ok: serde_json::Map<String, Value> = serde_json::from_str(r#"{"dynamics.training": 0.02}"#).unwrap();
        c.choose(0, &ok).unwrap();
        let bad: serde_json::Map<String, Value> = serde_json::from_str(r#"{"dynamics.incident_rate": 0.0}"#).unwrap();
        assert!(c.choose(0, &bad).unwrap_err().0.contains("unknown lever"));
        for _ in 0..3 {
            c.advance().unwrap();
        }
        assert!(c.finished() && c.advance().is_err());
        assert_eq!(c.series.len() as u32, c.scenario.steps + 1);
        // Round one names every administration; later rounds only changes.
        assert_eq!(c.scenario.interventions.len(), 6);
        assert_eq!(c.history[0].len(), 3);
        assert!(c.verdict().is_some());
    }
}
