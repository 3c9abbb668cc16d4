//! Exact k-nearest-neighbour search over an embedding matrix, on the GPU or the CPU.
//!
//! One file, over 500 lines: the index and the matrix and query preparation that both twins read.
//!
//! `E` is an `n x d` matrix (a vocabulary or any other), `Q` an `m x d` batch of
//! queries. For each query the `k` best rows come back, best first, ties broken
//! by lower id. The full `m x n` score matrix is never held: the GPU scan
//! (`shaders/search_scan.wgsl`) computes register-tiled score tiles and keeps
//! each query's top k in registers, one list per (query, workgroup), then a
//! merge (`shaders/search_merge.wgsl`) reduces them (`src/search/gpu.rs`
//! documents the plan and its bytes per FLOP, [`KernelCounts`] counts them); its
//! CPU twins (`src/search/twin/`) do the same with a blocked matrix product
//! (the `gemm` crate) and a bounded list per query. The same scan reads the
//! lists of an IVF index ([`crate::ivf`]).
//!
//! | metric | rows | score returned | order |
//! | --- | --- | --- | --- |
//! | [`Metric::Cosine`] | normalised once | cosine similarity | higher first |
//! | [`Metric::Dot`] | as given | dot product | higher first |
//! | [`Metric::Euclidean`] | as given | Euclidean distance, `sqrt(|q|^2 + |e|^2 - 2 q.e)` | lower first |
//!
//! Rows can be stored as f32 or f16 ([`Precision`]); products accumulate in f32.
//! A matrix larger than the device's storage-binding limit is split into shards
//! whose lists are merged.
//!
//! | file | holds |
//! | --- | --- |
//! | `mod.rs` | [`SearchIndex`], its options, and the matrix and queries prepared for both twins |
//! | `gpu.rs` | the host side of `shaders/search_scan.wgsl` and `search_merge.wgsl` |
//! | `twin/` | their CPU twins, one file per kernel (`search_scan.rs`, `search_merge.rs`) |
//! | `lists.rs` | rows grouped by list and (query, list) pairs grouped by list (IVF) |
//! | `topk.rs` | the order of results and the bounded list both twins keep |

mod gpu;
pub(crate) mod lists;
mod topk;
mod twin;

/// The host mirrors of the search kernels' WGSL structs (checked against the WGSL by a test).
pub use crate::params::{Cand, MergeParams, ScanItem, ScanParams};
pub(crate) use gpu::GpuLists;
pub use gpu::KernelCounts;

use std::sync::Arc;

use half::f16;

use crate::device::Device;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
pub(crate) use topk::TopK;

/// How two vectors are compared.
///
/// ```
/// use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
/// let m = [3.0, 0.0, 0.0, 1.0]; // rows (3, 0) and (0, 1)
/// let q = [1.0, 1.1];
/// let near = |metric| SearchIndex::cpu(&m, 2, &SearchOptions::new(metric))?.search(&q, 1, None);
/// assert_eq!(near(Metric::Dot)?[0][0].id, 0); // 3 > 1.1
/// assert_eq!(near(Metric::Cosine)?[0][0].id, 1); // nearer in angle
/// assert_eq!(near(Metric::Euclidean)?[0][0].id, 1); // lower distance
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Cosine similarity (rows and queries normalised once); higher is nearer.
    Cosine,
    /// Dot product; higher is nearer.
    Dot,
    /// Euclidean distance; lower is nearer.
    Euclidean,
}

impl crate::names::Named for Metric {
    const ALL: &'static [Self] = &[Metric::Cosine, Metric::Dot, Metric::Euclidean];

    fn name(self) -> &'static str {
        match self {
            Metric::Cosine => "cosine",
            Metric::Dot => "dot",
            Metric::Euclidean => "euclidean",
        }
    }
}

