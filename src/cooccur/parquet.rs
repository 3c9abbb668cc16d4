//! Co-occurrences as Parquet: rows `(i: u32, j: u32, x: f64)` with 0-based ids,
//! what `cooccur --format parquet` writes and what Spark or DataFusion read,
//! sum by `(i, j)` and write back.
//!
//! The writer makes row groups of [`ROW_GROUP`] rows, Snappy-compressed. The
//! reader takes one file or a folder of part files (see `crate::parts`), reads
//! the columns `i`, `j`, `x` by name, and streams them a batch at a time. In
//! memory, between the reader, the shuffle and the writer, a row is a raw
//! 16-byte record: `u32 i, u32 j, f64 x`, little-endian.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::parts::{whole, PartsReader, Want};

/// Rows a row group: 16 MiB of raw records.
pub(crate) const ROW_GROUP: usize = 1 << 20;

/// The schema written: Spark and DataFusion read the `u32` ids as integers.
const SCHEMA: &str = "message cooc {
    required int32 i (INTEGER(32, false));
    required int32 j (INTEGER(32, false));
    required double x;
}";

/// Appends the raw record of `(i, j, x)`.
#[inline]
pub(crate) fn encode_raw(i: u32, j: u32, x: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(&i.to_le_bytes());
    out.extend_from_slice(&j.to_le_bytes());
    out.extend_from_slice(&x.to_le_bytes());
}

/// The `(i, j, x)` of a raw record.
#[inline]
pub(crate) fn decode_raw(r: &[u8]) -> (u32, u32, f64) {
    let mut x = [0u8; 8];
    x.copy_from_slice(&r[8..16]);
    (
        u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
        u32::from_le_bytes([r[4], r[5], r[6], r[7]]),
        f64::from_le_bytes(x),
    )
}

/// Reads Parquet co-occurrences as raw records.
pub(crate) struct ParquetCoocReader {
    parts: PartsReader,
    i: Vec<u64>,
    j: Vec<u64>,
    x: Vec<f64>,
}

impl std::fmt::Debug for ParquetCoocReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetCoocReader")
            .field("rows", &self.parts.rows())
            .finish_non_exhaustive()
    }
}

impl ParquetCoocReader {
    /// Opens a file or a folder of part files.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let parts = PartsReader::open(
            path,
            &[("i", Want::Int), ("j", Want::Int), ("x", Want::Float)],
        )?;
        Ok(ParquetCoocReader {
            parts,
            i: Vec::new(),
            j: Vec::new(),
            x: Vec::new(),
        })
    }

    /// Rows in all the files.
    pub(crate) fn len(&self) -> u64 {
        self.parts.rows()
    }

    /// Appends up to `max` raw records to `out`; returns how many (0 at the
    /// end). An id beyond `u32` or a null is an error naming the file and row.
    pub(crate) fn read_raw(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize> {
        let mut got = 0;
        while got < max {
            let (i, j, x) = (&mut self.i, &mut self.j, &mut self.x);
            let n = self.parts.next_batch(max - got, |cols, n| {
                i.clear();
                j.clear();
                x.clear();
                whole(cols[0].read_ints(n, i)?, n)?;
                whole(cols[1].read_ints(n, j)?, n)?;
                whole(cols[2].read_floats(n, x)?, n)?;
                let big = |v: &[u64]| v.iter().position(|&v| v > u32::MAX as u64);
                for (name, v) in [("i", &*i), ("j", &*j)] {
                    if let Some(at) = big(v) {
                        return Err((
                            Some(at),
                            format!("id {name} = {} does not fit 32 bits", v[at]),
                        ));
                    }
                }
                Ok(())
            })?;
            if n == 0 {
                break;
            }
            out.reserve(16 * n);
            for ((&i, &j), &x) in self.i.iter().zip(&self.j).zip(&self.x) {
                encode_raw(i as u32, j as u32, x, out);
            }
            got += n;
        }
        Ok(got)
    }
}

/// Writes Parquet co-occurrences from raw records; the file appears
/// atomically on [`ParquetCoocWriter::finish`].
pub(crate) struct ParquetCoocWriter {
    writer: SerializedFileWriter<AtomicFile>,
    path: PathBuf,
    i: Vec<i32>,
    j: Vec<i32>,
    x: Vec<f64>,
}

impl std::fmt::Debug for ParquetCoocWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetCoocWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A Parquet writer's error, naming the file.
pub(crate) fn write_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::io_path("writing", path, *io),
                Err(other) => Error::invalid(format!("writing {}: {other}", path.display())),
            }
        }
        e => Error::invalid(format!("writing {}: {e}", path.display())),
    }
}

impl ParquetCoocWriter {
    /// Starts writing `path` (a temporary file until `finish`).
    pub(crate) fn create(path: &Path) -> Result<Self> {
        let file = AtomicFile::create(path)?;
        let schema = Arc::new(parse_message_type(SCHEMA).map_err(|e| write_error(path, e))?);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by(format!("glove-wgpu {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = SerializedFileWriter::new(file, schema, Arc::new(props))
            .map_err(|e| write_error(path, e))?;
        Ok(ParquetCoocWriter {
            writer,
            path: path.to_path_buf(),
            i: Vec::new(),
            j: Vec::new(),
            x: Vec::new(),
        })
    }

    /// Adds whole raw records; writes a row group whenever one is full.
    pub(crate) fn write_raw(&mut self, records: &[u8]) -> Result<()> {
        for r in records.chunks_exact(16) {
            let (i, j, x) = decode_raw(r);
            // The same 32 bits: the schema marks the column unsigned.
            self.i.push(i as i32);
            self.j.push(j as i32);
            self.x.push(x);
            if self.i.len() == ROW_GROUP {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the rows held as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.i.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |e| write_error(&path, e);
        let mut group = self.writer.next_row_group().map_err(err)?;
        for k in 0..3 {
            let mut col = group
                .next_column()
                .map_err(err)?
                .ok_or_else(|| Error::invalid("the co-occurrence schema has three columns"))?;
            match k {
                0 => col.typed::<Int32Type>().write_batch(&self.i, None, None),
                1 => col.typed::<Int32Type>().write_batch(&self.j, None, None),
                _ => col.typed::<DoubleType>().write_batch(&self.x, None, None),
            }
            .map_err(err)?;
            col.close().map_err(err)?;
        }
        group.close().map_err(err)?;
        self.i.clear();
        self.j.clear();
        self.x.clear();
        Ok(())
    }

    /// Writes the last row group and the footer, and moves the file into place.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush()?;
        let path = self.path.clone();
        let file = self
            .writer
            .into_inner()
            .map_err(|e| write_error(&path, e))?;
        file.commit()
    }
}
