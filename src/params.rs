//! The host mirrors of the structs the WGSL kernels read: `#[repr(C)]` bytemuck
//! `Pod` types of 4-byte scalars, each tied to its WGSL struct by name and field
//! order. `tests/shaders.rs` parses every kernel with naga and checks each mirror's
//! field names, offsets and size against the WGSL, so a reordered or resized field
//! fails a test instead of a run.
//!
//! The module sits below the shader registry ([`crate::shaders`] reads the sizes of
//! the parameter blocks from here) and above nothing: the training modules import
//! these types, not the other way round. [`crate::train`] re-exports them.

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
    /// Floats of a row's vector part on the device (see [`crate::train::device_stride`]); its
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

/// A row of a batch and where its entries start. Keep in sync with `Span` in
/// `shaders/glove_step.wgsl`.
///
/// `start` counts from the batch's first entry; the span's entries end where the
/// next span of the batch starts, or at the batch's end.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Span}};
/// let plan = BatchPlan::build(&[Cooc { i: 3, j: 1, x: 2.0 }, Cooc { i: 3, j: 0, x: 1.0 }], 8);
/// assert_eq!(plan.main_spans(), [Span { row: 3, start: 0 }]);
/// assert_eq!(std::mem::size_of::<Span>(), 8);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Span {
    /// The row (word id for the main pass, context id for the context pass).
    pub row: u32,
    /// First entry, counted from the batch's first entry.
    pub start: u32,
}

/// One triple seen from a row. Keep in sync with `Entry` in `shaders/glove_step.wgsl`.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Entry}};
/// let plan = BatchPlan::build(&[Cooc { i: 3, j: 1, x: 2.0 }], 8);
/// assert_eq!(plan.main_entries(), [Entry { idx: 1, x: 2.0 }]); // j
/// assert_eq!(plan.ctx_entries(), [Entry { idx: 0, x: 2.0 }]); // slot of i in the batch
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Entry {
    /// Main pass: the context id `j`. Context pass: the slot of `i` in the batch.
    pub idx: u32,
    /// The co-occurrence value.
    pub x: f32,
}
