//! Approximate nearest neighbours: an inverted-file index (IVF-Flat) on the GPU
//! and the CPU.
//!
//! Exact search ([`SearchIndex`](crate::search::SearchIndex)) reads every row for
//! every query. An [`Index`] clusters the rows into lists once (seeded k-means
//! whose assignment runs on the search kernels), and a search reads only the
//! lists nearest each query:
//!
//! 1. **Coarse**: each query's `nprobe` nearest centroids (exact search over the
//!    centroids).
//! 2. **Scan**: the (query, list) pairs of the batch are grouped by list, and each
//!    probed list is read once and scanned against every query that probes it as
//!    a small matrix product fused with top-k (`shaders/search_scan.wgsl` on the
//!    GPU, the `gemm` crate on the CPU).
//! 3. **Merge**: each query's lists are merged into its `k` best.
//!
//! Hits are exact within the probed lists, so the recall is the share of the
//! true neighbours whose list is probed. At build time the index measures that
//! share on a sample of its own rows against exact search, for every `nprobe`,
//! and stores the table: a search asks for a recall ([`Probe::Recall`]) and gets
//! the smallest `nprobe` that reached it, or sets `nprobe` itself
//! ([`Probe::Lists`]).
//!
//! The build is deterministic: the same rows, options and seed give the same
//! index bytes on the CPU and on any GPU (assignments and calibration are
//! checked in f64; see `kmeans.rs` and `calibrate.rs`). Rows are added to their
//! nearest list ([`Index::add`]) and removed by tombstones ([`Index::remove`]),
//! dropped when the index is saved. The file ([`Index::save`], [`Index::load`])
//! is versioned, checksummed, written atomically and self-contained (words,
//! centroids, lists and their rows): see `file.rs`.
//!
//! | file | holds |
//! | --- | --- |
//! | `mod.rs` | [`Index`], its options and searches |
//! | `kmeans.rs` | the seeded k-means and the exact assignment |
//! | `calibrate.rs` | the recall table |
//! | `file.rs` | the index file |

mod calibrate;
mod file;
mod kmeans;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::device::Device;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::progress::{Event, Progress, Step};
use crate::search::lists::{ListRows, Pairs, DEAD};
use crate::search::{
    self, check_matrix, inv_norm, pad_rows, padded_dim, Exclusions, KernelCounts, Lists, Metric,
    Neighbor, Precision, Prepared, Queries, SearchIndex, SearchOptions,
};
use crate::similarity::WordScore;

pub use calibrate::Calibration;
pub use file::FORMAT_VERSION;
use kmeans::Key;

/// Fewest training rows per list (FAISS's rule: below it k-means is poor).
///
/// ```
/// use glove_wgpu::{ivf::{IndexOptions, MIN_TRAIN_PER_LIST}, search::Metric};
/// assert_eq!(MIN_TRAIN_PER_LIST, 39);
/// assert!(IndexOptions::new(Metric::Dot).train_per_list >= MIN_TRAIN_PER_LIST);
/// ```
pub const MIN_TRAIN_PER_LIST: usize = 39;

/// Rows normalised and assigned at once while building (16 MiB at d = 64).
const ASSIGN_ROWS: usize = 1 << 16;

/// How an index is built.
///
/// ```
/// use glove_wgpu::{ivf::IndexOptions, search::{Metric, Precision}};
/// let opts = IndexOptions::new(Metric::Cosine).lists(64).precision(Precision::F16).seed(7);
/// assert_eq!((opts.lists, opts.seed, opts.recall), (Some(64), 7, 0.95));
/// ```
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// The metric.
    pub metric: Metric,
    /// How the lists' rows are stored.
    pub precision: Precision,
    /// Lists; `None`: [`default_lists`] of the row count.
    pub lists: Option<usize>,
    /// Training rows per list (at least [`MIN_TRAIN_PER_LIST`]); every row when
    /// there are fewer.
    pub train_per_list: usize,
    /// k-means iterations (fewer if the assignment stops changing).
    pub iterations: usize,
    /// The seed of the training sample, the initial centroids and the
    /// calibration sample.
    pub seed: u64,
    /// The recall searches ask for by default ([`Probe::Default`]).
    pub recall: f32,
    /// Rows of the index searched against exact search to calibrate the recall.
    pub calibration_queries: usize,
}

impl IndexOptions {
    /// Default options: f32 rows, [`default_lists`], 64 training rows per list,
    /// 10 iterations (FAISS's for IVF training), seed 0, recall 0.95 by default,
    /// 1,000 calibration queries.
    ///
    /// ```
    /// use glove_wgpu::{ivf::IndexOptions, search::Metric};
    /// let o = IndexOptions::new(Metric::Euclidean);
    /// assert_eq!((o.train_per_list, o.iterations, o.calibration_queries), (64, 10, 1000));
    /// ```
    pub fn new(metric: Metric) -> Self {
        IndexOptions {
            metric,
            precision: Precision::F32,
            lists: None,
            train_per_list: 64,
            iterations: 10,
            seed: 0,
            recall: 0.95,
            calibration_queries: 1000,
        }
    }

