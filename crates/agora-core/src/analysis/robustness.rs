//! Robustness metrics: one number from a policy's outcomes across futures
//! and replicates, as in robust decision making (Lempert, Popper & Bankes
//! 2003; McPhail et al. 2018 classify them): the mean, the worst case, the
//! maximum regret (Savage 1951) and the satisficing share (Starr 1963).
//!
//! Outcomes come as `values[future][replicate]`, replicates matched across
//! futures and policies (common random numbers). Everything is put so that
//! smaller is better ([`Sense`]) for the search, and back for the reader.

use serde::{Deserialize, Serialize};

/// Whether an outcome is to be made small or large.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sense {
    /// Smaller is better.
    Minimise,
    /// Larger is better.
    Maximise,
}

impl Sense {
    /// `x` as a loss (smaller better): `x` or `-x`.
    pub fn loss(self, x: f64) -> f64 {
        match self {
            Sense::Minimise => x,
            Sense::Maximise => -x,
        }
    }

    /// Whether `x` meets `threshold` (at most when minimising, at least when maximising).
    pub fn meets(self, x: f64, threshold: f64) -> bool {
        match self {
            Sense::Minimise => x <= threshold,
            Sense::Maximise => x >= threshold,
        }
    }
}

/// How outcomes across futures and replicates become one objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Aggregate {
    /// The mean over every future and replicate.
    Mean,
    /// The worst future's mean over its replicates.
    WorstCase,
    /// The largest shortfall, over futures, of the policy's mean from the
    /// best mean of a reference set of policies in that future (0: as good
    /// as the best everywhere; negative: better than all of them).
    Regret,
    /// The share of futures and replicates in which the outcome meets the
    /// threshold (at least it when maximising, at most when minimising);
    /// always maximised.
    Satisficing(f64),
}

impl Aggregate {
    /// The sense of the aggregate given the outcome's: a satisficing share
    /// is maximised, a regret minimised, the others follow the outcome.
    pub fn sense(self, outcome: Sense) -> Sense {
        match self {
            Aggregate::Satisficing(_) => Sense::Maximise,
            Aggregate::Regret => Sense::Minimise,
            _ => outcome,
        }
    }

    /// Per future: the mean over replicates, or for a satisficing share the
    /// share of replicates that meet the threshold.
    pub fn per_future(self, outcome: Sense, values: &[Vec<f64>]) -> Vec<f64> {
        values
            .iter()
            .map(|runs| match self {
                Aggregate::Satisficing(t) => {
                    runs.iter().filter(|&&x| outcome.meets(x, t)).count() as f64 / runs.len().max(1) as f64
                }
                _ => runs.iter().sum::<f64>() / runs.len().max(1) as f64,
            })
            .collect()
    }

    /// The aggregate from the per-future values ([`Aggregate::per_future`]),
    /// weighted by replicates (`runs[f]`); `best[f]`, for a regret, is the
    /// best per-future mean of the reference set.
    pub fn combine(self, outcome: Sense, per_future: &[f64], runs: &[usize], best: &[f64]) -> f64 {
        match self {
            Aggregate::Mean | Aggregate::Satisficing(_) => {
                let total: usize = runs.iter().sum();
                per_future.iter().zip(runs).map(|(v, &n)| v * n as f64).sum::<f64>() / total.max(1) as f64
            }
            Aggregate::WorstCase => match outcome {
                Sense::Minimise => per_future.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Sense::Maximise => per_future.iter().copied().fold(f64::INFINITY, f64::min),
            },
            Aggregate::Regret => per_future
                .iter()
                .zip(best)
                .map(|(&v, &b)| outcome.loss(v) - outcome.loss(b))
                .fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// The best per-future value of a set of policies' per-future values.
    pub fn best(outcome: Sense, policies: &[Vec<f64>]) -> Vec<f64> {
        let futures = policies.first().map_or(0, Vec::len);
        (0..futures)
            .map(|f| {
                policies
                    .iter()
                    .map(|p| p[f])
                    .min_by(|a, b| outcome.loss(*a).total_cmp(&outcome.loss(*b)))
                    .unwrap_or(f64::NAN)
            })
            .collect()
    }

    /// The objective's name stem: `mean`, `worst`, `regret`, `satisficing`.
    pub fn stem(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::WorstCase => "worst",
            Aggregate::Regret => "regret",
            Aggregate::Satisficing(_) => "satisficing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_by_hand() {
        // Two futures, two replicates; maximise.
        let v = vec![vec![0.2, 0.4], vec![0.6, 1.0]];
        let runs = [2, 2];
        let max = Sense::Maximise;
        let pf = Aggregate::Mean.per_future(max, &v);
        assert_eq!(pf, vec![0.30000000000000004, 0.8]);
        assert!((Aggregate::Mean.combine(max, &pf, &runs, &[]) - 0.55).abs() < 1e-12);
        assert_eq!(Aggregate::WorstCase.combine(max, &pf, &runs, &[]), pf[0]);
        assert_eq!(Aggregate::WorstCase.combine(Sense::Minimise, &pf, &runs, &[]), 0.8);
        // Best of the references 0.5 and 0.8: shortfalls 0.2 and 0.0.
        let r = Aggregate::Regret.combine(max, &pf, &runs, &[0.5, 0.8]);
        assert!((r - 0.2).abs() < 1e-12, "{r}");
        let s = Aggregate::Satisficing(0.5);
        let share = s.per_future(max, &v);
        assert_eq!(share, vec![0.0, 1.0]);
        assert_eq!(s.combine(max, &share, &runs, &[]), 0.5);
        assert_eq!(s.sense(Sense::Minimise), Sense::Maximise);
        assert_eq!(
            Aggregate::best(Sense::Minimise, &[vec![1.0, 5.0], vec![2.0, 3.0]]),
            vec![1.0, 3.0]
        );
    }
}
