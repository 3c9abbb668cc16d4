// Lane primitives and entry points of glove_step.wgsl without subgroups: one
// workgroup of LANES invocations per row, the same steps through workgroup memory.
// Rows are taken in a grid-stride loop. Every barrier is in uniform control flow:
// rows, spans and counts come from the workgroup id and read-only storage, and the
// values that steer branches (the residual, x) come from workgroupUniformLoad.

const LANES: u32 = 32u;

var<workgroup> block: array<Entry, LANES>;
var<workgroup> red: array<f32, LANES>;

// Lane `lane` loads entry `first + lane` when `lane < n` (one coalesced load).
fn load_block(first: u32, n: u32, lane: u32) {
    workgroupBarrier(); // every lane is done with the previous block
    if (lane < n) {
        block[lane] = entries[first + lane];
    }
    workgroupBarrier();
}

fn block_idx(q: u32) -> u32 {
    return block[q].idx;
}

fn block_x(q: u32) -> f32 {
    return workgroupUniformLoad(&block[q].x);
}

// Sum over the lanes by a tree in workgroup memory (at distance LANES/2, ..., 1,
// own value first): the order of the subgroup butterfly and of the twin.
fn lane_sum(v: f32, lane: u32, lanes: u32) -> f32 {
    workgroupBarrier(); // every lane has read the previous sum
    red[lane] = v;
    for (var off = LANES / 2u; off > 0u; off >>= 1u) {
        workgroupBarrier();
        if (lane < off) {
            red[lane] = red[lane] + red[lane + off];
        }
    }
    return workgroupUniformLoad(&red[0]);
}

@compute @workgroup_size(LANES)
fn main_pass(@builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lane: u32) {
    for (var r = wid.x; r < p.n_spans; r += nwg.x) {
        step_span(r, true, lane, LANES);
    }
}

@compute @workgroup_size(LANES)
fn context_pass(@builtin(workgroup_id) wid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lane: u32) {
    for (var r = wid.x; r < p.n_spans; r += nwg.x) {
        step_span(r, false, lane, LANES);
    }
}
