//! The GPU trainer: `shaders/glove_step.wgsl` (one of its two lane paths) and
//! `shaders/glove_cost.wgsl`, driven chunk after chunk of one batch plan.
//!
//! One file, over 500 lines: the host side of two kernels that share one set of
//! buffers and bindings, and the rules that place them in device memory.
//!
//! ## Kernel layout (see the WGSL header for the details)
//! - Rows live on the device as [`super::to_device_layout`] writes them:
//!   `2 * stride` floats, the row's vector and bias then its AdaGrad state, so
//!   every row starts on a 32-byte sector.
//! - **Subgroup path** (`Features::SUBGROUP`): one subgroup per distinct row of a
//!   batch, lane `l` owning elements `l, l + S, ...` (`S` the subgroup size). A row
//!   and its AdaGrad state are loaded into registers once per batch and written
//!   once; that load is also the pre-batch snapshot the context pass reads. The
//!   other row of each triple is loaded coalesced, one triple ahead. Residuals are
//!   reduced by a `subgroupShuffleXor` butterfly, a fixed order the CPU twin copies.
//! - **Workgroup path** (no subgroups): the same with one 32-invocation workgroup
//!   per row and the reductions and entry broadcasts in workgroup memory.
//!
//! ## One plan, in chunks
//! The trainer takes the run's one [`BatchPlan`] (built once, see
//! [`super::plan`]) and cuts its batches into *chunks*: ranges of consecutive
//! batches. A chunk's four arrays are slices of the plan's, each within one storage
//! binding. Every batch runs with the same triples in the same order whatever the
//! chunking, so the vectors are bit-identical at every chunk size, memory budget
//! and binding limit (tests/train_gpu.rs checks resident, 2 and 7 chunks, and
//! streamed ones). A chunk ends where the next batch would pass any of:
//! - the binding limit, for each array (8 bytes a span or an entry);
//! - the parameter blocks' buffer (two blocks a batch, at `u32` dynamic offsets);
//! - [`SUBMISSION_BYTES`] of counted work (see *Bounded submissions*);
//! - a forced size ([`Budget::chunk_triples`], for tests and checks), or, when
//!   chunks stream, a quarter of what the budget leaves for the plan.
//!
//! ## Residency (the rule, with its arithmetic)
//! `fixed` = the model and its state (`2V * 2 * stride * 4` bytes: 2.0 GB for
//! 400k words at d 300), the snapshot (`max rows of a batch * stride * 4`), the row
//! costs of the largest chunk (4 bytes a main span), and the cost partials and their
//! read-back (4 bytes a batch each). A chunk takes `8 (spans) + 16 (entries)` bytes
//! per span and triple, plus `2 * 256` bytes of parameter blocks and 4 of row
//! offsets a batch. With `B` = [`Budget::gpu_memory_bytes`]:
//! - `fixed > B`: an error that names both figures, before any work.
//! - plan `<= B - fixed`: every chunk is uploaded once and stays; an epoch uploads
//!   nothing (bytes counted in [`GpuStats::upload_bytes`]).
//! - otherwise chunks are cut to at most `(B - fixed) / 4` bytes; two *slots*, each
//!   as large as the largest chunk, take the chunks that stream, and the chunks
//!   before them stay resident while they fit `B - fixed - 2 slots`. A streamed
//!   chunk is written into the slot used two chunks before (once that submission is
//!   done), while the device runs the chunk before it: the copy out of the plan
//!   (host memory, or its memory-mapped files) is the only per-epoch host work that
//!   grows with the triples.
//!
//! ## Model shards
//! One storage binding holds `shard_rows = binding / (2 * stride * 4)` rows: on a
//! 2 GiB binding, 883,011 rows at d 300 (stride 304), so GloVe's Common Crawl
//! release (2.2M words, 4.4M rows, 10.7 GB with its AdaGrad state) takes 5 shards.
//! The kernels bind `MAX_SHARDS` (8) row buffers and pick a row's shard as
//! `row / shard_rows`, the same for every lane of a row; with one shard the choice
//! folds away (`override SHARDS = 1`). Eight 2 GiB shards hold 3.53M words at d 300
//! (7.06M at 4 GiB, NVIDIA's Vulkan binding limit); beyond that the trainer says so
//! before any work. Sharding changes where a row lives, not what is computed: the
//! vectors are bit-identical at any shard count (tests/train_gpu.rs).
//!
//! ## Bounded submissions
//! A chunk is one submission: its passes and its cost reduction. A chunk holds at
//! most [`SUBMISSION_BYTES`] (8 GiB) of counted minimum traffic, `32 (d + 1) + 12`
//! bytes a triple (5.2M triples at d 50, 891k at d 300), unless one batch is
//! larger: at 100 GB/s (a small discrete or a large integrated GPU) that is 86 ms
//! of work, at 10 GB/s 0.86 s, under Windows' 2 s watchdog; on an H100 (3.35 TB/s)
//! it is 2.6 ms, so the 20-50 us a submission costs stays near 1 %.
//!
//! ## The cost
//! Each main-pass row writes its cost to its own slot; `reduce_cost` sums each
//! batch's slots in a fixed order into one partial a batch; the host adds the
//! partials in f64 in batch order. The partials follow the plan's batches, so the
//! figure does not depend on the chunking. Deterministic, no float atomics.
//!
//! ## Bytes per update (the design's traffic, counted by [`super::traffic`])
//! With `s = 4 * stride` bytes per row, and `r_i`, `r_j` the mean triples per distinct
//! word and context row of a batch, one update moves:
//! - the other row, read in each pass: `2 s`;
//! - the entry `(idx, x)` in each pass: 16 bytes (coalesced, in blocks);
//! - the word row's vector and state read and written, and its snapshot written:
//!   `5 s / r_i`; the context row's: `4 s / r_j`;
//!
//! against the minimum of an update that reads and writes both rows and their
//! state, `32 (d + 1) + 12` bytes. At `r = 1` that is 11/8 of the minimum; rows
//! seen twice or more in a batch (the common case: about 2 on kjv at 4,096 triples)
//! bring it below the minimum, since a row's state moves once per batch.

