//! Approximate Bayesian computation by adaptive population Monte Carlo
//! (APMC; Lenormand, Jabot & Deffuant 2013, *Computational Statistics* 28,
//! 2777-2796, doi:10.1007/s00180-013-0428-3).
//!
//! The priors are uniform over boxes. Generation 0 draws `population`
//! parameter vectors from the prior and keeps the `alpha * population`
//! closest (the tolerance `epsilon` is the largest kept distance). Each next
//! generation draws `population - kept` new particles from the kept ones by
//! weight, each moved by a Gaussian kernel whose variance is twice the
//! weighted variance of the kept particles (per parameter, as in Beaumont et
//! al. 2009), redrawn until it lies inside the prior box, and weighted by
//! prior / kernel mixture. The acceptance rate is the share of new
//! particles closer than the current `epsilon`; the old and new particles
//! are pooled and the `kept` closest survive. The algorithm stops once the
//! acceptance rate falls below `min_acceptance`.
//!
//! No IO: the model enters as a closure from a parameter vector and a seed
//! to a distance. Particles are simulated in parallel; every random draw
//! comes from a ChaCha8 stream addressed by (seed, generation, particle), so
//! the result does not depend on the thread count, and a generation is a
//! pure function of the previous one (which makes a run resumable per
//! generation).

use crate::par::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::AnalysisError;

/// The settings of an APMC run.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcConfig {
    /// Particles simulated in generation 0 (N).
    pub population: usize,
    /// Share of the particles kept in each generation (0.5 in Lenormand et al.).
    pub alpha: f64,
    /// Stop once a generation accepts fewer than this share of its new particles.
    pub min_acceptance: f64,
    /// Stop after this many generations at most, whatever the acceptance.
    pub max_generations: usize,
    /// The seed every draw comes from.
    pub seed: u64,
}

impl Default for AbcConfig {
    fn default() -> Self {
        AbcConfig {
            population: 200,
            alpha: 0.5,
            min_acceptance: 0.05,
            max_generations: 100,
            seed: 0,
        }
    }
}

impl AbcConfig {
    /// Particles kept per generation: `floor(alpha N)`.
    pub fn kept(&self) -> usize {
        (self.alpha * self.population as f64).floor() as usize
    }

    /// Check the settings against the priors.
    pub fn check(&self, priors: &[(f64, f64)]) -> Result<(), AnalysisError> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(AnalysisError::invalid(
                "alpha",
                format!("{} is not in (0, 1)", self.alpha),
            ));
        }
        if self.kept() < 2 || self.kept() >= self.population {
            return Err(AnalysisError::invalid(
                "population",
                format!(
                    "{} keeps {} particles at alpha {}; it needs 2 or more kept and some new",
                    self.population,
                    self.kept(),
                    self.alpha
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.min_acceptance) {
            return Err(AnalysisError::invalid(
                "min_acceptance",
                format!("{} is not in [0, 1]", self.min_acceptance),
            ));
        }
        if priors.is_empty() {
            return Err(AnalysisError::invalid("priors", "none given; at least one is needed"));
        }
        for (j, &(low, high)) in priors.iter().enumerate() {
            if !(low.is_finite() && high.is_finite() && low < high) {
                return Err(AnalysisError::invalid(
                    "priors",
                    format!("prior {j} is ({low}, {high}); it needs finite low < high"),
                ));
            }
        }
        Ok(())
    }
}

/// One parameter vector with its importance weight and distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    /// The parameter values, in prior order.
    pub theta: Vec<f64>,
    /// The importance weight, prior density over proposal density, not
    /// normalised: particles kept from earlier generations keep theirs, so
    /// that the weights of a pooled generation stay on one scale. Generation
    /// 0 (drawn from the prior) has weight 1.
    pub weight: f64,
    /// The distance of its simulation to the observations.
    pub distance: f64,
}

