//! Training throughput on a synthetic Zipf co-occurrence set (updates/s):
//! `cpu_exact`, `cpu_hogwild_2`, `cpu_batched` (the kernels' twins) and `gpu`
//! (whatever adapter `GpuContext::new` finds; skipped when none), one epoch each.
//! Criterion prints the throughput in elements/s = updates/s; the exact trainer
//! is the baseline measured in the same run.
//!
//! `cargo bench --bench train` (sizes: `GLOVE_BENCH_TRIPLES`, default 200,000;
//! vocabulary 5,000; dimension 50).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use glove_wgpu::cooccur::Cooc;
use glove_wgpu::model::Model;
use glove_wgpu::rng::SplitMix64;
use glove_wgpu::train::{self, twin, BatchPlan, GpuTrainer, TrainConfig};

/// Zipf(1) ids by inverse CDF over `vocab` words; x decays with the ids' ranks.
fn zipf_cooc(vocab: usize, n: usize, seed: u64) -> Vec<Cooc> {
    let mut cdf: Vec<f64> = (1..=vocab).map(|r| 1.0 / r as f64).collect();
    let total: f64 = cdf.iter().sum();
    let mut acc = 0.0;
    for c in cdf.iter_mut() {
        acc += *c / total;
        *c = acc;
    }
    let mut rng = SplitMix64::new(seed);
    let mut draw = || {
        let u = rng.next_u64() as f64 / u64::MAX as f64;
        cdf.partition_point(|&c| c < u).min(vocab - 1) as u32
    };
    (0..n)
        .map(|_| {
            let (i, j) = (draw(), draw());
            Cooc {
                i,
                j,
                x: 1.0 + 50.0 / (1.0 + (i + j) as f32),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("GLOVE_BENCH_TRIPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let vocab = 5000;
    let cooc = zipf_cooc(vocab, n, 1);
    let cfg = TrainConfig {
        dim: 50,
        x_max: 10.0,
        ..Default::default()
    };
    let mut g = c.benchmark_group("train_zipf_5k_d50");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    let mut m = Model::new(vocab, 50, 1).unwrap();
    g.bench_function("cpu_exact", |b| {
        b.iter(|| train::epoch_exact(&mut m, &cooc, &cfg))
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    g.bench_function("cpu_hogwild_2", |b| {
        b.iter(|| pool.install(|| train::epoch_hogwild(&mut m, &cooc, &cfg, 2)))
    });
    let plan = BatchPlan::build(&cooc, cfg.batch_size);
    g.bench_function("cpu_batched", |b| {
        b.iter(|| twin::epoch_batched(&mut m, &plan, &cfg, 32))
    });
    match glove_wgpu::GpuContext::new() {
        Ok(ctx) => {
            let mut t = GpuTrainer::new(Arc::new(ctx), &m, &cooc, &cfg).unwrap();
            g.bench_function("gpu", |b| b.iter(|| t.epoch().unwrap()));
        }
        Err(e) => eprintln!("gpu: skipped ({e})"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
