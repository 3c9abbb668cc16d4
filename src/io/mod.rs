//! Embedding file formats: GloVe text, word2vec text and binary, fastText `.vec`,
//! and an export for the TensorBoard Embedding Projector.
//!
//! | format | layout |
//! | --- | --- |
//! | [`Format::Glove`] | `word v1 ... vd` per line, no header (Stanford GloVe) |
//! | [`Format::Word2vec`] | header line `n d`, then `word v1 ... vd` per line |
//! | [`Format::Word2vecBin`] | header line `n d\n`, then per record `word`, one space, `d` little-endian f32, and an optional `\n` |
//! | [`Format::Fasttext`] | the word2vec text layout (fastText writes a trailing space after the header and after each row) |
//!
//! Readers take any input [`Input::open`] takes — a file, `-`, a pipe, a file
//! compressed with gzip, bzip2, xz or zstd, a zip member `ARCHIVE:MEMBER` —
//! load the whole (decompressed) file into memory, cut it at line (text) or record
//! (binary) boundaries and parse the pieces in parallel with rayon. Words may
//! hold any UTF-8 character but the separators space, tab, newline and carriage
//! return ([`crate::corpus::word_problem`], the tokenizer's rule). A UTF-8 byte-order mark, CRLF
//! line endings, trailing spaces and blank trailing lines are accepted. Every
//! other deviation is an [`Error::Malformed`] naming the file, the line
//! (`line N`, 1-based, the header being line 1) or the record (`record N`,
//! 1-based) and the problem.
//!
//! Writers format rows in parallel and replace the destination atomically
//! ([`AtomicFile`]): a failed write leaves the previous file untouched; a
//! destination whose name ends in `.gz` is written as gzip. Text
//! values are written in the shortest form that reads back to the same `f32`,
//! so every format round-trips exactly.
//!
//! ```
//! use glove_wgpu::{io::{self, Format}, Embeddings};
//! let e = Embeddings::new(vec!["naïve".into(), "東京".into()], 2, vec![0.5, -1.25, 3e-8, 7.0])?;
//! let mut bytes = Vec::new();
//! io::write_to(&e, &mut bytes, Format::Word2vec)?;
//! assert_eq!(String::from_utf8(bytes.clone()).unwrap(), "2 2\nnaïve 0.5 -1.25\n東京 3e-8 7.0\n");
//! let back = io::read_bytes(&bytes, Format::Word2vec, "memory")?;
//! assert_eq!(back, e);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```
//!
//! | file | holds |
//! | --- | --- |
//! | `mod.rs` | [`Format`], [`read()`], [`write()`] and the parallel writer |
//! | `text.rs` | the text formats |
//! | `binary.rs` | word2vec binary |
//! | `parse.rs` | what the readers share: the word rule, duplicates, quoting |
//! | `file.rs` | reading a large file fast (huge pages, parallel reads) |

mod binary;
mod file;
mod parse;
mod text;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::AtomicU64;

use crate::atomic::AtomicFile;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::progress::{silent, watch, Event, Progress, Step};

use file::{huge_buffer, read_parallel, HUGE_READ_BYTES};

/// Files (or matrices) at least this large report their progress while they load
/// (or are written): smaller ones take well under a second.
const PROGRESS_MIN_BYTES: usize = 256 << 20;

/// An embedding file format.
///
/// ```
/// use glove_wgpu::io::Format;
/// assert!(Format::Word2vec.has_header());
/// assert!(!Format::Glove.has_header());
/// assert_eq!(Format::Word2vecBin.to_string(), "word2vec-bin");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `word v1 ... vd` per line, no header (Stanford GloVe).
    Glove,
    /// word2vec text: header `n d`, then `word v1 ... vd` per line.
    Word2vec,
    /// word2vec binary: header `n d\n`, then `word ` and `d` little-endian f32 per record.
    #[cfg_attr(feature = "cli", value(name = "word2vec-bin"))]
    Word2vecBin,
    /// fastText `.vec`: the word2vec text layout.
    Fasttext,
}

impl crate::names::Named for Format {
    const ALL: &'static [Self] = &[
        Format::Glove,
        Format::Word2vec,
        Format::Word2vecBin,
        Format::Fasttext,
    ];

    fn name(self) -> &'static str {
        Format::name(self)
    }
}

