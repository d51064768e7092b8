//! Scenarios: RON in, a validated [`Scenario`] out.
//!
//! Architecture invariant: this is the only layer where user input can be
//! wrong. Everything downstream takes a validated `Scenario` and cannot fail.

mod error;
mod overrides;
pub mod settings;
pub mod suggest;
mod validate;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::ScenarioError;
use overrides::quick;
pub use overrides::{
    INTERVENE, QUICK_CITIZENS, QUICK_ENV, QUICK_REPLICATES, add_intervention, apply_overrides, quick_mode,
};
pub use settings::{PathError, Settable};
pub use values::{Dist, GraphSpec, Jurisdictions};

use settings::{Setter, numeric_settings, settings};

settings! {
    /// A complete, resolved scenario (docs/model.md, "Scenarios" gives the defaults).
    pub struct Scenario / ScenarioPatch as "Scenario" {
        /// The name that labels its rows in every output file.
        name: String = String::new(),
        /// One line for people: what the scenario is about.
        description: String = String::new(),
        /// Another scenario file this one inherits from, relative to this file.
        base: Option<String> = None,
        /// The month of step 0, `YYYY-MM`; step t is dated start + t months.
        start: String = "2012-01".to_string(),
        /// Months simulated after step 0 (227: January 2012 to December 2030).
        steps: u32 = 227,
        /// The month from which `future` applies, `YYYY-MM`: until then every
        /// scenario with the same population and dynamics shares one past.
        branch: String = "2026-01".to_string(),
        /// What differs in this future from the branch month on: `dynamics`
        /// parameter paths and their values (an intervention at the branch).
        future: BTreeMap<String, f64> = BTreeMap::new(),
        /// Monte Carlo replicates.
        replicates: u32 = 100,
        /// Base seed; replicate r is seeded from (seed, r).
        seed: u64 = 0,
        /// Who exists and how they are connected.
        population: Population = Population::default(),
        /// Initial citizen attributes.
        citizens: CitizenInit = CitizenInit::default(),
        /// Initial administration attributes.
        administrations: AdministrationInit = AdministrationInit::default(),
        /// The step rules' parameters.
        dynamics: Dynamics = Dynamics::default(),
        /// Parameter changes from a given step on (policies).
        interventions: Vec<Intervention> = Vec::new(),
        /// Thresholds that name the future a run ended in.
        classification: Classification = Classification::default(),
    }
}

settings! {
    /// Who exists and how they are connected. Two scenarios with the same
    /// population block share graphs and initial states replicate by replicate.
    pub struct Population / PopulationPatch as "Population" {
        /// Citizens (agents aged 16-74, the Eurostat survey's population).
        citizens: u32 = 20_000,
        /// Administrations, one per jurisdiction.
        administrations: u32 = 100,
        /// How citizens are split into jurisdictions.
        jurisdictions: Jurisdictions = Jurisdictions::Zipf { exponent: 1.0 },
        /// The citizens' social graph.
        social_graph: GraphSpec = GraphSpec::WattsStrogatz { k: 10, beta: 0.1 },
        /// The administrations' peer graph: regional by default (neighbours in
        /// index order, a few long ties), so pull-along spreads region by region.
        admin_graph: GraphSpec = GraphSpec::WattsStrogatz { k: 4, beta: 0.1 },
    }
}

settings! {
    /// Initial citizen attributes.
    pub struct CitizenInit / CitizenInitPatch as "CitizenInit" {
        /// Propensity to use online channels in January 2012 (calibrated, docs/model.md).
        digitalization: Dist = Dist::Beta { a: 1.9668, b: 5.0332 },
        /// The most a citizen's digitalization will reach (assumption: a mean of 0.77).
        digital_ceiling: Dist = Dist::Beta { a: 5.0, b: 1.5 },
        /// Trust in the own administration.
        trust: Dist = Dist::Uniform { low: 0.4, high: 0.6 },
        /// Satisfaction with the own administration.
        satisfaction: Dist = Dist::Const(0.5),
    }
}

