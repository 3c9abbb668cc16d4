// Exact top-k search: register-tiled score tiles fused with a per-query top-k
// selection in workgroup memory, then a merge of one list per (query, workgroup).
// CPU twin: src/search/cpu.rs (same two steps, same order of results).
//
// This file needs a row loader in front of it, `rows` at binding 2 and
// `fn row4(i) -> vec4<f32>` (search_rows_f32.wgsl, search_rows_f16.wgsl with
// SHADER_F16, search_rows_f16_packed.wgsl without); src/shaders.rs composes them.
// The subgroup merge (search_merge_subgroup.wgsl) is appended after it.
//
// topk_tiles, workgroup (x, y): TILE_Q = 64 queries (block x of the batch) against
// chunk y of the shard's rows, TILE_E = 64 rows at a time, 256 invocations.
// - Product: per step of TILE_K = 32 dimensions, the 64 x 32 query tile and the
//   64 x 32 row tile are read with 16-byte loads (8 lanes read 128 contiguous
//   bytes of one row) and stored transposed, [dim][row] with a pitch of 65 floats:
//   lane (row i, vec v) writes bank (4v + i) mod 32, all different, so neither the
//   stores nor the reads conflict. Thread (tx = lid % 32, ty = lid / 32) keeps a
//   2 x 8 register block: queries tx and tx + 32 (consecutive lanes, consecutive
//   words) times rows 8ty .. 8ty + 7 (one word for the whole subgroup: broadcast).
// - Selection: every query has a threshold in workgroup memory (its list's k-th
//   key once full). Each thread screens its 16 keys against it in registers; the
//   survivors go to a 64 x 64 key tile (aliasing the product tiles; column
//   swizzled by `col ^ (q & 31)`, so the 32 lanes of one store hit 32 banks) and
//   set a bit in a per-(query, 8-row group) mask. Then one owner thread per query
//   inserts its survivors into the query's sorted list of k, kept in workgroup
//   memory (k <= LIST_CAP) or, for larger k, in the query's own output slot.
//   After the first tiles almost every key fails the screen, so the inner loop is
//   a compare in registers (FAISS BlockSelect: thread queues, then a merge).
// - Output: one sorted list of k (key, id), padded with (-inf, EMPTY), per
//   (query, chunk). Only these lists reach global memory, never the scores.
// merge (no subgroups): one workgroup of MERGE_WG per query; lane j owns lists
//   j, j + MERGE_WG, ...; k rounds of a fixed-order tree arg-max in workgroup
//   memory; the winning lane advances (binary search for the first entry of each
//   of its lists after the last winner).
// merge_subgroup: the same with one subgroup per query and a subgroupShuffleXor
//   butterfly over the subgroup's own size.
//
// Global bytes per query block and row (counted in src/search/gpu.rs, `counts`):
// rows are read once per 64-query block, queries once per 64-row tile, so for m
// queries, n rows, dp padded dimensions and b bytes per stored value:
//   rows    n * dp * b * ceil(m / 64)     queries  m * dp * 4 * ceil(n / 64)
//   lists   m * chunks * k * 8 written, the same read by the merge
// per 2 n d m FLOPs: about (b + 4) / 128 bytes/FLOP (0.0625 for f32, 0.047 f16).
//
// Order of results: higher key first, then lower id (`better`), as in
// src/search/topk.rs. Key: q.e, or 2 q.e - |e|^2 for Euclidean.

const TILE_Q: u32 = 64u; // queries per workgroup
const TILE_E: u32 = 64u; // rows per tile
const TILE_K: u32 = 32u; // dimensions per product step (8 vec4)
const WG: u32 = 256u;
const REG_Q: u32 = 2u; // queries per thread: tx, tx + LANES_Q
const REG_E: u32 = 8u; // rows per thread: REG_E ty ..
const LANES_Q: u32 = 32u; // TILE_Q / REG_Q
const PITCH: u32 = 65u; // TILE_Q + 1 = TILE_E + 1, the stride of one dimension in a tile
const LIST_CAP: u32 = 16u; // largest k whose lists live in workgroup memory
const MERGE_WG: u32 = 64u;
const METRIC_EUCLIDEAN: u32 = 1u;
const EMPTY: u32 = 0xffffffffu;

