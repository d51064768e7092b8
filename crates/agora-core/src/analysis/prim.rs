//! PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump
//! hunting in high-dimensional data", Statistics and Computing 9:123), for
//! scenario discovery (Bryant & Lempert 2010, Technol. Forecast. Soc.
//! Change 77:34), following the EMA Workbench's `analysis/prim.py`
//! (Kwakkel 2017) for numeric inputs and a boolean outcome of interest.
//!
//! **Peeling.** Start from the box spanning the data. For each input and
//! each side, the candidate peel cuts off the `alpha` quantile of the points
//! still in the box (the cut lies midway between two distinct order
//! statistics, as in sdtoolkit and the Workbench). The candidate with the
//! best [`Objective`] wins, ties going to the box with fewer restricted
//! inputs and then to the first candidate (inputs in order, upper side
//! before lower). Peeling goes on while the new box keeps at least
//! `mass_min` of the data, loses mass, and scores above 0. Every box on
//! the way is a step of the [`Trajectory`], from which the analyst picks a
//! box trading density against coverage ([`Trajectory::select`]).
//! Candidates that cut no point (all values tied) are skipped rather than
//! ending the peel, a small departure from the Workbench.
//!
//! **Pasting** ([`paste`]) grows a chosen box again along its restricted
//! inputs by the `paste_alpha` quantile of the points just outside, while
//! that raises the density. Unlike the Workbench, pasted boxes are returned
//! on their own rather than appended to the peeling trajectory, so the
//! trajectory stays monotone in mass and any of its boxes can be pasted.
//!
//! Box statistics (Bryant & Lempert 2010): *coverage*, the share of all
//! cases of interest inside the box; *density*, the share of the box's
//! points that are of interest; *mass*, the share of all points inside.
//! Limits are inclusive.
//!
//! **Quasi-p values** ([`quasi_p`], the Workbench's `_calculate_quasip`):
//! for each restricted input, the one-sided binomial test of the box's
//! cases of interest against the density of the box with that restriction
//! dropped; a large value says the restriction adds little.
//!
//! **Covering** ([`cover`]): after a box is chosen and pasted, the next is
//! sought on the points outside it (Friedman & Fisher 1999, section 5);
//! each box's statistics are over the points it was sought on. No
//! resampling statistics are computed.

use super::AnalysisError;

/// Named numeric input columns of equal length, one row per case.
#[derive(Debug, Clone, PartialEq)]
pub struct InputTable {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl InputTable {
    /// A table from columns; all must have the same length and finite values.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self, AnalysisError> {
        if names.len() != columns.len() || columns.is_empty() {
            return Err(AnalysisError::shape(
                "columns (one per name, at least one)",
                names.len(),
                columns.len(),
            ));
        }
        let rows = columns[0].len();
        for (j, column) in columns.iter().enumerate() {
            if column.len() != rows {
                return Err(AnalysisError::shape(
                    format!("column {} rows", names[j]),
                    rows,
                    column.len(),
                ));
            }
            if let Some(r) = column.iter().position(|x| !x.is_finite()) {
                return Err(AnalysisError::invalid(
                    "columns",
                    format!("{} row {r} is not finite", names[j]),
                ));
            }
        }
        Ok(Self { names, columns })
    }

    /// A table from rows (for example a design), one value per name each.
    pub fn from_rows(names: Vec<String>, rows: &[Vec<f64>]) -> Result<Self, AnalysisError> {
        if let Some(r) = rows.iter().position(|row| row.len() != names.len()) {
            return Err(AnalysisError::shape(
                format!("row {r} columns"),
                names.len(),
                rows[r].len(),
            ));
        }
        let columns = (0..names.len())
            .map(|j| rows.iter().map(|row| row[j]).collect())
            .collect();
        Self::new(names, columns)
    }