impl Format {
    /// Whether the format starts with an `n d` header line.
    ///
    /// ```
    /// use glove_wgpu::io::Format;
    /// assert!(Format::Fasttext.has_header());
    /// assert!(!Format::Glove.has_header());
    /// ```
    pub fn has_header(self) -> bool {
        !matches!(self, Format::Glove)
    }

    /// The name used on the command line (`glove`, `word2vec`, `word2vec-bin`, `fasttext`).
    ///
    /// ```
    /// use glove_wgpu::io::Format;
    /// assert_eq!(Format::Word2vecBin.name(), "word2vec-bin");
    /// assert_eq!(Format::Glove.name(), Format::Glove.to_string());
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Glove => "glove",
            Format::Word2vec => "word2vec",
            Format::Word2vecBin => "word2vec-bin",
            Format::Fasttext => "fasttext",
        }
    }

    /// Guesses the format of the file at `path` from the first 64 KiB of its
    /// (decompressed) text; see [`Format::detect_bytes`]. A text file with a
    /// header whose name ends in `.vec` (before any `.gz`, `.bz2`, `.xz` or
    /// `.zst`) is reported as [`Format::Fasttext`]. A pipe or standard input
    /// cannot be looked at without consuming it: for those this is an error,
    /// and [`read_auto`] (one opening, detection on the kept head) is the way.
    ///
    /// ```
    /// use glove_wgpu::io::Format;
    /// let path = std::env::temp_dir().join("glove_wgpu_detect_doc.vec");
    /// std::fs::write(&path, "1 2 \nhello 0.5 1.5 \n").unwrap();
    /// assert_eq!(Format::detect(&path)?, Format::Fasttext);
    /// assert!(Format::detect("-").is_err()); // standard input: use io::read_auto
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn detect(path: impl AsRef<Path>) -> Result<Format> {
        let path = path.as_ref();
        let a_stream = path.as_os_str() == "-"
            || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if a_stream {
            return Err(Error::invalid(format!(
                "{}: the format of a pipe cannot be guessed without consuming what it looks at; \
                 name the format (--format), or read it with io::read_auto",
                path.display()
            )));
        }
        Format::detect_input(&mut Input::open(path)?)
    }

    /// Guesses the format of an input from the first 64 KiB of its text, without
    /// consuming them (see [`Format::detect`] for the rules).
    ///
    /// ```
    /// use glove_wgpu::{input::Input, io::Format};
    /// let mut input = Input::from_reader(&b"2 2\na 1 2\nb 3 4\n"[..], "w.vec")?;
    /// assert_eq!(Format::detect_input(&mut input)?, Format::Fasttext);
    /// assert_eq!(glove_wgpu::io::read_input(&mut input, Some(Format::Fasttext), &mut |_| Ok(()))?.0.len(), 2);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn detect_input(input: &mut Input) -> Result<Format> {
        let format = Format::detect_bytes(input.peek(64 << 10)?);
        let name = input.name().to_ascii_lowercase();
        let name = [".gz", ".bz2", ".xz", ".zst", ".zstd"]
            .iter()
            .find_map(|x| name.strip_suffix(x))
            .unwrap_or(&name);
        Ok(if format == Format::Word2vec && name.ends_with(".vec") {
            Format::Fasttext
        } else {
            format
        })
    }

    /// Guesses the format from the start of a file: a first line of exactly
    /// two integers is a word2vec header, binary if what follows (in `head`)
    /// is not UTF-8, text otherwise; anything else is GloVe. (A GloVe file of
    /// one dimension whose first word is a number reads as word2vec: name the
    /// format explicitly for such files.)
    ///
    /// ```
    /// use glove_wgpu::io::Format;
    /// assert_eq!(Format::detect_bytes(b"the 0.1 0.2\n"), Format::Glove);
    /// assert_eq!(Format::detect_bytes(b"1 2\nthe 0.1 0.2\n"), Format::Word2vec);
    /// // a stray byte after a text first record: text, and the reader says where
    /// assert_eq!(Format::detect_bytes(b"2 2\nthe 0.1 0.2\ncat 0.\xff 1\n"), Format::Word2vec);
    /// let mut bin = b"1 2\nthe ".to_vec();
    /// bin.extend_from_slice(bytemuck::cast_slice(&[0.1f32, -0.2]));
    /// assert_eq!(Format::detect_bytes(&bin), Format::Word2vecBin);
    /// ```
    pub fn detect_bytes(head: &[u8]) -> Format {
        let head = crate::input::strip_bom(head);
        let (first, rest) = match memchr::memchr(b'\n', head) {
            Some(i) => (&head[..i], &head[i + 1..]),
            None => (head, &head[head.len()..]),
        };
        let Some((_, dim)) = text::parse_header_fields(first) else {
            return Format::Glove;
        };
        // A first record that reads as text (a word and `dim` numbers) makes the
        // file text, whatever bytes come later: a stray non-UTF-8 byte further
        // down is then reported where it is, not taken for binary data.
        let line = memchr::memchr(b'\n', rest).map_or(rest, |i| &rest[..i]);
        if let Ok(line) = std::str::from_utf8(line) {
            let mut fields = line.split_ascii_whitespace();
            let numbers = fields.by_ref().skip(1).take(dim + 1).collect::<Vec<_>>();
            if dim > 0 && numbers.len() == dim && numbers.iter().all(|f| f.parse::<f32>().is_ok()) {
                return Format::Word2vec;
            }
        }
        match std::str::from_utf8(rest) {
            Ok(_) => Format::Word2vec,
            // An error only because the sample cuts a character in two is fine.
            Err(e) if e.error_len().is_none() => Format::Word2vec,
            Err(_) => Format::Word2vecBin,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads embeddings from `path` in `format`. The path is an input as
/// [`Input::open`] takes it: `-`, a pipe, a compressed file (gzip, bzip2, xz,
/// zstd) or a zip member `ARCHIVE:MEMBER` read as well as a plain file.
///
/// ```
/// use glove_wgpu::io::{self, Format};
/// let path = std::env::temp_dir().join("glove_wgpu_read_doc.txt");
/// std::fs::write(&path, "the 0.1 0.2\ncat -1 2.5e-3\n").unwrap();
/// let e = io::read(&path, Format::Glove)?;
/// assert_eq!((e.len(), e.dim()), (2, 2));
/// assert_eq!(e.get("cat"), Some(&[-1.0, 0.0025][..]));
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read(path: impl AsRef<Path>, format: Format) -> Result<Embeddings> {
    read_with(path, format, &mut silent)
}

/// [`read()`], reporting the bytes parsed of a large file (256 MiB or more) as
/// [`Event::Advance`]s of [`Step::Load`] (see [`crate::progress`]).
///
/// ```
/// use glove_wgpu::{io::{self, Format}, progress::Event};
/// let path = std::env::temp_dir().join(format!("glove_wgpu_read_with_{}.txt", std::process::id()));
/// std::fs::write(&path, "cat 1 2\n").unwrap();
/// let mut events = 0;
/// let e = io::read_with(&path, Format::Glove, &mut |_: Event| Ok(events += 1))?;
/// assert_eq!((e.len(), events), (1, 0)); // a small file loads without a word
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_with(
    path: impl AsRef<Path>,
    format: Format,
    progress: &mut Progress,
) -> Result<Embeddings> {
    let mut input = Input::open(path)?;
    Ok(read_input(&mut input, Some(format), progress)?.0)
}

/// Reads embeddings from `path` in `format`, or in the format
/// [`Format::detect_input`] finds in its head: the input is opened once, so a
/// pipe loses nothing to the detection. Returns the format read.
///
/// ```
/// use glove_wgpu::io::{self, Format};
/// let path = std::env::temp_dir().join(format!("glove_wgpu_read_auto_{}.txt.gz", std::process::id()));
/// glove_wgpu::atomic::write_compressed(&path, b"1 2\ncat 1 2\n")?;
/// let (e, format) = io::read_auto(&path, None, &mut |_| Ok(()))?;
/// assert_eq!((e.len(), format), (1, Format::Word2vec));
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_auto(
    path: impl AsRef<Path>,
    format: Option<Format>,
    progress: &mut Progress,
) -> Result<(Embeddings, Format)> {
    read_input(&mut Input::open(path)?, format, progress)
}

/// Reads embeddings from an opened [`Input`], in `format` or the one its head
/// shows; returns them and the format read.
///
/// ```
/// use glove_wgpu::{input::Input, io::{self, Format}};
/// let mut input = Input::from_reader(&b"cat 1 2\n"[..], "inline")?;
/// let (e, format) = io::read_input(&mut input, None, &mut |_| Ok(()))?;
/// assert_eq!((e.dim(), format), (2, Format::Glove));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_input(
    input: &mut Input,
    format: Option<Format>,
    progress: &mut Progress,
) -> Result<(Embeddings, Format)> {
    let format = match format {
        Some(f) => f,
        None => Format::detect_input(input)?,
    };
    let name = input.name().to_string();
    let emb = match input.plain_file() {
        Some((path, len)) => read_plain(path, len, format, &name, progress)?,
        None => {
            let bytes = input.read_all()?;
            parse(&bytes, format, &name, progress)?
        }
    };
    Ok((emb, format))
}

/// A plain regular file of `len` bytes read whole (in parallel pieces when it is
/// large), then parsed.
fn read_plain(
    path: &Path,
    len: u64,
    format: Format,
    name: &str,
    progress: &mut Progress,
) -> Result<Embeddings> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    // Read, not memory-mapped: a mapped file that another process truncates
    // while it is parsed kills the process with SIGBUS and no message. A read
    // copies the file once (0.1 s a GB) and turns that case into an I/O error or
    // a malformed-file error naming the line.
    if len >= HUGE_READ_BYTES {
        if let Some(mut buf) = huge_buffer(len) {
            // The file may shrink or grow meanwhile: read what is there, up to
            // `len`, then anything beyond it. Pieces are read in parallel, so the
            // cost of fresh memory (the system zeroes each page first) is shared
            // by the cores.
            let at =
                read_parallel(&file, &mut buf).map_err(|e| Error::io_path("reading", path, e))?;
            use std::io::Seek;
            file.seek(std::io::SeekFrom::Start(at as u64))
                .map_err(|e| Error::io_path("reading", path, e))?;
            let mut rest = Vec::new();
            file.read_to_end(&mut rest)
                .map_err(|e| Error::io_path("reading", path, e))?;
            if rest.is_empty() {
                return parse(&buf[..at], format, name, progress);
            }
            let mut all = buf[..at].to_vec();
            all.extend_from_slice(&rest);
            return parse(&all, format, name, progress);
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io_path("reading", path, e))?;
    parse(&bytes, format, name, progress)
}

/// Reads embeddings in `format` from all of `reader`; errors name `source_name`.
///
/// ```
/// use glove_wgpu::io::{self, Format};
/// let e = io::read_from(&b"1 3\nword 1 2 3\n"[..], Format::Word2vec, "inline")?;
/// assert_eq!(e.vector(0), Some(&[1.0, 2.0, 3.0][..]));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_from(mut reader: impl Read, format: Format, source_name: &str) -> Result<Embeddings> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("reading {source_name}"), e))?;
    read_bytes(&bytes, format, source_name)
}

