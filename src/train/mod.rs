//! GloVe training: configuration, the CPU trainers and the GPU trainer.
//!
//! Every trainer applies the update rule of Stanford's `glove.c` (see
//! [`TrainConfig`]) to shuffled co-occurrence triples, epoch after epoch, in the
//! order given (like `glove.c`, no reshuffle between epochs):
//!
//! | backend | semantics | deterministic |
//! | --- | --- | --- |
//! | [`Backend::Hogwild`] | `threads` contiguous slices, lock-free shared parameters (as `glove.c`) | with 1 thread |
//! | [`Backend::Exact`] | one thread, triples in order | yes |
//! | [`Backend::Batched`] | the GPU's batch semantics on the CPU (the kernels' twins, rayon) | yes |
//! | [`Backend::Gpu`] | row-gathered batches in WGSL (`shaders/glove_step.wgsl`) | yes, per adapter |
//!
//! ```
//! use glove_wgpu::cooccur::Cooc;
//! use glove_wgpu::model::Model;
//! use glove_wgpu::train::{train, Backend, TrainConfig};
//! let cooc = vec![Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
//! let cfg = TrainConfig { dim: 4, epochs: 3, ..TrainConfig::default() };
//! let mut model = Model::new(2, cfg.dim, cfg.seed)?;
//! let reports = train(&mut model, &cooc, &cfg, &Backend::Exact, 0, &mut |_, _| Ok(()))?;
//! assert_eq!(reports.len(), 3);
//! assert!(reports[2].cost < reports[0].cost);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

pub mod checkpoint;
mod cpu;
mod gpu;
mod layout;
mod plan;
mod source;
pub mod traffic;
pub mod twin;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use crate::params::{CostParams, Entry, Span, StepParams};
pub use cpu::{epoch_exact, epoch_hogwild, CpuTrainer};
pub use gpu::{
    max_shards, GpuLayout, GpuStats, GpuTrainer, LanePath, SUBGROUP_SLOT_BUDGET, SUBMISSION_BYTES,
};
pub use layout::{device_stride, from_device_layout, to_device_layout};
pub use plan::{
    plan_bytes_bound, Batch, BatchPlan, PlanStorage, MAX_BATCH, PLAN_BLOCK_BATCHES, ROW_CAP,
};
pub use source::CoocSource;

use crate::cooccur::Cooc;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;

/// Training settings; the defaults are Stanford's.
///
/// ```
/// let c = glove_wgpu::train::TrainConfig::default();
/// assert_eq!((c.dim, c.epochs, c.x_max, c.alpha, c.eta, c.clip), (50, 25, 100.0, 0.75, 0.05, 100.0));
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Vector dimension (50).
    pub dim: usize,
    /// Epochs (25).
    pub epochs: u32,
    /// Cut-off of the weighting function (100).
    pub x_max: f32,
    /// Exponent of the weighting function (0.75).
    pub alpha: f32,
    /// Learning rate (0.05).
    pub eta: f32,
    /// Gradient clip for vector components (100).
    pub clip: f32,
    /// Seed of the initialisation (1).
    pub seed: u64,
    /// Triples per batch in the batched (GPU and twin) trainers.
    pub batch_size: usize,
    /// Most triples of one row in a batch of the batched trainers, unless the row's
    /// fair share is more ([`ROW_CAP`]); 0: no cap.
    pub row_cap: u32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            dim: 50,
            epochs: 25,
            x_max: 100.0,
            alpha: 0.75,
            eta: 0.05,
            clip: 100.0,
            seed: 1,
            batch_size: DEFAULT_BATCH,
            row_cap: ROW_CAP,
        }
    }
}

