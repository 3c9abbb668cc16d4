//! GloVe parameters: `W`, `W~`, `b`, `b~` and their AdaGrad state.
//!
//! The layout is the one of Stanford's `glove.c`, so the CPU and GPU trainers
//! and the checkpoints share one description: one array of `2 * V` rows of
//! `dim + 1` values, word rows `0..V` then context rows `V..2V`, each row
//! holding the vector followed by its bias. `gradsq` has the same shape and
//! holds the AdaGrad sums of squared steps, starting at 1.0.

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// Which vectors to save.
///
/// ```
/// use glove_wgpu::model::{Model, SaveMode};
/// let m = Model::new(2, 3, 1)?;
/// assert_eq!(SaveMode::default(), SaveMode::WPlusC);
/// assert_eq!(m.vectors(SaveMode::W).len(), 2 * 3);
/// assert_eq!(m.vectors(SaveMode::Both).len(), 2 * 6); // W and W~ side by side
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum SaveMode {
    /// `W + W~` (Stanford's `-model 2`, the default).
    #[default]
    #[cfg_attr(feature = "cli", value(name = "w+c"))]
    #[serde(rename = "w+c", alias = "WPlusC")]
    WPlusC,
    /// `W` only (Stanford's `-model 1`).
    #[cfg_attr(feature = "cli", value(name = "w"))]
    #[serde(rename = "w", alias = "W")]
    W,
    /// `W` and `W~` side by side: `2 * dim` columns (Stanford's `-model 0` without biases).
    #[cfg_attr(feature = "cli", value(name = "both"))]
    #[serde(rename = "both", alias = "Both")]
    Both,
}

impl crate::names::Named for SaveMode {
    const ALL: &'static [Self] = &[SaveMode::WPlusC, SaveMode::W, SaveMode::Both];

    fn name(self) -> &'static str {
        match self {
            SaveMode::WPlusC => "w+c",
            SaveMode::W => "w",
            SaveMode::Both => "both",
        }
    }
}

/// GloVe parameters and AdaGrad state in Stanford's layout.
///
/// ```
/// use glove_wgpu::model::{Model, SaveMode};
/// let m = Model::new(3, 4, 1)?;
/// assert_eq!(m.params.len(), 2 * 3 * 5);
/// assert!(m.gradsq.iter().all(|&g| g == 1.0));
/// assert!(m.params.iter().all(|v| v.abs() <= 0.5 / 4.0));
/// assert_eq!(m.vectors(SaveMode::Both).len(), 3 * 8);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Number of words `V`.
    pub vocab: usize,
    /// Vector dimension `d`.
    pub dim: usize,
    /// `2V` rows of `d + 1` values: word rows, then context rows; bias last in a row.
    pub params: Vec<f32>,
    /// AdaGrad sums of squared steps, same shape as `params`.
    pub gradsq: Vec<f32>,
}

