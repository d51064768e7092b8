//! A classroom session: the three built-in futures stepped in lockstep, the
//! levers a class may move, and the state a page draws. No transport here:
//! the HTTP server calls it, and so could a WASM build or a test.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use agora_core::calendar::Month;
use agora_core::graph::Graph;
use agora_core::model::{Class, LoadedGraphs, METRICS, Metrics, Model};
use agora_core::rng::replicate_seed;
use agora_core::scenario::{self, Scenario, ScenarioError};

/// One lever the page offers: a parameter path, how a class reads it, and
/// the slider's span (inside the range `scenario::validate` allows).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Lever {
    /// The parameter path, as `--set` and interventions name it.
    pub path: &'static str,
    /// A short title.
    pub label: &'static str,
    /// One line for a class: what moving it means.
    pub explanation: &'static str,
    /// The slider's lowest value.
    pub min: f64,
    /// The slider's highest value.
    pub max: f64,
    /// The slider's step.
    pub step: f64,
    /// Whether it is an initial condition (applies only from the first month).
    pub initial: bool,
}

const fn lever(path: &'static str, label: &'static str, explanation: &'static str, max: f64, step: f64) -> Lever {
    Lever {
        path,
        label,
        explanation,
        min: 0.0,
        max,
        step,
        initial: false,
    }
}

/// The levers of the page, in the order it shows them.
pub const LEVERS: [Lever; 9] = [
    lever(
        "dynamics.digital_imitation",
        "Digital imitation",
        "How strongly citizens go online because their friends are online (per month).",
        0.05,
        // Fine enough that the calibrated value sits on a position (within 1%).
        0.0001,
    ),
    lever(
        "dynamics.roi_barrier_scale",
        "ROI barrier weight",
        "How much doubt that Social CRM pays holds administrations back (1 = as observed, 0 = not at all).",
        2.0,
        0.05,
    ),
    lever(
        "dynamics.security_barrier_scale",
        "Security barrier weight",
        "How much fear of incidents holds administrations back (1 = as observed).",
        2.0,
        0.05,
    ),
    lever(
        "dynamics.organizational_barrier_scale",
        "Organisational barrier weight",
        "How much unready processes and skills hold administrations back (1 = as observed).",
        2.0,
        0.05,
    ),
    lever(
        "dynamics.roi_measurement",
        "ROI measurement",
        "Share of results that administrations measure: evidence that lowers the ROI barrier.",
        1.0,
        0.05,
    ),
    lever(
        "dynamics.citizen_pressure",
        "Citizen pressure",
        "How much citizens' voice pushes their administration to adopt (per month).",
        0.3,
        0.005,
    ),
    Lever {
        initial: true,
        ..lever(
            "administrations.pioneer_share",
            "Pioneer share",
            "Share of administrations that start as pioneers; applies from January 2012 only (reset first).",
            0.5,
            0.01,
        )
    },
    lever(
        "dynamics.training",
        "Training",
        "Share of staff trained per month: lowers the organisational barrier.",
        0.05,
        0.001,
    ),
    lever(
        "dynamics.security_investment",
        "Security investment",
        "Share of a full security programme funded: fewer incidents, a lower security barrier.",
        1.0,
        0.05,
    ),
];

/// The metrics the page charts, by name (one line each in [`EXPLAIN`]).
pub const CHARTED: [&str; 6] = [
    "digitalization",
    "adoption",
    "trust",
    "unheard_share",
    "participation",
    "fracture",
];

/// One line for a class per charted metric.
pub const EXPLAIN: [(&str, &str); 6] = [
    (
        "digitalization",
        "How ready citizens are to go online: the same in every future unless digital imitation changes.",
    ),
    (
        "adoption",
        "How far administrations use Social CRM to listen and answer online.",
    ),
    ("trust", "How much citizens trust their own administration."),
    ("unheard_share", "Online contacts nobody answered this month."),
    (
        "participation",
        "Citizens taking part in their administration's work this month.",
    ),
    ("fracture", "How far citizens are ahead of their administration online."),
];

/// One line for a class per future.
pub const FUTURES: [(&str, &str); 3] = [
    (
        "fracture",
        "Citizens go online, administrations stay closed: online contacts go unanswered and trust falls.",
    ),
    (
        "participation",
        "Administrations open up and share work with citizens: Social CRM carries participation.",
    ),
    (
        "pioneer",
        "A few pioneer administrations adopt Social CRM; most do not, and little changes.",
    ),
];

/// What a session is built with.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// Citizens per future (the built-ins have 20,000).
    pub citizens: u32,
    /// Citizens the picture shows (a fixed sample, a block per jurisdiction).
    pub shown: u32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            citizens: 20_000,
            shown: 2_500,
        }
    }
}

