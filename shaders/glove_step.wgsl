// One batch of GloVe updates in two passes, rows gathered (see src/train/batch.rs):
// - main_pass: one invocation per distinct word row i of the batch. It first copies
//   the row (vector and bias) to its snapshot slot, then applies glove.c's AdaGrad
//   step for each of its triples in order, against the context rows as they stood at
//   the start of the batch (the context pass has not run yet), and writes its cost.
// - context_pass: one invocation per distinct context row j, the same against the
//   word rows as they stood at the start of the batch (read from the snapshot).
// No two invocations of a dispatch write the same row, so results are deterministic.
// CPU twin: src/train/twin.rs (same bindings, same loops).

// Keep in sync with `StepParams` in src/train/batch.rs.
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

const WG: u32 = 64u;

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

@compute @workgroup_size(WG)
fn main_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.n_spans) {
        return;
    }
    let span = spans[p.span_base + r];
    let d = p.dim;
    let wi = span.row * p.stride;
    let si = r * p.stride;
    for (var k = 0u; k <= d; k++) {
        snapshot[si + k] = theta[wi + k];
    }
    var cost = 0.0;
    for (var e = span.start; e < span.start + span.count; e++) {
        let en = entries[e];
        let cj = p.ctx_base + en.idx * p.stride;
        var dot = 0.0;
        for (var k = 0u; k < d; k++) {
            dot += theta[wi + k] * theta[cj + k];
        }
        let diff = dot + theta[wi + d] + theta[cj + d] - log(en.x);
        if (!finite(diff)) {
            continue;
        }
        let fdiff = weight(en.x) * diff;
        cost += 0.5 * fdiff * diff;
        for (var k = 0u; k < d; k++) {
            let t = clamp(fdiff * theta[cj + k], -p.clip, p.clip) * p.eta;
            theta[wi + k] -= t / sqrt(gradsq[wi + k]);
            gradsq[wi + k] += t * t;
        }
        theta[wi + d] -= fdiff / sqrt(gradsq[wi + d]);
        gradsq[wi + d] += fdiff * fdiff;
    }
    row_cost[r] = cost;
}

@compute @workgroup_size(WG)
fn context_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= p.n_spans) {
        return;
    }
    let span = spans[p.span_base + r];
    let d = p.dim;
    let cj = p.ctx_base + span.row * p.stride;
    for (var e = span.start; e < span.start + span.count; e++) {
        let en = entries[e];
        let si = en.idx * p.stride;
        var dot = 0.0;
        for (var k = 0u; k < d; k++) {
            dot += snapshot[si + k] * theta[cj + k];
        }
        let diff = dot + snapshot[si + d] + theta[cj + d] - log(en.x);
        if (!finite(diff)) {
            continue;
        }
        let fdiff = weight(en.x) * diff;
        for (var k = 0u; k < d; k++) {
            let t = clamp(fdiff * snapshot[si + k], -p.clip, p.clip) * p.eta;
            theta[cj + k] -= t / sqrt(gradsq[cj + k]);
            gradsq[cj + k] += t * t;
        }
        theta[cj + d] -= fdiff / sqrt(gradsq[cj + d]);
        gradsq[cj + d] += fdiff * fdiff;
    }
}
