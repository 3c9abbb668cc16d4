//! Co-occurrence files: Stanford's record and our native format.
//!
//! One file, over 500 lines: the reader and writer of both formats share the record layouts, header, footer and checksum.
//!
//! **Stanford (`glove`)**: a bare sequence of records `int32 i, int32 j,
//! float64 x` in native byte order (16 bytes, no header), with 1-based ids:
//! what Stanford's `cooccur` and `shuffle` write and `glove` reads.
//!
//! **Native**: little-endian, 0-based ids, `f32` counts:
//!
//! | bytes | content |
//! | --- | --- |
//! | 0..8 | magic `GLVWCOOC` |
//! | 8..12 | version `u32` = 1 |
//! | 12..16 | record size `u32` = 12 |
//! | then | `count` records `u32 i, u32 j, f32 x` |
//! | last 24 | `GLVWEND\0`, `count: u64`, `checksum: u64` |
//!
//! The checksum chains, for each record, its first 8 bytes `a` (as a
//! little-endian u64) and its last 4 `b`: `h = (rotl(h, 5) ^ a) * K;
//! h = (rotl(h, 5) ^ b) * K`, with `h0 = 0xcbf29ce484222325` and
//! `K = 0x100000001b3`. The reader checks the length against the footer on
//! open, and the checksum when it reaches the last record.
//!
//! **Parquet** (feature `parquet`, see the `parquet` module): rows `(i: u32,
//! j: u32, x: f64)`, 0-based; a file, or a folder of part files as engines
//! write them.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::input::Input as Opened;

use super::Cooc;

/// The co-occurrence file formats.
///
/// ```
/// use glove_wgpu::cooccur::CoocFormat;
/// assert_eq!(CoocFormat::Glove.record_bytes(), 16);
/// assert_eq!(CoocFormat::Native.record_bytes(), 12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum CoocFormat {
    /// Stanford's `int32 i, int32 j, float64 x`, native order, 1-based ids.
    #[default]
    #[cfg_attr(feature = "cli", value(name = "glove"))]
    Glove,
    /// Ours: header, `u32 i, u32 j, f32 x` little-endian 0-based, footer with
    /// count and checksum.
    #[cfg_attr(feature = "cli", value(name = "native"))]
    Native,
    /// Parquet rows `(i: u32, j: u32, x: f64)`, 0-based ids: one file, or a
    /// folder of part files (Spark's or DataFusion's output).
    #[cfg(feature = "parquet")]
    #[value(name = "parquet")]
    Parquet,
}

pub(crate) const MAGIC: &[u8; 8] = b"GLVWCOOC";
pub(crate) const END_MAGIC: &[u8; 8] = b"GLVWEND\0";
pub(crate) const HEADER: u64 = 16;
pub(crate) const FOOTER: u64 = 24;
const VERSION: u32 = 1;
const CHECK_INIT: u64 = 0xcbf2_9ce4_8422_2325;
const CHECK_K: u64 = 0x0000_0100_0000_01b3;

impl CoocFormat {
    /// Bytes per record (for Parquet: per raw record in memory, `u32 i, u32 j,
    /// f64 x`).
    ///
    /// ```
    /// use glove_wgpu::cooccur::CoocFormat;
    /// assert_eq!(CoocFormat::Glove.record_bytes(), 4 + 4 + 8); // i32, i32, f64
    /// assert_eq!(CoocFormat::Native.record_bytes(), 4 + 4 + 4); // u32, u32, f32
    /// ```
    pub fn record_bytes(self) -> usize {
        match self {
            CoocFormat::Glove => 16,
            CoocFormat::Native => 12,
            #[cfg(feature = "parquet")]
            CoocFormat::Parquet => 16,
        }
    }

