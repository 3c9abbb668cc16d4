//! The host mirrors of the structs the WGSL kernels read: `#[repr(C)]` bytemuck
//! `Pod` types of 4-byte scalars, each tied to its WGSL struct by name and field
//! order. `tests/shaders.rs` parses every kernel with naga and checks each mirror's
//! field names, offsets and size against the WGSL, so a reordered or resized field
//! fails a test instead of a run.
//!
//! The module sits below the shader registry ([`crate::shaders`] reads the sizes of
//! the parameter blocks from here) and above nothing: the training modules import
//! these types, not the other way round. [`crate::train`] re-exports the training
//! kernels' mirrors and [`crate::search`] the search kernels'.

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

/// The parameters of one dispatch of the search scan (`scan` in
/// `shaders/search_scan.wgsl`), bound at a dynamic offset. Keep in sync with
/// `ScanParams` there.
///
/// ```
/// use glove_wgpu::search::ScanParams;
/// assert_eq!(std::mem::size_of::<ScanParams>(), 52); // 13 four-byte fields, as in the WGSL
/// let p = ScanParams { k: 10, neg_inf: f32::NEG_INFINITY, ..Default::default() };
/// assert_eq!(bytemuck::cast::<ScanParams, [u32; 13]>(p)[4], 10);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ScanParams {
    /// Exact search: rows in this shard.
    pub n_rows: u32,
    /// Exact search: id of the shard's row 0.
    pub row_base: u32,
    /// Padded dimension (a multiple of 4).
    pub dp: u32,
    /// Queries in this batch.
    pub n_queries: u32,
    /// Hits per list (at most `MAX_K`, one page).
    pub k: u32,
    /// Exact search: rows per workgroup, a multiple of `TILE_E`.
    pub chunk_rows: u32,
    /// Exact search: index of this shard's chunk 0 among all chunks.
    pub chunk_base: u32,
    /// Exact search: chunks of all shards (lists per query).
    pub lists_per_query: u32,
    /// The metric's code (`METRIC_EUCLIDEAN` in the WGSL for Euclidean, else 0).
    pub metric: u32,
    /// 0: exact search, 1: the work items of an IVF scan.
    pub mode: u32,
    /// IVF scan: this dispatch's first work item.
    pub item_base: u32,
    /// 1: keep only keys after each query's bound (pages of `k` above `MAX_K`).
    pub paged: u32,
    /// `-inf` (WGSL has no literal for it).
    pub neg_inf: f32,
}

/// One work item of an IVF scan: a range of one list's stored rows against up
/// to `TILE_Q` queries that probe it. Keep in sync with `ScanItem` in
/// `shaders/search_scan.wgsl`.
///
/// ```
/// use glove_wgpu::search::ScanItem;
/// assert_eq!(std::mem::size_of::<ScanItem>(), 20);
/// let item = ScanItem { row_start: 128, row_count: 64, pair_count: 3, ..Default::default() };
/// assert_eq!(item.row_start + item.row_count, 192);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ScanItem {
    /// The shard's stored rows `row_start ..`
    pub row_start: u32,
    /// `.. row_start + row_count`.
    pub row_count: u32,
    /// Its queries: `pairs[pair_start .. pair_start + pair_count]`.
    pub pair_start: u32,
    /// At most `TILE_Q`.
    pub pair_count: u32,
    /// Query `i` of the item writes list `out_base + i`.
    pub out_base: u32,
}

/// The parameters of the search merge (`shaders/search_merge.wgsl`), bound at a
/// dynamic offset. Keep in sync with `MergeParams` there.
///
/// ```
/// use glove_wgpu::search::MergeParams;
/// assert_eq!(std::mem::size_of::<MergeParams>(), 24);
/// let p = MergeParams { n_queries: 5, k: 10, listed: 1, ..Default::default() };
/// assert_eq!(bytemuck::cast::<MergeParams, [u32; 6]>(p)[..4], [5, 10, 0, 1]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MergeParams {
    /// Queries to merge.
    pub n_queries: u32,
    /// Hits per query.
    pub k: u32,
    /// `listed` 0: lists per query.
    pub lists_per_query: u32,
    /// 1: each query's lists come from `q_off` and `q_lists` (an IVF scan).
    pub listed: u32,
    /// `merge_subgroup`: queries (subgroups) per workgroup.
    pub queries_per_group: u32,
    /// `-inf`.
    pub neg_inf: f32,
}

/// One entry of a search list: a key (the score the kernels maximise) and a row
/// id (`EMPTY` in the WGSL: none). Keep in sync with `Cand` in
/// `shaders/search_scan.wgsl` and `shaders/search_merge.wgsl`.
///
/// ```
/// use glove_wgpu::search::Cand;
/// assert_eq!(std::mem::size_of::<Cand>(), 8);
/// let c = Cand { key: 0.5, id: 7 };
/// assert_eq!(bytemuck::cast::<Cand, [u32; 2]>(c), [0.5f32.to_bits(), 7]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Cand {
    /// The key: higher is better.
    pub key: f32,
    /// The row's id.
    pub id: u32,
}
