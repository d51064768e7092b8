//! The format of the streamed tables (`--format csv|parquet`), and Parquet
//! tables written and read through the parquet crate's column writer (no
//! arrow: the crate with only its zstd codec builds in about half a minute).
//!
//! A Parquet file has its index (the footer) at its end, so it cannot be
//! continued after an interruption: [`ParquetTable`] streams row groups of
//! [`ROW_GROUP_ROWS`] rows to a hidden one-shot file (memory holds one row
//! group, whatever the number of runs) and moves it into place complete. A
//! Parquet run or sweep is therefore not resumed: `--resume` with
//! `--format parquet` is refused (exit 2) before anything is written.
//!
//! Each column has one [`Kind`]: text is a UTF-8 string, a whole number a
//! 64-bit integer (a seed an unsigned one), a number a double, optional: an
//! undefined value (an empty cell in the CSV) is a null. Row groups end every
//! [`ROW_GROUP_ROWS`] rows, runs arrive in job order, and the encoder has no
//! randomness, so a file's bytes do not depend on the thread count.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::table::{Cells, Table};

/// The format of the big streamed tables of `run` and `sweep` (time
/// series, summary, a sweep's runs); small tables stay CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Format {
    /// Comma-separated text (the default).
    #[default]
    Csv,
    /// Apache Parquet, zstd-compressed, one file per table.
    Parquet,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// The file name of table `stem` in this format (`timeseries.parquet`).
    pub fn file(self, stem: &str) -> String {
        format!("{stem}.{}", self.extension())
    }

    /// The file name `name` (`NAME.csv`) in this format.
    pub fn rename(self, name: &str) -> String {
        self.file(name.strip_suffix(".csv").unwrap_or(name))
    }

    /// Refuse `--resume` for a format that cannot be continued.
    pub fn check_resume(self, resume: bool) -> crate::Result<()> {
        if resume && self == Format::Parquet {
            return Err(crate::Error::Input(
                "--resume works with --format csv only: a Parquet file has its index at its end, so an \
                 interrupted one cannot be continued; run again without --resume (a sweep's shards are \
                 each run again whole), or use CSV"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Whether this build can write the format.
    pub fn check_available(self) -> crate::Result<()> {
        if self == Format::Parquet && !cfg!(feature = "parquet") {
            return Err(crate::Error::Input(
                "--format parquet: this agora was built without its `parquet` cargo feature".into(),
            ));
        }
        Ok(())
    }
}

/// The kind of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text: a Parquet UTF-8 string.
    Text,
    /// A whole number that fits in 63 bits: a signed 64-bit integer.
    Int,
    /// A whole number of 64 bits (a seed): an unsigned 64-bit integer.
    UInt,
    /// A number, NaN or infinite where undefined: an optional double, null where undefined.
    Float,
}

/// A streamed table in either format: a CSV [`Table`] or a [`ParquetTable`].
pub enum Streamed {
    /// A CSV file, flushed after every run so that it can be resumed.
    Csv(Table),
    /// A Parquet file, committed whole.
    #[cfg(feature = "parquet")]
    Parquet(ParquetTable),
}

impl Streamed {
    /// A new table `stem` in `dir` in `format`: a resumable CSV file
    /// (`STEM.csv`) or a Parquet file (`STEM.parquet`).
    pub fn create<S: AsRef<str>>(
        format: Format,
        dir: &Path,
        stem: &str,
        columns: &[(S, Kind)],
    ) -> io::Result<Streamed> {
        let path = dir.join(format.file(stem));
        match format {
            Format::Csv => {
                let header: Vec<&str> = columns.iter().map(|c| c.0.as_ref()).collect();
                Ok(Streamed::Csv(Table::create_durable(&path, &header)?))
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => Ok(Streamed::Parquet(ParquetTable::create(&path, columns)?)),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => Err(io::Error::other("built without the `parquet` feature")),
        }
    }

    /// Push the rows written so far towards the file (a CSV file's complete
    /// rows reach it; Parquet writes whole row groups as they fill).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => t.flush(),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(_) => Ok(()),
        }
    }

    /// Finish the file and move it into place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => t.commit(),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(t) => t.commit(),
        }
    }
}

impl Cells for Streamed {
    fn text(&mut self, s: &str) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => t.text(s),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(t) => t.text(s),
        }
    }
    fn float(&mut self, x: f64) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => t.float(x),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(t) => t.float(x),
        }
    }
    fn int(&mut self, x: u64) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => t.int(x),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(t) => t.int(x),
        }
    }
    fn end_row(&mut self) -> io::Result<()> {
        match self {
            Streamed::Csv(t) => Cells::end_row(t),
            #[cfg(feature = "parquet")]
            Streamed::Parquet(t) => t.end_row(),
        }
    }
}

