//! PRIM on data with a known box, and the Workbench's conventions.

use super::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` points uniform in [0,1]^3 and outcome x0 > 0.7 and x1 < 0.4,
/// each label flipped with probability `noise`.
fn data(n: usize, noise: f64, seed: u64) -> (InputTable, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows: Vec<Vec<f64>> = (0..n).map(|_| (0..3).map(|_| rng.random::<f64>()).collect()).collect();
    let y = rows
        .iter()
        .map(|x| (x[0] > 0.7 && x[1] < 0.4) != rng.random_bool(noise))
        .collect();
    let names = ["x0", "x1", "x2"].map(String::from).to_vec();
    (InputTable::from_rows(names, &rows).unwrap(), y)
}

fn assert_recovers(b: &BoxStats, tol: f64) {
    assert!((b.limits[0].lower - 0.7).abs() < tol, "x0 lower {}", b.limits[0].lower);
    assert!((b.limits[1].upper - 0.4).abs() < tol, "x1 upper {}", b.limits[1].upper);
    assert!(b.limits[0].upper > 0.99 && b.limits[1].lower < 0.01, "{:?}", b.limits);
    assert!(!b.limits[2].restricted, "x2 restricted: {:?}", b.limits[2]);
    assert_eq!(b.restricted(), vec![0, 1]);
}

fn check_trajectory(t: &Trajectory, table: &InputTable, y: &[bool], config: &PrimConfig) {
    assert_eq!(
        (t.steps[0].mass, t.steps[0].coverage, t.steps[0].restricted_dims),
        (1.0, 1.0, 0)
    );
    for w in t.steps.windows(2) {
        assert!(w[1].mass < w[0].mass);
    }
    let last = t.steps.last().unwrap();
    assert!(last.mass >= config.mass_min, "last mass {}", last.mass);
    if config.objective == Objective::Original {
        // Density stays above 0, so only the mass stops the peel.
        assert!(
            last.mass < config.mass_min / (1.0 - 2.0 * config.peel_alpha),
            "last mass {}",
            last.mass
        );
    }
    // The reported statistics are those of the limits.
    let again = box_stats(table, y, &last.bounds()).unwrap();
    assert_eq!(&again, last);
}

#[test]
fn recovers_the_box_without_noise() {
    let (table, y) = data(4000, 0.0, 1);
    let config = PrimConfig::default();
    let t = peel(&table, &y, &config).unwrap();
    check_trajectory(&t, &table, &y, &config);
    let (i, b) = t.select(0.9).unwrap();
    println!("no noise: step {i} of {}: {b:?}", t.steps.len());
    assert_recovers(b, 0.03);
    assert_eq!(b.density, 1.0);
    // The true box holds 12% of the points; the chosen one nearly all of them.
    assert!(b.coverage >= 0.9 && (b.mass - 0.12 * b.coverage).abs() < 0.02, "{b:?}");
    assert_eq!(t, peel(&table, &y, &config).unwrap());
}

#[test]
fn recovers_the_box_with_label_noise() {
    // With 10% of labels flipped, the true box has density 0.9 and
    // coverage 0.108 / (0.108 + 0.088) = 0.55.
    let (table, y) = data(6000, 0.1, 2);
    for objective in [Objective::Original, Objective::Lenient1] {
        let config = PrimConfig {
            objective,
            ..PrimConfig::default()
        };
        let t = peel(&table, &y, &config).unwrap();
        check_trajectory(&t, &table, &y, &config);
        let (i, b) = t.select(0.5).unwrap();
        println!("noise, {objective:?}: step {i} of {}: {b:?}", t.steps.len());
        assert_recovers(b, 0.05);
        assert!(
            (b.density - 0.9).abs() < 0.04 && (b.coverage - 0.55).abs() < 0.05,
            "{b:?}"
        );
        let pasted = paste(&table, &y, &config, b).unwrap();
        println!("pasted: {pasted:?}");
        assert!(pasted.mass >= b.mass && pasted.density >= b.density);
        assert_recovers(&pasted, 0.05);
    }
}

#[test]
fn pasting_regrows_a_limit_into_denser_points() {
    // Outcome x0 > 0.5 or x1 < 0.5. The box x0 >= 0.4, x1 >= 0.5 has
    // density 5/6; everything below x1 = 0.5 is of interest, so pasting
    // lowers the x1 limit and raises density and mass.
    let (table, _) = data(4000, 0.0, 3);
    let y: Vec<bool> = (0..table.len())
        .map(|r| table.column(0)[r] > 0.5 || table.column(1)[r] < 0.5)
        .collect();
    let b = box_stats(&table, &y, &[(0.4, 1.0), (0.5, 1.0), (0.0, 1.0)]).unwrap();
    let pasted = paste(&table, &y, &PrimConfig::default(), &b).unwrap();
    assert!(pasted.limits[1].lower < 0.4, "{:?}", pasted.limits);
    assert!(pasted.density > b.density && pasted.mass > b.mass);
    assert_eq!(pasted.limits[0].lower, 0.4);
}

#[test]
fn quasi_p_is_small_for_a_needed_restriction() {
    let (table, y) = data(4000, 0.0, 5);
    let b = box_stats(&table, &y, &[(0.7, 1.0), (0.0, 0.4), (0.0, 1.0)]).unwrap();
    let qp = quasi_p(&table, &y, &b).unwrap();
    assert!(qp[0].unwrap() < 1e-10 && qp[1].unwrap() < 1e-10, "{qp:?}");
    assert_eq!(qp[2], None);
    // A restriction on an unrelated input barely changes the density.
    let loose = box_stats(&table, &y, &[(0.7, 1.0), (0.0, 0.4), (0.0, 0.9)]).unwrap();
    let qp = quasi_p(&table, &y, &loose).unwrap();
    assert!(qp[2].unwrap() > 0.01, "{qp:?}");
}

#[test]
fn covering_finds_a_second_box_outside_the_first() {
    // Two boxes in opposite corners: A, x0 > 0.6 and x1 < 0.5 (mass
    // 0.2), and B, x0 < 0.25 and x1 > 0.75 (mass 0.0625).
    let (table, _) = data(6000, 0.0, 6);
    let (c0, c1) = (table.column(0), table.column(1));
    let y: Vec<bool> = (0..table.len())
        .map(|r| (c0[r] > 0.6 && c1[r] < 0.5) || (c0[r] < 0.25 && c1[r] > 0.75))
        .collect();
    // A holds 0.76 of the cases of interest, B all that is left; the
    // first peels cut some of A on the unrelated x2 (the two bumps pull
    // apart), so ask for coverage 0.6.
    // The density objective: LENIENT1's gain per point removed peels both
    // bumps into one box here.
    let config = PrimConfig {
        objective: Objective::Original,
        ..PrimConfig::default()
    };
    let boxes = cover(&table, &y, &config, 3, 0.6).unwrap();
    assert!(boxes.len() >= 2, "{} boxes", boxes.len());
    assert_eq!(boxes[0].rows.len(), table.len());
    let a = &boxes[0].pasted.limits;
    assert!(
        (a[0].lower - 0.6).abs() < 0.03 && (a[1].upper - 0.5).abs() < 0.03,
        "{a:?}"
    );
    // Each later box is sought outside the earlier ones, and one of them is B.
    for (k, later) in boxes.iter().enumerate().skip(1) {
        for earlier in &boxes[..k] {
            assert!(later.rows.iter().all(|&r| !table.inside(r, &earlier.pasted.bounds())));
        }
    }
    let is_b = |b: &BoxStats| {
        let l = &b.limits;
        (l[0].upper - 0.25).abs() < 0.03 && (l[1].lower - 0.75).abs() < 0.03 && b.density > 0.9
    };
    assert!(boxes[1..].iter().any(|b| is_b(&b.pasted)), "{boxes:?}");
}

#[test]
fn select_and_edge_cases() {
    let (table, y) = data(500, 0.0, 4);
    let t = peel(&table, &y, &PrimConfig::default()).unwrap();
    let (_, b) = t.select(1.0).unwrap();
    assert_eq!(b.coverage, 1.0);
    assert!(
        t.steps
            .iter()
            .filter(|s| s.coverage >= 1.0)
            .all(|s| s.density <= b.density)
    );
    let (i, b) = t.select(0.0).unwrap();
    assert!(t.steps.iter().all(|s| s.density <= b.density));
    assert!(t.steps[..i].iter().all(|s| s.density < b.density));
    assert!(t.select(1.1).is_none());
    let none = vec![false; table.len()];
    assert_eq!(peel(&table, &none, &PrimConfig::default()).unwrap().steps.len(), 1);
    assert!(peel(&table, &y[1..], &PrimConfig::default()).is_err());
    let bad = PrimConfig {
        peel_alpha: 0.0,
        ..PrimConfig::default()
    };
    assert!(peel(&table, &y, &bad).is_err());
    assert!(InputTable::new(vec!["a".into()], vec![vec![1.0, f64::NAN]]).is_err());
    assert!(InputTable::new(vec!["a".into(), "b".into()], vec![vec![1.0], vec![]]).is_err());
    assert_eq!(cut(&[1.0, 1.0, 2.0, 3.0], 0.05), 1.5);
    assert_eq!(cut(&[1.0, 2.0, 3.0, 3.0], 0.95), 2.5);
}