use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use super::layout::{device_stride, from_device_layout, to_device_layout};
use super::plan::BatchPlan;
use super::twin::{batch_params, check_plan, fallback_lanes, slots};
use super::{Budget, TrainConfig, Trainer};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::params::{CostParams, StepParams};
use crate::shaders::{Kernel, GLOVE_COST, GLOVE_STEP_SUBGROUP, GLOVE_STEP_WORKGROUP};

/// Bytes of one [`StepParams`] block.
const STEP_BYTES: u64 = std::mem::size_of::<StepParams>() as u64;

/// Most counted minimum traffic in one submission (8 GiB; see the module docs).
///
/// ```
/// assert_eq!(glove_wgpu::train::SUBMISSION_BYTES, 8 << 30);
/// ```
pub const SUBMISSION_BYTES: u64 = 8 << 30;

/// Model shards the kernels can bind, read from the WGSL.
///
/// ```
/// assert_eq!(glove_wgpu::train::max_shards(), 8);
/// ```
pub fn max_shards() -> usize {
    GLOVE_STEP_WORKGROUP.const_u32("MAX_SHARDS") as usize
}

/// `b` bytes for a message: MiB, KiB or bytes, whichever reads best.
fn size(b: u64) -> String {
    match b {
        0..1024 => format!("{b} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", b as f64 / 1024.0),
        _ => format!("{:.1} MiB", b as f64 / 1_048_576.0),
    }
}

/// Counted minimum traffic of one update at dimension `dim`: `32 (d + 1) + 12` bytes.
fn update_bytes(dim: usize) -> u64 {
    32 * (dim as u64 + 1) + 12
}

/// Largest parameter buffer: the device's buffer limit, and dynamic offsets are u32.
fn params_limit(ctx: &GpuContext) -> u64 {
    ctx.limits().max_buffer_size.min(u32::MAX as u64)
}

/// Register slots per lane above which the subgroup path gives way to the workgroup
/// path (four arrays of this many floats per lane: 64 registers).
///
/// ```
/// assert_eq!(glove_wgpu::train::SUBGROUP_SLOT_BUDGET, 16);
/// ```
pub const SUBGROUP_SLOT_BUDGET: usize = 16;

/// Which lane path the trainer runs, and how it is launched.
///
/// ```
/// use glove_wgpu::{train::{device_stride, LanePath}, GpuContext};
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = GpuContext::new()?;
/// let p = LanePath::choose(&ctx, 50)?;
/// assert!(p.slots as usize * p.max_lanes as usize >= device_stride(50)); // the lanes cover a row
/// assert_eq!(p.uses_subgroups(), p.kernel.name == "glove_step_subgroup");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LanePath {
    /// The kernel module.
    pub kernel: &'static Kernel,
    /// Invocations per workgroup.
    pub workgroup: u32,
    /// Fewest rows one workgroup takes at once (its size over the largest lane count).
    pub rows_per_workgroup: u32,
    /// Largest number of lanes a row may get (the subgroup size, at most).
    pub max_lanes: u32,
    /// Register slots per lane (the `SLOTS` override).
    pub slots: u32,
}

impl LanePath {
    /// The path for `ctx` at dimension `dim`: subgroups where the device has them,
    /// unless sizing the register slots for the smallest subgroup the adapter
    /// reports would take more than `SUBGROUP_SLOT_BUDGET` (16) slots and more than the
    /// workgroup path's 32 lanes need. (wgpu reports 4..64 for Metal and 4..128 for
    /// Vulkan drivers without subgroup size control, whatever the hardware runs, and
    /// the slots must cover the smallest size to be correct.)
    ///
    /// ```
    /// use glove_wgpu::{train::LanePath, GpuContext, GpuOptions};
    /// let opts = GpuOptions { no_subgroups: true, ..GpuOptions::from_env() };
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::with_options(&opts)?;
    /// let p = LanePath::choose(&ctx, 50)?;
    /// assert_eq!((p.kernel.name, p.max_lanes, p.slots), ("glove_step_workgroup", 32, 2));
    /// assert!(LanePath::choose(&ctx, 100_000).is_err()); // too many slots per lane
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn choose(ctx: &GpuContext, dim: usize) -> Result<Self> {
        let stride = device_stride(dim);
        let slots_max = GLOVE_STEP_WORKGROUP.const_u32("SLOTS_MAX") as usize;
        let lanes = fallback_lanes();
        let fallback_slots = slots(stride, lanes as usize);
        let a = ctx.adapter();
        if ctx.has_subgroups() && a.subgroup_min_size >= 1 {
            let (smin, smax) = (
                a.subgroup_min_size,
                a.subgroup_max_size.max(a.subgroup_min_size),
            );
            let workgroup = smax.max(64);
            let s = slots(stride, smin as usize);
            if s <= slots_max
                && s <= SUBGROUP_SLOT_BUDGET.max(fallback_slots)
                && workgroup <= ctx.limits().max_compute_invocations_per_workgroup
            {
                return Ok(LanePath {
                    kernel: &GLOVE_STEP_SUBGROUP,
                    workgroup,
                    rows_per_workgroup: workgroup / smax,
                    max_lanes: smax,
                    slots: s as u32,
                });
            }
        }
        let s = fallback_slots;
        if s > slots_max {
            return Err(Error::invalid(format!(
                "dimension {dim} is too large for the GPU trainer (at most {})",
                slots_max * lanes as usize - 1
            )));
        }
        Ok(LanePath {
            kernel: &GLOVE_STEP_WORKGROUP,
            workgroup: lanes,
            rows_per_workgroup: 1,
            max_lanes: lanes,
            slots: s as u32,
        })
    }

