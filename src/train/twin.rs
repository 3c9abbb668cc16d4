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
//! The twins work on the device layout ([`super::device_stride`] floats per row)
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

use super::batch::{
    device_stride, from_device_layout, to_device_layout, BatchPlan, CostParams, Entry, Span,
    StepParams,
};
use super::traffic::lane_element;
use super::TrainConfig;
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

/// Row costs summed by one workgroup of `reduce_cost`, read from the WGSL.
///
/// ```
/// use glove_wgpu::train::twin::{cost_block, cost_wg};
/// assert_eq!(cost_block() % cost_wg(), 0);
/// ```
pub fn cost_block() -> u32 {
    GLOVE_COST.const_u32("COST_BLOCK")
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

#[inline]
fn weight(p: &StepParams, x: f32) -> f32 {
    if x > p.x_max {
        1.0
    } else {
        (x / p.x_max).powf(p.alpha)
    }
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
        let fdiff = weight(p, en.x) * diff;
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

/// Twin of `main_pass`: for each of the `p.n_spans` spans from `p.span_base`,
/// snapshot the word row, step it triple after triple against the context rows
/// of `theta`, and write the row's cost to `row_cost[p.cost_base + r]`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, to_device_layout, BatchPlan, TrainConfig}};
/// let (cfg, m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size);
/// let [main, _] = twin::batch_params(m.vocab, &cfg, &plan, 0);
/// let (mut theta, mut gradsq) = to_device_layout(&m);
/// let (mut snapshot, mut row_cost) = (vec![0.0; 8], vec![0.0; 1]);
/// let (spans, entries) = (&plan.main_spans, &plan.main_entries);
/// twin::main_pass(&main, &mut theta, &mut gradsq, &mut snapshot, spans, entries, &mut row_cost, 32);
/// assert_eq!(&snapshot[..5], m.word_row(0)); // word row 0 as it stood
/// assert!(row_cost[0] > 0.0 && theta[..5] != snapshot[..5]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn main_pass(
    p: &StepParams,
    theta: &mut [f32],
    gradsq: &mut [f32],
    snapshot: &mut [f32],
    spans: &[Span],
    entries: &[Entry],
    row_cost: &mut [f32],
    lanes: usize,
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let spans = &spans[p.span_base as usize..(p.span_base + p.n_spans) as usize];
    let theta_r: &[f32] = theta;
    let gradsq_r: &[f32] = gradsq;
    let rows: Vec<(Vec<f32>, Vec<f32>, f32)> = spans
        .par_iter()
        .map(|span| {
            let wi = span.row as usize * s;
            let mut w = theta_r[wi..wi + d + 1].to_vec();
            let mut g = gradsq_r[wi..wi + d + 1].to_vec();
            let es = &entries[span.start as usize..(span.start + span.count) as usize];
            let other = |j: u32| {
                let cj = p.ctx_base as usize + j as usize * s;
                &theta_r[cj..cj + d + 1]
            };
            let cost = step_row(p, &mut w, &mut g, es, other, lanes);
            (w, g, cost)
        })
        .collect();
    for (r, (span, (w, g, cost))) in spans.iter().zip(rows).enumerate() {
        let wi = span.row as usize * s;
        snapshot[r * s..r * s + d + 1].copy_from_slice(&theta[wi..wi + d + 1]);
        theta[wi..wi + d + 1].copy_from_slice(&w);
        gradsq[wi..wi + d + 1].copy_from_slice(&g);
        row_cost[p.cost_base as usize + r] = cost;
    }
}

/// Twin of `context_pass`: for each span, step the context row triple after
/// triple against the word rows in `snapshot` (as they stood before the batch).
/// `row_cost` is bound but unused, as in the kernel.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::*};
/// let (cfg, m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size);
/// let [main, context] = twin::batch_params(m.vocab, &cfg, &plan, 0);
/// let ((mut theta, mut gradsq), mut snap, mut cost) = (to_device_layout(&m), vec![0.0; 8], vec![0.0; 1]);
/// twin::main_pass(&main, &mut theta, &mut gradsq, &mut snap, &plan.main_spans, &plan.main_entries, &mut cost, 32);
/// twin::context_pass(&context, &mut theta, &mut gradsq, &snap, &plan.ctx_spans, &plan.ctx_entries, &mut cost, 32);
/// let (mut after, mut batched) = (m.clone(), m.clone());
/// from_device_layout(&mut after, &theta, &gradsq);
/// twin::epoch_batched(&mut batched, &plan, &cfg, 32);
/// assert_eq!(after, batched); // one batch: the two passes are the whole epoch
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn context_pass(
    p: &StepParams,
    theta: &mut [f32],
    gradsq: &mut [f32],
    snapshot: &[f32],
    spans: &[Span],
    entries: &[Entry],
    _row_cost: &mut [f32],
    lanes: usize,
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let spans = &spans[p.span_base as usize..(p.span_base + p.n_spans) as usize];
    let theta_r: &[f32] = theta;
    let gradsq_r: &[f32] = gradsq;
    let rows: Vec<(Vec<f32>, Vec<f32>)> = spans
        .par_iter()
        .map(|span| {
            let cj = p.ctx_base as usize + span.row as usize * s;
            let mut c = theta_r[cj..cj + d + 1].to_vec();
            let mut g = gradsq_r[cj..cj + d + 1].to_vec();
            let es = &entries[span.start as usize..(span.start + span.count) as usize];
            let other = |slot: u32| &snapshot[slot as usize * s..slot as usize * s + d + 1];
            step_row(p, &mut c, &mut g, es, other, lanes);
            (c, g)
        })
        .collect();
    for (span, (c, g)) in spans.iter().zip(rows) {
        let cj = p.ctx_base as usize + span.row as usize * s;
        theta[cj..cj + d + 1].copy_from_slice(&c);
        gradsq[cj..cj + d + 1].copy_from_slice(&g);
    }
}

/// Twin of `reduce_cost`: one partial sum per block of `COST_BLOCK` row costs
/// (`COST_WG` strided sums, then a tree), written from `partials[cp.out_base]`.
/// Dispatched with `ceil(n_rows / COST_BLOCK)` workgroups, as here.
///
/// ```
/// use glove_wgpu::train::{twin, CostParams};
/// let rows = vec![1.0f32; twin::cost_block() as usize + 3]; // two blocks
/// let cp = CostParams { n_rows: rows.len() as u32, out_base: 1, ..Default::default() };
/// let mut partials = [0.0f32; 3];
/// twin::reduce_cost(&cp, &rows, &mut partials);
/// assert_eq!(partials, [0.0, twin::cost_block() as f32, 3.0]); // from out_base
/// ```
pub fn reduce_cost(cp: &CostParams, row_cost: &[f32], partials: &mut [f32]) {
    let (wg, block) = (cost_wg() as usize, cost_block() as usize);
    let n = cp.n_rows as usize;
    for b in 0..n.div_ceil(block) {
        let (first, end) = (b * block, ((b + 1) * block).min(n));
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

/// The two uniforms of batch `b` of `plan` (main pass, context pass), as the GPU
/// trainer uploads them.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{twin, BatchPlan, TrainConfig}};
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 0, j: 2, x: 1.0 }], 8);
/// let [main, context] = twin::batch_params(3, &cfg, &plan, 0);
/// assert_eq!((main.n_spans, context.n_spans), (1, 2)); // word row 0; context rows 1, 2
/// assert_eq!(main.ctx_base, 3 * 8); // context rows after 3 word rows of 8 floats
/// ```
pub fn batch_params(
    model_vocab: usize,
    cfg: &TrainConfig,
    plan: &BatchPlan,
    b: usize,
) -> [StepParams; 2] {
    let range = plan.batches[b];
    let stride = device_stride(cfg.dim);
    let base = StepParams {
        dim: cfg.dim as u32,
        stride: stride as u32,
        ctx_base: (model_vocab * stride) as u32,
        cost_base: range.main_base,
        x_max: cfg.x_max,
        alpha: cfg.alpha,
        eta: cfg.eta,
        clip: cfg.clip,
        ..Default::default()
    };
    [
        StepParams {
            span_base: range.main_base,
            n_spans: range.n_main,
            ..base
        },
        StepParams {
            span_base: range.ctx_base,
            n_spans: range.n_ctx,
            ..base
        },
    ]
}

