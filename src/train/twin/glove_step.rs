//! The CPU twin of `shaders/glove_step.wgsl` (both lane paths): [`main_pass`] and
//! [`context_pass`], with the kernel's bindings in its order (parameters, the
//! model's rows, snapshot, spans, entries, row costs) and its loops: a row's
//! triples in order, the residual summed lane by lane then by the lanes' tree.

use rayon::prelude::*;

use super::lane_sum;
use super::slots;
use crate::params::{Entry, Span, StepParams};
use crate::train::traffic::lane_element;
use crate::train::weight;

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