settings! {
    /// Initial administration attributes.
    pub struct AdministrationInit / AdministrationInitPatch as "AdministrationInit" {
        /// Social CRM adoption level.
        adoption: Dist = Dist::Const(0.0),
        /// ROI barrier: doubt that Social CRM pays, until results are measured.
        roi_barrier: Dist = Dist::Uniform { low: 0.3, high: 0.6 },
        /// Security barrier: fear of incidents.
        security_barrier: Dist = Dist::Uniform { low: 0.3, high: 0.6 },
        /// Organisational barrier: processes and skills not ready.
        organizational_barrier: Dist = Dist::Uniform { low: 0.3, high: 0.6 },
        /// Share of January 2012's administrations with a first Social CRM step
        /// (an account), drawn with a chance that rises with readiness (calibrated).
        presence: f64 = 0.1981,
        /// How much lower a large jurisdiction's barriers are than a small one's:
        /// the largest's are scaled by `1 - size_readiness`, the smallest's by 1,
        /// on a log scale of size between them.
        size_readiness: f64 = 0.6,
        /// Share of administrations flagged as pioneers by hand (0 in the built-in
        /// scenarios: pioneers emerge where barriers are lowest).
        pioneer_share: f64 = 0.0,
        /// Factor on a pioneer's ROI and security barriers (not its organisational one).
        pioneer_barrier_scale: f64 = 1.0,
    }
}