/// Default triples per batch of the batched trainers.
///
/// Measured on kjv.txt (dimension 50, x_max 10, 15 epochs, CPU twin = GPU semantics):
/// batches of 1,024 / 4,096 / 16,384 / 65,536 / 262,144 triples end at mean cost
/// 0.03100 / 0.03101 / 0.03102 / 0.03100 / 0.03104 (Stanford: 0.0309), after epoch 1
/// at 0.0931 / 0.0935 / 0.0954 / 0.1019 / 0.1238. Analogy accuracy (seeds 1, 2, 3):
/// 4,096: 5.52 / 5.85 / 6.40 %; 16,384: 4.75 / 5.63 / 6.51 %; Hogwild: 6.29 / 5.96 /
/// 6.73 %. 4,096 stays closest to sequential SGD while giving about 2,100 distinct
/// rows per dispatch on kjv (longest row of a batch: 26 triples).
///
/// With the row cap ([`ROW_CAP`], 8) and the kernels' lane order, kjv (seed 1) ends
/// at 0.03094 at 4,096 triples (5.52 % analogies, WordSim 0.268; 0.264 with the
/// plan cut in blocks, [`PLAN_BLOCK_BATCHES`]) and 0.03096 at 65,536 (5.85 %,
/// 0.263), the default on a discrete GPU ([`default_batch`]);
/// Stanford: 0.0309, 6.3 %, 0.246. wiki.txt, same settings: 0.02633 (2.93 %,
/// 0.222) at 4,096 and 0.02636 (2.88 %, 0.226) at 65,536; Hogwild 0.02631 (2.88 %,
/// 0.242); Stanford 0.0263 (2.25 %, 0.169).
///
/// ```
/// use glove_wgpu::train::{default_batch, TrainConfig, DEFAULT_BATCH};
/// assert_eq!(TrainConfig::default().batch_size, DEFAULT_BATCH);
/// assert_eq!(default_batch(None), DEFAULT_BATCH); // no GPU: the CPU twins' batch
/// ```
pub const DEFAULT_BATCH: usize = 4096;

/// Default triples per batch on a discrete GPU (see [`default_batch`]).
///
/// ```
/// use glove_wgpu::train::{DEFAULT_BATCH, LARGE_GPU_BATCH};
/// assert_eq!(LARGE_GPU_BATCH, 16 * DEFAULT_BATCH);
/// ```
pub const LARGE_GPU_BATCH: usize = 65536;

/// The default batch for `ctx`: a large GPU needs many distinct rows per dispatch
/// to fill its lanes (a batch of 4,096 triples on kjv.txt has about 2,100 word rows,
/// a quarter of the 8,448 warps an H100 keeps resident), so a discrete GPU gets
/// [`LARGE_GPU_BATCH`], an integrated or virtual one 16,384, and the CPU twins and
/// software adapters [`DEFAULT_BATCH`]. Larger batches leave the final cost as it is
/// (see [`DEFAULT_BATCH`] for the measurements).
///
/// ```
/// assert_eq!(glove_wgpu::train::default_batch(None), glove_wgpu::train::DEFAULT_BATCH);
/// ```
pub fn default_batch(ctx: Option<&GpuContext>) -> usize {
    use crate::gpu::AdapterKind;
    let Some(ctx) = ctx else {
        return DEFAULT_BATCH;
    };
    match ctx.adapter().kind {
        AdapterKind::DiscreteGpu => LARGE_GPU_BATCH,
        AdapterKind::IntegratedGpu | AdapterKind::VirtualGpu => 16384,
        AdapterKind::Software | AdapterKind::Other => DEFAULT_BATCH,
    }
}

impl TrainConfig {
    /// Checks the settings.
    ///
    /// ```
    /// use glove_wgpu::train::TrainConfig;
    /// assert!(TrainConfig::default().validate().is_ok());
    /// let bad = TrainConfig { eta: f32::NAN, ..Default::default() };
    /// assert_eq!(bad.validate().unwrap_err().to_string(), "invalid argument: eta must be a positive number, got NaN");
    /// assert!(TrainConfig { epochs: 0, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::invalid("epochs must be at least 1"));
        }
        if self.dim == 0 || self.dim > 4096 {
            return Err(Error::invalid(format!(
                "dimension must be in 1..=4096, got {}",
                self.dim
            )));
        }
        for (name, v) in [
            ("x-max", self.x_max),
            ("alpha", self.alpha),
            ("eta", self.eta),
            ("clip", self.clip),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(format!(
                    "{name} must be a positive number, got {v}"
                )));
            }
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(Error::invalid(format!(
                "batch size must be in 1..={}, got {}",
                MAX_BATCH, self.batch_size
            )));
        }
        Ok(())
    }
}

