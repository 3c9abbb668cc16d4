//! Vocabulary: parallel counting over a streamed corpus, `min_count` /
//! `max_vocab`, and Stanford's `vocab.txt` format. The tokens are those of
//! [`crate::corpus`].
//!
//! Ids follow Stanford's `vocab_count`: descending count, ties broken by the
//! word's bytes (`strcmp` order), so the output is deterministic. With
//! `max_vocab`, the most frequent words are kept with the same deterministic
//! order (Stanford picks among equal counts at the cut pseudo-randomly).
//!
//! ```
//! use glove_wgpu::corpus::Corpus;
//! use glove_wgpu::vocab::{Vocab, VocabOptions};
//! let text = "the cat sat on the mat\nthe dog sat\n";
//! let opts = VocabOptions { min_count: 2, ..VocabOptions::default() };
//! let vocab = Vocab::count(Corpus::reader(text.as_bytes()), &opts)?;
//! assert_eq!(vocab.words(), ["the", "sat"]);
//! assert_eq!(vocab.counts(), [3, 2]);
//! assert_eq!(vocab.id("sat"), Some(1));
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::corpus::{for_each_token, is_separator, BlockReader, Corpus, Token};
use crate::error::{Error, Result};
use crate::hash::FastBuild;
use crate::input::Input;
use crate::progress::{silent, Detail, Event, Progress, Step};
use crate::threads::{thread_count, thread_pool};

#[cfg(feature = "parquet")]
mod counts;

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
    /// Bytes of text per parallel work item (the result does not depend on it).
    pub block_bytes: usize,
}

impl Default for VocabOptions {
    fn default() -> Self {
        VocabOptions {
            min_count: 5,
            max_vocab: None,
            threads: 0,
            block_bytes: 1 << 20,
        }
    }
}

