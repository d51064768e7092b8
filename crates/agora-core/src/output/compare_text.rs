//! What `agora compare` prints: the answer to a planner's question in words
//! that can be quoted. First the change of future (the share of runs ending
//! in each future, baseline -> policy, with the paired 95% interval of the
//! change), then each outcome at the horizon with its unit, the thresholds
//! named with their rule and unit, the costs in planner units, and what the
//! intervals cover. Across futures ([`across_text`]): each policy's change
//! in every future, its worst case and its regret.

use super::compare::{Paired, PairSummary, per_euro};
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
    let x = if x.abs() < 1e-6 * scale.abs().max(f64::MIN_POSITIVE) { 0.0 } else { x };
    let text = match signed {
        true => format!("{x:+.decimals$}"),
        false => format!("{x:.decimals$}"),
    };
    // "-0.000" and "+0.000" both read as 0.
    match text.trim_start_matches(['+', '-']).chars().all(|c| c == '0' || c == '.') {
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

/// The class rule in words, thresholds named and in their unit.
fn rule(class: Class, c: &crate::scenario::Classification) -> String {
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
            "online-contact share >= {}, unanswered share >= {}\n  {:w$}  and up >= {} since the branch, trust down >= {} \
             (fracture rule)",
            c.fracture_digital_interaction,
            c.fracture_unheard,
            "",
            c.fracture_unheard_rise,
            c.fracture_trust_fall,
            w = "broad_adoption".len()
        ),
        Class::Pioneer => format!("adopter share >= {} (pioneer_min_adopters)", c.pioneer_min_adopters),
        Class::Analog => "none of the above".into(),
        Class::Undecided => format!(
            "within {} of a threshold (undecided_margin)",
            c.undecided_margin
        ),
    }
}