/// The weighting function `f(x) = min(1, (x / x_max)^alpha)`.
///
/// ```
/// use glove_wgpu::train::weight;
/// assert_eq!(weight(200.0, 100.0, 0.75), 1.0);
/// assert!((weight(10.0, 100.0, 0.75) - 0.1f32.powf(0.75)).abs() < 1e-7);
/// ```
#[inline]
pub fn weight(x: f32, x_max: f32, alpha: f32) -> f32 {
    if x > x_max {
        1.0
    } else {
        (x / x_max).powf(alpha)
    }
}

/// Where and how to train.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{train, Backend, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let cfg = TrainConfig { dim: 4, epochs: 2, ..Default::default() };
/// let mut a = Model::new(2, 4, 1)?;
/// let mut b = a.clone();
/// train(&mut a, &cooc, &cfg, &Backend::Exact, 0, &mut |_, _| Ok(()))?;
/// train(&mut b, &cooc, &cfg, &Backend::Hogwild { threads: 1 }, 0, &mut |_, _| Ok(()))?;
/// assert_eq!(a, b); // one Hogwild thread is the exact trainer
/// // Backend::Gpu(Arc::new(GpuContext::new()?)) runs the kernels.
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum Backend {
    /// Lock-free parallel SGD over `threads` contiguous slices (0 = rayon's default).
    Hogwild {
        /// Threads; 0 means the number of CPUs.
        threads: usize,
    },
    /// One thread, triples in order: exactly reproducible.
    Exact,
    /// The GPU kernels' CPU twins: same batch semantics as [`Backend::Gpu`].
    Batched,
    /// The GPU trainer.
    Gpu(Arc<GpuContext>),
}

impl Backend {
    /// A short name for reports: `cpu-hogwild`, `cpu-exact`, `cpu-batched`, `gpu`.
    ///
    /// ```
    /// use glove_wgpu::train::Backend;
    /// assert_eq!(Backend::Hogwild { threads: 0 }.name(), "cpu-hogwild");
    /// assert_eq!(Backend::Batched.name(), "cpu-batched");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Hogwild { .. } => "cpu-hogwild",
            Backend::Exact => "cpu-exact",
            Backend::Batched => "cpu-batched",
            Backend::Gpu(_) => "gpu",
        }
    }
}

/// What one epoch did.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{train, Backend, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let cfg = TrainConfig { dim: 4, epochs: 3, ..Default::default() };
/// let mut m = Model::new(2, 4, 1)?;
/// let r = train(&mut m, &cooc, &cfg, &Backend::Exact, 1, &mut |_, _| Ok(()))?; // epoch 1 was done
/// assert_eq!((r.len(), r[0].epoch, r[0].updates), (2, 2, 2));
/// assert!(r[1].cost < r[0].cost);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochReport {
    /// Epoch number, from 1.
    pub epoch: u32,
    /// Mean cost: the sum of `0.5 f(x) diff^2` over the triples, divided by their number.
    pub cost: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Triples visited.
    pub updates: u64,
}

/// Checks that every id is a row of a `vocab`-word model and every count is a
/// positive finite number (`ln x` must exist). Records are named from 1, and ids
/// as 0-based rows.
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// let err = glove_wgpu::train::check_ids(&[Cooc { i: 0, j: 1, x: -2.0 }], 2).unwrap_err();
/// assert!(err.to_string().contains("record 1"), "{err}");
/// ```
pub fn check_ids(cooc: &[Cooc], vocab: usize) -> Result<()> {
    check_records(cooc, vocab, "co-occurrences")
}

