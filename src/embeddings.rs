//! A vocabulary (word <-> id) and a row-major `n x dim` f32 matrix.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// Word vectors: row `i` of the matrix belongs to `words()[i]`.
///
/// ```
/// use glove_wgpu::Embeddings;
/// let e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(e.id("b"), Some(1));
/// assert_eq!(e.vector(1), Some(&[0.0, 1.0][..]));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    words: Vec<String>,
    index: HashMap<String, u32>,
    dim: usize,
    data: Vec<f32>,
}

impl Embeddings {
    /// Builds embeddings, checking shapes, duplicate words, empty or whitespace
    /// words and non-finite values.
    ///
    /// ```
    /// use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(e.get("b"), Some(&[3.0, 4.0][..]));
    /// assert!(Embeddings::new(vec!["a".into()], 2, vec![1.0]).is_err()); // 1 x 2 needs 2 values
    /// assert!(Embeddings::new(vec!["a b".into()], 1, vec![1.0]).is_err()); // a separator
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(words: Vec<String>, dim: usize, data: Vec<f32>) -> Result<Self> {
        if words.len().checked_mul(dim) != Some(data.len()) {
            return Err(Error::invalid(format!(
                "{} words x {dim} dimensions needs {} values, got {}",
                words.len(),
                words.len().saturating_mul(dim),
                data.len()
            )));
        }
        if words.len() > u32::MAX as usize - 1 {
            return Err(Error::invalid("more than 2^32 - 2 words"));
        }
        if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(format!(
                "word {:?} has a non-finite value ({}) in dimension {}",
                words[pos / dim.max(1)],
                data[pos],
                pos % dim.max(1)
            )));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if crate::corpus::word_problem(w).is_some() {
                return Err(Error::invalid(format!(
                    "word {i} ({w:?}) is empty or contains a separator (space, tab, newline, carriage return)"
                )));
            }
            if index.insert(w.clone(), i as u32).is_some() {
                return Err(Error::invalid(format!("duplicate word {w:?} at row {i}")));
            }
        }
        Ok(Embeddings {
            words,
            index,
            dim,
            data,
        })
    }

    /// Builds embeddings from parts a reader has already checked: `index`
    /// maps each word to its row, words are non-empty without whitespace,
    /// values are finite and `data.len() == words.len() * dim`.
    pub(crate) fn from_checked_parts(
        words: Vec<String>,
        index: HashMap<String, u32>,
        dim: usize,
        data: Vec<f32>,
    ) -> Self {
        debug_assert_eq!(words.len() * dim, data.len());
        debug_assert_eq!(words.len(), index.len());
        Embeddings {
            words,
            index,
            dim,
            data,
        }
    }

    /// Reads embeddings from `path` in `format`; see [`crate::io::read`].
    ///
    /// ```
    /// use glove_wgpu::{io::Format, Embeddings};
    /// let path = std::env::temp_dir().join("glove_wgpu_load_doc.txt");
    /// std::fs::write(&path, "1 2\nhi 0.5 0.25\n").unwrap();
    /// let e = Embeddings::load(&path, Format::Word2vec)?;
    /// assert_eq!(e.vector(0), Some(&[0.5, 0.25][..]));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn load(path: impl AsRef<std::path::Path>, format: crate::io::Format) -> Result<Self> {
        crate::io::read(path, format)
    }

    /// Writes the embeddings to `path` in `format`, atomically; see [`crate::io::write`].
    ///
    /// ```
    /// use glove_wgpu::{io::Format, Embeddings};
    /// let e = Embeddings::new(vec!["hi".into()], 2, vec![0.5, 0.25])?;
    /// let path = std::env::temp_dir().join("glove_wgpu_save_doc.txt");
    /// e.save(&path, Format::Glove)?;
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hi 0.5 0.25\n");
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<std::path::Path>, format: crate::io::Format) -> Result<()> {
        crate::io::write(self, path, format)
    }

    /// Number of words.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.len(), 2);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// assert!(Embeddings::new(Vec::new(), 3, Vec::new())?.is_empty());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Vector length.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into()], 3, vec![1.0, 2.0, 3.0])?;
    /// assert_eq!(e.dim(), 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The words, in row order.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.words(), ["a", "b"]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The word of row `id`, or `None` past the last row.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["cat".into(), "dog".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.word(1), Some("dog"));
    /// assert_eq!(e.word(2), None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// The row of `word`, if present.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.id("b"), Some(1));
    /// assert_eq!(e.id("c"), None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The row of `word`, or [`Error::UnknownWord`].
    ///
    /// ```
    /// use glove_wgpu::{Embeddings, Error};
    /// let e = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// assert_eq!(e.require("a")?, 0);
    /// assert!(matches!(e.require("zzz"), Err(Error::UnknownWord(w)) if w == "zzz"));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn require(&self, word: &str) -> Result<u32> {
        self.id(word)
            .ok_or_else(|| Error::UnknownWord(word.to_string()))
    }

    /// Row `id` of the matrix, or `None` past the last row.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["cat".into(), "dog".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.vector(1), Some(&[2.0][..]));
    /// assert_eq!(e.vector(2), None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn vector(&self, id: u32) -> Option<&[f32]> {
        let s = (id as usize).checked_mul(self.dim)?;
        self.data.get(s..s + self.dim)
    }

    /// The vector of `word`, or `None` if it is not in the vocabulary.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["cat".into(), "dog".into()], 1, vec![1.0, 2.0])?;
    /// assert_eq!(e.get("cat"), Some(&[1.0][..]));
    /// assert_eq!(e.get("cow"), None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        self.vector(self.id(word)?)
    }

    /// Row `id`, for ids this crate took from [`Embeddings::id`] or a search.
    pub(crate) fn row(&self, id: u32) -> &[f32] {
        let s = id as usize * self.dim;
        &self.data[s..s + self.dim]
    }

    /// The whole row-major matrix.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(e.matrix(), [1.0, 2.0, 3.0, 4.0]); // row 0, then row 1
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn matrix(&self) -> &[f32] {
        &self.data
    }

    /// Replaces row `id` with `vector` (checked: one value per dimension, all
    /// finite). The words do not change.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let mut e = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 2.0, 3.0, 4.0])?;
    /// e.set_vector(1, &[5.0, 6.0])?;
    /// assert_eq!(e.matrix(), [1.0, 2.0, 5.0, 6.0]);
    /// assert!(e.set_vector(2, &[0.0, 0.0]).is_err()); // no row 2
    /// assert!(e.set_vector(0, &[f32::NAN, 0.0]).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn set_vector(&mut self, id: u32, vector: &[f32]) -> Result<()> {
        self.check_vector(&format!("row {id}"), vector)?;
        if id as usize >= self.len() {
            return Err(Error::invalid(format!(
                "row {id} out of range ({} words)",
                self.len()
            )));
        }
        let s = id as usize * self.dim;
        self.data[s..s + self.dim].copy_from_slice(vector);
        Ok(())
    }

    /// Appends `word` with `vector` as a new last row and returns its id
    /// (checked as [`Embeddings::new`] checks a row: a new word without
    /// separators, one finite value per dimension).
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let mut e = Embeddings::new(vec!["a".into()], 2, vec![1.0, 2.0])?;
    /// assert_eq!(e.push("b".into(), &[3.0, 4.0])?, 1);
    /// assert_eq!((e.id("b"), e.vector(1)), (Some(1), Some(&[3.0, 4.0][..])));
    /// assert!(e.push("a".into(), &[0.0, 0.0]).is_err()); // already there
    /// assert!(e.push("c d".into(), &[0.0, 0.0]).is_err()); // a separator
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn push(&mut self, word: String, vector: &[f32]) -> Result<u32> {
        self.check_vector(&format!("word {word:?}"), vector)?;
        if let Some(problem) = crate::corpus::word_problem(&word) {
            return Err(Error::invalid(problem));
        }
        if self.index.contains_key(&word) {
            return Err(Error::invalid(format!(
                "duplicate word {word:?}: it is row {}",
                self.index[&word]
            )));
        }
        if self.words.len() >= u32::MAX as usize - 1 {
            return Err(Error::invalid("more than 2^32 - 2 words"));
        }
        let id = self.words.len() as u32;
        self.index.insert(word.clone(), id);
        self.words.push(word);
        self.data.extend_from_slice(vector);
        Ok(id)
    }

    /// `vector` fits a row: `dim` values, all finite.
    fn check_vector(&self, what: &str, vector: &[f32]) -> Result<()> {
        if vector.len() != self.dim {
            return Err(Error::invalid(format!(
                "{what}: a vector of {} values for {} dimensions",
                vector.len(),
                self.dim
            )));
        }
        if let Some(pos) = vector.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(format!(
                "{what} has a non-finite value ({}) in dimension {pos}",
                vector[pos]
            )));
        }
        Ok(())
    }

    /// Consumes self, returning words and matrix.
    ///
    /// ```
    /// # use glove_wgpu::Embeddings;
    /// let e = Embeddings::new(vec!["a".into()], 2, vec![1.0, 2.0])?;
    /// let (words, dim, data) = e.into_parts();
    /// assert_eq!((words, dim, data), (vec!["a".to_string()], 2, vec![1.0, 2.0]));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn into_parts(self) -> (Vec<String>, usize, Vec<f32>) {
        (self.words, self.dim, self.data)
    }
}
