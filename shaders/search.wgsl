// Exact top-k search: score tiles fused with per-thread top-k lists, then a merge.
// CPU twin: src/search/cpu.rs (same two steps, same order of results).
//
// topk_tiles: workgroup (x, y) takes TILE_Q queries (block x) and the rows of
// chunk y of this shard, TILE_E rows at a time. Each TILE_Q x TILE_E tile of keys
// is computed in workgroup memory (TILE_K dimensions per step, 4 x 4 keys per
// thread), then each query's SUB threads offer their columns of the tile to
// their own sorted list in `lists`. Only candidate lists reach global memory,
// never the queries x rows scores.
// merge: one thread per query merges its lists_per_query lists of k into k.
//
// Order of results: higher key first, then lower id (`better`), as in
// src/search/topk.rs. Key: q.e, or 2 q.e - |e|^2 for Euclidean.

const TILE_Q: u32 = 64u;
const TILE_E: u32 = 64u;
const TILE_K: u32 = 16u;
// Threads per query in the selection step; each keeps its own list per chunk.
const SUB: u32 = 4u;
const WG: u32 = 256u; // = TILE_Q * SUB = (TILE_Q / 4) * (TILE_E / 4)
const MERGE_WG: u32 = 64u;
const METRIC_EUCLIDEAN: u32 = 1u;
const EMPTY: u32 = 0xffffffffu;

// Rows stored as f16 pairs (unpack2x16float) instead of f32 bit patterns.
override F16: bool = false;

// Keep in sync with `SearchParams` in src/search/gpu.rs.
struct Params {
    n_rows: u32,          // rows in this shard
    row_base: u32,        // global id of the shard's row 0
    dp: u32,              // padded dimension (multiple of 4)
    n_queries: u32,       // queries in this batch
    query_base: u32,      // index of the batch's query 0 among all queries (exclusions)
    k: u32,
    chunk_rows: u32,      // rows per workgroup, a multiple of TILE_E
    chunk_base: u32,      // index of this shard's chunk 0 among all chunks
    lists_per_query: u32, // all chunks of all shards x SUB
    metric: u32,
    _pad0: u32,
    _pad1: u32,
}

struct Cand {
    key: f32,
    id: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read> excl_off: array<u32>;
@group(0) @binding(5) var<storage, read> excl_ids: array<u32>;
@group(0) @binding(6) var<storage, read_write> lists: array<Cand>;
@group(0) @binding(7) var<storage, read> cands: array<Cand>;

var<workgroup> q_tile: array<f32, TILE_K * TILE_Q>; // [kk][q]
var<workgroup> e_tile: array<f32, TILE_K * TILE_E>; // [kk][e]
var<workgroup> keys: array<f32, TILE_Q * (TILE_E + 1u)>; // padded rows

// Keep in sync with `better` in src/search/topk.rs.
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    return a > b || (a == b && ia < ib);
}

// Inserts (key, id) into the sorted list lists[base .. base + count], keeping at
// most k entries; returns the new count. Same steps as TopK::push.
fn insert(base: u32, count: u32, key: f32, id: u32) -> u32 {
    let k = params.k;
    if count == k {
        let last = lists[base + k - 1u];
        if !better(key, id, last.key, last.id) {
            return count;
        }
    }
    var p = min(count, k - 1u);
    loop {
        if p == 0u {
            break;
        }
        let prev = lists[base + p - 1u];
        if !better(key, id, prev.key, prev.id) {
            break;
        }
        lists[base + p] = prev;
        p = p - 1u;
    }
    lists[base + p] = Cand(key, id);
    return min(count + 1u, k);
}

fn excluded(query: u32, id: u32) -> bool {
    let g = params.query_base + query;
    for (var e = excl_off[g]; e < excl_off[g + 1u]; e = e + 1u) {
        if excl_ids[e] == id {
            return true;
        }
    }
    return false;
}

// One value of row `r`, dimension `d` (both in range).
fn row_value(r: u32, d: u32) -> f32 {
    if F16 {
        let pair = unpack2x16float(rows[(r * params.dp + d) / 2u]);
        return select(pair.x, pair.y, (d & 1u) == 1u);
    }
    return bitcast<f32>(rows[r * params.dp + d]);
}

