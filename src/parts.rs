//! Parquet inputs: one file, or a folder of part files as Spark, DataFusion and
//! Hadoop write them, and the typed columns the co-occurrence and vocabulary
//! readers take from them.
//!
//! In a folder, names that start with `_` or `.` are bookkeeping (`_SUCCESS`,
//! `.part-00000.parquet.crc`) and are skipped, as every engine skips them;
//! every other entry must be a Parquet file, read in name order. Columns are
//! found by name, extra columns are ignored, and each column may be `required`
//! or `optional` (engines write nullable columns) but a null is an error.
//! Integer columns may be 32- or 64-bit, signed or unsigned: Spark reads our
//! `u32` ids as 64-bit integers and writes them back so, DataFusion keeps
//! them; a negative value or one out of the reader's range is an error naming
//! the file and the row.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::{ConvertedType, LogicalType, Type as Physical};
use parquet::column::reader::{get_column_reader, ColumnReader};
use parquet::data_type::ByteArray;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescPtr;

use crate::error::{Error, Result};

/// The files of a Parquet input: `path` itself if it is a file, else the
/// folder's part files in name order. An empty folder is an error.
pub(crate) fn part_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io_path("opening", path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io_path("listing", path, e))? {
        let entry = entry.map_err(|e| Error::io_path("listing", path, e))?;
        let name = entry.file_name();
        let hidden = name
            .as_encoded_bytes()
            .first()
            .is_some_and(|&b| b == b'_' || b == b'.');
        if hidden {
            continue;
        }
        let p = entry.path();
        if std::fs::metadata(&p)
            .map_err(|e| Error::io_path("opening", &p, e))?
            .is_dir()
        {
            return Err(Error::invalid(format!(
                "{}: a Parquet input folder holds part files only, not the folder {}",
                path.display(),
                p.display()
            )));
        }
        files.push(p);
    }
    if files.is_empty() {
        return Err(Error::invalid(format!(
            "{}: the folder holds no Parquet part files (names starting with `_` or `.` are skipped)",
            path.display()
        )));
    }
    files.sort_by(|a, b| {
        natural_order(
            a.as_os_str().as_encoded_bytes(),
            b.as_os_str().as_encoded_bytes(),
        )
    });
    Ok(files)
}

/// Names compared with runs of digits as numbers, so that an engine's
/// `x_2.parquet` comes before `x_10.parquet` (Spark pads its part numbers,
/// DataFusion does not): a sorted output folder reads in its order.
fn natural_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (m, n) = (digits(x), digits(y));
                let trim = |s: &[u8]| {
                    let z = s.iter().take_while(|&&c| c == b'0').count();
                    s[z..].to_vec()
                };
                let (u, v) = (trim(&x[..m]), trim(&y[..n]));
                let o = u.len().cmp(&v.len()).then_with(|| u.cmp(&v));
                if o.is_ne() {
                    return o;
                }
                (x, y) = (&x[m..], &y[n..]);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_order;

    #[test]
    fn part_numbers_sort_as_numbers() {
        let mut names = [
            "x_10.parquet",
            "x_2.parquet",
            "x_1.parquet",
            "part-00003",
            "part-00010",
            "x_02.parquet",
        ];
        names.sort_by(|a, b| natural_order(a.as_bytes(), b.as_bytes()));
        assert_eq!(
            names,
            [
                "part-00003",
                "part-00010",
                "x_1.parquet",
                "x_02.parquet",
                "x_2.parquet",
                "x_10.parquet"
            ]
        );
    }
}

/// Opens one Parquet file and reads its footer; errors name it `name`.
pub(crate) fn open(path: &Path, name: &str) -> Result<SerializedFileReader<File>> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {name}"), e))?;
    SerializedFileReader::new(file)
        .map_err(|e| Error::malformed(name, "footer", format!("not a readable Parquet file: {e}")))
}