    /// The same options with `lists` lists.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::IndexOptions, search::Metric};
    /// assert_eq!(IndexOptions::new(Metric::Dot).lists(10).lists, Some(10));
    /// ```
    pub fn lists(mut self, lists: usize) -> Self {
        self.lists = Some(lists);
        self
    }

    /// The same options with another storage precision.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::IndexOptions, search::{Metric, Precision}};
    /// assert_eq!(IndexOptions::new(Metric::Dot).precision(Precision::F16).precision, Precision::F16);
    /// ```
    pub fn precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// The same options with another seed.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::IndexOptions, search::Metric};
    /// assert_eq!(IndexOptions::new(Metric::Dot).seed(3).seed, 3);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same options with another default recall.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::IndexOptions, search::Metric};
    /// assert_eq!(IndexOptions::new(Metric::Dot).recall(0.99).recall, 0.99);
    /// ```
    pub fn recall(mut self, recall: f32) -> Self {
        self.recall = recall;
        self
    }
}

/// The default number of lists for `n` rows: `4 sqrt(n)` (FAISS's guideline),
/// at least 1 and at most `n`.
///
/// ```
/// assert_eq!(glove_wgpu::ivf::default_lists(202_862), 1802);
/// assert_eq!(glove_wgpu::ivf::default_lists(3), 3);
/// ```
pub fn default_lists(n: usize) -> usize {
    ((4.0 * (n as f64).sqrt()).round() as usize).clamp(1, n.max(1))
}

/// How many lists a search reads.
///
/// ```
/// use glove_wgpu::ivf::Probe;
/// assert_eq!(Probe::default(), Probe::Default);
/// let _ = [Probe::Recall(0.99), Probe::Lists(16)];
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Probe {
    /// The recall the index was built with ([`IndexOptions::recall`]).
    #[default]
    Default,
    /// The fewest lists whose calibrated recall reaches this (all lists if none does).
    Recall(f32),
    /// Exactly this many lists (`nprobe`), at most all of them.
    Lists(usize),
}

impl Probe {
    /// An error for a recall outside `(0, 1]` (or NaN) and for zero lists.
    ///
    /// ```
    /// use glove_wgpu::ivf::Probe;
    /// assert!(Probe::Recall(0.95).check().is_ok() && Probe::Lists(3).check().is_ok());
    /// for bad in [Probe::Recall(0.0), Probe::Recall(1.5), Probe::Recall(f32::NAN), Probe::Lists(0)] {
    ///     assert!(bad.check().is_err());
    /// }
    /// ```
    pub fn check(self) -> Result<()> {
        match self {
            Probe::Recall(r) if !(r > 0.0 && r <= 1.0) => {
                Err(Error::invalid(format!("recall {r} is not in (0, 1]")))
            }
            Probe::Lists(0) => Err(Error::invalid("nprobe must be at least 1")),
            _ => Ok(()),
        }
    }
}

/// How the index was built, kept in its file.
///
/// ```
/// use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
/// let emb = Embeddings::new((0..100).map(|i| format!("w{i}")).collect(), 1, (0..100).map(|i| i as f32).collect())?;
/// let opts = IndexOptions::new(Metric::Euclidean).lists(2).seed(4);
/// let info = Index::build(&emb, &Device::Cpu, &opts, &mut |_| Ok(()))?.build_info().clone();
/// assert_eq!((info.seed, info.iterations, info.train_rows), (4, 10, 100)); // 2 lists x 64 > 100 rows
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BuildInfo {
    /// The seed.
    pub seed: u64,
    /// k-means iterations asked for.
    pub iterations: usize,
    /// Rows k-means trained on.
    pub train_rows: usize,
}

/// An IVF-Flat index over words and their vectors, searched on one device.
///
/// ```
/// use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
/// // 200 words in 4 clusters around the axes of 4 dimensions
/// let mut words = Vec::new();
/// let mut data = Vec::new();
/// for i in 0..200 {
///     words.push(format!("w{i}"));
///     let mut v = [0.01 * (i % 7) as f32; 4];
///     v[i % 4] += 1.0;
///     data.extend_from_slice(&v);
/// }
/// let emb = Embeddings::new(words, 4, data)?;
/// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(4), &mut |_| Ok(()))?;
/// assert_eq!((index.len(), index.lists()), (200, 4));
/// let hits = index.neighbors(&["w0"], 3, Probe::Lists(1))?;
/// let first = &hits[0].as_ref().unwrap()[0];
/// assert_eq!(first.word, "w28"); // the same cluster, the same offset (i % 28 == 0)
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct Index {
    metric: Metric,
    dim: usize,
    /// Words by id (removed ones stay until the index is saved).
    words: Vec<String>,
    /// Live words to their ids.
    lookup: HashMap<String, u32>,
    /// Id to stored row ([`DEAD`] once removed).
    pos: Vec<u32>,
    /// `lists x dim` centroids (unit vectors for cosine).
    centroids: Vec<f32>,
    /// List `l` is stored rows `off[l]..off[l + 1]`.
    off: Vec<usize>,
    /// The rows, by list (normalised for cosine, padded, in the index precision).
    rows: Prepared,
    /// Stored row to id ([`DEAD`] once removed).
    ids: Vec<u32>,
    calibration: Calibration,
    default_recall: f32,
    build: BuildInfo,
    device: Device,
    /// Exact search over the centroids (the coarse step).
    coarse: SearchIndex,
    /// The lists on the GPU, uploaded on first use, dropped by every change.
    gpu: Mutex<Option<std::sync::Arc<search::GpuLists>>>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("metric", &self.metric)
            .field("precision", &self.precision())
            .field("len", &self.len())
            .field("dim", &self.dim)
            .field("lists", &self.lists())
            .field("device", &self.device_name())
            .finish()
    }
}