    /// Guesses the format of a file: Parquet if it is a folder or starts with
    /// `PAR1`, native if it starts with the native magic, Stanford's otherwise;
    /// a compressed file by what it holds. A pipe cannot be looked at without
    /// consuming it: for those this is an error (see [`CoocFormat::detect_input`]).
    ///
    /// ```
    /// use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join("glove_wgpu_detect_doc.bin");
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write(&Cooc { i: 0, j: 1, x: 2.0 })?;
    /// w.finish()?;
    /// assert_eq!(CoocFormat::detect(&path)?, CoocFormat::Native);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn detect(path: impl AsRef<Path>) -> Result<CoocFormat> {
        let path = path.as_ref();
        #[cfg(feature = "parquet")]
        if path.is_dir() {
            return Ok(CoocFormat::Parquet);
        }
        if !crate::input::rereadable(path) && std::fs::metadata(path).is_ok() {
            return Err(Error::invalid(format!(
                "{}: the format of a pipe cannot be guessed without consuming what it looks \
                 at; name the format",
                path.display()
            )));
        }
        CoocFormat::detect_input(&mut Opened::open(path)?)
    }

    /// Guesses the format of an opened input from its first bytes, without
    /// consuming them (see [`CoocFormat::detect`]).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::CoocFormat, input::Input};
    /// let mut input = Input::from_reader(&b"GLVWCOOC..."[..], "pipe")?;
    /// assert_eq!(CoocFormat::detect_input(&mut input)?, CoocFormat::Native);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn detect_input(input: &mut Opened) -> Result<CoocFormat> {
        let head = input.peek(8)?;
        Ok(if head == MAGIC {
            CoocFormat::Native
        } else if cfg!(feature = "parquet") && head.starts_with(b"PAR1") {
            #[cfg(feature = "parquet")]
            {
                CoocFormat::Parquet
            }
            #[cfg(not(feature = "parquet"))]
            {
                CoocFormat::Glove
            }
        } else {
            CoocFormat::Glove
        })
    }
}

/// A co-occurrence input as a plain file, which the readers need (they seek
/// in it and read it again every epoch): the file itself, or a copy of a pipe
/// or of a compressed file. Its format is the one asked for or detected.
#[derive(Debug)]
pub(crate) struct PlainCooc {
    pub(crate) path: PathBuf,
    pub(crate) format: CoocFormat,
    /// The copy, removed when this is dropped.
    pub(crate) _copy: Option<crate::input::Spooled>,
}

impl PlainCooc {
    /// Opens `path` once: a folder (Parquet part files) or a plain regular file
    /// is read where it is; anything else (`-`, a pipe, a compressed file, a
    /// zip member) is detected on its kept head and copied into `spool_dir`.
    pub(crate) fn open(
        path: &Path,
        format: Option<CoocFormat>,
        spool_dir: &Path,
        progress: &mut crate::progress::Progress,
    ) -> Result<Self> {
        #[cfg(feature = "parquet")]
        if path.is_dir() {
            return Ok(PlainCooc {
                path: path.to_path_buf(),
                format: format.unwrap_or(CoocFormat::Parquet),
                _copy: None,
            });
        }
        let mut input = Opened::open(path)?;
        let format = match format {
            Some(f) => f,
            None => CoocFormat::detect_input(&mut input)?,
        };
        if input.plain_file().is_some() {
            return Ok(PlainCooc {
                path: path.to_path_buf(),
                format,
                _copy: None,
            });
        }
        let what = match input.compression() {
            Some(c) => format!("decompressing {} ({})", input.name(), c.name()),
            None => format!("copying {}", input.name()),
        };
        progress(crate::progress::Event::Note(&format!(
            "{what} into {} first: co-occurrences are read from a plain file",
            spool_dir.display()
        )))?;
        let copy = crate::input::spool(input, spool_dir)?;
        Ok(PlainCooc {
            path: copy.path().to_path_buf(),
            format,
            _copy: Some(copy),
        })
    }
}

/// The running checksum of native records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checksum(u64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(CHECK_INIT)
    }
}

impl Checksum {
    /// Adds whole 12-byte records.
    #[inline]
    pub(crate) fn update(&mut self, records: &[u8]) {
        let mut h = self.0;
        for r in records.chunks_exact(12) {
            let a = u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]);
            let b = u32::from_le_bytes([r[8], r[9], r[10], r[11]]) as u64;
            h = (h.rotate_left(5) ^ a).wrapping_mul(CHECK_K);
            h = (h.rotate_left(5) ^ b).wrapping_mul(CHECK_K);
        }
        self.0 = h;
    }
}

