// The cost of one chunk of batches: the main pass's per-row costs of each batch,
// summed by one workgroup per batch in a fixed order (strided partial sums, then a
// tree), one partial sum per batch, written to `partials[out_base + b]`. The host
// adds the partials in f64 in batch order. The sums follow the plan's batches, not
// the chunks, so the figure is the same at every chunking; no float atomics, so it
// is deterministic. CPU twin: `reduce_cost` in src/train/twin.rs.

// Keep in sync with `CostParams` in src/params.rs.
struct CostParams {
    n_batches: u32,  // batches of the chunk
    out_base: u32,   // the plan's index of the chunk's first batch
    pad0: u32,
    pad1: u32,
}

const COST_WG: u32 = 256u;

@group(0) @binding(0) var<uniform> cp: CostParams;
@group(0) @binding(1) var<storage, read> row_cost: array<f32>;
// Batch b's row costs are row_cost[batch_rows[b] .. batch_rows[b + 1]].
@group(0) @binding(2) var<storage, read> batch_rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

var<workgroup> partial: array<f32, COST_WG>;

@compute @workgroup_size(COST_WG)
fn reduce_cost(@builtin(workgroup_id) wid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) t: u32) {
    // Batches in a grid-stride loop (a chunk may hold more than a dimension's
    // workgroups); the loop's bounds are the same for the whole workgroup.
    for (var b = wid.x; b < cp.n_batches; b += nwg.x) {
        let first = batch_rows[b];
        let end = batch_rows[b + 1u];
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
            partials[cp.out_base + b] = partial[0];
        }
        workgroupBarrier(); // `partial` is reused by the next batch
    }
}
