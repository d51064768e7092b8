//! Pareto dominance and the exact hypervolume indicator (Zitzler & Thiele
//! 1998), every objective minimised.
//!
//! The hypervolume of a set of points is the measure of the region they
//! dominate and the reference point bounds. Two objectives: one sweep in
//! `O(n log n)`; more: hypervolume by slicing objectives (While, Hingston,
//! Barone & Huband 2006), exact, `O(n^(d-1) log n)`, so meant for the 2 and 3
//! objectives of the tests and of `agora optimize`'s convergence table.
//! Points that do not strictly dominate the reference point add nothing.

/// Whether `a` Pareto-dominates `b` (minimising): no worse in every
/// objective and better in one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        better |= x < y;
    }
    better
}

/// Indices of the points no other point dominates, in input order
/// (duplicates are all kept). `O(n^2 d)`.
pub fn non_dominated(points: &[Vec<f64>]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| !points.iter().any(|q| dominates(q, &points[i])))
        .collect()
}

/// The exact hypervolume of `points` bounded by `reference` (minimising).
/// Every point must have `reference.len()` coordinates; with one coordinate
/// it is the length from the best point to the reference.
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let d = reference.len();
    let inside: Vec<Vec<f64>> = points
        .iter()
        .filter(|p| p.len() == d && p.iter().zip(reference).all(|(x, r)| x < r))
        .cloned()
        .collect();
    if inside.is_empty() || d == 0 {
        return 0.0;
    }
    slice(inside, reference)
}

/// Hypervolume of points that all lie strictly inside the reference box.
fn slice(mut points: Vec<Vec<f64>>, reference: &[f64]) -> f64 {
    let d = reference.len();
    match d {
        1 => reference[0] - points.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min),
        2 => sweep_2d(&mut points, reference),
        _ => {
            // Slice along the last objective: between consecutive values of
            // it, the dominated region is the (d-1)-volume of the points at
            // or below the slice.
            points.sort_by(|a, b| a[d - 1].total_cmp(&b[d - 1]));
            let mut volume = 0.0;
            let mut below: Vec<Vec<f64>> = Vec::with_capacity(points.len());
            for i in 0..points.len() {
                below.push(points[i][..d - 1].to_vec());
                let top = points.get(i + 1).map_or(reference[d - 1], |p| p[d - 1]);
                let depth = top - points[i][d - 1];
                if depth > 0.0 {
                    let front: Vec<Vec<f64>> = non_dominated(&below).into_iter().map(|k| below[k].clone()).collect();
                    below = front;
                    volume += depth * slice(below.clone(), &reference[..d - 1]);
                }
            }
            volume
        }
    }
}

/// Two objectives: sort by the first, add each point's rectangle above the
/// best second objective so far.
fn sweep_2d(points: &mut [Vec<f64>], reference: &[f64]) -> f64 {
    points.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let mut best = reference[1];
    let mut area = 0.0;
    for p in points.iter() {
        if p[1] < best {
            area += (reference[0] - p[0]) * (best - p[1]);
            best = p[1];
        }
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominance_is_strict_and_partial() {
        assert!(dominates(&[1.0, 2.0], &[1.0, 3.0]));
        assert!(!dominates(&[1.0, 2.0], &[1.0, 2.0]));
        assert!(!dominates(&[1.0, 3.0], &[2.0, 2.0]));
        assert_eq!(
            non_dominated(&[vec![1.0, 3.0], vec![2.0, 2.0], vec![2.0, 3.0]]),
            vec![0, 1]
        );
    }

    #[test]
    fn boxes_by_hand() {
        // Two points, reference (3, 3): 2x1 + 1x2 - overlap 1x1 = 3.
        let hv = hypervolume(&[vec![1.0, 2.0], vec![2.0, 1.0]], &[3.0, 3.0]);
        assert!((hv - 3.0).abs() < 1e-12);
        // A dominated point and one outside the box change nothing.
        let hv2 = hypervolume(
            &[vec![1.0, 2.0], vec![2.0, 1.0], vec![2.5, 2.5], vec![4.0, 0.0]],
            &[3.0, 3.0],
        );
        assert_eq!(hv, hv2);
        // Three dimensions: a unit cube corner at the origin, reference (2,2,2): 8;
        // two points (0,1,1) and (1,0,0) with reference (2,2,2): 2*1*1 + 1*2*2 - overlap 1*1*1 = 5.
        assert!((hypervolume(&[vec![0.0; 3]], &[2.0; 3]) - 8.0).abs() < 1e-12);
        let hv3 = hypervolume(&[vec![0.0, 1.0, 1.0], vec![1.0, 0.0, 0.0]], &[2.0; 3]);
        assert!((hv3 - 5.0).abs() < 1e-12, "{hv3}");
        assert!((hypervolume(&[vec![0.5], vec![0.25]], &[1.0]) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn dense_fronts_approach_their_integrals() {
        // f2 = 1 - sqrt(f1) on [0, 1] with reference (1, 1): area 1/3 above it... the dominated part is 2/3.
        let n = 20_000;
        let pts: Vec<Vec<f64>> = (0..=n)
            .map(|i| {
                let x = i as f64 / n as f64;
                vec![x, 1.0 - x.sqrt()]
            })
            .collect();
        let hv = hypervolume(&pts, &[1.0, 1.0]);
        assert!((hv - 2.0 / 3.0).abs() < 1e-3, "{hv}");
        // The positive octant of the unit sphere, reference (1,1,1): 1 - pi/6.
        let m = 60;
        let mut sphere = Vec::new();
        for i in 0..=m {
            for j in 0..=m {
                let (a, b) = (
                    i as f64 / m as f64 * std::f64::consts::FRAC_PI_2,
                    j as f64 / m as f64 * std::f64::consts::FRAC_PI_2,
                );
                sphere.push(vec![a.cos() * b.cos(), a.cos() * b.sin(), a.sin()]);
            }
        }
        let hv = hypervolume(&sphere, &[1.0; 3]);
        let exact = 1.0 - std::f64::consts::PI / 6.0;
        assert!(hv < exact && exact - hv < 0.02, "{hv} vs {exact}");
    }

    #[test]
    fn slicing_agrees_with_monte_carlo_on_random_points() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let pts: Vec<Vec<f64>> = (0..30).map(|_| (0..3).map(|_| rng.random::<f64>()).collect()).collect();
        let hv = hypervolume(&pts, &[1.0; 3]);
        let samples = 200_000;
        let hits = (0..samples)
            .filter(|_| {
                let z: Vec<f64> = (0..3).map(|_| rng.random::<f64>()).collect();
                pts.iter().any(|p| p.iter().zip(&z).all(|(a, b)| a <= b))
            })
            .count();
        let share = hits as f64 / samples as f64;
        let se = (share * (1.0 - share) / samples as f64).sqrt();
        assert!((hv - share).abs() < 4.0 * se, "exact {hv}, Monte Carlo {share} +- {se}");
    }
}
