//! Words in, words out: neighbours, most-similar, analogies, reverse lookup.
//!
//! [`WordIndex`] pairs [`Embeddings`] with a [`SearchIndex`] on the GPU or the
//! CPU and answers in words. Query words are excluded from their own answers,
//! as gensim does.

use std::sync::OnceLock;

use crate::device::Device;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::search::{inv_norm, Metric, Neighbor, SearchIndex, SearchOptions};

/// Checks that f16 can hold the rows of `emb` for a search by `metric`, and
/// names the first row it cannot: a value beyond ±65,504 (f16's largest) would
/// become infinite, so its row would score `inf` (dot) or drop out of the
/// results (Euclidean); a row whose values all lie below 2^-14 (about 6.1e-5,
/// f16's smallest normal number) would keep fewer than f16's 11 bits, or become
/// zeros. Such rows are refused, not silently rounded: search them in f32.
/// Cosine normalises every row before it is stored, so it takes any row.
/// [`WordIndex::new`] runs this check for an f16 index.
///
/// ```
/// use glove_wgpu::{similarity::check_f16, search::Metric, Embeddings};
/// let e = Embeddings::new(vec!["ok".into(), "huge".into()], 2, vec![0.5, -1.0, 7e4, 1.0])?;
/// let err = check_f16(&e, Metric::Dot).unwrap_err().to_string();
/// assert!(err.contains("row 2") && err.contains("huge") && err.contains("70000"), "{err}");
/// assert!(check_f16(&e, Metric::Cosine).is_ok()); // rows normalised first
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn check_f16(emb: &Embeddings, metric: Metric) -> Result<()> {
    use rayon::prelude::*;
    if metric == Metric::Cosine || emb.dim() == 0 {
        return Ok(());
    }
    let smallest_normal = half::f16::MIN_POSITIVE.to_f32();
    let problem = emb
        .matrix()
        .par_chunks(emb.dim())
        .enumerate()
        .find_first(|(_, row)| {
            let big = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            half::f16::from_f32(big).is_infinite() || (big > 0.0 && big < smallest_normal)
        });
    let Some((r, row)) = problem else {
        return Ok(());
    };
    let word = &emb.words()[r];
    let big = row
        .iter()
        .copied()
        .fold(0f32, |m, v| if v.abs() > m.abs() { v } else { m });
    let why = if half::f16::from_f32(big).is_infinite() {
        format!(
            "holds {big}, beyond ±65,504, the largest value f16 holds: it would become \
             infinite, and the row would {}",
            if metric == Metric::Euclidean {
                "drop out of the results"
            } else {
                "score inf"
            }
        )
    } else {
        format!(
            "has no value larger than {}, below 2^-14 (about 6.1e-5), where f16 keeps fewer \
             than its 11 bits or rounds to zero",
            big.abs()
        )
    };
    Err(Error::invalid(format!(
        "f16 cannot hold row {} (word {word:?}): it {why}; search in f32 (without --f16 / \
         f16=True), or use the cosine metric, which normalises rows first",
        r + 1
    )))
}

/// A word and its score (similarity, or distance for the Euclidean metric).
///
/// ```
/// use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::{WordIndex, WordScore}};
/// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
/// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Dot))?;
/// let hits = idx.most_similar(&["a"], &[], 1)?;
/// assert_eq!(hits, [WordScore { word: "b".into(), score: 2.0 }]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WordScore {
    /// The word.
    pub word: String,
    /// Its score.
    pub score: f32,
}

/// How an analogy `a : b :: c : ?` is scored.
///
/// ```
/// use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::*};
/// let e = Embeddings::new(vec!["man".into(), "king".into(), "woman".into(), "queen".into()], 2,
///     vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.1, 1.0])?;
/// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
/// for method in [AnalogyMethod::Add, AnalogyMethod::Mul] {
///     assert_eq!(idx.analogy("man", "king", "woman", 1, method)?[0].word, "queen");
/// }
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum AnalogyMethod {
    /// 3CosAdd: nearest to `b - a + c` (unit vectors), by cosine.
    Add,
    /// 3CosMul (Levy & Goldberg 2014): `cos'(x,b) cos'(x,c) / (cos'(x,a) + 0.001)`
    /// with `cos' = (cos + 1) / 2`. Computed on the CPU over every word.
    Mul,
}

impl crate::names::Named for AnalogyMethod {
    const ALL: &'static [Self] = &[AnalogyMethod::Add, AnalogyMethod::Mul];

    fn name(self) -> &'static str {
        match self {
            AnalogyMethod::Add => "add",
            AnalogyMethod::Mul => "mul",
        }
    }
}