/// The console text of one comparison.
pub fn compare_text(s: &PairSummary) -> String {
    let pairs = s.metrics.first().map_or(0, |m| m.1.pairs);
    let mut out = format!(
        "{} vs {}: {pairs} pairs of runs on the same seeds, {} to {}\n\n",
        s.pair.label, s.base_name, s.start, s.date
    );
    out.push_str(&format!(
        "Change of future by {} (share of runs ending in each future, baseline -> policy, paired 95% interval):\n",
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
    out.push_str("Rules (the first that holds names the future; thresholds from the scenario's classification):\n");
    for (class, _) in &shown {
        out.push_str(&format!("  {:width$}  {}\n", class.name(), rule(*class, &s.classification)));
    }
    out.push_str(&format!(
        "\n{:<20} {:>9} {:>9}  {:<26} unit\n",
        format!("outcome, {}", s.date),
        "baseline",
        "policy",
        "change [95% CI]"
    ));
    for (m, p) in &s.metrics {
        out.push_str(&format!(
            "{:<20} {:>9} {:>9}  {:<26} {}\n",
            METRICS[*m].name,
            value(p.base, false),
            value(p.policy, false),
            interval(p),
            METRICS[*m].unit
        ));
    }
    out.push_str(&thresholds_text(s));
    out.push_str(&cost_text(s));
    out.push_str(&format!(
        "The intervals cover replicate noise only: {pairs} paired runs at fixed parameters; they do not include \
         the uncertainty of the parameters themselves.\n"
    ));
    out
}

/// The months to thresholds, each named with its level and unit.
fn thresholds_text(s: &PairSummary) -> String {
    let mut out = String::from(
        "\nMonths until a run's metric first reaches a level (months sooner: negative; over the pairs where both reach it):\n",
    );
    for (name, p, base, policy) in &s.thresholds {
        let (metric, level) = name
            .trim_end_matches("_month")
            .rsplit_once('_')
            .unwrap_or((name.as_str(), ""));
        let unit = METRICS.iter().find(|m| m.name == metric).map_or("", |m| m.unit);
        let level = level.parse::<f64>().map_or(String::new(), |l| format!("{}", l / 100.0));
        let change = match (p.diff.is_finite(), p.lo.is_finite()) {
            _ if p.pairs == 0 => "no pair where both reach it".into(),
            (true, true) if p.diff == 0.0 && p.sd == 0.0 => "the same month in every pair".into(),
            (true, true) => format!(
                "{} months [{}, {}]",
                meaningful(p.diff, 1.0, 1, true),
                meaningful(p.lo, 1.0, 1, true),
                meaningful(p.hi, 1.0, 1, true)
            ),
            (true, false) => format!("{} months", meaningful(p.diff, 1.0, 1, true)),
            _ => "-".into(),
        };
        let pairs = match p.pairs {
            0 => String::new(),
            n => format!(" over {n} pairs"),
        };
        out.push_str(&format!(
            "  {metric} >= {level} ({unit})\n      reached in {base} baseline and {policy} policy runs; {change}{pairs}\n"
        ));
    }
    out
}

/// The cost in planner units: per citizen per year, in total over the
/// horizon, and per percentage point of each key outcome.
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
        "  {} EUR per citizen over the {} years {} to {} = {} EUR per citizen per year; {} million EUR in total \
         for {} citizens\n",
        meaningful(cost.diff, 1.0, 2, false),
        meaningful(years, 1.0, 1, false),
        s.start,
        s.date,
        meaningful(cost.diff / years, 1.0, 2, false),
        meaningful(cost.diff * f64::from(s.citizens) / 1e6, 1.0, 2, false),
        s.citizens
    ));
    for m in KEY_OUTCOMES {
        let Some((_, p)) = s.metrics.iter().find(|x| x.0 == m) else {
            continue;
        };
        let per_point = per_euro(p.diff * 100.0, cost.diff);
        let share = METRICS[m].unit.starts_with("share");
        if !per_point.is_finite() || p.diff.abs() < 1e-9 || !p.lo.is_finite() || p.lo * p.hi <= 0.0 {
            out.push_str(&format!(
                "  {}: no change distinguishable from noise, so no cost per point\n",
                METRICS[m].name
            ));
            continue;
        }
        let direction = if p.diff > 0.0 { "up" } else { "down" };
        out.push_str(&format!(
            "  {} EUR per citizen per {} of {} {direction} ({} points [{}, {}])\n",
            meaningful((1.0 / per_point).abs(), 1.0, 2, false),
            if share { "percentage point" } else { "point (0.01)" },
            METRICS[m].name,
            meaningful(100.0 * p.diff, 100.0, 1, true),
            meaningful(100.0 * p.lo, 100.0, 1, true),
            meaningful(100.0 * p.hi, 100.0, 1, true),
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
    let mut out = format!(
        "Across futures: the change each policy makes by the horizon in each future; worst case: the future where it \
         helps least; regret: its largest shortfall from the best choice in a future (doing nothing included), in \
         the outcome's unit\n"
    );
    let fw = futures.iter().map(|f| f.len()).max().unwrap_or(0).max(8);
    for m in KEY_OUTCOMES.into_iter().chain([idx::COST]) {
        let lower = LOWER_IS_BETTER.contains(&m);
        out.push_str(&format!(
            "\n{} ({}; {} is better)\n{:<14}",
            METRICS[m].name,
            METRICS[m].unit,
            if lower { "lower" } else { "higher" },
            "policy"
        ));
        for f in &futures {
            out.push_str(&format!(" {f:>fw$}"));
        }
        out.push_str(&format!("  {:<28} {}\n", "worst case", "max regret"));
        for policy in &policies {
            out.push_str(&format!("{:<14}", truncate(policy, 14)));
            let changes: Vec<f64> = futures.iter().map(|f| change(policy, f, m)).collect();
            for c in &changes {
                out.push_str(&format!(" {:>fw$}", value(*c, true)));
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
            out.push_str(&format!("  {worst:<28} {}\n", value(regret, false)));
        }
    }
    out
}

fn truncate(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meaningful_prints_rounding_noise_as_zero() {
        assert_eq!(meaningful(3.47e-18, 1.0, 3, true), "0.000");
        assert_eq!(meaningful(-0.0004, 1.0, 3, true), "0.000");
        assert_eq!(meaningful(0.0123, 1.0, 3, true), "+0.012");
        assert_eq!(meaningful(-2.5, 1.0, 1, true), "-2.5");
        assert_eq!(meaningful(f64::NAN, 1.0, 1, true), "-");
        assert_eq!(meaningful(5e-7, 1.0, 9, false), "0.000000000", "below 1e-6 of the scale");
        assert_eq!(meaningful(5e-7, 1e-3, 9, false), "0.000000500", "above 1e-6 of a smaller scale");
    }
}