/// Parses embeddings in `format` from the bytes of a whole file; errors name
/// `source_name`.
///
/// ```
/// use glove_wgpu::{io::{self, Format}, Error};
/// let err = io::read_bytes(b"a 1 2\nb 3\n", Format::Glove, "v.txt").unwrap_err();
/// assert_eq!(err.to_string(), "v.txt: line 2: expected 2 values, found 1");
/// ```
pub fn read_bytes(bytes: &[u8], format: Format, source_name: &str) -> Result<Embeddings> {
    parse(bytes, format, source_name, &mut silent)
}

/// [`read_bytes`], reporting the progress of a large input.
fn parse(
    bytes: &[u8],
    format: Format,
    source_name: &str,
    progress: &mut Progress,
) -> Result<Embeddings> {
    let work = |done: &AtomicU64| match format {
        Format::Word2vecBin => binary::read(bytes, source_name, done),
        _ => text::read(bytes, format.has_header(), source_name, done),
    };
    let result = if bytes.len() >= PROGRESS_MIN_BYTES {
        watch(progress, Step::Load, bytes.len() as u64, work)?
    } else {
        work(&AtomicU64::new(0))
    };
    if format == Format::Glove {
        return result.map_err(|e| with_header_hint(e, bytes));
    }
    result
}

