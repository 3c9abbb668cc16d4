//! The GPU trainer: `shaders/glove_step.wgsl` (one of its two lane paths) and
//! `shaders/glove_cost.wgsl`, driven batch after batch.
//!
//! One file, over 500 lines: the host side of two kernels that share one set of buffers and bindings.
//!
//! ## Kernel layout (see the WGSL header for the details)
//! - Rows live on the device with [`super::device_stride`] floats (vector, bias,
//!   zero padding to 8 floats), so every row starts on a 32-byte sector.
//! - **Subgroup path** (`Features::SUBGROUP`): one subgroup per distinct row of a
//!   batch, lane `l` owning elements `l, l + S, ...` (`S` the subgroup size). A row
//!   and its AdaGrad state are loaded into registers once per batch and written
//!   once; that load is also the pre-batch snapshot the context pass reads. The
//!   other row of each triple is loaded coalesced, one triple ahead. Residuals are
//!   reduced by a `subgroupShuffleXor` butterfly, a fixed order the CPU twin copies.
//! - **Workgroup path** (no subgroups): the same with one 32-invocation workgroup
//!   per row and the reductions and entry broadcasts in workgroup memory.
//!
//! ## Host side
//! - One uniform buffer holds every batch's two parameter blocks; each dispatch
//!   binds its block at a dynamic offset. A chunk of batches is one compute pass
//!   and one submission: two dispatches per batch (main pass, context pass), then
//!   one cost dispatch for the chunk, and no buffer copies but the read-back of the
//!   cost partials at the end of the epoch, in the same submission.
//! - The cost: each main-pass row writes its cost to its own slot; `reduce_cost`
//!   sums the chunk's slots in fixed blocks, and the host adds the partials in f64
//!   in order. Deterministic, no float atomics.
//! - Batch plans are cut with a row cap (see [`super::ROW_CAP`]) and grouped in
//!   parallel with dense arrays ([`BatchPlan::build`]).
//! - The triples stay on the device when their plan fits one storage binding.
//!   Otherwise they are streamed in chunks every epoch: a chunk's plan is built and
//!   written while the GPU runs the previous chunk (`queue.write_buffer` stages the
//!   upload and the queue orders it after the work that reads the old contents); at
//!   most two chunks are in flight. Each streamed chunk is cut into batches on its
//!   own, so with a row cap a streamed run differs slightly from a resident one
//!   (and from the CPU twin's single plan): deterministically, for a given
//!   binding limit.
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

use std::sync::Arc;

use super::batch::{BatchPlan, CostParams, StepParams};

/// Bytes of one [`StepParams`] block.
const STEP_BYTES: u64 = std::mem::size_of::<StepParams>() as u64;

/// Largest parameter buffer: the device's buffer limit, and dynamic offsets are u32.
fn params_limit(ctx: &GpuContext) -> u64 {
    ctx.limits().max_buffer_size.min(u32::MAX as u64)
}
use super::twin::{batch_params, cost_block, fallback_lanes, slots};
use super::{device_stride, to_device_layout, TrainConfig};
use crate::cooccur::Cooc;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::shaders::{Kernel, GLOVE_COST, GLOVE_STEP_SUBGROUP, GLOVE_STEP_WORKGROUP};

/// Register slots per lane above which the subgroup path gives way to the workgroup
/// path (four arrays of this many floats per lane: 64 registers).
pub const SUBGROUP_SLOT_BUDGET: usize = 16;

/// Which lane path the trainer runs, and how it is launched.
///
/// ```
/// use glove_wgpu::{train::{device_stride, LanePath}, GpuContext};
/// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
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
    /// let Ok(ctx) = GpuContext::with_options(&opts) else { return Ok(()) }; // needs an adapter
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
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let p = LanePath::choose(&ctx, 50)?;
    /// assert!(!p.uses_subgroups() || ctx.has_subgroups());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn uses_subgroups(&self) -> bool {
        std::ptr::eq(self.kernel, &GLOVE_STEP_SUBGROUP)
    }

    fn constants(&self) -> Vec<(&'static str, f64)> {
        let mut c = vec![("SLOTS", self.slots as f64)];
        if self.uses_subgroups() {
            c.push(("WG", self.workgroup as f64));
        }
        c
    }
}

