//! Trains GloVe on a corpus with Stanford's settings and prints cost per epoch and
//! throughput for each backend asked for, with the ratio against the exact
//! single-thread trainer measured in the same run.
//!
//! ```text
//! cargo run --release --example train_bench -- ../shared/data/kjv.txt [dim] [epochs] [backends]
//! ```
//! `backends` is a comma list of `hogwild1`, `hogwild2`, `exact`, `batched`, `gpu`
//! (default `exact,hogwild2`). Environment: `BATCH` (triples per batch), `XMAX` (10).
//!
//! The co-occurrences come from the crate's pipeline (min count 5, window 15,
//! shuffle seed 1), as `glove-wgpu fit` makes them.

use std::sync::Arc;

use glove_wgpu::cooccur::{self, Cooc, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::model::Model;
use glove_wgpu::train::{train, Backend, TrainConfig};
use glove_wgpu::vocab::{Vocab, VocabOptions};

/// The crate's own pipeline with Stanford's settings: min count 5, symmetric
/// window 15, 1/d weighting, shuffled with `seed`.
fn cooccurrences(path: &str, seed: u64) -> glove_wgpu::Result<(usize, Vec<Cooc>)> {
    let vocab = Vocab::count(Corpus::from_arg(path), &VocabOptions::default())?;
    let opts = CooccurOptions::default();
    let cooc = cooccur::count_shuffled(path, &vocab, &opts, seed)?;
    Ok((vocab.len(), cooc))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("../shared/data/kjv.txt");
    let dim: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(50);
    let epochs: u32 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(15);
    let backends = args
        .get(4)
        .cloned()
        .unwrap_or_else(|| "exact,hogwild2".into());
    let t0 = std::time::Instant::now();
    let (vocab, cooc) = cooccurrences(path, 1)?;
    eprintln!(
        "{path}: {vocab} words, {} non-zeros ({:.2} s)",
        cooc.len(),
        t0.elapsed().as_secs_f64()
    );
    let mut cfg = TrainConfig {
        dim,
        epochs,
        x_max: 10.0,
        ..Default::default()
    };
    if let Ok(b) = std::env::var("BATCH") {
        cfg.batch_size = b.parse()?;
    }
    if let Ok(x) = std::env::var("XMAX") {
        cfg.x_max = x.parse()?;
    }
    let mut baseline = None;
    for name in backends.split(',') {
        let backend = match name {
            "exact" => Backend::Exact,
            "hogwild1" => Backend::Hogwild { threads: 1 },
            "hogwild2" => Backend::Hogwild { threads: 2 },
            "batched" => Backend::Batched,
            "gpu" => Backend::Gpu(Arc::new(glove_wgpu::GpuContext::new()?)),
            other => return Err(format!("unknown backend {other}").into()),
        };
        let mut model = Model::new(vocab, dim, cfg.seed)?;
        let reports = train(&mut model, &cooc, &cfg, &backend, 0, &mut |r, _| {
            eprintln!(
                "  {name} epoch {:>2}: cost {:.6} in {:.3} s",
                r.epoch, r.cost, r.seconds
            );
            Ok(())
        })?;
        let secs: f64 = reports.iter().map(|r| r.seconds).sum();
        let ups = (cooc.len() as f64 * reports.len() as f64) / secs;
        let base = *baseline.get_or_insert(ups);
        println!(
            "{name:>9} dim {dim}: final cost {:.5}, {:.3} s/epoch, {:.2} M updates/s, {:.2}x exact",
            reports.last().map(|r| r.cost).unwrap_or(0.0),
            secs / reports.len() as f64,
            ups / 1e6,
            ups / base
        );
    }
    Ok(())
}
