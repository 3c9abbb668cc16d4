//! Search benchmarks: `{backend}_search_{n}x{dim}_q{m}_k{k}`, the naive baseline
//! (every score materialised, then a full sort per query), the CPU twin and the
//! GPU kernel. Before anything is timed, every variant is checked against an f64
//! brute-force reference on a sample of the queries, and the GPU against the CPU
//! twin on every query; every timed run is checked again (lengths, then every
//! score against the CPU twin's), outside the timed region. After the criterion
//! runs, a table prints queries/s, GFLOP/s and the ratio to the naive baseline,
//! all measured in this process.
//!
//! `cargo bench --bench search` (GPU rows need an adapter; set
//! `GLOVE_WGPU_BACKEND=vulkan` on Linux with lavapipe).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use glove_wgpu::search::{Metric, Neighbor, SearchIndex, SearchOptions};
use glove_wgpu::GpuContext;
use rayon::prelude::*;

const N: usize = 20_000;
const DIM: usize = 100;
const M: usize = 256;
const K: usize = 10;
/// Queries checked against the f64 reference (every `M / SAMPLE`-th).
const SAMPLE: usize = 64;
/// Largest score difference allowed against the f64 reference or the other twin.
const TOL: f32 = 1e-3;

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

/// The reference: for each sampled query, every row's dot product in f64, and the
/// top `K` of them (higher first, lower id on ties).
struct Reference {
    /// Query numbers in the sample.
    queries: Vec<usize>,
    /// Every row's f64 score, per sampled query.
    scores: Vec<Vec<f64>>,
    /// The reference top `K`, per sampled query.
    top: Vec<Vec<(f64, u32)>>,
}

impl Reference {
    fn new(e: &[f32], q: &[f32]) -> Self {
        let queries: Vec<usize> = (0..M).step_by(M / SAMPLE).collect();
        let scores: Vec<Vec<f64>> = queries
            .par_iter()
            .map(|&qi| {
                let qv = &q[qi * DIM..(qi + 1) * DIM];
                e.chunks(DIM)
                    .map(|r| r.iter().zip(qv).map(|(&a, &b)| a as f64 * b as f64).sum())
                    .collect()
            })
            .collect();
        let top = scores
            .iter()
            .map(|s| {
                let mut all: Vec<(f64, u32)> =
                    s.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
                all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                all.truncate(K);
                all
            })
            .collect();
        Reference {
            queries,
            scores,
            top,
        }
    }

    /// Panics unless `got` answers all `M` queries with `K` hits each and, on the
    /// sample, each hit's score is its row's true score and the rank's reference
    /// score (a near-tie may swap ids, never change a score).
    fn check(&self, name: &str, got: &[Vec<Neighbor>]) {
        check_lengths(name, got);
        for (s, &qi) in self.queries.iter().enumerate() {
            for (r, hit) in got[qi].iter().enumerate() {
                let own = self.scores[s][hit.id as usize];
                let want = self.top[s][r].0;
                assert!(
                    (hit.score as f64 - own).abs() <= TOL as f64
                        && (hit.score as f64 - want).abs() <= TOL as f64,
                    "{name}: query {qi} rank {r}: id {} score {} (its true score {own}); \
                     the f64 reference has id {} score {want}",
                    hit.id,
                    hit.score,
                    self.top[s][r].1
                );
            }
        }
    }
}

/// Panics unless there are `M` lists of `K` hits (counted, not zipped).
fn check_lengths(name: &str, got: &[Vec<Neighbor>]) {
    assert_eq!(got.len(), M, "{name}: {} lists for {M} queries", got.len());
    for (qi, list) in got.iter().enumerate() {
        assert_eq!(list.len(), K, "{name}: query {qi} has {} hits", list.len());
    }
}

/// Panics unless `got` has `M` lists of `K` hits whose scores are `want`'s
/// within [`TOL`], rank by rank.
fn check_against(name: &str, got: &[Vec<Neighbor>], want: &[Vec<Neighbor>]) {
    check_lengths(name, got);
    check_lengths("the twin checked against", want);
    for qi in 0..M {
        for r in 0..K {
            let (g, w) = (got[qi][r], want[qi][r]);
            assert!(
                (g.score - w.score).abs() <= TOL,
                "{name}: query {qi} rank {r}: {g:?} against the twin's {w:?}"
            );
        }
    }
}

/// Times `f` `iters` times; each result is checked by `check`, outside the timer.
fn timed_checked<T>(iters: u64, mut f: impl FnMut() -> T, mut check: impl FnMut(&T)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let t = Instant::now();
        let out = f();
        total += t.elapsed();
        check(&out);
    }
    total
}

fn median_seconds<T>(mut f: impl FnMut() -> T, mut check: impl FnMut(&T)) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| timed_checked(1, &mut f, &mut check).as_secs_f64())
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

fn bench(c: &mut Criterion) {
    let e = data(N * DIM, 1);
    let q = data(M * DIM, 2);
    let opts = SearchOptions::new(Metric::Dot);
    let reference = Reference::new(&e, &q);
    println!(
        "checking every variant against an f64 brute-force reference on {} queries",
        reference.queries.len()
    );
    reference.check("naive", &naive(&e, &q, K));
    let cpu = SearchIndex::cpu(&e, DIM, &opts).unwrap();
    let cpu_hits = cpu.search(&q, K, None).unwrap();
    reference.check("cpu twin", &cpu_hits);
    let gpu = match GpuContext::new() {
        Ok(ctx) => Some(SearchIndex::gpu(Arc::new(ctx), &e, DIM, &opts).unwrap()),
        Err(err) => {
            eprintln!("gpu: skipped ({err})");
            None
        }
    };
    if let Some(g) = &gpu {
        let hits = g.search(&q, K, None).unwrap();
        reference.check("gpu", &hits);
        check_against("gpu", &hits, &cpu_hits);
        println!("gpu also checked against the cpu twin on all {M} queries");
    }
    let shape = format!("{N}x{DIM}_q{M}_k{K}");
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    group.bench_function(format!("naive_search_{shape}"), |b| {
        b.iter_custom(|iters| {
            timed_checked(
                iters,
                || naive(&e, &q, K),
                |h| check_against("naive", h, &cpu_hits),
            )
        })
    });
    group.bench_function(format!("cpu_search_{shape}"), |b| {
        b.iter_custom(|iters| {
            timed_checked(
                iters,
                || cpu.search(&q, K, None).unwrap(),
                |h| check_against("cpu twin", h, &cpu_hits),
            )
        })
    });
    if let Some(g) = &gpu {
        group.bench_function(format!("gpu_search_{shape}"), |b| {
            b.iter_custom(|iters| {
                timed_checked(
                    iters,
                    || g.search(&q, K, None).unwrap(),
                    |h| check_against("gpu", h, &cpu_hits),
                )
            })
        });
    }
    group.finish();

    let flop = 2.0 * (N * DIM * M) as f64;
    let base = median_seconds(
        || naive(&e, &q, K),
        |h| check_against("naive", h, &cpu_hits),
    );
    let mut rows = vec![("naive", base)];
    rows.push((
        "cpu twin",
        median_seconds(
            || cpu.search(&q, K, None).unwrap(),
            |h| check_against("cpu twin", h, &cpu_hits),
        ),
    ));
    if let Some(g) = &gpu {
        rows.push((
            "gpu",
            median_seconds(
                || g.search(&q, K, None).unwrap(),
                |h| check_against("gpu", h, &cpu_hits),
            ),
        ));
    }
    println!("\nsearch {shape} (dot), medians of 5 checked runs in this process:");
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
        println!("gpu adapter: {}", g.device_name());
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