/// As [`check_ids`], with errors naming `source_name` (the file the records came from).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::check_records};
/// let ok = [Cooc { i: 0, j: 1, x: 1.0 }];
/// check_records(&ok, 2, "cooc.bin")?;
/// let err = check_records(&ok, 1, "cooc.bin").unwrap_err(); // id 1 in a 1-word model
/// assert!(err.to_string().starts_with("cooc.bin: record 1: ids (0, 1)"), "{err}");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn check_records(cooc: &[Cooc], vocab: usize, source_name: &str) -> Result<()> {
    check_records_from(cooc, vocab, source_name, 0)
}

/// As [`check_records`] for records numbered from `first` (a chunk of a file).
pub(crate) fn check_records_from(
    cooc: &[Cooc],
    vocab: usize,
    source_name: &str,
    first: u64,
) -> Result<()> {
    use rayon::prelude::*;
    let bad = cooc.par_iter().position_first(|c| {
        c.i as usize >= vocab || c.j as usize >= vocab || !(c.x.is_finite() && c.x > 0.0)
    });
    let Some(n) = bad else {
        return Ok(());
    };
    let c = cooc[n];
    let problem = if c.i as usize >= vocab || c.j as usize >= vocab {
        format!(
            "ids ({}, {}) (0-based rows; {}, {} in Stanford's 1-based files) but the \
             vocabulary has {vocab} words",
            c.i,
            c.j,
            c.i as u64 + 1,
            c.j as u64 + 1
        )
    } else {
        format!(
            "count {} for ids ({}, {}): counts must be positive and finite",
            c.x, c.i, c.j
        )
    };
    Err(Error::malformed(
        source_name,
        format!("record {}", first + n as u64 + 1),
        problem,
    ))
}

/// One way to train: each backend's trainer runs epochs and hands back the model.
///
/// [`train_source`] is a loop over [`Trainer::epoch`]; [`Backend::trainer`] makes
/// the trainer of a backend.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{Backend, Budget, CoocSource, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let (cfg, source) = (TrainConfig { dim: 4, ..Default::default() }, CoocSource::Memory(&cooc));
/// let mut m = Model::new(2, 4, 1)?;
/// let mut t = Backend::Batched.trainer(&mut m, &source, &cfg, &Budget::default())?;
/// let first = t.epoch()?;
/// assert!(t.epoch()? < first);
/// t.finish()?; // the model holds the two epochs
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub trait Trainer {
    /// Runs one epoch over all triples; returns the summed cost (the sum of
    /// `0.5 f(x) diff^2`).
    fn epoch(&mut self) -> Result<f64>;

    /// Copies the parameters and AdaGrad state as they stand into `model`, of the
    /// trained model's shape.
    fn read_into(&self, model: &mut Model) -> Result<()>;

    /// Leaves the trained parameters in the model the trainer was made from.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Default device memory of the GPU trainer: 4 GiB (see [`Budget::gpu_memory_bytes`]).
///
/// wgpu cannot tell how much memory a GPU has, let alone how much is free. 4 GiB
/// fits the smallest GPUs people train on (6-8 GB, less what the display and
/// other programs hold) and an integrated GPU's share of RAM. The figure only
/// decides how much of the batch plan stays on the device; the vectors are the
/// same at any budget. On a large GPU, raise it (`--gpu-memory-mb`) so that whole
/// plans stay resident.
///
/// ```
/// assert_eq!(glove_wgpu::train::DEFAULT_GPU_MEMORY, 4 << 30);
/// ```
pub const DEFAULT_GPU_MEMORY: u64 = 4 << 30;

/// Default host memory for a batch plan: 4 GiB, as `--memory-mb`'s default.
///
/// ```
/// assert_eq!(glove_wgpu::train::DEFAULT_PLAN_MEMORY, 4 << 30);
/// ```
pub const DEFAULT_PLAN_MEMORY: u64 = 4 << 30;

/// What training may use beside the model: none of it changes the vectors.
///
/// ```
/// use glove_wgpu::train::{Budget, DEFAULT_GPU_MEMORY};
/// let b = Budget::default();
/// assert_eq!((b.gpu_memory_bytes, b.chunk_triples, b.shard_rows), (DEFAULT_GPU_MEMORY, None, None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Host bytes for the batch plan of the batched and GPU trainers; a plan that
    /// may not fit ([`plan_bytes_bound`]) is written to files and memory-mapped.
    pub memory_bytes: u64,
    /// Where plan files go (`None`: beside the co-occurrence file, or the system's
    /// temporary folder for triples in memory).
    pub plan_dir: Option<PathBuf>,
    /// Device bytes the GPU trainer may take, the model included
    /// ([`DEFAULT_GPU_MEMORY`]): the plan's chunks that fit stay on the device, the
    /// rest stream every epoch.
    pub gpu_memory_bytes: u64,
    /// At most this many triples (whole batches, at least one) per GPU chunk;
    /// `None`: as many as the limits allow. Forces chunking, for tests and checks.
    pub chunk_triples: Option<usize>,
    /// At most this many rows per model shard on the GPU; `None`: as many as one
    /// storage binding holds. Forces sharding, for tests and checks.
    pub shard_rows: Option<usize>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            memory_bytes: DEFAULT_PLAN_MEMORY,
            plan_dir: None,
            gpu_memory_bytes: DEFAULT_GPU_MEMORY,
            chunk_triples: None,
            shard_rows: None,
        }
    }
}