/// The search key the metric ranks by, and whether rows are unit vectors.
fn key_of(metric: Metric) -> (Key, bool) {
    match metric {
        Metric::Cosine => (Key::Dot, true),
        Metric::Dot => (Key::Dot, false),
        Metric::Euclidean => (Key::Euclidean, false),
    }
}

/// Rows `m x dim` as the index stores them before rounding: f32, unit vectors
/// for cosine (a zero row stays zero), not padded.
fn unit_rows(matrix: &[f32], dim: usize, normalise: bool) -> Vec<f32> {
    let mut out = matrix.to_vec();
    if normalise {
        out.par_chunks_mut(dim.max(1)).for_each(unit_row);
    }
    out
}

/// One row scaled to unit length in place (a zero row stays zero).
fn unit_row(r: &mut [f32]) {
    let s = inv_norm(r);
    r.iter_mut().for_each(|x| *x = (*x as f64 * s) as f32);
}

/// Pads `m x dim` rows to `dp`.
fn pad(rows: &[f32], dim: usize) -> Vec<f32> {
    pad_rows(rows, dim, padded_dim(dim), false)
}

impl Index {
    /// Builds an index over `emb` on `device`: k-means on a seeded sample (the
    /// assignment on the device's search kernels), every row to its nearest list,
    /// and the recall calibrated against exact search. `progress` hears the
    /// k-means, assignment and calibration steps.
    ///
    /// ```
    /// use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let words: Vec<String> = (0..50).map(|i| format!("w{i}")).collect();
    /// let data: Vec<f32> = (0..100).map(|i| ((i * 37) % 11) as f32 - 5.0).collect();
    /// let emb = Embeddings::new(words, 2, data)?;
    /// let opts = IndexOptions::new(Metric::Euclidean).lists(5).seed(1);
    /// let a = Index::build(&emb, &Device::Cpu, &opts, &mut |_| Ok(()))?;
    /// let b = Index::build(&emb, &Device::Cpu, &opts, &mut |_| Ok(()))?;
    /// assert_eq!(a.to_bytes()?, b.to_bytes()?); // the same seed, the same bytes
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn build(
        emb: &Embeddings,
        device: &Device,
        opts: &IndexOptions,
        progress: &mut Progress,
    ) -> Result<Index> {
        let (n, dim) = (emb.len(), emb.dim());
        if n == 0 || dim == 0 {
            return Err(Error::invalid("an index needs at least one vector"));
        }
        Probe::Recall(opts.recall).check()?;
        if opts.iterations == 0 {
            return Err(Error::invalid("k-means needs at least one iteration"));
        }
        let asked = opts.lists.unwrap_or_else(|| default_lists(n));
        if asked == 0 {
            return Err(Error::invalid("an index needs at least one list"));
        }
        let lists = asked.min(n);
        if lists < asked {
            progress(Event::Note(&format!(
                "{asked} lists asked for {n} rows: the index has {lists} lists, one per row"
            )))?;
        }
        let (key, spherical) = key_of(opts.metric);
        let matrix = emb.matrix();
        // Row `r` as the index stores it (unit length for cosine), written into
        // `dst`: rows are made as each step needs them, never all at once beside
        // `emb` (the peak is the vectors, the stored rows and one sample).
        let unit = |r: usize, dst: &mut [f32]| {
            dst.copy_from_slice(&matrix[r * dim..(r + 1) * dim]);
            if spherical {
                unit_row(dst);
            }
        };
        // k-means on a seeded sample, in row order.
        let per_list = opts.train_per_list.max(MIN_TRAIN_PER_LIST);
        let train_n = n.min(lists.saturating_mul(per_list));
        let sample: Vec<u32> = if train_n == n {
            (0..n as u32).collect()
        } else {
            let mut s = kmeans::draw(n, train_n, opts.seed);
            s.sort_unstable();
            s
        };
        let mut train = vec![0f32; train_n * dim];
        train
            .par_chunks_mut(dim)
            .zip(sample.par_iter())
            .for_each(|(dst, &r)| unit(r as usize, dst));
        drop(sample);
        let total = (train_n * opts.iterations) as u64;
        let mut seen = 0u64;
        let training = kmeans::Training {
            lists,
            key,
            spherical,
            iterations: opts.iterations,
            seed: opts.seed,
        };
        let centroids = kmeans::train(device, &train, dim, &training, &mut |d| {
            seen += d as u64;
            progress(advance(Step::Cluster, seen, total))
        })?;
        progress(Event::StepDone(Step::Cluster))?;
        drop(train);
        // Every row to its list, a block of rows at a time.
        let cents = kmeans::Centroids::new(&centroids, dim, key);
        let mut seen = 0u64;
        let mut assign = Vec::with_capacity(n);
        let mut block = vec![0f32; ASSIGN_ROWS.min(n) * dim];
        for r0 in (0..n).step_by(ASSIGN_ROWS) {
            let rows = &mut block[..(ASSIGN_ROWS.min(n - r0)) * dim];
            rows.par_chunks_mut(dim)
                .enumerate()
                .for_each(|(i, dst)| unit(r0 + i, dst));
            assign.extend(kmeans::assign(device, &cents, rows, &mut |d| {
                seen += d as u64;
                progress(advance(Step::Assign, seen, n as u64))
            })?);
        }
        drop(block);
        progress(Event::StepDone(Step::Assign))?;
        let (off, order) = kmeans::group(&assign, lists);
        let mut padded = vec![0f32; n * padded_dim(dim)];
        let dp = padded_dim(dim);
        padded
            .par_chunks_mut(dp)
            .zip(order.par_iter())
            .for_each(|(dst, &r)| unit(r as usize, &mut dst[..dim]));
        let stored = Prepared::from_padded(padded, dim, opts.precision);
        let mut pos = vec![0u32; n];
        for (r, &id) in order.iter().enumerate() {
            pos[id as usize] = r as u32;
        }
        let coarse = SearchIndex::new(device, &centroids, dim, &SearchOptions::new(key.metric()))?;
        let mut index = Index {
            metric: opts.metric,
            dim,
            words: emb.words().to_vec(),
            lookup: (0..n as u32)
                .map(|i| (emb.words()[i as usize].clone(), i))
                .collect(),
            pos,
            centroids,
            off,
            rows: stored,
            ids: order,
            calibration: Calibration::default(),
            default_recall: opts.recall,
            build: BuildInfo {
                seed: opts.seed,
                iterations: opts.iterations,
                train_rows: train_n,
            },
            device: device.clone(),
            coarse,
            gpu: Mutex::new(None),
        };
        index.calibration = calibrate::calibrate(&index, opts, progress)?;
        Ok(index)
    }

