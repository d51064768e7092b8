//! The model against its analytic limits and the scenario calibration.

use agora_core::model::{Model, metrics::idx};
use agora_core::rng::replicate_seed;
use agora_core::runner::{Prepared, simulate};
use agora_core::scenario::{self, Dist, GraphSpec, Scenario};
use rayon::prelude::*;

fn bass_scenario() -> Scenario {
    let mut s = Scenario {
        name: "bass".into(),
        steps: 30,
        ..Scenario::default()
    };
    s.population.citizens = 20_000;
    s.population.social_graph = GraphSpec::Complete;
    s.citizens.digital_ceiling = Dist::Const(1.0);
    s.citizens.digitalization = Dist::Const(0.0);
    s.dynamics.digital_step = 1.0;
    s.dynamics.digital_innovation = 0.03;
    s.dynamics.digital_imitation = 0.38;
    scenario::validate(&s).unwrap();
    s
}

/// With unit steps, full ceilings and a complete graph, the model is the
/// agent-based Bass model: E F(t+1) = F + (p + q F N/(N-1)) (1 - F).
#[test]
fn digital_diffusion_follows_the_bass_equation() {
    let s = bass_scenario();
    let prepared = Prepared::new(s.clone()).unwrap();
    let replicates = 20u32;
    let series: Vec<Vec<f64>> = (0..replicates)
        .into_par_iter()
        .map(|r| {
            let (metrics, _) = simulate(&prepared, replicate_seed(11, r));
            metrics.iter().map(|m| m.values[idx::DIGITALIZATION]).collect()
        })
        .collect();
    let (p, q, n) = (0.03, 0.38, 20_000.0);
    let mut expected = 0.0f64;
    for t in 1..=30 {
        expected += (p + q * expected * n / (n - 1.0)) * (1.0 - expected);
        let values: Vec<f64> = series.iter().map(|s| s[t]).collect();
        let (mean, sd) = agora_core::stats::mean_sd(&values);
        // The sample sd, floored by the binomial sd of one step's adoptions.
        let sd = sd.max((expected * (1.0 - expected) / n).sqrt());
        let se = sd / f64::from(replicates).sqrt();
        assert!(
            (mean - expected).abs() <= 4.0 * se,
            "step {t}: mean {mean:.5} vs Bass {expected:.5} (4 se = {:.5})",
            4.0 * se
        );
    }
}

/// Same population block, same replicate: same graph and initial state; and
/// where the draws are the same (phase 1 does not read trust), same outcome.
#[test]
fn common_random_numbers_across_dynamics() {
    let mut a = scenario::built_in().remove(0);
    a.population.citizens = 5_000;
    a.steps = 40;
    let mut b = a.clone();
    b.dynamics.trust_social_rate = 0.3;
    b.dynamics.trust_experience_rate = 0.2;
    let seed = replicate_seed(a.seed, 3);
    let (pa, pb) = (Prepared::new(a).unwrap(), Prepared::new(b).unwrap());
    let (ma, mb) = (
        Model::new(&pa.scenario, seed, &pa.graphs),
        Model::new(&pb.scenario, seed, &pb.graphs),
    );
    assert_eq!(ma.social_graph(), mb.social_graph());
    assert_eq!(ma.citizens.trust, mb.citizens.trust);
    assert_eq!(ma.citizens.digital, mb.citizens.digital);
    let (sa, _) = simulate(&pa, seed);
    let (sb, _) = simulate(&pb, seed);
    let digital =
        |s: &[agora_core::model::Metrics]| s.iter().map(|m| m.values[idx::DIGITALIZATION]).collect::<Vec<_>>();
    let trust = |s: &[agora_core::model::Metrics]| s.iter().map(|m| m.values[idx::TRUST]).collect::<Vec<_>>();
    assert_eq!(
        digital(&sa),
        digital(&sb),
        "digitalization does not read trust, so CRN make it identical"
    );
    assert_ne!(trust(&sa), trust(&sb), "the changed dynamics do change trust");
}

