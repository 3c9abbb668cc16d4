//! The GloVe kernels against their CPU twins on lavapipe or any adapter, on both
//! lane paths (subgroups, and workgroup memory on a context made without
//! subgroups) and with the model in shards; the determinism of the GPU trainer;
//! and one plan at every chunking, residency and shard count giving the same
//! vectors bit for bit, each equal to the batched twin.
//!
//! Tolerance for parameters and AdaGrad state: `|gpu - cpu| <= 1e-6 + 1e-5 |cpu|`.
//! The twin follows the kernel's order of operations (lane partial sums, then the
//! butterfly's tree), so what differs is the last bits of WGSL's `pow`, `log` and
//! `sqrt` against Rust's, and multiply-adds a compiler may fuse; errors compound
//! over a row's triples. The cost reduction follows the same order on both
//! sides: 1e-6 relative.

mod common;

use std::sync::{Arc, OnceLock};

use glove_wgpu::cooccur::Cooc;
use glove_wgpu::model::Model;
use glove_wgpu::shaders::GLOVE_COST;
use glove_wgpu::train::{
    self, device_stride, max_shards, to_device_layout, twin, Backend, BatchPlan, Budget,
    CostParams, GpuTrainer, LanePath, StepParams, TrainConfig, Trainer,
};
use glove_wgpu::{GpuContext, GpuOptions};

/// The default context (subgroups where the adapter has them) and one made
/// without subgroups, so both lane paths run on one adapter.
fn contexts(ctx: &Arc<GpuContext>) -> Vec<Arc<GpuContext>> {
    static NO_SG: OnceLock<Arc<GpuContext>> = OnceLock::new();
    let plain = NO_SG
        .get_or_init(|| {
            let opts = GpuOptions {
                no_subgroups: true,
                ..GpuOptions::from_env()
            };
            Arc::new(GpuContext::with_options(&opts).expect("a context without subgroups"))
        })
        .clone();
    assert!(!plain.has_subgroups());
    vec![ctx.clone(), plain]
}

#[test]
fn ci_adapter_has_subgroups_so_both_paths_run() {
    let Some(ctx) = common::gpu() else { return };
    if common::in_ci() {
        assert!(
            ctx.has_subgroups(),
            "CI's adapter ({}) should offer subgroups, or the subgroup path goes untested",
            ctx.adapter().name
        );
    }
    let paths: Vec<bool> = contexts(&ctx)
        .iter()
        .map(|c| LanePath::choose(c, 50).unwrap().uses_subgroups())
        .collect();
    assert_eq!(paths, [ctx.has_subgroups(), false]);
}

/// The lanes a row gets on `path`: the subgroup size where the adapter has one
/// size, else 32 (the twin then follows another order, within the tolerance).
fn lanes(ctx: &GpuContext, path: &LanePath) -> usize {
    let a = ctx.adapter();
    if path.uses_subgroups() && a.subgroup_min_size == a.subgroup_max_size {
        a.subgroup_min_size as usize
    } else {
        path.max_lanes as usize
    }
}

fn random_cooc(vocab: u32, n: usize, seed: u64) -> Vec<Cooc> {
    let mut rng = common::Rng::new(seed);
    (0..n)
        .map(|_| {
            // skew towards low ids so rows repeat within a batch (hot rows)
            let a = rng.unit();
            let i = ((a * a * vocab as f32) as u32).min(vocab - 1);
            Cooc {
                i,
                j: (rng.next_u64() % vocab as u64) as u32,
                x: 30.0 * (1.0 - rng.unit()),
            }
        })
        .collect()
}

#[track_caller]
fn assert_close(what: &str, gpu: &[f32], cpu: &[f32]) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    let mut worst = (0usize, 0.0f32);
    for (k, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        // Equal values (infinite row costs of skipped residuals too) are exact.
        let err = if g == c {
            0.0
        } else {
            (g - c).abs() / (1e-6 + 1e-5 * c.abs())
        };
        if err.is_nan() || err > worst.1 {
            worst = (k, err);
        }
    }
    let k = worst.0;
    assert!(
        worst.1 <= 1.0,
        "{what}: worst element {k}: gpu {} vs cpu {} ({} x tolerance)",
        gpu[k],
        cpu[k],
        worst.1
    );
}

