// The scan of exact and approximate search: a register-tiled matrix product of
// a block of queries against a range of rows, fused with a top-k selection kept
// in registers by groups of four lanes. Only one sorted list of k per (query,
// work item) reaches global memory; search_merge.wgsl merges them per query.
// CPU twin: src/search/cpu.rs (`topk_tiles` for exact search, `scan_lists` for
// the lists of an IVF index): the same results, whatever the order of the keys,
// since the order of results (`better`) is total.
//
// A module is a row loader (search_rows_*.wgsl: `rows` at binding 2 and
// `fn row4(i) -> vec4<f32>`), this file, then a lane file holding the entry
// point `scan` and the quad exchange `xchg` (search_lanes_subgroup.wgsl:
// subgroupShuffleXor; search_lanes_workgroup.wgsl: workgroup memory); see
// src/shaders.rs.
//
// Work items. Workgroup (x, y) of an exact search (mode 0) takes TILE_Q queries
// of the batch (block x) against chunk y of the shard's rows, row r having id
// row_base + r. An IVF scan (mode 1) takes item item_base + x: a range of one
// list's stored rows (ids from `row_ids`, DEAD rows skipped) against up to
// TILE_Q queries that probe it (`pairs`), each with its own output list.
//
// Product. Per step of TILE_K = 16 dimensions the query tile (64 x 16) and the
// row tile (128 x 16) are read with 16-byte global loads (4 lanes read the 64
// contiguous bytes of one row's step) and stored transposed, [dim][column], as
// 32-bit words in vec4 slots: slot (d, c / 4) at d * columns / 4 + ((c / 4) ^
// swz(d)), word c % 4. The XOR swizzle (swz(d) = 2 (d / 4) mod 8) puts the 8
// rows x 4 dimensions that one 32-lane store touches in 32 different banks,
// and keeps every 128-bit read of 4 consecutive columns whole and
// conflict-free. Thread (tx = lid % 16, ty = lid / 16) keeps a 4 x 8 register
// block (queries 4tx .. 4tx + 3, rows 8ty .. 8ty + 7): per dimension one
// 128-bit load of its 4 queries and two of its 8 rows (the same for the 16
// lanes of a ty: a broadcast) feed 32 FMAs, 3 shared loads per 32 FMAs.
//
// Selection. Query slot q is owned by the quad of selection lanes 4q .. 4q + 3
// (consecutive lanes of one subgroup), which holds the query's list of K =
// 4 K_SLOTS entries (k rounded up to a power of two, at least 4) sorted best
// first and striped over its lanes: position p = 4 j + g is slot j of lane g.
// After each row tile, rounds: every thread offers each of its 4 queries its
// best key that is still pending (a bit mask) and reaches the query's threshold
// (the k-th key of its list, in workgroup memory), in slot ty of the query's
// batch of BATCH = 16 entries in workgroup memory (the 16 threads that hold a
// query's keys: no atomics, no overflow); keys below the threshold are dropped
// for good. The first round gives each query the best key of each of its 16
// threads, so its threshold starts high. The quad then sorts its batch (a bitonic network over 4 BATCH_SLOTS entries, lanes
// exchanged by `xchg`) and merges it into its list: position p keeps the
// better of L[p] and B[K - 1 - p], which leaves a bitonic sequence holding the
// best K of both, then a bitonic merge sorts it (FAISS WarpSelect's merge).
// Rounds repeat until no thread has a key to offer (at most REG_E + 1). The loops over slots run to K_SLOTS (a
// pipeline constant) and BATCH_SLOTS, so the lists stay in registers.
//
// Pages. A k above MAX_K is answered in pages of MAX_K: a page keeps only keys
// after its query's bound (the last hit of the previous page, `bounds`).
//
// Counted in src/search/gpu.rs (`KernelCounts`): global bytes per FLOP (rows
// once per 64-query block, queries once per 128-row tile, the lists) and shared
// loads per FMA (3 / 32).