numeric_settings! {
    /// The step rules' parameters (docs/model.md, "Submodels" and "Parameters":
    /// each with its unit and source). Every one can be changed mid-run by an
    /// intervention.
    pub struct Dynamics / DynamicsPatch as "Dynamics" {
        /// Bass innovation: chance per month of a digital step without peers (calibrated).
        digital_innovation: f64 = 0.006535,
        /// Bass imitation: chance per month per unit of the peers' mean digitalization (calibrated).
        digital_imitation: f64 = 0.009757,
        /// Digitalization gained per digital step.
        digital_step: f64 = 0.1,
        /// Chance per citizen-month of a new need for the administration.
        need_rate: f64 = 0.1,
        /// Extra needs of a fully digital citizen, as a share of `need_rate` (online contact is cheap).
        digital_demand: f64 = 1.0,
        /// Chance per month that an unresolved need is raised again (else it is given up).
        repeat_rate: f64 = 0.5,
        /// Lever: chance that a non-adopting administration answers an online contact (web forms, e-mail).
        channel_openness: f64 = 0.3,
        /// Chance that an unanswered online contact is retried offline in the same month.
        fallback: f64 = 0.5,
        /// Lever (staff capacity): requests staff can handle per citizen-month.
        capacity_per_citizen: f64 = 0.12,
        /// Capacity gained at full Social CRM adoption, as a share of staff capacity.
        productivity_gain: f64 = 0.5,
        /// Requests handled per participant-month in a transformed administration.
        coproduction_capacity: f64 = 0.5,
        /// Chance that a handled request is resolved at first contact, without integration.
        resolution_base: f64 = 0.6,
        /// Weight per contact of the new judgement in satisfaction.
        satisfaction_rate: f64 = 0.2,
        /// Expected outcome of a citizen offline.
        expectation_base: f64 = 0.4,
        /// Extra expectation per unit of digitalization.
        expectation_digital: f64 = 0.4,
        /// Weight per contact month of satisfaction in trust.
        trust_experience_rate: f64 = 0.05,
        /// Extra weight of trust losses over gains (negativity bias).
        trust_negativity: f64 = 1.0,
        /// Base weight per month of the neighbours' trust.
        trust_social_rate: f64 = 0.05,
        /// Extra weight of the neighbours' trust per unit of digitalization.
        trust_social_digital: f64 = 0.15,
        /// Participation propensity per month.
        participation_rate: f64 = 0.5,
        /// Openness of an adopter that has not transformed.
        participation_openness: f64 = 0.2,
        /// Trust gained by participating.
        participation_trust_gain: f64 = 0.05,
        /// Chance per month of an adoption step without peers or pressure (vendors, mandates).
        adoption_innovation: f64 = 0.00262,
        /// Extra chance per month of a pioneer's adoption step.
        pioneer_innovation: f64 = 0.05,
        /// Chance per month per unit of the peers' mean adoption (mimetic isomorphism).
        adoption_imitation: f64 = 0.062515,
        /// Chance per month per unit of the citizens' voice.
        citizen_pressure: f64 = 0.05,
        /// Adoption gained per adoption step (a pilot, one service, several, the whole organisation).
        adoption_step: f64 = 0.25,
        /// Lever on the ROI barrier's weight in adoption.
        roi_barrier_scale: f64 = 1.0,
        /// Lever on the security barrier's weight in adoption.
        security_barrier_scale: f64 = 1.0,
        /// Lever on the organisational barrier's weight in adoption.
        organizational_barrier_scale: f64 = 1.0,
        /// Fall of the ROI barrier per month per unit of measured evidence.
        roi_learning: f64 = 0.2,
        /// Lever (measurement investment): share of results that are measured.
        roi_measurement: f64 = 0.3,
        /// Weight of the peers' measured results beside the own ones.
        roi_peer_weight: f64 = 0.5,
        /// Lever: share of a full security programme funded (lowers incidents and the security barrier).
        security_investment: f64 = 0.0,
        /// Fall of the security barrier per month at full security investment.
        security_learning: f64 = 0.02,
        /// Incidents per administration-month per unit of exposure, without security investment.
        incident_rate: f64 = 0.004,
        /// Exposure of an administration without Social CRM (its website), against 1 added at full adoption.
        incident_exposure: f64 = 0.5,
        /// Share of trust an incident takes from the administration's citizens.
        incident_trust_loss: f64 = 0.1,
        /// Rise of the own security barrier after an incident, as a share of the way to 1.
        incident_barrier_rise: f64 = 0.2,
        /// Rise of the peers' security barrier after an incident, as a share of the way to 1.
        incident_peer_rise: f64 = 0.05,
        /// Lever: share of staff trained per month (lowers the organisational barrier).
        training: f64 = 0.0,
        /// Fall of the organisational barrier per month at full adoption (learning by doing).
        org_experience: f64 = 0.003,
        /// Share per month of its gap to what adoption and organisation allow that integration closes.
        integration_rate: f64 = 0.05,
        /// Adoption a value-chain transformation needs.
        transformation_adoption: f64 = 0.5,
        /// Participants per citizen-month at which participation stops limiting transformation.
        transformation_participation: f64 = 0.12,
        /// Chance per month of transforming for a fully adopted, fully participating
        /// administration without organisational barrier; scaled by `1 - o`.
        transformation_rate: f64 = 0.15,
        /// Chance that an adoption step fails outright at an organisational barrier of 0.5
        /// (scaled by `2 o`, capped at 1).
        project_failure: f64 = 0.2,
        /// Rise of the own ROI barrier after a failed project or an abandonment, as a share of the way to 1.
        failure_roi_rise: f64 = 0.2,
        /// Rise of the peers' ROI barrier after a failed project or an abandonment (negative evidence).
        failure_peer_rise: f64 = 0.05,
        /// Chance per month that an adopting administration abandons Social CRM.
        abandonment_rate: f64 = 0.003,
        /// Extra abandonment hazard in a month with an incident, as a multiple of `abandonment_rate`.
        abandonment_incident: f64 = 10.0,
        /// Extra abandonment hazard per unit of measured shortfall (`roi_measurement (1 - service)`).
        abandonment_results: f64 = 2.0,
    }
}