/// Reads a co-occurrence file in chunks, in either format, as 0-based [`Cooc`].
///
/// ```
/// use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocReader, CoocWriter};
/// let path = std::env::temp_dir().join("glove_wgpu_reader_doc.bin");
/// let mut w = CoocWriter::create(&path, CoocFormat::Glove)?;
/// for k in 0..5 {
///     w.write(&Cooc { i: k, j: k + 1, x: 0.5 })?;
/// }
/// w.finish()?;
/// let mut r = CoocReader::open(&path, CoocFormat::Glove)?;
/// assert_eq!(r.len(), Some(5));
/// let mut buf = Vec::new();
/// assert_eq!(r.read_chunk(&mut buf, 3)?, 3);
/// assert_eq!(r.read_chunk(&mut buf, 3)?, 2);
/// assert_eq!(r.read_chunk(&mut buf, 3)?, 0);
/// assert_eq!(buf[4], Cooc { i: 4, j: 5, x: 0.5 });
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Debug)]
pub struct CoocReader {
    input: Input,
    name: String,
    format: CoocFormat,
    count: u64,
    done: u64,
    expected_check: u64,
    check: Checksum,
    bytes: Vec<u8>,
}

/// Where a [`CoocReader`] reads.
#[derive(Debug)]
enum Input {
    File(File),
    #[cfg(feature = "parquet")]
    Parquet(Box<super::parquet::ParquetCoocReader>),
}

