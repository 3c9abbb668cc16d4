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
//! The vocabulary and co-occurrence counting here is a small private stand-in
//! (min count 5, symmetric window 15, 1/d weighting, one document per line,
//! seeded Fisher-Yates shuffle) used until the crate's own pipeline is wired in.

use std::collections::HashMap;
use std::sync::Arc;

use glove_wgpu::cooccur::Cooc;
use glove_wgpu::model::{Model, SplitMix64};
use glove_wgpu::train::{train, Backend, TrainConfig};

fn cooccurrences(text: &str, min_count: u64, window: usize, seed: u64) -> (usize, Vec<Cooc>) {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for w in text.split_ascii_whitespace() {
        *counts.entry(w).or_default() += 1;
    }
    let mut words: Vec<(&str, u64)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let id: HashMap<&str, u32> = words
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (*w, i as u32))
        .collect();
    let mut x: HashMap<u64, f64> = HashMap::new();
    for line in text.lines() {
        let ids: Vec<u32> = line
            .split_ascii_whitespace()
            .filter_map(|w| id.get(w).copied())
            .collect();
        for (p, &b) in ids.iter().enumerate() {
            for d in 1..=window.min(p) {
                let a = ids[p - d];
                let v = 1.0 / d as f64;
                *x.entry((a as u64) << 32 | b as u64).or_default() += v;
                *x.entry((b as u64) << 32 | a as u64).or_default() += v;
            }
        }
    }
    let mut cooc: Vec<Cooc> = x
        .into_iter()
        .map(|(k, v)| Cooc {
            i: (k >> 32) as u32,
            j: k as u32,
            x: v as f32,
        })
        .collect();
    cooc.sort_by_key(|c| (c.i, c.j));
    let mut rng = SplitMix64::new(seed);
    for n in (1..cooc.len()).rev() {
        let m = (rng.next_u64() % (n as u64 + 1)) as usize;
        cooc.swap(n, m);
    }
    (words.len(), cooc)
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
    let text = std::fs::read_to_string(path)?;
    let t0 = std::time::Instant::now();
    let (vocab, cooc) = cooccurrences(&text, 5, 15, 1);
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
