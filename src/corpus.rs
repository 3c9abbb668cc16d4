//! The corpus: where text comes from ([`Corpus`]), the block reader that
//! streams it without cutting a word, the tokenizer, and the one rule of what a
//! word is ([`word_problem`]), shared by the vocabulary, co-occurrence counting,
//! [`crate::Embeddings`] and every vectors reader and writer.
//!
//! Tokens are split exactly as Stanford's `vocab_count` and `cooccur` split
//! them: on space, tab and newline (and carriage return, which Stanford drops;
//! we treat it as a separator, so CRLF files give the same tokens). Every other
//! byte, including other Unicode white space, belongs to a word. A newline ends
//! a document. Words are kept whole (Stanford truncates words longer than its
//! `MAX_STRING_LENGTH` of 1000 bytes; such words are a corner case we do not
//! reproduce); a token longer than the reader's block plus [`MAX_TOKEN_BYTES`] is an error.
//!
//! ```
//! use glove_wgpu::corpus::{word_problem, Corpus};
//! assert_eq!(Corpus::from_arg("-").name(), "<stdin>");
//! assert!(word_problem("two words").is_some());
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::Input;

/// Where a corpus comes from: a file, standard input, or any reader. Each is
/// read as an [`Input`]: compressed text (gzip, bzip2, xz, zstd) is
/// decompressed on a thread of its own, a zip member is read from its
/// archive, and the text rule holds (a leading byte-order mark is dropped,
/// invalid UTF-8 is an error naming its byte offset and line).
///
/// ```
/// use glove_wgpu::corpus::Corpus;
/// let from_file = Corpus::from(std::path::Path::new("corpus.txt"));
/// assert_eq!(from_file.name(), "corpus.txt");
/// let from_memory = Corpus::reader(&b"a b c"[..]);
/// assert_eq!(from_memory.name(), "<reader>");
/// assert_eq!(Corpus::stdin().name(), "<stdin>");
/// ```
pub enum Corpus {
    /// A file on disk (its size gives the progress reports a total).
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
    ///
    /// ```
    /// use glove_wgpu::{corpus::Corpus, vocab::{Vocab, VocabOptions}};
    /// let corpus = Corpus::reader(std::io::Cursor::new("a b a\n".to_string()));
    /// let v = Vocab::count(corpus, &VocabOptions { min_count: 1, ..Default::default() })?;
    /// assert_eq!(v.words(), ["a", "b"]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn reader(r: impl Read + Send + 'static) -> Self {
        Corpus::Reader(Box::new(r))
    }

    /// The process's standard input.
    ///
    /// ```
    /// use glove_wgpu::corpus::Corpus;
    /// assert!(matches!(Corpus::stdin(), Corpus::Stdin));
    /// ```
    pub fn stdin() -> Self {
        Corpus::Stdin
    }

    /// A path, where `-` means standard input (the command-line convention).
    ///
    /// ```
    /// use glove_wgpu::corpus::Corpus;
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
    ///
    /// ```
    /// use glove_wgpu::corpus::Corpus;
    /// assert_eq!(Corpus::from_arg("wiki.txt").name(), "wiki.txt");
    /// assert_eq!(Corpus::reader(&b""[..]).name(), "<reader>");
    /// ```
    pub fn name(&self) -> String {
        match self {
            Corpus::File(p) => p.display().to_string(),
            Corpus::Stdin => "<stdin>".into(),
            Corpus::Reader(_) => "<reader>".into(),
        }
    }

    /// Opens the corpus (see [`Input`]: a file, `-`, a pipe, a compressed file,
    /// a zip member): a reader of its text and its size in bytes when known (a
    /// plain regular file's).
    pub(crate) fn open(self) -> Result<(Box<dyn Read + Send>, Option<u64>, String)> {
        let input = match self {
            Corpus::File(p) => Input::open(&p)?,
            Corpus::Stdin => Input::from_reader(std::io::stdin(), "<stdin>")?,
            Corpus::Reader(r) => Input::from_reader(r, "<reader>")?,
        };
        let size = input.plain_file().map(|(_, len)| len);
        let name = input.name().to_string();
        Ok((Box::new(input), size, name))
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
/// use glove_wgpu::corpus::word_problem;
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
    /// Bytes of the stream before the next block (a dropped byte-order mark
    /// included), and its lines before it.
    offset: u64,
    lines: usize,
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
            offset: 0,
            lines: 0,
        }
    }

    /// The text rule on a block about to be handed out: the stream's byte-order
    /// mark dropped, UTF-8 checked (an error names the byte offset and line).
    fn checked(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        if self.offset == 0 && buf.starts_with(crate::input::BOM) {
            buf.drain(..crate::input::BOM.len());
            self.offset = crate::input::BOM.len() as u64;
        }
        if let Err(e) = std::str::from_utf8(buf) {
            let at = e.valid_up_to();
            let line = self.lines + memchr::memchr_iter(b'\n', &buf[..at]).count() + 1;
            let byte = e.error_len().map(|_| buf[at]);
            return Err(crate::input::utf8_error(
                &self.name,
                self.offset + at as u64,
                Some(line),
                byte,
            ));
        }
        self.offset += buf.len() as u64;
        self.lines += memchr::memchr_iter(b'\n', buf).count();
        Ok(())
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
                self.checked(buf)?;
                return Ok(!buf.is_empty());
            }
            if let Some(i) = buf[scanned..].iter().rposition(|&b| is_separator(b)) {
                let cut = scanned + i;
                self.leftover.extend_from_slice(&buf[cut + 1..]);
                buf.truncate(cut + 1);
                self.checked(buf)?;
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

/// Longest token the corpus reader takes beyond its block (`block_bytes` of
/// [`VocabOptions`](crate::vocab::VocabOptions), 1 MiB by default): a run of
/// bytes without a separator longer than the block plus this (1 MiB) is an
/// error, so binary data or `/dev/zero` stops early instead of filling memory.
///
/// ```
/// use glove_wgpu::{corpus::{Corpus, MAX_TOKEN_BYTES}, vocab::{Vocab, VocabOptions}};
/// let opts = VocabOptions { min_count: 1, block_bytes: 4096, ..Default::default() };
/// let mut long = vec![b'x'; MAX_TOKEN_BYTES];
/// long.push(b'\n');
/// assert_eq!(Vocab::count(Corpus::reader(std::io::Cursor::new(long)), &opts)?.len(), 1);
/// let zeros = vec![0u8; 2 * MAX_TOKEN_BYTES]; // no separator at all
/// assert!(Vocab::count(Corpus::reader(std::io::Cursor::new(zeros)), &opts).is_err());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub const MAX_TOKEN_BYTES: usize = 1 << 20;