impl CoocReader {
    /// Opens a file (for Parquet, a file or a folder of part files); for the
    /// native format checks the header, and the length against the footer's
    /// record count.
    ///
    /// ```
    /// use glove_wgpu::cooccur::{CoocFormat, CoocReader};
    /// let path = std::env::temp_dir().join(format!("glove-doc-open-{}.bin", std::process::id()));
    /// std::fs::write(&path, [0u8; 20]).unwrap(); // 20 bytes: not whole 16-byte records
    /// assert!(CoocReader::open(&path, CoocFormat::Glove).is_err());
    /// assert!(CoocReader::open(&path, CoocFormat::Native).is_err()); // no header
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn open(path: impl AsRef<Path>, format: CoocFormat) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        #[cfg(feature = "parquet")]
        if format == CoocFormat::Parquet {
            let reader = super::parquet::ParquetCoocReader::open(path)?;
            return Ok(CoocReader {
                count: reader.len(),
                input: Input::Parquet(Box::new(reader)),
                name,
                format,
                done: 0,
                expected_check: 0,
                check: Checksum::default(),
                bytes: Vec::new(),
            });
        }
        let mut file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io_path("reading the size of", path, e))?;
        if !meta.is_file() {
            return Err(Error::invalid(format!(
                "{name} is not a regular file (a pipe, a device or a folder): co-occurrences \
                 are read with seeks and again every epoch; `glove-wgpu train` and `shuffle` \
                 copy a pipe to a file first (pipeline::cooc_input)"
            )));
        }
        let len = meta.len();
        let mut magic = Vec::with_capacity(10);
        (&mut file)
            .take(10)
            .read_to_end(&mut magic)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .map_err(|e| Error::io_path("reading", path, e))?;
        if let Some(c) = crate::input::Compression::detect(&magic) {
            return Err(Error::invalid(format!(
                "{name} is {}-compressed: CoocReader reads plain files; `glove-wgpu train` and \
                 `shuffle` decompress it first (pipeline::cooc_input)",
                c.name()
            )));
        }
        let (count, expected_check) = match format {
            CoocFormat::Glove => {
                if !len.is_multiple_of(16) {
                    return Err(Error::malformed(
                        &name,
                        format!("record {}", len / 16),
                        format!(
                            "truncated: {len} bytes is not a whole number of 16-byte records \
                             (int32, int32, float64)"
                        ),
                    ));
                }
                (len / 16, 0)
            }
            #[cfg(feature = "parquet")]
            CoocFormat::Parquet => (0, 0), // opened above
            CoocFormat::Native => {
                if len < HEADER + FOOTER {
                    return Err(Error::malformed(
                        &name,
                        "header",
                        format!("{len} bytes is too short for a native co-occurrence file"),
                    ));
                }
                let mut head = [0u8; 16];
                file.read_exact(&mut head)
                    .map_err(|e| Error::io_path("reading", path, e))?;
                if &head[..8] != MAGIC {
                    return Err(Error::malformed(
                        &name,
                        "header",
                        "not a native co-occurrence file (bad magic; is it Stanford's format?)",
                    ));
                }
                let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
                let rec = u32::from_le_bytes([head[12], head[13], head[14], head[15]]);
                if version != VERSION || rec != 12 {
                    return Err(Error::malformed(
                        &name,
                        "header",
                        format!("unsupported version {version} / record size {rec}"),
                    ));
                }
                let mut foot = [0u8; 24];
                file.seek(SeekFrom::Start(len - FOOTER))
                    .and_then(|_| file.read_exact(&mut foot))
                    .map_err(|e| Error::io_path("reading", path, e))?;
                if &foot[..8] != END_MAGIC {
                    return Err(Error::malformed(
                        &name,
                        "footer",
                        "missing end marker (truncated or unfinished file)",
                    ));
                }
                let count = u64::from_le_bytes(foot[8..16].try_into().unwrap_or_default());
                let check = u64::from_le_bytes(foot[16..24].try_into().unwrap_or_default());
                let body = len - HEADER - FOOTER;
                if !body.is_multiple_of(12) || body / 12 != count {
                    return Err(Error::malformed(
                        &name,
                        "footer",
                        format!("the footer says {count} records but the file holds {body} bytes of records"),
                    ));
                }
                file.seek(SeekFrom::Start(HEADER))
                    .map_err(|e| Error::io_path("reading", path, e))?;
                (count, check)
            }
        };
        Ok(CoocReader {
            input: Input::File(file),
            name,
            format,
            count,
            done: 0,
            expected_check,
            check: Checksum::default(),
            bytes: Vec::new(),
        })
    }

    /// The number of records in the file, when known (always, for files).
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-len-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write(&Cooc { i: 0, j: 1, x: 1.0 })?;
    /// w.finish()?;
    /// assert_eq!(CoocReader::open(&path, CoocFormat::Native)?.len(), Some(1));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> Option<u64> {
        Some(self.count)
    }

    /// Whether the file holds no records.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-empty-{}.bin", std::process::id()));
    /// CoocWriter::create(&path, CoocFormat::Glove)?.finish()?;
    /// assert!(CoocReader::open(&path, CoocFormat::Glove)?.is_empty());
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The file's format.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-rfmt-{}.bin", std::process::id()));
    /// CoocWriter::create(&path, CoocFormat::Native)?.finish()?;
    /// assert_eq!(CoocReader::open(&path, CoocFormat::Native)?.format(), CoocFormat::Native);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn format(&self) -> CoocFormat {
        self.format
    }

    /// Reads up to `max` records as raw bytes, appended to `out`; checks the
    /// native checksum at the end. Returns the number of records.
    pub(crate) fn read_raw(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize> {
        let n = (self.count - self.done).min(max as u64) as usize;
        if n == 0 {
            return Ok(0);
        }
        let rb = self.format.record_bytes();
        let old = out.len();
        #[cfg(feature = "parquet")]
        if let Input::Parquet(p) = &mut self.input {
            let got = p.read_raw(out, n)?;
            self.done += got as u64;
            if got < n {
                return Err(Error::malformed(
                    &self.name,
                    format!("record {}", self.done),
                    format!(
                        "the footers promise {} rows but the row groups end here",
                        self.count
                    ),
                ));
            }
            return Ok(n);
        }
        out.resize(old + n * rb, 0);
        #[allow(irrefutable_let_patterns)]
        let Input::File(file) = &mut self.input
        else {
            return Ok(0);
        };
        if let Err(e) = file.read_exact(&mut out[old..]) {
            out.truncate(old);
            return Err(if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::malformed(
                    &self.name,
                    format!("record {}", self.done),
                    "file shrank while reading",
                )
            } else {
                Error::io(format!("reading {}", self.name), e)
            });
        }
        if self.format == CoocFormat::Native {
            self.check.update(&out[old..]);
        }
        self.done += n as u64;
        if self.done == self.count
            && self.format == CoocFormat::Native
            && self.check.0 != self.expected_check
        {
            return Err(Error::malformed(
                &self.name,
                "footer",
                "checksum mismatch: the records are corrupted",
            ));
        }
        Ok(n)
    }

    /// Appends up to `max` records to `buf`, converted to 0-based [`Cooc`];
    /// returns how many (0 at the end). Errors name the record: an id that is
    /// not 1-based in Stanford's format, a count that is not finite, a native
    /// checksum mismatch.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-chunk-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Glove)?;
    /// (0..3).try_for_each(|k| w.write(&Cooc { i: k, j: 0, x: 1.0 }))?;
    /// w.finish()?;
    /// let (mut r, mut buf) = (CoocReader::open(&path, CoocFormat::Glove)?, Vec::new());
    /// while r.read_chunk(&mut buf, 2)? > 0 {}
    /// assert_eq!(buf.iter().map(|c| c.i).collect::<Vec<_>>(), [0, 1, 2]);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read_chunk(&mut self, buf: &mut Vec<Cooc>, max: usize) -> Result<usize> {
        buf.reserve(max.min(1 << 20));
        self.decode(max, |i, j, x| buf.push(Cooc { i, j, x: x as f32 }))
    }

    /// Like [`CoocReader::read_chunk`], keeping Stanford's double-precision
    /// counts: appends `(i, j, x)` with 0-based ids.
    ///
    /// ```
    /// use glove_wgpu::cooccur::{CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join("glove_wgpu_f64_doc.bin");
    /// let mut w = CoocWriter::create(&path, CoocFormat::Glove)?;
    /// w.write_f64(2, 0, 0.1)?;
    /// w.finish()?;
    /// let mut buf = Vec::new();
    /// CoocReader::open(&path, CoocFormat::Glove)?.read_chunk_f64(&mut buf, 10)?;
    /// assert_eq!(buf, [(2, 0, 0.1)]);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read_chunk_f64(&mut self, buf: &mut Vec<(u32, u32, f64)>, max: usize) -> Result<usize> {
        buf.reserve(max.min(1 << 20));
        self.decode(max, |i, j, x| buf.push((i, j, x)))
    }

    fn decode(&mut self, max: usize, mut push: impl FnMut(u32, u32, f64)) -> Result<usize> {
        let first = self.done;
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        let n = self.read_raw(&mut bytes, max);
        self.bytes = bytes;
        let n = n?;
        let rb = self.format.record_bytes();
        for (k, r) in self.bytes.chunks_exact(rb).enumerate() {
            let (i, j, x) = match self.format {
                CoocFormat::Glove => {
                    let i = i32::from_ne_bytes([r[0], r[1], r[2], r[3]]);
                    let j = i32::from_ne_bytes([r[4], r[5], r[6], r[7]]);
                    let x =
                        f64::from_ne_bytes([r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]]);
                    if i < 1 || j < 1 {
                        return Err(Error::malformed(
                            &self.name,
                            format!("record {}", first + k as u64),
                            format!("word ids ({i}, {j}) are not 1-based (is it a native file?)"),
                        ));
                    }
                    ((i - 1) as u32, (j - 1) as u32, x)
                }
                CoocFormat::Native => (
                    u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
                    u32::from_le_bytes([r[4], r[5], r[6], r[7]]),
                    f32::from_le_bytes([r[8], r[9], r[10], r[11]]) as f64,
                ),
                #[cfg(feature = "parquet")]
                CoocFormat::Parquet => super::parquet::decode_raw(r),
            };
            if !x.is_finite() {
                return Err(Error::malformed(
                    &self.name,
                    format!("record {}", first + k as u64),
                    format!("count {x} is not finite"),
                ));
            }
            push(i, j, x);
        }
        Ok(n)
    }
}

