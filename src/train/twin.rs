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
pub fn cost_wg() -> u32 {
    GLOVE_COST.const_u32("COST_WG")
}

/// Row costs summed by one workgroup of `reduce_cost`, read from the WGSL.
pub fn cost_block() -> u32 {
    GLOVE_COST.const_u32("COST_BLOCK")
}

/// Lanes of the workgroup-memory path, read from the WGSL (the subgroup path uses
/// the adapter's subgroup size).
pub fn fallback_lanes() -> u32 {
    GLOVE_STEP_WORKGROUP.const_u32("LANES")
}

/// Register slots a lane needs for a row of `stride` floats: `ceil(stride / lanes)`.
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
