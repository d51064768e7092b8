//! `agora discover`: scenario discovery with PRIM on any table, typically a
//! sweep's `runs.csv`: which ranges of the inputs lead to the cases of
//! interest (`class=fracture`, `trust<0.45`)?

use std::path::{Path, PathBuf};

use crate::analysis::{CoveringBox, InputTable, PrimConfig, cover};
use crate::error::{Error, Result};
use crate::output::analysis::{self, BOXES, BoxRow, TRAJECTORY};
use crate::output::manifest::input_record;
use crate::output::table::CsvInput;
use crate::output::{Folder, Stopwatch};

/// What `agora discover` is asked to do.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// The table (CSV with a header).
    pub file: PathBuf,
    /// The cases of interest: `COL=VALUE`, `COL<X` or `COL>X` (also `<=`, `>=`).
    pub target: String,
    /// The numeric input columns the boxes restrict.
    pub inputs: Vec<String>,
    /// Peeling and pasting parameters.
    pub config: PrimConfig,
    /// How many boxes to find (covering).
    pub boxes: usize,
    /// The chosen box is the densest with at least this coverage.
    pub min_coverage: f64,
    /// The output folder; `None`: `discover/` next to the table.
    pub out: Option<PathBuf>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            file: PathBuf::new(),
            target: String::new(),
            inputs: Vec::new(),
            config: PrimConfig::default(),
            boxes: 1,
            min_coverage: 0.8,
            out: None,
        }
    }
}

/// What a finished `agora discover` reports.
#[derive(Debug, Clone)]
pub struct DiscoverOutcome {
    /// The input columns, in order.
    pub inputs: Vec<String>,
    /// Rows of the table, and how many are cases of interest.
    pub rows: usize,
    /// Cases of interest.
    pub cases: usize,
    /// The boxes found, each with its trajectory and chosen, pasted box.
    pub boxes: Vec<CoveringBox>,
    /// The pasted boxes as written to `boxes.csv`.
    pub chosen: Vec<BoxRow>,
    /// The folder written.
    pub out: PathBuf,
}

/// How a target compares a column with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `=`: equal text, or equal numbers when both are numbers.
    Equal,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// The cases of interest: rows whose `column` compares to `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The column compared.
    pub column: String,
    /// How it is compared.
    pub comparison: Comparison,
    /// The value it is compared with, as written.
    pub value: String,
}

impl Target {
    /// Parse `COL=VALUE`, `COL<X`, `COL>X`, `COL<=X` or `COL>=X`.
    pub fn parse(text: &str) -> Result<Target> {
        let bad = || {
            Error::Input(format!(
                "--target `{text}`: write COL=VALUE, COL<X or COL>X (e.g. class=fracture, trust<0.45)"
            ))
        };
        let at = text.find(['<', '>', '=']).ok_or_else(bad)?;
        let rest = &text[at..];
        let (comparison, width) = match (rest.as_bytes()[0], rest.as_bytes().get(1)) {
            (b'<', Some(b'=')) => (Comparison::LessOrEqual, 2),
            (b'>', Some(b'=')) => (Comparison::GreaterOrEqual, 2),
            (b'<', _) => (Comparison::Less, 1),
            (b'>', _) => (Comparison::Greater, 1),
            (_, Some(b'=')) => (Comparison::Equal, 2),
            _ => (Comparison::Equal, 1),
        };
        let (column, value) = (text[..at].trim(), rest[width..].trim());
        if column.is_empty() || value.is_empty() {
            return Err(bad());
        }
        if comparison != Comparison::Equal && value.parse::<f64>().is_err() {
            return Err(Error::Input(format!("--target `{text}`: `{value}` is not a number")));
        }
        Ok(Target {
            column: column.to_string(),
            comparison,
            value: value.to_string(),
        })
    }