settings! {
    /// Thresholds that name the future a run ended in (docs/model.md, "Futures").
    pub struct Classification / ClassificationPatch as "Classification" {
        /// Participation: at least this share of administrations transformed.
        participation_transformed: f64 = 0.5,
        /// Pioneer: at least this share of administrations adopt ...
        pioneer_min_adopters: f64 = 0.05,
        /// ... and fewer than this share (at or above it: broad adoption).
        pioneer_max_adopters: f64 = 0.5,
        /// Fracture: at least this share of citizens interact online ...
        fracture_digital_interaction: f64 = 0.4,
        /// ... at least this share of their online contacts go unanswered (mean of the last year) ...
        fracture_unheard: f64 = 0.5,
        /// ... that share has risen by at least this much since the branch (mean of the
        /// year before the branch against the last year) ...
        fracture_unheard_rise: f64 = 0.02,
        /// ... and trust ends at least this much below where it was at the branch.
        fracture_trust_fall: f64 = 0.0,
        /// A run whose deciding quantity is within this distance of its threshold is `undecided`.
        undecided_margin: f64 = 0.01,
    }
}

impl Scenario {
    /// The step of the branch month (0 if it is not after `start`), or
    /// `None` if the month is not a valid `YYYY-MM` (validation reports it).
    pub fn branch_step(&self) -> Option<u32> {
        let start = crate::calendar::Month::parse(&self.start)?;
        let branch = crate::calendar::Month::parse(&self.branch)?;
        Some(start.months_to(branch).max(0) as u32)
    }

    /// The interventions the model applies: the future as one change at
    /// the branch step (before the file's own interventions at that step),
    /// then the file's interventions.
    pub fn all_interventions(&self) -> Vec<Intervention> {
        let mut all = Vec::with_capacity(self.interventions.len() + 1);
        if let (false, Some(at)) = (self.future.is_empty(), self.branch_step()) {
            all.push(Intervention {
                at,
                set: self.future.clone(),
                target: Target::All,
            });
        }
        all.extend(self.interventions.iter().cloned());
        all
    }
}

/// A change of `dynamics` parameters that applies from the step `at -> at+1` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// The step from which the new values apply.
    pub at: u32,
    /// Parameter path (`dynamics.<name>`) to new value.
    pub set: std::collections::BTreeMap<String, f64>,
    /// The administrations it applies to (default: all). A targeted
    /// intervention may only set the [`PER_ADMINISTRATION`] levers.
    #[serde(default, skip_serializing_if = "Target::is_all")]
    pub target: Target,
}

/// Which administrations an intervention applies to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Target {
    /// Every administration.
    #[default]
    All,
    /// The pioneers.
    Pioneers,
    /// These administration ids (0-based, below `population.administrations`).
    Ids(Vec<u32>),
    /// The `k` administrations with the most citizens (ties: the lower id).
    Largest(u32),
    /// Each administration with this chance, drawn from the replicate's own
    /// stream (`rng::Purpose::Target`), so a policy and its baseline pick the same ones.
    Share(f64),
}

impl Target {
    /// Whether it is [`Target::All`].
    pub fn is_all(&self) -> bool {
        *self == Target::All
    }
}

/// The `dynamics` levers an intervention may set for some administrations only.
pub const PER_ADMINISTRATION: [&str; 8] = [
    "training",
    "security_investment",
    "roi_measurement",
    "capacity_per_citizen",
    "channel_openness",
    "roi_barrier_scale",
    "security_barrier_scale",
    "organizational_barrier_scale",
];

impl Settable for Vec<Intervention> {
    type Patch = settings::Given<Vec<Intervention>>;
    fn apply(&mut self, patch: Self::Patch) {
        if let Some(value) = patch.0 {
            *self = value;
        }
    }
    fn set(&mut self, path: &[&str], value: &str) -> Result<(), PathError> {
        if !path.is_empty() {
            return Err(PathError::new(settings::PathErrorKind::TooDeep));
        }
        *self = settings::parse_value(value, "a list of (at: step, set: {\"dynamics.x\": value})")?;
        Ok(())
    }
    fn leaf_paths(&self, prefix: &str, out: &mut Vec<String>) {
        out.push(prefix.to_string());
    }
}

