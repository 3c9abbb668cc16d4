// Lane primitives and entry points of glove_step.wgsl for adapters with subgroups:
// one subgroup per row, lanes = the subgroup size the builtin reports. Several
// rows per workgroup; rows are taken in a grid-stride loop. The host sizes the
// dispatch for the largest subgroup the adapter may use (fewest rows per
// workgroup), and SLOTS for the smallest, so any size in between is correct.
// Needs Features::SUBGROUP (no `enable` directive: naga 30 takes the builtins as is).

// Invocations per workgroup: a multiple of every subgroup size the adapter may use
// (the host sets max(64, subgroup_max_size)).
override WG: u32 = 64u;

// This lane's entry of the current block of a span.
var<private> block: Entry;

// Lane `lane` loads entry `first + lane` when `lane < n` (one coalesced load).
fn load_block(first: u32, n: u32, lane: u32) {
    if (lane < n) {
        block = entries[first + lane];
    }
}

fn block_idx(q: u32) -> u32 {
    return subgroupShuffle(block.idx, q);
}

fn block_x(q: u32) -> f32 {
    return subgroupShuffle(block.x, q);
}

// Sum over the subgroup by a butterfly: every lane adds its partner's value at
// distances size/2, size/4, ..., 1 (own value first). a + b == b + a, so all lanes
// end with the same bits, those of the tree in the twin's `lane_sum`.
fn lane_sum(v: f32, lane: u32, lanes: u32) -> f32 {
    var s = v;
    for (var off = lanes / 2u; off > 0u; off >>= 1u) {
        s = s + subgroupShuffleXor(s, off);
    }
    return s;
}

@compute @workgroup_size(WG)
fn main_pass(@builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(subgroup_id) sg: u32,
             @builtin(num_subgroups) nsg: u32,
             @builtin(subgroup_invocation_id) lane: u32,
             @builtin(subgroup_size) lanes: u32) {
    for (var r = wid.x * nsg + sg; r < p.n_spans; r += nwg.x * nsg) {
        step_span(r, true, lane, lanes);
    }
}

@compute @workgroup_size(WG)
fn context_pass(@builtin(workgroup_id) wid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(subgroup_id) sg: u32,
                @builtin(num_subgroups) nsg: u32,
                @builtin(subgroup_invocation_id) lane: u32,
                @builtin(subgroup_size) lanes: u32) {
    for (var r = wid.x * nsg + sg; r < p.n_spans; r += nwg.x * nsg) {
        step_span(r, false, lane, lanes);
    }
}