fn cfg(dim: usize, batch: usize) -> TrainConfig {
    TrainConfig {
        dim,
        epochs: 3,
        x_max: 10.0,
        batch_size: batch,
        ..Default::default()
    }
}

/// The step kernel's pipeline constants for `path` and `shards`.
fn constants(path: &LanePath, shards: usize) -> Vec<(&'static str, f64)> {
    let mut c = vec![("SLOTS", path.slots as f64), ("SHARDS", shards as f64)];
    if path.uses_subgroups() {
        c.push(("WG", path.workgroup as f64));
    }
    c
}

/// Runs one pass (`entry` of the step kernel) with `params` over the model's
/// `shards` and the other buffers (snapshot, spans, entries, row costs).
fn dispatch(
    ctx: &GpuContext,
    path: &LanePath,
    entry: &'static str,
    params: &StepParams,
    shards: &[wgpu::Buffer],
    bufs: [&wgpu::Buffer; 4],
) {
    let pipeline = ctx
        .pipeline(path.kernel, entry, &constants(path, shards.len()))
        .unwrap();
    let u = ctx.upload_blocks("params", &[*params]).unwrap();
    let dummy = ctx.storage("unused shard", 4).unwrap();
    let mut b: Vec<&wgpu::Buffer> = vec![&u];
    b.extend((0..max_shards()).map(|s| shards.get(s).unwrap_or(&dummy)));
    b.extend(bufs);
    let bg = ctx.bind_kernel(path.kernel, &b).unwrap();
    let mut enc = ctx.encoder();
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        let groups = params.n_spans.div_ceil(path.rows_per_workgroup).max(1);
        GpuContext::dispatch_at(&mut pass, &pipeline, &bg, 0, groups);
    }
    ctx.submit(enc).unwrap();
}

/// The model rows `rows` in `shard_rows`-row shards on the device.
fn upload_shards(
    ctx: &GpuContext,
    rows: &[f32],
    row_floats: usize,
    shard_rows: usize,
) -> Vec<wgpu::Buffer> {
    rows.chunks(shard_rows * row_floats)
        .map(|part| ctx.upload("shard", part).unwrap())
        .collect()
}

/// The shards read back, end to end.
fn read_shards(
    ctx: &GpuContext,
    shards: &[wgpu::Buffer],
    len: usize,
    row_floats: usize,
    shard_rows: usize,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(len);
    for s in shards {
        let n = (shard_rows * row_floats).min(len - out.len());
        out.extend(ctx.read::<f32>(s, n).unwrap());
    }
    out
}

/// Triples with rows longer than a block of entries (hot rows), `x` of 0 (an
/// infinite residual: skipped) and huge `x` (weight 1).
fn adversarial(vocab: u32, n: usize) -> Vec<Cooc> {
    let mut c = random_cooc(vocab, n, 99);
    for (k, t) in c.iter_mut().enumerate() {
        match k % 7 {
            0 => t.i = 0, // row 0 gets n / 7 triples
            1 => t.j = 1,
            2 if k % 3 == 0 => t.x = 0.0,
            3 if k % 5 == 0 => t.x = 1e30,
            _ => {}
        }
    }
    c
}