    /// Whether each row of `table` is a case of interest.
    fn cases(&self, table: &CsvInput) -> Result<Vec<bool>> {
        let j = table.column(&self.column)?;
        if self.comparison == Comparison::Equal {
            let number = self.value.parse::<f64>().ok();
            let equal = |cell: &str| {
                let cell = cell.trim();
                cell == self.value || number.is_some_and(|x| cell.parse::<f64>().ok() == Some(x))
            };
            return Ok(table.rows.iter().map(|row| equal(row.get(j).unwrap_or(""))).collect());
        }
        let x: f64 = self.value.parse().expect("checked when parsed");
        let column = table.numbers(j)?;
        Ok(column
            .into_iter()
            .map(|v| match self.comparison {
                Comparison::Less => v < x,
                Comparison::LessOrEqual => v <= x,
                Comparison::Greater => v > x,
                Comparison::GreaterOrEqual => v >= x,
                Comparison::Equal => unreachable!("handled above"),
            })
            .collect())
    }
}

/// Run PRIM on the table and write `trajectory.csv` and `boxes.csv`.
pub fn discover(options: &DiscoverOptions) -> Result<DiscoverOutcome> {
    let clock = Stopwatch::start(1);
    let target = Target::parse(&options.target)?;
    check_options(options, &target)?;
    // A table inside a results folder is read only when the folder's
    // manifest vouches for it (any other CSV is the user's own).
    let home = options.file.parent().unwrap_or(Path::new("."));
    if home.join(crate::output::manifest::MANIFEST).exists() {
        let manifest = crate::output::Manifest::verify(home)?;
        let name = options.file.file_name().map(|n| n.to_string_lossy().into_owned());
        if !manifest.files.iter().any(|f| Some(&f.name) == name.as_ref()) {
            return Err(Error::Unverified(format!(
                "{}: not one of the files its folder's manifest lists",
                options.file.display()
            )));
        }
    }
    if options.file.extension().is_some_and(|e| e == "parquet") {
        return Err(Error::Input(format!(
            "{}: discover reads a CSV table (a sweep's runs.csv): run the sweep with --format csv",
            options.file.display()
        )));
    }
    let table = CsvInput::read(&options.file)?;
    let inputs = input_table(&table, &options.inputs)?;
    let outcome = target.cases(&table)?;
    let cases = outcome.iter().filter(|&&y| y).count();
    if cases == 0 {
        return Err(no_case(&table, &target));
    }
    let boxes = cover(&inputs, &outcome, &options.config, options.boxes, options.min_coverage)
        .map_err(|e| Error::Input(format!("PRIM: {e}")))?;
    let span = data_span(&inputs);
    let (trajectory, chosen) = box_rows(&boxes, &span);
    let out = options.out.clone().unwrap_or_else(|| default_out(&options.file));
    let input_folder = options.file.parent().unwrap_or(Path::new("."));
    super::distinct_output(&out, &[input_folder])?;
    let folder = Folder::lock(&out)?;
    folder.retract()?;
    let names = inputs.names().to_vec();
    analysis::in_folder(
        analysis::write_boxes(&folder.join(TRAJECTORY), &names, &trajectory, false),
        &out,
    )?;
    analysis::in_folder(analysis::write_boxes(&folder.join(BOXES), &names, &chosen, true), &out)?;
    let c = &options.config;
    let notes = vec![
        format!("target: {} ({cases} of {} rows)", options.target, table.rows.len()),
        format!("inputs: {}", names.join(", ")),
        format!(
            "peel_alpha {}, paste_alpha {}, mass_min {}, boxes {}, min_coverage {}",
            c.peel_alpha, c.paste_alpha, c.mass_min, options.boxes, options.min_coverage
        ),
    ];
    let read = vec![input_record(&options.file)?];
    analysis::publish(
        &folder,
        clock.provenance(),
        "discover",
        read,
        notes,
        &[TRAJECTORY, BOXES],
    )?;
    Ok(DiscoverOutcome {
        inputs: names,
        rows: table.rows.len(),
        cases,
        boxes,
        chosen,
        out,
    })
}

