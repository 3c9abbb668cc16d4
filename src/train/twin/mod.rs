//! CPU twins of the training kernels, one file a kernel and named after it, with
//! the kernel's bindings in the same order and its loops, rows in parallel with
//! rayon; and [`BatchedTrainer`], which drives them batch after batch.
//!
//! | kernel | entry point | twin |
//! | --- | --- | --- |
//! | `shaders/glove_step.wgsl` | `main_pass` | [`glove_step::main_pass`] |
//! | `shaders/glove_step.wgsl` | `context_pass` | [`glove_step::context_pass`] |
//! | `shaders/glove_cost.wgsl` | `reduce_cost` | [`glove_cost::reduce_cost`] |
//!
//! The registry ([`crate::shaders`]) declares the same pairs, and a test checks that
//! every entry point of a kernel with declared bindings has one.
//!
//! The twins work on the device layout ([`super::to_device_layout`]: rows of
//! `2 * stride` floats, parameters then AdaGrad state, in one array where the GPU
//! splits them over shards) and take the kernel's lane count: lane `l` owns the
//! elements `l, l + lanes, ...` of a row, a residual is the lanes' partial sums
//! (slots in order) added by the tree of [`lane_sum`], which gives the bits of the
//! kernel's butterfly. So a twin follows its kernel's order of floating-point
//! operations; what is left is the last bits of `pow`, `log` and `sqrt`, and a
//! multiply-add a GPU compiler may fuse.
//!
//! Rows of one pass are distinct, so each row is computed from read-only inputs
//! in parallel and written back afterwards: the result does not depend on the
//! thread count.

pub mod glove_cost;
pub mod glove_step;

use std::sync::Arc;

pub use glove_cost::{cost_wg, reduce_cost};
pub use glove_step::{context_pass, main_pass};

use super::layout::{device_stride, from_device_layout, to_device_layout};
use super::plan::{Batch, BatchPlan};
use super::{TrainConfig, Trainer};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::params::{CostParams, StepParams};
use crate::shaders::GLOVE_STEP_WORKGROUP;

/// Lanes of the workgroup-memory path, read from the WGSL (the subgroup path uses
/// the adapter's subgroup size).
///
/// ```
/// assert_eq!(glove_wgpu::train::twin::fallback_lanes(), 32);
/// ```
pub fn fallback_lanes() -> u32 {
    GLOVE_STEP_WORKGROUP.const_u32("LANES")
}

/// Register slots a lane needs for a row of `stride` floats: `ceil(stride / lanes)`.
///
/// ```
/// use glove_wgpu::train::{device_stride, twin::slots};
/// assert_eq!(slots(device_stride(50), 32), 2); // 56 floats over 32 lanes
/// assert_eq!(slots(device_stride(300), 32), 10); // 304 floats
/// ```
pub fn slots(stride: usize, lanes: usize) -> usize {
    stride.div_ceil(lanes)
}

/// The sum of the lanes' values in the kernels' order: at distance `len/2`, then
/// `len/4`, ..., 1, lane `l < off` adds lane `l + off` to its own value. The subgroup
/// butterfly (`s + shuffleXor(s, off)` on every lane) and the workgroup tree give
/// these bits on every lane. `v.len()` is a power of two; `v` is overwritten.
///
/// ```
/// let mut v = [1.0f32, 2.0, 3.0, 4.0];
/// assert_eq!(glove_wgpu::train::twin::lane_sum(&mut v), 10.0); // (1 + 3) + (2 + 4)
/// let mut w = [1e8f32, 1.0, -1e8, 1.0];
/// assert_eq!(glove_wgpu::train::twin::lane_sum(&mut w), 2.0); // (1e8 - 1e8) + (1 + 1), not 0
/// ```
pub fn lane_sum(v: &mut [f32]) -> f32 {
    let mut off = v.len() / 2;
    while off > 0 {
        for l in 0..off {
            v[l] += v[l + off];
        }
        off /= 2;
    }
    v[0]
}

/// The two uniforms of `batch` (main pass, context pass) for a model of
/// `model_vocab` words in shards of `shard_rows` rows, with the batch's first
/// main span, first context span and first entry at `bases` in the arrays the
/// passes are bound to.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{twin, BatchPlan, TrainConfig}};
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 0, j: 2, x: 1.0 }], 8);
/// let [main, context] = twin::batch_params(3, &cfg, plan.batches()[0], (0, 0, 0), 6);
/// assert_eq!((main.n_spans, context.n_spans), (1, 2)); // word row 0; context rows 1, 2
/// assert_eq!((main.ctx_row, main.n_entries), (3, 2)); // context rows after 3 word rows
/// ```
pub fn batch_params(
    model_vocab: usize,
    cfg: &TrainConfig,
    batch: Batch,
    bases: (u32, u32, u32),
    shard_rows: usize,
) -> [StepParams; 2] {
    let base = StepParams {
        dim: cfg.dim as u32,
        stride: device_stride(cfg.dim) as u32,
        ctx_row: model_vocab as u32,
        shard_rows: shard_rows as u32,
        entry_base: bases.2,
        n_entries: batch.len,
        x_max: cfg.x_max,
        alpha: cfg.alpha,
        eta: cfg.eta,
        clip: cfg.clip,
        ..Default::default()
    };
    [
        StepParams {
            span_base: bases.0,
            n_spans: batch.n_main,
            ..base
        },
        StepParams {
            span_base: bases.1,
            n_spans: batch.n_ctx,
            ..base
        },
    ]
}

