//! CSV tables with exact, fast number formatting.

use std::io::{self, BufRead, BufReader};
use std::path::Path;

use super::atomic::AtomicFile;

/// A CSV file being written: header first, then rows field by field.
/// Floats use the shortest representation that reads back exactly (ryu);
/// no allocation per row.
pub struct Table {
    writer: csv::Writer<AtomicFile>,
    floats: ryu::Buffer,
    ints: itoa::Buffer,
}

fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Table {
    /// A new table at `path` (written under a hidden name until committed).
    pub fn create(path: &Path, header: &[&str]) -> io::Result<Table> {
        Table::with_header(AtomicFile::create(path)?, header)
    }

    /// A table whose partial file survives interruption (see [`Table::resume`]).
    pub fn create_durable(path: &Path, header: &[&str]) -> io::Result<Table> {
        Table::with_header(AtomicFile::create_resumable(path)?, header)
    }

    /// Continue the partial file of `path` after its first `keep` bytes,
    /// which hold `header` and complete rows. With `keep` 0 (a file killed
    /// before its header reached the disk, so empty or torn) the header is
    /// written again.
    pub fn resume(path: &Path, keep: u64, header: &[&str]) -> io::Result<Table> {
        let file = AtomicFile::resume(path, keep)?;
        match keep {
            0 => Table::with_header(file, header),
            _ => Ok(Table::over(file)),
        }
    }

    fn with_header(file: AtomicFile, header: &[&str]) -> io::Result<Table> {
        let mut table = Table::over(file);
        table.writer.write_record(header).map_err(io_error)?;
        Ok(table)
    }

    fn over(file: AtomicFile) -> Table {
        Table {
            writer: csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(file),
            floats: ryu::Buffer::new(),
            ints: itoa::Buffer::new(),
        }
    }

    /// Push everything written so far to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Write a text field.
    pub fn text(&mut self, s: &str) -> io::Result<()> {
        self.writer.write_field(s).map_err(io_error)
    }

    /// Write a number so that it reads back exactly; an undefined value
    /// (NaN) is an empty cell, never a 0 that would read as a real zero.
    pub fn float(&mut self, x: f64) -> io::Result<()> {
        let s = if x.is_finite() {
            self.floats.format_finite(x)
        } else {
            ""
        };
        self.writer.write_field(s).map_err(io_error)
    }

    /// Write a whole number.
    pub fn int(&mut self, x: u64) -> io::Result<()> {
        self.writer.write_field(self.ints.format(x)).map_err(io_error)
    }

    /// End the current row.
    pub fn end_row(&mut self) -> io::Result<()> {
        self.writer.write_record(None::<&[u8]>).map_err(io_error)
    }

    /// Flush and move the file into place.
    pub fn commit(self) -> io::Result<()> {
        let file = self.writer.into_inner().map_err(|e| e.into_error())?;
        file.commit()
    }
}

/// Where the rows of a table go, cell by cell: a CSV file ([`Table`]) or
/// columns in memory ([`Columns`]). The code that produces a file's rows
/// writes into a `Cells`, so a file and its in-memory copy hold the same values.
pub trait Cells {
    /// A text cell.
    fn text(&mut self, s: &str) -> io::Result<()>;
    /// A number cell; NaN is undefined.
    fn float(&mut self, x: f64) -> io::Result<()>;
    /// A whole-number cell.
    fn int(&mut self, x: u64) -> io::Result<()>;
    /// The end of the current row.
    fn end_row(&mut self) -> io::Result<()>;
}

impl Cells for Table {
    fn text(&mut self, s: &str) -> io::Result<()> {
        Table::text(self, s)
    }
    fn float(&mut self, x: f64) -> io::Result<()> {
        Table::float(self, x)
    }
    fn int(&mut self, x: u64) -> io::Result<()> {
        Table::int(self, x)
    }
    fn end_row(&mut self) -> io::Result<()> {
        Table::end_row(self)
    }
}

/// One column of a [`Columns`] table, of the kind its first row gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Text cells.
    Text(Vec<String>),
    /// Whole numbers.
    Int(Vec<u64>),
    /// Numbers, NaN where undefined (an empty cell in the file).
    Float(Vec<f64>),
}

/// A table kept in memory column by column, holding what [`Table`] would
/// write: the values themselves, so a float is the one its file cell reads
/// back as.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The column names, as the file's header.
    pub header: Vec<String>,
    /// One column per name (empty until the first row ends).
    pub columns: Vec<Column>,
    /// Complete rows.
    pub rows: usize,
    /// The next cell's column in the current row.
    field: usize,
}

