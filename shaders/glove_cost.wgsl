// The cost of one batch: the main pass's per-row costs summed by one workgroup in a
// fixed order (strided partial sums, then a tree), written to the batch's slot.
// No float atomics, so the figure is deterministic. CPU twin: src/train/twin.rs.

// Keep in sync with `StepParams` in src/train/batch.rs (and shaders/glove_step.wgsl).
struct StepParams {
    dim: u32,
    stride: u32,
    ctx_base: u32,
    span_base: u32,
    n_spans: u32,
    cost_slot: u32,
    pad0: u32,
    pad1: u32,
    x_max: f32,
    alpha: f32,
    eta: f32,
    clip: f32,
}

const COST_WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: StepParams;
@group(0) @binding(1) var<storage, read> row_cost: array<f32>;
@group(0) @binding(2) var<storage, read_write> batch_costs: array<f32>;

var<workgroup> partial: array<f32, COST_WG>;

@compute @workgroup_size(COST_WG)
fn reduce_cost(@builtin(local_invocation_index) t: u32) {
    var s = 0.0;
    for (var r = t; r < p.n_spans; r += COST_WG) {
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
        batch_costs[p.cost_slot] = partial[0];
    }
}