impl Budget {
    /// Where the plan of `n` triples from `source` goes: memory when
    /// [`plan_bytes_bound`] fits [`Budget::memory_bytes`], else files.
    ///
    /// ```
    /// use glove_wgpu::train::{Budget, CoocSource, PlanStorage};
    /// let b = Budget { memory_bytes: 320, ..Default::default() };
    /// assert_eq!(b.plan_storage(&CoocSource::Memory(&[]), 10), PlanStorage::Memory);
    /// assert!(matches!(b.plan_storage(&CoocSource::Memory(&[]), 11), PlanStorage::Files(_)));
    /// ```
    pub fn plan_storage(&self, source: &CoocSource, n: u64) -> PlanStorage {
        if plan_bytes_bound(n) <= self.memory_bytes {
            return PlanStorage::Memory;
        }
        let dir = self.plan_dir.clone().unwrap_or_else(|| match source {
            CoocSource::File { path, .. } => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), |p| p.to_path_buf()),
            CoocSource::Memory(_) => std::env::temp_dir(),
        });
        PlanStorage::Files(dir)
    }
}

impl Backend {
    /// The trainer of this backend for `model` (trained in place) on `source`,
    /// every record checked first. The batched and GPU trainers build the run's
    /// one batch plan here.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{Backend, Budget, CoocSource, TrainConfig}};
    /// let cooc = [Cooc { i: 0, j: 5, x: 2.0 }]; // id 5 in a 2-word model
    /// let (cfg, source) = (TrainConfig { dim: 4, ..Default::default() }, CoocSource::Memory(&cooc));
    /// let mut m = Model::new(2, 4, 1)?;
    /// assert!(Backend::Exact.trainer(&mut m, &source, &cfg, &Budget::default()).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn trainer<'a>(
        &self,
        model: &'a mut Model,
        source: &'a CoocSource<'a>,
        config: &TrainConfig,
        budget: &Budget,
    ) -> Result<Box<dyn Trainer + 'a>> {
        config.validate()?;
        if model.dim != config.dim {
            return Err(Error::invalid(format!(
                "the model has dimension {} but the configuration says {}",
                model.dim, config.dim
            )));
        }
        let n = source.len()?;
        let plan = |model: &Model| -> Result<Arc<BatchPlan>> {
            let storage = budget.plan_storage(source, n);
            Ok(Arc::new(BatchPlan::from_source(
                source,
                model.vocab,
                config.batch_size,
                config.row_cap,
                &storage,
            )?))
        };
        Ok(match self {
            Backend::Hogwild { threads } => {
                check_source(source, model.vocab)?;
                Box::new(CpuTrainer::hogwild(model, source, config, *threads)?)
            }
            Backend::Exact => {
                check_source(source, model.vocab)?;
                Box::new(CpuTrainer::exact(model, source, config))
            }
            Backend::Batched => {
                let plan = plan(model)?;
                let lanes = twin::fallback_lanes() as usize;
                Box::new(twin::BatchedTrainer::new(model, plan, config, lanes)?)
            }
            Backend::Gpu(ctx) => {
                let plan = plan(model)?;
                let trainer = GpuTrainer::new(ctx.clone(), model, plan, config, budget)?;
                Box::new(gpu::GpuRun { trainer, model })
            }
        })
    }
}

