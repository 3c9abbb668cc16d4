//! Search: the GPU kernel and its CPU twin against a brute-force f64 reference,
//! and against each other, on random and adversarial inputs.

mod common;

use std::sync::{Arc, OnceLock};

use common::Device;
use glove_wgpu::search::{Metric, Neighbor, Precision, SearchIndex, SearchOptions};
use glove_wgpu::{GpuContext, GpuOptions};
use half::f16;

const METRICS: [Metric; 3] = [Metric::Cosine, Metric::Dot, Metric::Euclidean];
const PRECISIONS: [Precision; 2] = [Precision::F32, Precision::F16];

/// Which backend a case runs on.
#[derive(Clone, Copy, Debug)]
enum Twin {
    Cpu,
    /// The adapter with every feature it has: on lavapipe the subgroup merge and
    /// `vec4<f16>` rows.
    Gpu {
        shard_rows: Option<usize>,
    },
    /// The same adapter without subgroups and f16: the workgroup-memory merge and
    /// f16 rows unpacked from u32 pairs.
    GpuPlain {
        shard_rows: Option<usize>,
    },
}

/// The twins a device runs: the CPU twin, or both GPU kernel paths.
fn twins(dev: &Device) -> Vec<Twin> {
    match dev {
        Device::Cpu => vec![Twin::Cpu],
        Device::Gpu(_) => vec![
            Twin::Gpu { shard_rows: None },
            Twin::GpuPlain { shard_rows: None },
        ],
    }
}

/// The CPU twin, then the device's GPU twins if any: `run_case` checks the GPU
/// twins' ids against the CPU twin's.
fn compared(dev: &Device) -> Vec<Twin> {
    let mut t = vec![Twin::Cpu];
    if let Device::Gpu(_) = dev {
        t.extend(twins(dev));
    }
    t
}

/// The test adapter's context. GPU twins come only from `Device::Gpu` or from
/// tests that asked `common::gpu` first, so the adapter is there.
fn ctx() -> Arc<GpuContext> {
    common::gpu().expect("a GPU twin without an adapter")
}

/// A context on the test adapter without `SUBGROUP` and `SHADER_F16`.
fn plain_gpu() -> Arc<GpuContext> {
    static CTX: OnceLock<Arc<GpuContext>> = OnceLock::new();
    CTX.get_or_init(|| {
        let opts = GpuOptions {
            no_subgroups: true,
            no_f16: true,
            ..GpuOptions::from_env()
        };
        let ctx = GpuContext::with_options(&opts).expect("the test adapter without subgroups");
        assert!(!ctx.has_subgroups() && !ctx.has_f16());
        Arc::new(ctx)
    })
    .clone()
}

fn index(twin: Twin, m: &[f32], dim: usize, opts: &SearchOptions) -> SearchIndex {
    match twin {
        Twin::Cpu => SearchIndex::cpu(m, dim, opts).unwrap(),
        Twin::Gpu { shard_rows } | Twin::GpuPlain { shard_rows } => {
            let ctx: Arc<GpuContext> = match twin {
                Twin::GpuPlain { .. } => plain_gpu(),
                _ => ctx(),
            };
            let mut o = opts.clone();
            if let Some(r) = shard_rows {
                let dp = dim.div_ceil(4) * 4;
                let bytes = match opts.precision {
                    Precision::F32 => 4,
                    Precision::F16 => 2,
                };
                o = o.max_shard_bytes((r * dp * bytes) as u64);
            }
            SearchIndex::gpu(ctx, m, dim, &o).unwrap()
        }
    }
}

/// Rows as the index stores them, in f64: normalised for cosine, rounded to f16 if asked.
fn stored(m: &[f32], dim: usize, metric: Metric, precision: Precision) -> Vec<Vec<f64>> {
    m.chunks(dim)
        .map(|r| {
            let norm = r.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
            r.iter()
                .map(|&v| {
                    let v = if metric == Metric::Cosine {
                        if norm > 0.0 {
                            (v as f64 / norm) as f32
                        } else {
                            0.0
                        }
                    } else {
                        v
                    };
                    match precision {
                        Precision::F32 => v as f64,
                        Precision::F16 => f16::from_f32(v).to_f64(),
                    }
                })
                .collect()
        })
        .collect()
}

