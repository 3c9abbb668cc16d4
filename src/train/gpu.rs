//! The GPU trainer: `shaders/glove_step.wgsl` and `shaders/glove_cost.wgsl`
//! driven batch after batch.
//!
//! The model (`theta`, `gradsq`) stays on the device for the whole run. The
//! triples are cut into chunks whose grouped form fits one storage binding
//! (`GpuContext::max_binding_bytes`); when there is one chunk it is uploaded
//! once, otherwise each chunk is grouped and uploaded again every epoch
//! (streaming). Each batch takes three dispatches (main pass, context pass,
//! cost); its uniform is copied from a per-chunk table inside the command
//! encoder, so a whole chunk is one submission.
//!
//! **Pre-batch rows.** The context pass needs the word rows as they stood at the
//! start of the batch, but the main pass has updated them. The main pass
//! therefore copies each touched word row to a snapshot slot before its first
//! update (the workgroup owns the row, so no extra dispatch or barrier): one
//! extra write and read of `(d + 1)` floats per distinct row and batch. The
//! alternatives cost more: a residual pass first would re-read both rows for
//! every triple and still leave the context gradient needing the old `w_i`;
//! double-buffering would copy the whole model per batch. The context rows need
//! no copy, since the main pass only reads them.
//!
//! **Hot rows.** One invocation walks a row's triples in order, so a batch
//! lasts as long as its longest row. On kjv.txt with batches of 16,384 triples
//! a batch has about 4,030 distinct word rows, 4 triples each on average and 54
//! at most (4,096, the default: 2,105 rows, 26 at most; 65,536: 191 at most). On lavapipe (throughput-bound: thousands of
//! rows over 2 cores) this does not show; on a large GPU and a large Zipf corpus
//! it will, and the planned remedy (not done yet) is to cut rows longer than a
//! bound into segments that step from the pre-batch row into scratch rows,
//! merged in a fixed order by a third kernel, keeping runs deterministic.

use std::sync::Arc;

use super::batch::{BatchPlan, StepParams};
use super::twin::batch_params;
use super::TrainConfig;
use crate::cooccur::Cooc;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::shaders::{GLOVE_COST, GLOVE_STEP};

struct Chunk {
    n_batches: usize,
    dims: Vec<(u32, u32)>,
    table: wgpu::Buffer,
    main_bg: wgpu::BindGroup,
    ctx_bg: wgpu::BindGroup,
    cost_bg: wgpu::BindGroup,
    _bufs: Vec<wgpu::Buffer>,
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
    len: usize,
    theta: wgpu::Buffer,
    gradsq: wgpu::Buffer,
    snapshot: wgpu::Buffer,
    row_cost: wgpu::Buffer,
    batch_costs: wgpu::Buffer,
    uniform: wgpu::Buffer,
    chunk_triples: usize,
    resident: Option<Chunk>,
    wg: u32,
}

impl std::fmt::Debug for GpuTrainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuTrainer")
            .field("vocab", &self.vocab)
            .field("triples", &self.cooc.len())
            .field("chunk_triples", &self.chunk_triples)
            .finish()
    }
}