/// Reads a whole co-occurrence file into memory, as 0-based [`Cooc`].
///
/// ```
/// use glove_wgpu::cooccur::{read_all, Cooc, CoocFormat, CoocWriter};
/// let path = std::env::temp_dir().join("glove_wgpu_read_all_doc.bin");
/// let recs = vec![Cooc { i: 0, j: 2, x: 1.5 }, Cooc { i: 2, j: 0, x: 1.5 }];
/// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
/// for r in &recs {
///     w.write(r)?;
/// }
/// w.finish()?;
/// assert_eq!(read_all(&path, CoocFormat::Native)?, recs);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_all(path: impl AsRef<Path>, format: CoocFormat) -> Result<Vec<Cooc>> {
    let mut r = CoocReader::open(path, format)?;
    let mut out = Vec::with_capacity(r.len().unwrap_or(0).min(1 << 28) as usize);
    while r.read_chunk(&mut out, 1 << 16)? > 0 {}
    Ok(out)
}

/// Appends one record in `format` (0-based ids given) to `out`.
#[inline]
pub(crate) fn encode(format: CoocFormat, i: u32, j: u32, x: f64, out: &mut Vec<u8>) -> Result<()> {
    match format {
        CoocFormat::Glove => {
            if i >= i32::MAX as u32 || j >= i32::MAX as u32 {
                return Err(Error::invalid(format!(
                    "id ({i}, {j}) does not fit Stanford's int32 record"
                )));
            }
            let mut r = [0u8; 16];
            r[0..4].copy_from_slice(&(i as i32 + 1).to_ne_bytes());
            r[4..8].copy_from_slice(&(j as i32 + 1).to_ne_bytes());
            r[8..16].copy_from_slice(&x.to_ne_bytes());
            out.extend_from_slice(&r);
        }
        CoocFormat::Native => {
            let mut r = [0u8; 12];
            r[0..4].copy_from_slice(&i.to_le_bytes());
            r[4..8].copy_from_slice(&j.to_le_bytes());
            r[8..12].copy_from_slice(&(x as f32).to_le_bytes());
            out.extend_from_slice(&r);
        }
        #[cfg(feature = "parquet")]
        CoocFormat::Parquet => super::parquet::encode_raw(i, j, x, out),
    }
    Ok(())
}

