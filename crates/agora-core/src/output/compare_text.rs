//! What `agora compare` prints: the answer to a planner's question in words
//! that can be quoted. First the change of future (the share of runs ending
//! in each future, baseline -> policy, with the paired 95% interval of the
//! change), then each outcome at the horizon with its unit, the thresholds
//! named with their rule and unit, the costs in planner units, and what the
//! intervals cover. Across futures ([`across_text`]): each policy's change
//! in every future, its worst case and its regret.

use super::compare::{PairSummary, Paired};
use crate::model::metrics::idx;
use crate::model::{Class, METRICS};

/// Outcomes a planner wants lower (the rest: higher).
const LOWER_IS_BETTER: [usize; 3] = [idx::FRACTURE, idx::UNHEARD_SHARE, idx::COST];

/// The outcomes the cost is expressed per point of, and across futures.
const KEY_OUTCOMES: [usize; 4] = [idx::TRUST, idx::UNHEARD_SHARE, idx::FRACTURE, idx::ADOPTION];

/// `x` to `decimals` decimals, with a value below 1e-6 of `scale` printed as
/// 0 (so rounding noise such as 3.47e-18 never shows), signed if `signed`.
pub fn meaningful(x: f64, scale: f64, decimals: usize, signed: bool) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let x = if x.abs() < 1e-6 * scale.abs().max(f64::MIN_POSITIVE) {
        0.0
    } else {
        x
    };
    let text = match signed {
        true => format!("{x:+.decimals$}"),
        false => format!("{x:.decimals$}"),
    };
    // "-0.000" and "+0.000" both read as 0.
    match text
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        true => format!("{:.decimals$}", 0.0),
        false => text,
    }
}

/// A share in percent, no decimals.
fn percent(x: f64) -> String {
    meaningful(100.0 * x, 100.0, 0, false) + "%"
}

/// A change of a share in percentage points with its interval.
fn points(p: &Paired) -> String {
    let f = |x: f64| meaningful(100.0 * x, 100.0, 0, true);
    match p.lo.is_finite() {
        true => format!("{} points [{}, {}]", f(p.diff), f(p.lo), f(p.hi)),
        false => format!("{} points", f(p.diff)),
    }
}

/// A value at the resolution of its metric: 3 decimals for shares and
/// levels, 1 for large numbers.
fn value(x: f64, signed: bool) -> String {
    let decimals = if x.abs() >= 100.0 { 1 } else { 3 };
    meaningful(x, 1.0, decimals, signed)
}

fn interval(p: &Paired) -> String {
    match (p.diff.is_finite(), p.lo.is_finite()) {
        (false, _) => "-".into(),
        (true, false) => value(p.diff, true),
        (true, true) => {
            let scale = p.lo.abs().max(p.hi.abs()).max(p.diff.abs());
            let decimals = if scale >= 100.0 { 1 } else { 3 };
            let f = |x: f64| meaningful(x, scale.max(1.0), decimals, true);
            format!("{} [{}, {}]", f(p.diff), f(p.lo), f(p.hi))
        }
    }
}

/// A metric's unit in a few characters, for tables that fit 80 columns
/// (docs/model.md, "Observation", has each in full).
fn unit_tag(m: usize) -> &'static str {
    let metric = &METRICS[m];
    if m == idx::COST {
        "EUR/citizen"
    } else if metric.unit.starts_with("share") {
        "share"
    } else if metric.range == (0.0, 1.0) {
        "0-1"
    } else {
        metric.unit
    }
}

/// The class rule in words, thresholds named and in their unit; continued
/// lines are indented by `indent`.
fn rule(class: Class, c: &crate::scenario::Classification, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match class {
        Class::Participation => format!(
            "transformed share >= {} (participation_transformed)",
            c.participation_transformed
        ),
        Class::BroadAdoption => format!(
            "adopter share >= {}, not participation (pioneer_max_adopters)",
            c.pioneer_max_adopters
        ),
        Class::Fracture => format!(
            "online-contact share >= {}, unanswered share >= {},\n{pad}unanswered share up >= {} since the branch,\n\
             {pad}trust down >= {} since the branch (fracture rule)",
            c.fracture_digital_interaction, c.fracture_unheard, c.fracture_unheard_rise, c.fracture_trust_fall,
        ),
        Class::Pioneer => format!("adopter share >= {} (pioneer_min_adopters)", c.pioneer_min_adopters),
        Class::Analog => "none of the rules above holds".into(),
        Class::Undecided => format!("within {} of a threshold (undecided_margin)", c.undecided_margin),
    }
}

