//! Adaptive replicates: `--until 'QUANTITY:WIDTH'` adds runs in fixed
//! batches until the 95% interval of QUANTITY is narrower than WIDTH.
//!
//! The batches are fixed by the count alone (first check after
//! [`FIRST_CHECK`] runs, then after every `max(MIN_BATCH, n / 8)` more), and
//! runs reach the tally in replicate order, so the stopping point is the
//! same for any thread count; the runs it keeps are the first `n`
//! replicates, exactly those of a run asked for `n` replicates.

use crate::error::{Error, Result};
use crate::model::{Class, METRIC_NAMES};
use crate::output::ScenarioTally;
use crate::output::compare::paired;
use crate::runner::Run;
use crate::scenario::suggest::hint;
use crate::stats::{t_975, wilson};

/// Runs before the first check: fewer make a poor interval of the interval.
pub const FIRST_CHECK: u32 = 20;
/// The smallest batch after the first check.
pub const MIN_BATCH: u32 = 10;

/// What `--until` watches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// `class.NAME`: the share of runs that end in the future NAME (Wilson
    /// 95% interval, as `classes.csv`).
    Class(Class),
    /// A metric's name: the mean of its final value (Student's t 95% interval).
    Metric(usize),
}

/// One stopping rule: the 95% interval of `quantity` narrower than `width`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Until {
    /// What is watched.
    pub quantity: Quantity,
    /// The widest interval (high minus low) that stops the runs, in the
    /// quantity's unit.
    pub width: f64,
}

impl Until {
    /// Read `QUANTITY:WIDTH`, e.g. `class.fracture:0.02` or `trust:0.005`.
    pub fn parse(text: &str) -> Result<Until> {
        let bad = |why: String| Error::Input(format!("--until '{text}': {why}"));
        let (name, width) = text
            .rsplit_once(':')
            .ok_or_else(|| bad("expected QUANTITY:WIDTH, e.g. 'class.fracture:0.02' or 'trust:0.005'".into()))?;
        let width: f64 = width
            .trim()
            .parse()
            .map_err(|_| bad(format!("the width `{width}` is not a number")))?;
        if !(width > 0.0 && width <= 1.0e9) {
            return Err(bad(format!(
                "the width must be above 0 (the interval's high minus low), not {width}"
            )));
        }
        let name = name.trim();
        let quantity = if let Some(class) = name.strip_prefix("class.") {
            let names = Class::ALL.map(Class::name);
            Quantity::Class(Class::from_name(class).ok_or_else(|| {
                bad(format!(
                    "unknown class `{class}`{}; classes: {}",
                    hint(class, names),
                    names.join(", ")
                ))
            })?)
        } else {
            let candidates = METRIC_NAMES
                .iter()
                .copied()
                .chain(Class::ALL.map(Class::name))
                .collect::<Vec<_>>();
            Quantity::Metric(METRIC_NAMES.iter().position(|&m| m == name).ok_or_else(|| {
                let near = hint(name, candidates.iter().copied());
                let near = match Class::from_name(name) {
                    Some(_) => format!("; a class is watched as `class.{name}`"),
                    None => near,
                };
                bad(format!(
                    "unknown quantity `{name}`{near}; watch `class.NAME` or a metric: {}",
                    METRIC_NAMES.join(", ")
                ))
            })?)
        };
        if matches!(quantity, Quantity::Class(_)) && width > 1.0 {
            return Err(bad(format!("a share's interval is at most 1 wide, not {width}")));
        }
        Ok(Until { quantity, width })
    }

    /// The width of the quantity's 95% interval over the runs of `tally`;
    /// infinite while it is undefined (fewer than two defined values).
    pub fn width_of(&self, tally: &ScenarioTally) -> f64 {
        match self.quantity {
            Quantity::Class(class) => {
                let (_, _, _, lo, hi) =
                    tally.class_shares()[Class::ALL.iter().position(|&c| c == class).expect("a class")];
                if tally.runs == 0 { f64::INFINITY } else { hi - lo }
            }
            Quantity::Metric(m) => {
                let (n, _, sd) = tally.final_running(m);
                if n < 2 {
                    f64::INFINITY
                } else {
                    2.0 * t_975(n as usize - 1) * sd / (n as f64).sqrt()
                }
            }
        }
    }