    /// Whether this is the subgroup path.
    ///
    /// ```
    /// use glove_wgpu::{train::LanePath, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let p = LanePath::choose(&ctx, 50)?;
    /// assert!(!p.uses_subgroups() || ctx.has_subgroups());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn uses_subgroups(&self) -> bool {
        std::ptr::eq(self.kernel, &GLOVE_STEP_SUBGROUP)
    }

    /// The pipeline constants for a model in `shards` shards.
    fn constants(&self, shards: usize) -> Vec<(&'static str, f64)> {
        let mut c = vec![("SLOTS", self.slots as f64), ("SHARDS", shards as f64)];
        if self.uses_subgroups() {
            c.push(("WG", self.workgroup as f64));
        }
        c
    }
}

/// Figures of the last epoch, as `glove-wgpu bench train` prints them.
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = GpuContext::new()?;
/// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
/// let plan = Arc::new(BatchPlan::build(&cooc, cfg.batch_size));
/// let mut t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, plan, &cfg, &Budget::default())?;
/// t.epoch()?;
/// let s = t.stats();
/// assert_eq!((s.dispatches, s.submissions, s.uploads), (3, 2, 0)); // 2 passes + cost; the read-back
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuStats {
    /// Compute dispatches.
    pub dispatches: u64,
    /// Buffer-to-buffer copies.
    pub copies: u64,
    /// Submissions.
    pub submissions: u64,
    /// Chunks uploaded (streamed); 0 when every chunk is resident.
    pub uploads: u64,
    /// Bytes written to the device.
    pub upload_bytes: u64,
    /// Seconds the host waited for the device.
    pub wait_seconds: f64,
    /// Seconds inside `queue.submit` (a software adapter such as lavapipe runs
    /// the work there; a hardware driver only queues it).
    pub submit_seconds: f64,
    /// CPU seconds spent recording the passes (part of `host_seconds`).
    pub record_seconds: f64,
    /// CPU seconds the host thread spent on the epoch's own work: recording the
    /// passes and writing streamed chunks (not waiting, not submitting). Measured
    /// as thread CPU time where the platform has a thread clock (Linux), so that a
    /// software adapter's threads running on the same cores do not count.
    pub host_seconds: f64,
}

/// Where the trainer put the run, decided once (see the module docs).
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = GpuContext::new()?;
/// let cfg = TrainConfig { dim: 4, batch_size: 2, ..Default::default() };
/// let cooc: Vec<Cooc> = (0..6).map(|k| Cooc { i: k % 3, j: (k + 1) % 3, x: 1.0 }).collect();
/// let plan = Arc::new(BatchPlan::build(&cooc, 2));
/// let budget = Budget { chunk_triples: Some(2), ..Default::default() };
/// let t = GpuTrainer::new(Arc::new(ctx), &Model::new(3, 4, 1)?, plan, &cfg, &budget)?;
/// let l = t.layout();
/// assert_eq!((l.resident_chunks, l.streamed_chunks, l.model_shards), (3, 0, 1));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuLayout {
    /// Chunks uploaded once.
    pub resident_chunks: usize,
    /// Chunks written to the device every epoch.
    pub streamed_chunks: usize,
    /// Storage bindings the model's rows are split over.
    pub model_shards: usize,
    /// Rows per shard.
    pub shard_rows: usize,
    /// Triples of the largest chunk.
    pub largest_chunk: usize,
    /// Device bytes of the model and its AdaGrad state.
    pub model_bytes: u64,
    /// Device bytes of the trainer's scratch: snapshot, row costs, cost partials.
    pub scratch_bytes: u64,
    /// Device bytes the trainer allocated: model, scratch and plan.
    pub device_bytes: u64,
    /// The budget it had.
    pub budget_bytes: u64,
}

/// The device buffers of one chunk (resident) or one slot (streamed).
struct ChunkBuffers {
    params: wgpu::Buffer,
    cost_params: wgpu::Buffer,
    arrays: [wgpu::Buffer; 5],
    main_bg: wgpu::BindGroup,
    ctx_bg: wgpu::BindGroup,
    cost_bg: wgpu::BindGroup,
}

/// A range of batches of the plan and where it lives.
struct Chunk {
    batches: Range<usize>,
    /// `(main rows, context rows)` of each batch.
    dims: Vec<(u32, u32)>,
    main_spans: Range<usize>,
    ctx_spans: Range<usize>,
    entries: Range<usize>,
    resident: Option<ChunkBuffers>,
}

/// What one chunk's buffers hold, laid out for upload.
struct ChunkData<'p> {
    params: Vec<u8>,
    cost: CostParams,
    main_spans: &'p [u8],
    main_entries: &'p [u8],
    ctx_spans: &'p [u8],
    ctx_entries: &'p [u8],
    batch_rows: Vec<u32>,
}

impl ChunkData<'_> {
    fn bytes(&self) -> u64 {
        (self.params.len()
            + self.main_spans.len()
            + self.main_entries.len()
            + self.ctx_spans.len()
            + self.ctx_entries.len()
            + 4 * self.batch_rows.len()
            + 16) as u64
    }
}