/// One resolved change: from step `at`, `setter` gets `value`, for the
/// administrations of target `target` (an index into [`Schedule::targets`];
/// `None`: all).
#[derive(Debug, Clone)]
struct Change {
    at: u32,
    setter: Setter<Dynamics>,
    value: f64,
    target: Option<usize>,
}

/// The interventions of a scenario resolved to typed setters, in step order:
/// what the model applies as it runs.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// Sorted by `at` (stable: file order within a step).
    changes: Vec<Change>,
    /// The targets of the targeted interventions, in file order.
    pub targets: Vec<Target>,
}

impl Schedule {
    /// Resolve every intervention's paths; an unknown path is an error that
    /// names the intervention and the parameters that exist.
    pub fn of(interventions: &[Intervention]) -> Result<Schedule, ScenarioError> {
        Schedule::resolve(interventions, |index| format!("interventions[{index}].set"))
    }

    /// The schedule a scenario's model follows: its future at the branch
    /// step, then its interventions ([`Scenario::all_interventions`]).
    pub fn of_scenario(scenario: &Scenario) -> Result<Schedule, ScenarioError> {
        let all = scenario.all_interventions();
        let shift = all.len() - scenario.interventions.len();
        Schedule::resolve(&all, |index| match index.checked_sub(shift) {
            None => "future".to_string(),
            Some(own) => format!("interventions[{own}].set"),
        })
    }

    fn resolve(interventions: &[Intervention], context: impl Fn(usize) -> String) -> Result<Schedule, ScenarioError> {
        let mut schedule = Schedule::default();
        for (index, intervention) in interventions.iter().enumerate() {
            let target = (!intervention.target.is_all()).then(|| {
                schedule.targets.push(intervention.target.clone());
                schedule.targets.len() - 1
            });
            for (path, &value) in &intervention.set {
                let setter = resolve_setter(context(index), path, target.is_some())?;
                schedule.changes.push(Change {
                    at: intervention.at,
                    setter,
                    value,
                    target,
                });
            }
        }
        schedule.changes.sort_by_key(|c| c.at);
        Ok(schedule)
    }

    /// Apply the changes for all administrations due at step `at` to `dynamics`.
    pub fn apply(&self, at: u32, dynamics: &mut Dynamics) {
        for change in self.due(at).filter(|c| c.target.is_none()) {
            (change.setter.set)(dynamics, change.value);
        }
    }

    /// Apply every change due at step `at`, targeted or not, to `dynamics`
    /// (for range checks: each value must be valid wherever it applies).
    pub fn apply_every(&self, at: u32, dynamics: &mut Dynamics) {
        for change in self.due(at) {
            (change.setter.set)(dynamics, change.value);
        }
    }

    /// Apply the changes due at step `at` to per-administration dynamics:
    /// untargeted ones to all, targeted ones where `chosen[target][j]`.
    pub fn apply_local(&self, at: u32, local: &mut [Dynamics], chosen: &[Vec<bool>]) {
        for change in self.due(at) {
            for (j, dynamics) in local.iter_mut().enumerate() {
                if change.target.is_none_or(|t| chosen[t][j]) {
                    (change.setter.set)(dynamics, change.value);
                }
            }
        }
    }

