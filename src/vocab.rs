//! Vocabulary: whitespace tokenizing, parallel counting over a streamed corpus,
//! `min_count` / `max_vocab`, and Stanford's `vocab.txt` format.
//!
//! Tokens are split exactly as Stanford's `vocab_count` and `cooccur` split
//! them: on space, tab and newline (and carriage return, which Stanford drops;
//! we treat it as a separator, so CRLF files give the same tokens). Every other
//! byte, including other Unicode white space, belongs to a word. A newline ends
//! a document. Words are kept whole (Stanford truncates words longer than its
//! `MAX_STRING_LENGTH` of 1000 bytes; such words are a corner case we do not
//! reproduce).
//!
//! Ids follow Stanford's `vocab_count`: descending count, ties broken by the
//! word's bytes (`strcmp` order), so the output is deterministic. With
//! `max_vocab`, the most frequent words are kept with the same deterministic
//! order (Stanford picks among equal counts at the cut pseudo-randomly).
//!
//! ```
//! use glove_wgpu::vocab::{Corpus, Vocab, VocabOptions};
//! let text = "the cat sat on the mat\nthe dog sat\n";
//! let opts = VocabOptions { min_count: 2, quiet: true, ..VocabOptions::default() };
//! let vocab = Vocab::count(Corpus::reader(text.as_bytes()), &opts)?;
//! assert_eq!(vocab.words(), ["the", "sat"]);
//! assert_eq!(vocab.counts(), [3, 2]);
//! assert_eq!(vocab.id("sat"), Some(1));
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};

#[cfg(feature = "parquet")]
mod counts;

/// Where a corpus comes from: a file, standard input, or any reader.
///
/// ```
/// use glove_wgpu::vocab::Corpus;
/// let from_file = Corpus::from(std::path::Path::new("corpus.txt"));
/// assert_eq!(from_file.name(), "corpus.txt");
/// let from_memory = Corpus::reader(&b"a b c"[..]);
/// assert_eq!(from_memory.name(), "<reader>");
/// assert_eq!(Corpus::stdin().name(), "<stdin>");
/// ```
pub enum Corpus {
    /// A file on disk (its size gives the progress bar a length).
    File(PathBuf),
    /// The process's standard input.
    Stdin,
    /// Any reader (for example `&[u8]`, a decompressor, a socket).
    Reader(Box<dyn Read + Send>),
}

impl std::fmt::Debug for Corpus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Corpus({})", self.name())
    }
}

impl Corpus {
    /// A corpus read from any reader.
    pub fn reader(r: impl Read + Send + 'static) -> Self {
        Corpus::Reader(Box::new(r))
    }

    /// The process's standard input.
    pub fn stdin() -> Self {
        Corpus::Stdin
    }

    /// A path, where `-` means standard input (the command-line convention).
    ///
    /// ```
    /// use glove_wgpu::vocab::Corpus;
    /// assert!(matches!(Corpus::from_arg("-"), Corpus::Stdin));
    /// assert!(matches!(Corpus::from_arg("a.txt"), Corpus::File(_)));
    /// ```
    pub fn from_arg(arg: impl AsRef<Path>) -> Self {
        let p = arg.as_ref();
        if p.as_os_str() == "-" {
            Corpus::Stdin
        } else {
            Corpus::File(p.to_path_buf())
        }
    }

    /// A name for messages: the path, `<stdin>` or `<reader>`.
    pub fn name(&self) -> String {
        match self {
            Corpus::File(p) => p.display().to_string(),
            Corpus::Stdin => "<stdin>".into(),
            Corpus::Reader(_) => "<reader>".into(),
        }
    }

    /// Opens the corpus: a reader and its size in bytes when known.
    pub(crate) fn open(self) -> Result<(Box<dyn Read + Send>, Option<u64>, String)> {
        let name = self.name();
        match self {
            Corpus::File(p) => {
                let f = File::open(&p).map_err(|e| Error::io_path("opening", &p, e))?;
                let len = f.metadata().ok().map(|m| m.len());
                Ok((Box::new(f), len, name))
            }
            Corpus::Stdin => Ok((Box::new(std::io::stdin()), None, name)),
            Corpus::Reader(r) => Ok((r, None, name)),
        }
    }
}

impl From<&Path> for Corpus {
    fn from(p: &Path) -> Self {
        Corpus::File(p.to_path_buf())
    }
}