@compute @workgroup_size(WG)
fn topk_tiles(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let q0 = wid.x * TILE_Q;
    let chunk = wid.y;
    let row0 = chunk * params.chunk_rows;
    let row_end = min(row0 + params.chunk_rows, params.n_rows);
    let tx = lid % 16u;
    let ty = lid / 16u;
    // selection step: query sel_q of the block, columns sel_sub * 16 .. + 16
    let sel_q = lid / SUB;
    let sel_sub = lid % SUB;
    let sel_valid = q0 + sel_q < params.n_queries;
    let list_base = ((q0 + sel_q) * params.lists_per_query
        + (params.chunk_base + chunk) * SUB + sel_sub) * params.k;
    var count = 0u;
    var thr = -3.4028235e38;

    for (var e0 = row0; e0 < row_end; e0 = e0 + TILE_E) {
        var acc: array<array<f32, 4>, 4>;
        for (var a = 0u; a < 4u; a = a + 1u) {
            for (var b = 0u; b < 4u; b = b + 1u) {
                acc[a][b] = 0.0;
            }
        }
        for (var k0 = 0u; k0 < params.dp; k0 = k0 + TILE_K) {
            for (var r = 0u; r < 4u; r = r + 1u) {
                let idx = lid + r * WG;
                let kk = idx % TILE_K;
                let i = idx / TILE_K;
                let d = k0 + kk;
                var qv = 0.0;
                if q0 + i < params.n_queries && d < params.dp {
                    qv = queries[(q0 + i) * params.dp + d];
                }
                q_tile[kk * TILE_Q + i] = qv;
                var ev = 0.0;
                if e0 + i < row_end && d < params.dp {
                    ev = row_value(e0 + i, d);
                }
                e_tile[kk * TILE_E + i] = ev;
            }
            workgroupBarrier();
            for (var kk = 0u; kk < TILE_K; kk = kk + 1u) {
                var qv: array<f32, 4>;
                var ev: array<f32, 4>;
                for (var a = 0u; a < 4u; a = a + 1u) {
                    qv[a] = q_tile[kk * TILE_Q + ty + 16u * a];
                    ev[a] = e_tile[kk * TILE_E + tx + 16u * a];
                }
                for (var a = 0u; a < 4u; a = a + 1u) {
                    for (var b = 0u; b < 4u; b = b + 1u) {
                        acc[a][b] = fma(qv[a], ev[b], acc[a][b]);
                    }
                }
            }
            workgroupBarrier();
        }
        for (var a = 0u; a < 4u; a = a + 1u) {
            for (var b = 0u; b < 4u; b = b + 1u) {
                let col = tx + 16u * b;
                var key = acc[a][b];
                if params.metric == METRIC_EUCLIDEAN && e0 + col < row_end {
                    key = 2.0 * key - norms[e0 + col];
                }
                keys[(ty + 16u * a) * (TILE_E + 1u) + col] = key;
            }
        }
        workgroupBarrier();
        if sel_valid {
            for (var c = sel_sub * 16u; c < sel_sub * 16u + 16u; c = c + 1u) {
                let r = e0 + c;
                if r < row_end {
                    let key = keys[sel_q * (TILE_E + 1u) + c];
                    let id = params.row_base + r;
                    if count < params.k || key >= thr {
                        if !excluded(q0 + sel_q, id) {
                            count = insert(list_base, count, key, id);
                            if count == params.k {
                                thr = lists[list_base + params.k - 1u].key;
                            }
                        }
                    }
                }
            }
        }
        workgroupBarrier();
    }
    if sel_valid {
        for (var p = count; p < params.k; p = p + 1u) {
            lists[list_base + p] = Cand(-3.4028235e38, EMPTY);
        }
    }
}

@compute @workgroup_size(MERGE_WG)
fn merge(@builtin(global_invocation_id) gid: vec3<u32>) {
    let q = gid.x;
    if q >= params.n_queries {
        return;
    }
    let k = params.k;
    let out_base = q * k;
    let in_base = q * params.lists_per_query * k;
    var count = 0u;
    for (var l = 0u; l < params.lists_per_query; l = l + 1u) {
        for (var p = 0u; p < k; p = p + 1u) {
            let c = cands[in_base + l * k + p];
            if c.id == EMPTY {
                break; // lists are sorted and padded with EMPTY at the end
            }
            if count == k {
                let last = lists[out_base + k - 1u];
                if !better(c.key, c.id, last.key, last.id) {
                    break; // the rest of this sorted list is worse still
                }
            }
            count = insert(out_base, count, c.key, c.id);
        }
    }
    for (var p = count; p < k; p = p + 1u) {
        lists[out_base + p] = Cand(-3.4028235e38, EMPTY);
    }
}