impl Columns {
    /// An empty table with these column names.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Columns {
        Columns {
            header: header.iter().map(|h| h.as_ref().to_string()).collect(),
            columns: Vec::with_capacity(header.len()),
            rows: 0,
            field: 0,
        }
    }

    /// Add a cell to the current row: `fresh` makes its column on the first
    /// row; `add` returns false if the column is of another kind.
    fn cell(&mut self, fresh: impl FnOnce() -> Column, add: impl FnOnce(&mut Column) -> bool) -> io::Result<()> {
        if self.field >= self.header.len() {
            return Err(io::Error::other("a row longer than the header"));
        }
        if self.rows == 0 {
            self.columns.push(fresh());
        }
        if !add(&mut self.columns[self.field]) {
            return Err(io::Error::other(format!(
                "column `{}`: a cell of another kind than its first",
                self.header[self.field]
            )));
        }
        self.field += 1;
        Ok(())
    }
}

impl Cells for Columns {
    fn text(&mut self, s: &str) -> io::Result<()> {
        self.cell(
            || Column::Text(Vec::new()),
            |c| match c {
                Column::Text(v) => {
                    v.push(s.to_string());
                    true
                }
                _ => false,
            },
        )
    }
    fn float(&mut self, x: f64) -> io::Result<()> {
        // As the file reads back: an undefined value is NaN, whatever its sign or payload.
        let x = if x.is_finite() { x } else { f64::NAN };
        self.cell(
            || Column::Float(Vec::new()),
            |c| match c {
                Column::Float(v) => {
                    v.push(x);
                    true
                }
                _ => false,
            },
        )
    }
    fn int(&mut self, x: u64) -> io::Result<()> {
        self.cell(
            || Column::Int(Vec::new()),
            |c| match c {
                Column::Int(v) => {
                    v.push(x);
                    true
                }
                _ => false,
            },
        )
    }
    fn end_row(&mut self) -> io::Result<()> {
        if self.field != self.header.len() {
            return Err(io::Error::other("a row shorter than the header"));
        }
        self.field = 0;
        self.rows += 1;
        Ok(())
    }
}

/// A number cell as [`Table::float`] writes it: empty is undefined (NaN).
pub fn parse_float(cell: &str) -> Option<f64> {
    if cell.is_empty() {
        Some(f64::NAN)
    } else {
        cell.parse().ok()
    }
}

/// Read the complete rows of a CSV file after its header, handing each to
/// `accept(index, row, end)` (`end`: the file length up to and including this
/// row) until one is torn or refused; returns the number of rows accepted and
/// the file length up to the last of them. Columns are found by name: the
/// file's header must be `header`, or the file is not continued.
pub fn scan_rows(
    path: &Path,
    header: &[String],
    mut accept: impl FnMut(usize, &csv::StringRecord, u64) -> bool,
) -> io::Result<(usize, u64)> {
    let mut reader = BufReader::new(std::fs::File::open(path)?);
    let mut line = String::new();
    let mut keep = reader.read_line(&mut line)? as u64; // the header
    if !line.ends_with('\n') {
        return Ok((0, 0));
    }
    if line.trim_end() != header.join(",") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: its columns are not the ones this agora writes (made by another version?): run without --resume",
                path.display()
            ),
        ));
    }
    let mut accepted = 0;
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let mut record = csv::StringRecord::new();
        match rows.read_record(&mut record) {
            Ok(true) if record.len() == header.len() && accept(accepted, &record, keep + n as u64) => {}
            _ => break,
        }
        accepted += 1;
        keep += n as u64;
    }
    Ok((accepted, keep))
}

/// A CSV file read whole, its columns found by header name: the one reader
/// of tables, for the analyses, the report and any caller reading results.
/// Every error names the file (and the line and column where there is one)
/// and is bad input (exit 2).
///
/// ```
/// use agora_core::output::table::{CsvInput, Table};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("finals.csv");
/// let mut table = Table::create(&path, &["scenario", "trust"])?;
/// for (scenario, trust) in [("pioneer", 0.625), ("fracture", f64::NAN)] {
///     table.text(scenario)?;
///     table.float(trust)?; // NaN, undefined, is written as an empty cell
///     table.end_row()?;
/// }
/// table.commit()?;
///
/// let read = CsvInput::read(&path)?;
/// let [scenario, trust] = read.columns(["scenario", "trust"])?;
/// assert_eq!(&read.rows[1][scenario], "fracture");
/// let trust = read.numbers_or_undefined(trust)?;
/// assert_eq!(trust[0], 0.625);
/// assert!(trust[1].is_nan());
/// assert!(read.column("adoption").is_err()); // the message lists the columns there are
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvInput {
    /// The file, as given.
    pub path: std::path::PathBuf,
    /// The header's names, in file order.
    pub header: Vec<String>,
    /// The rows after the header.
    pub rows: Vec<csv::StringRecord>,
}

impl CsvInput {
    /// Read `path`: a header row, then rows of the same width.
    pub fn read(path: &Path) -> crate::Result<CsvInput> {
        CsvInput::read_with(path, &csv::ReaderBuilder::new())
    }

    /// As [`CsvInput::read`], skipping lines that start with `#`: comments in
    /// a file written by hand, such as an observed series.
    pub fn read_commented(path: &Path) -> crate::Result<CsvInput> {
        CsvInput::read_with(path, csv::ReaderBuilder::new().comment(Some(b'#')))
    }

