//! CPU twins of `shaders/glove_step.wgsl` and `shaders/glove_cost.wgsl`: the same
//! bindings in the same order, the same loops, rows in parallel with rayon.
//!
//! | kernel | twin |
//! | --- | --- |
//! | `glove_step.wgsl` `main_pass` | [`main_pass`] |
//! | `glove_step.wgsl` `context_pass` | [`context_pass`] |
//! | `glove_cost.wgsl` `reduce_cost` | [`reduce_cost`] |
//!
//! Rows of one pass are distinct, so each row is computed from read-only inputs
//! in parallel and written back afterwards: the result does not depend on the
//! thread count.

use rayon::prelude::*;

use super::batch::{BatchPlan, Entry, Span, StepParams};
use super::TrainConfig;
use crate::model::Model;

/// Workgroup size of `reduce_cost`, read from the WGSL.
pub fn cost_wg() -> u32 {
    crate::shaders::GLOVE_COST.const_u32("COST_WG")
}

#[inline]
fn weight(p: &StepParams, x: f32) -> f32 {
    if x > p.x_max {
        1.0
    } else {
        (x / p.x_max).powf(p.alpha)
    }
}

/// `w.c + b_w + b_c - ln x`, summed in the shader's order (word row first).
#[inline]
fn residual(d: usize, w: &[f32], c: &[f32], x: f32) -> f32 {
    let mut dot = 0.0f32;
    for k in 0..d {
        dot += w[k] * c[k];
    }
    dot + w[d] + c[d] - x.ln()
}

/// glove.c's AdaGrad step of `row` (vector then bias, state `g`) against the
/// fixed `other` row: `t = clamp(fdiff other[k]) eta`, `row[k] -= t / sqrt(g[k])`,
/// `g[k] += t^2`; the bias moves by `fdiff / sqrt(g)` (no eta, no clip).
#[inline]
fn adagrad_step(p: &StepParams, row: &mut [f32], g: &mut [f32], other: &[f32], fdiff: f32) {
    let d = p.dim as usize;
    for k in 0..d {
        let t = (fdiff * other[k]).clamp(-p.clip, p.clip) * p.eta;
        row[k] -= t / g[k].sqrt();
        g[k] += t * t;
    }
    row[d] -= fdiff / g[d].sqrt();
    g[d] += fdiff * fdiff;
}

/// Twin of `main_pass`: for each of the `p.n_spans` spans from `p.span_base`,
/// snapshot the word row, update it triple after triple against the context
/// rows of `theta`, and write the row's cost to `row_cost[r]`.
pub fn main_pass(
    p: &StepParams,
    theta: &mut [f32],
    gradsq: &mut [f32],
    snapshot: &mut [f32],
    spans: &[Span],
    entries: &[Entry],
    row_cost: &mut [f32],
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let spans = &spans[p.span_base as usize..(p.span_base + p.n_spans) as usize];
    let theta_r: &[f32] = theta;
    let gradsq_r: &[f32] = gradsq;
    let rows: Vec<(Vec<f32>, Vec<f32>, f32)> = spans
        .par_iter()
        .map(|span| {
            let wi = span.row as usize * s;
            let mut w = theta_r[wi..wi + s].to_vec();
            let mut g = gradsq_r[wi..wi + s].to_vec();
            let mut cost = 0.0f32;
            for en in &entries[span.start as usize..(span.start + span.count) as usize] {
                let cj = p.ctx_base as usize + en.idx as usize * s;
                let c = &theta_r[cj..cj + s];
                let diff = residual(d, &w, c, en.x);
                if !diff.is_finite() {
                    continue;
                }
                let fdiff = weight(p, en.x) * diff;
                cost += 0.5 * fdiff * diff;
                adagrad_step(p, &mut w, &mut g, c, fdiff);
            }
            (w, g, cost)
        })
        .collect();
    for (r, (span, (w, g, cost))) in spans.iter().zip(rows).enumerate() {
        let wi = span.row as usize * s;
        snapshot[r * s..(r + 1) * s].copy_from_slice(&theta[wi..wi + s]);
        theta[wi..wi + s].copy_from_slice(&w);
        gradsq[wi..wi + s].copy_from_slice(&g);
        row_cost[r] = cost;
    }
}