/// How the matrix is stored for search. Products always accumulate in f32.
///
/// ```
/// use glove_wgpu::search::{Metric, Precision, SearchIndex, SearchOptions};
/// let opts = SearchOptions::new(Metric::Dot).precision(Precision::F16);
/// let index = SearchIndex::cpu(&[0.5, 0.25, 1.0, 1.0], 2, &opts)?;
/// let hits = index.search(&[1.0, 1.0], 1, None)?;
/// assert_eq!((hits[0][0].id, hits[0][0].score), (1, 2.0)); // exact in half precision
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 4 bytes per value.
    #[default]
    F32,
    /// 2 bytes per value (IEEE half): half the memory and bandwidth.
    F16,
}

/// One search hit.
///
/// ```
/// use glove_wgpu::search::{Metric, Neighbor, SearchIndex, SearchOptions};
/// let index = SearchIndex::cpu(&[1.0, 0.0, 0.0, 2.0], 2, &SearchOptions::new(Metric::Dot))?;
/// let hits = index.search(&[0.0, 1.0], 2, None)?;
/// assert_eq!(hits[0], [Neighbor { id: 1, score: 2.0 }, Neighbor { id: 0, score: 0.0 }]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Neighbor {
    /// Row of the matrix.
    pub id: u32,
    /// Similarity (cosine, dot) or distance (Euclidean).
    pub score: f32,
}

/// Search settings.
///
/// ```
/// use glove_wgpu::search::{Metric, Precision, SearchOptions};
/// let opts = SearchOptions::new(Metric::Euclidean).precision(Precision::F16);
/// assert_eq!(opts.metric, Metric::Euclidean);
/// ```
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// The metric.
    pub metric: Metric,
    /// Storage of the matrix.
    pub precision: Precision,
    /// Largest shard of the matrix in bytes on the GPU; `None` means the device's
    /// own limit. Tests set a small value to force sharding.
    pub max_shard_bytes: Option<u64>,
}

impl SearchOptions {
    /// f32 storage and the device's own shard limit.
    ///
    /// ```
    /// use glove_wgpu::search::{Metric, Precision, SearchOptions};
    /// let opts = SearchOptions::new(Metric::Cosine);
    /// assert_eq!((opts.precision, opts.max_shard_bytes), (Precision::F32, None));
    /// ```
    pub fn new(metric: Metric) -> Self {
        SearchOptions {
            metric,
            precision: Precision::F32,
            max_shard_bytes: None,
        }
    }

    /// The same options with another storage precision.
    ///
    /// ```
    /// use glove_wgpu::search::{Metric, Precision, SearchOptions};
    /// assert_eq!(SearchOptions::new(Metric::Dot).precision(Precision::F16).precision, Precision::F16);
    /// ```
    pub fn precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// The same options with a shard size limit (bytes).
    ///
    /// ```
    /// use glove_wgpu::search::{Metric, SearchOptions};
    /// let opts = SearchOptions::new(Metric::Dot).max_shard_bytes(1 << 20);
    /// assert_eq!(opts.max_shard_bytes, Some(1 << 20));
    /// ```
    pub fn max_shard_bytes(mut self, bytes: u64) -> Self {
        self.max_shard_bytes = Some(bytes);
        self
    }
}

/// Rows as the kernels read them: `n x dp`, `dp` = `d` rounded up to a multiple
/// of 4 (zero padding), so vector loads stay aligned on the GPU.
#[derive(Debug)]
pub(crate) enum Rows {
    F32(Vec<f32>),
    F16(Vec<f16>),
}

/// The matrix prepared once: normalised for cosine, padded, stored, with the
/// squared norms of the stored rows (the Euclidean key needs them).
#[derive(Debug)]
pub(crate) struct Prepared {
    pub n: usize,
    pub dim: usize,
    pub dp: usize,
    pub rows: Rows,
    pub norms: Vec<f32>,
}

/// `d` rounded up to a multiple of 4.
pub(crate) fn padded_dim(dim: usize) -> usize {
    dim.div_ceil(4) * 4
}

