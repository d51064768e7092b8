//! Range checks of a resolved scenario: every error names the parameter path,
//! the offending value and what is allowed.

use super::{Dist, GraphSpec, Jurisdictions, Scenario, ScenarioError};

/// Largest population and step count we accept; far beyond laptop scale but
/// small enough that index arithmetic in `u32`/`u64` cannot overflow.
const MAX_CITIZENS: u32 = 1 << 30;
const MAX_STEPS: u32 = 1_000_000;

type Check = Result<(), ScenarioError>;

pub(super) fn validate(s: &Scenario) -> Check {
    if s.name.trim().is_empty() {
        return Err(ScenarioError::invalid("name", "\"\"", "a non-empty name"));
    }
    in_range("steps", f64::from(s.steps), 1.0, f64::from(MAX_STEPS))?;
    in_range("replicates", f64::from(s.replicates), 1.0, f64::from(u32::MAX))?;
    let p = &s.population;
    in_range(
        "population.citizens",
        f64::from(p.citizens),
        1.0,
        f64::from(MAX_CITIZENS),
    )?;
    if p.administrations < 1 || p.administrations > p.citizens {
        return Err(ScenarioError::invalid(
            "population.administrations",
            p.administrations,
            format!("1 ..= population.citizens ({})", p.citizens),
        ));
    }
    if let Jurisdictions::Zipf { exponent } = p.jurisdictions {
        finite_at_least("population.jurisdictions.exponent", exponent, 0.0)?;
        let sizes = p.jurisdictions.sizes(p.citizens, p.administrations);
        if let Some(empty) = sizes.iter().position(|&n| n == 0) {
            return Err(ScenarioError::invalid(
                "population.jurisdictions.exponent",
                exponent,
                format!(
                    "a smaller exponent: jurisdiction {empty} of {} gets no citizen",
                    p.administrations
                ),
            ));
        }
    }
    let sizes = p.jurisdictions.sizes(p.citizens, p.administrations);
    graph("population.social_graph", &p.social_graph, p.citizens, &sizes)?;
    graph(
        "population.admin_graph",
        &p.admin_graph,
        p.administrations,
        &vec![1; p.administrations as usize],
    )?;

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
    probability("administrations.pioneer_share", a.pioneer_share)?;
    finite_at_least("administrations.pioneer_barrier_scale", a.pioneer_barrier_scale, 0.0)?;

    dynamics("dynamics", &s.dynamics)?;
    interventions(s)?;
    let k = &s.classification;
    probability("classification.participation_transformed", k.participation_transformed)?;
    probability("classification.pioneer_min_adopters", k.pioneer_min_adopters)?;
    probability("classification.pioneer_max_adopters", k.pioneer_max_adopters)?;
    probability("classification.fracture_digitalization", k.fracture_digitalization)?;
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
    let schedule = super::Schedule::of(&s.interventions)?;
    for (index, intervention) in s.interventions.iter().enumerate() {
        if intervention.at >= s.steps {
            return Err(ScenarioError::invalid(
                format!("interventions[{index}].at"),
                intervention.at,
                format!("0 ..= steps - 1 ({})", s.steps - 1),
            ));
        }
    }
    let mut over_time = s.dynamics.clone();
    let mut steps: Vec<u32> = s.interventions.iter().map(|i| i.at).collect();
    steps.sort_unstable();
    steps.dedup();
    for at in steps {
        schedule.apply(at, &mut over_time);
        let index = s.interventions.iter().position(|i| i.at == at).unwrap_or(0);
        dynamics(&format!("interventions[{index}].set: dynamics"), &over_time)?;
    }
    Ok(())
}

fn dynamics(prefix: &str, d: &super::Dynamics) -> Check {
    let unit = [
        ("digital_innovation", d.digital_innovation),
        ("digital_imitation", d.digital_imitation),
        ("need_rate", d.need_rate),
        ("fallback", d.fallback),
        ("resolution_base", d.resolution_base),
        ("satisfaction_rate", d.satisfaction_rate),
        ("trust_experience_rate", d.trust_experience_rate),
        ("trust_social_rate", d.trust_social_rate),
        ("trust_social_digital", d.trust_social_digital),
        ("participation_openness", d.participation_openness),
        ("participation_trust_gain", d.participation_trust_gain),
        ("adoption_innovation", d.adoption_innovation),
        ("pioneer_innovation", d.pioneer_innovation),
        ("adoption_imitation", d.adoption_imitation),
        ("citizen_pressure", d.citizen_pressure),
        ("roi_learning", d.roi_learning),
        ("integration_rate", d.integration_rate),
        ("transformation_adoption", d.transformation_adoption),
        ("transformation_participation", d.transformation_participation),
        ("incident_rate", d.incident_rate),
        ("incident_trust_loss", d.incident_trust_loss),
    ];
    for (name, value) in unit {
        probability(&format!("{prefix}.{name}"), value)?;
    }
    for (name, value) in [("digital_step", d.digital_step), ("adoption_step", d.adoption_step)] {
        let path = format!("{prefix}.{name}");
        if !(value > 0.0 && value <= 1.0) {
            return Err(ScenarioError::invalid(path, value, "0 < x <= 1"));
        }
    }
    let scales = [
        ("capacity_per_citizen", d.capacity_per_citizen),
        ("productivity_gain", d.productivity_gain),
        ("coproduction_capacity", d.coproduction_capacity),
        ("participation_rate", d.participation_rate),
        ("roi_barrier_scale", d.roi_barrier_scale),
        ("security_barrier_scale", d.security_barrier_scale),
        ("organizational_barrier_scale", d.organizational_barrier_scale),
    ];
    for (name, value) in scales {
        finite_at_least(&format!("{prefix}.{name}"), value, 0.0)?;
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
