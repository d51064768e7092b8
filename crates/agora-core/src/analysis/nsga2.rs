//! NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002): the elitist
//! non-dominated sorting genetic algorithm, every objective minimised, with
//! Deb's constrained dominance (a feasible point beats an infeasible one; of
//! two infeasible points the smaller violation wins).
//!
//! Each generation: binary tournaments on (rank, crowding distance) pick
//! parents; simulated binary crossover (SBX, Deb & Agrawal 1995, bounded
//! form of Deb's reference code) and polynomial mutation (Deb & Goyal 1996)
//! make `population` children; parents and children together are sorted
//! into non-dominated fronts and the best `population` survive, the last
//! front cut by crowding distance. The operators' defaults are pymoo's
//! (`eta` 15 for crossover with probability 0.9 and each variable swapped
//! with probability 0.5; `eta` 20 for mutation with probability 1/n per
//! variable), so the two can be compared at the same evaluation counts.
//!
//! Randomness: generation `g` draws from ChaCha8 stream `g` of the seed, so
//! a search resumed from the survivors of generation `g` continues exactly
//! as if it had never stopped. Candidates are evaluated a generation at a
//! time by the caller's closure (in parallel if it likes), and every tie is
//! broken by position: the same seed gives the same front.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::AnalysisError;
use super::hypervolume::dominates;

/// The search's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Survivors per generation, and children made per generation (even, 4 or more).
    pub population: usize,
    /// Generations after the initial population (total evaluations:
    /// `population * (generations + 1)`).
    pub generations: usize,
    /// The seed of every random draw.
    pub seed: u64,
    /// SBX distribution index.
    pub eta_crossover: f64,
    /// Probability that a pair of parents is crossed.
    pub crossover_probability: f64,
    /// Polynomial mutation distribution index.
    pub eta_mutation: f64,
    /// Per-variable mutation probability; `None`: 1 / variables.
    pub mutation_probability: Option<f64>,
}

impl Config {
    /// pymoo's defaults for a population and a number of generations.
    pub fn new(population: usize, generations: usize, seed: u64) -> Self {
        Self {
            population,
            generations,
            seed,
            eta_crossover: 15.0,
            crossover_probability: 0.9,
            eta_mutation: 20.0,
            mutation_probability: None,
        }
    }

    fn check(&self, bounds: &[(f64, f64)]) -> Result<(), AnalysisError> {
        if self.population < 4 || !self.population.is_multiple_of(2) {
            return Err(AnalysisError::invalid(
                "population",
                format!("{} must be even and at least 4", self.population),
            ));
        }
        if bounds.is_empty() {
            return Err(AnalysisError::invalid("bounds", "no decision variable"));
        }
        for (j, &(lo, hi)) in bounds.iter().enumerate() {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(AnalysisError::invalid(
                    "bounds",
                    format!("variable {j} has ({lo}, {hi}); it needs finite low < high"),
                ));
            }
        }
        Ok(())
    }
}

/// One evaluated candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Decision variables.
    pub x: Vec<f64>,
    /// Objectives, minimised.
    pub f: Vec<f64>,
    /// Constraint violation: 0 feasible, more is worse.
    pub violation: f64,
    /// Non-dominated rank in the last sort (0: the front).
    pub rank: usize,
    /// Crowding distance in the last sort (infinite at a front's ends).
    pub crowding: f64,
}

impl Candidate {
    /// A candidate before it has been sorted.
    pub fn new(x: Vec<f64>, f: Vec<f64>, violation: f64) -> Self {
        Self {
            x,
            f,
            violation: violation.max(0.0),
            rank: 0,
            crowding: 0.0,
        }
    }
}

/// What the caller's evaluation returns for one candidate: objectives and
/// constraint violation.
pub type Evaluation = (Vec<f64>, f64);

/// Deb's constrained dominance.
pub fn constrained_dominates(a: &Candidate, b: &Candidate) -> bool {
    match (a.violation > 0.0, b.violation > 0.0) {
        (false, true) => true,
        (true, false) => false,
        (true, true) => a.violation < b.violation,
        (false, false) => dominates(&a.f, &b.f),
    }
}

