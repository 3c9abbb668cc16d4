// One batch of GloVe updates in two passes, rows gathered (see src/train/batch.rs).
// This file is the body shared by both lane paths; a module is this file followed
// by one of the lane files, which hold the entry points `main_pass` and
// `context_pass` and the lane primitives (`load_block`, `block_idx`, `block_x`,
// `lane_sum`):
//   - shaders/glove_lanes_subgroup.wgsl: one subgroup per row (needs SUBGROUP);
//   - shaders/glove_lanes_workgroup.wgsl: one 32-invocation workgroup per row,
//     the same steps through workgroup memory.
//
// Layout: a row is `stride` floats (`dim` vector values, the bias at index `dim`,
// zero padding to a multiple of ROW_ALIGN floats, so every row starts on a 32-byte
// sector and vec4 boundary). Lane `l` of `L` owns the elements `l, l + L, l + 2L, ...`
// of a row (`SLOTS` of them, the last ones masked): a load or store of one slot
// across the lanes touches consecutive addresses (coalesced).
//
// - main_pass: one row (lane group) per distinct word row i of the batch. The row
//   and its AdaGrad state are loaded into registers once, copied to the snapshot
//   slot (the pre-batch row the context pass reads), stepped through the row's
//   triples in order against the context rows (read-only in this pass, so as they
//   stood at the start of the batch), and written back once. The row's cost goes
//   to row_cost[cost_base + r].
// - context_pass: the same per distinct context row j, against the word rows as
//   they stood at the start of the batch (the snapshot).
// The other row of a triple is loaded coalesced, one triple ahead (prefetch).
// Entries are read coalesced, LANES at a time, and broadcast lane by lane.
// Dot products (with both biases as one more element) are reduced in a fixed order:
// lane partial sums over slots in order, then a butterfly over the lanes, so all
// lanes hold the same bits and the CPU twin (src/train/twin.rs) copies the order.
// No two lane groups of a dispatch write the same row, so runs are deterministic.

// Keep in sync with `StepParams` in src/train/batch.rs.
struct StepParams {
    dim: u32,
    stride: u32,
    ctx_base: u32,
    span_base: u32,
    n_spans: u32,
    cost_base: u32,
    pad0: u32,
    pad1: u32,
    x_max: f32,
    alpha: f32,
    eta: f32,
    clip: f32,
}

// Keep in sync with `Span` in src/train/batch.rs.
struct Span {
    row: u32,
    start: u32,
    count: u32,
    pad: u32,
}

// Keep in sync with `Entry` in src/train/batch.rs.
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

@group(0) @binding(0) var<uniform> p: StepParams;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read_write> gradsq: array<f32>;
@group(0) @binding(3) var<storage, read_write> snapshot: array<f32>;
@group(0) @binding(4) var<storage, read> spans: array<Span>;
@group(0) @binding(5) var<storage, read> entries: array<Entry>;
@group(0) @binding(6) var<storage, read_write> row_cost: array<f32>;

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

// The other row of a triple, this lane's slots (0 beyond the bias).
fn load_other(base: u32, from_snapshot: bool, lane: u32, lanes: u32) -> array<f32, SLOTS_MAX> {
    var c: array<f32, SLOTS_MAX>;
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        c[t] = 0.0;
        if (e <= p.dim) {
            if (from_snapshot) {
                c[t] = snapshot[base + e];
            } else {
                c[t] = theta[base + e];
            }
        }
    }
    return c;
}

// Steps row `base` (registers w, g) through span `span`'s triples against the other
// rows; returns the summed cost. `main`: the other rows are context rows of theta
// (entries hold j); otherwise word rows of the snapshot (entries hold the slot of i).
fn step_row(span: Span, main: bool, w: ptr<function, array<f32, SLOTS_MAX>>,
            g: ptr<function, array<f32, SLOTS_MAX>>, lane: u32, lanes: u32) -> f32 {
    let d = p.dim;
    var cost = 0.0;
    if (span.count == 0u) {
        return cost;
    }
    load_block(span.start, min(lanes, span.count), lane);
    var other_base = p.ctx_base + block_idx(0u) * p.stride;
    if (!main) {
        other_base = block_idx(0u) * p.stride;
    }
    var c = load_other(other_base, !main, lane, lanes);
    for (var e = 0u; e < span.count; e++) {
        let x = block_x(e % lanes);
        // Prefetch the next triple's row before this one's arithmetic.
        var next: array<f32, SLOTS_MAX>;
        let n = e + 1u;
        if (n < span.count) {
            if (n % lanes == 0u) {
                load_block(span.start + n, min(lanes, span.count - n), lane);
            }
            var nb = p.ctx_base + block_idx(n % lanes) * p.stride;
            if (!main) {
                nb = block_idx(n % lanes) * p.stride;
            }
            next = load_other(nb, !main, lane, lanes);
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
    var base = span.row * p.stride;
    if (!main) {
        base += p.ctx_base;
    }
    let snap = r * p.stride;
    var w: array<f32, SLOTS_MAX>;
    var g: array<f32, SLOTS_MAX>;
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        if (e <= p.dim) {
            w[t] = theta[base + e];
            g[t] = gradsq[base + e];
            if (main) {
                snapshot[snap + e] = w[t];
            }
        }
    }
    let cost = step_row(span, main, &w, &g, lane, lanes);
    for (var t = 0u; t < SLOTS; t++) {
        let e = lane + t * lanes;
        if (e <= p.dim) {
            theta[base + e] = w[t];
            gradsq[base + e] = g[t];
        }
    }
    if (main && lane == 0u) {
        row_cost[p.cost_base + r] = cost;
    }
}