/// One epoch of the batched trainer on the CPU: every batch of `plan` through the
/// twins in order, with `lanes` lanes, then the cost reduction. Returns the summed
/// cost (partials added in f64, in order).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{twin, BatchPlan, TrainConfig}};
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let (plan, mut m) = (BatchPlan::build(&cooc, cfg.batch_size), Model::new(2, 4, 1)?);
/// let first = twin::epoch_batched(&mut m, &plan, &cfg, 32);
/// assert!(twin::epoch_batched(&mut m, &plan, &cfg, 32) < first);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn epoch_batched(model: &mut Model, plan: &BatchPlan, cfg: &TrainConfig, lanes: usize) -> f64 {
    let s = device_stride(model.dim);
    let (mut theta, mut gradsq) = to_device_layout(model);
    let mut snapshot = vec![0.0f32; plan.max_main as usize * s];
    let mut row_cost = vec![0.0f32; plan.main_spans.len()];
    for b in 0..plan.batches.len() {
        let [pm, pc] = batch_params(model.vocab, cfg, plan, b);
        main_pass(
            &pm,
            &mut theta,
            &mut gradsq,
            &mut snapshot,
            &plan.main_spans,
            &plan.main_entries,
            &mut row_cost,
            lanes,
        );
        context_pass(
            &pc,
            &mut theta,
            &mut gradsq,
            &snapshot,
            &plan.ctx_spans,
            &plan.ctx_entries,
            &mut row_cost,
            lanes,
        );
    }
    from_device_layout(model, &theta, &gradsq);
    let cp = CostParams {
        n_rows: row_cost.len() as u32,
        ..Default::default()
    };
    let mut partials = vec![0f32; row_cost.len().div_ceil(cost_block() as usize)];
    reduce_cost(&cp, &row_cost, &mut partials);
    partials.iter().map(|&c| c as f64).sum()
}
