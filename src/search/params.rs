//! The `#[repr(C)]` mirrors of the search kernels' WGSL structs, scalars only.
//! Each keeps the name of its WGSL struct, field by field in the same order.

/// Keep in sync with `ScanParams` in `shaders/search_scan.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct ScanParams {
    pub n_rows: u32,
    pub row_base: u32,
    pub dp: u32,
    pub n_queries: u32,
    pub query_base: u32,
    pub k: u32,
    pub chunk_rows: u32,
    pub chunk_base: u32,
    pub lists_per_query: u32,
    pub metric: u32,
    pub mode: u32,
    pub item_base: u32,
    pub paged: u32,
    pub neg_inf: f32,
}

/// Keep in sync with `ScanItem` in `shaders/search_scan.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct ScanItem {
    pub row_start: u32,
    pub row_count: u32,
    pub pair_start: u32,
    pub pair_count: u32,
    pub out_base: u32,
}

/// Keep in sync with `MergeParams` in `shaders/search_merge.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct MergeParams {
    pub n_queries: u32,
    pub k: u32,
    pub lists_per_query: u32,
    pub listed: u32,
    pub queries_per_group: u32,
    pub neg_inf: f32,
}

/// Keep in sync with `Cand` in `shaders/search_scan.wgsl` and `search_merge.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Cand {
    pub key: f32,
    pub id: u32,
}
