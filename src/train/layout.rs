//! What the training kernels read besides the plan: the model's device layout and
//! the kernels' parameter blocks (`#[repr(C)]` mirrors of the WGSL structs).
//!
//! ## The model on the device
//! A row is `2 * stride` floats: the vector and its bias, zero padding to `stride`
//! ([`device_stride`]: `dim + 1` rounded up to 8 floats, so rows start on 32-byte
//! sectors), then the row's AdaGrad state in the same shape, so one row's
//! parameters and state are neighbours in memory. Word rows `0..V`, context rows
//! `V..2V`. The GPU trainer splits the rows over up to `MAX_SHARDS` (8) storage
//! bindings of `shard_rows` rows each; the CPU twins see one array.

use crate::model::Model;

/// The parameters of one pass of one batch (`glove_step.wgsl`), bound at a
/// dynamic offset. Keep in sync with `StepParams` in `shaders/glove_step.wgsl`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{twin, BatchPlan, StepParams, TrainConfig}};
/// assert_eq!(std::mem::size_of::<StepParams>(), 48); // 12 four-byte fields, as in the WGSL
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], cfg.batch_size);
/// let [main, _context] = twin::batch_params(2, &cfg, plan.batches()[0], (0, 0, 0), 2);
/// assert_eq!((main.dim, main.stride, main.n_spans, main.eta), (4, 8, 1, cfg.eta));
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct StepParams {
    /// Vector dimension `d`.
    pub dim: u32,
    /// Floats of a row's vector part on the device (see [`device_stride`]); its
    /// AdaGrad state follows at `+stride`.
    pub stride: u32,
    /// Row index of context row 0: `V`.
    pub ctx_row: u32,
    /// Rows per model shard.
    pub shard_rows: u32,
    /// This batch's first span of this pass, in the chunk's span array.
    pub span_base: u32,
    /// Spans of this batch and pass.
    pub n_spans: u32,
    /// This batch's first entry, in the chunk's entry array.
    pub entry_base: u32,
    /// Triples of the batch (where its last span's entries end).
    pub n_entries: u32,
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
/// let cp = CostParams { n_batches: 1000, out_base: 2, ..Default::default() };
/// assert_eq!(bytemuck::cast::<CostParams, [u32; 4]>(cp), [1000, 2, 0, 0]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct CostParams {
    /// Batches of the chunk.
    pub n_batches: u32,
    /// The plan's index of the chunk's first batch (where its partials go).
    pub out_base: u32,
    /// Padding.
    pub pad0: u32,
    /// Padding.
    pub pad1: u32,
}

/// Floats of a row's vector part on the device: `dim + 1` (vector and bias)
/// rounded up to `ROW_ALIGN` (8 floats, 32 bytes, read from `glove_step.wgsl`), so
/// every row starts on a 32-byte sector and a `vec4` boundary. The padding costs
/// 9.8 % of the model's memory at d = 50 (56 for 51), 3.0 % at d = 100 (104 for
/// 101) and 1.0 % at d = 300 (304 for 301), and no traffic: the kernels never load
/// it, and the sectors a row touches are the same with or without it.
///
/// ```
/// assert_eq!(glove_wgpu::train::device_stride(50), 56);
/// assert_eq!(glove_wgpu::train::device_stride(7), 8);
/// ```
pub fn device_stride(dim: usize) -> usize {
    let align = crate::shaders::GLOVE_STEP_WORKGROUP.const_u32("ROW_ALIGN") as usize;
    (dim + 1).next_multiple_of(align)
}

/// Rows `rows` of the model (of its `2V`) in the device layout: `2 * stride`
/// floats a row, parameters then AdaGrad state, zero padding.
///
/// ```
/// use glove_wgpu::{model::Model, train::{device_stride, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let rows = to_device_layout(&m, 0..4);
/// let s = device_stride(3);
/// assert_eq!(rows.len(), 4 * 2 * s); // 2V rows of 8 + 8 floats
/// assert_eq!(&rows[2 * s..2 * s + 4], m.word_row(1));
/// assert_eq!(&rows[3 * s..3 * s + 4], [1.0; 4]); // word row 1's AdaGrad state
/// assert_eq!(&rows[3 * s + 4..4 * s], [0.0; 4]); // padding
/// assert_eq!(to_device_layout(&m, 1..2), rows[2 * s..4 * s]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn to_device_layout(model: &Model, rows: std::ops::Range<usize>) -> Vec<f32> {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    let mut out = vec![0f32; rows.len() * 2 * ds];
    for (k, r) in rows.enumerate() {
        let at = k * 2 * ds;
        out[at..at + s].copy_from_slice(&model.params[r * s..(r + 1) * s]);
        out[at + ds..at + ds + s].copy_from_slice(&model.gradsq[r * s..(r + 1) * s]);
    }
    out
}

/// Copies device-layout rows back into `model`, from row `first`.
///
/// ```
/// use glove_wgpu::{model::Model, train::{from_device_layout, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let mut back = Model::new(2, 3, 99)?;
/// from_device_layout(&mut back, 0, &to_device_layout(&m, 0..4));
/// assert_eq!(back, m);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn from_device_layout(model: &mut Model, first: usize, rows: &[f32]) {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    for (k, row) in rows.chunks_exact(2 * ds).enumerate() {
        let r = first + k;
        model.params[r * s..(r + 1) * s].copy_from_slice(&row[..s]);
        model.gradsq[r * s..(r + 1) * s].copy_from_slice(&row[ds..ds + s]);
    }
}