impl From<PathBuf> for Corpus {
    fn from(p: PathBuf) -> Self {
        Corpus::File(p)
    }
}

impl From<&PathBuf> for Corpus {
    fn from(p: &PathBuf) -> Self {
        Corpus::File(p.clone())
    }
}

/// Whether a byte separates tokens (space, tab, newline, carriage return).
#[inline]
pub(crate) fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// What is wrong with `word` as a word, or `None` if it is one. The one rule of
/// the tokenizer, the vocabulary, [`crate::Embeddings`] and every vectors reader
/// and writer: a word is a non-empty run of characters without the separators
/// space, tab, newline and carriage return (Stanford's tokenizer splits on the same
/// bytes). Other whitespace (`\u{a0}`, `\x0b`, `\x0c`, ...) is part of a word, and
/// every format writes and reads it back.
///
/// ```
/// use glove_wgpu::vocab::word_problem;
/// assert_eq!(word_problem("no\u{a0}break"), None);
/// assert_eq!(word_problem("a\x0bb"), None);
/// assert!(word_problem("two words").is_some());
/// assert!(word_problem("").is_some());
/// ```
pub fn word_problem(word: &str) -> Option<String> {
    if word.is_empty() {
        return Some("empty word".into());
    }
    word.bytes().find(|&b| is_separator(b)).map(|b| {
        format!("word {word:?} contains a separator (byte 0x{b:02X}: space, tab, newline or carriage return)")
    })
}

/// One token event of a block of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A word.
    Word(&'a [u8]),
    /// A line break: the end of a document.
    Newline,
}

/// Calls `f` on every word and line break of `text`, in order.
#[inline]
pub(crate) fn for_each_token<'a>(text: &'a [u8], mut f: impl FnMut(Token<'a>)) {
    let mut start = 0usize;
    let mut in_word = false;
    for (pos, &b) in text.iter().enumerate() {
        if is_separator(b) {
            if in_word {
                f(Token::Word(&text[start..pos]));
                in_word = false;
            }
            if b == b'\n' {
                f(Token::Newline);
            }
        } else if !in_word {
            start = pos;
            in_word = true;
        }
    }
    if in_word {
        f(Token::Word(&text[start..]));
    }
}

/// Reads a stream in blocks that end on a separator, so that no word is cut.
pub(crate) struct BlockReader {
    reader: Box<dyn Read + Send>,
    name: String,
    block: usize,
    leftover: Vec<u8>,
    eof: bool,
    /// Bytes read so far.
    pub(crate) bytes: u64,
}

impl BlockReader {
    pub(crate) fn new(reader: Box<dyn Read + Send>, name: String, block: usize) -> Self {
        BlockReader {
            reader,
            name,
            block: block.max(16),
            leftover: Vec::new(),
            eof: false,
            bytes: 0,
        }
    }

    /// The next block (about `block` bytes, ending after a separator or at the
    /// end of the stream), reusing `buf`; false at the end.
    pub(crate) fn next_block(&mut self, buf: &mut Vec<u8>) -> Result<bool> {
        buf.clear();
        buf.append(&mut self.leftover);
        // The leftover is the start of a token: no separator in it. Each byte is
        // scanned once, so a long token costs linear time.
        let mut scanned = buf.len();
        loop {
            // Fill up to the block size (or more, while no separator is found).
            let target = if buf.len() < self.block {
                self.block
            } else {
                buf.len() + self.block
            };
            while !self.eof && buf.len() < target {
                let old = buf.len();
                buf.resize(target, 0);
                match self.reader.read(&mut buf[old..]) {
                    Ok(0) => {
                        buf.truncate(old);
                        self.eof = true;
                    }
                    Ok(n) => {
                        buf.truncate(old + n);
                        self.bytes += n as u64;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(old),
                    Err(e) => {
                        buf.truncate(old);
                        return Err(Error::io(format!("reading {}", self.name), e));
                    }
                }
            }
            if self.eof {
                return Ok(!buf.is_empty());
            }
            if let Some(i) = buf[scanned..].iter().rposition(|&b| is_separator(b)) {
                let cut = scanned + i;
                self.leftover.extend_from_slice(&buf[cut + 1..]);
                buf.truncate(cut + 1);
                return Ok(true);
            }
            scanned = buf.len();
            // One word longer than the block: keep reading, up to a bound.
            if buf.len() > self.block + MAX_TOKEN_BYTES {
                return Err(Error::malformed(
                    &self.name,
                    format!("byte {}", self.bytes - buf.len() as u64),
                    format!(
                        "no space, tab or line break in {} MiB: a token this long is not a \
                         word (is this a text corpus?)",
                        MAX_TOKEN_BYTES >> 20
                    ),
                ));
            }
        }
    }
}

/// Longest token the corpus reader takes (1 MiB): longer is an error, so binary
/// data or `/dev/zero` stops early instead of filling memory.
pub const MAX_TOKEN_BYTES: usize = 1 << 20;

/// A fast, non-cryptographic hasher for words and packed id pairs.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const HASH_K: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h ^ w).wrapping_mul(HASH_K).rotate_left(29);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h ^ u64::from_le_bytes(w))
                .wrapping_mul(HASH_K)
                .rotate_left(29);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(HASH_K).rotate_left(29);
    }
    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's fmix64
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// `BuildHasher` for [`FastHasher`].
pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;