/// A GloVe read that fails on line 1 or 2 of a file whose first line starts with
/// two integers: most likely a word2vec or fastText header that is malformed (so
/// detection took the file for GloVe). Say so, instead of only "value 2 is not a
/// number".
fn with_header_hint(e: Error, bytes: &[u8]) -> Error {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut fields = first
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|f| !f.is_empty());
    let number = |f: Option<&[u8]>| f.is_some_and(|f| f.iter().all(u8::is_ascii_digit));
    match e {
        Error::Malformed {
            source_name,
            location,
            problem,
        } if (location == "line 1" || location == "line 2")
            && number(fields.next())
            && number(fields.next()) =>
        {
            let line = String::from_utf8_lossy(&first[..first.len().min(60)])
                .trim_end()
                .to_string();
            Error::Malformed {
                source_name,
                location,
                problem: format!(
                    "{problem} (read as GloVe text, but line 1, {line:?}, looks like a word2vec \
                     or fastText header `count dimension` that is malformed: check it, or name \
                     the format with --format)"
                ),
            }
        }
        e => e,
    }
}

/// Writes embeddings to `path` in `format`, atomically: the file appears
/// whole or the previous one stays.
///
/// ```
/// use glove_wgpu::{io::{self, Format}, Embeddings};
/// let e = Embeddings::new(vec!["a".into()], 3, vec![0.1, 0.2, 0.3])?;
/// let path = std::env::temp_dir().join("glove_wgpu_write_doc.bin");
/// io::write(&e, &path, Format::Word2vecBin)?;
/// assert_eq!(std::fs::metadata(&path).unwrap().len(), 4 + 2 + 12 + 1);
/// assert_eq!(io::read(&path, Format::Word2vecBin)?, e);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn write(emb: &Embeddings, path: impl AsRef<Path>, format: Format) -> Result<()> {
    write_with(emb, path, format, &mut silent)
}

