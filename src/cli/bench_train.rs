//! `glove-wgpu bench train`: times GloVe training on a corpus (the bundled one by
//! default) and prints the kernels' counted figures beside the measured speed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use glove_wgpu::cooccur::{self, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::model::Model;
use glove_wgpu::train::traffic::Traffic;
use glove_wgpu::train::{self, Backend, BatchPlan, GpuTrainer, TrainConfig};
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::{Error, Result};

use super::common::BackendChoice;

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
    /// Where to run: `gpu` (checked against the CPU twin first) or `cpu` (Hogwild, all cores).
    #[arg(long, value_enum)]
    backend: BackendChoice,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
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
    if a.backend == BackendChoice::Auto {
        return Err(Error::invalid(
            "bench train needs --backend cpu or --backend gpu",
        ));
    }
    if a.epochs == 0 {
        return Err(Error::invalid("bench train needs at least one epoch"));
    }
    let ctx = a.backend.context(&mut super::common::note)?;
    let corpus = a.corpus.clone().unwrap_or_else(bundled);
    let t0 = Instant::now();
    let vocab = Vocab::count(
        Corpus::from_arg(&corpus),
        &VocabOptions {
            quiet: true,
            ..Default::default()
        },
    )?;
    let quiet = CooccurOptions {
        quiet: true,
        ..Default::default()
    };
    let cooc = cooccur::count_shuffled(&corpus, &vocab, &quiet, 1)?;
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
    let plan = BatchPlan::build_capped(&cooc, cfg.batch_size, cfg.row_cap);
    let counted = Traffic::count(&plan, cfg.dim, COUNTED_LANES);
    drop(plan);

    let mut model = Model::new(vocab.len(), cfg.dim, cfg.seed)?;
    let n = cooc.len() as f64;
    let (costs, seconds, adapter, path, stats, verified) = match &ctx {
        Some(ctx) => {
            // Verify: the first epoch on the GPU against the batched CPU twin.
            let mut twin_model = model.clone();
            let one = TrainConfig {
                epochs: 1,
                ..cfg.clone()
            };
            let want = train::train(
                &mut twin_model,
                &cooc,
                &one,
                &Backend::Batched,
                0,
                &mut |_, _| Ok(()),
            )?[0]
                .cost;
            let mut t = GpuTrainer::new(ctx.clone(), &model, &cooc, &cfg)?;
            let got = t.epoch()? / n;
            if (got - want).abs().is_nan() || (got - want).abs() > 1e-3 * want.abs() {
                return Err(Error::Gpu(format!(
                    "verification failed: epoch 1 cost {got} on {} but {want} on the CPU twin",
                    ctx.adapter().name
                )));
            }
            // Time fresh epochs from the same start.
            let mut t = GpuTrainer::new(ctx.clone(), &model, &cooc, &cfg)?;
            let start = Instant::now();
            let mut costs = Vec::new();
            for _ in 0..cfg.epochs {
                costs.push(t.epoch()? / n);
            }
            let secs = start.elapsed().as_secs_f64();
            t.read_into(&mut model)?;
            let path = if t.path().uses_subgroups() {
                "subgroup"
            } else {
                "workgroup"
            };
            (
                costs,
                secs,
                ctx.adapter().name.clone(),
                path,
                Some(t.stats().clone()),
                "cpu-batched",
            )
        }
        None => {
            let start = Instant::now();
            let r = train::train(
                &mut model,
                &cooc,
                &cfg,
                &Backend::Hogwild { threads: 0 },
                0,
                &mut |_, _| Ok(()),
            )?;
            let secs = start.elapsed().as_secs_f64();
            (
                r.iter().map(|e| e.cost).collect(),
                secs,
                "cpu".to_string(),
                "hogwild",
                None,
                "none",
            )
        }
    };
    let out = serde_json::json!({
        "backend": if ctx.is_some() { "gpu" } else { "cpu" },
        "adapter": adapter,
        "path": path,
        "corpus": corpus.display().to_string(),
        "vocab": vocab.len(),
        "dim": cfg.dim,
        "triples": cooc.len(),
        "epochs": cfg.epochs,
        "batch": cfg.batch_size,
        "row_cap": cfg.row_cap,
        "prep_seconds": prep_seconds,
        "seconds": seconds,
        "updates_per_s": n * cfg.epochs as f64 / seconds,
        "costs": costs,
        "verified_against": verified,
        "dispatches_per_epoch": stats.as_ref().map_or(counted.dispatches, |s| s.dispatches),
        "copies_per_epoch": stats.as_ref().map_or(0, |s| s.copies),
        "submissions_per_epoch": stats.as_ref().map_or(0, |s| s.submissions),
        "counted_lanes": COUNTED_LANES,
        "bytes_per_update": counted.bytes_per_update(),
        "min_bytes_per_update": counted.min_bytes_per_update(),
        "sector_efficiency": counted.sector_efficiency(),
        "active_lanes": counted.active_lane_fraction(),
        "critical_path_ratio": counted.critical_path_ratio(),
    });
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
    }
    Ok(ExitCode::SUCCESS)
}
