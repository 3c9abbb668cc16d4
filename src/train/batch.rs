//! Batches grouped by row, as the GPU kernels and their twins read them.
//!
//! A batch is a run of consecutive triples. Its triples are grouped twice,
//! stably (file order is kept inside a group):
//! - by word row `i`: one [`Span`] per distinct `i` (its *slot* in the batch is
//!   its index among the batch's main spans), whose [`Entry`]s hold `(j, x)`;
//! - by context row `j`: one [`Span`] per distinct `j`, whose entries hold
//!   `(slot of i, x)`, so the context pass can read the word row as it stood
//!   at the start of the batch from the snapshot the main pass wrote.

use crate::cooccur::Cooc;

/// Largest batch (4,194,240 triples). The kernels take rows in a grid-stride
/// loop, so no dispatch limit binds; the bound keeps a batch's snapshot (one row
/// per distinct word row) within a storage binding at moderate dimensions, and the
/// GPU trainer checks the adapter's own limit.
pub const MAX_BATCH: usize = 65535 * 64;

/// A row of a batch and its run of entries. Keep in sync with `Span` in `shaders/glove_step.wgsl`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Span}};
/// let plan = BatchPlan::build(&[Cooc { i: 3, j: 1, x: 2.0 }, Cooc { i: 3, j: 0, x: 1.0 }], 8);
/// assert_eq!(plan.main_spans, [Span { row: 3, start: 0, count: 2, pad: 0 }]);
/// assert_eq!(std::mem::size_of::<Span>(), 16);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Span {
    /// The row (word id for the main pass, context id for the context pass).
    pub row: u32,
    /// First entry, an index into the whole entry array.
    pub start: u32,
    /// Number of entries.
    pub count: u32,
    /// Padding to 16 bytes.
    pub pad: u32,
}

/// One triple seen from a row. Keep in sync with `Entry` in `shaders/glove_step.wgsl`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Entry}};
/// let plan = BatchPlan::build(&[Cooc { i: 3, j: 1, x: 2.0 }], 8);
/// assert_eq!(plan.main_entries, [Entry { idx: 1, x: 2.0 }]); // j
/// assert_eq!(plan.ctx_entries, [Entry { idx: 0, x: 2.0 }]); // slot of i in the batch
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Entry {
    /// Main pass: the context id `j`. Context pass: the slot of `i` in the batch.
    pub idx: u32,
    /// The co-occurrence value.
    pub x: f32,
}

/// The parameters of one pass of one batch (`glove_step.wgsl`), bound at a
/// dynamic offset. Keep in sync with `StepParams` in `shaders/glove_step.wgsl`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{twin, BatchPlan, StepParams, TrainConfig}};
/// assert_eq!(std::mem::size_of::<StepParams>(), 48); // 12 four-byte fields, as in the WGSL
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size);
/// let [main, _context] = twin::batch_params(2, &cfg, &plan, 0);
/// assert_eq!((main.dim, main.stride, main.n_spans, main.eta), (4, 8, 1, cfg.eta));
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct StepParams {
    /// Vector dimension `d`.
    pub dim: u32,
    /// Row stride on the device: `d + 1` rounded up to `ROW_ALIGN` (see [`device_stride`]).
    pub stride: u32,
    /// Offset of context row 0 in the parameter array: `V * stride`.
    pub ctx_base: u32,
    /// First span of this batch and pass.
    pub span_base: u32,
    /// Spans of this batch and pass.
    pub n_spans: u32,
    /// Main pass: where row `r`'s cost goes (`row_cost[cost_base + r]`), the batch's
    /// first main span within its chunk.
    pub cost_base: u32,
    /// Padding.
    pub pad0: u32,
    /// Padding.
    pub pad1: u32,
    /// `x_max`.
    pub x_max: f32,
    /// `alpha`.
    pub alpha: f32,
    /// `eta`.
    pub eta: f32,
    /// Gradient clip.
    pub clip: f32,
}