/// One batch through `main_pass` then `context_pass` on both sides and both lane
/// paths; distinct rows of a batch 1, WG - 1, WG, WG + 1 and more, rows longer than
/// a block of entries, dimensions 1, 7, 50 and 300 (strides 8, 8, 56, 304), and the
/// model in 1, 2, 3 and 8 shards (rows on both sides of each shard's end).
#[test]
fn step_kernels_match_their_twins_on_both_lane_paths() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        for (vocab, n, dim, shards) in [
            (1, 1, 7, 1),
            (31, 31, 7, 2),
            (32, 96, 1, 1),
            (33, 69, 50, 3),
            (65, 200, 300, 1),
            (500, 1500, 50, 8),
            (40, 400, 9, 3),
        ] {
            let cooc: Vec<Cooc> = match vocab {
                1 => vec![Cooc { i: 0, j: 0, x: 3.5 }],
                40 => adversarial(40, n),
                _ => random_cooc(vocab as u32, n, n as u64),
            };
            let c = cfg(dim, cooc.len());
            let path = LanePath::choose(&ctx, dim).unwrap();
            let lanes = lanes(&ctx, &path);
            let plan = BatchPlan::build_capped(&cooc, c.batch_size, 0);
            assert_eq!(plan.batches().len(), 1);
            let model = Model::new(vocab, dim, 4).unwrap();
            let shard_rows = (2 * vocab).div_ceil(shards);
            let [pm, pc] = twin::batch_params(vocab, &c, plan.batches()[0], (0, 0, 0), shard_rows);
            let s = device_stride(dim);
            let rows = plan.max_main() as usize;

            // CPU twin
            let mut model_rows = to_device_layout(&model, 0..2 * vocab);
            let start = model_rows.clone();
            let mut snapshot = vec![0.0; rows * s];
            let mut row_cost = vec![0.0; rows];
            twin::main_pass(
                &pm,
                &mut model_rows,
                &mut snapshot,
                plan.main_spans(),
                plan.main_entries(),
                &mut row_cost,
                lanes,
            );
            let after_main = model_rows.clone();
            twin::context_pass(
                &pc,
                &mut model_rows,
                &snapshot,
                plan.ctx_spans(),
                plan.ctx_entries(),
                &mut row_cost,
                lanes,
            );

            // GPU: the same two dispatches
            let g_rows = upload_shards(&ctx, &start, 2 * s, shard_rows);
            assert_eq!(g_rows.len(), shards);
            let g_snap = ctx.upload("snapshot", &vec![0f32; rows * s]).unwrap();
            let g_cost = ctx.storage("row cost", (rows * 4) as u64).unwrap();
            let ms = ctx.upload("ms", plan.main_spans()).unwrap();
            let me = ctx.upload("me", plan.main_entries()).unwrap();
            let cs = ctx.upload("cs", plan.ctx_spans()).unwrap();
            let ce = ctx.upload("ce", plan.ctx_entries()).unwrap();
            dispatch(
                &ctx,
                &path,
                "main_pass",
                &pm,
                &g_rows,
                [&g_snap, &ms, &me, &g_cost],
            );
            let what = format!(
                "{}: vocab {vocab}, {n} triples, dim {dim}, {shards} shards",
                path.kernel.name
            );
            let len = start.len();
            assert_close(
                &format!("{what}: main pass rows"),
                &read_shards(&ctx, &g_rows, len, 2 * s, shard_rows),
                &after_main,
            );
            assert_close(
                &format!("{what}: snapshot"),
                &ctx.read(&g_snap, snapshot.len()).unwrap(),
                &snapshot,
            );
            assert_close(
                &format!("{what}: row cost"),
                &ctx.read(&g_cost, rows).unwrap(),
                &row_cost,
            );
            dispatch(
                &ctx,
                &path,
                "context_pass",
                &pc,
                &g_rows,
                [&g_snap, &cs, &ce, &g_cost],
            );
            let after: Vec<f32> = read_shards(&ctx, &g_rows, len, 2 * s, shard_rows);
            assert_close(&format!("{what}: context pass rows"), &after, &model_rows);
            // The step did something, and the padding stayed zero.
            assert_ne!(model_rows, start, "{what}: nothing moved");
            for r in 0..2 * vocab {
                for half in 0..2 {
                    let at = r * 2 * s + half * s;
                    assert!(after[at + dim + 1..at + s].iter().all(|&v| v == 0.0));
                }
            }
        }
    }
}

