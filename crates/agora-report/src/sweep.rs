//! The report of a sweep folder: a phase diagram of the dominant future over
//! the two axes that matter most, and the metrics against each of them.
//!
//! Bands are defined as in the run report: the 5th to the 95th percentile
//! of the runs at a value (its replicates, and every point of the other
//! axes at that value).

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Cell, Fan, PhaseAxis};
use super::run::and_list;
use super::{appendix, chart, escape, number, page};
use agora_core::error::{Error, Result};
use agora_core::model::{Class, METRICS};
use agora_core::output::sweep::{RECORD, RUNS, SweepRecord};
use agora_core::output::table::CsvInput;
use agora_core::stats::quantile_sorted;
use agora_core::sweep::Sweep;

/// More distinct values than this on an axis make it continuous: points are
/// binned in the phase diagram rather than drawn one cell per value.
const MAX_LEVELS: usize = 8;

/// A binned axis: (low, high, bins); `None` for an axis drawn by its levels.
type Bins = Option<(f64, f64, usize)>;

/// The page of the sweep folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let path = dir.join(RECORD);
    let record: SweepRecord =
        ron::from_str(&super::read_text(&path)?).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let points = Points {
        sweep: &record.sweep,
        runs: super::read_table(&dir.join(RUNS))?,
    };
    let sweep = points.sweep;
    let shown = points.main_axes();
    let axis_names: Vec<&str> = shown.iter().map(|&a| sweep.axes[a].as_str()).collect();
    let title = format!(
        "Sweep {}: {} under {}",
        sweep.name,
        and_list(&axis_names),
        sweep.base.name
    );
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let description = match sweep.base.description.as_str() {
        "" => "(no description)",
        d => d,
    };
    let _ = writeln!(
        body,
        "<ul class=\"descriptions\"><li><strong>{}</strong> (the base scenario): {}</li></ul>",
        escape(&sweep.base.name),
        escape(description)
    );
    let _ = writeln!(
        body,
        "<p class=\"takeaway\"><strong>{}</strong></p>",
        escape(&points.takeaway(&shown))
    );
    let _ = writeln!(
        body,
        "<p>{} points x {} replicates over {}. Charts show, at each sampled value (marker), the mean over the \
         runs there (line) and the band from their 5th to their 95th percentile, as in the run report; the runs \
         at a value are its replicates at every point of the other axes, which are averaged over. On a continuous \
         axis (more than {MAX_LEVELS} values) the line and band are over the runs in each of {MAX_LEVELS} equal \
         bins, and each sample's mean is a dot.</p>",
        sweep.points.len(),
        sweep.replicates,
        escape(&sweep.axes.join(", "))
    );
    if sweep.axes.len() > 2 {
        let _ = writeln!(
            body,
            "<p>This sweep has {} axes; shown are the two whose values spread the metric means most: {}.</p>",
            sweep.axes.len(),
            escape(&and_list(&axis_names))
        );
    }
    if let [x, y] = shown[..] {
        body.push_str(&points.phase_diagram(x, y));
    }
    for &a in &shown {
        body.push_str(&points.against_axis(a));
    }
    body.push_str(&appendix(dir)?);
    Ok(page(&escape(&title), &body))
}

/// A sweep's `runs.csv` with the sweep that made it.
struct Points<'a> {
    sweep: &'a Sweep,
    runs: CsvInput,
}