/// The console text of one comparison (80 columns); `thresholds`: with the
/// months to thresholds (left out across futures, where [`across_text`]
/// follows).
pub fn compare_text(s: &PairSummary, thresholds: bool) -> String {
    let pairs = s.metrics.first().map_or(0, |m| m.1.pairs);
    let mut out = format!(
        "{} vs {}, {} to {}\n{pairs} pairs of runs, each pair on one seed (common random numbers)\n\n",
        s.pair.label, s.base_name, s.start, s.date
    );
    out.push_str(&format!(
        "Change of future by {}: the share of runs ending in each future,\n\
         baseline -> policy, and the change with its paired 95% interval\n",
        s.date
    ));
    let width = Class::ALL.iter().map(|c| c.name().len()).max().unwrap_or(0);
    let shown: Vec<&(Class, Paired)> = s
        .classes
        .iter()
        .filter(|(_, p)| p.base != 0.0 || p.policy != 0.0)
        .collect();
    for (class, p) in &shown {
        out.push_str(&format!(
            "  {:width$}  {:>4} -> {:>4}  {}\n",
            class.name(),
            percent(p.base),
            percent(p.policy),
            points(p),
        ));
    }
    out.push_str("Rules (the first that holds names the future; the scenario's thresholds):\n");
    for (class, _) in &shown {
        out.push_str(&format!(
            "  {:width$}  {}\n",
            class.name(),
            rule(*class, &s.classification, width + 4)
        ));
    }
    out.push_str(&format!(
        "\n{:<20} {:>9} {:>9}  {:<26} {}\n",
        format!("outcome, {}", s.date),
        "baseline",
        "policy",
        "change [95% CI]",
        "unit"
    ));
    for (m, p) in &s.metrics {
        out.push_str(&format!(
            "{:<20} {:>9} {:>9}  {:<26} {}\n",
            METRICS[*m].name,
            value(p.base, false),
            value(p.policy, false),
            interval(p),
            unit_tag(*m)
        ));
    }
    if thresholds {
        out.push_str(&thresholds_text(s));
    }
    out.push_str(&cost_text(s));
    out.push_str(&format!(
        "The intervals cover replicate noise only ({pairs} pairs of runs at fixed\n\
         parameters), not the uncertainty of the parameters themselves.\n"
    ));
    out
}

/// The months to thresholds, each named with its level and unit.
fn thresholds_text(s: &PairSummary) -> String {
    let mut out = String::from(
        "\nMonths until a run first reaches a level: runs that reach it (baseline vs\n\
         policy), and the change over the pairs where both do (negative: sooner)\n",
    );
    for (name, p, base, policy) in &s.thresholds {
        let (metric, level) = name
            .trim_end_matches("_month")
            .rsplit_once('_')
            .unwrap_or((name.as_str(), ""));
        let unit = METRICS.iter().position(|m| m.name == metric).map_or("", unit_tag);
        let level = level.parse::<f64>().map_or(String::new(), |l| format!("{}", l / 100.0));
        let change = match (p.diff.is_finite(), p.lo.is_finite()) {
            _ if p.pairs == 0 => "no pair where both reach it".into(),
            (true, true) if p.diff == 0.0 && p.sd == 0.0 => format!("the same month in all {} pairs", p.pairs),
            (true, true) => format!(
                "{} months [{}, {}] over {} pairs",
                meaningful(p.diff, 1.0, 1, true),
                meaningful(p.lo, 1.0, 1, true),
                meaningful(p.hi, 1.0, 1, true),
                p.pairs
            ),
            (true, false) => format!("{} months, {} pair", meaningful(p.diff, 1.0, 1, true), p.pairs),
            _ => "-".into(),
        };
        out.push_str(&format!(
            "  {metric} >= {level} ({unit}): {base} vs {policy} runs reach it\n      {change}\n"
        ));
    }
    out
}

