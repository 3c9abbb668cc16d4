//! Search benchmarks: `{backend}_search_{n}x{dim}_q{m}_k{k}`, the naive baseline
//! (every score materialised, then a full sort per query), the CPU twin and the
//! GPU kernel, each verified against the CPU twin before it is timed. After the
//! criterion runs, a table prints queries/s, GFLOP/s and the ratio to the naive
//! baseline, all measured in this process.
//!
//! `cargo bench --bench search` (GPU rows need an adapter; set
//! `GLOVE_WGPU_BACKEND=vulkan` on Linux with lavapipe).

use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, Criterion};
use glove_wgpu::search::{Metric, Neighbor, SearchIndex, SearchOptions};
use glove_wgpu::GpuContext;
use rayon::prelude::*;

const N: usize = 20_000;
const DIM: usize = 100;
const M: usize = 256;
const K: usize = 10;

fn data(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect()
}

/// Every score of every query, then a full sort: what a quick script does.
fn naive(e: &[f32], q: &[f32], k: usize) -> Vec<Vec<Neighbor>> {
    q.par_chunks(DIM)
        .map(|qv| {
            let mut s: Vec<(f32, u32)> = e
                .chunks(DIM)
                .enumerate()
                .map(|(i, r)| (r.iter().zip(qv).map(|(a, b)| a * b).sum(), i as u32))
                .collect();
            s.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            s.iter()
                .take(k)
                .map(|&(score, id)| Neighbor { id, score })
                .collect()
        })
        .collect()
}

fn verify(name: &str, got: &[Vec<Neighbor>], want: &[Vec<Neighbor>]) {
    assert_eq!(got.len(), want.len(), "{name}: lists");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.len(), w.len(), "{name}: hits");
        for (a, b) in g.iter().zip(w) {
            assert!((a.score - b.score).abs() < 1e-3, "{name}: {a:?} vs {b:?}");
        }
    }
}

fn median_seconds(mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

fn bench(c: &mut Criterion) {
    let e = data(N * DIM, 1);
    let q = data(M * DIM, 2);
    let opts = SearchOptions::new(Metric::Dot);
    let cpu = SearchIndex::cpu(&e, DIM, &opts).unwrap();
    let reference = cpu.search(&q, K, None).unwrap();
    verify("naive", &naive(&e, &q, K), &reference);
    let gpu = GpuContext::new()
        .ok()
        .map(|ctx| SearchIndex::gpu(Arc::new(ctx), &e, DIM, &opts).unwrap());
    if let Some(g) = &gpu {
        verify("gpu", &g.search(&q, K, None).unwrap(), &reference);
    }
    let shape = format!("{N}x{DIM}_q{M}_k{K}");
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    group.bench_function(format!("naive_search_{shape}"), |b| {
        b.iter(|| naive(&e, &q, K))
    });
    group.bench_function(format!("cpu_search_{shape}"), |b| {
        b.iter(|| cpu.search(&q, K, None).unwrap())
    });
    if let Some(g) = &gpu {
        group.bench_function(format!("gpu_search_{shape}"), |b| {
            b.iter(|| g.search(&q, K, None).unwrap())
        });
    }
    group.finish();

    let flop = 2.0 * (N * DIM * M) as f64;
    let base = median_seconds(|| {
        naive(&e, &q, K);
    });
    let mut rows = vec![("naive", base)];
    rows.push((
        "cpu twin",
        median_seconds(|| {
            cpu.search(&q, K, None).unwrap();
        }),
    ));
    if let Some(g) = &gpu {
        rows.push((
            "gpu",
            median_seconds(|| {
                g.search(&q, K, None).unwrap();
            }),
        ));
    }
    println!("\nsearch {shape} (dot), medians of 5 runs in this process:");
    println!(
        "{:<10} {:>10} {:>12} {:>10} {:>10}",
        "backend", "ms", "queries/s", "GFLOP/s", "x naive"
    );
    for (name, s) in rows {
        println!(
            "{name:<10} {:>10.2} {:>12.0} {:>10.1} {:>10.2}",
            s * 1e3,
            M as f64 / s,
            flop / s / 1e9,
            base / s
        );
    }
    if let Some(g) = &gpu {
        println!("gpu adapter: {}", g.backend_name());
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
