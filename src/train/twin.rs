//! CPU twins of `shaders/glove_step.wgsl` (both lane paths) and
//! `shaders/glove_cost.wgsl`: the same bindings in the same order, the same loops,
//! rows in parallel with rayon.
//!
//! | kernel | twin |
//! | --- | --- |
//! | `glove_step` `main_pass` | [`main_pass`] |
//! | `glove_step` `context_pass` | [`context_pass`] |
//! | `glove_cost` `reduce_cost` | [`reduce_cost`] |
//!
//! The twins work on the device layout ([`super::to_device_layout`]: rows of
//! `2 * stride` floats, parameters then AdaGrad state, in one array where the GPU
//! splits them over shards)
//! and take the kernel's lane count: lane `l` owns the elements `l, l + lanes, ...`
//! of a row, a residual is the lanes' partial sums (slots in order) added by the
//! tree of [`lane_sum`], which gives the bits of the kernel's butterfly. So the
//! twin follows the kernel's order of floating-point operations; what is left is
//! the last bits of `pow`, `log` and `sqrt`, and a multiply-add a GPU compiler may
//! fuse.
//!
//! Rows of one pass are distinct, so each row is computed from read-only inputs
//! in parallel and written back afterwards: the result does not depend on the
//! thread count.

use rayon::prelude::*;

use std::sync::Arc;

use super::layout::{device_stride, from_device_layout, to_device_layout, CostParams, StepParams};
use super::plan::{Batch, BatchPlan, Entry, Span};
use super::traffic::lane_element;
use super::{weight, TrainConfig, Trainer};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::shaders::{GLOVE_COST, GLOVE_STEP_WORKGROUP};

/// Workgroup size of `reduce_cost`, read from the WGSL.
///
/// ```
/// use glove_wgpu::{shaders::GLOVE_COST, train::twin::cost_wg};
/// assert_eq!(cost_wg(), GLOVE_COST.const_u32("COST_WG"));
/// assert!(cost_wg().is_power_of_two()); // the tree halves it
/// ```
pub fn cost_wg() -> u32 {
    GLOVE_COST.const_u32("COST_WG")
}

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

/// `w.c + b_w + b_c` as the kernel sums it: each lane's partial over its slots in
/// order (the biases, element `d`, add as `w + c`), then [`lane_sum`].
#[inline]
fn residual_sum(d: usize, w: &[f32], c: &[f32], lanes: usize, part: &mut [f32]) -> f32 {
    let slots = slots(w.len(), lanes);
    for (l, acc) in part.iter_mut().enumerate() {
        let mut s = 0.0f32;
        for t in 0..slots {
            let k = lane_element(l, t, lanes);
            if k < d {
                s += w[k] * c[k];
            } else if k == d {
                s += w[k] + c[k];
            }
        }
        *acc = s;
    }
    lane_sum(part)
}

/// Twin of the kernel's `step_row`: steps `w` (state `g`) through `entries` against
/// the rows `other(idx)`; returns the summed cost.
fn step_row<'o>(
    p: &StepParams,
    w: &mut [f32],
    g: &mut [f32],
    entries: &[Entry],
    other: impl Fn(u32) -> &'o [f32],
    lanes: usize,
) -> f32 {
    let d = p.dim as usize;
    let mut part = vec![0f32; lanes];
    let mut cost = 0.0f32;
    for en in entries {
        let c = other(en.idx);
        let diff = residual_sum(d, w, c, lanes, &mut part) - en.x.ln();
        if !diff.is_finite() {
            cost += f32::INFINITY;
            continue;
        }
        let fdiff = weight(en.x, p.x_max, p.alpha) * diff;
        cost += 0.5 * fdiff * diff;
        for k in 0..d {
            let u = (fdiff * c[k]).clamp(-p.clip, p.clip) * p.eta;
            w[k] -= u / g[k].sqrt();
            g[k] += u * u;
        }
        w[d] -= fdiff / g[d].sqrt();
        g[d] += fdiff * fdiff;
    }
    cost
}

