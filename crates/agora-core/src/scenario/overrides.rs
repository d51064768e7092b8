//! Changing a loaded scenario from the command line: `--set PATH=VALUE`,
//! `--intervene 'MONTH PATH=VALUE'`, and the quick mode (`AGORA_QUICK`)
//! that shrinks every scenario so that CI can run README's commands.

use super::{Intervention, Scenario, ScenarioError, Target, resolve_setter, set_path, validate};

/// The override key that adds an intervention instead of setting a field:
/// `(INTERVENE, "MONTH PATH=VALUE")` is `--intervene 'MONTH PATH=VALUE'`.
pub const INTERVENE: &str = "intervene";

/// Apply `--set PATH=VALUE` overrides in order, then check the result
/// again. The key [`INTERVENE`] appends an intervention instead
/// ([`add_intervention`]).
pub fn apply_overrides(scenario: &mut Scenario, overrides: &[(String, String)]) -> Result<(), ScenarioError> {
    for (path, value) in overrides {
        if path == INTERVENE {
            add_intervention(scenario, value)?;
            continue;
        }
        set_path(scenario, path, value).map_err(|e| ScenarioError::Set {
            assignment: format!("{path}={value}"),
            error: e,
        })?;
    }
    quick(scenario);
    validate::validate(scenario)
}

/// Append the intervention `MONTH PATH=VALUE` (`--intervene`): from step
/// MONTH (a step number, or a date `YYYY-MM` from the scenario's start on),
/// the `dynamics.*` parameter PATH takes VALUE, for every administration.
pub fn add_intervention(scenario: &mut Scenario, text: &str) -> Result<(), ScenarioError> {
    let context = format!("--intervene '{text}'");
    let bad = |allowed: &str| ScenarioError::invalid(&context, format!("'{text}'"), allowed);
    let (month, assignment) = text.trim().split_once(char::is_whitespace).ok_or_else(|| {
        bad("'MONTH PATH=VALUE', e.g. '2027-01 dynamics.training=0.04' or '180 dynamics.training=0.04'")
    })?;
    let (path, value) = assignment
        .trim()
        .split_once('=')
        .ok_or_else(|| bad("'MONTH PATH=VALUE': PATH=VALUE after the month"))?;
    let (path, value) = (path.trim(), value.trim());
    let start = crate::calendar::Month::parse(&scenario.start);
    let at = match (month.parse::<u32>(), crate::calendar::Month::parse(month), start) {
        (Ok(step), _, _) => step,
        (_, Some(date), Some(start)) if start.months_to(date) >= 0 => start.months_to(date) as u32,
        (_, Some(_), Some(start)) => {
            return Err(bad(&format!("a month from the start ({start}) on")));
        }
        _ => return Err(bad("MONTH as a step (e.g. 180) or a date YYYY-MM (e.g. 2027-01)")),
    };
    resolve_setter(context.clone(), path, false)?;
    let value: f64 = value
        .parse()
        .map_err(|_| bad(&format!("a number for `{path}` after `=`")))?;
    scenario.interventions.push(Intervention {
        at,
        set: std::collections::BTreeMap::from([(path.to_string(), value)]),
        target: Target::All,
    });
    // A value out of range is named by the flag, not by its place in the list.
    let own = format!("interventions[{}].", scenario.interventions.len() - 1);
    match validate::validate(scenario) {
        Err(ScenarioError::Invalid {
            path: at_path,
            value,
            allowed,
            ..
        }) if at_path.starts_with(&own) => {
            let field = at_path.rsplit(": ").next().unwrap_or(&at_path).to_string();
            Err(ScenarioError::Invalid {
                file: Some(context),
                path: field,
                value,
                allowed,
            })
        }
        _ => Ok(()),
    }
}

/// The environment variable of the quick mode: set (to anything but `0` or
/// nothing), every scenario loaded or changed by path runs at most
/// [`QUICK_CITIZENS`] citizens and [`QUICK_REPLICATES`] replicates. It
/// exists so that CI can run every command README.md shows in seconds
/// (`tests/agora/readme.rs`); the manifest records the sizes used.
pub const QUICK_ENV: &str = "AGORA_QUICK";
/// Citizens per run in the quick mode.
pub const QUICK_CITIZENS: u32 = 400;
/// Replicates per scenario in the quick mode.
pub const QUICK_REPLICATES: u32 = 2;

/// Whether the quick mode ([`QUICK_ENV`]) is on.
pub fn quick_mode() -> bool {
    std::env::var_os(QUICK_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Shrink a scenario to the quick mode's sizes, if it is on.
pub(super) fn quick(scenario: &mut Scenario) {
    if quick_mode() {
        let p = &mut scenario.population;
        p.citizens = p.citizens.min(QUICK_CITIZENS);
        p.administrations = p.administrations.min(p.citizens / 4).max(1);
        scenario.replicates = scenario.replicates.min(QUICK_REPLICATES);
    }
}