/// Rows per Parquet row group: what memory holds of a table being written
/// (about 16 MiB for a time series of 30 columns).
pub const ROW_GROUP_ROWS: usize = 1 << 16;

#[cfg(feature = "parquet")]
pub use parquet_table::{ParquetRows, ParquetTable, copy_rows, read_columns};

#[cfg(feature = "parquet")]
mod parquet_table {
    use std::io;
    use std::path::Path;
    use std::sync::Arc;

    use parquet::basic::{Compression, IntType, LogicalType, Repetition, Type as Physical, ZstdLevel};
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::record::Field;
    use parquet::schema::types::Type;

    use super::super::atomic::AtomicFile;
    use super::super::table::{Cells, Column, Columns};
    use super::{Kind, ROW_GROUP_ROWS};

    fn error(e: parquet::errors::ParquetError) -> io::Error {
        match e {
            parquet::errors::ParquetError::External(e) => io::Error::other(e),
            other => io::Error::other(other.to_string()),
        }
    }

    /// The cells of the row group being filled, one buffer per column.
    enum Buffer {
        Text(Vec<ByteArray>),
        Int(Vec<i64>),
        /// Defined values, and per row 1 (defined) or 0 (null).
        Float(Vec<f64>, Vec<i16>),
    }

    /// A Parquet file being written, row by row: cells are buffered by
    /// column and written as a row group every [`ROW_GROUP_ROWS`] rows, to a
    /// hidden file moved into place by [`ParquetTable::commit`].
    pub struct ParquetTable {
        writer: SerializedFileWriter<AtomicFile>,
        names: Vec<String>,
        kinds: Vec<Kind>,
        buffers: Vec<Buffer>,
        /// Complete rows in the buffers.
        rows: usize,
        /// The next cell's column.
        field: usize,
    }

    impl ParquetTable {
        /// A new table at `path` with these columns.
        pub fn create<S: AsRef<str>>(path: &Path, columns: &[(S, Kind)]) -> io::Result<ParquetTable> {
            let fields = columns
                .iter()
                .map(|(name, kind)| {
                    let (name, kind) = (name.as_ref(), *kind);
                    let (physical, logical, repetition) = match kind {
                        Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String), Repetition::REQUIRED),
                        Kind::Int => (Physical::INT64, None, Repetition::REQUIRED),
                        Kind::UInt => (
                            Physical::INT64,
                            Some(LogicalType::Integer(IntType {
                                bit_width: 64,
                                is_signed: false,
                            })),
                            Repetition::REQUIRED,
                        ),
                        Kind::Float => (Physical::DOUBLE, None, Repetition::OPTIONAL),
                    };
                    Type::primitive_type_builder(name, physical)
                        .with_logical_type(logical)
                        .with_repetition(repetition)
                        .build()
                        .map(Arc::new)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(error)?;
            let schema = Type::group_type_builder("agora")
                .with_fields(fields)
                .build()
                .map_err(error)?;
            let properties = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .set_created_by(format!("agora {}", env!("CARGO_PKG_VERSION")))
                .build();
            let file = AtomicFile::create(path)?;
            let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(properties)).map_err(error)?;
            Ok(ParquetTable {
                writer,
                names: columns.iter().map(|c| c.0.as_ref().to_string()).collect(),
                kinds: columns.iter().map(|c| c.1).collect(),
                buffers: columns.iter().map(|c| empty(c.1)).collect(),
                rows: 0,
                field: 0,
            })
        }

        /// The kind of the next cell's column, or an error if the row is full.
        fn next(&mut self, wanted: &str) -> io::Result<Kind> {
            self.kinds.get(self.field).copied().ok_or_else(|| {
                io::Error::other(format!(
                    "a row longer than the {} columns (a {wanted} cell)",
                    self.kinds.len()
                ))
            })
        }

        fn mismatch(&self, wanted: &str) -> io::Error {
            io::Error::other(format!(
                "column `{}` ({:?}): a {wanted} cell",
                self.names[self.field], self.kinds[self.field]
            ))
        }

        /// Write the buffered rows as one row group.
        fn write_group(&mut self) -> io::Result<()> {
            let mut group = self.writer.next_row_group().map_err(error)?;
            for buffer in &mut self.buffers {
                let mut column = group
                    .next_column()
                    .map_err(error)?
                    .ok_or_else(|| io::Error::other("more buffers than columns"))?;
                match buffer {
                    Buffer::Text(values) => {
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(values, None, None)
                            .map_err(error)?;
                        values.clear();
                    }
                    Buffer::Int(values) => {
                        column
                            .typed::<Int64Type>()
                            .write_batch(values, None, None)
                            .map_err(error)?;
                        values.clear();
                    }
                    Buffer::Float(values, defined) => {
                        column
                            .typed::<DoubleType>()
                            .write_batch(values, Some(defined), None)
                            .map_err(error)?;
                        values.clear();
                        defined.clear();
                    }
                }
                column.close().map_err(error)?;
            }
            group.close().map_err(error)?;
            self.rows = 0;
            Ok(())
        }