/// The parameters of `glove_cost.wgsl`, once per chunk. Keep in sync with
/// `CostParams` in `shaders/glove_cost.wgsl`.
///
/// ```
/// use glove_wgpu::train::CostParams;
/// assert_eq!(std::mem::size_of::<CostParams>(), 16); // a uniform block of 16 bytes
/// let cp = CostParams { n_rows: 1000, out_base: 2, ..Default::default() };
/// assert_eq!(bytemuck::cast::<CostParams, [u32; 4]>(cp), [1000, 2, 0, 0]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct CostParams {
    /// Row costs in the chunk (its main spans).
    pub n_rows: u32,
    /// Where the chunk's first partial sum goes.
    pub out_base: u32,
    /// Padding.
    pub pad0: u32,
    /// Padding.
    pub pad1: u32,
}

/// Floats per row on the device: `dim + 1` (vector and bias) rounded up to
/// `ROW_ALIGN` (8 floats, 32 bytes, read from `glove_step.wgsl`), so every row
/// starts on a 32-byte sector and a `vec4` boundary. The padding costs 9.8 % of the
/// model's memory at d = 50 (56 for 51), 3.0 % at d = 100 (104 for 101) and 1.0 % at
/// d = 300 (304 for 301), and no traffic: the kernels never load it, and the sectors
/// a row touches are the same with or without it.
///
/// ```
/// assert_eq!(glove_wgpu::train::device_stride(50), 56);
/// assert_eq!(glove_wgpu::train::device_stride(7), 8);
/// ```
pub fn device_stride(dim: usize) -> usize {
    let align = crate::shaders::GLOVE_STEP_WORKGROUP.const_u32("ROW_ALIGN") as usize;
    (dim + 1).next_multiple_of(align)
}

/// The model's parameters and AdaGrad state in the device layout
/// ([`device_stride`] floats per row, zero padding).
///
/// ```
/// use glove_wgpu::{model::Model, train::{device_stride, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let (theta, gradsq) = to_device_layout(&m);
/// assert_eq!(theta.len(), 2 * 2 * device_stride(3)); // 2V rows of 8 floats
/// assert_eq!(&theta[8..12], m.word_row(1));
/// assert_eq!(&gradsq[12..16], [0.0; 4]); // padding
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn to_device_layout(model: &crate::model::Model) -> (Vec<f32>, Vec<f32>) {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    let rows = model.params.len() / s;
    let mut theta = vec![0f32; rows * ds];
    let mut gradsq = vec![0f32; rows * ds];
    for r in 0..rows {
        theta[r * ds..r * ds + s].copy_from_slice(&model.params[r * s..(r + 1) * s]);
        gradsq[r * ds..r * ds + s].copy_from_slice(&model.gradsq[r * s..(r + 1) * s]);
    }
    (theta, gradsq)
}

/// Copies device-layout parameters and state back into `model`.
///
/// ```
/// use glove_wgpu::{model::Model, train::{from_device_layout, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let (theta, gradsq) = to_device_layout(&m);
/// let mut back = Model::new(2, 3, 99)?;
/// from_device_layout(&mut back, &theta, &gradsq);
/// assert_eq!(back, m);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn from_device_layout(model: &mut crate::model::Model, theta: &[f32], gradsq: &[f32]) {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    let rows = model.params.len() / s;
    for r in 0..rows {
        model.params[r * s..(r + 1) * s].copy_from_slice(&theta[r * ds..r * ds + s]);
        model.gradsq[r * s..(r + 1) * s].copy_from_slice(&gradsq[r * ds..r * ds + s]);
    }
}

/// One batch: where its spans are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchRange {
    /// First main span.
    pub main_base: u32,
    /// Distinct word rows.
    pub n_main: u32,
    /// First context span.
    pub ctx_base: u32,
    /// Distinct context rows.
    pub n_ctx: u32,
}