/// Why a session refused a command: the message says what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Which futures a command applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Which {
    /// All three.
    All,
    /// The future at this index of [`FUTURES`].
    One(usize),
}

impl Which {
    /// `all` or a future's name.
    pub fn parse(name: &str) -> Result<Which, Refused> {
        if name == "all" {
            return Ok(Which::All);
        }
        FUTURES
            .iter()
            .position(|(n, _)| *n == name)
            .map(Which::One)
            .ok_or_else(|| {
                let names: Vec<&str> = FUTURES.iter().map(|f| f.0).collect();
                Refused(format!("unknown future `{name}`: use all, {}", names.join(", ")))
            })
    }

    fn covers(self, k: usize) -> bool {
        self == Which::All || self == Which::One(k)
    }
}

/// A lever change applied to a future at a month.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The step from which it applies.
    pub month: u32,
    /// The future's name.
    pub future: &'static str,
    /// The lever's path.
    pub lever: &'static str,
    /// The new value.
    pub value: f64,
}

struct Future {
    scenario: Scenario,
    model: Model,
    series: Vec<Metrics>,
}

impl Future {
    fn start(scenario: Scenario) -> Future {
        let model = Model::new(&scenario, replicate_seed(scenario.seed, 0), &LoadedGraphs::default());
        let series = vec![model.metrics()];
        Future {
            scenario,
            model,
            series,
        }
    }
}

/// The fixed picture of the population: which citizens are shown, where,
/// and their ties among themselves.
#[derive(Debug, Clone, Serialize)]
pub struct World {
    /// Administrations: centre x, y and radius, in 0..1000 units (width 1000, height `height`).
    pub admins: Vec<[u16; 3]>,
    /// The picture's height in the same units.
    pub height: u16,
    /// Shown citizens: x, y.
    pub citizens: Vec<[u16; 2]>,
    /// Ties between shown citizens (indices into `citizens`).
    pub edges: Vec<[u32; 2]>,
}

/// The state of one future since a month, for a page.
#[derive(Debug, Clone, Serialize)]
pub struct FutureState {
    /// The scenario's name.
    pub name: &'static str,
    /// The metric rows from `Snapshot::from` on, values in [`METRICS`] order (undefined: null).
    pub rows: Vec<Vec<f64>>,
    /// The future its run so far would be classified as, once it can be
    /// told: a year after the branch (before, the futures share one past
    /// and no class is shown); final when `month == steps`.
    pub class: Option<&'static str>,
    /// The levers' values in force now.
    pub levers: BTreeMap<&'static str, f64>,
    /// Shown citizens' digitalization, 0-255, base64.
    pub digital: String,
    /// Shown citizens' trust, 0-255, base64.
    pub trust: String,
    /// Shown citizens' last month online: 0 no online contact, 1 answered, 2 unheard; base64.
    pub heard: String,
    /// Administrations' Social CRM adoption, 0-255, base64.
    pub adoption: String,
    /// Administrations' flags: 1 pioneer, 2 transformed; base64.
    pub flags: String,
}

/// What a page needs to draw a session at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Steps done (0: January 2012).
    pub month: u32,
    /// The date of that step, `YYYY-MM`.
    pub date: String,
    /// The last step.
    pub steps: u32,
    /// The first month whose row `rows` holds.
    pub from: u32,
    /// Whether the session plays.
    pub playing: bool,
    /// The three futures.
    pub futures: Vec<FutureState>,
    /// Lever values set and not yet applied (or kept for the next apply).
    pub pending: BTreeMap<&'static str, f64>,
    /// Changes applied since the last reset, the latest [`MAX_APPLIED`]
    /// (a change of a lever at a month replaces an earlier one at that month).
    pub applied: Vec<Applied>,
}

/// Three futures in lockstep, the levers set on them, and play state.
pub struct Session {
    base: Vec<Scenario>,
    futures: Vec<Future>,
    pending: BTreeMap<&'static str, f64>,
    applied: Vec<Applied>,
    playing: bool,
    start: Month,
    shown: Vec<u32>,
    world: World,
}

