//! The GloVe kernels against their CPU twins on lavapipe or any adapter, the
//! determinism of the GPU trainer, and streaming against resident batches.
//!
//! Tolerance for parameters and AdaGrad state: `|gpu - cpu| <= 1e-6 + 1e-5 |cpu|`
//! (the WGSL `pow`, `log`, `sqrt` and a possible fused multiply-add may differ
//! from Rust's by an ulp or two, and errors compound over a row's triples).
//! The cost reduction follows the same order on both sides: 1e-6 relative.

use std::sync::{Arc, OnceLock};

use glove_wgpu::cooccur::Cooc;
use glove_wgpu::model::{Model, SplitMix64};
use glove_wgpu::shaders::{GLOVE_COST, GLOVE_STEP};
use glove_wgpu::train::{self, twin, Backend, BatchPlan, GpuTrainer, StepParams, TrainConfig};
use glove_wgpu::GpuContext;

fn gpu() -> Option<Arc<GpuContext>> {
    static CTX: OnceLock<Option<Arc<GpuContext>>> = OnceLock::new();
    CTX.get_or_init(|| match GpuContext::new() {
        Ok(c) => Some(Arc::new(c)),
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but no GPU adapter was found: {e}");
            }
            eprintln!("skipping GPU test: {e}");
            None
        }
    })
    .clone()
}

fn random_cooc(vocab: u32, n: usize, seed: u64) -> Vec<Cooc> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            // skew towards low ids so rows repeat within a batch (hot rows)
            let a = rng.next_f32();
            let i = ((a * a * vocab as f32) as u32).min(vocab - 1);
            Cooc {
                i,
                j: (rng.next_u64() % vocab as u64) as u32,
                x: 30.0 * (1.0 - rng.next_f32()),
            }
        })
        .collect()
}