/// `reduce_cost` against its twin: batches of 0, 1, WG - 1, WG, WG + 1, 1000 and
/// 70,000 row costs, partials written from an offset, and more batches than
/// workgroups (the grid-stride loop).
#[test]
fn cost_kernel_matches_its_twin() {
    let Some(ctx) = common::gpu() else { return };
    let wg = GLOVE_COST.const_u32("COST_WG") as usize;
    let pipeline = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[]).unwrap();
    let mut rng = common::Rng::new(3);
    let sizes = [0, 1, wg - 1, wg, wg + 1, 1000, 70_000, 5];
    let mut batch_rows = vec![0u32];
    for n in sizes {
        batch_rows.push(batch_rows.last().unwrap() + n as u32);
    }
    let total = *batch_rows.last().unwrap() as usize;
    let row_cost: Vec<f32> = (0..total).map(|_| rng.unit()).collect();
    let nb = sizes.len();
    for groups in [nb as u32, 3] {
        let cp = CostParams {
            n_batches: nb as u32,
            out_base: 2,
            ..Default::default()
        };
        let mut want = vec![0.0f32; 2 + nb];
        twin::reduce_cost(&cp, &row_cost, &batch_rows, &mut want);
        let u = ctx.upload_blocks("cost params", &[cp]).unwrap();
        let rc = ctx.upload("rc", &row_cost).unwrap();
        let br = ctx.upload("br", &batch_rows).unwrap();
        let out = ctx.upload("out", &vec![0.0f32; 2 + nb]).unwrap();
        let bg = ctx.bind_kernel(&GLOVE_COST, &[&u, &rc, &br, &out]).unwrap();
        let mut enc = ctx.encoder();
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            GpuContext::dispatch_at(&mut pass, &pipeline, &bg, 0, groups);
        }
        ctx.submit(enc).unwrap();
        let got: Vec<f32> = ctx.read(&out, 2 + nb).unwrap();
        for (b, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-6 * w.abs(),
                "{groups} groups: partial {b}: gpu {g} cpu {w}"
            );
        }
        for (b, n) in sizes.iter().enumerate() {
            let r = batch_rows[b] as usize..batch_rows[b + 1] as usize;
            let exact: f64 = row_cost[r].iter().map(|&c| c as f64).sum();
            assert!(
                (want[2 + b] as f64 - exact).abs() <= 1e-5 * exact,
                "batch of {n}: twin {} exact {exact}",
                want[2 + b]
            );
        }
        assert_eq!(&got[..2], &[0.0, 0.0]);
    }
}

/// A GPU run of `c.epochs` epochs of `plan` within `budget`: the model and the
/// summed cost of each epoch, with the trainer's layout.
fn train_gpu(
    ctx: &Arc<GpuContext>,
    plan: &Arc<BatchPlan>,
    c: &TrainConfig,
    budget: &Budget,
) -> (Model, Vec<f64>, train::GpuLayout) {
    let mut m = Model::new(120, c.dim, 7).unwrap();
    let mut t = GpuTrainer::new(ctx.clone(), &m, plan.clone(), c, budget).unwrap();
    let costs = (0..c.epochs).map(|_| t.epoch().unwrap()).collect();
    t.read_into(&mut m).unwrap();
    (m, costs, t.layout().clone())
}

/// The batched twin's run of the same plan.
fn train_twin(plan: &Arc<BatchPlan>, c: &TrainConfig, lanes: usize) -> (Model, Vec<f64>) {
    let mut m = Model::new(120, c.dim, 7).unwrap();
    let mut t = Box::new(twin::BatchedTrainer::new(&mut m, plan.clone(), c, lanes).unwrap());
    let costs = (0..c.epochs).map(|_| t.epoch().unwrap()).collect();
    t.finish().unwrap();
    (m, costs)
}