/// A slot for streamed chunks, and the submission that last used it.
struct Slot {
    bufs: ChunkBuffers,
    busy: Option<wgpu::SubmissionIndex>,
}

/// Bytes of each of a chunk's arrays and parameter blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sizes {
    params: u64,
    main_spans: u64,
    entries: u64,
    ctx_spans: u64,
    batch_rows: u64,
}

impl Sizes {
    fn total(&self) -> u64 {
        self.params + self.main_spans + 2 * self.entries + self.ctx_spans + self.batch_rows + 16
    }

    fn max(self, o: Sizes) -> Sizes {
        Sizes {
            params: self.params.max(o.params),
            main_spans: self.main_spans.max(o.main_spans),
            entries: self.entries.max(o.entries),
            ctx_spans: self.ctx_spans.max(o.ctx_spans),
            batch_rows: self.batch_rows.max(o.batch_rows),
        }
    }
}

/// The limits a chunk keeps (see the module docs).
struct ChunkLimits {
    binding: u64,
    params: u64,
    block: u64,
    work: u64,
    update_bytes: u64,
    triples: usize,
    bytes: u64,
}

/// Bytes of the batches `range` of `plan` as one chunk.
fn sizes(plan: &BatchPlan, range: Range<usize>, block: u64) -> Sizes {
    let b = plan.batches();
    let (first, last) = (b[range.start], b[range.end - 1]);
    let n = range.len() as u64;
    Sizes {
        params: 2 * block * n,
        main_spans: 8 * (last.main_base + last.n_main as u64 - first.main_base),
        entries: 8 * (last.entry_base + last.len as u64 - first.entry_base),
        ctx_spans: 8 * (last.ctx_base + last.n_ctx as u64 - first.ctx_base),
        batch_rows: 4 * (n + 1),
    }
}

/// Cuts the plan's batches into chunks within `lim`: the longest runs of
/// consecutive batches that keep every limit (a batch alone always makes one).
fn cut_chunks(plan: &BatchPlan, lim: &ChunkLimits) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let (mut triples, mut work) = (0usize, 0u64);
    let batches = plan.batches();
    for (k, b) in batches.iter().enumerate() {
        if k > start {
            let s = sizes(plan, start..k + 1, lim.block);
            let over = s
                .main_spans
                .max(s.ctx_spans)
                .max(s.entries)
                .max(s.batch_rows)
                > lim.binding
                || s.params > lim.params
                || work + b.len as u64 * lim.update_bytes > lim.work
                || triples + b.len as usize > lim.triples
                || s.total() > lim.bytes;
            if over {
                out.push(start..k);
                start = k;
                triples = 0;
                work = 0;
            }
        }
        triples += b.len as usize;
        work += b.len as u64 * lim.update_bytes;
    }
    if start < batches.len() {
        out.push(start..batches.len());
    }
    out
}

/// A model on the device and the plan it trains on.
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = Arc::new(GpuContext::new()?);
/// let cfg = TrainConfig { dim: 8, ..Default::default() };
/// let mut model = Model::new(2, 8, 1)?;
/// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 3.0 }], cfg.batch_size));
/// let mut t = GpuTrainer::new(ctx, &model, plan, &cfg, &Budget::default())?;
/// let cost_sum = t.epoch()?;
/// t.read_into(&mut model)?;
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct GpuTrainer {
    ctx: Arc<GpuContext>,
    /// Kept while chunks stream from it.
    plan: Option<Arc<BatchPlan>>,
    cfg: TrainConfig,
    vocab: usize,
    path: LanePath,
    shards: Vec<wgpu::Buffer>,
    shard_rows: usize,
    snapshot: wgpu::Buffer,
    row_cost: wgpu::Buffer,
    partials: wgpu::Buffer,
    staging: wgpu::Buffer,
    pipelines: [wgpu::ComputePipeline; 3],
    n_batches: usize,
    chunks: Vec<Chunk>,
    slots: Vec<Slot>,
    layout: GpuLayout,
    stats: GpuStats,
}

impl std::fmt::Debug for GpuTrainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuTrainer")
            .field("vocab", &self.vocab)
            .field("batches", &self.n_batches)
            .field("layout", &self.layout)
            .field("path", &self.path.kernel.name)
            .finish()
    }
}