pub(crate) fn check_matrix(matrix: &[f32], dim: usize, what: &str) -> Result<usize> {
    if dim == 0 {
        return Err(Error::invalid("vector dimension must be at least 1"));
    }
    if !matrix.len().is_multiple_of(dim) {
        return Err(Error::invalid(format!(
            "{what} has {} values, not a multiple of the dimension {dim}",
            matrix.len()
        )));
    }
    if let Some(p) = matrix.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(format!(
            "{what} row {} has a non-finite value ({}) in dimension {}",
            p / dim,
            matrix[p],
            p % dim
        )));
    }
    let n = matrix.len() / dim;
    if n >= u32::MAX as usize {
        return Err(Error::invalid(format!("{what} has too many rows ({n})")));
    }
    Ok(n)
}

/// `1 / |v|` in f64, or 0 for a zero vector (which then stays zero when scaled).
///
/// ```
/// assert_eq!(glove_wgpu::search::inv_norm(&[3.0, 4.0]), 0.2);
/// assert_eq!(glove_wgpu::search::inv_norm(&[0.0, 0.0]), 0.0);
/// ```
pub fn inv_norm(v: &[f32]) -> f64 {
    let norm = v.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
    if norm > 0.0 {
        1.0 / norm
    } else {
        0.0
    }
}

/// Copies rows into `dp`-padded f32 rows, normalised when `normalise` is set
/// (a zero row stays zero).
pub(crate) fn pad_rows(matrix: &[f32], dim: usize, dp: usize, normalise: bool) -> Vec<f32> {
    use rayon::prelude::*;
    let n = matrix.len() / dim;
    let mut out = vec![0f32; n * dp];
    out.par_chunks_mut(dp)
        .zip(matrix.par_chunks(dim))
        .for_each(|(dst, src)| {
            let scale = if normalise { inv_norm(src) } else { 1.0 };
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = (s as f64 * scale) as f32;
            }
        });
    out
}

impl Prepared {
    fn new(matrix: &[f32], dim: usize, opts: &SearchOptions) -> Result<Self> {
        check_matrix(matrix, dim, "matrix")?;
        let dp = padded_dim(dim);
        let padded = pad_rows(matrix, dim, dp, opts.metric == Metric::Cosine);
        Ok(Prepared::from_padded(padded, dim, opts.precision))
    }

    /// Rows already padded to `padded_dim(dim)` (and normalised where the metric
    /// wants it), stored in `precision`, with their squared norms.
    pub(crate) fn from_padded(padded: Vec<f32>, dim: usize, precision: Precision) -> Self {
        use rayon::prelude::*;
        let dp = padded_dim(dim);
        let n = padded.len() / dp.max(1);
        let (rows, norms) = match precision {
            Precision::F32 => {
                let norms = padded.par_chunks(dp.max(1)).map(sq_norm).collect();
                (Rows::F32(padded), norms)
            }
            Precision::F16 => {
                let h: Vec<f16> = padded.par_iter().map(|&v| f16::from_f32(v)).collect();
                let norms = h.par_chunks(dp.max(1)).map(sq_norm_f16).collect();
                (Rows::F16(h), norms)
            }
        };
        Prepared {
            n,
            dim,
            dp,
            rows,
            norms,
        }
    }

    /// Rows already stored (`n x padded_dim(dim)`), with their squared norms.
    pub(crate) fn from_rows(rows: Rows, dim: usize) -> Self {
        use rayon::prelude::*;
        let dp = padded_dim(dim);
        let (n, norms) = match &rows {
            Rows::F32(v) => (v.len() / dp, v.par_chunks(dp).map(sq_norm).collect()),
            Rows::F16(v) => (v.len() / dp, v.par_chunks(dp).map(sq_norm_f16).collect()),
        };
        Prepared {
            n,
            dim,
            dp,
            rows,
            norms,
        }
    }