const TILE_Q: u32 = 64u; // queries per work item
const TILE_E: u32 = 128u; // rows per tile
const TILE_K: u32 = 16u; // dimensions per product step (4 vec4)
const WG: u32 = 256u;
const REG_Q: u32 = 4u; // queries per thread: one vec4 of the query tile
const REG_E: u32 = 8u; // rows per thread: two vec4s of the row tile
const THREADS_Q: u32 = 16u; // TILE_Q / REG_Q
const QUAD: u32 = 4u; // lanes owning one query's list
const MAX_K: u32 = 128u; // the largest list (one page)
const LIST_SLOTS: u32 = 32u; // MAX_K / QUAD: registers a lane may hold
const BATCH: u32 = 16u; // offers a query takes per round: one per thread holding its keys
const BATCH_SLOTS: u32 = 4u; // BATCH / QUAD
const Q_SLOTS: u32 = 256u; // TILE_K * TILE_Q / 4: vec4 slots of the query tile
const E_SLOTS: u32 = 512u; // TILE_K * TILE_E / 4: vec4 slots of the row tile
const METRIC_EUCLIDEAN: u32 = 1u;
const EMPTY: u32 = 0xffffffffu; // no hit; also the id of a removed (dead) row

// List entries per lane (K / QUAD, K a power of two, 4..=MAX_K), set by the
// host per pipeline.
override K_SLOTS: u32 = 4u;

// Keep in sync with `ScanParams` in src/search/gpu.rs.
struct ScanParams {
    n_rows: u32,          // mode 0: rows in this shard
    row_base: u32,        // mode 0: id of the shard's row 0
    dp: u32,              // padded dimension (multiple of 4)
    n_queries: u32,       // queries in this batch
    k: u32,               // hits per list (at most MAX_K)
    chunk_rows: u32,      // mode 0: rows per workgroup, a multiple of TILE_E
    chunk_base: u32,      // mode 0: index of this shard's chunk 0 among all chunks
    lists_per_query: u32, // mode 0: chunks of all shards
    metric: u32,
    mode: u32,            // 0: exact search, 1: the items of an IVF scan
    item_base: u32,       // mode 1: this dispatch's first item
    paged: u32,           // 1: keep only keys after the query's bound
    neg_inf: f32,         // -inf (WGSL has no literal for it)
}

struct Cand {
    key: f32,
    id: u32,
}

// Keep in sync with `ScanItem` in src/search/gpu.rs.
struct ScanItem {
    row_start: u32,  // the shard's stored rows row_start ..
    row_count: u32,  // .. row_start + row_count
    pair_start: u32, // its queries: pairs[pair_start .. pair_start + pair_count]
    pair_count: u32, // at most TILE_Q
    out_base: u32,   // query i's list goes to list out_base + i
}

@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read> row_ids: array<u32>;
@group(0) @binding(5) var<storage, read> excl_off: array<u32>;
@group(0) @binding(6) var<storage, read> excl_ids: array<u32>;
@group(0) @binding(7) var<storage, read> items: array<ScanItem>;
@group(0) @binding(8) var<storage, read> pairs: array<u32>;
@group(0) @binding(9) var<storage, read> bounds: array<Cand>;
@group(0) @binding(10) var<storage, read_write> lists: array<Cand>;

// The product tiles (query tile in slots 0 .. Q_SLOTS, row tile after it) as
// 32-bit words; between products the first 2 TILE_Q BATCH words hold the
// offers' keys and ids, [query][slot ty].
var<workgroup> smem: array<vec4<u32>, 768>; // Q_SLOTS + E_SLOTS
var<workgroup> thr: array<f32, TILE_Q>; // each query's threshold
var<workgroup> slot_query: array<u32, TILE_Q>; // batch query of each slot (EMPTY: none)
var<workgroup> slot_out: array<u32, TILE_Q>; // output list of each slot
var<workgroup> flags: array<atomic<u32>, 1>; // any offer this round
var<workgroup> flags_plain: array<u32, 1>;

// Keep in sync with `better` in src/search/topk.rs.
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    return a > b || (a == b && ia < ib);
}