/// Checks every record of `source` (a pass over a file).
fn check_source(source: &CoocSource, vocab: usize) -> Result<()> {
    let name = source.name();
    let mut first = 0u64;
    source.for_each_chunk(0, &mut |part| {
        check_records_from(part, vocab, &name, first)?;
        first += part.len() as u64;
        Ok(())
    })
}

/// The state after an epoch, as [`train`]'s callback sees it.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{train, Backend, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }];
/// let cfg = TrainConfig { dim: 2, epochs: 2, ..Default::default() };
/// let mut m = Model::new(2, 2, 1)?;
/// let mut snapshots = Vec::new();
/// train(&mut m, &cooc, &cfg, &Backend::Exact, 0, &mut |_, view| Ok(snapshots.push(view.model()?)))?;
/// assert_eq!(snapshots.len(), 2);
/// assert_eq!(snapshots[1], m); // after the last epoch
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct EpochView<'t> {
    trainer: &'t dyn Trainer,
    vocab: usize,
    dim: usize,
}

impl std::fmt::Debug for EpochView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpochView")
            .field("vocab", &self.vocab)
            .field("dim", &self.dim)
            .finish()
    }
}

impl EpochView<'_> {
    /// A copy of the model as it stands (read back from the device for the GPU trainer).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{train, Backend, TrainConfig}};
    /// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }];
    /// let cfg = TrainConfig { dim: 2, epochs: 1, ..Default::default() };
    /// let (mut m, fresh) = (Model::new(2, 2, 1)?, Model::new(2, 2, 1)?);
    /// train(&mut m, &cooc, &cfg, &Backend::Batched, 0, &mut |_, view| {
    ///     assert_ne!(view.model()?, fresh); // epoch 1 moved the parameters
    ///     Ok(())
    /// })?;
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn model(&self) -> Result<Model> {
        let len = 2 * self.vocab * (self.dim + 1);
        let mut m = Model {
            vocab: self.vocab,
            dim: self.dim,
            params: vec![0.0; len],
            gradsq: vec![0.0; len],
        };
        self.trainer.read_into(&mut m)?;
        Ok(m)
    }
}

/// Trains `model` on `cooc` from epoch `start_epoch` (0 for a fresh model) to
/// `config.epochs`, calling `on_epoch` after each epoch (an error stops training),
/// within the default [`Budget`].
///
/// The GPU trainer copies the model to the device once and back at the end;
/// [`EpochView::model`] reads it back between epochs (for checkpoints).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{train, Backend, TrainConfig}, Error};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let cfg = TrainConfig { dim: 4, epochs: 10, ..Default::default() };
/// let mut m = Model::new(2, 4, 1)?;
/// // The callback's error stops training after epoch 2.
/// let stop = train(&mut m, &cooc, &cfg, &Backend::Batched, 0, &mut |r, _| {
///     if r.epoch == 2 { Err(Error::invalid("enough")) } else { Ok(()) }
/// });
/// assert!(stop.is_err());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn train(
    model: &mut Model,
    cooc: &[Cooc],
    config: &TrainConfig,
    backend: &Backend,
    start_epoch: u32,
    on_epoch: &mut dyn FnMut(&EpochReport, &EpochView) -> Result<()>,
) -> Result<Vec<EpochReport>> {
    train_source(
        model,
        &CoocSource::Memory(cooc),
        config,
        backend,
        &Budget::default(),
        start_epoch,
        on_epoch,
    )
}

