//! Standard test problems of multi-objective search with known Pareto
//! fronts: ZDT1, ZDT2, ZDT3 (Zitzler, Deb & Thiele 2000; 2 objectives,
//! variables in [0, 1]) and DTLZ2 (Deb, Thiele, Laumanns & Zitzler 2002; its
//! front the positive octant of the unit sphere). They check [`super::nsga2`]
//! by the hypervolume it reaches against the true front's.

use super::hypervolume::{hypervolume, non_dominated};

/// One of the test problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Convex front `f2 = 1 - sqrt(f1)`.
    Zdt1,
    /// Concave front `f2 = 1 - f1^2`.
    Zdt2,
    /// Five disconnected pieces of `f2 = 1 - sqrt(f1) - f1 sin(10 pi f1)`.
    Zdt3,
    /// Three objectives, front `f1^2 + f2^2 + f3^2 = 1` (k = n - 2 distance variables).
    Dtlz2,
}

impl Problem {
    /// The problem's name as pymoo spells it.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Zdt1 => "zdt1",
            Problem::Zdt2 => "zdt2",
            Problem::Zdt3 => "zdt3",
            Problem::Dtlz2 => "dtlz2",
        }
    }

    /// Objectives.
    pub fn objectives(self) -> usize {
        if self == Problem::Dtlz2 { 3 } else { 2 }
    }

    /// The reference point of the hypervolume comparisons: 1.1 in every
    /// objective (ZDT3's front reaches f2 = -0.77, inside it too).
    pub fn reference(self) -> Vec<f64> {
        vec![1.1; self.objectives()]
    }

    /// The objectives at `x` (every variable in [0, 1]).
    pub fn evaluate(self, x: &[f64]) -> Vec<f64> {
        let n = x.len() as f64;
        match self {
            Problem::Zdt1 | Problem::Zdt2 | Problem::Zdt3 => {
                let f1 = x[0];
                let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / (n - 1.0);
                let h = match self {
                    Problem::Zdt1 => 1.0 - (f1 / g).sqrt(),
                    Problem::Zdt2 => 1.0 - (f1 / g).powi(2),
                    _ => 1.0 - (f1 / g).sqrt() - f1 / g * (10.0 * std::f64::consts::PI * f1).sin(),
                };
                vec![f1, g * h]
            }
            Problem::Dtlz2 => {
                let g: f64 = x[2..].iter().map(|v| (v - 0.5).powi(2)).sum();
                let (a, b) = (x[0] * std::f64::consts::FRAC_PI_2, x[1] * std::f64::consts::FRAC_PI_2);
                let r = 1.0 + g;
                vec![r * a.cos() * b.cos(), r * a.cos() * b.sin(), r * a.sin()]
            }
        }
    }

    /// The hypervolume of the true front with [`Problem::reference`]:
    /// closed forms for ZDT1 (0.1 + 2/3 + 0.11), ZDT2 (0.1 + 1/3 + 0.11)
    /// and DTLZ2 (1.1^3 - pi/6); ZDT3 from 100,001 points on its front.
    pub fn true_hypervolume(self) -> f64 {
        match self {
            Problem::Zdt1 => 0.1 + 2.0 / 3.0 + 0.11,
            Problem::Zdt2 => 0.1 + 1.0 / 3.0 + 0.11,
            Problem::Dtlz2 => 1.1f64.powi(3) - std::f64::consts::PI / 6.0,
            Problem::Zdt3 => {
                let n = 100_000;
                let pts: Vec<Vec<f64>> = (0..=n)
                    .map(|i| {
                        let f1 = i as f64 / n as f64;
                        vec![f1, 1.0 - f1.sqrt() - f1 * (10.0 * std::f64::consts::PI * f1).sin()]
                    })
                    .collect();
                hypervolume(&pts, &self.reference())
            }
        }
    }
}

/// The hypervolume of the non-dominated points among `objectives`.
pub fn front_hypervolume(objectives: &[Vec<f64>], reference: &[f64]) -> f64 {
    let front: Vec<Vec<f64>> = non_dominated(objectives)
        .into_iter()
        .map(|i| objectives[i].clone())
        .collect();
    hypervolume(&front, reference)
}

#[cfg(test)]
mod tests {
    use super::super::AnalysisError;
    use super::super::nsga2::{Config, Evaluation, nsga2};
    use super::*;

    /// The hypervolume NSGA-II reaches on `problem` with `n` variables.
    fn reached(problem: Problem, n: usize, population: usize, generations: usize, seed: u64) -> f64 {
        let f = |_: usize, xs: &[Vec<f64>]| -> Result<Vec<Evaluation>, AnalysisError> {
            Ok(xs.iter().map(|x| (problem.evaluate(x), 0.0)).collect())
        };
        let cfg = Config::new(population, generations, seed);
        let last = nsga2(&cfg, &vec![(0.0, 1.0); n], None, f, |_| Ok(())).unwrap();
        let fs: Vec<Vec<f64>> = last.iter().map(|c| c.f.clone()).collect();
        front_hypervolume(&fs, &problem.reference())
    }