fn excluded(query: u32, id: u32) -> bool {
    // The batch's own exclusion lists: query 0 of the batch is list 0.
    for (var e = excl_off[query]; e < excl_off[query + 1u]; e = e + 1u) {
        if excl_ids[e] == id {
            return true;
        }
    }
    return false;
}

// The swizzle of dimension d's row of a tile (see the header).
fn swz(d: u32) -> u32 {
    return ((d >> 2u) << 1u) & 7u;
}

// Survivor e of query slot q: key at word (q BATCH + e), id after all keys.
fn surv_word(w: u32) -> u32 {
    return smem[w >> 2u][w & 3u];
}

fn set_surv_word(w: u32, v: u32) {
    smem[w >> 2u][w & 3u] = v;
}

// The list of this lane's quad, and the batch it merges (positions 4 j + g).
var<private> lk: array<f32, LIST_SLOTS>;
var<private> li: array<u32, LIST_SLOTS>;
var<private> bk: array<f32, BATCH_SLOTS>;
var<private> bi: array<u32, BATCH_SLOTS>;

// Bitonic sort of the batch (4 BATCH_SLOTS entries), best first.
fn sort_batch(g: u32, s: u32) {
    let n = QUAD * BATCH_SLOTS;
    for (var size = 2u; size <= n; size = size * 2u) {
        for (var stride = size / 2u; stride > 0u; stride = stride / 2u) {
            for (var j = 0u; j < BATCH_SLOTS; j = j + 1u) {
                let p = j * QUAD + g;
                let desc = (p & size) == 0u;
                if stride < QUAD {
                    let o = xchg(bk[j], bi[j], stride, s);
                    let lower = (g & stride) == 0u;
                    let ob = better(o.key, o.id, bk[j], bi[j]);
                    // the lower position of a descending pair keeps the better
                    if ob == (lower == desc) {
                        bk[j] = o.key;
                        bi[j] = o.id;
                    }
                } else {
                    let j2 = j ^ (stride / QUAD);
                    if j < j2 {
                        let sw = better(bk[j2], bi[j2], bk[j], bi[j]) == desc;
                        if sw {
                            let tk = bk[j];
                            let ti = bi[j];
                            bk[j] = bk[j2];
                            bi[j] = bi[j2];
                            bk[j2] = tk;
                            bi[j2] = ti;
                        }
                    }
                }
            }
        }
    }
}

// The best K of the list and the sorted batch, sorted, into the list.
fn merge_batch(g: u32, s: u32) {
    let n = QUAD * K_SLOTS;
    let nb = QUAD * BATCH_SLOTS;
    // L[p] = better(L[p], B[n - 1 - p]) for the last min(n, nb) positions: a
    // bitonic sequence holding the best n of both (B's best n when nb > n).
    for (var j = 0u; j < K_SLOTS; j = j + 1u) {
        if nb >= n || j * QUAD >= n - nb {
            let jb = K_SLOTS - 1u - j;
            let o = xchg(bk[jb], bi[jb], 3u, s);
            if better(o.key, o.id, lk[j], li[j]) {
                lk[j] = o.key;
                li[j] = o.id;
            }
        }
    }
    // Bitonic merge, best first.
    for (var stride = n / 2u; stride > 0u; stride = stride / 2u) {
        for (var j = 0u; j < K_SLOTS; j = j + 1u) {
            if stride < QUAD {
                let o = xchg(lk[j], li[j], stride, s);
                let lower = (g & stride) == 0u;
                if better(o.key, o.id, lk[j], li[j]) == lower {
                    lk[j] = o.key;
                    li[j] = o.id;
                }
            } else {
                let j2 = j ^ (stride / QUAD);
                if j < j2 && better(lk[j2], li[j2], lk[j], li[j]) {
                    let tk = lk[j];
                    let ti = li[j];
                    lk[j] = lk[j2];
                    li[j] = li[j2];
                    lk[j2] = tk;
                    li[j2] = ti;
                }
            }
        }
    }
}

