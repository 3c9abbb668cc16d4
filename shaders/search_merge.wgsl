// The merge of search: each query's sorted lists of k (one per work item of
// search_scan.wgsl) into its k best, sorted. CPU twin: the merge in
// src/search/cpu.rs (`search`, `scan_lists`): the same k, since the order of
// results (`better`) is total.
//
// `merge` (no subgroups): one workgroup of MERGE_WG lanes per query; lane j owns
// lists j, j + MERGE_WG, ...; k rounds of a fixed-order tree arg-max in
// workgroup memory; the winning lane advances (a binary search for the first
// entry of each of its lists after the last winner).
// `merge_subgroup` (search_merge_subgroup.wgsl, appended): the same with one
// subgroup per query and a subgroupShuffleXor butterfly over its own size.
//
// The lists of query q: lists q * lists_per_query + j (exact search, `listed`
// 0), or lists q_lists[q_off[q] + j] (an IVF scan), j below its count.

const MERGE_WG: u32 = 64u;
const EMPTY: u32 = 0xffffffffu;

// Keep in sync with `MergeParams` in src/search/gpu.rs.
struct MergeParams {
    n_queries: u32,
    k: u32,
    lists_per_query: u32, // listed 0: lists per query
    listed: u32,          // 1: lists from q_off and q_lists
    queries_per_group: u32, // merge_subgroup: queries (subgroups) per workgroup
    neg_inf: f32,
}

struct Cand {
    key: f32,
    id: u32,
}

@group(0) @binding(0) var<uniform> params: MergeParams;
@group(0) @binding(1) var<storage, read> cands: array<Cand>;
@group(0) @binding(2) var<storage, read> q_off: array<u32>;
@group(0) @binding(3) var<storage, read> q_lists: array<u32>;
@group(0) @binding(4) var<storage, read_write> results: array<Cand>;

// Keep in sync with `better` in src/search/topk.rs.
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    return a > b || (a == b && ia < ib);
}

fn list_count(q: u32) -> u32 {
    if params.listed == 1u {
        return q_off[q + 1u] - q_off[q];
    }
    return params.lists_per_query;
}

// The first entry of list l of query q after (last_key, last_id), or the
// list's first entry when nothing was taken yet; (-inf, EMPTY) past its end.
// Entries before it were all taken already, since winners are taken in
// `better` order.
fn list_head(q: u32, l: u32, taken: bool, last_key: f32, last_id: u32) -> Cand {
    let k = params.k;
    var list = q * params.lists_per_query + l;
    if params.listed == 1u {
        list = q_lists[q_off[q] + l];
    }
    let lb = list * k;
    var lo = 0u;
    if taken {
        var hi = k;
        loop {
            if lo >= hi {
                break;
            }
            let mid = (lo + hi) / 2u;
            let c = cands[lb + mid];
            if better(last_key, last_id, c.key, c.id) {
                hi = mid;
            } else {
                lo = mid + 1u;
            }
        }
    }
    if lo == k {
        return Cand(params.neg_inf, EMPTY);
    }
    return cands[lb + lo];
}

// The best remaining head among lists lane, lane + lanes, ...
fn lane_best(q: u32, lane: u32, lanes: u32, taken: bool, last_key: f32, last_id: u32) -> Cand {
    var best = Cand(params.neg_inf, EMPTY);
    let n = list_count(q);
    for (var l = lane; l < n; l = l + lanes) {
        let h = list_head(q, l, taken, last_key, last_id);
        if better(h.key, h.id, best.key, best.id) {
            best = h;
        }
    }
    return best;
}

var<workgroup> red_key: array<f32, MERGE_WG>;
var<workgroup> red_id: array<u32, MERGE_WG>;

// One workgroup per query (no subgroups): k rounds of a tree arg-max in
// workgroup memory, strides MERGE_WG / 2 .. 1, the lower lane keeping ties.
@compute @workgroup_size(MERGE_WG)
fn merge(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let q = wid.x;
    if q >= params.n_queries {
        return;
    }
    let k = params.k;
    var mine = lane_best(q, lid, MERGE_WG, false, 0.0, 0u);
    for (var r = 0u; r < k; r = r + 1u) {
        red_key[lid] = mine.key;
        red_id[lid] = mine.id;
        workgroupBarrier();
        for (var s = MERGE_WG / 2u; s > 0u; s = s / 2u) {
            if lid < s {
                let o = lid + s;
                if better(red_key[o], red_id[o], red_key[lid], red_id[lid]) {
                    red_key[lid] = red_key[o];
                    red_id[lid] = red_id[o];
                }
            }
            workgroupBarrier();
        }
        let win = Cand(red_key[0], red_id[0]);
        workgroupBarrier();
        if lid == 0u {
            results[q * k + r] = win;
        }
        if win.id != EMPTY && mine.id == win.id {
            mine = lane_best(q, lid, MERGE_WG, true, win.key, win.id);
        }
    }
}