    /// The storage precision.
    pub(crate) fn precision(&self) -> Precision {
        match self.rows {
            Rows::F32(_) => Precision::F32,
            Rows::F16(_) => Precision::F16,
        }
    }

    /// Row `i` as f32 (`dp` values).
    pub(crate) fn row_f32(&self, i: usize) -> Vec<f32> {
        let r = i * self.dp..(i + 1) * self.dp;
        match &self.rows {
            Rows::F32(v) => v[r].to_vec(),
            Rows::F16(v) => v[r].iter().map(|x| x.to_f32()).collect(),
        }
    }
}

pub(crate) fn sq_norm_f16(row: &[f16]) -> f32 {
    row.iter().map(|v| v.to_f32() * v.to_f32()).sum()
}

pub(crate) fn sq_norm(row: &[f32]) -> f32 {
    row.iter().map(|v| v * v).sum()
}

/// Queries padded (and normalised for cosine), with their squared norms.
pub(crate) struct Queries {
    pub m: usize,
    pub data: Vec<f32>,
}

impl Queries {
    /// Padded length of one query.
    pub fn dp(&self) -> usize {
        self.data.len() / self.m.max(1)
    }
}

/// Per-query exclusion lists in CSR form: query `q` excludes
/// `ids[offsets[q]..offsets[q + 1]]`.
pub(crate) struct Exclusions {
    pub offsets: Vec<u32>,
    pub ids: Vec<u32>,
}

impl Exclusions {
    pub(crate) fn new(m: usize, exclude: Option<&[Vec<u32>]>) -> Result<Self> {
        let mut offsets = Vec::with_capacity(m + 1);
        let mut ids = Vec::new();
        offsets.push(0);
        match exclude {
            None => offsets.resize(m + 1, 0),
            Some(lists) => {
                if lists.len() != m {
                    return Err(Error::invalid(format!(
                        "{} exclusion lists for {m} queries",
                        lists.len()
                    )));
                }
                for l in lists {
                    ids.extend_from_slice(l);
                    let end = u32::try_from(ids.len())
                        .map_err(|_| Error::invalid("more than 2^32 excluded ids in one search"))?;
                    offsets.push(end);
                }
            }
        }
        Ok(Exclusions { offsets, ids })
    }

    /// The lists of queries `q0..q1`, renumbered from 0.
    pub(crate) fn range(&self, q0: usize, q1: usize) -> Exclusions {
        let (a, b) = (self.offsets[q0], self.offsets[q1]);
        Exclusions {
            offsets: self.offsets[q0..=q1].iter().map(|o| o - a).collect(),
            ids: self.ids[a as usize..b as usize].to_vec(),
        }
    }

    /// The excluded ids of query `q`.
    #[inline]
    pub fn of(&self, q: usize) -> &[u32] {
        &self.ids[self.offsets[q] as usize..self.offsets[q + 1] as usize]
    }
}

/// A matrix prepared for repeated exact search on one device (see [`SearchIndex::new`]).
///
/// ```
/// use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
/// // three 2-d rows; the query (1, 0) is nearest to row 0, then row 1
/// let m = [1.0, 0.0, 0.6, 0.8, -1.0, 0.0];
/// let index = SearchIndex::cpu(&m, 2, &SearchOptions::new(Metric::Cosine))?;
/// let hits = index.search(&[1.0, 0.0], 2, None)?;
/// assert_eq!((hits[0][0].id, hits[0][1].id), (0, 1));
/// assert!((hits[0][1].score - 0.6).abs() < 1e-6);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct SearchIndex {
    metric: Metric,
    precision: Precision,
    n: usize,
    dim: usize,
    /// The rows resident on the GPU; `None`: the CPU twin searches.
    gpu: Option<gpu::GpuIndex>,
    /// The rows on the host: always for the CPU twin; for the GPU only with the
    /// Euclidean metric, whose final distances are recomputed exactly from them.
    host: Option<Prepared>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("metric", &self.metric)
            .field("precision", &self.precision)
            .field("n", &self.n)
            .field("dim", &self.dim)
            .field("device", &self.device_name())
            .finish()
    }
}