        /// Write the last row group and the footer, and move the file into place.
        pub fn commit(mut self) -> io::Result<()> {
            if self.field != 0 {
                return Err(io::Error::other("a row left unfinished"));
            }
            if self.rows > 0 {
                self.write_group()?;
            }
            self.writer.into_inner().map_err(error)?.commit()
        }
    }

    fn empty(kind: Kind) -> Buffer {
        match kind {
            Kind::Text => Buffer::Text(Vec::new()),
            Kind::Int | Kind::UInt => Buffer::Int(Vec::new()),
            Kind::Float => Buffer::Float(Vec::new(), Vec::new()),
        }
    }

    impl Cells for ParquetTable {
        fn text(&mut self, s: &str) -> io::Result<()> {
            self.next("text")?;
            match &mut self.buffers[self.field] {
                Buffer::Text(values) => values.push(ByteArray::from(s)),
                _ => return Err(self.mismatch("text")),
            }
            self.field += 1;
            Ok(())
        }

        fn float(&mut self, x: f64) -> io::Result<()> {
            self.next("number")?;
            match &mut self.buffers[self.field] {
                Buffer::Float(values, defined) if x.is_finite() => {
                    values.push(x);
                    defined.push(1);
                }
                Buffer::Float(_, defined) => defined.push(0),
                _ => return Err(self.mismatch("number")),
            }
            self.field += 1;
            Ok(())
        }

        fn int(&mut self, x: u64) -> io::Result<()> {
            let kind = self.next("whole number")?;
            let value = match kind {
                Kind::Int => i64::try_from(x).map_err(|_| {
                    io::Error::other(format!(
                        "column `{}`: {x} does not fit in 63 bits",
                        self.names[self.field]
                    ))
                })?,
                // An unsigned 64-bit column stores the bits as they are.
                Kind::UInt => x as i64,
                _ => return Err(self.mismatch("whole-number")),
            };
            match &mut self.buffers[self.field] {
                Buffer::Int(values) => values.push(value),
                _ => unreachable!("an integer kind has an integer buffer"),
            }
            self.field += 1;
            Ok(())
        }

        fn end_row(&mut self) -> io::Result<()> {
            if self.field != self.kinds.len() {
                return Err(io::Error::other("a row shorter than the columns"));
            }
            self.field = 0;
            self.rows += 1;
            if self.rows == ROW_GROUP_ROWS {
                self.write_group()?;
            }
            Ok(())
        }
    }

    /// Hand every row of the Parquet file at `path` to `row`, as cells
    /// written into `out` (row group by row group: memory holds one), after
    /// `check(index, fields)` accepted it; returns the number of rows.
    pub fn copy_rows<C: Cells>(
        path: &Path,
        out: &mut C,
        mut check: impl FnMut(usize, &[(String, Field)]) -> io::Result<()>,
    ) -> io::Result<usize> {
        let file = super::super::atomic::open_existing(path, false)?;
        let reader = SerializedFileReader::new(file).map_err(error)?;
        let mut n = 0;
        for row in reader.into_iter() {
            let fields = row.map_err(error)?.into_columns();
            check(n, &fields)?;
            for (_, field) in &fields {
                cell(out, field)?;
            }
            out.end_row()?;
            n += 1;
        }
        Ok(n)
    }

    /// The rows of a Parquet file read one at a time (memory holds one row
    /// group), each as the text a CSV file holds and as typed cells.
    pub struct ParquetRows {
        rows: parquet::record::reader::RowIter<'static>,
        last: Vec<(String, Field)>,
        /// The file's column names.
        pub names: Vec<String>,
    }

    impl ParquetRows {
        /// Open the Parquet file at `path` (a plain file; a link is not followed).
        pub fn open(path: &Path) -> io::Result<ParquetRows> {
            let file = super::super::atomic::open_existing(path, false)?;
            let reader = SerializedFileReader::new(file).map_err(error)?;
            let schema = reader.metadata().file_metadata().schema_descr_ptr();
            let names = schema.columns().iter().map(|c| c.name().to_string()).collect();
            Ok(ParquetRows {
                rows: reader.into_iter(),
                last: Vec::new(),
                names,
            })
        }

        /// Read the next row into `record` as CSV text (an undefined value
        /// empty); false at the end.
        pub fn read(&mut self, record: &mut csv::StringRecord) -> io::Result<bool> {
            let Some(row) = self.rows.next() else {
                return Ok(false);
            };
            self.last = row.map_err(error)?.into_columns();
            record.clear();
            let (mut ints, mut floats) = (itoa::Buffer::new(), ryu::Buffer::new());
            for (_, field) in &self.last {
                match field {
                    Field::Str(s) => record.push_field(s),
                    Field::Long(x) => record.push_field(ints.format(*x)),
                    Field::ULong(x) => record.push_field(ints.format(*x)),
                    Field::Double(x) if x.is_finite() => record.push_field(floats.format_finite(*x)),
                    _ => record.push_field(""),
                }
            }
            Ok(true)
        }

        /// Write the row last read into `out`, cell by cell, as it was written.
        pub fn write_last(&self, out: &mut impl Cells) -> io::Result<()> {
            for (_, field) in &self.last {
                cell(out, field)?;
            }
            out.end_row()
        }
    }

    /// One field as the cell it was written from.
    fn cell(out: &mut impl Cells, field: &Field) -> io::Result<()> {
        match field {
            Field::Str(s) => out.text(s),
            Field::Long(x) => out.int(*x as u64),
            Field::ULong(x) => out.int(*x),
            Field::Double(x) => out.float(*x),
            Field::Null => out.float(f64::NAN),
            other => Err(io::Error::other(format!(
                "a {other:?} cell, which agora does not write"
            ))),
        }
    }

    /// The whole Parquet file at `path` as [`Columns`] (for tests and small files).
    pub fn read_columns(path: &Path) -> io::Result<Columns> {
        let file = super::super::atomic::open_existing(path, false)?;
        let reader = SerializedFileReader::new(file).map_err(error)?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let names: Vec<String> = schema.columns().iter().map(|c| c.name().to_string()).collect();
        let mut columns = Columns::new(&names);
        copy_rows(path, &mut columns, |_, _| Ok(()))?;
        if columns.rows == 0 {
            columns.columns = schema
                .columns()
                .iter()
                .map(|c| match c.physical_type() {
                    Physical::BYTE_ARRAY => Column::Text(Vec::new()),
                    Physical::DOUBLE => Column::Float(Vec::new()),
                    _ => Column::Int(Vec::new()),
                })
                .collect();
        }
        Ok(columns)
    }
}