/// The cost in planner units: per citizen per year, in total over the
/// horizon, and per point of each key outcome.
fn cost_text(s: &PairSummary) -> String {
    let Some((_, cost)) = s.metrics.iter().find(|m| m.0 == idx::COST) else {
        return String::new();
    };
    // Steps 0 to `step` are the months of the horizon.
    let years = f64::from(s.step + 1) / 12.0;
    let mut out = String::from("\nCost of the policy's levers (docs/costs.md), policy minus baseline:\n");
    if cost.diff.abs() < 1e-9 {
        out.push_str("  none: the policy costs what the baseline costs\n\n");
        return out;
    }
    out.push_str(&format!(
        "  {} EUR per citizen over the {} years {} to {},\n  \
         that is {} EUR per citizen per year and {} million EUR for {} citizens\n",
        meaningful(cost.diff, 1.0, 2, false),
        meaningful(years, 1.0, 1, false),
        s.start,
        s.date,
        meaningful(cost.diff / years, 1.0, 2, false),
        meaningful(cost.diff * f64::from(s.citizens) / 1e6, 1.0, 2, false),
        s.citizens
    ));
    out.push_str("  per point (0.01 of a share or a 0-1 level) of each outcome's change:\n");
    for m in KEY_OUTCOMES {
        let Some((_, p)) = s.metrics.iter().find(|x| x.0 == m) else {
            continue;
        };
        let name = METRICS[m].name;
        if p.diff.abs() < 1e-9 || !p.lo.is_finite() || p.lo * p.hi <= 0.0 {
            out.push_str(&format!("  {name:<14} no change distinguishable from noise\n"));
            continue;
        }
        let f = |x: f64| meaningful((100.0 * x).abs(), 100.0, 1, false);
        let (lo, hi) = if p.diff > 0.0 { (p.lo, p.hi) } else { (p.hi, p.lo) };
        out.push_str(&format!(
            "  {name:<14} {} {} points [{}, {}]: {} EUR per citizen per point\n",
            if p.diff > 0.0 { "up" } else { "down" },
            f(p.diff),
            f(lo),
            f(hi),
            meaningful(cost.diff / (100.0 * p.diff).abs(), 1.0, 2, false),
        ));
    }
    out.push('\n');
    out
}

/// Across futures: per key outcome, each policy's final change in every
/// future, the worst case (the future where it helps least) and the regret
/// (how far it falls short of the best choice, doing nothing included,
/// in the future where that shortfall is largest).
pub fn across_text(summaries: &[PairSummary]) -> String {
    let mut futures: Vec<&str> = Vec::new();
    let mut policies: Vec<&str> = Vec::new();
    for s in summaries {
        let future = s.pair.future.as_deref().unwrap_or(&s.base_name);
        if !futures.contains(&future) {
            futures.push(future);
        }
        if !policies.contains(&s.pair.policy_name.as_str()) {
            policies.push(&s.pair.policy_name);
        }
    }
    let change = |policy: &str, future: &str, m: usize| -> f64 {
        summaries
            .iter()
            .find(|s| s.pair.policy_name == policy && s.pair.future.as_deref().unwrap_or(&s.base_name) == future)
            .and_then(|s| s.metrics.iter().find(|x| x.0 == m))
            .map_or(f64::NAN, |x| x.1.diff)
    };
    let mut out = String::from(
        "Across futures: the change each policy makes by the horizon in each future;\n\
         worst case: the future where it helps least; max regret: its largest\n\
         shortfall from the best choice in a future (doing nothing included)\n",
    );
    let widths: Vec<usize> = futures.iter().map(|f| f.len().max(7)).collect();
    let compared = |m: usize| summaries.iter().any(|s| s.metrics.iter().any(|x| x.0 == m));
    for m in KEY_OUTCOMES.into_iter().chain([idx::COST]).filter(|&m| compared(m)) {
        let lower = LOWER_IS_BETTER.contains(&m);
        out.push_str(&format!(
            "\n{} ({}; {} is better)\n{:<12}",
            METRICS[m].name,
            unit_tag(m),
            if lower { "lower" } else { "higher" },
            "policy"
        ));
        for (f, w) in futures.iter().zip(&widths) {
            out.push_str(&format!(" {f:>w$}"));
        }
        out.push_str(&format!("  {:<22} {}\n", "worst case", "max regret"));
        for policy in &policies {
            out.push_str(&format!("{:<12}", truncate(policy, 12)));
            let changes: Vec<f64> = futures.iter().map(|f| change(policy, f, m)).collect();
            for (c, w) in changes.iter().zip(&widths) {
                out.push_str(&format!(" {:>w$}", value(*c, true)));
            }
            let good = |x: f64| if lower { -x } else { x };
            let worst = futures
                .iter()
                .zip(&changes)
                .filter(|(_, c)| c.is_finite())
                .min_by(|a, b| good(*a.1).total_cmp(&good(*b.1)));
            let regret = futures
                .iter()
                .map(|f| {
                    let best = policies
                        .iter()
                        .map(|p| good(change(p, f, m)))
                        .filter(|x| x.is_finite())
                        .fold(0.0_f64, f64::max);
                    best - good(change(policy, f, m))
                })
                .filter(|x| x.is_finite())
                .fold(f64::NAN, f64::max);
            let worst = worst.map_or("-".to_string(), |(f, c)| format!("{} ({f})", value(*c, true)));
            out.push_str(&format!("  {worst:<22} {}\n", value(regret, false)));
        }
    }
    out
}