/// Fast non-dominated sort: the fronts as lists of indices, best first,
/// each in input order. Infeasible candidates are ranked among themselves
/// by violation after every feasible front.
pub fn fronts(pop: &[Candidate]) -> Vec<Vec<usize>> {
    let n = pop.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominating: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 1..n {
            if constrained_dominates(&pop[i], &pop[j]) {
                dominating[i].push(j);
                dominated_by[j] += 1;
            } else if constrained_dominates(&pop[j], &pop[i]) {
                dominating[j].push(i);
                dominated_by[i] += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            for &j in &dominating[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        out.push(current);
        current = next;
    }
    out
}

/// Crowding distances of `front` (indices into `pop`), in the front's order.
pub fn crowding(pop: &[Candidate], front: &[usize]) -> Vec<f64> {
    let n = front.len();
    let mut distance = vec![0.0; n];
    if n <= 2 {
        return vec![f64::INFINITY; n];
    }
    let m = pop[front[0]].f.len();
    for k in 0..m {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| pop[front[a]].f[k].total_cmp(&pop[front[b]].f[k]).then(a.cmp(&b)));
        let lo = pop[front[order[0]]].f[k];
        let hi = pop[front[order[n - 1]]].f[k];
        distance[order[0]] = f64::INFINITY;
        distance[order[n - 1]] = f64::INFINITY;
        if hi - lo <= 0.0 {
            continue;
        }
        for w in 1..n - 1 {
            let gap = pop[front[order[w + 1]]].f[k] - pop[front[order[w - 1]]].f[k];
            distance[order[w]] += gap / (hi - lo);
        }
    }
    distance
}

/// Sort `pop` into fronts, set each candidate's rank and crowding, and keep
/// the best `keep` (whole fronts, then the last front by crowding distance,
/// ties by position), in rank order.
pub fn survive(mut pop: Vec<Candidate>, keep: usize) -> Vec<Candidate> {
    let fronts = fronts(&pop);
    let mut chosen = Vec::with_capacity(keep);
    for (rank, front) in fronts.iter().enumerate() {
        let distances = crowding(&pop, front);
        for (&i, &d) in front.iter().zip(&distances) {
            pop[i].rank = rank;
            pop[i].crowding = d;
        }
        if chosen.len() + front.len() <= keep {
            chosen.extend_from_slice(front);
        } else {
            let mut order: Vec<usize> = (0..front.len()).collect();
            order.sort_by(|&a, &b| distances[b].total_cmp(&distances[a]).then(a.cmp(&b)));
            let room = keep - chosen.len();
            chosen.extend(order[..room].iter().map(|&w| front[w]));
        }
        if chosen.len() >= keep {
            break;
        }
    }
    chosen.into_iter().map(|i| pop[i].clone()).collect()
}

/// The random stream of generation `generation`.
fn stream(seed: u64, generation: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(generation as u64);
    rng
}

/// The initial population: `population` points uniform in the bounds
/// (generation 0's stream).
pub fn initial(config: &Config, bounds: &[(f64, f64)]) -> Vec<Vec<f64>> {
    let mut rng = stream(config.seed, 0);
    (0..config.population)
        .map(|_| {
            bounds
                .iter()
                .map(|&(lo, hi)| lo + rng.random::<f64>() * (hi - lo))
                .collect()
        })
        .collect()
}

/// The children of generation `generation` (1, 2, ...) from the sorted
/// survivors `parents`.
pub fn offspring(config: &Config, bounds: &[(f64, f64)], parents: &[Candidate], generation: usize) -> Vec<Vec<f64>> {
    let mut rng = stream(config.seed, generation);
    let n = config.population;
    let pm = config.mutation_probability.unwrap_or(1.0 / bounds.len() as f64);
    let mut children = Vec::with_capacity(n);
    while children.len() < n {
        let a = tournament(parents, &mut rng);
        let b = tournament(parents, &mut rng);
        let (mut c1, mut c2) = (parents[a].x.clone(), parents[b].x.clone());
        if rng.random::<f64>() < config.crossover_probability {
            sbx(&mut c1, &mut c2, bounds, config.eta_crossover, &mut rng);
        }
        for c in [&mut c1, &mut c2] {
            mutate(c, bounds, config.eta_mutation, pm, &mut rng);
        }
        children.push(c1);
        if children.len() < n {
            children.push(c2);
        }
    }
    children
}

/// Binary tournament: lower violation, then lower rank, then larger
/// crowding distance; a tie goes to the first drawn.
fn tournament(pop: &[Candidate], rng: &mut ChaCha8Rng) -> usize {
    let a = rng.random_range(0..pop.len());
    let b = rng.random_range(0..pop.len());
    let (x, y) = (&pop[a], &pop[b]);
    let key = |c: &Candidate| (c.violation, c.rank);
    match key(x).partial_cmp(&key(y)) {
        Some(std::cmp::Ordering::Less) => a,
        Some(std::cmp::Ordering::Greater) => b,
        _ if y.crowding > x.crowding => b,
        _ => a,
    }
}

/// Simulated binary crossover, bounded (Deb's NSGA-II reference code).
fn sbx(c1: &mut [f64], c2: &mut [f64], bounds: &[(f64, f64)], eta: f64, rng: &mut ChaCha8Rng) {
    for j in 0..c1.len() {
        let (lo, hi) = bounds[j];
        let swap_var = rng.random::<f64>() < 0.5;
        let u = rng.random::<f64>();
        let swap_children = rng.random::<f64>() < 0.5;
        if !swap_var || (c1[j] - c2[j]).abs() <= 1e-14 {
            continue;
        }
        let (y1, y2) = (c1[j].min(c2[j]), c1[j].max(c2[j]));
        let spread = |beta: f64| {
            let alpha = 2.0 - beta.powf(-(eta + 1.0));
            if u <= 1.0 / alpha {
                (u * alpha).powf(1.0 / (eta + 1.0))
            } else {
                (1.0 / (2.0 - u * alpha)).powf(1.0 / (eta + 1.0))
            }
        };
        let bq1 = spread(1.0 + 2.0 * (y1 - lo) / (y2 - y1));
        let bq2 = spread(1.0 + 2.0 * (hi - y2) / (y2 - y1));
        let mut a = (0.5 * ((y1 + y2) - bq1 * (y2 - y1))).clamp(lo, hi);
        let mut b = (0.5 * ((y1 + y2) + bq2 * (y2 - y1))).clamp(lo, hi);
        if swap_children {
            std::mem::swap(&mut a, &mut b);
        }
        c1[j] = a;
        c2[j] = b;
    }
}

/// Polynomial mutation, bounded (Deb & Goyal 1996, as in Deb's code).
fn mutate(c: &mut [f64], bounds: &[(f64, f64)], eta: f64, probability: f64, rng: &mut ChaCha8Rng) {
    for (y, &(lo, hi)) in c.iter_mut().zip(bounds) {
        let hit = rng.random::<f64>() < probability;
        let r = rng.random::<f64>();
        if !hit {
            continue;
        }
        let (d1, d2) = ((*y - lo) / (hi - lo), (hi - *y) / (hi - lo));
        let power = 1.0 / (eta + 1.0);
        let dq = if r < 0.5 {
            let v = 2.0 * r + (1.0 - 2.0 * r) * (1.0 - d1).powf(eta + 1.0);
            v.powf(power) - 1.0
        } else {
            let v = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * (1.0 - d2).powf(eta + 1.0);
            1.0 - v.powf(power)
        };
        *y = (*y + dq * (hi - lo)).clamp(lo, hi);
    }
}

/// A generation's survivors and the candidates it evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// 0 for the initial population.
    pub index: usize,
    /// The candidates evaluated in this generation, in the order made.
    pub evaluated: Vec<Candidate>,
    /// The survivors after sorting (the next parents), rank order.
    pub survivors: Vec<Candidate>,
}