/// Fewest triples one row may have in a batch (the cap of [`BatchPlan::build`]).
///
/// A row's triples in a batch run one after another on one lane group, so the
/// longest row of a batch bounds how long its dispatch takes, whatever the size
/// of the device. A triple whose word row or context row already has its cap in
/// the batch being filled waits for the next batch (in order, before newer
/// triples), so the cut is deterministic. A row's cap is the larger of `ROW_CAP`
/// and its fair share, `ceil(triples of the row / batches)`, so the waiting
/// triples never pile up.
///
/// Measured on kjv.txt (d 50, x_max 10, 15 epochs, seed 1, CPU twin = GPU
/// semantics), cap 0 / 4 / 8 / 16: at 4,096 triples the critical path (longest
/// rows over mean rows, summed over batches) is 8.68 / 6.15 / 6.14 / 8.09 x, the
/// final cost 0.03094 for all, analogies 5.52 / 5.85 / 5.52 / 5.52 %, WordSim
/// 0.263 / 0.263 / 0.268 / 0.262, with 951 / 971 / 963 / 951 dispatches; at 65,536
/// 15.2 / 13.9 / 13.9 / 14.0 x, cost 0.03097 / 0.03095 / 0.03096 / 0.03099,
/// analogies 5.08 / 4.97 / 5.85 / 5.74 %. The fair share sets the floor: the most
/// frequent word of kjv has about 5,000 triples, which one batch in 475 (4,096) or
/// 30 (65,536) must take in turn. On a large corpus rows repeat far less (SPEC: the
/// longest row of a 4,096 batch of a 1M-word Zipf corpus has about 2 triples).
///
/// ```
/// use glove_wgpu::train::{TrainConfig, ROW_CAP};
/// assert_eq!(TrainConfig::default().row_cap, ROW_CAP);
/// ```
pub const ROW_CAP: u32 = 8;

/// The row-grouped form of a run of triples cut into batches.
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// use glove_wgpu::train::BatchPlan;
/// let c = |i, j| Cooc { i, j, x: 1.0 };
/// let plan = BatchPlan::build(&[c(2, 0), c(1, 0), c(2, 1)], 3);
/// assert_eq!(plan.batches.len(), 1);
/// assert_eq!(plan.main_spans.len(), 2); // rows 2 and 1, in order of first appearance
/// assert_eq!(plan.main_spans[0].row, 2);
/// assert_eq!(plan.main_spans[0].count, 2);
/// assert_eq!(plan.ctx_spans.len(), 2); // rows 0 and 1
/// assert_eq!(plan.ctx_entries[1].idx, 1); // (1, 0) comes from word slot 1
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchPlan {
    /// Batches in order.
    pub batches: Vec<BatchRange>,
    /// Word-row spans of every batch.
    pub main_spans: Vec<Span>,
    /// Entries `(j, x)` grouped by word row.
    pub main_entries: Vec<Entry>,
    /// Context-row spans of every batch.
    pub ctx_spans: Vec<Span>,
    /// Entries `(slot of i, x)` grouped by context row.
    pub ctx_entries: Vec<Entry>,
    /// Most distinct word rows in one batch (the snapshot's size in rows).
    pub max_main: u32,
}

