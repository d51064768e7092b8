//! `agora compare`: exact pairing, real effects, classes, bad input, futures,
//! months to thresholds, costs and targeted interventions.

use std::path::Path;

use super::{Csv, agora, read, run_ok, write};

/// Small and short: a few thousand citizens, a few years.
fn small(replicates: &str, steps: &str) -> Vec<String> {
    [
        "--replicates",
        replicates,
        "--steps",
        steps,
        "--set",
        "population.citizens=2000",
        "--set",
        "population.administrations=20",
        "--quiet",
    ]
    .map(String::from)
    .to_vec()
}

fn compare(args: &[&str], out: &Path, extra: &[String]) -> String {
    let mut all: Vec<String> = vec!["compare".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend(["--out".into(), out.to_str().unwrap().into()]);
    all.extend(extra.iter().cloned());
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    String::from_utf8(run_ok(&refs).stdout).unwrap()
}

fn policy(dir: &Path, name: &str, body: &str) -> String {
    let text = format!("Scenario(name: \"{name}\", base: Some(\"pioneer\"), {body})");
    write(dir, &format!("{name}.ron"), &text).to_str().unwrap().to_string()
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("self");
    let stdout = compare(&["pioneer", "pioneer"], &out, &small("3", "24"));
    assert!(stdout.contains("pioneer-2 vs pioneer"), "{stdout}");
    let table = Csv::rows(out.join("comparison.csv"));
    assert_eq!(table.len(), agora_core::model::N_METRICS * 25);
    for row in &table {
        if row["diff_mean"].is_empty() {
            assert_eq!(row["replicates"], "0", "{row:?}");
            continue;
        }
        assert_eq!(
            (
                Csv::number(row, "diff_mean"),
                Csv::number(row, "diff_lo"),
                Csv::number(row, "diff_hi")
            ),
            (0.0, 0.0, 0.0),
            "{row:?}"
        );
        assert_eq!(row["base_mean"], row["policy_mean"]);
    }
    assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");
    run_ok(&["verify", out.to_str().unwrap()]);
}

#[test]
fn a_policy_is_its_baseline_until_its_intervention_starts() {
    let dir = tempfile::tempdir().unwrap();
    let late = policy(
        dir.path(),
        "late",
        "interventions: [(at: 12, set: {\"dynamics.capacity_per_citizen\": 0.3})]",
    );
    let out = dir.path().join("late");
    compare(&["pioneer", &late], &out, &small("3", "24"));
    let series = Csv::rows(out.join("timeseries.csv"));
    let (base, pol): (Vec<_>, Vec<_>) = series.iter().partition(|r| r["scenario"] == "pioneer");
    assert_eq!(base.len(), pol.len());
    let mut differs_after = false;
    for (b, p) in base.iter().zip(&pol) {
        assert_eq!((&b["replicate"], &b["step"]), (&p["replicate"], &p["step"]));
        let same = agora_core::model::METRIC_NAMES.iter().all(|m| b[*m] == p[*m]);
        if Csv::number(b, "step") <= 12.0 {
            assert!(same, "step {}: {b:?} vs {p:?}", b["step"]);
        } else {
            differs_after |= !same;
        }
    }
    assert!(differs_after, "the intervention changes something after month 12");
}

#[test]
fn a_real_effect_has_an_interval_that_excludes_zero_and_classes_sum_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let staff = policy(
        dir.path(),
        "staff",
        "interventions: [(at: 0, set: {\"dynamics.capacity_per_citizen\": 0.4})]",
    );
    let out = dir.path().join("staff");
    let stdout = compare(&["pioneer", &staff, "--report"], &out, &small("5", "24"));
    let html = read(out.join("report.html"));
    assert!(html.contains("Differences over time") && html.contains("forest plot"));
    // More staff resolves more needs, so the takeaway reads a rise in trust.
    let takeaway = html.split("<p class=\"takeaway\"><strong>").nth(1).unwrap_or("");
    assert!(takeaway.starts_with("By 2014, staff raises trust"), "{takeaway}");
    super::grammar::assert_grammar(&html, "compare");
    assert!(html.contains("<title>Policies against their baselines: staff</title>"));
    // A chart per metric, and an axis and an interval per metric in the forest plot.
    assert_eq!(
        html.matches("class=\"forest-axis\"").count(),
        agora_core::model::N_METRICS
    );
    assert_eq!(
        html.matches("<svg").count(),
        3 * agora_core::model::N_METRICS,
        "{}",
        html.len()
    );
    // The planner's text: the change of future first, costs in planner
    // units, and what the intervals cover.
    assert!(stdout.contains("\nChange of future by 2014-01"), "{stdout}");
    assert!(stdout.contains("EUR per citizen per year"), "{stdout}");
    assert!(stdout.contains("replicate noise only"), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");
    let last = Csv::rows(out.join("comparison.csv"))
        .into_iter()
        .find(|r| r["metric"] == "service_rate" && r["step"] == "24")
        .unwrap();
    assert!(
        Csv::number(&last, "diff_lo") > 0.0,
        "more staff resolves more needs: {last:?}"
    );
    assert_eq!(last["replicates"], "5");
    assert!(Csv::number(&last, "diff_per_euro") > 0.0, "{last:?}");
    let classes = Csv::rows(out.join("classes.csv"));
    assert_eq!(classes.len(), agora_core::model::Class::ALL.len());
    let sum = |c: &str| classes.iter().map(|r| Csv::number(r, c)).sum::<f64>();
    assert!((sum("base_share") - 1.0).abs() < 1e-12);
    assert!((sum("policy_share") - 1.0).abs() < 1e-12);
    assert!(sum("diff_mean").abs() < 1e-12);
}

#[test]
fn bad_comparisons_exit_2_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    let out = out.to_str().unwrap();
    let bigger = policy(dir.path(), "bigger", "population: (citizens: 5000)");
    let reseeded = policy(dir.path(), "reseeded", "seed: 7");
    let far = policy(
        dir.path(),
        "far",
        "interventions: [(at: 0, set: {\"dynamics.training\": 0.01}, target: Ids([3, 500]))]",
    );
    let global = policy(
        dir.path(),
        "global",
        "interventions: [(at: 0, set: {\"dynamics.digital_imitation\": 0.1}, target: Pioneers)]",
    );
    let cases: [(Vec<&str>, &str); 6] = [
        (vec!["pioneer", &bigger, "--steps", "5"], "population"),
        (vec!["pioneer", &reseeded, "--steps", "5"], "seed"),
        (vec!["nowhere.ron", "pioneer", "--steps", "5"], "nowhere.ron"),
        (
            vec!["pioneer", "pioneer", "--replicates", "1", "--steps", "5"],
            "at least 2 replicates",
        ),
        (vec!["pioneer", &far, "--steps", "5"], "interventions[0].target"),
        (vec!["pioneer", &global, "--steps", "5"], "interventions[0].set"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["compare", "--quiet", "--out", out];
        all.extend(&args);
        let result = agora().args(&all).output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn across_futures_writes_the_difference_in_each_and_the_extremes() {
    let dir = tempfile::tempdir().unwrap();
    let secure = policy(
        dir.path(),
        "secure",
        "interventions: [(at: 0, set: {\"dynamics.security_investment\": 1.0})]",
    );
    let out = dir.path().join("across");
    let stdout = compare(&["--across", "fracture,pioneer", &secure], &out, &small("2", "12"));
    // The console ends with the worst case and the regret of each outcome.
    let tail = stdout
        .split("Across futures")
        .nth(1)
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(tail.contains("worst case") && tail.contains("max regret"), "{stdout}");
    let cost_row = tail.split("\ncost").nth(1).unwrap().lines().nth(2).unwrap();
    assert!(cost_row.starts_with("secure "), "{stdout}");
    let robustness = Csv::rows(out.join("robustness.csv"));
    let cost: Vec<_> = robustness.iter().filter(|r| r["metric"] == "cost").collect();
    let cases: Vec<(&str, &str)> = cost
        .iter()
        .map(|r| (r["case"].as_str(), r["future"].as_str()))
        .collect();
    assert_eq!(cases[..2], [("future", "fracture"), ("future", "pioneer")]);
    assert_eq!(cases[2].0, "min");
    assert_eq!(cases[3].0, "max");
    assert_eq!(robustness.len(), agora_core::model::N_METRICS * 4);
    assert!(Csv::number(cost[0], "diff_mean") > 0.0);
    let summary = Csv::rows(out.join("summary.csv"));
    assert!(summary.iter().any(|r| r["scenario"] == "secure@fracture"));
}

#[test]
fn months_to_threshold_are_the_first_month_the_series_reaches_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("months");
    compare(&["participation", "participation"], &out, &small("2", "48"));
    let series = Csv::rows(out.join("timeseries.csv"));
    let summary = Csv::rows(out.join("summary.csv"));
    let mut reached = 0;
    for run in &summary {
        for metric in ["adoption", "transformed_share", "digital_interaction"] {
            for level in [25, 50] {
                let first = series
                    .iter()
                    .filter(|r| r["scenario"] == run["scenario"] && r["replicate"] == run["replicate"])
                    .find(|r| Csv::number(r, metric) >= f64::from(level) / 100.0 - 1e-12)
                    .map(|r| r["step"].clone());
                let column = format!("{metric}_{level}_month");
                let written = Some(run[&column].clone()).filter(|c| !c.is_empty());
                assert_eq!(written, first, "{column}");
                reached += usize::from(!run[&column].is_empty());
            }
        }
    }
    assert!(reached > 0);
    let thresholds = Csv::rows(out.join("thresholds.csv"));
    assert_eq!(thresholds.len(), 6);
    assert!(
        thresholds
            .iter()
            .filter(|r| !r["diff_mean"].is_empty())
            .all(|r| Csv::number(r, "diff_mean") == 0.0)
    );
}

#[test]
fn cost_rises_with_the_lever_and_a_targeted_lever_costs_less() {
    let dir = tempfile::tempdir().unwrap();
    let lever = |name: &str, value: f64, target: &str| {
        policy(
            dir.path(),
            name,
            &format!("interventions: [(at: 0, set: {{\"dynamics.training\": {value}}}{target})]"),
        )
    };
    let (low, high) = (lever("low", 0.01, ""), lever("high", 0.05, ""));
    let few = lever("few", 0.05, ", target: Largest(5)");
    let all_ids = (0..20).map(|j| j.to_string()).collect::<Vec<_>>().join(", ");
    let every = lever("every", 0.05, &format!(", target: Ids([{all_ids}])"));
    let out = dir.path().join("cost");
    compare(&["pioneer", &low, &high, &few, &every], &out, &small("2", "12"));
    let summary = Csv::rows(out.join("summary.csv"));
    let cost = |s: &str| Csv::number(summary.iter().find(|r| r["scenario"] == s).unwrap(), "cost");
    assert!(cost("pioneer") < cost("low") && cost("low") < cost("high"));
    assert!(cost("pioneer") < cost("few") && cost("few") < cost("high"));
    // A target that names every administration is the untargeted lever, exactly.
    // (cost and productivity add up per administration there, so to rounding).
    let (every, high) = (
        summary.iter().find(|r| r["scenario"] == "every").unwrap(),
        summary.iter().find(|r| r["scenario"] == "high").unwrap(),
    );
    for (column, value) in every.iter().filter(|(c, _)| *c != "scenario") {
        if column == "cost" || column == "productivity" {
            assert!(
                (Csv::number(every, column) - Csv::number(high, column)).abs() < 1e-9,
                "{column}"
            );
        } else {
            assert_eq!(
                value, &high[column],
                "{column}: per-administration dynamics equal to the global ones"
            );
        }
    }
}