/// A Parquet file as a plain regular file, which Parquet needs (its footer is
/// read first): the file itself, or a temporary copy of a pipe or of a
/// compressed file (kept in `copies` while the input is read).
fn plain(path: &Path, copies: &mut Vec<crate::input::Spooled>) -> Result<PathBuf> {
    let mut input = crate::input::Input::open(path)?;
    if input.plain_file().is_some() {
        return Ok(path.to_path_buf());
    }
    input.peek(4)?;
    let copy = crate::input::spool(input, &std::env::temp_dir())?;
    let at = copy.path().to_path_buf();
    copies.push(copy);
    Ok(at)
}

/// What a column must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Non-negative integers (32- or 64-bit, signed or unsigned).
    Int,
    /// Floating-point numbers (64- or 32-bit).
    Float,
    /// UTF-8 strings.
    Text,
}

/// The index of the top-level column `name` of a file, checked against `want`.
pub(crate) fn find_column(
    reader: &SerializedFileReader<File>,
    file: &Path,
    name: &str,
    want: Want,
) -> Result<usize> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let bad = |problem: String| Error::malformed(file.display().to_string(), "schema", problem);
    let columns: Vec<String> = (0..schema.num_columns())
        .map(|k| schema.column(k).path().string())
        .collect();
    let k = columns.iter().position(|c| c == name).ok_or_else(|| {
        bad(format!(
            "no column `{name}` (the columns are {})",
            columns.join(", ")
        ))
    })?;
    let col = schema.column(k);
    if col.max_rep_level() > 0 {
        return Err(bad(format!("column `{name}` is repeated")));
    }
    let ok = match want {
        Want::Int => {
            // A decimal of scale 0 is an integer (Spark sums `u64` so).
            let scaled = col.type_scale() > 0;
            matches!(col.physical_type(), Physical::INT32 | Physical::INT64) && !scaled
        }
        Want::Float => matches!(col.physical_type(), Physical::DOUBLE | Physical::FLOAT),
        Want::Text => col.physical_type() == Physical::BYTE_ARRAY,
    };
    if !ok {
        let what = match want {
            Want::Int => "integers",
            Want::Float => "floating-point numbers",
            Want::Text => "strings",
        };
        return Err(bad(format!(
            "column `{name}` holds {} values, not {what}",
            col.physical_type()
        )));
    }
    Ok(k)
}

/// What is wrong in a batch of rows: the offset of the row within the batch,
/// when known, and the problem.
pub(crate) type Problem = (Option<usize>, String);

/// A column of one row group, read a batch at a time.
pub(crate) struct Column {
    reader: ColumnReader,
    desc: ColumnDescPtr,
    defs: Vec<i16>,
    i32s: Vec<i32>,
    i64s: Vec<i64>,
    f32s: Vec<f32>,
}

impl Column {
    /// Column `k` of `row_group`.
    pub(crate) fn new(row_group: &dyn RowGroupReader, k: usize) -> parquet::errors::Result<Self> {
        let desc = row_group.metadata().column(k).column_descr_ptr();
        let pages = row_group.get_column_page_reader(k)?;
        Ok(Column {
            reader: get_column_reader(desc.clone(), pages),
            desc,
            defs: Vec::new(),
            i32s: Vec::new(),
            i64s: Vec::new(),
            f32s: Vec::new(),
        })
    }

    fn name(&self) -> String {
        self.desc.path().string()
    }

    fn unsigned(&self) -> bool {
        match self.desc.logical_type_ref() {
            Some(LogicalType::Integer(t)) => !t.is_signed,
            _ => matches!(
                self.desc.converted_type(),
                ConvertedType::UINT_32 | ConvertedType::UINT_64
            ),
        }
    }

    /// Checks the definition levels of the last `n` rows read: no nulls.
    fn check_defs(&self, n: usize, values: usize) -> std::result::Result<(), Problem> {
        if values == n {
            return Ok(());
        }
        let max = self.desc.max_def_level();
        let at = self.defs.iter().position(|&d| d < max).unwrap_or(0);
        Err((Some(at), format!("column `{}` is null", self.name())))
    }