impl Session {
    /// The three built-in futures at January 2012, with `options.citizens` citizens each.
    pub fn new(options: SessionOptions) -> Result<Session, ScenarioError> {
        let mut base = Vec::new();
        for mut s in scenario::built_in() {
            let admins = Session::administrations(options.citizens);
            let overrides = [
                ("population.citizens".to_string(), options.citizens.to_string()),
                ("population.administrations".to_string(), admins.to_string()),
                ("replicates".to_string(), "1".to_string()),
            ];
            scenario::apply_overrides(&mut s, &overrides)?;
            base.push(s);
        }
        let futures: Vec<Future> = base.par_iter().cloned().map(Future::start).collect();
        let start = Month::parse(&base[0].start).expect("a validated start");
        let (shown, world) = layout(&futures[0].model, options.shown);
        Ok(Session {
            base,
            futures,
            pending: BTreeMap::new(),
            applied: Vec::new(),
            playing: false,
            start,
            shown,
            world,
        })
    }

    /// Administrations per future for `citizens` citizens: 100 as built in, fewer for a small population.
    pub fn administrations(citizens: u32) -> u32 {
        (citizens / 20).clamp(1, 100)
    }

    /// The lever called `path`, if the page offers it.
    pub fn lever(path: &str) -> Result<&'static Lever, Refused> {
        LEVERS.iter().find(|l| l.path == path).ok_or_else(|| {
            let names: Vec<&str> = LEVERS.iter().map(|l| l.path).collect();
            Refused(format!("unknown lever `{path}`: levers are {}", names.join(", ")))
        })
    }

    /// The range `scenario::validate` allows for `lever`, as its messages word it.
    pub fn allowed(lever: &Lever) -> String {
        let mut s = Scenario {
            name: "probe".into(),
            ..Scenario::default()
        };
        match scenario::set_path(&mut s, lever.path, "NaN").map(|()| scenario::validate(&s)) {
            Ok(Err(ScenarioError::Invalid { allowed, .. })) => allowed,
            _ => format!("{} ..= {}", lever.min, lever.max),
        }
    }

    /// The lever's default (the value of a scenario that does not set it).
    pub fn default_of(lever: &Lever) -> f64 {
        let s = Scenario::default();
        lever_value(&s, lever.path)
    }

    /// Set a lever's value, to apply with [`Session::intervene`]. A value
    /// outside the range `scenario::validate` allows is refused with its message.
    pub fn set(&mut self, path: &str, value: f64) -> Result<(), Refused> {
        let lever = Session::lever(path)?;
        let mut probe = self.base[0].clone();
        scenario::set_path(&mut probe, lever.path, &value.to_string()).map_err(|e| Refused(e.to_string()))?;
        scenario::validate(&probe).map_err(|e| Refused(e.to_string()))?;
        self.pending.insert(lever.path, value);
        Ok(())
    }

    /// Apply the levers set so far to `which` futures from the current month
    /// on (at January 2012: from the start, initial conditions included).
    pub fn intervene(&mut self, which: Which) -> Result<(), Refused> {
        let month = self.month();
        if self.pending.is_empty() {
            return Err(Refused("no lever set: move a slider first".into()));
        }
        if month > 0
            && let Some(lever) = LEVERS.iter().find(|l| l.initial && self.pending.contains_key(l.path))
        {
            return Err(Refused(format!(
                "`{}` sets where the futures start: press reset, then apply it in {}",
                lever.path, self.start
            )));
        }
        let pending = self.pending.clone();
        let picked: Vec<usize> = (0..self.futures.len()).filter(|&k| which.covers(k)).collect();
        for &k in &picked {
            let future = &mut self.futures[k];
            for (&path, &value) in &pending {
                let name = path.strip_prefix("dynamics.");
                if month == 0 {
                    scenario::set_path(&mut future.scenario, path, &value.to_string())
                        .expect("a lever path takes a number");
                } else {
                    let applied = name.is_some_and(|n| future.model.set_dynamics(n, value));
                    debug_assert!(applied, "{path} is a dynamics lever");
                }
                record(
                    &mut self.applied,
                    Applied {
                        month,
                        future: FUTURES[k].0,
                        lever: path,
                        value,
                    },
                );
            }
        }
        if month == 0 {
            let restarted: Vec<Future> = picked
                .par_iter()
                .map(|&k| Future::start(self.futures[k].scenario.clone()))
                .collect();
            for (k, future) in picked.into_iter().zip(restarted) {
                self.futures[k] = future;
            }
        }
        Ok(())
    }

    /// Advance the three futures one month; `false` (and stop playing) once at the end.
    pub fn step(&mut self) -> bool {
        if self.month() >= self.steps() {
            self.playing = false;
            return false;
        }
        self.futures.par_iter_mut().for_each(|f| {
            f.model.step();
            let row = f.model.metrics();
            f.series.push(row);
        });
        if self.month() >= self.steps() {
            self.playing = false;
        }
        true
    }

    /// Back to January 2012 and the built-in futures; levers set stay set (not applied).
    pub fn reset(&mut self) {
        self.futures = self.base.par_iter().cloned().map(Future::start).collect();
        self.applied.clear();
        self.playing = false;
    }

    /// Start or stop playing (the caller's clock calls [`Session::step`]).
    pub fn play(&mut self, on: bool) {
        self.playing = on && self.month() < self.steps();
    }

    /// Whether it plays.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Steps done.
    pub fn month(&self) -> u32 {
        self.futures[0].model.step_index()
    }

    /// The last step.
    pub fn steps(&self) -> u32 {
        self.base[0].steps
    }

    /// The fixed picture of the population.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The state now, with the metric rows from month `from` on.
    pub fn snapshot(&self, from: u32) -> Snapshot {
        let month = self.month();
        let from = from.min(month);
        let futures = self
            .futures
            .iter()
            .zip(FUTURES)
            .map(|(f, (name, _))| {
                let m = &f.model;
                let c = &m.citizens;
                let byte = |x: f32| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
                let pick = |v: &[f32]| -> Vec<u8> { self.shown.iter().map(|&i| byte(v[i as usize])).collect() };
                let heard: Vec<u8> = self
                    .shown
                    .iter()
                    .map(|&i| match m.heard(i as usize) {
                        None => 0,
                        Some(true) => 1,
                        Some(false) => 2,
                    })
                    .collect();
                let a = &m.admins;
                let adoption: Vec<u8> = a.adoption.iter().map(|&x| byte(x as f32)).collect();
                let flags: Vec<u8> = (0..a.len())
                    .map(|j| u8::from(a.pioneer[j]) | (u8::from(a.transformed[j]) << 1))
                    .collect();
                let levers = LEVERS
                    .iter()
                    .map(|l| {
                        let v = match l.path.strip_prefix("dynamics.") {
                            Some(n) => m.dynamics().get(n).unwrap_or(f64::NAN),
                            None => lever_value(&f.scenario, l.path),
                        };
                        (l.path, v)
                    })
                    .collect();
                let branch = f.scenario.branch_step().unwrap_or(0);
                let class = (f.series.len() > branch as usize + 12)
                    .then(|| Class::of(&f.series, &f.scenario.classification, branch).name());
                FutureState {
                    name,
                    rows: f.series[from as usize..].iter().map(|r| r.values.to_vec()).collect(),
                    class,
                    levers,
                    digital: base64(&pick(&c.digital)),
                    trust: base64(&pick(&c.trust)),
                    heard: base64(&heard),
                    adoption: base64(&adoption),
                    flags: base64(&flags),
                }
            })
            .collect();
        Snapshot {
            month,
            date: self.start.plus(month).to_string(),
            steps: self.steps(),
            from,
            playing: self.playing,
            futures,
            pending: self.pending.clone(),
            applied: self.applied.clone(),
        }
    }
}