    fn due(&self, at: u32) -> impl Iterator<Item = &Change> {
        let first = self.changes.partition_point(|c| c.at < at);
        self.changes[first..].iter().take_while(move |c| c.at == at)
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether some change applies to some administrations only.
    pub fn is_targeted(&self) -> bool {
        !self.targets.is_empty()
    }
}

/// The setter of `path` in the intervention named `context`; a targeted one
/// only reaches the [`PER_ADMINISTRATION`] levers.
fn resolve_setter(context: String, path: &str, targeted: bool) -> Result<Setter<Dynamics>, ScenarioError> {
    let name = path
        .strip_prefix("dynamics.")
        .ok_or_else(|| ScenarioError::invalid(&context, format!("\"{path}\""), "a `dynamics.<parameter>` path"))?;
    let setter = Dynamics::setter(name).ok_or_else(|| ScenarioError::Path {
        context: context.clone(),
        error: PathError::new(settings::PathErrorKind::Unknown {
            allowed: Dynamics::FIELDS.to_vec(),
        })
        .within(name)
        .within("dynamics"),
    })?;
    if targeted && !PER_ADMINISTRATION.contains(&name) {
        let allowed = PER_ADMINISTRATION.map(|n| format!("dynamics.{n}")).join(", ");
        return Err(ScenarioError::invalid(
            context,
            format!("\"{path}\" with a target"),
            format!("a lever that can differ between administrations: {allowed}"),
        ));
    }
    Ok(setter)
}

/// A scenario that ships with agora: (file name, RON text).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("fracture.ron", include_str!("../../../../scenarios/fracture.ron")),
    (
        "participation.ron",
        include_str!("../../../../scenarios/participation.ron"),
    ),
    ("pioneer.ron", include_str!("../../../../scenarios/pioneer.ron")),
];

/// Where a scenario came from, for messages and relative paths.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A scenario file.
    File(PathBuf),
    /// A scenario shipped in the binary, by file name.
    BuiltIn(&'static str),
    /// A RON text given in code (the Python module's `agora.scenario`); its
    /// `base` and edge-list paths are relative to this folder.
    Text(PathBuf),
}

impl Source {
    /// The source as messages name it.
    pub fn display(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::BuiltIn(name) => format!("<built-in>/{name}"),
            Source::Text(_) => "<text>".to_string(),
        }
    }

    fn folder(&self) -> PathBuf {
        match self {
            Source::File(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            Source::BuiltIn(_) => PathBuf::from("scenarios"),
            Source::Text(folder) => folder.clone(),
        }
    }
}

/// Parse one RON scenario text (without resolving `base`).
pub fn parse_patch(text: &str, source: &Source) -> Result<ScenarioPatch, ScenarioError> {
    ron::Options::default()
        .from_str::<ScenarioPatch>(text)
        .map_err(|e| ScenarioError::parse(source, &e))
}

/// What a scenario reference in `folder` names: the file `folder/reference`
/// if it exists, otherwise the built-in scenario called `reference` (with or
/// without `.ron`), otherwise that missing file, whose reading then says so.
fn locate(folder: &Path, reference: &str) -> Source {
    let path = folder.join(reference);
    let name = reference.trim_end_matches(".ron");
    match BUILT_IN.iter().find(|(file, _)| file.trim_end_matches(".ron") == name) {
        Some((file, _)) if !path.exists() => Source::BuiltIn(file),
        _ => Source::File(path),
    }
}

/// Read the scenario a reference names (a file in `folder`, or a built-in
/// name when no such file exists), resolve its `base`
/// chain, check it.
pub fn load(folder: &Path, reference: &str) -> Result<Scenario, ScenarioError> {
    let source = locate(folder, reference);
    let mut scenario = resolve(&source, &mut Vec::new())?;
    quick(&mut scenario);
    validate::validate(&scenario).map_err(|e| e.in_file(&source))?;
    Ok(scenario)
}

/// A scenario from RON text, its `base` and edge-list paths relative to
/// `folder`; resolved and checked like a file.
pub fn from_ron(text: &str, folder: &Path) -> Result<Scenario, ScenarioError> {
    let source = Source::Text(folder.to_path_buf());
    let scenario = resolve_text(&source, text, &mut Vec::new())?;
    validate::validate(&scenario).map_err(|e| e.in_file(&source))?;
    Ok(scenario)
}