impl Points<'_> {
    /// The distinct values of axis `a`: sorted by value when all are numbers.
    fn levels(&self, a: usize) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for p in &self.sweep.points {
            if !v.contains(&p[a]) {
                v.push(p[a].clone());
            }
        }
        if self.numeric(a) {
            v.sort_by(|x, y| number(x).total_cmp(&number(y)));
        }
        v
    }

    /// Whether every value of axis `a` is a number.
    fn numeric(&self, a: usize) -> bool {
        self.sweep.points.iter().all(|p| p[a].parse::<f64>().is_ok())
    }

    /// Whether axis `a` is continuous: numeric, with more than [`MAX_LEVELS`] values.
    fn continuous(&self, a: usize) -> bool {
        self.numeric(a) && self.levels(a).len() > MAX_LEVELS
    }

    /// The runs (rows of `runs.csv`) of the points where `keep(point)` holds.
    fn runs_where(&self, keep: impl Fn(&[String]) -> bool) -> Vec<&csv::StringRecord> {
        let point = self.runs.find("point").unwrap_or(0);
        self.runs
            .rows
            .iter()
            .filter(|r| {
                let p: usize = r[point].parse().unwrap_or(usize::MAX);
                self.sweep.points.get(p).is_some_and(|v| keep(v))
            })
            .collect()
    }

    /// (p05, mean, p95) of column `column` over `runs`.
    fn band(runs: &[&csv::StringRecord], column: usize) -> (f64, f64, f64) {
        let mut v: Vec<f64> = runs
            .iter()
            .map(|r| number(&r[column]))
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        (quantile_sorted(&v, 0.05), mean, quantile_sorted(&v, 0.95))
    }

    /// Per value of axis `a`: the value and the band of metric column `column` of `runs.csv`.
    fn level_bands(&self, a: usize, column: usize) -> Vec<(String, (f64, f64, f64))> {
        self.levels(a)
            .into_iter()
            .map(|level| {
                let chosen = self.runs_where(|p| p[a] == level);
                let band = Self::band(&chosen, column);
                (level, band)
            })
            .collect()
    }

    /// How much the values of axis `a` spread the metric means, summed over metrics.
    fn spread(&self, a: usize) -> f64 {
        let range = |v: &[f64]| {
            v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - v.iter().cloned().fold(f64::INFINITY, f64::min)
        };
        METRICS
            .iter()
            .filter_map(|m| self.runs.find(m.name))
            .map(|c| {
                let means: Vec<f64> = self.level_bands(a, c).iter().map(|l| l.1.1).collect();
                let all: Vec<f64> = self.runs.rows.iter().map(|r| number(&r[c])).collect();
                range(&means) / (range(&all) + 1e-12)
            })
            .filter(|x| x.is_finite())
            .sum()
    }

    /// The (at most) two axes that matter most.
    fn main_axes(&self) -> Vec<usize> {
        let spreads: Vec<f64> = (0..self.sweep.axes.len()).map(|a| self.spread(a)).collect();
        let mut order: Vec<usize> = (0..self.sweep.axes.len()).collect();
        order.sort_by(|&a, &b| spreads[b].total_cmp(&spreads[a]).then(a.cmp(&b)));
        order.truncate(2);
        order
    }

    /// The dominant class of the runs where `keep(point)` holds, and its share.
    fn dominant(&self, keep: impl Fn(&[String]) -> bool) -> Option<(usize, f64)> {
        let class = self.runs.find("class")?;
        let chosen = self.runs_where(keep);
        if chosen.is_empty() {
            return None;
        }
        let counts: Vec<usize> = Class::ALL
            .iter()
            .map(|c| chosen.iter().filter(|r| &r[class] == c.name()).count())
            .collect();
        let (k, n) = counts
            .iter()
            .enumerate()
            .fold((0, 0), |best, (k, &n)| if n > best.1 { (k, n) } else { best });
        Some((k, n as f64 / chosen.len() as f64))
    }

    /// The cells of the phase diagram of axes `xa` x `ya` and its axes.
    fn cells(&self, xa: usize, ya: usize) -> (Vec<Cell>, [Bins; 2]) {
        let binned = self.continuous(xa) || self.continuous(ya);
        let bins = ((self.sweep.points.len() as f64 / 3.0).sqrt().round() as usize).clamp(2, MAX_LEVELS);
        let edges = |a: usize| {
            (binned && self.numeric(a)).then(|| {
                let v: Vec<f64> = self.sweep.points.iter().map(|p| number(&p[a])).collect();
                let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                (lo, hi.max(lo + 1e-9), bins)
            })
        };
        let axes = [edges(xa), edges(ya)];
        let (xs, ys) = (self.levels(xa), self.levels(ya));
        let slots = |e: Bins, levels: &[String]| e.map_or(levels.len(), |e| e.2);
        let mut cells = Vec::new();
        for i in 0..slots(axes[0], &xs) {
            for j in 0..slots(axes[1], &ys) {
                let (x, y) = (span(axes[0], i), span(axes[1], j));
                let inside = |p: &[String]| within(axes[0], i, &p[xa], &xs) && within(axes[1], j, &p[ya], &ys);
                if let Some((class, share)) = self.dominant(inside) {
                    cells.push(Cell { x, y, class, share });
                }
            }
        }
        (cells, axes)
    }

    /// The dominant future in each cell of axes `xa` x `ya`.
    fn phase_diagram(&self, xa: usize, ya: usize) -> String {
        let (xs, ys) = (self.levels(xa), self.levels(ya));
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let (cells, axes) = self.cells(xa, ya);
        let (xn, yn) = (self.sweep.axes[xa].as_str(), self.sweep.axes[ya].as_str());
        let axis = |e: Bins, name, levels| match e {
            Some((lo, hi, _)) => PhaseAxis::Numeric(name, (lo, hi)),
            None => PhaseAxis::Levels(name, levels),
        };
        let samples: Vec<(f64, f64)> = match axes {
            [Some(_), Some(_)] => self
                .sweep
                .points
                .iter()
                .map(|p| (number(&p[xa]), number(&p[ya])))
                .collect(),
            _ => Vec::new(),
        };
        let how = match axes {
            [None, None] => "Each cell is one combination of swept values".to_string(),
            _ => format!(
                "The samples (dots) are binned, {} bins per axis; bins without a sample are left blank",
                axes[0].or(axes[1]).map_or(0, |e| e.2)
            ),
        };
        let mut out = format!(
            "<h2>Phase diagram</h2>\n<p>{how}. A cell's colour and initials say the class most of its runs ended \
             in; its shade and percentage, the share of its runs in that class.</p>\n<div class=\"charts\">\n"
        );
        out.push_str(&chart(&charts::phase_diagram(
            "Dominant future by parameter values",
            (axis(axes[0], xn, &xs), axis(axes[1], yn, &ys)),
            &names,
            &cells,
            &samples,
        )));
        out.push_str("</div>\n");
        out
    }

    /// Every metric's band against the values of axis `a`.
    fn against_axis(&self, a: usize) -> String {
        let axis = &self.sweep.axes[a];
        let mut out = format!("<h2>Metrics against {}</h2>\n<div class=\"charts\">\n", escape(axis));
        let numeric = self.numeric(a);
        let x_label = if numeric {
            axis.clone()
        } else {
            format!("{axis} (level index)")
        };
        let base = self.sweep.base.name.as_str();
        for m in METRICS {
            let Some(c) = self.runs.find(m.name) else {
                continue;
            };
            let (points, scatter) = if self.continuous(a) {
                (self.binned_bands(a, c), self.sample_means(a, c))
            } else {
                let bands = self.level_bands(a, c);
                let at = |(k, (level, (lo, mean, hi))): (usize, &(String, (f64, f64, f64)))| {
                    let x = if numeric { number(level) } else { k as f64 };
                    (x, *lo, *mean, *hi)
                };
                (
                    bands.iter().enumerate().map(at).filter(|p| p.2.is_finite()).collect(),
                    Vec::new(),
                )
            };
            out.push_str(&chart(&charts::fan_chart(
                &format!("{} ({})", m.label, m.name),
                &x_label,
                m.unit,
                &[Fan {
                    name: base,
                    look: charts::look(base, &[base]),
                    markers: scatter.is_empty(),
                    points,
                    scatter,
                }],
            )));
        }
        out.push_str("</div>\n");
        out
    }

    /// The band of metric column `column` over the runs in each of
    /// [`MAX_LEVELS`] equal bins of continuous axis `a`, at the bin centres.
    fn binned_bands(&self, a: usize, column: usize) -> Vec<(f64, f64, f64, f64)> {
        let values: Vec<f64> = self.sweep.points.iter().map(|p| number(&p[a])).collect();
        let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max).max(lo + 1e-9);
        let edges = Some((lo, hi, MAX_LEVELS));
        (0..MAX_LEVELS)
            .filter_map(|k| {
                let runs = self.runs_where(|p| within(edges, k, &p[a], &[]));
                let (p05, mean, p95) = Self::band(&runs, column);
                let (x0, x1) = span(edges, k);
                mean.is_finite().then_some(((x0 + x1) / 2.0, p05, mean, p95))
            })
            .collect()
    }

    /// Each sample's value on axis `a` and the mean of column `column` over its runs.
    fn sample_means(&self, a: usize, column: usize) -> Vec<(f64, f64)> {
        self.sweep
            .points
            .iter()
            .map(|p| {
                let runs = self.runs_where(|q| q == p.as_slice());
                (number(&p[a]), Self::band(&runs, column).1)
            })
            .filter(|p| p.1.is_finite())
            .collect()
    }

    /// One sentence: the dominant futures, and the metric the main axis moves most.
    fn takeaway(&self, shown: &[usize]) -> String {
        let mut counts = [0usize; 5];
        let total = self.sweep.points.len();
        for p in &self.sweep.points {
            if let Some((k, _)) = self.dominant(|q| q == p.as_slice()) {
                counts[k] += 1;
            }
        }
        let mut found: Vec<(usize, &str)> = Class::ALL
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (n, c.name()))
            .collect();
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        let parts: Vec<String> = found.iter().map(|(n, c)| format!("{c} at {n}")).collect();
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut text = format!("Most runs end in {} of the {total} points.", and_list(&refs));
        if let Some(&a) = shown.first() {
            text.push_str(&self.main_effect(a));
        }
        text
    }

    /// " Raising A from x to y moves M from u to v." for the metric A moves
    /// most, comparing the runs at its lowest and highest values (for a
    /// continuous axis, its lowest and highest quarter of sampled values).
    fn main_effect(&self, a: usize) -> String {
        let levels = self.levels(a);
        let ends = if self.continuous(a) {
            levels.len().div_ceil(4)
        } else {
            1
        };
        let (low, high) = (&levels[..ends], &levels[levels.len() - ends..]);
        let runs_at = |chosen: &[String]| self.runs_where(|p| chosen.contains(&p[a]));
        let (low_runs, high_runs) = (runs_at(low), runs_at(high));
        let mut best: Option<(f64, &str, f64, f64)> = None;
        for m in METRICS.iter().filter(|m| m.range.1.is_finite()) {
            let Some(c) = self.runs.find(m.name) else { continue };
            let (from, to) = (Self::band(&low_runs, c).1, Self::band(&high_runs, c).1);
            let move_ = ((to - from) / (m.range.1 - m.range.0)).abs();
            if move_.is_finite() && best.is_none_or(|b| move_ > b.0) {
                best = Some((move_, m.label, from, to));
            }
        }
        let Some((_, label, from, to)) = best else {
            return String::new();
        };
        let value = |v: &String| match self.numeric(a) {
            true => {
                let (lo, hi) = (number(&levels[0]), number(&levels[levels.len() - 1]));
                format!("{:.*}", charts::decimals(hi - lo), number(v))
            }
            false => v.clone(),
        };
        let (x0, x1) = if ends > 1 {
            (
                format!("below {}", value(&low[ends - 1])),
                format!("above {}", value(&high[0])),
            )
        } else {
            (value(&low[0]), value(&high[0]))
        };
        format!(
            " Raising {} from {x0} to {x1} moves {} from {from:.2} to {to:.2} (mean over the runs there).",
            self.sweep.axes[a],
            label.to_lowercase(),
        )
    }
}

/// The span of slot `k` of an axis: a bin in value units, or level `k` as `k..k + 1`.
fn span(edges: Bins, k: usize) -> (f64, f64) {
    match edges {
        Some((lo, hi, n)) => {
            let w = (hi - lo) / n as f64;
            (lo + w * k as f64, lo + w * (k + 1) as f64)
        }
        None => (k as f64, k as f64 + 1.0),
    }
}

/// Whether `value` falls in slot `k` (the last bin holds its upper edge).
fn within(edges: Bins, k: usize, value: &str, levels: &[String]) -> bool {
    match edges {
        Some((lo, hi, n)) => {
            let bin = (((number(value) - lo) / (hi - lo)) * n as f64).floor() as usize;
            bin.min(n - 1) == k
        }
        None => levels.get(k).is_some_and(|l| l == value),
    }
}