/// Run the search. `evaluate(generation, xs)` returns one [`Evaluation`]
/// per row of `xs`, in order; `done` is told of each generation as it
/// completes (to write it, so that a later call can resume) and may stop
/// the search with an error. `resume`: the survivors of a completed
/// generation, from which the search goes on with the next one. Returns
/// the last generation's survivors.
pub fn nsga2<E>(
    config: &Config,
    bounds: &[(f64, f64)],
    resume: Option<(usize, Vec<Candidate>)>,
    mut evaluate: impl FnMut(usize, &[Vec<f64>]) -> Result<Vec<Evaluation>, E>,
    mut done: impl FnMut(&Generation) -> Result<(), E>,
) -> Result<Vec<Candidate>, E>
where
    E: From<AnalysisError>,
{
    config.check(bounds)?;
    let mut evaluated = |g: usize, xs: Vec<Vec<f64>>| -> Result<Vec<Candidate>, E> {
        let values = evaluate(g, &xs)?;
        if values.len() != xs.len() {
            return Err(AnalysisError::shape("evaluations", xs.len(), values.len()).into());
        }
        Ok(xs
            .into_iter()
            .zip(values)
            .map(|(x, (f, v))| Candidate::new(x, f, v))
            .collect())
    };
    let (start, mut parents) = match resume {
        Some((g, survivors)) => (g + 1, survivors),
        None => {
            let first = evaluated(0, initial(config, bounds))?;
            let survivors = survive(first.clone(), config.population);
            done(&Generation {
                index: 0,
                evaluated: first,
                survivors: survivors.clone(),
            })?;
            (1, survivors)
        }
    };
    for g in start..=config.generations {
        let children = evaluated(g, offspring(config, bounds, &parents, g))?;
        let mut merged = parents;
        merged.extend(children.iter().cloned());
        parents = survive(merged, config.population);
        done(&Generation {
            index: g,
            evaluated: children,
            survivors: parents.clone(),
        })?;
    }
    Ok(parents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(f: &[f64], violation: f64) -> Candidate {
        Candidate::new(vec![0.0], f.to_vec(), violation)
    }

    #[test]
    fn fronts_rank_feasible_before_infeasible() {
        let pop = vec![
            c(&[1.0, 1.0], 0.0),
            c(&[0.0, 2.0], 0.0),
            c(&[2.0, 2.0], 0.0),
            c(&[0.0, 0.0], 0.5),
            c(&[0.0, 0.0], 0.1),
        ];
        assert_eq!(fronts(&pop), vec![vec![0, 1], vec![2], vec![4], vec![3]]);
    }

    #[test]
    fn crowding_ends_are_infinite_and_middle_is_the_gap() {
        let pop = vec![c(&[0.0, 2.0], 0.0), c(&[1.0, 1.0], 0.0), c(&[2.0, 0.0], 0.0)];
        let d = crowding(&pop, &[0, 1, 2]);
        assert!(d[0].is_infinite() && d[2].is_infinite());
        assert!((d[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn survivors_keep_the_front_and_the_spread() {
        let pop = vec![
            c(&[0.0, 3.0], 0.0),
            c(&[1.0, 2.0], 0.0),
            c(&[1.1, 1.9], 0.0),
            c(&[3.0, 0.0], 0.0),
            c(&[3.0, 3.0], 0.0),
        ];
        let kept = survive(pop, 3);
        let fs: Vec<f64> = kept.iter().map(|k| k.f[0]).collect();
        assert_eq!(fs.len(), 3);
        assert!(fs.contains(&0.0) && fs.contains(&3.0), "{fs:?}");
        assert!(kept.iter().all(|k| k.rank == 0));
    }

    #[test]
    fn operators_stay_in_bounds_and_are_deterministic() {
        let bounds = vec![(0.0, 1.0), (-2.0, 5.0)];
        let cfg = Config::new(8, 3, 5);
        let xs = initial(&cfg, &bounds);
        let parents = survive(
            xs.iter()
                .map(|x| Candidate::new(x.clone(), vec![x[0], x[1]], 0.0))
                .collect(),
            8,
        );
        let kids = offspring(&cfg, &bounds, &parents, 1);
        assert_eq!(kids, offspring(&cfg, &bounds, &parents, 1));
        assert_ne!(kids, offspring(&cfg, &bounds, &parents, 2));
        for k in &kids {
            assert!(k[0] >= 0.0 && k[0] <= 1.0 && k[1] >= -2.0 && k[1] <= 5.0);
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let f = |_: usize, xs: &[Vec<f64>]| -> Result<Vec<Evaluation>, AnalysisError> {
            Ok(xs.iter().map(|x| (x.clone(), 0.0)).collect())
        };
        assert!(nsga2(&Config::new(5, 1, 1), &[(0.0, 1.0)], None, f, |_| Ok(())).is_err());
        assert!(nsga2(&Config::new(6, 1, 1), &[(1.0, 0.0)], None, f, |_| Ok(())).is_err());
    }

    #[test]
    fn resuming_gives_the_same_front() {
        let bounds = vec![(0.0, 1.0); 4];
        let f = |_: usize, xs: &[Vec<f64>]| -> Result<Vec<Evaluation>, AnalysisError> {
            Ok(xs
                .iter()
                .map(|x| (vec![x[0], 1.0 + x[1..].iter().sum::<f64>() - x[0].sqrt()], 0.0))
                .collect())
        };
        let cfg = Config::new(12, 6, 9);
        let whole = nsga2(&cfg, &bounds, None, f, |_| Ok(())).unwrap();
        let mut at3 = None;
        let _ = nsga2(
            &Config {
                generations: 3,
                ..cfg.clone()
            },
            &bounds,
            None,
            f,
            |g| {
                at3 = Some((g.index, g.survivors.clone()));
                Ok(())
            },
        )
        .unwrap();
        let resumed = nsga2(&cfg, &bounds, at3, f, |_| Ok(())).unwrap();
        assert_eq!(whole, resumed);
    }
}