/// Reference scores of one query against every stored row, in f64.
fn reference(rows: &[Vec<f64>], query: &[f32], metric: Metric) -> Vec<f64> {
    let qn = query
        .iter()
        .map(|&v| v as f64 * v as f64)
        .sum::<f64>()
        .sqrt();
    let q: Vec<f64> = query
        .iter()
        .map(|&v| {
            if metric == Metric::Cosine {
                if qn > 0.0 {
                    (v as f64 / qn) as f32 as f64
                } else {
                    0.0
                }
            } else {
                v as f64
            }
        })
        .collect();
    rows.iter()
        .map(|r| match metric {
            Metric::Cosine | Metric::Dot => r.iter().zip(&q).map(|(a, b)| a * b).sum(),
            Metric::Euclidean => r
                .iter()
                .zip(&q)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt(),
        })
        .collect()
}

/// A value in which errors are compared: scores, or squared distances.
fn comparable(metric: Metric, s: f64) -> f64 {
    match metric {
        Metric::Euclidean => s * s,
        _ => s,
    }
}

/// Checks `got` against the reference: right length, no excluded or repeated id,
/// each score right for its id, and the r-th score equal to the r-th best.
/// Returns the reference order, for comparing twins away from near-ties.
fn check(
    case: &str,
    got: &[Neighbor],
    refs: &[f64],
    excluded: &[u32],
    k: usize,
    metric: Metric,
    tol: f64,
) -> Vec<(f64, u32)> {
    let mut order: Vec<(f64, u32)> = refs
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(&(*i as u32)))
        .map(|(i, &s)| (comparable(metric, s), i as u32))
        .collect();
    let higher_first = metric != Metric::Euclidean;
    order.sort_by(|a, b| {
        let o = if higher_first {
            b.0.total_cmp(&a.0)
        } else {
            a.0.total_cmp(&b.0)
        };
        o.then(a.1.cmp(&b.1))
    });
    let want = k.min(order.len());
    assert_eq!(got.len(), want, "{case}: wrong number of hits");
    let mut seen = std::collections::HashSet::new();
    let mut worst = (0.0f64, 0usize);
    for (r, h) in got.iter().enumerate() {
        assert!(seen.insert(h.id), "{case}: id {} returned twice", h.id);
        assert!(
            !excluded.contains(&h.id),
            "{case}: excluded id {} returned",
            h.id
        );
        let s = comparable(metric, h.score as f64);
        let e1 = (s - comparable(metric, refs[h.id as usize])).abs();
        let e2 = (s - order[r].0).abs();
        if e1.max(e2) > worst.0 {
            worst = (e1.max(e2), r);
        }
    }
    assert!(
        worst.0 <= tol,
        "{case}: worst error {:.3e} at rank {} > tol {tol:.1e}; got {:?}, want {:?}",
        worst.0,
        worst.1,
        &got[..got.len().min(5)],
        &order[..want.min(5)]
    );
    order.truncate(want + 1);
    order
}

fn tolerance(m: &[f32], q: &[f32], dim: usize, metric: Metric) -> f64 {
    let max_norm = |v: &[f32]| {
        v.chunks(dim.max(1))
            .map(|r| r.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt())
            .fold(0.0, f64::max)
    };
    let (a, b) = (max_norm(m), max_norm(q));
    let scale = match metric {
        Metric::Cosine => 1.0,
        Metric::Dot => a * b,
        Metric::Euclidean => (a + b) * (a + b),
    };
    2e-5 * scale.max(1e-3) * (dim as f64).sqrt().max(1.0)
}

struct Case {
    n: usize,
    dim: usize,
    m: usize,
    k: usize,
    exclusions: bool,
    seed: u64,
}