    /// Reads `n` rows of an integer column as `u64`, appended to `out`; an error
    /// on a null or a negative value. Returns the rows read: `n`, unless the row group ends.
    pub(crate) fn read_ints(
        &mut self,
        n: usize,
        out: &mut Vec<u64>,
    ) -> std::result::Result<usize, Problem> {
        let unsigned = self.unsigned();
        self.defs.clear();
        let defs = (self.desc.max_def_level() > 0).then_some(&mut self.defs);
        let (rows, values) = match &mut self.reader {
            ColumnReader::Int32ColumnReader(r) => {
                self.i32s.clear();
                let (rows, values, _) = r
                    .read_records(n, defs, None, &mut self.i32s)
                    .map_err(|e| (None, e.to_string()))?;
                (rows, values)
            }
            ColumnReader::Int64ColumnReader(r) => {
                self.i64s.clear();
                let (rows, values, _) = r
                    .read_records(n, defs, None, &mut self.i64s)
                    .map_err(|e| (None, e.to_string()))?;
                (rows, values)
            }
            _ => {
                return Err((
                    None,
                    format!("column `{}` is not an integer column", self.name()),
                ))
            }
        };
        self.check_defs(rows, values)?;
        let negative = |at: usize, v: i64| {
            (
                Some(at),
                format!("column `{}` holds {v}, a negative number", self.name()),
            )
        };
        match (&self.reader, unsigned) {
            (ColumnReader::Int32ColumnReader(_), true) => {
                out.extend(self.i32s.iter().map(|&v| v as u32 as u64))
            }
            (ColumnReader::Int32ColumnReader(_), false) => {
                if let Some(at) = self.i32s.iter().position(|&v| v < 0) {
                    return Err(negative(at, self.i32s[at] as i64));
                }
                out.extend(self.i32s.iter().map(|&v| v as u64))
            }
            (_, true) => out.extend(self.i64s.iter().map(|&v| v as u64)),
            (_, false) => {
                if let Some(at) = self.i64s.iter().position(|&v| v < 0) {
                    return Err(negative(at, self.i64s[at]));
                }
                out.extend(self.i64s.iter().map(|&v| v as u64))
            }
        }
        Ok(rows)
    }

    /// Reads `n` rows of a floating-point column as `f64`, appended to `out`.
    pub(crate) fn read_floats(
        &mut self,
        n: usize,
        out: &mut Vec<f64>,
    ) -> std::result::Result<usize, Problem> {
        self.defs.clear();
        let defs = (self.desc.max_def_level() > 0).then_some(&mut self.defs);
        let (rows, values) = match &mut self.reader {
            ColumnReader::DoubleColumnReader(r) => {
                let (rows, values, _) = r
                    .read_records(n, defs, None, out)
                    .map_err(|e| (None, e.to_string()))?;
                (rows, values)
            }
            ColumnReader::FloatColumnReader(r) => {
                self.f32s.clear();
                let (rows, values, _) = r
                    .read_records(n, defs, None, &mut self.f32s)
                    .map_err(|e| (None, e.to_string()))?;
                out.extend(self.f32s.iter().map(|&v| v as f64));
                (rows, values)
            }
            _ => {
                return Err((
                    None,
                    format!("column `{}` is not a float column", self.name()),
                ))
            }
        };
        self.check_defs(rows, values)?;
        Ok(rows)
    }

    /// Reads `n` rows of a string column, appended to `out`.
    pub(crate) fn read_text(
        &mut self,
        n: usize,
        out: &mut Vec<ByteArray>,
    ) -> std::result::Result<usize, Problem> {
        self.defs.clear();
        let defs = (self.desc.max_def_level() > 0).then_some(&mut self.defs);
        let (rows, values) = match &mut self.reader {
            ColumnReader::ByteArrayColumnReader(r) => {
                let (rows, values, _) = r
                    .read_records(n, defs, None, out)
                    .map_err(|e| (None, e.to_string()))?;
                (rows, values)
            }
            _ => {
                return Err((
                    None,
                    format!("column `{}` is not a string column", self.name()),
                ))
            }
        };
        self.check_defs(rows, values)?;
        Ok(rows)
    }
}