    /// As [`CsvInput::read`], from a file already opened (by a caller that
    /// checks which files it may read); `path` names it in messages.
    pub fn read_from(path: &Path, file: impl std::io::Read) -> crate::Result<CsvInput> {
        CsvInput::parse(path, csv::ReaderBuilder::new().from_reader(file))
    }

    fn read_with(path: &Path, builder: &csv::ReaderBuilder) -> crate::Result<CsvInput> {
        let reader = builder
            .from_path(path)
            .map_err(|e| crate::Error::Input(format!("{}: {e}", path.display())))?;
        CsvInput::parse(path, reader)
    }

    fn parse<R: std::io::Read>(path: &Path, mut reader: csv::Reader<R>) -> crate::Result<CsvInput> {
        let bad = |e: csv::Error| crate::Error::Input(format!("{}: {e}", path.display()));
        let header = reader.headers().map_err(bad)?.iter().map(String::from).collect();
        let rows = reader.records().collect::<Result<Vec<_>, _>>().map_err(bad)?;
        Ok(CsvInput {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// The position of column `name`, if the file has it.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The position of column `name`; an error listing the columns if absent.
    pub fn column(&self, name: &str) -> crate::Result<usize> {
        self.find(name).ok_or_else(|| {
            let near = crate::scenario::suggest::did_you_mean(name, self.header.iter().map(String::as_str));
            crate::Error::Input(match near {
                Some(near) => format!("{}: no column `{name}`; did you mean `{near}`?", self.path.display()),
                None => format!(
                    "{}: no column `{name}` (its columns: {})",
                    self.path.display(),
                    self.header.join(", ")
                ),
            })
        })
    }

    /// The positions of columns `names`, in that order; an error naming the
    /// first one absent.
    pub fn columns<const N: usize>(&self, names: [&str; N]) -> crate::Result<[usize; N]> {
        let mut found = [0; N];
        for (slot, name) in found.iter_mut().zip(names) {
            *slot = self.column(name)?;
        }
        Ok(found)
    }

    /// The file line of row `r` (the header is line 1), for messages.
    pub fn line(&self, r: usize) -> u64 {
        self.rows[r].position().map_or(r as u64 + 2, |p| p.line())
    }

    /// Column `j` as numbers; an error naming the first cell that is not one.
    pub fn numbers(&self, j: usize) -> crate::Result<Vec<f64>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let cell = row.get(j).unwrap_or("");
                cell.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        crate::Error::Input(format!(
                            "{}:{}: column `{}`: `{cell}` is not a finite number",
                            self.path.display(),
                            self.line(r),
                            self.header[j]
                        ))
                    })
            })
            .collect()
    }

    /// Column `j` as numbers where an empty cell is an undefined value (NaN),
    /// as agora writes undefined metrics; an error naming the first other
    /// cell that is not a number.
    pub fn numbers_or_undefined(&self, j: usize) -> crate::Result<Vec<f64>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let cell = row.get(j).unwrap_or("").trim();
                parse_float(cell).ok_or_else(|| {
                    crate::Error::Input(format!(
                        "{}:{}: column `{}`: `{cell}` is not a number",
                        self.path.display(),
                        self.line(r),
                        self.header[j]
                    ))
                })
            })
            .collect()
    }

    /// Whether every cell of column `j` is a finite number.
    pub fn is_numeric(&self, j: usize) -> bool {
        self.rows.iter().all(|row| {
            row.get(j)
                .and_then(|c| c.trim().parse::<f64>().ok())
                .is_some_and(f64::is_finite)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_hold_what_a_table_writes() {
        let mut t = Columns::new(&["name", "n", "x"]);
        for (name, n, x) in [("a", 1, 0.5), ("b", 2, f64::NAN), ("c", 3, -f64::INFINITY)] {
            t.text(name).unwrap();
            t.int(n).unwrap();
            t.float(x).unwrap();
            t.end_row().unwrap();
        }
        assert_eq!(t.rows, 3);
        assert_eq!(t.columns[0], Column::Text(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(t.columns[1], Column::Int(vec![1, 2, 3]));
        // A value the file writes as an empty cell is NaN, as it reads back.
        let Column::Float(x) = &t.columns[2] else {
            panic!("floats")
        };
        assert_eq!(x[0], 0.5);
        assert!(x[1].is_nan() && x[2].is_nan());
    }

    #[test]
    fn columns_refuse_ragged_rows_and_mixed_kinds() {
        let mut t = Columns::new(&["a", "b"]);
        t.int(1).unwrap();
        assert!(t.end_row().is_err(), "a short row");
        let mut t = Columns::new(&["a"]);
        t.int(1).unwrap();
        assert!(t.float(2.0).is_err(), "a long row");
        t.end_row().unwrap();
        assert!(t.text("x").is_err(), "a text in an int column");
    }
}