/// [`write()`], reporting the bytes of a large matrix (256 MiB or more) as they
/// are written, as [`Event::Advance`]s of [`Step::Write`] (see
/// [`crate::progress`]). An error of the callback leaves the previous file.
///
/// ```
/// use glove_wgpu::{io::{self, Format}, progress::Event, Embeddings};
/// let e = Embeddings::new(vec!["a".into()], 2, vec![0.5, 1.5])?;
/// let path = std::env::temp_dir().join(format!("glove_wgpu_write_with_{}.txt", std::process::id()));
/// let mut events = 0;
/// io::write_with(&e, &path, Format::Glove, &mut |_: Event| Ok(events += 1))?;
/// assert_eq!(events, 0); // a small matrix is written without a word
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn write_with(
    emb: &Embeddings,
    path: impl AsRef<Path>,
    format: Format,
    progress: &mut Progress,
) -> Result<()> {
    let path = path.as_ref();
    check_writable(emb, format)?;
    if path.is_dir() {
        return Err(Error::invalid(format!(
            "cannot write embeddings to {}: it is a folder",
            path.display()
        )));
    }
    let mut file = AtomicFile::create_compressed(path)?;
    let total = emb.matrix().len() as u64 * 4;
    let mut failed = None;
    let mut tick = |done: u64| {
        if failed.is_none() && total >= PROGRESS_MIN_BYTES as u64 {
            let event = Event::Advance {
                step: Step::Write,
                done,
                total: Some(total),
                detail: crate::progress::Detail::None,
            };
            failed = progress(event).err();
        }
    };
    write_rows(emb, &mut file, format, &mut tick)
        .map_err(|e| Error::io_path("writing", path, e))?;
    if let Some(e) = failed {
        return Err(e);
    }
    if total >= PROGRESS_MIN_BYTES as u64 {
        progress(Event::StepDone(Step::Write))?;
    }
    file.commit()
}