/// The rows of a Parquet input, all its files one after the other, read a
/// batch at a time, never more than a batch in memory; each batch lies within
/// one row group.
pub(crate) struct PartsReader {
    /// Each file (where it is read, and its name), its rows, and the indexes
    /// of the columns read.
    files: Vec<(PathBuf, String, u64, Vec<usize>)>,
    /// Temporary copies of inputs that were pipes or compressed.
    _copies: Vec<crate::input::Spooled>,
    rows: u64,
    /// The file being read (`files.len()` at the end).
    file: usize,
    reader: Option<SerializedFileReader<File>>,
    /// The next row group of the file.
    group: usize,
    /// Rows left in the row group being read.
    left: u64,
    columns: Vec<Column>,
    /// The row of the file read next.
    row: u64,
}

impl PartsReader {
    /// Opens a Parquet file or folder and checks that each file has the
    /// `columns`; reads every file's footer for the row counts.
    pub(crate) fn open(path: &Path, columns: &[(&str, Want)]) -> Result<Self> {
        let mut files = Vec::new();
        let mut copies = Vec::new();
        let mut rows = 0u64;
        for p in part_files(path)? {
            let name = p.display().to_string();
            let at = plain(&p, &mut copies)?;
            let reader = open(&at, &name)?;
            let idx = columns
                .iter()
                .map(|&(c, want)| find_column(&reader, &p, c, want))
                .collect::<Result<Vec<_>>>()?;
            let n = reader.metadata().file_metadata().num_rows().max(0) as u64;
            rows += n;
            files.push((at, name, n, idx));
        }
        Ok(PartsReader {
            files,
            _copies: copies,
            rows,
            file: 0,
            reader: None,
            group: 0,
            left: 0,
            columns: Vec::new(),
            row: 0,
        })
    }

    /// Rows in all the files, as their footers say.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    fn name(&self) -> String {
        match self.files.get(self.file) {
            Some(f) => f.1.clone(),
            None => "parquet input".into(),
        }
    }

    /// Moves to the next row group with rows; false at the end of the input.
    fn advance(&mut self) -> Result<bool> {
        while self.left == 0 {
            if self.file >= self.files.len() {
                return Ok(false);
            }
            if self.reader.is_none() {
                let (at, name, ..) = &self.files[self.file];
                self.reader = Some(open(at, name)?);
                self.group = 0;
                self.row = 0;
            }
            let reader = self.reader.as_ref().unwrap_or_else(|| unreachable!());
            if self.group == reader.num_row_groups() {
                self.reader = None;
                self.columns.clear();
                self.file += 1;
                continue;
            }
            let at = format!("row group {}", self.group);
            let bad = |e: parquet::errors::ParquetError| {
                Error::malformed(self.files[self.file].1.clone(), &at, e.to_string())
            };
            let group = reader.get_row_group(self.group).map_err(bad)?;
            self.left = group.metadata().num_rows().max(0) as u64;
            self.columns = self.files[self.file]
                .3
                .iter()
                .map(|&k| Column::new(&*group, k))
                .collect::<parquet::errors::Result<_>>()
                .map_err(bad)?;
            self.group += 1;
        }
        Ok(true)
    }

    /// Reads the next batch of at most `max` rows (fewer at the end of a row
    /// group): `read(columns, n)` reads `n` rows of each column, in the order
    /// given to [`PartsReader::open`], and checks them. Returns `n`, 0 at the
    /// end. Errors name the file and the row.
    pub(crate) fn next_batch(
        &mut self,
        max: usize,
        mut read: impl FnMut(&mut [Column], usize) -> std::result::Result<(), Problem>,
    ) -> Result<usize> {
        if max == 0 || !self.advance()? {
            return Ok(0);
        }
        let n = self.left.min(max as u64) as usize;
        if let Err((at, problem)) = read(&mut self.columns, n) {
            let location = match at {
                Some(at) => format!("row {}", self.row + at as u64),
                None => format!("row group {} (rows from {})", self.group - 1, self.row),
            };
            return Err(Error::malformed(self.name(), location, problem));
        }
        self.left -= n as u64;
        self.row += n as u64;
        Ok(n)
    }
}

/// Checks that a column gave the `n` rows asked for.
pub(crate) fn whole(got: usize, n: usize) -> std::result::Result<(), Problem> {
    if got == n {
        Ok(())
    } else {
        Err((
            Some(got),
            format!("the column ended after {got} of the row group's {n} rows left"),
        ))
    }
}
