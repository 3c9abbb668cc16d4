// One batch of GloVe updates in two passes, rows gathered (see src/train/plan.rs).
// This file is the body shared by both lane paths; a module is this file followed
// by one of the lane files, which hold the entry points `main_pass` and
// `context_pass` and the lane primitives (`load_block`, `block_idx`, `block_x`,
// `lane_sum`):
//   - shaders/glove_lanes_subgroup.wgsl: one subgroup per row (needs SUBGROUP);
//   - shaders/glove_lanes_workgroup.wgsl: one 32-invocation workgroup per row,
//     the same steps through workgroup memory.
//
// Layout: a model row is `2 * stride` floats: `dim` vector values and the bias at
// index `dim`, zero padding to `stride` (a multiple of ROW_ALIGN floats, so every
// row starts on a 32-byte sector and vec4 boundary), then the row's AdaGrad state
// in the same shape. Word rows are 0..V, context rows V..2V (`ctx_row` = V); the
// rows are split over up to MAX_SHARDS bindings of `shard_rows` rows each (one
// storage binding is too small for large models). Lane `l` of `L` owns the
// elements `l, l + L, l + 2L, ...` of a row (`SLOTS` of them, the last ones
// masked): a load or store of one slot across the lanes touches consecutive
// addresses (coalesced).
//
// Spans and entries are the chunk's (a range of batches of the plan); this batch's
// spans start at `span_base` and its entries at `entry_base`, a span's `start`
// counts from the batch's first entry and its entries end at the next span's start
// (or the batch's `n_entries`).
//
// - main_pass: one row (lane group) per distinct word row i of the batch. The row
//   and its AdaGrad state are loaded into registers once, copied to the snapshot
//   slot (the pre-batch row the context pass reads), stepped through the row's
//   triples in order against the context rows (read-only in this pass, so as they
//   stood at the start of the batch), and written back once. The row's cost goes
//   to row_cost[span_base + r].
// - context_pass: the same per distinct context row j, against the word rows as
//   they stood at the start of the batch (the snapshot).
// The other row of a triple is loaded coalesced, one triple ahead (prefetch).
// Entries are read coalesced, LANES at a time, and broadcast lane by lane.
// Dot products (with both biases as one more element) are reduced in a fixed order:
// lane partial sums over slots in order, then a butterfly over the lanes, so all
// lanes hold the same bits and the CPU twin (src/train/twin.rs) copies the order.
// No two lane groups of a dispatch write the same row, so runs are deterministic.

// Keep in sync with `StepParams` in src/params.rs.
struct StepParams {
    dim: u32,
    stride: u32,
    ctx_row: u32,
    shard_rows: u32,
    span_base: u32,
    n_spans: u32,
    entry_base: u32,
    n_entries: u32,
    x_max: f32,
    alpha: f32,
    eta: f32,
    clip: f32,
}

// Keep in sync with `Span` in src/params.rs.
struct Span {
    row: u32,
    start: u32,
}

// Keep in sync with `Entry` in src/params.rs.
struct Entry {
    idx: u32,
    x: f32,
}

// The bits of +infinity: a skipped residual's cost.
const INF_BITS: u32 = 0x7f800000u;

// Rows are padded to a multiple of this many floats (32 bytes).
const ROW_ALIGN: u32 = 8u;
// Register slots a lane can hold per row: ceil(4104 / 32), the stride of the largest
// dimension (4096) over the fallback's 32 lanes.
const SLOTS_MAX: u32 = 129u;
// Slots a lane uses: ceil(stride / lanes), set by the host per pipeline, so loops
// over slots have a constant trip count and the arrays live in registers.
override SLOTS: u32 = 8u;
// Model shards bound (1..=MAX_SHARDS), set by the host per pipeline: with one,
// every access goes to rows0 and the shard choice folds away.
override SHARDS: u32 = 1u;
// Bindings for model shards.
const MAX_SHARDS: u32 = 8u;

@group(0) @binding(0) var<uniform> p: StepParams;
// The model: rows of `2 * stride` floats (the row's vector and bias, padding, then
// its AdaGrad state at +stride), row r in shard r / shard_rows at row r % shard_rows.
@group(0) @binding(1) var<storage, read_write> rows0: array<f32>;
@group(0) @binding(2) var<storage, read_write> rows1: array<f32>;
@group(0) @binding(3) var<storage, read_write> rows2: array<f32>;
@group(0) @binding(4) var<storage, read_write> rows3: array<f32>;
@group(0) @binding(5) var<storage, read_write> rows4: array<f32>;
@group(0) @binding(6) var<storage, read_write> rows5: array<f32>;
@group(0) @binding(7) var<storage, read_write> rows6: array<f32>;
@group(0) @binding(8) var<storage, read_write> rows7: array<f32>;
@group(0) @binding(9) var<storage, read_write> snapshot: array<f32>;
@group(0) @binding(10) var<storage, read> spans: array<Span>;
@group(0) @binding(11) var<storage, read> entries: array<Entry>;
@group(0) @binding(12) var<storage, read_write> row_cost: array<f32>;

// Where model row r lives: its shard and its first float there.
struct RowAt {
    shard: u32,
    base: u32,
}

fn row_at(r: u32) -> RowAt {
    if (SHARDS == 1u) {
        return RowAt(0u, r * 2u * p.stride);
    }
    return RowAt(r / p.shard_rows, (r % p.shard_rows) * 2u * p.stride);
}