impl GpuTrainer {
    /// Uploads `model` (split over shards where one binding is too small), cuts
    /// `plan` (made with `cfg`'s batch size and row cap, ids rows of the model)
    /// into chunks and uploads those that stay, all within `budget`'s device memory.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
    /// let plan = Arc::new(BatchPlan::build(&cooc, cfg.batch_size));
    /// let m = Model::new(2, 4, 1)?;
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &m, plan.clone(), &cfg, &Budget::default())?;
    /// let first = t.epoch()?;
    /// assert!(t.epoch()? < first);
    /// let tiny = Budget { gpu_memory_bytes: 100, ..Default::default() }; // less than the model
    /// let ctx = Arc::new(GpuContext::new()?);
    /// let err = GpuTrainer::new(ctx, &m, plan, &cfg, &tiny).unwrap_err();
    /// assert!(err.to_string().contains("GPU memory budget"), "{err}");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(
        ctx: Arc<GpuContext>,
        model: &Model,
        plan: Arc<BatchPlan>,
        cfg: &TrainConfig,
        budget: &Budget,
    ) -> Result<Self> {
        check_plan(&plan, cfg, model)?;
        let path = LanePath::choose(&ctx, cfg.dim)?;
        let limits = ctx.limits();
        let need = 4 + 2 * max_shards() as u32;
        if limits.max_storage_buffers_per_shader_stage < need {
            return Err(Error::Gpu(format!(
                "the GPU trainer binds {need} storage buffers, the adapter {} allows {}; \
                 train on the CPU (--backend cpu)",
                ctx.adapter().name,
                limits.max_storage_buffers_per_shader_stage
            )));
        }
        let binding = ctx.max_binding_bytes();
        let stride = device_stride(cfg.dim);
        let row_bytes = 2 * stride as u64 * 4;
        let rows = 2 * model.vocab;
        let fit_rows = (binding / row_bytes).min(u32::MAX as u64 / (2 * stride as u64)) as usize;
        let shard_rows = budget.shard_rows.unwrap_or(rows).min(fit_rows).max(1);
        let n_shards = rows.div_ceil(shard_rows);
        if n_shards > max_shards() {
            return Err(Error::invalid(format!(
                "the model takes {} bytes on the device, {n_shards} storage bindings of {binding} \
                 bytes on the adapter {}, and the GPU trainer binds at most {}; train it on the \
                 CPU (--backend cpu)",
                rows as u64 * row_bytes,
                ctx.adapter().name,
                max_shards()
            )));
        }
        let snapshot_bytes = plan.max_main().max(1) as u64 * stride as u64 * 4;
        if snapshot_bytes > binding {
            return Err(Error::invalid(format!(
                "a batch of {} triples at dimension {} needs a {snapshot_bytes} byte snapshot, \
                 over the adapter's {binding} byte binding limit: use a smaller batch",
                cfg.batch_size, cfg.dim
            )));
        }
        let n_batches = plan.batches().len();
        if n_batches as u64 * 4 > binding {
            return Err(Error::invalid(format!(
                "{n_batches} batches need {} bytes of cost partials, over the adapter's \
                 {binding} byte binding limit: use larger batches",
                n_batches * 4
            )));
        }
        let block = ctx.uniform_stride(STEP_BYTES);
        let mut lim = ChunkLimits {
            binding,
            params: params_limit(&ctx),
            block,
            work: SUBMISSION_BYTES,
            update_bytes: update_bytes(cfg.dim),
            triples: budget.chunk_triples.unwrap_or(usize::MAX).max(1),
            bytes: u64::MAX,
        };
        let model_bytes = rows as u64 * row_bytes;
        let fixed =
            |row_costs: u64| model_bytes + snapshot_bytes + row_costs + 8 * n_batches as u64;
        let mut ranges = cut_chunks(&plan, &lim);
        let row_costs = |ranges: &[Range<usize>]| {
            ranges
                .iter()
                .map(|r| sizes(&plan, r.clone(), block).main_spans / 2)
                .max()
                .unwrap_or(4)
        };
        let all: u64 = ranges
            .iter()
            .map(|r| sizes(&plan, r.clone(), block).total())
            .sum();
        let b = budget.gpu_memory_bytes;
        let over = |what: String| {
            Error::invalid(format!(
                "{what}; the GPU memory budget is {}: raise it (--gpu-memory-mb) or train on \
                 the CPU (--backend cpu)",
                size(b)
            ))
        };
        if fixed(row_costs(&ranges)) > b {
            return Err(over(format!(
                "the model and its AdaGrad state take {} of GPU memory and the trainer's \
                 scratch {} more",
                size(model_bytes),
                size(fixed(row_costs(&ranges)) - model_bytes)
            )));
        }
        let n_resident;
        let mut slot_sizes = None;
        if fixed(row_costs(&ranges)) + all <= b {
            n_resident = ranges.len();
        } else {
            let avail = b - fixed(row_costs(&ranges));
            lim.bytes = avail / 4;
            ranges = cut_chunks(&plan, &lim);
            let slot = ranges
                .iter()
                .map(|r| sizes(&plan, r.clone(), block))
                .fold(Sizes::default(), Sizes::max);
            if 2 * slot.total() > avail {
                return Err(over(format!(
                    "the model and scratch take {} and two chunks of the plan to stream \
                     through {} more",
                    size(fixed(row_costs(&ranges))),
                    size(2 * slot.total())
                )));
            }
            let mut left = avail - 2 * slot.total();
            let mut k = 0;
            while k < ranges.len() {
                let t = sizes(&plan, ranges[k].clone(), block).total();
                if t > left {
                    break;
                }
                left -= t;
                k += 1;
            }
            n_resident = k;
            if k < ranges.len() {
                slot_sizes = Some(slot);
            }
        }
        let row_cost_bytes = row_costs(&ranges);

        // The model, shard by shard.
        let mut shards = Vec::with_capacity(n_shards);
        for s in 0..n_shards {
            let r = s * shard_rows..((s + 1) * shard_rows).min(rows);
            shards.push(ctx.upload("glove model shard", &to_device_layout(model, r))?);
            // Each upload is staged in host memory until a submission: flush it.
            flush(&ctx)?;
        }
        let snapshot = ctx.storage("glove snapshot", snapshot_bytes)?;
        let row_cost = ctx.storage("glove row cost", row_cost_bytes)?;
        let partials = ctx.storage("glove cost partials", n_batches as u64 * 4)?;
        let staging = ctx.staging("glove cost read-back", n_batches as u64 * 4)?;
        let constants = path.constants(n_shards);
        let pipelines = [
            ctx.pipeline(path.kernel, "main_pass", &constants)?,
            ctx.pipeline(path.kernel, "context_pass", &constants)?,
            ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?,
        ];
        let mut t = GpuTrainer {
            ctx,
            plan: None,
            cfg: cfg.clone(),
            vocab: model.vocab,
            path,
            shards,
            shard_rows,
            snapshot,
            row_cost,
            partials,
            staging,
            pipelines,
            n_batches,
            chunks: Vec::new(),
            slots: Vec::new(),
            layout: GpuLayout {
                model_shards: n_shards,
                model_bytes,
                scratch_bytes: fixed(row_cost_bytes) - model_bytes,
                shard_rows,
                budget_bytes: b,
                ..Default::default()
            },
            stats: GpuStats::default(),
        };
        let mut device_bytes = fixed(row_cost_bytes);
        for (k, r) in ranges.into_iter().enumerate() {
            let batches = &plan.batches()[r.clone()];
            let (first, last) = (batches[0], batches[batches.len() - 1]);
            let mut chunk = Chunk {
                dims: batches.iter().map(|b| (b.n_main, b.n_ctx)).collect(),
                main_spans: first.main_base as usize
                    ..(last.main_base + last.n_main as u64) as usize,
                ctx_spans: first.ctx_base as usize..(last.ctx_base + last.n_ctx as u64) as usize,
                entries: first.entry_base as usize..(last.entry_base + last.len as u64) as usize,
                batches: r,
                resident: None,
            };
            t.layout.largest_chunk = t.layout.largest_chunk.max(chunk.entries.len());
            if k < n_resident {
                let data = t.data(&plan, &chunk);
                device_bytes += data.bytes();
                chunk.resident = Some(t.buffers(&data)?);
                flush(&t.ctx)?;
            }
            t.chunks.push(chunk);
        }
        t.layout.resident_chunks = n_resident;
        t.layout.streamed_chunks = t.chunks.len() - n_resident;
        if let Some(s) = slot_sizes {
            for _ in 0..2 {
                let bufs = t.slot(s)?;
                t.slots.push(Slot { bufs, busy: None });
            }
            device_bytes += 2 * s.total();
            t.plan = Some(plan);
        }
        t.layout.device_bytes = device_bytes;
        Ok(t)
    }

    /// The chunk's parameter blocks, row offsets and array slices.
    fn data<'p>(&self, plan: &'p BatchPlan, c: &Chunk) -> ChunkData<'p> {
        let block = self.ctx.uniform_stride(STEP_BYTES) as usize;
        let batches = &plan.batches()[c.batches.clone()];
        let first = batches[0];
        let mut params = vec![0u8; 2 * block * batches.len()];
        let mut batch_rows = Vec::with_capacity(batches.len() + 1);
        for (k, &b) in batches.iter().enumerate() {
            let bases = (
                (b.main_base - first.main_base) as u32,
                (b.ctx_base - first.ctx_base) as u32,
                (b.entry_base - first.entry_base) as u32,
            );
            batch_rows.push(bases.0);
            let pair = batch_params(self.vocab, &self.cfg, b, bases, self.shard_rows);
            for (h, p) in pair.iter().enumerate() {
                let at = (2 * k + h) * block;
                params[at..at + STEP_BYTES as usize].copy_from_slice(bytemuck::bytes_of(p));
            }
        }
        batch_rows.push(c.main_spans.len() as u32);
        ChunkData {
            params,
            cost: CostParams {
                n_batches: batches.len() as u32,
                out_base: c.batches.start as u32,
                ..Default::default()
            },
            main_spans: bytemuck::cast_slice(&plan.main_spans()[c.main_spans.clone()]),
            main_entries: bytemuck::cast_slice(&plan.main_entries()[c.entries.clone()]),
            ctx_spans: bytemuck::cast_slice(&plan.ctx_spans()[c.ctx_spans.clone()]),
            ctx_entries: bytemuck::cast_slice(&plan.ctx_entries()[c.entries.clone()]),
            batch_rows,
        }
    }

    /// Binds a chunk's buffers to the kernels.
    fn bind(
        &self,
        params: wgpu::Buffer,
        cost_params: wgpu::Buffer,
        arrays: [wgpu::Buffer; 5],
    ) -> Result<ChunkBuffers> {
        let ctx = &self.ctx;
        let dummy = ctx.storage("glove unused shard", 4)?;
        let step = |spans: &wgpu::Buffer, entries: &wgpu::Buffer| {
            let mut b: Vec<&wgpu::Buffer> = vec![&params];
            b.extend((0..max_shards()).map(|s| self.shards.get(s).unwrap_or(&dummy)));
            b.extend([&self.snapshot, spans, entries, &self.row_cost]);
            ctx.bind_kernel(self.path.kernel, &b)
        };
        let [ms, me, cs, ce, rows] = &arrays;
        let main_bg = step(ms, me)?;
        let ctx_bg = step(cs, ce)?;
        let cost_bg = ctx.bind_kernel(
            &GLOVE_COST,
            &[&cost_params, &self.row_cost, rows, &self.partials],
        )?;
        Ok(ChunkBuffers {
            params,
            cost_params,
            arrays,
            main_bg,
            ctx_bg,
            cost_bg,
        })
    }

    /// A resident chunk's buffers, holding `data`.
    fn buffers(&self, data: &ChunkData) -> Result<ChunkBuffers> {
        let ctx = &self.ctx;
        let params = uniform(ctx, "glove step params", &data.params)?;
        let cost_params = ctx.upload_blocks("glove cost params", &[data.cost])?;
        let arrays = [
            ctx.upload("glove main spans", data.main_spans)?,
            ctx.upload("glove main entries", data.main_entries)?,
            ctx.upload("glove context spans", data.ctx_spans)?,
            ctx.upload("glove context entries", data.ctx_entries)?,
            ctx.upload("glove batch rows", &data.batch_rows)?,
        ];
        self.bind(params, cost_params, arrays)
    }

    /// Empty buffers for streamed chunks of at most `s` bytes each.
    fn slot(&self, s: Sizes) -> Result<ChunkBuffers> {
        let ctx = &self.ctx;
        let params = uniform(ctx, "glove step params", &vec![0u8; s.params as usize])?;
        let cost_params = ctx.upload_blocks("glove cost params", &[CostParams::default()])?;
        let arrays = [
            ctx.storage("glove main spans", s.main_spans)?,
            ctx.storage("glove main entries", s.entries)?,
            ctx.storage("glove context spans", s.ctx_spans)?,
            ctx.storage("glove context entries", s.entries)?,
            ctx.storage("glove batch rows", s.batch_rows)?,
        ];
        self.bind(params, cost_params, arrays)
    }

    /// The lane path in use.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (ctx, cfg) = (Arc::new(ctx), TrainConfig { dim: 4, ..Default::default() });
    /// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
    /// let t = GpuTrainer::new(ctx.clone(), &Model::new(2, 4, 1)?, plan, &cfg, &Budget::default())?;
    /// assert_eq!(t.path().kernel.name, LanePath::choose(&ctx, 4)?.kernel.name);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn path(&self) -> LanePath {
        self.path
    }

    /// Dispatch, copy, submission and upload counts and host time of the last epoch.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let cfg = TrainConfig { dim: 4, ..Default::default() };
    /// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, plan, &cfg, &Budget::default())?;
    /// assert_eq!(t.stats().dispatches, 0); // before the first epoch
    /// t.epoch()?;
    /// assert_eq!((t.stats().copies, t.stats().upload_bytes), (1, 0)); // the cost read-back; all resident
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn stats(&self) -> &GpuStats {
        &self.stats
    }

    /// Where the run lives: resident and streamed chunks, model shards, bytes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let cfg = TrainConfig { dim: 4, ..Default::default() };
    /// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
    /// let t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, plan, &cfg, &Budget::default())?;
    /// assert_eq!((t.layout().resident_chunks, t.layout().model_shards), (1, 1));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn layout(&self) -> &GpuLayout {
        &self.layout
    }

    /// Workgroups that give every row of a pass its own lane group.
    fn groups(&self, rows: u32) -> u32 {
        rows.div_ceil(self.path.rows_per_workgroup)
            .clamp(1, self.ctx.limits().max_compute_workgroups_per_dimension)
    }

    /// Records a chunk's passes and its cost reduction; returns the dispatches.
    fn record(&self, enc: &mut wgpu::CommandEncoder, c: &Chunk, bufs: &ChunkBuffers) -> u64 {
        let step = self.ctx.uniform_stride(STEP_BYTES) as u32; // u32 offsets: see ChunkLimits
        let [main, context, cost] = &self.pipelines;
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        let mut n = 0;
        for (b, &(n_main, n_ctx)) in c.dims.iter().enumerate() {
            let at = 2 * b as u32 * step;
            if n_main > 0 {
                GpuContext::dispatch_at(&mut pass, main, &bufs.main_bg, at, self.groups(n_main));
                GpuContext::dispatch_at(
                    &mut pass,
                    context,
                    &bufs.ctx_bg,
                    at + step,
                    self.groups(n_ctx),
                );
                n += 2;
            }
        }
        let groups =
            (c.dims.len() as u32).clamp(1, self.ctx.limits().max_compute_workgroups_per_dimension);
        GpuContext::dispatch_at(&mut pass, cost, &bufs.cost_bg, 0, groups);
        n + 1
    }

    /// Writes chunk `c`'s data into slot `s` (queued before the next submission).
    fn upload(&self, plan: &BatchPlan, c: &Chunk, s: &ChunkBuffers) -> u64 {
        let data = self.data(plan, c);
        let q = self.ctx.queue();
        q.write_buffer(&s.params, 0, &data.params);
        q.write_buffer(&s.cost_params, 0, bytemuck::bytes_of(&data.cost));
        let parts: [&[u8]; 5] = [
            data.main_spans,
            data.main_entries,
            data.ctx_spans,
            data.ctx_entries,
            bytemuck::cast_slice(&data.batch_rows),
        ];
        for (buf, bytes) in s.arrays.iter().zip(parts) {
            if !bytes.is_empty() {
                q.write_buffer(buf, 0, bytes);
            }
        }
        data.bytes()
    }

    /// Waits for `index`; returns the seconds waited.
    fn wait_for(&self, index: wgpu::SubmissionIndex) -> Result<f64> {
        let t = Instant::now();
        self.ctx
            .device()
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: None,
            })
            .map_err(|e| Error::Gpu(format!("waiting for the GPU: {e}")))?;
        Ok(t.elapsed().as_secs_f64())
    }

    /// Runs one epoch over the plan; returns the summed cost.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, *}, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
    /// let plan = Arc::new(BatchPlan::build(&cooc, cfg.batch_size));
    /// let mut m = Model::new(2, 4, 1)?;
    /// let gpu = GpuTrainer::new(Arc::new(ctx), &m, plan.clone(), &cfg, &Budget::default())?.epoch()?;
    /// let cpu = twin::BatchedTrainer::new(&mut m, plan, &cfg, 32)?.epoch()?;
    /// assert!((gpu - cpu).abs() <= 1e-5 * cpu.abs()); // the twin's cost, to the last bits
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn epoch(&mut self) -> Result<f64> {
        let mut stats = GpuStats::default();
        let mut slot = 0;
        let mut slot_busy: Vec<Option<wgpu::SubmissionIndex>> =
            self.slots.iter_mut().map(|s| s.busy.take()).collect();
        // The first chunk is recorded and submitted at once; the others are all
        // recorded next, while it runs, then submitted in order (a streamed chunk
        // once its slot is free and its data written). Recording is the epoch's
        // host work, and done in one go it runs with warm caches.
        let mut commands = Vec::with_capacity(self.chunks.len());
        for (k, c) in self.chunks.iter().enumerate() {
            let bufs = match &c.resident {
                Some(b) => b,
                None => &self.slots[(k - self.layout.resident_chunks) % 2].bufs,
            };
            let tr = thread_cpu();
            let mut enc = self.ctx.encoder();
            stats.dispatches += self.record(&mut enc, c, bufs);
            commands.push(enc.finish());
            stats.record_seconds += thread_cpu() - tr;
            if k == 0 {
                let first = commands.pop().expect("just recorded");
                self.submit_chunk(c, first, &mut slot, &mut slot_busy, &mut stats)?;
            }
        }
        for (c, cb) in self.chunks.iter().skip(1).zip(commands) {
            self.submit_chunk(c, cb, &mut slot, &mut slot_busy, &mut stats)?;
        }
        for (s, b) in self.slots.iter_mut().zip(slot_busy) {
            s.busy = b;
        }
        let n = self.n_batches;
        let mut enc = self.ctx.encoder();
        enc.copy_buffer_to_buffer(&self.partials, 0, &self.staging, 0, n as u64 * 4);
        stats.copies += 1;
        let commands = enc.finish();
        let ts = Instant::now();
        let index = self.ctx.scoped(|| self.ctx.queue().submit([commands]))?;
        stats.submit_seconds += ts.elapsed().as_secs_f64();
        stats.submissions += 1;
        stats.wait_seconds += self.wait_for(index)?;
        let partials: Vec<f32> = self.ctx.read_staging(&self.staging, n)?;
        for s in &mut self.slots {
            s.busy = None;
        }
        stats.host_seconds += stats.record_seconds;
        self.stats = stats;
        Ok(partials.iter().map(|&c| c as f64).sum())
    }

    /// Submits chunk `c`'s recorded `commands`; a streamed chunk first waits for
    /// its slot's last submission and writes its data there.
    fn submit_chunk(
        &self,
        c: &Chunk,
        commands: wgpu::CommandBuffer,
        slot: &mut usize,
        slot_busy: &mut [Option<wgpu::SubmissionIndex>],
        stats: &mut GpuStats,
    ) -> Result<()> {
        if c.resident.is_none() {
            let plan = self.plan.as_ref().expect("kept for streamed chunks");
            if let Some(i) = slot_busy[*slot].take() {
                stats.wait_seconds += self.wait_for(i)?;
            }
            let tu = thread_cpu();
            stats.upload_bytes += self.upload(plan, c, &self.slots[*slot].bufs);
            stats.host_seconds += thread_cpu() - tu;
            stats.uploads += 1;
        }
        let ts = Instant::now();
        let index = self.ctx.scoped(|| self.ctx.queue().submit([commands]))?;
        stats.submit_seconds += ts.elapsed().as_secs_f64();
        stats.submissions += 1;
        if c.resident.is_none() {
            slot_busy[*slot] = Some(index);
            *slot = (*slot + 1) % 2;
        }
        Ok(())
    }

    /// Copies the parameters and AdaGrad state back into `model`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::*, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (cfg, fresh) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
    /// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &fresh, plan, &cfg, &Budget::default())?;
    /// let mut m = fresh.clone();
    /// t.read_into(&mut m)?;
    /// assert_eq!(m, fresh); // nothing trained yet
    /// t.epoch()?;
    /// t.read_into(&mut m)?;
    /// assert_ne!(m, fresh);
    /// assert!(t.read_into(&mut Model::new(3, 4, 1)?).is_err()); // another shape
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read_into(&self, model: &mut Model) -> Result<()> {
        if model.vocab != self.vocab || model.dim != self.cfg.dim {
            return Err(Error::invalid(
                "the model does not match the one on the device",
            ));
        }
        let row_floats = 2 * device_stride(self.cfg.dim);
        let rows = 2 * self.vocab;
        for (s, shard) in self.shards.iter().enumerate() {
            let first = s * self.shard_rows;
            let n = self.shard_rows.min(rows - first);
            let data: Vec<f32> = self.ctx.read(shard, n * row_floats)?;
            from_device_layout(model, first, &data);
        }
        Ok(())
    }
}