// Keep in sync with `SearchParams` in src/search/gpu.rs.
struct Params {
    n_rows: u32,            // rows in this shard
    row_base: u32,          // global id of the shard's row 0
    dp: u32,                // padded dimension (multiple of 4)
    n_queries: u32,         // queries in this batch
    query_base: u32,        // index of the batch's query 0 among all queries (exclusions)
    k: u32,
    chunk_rows: u32,        // rows per workgroup, a multiple of TILE_E
    chunk_base: u32,        // index of this shard's chunk 0 among all chunks
    lists_per_query: u32,   // chunks of all shards
    metric: u32,
    queries_per_group: u32, // merge_subgroup: queries (subgroups) per workgroup
    neg_inf: f32,           // -inf (WGSL has no literal for it)
}

struct Cand {
    key: f32,
    id: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read> excl_off: array<u32>;
@group(0) @binding(5) var<storage, read> excl_ids: array<u32>;
@group(0) @binding(6) var<storage, read_write> lists: array<Cand>;
@group(0) @binding(7) var<storage, read> cands: array<Cand>;

// Product tiles [dim][query] at 0 and [dim][row] at TILE_K * PITCH; after the
// product, the first TILE_Q * TILE_E words hold the surviving keys [query][col ^ (q & 31)].
var<workgroup> smem: array<f32, 4160>; // 2 * TILE_K * PITCH
var<workgroup> list_key: array<f32, 1024>; // [p][query], LIST_CAP * TILE_Q
var<workgroup> list_id: array<u32, 1024>;
var<workgroup> thr: array<f32, TILE_Q>;
var<workgroup> masks: array<u32, 512>; // [row group][query], TILE_E / REG_E * TILE_Q

// Keep in sync with `better` in src/search/topk.rs.
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    return a > b || (a == b && ia < ib);
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

// Entry p of query q's list: in workgroup memory, or in its output slot.
fn list_get(q: u32, slot: u32, p: u32) -> Cand {
    if params.k <= LIST_CAP {
        return Cand(list_key[p * TILE_Q + q], list_id[p * TILE_Q + q]);
    }
    return lists[slot + p];
}

fn list_set(q: u32, slot: u32, p: u32, c: Cand) {
    if params.k <= LIST_CAP {
        list_key[p * TILE_Q + q] = c.key;
        list_id[p * TILE_Q + q] = c.id;
    } else {
        lists[slot + p] = c;
    }
}

// Inserts (key, id) into query q's sorted list of `count` entries, keeping at
// most k; returns the new count. Same steps as TopK::push.
fn insert(q: u32, slot: u32, count: u32, key: f32, id: u32) -> u32 {
    let k = params.k;
    if count == k {
        let last = list_get(q, slot, k - 1u);
        if !better(key, id, last.key, last.id) {
            return count;
        }
    }
    var p = min(count, k - 1u);
    loop {
        if p == 0u {
            break;
        }
        let prev = list_get(q, slot, p - 1u);
        if !better(key, id, prev.key, prev.id) {
            break;
        }
        list_set(q, slot, p, prev);
        p = p - 1u;
    }
    list_set(q, slot, p, Cand(key, id));
    return min(count + 1u, k);
}

@compute @workgroup_size(WG)
fn topk_tiles(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let q0 = wid.x * TILE_Q;
    let chunk = wid.y;
    let row0 = chunk * params.chunk_rows;
    let row_end = min(row0 + params.chunk_rows, params.n_rows);
    let dp4 = params.dp / 4u;
    let k = params.k;
    let tx = lid % LANES_Q;
    let ty = lid / LANES_Q;
    // owner of query lid (lid < TILE_Q): its list, count and output slot
    let owner = lid < TILE_Q && q0 + lid < params.n_queries;
    let slot = ((q0 + lid) * params.lists_per_query + params.chunk_base + chunk) * k;
    var count = 0u;
    if lid < TILE_Q {
        thr[lid] = params.neg_inf;
    }

    for (var e0 = row0; e0 < row_end; e0 = e0 + TILE_E) {
        var acc: array<array<f32, REG_E>, REG_Q>;
        for (var a = 0u; a < REG_Q; a = a + 1u) {
            for (var b = 0u; b < REG_E; b = b + 1u) {
                acc[a][b] = 0.0;
            }
        }
        for (var k4 = 0u; k4 < dp4; k4 = k4 + TILE_K / 4u) {
            // 2 x 64 rows x 8 vec4: each thread loads 2 query and 2 row vec4s.
            for (var r = 0u; r < 2u; r = r + 1u) {
                let idx = lid + r * WG;
                let i = idx / (TILE_K / 4u);
                let v = idx % (TILE_K / 4u);
                let c = k4 + v;
                var qv = vec4<f32>(0.0);
                if q0 + i < params.n_queries && c < dp4 {
                    qv = queries[(q0 + i) * dp4 + c];
                }
                var ev = vec4<f32>(0.0);
                if e0 + i < row_end && c < dp4 {
                    ev = row4((e0 + i) * dp4 + c);
                }
                let qb = 4u * v * PITCH + i;
                smem[qb] = qv.x;
                smem[qb + PITCH] = qv.y;
                smem[qb + 2u * PITCH] = qv.z;
                smem[qb + 3u * PITCH] = qv.w;
                let eb = TILE_K * PITCH + qb;
                smem[eb] = ev.x;
                smem[eb + PITCH] = ev.y;
                smem[eb + 2u * PITCH] = ev.z;
                smem[eb + 3u * PITCH] = ev.w;
            }
            workgroupBarrier();
            let kk_end = min(TILE_K, 4u * (dp4 - k4));
            for (var kk = 0u; kk < kk_end; kk = kk + 1u) {
                var qv: array<f32, REG_Q>;
                for (var a = 0u; a < REG_Q; a = a + 1u) {
                    qv[a] = smem[kk * PITCH + tx + LANES_Q * a];
                }
                for (var b = 0u; b < REG_E; b = b + 1u) {
                    let ev = smem[(TILE_K + kk) * PITCH + REG_E * ty + b];
                    for (var a = 0u; a < REG_Q; a = a + 1u) {
                        acc[a][b] = fma(qv[a], ev, acc[a][b]);
                    }
                }
            }
            workgroupBarrier();
        }
        // Screen the register block against the thresholds; keep survivors.
        for (var a = 0u; a < REG_Q; a = a + 1u) {
            let q = tx + LANES_Q * a;
            let t = thr[q];
            var mask = 0u;
            if q0 + q < params.n_queries {
                for (var b = 0u; b < REG_E; b = b + 1u) {
                    let col = REG_E * ty + b;
                    let r = e0 + col;
                    if r < row_end {
                        var key = acc[a][b];
                        if params.metric == METRIC_EUCLIDEAN {
                            key = 2.0 * key - norms[r];
                        }
                        if key >= t && !excluded(q0 + q, params.row_base + r) {
                            smem[q * TILE_E + (col ^ (q & 31u))] = key;
                            mask = mask | (1u << b);
                        }
                    }
                }
            }
            masks[ty * TILE_Q + q] = mask;
        }
        workgroupBarrier();
        // Owners insert their query's survivors, lowest column first.
        if owner {
            for (var g = 0u; g < TILE_E / REG_E; g = g + 1u) {
                var mask = masks[g * TILE_Q + lid];
                loop {
                    if mask == 0u {
                        break;
                    }
                    let b = countTrailingZeros(mask);
                    mask = mask & (mask - 1u);
                    let col = g * REG_E + b;
                    let key = smem[lid * TILE_E + (col ^ (lid & 31u))];
                    count = insert(lid, slot, count, key, params.row_base + e0 + col);
                }
            }
            if count == k {
                thr[lid] = list_get(lid, slot, k - 1u).key;
            }
        }
        workgroupBarrier();
    }
    if owner {
        for (var p = 0u; p < k; p = p + 1u) {
            if p >= count {
                lists[slot + p] = Cand(params.neg_inf, EMPTY);
            } else if k <= LIST_CAP {
                lists[slot + p] = list_get(lid, slot, p);
            }
        }
    }
}

// The first entry of sorted list l (of query base `base`) that comes after
// (last_key, last_id), or the list's first entry when nothing was taken yet;
// (-inf, EMPTY) past its end. Entries before it were all taken already, since
// winners are taken in `better` order.
fn list_head(base: u32, l: u32, taken: bool, last_key: f32, last_id: u32) -> Cand {
    let k = params.k;
    let lb = base + l * k;
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
fn lane_best(base: u32, lane: u32, lanes: u32, taken: bool, last_key: f32, last_id: u32) -> Cand {
    var best = Cand(params.neg_inf, EMPTY);
    for (var l = lane; l < params.lists_per_query; l = l + lanes) {
        let h = list_head(base, l, taken, last_key, last_id);
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
    let base = q * params.lists_per_query * k;
    var mine = lane_best(base, lid, MERGE_WG, false, 0.0, 0u);
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
            lists[q * k + r] = win;
        }
        if win.id != EMPTY && mine.id == win.id {
            mine = lane_best(base, lid, MERGE_WG, true, win.key, win.id);
        }
    }
}