    /// The width of the 95% paired interval of policy minus baseline over
    /// runs on the same seeds (`agora compare`): a metric's final value, or
    /// whether the run ended in the class (1 or 0); infinite while undefined.
    /// For a class, the interval is at least as wide as the Wilson
    /// interval of the share of pairs that end in different classes: twenty
    /// pairs that all agree are no proof that the policy never changes one.
    pub fn paired_width(&self, base: &[Run], policy: &[Run]) -> f64 {
        let p = match self.quantity {
            Quantity::Class(class) => paired(base, policy, |r| f64::from(u8::from(r.class == class))),
            Quantity::Metric(m) => paired(base, policy, |r| r.last().values[m]),
        };
        if p.pairs < 2 {
            return f64::INFINITY;
        }
        let width = p.hi - p.lo;
        match self.quantity {
            Quantity::Class(class) => {
                let differ = base
                    .iter()
                    .zip(policy)
                    .filter(|(b, q)| (b.class == class) != (q.class == class));
                let (lo, hi) = wilson(differ.count() as u64, base.len().min(policy.len()) as u64);
                width.max(hi - lo)
            }
            Quantity::Metric(_) => width,
        }
    }

    /// The rule as it is written.
    pub fn text(&self) -> String {
        let name = match self.quantity {
            Quantity::Class(c) => format!("class.{}", c.name()),
            Quantity::Metric(m) => METRIC_NAMES[m].to_string(),
        };
        format!("{name}:{}", self.width)
    }
}

/// The check after `done` runs (checks come at 20, then after every
/// `max(10, n / 8)` more), at most `cap`: the end of the batch to run next.
fn step(done: u32, cap: u32) -> u32 {
    let next = if done == 0 {
        FIRST_CHECK
    } else {
        done.saturating_add(MIN_BATCH.max(done / 8))
    };
    next.min(cap)
}

/// The first check after `done` runs, at most `cap`: the end of the batch
/// to run next, also when `done` is not a check (a resumed run interrupted
/// mid-batch), so a resumed run checks where the whole one would have.
pub fn next_check(done: u32, cap: u32) -> u32 {
    let mut check = 0;
    while check <= done && check < cap {
        check = step(check, cap);
    }
    check.max(done.min(cap))
}

/// Whether the rules are checked after `done` runs.
pub fn is_check(done: u32, cap: u32) -> bool {
    done > 0 && (done == cap || next_check(done - 1, cap) == done)
}

/// Whether every rule is met by `tally`, and the line the manifest keeps
/// about it (`cap`: the runs allowed).
pub fn verdict(rules: &[Until], tally: &ScenarioTally, cap: u32) -> (bool, String) {
    let widths: Vec<String> = rules
        .iter()
        .map(|r| format!("{} interval {:.6}", r.text(), r.width_of(tally)))
        .collect();
    let met = rules.iter().all(|r| r.width_of(tally) < r.width);
    let why = if met {
        "every interval narrower than its width".to_string()
    } else if tally.runs >= u64::from(cap) {
        format!("the cap of {cap} replicates was reached first")
    } else {
        "not yet".to_string()
    };
    (
        met,
        format!(
            "{}: stopped after {} runs, {why} ({})",
            tally.name,
            tally.runs,
            widths.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_bad_ones_say_what_is_wrong() {
        let rule = Until::parse("class.fracture:0.02").unwrap();
        assert_eq!(rule.quantity, Quantity::Class(Class::Fracture));
        assert_eq!(rule.text(), "class.fracture:0.02");
        assert_eq!(Until::parse("trust:0.005").unwrap().width, 0.005);
        for (bad, says) in [
            ("trust", "QUANTITY:WIDTH"),
            ("trust:-1", "above 0"),
            ("trust:wide", "not a number"),
            ("trst:0.01", "did you mean `trust`"),
            ("pioneer:0.01", "watched as `class.pioneer`"),
            ("class.fractur:0.01", "did you mean `fracture`"),
            ("class.pioneer:2", "at most 1"),
        ] {
            let message = Until::parse(bad).unwrap_err().to_string();
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    #[test]
    fn checks_come_in_batches_fixed_by_the_count() {
        let mut n = 0;
        let mut checks = Vec::new();
        while n < 200 {
            n = next_check(n, 200);
            checks.push(n);
        }
        assert_eq!(checks[..4], [20, 30, 40, 50]);
        assert_eq!(*checks.last().unwrap(), 200);
        for w in checks.windows(2).filter(|w| w[1] < 200) {
            assert_eq!(w[1] - w[0], MIN_BATCH.max(w[0] / 8), "{checks:?}");
        }
        // Mid-batch (a resumed run): on to the check the whole run makes.
        assert_eq!(next_check(25, 200), 30);
        assert!(is_check(30, 200) && !is_check(25, 200) && is_check(200, 200) && !is_check(0, 200));
        assert!(checks.iter().all(|&c| is_check(c, 200)));
    }
}