/// A progress bar on stderr for a byte stream (hidden when `quiet`).
pub(crate) fn byte_progress(quiet: bool, total: Option<u64>, prefix: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let (pb, template) = match total {
        Some(t) => (
            ProgressBar::new(t),
            "{prefix} {bar:25} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, ETA {eta}) {msg}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{prefix} {spinner} {binary_bytes} ({binary_bytes_per_sec}) {msg}",
        ),
    };
    pb.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_prefix(prefix.to_string());
    pb
}

/// A progress message: tokens so far and tokens per second.
pub(crate) fn token_rate(tokens: u64, start: Instant) -> String {
    let s = start.elapsed().as_secs_f64().max(1e-9);
    format!(
        "{:.1}M tokens, {:.2}M tokens/s",
        tokens as f64 / 1e6,
        tokens as f64 / s / 1e6
    )
}

/// The number of worker threads: `0` means all available cores.
pub(crate) fn thread_count(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested > 0 {
        capped_threads(requested, cores)
    } else {
        cores
    }
}

/// Most threads per core a request may have: more only adds switching and memory.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// `requested` threads, at most [`MAX_THREADS_PER_CORE`] per core (with a note on
/// stderr when capped: 100,000 threads would take minutes to start).
///
/// ```
/// assert_eq!(glove_wgpu::vocab::capped_threads(3, 2), 3);
/// assert_eq!(glove_wgpu::vocab::capped_threads(100_000, 2), 8);
/// ```
pub fn capped_threads(requested: usize, cores: usize) -> usize {
    let max = MAX_THREADS_PER_CORE * cores.max(1);
    if requested > max {
        eprintln!("note: {requested} threads capped at {max} ({MAX_THREADS_PER_CORE} per core)");
        max
    } else {
        requested
    }
}

/// A rayon pool of `threads` workers.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::invalid(format!("cannot start {threads} threads: {e}")))
}

/// Word counts of one block, borrowing its text.
type BlockCounts<'a> = HashMap<&'a [u8], u64, FastBuild>;

/// Options of [`Vocab::count`].
///
/// ```
/// use glove_wgpu::vocab::VocabOptions;
/// let o = VocabOptions::default();
/// assert_eq!(o.min_count, 5); // Stanford's default
/// assert_eq!(o.max_vocab, None);
/// ```
#[derive(Clone, Debug)]
pub struct VocabOptions {
    /// Keep words seen at least this many times (Stanford's default 5).
    pub min_count: u64,
    /// Keep at most this many words, the most frequent.
    pub max_vocab: Option<usize>,
    /// Worker threads (`0`: all cores).
    pub threads: usize,
    /// No progress bar on stderr.
    pub quiet: bool,
    /// Bytes of text per parallel work item (the result does not depend on it).
    pub block_bytes: usize,
}

impl Default for VocabOptions {
    fn default() -> Self {
        VocabOptions {
            min_count: 5,
            max_vocab: None,
            threads: 0,
            quiet: false,
            block_bytes: 1 << 20,
        }
    }
}

/// A vocabulary: words with ids `0..len`, their corpus counts, and a lookup.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: HashMap<String, u32, FastBuild>,
    tokens: u64,
    distinct: u64,
}

impl PartialEq for Vocab {
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words && self.counts == other.counts
    }
}