/// As [`train`], reading the triples from `source` (memory, or a file read again
/// every epoch in chunks, the next chunk read while the current one trains), within
/// `budget`.
///
/// Every record is checked before the first epoch. The batched CPU and GPU
/// trainers cut the triples into one batch plan, once (see `src/train/plan.rs`),
/// and run it every epoch: their vectors are the same whatever the chunk, the
/// memory budgets or the device's limits. The exact trainer gives the in-memory
/// result bit for bit whatever the chunk.
///
/// ```
/// use glove_wgpu::cooccur::{Cooc, CoocFormat, CoocWriter};
/// use glove_wgpu::{model::Model, train::{train, train_source, Backend, Budget, CoocSource, TrainConfig}};
/// let cooc: Vec<Cooc> = (0..10).map(|k| Cooc { i: k % 3, j: (k + 1) % 3, x: 1.0 + k as f32 }).collect();
/// let path = std::env::temp_dir().join(format!("glove-doc-train-source-{}.bin", std::process::id()));
/// let mut w = CoocWriter::create(&path, CoocFormat::Native)?;
/// cooc.iter().try_for_each(|c| w.write(c))?;
/// w.finish()?;
/// let cfg = TrainConfig { dim: 4, epochs: 2, ..Default::default() };
/// let (mut a, mut b) = (Model::new(3, 4, 1)?, Model::new(3, 4, 1)?);
/// train(&mut a, &cooc, &cfg, &Backend::Exact, 0, &mut |_, _| Ok(()))?;
/// let file = CoocSource::File { path: path.clone(), format: CoocFormat::Native, chunk: 4 };
/// train_source(&mut b, &file, &cfg, &Backend::Exact, &Budget::default(), 0, &mut |_, _| Ok(()))?;
/// assert_eq!(a, b); // the exact trainer: chunks of 4 give the in-memory result
/// std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn train_source(
    model: &mut Model,
    source: &CoocSource,
    config: &TrainConfig,
    backend: &Backend,
    budget: &Budget,
    start_epoch: u32,
    on_epoch: &mut dyn FnMut(&EpochReport, &EpochView) -> Result<()>,
) -> Result<Vec<EpochReport>> {
    // The settings are checked once, by `Backend::trainer`.
    let n = source.len()?;
    if n == 0 {
        return Err(Error::invalid(
            "there are no co-occurrences to train on (an empty file, or a vocabulary that \
             matches nothing in the corpus)",
        ));
    }
    // A file whose triples fit one chunk is read once and trains from memory.
    let all;
    let memory;
    let source = match source {
        CoocSource::File {
            path,
            format,
            chunk,
        } if n <= *chunk as u64 => {
            all = crate::cooccur::read_all(path, *format)?;
            // Checked here to name the file (the trainers check again, in memory).
            check_records(&all, model.vocab, &source.name())?;
            memory = CoocSource::Memory(&all);
            &memory
        }
        _ => source,
    };
    let (vocab, dim) = (model.vocab, model.dim);
    let mut trainer = backend.trainer(model, source, config, budget)?;
    let mut reports = Vec::new();
    for epoch in start_epoch..config.epochs {
        let t0 = Instant::now();
        let total = trainer.epoch()?;
        if !total.is_finite() {
            return Err(Error::invalid(format!(
                "training diverged in epoch {}: a residual became non-finite (summed cost \
                 {total}); lower the learning rate (eta {}) or check the co-occurrence counts",
                epoch + 1,
                config.eta
            )));
        }
        let report = EpochReport {
            epoch: epoch + 1,
            cost: total / n as f64,
            seconds: t0.elapsed().as_secs_f64(),
            updates: n,
        };
        let view = EpochView {
            trainer: &*trainer,
            vocab,
            dim,
        };
        on_epoch(&report, &view)?;
        reports.push(report);
    }
    trainer.finish()?;
    Ok(reports)
}