    /// Reads an index written by [`Index::save`] and makes it searchable on
    /// `device`. A file of another format version, a damaged one (checksum) or a
    /// truncated one is an error naming the file.
    ///
    /// ```
    /// use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 2,
    ///     vec![1.0, 0.0, 0.0, 1.0, 0.7, 0.7])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(2), &mut |_| Ok(()))?;
    /// let path = std::env::temp_dir().join(format!("glove-doc-load-{}.ivf", std::process::id()));
    /// index.save(&path)?;
    /// let back = Index::load(&path, &Device::Cpu)?;
    /// assert_eq!(back.to_bytes()?, index.to_bytes()?);
    /// std::fs::write(&path, b"not an index").unwrap();
    /// assert!(Index::load(&path, &Device::Cpu).is_err());
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<Index> {
        file::read(path.as_ref(), device)
    }

    /// Writes the index to `path` atomically, without its removed rows: the ids
    /// after a removed one shift down in the file (this index keeps its own).
    ///
    /// ```
    /// use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 1, vec![1.0, 2.0, 3.0])?;
    /// let mut index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).lists(1), &mut |_| Ok(()))?;
    /// index.remove(&["a"])?;
    /// let path = std::env::temp_dir().join(format!("glove-doc-save-{}.ivf", std::process::id()));
    /// index.save(&path)?;
    /// let back = Index::load(&path, &Device::Cpu)?;
    /// assert_eq!((back.len(), back.id("b")), (2, Some(0)));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        file::write(self, path.as_ref())
    }

    /// The bytes [`Index::save`] writes.
    ///
    /// ```
    /// use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert!(index.to_bytes()?.starts_with(b"GLOVEIVF"));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        file::write_to(self, &mut out, "memory")?;
        Ok(out)
    }

    /// Live words (removed ones not counted).
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.len(), 2);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.lookup.len()
    }

    /// Whether no word is left.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let mut index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// index.remove(&["a"])?;
    /// assert!(index.is_empty());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lookup.is_empty()
    }

    /// The vector dimension.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 3, vec![1.0, 2.0, 3.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.dim(), 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The metric.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean), &mut |_| Ok(()))?;
    /// assert_eq!(index.metric(), Metric::Euclidean);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// How the lists' rows are stored.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::{Metric, Precision}, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let opts = IndexOptions::new(Metric::Dot).precision(Precision::F16);
    /// let index = Index::build(&emb, &Device::Cpu, &opts, &mut |_| Ok(()))?;
    /// assert_eq!(index.precision(), Precision::F16);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn precision(&self) -> Precision {
        self.rows.precision()
    }

    /// The number of lists.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, -1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).lists(9), &mut |_| Ok(()))?;
    /// assert_eq!(index.lists(), 2); // at most one list per row
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn lists(&self) -> usize {
        self.off.len() - 1
    }

    /// Live rows in each list.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 1, vec![1.0, 1.1, -5.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean).lists(2), &mut |_| Ok(()))?;
    /// let mut sizes = index.list_sizes();
    /// sizes.sort();
    /// assert_eq!(sizes, [1, 2]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn list_sizes(&self) -> Vec<usize> {
        (0..self.lists())
            .map(|l| {
                self.ids[self.off[l]..self.off[l + 1]]
                    .iter()
                    .filter(|&&i| i != DEAD)
                    .count()
            })
            .collect()
    }

    /// The recall table measured at build time.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new((0..30).map(|i| format!("w{i}")).collect(), 1, (0..30).map(|i| i as f32).collect())?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean).lists(3), &mut |_| Ok(()))?;
    /// let c = index.calibration();
    /// assert_eq!(c.recall.len(), 3); // one figure per nprobe, 1 to 3
    /// assert_eq!(c.recall[2], 1.0); // every list: exact
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The recall a [`Probe::Default`] search asks for.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).recall(0.9), &mut |_| Ok(()))?;
    /// assert_eq!(index.default_recall(), 0.9);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn default_recall(&self) -> f32 {
        self.default_recall
    }

    /// How the index was built.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).seed(5), &mut |_| Ok(()))?;
    /// assert_eq!(index.build_info().seed, 5);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn build_info(&self) -> &BuildInfo {
        &self.build
    }

    /// The lists a search with `probe` reads: the calibrated `nprobe` of a
    /// recall, or the number asked for, between 1 and [`Index::lists`].
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new((0..40).map(|i| format!("w{i}")).collect(), 1, (0..40).map(|i| i as f32).collect())?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean).lists(4), &mut |_| Ok(()))?;
    /// assert_eq!(index.nprobe(Probe::Lists(99)), 4);
    /// assert_eq!(index.nprobe(Probe::Recall(1.0)), index.calibration().nprobe_for(1.0));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn nprobe(&self, probe: Probe) -> usize {
        let p = match probe {
            Probe::Default => self.calibration.nprobe_for(self.default_recall),
            Probe::Recall(r) => self.calibration.nprobe_for(r),
            Probe::Lists(p) => p,
        };
        p.clamp(1, self.lists().max(1))
    }

    /// `"cpu"` or the GPU adapter's name.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.device_name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn device_name(&self) -> String {
        self.coarse.device_name()
    }

    /// The storage bindings ("shards") the lists take on the GPU, cut between
    /// lists at the device's binding limit (uploading them if needed); `None` on
    /// the CPU.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.gpu_shards()?, None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn gpu_shards(&self) -> Result<Option<usize>> {
        Ok(self.gpu_lists()?.map(|g| g.shards()))
    }

    /// The id of a live word.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!((index.id("b"), index.id("zz")), (Some(1), None));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn id(&self, word: &str) -> Option<u32> {
        self.lookup.get(word).copied()
    }

    /// The word of an id (removed words too, until the index is saved).
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.word(1), Some("b"));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }

    /// The stored vector of a live id, as searches see it (a unit vector for
    /// cosine, rounded to f16 in an f16 index).
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 2, vec![3.0, 4.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine), &mut |_| Ok(()))?;
    /// assert_eq!(index.vector(0), Some(vec![0.6, 0.8]));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn vector(&self, id: u32) -> Option<Vec<f32>> {
        let r = *self.pos.get(id as usize)?;
        if r == DEAD {
            return None;
        }
        let mut v = self.rows.row_f32(r as usize);
        v.truncate(self.dim);
        Some(v)
    }

    /// The live words and their stored vectors, in id order.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert_eq!(index.embeddings()?, emb);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn embeddings(&self) -> Result<Embeddings> {
        let mut words = Vec::with_capacity(self.len());
        let mut data = Vec::with_capacity(self.len() * self.dim);
        for (id, w) in self.words.iter().enumerate() {
            if let Some(v) = self.vector(id as u32) {
                words.push(w.clone());
                data.extend(v);
            }
        }
        Embeddings::new(words, self.dim, data)
    }

    fn list_rows(&self) -> ListRows<'_> {
        ListRows {
            rows: &self.rows,
            ids: &self.ids,
            off: &self.off,
        }
    }

    /// The lists uploaded to the GPU (once; again after a change).
    fn gpu_lists(&self) -> Result<Option<std::sync::Arc<search::GpuLists>>> {
        let Device::Gpu(ctx) = &self.device else {
            return Ok(None);
        };
        let mut g = self.gpu.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(std::sync::Arc::new(search::GpuLists::new(
                ctx.clone(),
                &self.list_rows(),
                None,
            )?));
        }
        Ok(g.clone())
    }

    fn changed(&mut self) {
        *self.gpu.get_mut().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The kernel's counted figures for a search of `m` queries for `k` hits
    /// with `probe` (`None` on the CPU), from the same plan a search uses and the
    /// index's list sizes (every query assumed to probe lists of average size).
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into()], 1, vec![1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot), &mut |_| Ok(()))?;
    /// assert!(index.gpu_counts(1000, 10, Probe::Lists(1))?.is_none());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn gpu_counts(&self, m: usize, k: usize, probe: Probe) -> Result<Option<KernelCounts>> {
        match self.gpu_lists()? {
            None => Ok(None),
            Some(g) => g
                .counts(m, k.min(self.len()).max(1), self.nprobe(probe))
                .map(Some),
        }
    }

    /// The `k` nearest live rows of each query (`m x dim`, row-major) among the
    /// lists `probe` reads, best first (ties to the lower id); `exclude[q]` lists
    /// ids query `q` must not return. Scores as in exact search.
    ///
    /// ```
    /// use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 2,
    ///     vec![1.0, 0.0, 0.9, 0.1, 0.0, 1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(2), &mut |_| Ok(()))?;
    /// let hits = index.search(&[1.0, 0.0], 2, Probe::Lists(2), Some(&[vec![0]]))?;
    /// assert_eq!(hits[0].iter().map(|h| h.id).collect::<Vec<_>>(), [1, 2]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn search(
        &self,
        queries: &[f32],
        k: usize,
        probe: Probe,
        exclude: Option<&[Vec<u32>]>,
    ) -> Result<Vec<Vec<Neighbor>>> {
        probe.check()?;
        let m = check_matrix(queries, self.dim, "queries")?;
        let excl = Exclusions::new(m, exclude)?;
        let k = k.min(self.len());
        if m == 0 {
            return Ok(Vec::new());
        }
        if k == 0 {
            return Ok(vec![Vec::new(); m]);
        }
        let nprobe = self.nprobe(probe);
        let dp = padded_dim(self.dim);
        // Batches keep the pairs' lists within about 256 MiB.
        let per_query = (nprobe * k * 8).max(1);
        let batch = ((256usize << 20) / per_query).clamp(1, 65_536);
        let mut out = Vec::with_capacity(m);
        for q0 in (0..m).step_by(batch) {
            let q1 = (q0 + batch).min(m);
            let qs = &queries[q0 * self.dim..q1 * self.dim];
            let q = Queries {
                m: q1 - q0,
                data: pad_rows(qs, self.dim, dp, self.metric == Metric::Cosine),
            };
            // The coarse index ranks by the dot product (cosine: unit queries and
            // centroids) or the Euclidean key, on the same padded queries.
            let coarse = self
                .coarse
                .search_keys(&q, nprobe, &Exclusions::new(q.m, None)?)?;
            let mut probes = vec![u32::MAX; (q1 - q0) * nprobe];
            for (dst, hits) in probes.chunks_mut(nprobe).zip(&coarse) {
                for (d, (_, id)) in dst.iter_mut().zip(hits.iter()) {
                    *d = id;
                }
            }
            let pairs = Pairs::new(&probes, nprobe, self.lists());
            let sub = excl.range(q0, q1);
            let scan_metric = key_of(self.metric).0.metric();
            let lists: Lists = match self.gpu_lists()? {
                Some(g) => g.scan(&q, &pairs, k, &sub, scan_metric)?,
                None => search::scan_lists_cpu(&self.list_rows(), &q, &pairs, k, &sub, scan_metric),
            };
            for (qi, l) in lists.iter().enumerate() {
                out.push(match self.metric {
                    Metric::Cosine | Metric::Dot => l
                        .iter()
                        .map(|(key, id)| Neighbor { id, score: key })
                        .collect(),
                    Metric::Euclidean => search::exact_distances_at(
                        &self.rows,
                        &q.data[qi * dp..(qi + 1) * dp],
                        l,
                        |id| self.pos[id as usize] as usize,
                    ),
                });
            }
        }
        Ok(out)
    }

    /// Exact search over every live row (every list read), ranked as
    /// [`Index::search`] ranks: the ground truth its recall is measured against.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 1, vec![1.0, 2.0, 3.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean).lists(3), &mut |_| Ok(()))?;
    /// let hits = index.search_exact(&[2.2], 2, None)?;
    /// assert_eq!((hits[0][0].id, hits[0][1].id), (1, 2));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn search_exact(
        &self,
        queries: &[f32],
        k: usize,
        exclude: Option<&[Vec<u32>]>,
    ) -> Result<Vec<Vec<Neighbor>>> {
        let m = check_matrix(queries, self.dim, "queries")?;
        let k = k.min(self.len());
        if m == 0 {
            return Ok(Vec::new());
        }
        if k == 0 {
            return Ok(vec![Vec::new(); m]);
        }
        // Exclusions by stored row; dead rows excluded as well.
        let dead: Vec<u32> = (0..self.ids.len() as u32)
            .filter(|&r| self.ids[r as usize] == DEAD)
            .collect();
        let lists: Vec<Vec<u32>> = (0..m)
            .map(|q| {
                let mut l = dead.clone();
                if let Some(e) = exclude.and_then(|e| e.get(q)) {
                    l.extend(e.iter().filter_map(|&id| {
                        self.pos.get(id as usize).copied().filter(|&r| r != DEAD)
                    }));
                }
                l
            })
            .collect();
        if exclude.is_some_and(|e| e.len() != m) {
            return Err(Error::invalid("one exclusion list per query"));
        }
        let excl = Exclusions::new(m, Some(&lists))?;
        let dp = padded_dim(self.dim);
        let q = Queries {
            m,
            data: pad_rows(queries, self.dim, dp, self.metric == Metric::Cosine),
        };
        let found = self.exact_rows(&q, k, &excl)?;
        Ok(found
            .iter()
            .enumerate()
            .map(|(qi, l)| {
                // ranked by id on ties, as the IVF search ranks
                let mut top = search::TopK::new(k);
                for (key, r) in l.iter() {
                    top.push(key, self.ids[r as usize]);
                }
                match self.metric {
                    Metric::Cosine | Metric::Dot => top
                        .iter()
                        .map(|(key, id)| Neighbor { id, score: key })
                        .collect(),
                    Metric::Euclidean => search::exact_distances_at(
                        &self.rows,
                        &q.data[qi * dp..(qi + 1) * dp],
                        &top,
                        |id| self.pos[id as usize] as usize,
                    ),
                }
            })
            .collect())
    }

    /// Exact search over the stored rows (every list), for the calibration:
    /// the best `k` stored rows of each query, as stored-row numbers.
    fn exact_rows(&self, q: &Queries, k: usize, excl: &Exclusions) -> Result<Lists> {
        let metric = key_of(self.metric).0.metric();
        match self.gpu_lists()? {
            Some(g) => g.exact(q, k, excl, metric),
            None => Ok(search::search_cpu(&self.rows, q, k, excl, metric)),
        }
    }

    fn words_of(&self, hits: &[Neighbor]) -> Vec<WordScore> {
        hits.iter()
            .map(|h| WordScore {
                word: self.words[h.id as usize].clone(),
                score: h.score,
            })
            .collect()
    }

    /// The `k` nearest other words of each word (each word excluded from its
    /// own answer), in one batched search; an unknown word gives an
    /// [`Error::UnknownWord`] in its slot.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 2,
    ///     vec![1.0, 0.0, 0.9, 0.1, 0.0, 1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(1), &mut |_| Ok(()))?;
    /// let out = index.neighbors(&["a", "zzz"], 1, Probe::Default)?;
    /// assert_eq!(out[0].as_ref().unwrap()[0].word, "b");
    /// assert!(out[1].is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn neighbors(
        &self,
        words: &[&str],
        k: usize,
        probe: Probe,
    ) -> Result<Vec<Result<Vec<WordScore>>>> {
        let hits = self.neighbor_ids(words, k, probe)?;
        Ok(hits
            .into_iter()
            .map(|h| h.map(|h| self.words_of(&h)))
            .collect())
    }

    /// [`Index::neighbors`] with ids: each hit's id is its word's row in the index.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 1, vec![1.0, 2.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).lists(1), &mut |_| Ok(()))?;
    /// let out = index.neighbor_ids(&["a"], 1, Probe::Default)?;
    /// assert_eq!(out[0].as_ref().unwrap()[0].id, 1);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn neighbor_ids(
        &self,
        words: &[&str],
        k: usize,
        probe: Probe,
    ) -> Result<Vec<Result<Vec<Neighbor>>>> {
        let ids: Vec<Option<u32>> = words.iter().map(|w| self.id(w)).collect();
        let known: Vec<u32> = ids.iter().flatten().copied().collect();
        let mut queries = Vec::with_capacity(known.len() * self.dim);
        for &id in &known {
            queries.extend(self.vector(id).unwrap_or_default());
        }
        let excl: Vec<Vec<u32>> = known.iter().map(|&id| vec![id]).collect();
        let mut hits = self.search(&queries, k, probe, Some(&excl))?.into_iter();
        Ok(words
            .iter()
            .zip(&ids)
            .map(|(w, id)| match id {
                Some(_) => Ok(hits.next().unwrap_or_default()),
                None => Err(Error::UnknownWord(w.to_string())),
            })
            .collect())
    }

    /// gensim's `most_similar` on the index: the `k` words nearest to
    /// `sum(positive) - sum(negative)` (unit vectors for cosine), the input words
    /// excluded.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["x".into(), "y".into(), "xy".into(), "-y".into()], 2,
    ///     vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, -1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(1), &mut |_| Ok(()))?;
    /// assert_eq!(index.most_similar(&["x", "y"], &[], 1, Probe::Default)?[0].word, "xy");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
        probe: Probe,
    ) -> Result<Vec<WordScore>> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::invalid("no words given"));
        }
        let mut q = vec![0f64; self.dim];
        let mut used = Vec::new();
        for (words, sign) in [(positive, 1.0), (negative, -1.0)] {
            for w in words {
                let id = self
                    .id(w)
                    .ok_or_else(|| Error::UnknownWord(w.to_string()))?;
                let v = self.vector(id).unwrap_or_default();
                let scale = if self.metric == Metric::Cosine {
                    inv_norm(&v)
                } else {
                    1.0
                };
                for (a, &b) in q.iter_mut().zip(&v) {
                    *a += sign * scale * b as f64;
                }
                used.push(id);
            }
        }
        let q: Vec<f32> = q.into_iter().map(|v| v as f32).collect();
        let hits = self.search(&q, k, probe, Some(&[used]))?;
        Ok(self.words_of(&hits[0]))
    }

    /// Reverse lookup: the `k` nearest words of each raw vector (`m x dim`).
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 0.0, 0.0, 1.0])?;
    /// let index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Euclidean).lists(2), &mut |_| Ok(()))?;
    /// let out = index.nearest(&[0.9, 0.0, 0.0, 2.0], 1, Probe::Lists(2))?;
    /// assert_eq!((out[0][0].word.as_str(), out[1][0].word.as_str()), ("a", "b"));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn nearest(&self, vectors: &[f32], k: usize, probe: Probe) -> Result<Vec<Vec<WordScore>>> {
        let hits = self.search(vectors, k, probe, None)?;
        Ok(hits.iter().map(|h| self.words_of(h)).collect())
    }

    /// Adds words and their vectors (`words.len() x dim`), each to its nearest
    /// list (the assignment of the build). A word already in the index is an error.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into()], 2, vec![1.0, 0.0, 0.0, 1.0])?;
    /// let mut index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Cosine).lists(2), &mut |_| Ok(()))?;
    /// index.add(&["c".to_string()], &[0.9, 0.1])?;
    /// assert_eq!((index.len(), index.id("c")), (3, Some(2)));
    /// assert_eq!(index.neighbors(&["a"], 1, Probe::Default)?[0].as_ref().unwrap()[0].word, "c");
    /// assert!(index.add(&["a".to_string()], &[1.0, 1.0]).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn add(&mut self, words: &[String], vectors: &[f32]) -> Result<()> {
        let m = check_matrix(vectors, self.dim, "vectors")?;
        if m != words.len() {
            return Err(Error::invalid(format!(
                "{} words and {m} vectors",
                words.len()
            )));
        }
        let mut fresh = std::collections::HashSet::new();
        for w in words {
            if crate::corpus::word_problem(w).is_some() {
                return Err(Error::invalid(format!(
                    "word {w:?} is empty or contains a separator (space, tab, newline, carriage return)"
                )));
            }
            if self.lookup.contains_key(w) || !fresh.insert(w.as_str()) {
                return Err(Error::invalid(format!(
                    "word {w:?} is already in the index"
                )));
            }
        }
        if self.words.len() + m >= DEAD as usize {
            return Err(Error::invalid("more than 2^32 - 2 words"));
        }
        if m == 0 {
            return Ok(());
        }
        let (key, spherical) = key_of(self.metric);
        let rows = unit_rows(vectors, self.dim, spherical);
        let cents = kmeans::Centroids::new(&self.centroids, self.dim, key);
        let assign = kmeans::assign(&self.device, &cents, &rows, &mut |_| Ok(()))?;
        let (add_off, add_order) = kmeans::group(&assign, self.lists());
        let first = self.words.len() as u32;
        let new_rows = Prepared::from_padded(pad(&rows, self.dim), self.dim, self.precision());
        // The new storage: each list's old rows, then its new ones in id order.
        let mut sources = Vec::with_capacity(self.ids.len() + m);
        let mut off = vec![0usize];
        for l in 0..self.lists() {
            sources.extend((self.off[l]..self.off[l + 1]).map(|r| (false, r)));
            sources.extend(
                add_order[add_off[l]..add_off[l + 1]]
                    .iter()
                    .map(|&r| (true, r as usize)),
            );
            off.push(sources.len());
        }
        let rows = search::gather_rows(
            &[&self.rows, &new_rows],
            sources.iter().map(|&(new, r)| (new as usize, r)),
        );
        let ids: Vec<u32> = sources
            .iter()
            .map(|&(new, r)| if new { first + r as u32 } else { self.ids[r] })
            .collect();
        self.words.extend(words.iter().cloned());
        for (i, w) in words.iter().enumerate() {
            self.lookup.insert(w.clone(), first + i as u32);
        }
        self.pos.resize(self.words.len(), DEAD);
        for (r, &id) in ids.iter().enumerate() {
            if id != DEAD {
                self.pos[id as usize] = r as u32;
            }
        }
        self.rows = rows;
        self.ids = ids;
        self.off = off;
        self.changed();
        Ok(())
    }

    /// Removes words (tombstones: searches skip them at once, [`Index::save`]
    /// drops them). An unknown word is an error and nothing is removed.
    ///
    /// ```
    /// # use glove_wgpu::{ivf::{Index, IndexOptions, Probe}, search::Metric, Device, Embeddings};
    /// let emb = Embeddings::new(vec!["a".into(), "b".into(), "c".into()], 1, vec![1.0, 2.0, 3.0])?;
    /// let mut index = Index::build(&emb, &Device::Cpu, &IndexOptions::new(Metric::Dot).lists(1), &mut |_| Ok(()))?;
    /// index.remove(&["c"])?;
    /// assert_eq!(index.nearest(&[1.0], 1, Probe::Default)?[0][0].word, "b");
    /// assert!(index.remove(&["c"]).is_err()); // gone already
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn remove(&mut self, words: &[&str]) -> Result<()> {
        let ids: Vec<u32> = words
            .iter()
            .map(|w| self.id(w).ok_or_else(|| Error::UnknownWord(w.to_string())))
            .collect::<Result<_>>()?;
        for (w, id) in words.iter().zip(ids) {
            if self.lookup.remove(*w).is_none() {
                continue; // named twice
            }
            let r = self.pos[id as usize];
            self.ids[r as usize] = DEAD;
            self.pos[id as usize] = DEAD;
        }
        self.changed();
        Ok(())
    }
}

fn advance(step: Step, done: u64, total: u64) -> Event<'static> {
    Event::Advance {
        step,
        done,
        total: Some(total),
        detail: crate::progress::Detail::None,
    }
}