/// Writes a co-occurrence file in either format; the file appears (atomically)
/// on [`CoocWriter::finish`], and not at all if the writer is dropped before.
///
/// ```
/// use glove_wgpu::cooccur::{read_all, Cooc, CoocFormat, CoocWriter};
/// let path = std::env::temp_dir().join("glove_wgpu_writer_doc.bin");
/// let mut w = CoocWriter::create(&path, CoocFormat::Glove)?;
/// w.write_f64(0, 1, 1.0 / 3.0)?; // Stanford's format keeps the f64
/// assert_eq!(w.records(), 1);
/// w.finish()?;
/// let bytes = std::fs::read(&path).unwrap();
/// assert_eq!(&bytes[..4], &1i32.to_ne_bytes()); // 1-based on disk
/// assert_eq!(f64::from_ne_bytes(bytes[8..16].try_into().unwrap()), 1.0 / 3.0);
/// assert_eq!(read_all(&path, CoocFormat::Glove)?, [Cooc { i: 0, j: 1, x: 1.0 / 3.0 }]);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Debug)]
pub struct CoocWriter {
    file: Output,
    path: PathBuf,
    format: CoocFormat,
    count: u64,
    check: Checksum,
    buf: Vec<u8>,
}

const WRITE_BUF: usize = 1 << 16;

/// Where a [`CoocWriter`] writes.
#[derive(Debug)]
enum Output {
    File(AtomicFile),
    #[cfg(feature = "parquet")]
    Parquet(Box<super::parquet::ParquetCoocWriter>),
}