impl SearchIndex {
    /// An index searched by the CPU twin (rayon + gemm).
    ///
    /// ```
    /// use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0, 0.0, 0.0, 1.0], 2, &SearchOptions::new(Metric::Cosine))?;
    /// assert_eq!((index.len(), index.device_name()), (2, "cpu".to_string()));
    /// assert!(SearchIndex::cpu(&[1.0, 0.0, 0.0], 2, &SearchOptions::new(Metric::Dot)).is_err()); // 3 values, dim 2
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn cpu(matrix: &[f32], dim: usize, opts: &SearchOptions) -> Result<Self> {
        let p = Prepared::new(matrix, dim, opts)?;
        Ok(SearchIndex {
            metric: opts.metric,
            precision: opts.precision,
            n: p.n,
            dim,
            gpu: None,
            host: Some(p),
        })
    }

    /// An index searched on the GPU; the matrix is uploaded once, in shards if needed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{GpuContext, search::{Metric, SearchIndex, SearchOptions}};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = Arc::new(GpuContext::new()?);
    /// let index = SearchIndex::gpu(ctx, &[1.0, 0.0, 0.0, 1.0], 2, &SearchOptions::new(Metric::Dot))?;
    /// let hits = index.search(&[0.2, 0.9], 1, None)?;
    /// assert_eq!(hits[0][0].id, 1);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn gpu(
        ctx: Arc<GpuContext>,
        matrix: &[f32],
        dim: usize,
        opts: &SearchOptions,
    ) -> Result<Self> {
        let p = Prepared::new(matrix, dim, opts)?;
        let g = gpu::GpuIndex::new(ctx, &p, opts.max_shard_bytes)?;
        Ok(SearchIndex {
            metric: opts.metric,
            precision: opts.precision,
            n: p.n,
            dim,
            gpu: Some(g),
            host: (opts.metric == Metric::Euclidean).then_some(p),
        })
    }

    /// An index searched on `device`: [`SearchIndex::gpu`] on its GPU context,
    /// [`SearchIndex::cpu`] on the CPU.
    ///
    /// ```
    /// use glove_wgpu::{search::{Metric, SearchIndex, SearchOptions}, Device};
    /// // `Device::Cpu`: the CPU twin; `Device::Gpu(ctx)` searches on the GPU.
    /// let index = SearchIndex::new(&Device::Cpu, &[1.0, 0.0, 0.0, 1.0], 2, &SearchOptions::new(Metric::Dot))?;
    /// assert_eq!(index.search(&[0.1, 0.9], 1, None)?[0][0].id, 1);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(device: &Device, matrix: &[f32], dim: usize, opts: &SearchOptions) -> Result<Self> {
        match device {
            Device::Gpu(c) => Self::gpu(c.clone(), matrix, dim, opts),
            Device::Cpu => Self::cpu(matrix, dim, opts),
        }
    }

    /// Rows in the index.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0, 2.0, 3.0], 1, &SearchOptions::new(Metric::Dot))?;
    /// assert_eq!(index.len(), 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the index has no rows.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[], 4, &SearchOptions::new(Metric::Dot))?;
    /// assert!(index.is_empty());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Vector dimension.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0, 2.0, 3.0], 3, &SearchOptions::new(Metric::Dot))?;
    /// assert_eq!(index.dim(), 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The metric.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0], 1, &SearchOptions::new(Metric::Euclidean))?;
    /// assert_eq!(index.metric(), Metric::Euclidean);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// `"cpu"` or the GPU adapter's name: what the search runs on.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0], 1, &SearchOptions::new(Metric::Dot))?;
    /// assert_eq!(index.device_name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn device_name(&self) -> String {
        match &self.gpu {
            None => "cpu".to_string(),
            Some(g) => g.adapter_name(),
        }
    }

    /// How many shards the matrix was split into (1 on the CPU).
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let opts = SearchOptions::new(Metric::Dot).max_shard_bytes(16); // only the GPU shards
    /// let index = SearchIndex::cpu(&[1.0; 64], 4, &opts)?;
    /// assert_eq!(index.shards(), 1);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn shards(&self) -> usize {
        self.gpu.as_ref().map_or(1, |g| g.shards())
    }

    /// The GPU kernel's counted figures (global bytes per FLOP, candidates per
    /// query, dispatches and submissions) for a search of `m` queries for `k`
    /// hits, from the same plan a search uses; `None` on the CPU.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0, 0.0], 2, &SearchOptions::new(Metric::Dot))?;
    /// assert!(index.gpu_counts(100, 10)?.is_none()); // a GPU index gives `Some`
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn gpu_counts(&self, m: usize, k: usize) -> Result<Option<KernelCounts>> {
        match &self.gpu {
            None => Ok(None),
            Some(g) => g.counts(m, k, self.metric).map(Some),
        }
    }

    /// The `k` nearest rows of each query (`queries` is row-major, `m x dim`),
    /// best first, ties broken by lower id. `exclude[q]` lists rows query `q`
    /// must not return. Fewer than `k` hits come back when fewer rows remain.
    ///
    /// ```
    /// # use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
    /// let index = SearchIndex::cpu(&[1.0, 0.0, 0.9, 0.1, 0.0, 1.0], 2, &SearchOptions::new(Metric::Cosine))?;
    /// let queries = [1.0, 0.0, 0.0, 1.0]; // two queries
    /// let hits = index.search(&queries, 2, Some(&[vec![0], vec![]]))?; // query 0 skips row 0
    /// assert_eq!(hits[0].iter().map(|h| h.id).collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(hits[1].iter().map(|h| h.id).collect::<Vec<_>>(), [2, 1]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn search(
        &self,
        queries: &[f32],
        k: usize,
        exclude: Option<&[Vec<u32>]>,
    ) -> Result<Vec<Vec<Neighbor>>> {
        let m = check_matrix(queries, self.dim, "queries")?;
        let k = k.min(self.n);
        let excl = Exclusions::new(m, exclude)?;
        if m == 0 {
            return Ok(Vec::new());
        }
        if k == 0 {
            return Ok(vec![Vec::new(); m]);
        }
        let dp = padded_dim(self.dim);
        let data = pad_rows(queries, self.dim, dp, self.metric == Metric::Cosine);
        let q = Queries { m, data };
        let lists = self.search_keys(&q, k, &excl)?;
        Ok(lists
            .iter()
            .enumerate()
            .map(|(qi, l)| match self.metric {
                Metric::Cosine | Metric::Dot => l
                    .iter()
                    .map(|(key, id)| Neighbor { id, score: key })
                    .collect(),
                Metric::Euclidean => {
                    let p = self
                        .host
                        .as_ref()
                        .expect("Euclidean indexes keep their rows");
                    exact_distances(p, &q.data[qi * q.dp()..(qi + 1) * q.dp()], l)
                }
            })
            .collect())
    }
}

