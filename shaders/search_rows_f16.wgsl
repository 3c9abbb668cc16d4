// Row loader for `search_scan.wgsl`, rows stored as f16 on a device with SHADER_F16:
// one 8-byte `vec4<f16>` load per 4 dimensions, widened to f32 (products accumulate in f32).
// Composed in front of search_scan.wgsl (src/shaders.rs, `SEARCH_SCAN_F16_SUBGROUP`, `SEARCH_SCAN_F16_WORKGROUP`).
enable f16;

@group(0) @binding(2) var<storage, read> rows: array<vec4<f16>>;

fn row4(i: u32) -> vec4<f32> {
    return vec4<f32>(rows[i]);
}