/// The batched backend through `train` (it builds its own plan of `cooc`).
fn train_batched(cooc: &[Cooc], c: &TrainConfig) -> Model {
    let mut m = Model::new(120, c.dim, 7).unwrap();
    train::train(&mut m, cooc, c, &Backend::Batched, 0, &mut |_, _| Ok(())).unwrap();
    m
}

fn bits(m: &Model) -> Vec<u32> {
    m.params
        .iter()
        .chain(&m.gradsq)
        .map(|v| v.to_bits())
        .collect()
}

/// Three epochs of compounding: a looser, stated tolerance for a whole run
/// against the twin, on parameters and costs.
#[track_caller]
fn assert_near_twin(what: &str, g: &(Model, Vec<f64>), w: &(Model, Vec<f64>)) {
    for (k, (a, b)) in g.0.params.iter().zip(&w.0.params).enumerate() {
        assert!(
            (a - b).abs() <= 1e-5 + 1e-4 * b.abs(),
            "{what}: param {k}: gpu {a} twin {b}"
        );
    }
    for (e, (a, b)) in g.1.iter().zip(&w.1).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * b,
            "{what}: epoch {e}: gpu cost {a} twin {b}"
        );
    }
}

#[test]
fn gpu_trainer_is_deterministic_and_matches_the_batched_twin() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        let cooc = random_cooc(120, 5000, 1);
        let c = cfg(16, 700);
        let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
        let (a, ca, _) = train_gpu(&ctx, &plan, &c, &Budget::default());
        let (b, cb, _) = train_gpu(&ctx, &plan, &c, &Budget::default());
        assert_eq!(ca, cb);
        assert!(bits(&a) == bits(&b), "two GPU runs differ");
        let path = LanePath::choose(&ctx, 16).unwrap();
        let w = train_twin(&plan, &c, lanes(&ctx, &path));
        assert_near_twin(path.kernel.name, &(a, ca), &w);
        // And through `train`, whose batched backend builds the same plan.
        let cpu = train_batched(&cooc, &c);
        let fallback = train_twin(&plan, &c, twin::fallback_lanes() as usize);
        assert_eq!(cpu, fallback.0);
    }
}

/// Issue 16's failing comparison, small: with the row cap, a run cut into chunks
/// (as past one storage binding) must give the batched twin's vectors. Each chunk
/// used to be cut into batches on its own, so chunked runs left the twin (on the
/// old trainer: param 0, gpu -0.0571 against the twin's -0.0636).
#[test]
fn chunked_training_with_the_row_cap_equals_the_twin() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 2345, 8);
    let c = cfg(9, 200);
    let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
    let budget = Budget {
        chunk_triples: Some(450),
        ..Default::default()
    };
    let (g, costs, layout) = train_gpu(&ctx, &plan, &c, &budget);
    assert!(layout.resident_chunks > 1, "{layout:?}");
    let cpu = train_batched(&cooc, &c);
    for (k, (a, w)) in g.params.iter().zip(&cpu.params).enumerate() {
        assert!(
            (a - w).abs() <= 1e-5 + 1e-4 * w.abs(),
            "param {k}: gpu {a} twin {w}"
        );
    }
    assert!(costs.iter().all(|c| c.is_finite()));
}