/// Device buffers of one chunk of batches.
struct Chunk {
    /// `(main rows, context rows)` of each batch.
    dims: Vec<(u32, u32)>,
    /// Main spans of the chunk (row costs).
    n_rows: u32,
    main_bg: wgpu::BindGroup,
    ctx_bg: wgpu::BindGroup,
    cost_bg: wgpu::BindGroup,
    cost_params: wgpu::Buffer,
    _bufs: Vec<wgpu::Buffer>,
}

/// Figures of the run so far, as `glove-wgpu bench train` prints them.
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
/// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
/// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
/// let mut t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, &cooc, &cfg)?;
/// t.epoch()?;
/// let s = t.stats();
/// assert_eq!((s.dispatches, s.submissions, s.uploads), (3, 1, 0)); // one batch: 2 passes + cost
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuStats {
    /// Compute dispatches in the last epoch.
    pub dispatches: u64,
    /// Buffer-to-buffer copies in the last epoch.
    pub copies: u64,
    /// Submissions in the last epoch.
    pub submissions: u64,
    /// Chunks (plans uploaded) in the last epoch; 0 when the triples stay resident.
    pub uploads: u64,
}

/// A model on the device and the triples it trains on.
///
/// ```no_run
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
/// let ctx = Arc::new(GpuContext::new()?);
/// let cfg = TrainConfig { dim: 8, ..Default::default() };
/// let mut model = Model::new(2, 8, 1)?;
/// let cooc = [Cooc { i: 0, j: 1, x: 3.0 }];
/// let mut t = GpuTrainer::new(ctx, &model, &cooc, &cfg)?;
/// let cost_sum = t.epoch()?;
/// t.read_into(&mut model)?;
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct GpuTrainer<'a> {
    ctx: Arc<GpuContext>,
    cooc: &'a [Cooc],
    cfg: TrainConfig,
    vocab: usize,
    path: LanePath,
    theta: wgpu::Buffer,
    gradsq: wgpu::Buffer,
    snapshot: wgpu::Buffer,
    row_cost: wgpu::Buffer,
    partials: wgpu::Buffer,
    staging: wgpu::Buffer,
    n_partials: usize,
    chunk_triples: usize,
    resident: Option<Chunk>,
    stats: GpuStats,
}

impl std::fmt::Debug for GpuTrainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuTrainer")
            .field("vocab", &self.vocab)
            .field("triples", &self.cooc.len())
            .field("chunk_triples", &self.chunk_triples)
            .field("path", &self.path.kernel.name)
            .finish()
    }
}