fn truncate(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}

#[cfg(test)]
mod tests {
    use super::super::compare::Pair;
    use super::*;

    fn paired(diff: f64) -> Paired {
        Paired {
            base: 0.5,
            policy: 0.5 + diff,
            diff,
            sd: 0.01,
            lo: diff - 0.01,
            hi: diff + 0.01,
            pairs: 10,
        }
    }

    /// A policy's final change in `trust` and `cost` in one future.
    fn summary(policy: &str, future: &str, trust: f64, cost: f64) -> PairSummary {
        PairSummary {
            pair: Pair {
                label: format!("{policy}@{future}"),
                policy_name: policy.into(),
                future: Some(future.into()),
                base: 0,
                policy: 1,
            },
            base_name: future.into(),
            step: 23,
            date: "2013-12".into(),
            metrics: vec![(idx::TRUST, paired(trust)), (idx::COST, paired(cost))],
            thresholds: Vec::new(),
            classes: vec![(Class::Pioneer, paired(0.2)), (Class::Fracture, paired(-0.2))],
            start: "2012-01".into(),
            citizens: 1000,
            classification: Default::default(),
        }
    }

    #[test]
    fn worst_case_and_regret_across_futures() {
        // a helps trust in f1 (+0.10) more than b (+0.02), b helps more in f2
        // (+0.05 vs -0.01): a's worst case is f2 (-0.01), its regret 0.06
        // (b's +0.05 in f2); b's regret is 0.08 (a's +0.10 in f1).
        let all = [
            summary("a", "f1", 0.10, 10.0),
            summary("b", "f1", 0.02, 5.0),
            summary("a", "f2", -0.01, 10.0),
            summary("b", "f2", 0.05, 5.0),
        ];
        let text = across_text(&all);
        let words = |section: &str, row: usize| -> Vec<String> {
            let lines: Vec<&str> = text.split(section).nth(1).unwrap().lines().collect();
            lines[row].split_whitespace().map(String::from).collect()
        };
        assert_eq!(
            words("\ntrust", 2),
            ["a", "+0.100", "-0.010", "-0.010", "(f2)", "0.060"],
            "{text}"
        );
        assert_eq!(
            words("\ntrust", 3),
            ["b", "+0.020", "+0.050", "+0.020", "(f1)", "0.080"],
            "{text}"
        );
        // Cost: lower is better, and doing nothing (0) is the best choice.
        assert_eq!(
            words("\ncost", 2),
            ["a", "+10.000", "+10.000", "+10.000", "(f1)", "10.000"],
            "{text}"
        );
        assert!(
            !text.contains("\nfracture"),
            "no rows for outcomes not compared: {text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }

    #[test]
    fn the_change_of_future_leads_and_every_line_fits_80_columns() {
        let text = compare_text(&summary("a", "f1", 0.1, 10.0), true);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[3].starts_with("Change of future by 2013-12"), "{text}");
        assert!(
            lines[5].contains("pioneer") && lines[5].contains("+20 points [+19, +21]"),
            "{text}"
        );
        assert!(text.contains("fracture rule"), "{text}");
        assert!(text.contains("EUR per citizen per year"), "{text}");
        assert!(text.contains("replicate noise only"), "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{text}");
    }

    #[test]
    fn meaningful_prints_rounding_noise_as_zero() {
        assert_eq!(meaningful(3.47e-18, 1.0, 3, true), "0.000");
        assert_eq!(meaningful(-0.0004, 1.0, 3, true), "0.000");
        assert_eq!(meaningful(0.0123, 1.0, 3, true), "+0.012");
        assert_eq!(meaningful(-2.5, 1.0, 1, true), "-2.5");
        assert_eq!(meaningful(f64::NAN, 1.0, 1, true), "-");
        assert_eq!(
            meaningful(5e-7, 1.0, 9, false),
            "0.000000000",
            "below 1e-6 of the scale"
        );
        assert_eq!(
            meaningful(5e-7, 1e-3, 9, false),
            "0.000000500",
            "above 1e-6 of a smaller scale"
        );
    }
}