/// The three built-in scenarios, resolved and checked.
pub fn built_in() -> Vec<Scenario> {
    BUILT_IN
        .iter()
        .map(|(name, _)| {
            let mut scenario = resolve(&Source::BuiltIn(name), &mut Vec::new()).expect("built-in scenarios parse");
            quick(&mut scenario);
            validate::validate(&scenario).expect("built-in scenarios are valid");
            scenario
        })
        .collect()
}

/// Set one field by its dotted path.
pub fn set_path(scenario: &mut Scenario, path: &str, value: &str) -> Result<(), PathError> {
    let segments: Vec<&str> = path.split('.').collect();
    scenario.set(&segments, value)
}

/// Check a scenario built in code.
pub fn validate(scenario: &Scenario) -> Result<(), ScenarioError> {
    validate::validate(scenario)
}

fn read_source(source: &Source) -> Result<String, ScenarioError> {
    match source {
        Source::File(path) => std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            path: path.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => not_found(path),
                _ => e.to_string(),
            },
        }),
        Source::BuiltIn(name) => Ok(BUILT_IN
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, text)| text.to_string())
            .unwrap_or_default()),
        // `locate` never names a text; `from_ron` hands its text to `resolve_text`.
        Source::Text(_) => Ok(String::new()),
    }
}

/// The message for a scenario reference that is neither a file nor a
/// built-in name: the built-in names, and the nearest of them or of the
/// `.ron` files beside it.
fn not_found(path: &Path) -> String {
    let given = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut names: Vec<String> = BUILT_IN
        .iter()
        .map(|(f, _)| f.trim_end_matches(".ron").to_string())
        .collect();
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(folder) {
        let mut files: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".ron"))
            .collect();
        files.sort();
        names.extend(files);
    }
    let hint = suggest::did_you_mean(&given, names.iter().map(String::as_str))
        .or_else(|| suggest::did_you_mean(given.trim_end_matches(".ron"), names.iter().map(String::as_str)))
        .map(|n| match n.ends_with(".ron") {
            true => format!("; did you mean `{}`?", folder.join(n).display()),
            false => format!("; did you mean `{n}`?"),
        })
        .unwrap_or_default();
    format!("no such scenario file, nor a built-in scenario (fracture, participation, pioneer){hint}")
}

/// Defaults, then the base chain from the root down, then this file.
fn resolve(source: &Source, chain: &mut Vec<PathBuf>) -> Result<Scenario, ScenarioError> {
    resolve_text(source, &read_source(source)?, chain)
}

/// [`resolve`] of a source whose text is read already.
fn resolve_text(source: &Source, text: &str, chain: &mut Vec<PathBuf>) -> Result<Scenario, ScenarioError> {
    let patch = parse_patch(text, source)?;
    if let Source::File(path) = source {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if chain.contains(&canonical) {
            return Err(ScenarioError::BaseCycle { path: path.clone() });
        }
        chain.push(canonical);
    }
    let name_given = patch.name.0.is_some();
    let mut scenario = match &patch.base.0 {
        Some(Some(base)) => resolve(&locate(&source.folder(), base), chain)?,
        _ => Scenario::default(),
    };
    scenario.apply(patch);
    if !name_given {
        return Err(ScenarioError::MissingName { file: source.display() });
    }
    // Edge-list paths are relative to the file that names them.
    for graph in [
        &mut scenario.population.social_graph,
        &mut scenario.population.admin_graph,
    ] {
        if let GraphSpec::EdgeList(path) = graph {
            let joined = source.folder().join(&*path);
            if Path::new(path.as_str()).is_relative() {
                *path = joined.to_string_lossy().into_owned();
            }
        }
    }
    scenario.base = None;
    Ok(scenario)
}