    /// Input names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows (cases).
    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column `j`.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// The box spanning the data: each column's minimum and maximum.
    fn span(&self) -> Vec<(f64, f64)> {
        let range = |c: &Vec<f64>| {
            c.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            })
        };
        self.columns.iter().map(range).collect()
    }

    /// The table of rows `rows` only, in that order.
    fn subset(&self, rows: &[usize]) -> Self {
        let columns = self
            .columns
            .iter()
            .map(|c| rows.iter().map(|&r| c[r]).collect())
            .collect();
        Self {
            names: self.names.clone(),
            columns,
        }
    }

    fn inside(&self, row: usize, limits: &[(f64, f64)]) -> bool {
        limits
            .iter()
            .zip(&self.columns)
            .all(|(&(lo, hi), c)| lo <= c[row] && c[row] <= hi)
    }
}

/// How candidate boxes are scored (EMA Workbench `PRIMObjectiveFunctions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// The density of the candidate box (Friedman & Fisher 1999).
    #[default]
    Original,
    /// The gain in density per point removed (or added): the Workbench's
    /// default, `LENIENT1`.
    Lenient1,
}

/// PRIM parameters; the defaults are the Workbench's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimConfig {
    /// Share of the box's points each peel cuts off (0.05).
    pub peel_alpha: f64,
    /// Share of the points just outside each paste adds (0.05).
    pub paste_alpha: f64,
    /// Smallest mass a box may have (0.05).
    pub mass_min: f64,
    /// How candidate boxes are scored.
    pub objective: Objective,
}

impl Default for PrimConfig {
    fn default() -> Self {
        Self {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
            objective: Objective::Original,
        }
    }
}

impl PrimConfig {
    fn check(&self) -> Result<(), AnalysisError> {
        let open = |x: f64| x > 0.0 && x < 1.0;
        if !open(self.peel_alpha) || !open(self.paste_alpha) || !(0.0..=1.0).contains(&self.mass_min) {
            return Err(AnalysisError::invalid(
                "config",
                format!("peel_alpha and paste_alpha must be in (0, 1), mass_min in [0, 1]: {self:?}"),
            ));
        }
        Ok(())
    }
}

/// The limits of a box on one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Smallest value inside (inclusive).
    pub lower: f64,
    /// Largest value inside (inclusive).
    pub upper: f64,
    /// Whether either side is tighter than the data's range.
    pub restricted: bool,
}

/// A box and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStats {
    /// Limits per input, in column order.
    pub limits: Vec<Limit>,
    /// Share of all cases of interest that are inside.
    pub coverage: f64,
    /// Share of the points inside that are of interest.
    pub density: f64,
    /// Share of all points that are inside.
    pub mass: f64,
    /// Points inside.
    pub n: usize,
    /// Cases of interest inside.
    pub k: usize,
    /// Number of restricted inputs.
    pub restricted_dims: usize,
}

impl BoxStats {
    /// Columns of the restricted inputs.
    pub fn restricted(&self) -> Vec<usize> {
        (0..self.limits.len()).filter(|&j| self.limits[j].restricted).collect()
    }

    fn bounds(&self) -> Vec<(f64, f64)> {
        self.limits.iter().map(|l| (l.lower, l.upper)).collect()
    }
}

/// The boxes of one peeling run, from the whole data to the last peel;
/// mass strictly decreases along it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Input names, in column order.
    pub names: Vec<String>,
    /// Step 0 is the box spanning the data.
    pub steps: Vec<BoxStats>,
}

impl Trajectory {
    /// The step with the highest density among those with coverage of at
    /// least `min_coverage`, the larger coverage breaking ties; `None` when
    /// no step covers that much.
    pub fn select(&self, min_coverage: f64) -> Option<(usize, &BoxStats)> {
        let better = |a: &BoxStats, b: &BoxStats| (a.density, a.coverage) > (b.density, b.coverage);
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.coverage >= min_coverage)
            .fold(None, |best, (i, s)| match best {
                Some((_, b)) if !better(s, b) => best,
                _ => Some((i, s)),
            })
    }
}