/// A vocabulary: words with ids `0..len`, their corpus counts, and a lookup.
///
/// ```
/// use glove_wgpu::{corpus::Corpus, vocab::{Vocab, VocabOptions}};
/// let opts = VocabOptions { min_count: 1, ..Default::default() };
/// let v = Vocab::count(Corpus::reader(&b"b a b c\n"[..]), &opts)?;
/// assert_eq!((v.words(), v.counts()), (&["b".to_string(), "a".into(), "c".into()][..], &[2, 1, 1][..]));
/// assert_eq!((v.id("c"), v.word(0)), (Some(2), Some("b")));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
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
    /// use glove_wgpu::corpus::Corpus;
    /// use glove_wgpu::vocab::{Vocab, VocabOptions};
    /// let opts = VocabOptions { min_count: 1, ..Default::default() };
    /// let v = Vocab::count(Corpus::reader(&b"b a b\nc a b"[..]), &opts)?;
    /// assert_eq!(v.words(), ["b", "a", "c"]);
    /// assert_eq!(v.corpus_tokens(), 6);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn count(corpus: impl Into<Corpus>, opts: &VocabOptions) -> Result<Self> {
        Vocab::count_with(corpus, opts, &mut silent)
    }

    /// [`Vocab::count`], reporting the bytes and tokens read as
    /// [`Event::Advance`]s of [`Step::Vocab`] (see [`crate::progress`]).
    ///
    /// ```
    /// use glove_wgpu::{corpus::Corpus, progress::Event, vocab::{Vocab, VocabOptions}};
    /// let mut events = 0;
    /// let opts = VocabOptions { min_count: 1, ..Default::default() };
    /// Vocab::count_with(Corpus::reader(&b"a b a"[..]), &opts, &mut |e| {
    ///     events += matches!(e, Event::Advance { .. } | Event::StepDone(_)) as usize;
    ///     Ok(())
    /// })?;
    /// assert_eq!(events, 3); // the start, one block read, then done
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn count_with(
        corpus: impl Into<Corpus>,
        opts: &VocabOptions,
        progress: &mut Progress,
    ) -> Result<Self> {
        let (reader, size, name) = corpus.into().open()?;
        let threads = thread_count(opts.threads);
        let pool = thread_pool(threads)?;
        let mut blocks = BlockReader::new(reader, name.clone(), opts.block_bytes);
        progress(Event::Advance {
            step: Step::Vocab,
            done: 0,
            total: size,
            detail: Detail::Tokens(0),
        })?;
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
            progress(Event::Advance {
                step: Step::Vocab,
                done: blocks.bytes,
                total: size,
                detail: Detail::Tokens(tokens),
            })?;
        }
        progress(Event::StepDone(Step::Vocab))?;
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
    /// non-negative integer is an error naming the line. The path is any input
    /// [`Input::open`] takes (a pipe, a compressed file, a zip member), and the
    /// text rule holds: a leading byte-order mark is dropped, invalid UTF-8 is an
    /// error naming its byte offset.
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
        let input = Input::open(path.as_ref())?;
        let name = input.name().to_string();
        let mut r = BufReader::with_capacity(1 << 16, input);
        let mut line = Vec::new();
        let mut words = Vec::new();
        let mut counts = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        let mut lineno = 0usize;
        let mut offset = 0u64;
        loop {
            line.clear();
            let n = r
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io(format!("reading {name}"), e))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            let start = offset;
            offset += n as u64;
            let mut text = &line[..];
            if lineno == 1 {
                text = crate::input::strip_bom(text);
            }
            let skipped = (line.len() - text.len()) as u64;
            if let Err(e) = std::str::from_utf8(text) {
                let at = e.valid_up_to();
                let byte = e.error_len().map(|_| text[at]);
                return Err(crate::input::utf8_error(
                    &name,
                    start + skipped + at as u64,
                    Some(lineno),
                    byte,
                ));
            }
            let loc = || format!("line {lineno}");
            let mut fields = text.split(|&b| is_separator(b)).filter(|f| !f.is_empty());
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
            // Checked as UTF-8 above, with the line.
            let word = String::from_utf8_lossy(word);
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
            words.push(word.into_owned());
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

    /// Writes Stanford's `vocab.txt` (`word count` per line), atomically; as gzip
    /// when the name ends in `.gz`.
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
        let mut f = AtomicFile::create_compressed(path)?;
        self.write_to(&mut f)
            .map_err(|e| Error::io_path("writing", path, e))?;
        f.commit()
    }

    /// Writes Stanford's `vocab.txt` lines to any writer (flushed at the end).
    ///
    /// ```
    /// use glove_wgpu::vocab::Vocab;
    /// let mut out = Vec::new();
    /// Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?.write_to(&mut out).unwrap();
    /// assert_eq!(out, b"the 10\ncat 3\n");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn write_to(&self, mut out: impl Write) -> std::io::Result<()> {
        for (w, c) in self.words.iter().zip(&self.counts) {
            writeln!(out, "{w} {c}")?;
        }
        out.flush()
    }

    /// The words, by id.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// assert_eq!(v.words(), ["the", "cat"]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The corpus count of each word, by id.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// assert_eq!(v.counts(), [10, 3]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The number of words.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// assert_eq!(v.len(), 2);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary has no words.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// assert!(Vocab::default().is_empty());
    /// assert!(!Vocab::new(vec!["a".into()], vec![1])?.is_empty());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of a word, if it is in the vocabulary.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// assert_eq!((v.id("cat"), v.id("dog")), (Some(1), None));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The word of an id.
    ///
    /// ```
    /// # use glove_wgpu::vocab::Vocab;
    /// let v = Vocab::new(vec!["the".into(), "cat".into()], vec![10, 3])?;
    /// assert_eq!((v.word(1), v.word(2)), (Some("cat"), None));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// Tokens seen in the corpus by [`Vocab::count`] (for a vocabulary read
    /// from a file or built with [`Vocab::new`]: the sum of the counts).
    ///
    /// ```
    /// use glove_wgpu::{corpus::Corpus, vocab::{Vocab, VocabOptions}};
    /// let opts = VocabOptions { min_count: 2, ..Default::default() };
    /// let v = Vocab::count(Corpus::reader(&b"a a b\n"[..]), &opts)?;
    /// assert_eq!((v.len(), v.corpus_tokens()), (1, 3)); // "b" is dropped, still counted here
    /// assert_eq!(Vocab::new(vec!["x".into()], vec![7])?.corpus_tokens(), 7);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn corpus_tokens(&self) -> u64 {
        self.tokens
    }

    /// Distinct words seen by [`Vocab::count`] before `min_count` and
    /// `max_vocab` (otherwise: the number of words).
    ///
    /// ```
    /// use glove_wgpu::{corpus::Corpus, vocab::{Vocab, VocabOptions}};
    /// let opts = VocabOptions { min_count: 2, ..Default::default() };
    /// let v = Vocab::count(Corpus::reader(&b"a a b c\n"[..]), &opts)?;
    /// assert_eq!((v.len(), v.distinct_words()), (1, 3));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn distinct_words(&self) -> u64 {
        self.distinct
    }
}
