//! The report of a sweep folder: a phase diagram of the dominant future over
//! the two axes that matter most, and the metrics against each of them.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::charts::{self, Cell, Fan};
use super::{CsvTable, appendix, chart, escape, number, page};
use crate::model::{Class, METRICS};
use crate::output::sweep::{POINTS, RECORD, SweepRecord};
use crate::sweep::Sweep;

/// The page of the sweep folder `dir`.
pub(super) fn report(dir: &Path) -> io::Result<String> {
    let record: SweepRecord = ron::from_str(&std::fs::read_to_string(dir.join(RECORD))?)
        .map_err(|e| io::Error::other(format!("{}: {e}", dir.join(RECORD).display())))?;
    let points = Points {
        sweep: &record.sweep,
        table: CsvTable::read(&dir.join(POINTS))?,
    };
    let sweep = points.sweep;
    let mut body = format!(
        "<h1>agora report: sweep {}</h1>\n<p>{} points x {} replicates over {}. Charts show the mean over \
         replicates at each value (line) and the band of one standard deviation; other axes are averaged over.</p>\n",
        escape(&sweep.name),
        sweep.points.len(),
        sweep.replicates,
        escape(&sweep.axes.join(", "))
    );
    let shown = points.main_axes();
    if sweep.axes.len() > 2 {
        let _ = writeln!(
            body,
            "<p>This sweep has {} axes; shown are the two whose levels spread the metric means most: {} and {}.</p>",
            sweep.axes.len(),
            escape(&sweep.axes[shown[0]]),
            escape(&sweep.axes[shown[1]])
        );
    }
    if let [x, y] = shown[..] {
        body.push_str(&points.phase_diagram(x, y));
    }
    for &a in &shown {
        body.push_str(&points.against_axis(a));
    }
    body.push_str(&appendix(dir)?);
    Ok(page(&format!("agora report: sweep {}", escape(&sweep.name)), &body))
}

/// A sweep's `points.csv` with the sweep that made it.
struct Points<'a> {
    sweep: &'a Sweep,
    table: CsvTable,
}

impl Points<'_> {
    /// The distinct values of axis `a`, in point order.
    fn levels(&self, a: usize) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for p in &self.sweep.points {
            if !v.contains(&p[a]) {
                v.push(p[a].clone());
            }
        }
        v
    }

    /// The rows of the points where `keep(point values)` holds.
    fn rows_where(&self, keep: impl Fn(&[String]) -> bool) -> Vec<&Vec<String>> {
        self.table
            .rows
            .iter()
            .enumerate()
            .filter(|(p, _)| keep(&self.sweep.points[*p]))
            .map(|(_, r)| r)
            .collect()
    }

    /// Per level of axis `a`: the mean over points of column `column` (a
    /// `<metric>_mean`) and of the column after it (its `_sd`).
    fn level_means(&self, a: usize, column: usize) -> Vec<(String, f64, f64)> {
        self.levels(a)
            .into_iter()
            .map(|level| {
                let chosen = self.rows_where(|p| p[a] == level);
                let n = chosen.len().max(1) as f64;
                let mean = chosen.iter().map(|r| number(&r[column])).sum::<f64>() / n;
                let sd = chosen.iter().map(|r| number(&r[column + 1])).sum::<f64>() / n;
                (level, mean, sd)
            })
            .collect()
    }

    /// How much the levels of axis `a` spread the metric means, summed over metrics.
    fn spread(&self, a: usize) -> f64 {
        let range = |v: &[f64]| {
            v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - v.iter().cloned().fold(f64::INFINITY, f64::min)
        };
        METRICS
            .iter()
            .filter_map(|m| self.table.find(&format!("{}_mean", m.name)))
            .map(|c| {
                let means: Vec<f64> = self.level_means(a, c).iter().map(|l| l.1).collect();
                let all: Vec<f64> = self.table.rows.iter().map(|r| number(&r[c])).collect();
                range(&means) / (range(&all) + 1e-12)
            })
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

    /// The dominant future in each cell of axes `xa` x `ya`.
    fn phase_diagram(&self, xa: usize, ya: usize) -> String {
        let (xs, ys) = (self.levels(xa), self.levels(ya));
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        let mut cells = Vec::new();
        for (xi, xv) in xs.iter().enumerate() {
            for (yi, yv) in ys.iter().enumerate() {
                let chosen = self.rows_where(|p| &p[xa] == xv && &p[ya] == yv);
                let shares: Vec<f64> = names
                    .iter()
                    .map(|c| {
                        let column = self.table.find(&format!("share_{c}")).unwrap_or(0);
                        chosen.iter().map(|r| number(&r[column])).sum::<f64>() / chosen.len().max(1) as f64
                    })
                    .collect();
                let (class, share) = shares
                    .iter()
                    .enumerate()
                    .fold((0, -1.0), |best, (k, &s)| if s > best.1 { (k, s) } else { best });
                cells.push(Cell {
                    x: xi,
                    y: yi,
                    class,
                    share,
                });
            }
        }
        let mut out = String::from(
            "<h2>Phase diagram</h2>\n<p>Each cell: the class most runs ended in (colour and initial) and the share of runs in it (shade and percentage).</p>\n<div class=\"charts\">\n",
        );
        out.push_str(&chart(&charts::phase_diagram(
            "Dominant future by parameter values",
            (&self.sweep.axes[xa], &xs),
            (&self.sweep.axes[ya], &ys),
            &names,
            &cells,
        )));
        out.push_str("</div>\n");
        out
    }

    /// Every metric's mean (and one sd band) against the levels of axis `a`.
    fn against_axis(&self, a: usize) -> String {
        let axis = &self.sweep.axes[a];
        let mut out = format!("<h2>Metrics against {}</h2>\n<div class=\"charts\">\n", escape(axis));
        let numeric = self.levels(a).iter().all(|l| l.parse::<f64>().is_ok());
        let x_label = if numeric {
            axis.clone()
        } else {
            format!("{axis} (level index)")
        };
        for m in METRICS {
            let Some(c) = self.table.find(&format!("{}_mean", m.name)) else {
                continue;
            };
            let points: Vec<(f64, f64, f64, f64)> = self
                .level_means(a, c)
                .iter()
                .enumerate()
                .map(|(k, (level, mean, sd))| {
                    let x = if numeric { number(level) } else { k as f64 };
                    (x, mean - sd, *mean, mean + sd)
                })
                .collect();
            out.push_str(&chart(&charts::fan_chart(
                &format!("{} ({})", m.label, m.name),
                &x_label,
                m.unit,
                &[Fan {
                    name: &self.sweep.name,
                    points,
                }],
            )));
        }
        out.push_str("</div>\n");
        out
    }
}
