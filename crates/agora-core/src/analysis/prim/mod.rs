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

mod paste;
#[cfg(test)]
mod tests;

pub use paste::{CoveringBox, cover, paste, quasi_p};

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

/// How candidate boxes are scored (EMA Workbench `PRIMObjectiveFunctions`,
/// `analysis/prim.py`). The default is the Workbench's, `LENIENT1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// The density of the candidate box (Friedman & Fisher 1999): the
    /// Workbench's `ORIGINAL`.
    Original,
    /// The gain in density divided by the number of points removed (or
    /// added): the Workbench's `LENIENT1`, its default.
    #[default]
    Lenient1,
    /// The gain in density times the candidate's points, divided by the
    /// number of points removed (Friedman & Fisher 1999, eq. 14.6): the
    /// Workbench's `LENIENT2`.
    Lenient2,
}

impl Objective {
    /// Every objective, as `--objective` names them.
    pub const ALL: [(&'static str, Objective); 3] = [
        ("original", Objective::Original),
        ("lenient1", Objective::Lenient1),
        ("lenient2", Objective::Lenient2),
    ];

    /// The objective's name (`original`, `lenient1`, `lenient2`).
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, o)| *o == self).map_or("", |(n, _)| n)
    }
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
            objective: Objective::Lenient1,
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
        Objective::Lenient1 | Objective::Lenient2 if old.len() == new.len() => 0.0,
        Objective::Lenient1 => (mean(new) - mean(old)) / old.len().abs_diff(new.len()) as f64,
        Objective::Lenient2 => new.len() as f64 * (mean(new) - mean(old)) / old.len().abs_diff(new.len()) as f64,
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