#[track_caller]
fn assert_close(what: &str, gpu: &[f32], cpu: &[f32]) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    let mut worst = (0usize, 0.0f32);
    for (k, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let err = (g - c).abs() / (1e-6 + 1e-5 * c.abs());
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

#[test]
fn glove_shaders_validate() {
    GLOVE_STEP.validate().unwrap();
    GLOVE_COST.validate().unwrap();
    assert!(GLOVE_STEP.const_u32("WG") > 0);
    assert!(GLOVE_COST.const_u32("COST_WG").is_power_of_two());
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

/// One batch through `main_pass` then `context_pass` on both sides; rows of the
/// batch: 1, WG - 1, WG, WG + 1 and more, at dimensions 1, 7 and 50.
#[test]
fn step_kernels_match_their_twins() {
    let Some(ctx) = gpu() else { return };
    let wg = GLOVE_STEP.const_u32("WG") as usize;
    for (vocab, n, dim) in [
        (1, 1, 7),
        (wg - 1, wg - 1, 7),
        (wg, 3 * wg, 1),
        (wg + 1, 2 * wg + 5, 50),
        (500, 1500, 50),
    ] {
        let cooc: Vec<Cooc> = if vocab <= 1 {
            vec![Cooc { i: 0, j: 0, x: 3.5 }]
        } else {
            random_cooc(vocab as u32, n, n as u64)
        };
        let c = cfg(dim, cooc.len());
        let plan = BatchPlan::build(&cooc, c.batch_size);
        let model = Model::new(vocab, dim, 4).unwrap();
        let [pm, pc, _] = twin::batch_params(vocab, &c, &plan, 0);
        let s = model.stride();
        let rows = plan.max_main as usize;

        // CPU twin
        let (mut theta, mut gradsq) = (model.params.clone(), model.gradsq.clone());
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
        );
        let (theta_main, gradsq_main) = (theta.clone(), gradsq.clone());
        twin::context_pass(
            &pc,
            &mut theta,
            &mut gradsq,
            &snapshot,
            &plan.ctx_spans,
            &plan.ctx_entries,
        );

        // GPU: the same two dispatches
        let uni = |p: &StepParams| {
            let b = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: std::mem::size_of::<StepParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            ctx.queue().write_buffer(&b, 0, bytemuck::bytes_of(p));
            b
        };
        let (um, uc) = (uni(&pm), uni(&pc));
        let g_theta = ctx.upload("theta", &model.params).unwrap();
        let g_gradsq = ctx.upload("gradsq", &model.gradsq).unwrap();
        let g_snap = ctx.storage("snapshot", (rows * s * 4) as u64).unwrap();
        let g_cost = ctx.storage("row cost", (rows * 4) as u64).unwrap();
        let ms = ctx.upload("ms", &plan.main_spans).unwrap();
        let me = ctx.upload("me", &plan.main_entries).unwrap();
        let cs = ctx.upload("cs", &plan.ctx_spans).unwrap();
        let ce = ctx.upload("ce", &plan.ctx_entries).unwrap();
        let main = ctx.pipeline(&GLOVE_STEP, "main_pass", &[]).unwrap();
        let cpass = ctx.pipeline(&GLOVE_STEP, "context_pass", &[]).unwrap();
        let bm = ctx
            .bind(
                &main,
                &[
                    (0, &um),
                    (1, &g_theta),
                    (2, &g_gradsq),
                    (3, &g_snap),
                    (4, &ms),
                    (5, &me),
                    (6, &g_cost),
                ],
            )
            .unwrap();
        let bc = ctx
            .bind(
                &cpass,
                &[
                    (0, &uc),
                    (1, &g_theta),
                    (2, &g_gradsq),
                    (3, &g_snap),
                    (4, &cs),
                    (5, &ce),
                ],
            )
            .unwrap();
        let mut enc = ctx.encoder();
        GpuContext::dispatch(
            &mut enc,
            &main,
            &bm,
            ((pm.n_spans as usize).div_ceil(wg) as u32, 1, 1),
        );
        ctx.submit(enc).unwrap();
        let what = format!("vocab {vocab}, {n} triples, dim {dim}");
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
        let mut enc = ctx.encoder();
        GpuContext::dispatch(
            &mut enc,
            &cpass,
            &bc,
            ((pc.n_spans as usize).div_ceil(wg) as u32, 1, 1),
        );
        ctx.submit(enc).unwrap();
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
    }
}

/// `reduce_cost` against its twin for 0, 1, WG - 1, WG, WG + 1 and 1000 row costs.
#[test]
fn cost_kernel_matches_its_twin() {
    let Some(ctx) = gpu() else { return };
    let wg = GLOVE_COST.const_u32("COST_WG") as usize;
    let pipeline = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[]).unwrap();
    let mut rng = SplitMix64::new(3);
    for n in [0, 1, wg - 1, wg, wg + 1, 1000] {
        let row_cost: Vec<f32> = (0..n).map(|_| rng.next_f32()).collect();
        let p = StepParams {
            n_spans: n as u32,
            cost_slot: 2,
            ..Default::default()
        };
        let mut want = vec![0.0f32; 3];
        twin::reduce_cost(&p, &row_cost, &mut want);
        let u = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: std::mem::size_of::<StepParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue().write_buffer(&u, 0, bytemuck::bytes_of(&p));
        let rc = ctx.upload("rc", &row_cost).unwrap();
        let out = ctx.upload("out", &[0.0f32; 3]).unwrap();
        let bg = ctx
            .bind(&pipeline, &[(0, &u), (1, &rc), (2, &out)])
            .unwrap();
        let mut enc = ctx.encoder();
        GpuContext::dispatch(&mut enc, &pipeline, &bg, (1, 1, 1));
        ctx.submit(enc).unwrap();
        let got: Vec<f32> = ctx.read(&out, 3).unwrap();
        let exact: f64 = row_cost.iter().map(|&c| c as f64).sum();
        assert!(
            (got[2] - want[2]).abs() <= 1e-6 * want[2].abs(),
            "n {n}: gpu {} cpu {}",
            got[2],
            want[2]
        );
        assert!(
            (want[2] as f64 - exact).abs() <= 1e-5 * exact,
            "n {n}: twin {} exact {exact}",
            want[2]
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
    let Some(ctx) = gpu() else { return };
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

#[test]
fn streamed_chunks_give_the_resident_result() {
    let Some(ctx) = gpu() else { return };
    let cooc = random_cooc(120, 2345, 8);
    let c = cfg(9, 200);
    let (a, ca) = train_gpu(&ctx, &cooc, &c, None);
    let m = Model::new(120, 9, 7).unwrap();
    assert!(
        !GpuTrainer::with_chunk(ctx.clone(), &m, &cooc, &c, Some(450))
            .unwrap()
            .is_resident()
    );
    let (b, cb) = train_gpu(&ctx, &cooc, &c, Some(450));
    assert_eq!(a, b);
    for (x, y) in ca.iter().zip(&cb) {
        assert!((x - y).abs() <= 1e-9 * x.abs());
    }
}

#[test]
fn gpu_trainer_through_train_reports_epochs() {
    let Some(ctx) = gpu() else { return };
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
