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

/// Largest batch: the kernels dispatch one invocation per distinct row of a
/// batch (64 per workgroup), and wgpu's default limit is 65535 workgroups per
/// dispatch dimension; the GPU trainer also checks the adapter's own limit.
pub const MAX_BATCH: usize = 65535 * 64;

/// A row of a batch and its run of entries. Keep in sync with `Span` in `shaders/glove_step.wgsl`.
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
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Entry {
    /// Main pass: the context id `j`. Context pass: the slot of `i` in the batch.
    pub idx: u32,
    /// The co-occurrence value.
    pub x: f32,
}

/// The uniform of every kernel of `glove_step.wgsl` and `glove_cost.wgsl`.
/// Keep in sync with `StepParams` in both WGSL files.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct StepParams {
    /// Vector dimension `d`.
    pub dim: u32,
    /// Row stride `d + 1`.
    pub stride: u32,
    /// Offset of context row 0 in the parameter array: `V * stride`.
    pub ctx_base: u32,
    /// First span of this batch and pass.
    pub span_base: u32,
    /// Spans of this batch and pass (main pass: also the number of row costs).
    pub n_spans: u32,
    /// Where the cost kernel writes this batch's cost.
    pub cost_slot: u32,
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

/// Groups `keys` (one per triple of a batch) by value in order of first
/// appearance, stably; returns `(row, positions)` pairs flattened.
fn group(
    keys: &[u32],
    map: &mut std::collections::HashMap<u32, u32>,
) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    map.clear();
    let mut rows = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut slot_of = Vec::with_capacity(keys.len());
    for &k in keys {
        let slot = *map.entry(k).or_insert_with(|| {
            rows.push(k);
            counts.push(0);
            (rows.len() - 1) as u32
        });
        counts[slot as usize] += 1;
        slot_of.push(slot);
    }
    // Counting sort of positions by slot, stable.
    let mut start = Vec::with_capacity(counts.len() + 1);
    let mut acc = 0u32;
    for &c in &counts {
        start.push(acc);
        acc += c;
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; keys.len()];
    for (pos, &slot) in slot_of.iter().enumerate() {
        order[fill[slot as usize] as usize] = pos as u32;
        fill[slot as usize] += 1;
    }
    (rows, counts, order)
}

impl BatchPlan {
    /// Cuts `cooc` into batches of `batch_size` triples (the last may be shorter)
    /// and groups each by rows. Entry indices are offsets into this plan's arrays.
    pub fn build(cooc: &[Cooc], batch_size: usize) -> Self {
        let batch_size = batch_size.clamp(1, MAX_BATCH);
        let mut plan = BatchPlan {
            main_entries: Vec::with_capacity(cooc.len()),
            ctx_entries: Vec::with_capacity(cooc.len()),
            ..Default::default()
        };
        let mut map = std::collections::HashMap::new();
        let mut keys = Vec::with_capacity(batch_size.min(cooc.len()));
        for b in cooc.chunks(batch_size) {
            let mut range = BatchRange {
                main_base: plan.main_spans.len() as u32,
                ctx_base: plan.ctx_spans.len() as u32,
                ..Default::default()
            };
            keys.clear();
            keys.extend(b.iter().map(|c| c.i));
            let (rows, counts, order) = group(&keys, &mut map);
            // slot of each triple's word row, for the context entries
            let mut main_slot = vec![0u32; b.len()];
            let mut pos = 0usize;
            for (slot, (&row, &count)) in rows.iter().zip(&counts).enumerate() {
                plan.main_spans.push(Span {
                    row,
                    start: plan.main_entries.len() as u32,
                    count,
                    pad: 0,
                });
                for &t in &order[pos..pos + count as usize] {
                    main_slot[t as usize] = slot as u32;
                    let c = b[t as usize];
                    plan.main_entries.push(Entry { idx: c.j, x: c.x });
                }
                pos += count as usize;
            }
            range.n_main = rows.len() as u32;
            plan.max_main = plan.max_main.max(range.n_main);
            keys.clear();
            keys.extend(b.iter().map(|c| c.j));
            let (rows, counts, order) = group(&keys, &mut map);
            let mut pos = 0usize;
            for (&row, &count) in rows.iter().zip(&counts) {
                plan.ctx_spans.push(Span {
                    row,
                    start: plan.ctx_entries.len() as u32,
                    count,
                    pad: 0,
                });
                for &t in &order[pos..pos + count as usize] {
                    plan.ctx_entries.push(Entry {
                        idx: main_slot[t as usize],
                        x: b[t as usize].x,
                    });
                }
                pos += count as usize;
            }
            range.n_ctx = rows.len() as u32;
            plan.batches.push(range);
        }
        plan
    }

    /// Bytes the plan takes on the device.
    pub fn device_bytes(&self) -> u64 {
        (self.main_spans.len() + self.ctx_spans.len()) as u64 * 16
            + (self.main_entries.len() + self.ctx_entries.len()) as u64 * 8
    }
}