impl<'a> GpuTrainer<'a> {
    /// Uploads `model` and prepares the batches of `cooc` (ids must be rows of the model).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, &cooc, &cfg)?;
    /// let first = t.epoch()?;
    /// assert!(t.epoch()? < first);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(
        ctx: Arc<GpuContext>,
        model: &Model,
        cooc: &'a [Cooc],
        cfg: &TrainConfig,
    ) -> Result<Self> {
        Self::with_chunk(ctx, model, cooc, cfg, None)
    }

    /// As [`GpuTrainer::new`], with at most `chunk_triples` triples per upload
    /// (rounded to whole batches; `None`: as many as one binding holds).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, batch_size: 2, ..Default::default() };
    /// let cooc: Vec<Cooc> = (0..6).map(|k| Cooc { i: k % 3, j: (k + 1) % 3, x: 1.0 }).collect();
    /// let mut t = GpuTrainer::with_chunk(Arc::new(ctx), &Model::new(3, 4, 1)?, &cooc, &cfg, Some(2))?;
    /// t.epoch()?;
    /// assert_eq!((t.chunk_triples(), t.stats().uploads), (2, 3)); // three chunks of one batch
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn with_chunk(
        ctx: Arc<GpuContext>,
        model: &Model,
        cooc: &'a [Cooc],
        cfg: &TrainConfig,
        chunk_triples: Option<usize>,
    ) -> Result<Self> {
        Self::build(ctx, model, cooc, cooc.len(), cfg, chunk_triples)
    }

    /// A trainer for `total` triples that arrive in chunks every epoch
    /// ([`GpuTrainer::epoch_from`]), at most `chunk_triples` at a time (rounded to
    /// whole batches and to what one storage binding holds; read it back with
    /// [`GpuTrainer::chunk_triples`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{CoocSource, GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, batch_size: 2, ..Default::default() };
    /// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }; 4];
    /// let mut t = GpuTrainer::streaming(Arc::new(ctx), &Model::new(2, 4, 1)?, cooc.len(), &cfg, 2)?;
    /// assert!(!t.is_resident());
    /// assert!(t.epoch_from(&CoocSource::Memory(&cooc))?.is_finite());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn streaming(
        ctx: Arc<GpuContext>,
        model: &Model,
        total: usize,
        cfg: &TrainConfig,
        chunk_triples: usize,
    ) -> Result<GpuTrainer<'static>> {
        GpuTrainer::build(ctx, model, &[], total, cfg, Some(chunk_triples))
    }

    fn build(
        ctx: Arc<GpuContext>,
        model: &Model,
        cooc: &'a [Cooc],
        total: usize,
        cfg: &TrainConfig,
        chunk_triples: Option<usize>,
    ) -> Result<Self> {
        cfg.validate()?;
        if model.dim != cfg.dim {
            return Err(Error::invalid(format!(
                "the model has dimension {} but the configuration says {}",
                model.dim, cfg.dim
            )));
        }
        let path = LanePath::choose(&ctx, cfg.dim)?;
        let max = ctx.max_binding_bytes();
        let stride = device_stride(model.dim) as u64;
        let model_bytes = 2 * model.vocab as u64 * stride * 4;
        if model_bytes > max || model_bytes / 4 > u32::MAX as u64 {
            return Err(Error::invalid(format!(
                "the model takes {model_bytes} bytes on the device but the adapter {} binds \
                 at most {max} bytes in one storage buffer; train it on the CPU (--backend cpu)",
                ctx.adapter().name
            )));
        }
        let batch = cfg.batch_size as u64;
        if batch * stride * 4 > max {
            return Err(Error::invalid(format!(
                "a batch of {batch} triples at dimension {} needs a {} byte snapshot, \
                 over the adapter's {max} byte binding limit: use a smaller batch",
                model.dim,
                batch * stride * 4
            )));
        }
        // Worst case per triple: one span (16 bytes) and one entry (8 bytes) in each array.
        // The chunk's parameter blocks (two per batch, at dynamic offsets that are
        // u32) stay under the buffer limit, with room for twice the batches (the
        // row cap adds a few).
        let fit = (max / 16) as usize;
        let blocks = params_limit(&ctx) / (2 * ctx.uniform_stride(STEP_BYTES));
        let fit = fit.min((blocks / 2).max(1) as usize * cfg.batch_size);
        let mut chunk = chunk_triples.unwrap_or(fit).min(fit).max(1);
        chunk = (chunk / cfg.batch_size).max(1) * cfg.batch_size;
        let (theta, gradsq) = to_device_layout(model);
        let theta = ctx.upload("glove theta", &theta)?;
        let gradsq = ctx.upload("glove gradsq", &gradsq)?;
        let max_rows = cfg.batch_size.min(total).max(1);
        let snapshot = ctx.storage("glove snapshot", (max_rows as u64) * stride * 4)?;
        // Row costs: at most one per triple of a chunk.
        let chunk_rows = chunk.min(total).max(1);
        let row_cost = ctx.storage("glove row cost", chunk_rows as u64 * 4)?;
        let block = cost_block() as usize;
        let n_chunks = total.div_ceil(chunk).max(1);
        // Each chunk's partials get their own slots; a chunk's plan may hold a few
        // more batches than `chunk / batch` (capped rows), never more rows than triples.
        let n_partials = n_chunks * chunk_rows.div_ceil(block);
        let partials = ctx.storage("glove cost partials", n_partials as u64 * 4)?;
        let staging = ctx.staging("glove cost read-back", n_partials as u64 * 4)?;
        let mut t = GpuTrainer {
            ctx,
            cooc,
            cfg: cfg.clone(),
            vocab: model.vocab,
            path,
            theta,
            gradsq,
            snapshot,
            row_cost,
            partials,
            staging,
            n_partials,
            chunk_triples: chunk,
            resident: None,
            stats: GpuStats::default(),
        };
        if !cooc.is_empty() && cooc.len() <= chunk {
            t.resident =
                Some(t.prepare(&BatchPlan::build_capped(cooc, cfg.batch_size, cfg.row_cap))?);
        }
        Ok(t)
    }

    /// The lane path in use.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, LanePath, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let (ctx, cfg) = (Arc::new(ctx), TrainConfig { dim: 4, ..Default::default() });
    /// let t = GpuTrainer::new(ctx.clone(), &Model::new(2, 4, 1)?, &[Cooc { i: 0, j: 1, x: 2.0 }], &cfg)?;
    /// assert_eq!(t.path().kernel.name, LanePath::choose(&ctx, 4)?.kernel.name);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn path(&self) -> LanePath {
        self.path
    }

    /// Dispatch, copy and submission counts of the last epoch.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, ..Default::default() };
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, &[Cooc { i: 0, j: 1, x: 2.0 }], &cfg)?;
    /// assert_eq!(t.stats().dispatches, 0); // before the first epoch
    /// t.epoch()?;
    /// assert_eq!(t.stats().copies, 1); // the cost partials' read-back
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn stats(&self) -> &GpuStats {
        &self.stats
    }

    fn prepare(&self, plan: &BatchPlan) -> Result<Chunk> {
        let ctx = &self.ctx;
        let bytes = 2 * plan.batches.len() as u64 * ctx.uniform_stride(STEP_BYTES);
        if bytes > params_limit(ctx) {
            return Err(Error::invalid(format!(
                "{} batches need {bytes} bytes of parameters, over the adapter's buffer \
                 limit: use larger batches",
                plan.batches.len()
            )));
        }
        let mut blocks = Vec::with_capacity(plan.batches.len() * 2);
        for b in 0..plan.batches.len() {
            blocks.extend(batch_params(self.vocab, &self.cfg, plan, b));
        }
        let params = ctx.upload_blocks("glove step params", &blocks)?;
        let main_spans = ctx.upload("glove main spans", &plan.main_spans)?;
        let main_entries = ctx.upload("glove main entries", &plan.main_entries)?;
        let ctx_spans = ctx.upload("glove context spans", &plan.ctx_spans)?;
        let ctx_entries = ctx.upload("glove context entries", &plan.ctx_entries)?;
        let k = self.path.kernel;
        let main_bg = ctx.bind_kernel(
            k,
            &[
                &params,
                &self.theta,
                &self.gradsq,
                &self.snapshot,
                &main_spans,
                &main_entries,
                &self.row_cost,
            ],
        )?;
        let ctx_bg = ctx.bind_kernel(
            k,
            &[
                &params,
                &self.theta,
                &self.gradsq,
                &self.snapshot,
                &ctx_spans,
                &ctx_entries,
                &self.row_cost,
            ],
        )?;
        let cost_params = ctx.upload_blocks("glove cost params", &[CostParams::default()])?;
        let cost_bg =
            ctx.bind_kernel(&GLOVE_COST, &[&cost_params, &self.row_cost, &self.partials])?;
        Ok(Chunk {
            dims: plan.batches.iter().map(|b| (b.n_main, b.n_ctx)).collect(),
            n_rows: plan.main_spans.len() as u32,
            main_bg,
            ctx_bg,
            cost_bg,
            cost_params,
            _bufs: vec![params, main_spans, main_entries, ctx_spans, ctx_entries],
        })
    }

    /// Workgroups that give every row of a pass its own lane group.
    fn groups(&self, rows: u32) -> u32 {
        rows.div_ceil(self.path.rows_per_workgroup)
            .clamp(1, self.ctx.limits().max_compute_workgroups_per_dimension)
    }

    /// Records chunk `chunk`'s passes and its cost reduction (partials from `out_base`).
    fn record(
        &mut self,
        enc: &mut wgpu::CommandEncoder,
        chunk: &Chunk,
        out_base: u32,
    ) -> Result<()> {
        let ctx = &self.ctx;
        let constants = self.path.constants();
        let main = ctx.pipeline(self.path.kernel, "main_pass", &constants)?;
        let cpass = ctx.pipeline(self.path.kernel, "context_pass", &constants)?;
        let cost = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?;
        let step = ctx.uniform_stride(STEP_BYTES) as u32; // offsets fit u32: see `prepare`
                                                          // The chunk's cost parameters: written before the submission that reads them.
        let cp = CostParams {
            n_rows: chunk.n_rows,
            out_base,
            ..Default::default()
        };
        ctx.queue()
            .write_buffer(&chunk.cost_params, 0, bytemuck::bytes_of(&cp));
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        for (b, &(n_main, n_ctx)) in chunk.dims.iter().enumerate() {
            let at = 2 * b as u32 * step;
            if n_main > 0 {
                GpuContext::dispatch_at(&mut pass, &main, &chunk.main_bg, at, self.groups(n_main));
                GpuContext::dispatch_at(
                    &mut pass,
                    &cpass,
                    &chunk.ctx_bg,
                    at + step,
                    self.groups(n_ctx),
                );
                self.stats.dispatches += 2;
            }
        }
        let blocks = chunk.n_rows.div_ceil(cost_block()).max(1);
        GpuContext::dispatch_at(&mut pass, &cost, &chunk.cost_bg, 0, blocks);
        self.stats.dispatches += 1;
        Ok(())
    }

    /// Runs one epoch over all triples; returns the summed cost.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, BatchPlan, GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let (cfg, cooc) = (TrainConfig { dim: 4, ..Default::default() }, [Cooc { i: 0, j: 1, x: 2.0 }]);
    /// let mut m = Model::new(2, 4, 1)?;
    /// let gpu = GpuTrainer::new(Arc::new(ctx), &m, &cooc, &cfg)?.epoch()?;
    /// let cpu = twin::epoch_batched(&mut m, &BatchPlan::build(&cooc, cfg.batch_size), &cfg, 32);
    /// assert!((gpu - cpu).abs() <= 1e-5 * cpu.abs()); // the twin's cost, to the last bits
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn epoch(&mut self) -> Result<f64> {
        self.stats = GpuStats::default();
        let block = cost_block();
        let mut used = 0u32;
        let resident = self.resident.take();
        let result = (|| {
            if let Some(chunk) = &resident {
                let mut enc = self.ctx.encoder();
                self.record(&mut enc, chunk, 0)?;
                used = chunk.n_rows.div_ceil(block).max(1);
                self.finish(enc, used)
            } else {
                self.epoch_from(&super::CoocSource::Memory(self.cooc))
            }
        })();
        self.resident = resident;
        result
    }

    /// One epoch over triples that arrive in chunks of [`GpuTrainer::chunk_triples`]
    /// (the last may be shorter), for a trainer made with [`GpuTrainer::streaming`];
    /// returns the summed cost.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{CoocSource, GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, batch_size: 2, ..Default::default() };
    /// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }, Cooc { i: 0, j: 0, x: 1.0 }];
    /// let mut t = GpuTrainer::streaming(Arc::new(ctx), &Model::new(2, 4, 1)?, cooc.len(), &cfg, 2)?;
    /// let first = t.epoch_from(&CoocSource::Memory(&cooc))?;
    /// assert_eq!(t.stats().uploads, 2); // chunks of 2 and 1 triples
    /// assert!(t.epoch_from(&CoocSource::Memory(&cooc))? < first);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn epoch_from(&mut self, source: &super::CoocSource) -> Result<f64> {
        self.stats = GpuStats::default();
        let mut used = 0u32;
        let mut inflight = std::collections::VecDeque::new();
        source.for_each_chunk(self.chunk_triples, &mut |part| {
            self.stream_chunk(part, &mut used, &mut inflight)
        })?;
        self.finish(self.ctx.encoder(), used)
    }

    /// Triples per streamed chunk (whole batches).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, batch_size: 4, ..Default::default() };
    /// let t = GpuTrainer::streaming(Arc::new(ctx), &Model::new(2, 4, 1)?, 100, &cfg, 10)?;
    /// assert_eq!(t.chunk_triples() % 4, 0); // whole batches
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn chunk_triples(&self) -> usize {
        self.chunk_triples
    }

    /// Streams one chunk: its plan is built while earlier chunks run, then (once at
    /// most one chunk is still in flight) it is uploaded, recorded and submitted.
    /// Its cost partials go after those of the chunks before it (`used`).
    fn stream_chunk(
        &mut self,
        part: &[Cooc],
        used: &mut u32,
        inflight: &mut std::collections::VecDeque<wgpu::SubmissionIndex>,
    ) -> Result<()> {
        let plan = BatchPlan::build_capped(part, self.cfg.batch_size, self.cfg.row_cap);
        while inflight.len() >= 2 {
            let done = inflight.pop_front().expect("two in flight");
            self.ctx
                .device()
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(done),
                    timeout: None,
                })
                .map_err(|e| Error::Gpu(format!("waiting for the GPU: {e}")))?;
        }
        let chunk = self.prepare(&plan)?;
        let mut enc = self.ctx.encoder();
        self.record(&mut enc, &chunk, *used)?;
        *used += chunk.n_rows.div_ceil(cost_block()).max(1);
        self.stats.uploads += 1;
        inflight.push_back(
            self.ctx
                .scoped(|| self.ctx.queue().submit([enc.finish()]))?,
        );
        self.stats.submissions += 1;
        Ok(())
    }

    /// Copies the first `n` cost partials back in the same submission as `enc`'s
    /// work, waits, and sums them in f64 in order.
    fn finish(&mut self, mut enc: wgpu::CommandEncoder, n: u32) -> Result<f64> {
        if n as usize > self.n_partials {
            return Err(Error::Gpu(format!(
                "{n} cost partials for {} slots",
                self.n_partials
            )));
        }
        enc.copy_buffer_to_buffer(&self.partials, 0, &self.staging, 0, n as u64 * 4);
        self.stats.copies += 1;
        self.ctx.submit(enc)?;
        self.stats.submissions += 1;
        let partials: Vec<f32> = self.ctx.read_staging(&self.staging, n as usize)?;
        Ok(partials.iter().map(|&c| c as f64).sum())
    }

    /// Whether the triples are uploaded once (true) or streamed every epoch.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let cfg = TrainConfig { dim: 4, ..Default::default() };
    /// let t = GpuTrainer::new(Arc::new(ctx), &Model::new(2, 4, 1)?, &[Cooc { i: 0, j: 1, x: 2.0 }], &cfg)?;
    /// assert!(t.is_resident()); // one triple fits one upload
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_resident(&self) -> bool {
        self.resident.is_some()
    }

    /// Copies the parameters and AdaGrad state back into `model`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{GpuTrainer, TrainConfig}, GpuContext};
    /// let Ok(ctx) = GpuContext::new() else { return Ok(()) }; // needs an adapter
    /// let (cfg, fresh) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
    /// let mut t = GpuTrainer::new(Arc::new(ctx), &fresh, &[Cooc { i: 0, j: 1, x: 2.0 }], &cfg)?;
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
        let len = 2 * self.vocab * device_stride(self.cfg.dim);
        if model.vocab != self.vocab || model.dim != self.cfg.dim {
            return Err(Error::invalid(
                "the model does not match the one on the device",
            ));
        }
        let theta: Vec<f32> = self.ctx.read(&self.theta, len)?;
        let gradsq: Vec<f32> = self.ctx.read(&self.gradsq, len)?;
        super::from_device_layout(model, &theta, &gradsq);
        Ok(())
    }
}
