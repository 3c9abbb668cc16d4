//! Standard evaluations: Google analogy questions and word-pair similarity.
//!
//! - **Analogies** (`questions-words.txt`): sections start with `: name`; each
//!   question `a b c d` asks for `d` as the nearest word to `b - a + c` (3CosAdd,
//!   unit vectors, cosine) over the whole vocabulary, excluding `a`, `b` and `c`,
//!   as Stanford's `evaluate.py` does. Questions whose four words are all in the
//!   vocabulary are *covered*; accuracy is over covered questions, per section,
//!   semantic (sections not starting with `gram`), syntactic and total. Questions
//!   are answered in batches on the index's device (GPU or CPU).
//! - **Word pairs** (WordSim-353 `.tsv`: `word1<TAB>word2<TAB>score`, `#` comments):
//!   Spearman's rho between the human scores and the cosine similarities of the
//!   covered pairs (ties get average ranks), and the coverage.
//!
//! Words are lower-cased before lookup unless `keep_case` is set (the question
//! files are capitalised; corpora here are lower-case).

use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::similarity::WordIndex;

/// Analogy questions read from a file.
///
/// ```
/// use glove_wgpu::eval::AnalogyQuestions;
/// let q = AnalogyQuestions::parse(": capitals\nAthens Greece Oslo Norway\n: gram1\ngo went see saw\n", "q", false)?;
/// assert_eq!(q.sections, ["capitals", "gram1"]);
/// assert_eq!(q.questions[0], (0, ["athens", "greece", "oslo", "norway"].map(String::from)));
/// assert_eq!(q.questions[1].0, 1);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalogyQuestions {
    /// Section names in file order.
    pub sections: Vec<String>,
    /// `(section index, [a, b, c, d])`.
    pub questions: Vec<(usize, [String; 4])>,
}

impl AnalogyQuestions {
    /// Parses the Google analogy format; `source` names the input in errors.
    ///
    /// ```
    /// let q = glove_wgpu::eval::AnalogyQuestions::parse(": family\nboy girl he she\n", "q.txt", false)?;
    /// assert_eq!(q.sections, vec!["family".to_string()]);
    /// assert_eq!(q.questions[0].1[3], "she");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn parse(text: &str, source: &str, keep_case: bool) -> Result<Self> {
        let mut out = AnalogyQuestions::default();
        for (n, line) in body(text).lines().enumerate() {
            let line = trim(line);
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix(':') {
                out.sections.push(trim(name).to_string());
                continue;
            }
            let words: Vec<&str> = fields(line).collect();
            if words.len() != 4 {
                return Err(Error::malformed(
                    source,
                    format!("line {}", n + 1),
                    format!("an analogy question has 4 words, found {}", words.len()),
                ));
            }
            if out.sections.is_empty() {
                return Err(Error::malformed(
                    source,
                    format!("line {}", n + 1),
                    "question before the first `: section` line",
                ));
            }
            let w = |i: usize| {
                if keep_case {
                    words[i].to_string()
                } else {
                    words[i].to_lowercase()
                }
            };
            out.questions
                .push((out.sections.len() - 1, [w(0), w(1), w(2), w(3)]));
        }
        Ok(out)
    }

    /// Reads and parses a question file.
    ///
    /// ```
    /// use glove_wgpu::eval::AnalogyQuestions;
    /// let path = std::env::temp_dir().join(format!("glove-doc-questions-{}.txt", std::process::id()));
    /// std::fs::write(&path, ": family\nboy girl brother sister\n").unwrap();
    /// let q = AnalogyQuestions::read(&path, true)?;
    /// assert_eq!(q.questions.len(), 1);
    /// std::fs::remove_file(&path).unwrap();
    /// assert!(AnalogyQuestions::read(&path, true).is_err()); // gone
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>, keep_case: bool) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::input::read_text(path)?;
        Self::parse(&text, &path.display().to_string(), keep_case)
    }
}

/// A text without its byte-order mark (the text rule of [`crate::input`]).
fn body(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A line without the separators at its ends.
fn trim(line: &str) -> &str {
    line.trim_matches([' ', '\t', '\r'])
}

/// The fields of a line, split on the tokenizer's separators (space, tab,
/// carriage return): other white space, such as a no-break space, belongs to a
/// word, as in [`crate::corpus::word_problem`].
fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', '\t', '\r']).filter(|f| !f.is_empty())
}