/// The particles a generation keeps, and how it got them.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// 0 for the draw from the prior.
    pub index: usize,
    /// The kept particles, closest first.
    pub particles: Vec<Particle>,
    /// The largest kept distance: the tolerance of the next generation.
    pub epsilon: f64,
    /// Share of this generation's new particles closer than the previous
    /// tolerance (1 for generation 0).
    pub acceptance: f64,
    /// Simulations this generation ran.
    pub simulations: usize,
    /// Standard deviation of the kernel that moved the particles, per
    /// parameter (empty for generation 0).
    pub kernel_sd: Vec<f64>,
}

impl Generation {
    /// The normalised weights of the particles (summing to 1).
    pub fn weights(&self) -> Vec<f64> {
        let total: f64 = self.particles.iter().map(|p| p.weight).sum();
        self.particles.iter().map(|p| p.weight / total).collect()
    }

    /// Whether APMC stops after this generation.
    pub fn is_last(&self, config: &AbcConfig) -> bool {
        (self.index > 0 && self.acceptance < config.min_acceptance) || self.index + 1 >= config.max_generations
    }
}

/// The weighted mean and (biased, weights normalised) variance of each
/// parameter: `sum w (theta - mean)^2`.
pub fn weighted_variance(particles: &[Particle]) -> Vec<(f64, f64)> {
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    let dims = particles.first().map_or(0, |p| p.theta.len());
    (0..dims)
        .map(|j| {
            let mean = particles.iter().map(|p| p.weight * p.theta[j]).sum::<f64>() / total;
            let var = particles
                .iter()
                .map(|p| p.weight * (p.theta[j] - mean).powi(2))
                .sum::<f64>()
                / total;
            (mean, var)
        })
        .collect()
}

/// The kernel standard deviation of each parameter: the square root of
/// twice the weighted variance (Lenormand et al. 2013, after Beaumont et
/// al. 2009).
pub fn kernel_sd(particles: &[Particle]) -> Vec<f64> {
    weighted_variance(particles)
        .into_iter()
        .map(|(_, var)| (2.0 * var).sqrt())
        .collect()
}

/// The random stream of particle `particle` of generation `generation`.
fn stream(seed: u64, generation: usize, particle: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((generation as u64) << 32) | particle as u64);
    rng
}

