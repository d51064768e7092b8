//! Range checks of a resolved scenario: every error names the parameter path,
//! the offending value and what is allowed.

use super::{Dist, GraphSpec, Jurisdictions, Scenario, ScenarioError};

/// Largest population and step count we accept; far beyond laptop scale but
/// small enough that index arithmetic in `u32`/`u64` cannot overflow.
const MAX_CITIZENS: u32 = 1 << 30;
const MAX_STEPS: u32 = 1_000_000;
/// Largest number of administrations (the EU has about 90,000 local ones).
const MAX_ADMINISTRATIONS: u32 = 1 << 22;

type Check = Result<(), ScenarioError>;

pub(super) fn validate(s: &Scenario) -> Check {
    if s.name.trim().is_empty() {
        return Err(ScenarioError::invalid("name", "\"\"", "a non-empty name"));
    }
    if crate::calendar::Month::parse(&s.start).is_none() {
        return Err(ScenarioError::invalid(
            "start",
            format!("\"{}\"", s.start),
            "a month \"YYYY-MM\" from 1900-01 to 2200-12",
        ));
    }
    in_range("steps", f64::from(s.steps), 1.0, f64::from(MAX_STEPS))?;
    // Every row is dated, and dates are read back: the run must end by 2200-12.
    let start = crate::calendar::Month::parse(&s.start).expect("checked above");
    let last = crate::calendar::Month::parse("2200-12").expect("a month");
    if start.plus(s.steps) > last {
        return Err(ScenarioError::invalid(
            "steps",
            s.steps,
            format!(
                "at most {} (from {} the run must end by 2200-12)",
                start.months_to(last),
                s.start
            ),
        ));
    }
    in_range("replicates", f64::from(s.replicates), 1.0, f64::from(u32::MAX))?;
    population(&s.population)?;
    initial_state(s)?;
    dynamics("dynamics", &s.dynamics)?;
    interventions(s)?;
    classification(&s.classification)
}

/// Sizes, jurisdictions and graphs.
fn population(p: &super::Population) -> Check {
    in_range(
        "population.citizens",
        f64::from(p.citizens),
        1.0,
        f64::from(MAX_CITIZENS),
    )?;
    if p.administrations < 1 || p.administrations > p.citizens.min(MAX_ADMINISTRATIONS) {
        return Err(ScenarioError::invalid(
            "population.administrations",
            p.administrations,
            format!(
                "1 ..= population.citizens ({}), at most {MAX_ADMINISTRATIONS}",
                p.citizens
            ),
        ));
    }
    if let Jurisdictions::Zipf { exponent } = p.jurisdictions {
        // Every block gets a citizen first (`Jurisdictions::sizes`), so none is empty.
        finite_at_least("population.jurisdictions.exponent", exponent, 0.0)?;
    }
    // Block sizes matter only to the stochastic block model's check.
    let blocks = |spec: &GraphSpec, sizes: &dyn Fn() -> Vec<u32>| match spec {
        GraphSpec::StochasticBlock { .. } => sizes(),
        _ => Vec::new(),
    };
    let citizens = blocks(&p.social_graph, &|| {
        p.jurisdictions.sizes(p.citizens, p.administrations)
    });
    graph("population.social_graph", &p.social_graph, p.citizens, &citizens)?;
    let admins = blocks(&p.admin_graph, &|| vec![1; p.administrations as usize]);
    graph("population.admin_graph", &p.admin_graph, p.administrations, &admins)
}

/// The distributions of the initial state.
fn initial_state(s: &Scenario) -> Check {
    let c = &s.citizens;
    dist("citizens.digitalization", &c.digitalization)?;
    dist("citizens.digital_ceiling", &c.digital_ceiling)?;
    dist("citizens.trust", &c.trust)?;
    dist("citizens.satisfaction", &c.satisfaction)?;
    let a = &s.administrations;
    dist("administrations.adoption", &a.adoption)?;
    dist("administrations.roi_barrier", &a.roi_barrier)?;
    dist("administrations.security_barrier", &a.security_barrier)?;
    dist("administrations.organizational_barrier", &a.organizational_barrier)?;
    probability("administrations.presence", a.presence)?;
    probability("administrations.size_readiness", a.size_readiness)?;
    probability("administrations.pioneer_share", a.pioneer_share)?;
    finite_at_least("administrations.pioneer_barrier_scale", a.pioneer_barrier_scale, 0.0)
}

/// The classification thresholds.
fn classification(k: &super::Classification) -> Check {
    probability("classification.participation_transformed", k.participation_transformed)?;
    probability("classification.pioneer_min_adopters", k.pioneer_min_adopters)?;
    probability("classification.pioneer_max_adopters", k.pioneer_max_adopters)?;
    probability(
        "classification.fracture_digital_interaction",
        k.fracture_digital_interaction,
    )?;
    probability("classification.fracture_unheard", k.fracture_unheard)?;
    in_range(
        "classification.fracture_unheard_rise",
        k.fracture_unheard_rise,
        -1.0,
        1.0,
    )?;
    in_range("classification.fracture_trust_fall", k.fracture_trust_fall, -1.0, 1.0)?;
    in_range("classification.undecided_margin", k.undecided_margin, 0.0, 1.0)?;
    if k.pioneer_min_adopters > k.pioneer_max_adopters {
        return Err(ScenarioError::invalid(
            "classification.pioneer_min_adopters",
            k.pioneer_min_adopters,
            format!(
                "at most classification.pioneer_max_adopters ({})",
                k.pioneer_max_adopters
            ),
        ));
    }
    Ok(())
}