/// An intervention at step 24 cannot affect rows 0..=24 and does change later ones.
#[test]
fn intervention_applies_from_its_step_on() {
    let mut base = scenario::built_in().remove(0);
    base.population.citizens = 4_000;
    base.steps = 60;
    let mut with = base.clone();
    scenario::set_path(
        &mut with,
        "interventions",
        "[(at: 24, set: {\"dynamics.security_barrier_scale\": 0.0, \"dynamics.roi_barrier_scale\": 0.0})]",
    )
    .unwrap();
    scenario::validate(&with).unwrap();
    let seed = replicate_seed(base.seed, 0);
    let (s0, _) = simulate(&Prepared::new(base).unwrap(), seed);
    let (s1, _) = simulate(&Prepared::new(with).unwrap(), seed);
    // Bit patterns, so that an undefined (NaN) cell equals itself.
    let bits = |s: &[agora_core::model::Metrics]| -> Vec<Vec<u64>> {
        s.iter()
            .map(|m| m.values.iter().map(|v| v.to_bits()).collect())
            .collect()
    };
    assert_eq!(bits(&s0[..=24]), bits(&s1[..=24]));
    assert_ne!(bits(&s0[25..]), bits(&s1[25..]));
    assert!(s1[60].values[idx::ADOPTION] > s0[60].values[idx::ADOPTION]);
}

/// The metric definitions hold on the model's own state.
#[test]
fn metrics_match_their_definitions() {
    let mut s = scenario::built_in().remove(1);
    s.population.citizens = 3_000;
    let p = Prepared::new(s).unwrap();
    let mut model = Model::new(&p.scenario, 9, &p.graphs);
    for _ in 0..50 {
        model.step();
    }
    let m = model.metrics();
    let c = &model.citizens;
    let n = c.digital.len() as f64;
    let mean = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    assert!((m.values[idx::DIGITALIZATION] - mean(&c.digital)).abs() < 1e-9);
    assert!((m.values[idx::TRUST] - mean(&c.trust)).abs() < 1e-9);
    let fracture: f64 = (0..c.digital.len())
        .map(|i| (f64::from(c.digital[i]) - model.admins.adoption[model.admins.of_citizen(i)]).max(0.0))
        .sum::<f64>()
        / n;
    assert!((m.values[idx::FRACTURE] - fracture).abs() < 1e-9);
    for (i, (&d, &cap)) in c.digital.iter().zip(&c.ceiling).enumerate() {
        assert!(d <= cap, "citizen {i}: d {d} above ceiling {cap}");
    }
    for (v, metric) in m.values.iter().zip(agora_core::model::METRICS) {
        assert!(v.is_finite(), "{} undefined after 50 months", metric.name);
        assert!(
            *v >= metric.range.0 && *v <= metric.range.1,
            "{} = {v} out of its range",
            metric.name
        );
    }
    assert!(m.values[idx::PRODUCTIVITY] > 0.0 && m.values[idx::SERVICE_RATE] > 0.0);
}

/// State and graph stay within 48 bytes per citizen plus 4 per directed edge.
#[test]
fn memory_per_citizen_is_bounded() {
    let mut s = scenario::built_in().remove(0);
    s.population.citizens = 200_000;
    let p = Prepared::new(s).unwrap();
    let model = Model::new(&p.scenario, 1, &p.graphs);
    let directed_edges = 2 * model.social_graph().edges() as usize;
    let budget = 48 * 200_000 + 4 * directed_edges;
    assert!(model.heap_bytes() <= budget, "{} bytes > {budget}", model.heap_bytes());
    let per_citizen = (model.heap_bytes() - 4 * directed_edges) as f64 / 200_000.0;
    // Five f32 arrays (ceiling, digital, trust, satisfaction, the double buffer),
    // a byte of flags, a byte of months since the last online contact and 8
    // bytes of CSR offsets: 30 bytes.
    assert!(per_citizen < 31.0, "{per_citizen} bytes per citizen");
}