/// Writes embeddings in `format` to any writer (not atomic: see [`write()`] for files).
///
/// ```
/// use glove_wgpu::{io::{self, Format}, Embeddings};
/// let e = Embeddings::new(vec!["x".into()], 2, vec![1.0, -0.5])?;
/// let mut out = Vec::new();
/// io::write_to(&e, &mut out, Format::Glove)?;
/// assert_eq!(out, b"x 1.0 -0.5\n");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn write_to(emb: &Embeddings, mut out: impl Write, format: Format) -> Result<()> {
    check_writable(emb, format)?;
    write_rows(emb, &mut out, format, &mut |_| {})
        .and_then(|()| out.flush())
        .map_err(|e| Error::io(format!("writing {format} embeddings"), e))
}

/// Writes `vectors.tsv` (tab-separated values, one row per word, no words)
/// and `metadata.tsv` (one word per line, no header) into `dir`, creating it
/// if needed, for the TensorBoard Embedding Projector. Each file is replaced
/// atomically.
///
/// ```
/// use glove_wgpu::{io, Embeddings};
/// let e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 2.0, 3.0, 4.5])?;
/// let dir = std::env::temp_dir().join("glove_wgpu_projector_doc");
/// io::write_projector(&e, &dir)?;
/// assert_eq!(std::fs::read_to_string(dir.join("vectors.tsv")).unwrap(), "1.0\t2.0\n3.0\t4.5\n");
/// assert_eq!(std::fs::read_to_string(dir.join("metadata.tsv")).unwrap(), "a\nb\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn write_projector(emb: &Embeddings, dir: impl AsRef<Path>) -> Result<()> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;
    let vectors = dir.join("vectors.tsv");
    let mut file = AtomicFile::create(&vectors)?;
    text::write_projector_vectors(emb, &mut file)
        .map_err(|e| Error::io_path("writing", &vectors, e))?;
    file.commit()?;
    let metadata = dir.join("metadata.tsv");
    let mut file = AtomicFile::create(&metadata)?;
    emb.words()
        .iter()
        .try_for_each(|w| writeln!(file, "{w}"))
        .map_err(|e| Error::io_path("writing", &metadata, e))?;
    file.commit()
}

/// Rejects what a format cannot represent.
fn check_writable(emb: &Embeddings, format: Format) -> Result<()> {
    if format == Format::Glove && emb.dim() == 0 && !emb.is_empty() {
        return Err(Error::invalid(
            "a GloVe file cannot hold 0-dimensional vectors (no header gives the dimension); \
             use word2vec",
        ));
    }
    Ok(())
}

/// Writes the header and the rows; `tick` hears the matrix bytes written so far.
fn write_rows(
    emb: &Embeddings,
    out: &mut dyn Write,
    format: Format,
    tick: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    if format.has_header() {
        writeln!(out, "{} {}", emb.len(), emb.dim())?;
    }
    match format {
        Format::Word2vecBin => binary::write_records(emb, out, tick),
        _ => text::write_lines(emb, out, b' ', tick),
    }
}

/// Rows per parallel formatting task, and tasks per sequential write batch.
const WRITE_ROWS_PER_TASK: usize = 256;
const WRITE_TASKS_PER_BATCH: usize = 64;

/// Formats rows in parallel chunks with `format_row`, writing each batch in
/// order; `tick` hears the bytes of the in-memory matrix written so far (a close
/// guess of the output's).
fn write_parallel(
    emb: &Embeddings,
    out: &mut dyn Write,
    tick: &mut dyn FnMut(u64),
    format_row: impl Fn(&mut Vec<u8>, &str, &[f32]) + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let n = emb.len();
    let dim = emb.dim();
    let batch = WRITE_ROWS_PER_TASK * WRITE_TASKS_PER_BATCH;
    for start in (0..n).step_by(batch) {
        let end = (start + batch).min(n);
        let bufs: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .step_by(WRITE_ROWS_PER_TASK)
            .map(|s| {
                let e = (s + WRITE_ROWS_PER_TASK).min(end);
                let mut buf = Vec::with_capacity((e - s) * (dim * 12 + 16));
                for row in s..e {
                    let v = &emb.matrix()[row * dim..(row + 1) * dim];
                    format_row(&mut buf, &emb.words()[row], v);
                }
                buf
            })
            .collect();
        for buf in &bufs {
            out.write_all(buf)?;
        }
        tick((end * dim * 4) as u64);
    }
    Ok(())
}