/// Each intervention's step is in the run, its paths name dynamics
/// parameters, and the dynamics stay valid after each step's changes.
fn interventions(s: &Scenario) -> Check {
    if s.branch_step().is_none() {
        return Err(ScenarioError::invalid(
            "branch",
            format!("\"{}\"", s.branch),
            "a month \"YYYY-MM\" from 1900-01 to 2200-12",
        ));
    }
    let schedule = super::Schedule::of_scenario(s)?;
    for (index, intervention) in s.interventions.iter().enumerate() {
        if intervention.at >= s.steps {
            return Err(ScenarioError::invalid(
                format!("interventions[{index}].at"),
                intervention.at,
                format!("0 ..= steps - 1 ({})", s.steps - 1),
            ));
        }
        target(
            &format!("interventions[{index}].target"),
            &intervention.target,
            s.population.administrations,
        )?;
    }
    let mut over_time = s.dynamics.clone();
    let all = s.all_interventions();
    let shift = all.len() - s.interventions.len();
    let mut steps: Vec<u32> = all.iter().map(|i| i.at).collect();
    steps.sort_unstable();
    steps.dedup();
    for at in steps {
        schedule.apply_every(at, &mut over_time);
        let context = match all.iter().position(|i| i.at == at).unwrap_or(0).checked_sub(shift) {
            None => "future: dynamics".to_string(),
            Some(index) => format!("interventions[{index}].set: dynamics"),
        };
        dynamics(&context, &over_time)?;
    }
    Ok(())
}

/// A target names administrations that exist.
fn target(path: &str, target: &super::Target, administrations: u32) -> Check {
    use super::Target;
    match target {
        Target::All | Target::Pioneers => Ok(()),
        Target::Ids(ids) if ids.is_empty() => Err(ScenarioError::invalid(
            path,
            "Ids([])",
            "at least one administration id",
        )),
        Target::Ids(ids) => match ids.iter().find(|&&id| id >= administrations) {
            Some(id) => Err(ScenarioError::invalid(
                path,
                format!("Ids(.., {id}, ..)"),
                format!(
                    "administration ids 0 ..= {} (population.administrations - 1)",
                    administrations - 1
                ),
            )),
            None => Ok(()),
        },
        Target::Largest(k) if *k < 1 || *k > administrations => Err(ScenarioError::invalid(
            path,
            format!("Largest({k})"),
            format!("Largest(k) with 1 ..= {administrations} (population.administrations)"),
        )),
        Target::Largest(_) => Ok(()),
        Target::Share(share) if !(0.0..=1.0).contains(share) => Err(ScenarioError::invalid(
            path,
            format!("Share({share})"),
            "Share(p) with 0 <= p <= 1",
        )),
        Target::Share(_) => Ok(()),
    }
}

/// Dynamics parameters that are chances or shares: 0 ..= 1.
const UNIT: [&str; 38] = [
    "digital_innovation",
    "digital_imitation",
    "need_rate",
    "repeat_rate",
    "channel_openness",
    "fallback",
    "resolution_base",
    "satisfaction_rate",
    "expectation_base",
    "expectation_digital",
    "trust_experience_rate",
    "trust_social_rate",
    "trust_social_digital",
    "participation_openness",
    "participation_trust_gain",
    "adoption_innovation",
    "pioneer_innovation",
    "adoption_imitation",
    "citizen_pressure",
    "roi_learning",
    "roi_measurement",
    "security_investment",
    "security_learning",
    "incident_rate",
    "incident_exposure",
    "incident_trust_loss",
    "incident_barrier_rise",
    "incident_peer_rise",
    "training",
    "org_experience",
    "integration_rate",
    "transformation_adoption",
    "transformation_participation",
    "transformation_rate",
    "project_failure",
    "failure_roi_rise",
    "failure_peer_rise",
    "abandonment_rate",
];
/// Step sizes: 0 < x <= 1.
const STEPS: [&str; 2] = ["digital_step", "adoption_step"];
/// Capacities, gains, weights and scales: finite, >= 0.
const SCALES: [&str; 12] = [
    "capacity_per_citizen",
    "digital_demand",
    "productivity_gain",
    "coproduction_capacity",
    "participation_rate",
    "roi_barrier_scale",
    "security_barrier_scale",
    "organizational_barrier_scale",
    "trust_negativity",
    "roi_peer_weight",
    "abandonment_incident",
    "abandonment_results",
];