/// Runs one case on every twin, metric and precision: each against the reference,
/// and the twins' ids against each other wherever the reference has no near-tie.
fn run_case(c: &Case, twins: &[Twin]) {
    let mut rng = common::Rng::new(c.seed);
    let m = rng.vec(c.n * c.dim);
    let q = rng.vec(c.m * c.dim);
    let excl: Vec<Vec<u32>> = (0..c.m)
        .map(|_| {
            if c.exclusions && c.n > 0 {
                (0..rng.below(4))
                    .map(|_| rng.below(c.n as u64) as u32)
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    for metric in METRICS {
        for precision in PRECISIONS {
            let opts = SearchOptions::new(metric).precision(precision);
            let rows = stored(&m, c.dim, metric, precision);
            let tol = tolerance(&m, &q, c.dim, metric);
            let mut results: Vec<Vec<Vec<Neighbor>>> = Vec::new();
            for &twin in twins {
                let idx = index(twin, &m, c.dim, &opts);
                let got = idx.search(&q, c.k, Some(&excl)).unwrap();
                assert_eq!(got.len(), c.m);
                for (qi, hits) in got.iter().enumerate() {
                    let case = format!(
                        "{twin:?} {metric:?} {precision:?} n={} dim={} m={} k={} query {qi}",
                        c.n, c.dim, c.m, c.k
                    );
                    let refs = reference(&rows, &q[qi * c.dim..(qi + 1) * c.dim], metric);
                    check(&case, hits, &refs, &excl[qi], c.k, metric, tol);
                }
                results.push(got);
            }
            // Twins agree on ids wherever the reference order is unambiguous.
            for (qi, _) in q.chunks(c.dim).enumerate() {
                let refs = reference(&rows, &q[qi * c.dim..(qi + 1) * c.dim], metric);
                let order = check("ref", &results[0][qi], &refs, &excl[qi], c.k, metric, tol);
                for r in 0..results[0][qi].len() {
                    let prev_gap = if r > 0 {
                        (order[r].0 - order[r - 1].0).abs()
                    } else {
                        f64::MAX
                    };
                    let next_gap = order
                        .get(r + 1)
                        .map_or(f64::MAX, |o| (order[r].0 - o.0).abs());
                    if prev_gap.min(next_gap) > 4.0 * tol {
                        for other in &results[1..] {
                            assert_eq!(
                                results[0][qi][r].id, other[qi][r].id,
                                "{metric:?} {precision:?} twins differ at query {qi} rank {r}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn both_kernel_paths_are_tested() {
    // On an adapter with subgroups and f16 (lavapipe has both), `Twin::Gpu` takes
    // the subgroup merge and `vec4<f16>` rows and `Twin::GpuPlain` the fallbacks.
    let Some(ctx) = common::gpu() else { return };
    if common::in_ci() {
        assert!(ctx.has_subgroups(), "CI's adapter should have subgroups");
        assert!(ctx.has_f16(), "CI's adapter should have f16");
    }
    let plain = plain_gpu();
    assert!(!plain.has_subgroups() && !plain.has_f16());
}

fn three_words_by_hand(dev: &Device) {
    // rows: (1, 0), (0.6, 0.8), (-1, 0); query (1, 0)
    let m = [1.0, 0.0, 0.6, 0.8, -1.0, 0.0];
    for twin in twins(dev) {
        let cos = index(twin, &m, 2, &SearchOptions::new(Metric::Cosine));
        let hits = cos.search(&[2.0, 0.0], 3, None).unwrap();
        let ids: Vec<u32> = hits[0].iter().map(|h| h.id).collect();
        assert_eq!(ids, [0, 1, 2], "{twin:?}");
        assert!((hits[0][1].score - 0.6).abs() < 1e-6);
        assert!((hits[0][2].score + 1.0).abs() < 1e-6);
        let euc = index(twin, &m, 2, &SearchOptions::new(Metric::Euclidean));
        let hits = euc.search(&[2.0, 0.0], 2, Some(&[vec![0]])).unwrap();
        // |(2,0)-(0.6,0.8)| = sqrt(1.96 + 0.64) = sqrt(2.6); |(2,0)-(-1,0)| = 3
        assert_eq!(hits[0][0].id, 1, "{twin:?}");
        assert!((hits[0][0].score - 2.6f32.sqrt()).abs() < 1e-5);
        assert!((hits[0][1].score - 3.0).abs() < 1e-5);
        let dot = index(twin, &m, 2, &SearchOptions::new(Metric::Dot));
        let hits = dot.search(&[0.0, 1.0], 1, None).unwrap();
        assert_eq!(hits[0][0].id, 1);
        assert!((hits[0][0].score - 0.8).abs() < 1e-6);
    }
}
common::twin_test!(three_words_by_hand);

fn empty_and_single_row(dev: &Device) {
    for twin in twins(dev) {
        let empty = index(twin, &[], 3, &SearchOptions::new(Metric::Dot));
        assert!(empty.is_empty());
        let hits = empty.search(&[1.0, 2.0, 3.0], 5, None).unwrap();
        assert_eq!(hits, vec![vec![]]);
        let no_queries = empty.search(&[], 5, None).unwrap();
        assert!(no_queries.is_empty());
    }
    run_case(
        &Case {
            n: 1,
            dim: 1,
            m: 1,
            k: 1,
            exclusions: false,
            seed: 1,
        },
        &compared(dev),
    );
    run_case(
        &Case {
            n: 1,
            dim: 5,
            m: 3,
            k: 4,
            exclusions: false,
            seed: 2,
        },
        &compared(dev),
    );
}
common::twin_test!(empty_and_single_row);

fn k_larger_than_n(dev: &Device) {
    run_case(
        &Case {
            n: 7,
            dim: 3,
            m: 5,
            k: 20,
            exclusions: true,
            seed: 3,
        },
        &compared(dev),
    );
}
common::twin_test!(k_larger_than_n);

fn shapes_smaller_than_tiles(dev: &Device) {
    run_case(
        &Case {
            n: 63,
            dim: 15,
            m: 3,
            k: 5,
            exclusions: true,
            seed: 4,
        },
        &compared(dev),
    );
}
common::twin_test!(shapes_smaller_than_tiles);

fn tiles_divide_shapes_unevenly(dev: &Device) {
    run_case(
        &Case {
            n: 65,
            dim: 17,
            m: 65,
            k: 10,
            exclusions: true,
            seed: 5,
        },
        &compared(dev),
    );
    run_case(
        &Case {
            n: 1000,
            dim: 50,
            m: 130,
            k: 10,
            exclusions: true,
            seed: 6,
        },
        &compared(dev),
    );
    // crosses the CPU twin's 256-query and 2048-row blocks
    run_case(
        &Case {
            n: 2100,
            dim: 9,
            m: 300,
            k: 5,
            exclusions: true,
            seed: 11,
        },
        &compared(dev),
    );
}
common::twin_test!(tiles_divide_shapes_unevenly);

fn many_rows_few_queries(dev: &Device) {
    run_case(
        &Case {
            n: 20_011,
            dim: 33,
            m: 2,
            k: 25,
            exclusions: false,
            seed: 7,
        },
        &compared(dev),
    );
}
common::twin_test!(many_rows_few_queries);

#[test]
fn sharded_matches_unsharded() {
    if common::gpu().is_none() {
        return;
    }
    let twins = [
        Twin::Cpu,
        Twin::Gpu { shard_rows: None },
        Twin::Gpu {
            shard_rows: Some(7),
        },
        Twin::Gpu {
            shard_rows: Some(300),
        },
        Twin::GpuPlain {
            shard_rows: Some(300),
        },
    ];
    run_case(
        &Case {
            n: 1001,
            dim: 20,
            m: 70,
            k: 12,
            exclusions: true,
            seed: 8,
        },
        &twins,
    );
    run_case(
        &Case {
            n: 5,
            dim: 4,
            m: 2,
            k: 9,
            exclusions: false,
            seed: 9,
        },
        &twins,
    );
}

#[test]
fn sharding_is_reported() {
    let Some(ctx) = common::gpu() else { return };
    let m = vec![0.5f32; 100 * 8];
    let idx = SearchIndex::gpu(
        ctx,
        &m,
        8,
        &SearchOptions::new(Metric::Dot).max_shard_bytes(10 * 8 * 4),
    )
    .unwrap();
    assert_eq!(idx.shards(), 10);
}

fn exact_ties_go_to_the_lower_id(dev: &Device) {
    // Identical rows tie exactly on every metric: the k lowest ids win, in order.
    let row = [0.25f32, -0.5, 0.125, 1.0, 0.0];
    let m: Vec<f32> = row.iter().copied().cycle().take(5 * 300).collect();
    let sharded = [
        Twin::Gpu { shard_rows: None },
        Twin::Gpu {
            shard_rows: Some(64),
        },
        Twin::GpuPlain {
            shard_rows: Some(64),
        },
    ];
    let twins = match dev {
        Device::Cpu => vec![Twin::Cpu],
        Device::Gpu(_) => sharded.to_vec(),
    };
    for twin in twins {
        for metric in METRICS {
            for precision in PRECISIONS {
                let idx = index(
                    twin,
                    &m,
                    5,
                    &SearchOptions::new(metric).precision(precision),
                );
                let hits = idx
                    .search(&[1.0, 2.0, 3.0, 4.0, 5.0], 7, Some(&[vec![0, 3]]))
                    .unwrap();
                let ids: Vec<u32> = hits[0].iter().map(|h| h.id).collect();
                assert_eq!(
                    ids,
                    [1, 2, 4, 5, 6, 7, 8],
                    "{twin:?} {metric:?} {precision:?}"
                );
            }
        }
    }
}
common::twin_test!(exact_ties_go_to_the_lower_id);

fn zero_vectors_and_large_values(dev: &Device) {
    let mut rng = common::Rng::new(10);
    let mut m = rng.vec(200 * 9);
    m[..9].iter_mut().for_each(|v| *v = 0.0); // a zero row
    m[90..99].iter_mut().for_each(|v| *v *= 1e4); // a huge row
    let mut q = rng.vec(4 * 9);
    q[..9].iter_mut().for_each(|v| *v = 0.0); // a zero query
    for twin in twins(dev) {
        for metric in METRICS {
            let opts = SearchOptions::new(metric);
            let idx = index(twin, &m, 9, &opts);
            let got = idx.search(&q, 6, None).unwrap();
            let rows = stored(&m, 9, metric, Precision::F32);
            for (qi, hits) in got.iter().enumerate() {
                let refs = reference(&rows, &q[qi * 9..(qi + 1) * 9], metric);
                let tol = tolerance(&m, &q, 9, metric);
                check(
                    &format!("{twin:?} {metric:?} q{qi}"),
                    hits,
                    &refs,
                    &[],
                    6,
                    metric,
                    tol,
                );
            }
        }
    }
}
common::twin_test!(zero_vectors_and_large_values);

#[test]
fn bad_input_is_an_error() {
    let m = [1.0f32, 2.0, 3.0, 4.0];
    assert!(SearchIndex::cpu(&m, 3, &SearchOptions::new(Metric::Dot)).is_err());
    assert!(SearchIndex::cpu(&m, 0, &SearchOptions::new(Metric::Dot)).is_err());
    assert!(SearchIndex::cpu(&[1.0, f32::NAN], 2, &SearchOptions::new(Metric::Dot)).is_err());
    let idx = SearchIndex::cpu(&m, 2, &SearchOptions::new(Metric::Dot)).unwrap();
    assert!(idx.search(&[1.0, 2.0, 3.0], 1, None).is_err());
    assert!(idx.search(&[1.0, f32::INFINITY], 1, None).is_err());
    assert!(idx.search(&[1.0, 2.0], 1, Some(&[vec![], vec![]])).is_err());
}

fn euclidean_distances_stay_exact_far_from_the_origin(dev: &Device) {
    // |q|^2 ~ 8e6 while the nearest distance is 0.02: the key 2 q.e - |e|^2 alone
    // would lose it to cancellation (a reproduction of a bug seen in the example).
    let dim = 8;
    let m: Vec<f32> = (0..50)
        .flat_map(|i| (0..dim).map(move |d| 1000.0 + i as f32 + d as f32 * 0.5))
        .collect();
    let mut q = m[7 * dim..8 * dim].to_vec();
    q.iter_mut().for_each(|v| *v += 0.01);
    // the exact distance between the f32 inputs (0.01 is not exact at 1000 in f32)
    let want = q
        .iter()
        .zip(&m[7 * dim..8 * dim])
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum::<f64>()
        .sqrt();
    for twin in twins(dev) {
        let idx = index(twin, &m, dim, &SearchOptions::new(Metric::Euclidean));
        let hits = idx.search(&q, 2, None).unwrap();
        assert_eq!(hits[0][0].id, 7, "{twin:?}");
        assert!(
            (hits[0][0].score as f64 - want).abs() < 1e-4 * want,
            "{twin:?}: {} vs {want}",
            hits[0][0].score
        );
    }
}
common::twin_test!(euclidean_distances_stay_exact_far_from_the_origin);

fn tile_edges_of_queries_rows_and_dimensions(dev: &Device) {
    // 63, 64, 65 queries and rows around the 64 x 64 tile; 31, 32, 33 dimensions
    // around the 32-dimension product step (padded to 32, 32, 36).
    let mut seed = 100;
    for (n, m) in [(63, 64), (64, 65), (65, 63), (64, 64), (129, 1)] {
        for dim in [31, 32, 33] {
            seed += 1;
            run_case(
                &Case {
                    n,
                    dim,
                    m,
                    k: 6,
                    exclusions: true,
                    seed,
                },
                &compared(dev),
            );
        }
    }
}
common::twin_test!(tile_edges_of_queries_rows_and_dimensions);

fn chunks_divide_rows_unevenly(dev: &Device) {
    // 512-row chunks (8 tiles) at least: 511, 512, 513 and 1025 rows give 1, 1, 2
    // and 3 chunks, the last of one row.
    for (i, n) in [511, 512, 513, 1025].into_iter().enumerate() {
        run_case(
            &Case {
                n,
                dim: 7,
                m: 3,
                k: 9,
                exclusions: true,
                seed: 200 + i as u64,
            },
            &compared(dev),
        );
    }
}
common::twin_test!(chunks_divide_rows_unevenly);

fn k_around_list_sizes_and_the_page(dev: &Device) {
    // The GPU keeps lists of k rounded up to a power of two (at least 4) in
    // registers, and answers k above 128 in pages of 128.
    for (i, k) in [4, 5, 16, 17, 128, 129].into_iter().enumerate() {
        run_case(
            &Case {
                n: 700,
                dim: 12,
                m: 66,
                k,
                exclusions: true,
                seed: 300 + i as u64,
            },
            &compared(dev),
        );
    }
}
common::twin_test!(k_around_list_sizes_and_the_page);

fn exact_ties_across_chunks_and_shards_go_to_the_lower_id(dev: &Device) {
    // The best key is shared by rows far apart (other chunks, other shards), and
    // the lowest ids must win in the merge too; with k both below and above the
    // workgroup list capacity.
    let dim = 4;
    let n = 1600;
    let mut rng = common::Rng::new(400);
    let mut m: Vec<f32> = rng.vec(n * dim).iter().map(|v| v * 0.1).collect();
    let best = [1599u32, 1100, 513, 40, 700, 1024, 511, 512];
    for &id in &best {
        m[id as usize * dim..(id as usize + 1) * dim].copy_from_slice(&[1.0, 1.0, 1.0, 1.0]);
    }
    let mut sorted = best.to_vec();
    sorted.sort();
    let sharded = [
        Twin::Gpu { shard_rows: None },
        Twin::Gpu {
            shard_rows: Some(100),
        },
        Twin::GpuPlain {
            shard_rows: Some(700),
        },
    ];
    let twins = match dev {
        Device::Cpu => vec![Twin::Cpu],
        Device::Gpu(_) => sharded.to_vec(),
    };
    for twin in twins {
        for metric in [Metric::Dot, Metric::Cosine] {
            let idx = index(twin, &m, dim, &SearchOptions::new(metric));
            for k in [3, 8, 20] {
                let hits = idx
                    .search(&[1.0, 1.0, 1.0, 1.0], k, Some(&[vec![40]]))
                    .unwrap();
                let ids: Vec<u32> = hits[0].iter().map(|h| h.id).collect();
                let want: Vec<u32> = sorted.iter().copied().filter(|&i| i != 40).collect();
                assert_eq!(
                    &ids[..k.min(want.len())],
                    &want[..k.min(want.len())],
                    "{twin:?} {metric:?} k={k}"
                );
                assert_eq!(ids.len(), k, "{twin:?} {metric:?} k={k}");
            }
        }
    }
}
common::twin_test!(exact_ties_across_chunks_and_shards_go_to_the_lower_id);

fn exclusions_leave_fewer_than_k_rows(dev: &Device) {
    // Every row but two is excluded (with repeats and ids out of range): two hits.
    let mut rng = common::Rng::new(500);
    let n = 70;
    let m = rng.vec(n * 5);
    let q = rng.vec(2 * 5);
    let mut all_but: Vec<u32> = (0..n as u32).filter(|&i| i != 3 && i != 66).collect();
    all_but.extend([5, 5, 9999]);
    let excl = vec![all_but, (0..n as u32).collect()];
    for twin in twins(dev) {
        for metric in METRICS {
            let idx = index(twin, &m, 5, &SearchOptions::new(metric));
            let hits = idx.search(&q, 10, Some(&excl)).unwrap();
            let mut ids: Vec<u32> = hits[0].iter().map(|h| h.id).collect();
            ids.sort();
            assert_eq!(ids, [3, 66], "{twin:?} {metric:?}");
            assert!(hits[1].is_empty(), "{twin:?} {metric:?}: {:?}", hits[1]);
        }
    }
}
common::twin_test!(exclusions_leave_fewer_than_k_rows);

#[test]
fn repeated_searches_reuse_buffers_without_stale_results() {
    // One index, searches that grow and shrink the scratch buffers: each equals
    // a fresh CPU search.
    if common::gpu().is_none() {
        return;
    }
    let mut rng = common::Rng::new(600);
    let (n, dim) = (900, 10);
    let m = rng.vec(n * dim);
    let opts = SearchOptions::new(Metric::Dot);
    let cpu = index(Twin::Cpu, &m, dim, &opts);
    for twin in [
        Twin::Gpu { shard_rows: None },
        Twin::GpuPlain { shard_rows: None },
    ] {
        let gpu = index(twin, &m, dim, &opts);
        for (mq, k, with_excl) in [
            (130, 20, true),
            (3, 4, false),
            (200, 2, true),
            (1, 30, false),
        ] {
            let q = rng.vec(mq * dim);
            let excl: Vec<Vec<u32>> = (0..mq).map(|i| vec![(i * 7 % n) as u32]).collect();
            let excl = with_excl.then_some(&excl[..]);
            let want = cpu.search(&q, k, excl).unwrap();
            let got = gpu.search(&q, k, excl).unwrap();
            assert_eq!(got.len(), want.len());
            for (qi, (g, w)) in got.iter().zip(&want).enumerate() {
                let gi: Vec<u32> = g.iter().map(|h| h.id).collect();
                let wi: Vec<u32> = w.iter().map(|h| h.id).collect();
                assert_eq!(gi, wi, "{twin:?} m={mq} k={k} query {qi}");
            }
        }
    }
}

#[test]
fn counted_figures_follow_the_tiles() {
    // 64-query x 128-row tiles: rows read once per 64 queries and queries once
    // per 128 rows, so at n, m multiples of the tiles and d = dp: b / 128 + 4 / 256
    // B/FLOP (b bytes per stored value) plus the lists; 3 shared loads (128-bit)
    // per 32 FMAs; one submission per batch.
    let (n, dim, mq, k) = (4096, 32, 256, 10);
    let m = vec![0.5f32; n * dim];
    let cpu = SearchIndex::cpu(&m, dim, &SearchOptions::new(Metric::Dot)).unwrap();
    assert!(cpu.gpu_counts(mq, k).unwrap().is_none());
    let Some(ctx) = common::gpu() else { return };
    for (precision, b) in [(Precision::F32, 4.0), (Precision::F16, 2.0)] {
        let opts = SearchOptions::new(Metric::Dot).precision(precision);
        let idx = SearchIndex::gpu(ctx.clone(), &m, dim, &opts).unwrap();
        let c = idx.gpu_counts(mq, k).unwrap().expect("GPU counts");
        let flops = 2.0 * (n * dim * mq) as f64;
        assert_eq!(c.row_bytes, (n * dim) as f64 * b * (mq / 64) as f64);
        assert_eq!(c.query_bytes, (mq * dim * 4 * (n / 128)) as f64);
        assert_eq!(
            c.candidate_bytes,
            2.0 * mq as f64 * c.candidates_per_query * 8.0
        );
        let want = b / 128.0 + 4.0 / 256.0 + c.candidate_bytes / flops;
        assert!((c.bytes_per_flop - want).abs() < 1e-12, "{c:?}");
        assert_eq!(c.shared_loads_per_fma, 3.0 / 32.0);
        assert_eq!(c.candidates_per_query % k as f64, 0.0);
        // A list per 512 rows or more.
        assert!(c.candidates_per_query <= (n / 512 * k) as f64);
        assert_eq!(c.submissions_per_1000_queries, 1000.0 / mq as f64);
        assert_eq!(c.dispatches_per_1000_queries, 2.0 * 1000.0 / mq as f64);
        // k above a page: one pass of the scan per page of 128.
        let c2 = idx.gpu_counts(mq, 200).unwrap().expect("GPU counts");
        assert_eq!(c2.row_bytes, 2.0 * c.row_bytes);
        assert_eq!(c2.submissions_per_1000_queries, 2.0 * 1000.0 / mq as f64);
    }
}

fn k_a_large_share_of_the_rows(dev: &Device) {
    // Every chunk's list is shorter than k here, and most lists are full of
    // padding: the merge must still give k real hits (n = 2,000, k = 1,000 once
    // gave about 820 on the GPU).
    for (n, k) in [(2000, 1000), (300, 299), (300, 300), (1031, 1034)] {
        run_case(
            &Case {
                n,
                dim: 37,
                m: 65,
                k,
                exclusions: false,
                seed: 500 + k as u64,
            },
            &compared(dev),
        );
    }
}
common::twin_test!(k_a_large_share_of_the_rows);

/// llvmpipe ends a shader invocation's loops after 65,535 iterations in all: a
/// search that could need more must be refused there, never answered short. A
/// large k is answered in pages that each stay within the limit.
#[test]
fn searches_beyond_the_software_loop_limit_are_refused_not_cut_short() {
    let Some(ctx) = common::gpu() else { return };
    let (n, dim) = (100_000, 4);
    let m = common::Rng::new(9).vec(n * dim);
    let opts = SearchOptions::new(Metric::Dot);
    let idx = SearchIndex::gpu(ctx.clone(), &m, dim, &opts).unwrap();
    let cpu = SearchIndex::cpu(&m, dim, &opts).unwrap();
    // k = 2,000: 16 pages of 128, every hit the CPU twin's (but near-ties).
    let got = idx.search(&m[..dim], 2000, None).unwrap();
    let want = cpu.search(&m[..dim], 2000, None).unwrap();
    assert_eq!(got[0].len(), 2000);
    let (g, w) = (&got[0], &want[0]);
    for r in 0..2000 {
        assert!((g[r].score - w[r].score).abs() < 1e-5, "rank {r}");
        let gap = [r.wrapping_sub(1), r + 1]
            .iter()
            .filter_map(|&j| w.get(j))
            .map(|o| (o.score - w[r].score).abs())
            .fold(f32::MAX, f32::min);
        if gap > 1e-5 {
            assert_eq!(g[r].id, w[r].id, "rank {r}");
        }
    }
    let ids = |h: &[Neighbor]| h.iter().map(|x| x.id).collect::<Vec<_>>();
    // An exclusion list of 20,000 ids is scanned for every surviving key.
    let excl = vec![(0..20_000u32).map(|i| i * 5).collect::<Vec<_>>()];
    let got = idx.search(&m[..dim], 10, Some(&excl));
    if ctx.adapter().kind.is_software() {
        let err = got.unwrap_err().to_string();
        assert!(err.contains("stops at 65535"), "{err}");
        assert!(err.contains("CPU backend"), "{err}");
    } else {
        let want = cpu.search(&m[..dim], 10, Some(&excl)).unwrap();
        assert_eq!(ids(&got.unwrap()[0]), ids(&want[0]));
    }
}

/// A small storage binding cuts the queries into many GPU batches (and the rows
/// into shards); each batch reads its own exclusion lists. Every query excludes
/// its own best rows, so a batch reading another's lists returns them.
#[test]
fn exclusions_past_one_query_batch() {
    common::gpu().expect("a GPU adapter");
    let (n, dim, m, k) = (200, 3, 300, 5);
    let mut rng = common::Rng::new(17);
    let rows = rng.vec(n * dim);
    let q = rng.vec(m * dim);
    let opts = SearchOptions::new(Metric::Dot);
    let cpu = SearchIndex::cpu(&rows, dim, &opts).unwrap();
    let best = cpu.search(&q, 3, None).unwrap();
    let excl: Vec<Vec<u32>> = best
        .iter()
        .map(|h| h.iter().map(|n| n.id).collect())
        .collect();
    let want = cpu.search(&q, k, Some(&excl)).unwrap();
    // 1 KiB bindings: 64 padded queries a batch at most, 64 rows a shard.
    let ctx = GpuContext::with_options(&GpuOptions {
        max_binding_bytes: Some(1024),
        ..GpuOptions::from_env()
    })
    .unwrap();
    let gpu = SearchIndex::gpu(Arc::new(ctx), &rows, dim, &opts).unwrap();
    assert!(gpu.shards() > 1);
    let got = gpu.search(&q, k, Some(&excl)).unwrap();
    for (qi, (g, w)) in got.iter().zip(&want).enumerate() {
        let ids = |h: &Vec<Neighbor>| h.iter().map(|n| n.id).collect::<Vec<_>>();
        assert_eq!(ids(g), ids(w), "query {qi}");
    }
}