/// Correct, covered and total questions of a group.
///
/// ```
/// use glove_wgpu::eval::Tally;
/// let t = Tally { correct: 3, covered: 4, total: 8 };
/// assert_eq!((t.accuracy(), t.coverage()), (Some(0.75), Some(0.5)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions whose four words are in the vocabulary.
    pub covered: usize,
    /// Questions in the file.
    pub total: usize,
}

impl Tally {
    /// `correct / covered`; `None` when no question is covered (an accuracy
    /// over nothing does not exist: see [`Tally::undefined`]).
    ///
    /// ```
    /// # use glove_wgpu::eval::Tally;
    /// assert_eq!(Tally { correct: 1, covered: 4, total: 5 }.accuracy(), Some(0.25));
    /// assert_eq!(Tally { correct: 0, covered: 0, total: 5 }.accuracy(), None); // nothing covered
    /// ```
    pub fn accuracy(&self) -> Option<f64> {
        (self.covered > 0).then(|| self.correct as f64 / self.covered as f64)
    }

    /// `covered / total`; `None` when there are no questions.
    ///
    /// ```
    /// # use glove_wgpu::eval::Tally;
    /// assert_eq!(Tally { correct: 1, covered: 4, total: 5 }.coverage(), Some(0.8));
    /// assert_eq!(Tally::default().coverage(), None);
    /// ```
    pub fn coverage(&self) -> Option<f64> {
        (self.total > 0).then(|| self.covered as f64 / self.total as f64)
    }

    /// Why the accuracy does not exist, when it does not.
    ///
    /// ```
    /// # use glove_wgpu::eval::Tally;
    /// assert_eq!(Tally::default().undefined(), Some("no questions"));
    /// assert_eq!(Tally { correct: 0, covered: 0, total: 3 }.undefined(), Some("no question has its four words in the vectors"));
    /// assert_eq!(Tally { correct: 0, covered: 1, total: 3 }.undefined(), None);
    /// ```
    pub fn undefined(&self) -> Option<&'static str> {
        if self.total == 0 {
            Some("no questions")
        } else if self.covered == 0 {
            Some("no question has its four words in the vectors")
        } else {
            None
        }
    }

    fn add(&mut self, o: &Tally) {
        self.correct += o.correct;
        self.covered += o.covered;
        self.total += o.total;
    }
}

/// Analogy results by section and group.
///
/// ```
/// use glove_wgpu::{Embeddings, eval, similarity::WordIndex, search::{Metric, SearchOptions}};
/// let e = Embeddings::new(vec!["man".into(), "king".into(), "woman".into(), "queen".into()], 2,
///     vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.1, 1.0])?;
/// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
/// let q = eval::AnalogyQuestions::parse(": royal\nman king woman queen\n: gram0\nking man queen prince\n", "q", false)?;
/// let r = eval::analogies(&idx, &q)?;
/// assert_eq!((r.semantic.correct, r.syntactic.covered, r.total.total), (1, 0, 2));
/// assert_eq!(r.sections[0].0, "royal");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct AnalogyReport {
    /// `(section name, tally)` in file order.
    pub sections: Vec<(String, Tally)>,
    /// Sections whose name does not start with `gram`.
    pub semantic: Tally,
    /// Sections whose name starts with `gram`.
    pub syntactic: Tally,
    /// Everything.
    pub total: Tally,
}

/// Questions answered per search call.
///
/// ```
/// // `analogies` answers at most this many questions per search.
/// assert!(glove_wgpu::eval::ANALOGY_BATCH >= 1);
/// ```
pub const ANALOGY_BATCH: usize = 2048;

