// Row loader for `search_scan.wgsl`, rows stored as f16 on a device without SHADER_F16:
// the same 8 bytes per 4 dimensions, read as two u32 and unpacked (low half first).
// Composed in front of search_scan.wgsl (src/shaders.rs, `SEARCH_SCAN_F16_PACKED_SUBGROUP`, `SEARCH_SCAN_F16_PACKED_WORKGROUP`).
@group(0) @binding(2) var<storage, read> rows: array<vec2<u32>>;

fn row4(i: u32) -> vec4<f32> {
    let p = rows[i];
    return vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y));
}