/// Changes a [`Snapshot`] lists at most: the latest ones (every event
/// carries them, so the list must not grow with a session's history).
pub const MAX_APPLIED: usize = 64;

/// Add `change` to `applied`: it replaces a change of the same lever of the
/// same future at the same month (the later value is the one in force), and
/// the oldest changes go beyond [`MAX_APPLIED`].
fn record(applied: &mut Vec<Applied>, change: Applied) {
    applied.retain(|a| (a.month, a.future, a.lever) != (change.month, change.future, change.lever));
    applied.push(change);
    if applied.len() > MAX_APPLIED {
        applied.drain(..applied.len() - MAX_APPLIED);
    }
}

/// The value of a lever in a scenario (its dynamics or its initial state).
fn lever_value(s: &Scenario, path: &str) -> f64 {
    match path.strip_prefix("dynamics.") {
        Some(name) => s.dynamics.get(name).unwrap_or(f64::NAN),
        None if path == "administrations.pioneer_share" => s.administrations.pioneer_share,
        None => f64::NAN,
    }
}

/// Which citizens to show (the first of each jurisdiction, as many as fit
/// `shown`) and where: administrations on a grid in index order, row by
/// row alternating direction (neighbouring administrations are peers),
/// their citizens on a sunflower disc around them.
fn layout(model: &Model, shown: u32) -> (Vec<u32>, World) {
    let a = &model.admins;
    let n = a.len().max(1);
    let cols = ((n as f64 * 1.6).sqrt().ceil() as usize).max(1);
    let rows = n.div_ceil(cols);
    let cell = 1000.0 / cols as f64;
    let height = (cell * rows as f64).round() as u16;
    let per = (shown as usize).div_ceil(n).max(1);
    let mut admins = Vec::with_capacity(n);
    let mut citizens = Vec::new();
    let mut ids = Vec::new();
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    for j in 0..a.len() {
        let (row, col) = (j / cols, j % cols);
        let col = if row % 2 == 1 { cols - 1 - col } else { col };
        let (cx, cy) = ((col as f64 + 0.5) * cell, (row as f64 + 0.5) * cell);
        let r = cell * 0.45;
        admins.push([cx as u16, cy as u16, (r * 0.3) as u16]);
        let m = per.min(a.size(j) as usize);
        for k in 0..m {
            // Leave the centre to the administration.
            let rho = r * (0.42 + 0.58 * ((k as f64 + 0.5) / m as f64).sqrt());
            let theta = k as f64 * golden;
            citizens.push([(cx + rho * theta.cos()) as u16, (cy + rho * theta.sin()) as u16]);
            ids.push(a.start[j] + k as u32);
        }
    }
    let mut edges = Vec::new();
    if let Graph::Sparse(csr) = model.social_graph() {
        let index: std::collections::HashMap<u32, u32> = ids.iter().enumerate().map(|(k, &i)| (i, k as u32)).collect();
        for (k, &i) in ids.iter().enumerate() {
            for &other in csr.neighbours(i) {
                if let Some(&o) = index.get(&other)
                    && (k as u32) < o
                {
                    edges.push([k as u32, o]);
                }
            }
        }
    }
    let world = World {
        admins,
        height,
        citizens,
        edges,
    };
    (ids, world)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The metric table as the page reads it: name, label, unit, and one line
/// for a class where the page charts it.
pub fn metric_list() -> Vec<serde_json::Value> {
    METRICS
        .iter()
        .map(|m| {
            let explain = EXPLAIN.iter().find(|(n, _)| *n == m.name).map(|e| e.1);
            serde_json::json!({ "name": m.name, "label": m.label, "unit": m.unit, "explain": explain, "charted": CHARTED.contains(&m.name) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Session {
        Session::new(SessionOptions {
            citizens: 2000,
            shown: 500,
        })
        .unwrap()
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn steps_levers_and_reset() {
        let mut s = small();
        assert_eq!(s.month(), 0);
        assert!(s.step());
        assert_eq!(s.snapshot(0).futures[0].rows.len(), 2);
        let e = s.set("dynamics.training", 2.0).unwrap_err();
        assert!(e.0.contains("dynamics.training") && e.0.contains("0 ..= 1"), "{e}");
        assert!(s.set("dynamics.nope", 0.1).unwrap_err().0.contains("unknown lever"));
        s.set("dynamics.training", 0.04).unwrap();
        s.intervene(Which::One(0)).unwrap();
        let snap = s.snapshot(1);
        assert_eq!(snap.futures[0].levers["dynamics.training"], 0.04);
        // The participation future trains from its branch (2026) on, not in month 1.
        assert_eq!(snap.futures[1].levers["dynamics.training"], 0.0);
        s.set("administrations.pioneer_share", 0.3).unwrap();
        assert!(s.intervene(Which::All).unwrap_err().0.contains("reset"));
        s.reset();
        assert_eq!(s.month(), 0);
        s.intervene(Which::All).unwrap();
        assert_eq!(s.snapshot(0).futures[2].levers["administrations.pioneer_share"], 0.3);
        assert_eq!(
            s.snapshot(0).futures[0].digital.len(),
            base64(&vec![0; s.shown.len()]).len()
        );
    }

    #[test]
    fn a_reset_forgets_the_run_before_it() {
        let mut s = small();
        for _ in 0..200 {
            s.step();
        }
        s.reset();
        s.set("dynamics.training", 0.04).unwrap();
        s.intervene(Which::All).unwrap();
        for _ in 0..96 {
            s.step();
        }
        let snap = s.snapshot(0);
        for f in &snap.futures {
            assert_eq!(f.levers["dynamics.training"], 0.04, "{}", f.name);
        }
        // No class before a year after the branch (2026-01, month 168).
        assert!(snap.futures.iter().all(|f| f.class.is_none()));
    }

    #[test]
    fn every_lever_is_in_its_allowed_range() {
        for l in &LEVERS {
            let mut s = Scenario {
                name: "x".into(),
                ..Scenario::default()
            };
            for v in [l.min, l.max, Session::default_of(l)] {
                scenario::set_path(&mut s, l.path, &v.to_string()).unwrap();
                scenario::validate(&s).unwrap_or_else(|e| panic!("{}: {e}", l.path));
            }
            assert!(!Session::allowed(l).is_empty());
        }
    }
}