/// Per-worker scratch of the grouping: a slot per row id, `NONE` when unused.
struct Scratch {
    slot: Vec<u32>,
    counts: Vec<u32>,
    rows: Vec<u32>,
    first: Vec<u32>,
    main_slot: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Scratch {
    fn new(rows: usize) -> Self {
        Scratch {
            slot: vec![NONE; rows],
            counts: Vec::new(),
            rows: Vec::new(),
            first: Vec::new(),
            main_slot: Vec::new(),
        }
    }

    /// Groups `keys` by value in order of first appearance: fills `rows`, `counts`
    /// and `first` (where each group starts), and returns each key's group.
    fn group(&mut self, keys: impl Iterator<Item = u32>, of: &mut Vec<u32>) {
        self.rows.clear();
        self.counts.clear();
        of.clear();
        for k in keys {
            let s = &mut self.slot[k as usize];
            if *s == NONE {
                *s = self.rows.len() as u32;
                self.rows.push(k);
                self.counts.push(0);
            }
            self.counts[*s as usize] += 1;
            of.push(*s);
        }
        for &r in &self.rows {
            self.slot[r as usize] = NONE;
        }
        self.first.clear();
        let mut acc = 0u32;
        for &c in &self.counts {
            self.first.push(acc);
            acc += c;
        }
    }
}

impl Scratch {
    /// The groups of the last [`Scratch::group`] as spans of entries from `base`.
    fn spans(&self, base: u32) -> Vec<Span> {
        self.rows
            .iter()
            .zip(self.counts.iter().zip(&self.first))
            .map(|(&row, (&count, &first))| Span {
                row,
                start: base + first,
                count,
                pad: 0,
            })
            .collect()
    }
}

/// One batch grouped twice; its entries go to `main` and `ctx` (the batch's
/// share of the plan's arrays, starting at entry `base`).
fn group_batch(
    cooc: &[Cooc],
    order: &[u32],
    base: u32,
    main: &mut [Entry],
    ctx: &mut [Entry],
    scr: &mut Scratch,
) -> (Vec<Span>, Vec<Span>) {
    let mut of = std::mem::take(&mut scr.main_slot);
    scr.group(order.iter().map(|&t| cooc[t as usize].i), &mut of);
    let main_spans = scr.spans(base);
    for (&t, &slot) in order.iter().zip(&of) {
        let c = cooc[t as usize];
        let at = &mut scr.first[slot as usize];
        main[*at as usize] = Entry { idx: c.j, x: c.x };
        *at += 1;
    }
    let main_slot = of;
    let mut of = Vec::with_capacity(order.len());
    scr.group(order.iter().map(|&t| cooc[t as usize].j), &mut of);
    let ctx_spans = scr.spans(base);
    for ((&t, &slot), &ms) in order.iter().zip(&of).zip(&main_slot) {
        let at = &mut scr.first[slot as usize];
        ctx[*at as usize] = Entry {
            idx: ms,
            x: cooc[t as usize].x,
        };
        *at += 1;
    }
    scr.main_slot = main_slot;
    (main_spans, ctx_spans)
}

/// Cuts `cooc` into batches of at most `batch` triples in which no row appears
/// more often than its cap (see [`ROW_CAP`]; `cap == 0`: no cap). Returns the
/// triples' order and the batches' bounds in it.
fn cut(cooc: &[Cooc], batch: usize, cap: u32, rows: usize) -> (Vec<u32>, Vec<usize>) {
    let n = cooc.len();
    let mut order = Vec::with_capacity(n);
    let mut bounds = vec![0usize];
    if cap == 0 {
        order.extend(0..n as u32);
        bounds.extend((1..=n.div_ceil(batch)).map(|b| (b * batch).min(n)));
        return (order, bounds);
    }
    // Caps: the larger of `cap` and the row's fair share of the batches.
    let batches = n.div_ceil(batch).max(1) as u32;
    let (mut cap_i, mut cap_j) = (vec![0u32; rows], vec![0u32; rows]);
    for c in cooc {
        cap_i[c.i as usize] += 1;
        cap_j[c.j as usize] += 1;
    }
    for v in cap_i.iter_mut().chain(cap_j.iter_mut()) {
        *v = v.div_ceil(batches).max(cap);
    }
    let (mut used_i, mut used_j) = (vec![0u32; rows], vec![0u32; rows]);
    let mut waiting: std::collections::VecDeque<u32> = Default::default();
    let mut next = 0usize;
    while next < n || !waiting.is_empty() {
        let start = order.len();
        let mut fits = |t: u32, order: &mut Vec<u32>| {
            let c = cooc[t as usize];
            let (i, j) = (c.i as usize, c.j as usize);
            if used_i[i] < cap_i[i] && used_j[j] < cap_j[j] {
                used_i[i] += 1;
                used_j[j] += 1;
                order.push(t);
                true
            } else {
                false
            }
        };
        for _ in 0..waiting.len() {
            let t = waiting.pop_front().expect("counted");
            if order.len() - start == batch || !fits(t, &mut order) {
                waiting.push_back(t);
            }
        }
        while order.len() - start < batch && next < n {
            let t = next as u32;
            next += 1;
            if !fits(t, &mut order) {
                waiting.push_back(t);
            }
        }
        for &t in &order[start..] {
            let c = cooc[t as usize];
            used_i[c.i as usize] = 0;
            used_j[c.j as usize] = 0;
        }
        bounds.push(order.len());
    }
    (order, bounds)
}

impl BatchPlan {
    /// Cuts `cooc` into batches of `batch_size` triples with rows capped at
    /// [`ROW_CAP`] and groups each by rows. Entry indices are offsets into this
    /// plan's arrays.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let cooc: Vec<Cooc> = (0..5).map(|k| Cooc { i: k, j: k + 1, x: 1.0 }).collect();
    /// let plan = BatchPlan::build(&cooc, 2);
    /// assert_eq!(plan.batches.len(), 3); // 2 + 2 + 1 triples
    /// assert_eq!(plan.max_main, 2);
    /// ```
    pub fn build(cooc: &[Cooc], batch_size: usize) -> Self {
        Self::build_capped(cooc, batch_size, ROW_CAP)
    }