/// Answers every covered question with 3CosAdd on `index` (batched) and tallies.
///
/// ```
/// use glove_wgpu::{Embeddings, eval, similarity::WordIndex, search::{Metric, SearchOptions}};
/// let e = Embeddings::new(
///     vec!["man".into(), "woman".into(), "king".into(), "queen".into(), "apple".into()],
///     3,
///     vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.3, 0.3, -1.0],
/// )?;
/// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
/// let q = eval::AnalogyQuestions::parse(": family\nMan Woman King Queen\nman woman king prince\n", "q", false)?;
/// let r = eval::analogies(&idx, &q)?;
/// assert_eq!((r.total.correct, r.total.covered, r.total.total), (1, 1, 2));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn analogies(index: &WordIndex, questions: &AnalogyQuestions) -> Result<AnalogyReport> {
    let emb = index.embeddings();
    let mut tallies = vec![Tally::default(); questions.sections.len()];
    let mut covered: Vec<(usize, [u32; 3], u32)> = Vec::new();
    for (s, words) in &questions.questions {
        tallies[*s].total += 1;
        let ids: Option<Vec<u32>> = words.iter().map(|w| emb.id(w)).collect();
        if let Some(ids) = ids {
            tallies[*s].covered += 1;
            covered.push((*s, [ids[0], ids[1], ids[2]], ids[3]));
        }
    }
    for batch in covered.chunks(ANALOGY_BATCH) {
        let qs: Vec<[u32; 3]> = batch.iter().map(|q| q.1).collect();
        let hits = index.analogies(&qs, 1)?;
        for ((s, _, want), h) in batch.iter().zip(&hits) {
            if h.first().map(|n| n.id) == Some(*want) {
                tallies[*s].correct += 1;
            }
        }
    }
    let mut report = AnalogyReport::default();
    for (name, t) in questions.sections.iter().zip(tallies) {
        if name.starts_with("gram") {
            report.syntactic.add(&t);
        } else {
            report.semantic.add(&t);
        }
        report.total.add(&t);
        report.sections.push((name.clone(), t));
    }
    Ok(report)
}

/// Word pairs with a human score.
///
/// ```
/// use glove_wgpu::eval::WordPairs;
/// let p = WordPairs::parse("love sex 6.77\nTiger tiger 10\n", "ws", true)?;
/// assert_eq!(p.pairs[1], ("Tiger".into(), "tiger".into(), 10.0)); // keep_case
/// assert!(WordPairs::parse("love sex\n", "ws", false).is_err()); // no score
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WordPairs {
    /// `(word1, word2, score)`.
    pub pairs: Vec<(String, String, f64)>,
}

impl WordPairs {
    /// Parses `word1<TAB or space>word2<TAB or space>score` lines; `#` starts a comment line.
    ///
    /// ```
    /// let p = glove_wgpu::eval::WordPairs::parse("# c\nTiger\tcat\t7.35\n", "ws.tsv", false)?;
    /// assert_eq!(p.pairs, vec![("tiger".into(), "cat".into(), 7.35)]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn parse(text: &str, source: &str, keep_case: bool) -> Result<Self> {
        let mut pairs = Vec::new();
        for (n, line) in body(text).lines().enumerate() {
            let line = trim(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = fields(line).collect();
            let loc = || format!("line {}", n + 1);
            if f.len() != 3 {
                return Err(Error::malformed(
                    source,
                    loc(),
                    format!("a word pair line has 3 fields, found {}", f.len()),
                ));
            }
            let score: f64 = f[2].parse().map_err(|_| {
                Error::malformed(source, loc(), format!("score {:?} is not a number", f[2]))
            })?;
            if !score.is_finite() {
                return Err(Error::malformed(source, loc(), "score is not finite"));
            }
            let w = |s: &str| {
                if keep_case {
                    s.to_string()
                } else {
                    s.to_lowercase()
                }
            };
            pairs.push((w(f[0]), w(f[1]), score));
        }
        Ok(WordPairs { pairs })
    }

    /// Reads and parses a word-pair file.
    ///
    /// ```
    /// use glove_wgpu::eval::WordPairs;
    /// let path = std::env::temp_dir().join(format!("glove-doc-pairs-{}.tsv", std::process::id()));
    /// std::fs::write(&path, "# word1 word2 score\ncup mug 8.5\n").unwrap();
    /// let p = WordPairs::read(&path, false)?;
    /// assert_eq!(p.pairs, [("cup".into(), "mug".into(), 8.5)]);
    /// std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>, keep_case: bool) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::input::read_text(path)?;
        Self::parse(&text, &path.display().to_string(), keep_case)
    }
}