fn dynamics(prefix: &str, d: &super::Dynamics) -> Check {
    let value = |name: &str| d.get(name).expect("a dynamics field");
    for name in UNIT {
        probability(&format!("{prefix}.{name}"), value(name))?;
    }
    for name in STEPS {
        let x = value(name);
        if !(x > 0.0 && x <= 1.0) {
            return Err(ScenarioError::invalid(format!("{prefix}.{name}"), x, "0 < x <= 1"));
        }
    }
    for name in SCALES {
        finite_at_least(&format!("{prefix}.{name}"), value(name), 0.0)?;
    }
    // A loss of trust moves at most the whole gap: trust stays in [0, 1].
    let fastest = d.trust_experience_rate * (1.0 + d.trust_negativity);
    if fastest > 1.0 {
        return Err(ScenarioError::invalid(
            format!("{prefix}.trust_negativity"),
            d.trust_negativity,
            format!(
                "at most 1 / trust_experience_rate - 1 ({})",
                1.0 / d.trust_experience_rate - 1.0
            ),
        ));
    }
    Ok(())
}

fn graph(path: &str, spec: &GraphSpec, n: u32, blocks: &[u32]) -> Check {
    let n_f = f64::from(n);
    match *spec {
        GraphSpec::Complete => Ok(()),
        GraphSpec::EdgeList(ref file) => {
            if file.is_empty() {
                Err(ScenarioError::invalid(path, "EdgeList(\"\")", "a CSV file path"))
            } else {
                Ok(())
            }
        }
        GraphSpec::ErdosRenyi { mean_degree } => {
            in_range(&format!("{path}.mean_degree"), mean_degree, 0.0, (n_f - 1.0).max(0.0))
        }
        GraphSpec::WattsStrogatz { k, beta } => {
            let max_k = if n >= 3 { (n - 1) & !1 } else { 0 };
            if k % 2 == 1 || k > max_k {
                return Err(ScenarioError::invalid(
                    format!("{path}.k"),
                    k,
                    format!("an even number 0 ..= {max_k} (below population size {n})"),
                ));
            }
            probability(&format!("{path}.beta"), beta)
        }
        GraphSpec::BarabasiAlbert { m } => {
            if m < 1 || m >= n {
                return Err(ScenarioError::invalid(
                    format!("{path}.m"),
                    m,
                    format!("1 ..= {} (below population size {n})", n.saturating_sub(1)),
                ));
            }
            Ok(())
        }
        GraphSpec::StochasticBlock { mean_degree, within } => {
            probability(&format!("{path}.within"), within)?;
            in_range(&format!("{path}.mean_degree"), mean_degree, 0.0, (n_f - 1.0).max(0.0))?;
            let squares: f64 = blocks.iter().map(|&b| f64::from(b).powi(2)).sum();
            let across = n_f * n_f - squares;
            if within < 1.0 && mean_degree > 0.0 {
                if across <= 0.0 {
                    return Err(ScenarioError::invalid(
                        format!("{path}.within"),
                        within,
                        "1.0 when there is a single block (no ties across blocks exist)",
                    ));
                }
                let p = (1.0 - within) * mean_degree * n_f / across;
                if p > 1.0 {
                    return Err(ScenarioError::invalid(
                        format!("{path}.mean_degree"),
                        mean_degree,
                        format!("a value whose across-block tie probability is <= 1 (it is {p:.3})"),
                    ));
                }
            }
            Ok(())
        }
    }
}

fn dist(path: &str, d: &Dist) -> Check {
    match *d {
        Dist::Const(x) => probability(&format!("{path}.value"), x),
        Dist::Uniform { low, high } => {
            probability(&format!("{path}.low"), low)?;
            probability(&format!("{path}.high"), high)?;
            if low > high {
                return Err(ScenarioError::invalid(
                    format!("{path}.low"),
                    low,
                    format!("at most {path}.high ({high})"),
                ));
            }
            Ok(())
        }
        Dist::Beta { a, b } => {
            positive(&format!("{path}.a"), a)?;
            positive(&format!("{path}.b"), b)
        }
        Dist::Normal { mean, sd } => {
            if !mean.is_finite() {
                return Err(ScenarioError::invalid(format!("{path}.mean"), mean, "a finite number"));
            }
            finite_at_least(&format!("{path}.sd"), sd, 0.0)
        }
    }
}

fn probability(path: &str, x: f64) -> Check {
    in_range(path, x, 0.0, 1.0)
}

fn in_range(path: &str, x: f64, low: f64, high: f64) -> Check {
    if x.is_finite() && x >= low && x <= high {
        Ok(())
    } else {
        Err(ScenarioError::invalid(path, x, format!("{low} ..= {high}")))
    }
}

fn finite_at_least(path: &str, x: f64, low: f64) -> Check {
    if x.is_finite() && x >= low {
        Ok(())
    } else {
        Err(ScenarioError::invalid(path, x, format!("a finite number >= {low}")))
    }
}

fn positive(path: &str, x: f64) -> Check {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(ScenarioError::invalid(path, x, "a finite number > 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dynamics_parameter_has_a_range() {
        for field in super::super::Dynamics::FIELDS {
            let listed = UNIT.contains(field) as u8 + STEPS.contains(field) as u8 + SCALES.contains(field) as u8;
            assert_eq!(listed, 1, "{field} must be in exactly one range list");
        }
    }
}