// One work item; `s` is this invocation's selection lane (see the lane files).
fn scan_body(wid: vec3<u32>, lid: u32, s: u32) {
    let dp4 = params.dp / 4u;
    let k = params.k;
    let tx = lid % THREADS_Q;
    let ty = lid / THREADS_Q;
    let q_sel = s / QUAD; // the query slot this lane's quad owns
    let g = s % QUAD;

    // The item's rows and queries.
    var row0 = 0u;
    var row_end = 0u;
    if params.mode == 0u {
        row0 = wid.y * params.chunk_rows;
        row_end = min(row0 + params.chunk_rows, params.n_rows);
        if lid < TILE_Q {
            let q = wid.x * TILE_Q + lid;
            if q < params.n_queries {
                slot_query[lid] = q;
                slot_out[lid] = q * params.lists_per_query + params.chunk_base + wid.y;
            } else {
                slot_query[lid] = EMPTY;
            }
        }
    } else {
        let item = items[params.item_base + wid.x];
        row0 = item.row_start;
        row_end = item.row_start + item.row_count;
        if lid < TILE_Q {
            if lid < item.pair_count {
                slot_query[lid] = pairs[item.pair_start + lid];
                slot_out[lid] = item.out_base + lid;
            } else {
                slot_query[lid] = EMPTY;
            }
        }
    }
    if lid < TILE_Q {
        thr[lid] = params.neg_inf;
    }
    for (var j = 0u; j < K_SLOTS; j = j + 1u) {
        lk[j] = params.neg_inf;
        li[j] = EMPTY;
    }
    workgroupBarrier();

    for (var e0 = row0; e0 < row_end; e0 = e0 + TILE_E) {
        var acc: array<vec4<f32>, REG_E>;
        for (var b = 0u; b < REG_E; b = b + 1u) {
            acc[b] = vec4<f32>(0.0);
        }
        for (var k4 = 0u; k4 < dp4; k4 = k4 + TILE_K / 4u) {
            // Query tile: 64 queries x 4 vec4, one load per thread.
            {
                let i = lid / 4u;
                let v = lid % 4u;
                let c = k4 + v;
                var x = vec4<f32>(0.0);
                let qi = slot_query[i];
                if qi != EMPTY && c < dp4 {
                    x = queries[qi * dp4 + c];
                }
                for (var w = 0u; w < 4u; w = w + 1u) {
                    let d = 4u * v + w;
                    smem[d * (TILE_Q / 4u) + ((i / 4u) ^ swz(d))][i % 4u] = bitcast<u32>(x[w]);
                }
            }
            // Row tile: 128 rows x 4 vec4, two loads per thread.
            for (var r = 0u; r < 2u; r = r + 1u) {
                let idx = lid + r * WG;
                let i = idx / 4u;
                let v = idx % 4u;
                let c = k4 + v;
                var x = vec4<f32>(0.0);
                if e0 + i < row_end && c < dp4 {
                    x = row4((e0 + i) * dp4 + c);
                }
                for (var w = 0u; w < 4u; w = w + 1u) {
                    let d = 4u * v + w;
                    smem[Q_SLOTS + d * (TILE_E / 4u) + ((i / 4u) ^ swz(d))][i % 4u] = bitcast<u32>(x[w]);
                }
            }
            workgroupBarrier();
            for (var d = 0u; d < TILE_K; d = d + 1u) {
                let sw = swz(d);
                let qv = bitcast<vec4<f32>>(smem[d * (TILE_Q / 4u) + (tx ^ sw)]);
                let base = Q_SLOTS + d * (TILE_E / 4u);
                let ea = bitcast<vec4<f32>>(smem[base + ((2u * ty) ^ sw)]);
                let eb = bitcast<vec4<f32>>(smem[base + ((2u * ty + 1u) ^ sw)]);
                acc[0] = fma(qv, vec4<f32>(ea.x), acc[0]);
                acc[1] = fma(qv, vec4<f32>(ea.y), acc[1]);
                acc[2] = fma(qv, vec4<f32>(ea.z), acc[2]);
                acc[3] = fma(qv, vec4<f32>(ea.w), acc[3]);
                acc[4] = fma(qv, vec4<f32>(eb.x), acc[4]);
                acc[5] = fma(qv, vec4<f32>(eb.y), acc[5]);
                acc[6] = fma(qv, vec4<f32>(eb.z), acc[6]);
                acc[7] = fma(qv, vec4<f32>(eb.w), acc[7]);
            }
            workgroupBarrier();
        }
        // Keys, and the rows that may enter a list: pending bit 8 a + b.
        var pending = 0u;
        for (var b = 0u; b < REG_E; b = b + 1u) {
            let r = e0 + REG_E * ty + b;
            if r < row_end {
                var id = params.row_base + r;
                if params.mode == 1u {
                    id = row_ids[r];
                }
                if id != EMPTY {
                    if params.metric == METRIC_EUCLIDEAN {
                        acc[b] = 2.0 * acc[b] - vec4<f32>(norms[r]);
                    }
                    for (var a = 0u; a < REG_Q; a = a + 1u) {
                        let qi = slot_query[REG_Q * tx + a];
                        var ok = qi != EMPTY;
                        if ok && params.paged == 1u {
                            let bd = bounds[qi];
                            ok = better(bd.key, bd.id, acc[b][a], id);
                        }
                        if ok {
                            pending = pending | (1u << (REG_E * a + b));
                        }
                    }
                }
            }
        }
        // Rounds: each thread offers each of its queries its best pending key
        // that passes the threshold (slot ty of the query's batch: no two
        // threads share a slot), the quads merge the batches, thresholds rise.
        loop {
            if lid == 0u {
                atomicStore(&flags[0], 0u);
            }
            workgroupBarrier();
            // Constant loops over the register block keep `acc` in registers.
            for (var a = 0u; a < REG_Q; a = a + 1u) {
                let q = REG_Q * tx + a;
                let t = thr[q];
                var best = params.neg_inf;
                var best_b = REG_E;
                for (var b = 0u; b < REG_E; b = b + 1u) {
                    let bit = 1u << (REG_E * a + b);
                    if (pending & bit) != 0u {
                        let key = acc[b][a];
                        if key < t {
                            pending = pending & ~bit; // never again: thresholds only rise
                        } else if best_b == REG_E || key > best {
                            best = key;
                            best_b = b;
                        }
                    }
                }
                var offer = Cand(params.neg_inf, EMPTY);
                if best_b < REG_E {
                    pending = pending & ~(1u << (REG_E * a + best_b));
                    let r = e0 + REG_E * ty + best_b;
                    var id = params.row_base + r;
                    if params.mode == 1u {
                        id = row_ids[r];
                    }
                    if !excluded(slot_query[q], id) {
                        offer = Cand(best, id);
                    }
                    atomicStore(&flags[0], 1u); // another round, for this key or the next
                }
                set_surv_word(q * BATCH + ty, bitcast<u32>(offer.key));
                set_surv_word(TILE_Q * BATCH + q * BATCH + ty, offer.id);
            }
            workgroupBarrier(); // every offer written
            if lid == 0u {
                flags_plain[0] = atomicLoad(&flags[0]);
            }
            if workgroupUniformLoad(&flags_plain[0]) == 0u {
                break;
            }
            // The quads take their batches and merge them.
            for (var j = 0u; j < BATCH_SLOTS; j = j + 1u) {
                let p = j * QUAD + g;
                bk[j] = bitcast<f32>(surv_word(q_sel * BATCH + p));
                bi[j] = surv_word(TILE_Q * BATCH + q_sel * BATCH + p);
            }
            sort_batch(g, s);
            merge_batch(g, s);
            for (var j = 0u; j < K_SLOTS; j = j + 1u) {
                if j * QUAD + g == k - 1u {
                    thr[q_sel] = lk[j];
                }
            }
            workgroupBarrier(); // every batch read, every threshold set
        }
        workgroupBarrier(); // the survivors' words are the next product's tiles
    }
    // The list of each query slot: its first k entries.
    let qi = slot_query[q_sel];
    if qi != EMPTY {
        let base = slot_out[q_sel] * k;
        for (var j = 0u; j < K_SLOTS; j = j + 1u) {
            let p = j * QUAD + g;
            if p < k {
                lists[base + p] = Cand(lk[j], li[j]);
            }
        }
    }
}
