// The cost of one chunk of batches: the main pass's per-row costs, summed in
// blocks of COST_BLOCK rows, one workgroup per block, in a fixed order (strided
// partial sums, then a tree), one partial sum per block. The host adds the
// partials in f64 in block order. No float atomics, so the figure is deterministic.
// CPU twin: `reduce_cost` in src/train/twin.rs.

// Keep in sync with `CostParams` in src/train/batch.rs.
struct CostParams {
    n_rows: u32,     // row costs of the chunk
    out_base: u32,   // where this chunk's partials go
    pad0: u32,
    pad1: u32,
}

const COST_WG: u32 = 256u;
const COST_BLOCK: u32 = 16384u;

@group(0) @binding(0) var<uniform> cp: CostParams;
@group(0) @binding(1) var<storage, read> row_cost: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> partial: array<f32, COST_WG>;

@compute @workgroup_size(COST_WG)
fn reduce_cost(@builtin(workgroup_id) wid: vec3<u32>,
               @builtin(local_invocation_index) t: u32) {
    let first = wid.x * COST_BLOCK;
    let end = min(first + COST_BLOCK, cp.n_rows);
    var s = 0.0;
    for (var r = first + t; r < end; r += COST_WG) {
        s += row_cost[r];
    }
    partial[t] = s;
    workgroupBarrier();
    for (var h = COST_WG / 2u; h > 0u; h >>= 1u) {
        if (t < h) {
            partial[t] += partial[t + h];
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        partials[cp.out_base + wid.x] = partial[0];
    }
}