impl CoocWriter {
    /// Starts writing `path` (a temporary file until [`CoocWriter::finish`]).
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-create-{}.bin", std::process::id()));
    /// let w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// assert!(!path.exists()); // until finish
    /// w.finish()?;
    /// assert_eq!(std::fs::metadata(&path).unwrap().len(), 16 + 24); // header and footer
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn create(path: impl AsRef<Path>, format: CoocFormat) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = match format {
            #[cfg(feature = "parquet")]
            CoocFormat::Parquet => {
                Output::Parquet(Box::new(super::parquet::ParquetCoocWriter::create(&path)?))
            }
            _ => Output::File(AtomicFile::create_compressed(&path)?),
        };
        let mut buf = Vec::with_capacity(WRITE_BUF + 16);
        if format == CoocFormat::Native {
            buf.extend_from_slice(MAGIC);
            buf.extend_from_slice(&VERSION.to_le_bytes());
            buf.extend_from_slice(&12u32.to_le_bytes());
        }
        Ok(CoocWriter {
            file,
            path,
            format,
            count: 0,
            check: Checksum::default(),
            buf,
        })
    }

    /// The format being written.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-wfmt-{}.bin", std::process::id()));
    /// let w = CoocWriter::create(&path, CoocFormat::Glove)?;
    /// assert_eq!(w.format(), CoocFormat::Glove); // dropped unfinished: no file
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn format(&self) -> CoocFormat {
        self.format
    }

    /// Records written so far.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-records-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write(&Cooc { i: 1, j: 2, x: 3.0 })?;
    /// assert_eq!(w.records(), 1);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn records(&self) -> u64 {
        self.count
    }

    fn flush_buf(&mut self) -> Result<()> {
        match &mut self.file {
            Output::File(f) => f
                .write_all(&self.buf)
                .map_err(|e| Error::io_path("writing", &self.path, e))?,
            #[cfg(feature = "parquet")]
            Output::Parquet(p) => p.write_raw(&self.buf)?,
        }
        self.buf.clear();
        Ok(())
    }

    /// Starts writing what was written so far to disk in the background
    /// (see `AtomicFile::start_writeback`).
    pub(crate) fn start_writeback(&mut self) -> Result<()> {
        self.flush_buf()?;
        match &mut self.file {
            Output::File(f) => f
                .start_writeback()
                .map_err(|e| Error::io_path("writing", &self.path, e)),
            #[cfg(feature = "parquet")]
            Output::Parquet(_) => Ok(()),
        }
    }

    /// Writes one record (0-based ids).
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{read_all, Cooc, CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-write-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write(&Cooc { i: 1, j: 2, x: 3.0 })?;
    /// w.finish()?;
    /// assert_eq!(read_all(&path, CoocFormat::Native)?, [Cooc { i: 1, j: 2, x: 3.0 }]);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn write(&mut self, c: &Cooc) -> Result<()> {
        self.write_f64(c.i, c.j, c.x as f64)
    }

    /// Writes one record with a double-precision count (kept whole by
    /// Stanford's format, rounded to f32 by the native one).
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{read_all, CoocFormat, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-wf64-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write_f64(0, 1, 0.1)?; // rounded to f32
    /// w.finish()?;
    /// assert_eq!(read_all(&path, CoocFormat::Native)?[0].x, 0.1f32);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn write_f64(&mut self, i: u32, j: u32, x: f64) -> Result<()> {
        let start = self.buf.len();
        encode(self.format, i, j, x, &mut self.buf)?;
        if self.format == CoocFormat::Native {
            self.check.update(&self.buf[start..]);
        }
        self.count += 1;
        if self.buf.len() >= WRITE_BUF {
            self.flush_buf()?;
        }
        Ok(())
    }

    /// Writes whole raw records of this writer's format (as read by
    /// `CoocReader::read_raw`).
    pub(crate) fn write_raw(&mut self, records: &[u8]) -> Result<()> {
        let rb = self.format.record_bytes();
        debug_assert_eq!(records.len() % rb, 0);
        self.flush_buf()?;
        if self.format == CoocFormat::Native {
            self.check.update(records);
        }
        match &mut self.file {
            Output::File(f) => f
                .write_all(records)
                .map_err(|e| Error::io_path("writing", &self.path, e))?,
            #[cfg(feature = "parquet")]
            Output::Parquet(p) => p.write_raw(records)?,
        }
        self.count += (records.len() / rb) as u64;
        Ok(())
    }

    /// Writes the footer (native format) and moves the file into place.
    ///
    /// ```
    /// # use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocReader, CoocWriter};
    /// let path = std::env::temp_dir().join(format!("glove-doc-finish-{}.bin", std::process::id()));
    /// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
    /// w.write(&Cooc { i: 0, j: 0, x: 1.0 })?;
    /// w.finish()?; // footer: count and checksum
    /// assert_eq!(CoocReader::open(&path, CoocFormat::Native)?.len(), Some(1));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<()> {
        if self.format == CoocFormat::Native {
            self.buf.extend_from_slice(END_MAGIC);
            self.buf.extend_from_slice(&self.count.to_le_bytes());
            self.buf.extend_from_slice(&self.check.0.to_le_bytes());
        }
        self.flush_buf()?;
        match self.file {
            Output::File(f) => f.commit(),
            #[cfg(feature = "parquet")]
            Output::Parquet(p) => p.finish(),
        }
    }
}