impl Model {
    /// A model with parameters uniform in `[-0.5, 0.5] / dim` (biases included,
    /// as `glove.c` does) from a [`SplitMix64`] seeded with `seed`, and AdaGrad
    /// state 1.0.
    ///
    /// ```
    /// use glove_wgpu::model::Model;
    /// assert_eq!(Model::new(10, 4, 7)?, Model::new(10, 4, 7)?); // same seed, same model
    /// assert_ne!(Model::new(10, 4, 7)?, Model::new(10, 4, 8)?);
    /// assert!(Model::new(0, 4, 7).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(vocab: usize, dim: usize, seed: u64) -> Result<Self> {
        let mut rng = SplitMix64::new(seed);
        Self::with_rng(vocab, dim, &mut rng)
    }

    /// As [`Model::new`], drawing from `rng` (whose state then moves on).
    ///
    /// ```
    /// use glove_wgpu::{model::Model, rng::SplitMix64};
    /// let mut rng = SplitMix64::new(7);
    /// let m = Model::with_rng(10, 4, &mut rng)?;
    /// assert_eq!(m, Model::new(10, 4, 7)?);
    /// assert_ne!(rng, SplitMix64::new(7)); // the state moved on
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn with_rng(vocab: usize, dim: usize, rng: &mut SplitMix64) -> Result<Self> {
        if vocab == 0 || dim == 0 {
            return Err(Error::invalid(format!(
                "a model needs at least one word and one dimension (got {vocab} words, dimension {dim})"
            )));
        }
        if vocab > u32::MAX as usize / 2 {
            return Err(Error::invalid(format!("{vocab} words is too many")));
        }
        let len = 2usize
            .checked_mul(vocab)
            .and_then(|n| n.checked_mul(dim + 1))
            .ok_or_else(|| Error::invalid("model size overflows"))?;
        let scale = 1.0 / dim as f32;
        let params = (0..len).map(|_| (rng.next_f32() - 0.5) * scale).collect();
        Ok(Model {
            vocab,
            dim,
            params,
            gradsq: vec![1.0; len],
        })
    }

    /// Values per row: `dim + 1` (the bias is last).
    ///
    /// ```
    /// # use glove_wgpu::model::Model;
    /// assert_eq!(Model::new(2, 50, 1)?.stride(), 51);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn stride(&self) -> usize {
        self.dim + 1
    }

    /// Word row `i` (vector then bias).
    ///
    /// ```
    /// # use glove_wgpu::model::Model;
    /// let m = Model::new(2, 3, 1)?;
    /// assert_eq!(m.word_row(1), &m.params[4..8]); // vector, then bias
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn word_row(&self, i: usize) -> &[f32] {
        let s = self.stride();
        &self.params[i * s..(i + 1) * s]
    }

    /// Context row `j` (vector then bias).
    ///
    /// ```
    /// # use glove_wgpu::model::Model;
    /// let m = Model::new(2, 3, 1)?;
    /// assert_eq!(m.context_row(0), &m.params[8..12]); // after the 2 word rows
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn context_row(&self, j: usize) -> &[f32] {
        let s = self.stride();
        &self.params[(self.vocab + j) * s..(self.vocab + j + 1) * s]
    }

    /// Columns per word of [`Model::vectors`] for `mode`.
    ///
    /// ```
    /// # use glove_wgpu::model::{Model, SaveMode};
    /// let m = Model::new(2, 3, 1)?;
    /// assert_eq!((m.output_dim(SaveMode::WPlusC), m.output_dim(SaveMode::Both)), (3, 6));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn output_dim(&self, mode: SaveMode) -> usize {
        match mode {
            SaveMode::Both => 2 * self.dim,
            _ => self.dim,
        }
    }

    /// The `V x output_dim(mode)` row-major matrix of word vectors (biases left out).
    ///
    /// ```
    /// # use glove_wgpu::model::{Model, SaveMode};
    /// let m = Model::new(2, 3, 1)?;
    /// let v = m.vectors(SaveMode::WPlusC);
    /// assert_eq!(v[0], m.word_row(0)[0] + m.context_row(0)[0]);
    /// assert_eq!(v.len(), 2 * 3); // biases left out
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn vectors(&self, mode: SaveMode) -> Vec<f32> {
        let (v, d, s) = (self.vocab, self.dim, self.stride());
        let mut out = Vec::with_capacity(v * self.output_dim(mode));
        for i in 0..v {
            let w = &self.params[i * s..i * s + d];
            let c = &self.params[(v + i) * s..(v + i) * s + d];
            match mode {
                SaveMode::WPlusC => out.extend(w.iter().zip(c).map(|(a, b)| a + b)),
                SaveMode::W => out.extend_from_slice(w),
                SaveMode::Both => {
                    out.extend_from_slice(w);
                    out.extend_from_slice(c);
                }
            }
        }
        out
    }

    /// Word vectors with their words, ready for [`crate::io::write`] or search.
    ///
    /// ```
    /// # use glove_wgpu::model::{Model, SaveMode};
    /// let m = Model::new(2, 3, 1)?;
    /// let e = m.embeddings(vec!["a".into(), "b".into()], SaveMode::W)?;
    /// assert_eq!(e.get("b"), Some(&m.word_row(1)[..3]));
    /// assert!(m.embeddings(vec!["a".into()], SaveMode::W).is_err()); // 2 rows, 1 word
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn embeddings(&self, words: Vec<String>, mode: SaveMode) -> Result<Embeddings> {
        if words.len() != self.vocab {
            return Err(Error::invalid(format!(
                "the model has {} words but {} names were given",
                self.vocab,
                words.len()
            )));
        }
        Embeddings::new(words, self.output_dim(mode), self.vectors(mode))
    }
}
