//! The GloVe kernels against their CPU twins on lavapipe or any adapter, on both
//! lane paths (subgroups, and workgroup memory on a context made without
//! subgroups), the determinism of the GPU trainer, and streaming against resident
//! batches.
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
    self, device_stride, to_device_layout, twin, Backend, BatchPlan, CostParams, GpuTrainer,
    LanePath, StepParams, TrainConfig,
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

/// Runs one pass (`entry` of the step kernel) with `params` over the buffers.
fn dispatch(
    ctx: &GpuContext,
    path: &LanePath,
    entry: &'static str,
    params: &StepParams,
    bufs: [&wgpu::Buffer; 6],
) {
    let constants: Vec<(&str, f64)> = if path.uses_subgroups() {
        vec![("SLOTS", path.slots as f64), ("WG", path.workgroup as f64)]
    } else {
        vec![("SLOTS", path.slots as f64)]
    };
    let pipeline = ctx.pipeline(path.kernel, entry, &constants).unwrap();
    let u = ctx.upload_blocks("params", &[*params]).unwrap();
    let [theta, gradsq, snapshot, spans, entries, row_cost] = bufs;
    let bg = ctx
        .bind_kernel(
            path.kernel,
            &[&u, theta, gradsq, snapshot, spans, entries, row_cost],
        )
        .unwrap();
    let mut enc = ctx.encoder();
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        let groups = params.n_spans.div_ceil(path.rows_per_workgroup).max(1);
        GpuContext::dispatch_at(&mut pass, &pipeline, &bg, 0, groups);
    }
    ctx.submit(enc).unwrap();
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
/// a block of entries, dimensions 1, 7, 50 and 300 (strides 8, 8, 56, 304).
#[test]
fn step_kernels_match_their_twins_on_both_lane_paths() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        for (vocab, n, dim) in [
            (1, 1, 7),
            (31, 31, 7),
            (32, 96, 1),
            (33, 69, 50),
            (65, 200, 300),
            (500, 1500, 50),
            (40, 400, 9),
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
            assert_eq!(plan.batches.len(), 1);
            let model = Model::new(vocab, dim, 4).unwrap();
            let [pm, pc] = twin::batch_params(vocab, &c, &plan, 0);
            let s = device_stride(dim);
            let rows = plan.max_main as usize;

            // CPU twin
            let (mut theta, mut gradsq) = to_device_layout(&model);
            let mut snapshot = vec![0.0; rows * s];
            let mut row_cost = vec![0.0; rows];
            twin::main_pass(
                &pm,
                &mut theta,
                &mut gradsq,
                &mut snapshot,
                &plan.main_spans,
                &plan.main_entries,
                &mut row_cost,
                lanes,
            );
            let (theta_main, gradsq_main) = (theta.clone(), gradsq.clone());
            twin::context_pass(
                &pc,
                &mut theta,
                &mut gradsq,
                &snapshot,
                &plan.ctx_spans,
                &plan.ctx_entries,
                &mut row_cost,
                lanes,
            );

            // GPU: the same two dispatches
            let (t0, g0) = to_device_layout(&model);
            let g_theta = ctx.upload("theta", &t0).unwrap();
            let g_gradsq = ctx.upload("gradsq", &g0).unwrap();
            let g_snap = ctx.upload("snapshot", &vec![0f32; rows * s]).unwrap();
            let g_cost = ctx.storage("row cost", (rows * 4) as u64).unwrap();
            let ms = ctx.upload("ms", &plan.main_spans).unwrap();
            let me = ctx.upload("me", &plan.main_entries).unwrap();
            let cs = ctx.upload("cs", &plan.ctx_spans).unwrap();
            let ce = ctx.upload("ce", &plan.ctx_entries).unwrap();
            dispatch(
                &ctx,
                &path,
                "main_pass",
                &pm,
                [&g_theta, &g_gradsq, &g_snap, &ms, &me, &g_cost],
            );
            let what = format!(
                "{}: vocab {vocab}, {n} triples, dim {dim}",
                path.kernel.name
            );
            assert_close(
                &format!("{what}: main pass theta"),
                &ctx.read(&g_theta, theta.len()).unwrap(),
                &theta_main,
            );
            assert_close(
                &format!("{what}: main pass gradsq"),
                &ctx.read(&g_gradsq, theta.len()).unwrap(),
                &gradsq_main,
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
                [&g_theta, &g_gradsq, &g_snap, &cs, &ce, &g_cost],
            );
            assert_close(
                &format!("{what}: context pass theta"),
                &ctx.read(&g_theta, theta.len()).unwrap(),
                &theta,
            );
            assert_close(
                &format!("{what}: context pass gradsq"),
                &ctx.read(&g_gradsq, theta.len()).unwrap(),
                &gradsq,
            );
            // The step did something, and the padding stayed zero.
            assert_ne!(theta, t0, "{what}: nothing moved");
            let after: Vec<f32> = ctx.read(&g_theta, theta.len()).unwrap();
            for r in 0..2 * vocab {
                assert!(after[r * s + dim + 1..(r + 1) * s]
                    .iter()
                    .all(|&v| v == 0.0));
            }
        }
    }
}