/// One plan, every way of placing it: resident in one chunk, in 2 and in 7
/// chunks, 7 chunks of which some stream through two slots, all streaming, and
/// the model in 1, 2 and 5 shards: bit-identical vectors, state and costs, each
/// run equal to the twin. Both lane paths.
#[test]
fn every_chunking_residency_and_sharding_gives_the_same_vectors() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        let cooc = random_cooc(120, 2800, 8);
        let c = cfg(9, 100);
        let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
        let n = cooc.len();
        let path = LanePath::choose(&ctx, 9).unwrap();
        let w = train_twin(&plan, &c, lanes(&ctx, &path));
        let base = train_gpu(&ctx, &plan, &c, &Budget::default());
        assert_eq!((base.2.resident_chunks, base.2.streamed_chunks), (1, 0));
        assert_near_twin("resident", &(base.0.clone(), base.1.clone()), &w);
        // Chunk sizes that cut the plan into exactly k chunks.
        let m = Model::new(120, 9, 7).unwrap();
        let chunked = |k: usize| {
            (c.batch_size..=n)
                .find(|&t| {
                    let b = Budget {
                        chunk_triples: Some(t),
                        ..Default::default()
                    };
                    let t = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &b).unwrap();
                    t.layout().resident_chunks == k
                })
                .unwrap_or_else(|| panic!("no chunk size gives {k} chunks"))
        };
        let (two, seven) = (chunked(2), chunked(7));
        let fixed = base.2.model_bytes + base.2.scratch_bytes;
        // The smallest budget that streams chunks of one batch: nothing resident.
        let tight = (fixed..)
            .step_by(256)
            .find(|&b| {
                let b = Budget {
                    gpu_memory_bytes: b,
                    chunk_triples: Some(400),
                    ..Default::default()
                };
                GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &b).is_ok()
            })
            .unwrap();
        let budgets = [
            ("2 chunks", Some(two), None, None),
            ("7 chunks", Some(seven), None, None),
            (
                "7 chunks, some streamed",
                Some(seven),
                None,
                Some(fixed + 40_000),
            ),
            ("all streamed", Some(400), None, Some(tight)),
            ("2 shards", None, Some(239), None),
            (
                "5 shards, streamed",
                Some(seven),
                Some(50),
                Some(fixed + 20_000),
            ),
        ];
        for (what, chunk, shard_rows, memory) in budgets {
            let budget = Budget {
                chunk_triples: chunk,
                shard_rows,
                gpu_memory_bytes: memory.unwrap_or(train::DEFAULT_GPU_MEMORY),
                ..Default::default()
            };
            let (m, costs, layout) = train_gpu(&ctx, &plan, &c, &budget);
            let what = format!("{}: {what}: {layout:?}", path.kernel.name);
            match what.as_str() {
                w if w.contains("2 chunks") => assert_eq!(layout.resident_chunks, 2, "{w}"),
                w if w.contains("7 chunks,") => {
                    assert!(
                        layout.resident_chunks > 0 && layout.streamed_chunks > 0,
                        "{w}"
                    )
                }
                w if w.contains("7 chunks") => assert_eq!(layout.resident_chunks, 7, "{w}"),
                w if w.contains("all streamed") => {
                    assert!(
                        layout.resident_chunks == 0 && layout.streamed_chunks > 2,
                        "{w}"
                    )
                }
                w if w.contains("5 shards") => {
                    assert!(
                        layout.model_shards == 5 && layout.streamed_chunks > 0,
                        "{w}"
                    )
                }
                w => assert_eq!(layout.model_shards, 2, "{w}"),
            }
            assert!(
                bits(&m) == bits(&base.0),
                "{what}: vectors differ from the resident run"
            );
            assert_eq!(costs, base.1, "{what}: costs");
        }
    }
}

/// The limits on both sides of their edges: a chunk of exactly all the triples
/// and one short of it, a shard of exactly all the rows and one short, a budget
/// that just holds every chunk and one byte less.
#[test]
fn limits_on_both_sides_of_their_edges() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 1000, 3);
    let c = cfg(8, 100);
    let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
    let m = Model::new(120, 8, 7).unwrap();
    let layout = |b: Budget| {
        GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &b)
            .unwrap()
            .layout()
            .clone()
    };
    let n = plan.triples();
    let chunks = |t| {
        layout(Budget {
            chunk_triples: Some(t),
            ..Default::default()
        })
    };
    assert_eq!(chunks(n).resident_chunks, 1);
    assert_eq!(chunks(n - 1).resident_chunks, 2);
    let shards = |r| {
        layout(Budget {
            shard_rows: Some(r),
            ..Default::default()
        })
    };
    assert_eq!(shards(240).model_shards, 1);
    assert_eq!(shards(239).model_shards, 2);
    let all = layout(Budget::default()).device_bytes;
    let fits = layout(Budget {
        gpu_memory_bytes: all,
        ..Default::default()
    });
    assert_eq!((fits.resident_chunks, fits.streamed_chunks), (1, 0));
    let short = layout(Budget {
        gpu_memory_bytes: all - 1,
        ..Default::default()
    });
    assert!(short.streamed_chunks > 0, "{short:?}");
}