/// The GPU trainer as a [`Trainer`]: reads back into the model it was made from
/// when it finishes.
pub(crate) struct GpuRun<'m> {
    pub(crate) trainer: GpuTrainer,
    pub(crate) model: &'m mut Model,
}

impl Trainer for GpuRun<'_> {
    fn epoch(&mut self) -> Result<f64> {
        self.trainer.epoch()
    }

    fn read_into(&self, model: &mut Model) -> Result<()> {
        self.trainer.read_into(model)
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.trainer.read_into(self.model)
    }
}

/// CPU seconds this thread has run (wall seconds where the platform has no
/// thread clock).
fn thread_cpu() -> f64 {
    #[cfg(target_os = "linux")]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid clock id and a pointer to a timespec we own.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9;
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Submits nothing and waits: the queued writes reach the device and their
/// staging memory is freed.
fn flush(ctx: &GpuContext) -> Result<()> {
    ctx.scoped(|| ctx.queue().submit([]))?;
    ctx.wait()
}

/// A uniform buffer holding `bytes` (parameter blocks laid out at the device's
/// uniform offset alignment).
fn uniform(ctx: &GpuContext, label: &str, bytes: &[u8]) -> Result<wgpu::Buffer> {
    let size = (bytes.len() as u64).max(16).next_multiple_of(16);
    ctx.scoped(|| {
        let buf = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        if !bytes.is_empty() {
            ctx.queue().write_buffer(&buf, 0, bytes);
        }
        buf
    })
}
