//! Growing a chosen box again (pasting), the quasi-p values of its
//! restrictions, and covering: the next box on the points outside it.

use super::{
    AnalysisError, BoxStats, Candidate, InputTable, Objective, PrimConfig, Trajectory, box_stats, check_data, cut,
    peel, score, stats,
};

/// Pastes `chosen` (for example a step of a [`Trajectory`]): grows one
/// restricted limit at a time by the `paste_alpha` quantile of the points
/// just outside it, taking the best-scoring candidate, while that keeps the
/// mass at least `mass_min`, adds points, scores above 0 and raises the
/// density.
pub fn paste(
    table: &InputTable,
    outcome: &[bool],
    config: &PrimConfig,
    chosen: &BoxStats,
) -> Result<BoxStats, AnalysisError> {
    config.check()?;
    let span = table.span();
    let mut current = box_stats(table, outcome, &chosen.bounds())?;
    loop {
        let limits = current.bounds();
        let rows: Vec<usize> = (0..table.len()).filter(|&r| table.inside(r, &limits)).collect();
        let mut best: Option<Candidate> = None;
        for j in current.restricted() {
            for lower in [true, false] {
                let new = paste_limit(table, &limits, &span, j, lower, config.paste_alpha);
                let inside: Vec<usize> = (0..table.len()).filter(|&r| table.inside(r, &new)).collect();
                if inside.len() == rows.len() {
                    continue; // a paste that adds nothing
                }
                let s = score(config.objective, outcome, &rows, &inside);
                let candidate = Candidate::new(new, inside, &span, s);
                if candidate.beats(&best) {
                    best = Some(candidate);
                }
            }
        }
        let Some(next) = best else { break };
        let density = score(Objective::Original, outcome, &[], &next.rows);
        let mass = next.rows.len() as f64 / table.len() as f64;
        if mass < config.mass_min || next.rows.len() <= rows.len() || next.score <= 0.0 || density <= current.density {
            break;
        }
        current = stats(table, outcome, &span, &next.limits, &next.rows);
    }
    Ok(current)
}

/// The quasi-p value of each input of box `b` (`None` where it is not
/// restricted): with `X ~ Binomial(n, p)`, `n` the points in the box and
/// `p` the density of the box without that input's restriction,
/// `P(X >= k)` for the box's `k` cases of interest (the Workbench's
/// one-sided `binomtest`).
pub fn quasi_p(table: &InputTable, outcome: &[bool], b: &BoxStats) -> Result<Vec<Option<f64>>, AnalysisError> {
    check_data(table, outcome)?;
    let span = table.span();
    let bounds = b.bounds();
    Ok((0..bounds.len())
        .map(|j| {
            if !b.limits[j].restricted {
                return None;
            }
            let mut wider = bounds.clone();
            wider[j] = span[j];
            let rows: Vec<usize> = (0..table.len()).filter(|&r| table.inside(r, &wider)).collect();
            let p = rows.iter().filter(|&&r| outcome[r]).count() as f64 / rows.len().max(1) as f64;
            Some(crate::stats::binomial_upper_tail(b.k as u64, b.n as u64, p))
        })
        .collect())
}

/// One box of a covering ([`cover`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CoveringBox {
    /// The rows of the whole table the box was sought on (those outside
    /// every earlier box), in table order.
    pub rows: Vec<usize>,
    /// The peeling trajectory on those rows.
    pub trajectory: Trajectory,
    /// The chosen step of the trajectory ([`Trajectory::select`]).
    pub chosen: usize,
    /// The chosen box after [`paste`]; its statistics are over `rows`.
    pub pasted: BoxStats,
    /// [`quasi_p`] of the pasted box, over `rows`.
    pub quasi_p: Vec<Option<f64>>,
}

/// Up to `boxes` boxes, each sought by [`peel`] on the points outside the
/// earlier (pasted) boxes, chosen as the densest step with coverage at
/// least `min_coverage` and pasted. Stops early when no case of interest is
/// left, no step covers enough, or a box restricts nothing (it takes all).
pub fn cover(
    table: &InputTable,
    outcome: &[bool],
    config: &PrimConfig,
    boxes: usize,
    min_coverage: f64,
) -> Result<Vec<CoveringBox>, AnalysisError> {
    check_data(table, outcome)?;
    let mut rows: Vec<usize> = (0..table.len()).collect();
    let mut found = Vec::new();
    while found.len() < boxes && rows.iter().any(|&r| outcome[r]) {
        let sub = table.subset(&rows);
        let y: Vec<bool> = rows.iter().map(|&r| outcome[r]).collect();
        let trajectory = peel(&sub, &y, config)?;
        let Some((chosen, step)) = trajectory.select(min_coverage) else {
            break;
        };
        let pasted = paste(&sub, &y, config, step)?;
        let quasi_p = quasi_p(&sub, &y, &pasted)?;
        let bounds = pasted.bounds();
        let outside: Vec<usize> = (0..rows.len())
            .filter(|&i| !sub.inside(i, &bounds))
            .map(|i| rows[i])
            .collect();
        let takes_all = pasted.restricted_dims == 0;
        found.push(CoveringBox {
            rows: std::mem::replace(&mut rows, outside),
            trajectory,
            chosen,
            pasted,
            quasi_p,
        });
        if takes_all || rows.is_empty() {
            break;
        }
    }
    Ok(found)
}

/// `limits` with side `lower` (else upper) of input `j` moved out to the
/// paste quantile of the points between it and the data's range, among
/// those inside the box on the other inputs (the Workbench's `_real_paste`).
fn paste_limit(
    table: &InputTable,
    limits: &[(f64, f64)],
    span: &[(f64, f64)],
    j: usize,
    lower: bool,
    alpha: f64,
) -> Vec<(f64, f64)> {
    let mut outside = limits.to_vec();
    outside[j] = if lower {
        (span[j].0, limits[j].0)
    } else {
        (limits[j].1, span[j].1)
    };
    let mut values: Vec<f64> = (0..table.len())
        .filter(|&r| table.inside(r, &outside))
        .map(|r| table.column(j)[r])
        .collect();
    values.sort_by(f64::total_cmp);
    let mut new = limits.to_vec();
    new[j] = match (lower, values.is_empty()) {
        (true, true) => (span[j].0, limits[j].1),
        (true, false) => (cut(&values, 1.0 - alpha), limits[j].1),
        (false, true) => (limits[j].0, span[j].1),
        (false, false) => (limits[j].0, cut(&values, alpha)),
    };
    new
}