/// `reduce_cost` against its twin for 0, 1, WG - 1, WG, WG + 1, BLOCK + 1 and more
/// row costs, its partials written from an offset.
#[test]
fn cost_kernel_matches_its_twin() {
    let Some(ctx) = common::gpu() else { return };
    let wg = GLOVE_COST.const_u32("COST_WG") as usize;
    let block = twin::cost_block() as usize;
    let pipeline = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[]).unwrap();
    let mut rng = common::Rng::new(3);
    for n in [0, 1, wg - 1, wg, wg + 1, 1000, block + 1, 2 * block + 77] {
        let row_cost: Vec<f32> = (0..n).map(|_| rng.unit()).collect();
        let cp = CostParams {
            n_rows: n as u32,
            out_base: 2,
            ..Default::default()
        };
        let blocks = n.div_ceil(block).max(1);
        let mut want = vec![0.0f32; 2 + blocks];
        twin::reduce_cost(&cp, &row_cost, &mut want);
        let u = ctx.upload_blocks("cost params", &[cp]).unwrap();
        let rc = ctx.upload("rc", &row_cost).unwrap();
        let out = ctx.upload("out", &vec![0.0f32; 2 + blocks]).unwrap();
        let bg = ctx.bind_kernel(&GLOVE_COST, &[&u, &rc, &out]).unwrap();
        let mut enc = ctx.encoder();
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            GpuContext::dispatch_at(&mut pass, &pipeline, &bg, 0, blocks as u32);
        }
        ctx.submit(enc).unwrap();
        let got: Vec<f32> = ctx.read(&out, 2 + blocks).unwrap();
        let exact: f64 = row_cost.iter().map(|&c| c as f64).sum();
        let sum: f64 = want.iter().map(|&c| c as f64).sum();
        for (b, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-6 * w.abs(),
                "n {n}: partial {b}: gpu {g} cpu {w}"
            );
        }
        assert!(
            (sum - exact).abs() <= 1e-5 * exact,
            "n {n}: twin {sum} exact {exact}"
        );
        assert_eq!(&got[..2], &[0.0, 0.0]);
    }
}

fn train_gpu(
    ctx: &Arc<GpuContext>,
    cooc: &[Cooc],
    c: &TrainConfig,
    chunk: Option<usize>,
) -> (Model, Vec<f64>) {
    let mut m = Model::new(120, c.dim, 7).unwrap();
    let mut t = GpuTrainer::with_chunk(ctx.clone(), &m, cooc, c, chunk).unwrap();
    let costs = (0..c.epochs).map(|_| t.epoch().unwrap()).collect();
    t.read_into(&mut m).unwrap();
    (m, costs)
}

#[test]
fn gpu_trainer_is_deterministic_and_matches_the_batched_twin() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        let cooc = random_cooc(120, 5000, 1);
        let c = cfg(16, 700);
        let (a, ca) = train_gpu(&ctx, &cooc, &c, None);
        let (b, cb) = train_gpu(&ctx, &cooc, &c, None);
        assert_eq!(ca, cb);
        assert!(
            a.params
                .iter()
                .zip(&b.params)
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "two GPU runs differ"
        );
        assert!(a
            .gradsq
            .iter()
            .zip(&b.gradsq)
            .all(|(x, y)| x.to_bits() == y.to_bits()));

        let mut cpu = Model::new(120, 16, 7).unwrap();
        let r = train::train(
            &mut cpu,
            &cooc,
            &c,
            &Backend::Batched,
            0,
            &mut |_, _| Ok(()),
        )
        .unwrap();
        // Three epochs of compounding: a looser, stated tolerance for the whole run.
        for (k, (g, w)) in a.params.iter().zip(&cpu.params).enumerate() {
            assert!(
                (g - w).abs() <= 1e-5 + 1e-4 * w.abs(),
                "param {k}: gpu {g} cpu {w}"
            );
        }
        for (e, (g, w)) in ca.iter().zip(&r).enumerate() {
            let w = w.cost * cooc.len() as f64;
            assert!((g - w).abs() <= 1e-4 * w, "epoch {e}: gpu cost {g} cpu {w}");
        }
    }
}

