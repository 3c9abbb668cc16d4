// Row loader for `search_scan.wgsl`, rows stored as f32: one 16-byte load per 4 dimensions.
// Composed in front of search_scan.wgsl (src/shaders.rs, `SEARCH_SCAN_SUBGROUP`, `SEARCH_SCAN_WORKGROUP`).
@group(0) @binding(2) var<storage, read> rows: array<vec4<f32>>;

// Dimensions 4i .. 4i + 3 of the shard's row-major, dp-padded matrix.
fn row4(i: u32) -> vec4<f32> {
    return rows[i];
}