/// Embeddings ready for word queries.
///
/// ```
/// use glove_wgpu::{Embeddings, similarity::WordIndex, search::SearchOptions, search::Metric};
/// let e = Embeddings::new(
///     vec!["man".into(), "woman".into(), "king".into(), "queen".into(), "apple".into()],
///     3,
///     vec![1.0, 0.0, 0.0,   0.0, 1.0, 0.0,   1.0, 0.0, 1.0,   0.0, 1.0, 1.0,   0.3, 0.3, -1.0],
/// )?;
/// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
/// let best = idx.analogy("man", "king", "woman", 1, glove_wgpu::similarity::AnalogyMethod::Add)?;
/// assert_eq!(best[0].word, "queen");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct WordIndex {
    emb: Embeddings,
    index: SearchIndex,
    unit: OnceLock<Vec<f32>>,
}

impl std::fmt::Debug for WordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordIndex")
            .field("words", &self.emb.len())
            .field("index", &self.index)
            .finish()
    }
}

impl WordIndex {
    /// Indexes `emb` on `device` (the GPU's context, or the CPU twin).
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// use glove_wgpu::Device;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// // `Device::Cpu`: search on the CPU; `Device::Gpu(ctx)`: on the GPU.
    /// let idx = WordIndex::new(e, &Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// assert_eq!(idx.index().device_name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(emb: Embeddings, device: &Device, opts: &SearchOptions) -> Result<Self> {
        if opts.precision == crate::search::Precision::F16 {
            check_f16(&emb, opts.metric)?;
        }
        let index = SearchIndex::new(device, emb.matrix(), emb.dim(), opts)?;
        Ok(WordIndex {
            emb,
            index,
            unit: OnceLock::new(),
        })
    }

    /// The embeddings.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let idx = WordIndex::new(e.clone(), &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// assert_eq!(idx.embeddings(), &e);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn embeddings(&self) -> &Embeddings {
        &self.emb
    }

    /// The search index.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Dot))?;
    /// assert_eq!((idx.index().len(), idx.index().metric()), (2, Metric::Dot));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn words(&self, hits: &[Neighbor]) -> Vec<WordScore> {
        hits.iter()
            .map(|h| WordScore {
                word: self.emb.words()[h.id as usize].clone(),
                score: h.score,
            })
            .collect()
    }

    /// The `k` nearest other words of each word, in one batched search. An unknown
    /// word gives an [`Error::UnknownWord`] in its own slot; the others are answered.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, similarity::WordIndex, search::{Metric, SearchOptions}};
    /// let e = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 2,
    ///     vec![1.0, 0.0, 0.9, 0.1, 0.0, 1.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// let out = idx.neighbors(&["a", "zzz"], 1)?;
    /// assert_eq!(out[0].as_ref().unwrap()[0].word, "b");
    /// assert!(out[1].is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn neighbors(&self, words: &[&str], k: usize) -> Result<Vec<Result<Vec<WordScore>>>> {
        let ids: Vec<Option<u32>> = words.iter().map(|w| self.emb.id(w)).collect();
        let known: Vec<u32> = ids.iter().flatten().copied().collect();
        let queries: Vec<f32> = known
            .iter()
            .flat_map(|&id| self.emb.row(id).iter().copied())
            .collect();
        let excl: Vec<Vec<u32>> = known.iter().map(|&id| vec![id]).collect();
        let mut hits = self.index.search(&queries, k, Some(&excl))?.into_iter();
        Ok(words
            .iter()
            .zip(&ids)
            .map(|(w, id)| match id {
                Some(_) => Ok(self.words(&hits.next().expect("one list per known word"))),
                None => Err(Error::UnknownWord(w.to_string())),
            })
            .collect())
    }

    /// The query vector of a word combination: the sum of `positive` minus the sum
    /// of `negative` vectors (unit vectors for cosine, raw vectors otherwise).
    fn combine(&self, positive: &[&str], negative: &[&str]) -> Result<(Vec<f32>, Vec<u32>)> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::invalid("no words given"));
        }
        let mut q = vec![0f64; self.emb.dim()];
        let mut used = Vec::new();
        for (words, sign) in [(positive, 1.0), (negative, -1.0)] {
            for w in words {
                let id = self.emb.require(w)?;
                let v = self.emb.row(id);
                let scale = if self.index.metric() == Metric::Cosine {
                    inv_norm(v)
                } else {
                    1.0
                };
                for (a, &b) in q.iter_mut().zip(v) {
                    *a += sign * scale * b as f64;
                }
                used.push(id);
            }
        }
        Ok((q.into_iter().map(|v| v as f32).collect(), used))
    }

    /// gensim's `most_similar`: the `k` words nearest to `sum(positive) - sum(negative)`,
    /// excluding the input words.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// let e = Embeddings::new(vec!["x".into(), "y".into(), "xy".into(), "-y".into()], 2,
    ///     vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, -1.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// assert_eq!(idx.most_similar(&["x", "y"], &[], 1)?[0].word, "xy");
    /// assert_eq!(idx.most_similar(&[], &["y"], 1)?[0].word, "-y");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
    ) -> Result<Vec<WordScore>> {
        let (q, used) = self.combine(positive, negative)?;
        let hits = self.index.search(&q, k, Some(&[used]))?;
        Ok(self.words(&hits[0]))
    }

    /// `a : b :: c : ?`, i.e. `b - a + c`, excluding `a`, `b` and `c`.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::*};
    /// let e = Embeddings::new(vec!["paris".into(), "france".into(), "rome".into(), "italy".into()], 2,
    ///     vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.1, 2.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// let best = idx.analogy("paris", "france", "rome", 1, AnalogyMethod::Add)?;
    /// assert_eq!(best[0].word, "italy");
    /// assert!(idx.analogy("paris", "france", "berlin", 1, AnalogyMethod::Add).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn analogy(
        &self,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
        method: AnalogyMethod,
    ) -> Result<Vec<WordScore>> {
        match method {
            AnalogyMethod::Add => self.most_similar(&[b, c], &[a], k),
            AnalogyMethod::Mul => {
                let ids = [
                    self.emb.require(a)?,
                    self.emb.require(b)?,
                    self.emb.require(c)?,
                ];
                Ok(self.words(&self.cos_mul(ids, k)))
            }
        }
    }

    /// 3CosAdd for many questions `[a, b, c]` (ids) in one batched search; each
    /// answer excludes its three question words.
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// let e = Embeddings::new(vec!["man".into(), "king".into(), "woman".into(), "queen".into()], 2,
    ///     vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.1, 1.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    /// let hits = idx.analogies(&[[0, 1, 2]], 1)?; // man : king :: woman : ?
    /// assert_eq!(hits[0][0].id, 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn analogies(&self, questions: &[[u32; 3]], k: usize) -> Result<Vec<Vec<Neighbor>>> {
        let dim = self.emb.dim();
        let mut queries = Vec::with_capacity(questions.len() * dim);
        for &[a, b, c] in questions {
            for id in [a, b, c] {
                if id as usize >= self.emb.len() {
                    return Err(Error::invalid(format!("word id {id} out of range")));
                }
            }
            let unit = |id: u32| {
                let v = self.emb.row(id);
                let s = inv_norm(v);
                v.iter().map(move |&x| x as f64 * s)
            };
            queries.extend(
                unit(b)
                    .zip(unit(a))
                    .zip(unit(c))
                    .map(|((b, a), c)| (b - a + c) as f32),
            );
        }
        let excl: Vec<Vec<u32>> = questions.iter().map(|q| q.to_vec()).collect();
        self.index.search(&queries, k, Some(&excl))
    }

    /// Reverse lookup: the `k` nearest words of each raw vector (`m x dim`, row-major).
    ///
    /// ```
    /// # use glove_wgpu::{Embeddings, search::{Metric, SearchOptions}, similarity::WordIndex};
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 0.0, 0.0, 1.0])?;
    /// let idx = WordIndex::new(e, &glove_wgpu::Device::Cpu, &SearchOptions::new(Metric::Euclidean))?;
    /// let out = idx.nearest(&[0.9, 0.0, 0.0, 2.0], 1)?; // two raw vectors
    /// assert_eq!((out[0][0].word.as_str(), out[1][0].word.as_str()), ("a", "b"));
    /// assert!((out[1][0].score - 1.0).abs() < 1e-6);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn nearest(&self, vectors: &[f32], k: usize) -> Result<Vec<Vec<WordScore>>> {
        let hits = self.index.search(vectors, k, None)?;
        Ok(hits.iter().map(|h| self.words(h)).collect())
    }

    fn cos_mul(&self, [a, b, c]: [u32; 3], k: usize) -> Vec<Neighbor> {
        use rayon::prelude::*;
        let dim = self.emb.dim();
        let unit = self.unit.get_or_init(|| {
            let mut u = self.emb.matrix().to_vec();
            u.par_chunks_mut(dim.max(1)).for_each(|r| {
                let s = inv_norm(r);
                r.iter_mut().for_each(|x| *x = (*x as f64 * s) as f32);
            });
            u
        });
        let row = |id: u32| &unit[id as usize * dim..(id as usize + 1) * dim];
        let (ra, rb, rc) = (row(a), row(b), row(c));
        let cos =
            |x: &[f32], y: &[f32]| (x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>() + 1.0) / 2.0;
        let scores: Vec<f32> = unit
            .par_chunks(dim.max(1))
            .map(|x| cos(x, rb) * cos(x, rc) / (cos(x, ra) + 1e-3))
            .collect();
        let mut top = crate::search::TopK::new(k);
        for (id, &s) in scores.iter().enumerate() {
            let id = id as u32;
            if id != a && id != b && id != c {
                top.push(s, id);
            }
        }
        top.iter()
            .map(|(score, id)| Neighbor { id, score })
            .collect()
    }
}