/// Flags that need no data to be refused.
fn check_options(options: &DiscoverOptions, target: &Target) -> Result<()> {
    if options.inputs.is_empty() {
        return Err(Error::Input("--inputs: name at least one input column".into()));
    }
    if options.inputs.contains(&target.column) {
        return Err(Error::Input(format!(
            "--inputs: `{}` is the target's column; the inputs are what explains it",
            target.column
        )));
    }
    if !(0.0..=1.0).contains(&options.min_coverage) || options.boxes == 0 {
        return Err(Error::Input(
            "--min-coverage must be in [0, 1] and --boxes at least 1".into(),
        ));
    }
    Ok(())
}

/// The error for a target no row meets, with the values the column takes.
fn no_case(table: &CsvInput, target: &Target) -> Error {
    let j = table.find(&target.column).expect("the target column was found");
    let mut seen: Vec<&str> = Vec::new();
    for row in &table.rows {
        let cell = row.get(j).unwrap_or("");
        if !seen.contains(&cell) && seen.len() <= 10 {
            seen.push(cell);
        }
    }
    let values = if seen.len() <= 10 && target.comparison == Comparison::Equal {
        format!(" (`{}` takes: {})", target.column, seen.join(", "))
    } else {
        String::new()
    };
    Error::Input(format!(
        "{}: no row meets --target {}{}{values}: nothing to discover",
        table.path.display(),
        target.column,
        match target.comparison {
            Comparison::Equal => format!("={}", target.value),
            Comparison::Less => format!("<{}", target.value),
            Comparison::LessOrEqual => format!("<={}", target.value),
            Comparison::Greater => format!(">{}", target.value),
            Comparison::GreaterOrEqual => format!(">={}", target.value),
        },
    ))
}

/// The input columns as a PRIM table.
fn input_table(table: &CsvInput, names: &[String]) -> Result<InputTable> {
    let columns = names
        .iter()
        .map(|name| table.numbers(table.column(name)?))
        .collect::<Result<Vec<_>>>()?;
    InputTable::new(names.to_vec(), columns).map_err(|e| Error::Input(format!("{}: {e}", table.path.display())))
}

/// Each input's minimum and maximum over the whole table.
fn data_span(table: &InputTable) -> Vec<(f64, f64)> {
    (0..table.names().len())
        .map(|j| {
            let c = table.column(j);
            let min = c.iter().copied().fold(f64::INFINITY, f64::min);
            (min, c.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        })
        .collect()
}

/// The rows of `trajectory.csv` and of `boxes.csv`.
fn box_rows(boxes: &[CoveringBox], span: &[(f64, f64)]) -> (Vec<BoxRow>, Vec<BoxRow>) {
    let row = |b: usize, step: usize, stats: &crate::analysis::BoxStats, quasi_p: Vec<Option<f64>>| BoxRow {
        box_index: b,
        step,
        limits: stats
            .limits
            .iter()
            .zip(span)
            .map(|(l, &s)| if l.restricted { (l.lower, l.upper) } else { s })
            .collect(),
        stats: stats.clone(),
        quasi_p,
    };
    let mut trajectory = Vec::new();
    let mut chosen = Vec::new();
    for (b, found) in boxes.iter().enumerate() {
        for (step, stats) in found.trajectory.steps.iter().enumerate() {
            trajectory.push(row(b, step, stats, Vec::new()));
        }
        chosen.push(row(b, found.chosen, &found.pasted, found.quasi_p.clone()));
    }
    (trajectory, chosen)
}

/// `discover/` in the table's folder.
fn default_out(file: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new("")).join("discover")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_every_comparison() {
        let t = Target::parse("class=fracture").unwrap();
        assert_eq!(
            (t.column.as_str(), t.comparison, t.value.as_str()),
            ("class", Comparison::Equal, "fracture")
        );
        assert_eq!(Target::parse("trust<0.45").unwrap().comparison, Comparison::Less);
        assert_eq!(
            Target::parse(" trust >= 0.5 ").unwrap().comparison,
            Comparison::GreaterOrEqual
        );
        assert_eq!(Target::parse("a<=1").unwrap().comparison, Comparison::LessOrEqual);
        assert_eq!(Target::parse("a>1e-3").unwrap().value, "1e-3");
        assert_eq!(Target::parse("point==3").unwrap().value, "3");
        for bad in ["trust", "=3", "trust<", "trust<high"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
