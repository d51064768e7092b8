//! Nelder-Mead simplex minimisation (Nelder & Mead 1965, with the standard
//! coefficients of Lagarias et al. 1998: reflection 1, expansion 2,
//! contraction 1/2, shrink 1/2), for the deterministic objectives of
//! calibration under common random numbers.

/// The best point found, its value, and how the search ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The best point.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Whether the simplex's values came within the tolerance of each other
    /// before the iteration limit (false: stopped by the limit).
    pub converged: bool,
}

/// Minimise `f` from `start`, the first simplex spanned by `step` along each
/// axis, for at most `iterations` iterations or until the worst and best
/// vertices differ by less than `tolerance`. Ties are broken by position, so
/// the same `f` gives the same path.
pub fn minimize(f: impl Fn(&[f64]) -> f64, start: &[f64], step: &[f64], iterations: usize, tolerance: f64) -> Minimum {
    let n = start.len();
    assert_eq!(step.len(), n, "one step per coordinate");
    let mut simplex: Vec<(Vec<f64>, f64)> = vec![(start.to_vec(), f(start))];
    for i in 0..n {
        let mut x = start.to_vec();
        x[i] += step[i];
        let fx = f(&x);
        simplex.push((x, fx));
    }
    let mut done = 0;
    let mut converged = false;
    while done < iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if simplex[n].1 - simplex[0].1 < tolerance {
            converged = true;
            break;
        }
        done += 1;
        let centroid: Vec<f64> = (0..n)
            .map(|i| simplex[..n].iter().map(|p| p.0[i]).sum::<f64>() / n as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|i| centroid[i] + t * (simplex[n].0[i] - centroid[i]))
                .collect()
        };
        let reflected = toward(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = toward(-2.0);
            let fe = f(&expanded);
            simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[n].1 { toward(-0.5) } else { toward(0.5) };
            let fc = f(&contracted);
            if fc < fr.min(simplex[n].1) {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    p.0 = (0..n).map(|i| best[i] + 0.5 * (p.0[i] - best[i])).collect();
                    p.1 = f(&p.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, value) = simplex.swap_remove(0);
    Minimum {
        x,
        value,
        iterations: done,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_function() {
        let rosenbrock = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(rosenbrock, &[-1.2, 1.0], &[0.5, 0.5], 2000, 1e-14);
        assert!(m.converged, "{m:?}");
        assert!((m.x[0] - 1.0).abs() < 1e-3 && (m.x[1] - 1.0).abs() < 2e-3, "{m:?}");
    }

    #[test]
    fn stops_at_the_iteration_limit_and_says_so() {
        let bowl = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>();
        let m = minimize(bowl, &[3.0, -2.0, 1.0], &[1.0; 3], 5, 0.0);
        assert_eq!(m.iterations, 5);
        assert!(!m.converged);
        assert!(m.value < 14.0, "it improved on the start: {m:?}");
    }
}
