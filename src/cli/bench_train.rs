//! `glove-wgpu bench train`: times GloVe training on a corpus (the bundled one by
//! default) and prints the kernels' counted figures beside the measured speed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use std::sync::Arc;

use glove_wgpu::cooccur::{self, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::model::Model;
use glove_wgpu::train::traffic::Traffic;
use glove_wgpu::train::{
    self, twin, Backend, BatchPlan, Budget, CoocSource, GpuTrainer, TrainConfig, Trainer,
};
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::{Error, Result};

use glove_wgpu::DeviceChoice;

/// Lanes the counted figures assume: the subgroup size of NVIDIA, Apple and AMD in
/// wave32 mode.
const COUNTED_LANES: usize = 32;

#[derive(clap::Args, Debug)]
pub struct TrainBenchArgs {
    /// Corpus (default: the bundled data/kjv.txt).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Vector dimension.
    #[arg(long, default_value_t = 50)]
    dim: usize,
    /// Epochs timed.
    #[arg(long, default_value_t = 3)]
    epochs: u32,
    /// Triples per batch (default: chosen from the adapter, as `train` does).
    #[arg(long)]
    batch: Option<usize>,
    /// Most triples of one row in a batch (0: no cap).
    #[arg(long, default_value_t = train::ROW_CAP)]
    row_cap: u32,
    /// Cut-off of the weighting function (Stanford's demo uses 10 on small corpora).
    #[arg(long, default_value_t = 10.0)]
    x_max: f32,
    /// Where to run: `gpu` (every timed epoch checked against the batched CPU twin)
    /// or `cpu` (Hogwild, all cores, checked against the exact trainer's first epoch).
    #[arg(long, value_enum)]
    backend: DeviceChoice,
    /// Keep words seen at least this many times.
    #[arg(long, default_value_t = VocabOptions::default().min_count)]
    min_count: u64,
    /// Keep at most this many words (the most frequent).
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Device memory the GPU trainer may use, MiB (the plan's chunks that fit stay
    /// on the device, the others stream every epoch).
    #[arg(long, default_value_t = train::DEFAULT_GPU_MEMORY >> 20)]
    gpu_memory_mb: u64,
    /// At most this many triples per GPU chunk (forces chunking, for checks).
    #[arg(long)]
    chunk_triples: Option<usize>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

/// Largest relative difference between Hogwild's first-epoch cost and the exact
/// trainer's from the same start (kjv.txt, 2 threads: 0.04 %).
const HOGWILD_SLACK: f64 = 0.05;

/// Largest parameter difference between the GPU and its twin after the timed epochs
/// (kjv.txt, 3 epochs on lavapipe: 3e-6).
const PARAM_TOLERANCE: f32 = 1e-4;

/// Whether `got` is within `rel` of `want` (false for a NaN).
fn within(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs()
}

/// The index and size of the largest difference between `a` and `b` (of equal
/// lengths; a NaN counts as the largest), or `None` when they are empty.
fn worst_difference(a: &[f32], b: &[f32]) -> Option<(usize, f32)> {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .enumerate()
        .max_by(|p, q| p.1.total_cmp(&q.1))
}

/// The bundled corpus: `data/kjv.txt` here, or in the crate's own folder.
fn bundled() -> PathBuf {
    let here = PathBuf::from("data/kjv.txt");
    if here.exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/kjv.txt")
}

pub fn run(a: TrainBenchArgs) -> Result<ExitCode> {
    if a.backend == DeviceChoice::Auto {
        return Err(Error::invalid(
            "bench train needs --backend cpu or --backend gpu",
        ));
    }
    if a.epochs == 0 {
        return Err(Error::invalid("bench train needs at least one epoch"));
    }
    let ctx = a.backend.resolve(&mut |e| {
        if let glove_wgpu::progress::Event::Note(n) = e {
            super::common::note(n);
        }
        Ok(())
    })?;
    let ctx = ctx.gpu().cloned();
    let corpus = a.corpus.clone().unwrap_or_else(bundled);
    let t0 = Instant::now();
    let vocab = Vocab::count(
        Corpus::from_arg(&corpus),
        &VocabOptions {
            min_count: a.min_count,
            max_vocab: a.max_vocab,
            ..Default::default()
        },
    )?;
    let cooc = cooccur::count_shuffled(&corpus, &vocab, &CooccurOptions::default(), 1)?;
    if cooc.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no co-occurrences to train on",
            corpus.display()
        )));
    }
    let prep_seconds = t0.elapsed().as_secs_f64();
    let cfg = TrainConfig {
        dim: a.dim,
        epochs: a.epochs,
        x_max: a.x_max,
        batch_size: a
            .batch
            .unwrap_or_else(|| train::default_batch(ctx.as_deref())),
        row_cap: a.row_cap,
        ..Default::default()
    };
    cfg.validate()?;
    let budget = Budget {
        gpu_memory_bytes: a.gpu_memory_mb.saturating_mul(1 << 20),
        chunk_triples: a.chunk_triples,
        ..Default::default()
    };
    // The run's one plan, built once (and timed) for the GPU and its twin; the
    // CPU run counts its traffic figures on it too.
    let t_plan = Instant::now();
    let plan = Arc::new(BatchPlan::from_source(
        &CoocSource::Memory(&cooc),
        vocab.len(),
        cfg.batch_size,
        cfg.row_cap,
        &train::PlanStorage::Memory,
    )?);
    let plan_seconds = t_plan.elapsed().as_secs_f64();
    let counted = Traffic::count(&plan, cfg.dim, COUNTED_LANES);
    let counted_plan_bytes = plan.bytes_per_triple();

    let mut model = Model::new(vocab.len(), cfg.dim, cfg.seed)?;
    let n = cooc.len() as f64;
    let no_callback = &mut |_: &train::EpochReport, _: &train::EpochView| Ok(());
    let mut gpu_figures = None;
    let (costs, seconds, adapter, path, stats, verified) = match &ctx {
        Some(ctx) => {
            // The twin: the batched CPU trainer on the same plan, every epoch, on a
            // copy of the start.
            let mut twin_model = model.clone();
            let lanes = twin::fallback_lanes() as usize;
            let mut twin = twin::BatchedTrainer::new(&mut twin_model, plan.clone(), &cfg, lanes)?;
            let want: Vec<f64> = (0..cfg.epochs)
                .map(|_| twin.epoch().map(|c| c / n))
                .collect::<Result<_>>()?;
            Box::new(twin).finish()?;
            let t_up = Instant::now();
            let mut t = GpuTrainer::new(ctx.clone(), &model, plan.clone(), &cfg, &budget)?;
            let upload_seconds = t_up.elapsed().as_secs_f64();
            drop(plan);
            let start = Instant::now();
            let mut costs = Vec::new();
            let mut host = Vec::new();
            for _ in 0..cfg.epochs {
                costs.push(t.epoch()? / n);
                host.push(t.stats().host_seconds);
            }
            let secs = start.elapsed().as_secs_f64();
            t.read_into(&mut model)?;
            // Every timed epoch against the twin's, then every parameter.
            let fail = |what: String| {
                Err(Error::Gpu(format!(
                    "verification of {} against the cpu-batched twin failed: {what}",
                    ctx.adapter().name
                )))
            };
            if costs.len() != want.len() {
                return fail(format!(
                    "{} epochs, the twin ran {}",
                    costs.len(),
                    want.len()
                ));
            }
            for (e, (&got, &w)) in costs.iter().zip(&want).enumerate() {
                if !within(got, w, 1e-3) {
                    return fail(format!("epoch {} cost {got}, the twin's {w}", e + 1));
                }
            }
            if model.params.len() != twin_model.params.len() {
                return fail(format!(
                    "{} parameters, the twin has {}",
                    model.params.len(),
                    twin_model.params.len()
                ));
            }
            if let Some((k, diff)) = worst_difference(&model.params, &twin_model.params) {
                if diff.is_nan() || diff > PARAM_TOLERANCE {
                    return fail(format!(
                        "parameter {k} is {} on the GPU and {} on the twin after epoch {}",
                        model.params[k], twin_model.params[k], cfg.epochs
                    ));
                }
            }
            let path = if t.path().uses_subgroups() {
                "subgroup"
            } else {
                "workgroup"
            };
            // Host time of the epochs after the first (the first may warm caches).
            let later = &host[1.min(host.len() - 1)..];
            gpu_figures = Some((
                t.layout().clone(),
                later.iter().sum::<f64>() / later.len() as f64,
                upload_seconds,
            ));
            (
                costs,
                secs,
                ctx.adapter().name.clone(),
                path,
                Some(t.stats().clone()),
                (
                    "cpu-batched",
                    format!(
                        "the same plan; every timed epoch's cost within 0.1 %, then every \
                         parameter after epoch {} within {PARAM_TOLERANCE}",
                        cfg.epochs
                    ),
                ),
            )
        }
        None => {
            // The reference: one exact (sequential) epoch on a copy of the start.
            let mut exact_model = model.clone();
            let one = TrainConfig {
                epochs: 1,
                ..cfg.clone()
            };
            let want = train::train(
                &mut exact_model,
                &cooc,
                &one,
                &Backend::Exact,
                0,
                no_callback,
            )?[0]
                .cost;
            let start = Instant::now();
            let r = train::train(
                &mut model,
                &cooc,
                &cfg,
                &Backend::Hogwild { threads: 0 },
                0,
                no_callback,
            )?;
            let secs = start.elapsed().as_secs_f64();
            let costs: Vec<f64> = r.iter().map(|e| e.cost).collect();
            if costs.len() != cfg.epochs as usize {
                return Err(Error::invalid(format!(
                    "Hogwild ran {} epochs of {}",
                    costs.len(),
                    cfg.epochs
                )));
            }
            // Hogwild's threads take slices of the triples at once, so its cost
            // only comes near the sequential one's.
            if !within(costs[0], want, HOGWILD_SLACK) {
                return Err(Error::invalid(format!(
                    "verification of Hogwild against the cpu-exact trainer failed: epoch 1 \
                     cost {} against {want} (more than {} % apart)",
                    costs[0],
                    HOGWILD_SLACK * 100.0
                )));
            }
            (
                costs,
                secs,
                "cpu".to_string(),
                "hogwild",
                None,
                (
                    "cpu-exact",
                    format!(
                        "epoch 1 cost within {} % of the exact trainer's from the same start",
                        HOGWILD_SLACK * 100.0
                    ),
                ),
            )
        }
    };
    let layout = gpu_figures.as_ref().map(|g| &g.0);
    let mut out = serde_json::json!({
        "backend": if ctx.is_some() { "gpu" } else { "cpu" },
        "adapter": adapter,
        "path": path,
        "corpus": corpus.display().to_string(),
        "vocab": vocab.len(),
        "dim": cfg.dim,
        "triples": cooc.len(),
        "min_count": a.min_count,
        "epochs": cfg.epochs,
        "batch": cfg.batch_size,
        "row_cap": cfg.row_cap,
        "prep_seconds": prep_seconds,
        "plan_seconds": plan_seconds,
        "plan_threads": rayon::current_num_threads(),
        "seconds": seconds,
        "updates_per_s": n * cfg.epochs as f64 / seconds,
        "costs": costs,
        "verified_against": verified.0,
        "verification": verified.1,
        "dispatches_per_epoch": stats.as_ref().map_or(counted.dispatches, |s| s.dispatches),
        "copies_per_epoch": stats.as_ref().map_or(0, |s| s.copies),
        "submissions_per_epoch": stats.as_ref().map_or(0, |s| s.submissions),
        "plan_bytes_per_triple": counted_plan_bytes,
        "upload_bytes_per_epoch": stats.as_ref().map_or(0, |s| s.upload_bytes),
        "counted_lanes": COUNTED_LANES,
        "bytes_per_update": counted.bytes_per_update(),
        "min_bytes_per_update": counted.min_bytes_per_update(),
        "sector_efficiency": counted.sector_efficiency(),
        "active_lanes": counted.active_lane_fraction(),
        "critical_path_ratio": counted.critical_path_ratio(),
    });
    if let (Some(l), Some((_, host, upload))) = (layout, &gpu_figures) {
        let o = out.as_object_mut().expect("an object");
        o.insert("host_seconds_per_epoch".into(), (*host).into());
        o.insert("upload_seconds".into(), (*upload).into());
        o.insert("resident_chunks".into(), l.resident_chunks.into());
        o.insert("streamed_chunks".into(), l.streamed_chunks.into());
        o.insert("model_shards".into(), l.model_shards.into());
        o.insert("largest_chunk_triples".into(), l.largest_chunk.into());
        o.insert("gpu_memory_mb".into(), (l.device_bytes >> 20).into());
        o.insert("gpu_budget_mb".into(), (l.budget_bytes >> 20).into());
    }
    if a.json {
        println!("{out}");
    } else {
        println!(
            "{} ({}): {} triples x {} epochs at dim {} in {:.2} s, {:.2} M updates/s, final cost {:.5}",
            out["adapter"].as_str().unwrap_or(""),
            path,
            cooc.len(),
            cfg.epochs,
            cfg.dim,
            seconds,
            out["updates_per_s"].as_f64().unwrap_or(0.0) / 1e6,
            out["costs"][cfg.epochs as usize - 1].as_f64().unwrap_or(0.0),
        );
        println!(
            "counted for {COUNTED_LANES} lanes, batch {}: {:.0} bytes per update ({:.2} x the minimum {:.0}), \
             sector efficiency {:.1} %, active lanes {:.1} %, critical path {:.2} x the mean row, \
             {} dispatches per epoch",
            cfg.batch_size,
            counted.bytes_per_update(),
            counted.bytes_per_update() / counted.min_bytes_per_update(),
            counted.min_bytes_per_update(),
            100.0 * counted.sector_efficiency(),
            100.0 * counted.active_lane_fraction(),
            counted.critical_path_ratio(),
            out["dispatches_per_epoch"]
        );
        print!(
            "plan: built once in {plan_seconds:.2} s on {} threads, {counted_plan_bytes:.1} bytes a triple",
            rayon::current_num_threads()
        );
        match (layout, &gpu_figures) {
            (Some(l), Some((_, host, _))) => println!(
                "; on the device: {} resident and {} streamed chunks, the model in {} shard(s), \
                 {} of {} MiB used; host work {:.4} s an epoch ({:.1} % of the plan's build)",
                l.resident_chunks,
                l.streamed_chunks,
                l.model_shards,
                l.device_bytes >> 20,
                l.budget_bytes >> 20,
                host,
                100.0 * host / plan_seconds.max(1e-9)
            ),
            _ => println!(),
        }
    }
    Ok(ExitCode::SUCCESS)
}