    #[test]
    fn true_fronts_have_their_closed_forms() {
        // ZDT at x[1..] = 0 lies on the front.
        let mut x = vec![0.0; 30];
        x[0] = 0.25;
        assert_eq!(Problem::Zdt1.evaluate(&x), vec![0.25, 0.5]);
        assert_eq!(Problem::Zdt2.evaluate(&x), vec![0.25, 0.9375]);
        let mut y = vec![0.5; 12];
        y[0] = 0.0;
        y[1] = 0.0;
        let f = Problem::Dtlz2.evaluate(&y);
        assert!((f.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
        let zdt3 = Problem::Zdt3.true_hypervolume();
        assert!((zdt3 - 1.33175).abs() < 1e-4, "{zdt3}");
    }

    /// The standard size (population 100, 250 generations: 25,100
    /// evaluations, 30 variables; 0.1 s a run), three seeds. Over ten seeds
    /// NSGA-II here reaches 99.2% (ZDT1), 98.6% (ZDT2) and 99.7% (ZDT3) of
    /// the true front's hypervolume (reference 1.1 in every objective), as
    /// pymoo 0.6.2 does (99.2%, 98.7%, 99.7%; docs/optimize.md). 100 points
    /// cannot cover a continuous front; the worst of ten seeds here is at
    /// 98.97% (ZDT1), 98.50% (ZDT2), 99.63% (ZDT3), so the bounds are 1.5%,
    /// 2% and 1%.
    #[test]
    fn zdt_fronts_are_reached() {
        for (problem, tolerance) in [(Problem::Zdt1, 0.015), (Problem::Zdt2, 0.02), (Problem::Zdt3, 0.01)] {
            let truth = problem.true_hypervolume();
            for seed in 1..=3 {
                let hv = reached(problem, 30, 100, 250, seed);
                assert!(
                    hv > truth * (1.0 - tolerance) && hv <= truth + 1e-9,
                    "{}: seed {seed}: {hv} vs true {truth}",
                    problem.name()
                );
            }
        }
    }

    /// DTLZ2, 3 objectives, 12 variables, population 100, 100 generations:
    /// NSGA-II's crowding spreads 100 points worse over a surface than over a
    /// curve, so it stops short of the continuous front's hypervolume
    /// (1.1^3 - pi/6 = 0.8074): 86.0% here over ten seeds, 86.6% for pymoo
    /// 0.6.2 at the same size (docs/optimize.md). The bound is 84%.
    #[test]
    fn dtlz2_front_is_reached() {
        let truth = Problem::Dtlz2.true_hypervolume();
        let hv = reached(Problem::Dtlz2, 12, 100, 100, 1);
        assert!(hv > truth * 0.84 && hv < truth, "{hv} vs {truth}");
    }

    #[test]
    fn a_random_sample_is_far_from_the_front() {
        // The test above can fail: the initial population alone is nowhere near.
        let hv = reached(Problem::Zdt1, 30, 100, 0, 1);
        assert!(hv < 0.5 * Problem::Zdt1.true_hypervolume(), "{hv}");
    }

    /// The full-size figures of docs/optimize.md (not run in CI):
    /// `cargo test --release -p agora-core --lib full_size -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn full_size() {
        for (problem, n, population, generations) in [
            (Problem::Zdt1, 30, 100, 150),
            (Problem::Zdt1, 30, 100, 250),
            (Problem::Zdt2, 30, 100, 150),
            (Problem::Zdt2, 30, 100, 250),
            (Problem::Zdt3, 30, 100, 150),
            (Problem::Zdt3, 30, 100, 250),
            (Problem::Dtlz2, 12, 100, 100),
            (Problem::Dtlz2, 12, 100, 250),
        ] {
            let truth = problem.true_hypervolume();
            let clock = std::time::Instant::now();
            let hvs: Vec<f64> = (1..=10)
                .map(|s| reached(problem, n, population, generations, s))
                .collect();
            let (mean, sd) = crate::stats::mean_sd(&hvs);
            let min = hvs.iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "{} n={n} pop={population} gens={generations} evals={}: hv mean {mean:.5} sd {sd:.5} min {min:.5} true {truth:.5} ratio {:.4} (min {:.4}) {:.3}s/run",
                problem.name(),
                population * (generations + 1),
                mean / truth,
                min / truth,
                clock.elapsed().as_secs_f64() / 10.0
            );
        }
    }
}
