//! The report of a sweep folder: a phase diagram of the dominant future over
//! the two axes that matter most, and the metrics against each of them.
//!
//! Bands are defined as in the run report: the 5th to the 95th percentile
//! of the runs at a value (its replicates, and every point of the other
//! axes at that value).
//!
//! Architecture invariant: the page is built in time linear in the rows of
//! `runs.csv` (up to the sorts of the bands): `runs.csv` is read once, its
//! runs grouped by point index, each axis's values parsed once, and every
//! chart aggregates over those groups. Above [`MAX_DOTS`] points the
//! per-sample dots give way to the bins alone (the samples are in
//! `points.csv`, linked from the page).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Cell, Fan, PhaseAxis};
use super::run::and_list;
use super::{appendix, chart, escape, number, page};
use agora_core::error::{Error, Result};
use agora_core::model::{Class, METRICS};
use agora_core::output::sweep::{POINTS, RECORD, RUNS, SweepRecord};
use agora_core::output::table::CsvInput;
use agora_core::stats::quantile_sorted;
use agora_core::sweep::Sweep;

/// More distinct values than this on an axis make it continuous: points are
/// binned in the phase diagram rather than drawn one cell per value.
const MAX_LEVELS: usize = 8;

/// At most this many bins per axis in the phase diagram of a continuous
/// design (a 2-D histogram of the samples).
const MAX_BINS: usize = 12;

/// Up to this many points each sample is drawn as a dot; above, the charts
/// show bins only and the page links to `points.csv`.
pub(crate) const MAX_DOTS: usize = 2000;

/// A binned axis: (low, high, bins); `None` for an axis drawn by its levels.
type Bins = Option<(f64, f64, usize)>;

/// (p05, mean, p95).
type Band3 = (f64, f64, f64);