impl SearchIndex {
    /// The `k` best rows of queries already padded (and normalised, for
    /// cosine) as lists of `(key, row)`: [`SearchIndex::search`] without the
    /// copy of the queries and the scores (an IVF index's coarse step).
    pub(crate) fn search_keys(&self, q: &Queries, k: usize, excl: &Exclusions) -> Result<Lists> {
        let k = k.min(self.n);
        Ok(match (&self.gpu, &self.host) {
            (Some(g), _) => g.search(q, k, excl, self.metric)?,
            (None, Some(p)) => twin::search(p, q, k, excl, self.metric),
            (None, None) => unreachable!("a CPU index keeps its rows"),
        })
    }
}

/// Distances of the selected rows recomputed directly, `sqrt(sum (q - e)^2)` in
/// f64, then re-sorted (nearest first, lower id on ties). The key
/// `2 q.e - |e|^2` selects the rows, but turning it back into a distance
/// (`|q|^2 - key`) loses digits to cancellation when `|q|` is large and the
/// distance small.
pub(crate) fn exact_distances(p: &Prepared, q: &[f32], list: &TopK) -> Vec<Neighbor> {
    exact_distances_at(p, q, list, |id| id as usize)
}

/// [`exact_distances`] for hits whose ids are not row numbers: `row_of(id)` is
/// the stored row of `id`.
pub(crate) fn exact_distances_at(
    p: &Prepared,
    q: &[f32],
    list: &TopK,
    row_of: impl Fn(u32) -> usize,
) -> Vec<Neighbor> {
    let mut out: Vec<Neighbor> = list
        .iter()
        .map(|(_, id)| {
            let r = row_of(id);
            let d2: f64 = match &p.rows {
                Rows::F32(v) => v[r * p.dp..(r + 1) * p.dp]
                    .iter()
                    .zip(q)
                    .map(|(&e, &x)| (e as f64 - x as f64).powi(2))
                    .sum(),
                Rows::F16(v) => v[r * p.dp..(r + 1) * p.dp]
                    .iter()
                    .zip(q)
                    .map(|(&e, &x)| (e.to_f64() - x as f64).powi(2))
                    .sum(),
            };
            Neighbor {
                id,
                score: d2.sqrt() as f32,
            }
        })
        .collect();
    out.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.id.cmp(&b.id)));
    out
}

