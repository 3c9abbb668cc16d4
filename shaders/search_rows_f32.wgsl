// Row loader for `search.wgsl`, rows stored as f32: one 16-byte load per 4 dimensions.
// Composed in front of search.wgsl (src/shaders.rs, `SEARCH`, `SEARCH_SUBGROUP`).
@group(0) @binding(2) var<storage, read> rows: array<vec4<f32>>;

// Dimensions 4i .. 4i + 3 of the shard's row-major, dp-padded matrix.
fn row4(i: u32) -> vec4<f32> {
    return rows[i];
}