/// Budgets too small say so, with the figures, before any work.
#[test]
fn budgets_too_small_are_refused_with_the_figures() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 1000, 3);
    let c = cfg(8, 100);
    let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
    let m = Model::new(120, 8, 7).unwrap();
    let probe = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &Budget::default()).unwrap();
    let fixed = probe.layout().model_bytes + probe.layout().scratch_bytes;
    drop(probe);
    for (bytes, needle) in [(1000, "the model"), (fixed + 100, "two chunks")] {
        let b = Budget {
            gpu_memory_bytes: bytes,
            ..Default::default()
        };
        let err = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &b)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(needle) && err.contains("--gpu-memory-mb"),
            "{bytes}: {err}"
        );
    }
    // Too many shards for the kernels' bindings.
    let b = Budget {
        shard_rows: Some(2),
        ..Default::default()
    };
    let err = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &b)
        .unwrap_err()
        .to_string();
    assert!(err.contains("120 storage bindings"), "{err}");
    // A plan cut for another batch size.
    let other = Arc::new(BatchPlan::build(&cooc, 99));
    assert!(GpuTrainer::new(ctx.clone(), &m, other, &c, &Budget::default()).is_err());
}

#[test]
fn gpu_trainer_through_train_reports_epochs() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 3000, 2);
    let c = cfg(8, 512);
    let mut m = Model::new(120, 8, 7).unwrap();
    let mut seen = 0;
    let r = train::train(&mut m, &cooc, &c, &Backend::Gpu(ctx), 0, &mut |r, view| {
        seen += 1;
        assert_eq!(r.epoch, seen);
        assert_eq!(view.model()?.params.len(), 2 * 120 * 9);
        Ok(())
    })
    .unwrap();
    assert_eq!(r.len(), 3);
    assert!(r[2].cost < r[0].cost);
}

/// Resident: two dispatches a batch and one a chunk, one submission a chunk and
/// the read-back, one copy, nothing uploaded. Streamed: every streamed chunk
/// uploaded every epoch.
#[test]
fn dispatches_submissions_and_uploads_per_epoch() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 3000, 2);
    let c = cfg(8, 512);
    let plan = Arc::new(BatchPlan::build(&cooc, 512));
    let batches = plan.batches().len() as u64;
    let m = Model::new(120, 8, 7).unwrap();
    let budget = Budget {
        chunk_triples: Some(1024),
        ..Default::default()
    };
    let mut t = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &budget).unwrap();
    let chunks = t.layout().resident_chunks as u64;
    assert!(
        chunks >= batches / 2 && t.layout().largest_chunk <= 1024,
        "{:?}",
        t.layout()
    );
    for _ in 0..2 {
        t.epoch().unwrap();
        let s = t.stats();
        assert_eq!(
            s.dispatches,
            2 * batches + chunks,
            "two passes a batch, one cost a chunk"
        );
        assert_eq!((s.copies, s.submissions), (1, chunks + 1));
        assert_eq!((s.uploads, s.upload_bytes), (0, 0));
    }
    let fixed = t.layout().model_bytes + t.layout().scratch_bytes;
    let streamed = Budget {
        gpu_memory_bytes: fixed + 40_000,
        ..budget
    };
    let mut t = GpuTrainer::new(ctx, &m, plan, &c, &streamed).unwrap();
    let l = t.layout().clone();
    assert!(l.streamed_chunks > 2, "{l:?}");
    for _ in 0..2 {
        t.epoch().unwrap();
        assert_eq!(t.stats().uploads, l.streamed_chunks as u64);
        assert!(t.stats().upload_bytes > 0);
    }
}