/// The batched trainer on the CPU: every batch of the plan through the twins in
/// order, with `lanes` lanes, and each batch's cost reduced as `reduce_cost` does;
/// an epoch's cost is the partials added in f64, in order (the GPU trainer's
/// semantics, and its figures to the last bits of `pow`, `log` and `sqrt`).
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin::BatchedTrainer, BatchPlan, TrainConfig, Trainer}};
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let (plan, mut m) = (Arc::new(BatchPlan::build(&cooc, cfg.batch_size)), Model::new(2, 4, 1)?);
/// let mut t = BatchedTrainer::new(&mut m, plan, &cfg, 32)?;
/// let first = t.epoch()?;
/// assert!(t.epoch()? < first);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct BatchedTrainer<'m> {
    model: &'m mut Model,
    rows: Vec<f32>,
    plan: Arc<BatchPlan>,
    cfg: TrainConfig,
    lanes: usize,
}

impl std::fmt::Debug for BatchedTrainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchedTrainer")
            .field("batches", &self.plan.batches().len())
            .field("lanes", &self.lanes)
            .finish()
    }
}

impl<'m> BatchedTrainer<'m> {
    /// Takes `model` (trained in place; [`Trainer::finish`] writes it back) and the
    /// plan, cut with the batch size and row cap of `cfg`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin::BatchedTrainer, BatchPlan, TrainConfig}};
    /// let cfg = TrainConfig { dim: 4, ..Default::default() };
    /// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], 7)); // not cfg's batch
    /// assert!(BatchedTrainer::new(&mut Model::new(2, 4, 1)?, plan, &cfg, 32).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn new(
        model: &'m mut Model,
        plan: Arc<BatchPlan>,
        cfg: &TrainConfig,
        lanes: usize,
    ) -> Result<Self> {
        check_plan(&plan, cfg, model)?;
        let rows = to_device_layout(model, 0..2 * model.vocab);
        Ok(BatchedTrainer {
            model,
            rows,
            plan,
            cfg: cfg.clone(),
            lanes,
        })
    }
}

/// One epoch of the batched trainer on `model` ([`BatchedTrainer`] made, run once
/// and finished); returns the summed cost.
///
/// ```
/// use std::sync::Arc;
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, BatchPlan, TrainConfig}};
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let plan = Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
/// let mut m = Model::new(2, 4, 1)?;
/// let first = twin::epoch_batched(&mut m, &plan, &cfg, 32)?;
/// assert!(twin::epoch_batched(&mut m, &plan, &cfg, 32)? < first);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn epoch_batched(
    model: &mut Model,
    plan: &Arc<BatchPlan>,
    cfg: &TrainConfig,
    lanes: usize,
) -> Result<f64> {
    let mut t = Box::new(BatchedTrainer::new(model, plan.clone(), cfg, lanes)?);
    let cost = t.epoch()?;
    t.finish()?;
    Ok(cost)
}

/// Checks that `plan` was cut with `cfg`'s batch and cap for `model`'s shape.
pub(crate) fn check_plan(plan: &BatchPlan, cfg: &TrainConfig, model: &Model) -> Result<()> {
    cfg.validate()?;
    if model.dim != cfg.dim {
        return Err(Error::invalid(format!(
            "the model has dimension {} but the configuration says {}",
            model.dim, cfg.dim
        )));
    }
    if plan.rows() > model.vocab {
        return Err(Error::invalid(format!(
            "the plan has ids up to {} but the model has {} words",
            plan.rows() - 1,
            model.vocab
        )));
    }
    if plan.batch_size() != cfg.batch_size || plan.row_cap() != cfg.row_cap {
        return Err(Error::invalid(format!(
            "the plan was cut into batches of {} with row cap {}, the configuration says {} \
             and {}",
            plan.batch_size(),
            plan.row_cap(),
            cfg.batch_size,
            cfg.row_cap
        )));
    }
    Ok(())
}

impl Trainer for BatchedTrainer<'_> {
    fn epoch(&mut self) -> Result<f64> {
        let plan = &*self.plan;
        let s = device_stride(self.cfg.dim);
        let mut snapshot = vec![0.0f32; plan.max_main() as usize * s];
        let mut row_cost = vec![0.0f32; plan.max_main() as usize];
        let mut total = 0.0f64;
        let vocab = self.model.vocab;
        let shard_rows = 2 * vocab;
        for &b in plan.batches() {
            let [pm, pc] = batch_params(vocab, &self.cfg, b, (0, 0, 0), shard_rows);
            let (me, ce) = (
                &plan.main_entries()[b.entry_base as usize..],
                &plan.ctx_entries()[b.entry_base as usize..],
            );
            let (ms, cs) = (
                &plan.main_spans()[b.main_base as usize..],
                &plan.ctx_spans()[b.ctx_base as usize..],
            );
            main_pass(
                &pm,
                &mut self.rows,
                &mut snapshot,
                ms,
                me,
                &mut row_cost,
                self.lanes,
            );
            context_pass(
                &pc,
                &mut self.rows,
                &snapshot,
                cs,
                ce,
                &mut row_cost,
                self.lanes,
            );
            let cp = CostParams {
                n_batches: 1,
                ..Default::default()
            };
            let mut partial = [0.0f32];
            reduce_cost(&cp, &row_cost, &[0, b.n_main], &mut partial);
            total += partial[0] as f64;
        }
        Ok(total)
    }

    fn read_into(&self, model: &mut Model) -> Result<()> {
        if model.vocab != self.model.vocab || model.dim != self.model.dim {
            return Err(Error::invalid(
                "the model does not match the one being trained",
            ));
        }
        from_device_layout(model, 0, &self.rows);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        from_device_layout(self.model, 0, &self.rows);
        Ok(())
    }
}