impl Vocab {
    /// A vocabulary from words (in id order) and their counts.
    ///
    /// Errors on a length mismatch, an empty word, a word containing a token
    /// separator (space, tab, newline, carriage return), a duplicate word, or
    /// more than `u32::MAX - 1` words.
    ///
    /// ```
    /// use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["a".into(), "b".into()], vec![3, 1])?;
    /// assert_eq!(v.id("b"), Some(1));
    /// assert!(Vocab::new(vec!["a".into(), "a".into()], vec![1, 1]).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(words: Vec<String>, counts: Vec<u64>) -> Result<Self> {
        if words.len() != counts.len() {
            return Err(Error::invalid(format!(
                "{} words but {} counts",
                words.len(),
                counts.len()
            )));
        }
        if words.len() >= u32::MAX as usize {
            return Err(Error::invalid(
                "a vocabulary holds fewer than 2^32 - 1 words",
            ));
        }
        let mut index = HashMap::with_capacity_and_hasher(words.len(), FastBuild::default());
        for (id, w) in words.iter().enumerate() {
            if w.is_empty() || w.bytes().any(is_separator) {
                return Err(Error::invalid(format!(
                    "word {id} ({w:?}) is empty or contains white space"
                )));
            }
            if index.insert(w.clone(), id as u32).is_some() {
                return Err(Error::invalid(format!("duplicate word {w:?} (id {id})")));
            }
        }
        let tokens = counts.iter().sum();
        let distinct = words.len() as u64;
        Ok(Vocab {
            words,
            counts,
            index,
            tokens,
            distinct,
        })
    }

    /// Counts the words of a corpus in parallel, streaming it in blocks (the
    /// whole corpus is never in memory), and keeps those seen at least
    /// `min_count` times, at most `max_vocab` of them, ordered by descending
    /// count then by word.
    ///
    /// ```
    /// use glove_wgpu::vocab::{Corpus, Vocab, VocabOptions};
    /// let opts = VocabOptions { min_count: 1, quiet: true, ..Default::default() };
    /// let v = Vocab::count(Corpus::reader(&b"b a b\nc a b"[..]), &opts)?;
    /// assert_eq!(v.words(), ["b", "a", "c"]);
    /// assert_eq!(v.corpus_tokens(), 6);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn count(corpus: impl Into<Corpus>, opts: &VocabOptions) -> Result<Self> {
        let (reader, size, name) = corpus.into().open()?;
        let threads = thread_count(opts.threads);
        let pool = thread_pool(threads)?;
        let mut blocks = BlockReader::new(reader, name.clone(), opts.block_bytes);
        let pb = byte_progress(opts.quiet, size, "vocab");
        let start = Instant::now();
        let mut total: HashMap<Box<[u8]>, u64, FastBuild> = HashMap::default();
        let mut tokens = 0u64;
        let batch = 2 * threads;
        let mut bufs: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut n = 0;
            while n < batch {
                if bufs.len() <= n {
                    bufs.push(Vec::new());
                }
                if !blocks.next_block(&mut bufs[n])? {
                    break;
                }
                n += 1;
            }
            if n == 0 {
                break;
            }
            let partial: Vec<(BlockCounts, u64)> = pool.install(|| {
                bufs[..n]
                    .par_iter()
                    .map(|text| {
                        let mut m: HashMap<&[u8], u64, FastBuild> = HashMap::default();
                        let mut t = 0u64;
                        for_each_token(text, |tok| {
                            if let Token::Word(w) = tok {
                                t += 1;
                                *m.entry(w).or_insert(0) += 1;
                            }
                        });
                        (m, t)
                    })
                    .collect()
            });
            for (m, t) in partial {
                tokens += t;
                for (w, c) in m {
                    match total.get_mut(w) {
                        Some(v) => *v += c,
                        None => {
                            total.insert(w.into(), c);
                        }
                    }
                }
            }
            pb.set_position(blocks.bytes);
            pb.set_message(token_rate(tokens, start));
        }
        pb.finish_and_clear();
        let distinct = total.len() as u64;
        let mut kept: Vec<(Box<[u8]>, u64)> = total
            .into_iter()
            .filter(|(_, c)| *c >= opts.min_count)
            .collect();
        pool.install(|| {
            kept.par_sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)))
        });
        if let Some(m) = opts.max_vocab {
            kept.truncate(m);
        }
        let mut words = Vec::with_capacity(kept.len());
        let mut counts = Vec::with_capacity(kept.len());
        for (w, c) in kept {
            let w = String::from_utf8(w.into_vec()).map_err(|e| {
                Error::malformed(
                    name.clone(),
                    "text",
                    format!(
                        "word {:?} is not valid UTF-8",
                        String::from_utf8_lossy(e.as_bytes())
                    ),
                )
            })?;
            words.push(w);
            counts.push(c);
        }
        let mut v = Vocab::new(words, counts)?;
        v.tokens = tokens;
        v.distinct = distinct;
        Ok(v)
    }

    /// Reads Stanford's `vocab.txt`: one `word count` per line, ids in file
    /// order. Blank lines are skipped; anything else that is not a word and a
    /// non-negative integer is an error naming the line.
    ///
    /// ```
    /// use glove_wgpu::vocab::Vocab;
    /// let path = std::env::temp_dir().join("glove_wgpu_vocab_read_doc.txt");
    /// std::fs::write(&path, "the 10\ncat 3\n").unwrap();
    /// let v = Vocab::read(&path)?;
    /// assert_eq!(v.words(), ["the", "cat"]);
    /// std::fs::write(&path, "the 10\ncat three\n").unwrap();
    /// let e = Vocab::read(&path).unwrap_err().to_string();
    /// assert!(e.contains("line 2"), "{e}");
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let f = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
        let mut r = BufReader::new(f);
        let mut line = Vec::new();
        let mut words = Vec::new();
        let mut counts = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        let mut lineno = 0usize;
        loop {
            line.clear();
            let n = r
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io_path("reading", path, e))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            let loc = || format!("line {lineno}");
            let mut fields = line.split(|&b| is_separator(b)).filter(|f| !f.is_empty());
            let Some(word) = fields.next() else { continue };
            let count = fields.next().ok_or_else(|| {
                Error::malformed(&name, loc(), "expected `word count`, found one field")
            })?;
            if fields.next().is_some() {
                return Err(Error::malformed(
                    &name,
                    loc(),
                    "expected `word count`, found more than two fields",
                ));
            }
            let word = std::str::from_utf8(word)
                .map_err(|_| Error::malformed(&name, loc(), "the word is not valid UTF-8"))?;
            let count = std::str::from_utf8(count)
                .ok()
                .and_then(|c| c.parse::<u64>().ok())
                .ok_or_else(|| {
                    Error::malformed(
                        &name,
                        loc(),
                        format!(
                            "count {:?} is not a non-negative integer",
                            String::from_utf8_lossy(count)
                        ),
                    )
                })?;
            words.push(word.to_string());
            counts.push(count);
            lines.push(lineno);
        }
        // Duplicates are found by `new`; name their lines.
        let mut index: HashMap<&str, usize, FastBuild> = HashMap::default();
        if words.len() < u32::MAX as usize {
            for (id, w) in words.iter().enumerate() {
                if let Some(first) = index.insert(w, id) {
                    return Err(Error::malformed(
                        &name,
                        format!("line {}", lines[id]),
                        format!("duplicate word {w:?} (first on line {})", lines[first]),
                    ));
                }
            }
        }
        drop(index);
        drop(lines);
        Vocab::new(words, counts)
    }

    /// Writes Stanford's `vocab.txt` (`word count` per line), atomically.
    ///
    /// ```
    /// use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// let path = std::env::temp_dir().join("glove_wgpu_vocab_write_doc.txt");
    /// v.write(&path)?;
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "the 10\ncat 3\n");
    /// assert_eq!(Vocab::read(&path)?, v);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut f = AtomicFile::create(path)?;
        for (w, c) in self.words.iter().zip(&self.counts) {
            writeln!(f, "{w} {c}").map_err(|e| Error::io_path("writing", path, e))?;
        }
        f.commit()
    }

    /// The words, by id.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The corpus count of each word, by id.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of a word, if it is in the vocabulary.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The word of an id.
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// Tokens seen in the corpus by [`Vocab::count`] (for a vocabulary read
    /// from a file or built with [`Vocab::new`]: the sum of the counts).
    pub fn corpus_tokens(&self) -> u64 {
        self.tokens
    }

    /// Distinct words seen by [`Vocab::count`] before `min_count` and
    /// `max_vocab` (otherwise: the number of words).
    pub fn distinct_words(&self) -> u64 {
        self.distinct
    }
}