/// Statistics of the box `limits` (inclusive, per input) on the data.
pub fn box_stats(table: &InputTable, outcome: &[bool], limits: &[(f64, f64)]) -> Result<BoxStats, AnalysisError> {
    check_data(table, outcome)?;
    if limits.len() != table.names.len() {
        return Err(AnalysisError::shape("limits", table.names.len(), limits.len()));
    }
    let rows: Vec<usize> = (0..table.len()).filter(|&r| table.inside(r, limits)).collect();
    Ok(stats(table, outcome, &table.span(), limits, &rows))
}

fn check_data(table: &InputTable, outcome: &[bool]) -> Result<(), AnalysisError> {
    if outcome.len() != table.len() || outcome.is_empty() {
        return Err(AnalysisError::shape(
            "outcome (one per row, at least one)",
            table.len(),
            outcome.len(),
        ));
    }
    Ok(())
}

fn stats(table: &InputTable, outcome: &[bool], span: &[(f64, f64)], limits: &[(f64, f64)], rows: &[usize]) -> BoxStats {
    let k = rows.iter().filter(|&&r| outcome[r]).count();
    let total = outcome.iter().filter(|&&y| y).count();
    let limits: Vec<Limit> = limits
        .iter()
        .zip(span)
        .map(|(&(lower, upper), &init)| Limit {
            lower,
            upper,
            restricted: tighter((lower, upper), init),
        })
        .collect();
    BoxStats {
        restricted_dims: limits.iter().filter(|l| l.restricted).count(),
        limits,
        coverage: k as f64 / total.max(1) as f64,
        density: if rows.is_empty() {
            0.0
        } else {
            k as f64 / rows.len() as f64
        },
        mass: rows.len() as f64 / table.len() as f64,
        n: rows.len(),
        k,
    }
}

/// Whether `limit` cuts into the data's range `span` on either side.
fn tighter(limit: (f64, f64), span: (f64, f64)) -> bool {
    limit.0 > span.0 || limit.1 < span.1
}