impl<'a> GpuTrainer<'a> {
    /// Uploads `model` and prepares the batches of `cooc` (ids must be rows of the model).
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
    pub fn with_chunk(
        ctx: Arc<GpuContext>,
        model: &Model,
        cooc: &'a [Cooc],
        cfg: &TrainConfig,
        chunk_triples: Option<usize>,
    ) -> Result<Self> {
        cfg.validate()?;
        let max = ctx.max_binding_bytes();
        let model_bytes = model.params.len() as u64 * 4;
        if model_bytes > max || model.params.len() > u32::MAX as usize {
            return Err(Error::invalid(format!(
                "the model takes {model_bytes} bytes but the adapter {} binds at most {max} \
                 bytes in one storage buffer; train it on the CPU (--backend cpu)",
                ctx.adapter().name
            )));
        }
        let stride = model.stride() as u64;
        let batch = cfg.batch_size as u64;
        if batch * stride * 4 > max {
            return Err(Error::invalid(format!(
                "a batch of {batch} triples at dimension {} needs a {} byte snapshot, \
                 over the adapter's {max} byte binding limit: use a smaller batch",
                model.dim,
                batch * stride * 4
            )));
        }
        let wg = GLOVE_STEP.const_u32("WG") as u64;
        let groups = ctx.limits().max_compute_workgroups_per_dimension as u64;
        if batch.div_ceil(wg) > groups {
            return Err(Error::invalid(format!(
                "a batch of {batch} triples may need {} workgroups, over the adapter's \
                 {groups} per dispatch: use a batch of at most {}",
                batch.div_ceil(wg),
                groups * wg
            )));
        }
        // Worst case per triple: one span (16 bytes) and one entry (8 bytes) in each array.
        let fit = (max / 16) as usize;
        let mut chunk = chunk_triples.unwrap_or(fit).min(fit).max(1);
        chunk = (chunk / cfg.batch_size).max(1) * cfg.batch_size;
        let len = model.params.len();
        let theta = ctx.upload("glove theta", &model.params)?;
        let gradsq = ctx.upload("glove gradsq", &model.gradsq)?;
        let max_rows = cfg.batch_size.min(cooc.len()).max(1);
        let snapshot = ctx.storage("glove snapshot", (max_rows as u64) * stride * 4)?;
        let row_cost = ctx.storage("glove row cost", max_rows as u64 * 4)?;
        let batches = chunk.div_ceil(cfg.batch_size).max(1);
        let batch_costs = ctx.storage("glove batch costs", batches as u64 * 4)?;
        let uniform = ctx.scoped(|| {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some("glove step params"),
                size: std::mem::size_of::<StepParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        let mut t = GpuTrainer {
            wg: GLOVE_STEP.const_u32("WG"),
            ctx,
            cooc,
            cfg: cfg.clone(),
            vocab: model.vocab,
            len,
            theta,
            gradsq,
            snapshot,
            row_cost,
            batch_costs,
            uniform,
            chunk_triples: chunk,
            resident: None,
        };
        if cooc.len() <= chunk {
            t.resident = Some(t.prepare(cooc)?);
        }
        Ok(t)
    }

    fn prepare(&self, cooc: &[Cooc]) -> Result<Chunk> {
        let ctx = &self.ctx;
        let plan = BatchPlan::build(cooc, self.cfg.batch_size);
        let mut table = Vec::with_capacity(plan.batches.len() * 3);
        for b in 0..plan.batches.len() {
            table.extend(batch_params(self.vocab, &self.cfg, &plan, b));
        }
        let table = ctx.upload("glove params table", &table)?;
        let main_spans = ctx.upload("glove main spans", &plan.main_spans)?;
        let main_entries = ctx.upload("glove main entries", &plan.main_entries)?;
        let ctx_spans = ctx.upload("glove context spans", &plan.ctx_spans)?;
        let ctx_entries = ctx.upload("glove context entries", &plan.ctx_entries)?;
        let main = ctx.pipeline(&GLOVE_STEP, "main_pass", &[])?;
        let cpass = ctx.pipeline(&GLOVE_STEP, "context_pass", &[])?;
        let cost = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?;
        let main_bg = ctx.bind(
            &main,
            &[
                (0, &self.uniform),
                (1, &self.theta),
                (2, &self.gradsq),
                (3, &self.snapshot),
                (4, &main_spans),
                (5, &main_entries),
                (6, &self.row_cost),
            ],
        )?;
        let ctx_bg = ctx.bind(
            &cpass,
            &[
                (0, &self.uniform),
                (1, &self.theta),
                (2, &self.gradsq),
                (3, &self.snapshot),
                (4, &ctx_spans),
                (5, &ctx_entries),
            ],
        )?;
        let cost_bg = ctx.bind(
            &cost,
            &[
                (0, &self.uniform),
                (1, &self.row_cost),
                (2, &self.batch_costs),
            ],
        )?;
        Ok(Chunk {
            n_batches: plan.batches.len(),
            dims: plan.batches.iter().map(|b| (b.n_main, b.n_ctx)).collect(),
            table,
            main_bg,
            ctx_bg,
            cost_bg,
            _bufs: vec![main_spans, main_entries, ctx_spans, ctx_entries],
        })
    }

    fn run_chunk(&self, chunk: &Chunk) -> Result<f64> {
        let ctx = &self.ctx;
        let main = ctx.pipeline(&GLOVE_STEP, "main_pass", &[])?;
        let cpass = ctx.pipeline(&GLOVE_STEP, "context_pass", &[])?;
        let cost = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?;
        let size = std::mem::size_of::<StepParams>() as u64;
        let mut enc = ctx.encoder();
        for (b, &(n_main, n_ctx)) in chunk.dims.iter().enumerate() {
            let at = (3 * b) as u64 * size;
            enc.copy_buffer_to_buffer(&chunk.table, at, &self.uniform, 0, size);
            GpuContext::dispatch(
                &mut enc,
                &main,
                &chunk.main_bg,
                (n_main.div_ceil(self.wg), 1, 1),
            );
            enc.copy_buffer_to_buffer(&chunk.table, at + size, &self.uniform, 0, size);
            GpuContext::dispatch(
                &mut enc,
                &cpass,
                &chunk.ctx_bg,
                (n_ctx.div_ceil(self.wg), 1, 1),
            );
            enc.copy_buffer_to_buffer(&chunk.table, at + 2 * size, &self.uniform, 0, size);
            GpuContext::dispatch(&mut enc, &cost, &chunk.cost_bg, (1, 1, 1));
        }
        ctx.submit(enc)?;
        let costs: Vec<f32> = ctx.read(&self.batch_costs, chunk.n_batches)?;
        Ok(costs.iter().map(|&c| c as f64).sum())
    }

    /// Runs one epoch over all triples; returns the summed cost.
    pub fn epoch(&mut self) -> Result<f64> {
        if let Some(chunk) = &self.resident {
            return self.run_chunk(chunk);
        }
        let mut total = 0.0;
        for part in self.cooc.chunks(self.chunk_triples) {
            let chunk = self.prepare(part)?;
            total += self.run_chunk(&chunk)?;
        }
        Ok(total)
    }

    /// Whether the triples are uploaded once (true) or streamed every epoch.
    pub fn is_resident(&self) -> bool {
        self.resident.is_some()
    }

    /// Copies the parameters and AdaGrad state back into `model`.
    pub fn read_into(&self, model: &mut Model) -> Result<()> {
        if model.params.len() != self.len {
            return Err(Error::invalid(
                "the model does not match the one on the device",
            ));
        }
        model.params = self.ctx.read(&self.theta, self.len)?;
        model.gradsq = self.ctx.read(&self.gradsq, self.len)?;
        Ok(())
    }
}