#[test]
fn streamed_chunks_give_the_resident_result() {
    let Some(ctx) = common::gpu() else { return };
    for ctx in contexts(&ctx) {
        let cooc = random_cooc(120, 2345, 8);
        // Without a row cap, batches are runs of consecutive triples, cut the same
        // way whole or in chunks of whole batches: the results are bit-identical.
        let c = TrainConfig {
            row_cap: 0,
            ..cfg(9, 200)
        };
        let (a, ca) = train_gpu(&ctx, &cooc, &c, None);
        let m = Model::new(120, 9, 7).unwrap();
        let mut t = GpuTrainer::with_chunk(ctx.clone(), &m, &cooc, &c, Some(450)).unwrap();
        assert!(!t.is_resident());
        t.epoch().unwrap();
        // Chunks of 400 triples (two batches): 6 uploads, each overlapping the
        // previous chunk's compute, in 6 submissions, and one for the read-back.
        assert_eq!(t.stats().uploads, 6);
        assert_eq!(t.stats().submissions, 7);
        let (b, cb) = train_gpu(&ctx, &cooc, &c, Some(450));
        assert_eq!(a, b);
        for (x, y) in ca.iter().zip(&cb) {
            assert!((x - y).abs() <= 1e-6 * x.abs());
        }
        // With the cap, each chunk is cut on its own: close, not identical.
        let c = cfg(9, 200);
        let (_, ca) = train_gpu(&ctx, &cooc, &c, None);
        let (_, cb) = train_gpu(&ctx, &cooc, &c, Some(450));
        for (x, y) in ca.iter().zip(&cb) {
            assert!((x - y).abs() <= 0.02 * x.abs(), "{x} vs {y}");
        }
    }
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

#[test]
fn dispatches_per_batch_and_no_copies() {
    let Some(ctx) = common::gpu() else { return };
    let cooc = random_cooc(120, 3000, 2);
    let c = cfg(8, 512);
    let m = Model::new(120, 8, 7).unwrap();
    let mut t = GpuTrainer::new(ctx, &m, &cooc, &c).unwrap();
    t.epoch().unwrap();
    let batches = BatchPlan::build(&cooc, 512).batches.len() as u64;
    let s = t.stats();
    assert_eq!(
        s.dispatches,
        2 * batches + 1,
        "two passes per batch, one cost"
    );
    assert_eq!(s.copies, 1, "only the cost read-back");
    assert_eq!(s.submissions, 1);
}

/// The GPU trainer streaming a file chunk after chunk gives the in-memory result
/// bit for bit (whole-batch chunks, no row cap), with two dispatches per batch.
#[test]
fn gpu_training_from_a_file_equals_memory() {
    use glove_wgpu::cooccur::CoocFormat;
    use glove_wgpu::train::{train_source, CoocSource};
    let Some(ctx) = common::gpu() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cooc.bin");
    let cooc = random_cooc(120, 3000, 4);
    common::write_stanford(&path, &cooc);
    let c = TrainConfig {
        row_cap: 0,
        ..cfg(8, 100)
    };
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
    let mut m = Model::new(120, 8, 7).unwrap();
    let rb = train_source(&mut m, &src, &c, &Backend::Gpu(ctx), 0, &mut |_, _| Ok(())).unwrap();
    assert_eq!(a, m);
    // Summed in other blocks: equal to rounding.
    for (x, y) in ra.iter().zip(&rb) {
        assert!(
            (x.cost - y.cost).abs() <= 1e-6 * x.cost,
            "{} vs {}",
            x.cost,
            y.cost
        );
    }
}