impl Scenario {
    /// The resolved scenario as pretty RON (what `agora check` prints).
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        ron::ser::to_string_pretty(self, config).expect("a scenario serializes")
    }

    /// Every parameter path, for help texts.
    pub fn all_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.leaf_paths("", &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_overrides_only_named_fields() {
        let patch = parse_patch(
            "Scenario(name: \"x\", dynamics: (need_rate: 0.4), citizens: (trust: Const(0.2)))",
            &Source::BuiltIn("test"),
        )
        .unwrap();
        let mut scenario = Scenario::default();
        scenario.apply(patch);
        assert_eq!(scenario.name, "x");
        assert_eq!(scenario.dynamics.need_rate, 0.4);
        assert_eq!(scenario.dynamics.fallback, 0.5);
        assert_eq!(scenario.citizens.trust, Dist::Const(0.2));
        assert_eq!(scenario.citizens.satisfaction, Dist::Const(0.5));
    }

    #[test]
    fn set_path_reaches_nested_fields() {
        let mut s = Scenario::default();
        set_path(&mut s, "dynamics.digital_imitation", "0.25").unwrap();
        set_path(&mut s, "citizens.digitalization.a", "3").unwrap();
        set_path(&mut s, "population.social_graph", "WattsStrogatz(k: 4, beta: 0.2)").unwrap();
        set_path(&mut s, "population.social_graph.k", "6").unwrap();
        assert_eq!(s.dynamics.digital_imitation, 0.25);
        assert_eq!(s.citizens.digitalization, Dist::Beta { a: 3.0, b: 5.0332 });
        assert_eq!(s.population.social_graph, GraphSpec::WattsStrogatz { k: 6, beta: 0.2 });
    }

    #[test]
    fn set_path_errors_name_the_path_and_the_choices() {
        let mut s = Scenario::default();
        let e = set_path(&mut s, "dynamics.nope", "1").unwrap_err();
        assert_eq!(e.path_string(), "dynamics.nope");
        assert!(e.to_string().contains("digital_imitation"), "{e}");
        let e = set_path(&mut s, "dynamics.need_rate", "high").unwrap_err();
        assert!(e.to_string().contains("is not a number"), "{e}");
        let e = set_path(&mut s, "dynamics", "1").unwrap_err();
        assert!(e.to_string().contains("is a group"), "{e}");
        let e = set_path(&mut s, "dynamics.adoption_imitaton", "0.2").unwrap_err();
        assert!(
            e.to_string().ends_with("did you mean `dynamics.adoption_imitation`?"),
            "{e}"
        );
        let e = set_path(&mut s, "citizns.trust", "0.2").unwrap_err();
        assert!(e.to_string().contains("did you mean `citizens`?"), "{e}");
    }

    #[test]
    fn built_ins_resolve_and_differ_from_defaults() {
        let all = built_in();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].name, "fracture");
        assert_eq!(all[0].future["dynamics.roi_measurement"], 0.1);
        assert!(all[2].future.is_empty(), "the pioneer future is the past continued");
        // One past: the futures differ only in what applies from the branch.
        for s in &all {
            assert_eq!(s.dynamics, Dynamics::default());
            assert_eq!(s.administrations, AdministrationInit::default());
            assert_eq!(s.branch, "2026-01");
        }
        // One calibrated digital layer for all three futures.
        assert!(
            all.iter()
                .all(|s| s.dynamics.digital_imitation == Dynamics::default().digital_imitation)
        );
        assert!(all.iter().all(|s| s.steps == 227 && s.start == "2012-01"));
    }

    #[test]
    fn every_listed_path_is_addressable() {
        let mut s = built_in().remove(0);
        let paths = s.all_paths();
        assert!(paths.contains(&"citizens.digitalization.a".to_string()));
        assert!(paths.contains(&"population.social_graph.k".to_string()));
        for path in paths {
            // "0.5" fits the numeric leaves; for the others it must be a bad value, never a bad path.
            if let Err(e) = set_path(&mut s, &path, "0.5") {
                assert!(
                    matches!(e.kind, settings::PathErrorKind::BadValue { .. }),
                    "{path}: {e}"
                );
            }
        }
    }
}