/// A draw from the uniform prior.
fn from_prior(rng: &mut ChaCha8Rng, priors: &[(f64, f64)]) -> Vec<f64> {
    priors
        .iter()
        .map(|&(low, high)| low + rng.random::<f64>() * (high - low))
        .collect()
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u = 1.0 - rng.random::<f64>();
    let v = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Index of a particle drawn by weight.
fn pick(rng: &mut ChaCha8Rng, particles: &[Particle]) -> usize {
    let total: f64 = particles.iter().map(|p| p.weight).sum();
    let mut u = rng.random::<f64>() * total;
    for (i, p) in particles.iter().enumerate() {
        u -= p.weight;
        if u < 0.0 {
            return i;
        }
    }
    particles.len() - 1
}

/// A kept particle moved by the kernel, redrawn until inside the prior box
/// (after 1000 misses, the unmoved particle).
fn propose(rng: &mut ChaCha8Rng, kept: &[Particle], sd: &[f64], priors: &[(f64, f64)]) -> Vec<f64> {
    for _ in 0..1000 {
        let from = &kept[pick(rng, kept)].theta;
        let theta: Vec<f64> = from.iter().zip(sd).map(|(x, s)| x + s * normal(rng)).collect();
        if theta.iter().zip(priors).all(|(x, (lo, hi))| lo <= x && x <= hi) {
            return theta;
        }
    }
    kept[pick(rng, kept)].theta.clone()
}

/// The importance weight of a new particle: the (uniform) prior density
/// over the kernel mixture density of the kept particles.
fn importance(theta: &[f64], kept: &[Particle], sd: &[f64], priors: &[(f64, f64)]) -> f64 {
    let prior: f64 = priors.iter().map(|(lo, hi)| 1.0 / (hi - lo)).product();
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let mixture: f64 = kept
        .iter()
        .map(|p| {
            let k: f64 = theta
                .iter()
                .zip(&p.theta)
                .zip(sd)
                .map(|((x, m), s)| (-0.5 * ((x - m) / s).powi(2)).exp() / (s * (std::f64::consts::TAU).sqrt()))
                .product();
            p.weight / total * k
        })
        .sum();
    prior / mixture
}

/// The seed handed to the distance of particle `particle` of `generation`.
pub fn simulation_seed(seed: u64, generation: usize, particle: usize) -> u64 {
    let mut rng = stream(seed, generation, particle);
    rng.set_word_pos(1 << 40);
    rng.random()
}

/// Keep the `kept` closest particles (ties by position).
fn select(mut pool: Vec<Particle>, kept: usize) -> Vec<Particle> {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by(|&a, &b| pool[a].distance.total_cmp(&pool[b].distance).then(a.cmp(&b)));
    order.truncate(kept);
    order
        .iter()
        .map(|&i| {
            let empty = Particle {
                theta: Vec::new(),
                weight: 0.0,
                distance: 0.0,
            };
            std::mem::replace(&mut pool[i], empty)
        })
        .collect()
}

/// Generation 0: `population` draws from the prior, the closest kept.
pub fn first_generation<F>(config: &AbcConfig, priors: &[(f64, f64)], distance: F) -> Result<Generation, AnalysisError>
where
    F: Fn(&[f64], u64) -> f64 + Sync,
{
    config.check(priors)?;
    let pool: Vec<Particle> = (0..config.population)
        .into_par_iter()
        .map(|i| {
            let theta = from_prior(&mut stream(config.seed, 0, i), priors);
            let d = distance(&theta, simulation_seed(config.seed, 0, i));
            Particle {
                theta,
                weight: 1.0,
                distance: d,
            }
        })
        .collect();
    Ok(finish(
        0,
        select(pool, config.kept()),
        1.0,
        config.population,
        Vec::new(),
    ))
}

fn finish(index: usize, particles: Vec<Particle>, acceptance: f64, simulations: usize, sd: Vec<f64>) -> Generation {
    let epsilon = particles.last().map_or(f64::NAN, |p| p.distance);
    Generation {
        index,
        particles,
        epsilon,
        acceptance,
        simulations,
        kernel_sd: sd,
    }
}

/// The generation after `previous`.
pub fn next_generation<F>(
    config: &AbcConfig,
    priors: &[(f64, f64)],
    previous: &Generation,
    distance: F,
) -> Result<Generation, AnalysisError>
where
    F: Fn(&[f64], u64) -> f64 + Sync,
{
    config.check(priors)?;
    let kept = &previous.particles;
    let sd = kernel_sd(kept);
    let index = previous.index + 1;
    let new: Vec<Particle> = (0..config.population - config.kept())
        .into_par_iter()
        .map(|i| {
            let theta = propose(&mut stream(config.seed, index, i), kept, &sd, priors);
            let d = distance(&theta, simulation_seed(config.seed, index, i));
            let weight = importance(&theta, kept, &sd, priors);
            Particle {
                theta,
                weight,
                distance: d,
            }
        })
        .collect();
    let accepted = new.iter().filter(|p| p.distance < previous.epsilon).count();
    let acceptance = accepted as f64 / new.len() as f64;
    let simulations = new.len();
    let pool: Vec<Particle> = kept.iter().cloned().chain(new).collect();
    Ok(finish(index, select(pool, config.kept()), acceptance, simulations, sd))
}

/// Run APMC to its end, handing each generation to `each` as it completes
/// (to write it), starting after `resumed` generations if given.
///
/// ```
/// use agora_core::analysis::AnalysisError;
/// use agora_core::analysis::abc::{AbcConfig, apmc, marginals};
///
/// // A model whose output is its parameter plus noise; observed: 0.3.
/// let model = |theta: &[f64], seed: u64| theta[0] + (seed % 1000) as f64 * 1e-5 - 0.005;
/// let config = AbcConfig { population: 200, max_generations: 8, seed: 1, ..AbcConfig::default() };
/// let mut generations = 0;
/// let last = apmc(&config, &[(0.0, 1.0)], None, |theta, seed| (model(theta, seed) - 0.3).abs(), |_| {
///     generations += 1;
///     Ok::<(), AnalysisError>(())
/// })?;
/// let posterior = marginals(&last)[0];
/// assert!(posterior.contains(0.3) && posterior.hi90 - posterior.lo90 < 0.1);
/// assert!(generations > 1);
/// # Ok::<(), AnalysisError>(())
/// ```
pub fn apmc<F, E>(
    config: &AbcConfig,
    priors: &[(f64, f64)],
    resumed: Option<Generation>,
    distance: F,
    mut each: impl FnMut(&Generation) -> Result<(), E>,
) -> Result<Generation, E>
where
    F: Fn(&[f64], u64) -> f64 + Sync,
    E: From<AnalysisError>,
{
    let mut current = match resumed {
        Some(g) => g,
        None => {
            let g = first_generation(config, priors, &distance)?;
            each(&g)?;
            g
        }
    };
    while !current.is_last(config) {
        current = next_generation(config, priors, &current, &distance)?;
        each(&current)?;
    }
    Ok(current)
}

/// The weighted `q` quantile of `values` (the smallest value whose
/// cumulative normalised weight reaches `q`).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let mut cumulative = 0.0;
    for &i in &order {
        cumulative += weights[i] / total;
        if cumulative >= q - 1e-12 {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// Posterior summary of one parameter: weighted median, 90% credible
/// interval (5th and 95th weighted percentiles) and weighted mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marginal {
    /// Weighted median.
    pub median: f64,
    /// Weighted 5th percentile.
    pub lo90: f64,
    /// Weighted 95th percentile.
    pub hi90: f64,
    /// Weighted mean.
    pub mean: f64,
}

impl Marginal {
    /// Whether `x` lies in the 90% credible interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo90 <= x && x <= self.hi90
    }
}

/// The marginal posterior summary of each parameter of a generation.
pub fn marginals(generation: &Generation) -> Vec<Marginal> {
    let weights = generation.weights();
    let moments = weighted_variance(&generation.particles);
    moments
        .iter()
        .enumerate()
        .map(|(j, &(mean, _))| {
            let values: Vec<f64> = generation.particles.iter().map(|p| p.theta[j]).collect();
            Marginal {
                median: weighted_quantile(&values, &weights, 0.5),
                lo90: weighted_quantile(&values, &weights, 0.05),
                hi90: weighted_quantile(&values, &weights, 0.95),
                mean,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A normal mean: observed sample mean 1.3 of n = 25 draws of N(mu, 1),
    /// prior U(-5, 5); the posterior is about N(1.3, 1/25), sd 0.2. The
    /// simulated summary is a sample mean, N(mu, 1/25).
    fn normal_mean(theta: &[f64], seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let simulated = theta[0] + 0.2 * normal(&mut rng);
        (simulated - 1.3).abs()
    }

    fn config(seed: u64) -> AbcConfig {
        AbcConfig {
            population: 1000,
            alpha: 0.5,
            min_acceptance: 0.05,
            max_generations: 40,
            seed,
        }
    }

    fn all(config: &AbcConfig) -> Vec<Generation> {
        let mut out = Vec::new();
        apmc(config, &[(-5.0, 5.0)], None, normal_mean, |g| {
            out.push(g.clone());
            Ok::<(), AnalysisError>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn a_normal_mean_has_its_known_posterior() {
        let gens = all(&config(3));
        let last = gens.last().unwrap();
        let (mean, var) = weighted_variance(&last.particles)[0];
        assert!((mean - 1.3).abs() < 0.05, "posterior mean {mean}");
        // ABC adds the tolerance's own spread (about epsilon^2 / 3) to 0.04.
        let sd = var.sqrt();
        assert!(
            (0.17..0.26).contains(&sd),
            "posterior sd {sd}, epsilon {}",
            last.epsilon
        );
        let m = marginals(last)[0];
        assert!(
            m.lo90 < 1.3 && 1.3 < m.hi90 && (m.hi90 - m.lo90 - 2.0 * 1.645 * 0.2).abs() < 0.15,
            "{m:?}"
        );
        assert!(
            last.acceptance < 0.05 && last.index > 2,
            "stopped at {} ({})",
            last.index,
            last.acceptance
        );
    }

    #[test]
    fn weights_normalise_and_tolerance_and_acceptance_fall() {
        let gens = all(&config(4));
        for g in &gens {
            let total: f64 = g.weights().iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "generation {}: {total}", g.index);
            assert!(g.particles.iter().all(|p| p.weight > 0.0 && p.weight.is_finite()));
            assert_eq!(g.particles.len(), 500);
            assert!(g.particles.iter().all(|p| p.distance <= g.epsilon));
        }
        for pair in gens.windows(2) {
            assert!(pair[1].epsilon <= pair[0].epsilon);
        }
        let (first, last) = (gens[1].acceptance, gens.last().unwrap().acceptance);
        assert!(first > 0.3 && last < first, "acceptance {first} -> {last}");
    }

    #[test]
    fn the_kernel_variance_is_twice_the_weighted_variance() {
        let particles: Vec<Particle> = [(0.0, 0.1), (1.0, 0.3), (3.0, 0.6)]
            .iter()
            .map(|&(x, w)| Particle {
                theta: vec![x, 2.0 * x],
                weight: w,
                distance: 0.0,
            })
            .collect();
        let mean = 0.3 + 1.8;
        let var = 0.1 * mean * mean + 0.3 * (1.0 - mean) * (1.0 - mean) + 0.6 * (3.0 - mean) * (3.0 - mean);
        let sd = kernel_sd(&particles);
        assert!((sd[0] * sd[0] - 2.0 * var).abs() < 1e-12);
        assert!((sd[1] * sd[1] - 8.0 * var).abs() < 1e-12);
        let gens = all(&config(5));
        for pair in gens.windows(2) {
            assert_eq!(pair[1].kernel_sd, kernel_sd(&pair[0].particles));
        }
    }

    #[test]
    fn a_seed_gives_one_result_and_generations_resume() {
        let c = config(6);
        let gens = all(&c);
        assert_eq!(gens, all(&c));
        assert_ne!(gens[0], all(&config(7))[0]);
        let resumed = apmc(&c, &[(-5.0, 5.0)], Some(gens[1].clone()), normal_mean, |_| {
            Ok::<(), AnalysisError>(())
        })
        .unwrap();
        assert_eq!(&resumed, gens.last().unwrap());
    }

    #[test]
    fn bad_settings_are_refused() {
        let f = |_: &[f64], _: u64| 0.0;
        let c = AbcConfig::default();
        assert!(first_generation(&c, &[(1.0, 1.0)], f).is_err());
        assert!(first_generation(&c, &[], f).is_err());
        let small = AbcConfig {
            population: 3,
            ..c.clone()
        };
        assert!(first_generation(&small, &[(0.0, 1.0)], f).is_err());
        let alpha = AbcConfig { alpha: 1.0, ..c };
        assert!(first_generation(&alpha, &[(0.0, 1.0)], f).is_err());
    }

    #[test]
    fn weighted_quantiles() {
        let v = [3.0, 1.0, 2.0, 4.0];
        let w = [0.25, 0.25, 0.25, 0.25];
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.05), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.95), 4.0);
        assert_eq!(weighted_quantile(&v, &[0.0, 0.0, 1.0, 0.0], 0.5), 2.0);
    }
}