// Float `i` of shard `s`. The shard is the same for every lane of a row.
fn load(s: u32, i: u32) -> f32 {
    var v = 0.0;
    if (SHARDS == 1u) {
        v = rows0[i];
    } else {
        switch s {
            case 0u: { v = rows0[i]; }
            case 1u: { v = rows1[i]; }
            case 2u: { v = rows2[i]; }
            case 3u: { v = rows3[i]; }
            case 4u: { v = rows4[i]; }
            case 5u: { v = rows5[i]; }
            case 6u: { v = rows6[i]; }
            default: { v = rows7[i]; }
        }
    }
    return v;
}

fn store(s: u32, i: u32, v: f32) {
    if (SHARDS == 1u) {
        rows0[i] = v;
    } else {
        switch s {
            case 0u: { rows0[i] = v; }
            case 1u: { rows1[i] = v; }
            case 2u: { rows2[i] = v; }
            case 3u: { rows3[i] = v; }
            case 4u: { rows4[i] = v; }
            case 5u: { rows5[i] = v; }
            case 6u: { rows6[i] = v; }
            default: { rows7[i] = v; }
        }
    }
}

// Not NaN and not infinite, from the bits (fast-math compilers may fold isnan away).
fn finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

fn weight(x: f32) -> f32 {
    if (x > p.x_max) {
        return 1.0;
    }
    return pow(x / p.x_max, p.alpha);
}

// The other row of a triple, this lane's slots (0 beyond the bias): model row
// `row`, or snapshot slot `row`.
fn load_other(row: u32, from_snapshot: bool, lane: u32, lanes: u32) -> array<f32, SLOTS_MAX> {
    var c: array<f32, SLOTS_MAX>;
    let at = row_at(row);
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        c[t] = 0.0;
        if (e <= p.dim) {
            if (from_snapshot) {
                c[t] = snapshot[row * p.stride + e];
            } else {
                c[t] = load(at.shard, at.base + e);
            }
        }
    }
    return c;
}

// The model row of entry `q` of the current block: a context row (main pass), or
// the word row's snapshot slot (context pass).
fn other_row(q: u32, main: bool) -> u32 {
    if (main) {
        return p.ctx_row + block_idx(q);
    }
    return block_idx(q);
}

// Steps a row (registers w, g) through `count` triples from entry `first` of the
// chunk against the other rows; returns the summed cost. `main`: the other rows
// are context rows of the model (entries hold j); otherwise word rows of the
// snapshot (entries hold the slot of i).
fn step_row(first: u32, count: u32, main: bool, w: ptr<function, array<f32, SLOTS_MAX>>,
            g: ptr<function, array<f32, SLOTS_MAX>>, lane: u32, lanes: u32) -> f32 {
    let d = p.dim;
    var cost = 0.0;
    if (count == 0u) {
        return cost;
    }
    load_block(first, min(lanes, count), lane);
    var c = load_other(other_row(0u, main), !main, lane, lanes);
    for (var e = 0u; e < count; e++) {
        let x = block_x(e % lanes);
        // Prefetch the next triple's row before this one's arithmetic.
        var next: array<f32, SLOTS_MAX>;
        let n = e + 1u;
        if (n < count) {
            if (n % lanes == 0u) {
                load_block(first + n, min(lanes, count - n), lane);
            }
            next = load_other(other_row(n % lanes, main), !main, lane, lanes);
        }
        // w.c + b_w + b_c: lane partials over slots, then the butterfly.
        var part = 0.0;
        for (var t = 0u; t < SLOTS; t++) {
            let k = lane + t * lanes;
            if (k < d) {
                part += (*w)[t] * c[t];
            } else if (k == d) {
                part += (*w)[t] + c[t];
            }
        }
        let diff = lane_sum(part, lane, lanes) - log(x);
        if (!finite(diff)) {
            // Skipped, as glove.c does; the row's cost becomes infinite so the
            // host sees it (inputs are checked, so only divergence gets here).
            cost += bitcast<f32>(INF_BITS);
        } else {
            let fdiff = weight(x) * diff;
            cost += 0.5 * fdiff * diff;
            for (var t = 0u; t < SLOTS; t++) {
                let k = lane + t * lanes;
                if (k < d) {
                    let u = clamp(fdiff * c[t], -p.clip, p.clip) * p.eta;
                    (*w)[t] -= u / sqrt((*g)[t]);
                    (*g)[t] += u * u;
                } else if (k == d) {
                    (*w)[t] -= fdiff / sqrt((*g)[t]);
                    (*g)[t] += fdiff * fdiff;
                }
            }
        }
        c = next;
    }
    return cost;
}

// Row r of this batch and pass (see the header): the word row of main span r
// (`main`, which also writes the snapshot and the row's cost) or the context row
// of context span r.
fn step_span(r: u32, main: bool, lane: u32, lanes: u32) {
    let span = spans[p.span_base + r];
    // The span's entries end where the next span of the batch starts.
    var end = p.n_entries;
    if (r + 1u < p.n_spans) {
        end = spans[p.span_base + r + 1u].start;
    }
    var row = span.row;
    if (!main) {
        row += p.ctx_row;
    }
    let at = row_at(row);
    let snap = r * p.stride;
    var w: array<f32, SLOTS_MAX>;
    var g: array<f32, SLOTS_MAX>;
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        if (e <= p.dim) {
            w[t] = load(at.shard, at.base + e);
            g[t] = load(at.shard, at.base + p.stride + e);
            if (main) {
                snapshot[snap + e] = w[t];
            }
        }
    }
    let cost = step_row(p.entry_base + span.start, end - span.start, main, &w, &g, lane, lanes);
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        if (e <= p.dim) {
            store(at.shard, at.base + e, w[t]);
            store(at.shard, at.base + p.stride + e, g[t]);
        }
    }
    if (main && lane == 0u) {
        row_cost[p.span_base + r] = cost;
    }
}