#[cfg(all(test, feature = "parquet"))]
mod tests {
    use super::super::table::Column;
    use super::*;

    #[test]
    fn a_parquet_table_reads_back_as_written_with_nulls_for_undefined_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let columns = [
            ("name", Kind::Text),
            ("n", Kind::Int),
            ("seed", Kind::UInt),
            ("x", Kind::Float),
        ];
        let mut bad = ParquetTable::create(&dir.path().join("bad.parquet"), &columns).unwrap();
        assert!(bad.int(1).is_err(), "a text column refuses a number");
        bad.text("a").unwrap();
        assert!(bad.int(u64::MAX).is_err(), "a signed column refuses 64 bits");
        drop(bad);
        let mut t = ParquetTable::create(&path, &columns).unwrap();
        let rows = ROW_GROUP_ROWS + 3; // two row groups
        for i in 0..rows {
            t.text(if i % 2 == 0 { "a" } else { "bé" }).unwrap();
            t.int(i as u64).unwrap();
            t.int(u64::MAX - i as u64).unwrap();
            t.float(if i % 3 == 0 { f64::NAN } else { i as f64 / 7.0 }).unwrap();
            t.end_row().unwrap();
        }
        t.commit().unwrap();
        let read = read_columns(&path).unwrap();
        assert_eq!(read.header, ["name", "n", "seed", "x"]);
        assert_eq!(read.rows, rows);
        let Column::Int(seeds) = &read.columns[2] else {
            panic!("ints")
        };
        assert_eq!(seeds[1], u64::MAX - 1);
        let Column::Float(x) = &read.columns[3] else {
            panic!("floats")
        };
        assert!(
            x[0].is_nan() && x[rows - 1].is_nan(),
            "rows 0 and 65538: multiples of 3"
        );
        assert_eq!(x[rows - 2], (rows - 2) as f64 / 7.0);
        let Column::Text(names) = &read.columns[0] else {
            panic!("text")
        };
        assert_eq!(names[rows - 2], "bé");
        // No hidden file is left.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["t.parquet"]);
    }

    #[test]
    fn parquet_cannot_be_resumed() {
        assert!(Format::Parquet.check_resume(true).is_err());
        assert!(Format::Parquet.check_resume(false).is_ok());
        assert!(Format::Csv.check_resume(true).is_ok());
        assert_eq!(Format::Parquet.rename("timeseries.csv"), "timeseries.parquet");
    }
}