/// Metric code shared with the shader (`params.metric`): the Euclidean key or
/// the dot product. The code of Euclidean is read from the WGSL (`METRIC_EUCLIDEAN`).
pub(crate) fn metric_code(metric: Metric) -> u32 {
    match metric {
        Metric::Cosine | Metric::Dot => 0,
        Metric::Euclidean => crate::shaders::SEARCH_SCAN_WORKGROUP.const_u32("METRIC_EUCLIDEAN"),
    }
}

/// Lists per query, used by both twins.
pub(crate) type Lists = Vec<TopK>;

/// The CPU twin of the list scan over `rows` (see `twin::scan_lists`).
pub(crate) fn scan_lists_cpu(
    rows: &lists::ListRows,
    q: &Queries,
    pairs: &lists::Pairs,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Lists {
    twin::scan_lists(rows, q, pairs, k, excl, metric)
}

/// Exact search of `q` over every row of `p` on the CPU twin (row numbers).
pub(crate) fn search_cpu(
    p: &Prepared,
    q: &Queries,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Lists {
    twin::search(p, q, k, excl, metric)
}

/// Rows gathered from several stored matrices of one dimension and precision:
/// `(source, row)` pairs in the order of the result.
pub(crate) fn gather_rows(
    from: &[&Prepared],
    order: impl Iterator<Item = (usize, usize)>,
) -> Prepared {
    let dim = from[0].dim;
    let dp = from[0].dp;
    let order: Vec<(usize, usize)> = order.collect();
    let rows = match &from[0].rows {
        Rows::F32(_) => {
            let mut v = Vec::with_capacity(order.len() * dp);
            for &(s, r) in &order {
                if let Rows::F32(src) = &from[s].rows {
                    v.extend_from_slice(&src[r * dp..(r + 1) * dp]);
                }
            }
            Rows::F32(v)
        }
        Rows::F16(_) => {
            let mut v = Vec::with_capacity(order.len() * dp);
            for &(s, r) in &order {
                if let Rows::F16(src) = &from[s].rows {
                    v.extend_from_slice(&src[r * dp..(r + 1) * dp]);
                }
            }
            Rows::F16(v)
        }
    };
    let norms = order.iter().map(|&(s, r)| from[s].norms[r]).collect();
    Prepared {
        n: order.len(),
        dim,
        dp,
        rows,
        norms,
    }
}