/// Twin of `context_pass`: for each span, update the context row triple after
/// triple against the word rows in `snapshot` (as they stood before the batch).
pub fn context_pass(
    p: &StepParams,
    theta: &mut [f32],
    gradsq: &mut [f32],
    snapshot: &[f32],
    spans: &[Span],
    entries: &[Entry],
) {
    let (d, s) = (p.dim as usize, p.stride as usize);
    let spans = &spans[p.span_base as usize..(p.span_base + p.n_spans) as usize];
    let theta_r: &[f32] = theta;
    let gradsq_r: &[f32] = gradsq;
    let rows: Vec<(Vec<f32>, Vec<f32>)> = spans
        .par_iter()
        .map(|span| {
            let cj = p.ctx_base as usize + span.row as usize * s;
            let mut c = theta_r[cj..cj + s].to_vec();
            let mut g = gradsq_r[cj..cj + s].to_vec();
            for en in &entries[span.start as usize..(span.start + span.count) as usize] {
                let si = en.idx as usize * s;
                let w = &snapshot[si..si + s];
                let diff = residual(d, w, &c, en.x);
                if !diff.is_finite() {
                    continue;
                }
                let fdiff = weight(p, en.x) * diff;
                adagrad_step(p, &mut c, &mut g, w, fdiff);
            }
            (c, g)
        })
        .collect();
    for (span, (c, g)) in spans.iter().zip(rows) {
        let cj = p.ctx_base as usize + span.row as usize * s;
        theta[cj..cj + s].copy_from_slice(&c);
        gradsq[cj..cj + s].copy_from_slice(&g);
    }
}

/// Twin of `reduce_cost`: `COST_WG` strided partial sums of `row_cost[..n_spans]`,
/// then a tree, written to `batch_costs[cost_slot]` (the GPU's summation order).
pub fn reduce_cost(p: &StepParams, row_cost: &[f32], batch_costs: &mut [f32]) {
    let wg = cost_wg() as usize;
    let n = p.n_spans as usize;
    let mut partial: Vec<f32> = (0..wg)
        .map(|t| {
            let mut s = 0.0f32;
            let mut r = t;
            while r < n {
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
    batch_costs[p.cost_slot as usize] = partial[0];
}

/// The three uniforms of batch `b` of `plan` (main pass, context pass, cost), as the GPU trainer uploads them.
pub fn batch_params(
    model_vocab: usize,
    cfg: &TrainConfig,
    plan: &BatchPlan,
    b: usize,
) -> [StepParams; 3] {
    let range = plan.batches[b];
    let base = StepParams {
        dim: cfg.dim as u32,
        stride: cfg.dim as u32 + 1,
        ctx_base: (model_vocab * (cfg.dim + 1)) as u32,
        cost_slot: b as u32,
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
        StepParams {
            span_base: 0,
            n_spans: range.n_main,
            ..base
        },
    ]
}

/// One epoch of the batched trainer on the CPU: every batch of `plan` through the
/// three twins, in order. Returns the summed cost (batch costs added in f64).
pub fn epoch_batched(model: &mut Model, plan: &BatchPlan, cfg: &TrainConfig) -> f64 {
    let s = model.stride();
    let mut snapshot = vec![0.0f32; plan.max_main as usize * s];
    let mut row_cost = vec![0.0f32; plan.max_main as usize];
    let mut batch_costs = vec![0.0f32; plan.batches.len()];
    for b in 0..plan.batches.len() {
        let [pm, pc, pr] = batch_params(model.vocab, cfg, plan, b);
        main_pass(
            &pm,
            &mut model.params,
            &mut model.gradsq,
            &mut snapshot,
            &plan.main_spans,
            &plan.main_entries,
            &mut row_cost,
        );
        context_pass(
            &pc,
            &mut model.params,
            &mut model.gradsq,
            &snapshot,
            &plan.ctx_spans,
            &plan.ctx_entries,
        );
        reduce_cost(&pr, &row_cost, &mut batch_costs);
    }
    batch_costs.iter().map(|&c| c as f64).sum()
}