/// The spans of pass `p` with their entries (`spans` and `entries` are the
/// arrays the pass is bound to).
fn spans_of<'a>(
    p: &StepParams,
    spans: &'a [Span],
    entries: &'a [Entry],
) -> impl IndexedParallelIterator<Item = (usize, Span, &'a [Entry])> + 'a {
    let (base, n, eb, len) = (
        p.span_base as usize,
        p.n_spans as usize,
        p.entry_base as usize,
        p.n_entries,
    );
    let spans = &spans[base..base + n];
    let entries = &entries[eb..eb + len as usize];
    (0..n).into_par_iter().map(move |r| {
        let end = spans.get(r + 1).map_or(len, |s| s.start);
        let span = spans[r];
        (r, span, &entries[span.start as usize..end as usize])
    })
}

/// Twin of `main_pass`: for each of the `p.n_spans` spans from `p.span_base`,
/// snapshot the word row, step it triple after triple against the context rows
/// of `rows`, and write the row's cost to `row_cost[p.span_base + r]`. `rows` is
/// the whole model in the device layout (the kernel's shards, end to end).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, to_device_layout, BatchPlan, TrainConfig}};
/// let (cfg, m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size);
/// let [main, _] = twin::batch_params(m.vocab, &cfg, plan.batches()[0], (0, 0, 0), 4);
/// let mut rows = to_device_layout(&m, 0..4);
/// let (mut snapshot, mut row_cost) = (vec![0.0; 8], vec![0.0; 1]);
/// let (spans, entries) = (plan.main_spans(), plan.main_entries());
/// twin::main_pass(&main, &mut rows, &mut snapshot, spans, entries, &mut row_cost, 32);
/// assert_eq!(&snapshot[..5], m.word_row(0)); // word row 0 as it stood
/// assert!(row_cost[0] > 0.0 && rows[..5] != snapshot[..5]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn main_pass(
    p: &StepParams,
    rows: &mut [f32],
    snapshot: &mut [f32],
    spans: &[Span],
    entries: &[Entry],
    row_cost: &mut [f32],
    lanes: usize,
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let rows_r: &[f32] = rows;
    let stepped: Vec<(usize, Vec<f32>, Vec<f32>, f32)> = spans_of(p, spans, entries)
        .map(|(r, span, es)| {
            let wi = span.row as usize * 2 * s;
            let mut w = rows_r[wi..wi + d + 1].to_vec();
            let mut g = rows_r[wi + s..wi + s + d + 1].to_vec();
            let other = |j: u32| {
                let cj = (p.ctx_row + j) as usize * 2 * s;
                &rows_r[cj..cj + d + 1]
            };
            let cost = step_row(p, &mut w, &mut g, es, other, lanes);
            (r, w, g, cost)
        })
        .collect();
    let spans = &spans[p.span_base as usize..];
    for (r, w, g, cost) in stepped {
        let wi = spans[r].row as usize * 2 * s;
        snapshot[r * s..r * s + d + 1].copy_from_slice(&rows[wi..wi + d + 1]);
        rows[wi..wi + d + 1].copy_from_slice(&w);
        rows[wi + s..wi + s + d + 1].copy_from_slice(&g);
        row_cost[p.span_base as usize + r] = cost;
    }
}

/// Twin of `context_pass`: for each span, step the context row triple after
/// triple against the word rows in `snapshot` (as they stood before the batch).
/// `row_cost` is bound but unused, as in the kernel.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::*};
/// let (cfg, m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
/// let plan = std::sync::Arc::new(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size));
/// let [main, context] = twin::batch_params(m.vocab, &cfg, plan.batches()[0], (0, 0, 0), 4);
/// let (mut rows, mut snap, mut cost) = (to_device_layout(&m, 0..4), vec![0.0; 8], vec![0.0; 1]);
/// twin::main_pass(&main, &mut rows, &mut snap, plan.main_spans(), plan.main_entries(), &mut cost, 32);
/// twin::context_pass(&context, &mut rows, &snap, plan.ctx_spans(), plan.ctx_entries(), &mut cost, 32);
/// let mut after = m.clone();
/// from_device_layout(&mut after, 0, &rows);
/// let mut batched = m.clone();
/// let mut t = Box::new(twin::BatchedTrainer::new(&mut batched, plan, &cfg, 32)?);
/// t.epoch()?;
/// t.finish()?; // writes the model back
/// assert_eq!(after, batched); // one batch: the two passes are the whole epoch
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn context_pass(
    p: &StepParams,
    rows: &mut [f32],
    snapshot: &[f32],
    spans: &[Span],
    entries: &[Entry],
    _row_cost: &mut [f32],
    lanes: usize,
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let rows_r: &[f32] = rows;
    let stepped: Vec<(usize, Vec<f32>, Vec<f32>)> = spans_of(p, spans, entries)
        .map(|(r, span, es)| {
            let cj = (p.ctx_row + span.row) as usize * 2 * s;
            let mut c = rows_r[cj..cj + d + 1].to_vec();
            let mut g = rows_r[cj + s..cj + s + d + 1].to_vec();
            let other = |slot: u32| &snapshot[slot as usize * s..slot as usize * s + d + 1];
            step_row(p, &mut c, &mut g, es, other, lanes);
            (r, c, g)
        })
        .collect();
    let spans = &spans[p.span_base as usize..];
    for (r, c, g) in stepped {
        let cj = (p.ctx_row + spans[r].row) as usize * 2 * s;
        rows[cj..cj + d + 1].copy_from_slice(&c);
        rows[cj + s..cj + s + d + 1].copy_from_slice(&g);
    }
}

/// Twin of `reduce_cost`: for each of the chunk's `cp.n_batches` batches, the sum
/// of its row costs `row_cost[batch_rows[b]..batch_rows[b + 1]]` (`COST_WG`
/// strided sums, then a tree), written to `partials[cp.out_base + b]`.
///
/// ```
/// use glove_wgpu::train::{twin, CostParams};
/// let rows = vec![1.0f32; 1000];
/// let cp = CostParams { n_batches: 2, out_base: 1, ..Default::default() };
/// let mut partials = [0.0f32; 3];
/// twin::reduce_cost(&cp, &rows, &[0, 300, 1000], &mut partials);
/// assert_eq!(partials, [0.0, 300.0, 700.0]); // from out_base
/// ```
pub fn reduce_cost(cp: &CostParams, row_cost: &[f32], batch_rows: &[u32], partials: &mut [f32]) {
    let wg = cost_wg() as usize;
    for b in 0..cp.n_batches as usize {
        let (first, end) = (batch_rows[b] as usize, batch_rows[b + 1] as usize);
        let mut partial: Vec<f32> = (0..wg)
            .map(|t| {
                let mut s = 0.0f32;
                let mut r = first + t;
                while r < end {
                    s += row_cost[r];
                    r += wg;
                }
                s
            })
            .collect();
        let mut h = wg / 2;
        while h > 0 {
            for t in 0..h {
                partial[t] += partial[t + h];
            }
            h /= 2;
        }
        partials[cp.out_base as usize + b] = partial[0];
    }
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