/// Word-pair similarity result. A correlation over fewer than two covered
/// pairs, or against scores that are all equal, does not exist: it is `None`,
/// and [`PairReport::undefined`] says why.
///
/// ```
/// use glove_wgpu::{Embeddings, eval};
/// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
/// let p = eval::WordPairs::parse("a b 5\na zzz 1\n", "p", false)?;
/// let r = eval::word_pairs(&e, &p);
/// assert_eq!((r.spearman, r.covered, r.total), (None, 1, 2)); // one pair: no rho
/// assert_eq!(r.undefined.as_deref(), Some("fewer than two pairs have both words in the vectors (1 of 2)"));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PairReport {
    /// Spearman's rho over covered pairs (`None` when undefined).
    pub spearman: Option<f64>,
    /// Pearson's r over covered pairs (`None` when undefined).
    pub pearson: Option<f64>,
    /// Pairs with both words in the vocabulary.
    pub covered: usize,
    /// Pairs in the file.
    pub total: usize,
    /// Why Spearman's rho does not exist, when it does not.
    pub undefined: Option<String>,
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation (Pearson correlation of the average ranks);
/// `None` when the lengths differ, there are fewer than two values, or either
/// side is constant.
///
/// ```
/// use glove_wgpu::eval::spearman;
/// assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]).unwrap() - 1.0).abs() < 1e-12);
/// assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
/// assert_eq!(spearman(&[1.0, 2.0], &[5.0, 5.0]), None); // constant scores
/// ```
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    pearson(&ranks(a), &ranks(b))
}

/// Pearson's correlation; `None` when the lengths differ, there are fewer than
/// two values, or either side is constant (the correlation does not exist).
///
/// ```
/// use glove_wgpu::eval::pearson;
/// assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap() - 1.0).abs() < 1e-12);
/// assert!((pearson(&[1.0, 2.0, 4.0], &[1.0, 2.0, 3.0]).unwrap() - 0.9819805060619657).abs() < 1e-12);
/// assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
/// ```
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        None
    } else {
        Some(sab / (saa * sbb).sqrt())
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        ab += x as f64 * y as f64;
        aa += x as f64 * x as f64;
        bb += y as f64 * y as f64;
    }
    if aa == 0.0 || bb == 0.0 {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

/// Spearman's rho between the human scores and the cosine similarities of the covered pairs.
///
/// ```
/// use glove_wgpu::{Embeddings, eval};
/// let e = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 2, vec![1.0, 0.0, 0.8, 0.6, 0.0, 1.0])?;
/// let p = eval::WordPairs::parse("a b 9\na c 1\nb c 5\na zzz 3\n", "p", false)?;
/// let r = eval::word_pairs(&e, &p);
/// assert_eq!((r.covered, r.total), (3, 4));
/// assert!((r.spearman.unwrap() - 1.0).abs() < 1e-12);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn word_pairs(emb: &Embeddings, pairs: &WordPairs) -> PairReport {
    let (mut human, mut model) = (Vec::new(), Vec::new());
    for (a, b, s) in &pairs.pairs {
        if let (Some(x), Some(y)) = (emb.id(a), emb.id(b)) {
            human.push(*s);
            model.push(cosine(emb.row(x), emb.row(y)));
        }
    }
    let (covered, total) = (human.len(), pairs.pairs.len());
    let constant = |v: &[f64]| v.windows(2).all(|w| w[0] == w[1]);
    let rho = spearman(&human, &model);
    let undefined = rho.is_none().then(|| {
        if total == 0 {
            "the file has no pairs".to_string()
        } else if covered < 2 {
            format!("fewer than two pairs have both words in the vectors ({covered} of {total})")
        } else if constant(&human) {
            format!("the {covered} covered pairs all have the same human score")
        } else if constant(&model) {
            format!("the vectors give the {covered} covered pairs the same similarity")
        } else {
            "undefined".to_string()
        }
    });
    PairReport {
        spearman: rho,
        pearson: pearson(&human, &model),
        covered,
        total,
        undefined,
    }
}