/// The GPU trainer on a file read in chunks, its plan in memory or in files,
/// gives the in-memory result bit for bit (with the row cap).
#[test]
fn gpu_training_from_a_file_equals_memory() {
    use glove_wgpu::cooccur::CoocFormat;
    use glove_wgpu::train::{train_source, CoocSource};
    let Some(ctx) = common::gpu() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cooc.bin");
    let cooc = random_cooc(120, 3000, 4);
    common::write_stanford(&path, &cooc);
    let c = cfg(8, 100);
    let mut a = Model::new(120, 8, 7).unwrap();
    let ra = train::train(
        &mut a,
        &cooc,
        &c,
        &Backend::Gpu(ctx.clone()),
        0,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    let src = CoocSource::File {
        path,
        format: CoocFormat::Glove,
        chunk: 300,
    };
    for memory in [1 << 30, 1000] {
        let budget = Budget {
            memory_bytes: memory,
            chunk_triples: Some(700),
            ..Default::default()
        };
        let mut m = Model::new(120, 8, 7).unwrap();
        let backend = Backend::Gpu(ctx.clone());
        let rb = train_source(&mut m, &src, &c, &backend, &budget, 0, &mut |_, _| Ok(())).unwrap();
        assert_eq!(a, m, "plan memory {memory}");
        let costs = |r: &[train::EpochReport]| r.iter().map(|e| e.cost).collect::<Vec<_>>();
        assert_eq!(costs(&ra), costs(&rb));
    }
}

/// Past one storage binding, enforced by wgpu: a device asked for small bindings
/// must split the model into shards and the plan into chunks, and give the
/// vectors of a device with the adapter's own limits bit for bit. At a limit of
/// exactly the model's bytes the model is one shard; four bytes less, two.
#[test]
fn small_bindings_enforced_by_wgpu_give_the_same_vectors() {
    let Some(ctx) = common::gpu() else { return };
    let (vocab, dim) = (1000u32, 9);
    let cooc = random_cooc(vocab, 20_000, 12);
    let c = cfg(dim, 500);
    let plan = Arc::new(BatchPlan::build(&cooc, c.batch_size));
    let run = |ctx: &Arc<GpuContext>| {
        let mut m = Model::new(vocab as usize, dim, 7).unwrap();
        let mut t = GpuTrainer::new(ctx.clone(), &m, plan.clone(), &c, &Budget::default()).unwrap();
        let costs: Vec<f64> = (0..2).map(|_| t.epoch().unwrap()).collect();
        t.read_into(&mut m).unwrap();
        (bits(&m), costs, t.layout().clone())
    };
    let (want, want_costs, base) = run(&ctx);
    assert_eq!((base.model_shards, base.resident_chunks), (1, 1));
    let model = 2 * vocab as u64 * 2 * device_stride(dim) as u64 * 4; // 256,000 bytes
    for (limit, shards, min_chunks) in [(model, 1, 1), (model - 4, 2, 1), (64 << 10, 4, 3)] {
        let opts = GpuOptions {
            max_binding_bytes: Some(limit),
            ..GpuOptions::from_env()
        };
        let small = Arc::new(GpuContext::with_options(&opts).unwrap());
        assert_eq!(small.max_binding_bytes(), limit);
        let (got, costs, layout) = run(&small);
        assert_eq!(layout.model_shards, shards, "limit {limit}: {layout:?}");
        assert!(
            layout.resident_chunks >= min_chunks,
            "limit {limit}: {layout:?}"
        );
        assert!(got == want, "limit {limit}: vectors differ: {layout:?}");
        assert_eq!(costs, want_costs, "limit {limit}");
    }
}