/// The quantile of the Workbench's `get_quantile` (after sdtoolkit): at
/// index `(n - 1) q` of the sorted values, widened to the nearest distinct
/// neighbour (downwards when `q > 0.5`, upwards otherwise) and halved, so
/// the cut falls between two distinct values when there are any.
fn cut(sorted: &[f64], q: f64) -> f64 {
    let i = (sorted.len() - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while sorted[lo] == sorted[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while sorted[lo] == sorted[hi] && hi < sorted.len() - 1 {
            hi += 1;
        }
    }
    (sorted[lo] + sorted[hi]) / 2.0
}

/// Score of moving from the points `old` to `new`.
fn score(objective: Objective, outcome: &[bool], old: &[usize], new: &[usize]) -> f64 {
    let mean = |rows: &[usize]| {
        if rows.is_empty() {
            0.0
        } else {
            rows.iter().filter(|&&r| outcome[r]).count() as f64 / rows.len() as f64
        }
    };
    match objective {
        Objective::Original => mean(new),
        Objective::Lenient1 if old.len() == new.len() => 0.0,
        Objective::Lenient1 => (mean(new) - mean(old)) / old.len().abs_diff(new.len()) as f64,
    }
}

/// A candidate box: limits, the points inside, score, restricted inputs.
struct Candidate {
    limits: Vec<(f64, f64)>,
    rows: Vec<usize>,
    score: f64,
    restricted: usize,
}

impl Candidate {
    fn new(limits: Vec<(f64, f64)>, rows: Vec<usize>, span: &[(f64, f64)], score: f64) -> Self {
        let restricted = limits.iter().zip(span).filter(|&(&l, &s)| tighter(l, s)).count();
        Self {
            limits,
            rows,
            score,
            restricted,
        }
    }

    /// Higher score first, then fewer restricted inputs; ties keep `self`.
    fn beats(&self, best: &Option<Candidate>) -> bool {
        best.as_ref()
            .is_none_or(|b| (self.score, b.restricted) > (b.score, self.restricted))
    }
}

/// The peeling trajectory of PRIM on `table` for the cases `outcome` marks
/// as of interest.
///
/// ```
/// use agora_core::analysis::{InputTable, PrimConfig, peel};
///
/// // 400 cases on a grid of the unit square; the target holds where x0 > 0.7.
/// let rows: Vec<Vec<f64>> = (0..400).map(|k| vec![(k % 20) as f64 / 19.0, (k / 20) as f64 / 19.0]).collect();
/// let hit: Vec<bool> = rows.iter().map(|x| x[0] > 0.7).collect();
/// let table = InputTable::from_rows(vec!["x0".into(), "x1".into()], &rows)?;
/// let trajectory = peel(&table, &hit, &PrimConfig::default())?;
/// let (_, found) = trajectory.select(0.9).expect("a box covering 90% of the hits");
/// assert!(found.density > 0.9);
/// assert!(found.limits[0].restricted && found.limits[0].lower > 0.6);
/// assert_eq!(found.restricted(), [0]); // x1 does not matter
/// # Ok::<(), agora_core::analysis::AnalysisError>(())
/// ```
pub fn peel(table: &InputTable, outcome: &[bool], config: &PrimConfig) -> Result<Trajectory, AnalysisError> {
    config.check()?;
    check_data(table, outcome)?;
    let span = table.span();
    let (mut limits, mut rows) = (span.clone(), (0..table.len()).collect::<Vec<_>>());
    let mut steps = vec![stats(table, outcome, &span, &limits, &rows)];
    loop {
        let mut best: Option<Candidate> = None;
        for j in 0..span.len() {
            let column = table.column(j);
            let mut values: Vec<f64> = rows.iter().map(|&r| column[r]).collect();
            values.sort_by(f64::total_cmp);
            for upper in [true, false] {
                let (new, inside) = peel_side(column, &values, &rows, limits[j], upper, config.peel_alpha);
                if inside.len() == rows.len() {
                    continue; // a peel that cuts nothing
                }
                let mut candidate_limits = limits.clone();
                candidate_limits[j] = new;
                let s = score(config.objective, outcome, &rows, &inside);
                let candidate = Candidate::new(candidate_limits, inside, &span, s);
                if candidate.beats(&best) {
                    best = Some(candidate);
                }
            }
        }
        let Some(next) = best else { break };
        let mass = next.rows.len() as f64 / table.len() as f64;
        if mass < config.mass_min || next.rows.len() >= rows.len() || next.score <= 0.0 {
            break;
        }
        (limits, rows) = (next.limits, next.rows);
        steps.push(stats(table, outcome, &span, &limits, &rows));
    }
    Ok(Trajectory {
        names: table.names.clone(),
        steps,
    })
}

/// The limits of one input after peeling side `upper` (else lower) by the
/// `alpha` quantile of `sorted`, the input's values at `rows`, and the rows
/// left inside.
fn peel_side(
    column: &[f64],
    sorted: &[f64],
    rows: &[usize],
    (lower, upper_limit): (f64, f64),
    upper: bool,
    alpha: f64,
) -> ((f64, f64), Vec<usize>) {
    if upper {
        let c = cut(sorted, 1.0 - alpha);
        ((lower, c), rows.iter().copied().filter(|&r| column[r] <= c).collect())
    } else {
        let c = cut(sorted, alpha);
        (
            (c, upper_limit),
            rows.iter().copied().filter(|&r| column[r] >= c).collect(),
        )
    }
}

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

#[cfg(test)]
mod tests {
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
        let boxes = cover(&table, &y, &PrimConfig::default(), 3, 0.6).unwrap();
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
}