/// The page of the sweep folder `dir`.
pub(super) fn report(dir: &Path) -> Result<String> {
    let path = dir.join(RECORD);
    let record: SweepRecord =
        ron::from_str(&super::read_text(&path)?).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let points = Points::new(&record.sweep, super::read_table(&dir.join(RUNS))?);
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
    let raw = if sweep.points.len() > MAX_DOTS {
        format!(
            " With {} points the samples are not drawn one by one: each point's means are in \
             <a href=\"{POINTS}\">{POINTS}</a> and each run in <a href=\"{RUNS}\">{RUNS}</a>.",
            sweep.points.len()
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        body,
        "<p>{} points x {} replicates over {}. Charts show, at each sampled value (marker), the mean over the \
         runs there (line) and the band from their 5th to their 95th percentile, as in the run report; the runs \
         at a value are its replicates at every point of the other axes, which are averaged over. On a continuous \
         axis (more than {MAX_LEVELS} values) the line and band are over the runs in each of {MAX_LEVELS} equal \
         bins{}.{raw}</p>",
        sweep.points.len(),
        sweep.replicates,
        escape(&sweep.axes.join(", ")),
        if sweep.points.len() > MAX_DOTS {
            ""
        } else {
            ", and each sample's mean is a dot"
        }
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

/// One swept axis, parsed once.
struct Axis {
    /// The distinct values, sorted by value when all are numbers.
    levels: Vec<String>,
    /// Per point, the index of its value in `levels`.
    level_of: Vec<usize>,
    /// Per point, its value as a number; `None` unless every value is one.
    values: Option<Vec<f64>>,
    /// (low, high) of `values`.
    range: (f64, f64),
}

impl Axis {
    fn new(points: &[Vec<String>], a: usize) -> Axis {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut levels: Vec<&str> = Vec::new();
        let mut level_of: Vec<usize> = points
            .iter()
            .map(|p| {
                let v = p.get(a).map_or("", String::as_str);
                *index.entry(v).or_insert_with(|| {
                    levels.push(v);
                    levels.len() - 1
                })
            })
            .collect();
        let values: Option<Vec<f64>> = points
            .iter()
            .map(|p| p.get(a).and_then(|v| v.parse::<f64>().ok()))
            .collect();
        if values.is_some() {
            // Sort the levels by value and renumber the points.
            let mut order: Vec<usize> = (0..levels.len()).collect();
            let value_of_level = |k: usize| number(levels[k]);
            order.sort_by(|&x, &y| value_of_level(x).total_cmp(&value_of_level(y)));
            let mut rank = vec![0; levels.len()];
            for (r, &k) in order.iter().enumerate() {
                rank[k] = r;
            }
            for l in &mut level_of {
                *l = rank[*l];
            }
            levels = order.iter().map(|&k| levels[k]).collect();
        }
        let range = values.as_ref().map_or((0.0, 1.0), |v| {
            let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi.max(lo + 1e-9))
        });
        Axis {
            levels: levels.into_iter().map(str::to_string).collect(),
            level_of,
            values,
            range,
        }
    }

    fn numeric(&self) -> bool {
        self.values.is_some()
    }

    /// Numeric, with more than [`MAX_LEVELS`] values.
    fn continuous(&self) -> bool {
        self.numeric() && self.levels.len() > MAX_LEVELS
    }

    /// The bin of point `p` among `n` equal bins of the axis's range (the
    /// last bin holds its upper edge).
    fn bin(&self, p: usize, n: usize) -> usize {
        let (lo, hi) = self.range;
        let v = self.values.as_ref().map_or(lo, |v| v[p]);
        let b = ((v - lo) / (hi - lo) * n as f64).floor();
        (b.max(0.0) as usize).min(n - 1)
    }
}

/// A sweep's `runs.csv` with the sweep that made it, grouped once.
struct Points<'a> {
    sweep: &'a Sweep,
    runs: CsvInput,
    /// Per point, the rows of `runs.csv` that are its runs.
    by_point: Vec<Vec<usize>>,
    /// Per row of `runs.csv`, the index of its class in [`Class::ALL`].
    class_of: Vec<Option<usize>>,
    /// Per axis, its levels and each point's value.
    axes: Vec<Axis>,
    /// Per metric column of `runs.csv`, its values by row.
    columns: HashMap<usize, Vec<f64>>,
}

impl<'a> Points<'a> {
    fn new(sweep: &'a Sweep, runs: CsvInput) -> Points<'a> {
        let mut by_point = vec![Vec::new(); sweep.points.len()];
        if let Some(point) = runs.find("point") {
            for (r, row) in runs.rows.iter().enumerate() {
                if let Some(list) = row[point].parse::<usize>().ok().and_then(|p| by_point.get_mut(p)) {
                    list.push(r);
                }
            }
        }
        let class_of = match runs.find("class") {
            Some(c) => runs
                .rows
                .iter()
                .map(|row| Class::ALL.iter().position(|k| k.name() == &row[c]))
                .collect(),
            None => vec![None; runs.rows.len()],
        };
        let axes = (0..sweep.axes.len()).map(|a| Axis::new(&sweep.points, a)).collect();
        let columns = METRICS
            .iter()
            .filter_map(|m| runs.find(m.name))
            .map(|c| (c, runs.rows.iter().map(|r| number(&r[c])).collect()))
            .collect();
        Points {
            sweep,
            runs,
            by_point,
            class_of,
            axes,
            columns,
        }
    }

    /// The values of column `c` by row (NaN where it is not a number).
    fn column(&self, c: usize) -> &[f64] {
        self.columns.get(&c).map_or(&[], Vec::as_slice)
    }

    /// Per slot (0..`n`), the band of column `c` over the runs of the
    /// points that `slot(point)` puts there.
    fn slot_bands(&self, n: usize, slot: impl Fn(usize) -> Option<usize>, c: usize) -> Vec<Band3> {
        let values = self.column(c);
        let mut groups: Vec<Vec<f64>> = vec![Vec::new(); n];
        for (p, runs) in self.by_point.iter().enumerate() {
            let Some(s) = slot(p).filter(|&s| s < n) else { continue };
            groups[s].extend(runs.iter().map(|&r| values.get(r).copied().unwrap_or(f64::NAN)));
        }
        groups.into_iter().map(band).collect()
    }

    /// Per value of axis `a`: the value and the band of metric column `c`.
    fn level_bands(&self, a: usize, c: usize) -> Vec<(String, Band3)> {
        let axis = &self.axes[a];
        let bands = self.slot_bands(axis.levels.len(), |p| Some(axis.level_of[p]), c);
        axis.levels.iter().cloned().zip(bands).collect()
    }

    /// How much the values of axis `a` spread the metric means, summed over metrics.
    fn spread(&self, a: usize) -> f64 {
        let range = |v: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = v
                .filter(|x| x.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
            hi - lo
        };
        METRICS
            .iter()
            .filter_map(|m| self.runs.find(m.name))
            .map(|c| {
                let means = range(&mut self.level_bands(a, c).iter().map(|l| l.1.1));
                means / (range(&mut self.column(c).iter().copied()) + 1e-12)
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

    /// Per slot (0..`n`), the runs in each class of the points `slot(point)` puts there.
    fn class_counts(&self, n: usize, slot: impl Fn(usize) -> Option<usize>) -> Vec<[usize; Class::ALL.len()]> {
        let mut counts = vec![[0usize; Class::ALL.len()]; n];
        for (p, runs) in self.by_point.iter().enumerate() {
            let Some(s) = slot(p).filter(|&s| s < n) else { continue };
            for &r in runs {
                if let Some(k) = self.class_of[r] {
                    counts[s][k] += 1;
                }
            }
        }
        counts
    }

    /// The cells of the phase diagram of axes `xa` x `ya` and its axes.
    fn cells(&self, xa: usize, ya: usize) -> (Vec<Cell>, [Bins; 2]) {
        let (ax, ay) = (&self.axes[xa], &self.axes[ya]);
        let binned = ax.continuous() || ay.continuous();
        let bins = ((self.sweep.points.len() as f64 / 3.0).sqrt().round() as usize).clamp(2, MAX_BINS);
        let edges = |axis: &Axis| (binned && axis.numeric()).then_some((axis.range.0, axis.range.1, bins));
        let bins_of = [edges(ax), edges(ay)];
        let slots = |e: Bins, axis: &Axis| e.map_or(axis.levels.len(), |e| e.2);
        let (nx, ny) = (slots(bins_of[0], ax), slots(bins_of[1], ay));
        let slot_on = |e: Bins, axis: &Axis, p: usize| e.map_or(axis.level_of[p], |e| axis.bin(p, e.2));
        let counts = self.class_counts(nx * ny, |p| {
            Some(slot_on(bins_of[0], ax, p) * ny + slot_on(bins_of[1], ay, p))
        });
        let mut cells = Vec::new();
        for i in 0..nx {
            for j in 0..ny {
                if let Some((class, share)) = dominant(&counts[i * ny + j]) {
                    cells.push(Cell {
                        x: span(bins_of[0], i),
                        y: span(bins_of[1], j),
                        class,
                        share,
                    });
                }
            }
        }
        (cells, bins_of)
    }

    /// The dominant future in each cell of axes `xa` x `ya`.
    fn phase_diagram(&self, xa: usize, ya: usize) -> String {
        let (ax, ay) = (&self.axes[xa], &self.axes[ya]);
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let (cells, bins_of) = self.cells(xa, ya);
        let (xn, yn) = (self.sweep.axes[xa].as_str(), self.sweep.axes[ya].as_str());
        let axis = |e: Bins, name, levels| match e {
            Some((lo, hi, _)) => PhaseAxis::Numeric(name, (lo, hi)),
            None => PhaseAxis::Levels(name, levels),
        };
        let samples: Vec<(f64, f64)> = match (bins_of, &ax.values, &ay.values) {
            ([Some(_), Some(_)], Some(xs), Some(ys)) if xs.len() <= MAX_DOTS => {
                xs.iter().copied().zip(ys.iter().copied()).collect()
            }
            _ => Vec::new(),
        };
        let n_bins = bins_of[0].or(bins_of[1]).map_or(0, |e| e.2);
        let how = match bins_of {
            [None, None] => "Each cell is one combination of swept values".to_string(),
            _ if samples.is_empty() => format!(
                "The {} samples are binned in a 2-D histogram, {n_bins} bins per axis; bins without a sample are \
                 left blank",
                self.sweep.points.len()
            ),
            _ => format!(
                "The samples (grey dots) are binned, {n_bins} bins per axis; bins without a sample are left blank"
            ),
        };
        let mut out = format!(
            "<h2>Phase diagram</h2>\n<p>{how}. A cell's colour and initials say the class most of its runs ended \
             in; its shade and percentage, the share of its runs in that class.</p>\n<div class=\"charts\">\n"
        );
        out.push_str(&chart(&charts::phase_diagram(
            "Dominant future by parameter values",
            (axis(bins_of[0], xn, &ax.levels), axis(bins_of[1], yn, &ay.levels)),
            &names,
            &cells,
            &samples,
        )));
        out.push_str("</div>\n");
        out
    }

    /// Every metric's band against the values of axis `a`.
    fn against_axis(&self, a: usize) -> String {
        let name = &self.sweep.axes[a];
        let axis = &self.axes[a];
        let mut out = format!("<h2>Metrics against {}</h2>\n<div class=\"charts\">\n", escape(name));
        let numeric = axis.numeric();
        let x_label = if numeric {
            name.clone()
        } else {
            format!("{name} (level index)")
        };
        let base = self.sweep.base.name.as_str();
        for m in METRICS {
            let Some(c) = self.runs.find(m.name) else {
                continue;
            };
            let (points, scatter) = if axis.continuous() {
                let dots = match self.sweep.points.len() <= MAX_DOTS {
                    true => self.sample_means(a, c),
                    false => Vec::new(),
                };
                (self.binned_bands(a, c), dots)
            } else {
                let bands = self.level_bands(a, c);
                let at = |(k, (level, (lo, mean, hi))): (usize, &(String, Band3))| {
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
                    markers: scatter.is_empty() && !axis.continuous(),
                    points,
                    scatter,
                }],
            )));
        }
        out.push_str("</div>\n");
        out
    }

    /// The band of metric column `c` over the runs in each of
    /// [`MAX_LEVELS`] equal bins of continuous axis `a`, at the bin centres.
    fn binned_bands(&self, a: usize, c: usize) -> Vec<(f64, f64, f64, f64)> {
        let axis = &self.axes[a];
        let edges = Some((axis.range.0, axis.range.1, MAX_LEVELS));
        self.slot_bands(MAX_LEVELS, |p| Some(axis.bin(p, MAX_LEVELS)), c)
            .into_iter()
            .enumerate()
            .filter_map(|(k, (p05, mean, p95))| {
                let (x0, x1) = span(edges, k);
                mean.is_finite().then_some(((x0 + x1) / 2.0, p05, mean, p95))
            })
            .collect()
    }

    /// Each sample's value on axis `a` and the mean of column `c` over its runs.
    fn sample_means(&self, a: usize, c: usize) -> Vec<(f64, f64)> {
        let Some(xs) = &self.axes[a].values else {
            return Vec::new();
        };
        let values = self.column(c);
        self.by_point
            .iter()
            .zip(xs)
            .map(|(runs, &x)| {
                let v: Vec<f64> = runs
                    .iter()
                    .map(|&r| values.get(r).copied().unwrap_or(f64::NAN))
                    .filter(|v| v.is_finite())
                    .collect();
                (x, v.iter().sum::<f64>() / v.len() as f64)
            })
            .filter(|p| p.1.is_finite())
            .collect()
    }

    /// One sentence: the dominant futures, and the metric the main axis moves most.
    fn takeaway(&self, shown: &[usize]) -> String {
        let mut counts = [0usize; Class::ALL.len()];
        let total = self.sweep.points.len();
        for point in self.class_counts(total, Some) {
            if let Some((k, _)) = dominant(&point) {
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
        let axis = &self.axes[a];
        let levels = &axis.levels;
        if levels.is_empty() {
            return String::new();
        }
        let ends = if axis.continuous() { levels.len().div_ceil(4) } else { 1 };
        let n = levels.len();
        // Slot 0: the lowest `ends` levels; slot 1: the highest.
        let slot = |p: usize| {
            let l = axis.level_of[p];
            if l < ends {
                Some(0)
            } else if l >= n - ends {
                Some(1)
            } else {
                None
            }
        };
        let mut best: Option<(f64, &str, f64, f64)> = None;
        for m in METRICS.iter().filter(|m| m.range.1.is_finite()) {
            let Some(c) = self.runs.find(m.name) else { continue };
            let bands = self.slot_bands(2, slot, c);
            let (from, to) = (bands[0].1, bands[1].1);
            let move_ = ((to - from) / (m.range.1 - m.range.0)).abs();
            if move_.is_finite() && best.is_none_or(|b| move_ > b.0) {
                best = Some((move_, m.label, from, to));
            }
        }
        let Some((_, label, from, to)) = best else {
            return String::new();
        };
        let value = |v: &String| match axis.numeric() {
            true => charts::number_text(number(v), axis.range.1 - axis.range.0),
            false => v.clone(),
        };
        let (x0, x1) = if ends > 1 {
            (
                format!("below {}", value(&levels[ends - 1])),
                format!("above {}", value(&levels[n - ends])),
            )
        } else {
            (value(&levels[0]), value(&levels[n - 1]))
        };
        format!(
            " Raising {} from {x0} to {x1} moves {} from {} to {} (mean over the runs there).",
            self.sweep.axes[a],
            label.to_lowercase(),
            charts::number_text(from, 0.1),
            charts::number_text(to, 0.1),
        )
    }
}

/// (p05, mean, p95) of the finite values of `v`.
fn band(mut v: Vec<f64>) -> Band3 {
    v.retain(|x| x.is_finite());
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    (quantile_sorted(&v, 0.05), mean, quantile_sorted(&v, 0.95))
}

/// The class most runs of `counts` are in, and its share; `None` without runs.
fn dominant(counts: &[usize]) -> Option<(usize, f64)> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let (k, n) = counts
        .iter()
        .enumerate()
        .fold((0, 0), |best, (k, &n)| if n > best.1 { (k, n) } else { best });
    Some((k, n as f64 / total as f64))
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