    /// As [`BatchPlan::build`] with another row cap (0: none, batches are runs of
    /// consecutive triples). The cut runs on one thread (it is a scan with a
    /// queue); the grouping of the batches runs in parallel, with dense arrays.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// let cooc = [c(0, 1), c(0, 2), c(0, 3), c(0, 4), c(1, 5), c(2, 6), c(3, 7), c(4, 8)];
    /// let runs = BatchPlan::build_capped(&cooc, 4, 0); // batches of consecutive triples
    /// assert_eq!((runs.main_spans[0].row, runs.main_spans[0].count), (0, 4));
    /// let capped = BatchPlan::build_capped(&cooc, 4, 1); // row 0's fair share: 4 / 2 batches
    /// assert_eq!((capped.main_spans[0].row, capped.main_spans[0].count), (0, 2));
    /// ```
    pub fn build_capped(cooc: &[Cooc], batch_size: usize, cap: u32) -> Self {
        use rayon::prelude::*;
        let batch_size = batch_size.clamp(1, MAX_BATCH);
        let rows = cooc
            .par_iter()
            .map(|c| c.i.max(c.j) as usize + 1)
            .max()
            .unwrap_or(0);
        let (order, bounds) = cut(cooc, batch_size, cap, rows);
        let n = order.len();
        let mut main_entries = vec![Entry::default(); n];
        let mut ctx_entries = vec![Entry::default(); n];
        let mut parts = Vec::with_capacity(bounds.len().saturating_sub(1));
        let (mut m, mut c) = (&mut main_entries[..], &mut ctx_entries[..]);
        for w in bounds.windows(2) {
            let len = w[1] - w[0];
            let (mh, mt) = std::mem::take(&mut m).split_at_mut(len);
            let (ch, ct) = std::mem::take(&mut c).split_at_mut(len);
            parts.push((w[0], &order[w[0]..w[1]], mh, ch));
            m = mt;
            c = ct;
        }
        let spans: Vec<(Vec<Span>, Vec<Span>)> = parts
            .into_par_iter()
            .map_init(
                || Scratch::new(rows),
                |scr, (base, ord, me, ce)| group_batch(cooc, ord, base as u32, me, ce, scr),
            )
            .collect();
        let mut plan = BatchPlan {
            main_entries,
            ctx_entries,
            ..Default::default()
        };
        for (ms, cs) in spans {
            plan.batches.push(BatchRange {
                main_base: plan.main_spans.len() as u32,
                n_main: ms.len() as u32,
                ctx_base: plan.ctx_spans.len() as u32,
                n_ctx: cs.len() as u32,
            });
            plan.max_main = plan.max_main.max(ms.len() as u32);
            plan.main_spans.extend(ms);
            plan.ctx_spans.extend(cs);
        }
        plan
    }

    /// Bytes the plan takes on the device.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }], 8);
    /// assert_eq!(plan.device_bytes(), 2 * 16 + 2 * 8); // a main and a context span and entry
    /// ```
    pub fn device_bytes(&self) -> u64 {
        (self.main_spans.len() + self.ctx_spans.len()) as u64 * 16
            + (self.main_entries.len() + self.ctx_entries.len()) as u64 * 8
    }

    /// Triples in the plan.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }; 3], 2);
    /// assert_eq!(plan.triples(), 3);
    /// ```
    pub fn triples(&self) -> usize {
        self.main_entries.len()
    }
}
