//! `glove-wgpu bench search`: time exact search on random unit vectors, after
//! checking a sample of the answers against the other twin.

use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use glove_wgpu::rng::SplitMix64;
use glove_wgpu::search::{inv_norm, Metric, Precision, SearchIndex, SearchOptions};
use glove_wgpu::{Error, Result};
use rayon::prelude::*;

use super::common::BackendChoice;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// Exact top-k search over random unit vectors.
    Search(SearchArgs),
    /// GloVe training on a corpus (the bundled one by default), with the kernels'
    /// counted traffic.
    Train(super::bench_train::TrainBenchArgs),
}

#[derive(clap::Args, Debug)]
struct SearchArgs {
    /// Rows in the matrix.
    #[arg(long, default_value_t = 100_000)]
    n: usize,
    /// Dimensions.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Queries in the batch.
    #[arg(long, default_value_t = 4096)]
    queries: usize,
    /// Neighbours per query.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Metric (dot on unit vectors is faiss' IndexFlatIP).
    #[arg(long, value_enum, default_value_t = Metric::Dot)]
    metric: Metric,
    /// Where to run.
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
    /// Store the matrix as f16.
    #[arg(long)]
    f16: bool,
    /// Timed repetitions (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Queries checked against the other twin.
    #[arg(long, default_value_t = 64)]
    verify: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print one JSON object (every figure) instead of one human-readable line.
    #[arg(long)]
    json: bool,
}

/// Seeded unit vectors, generated in parallel (one SplitMix64 stream per row).
/// `n x dim` seeded unit vectors; a size that overflows or cannot be allocated is
/// an error, not a crash.
pub fn random_unit_rows(n: usize, dim: usize, seed: u64) -> Result<Vec<f32>> {
    let len = n.checked_mul(dim).ok_or_else(|| {
        Error::invalid(format!(
            "{n} x {dim} values do not fit this machine's address space"
        ))
    })?;
    let mut out: Vec<f32> = Vec::new();
    out.try_reserve_exact(len).map_err(|e| {
        Error::OutOfMemory(format!(
            "{n} x {dim} values ({} MiB): {e}",
            (len as u128 * 4) >> 20
        ))
    })?;
    out.resize(len, 0.0);
    out.par_chunks_mut(dim.max(1))
        .enumerate()
        .for_each(|(i, row)| {
            let mut rng = SplitMix64::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            row.iter_mut().for_each(|v| *v = rng.next_f32() * 2.0 - 1.0);
            let inv = inv_norm(row);
            row.iter_mut().for_each(|v| *v = (*v as f64 * inv) as f32);
        });
    Ok(out)
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.what {
        What::Search(a) => search(a),
        What::Train(a) => super::bench_train::run(a),
    }
}

fn search(a: SearchArgs) -> Result<ExitCode> {
    if a.backend == BackendChoice::Auto {
        return Err(Error::invalid("bench needs --backend cpu or --backend gpu"));
    }
    let ctx = a.backend.context(&mut super::common::note)?;
    let matrix = random_unit_rows(a.n, a.dim, a.seed)?;
    let queries = random_unit_rows(a.queries, a.dim, a.seed ^ 0xDEAD_BEEF)?;
    let precision = if a.f16 {
        Precision::F16
    } else {
        Precision::F32
    };
    let opts = SearchOptions::new(a.metric).precision(precision);

    let t = Instant::now();
    let index = SearchIndex::new(ctx.clone(), &matrix, a.dim, &opts)?;
    let build_seconds = t.elapsed().as_secs_f64();
    // Warm-up (pipeline compilation, thread pool) on a few queries.
    index.search(&queries[..a.dim.min(queries.len())], a.k, None)?;
    let mut best = f64::INFINITY;
    let mut hits = Vec::new();
    for _ in 0..a.repeat.max(1) {
        let t = Instant::now();
        hits = index.search(&queries, a.k, None)?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    if hits.len() != a.queries {
        return Err(Error::Gpu(format!(
            "{} answered {} of {} queries",
            index.backend_name(),
            hits.len(),
            a.queries
        )));
    }

    // Verify a sample against the other twin, where there is one.
    let other = match ctx {
        Some(_) => Some(SearchIndex::cpu(&matrix, a.dim, &opts)?),
        None => match glove_wgpu::GpuContext::new() {
            Ok(c) => Some(SearchIndex::gpu(
                std::sync::Arc::new(c),
                &matrix,
                a.dim,
                &opts,
            )?),
            Err(e) => {
                eprintln!("note: no GPU to verify the CPU twin against ({e})");
                None
            }
        },
    };
    let sample: Vec<usize> = match other {
        Some(_) => (0..a.queries)
            .step_by((a.queries / a.verify.max(1)).max(1))
            .take(a.verify)
            .collect(),
        None => Vec::new(),
    };
    let tol = if a.f16 { 1e-3 } else { 1e-4 } * (a.dim as f32).sqrt();
    let (mut max_err, mut id_mismatches) = (0f32, 0usize);
    if let Some(other) = &other {
        let sample_q: Vec<f32> = sample
            .iter()
            .flat_map(|&i| queries[i * a.dim..(i + 1) * a.dim].iter().copied())
            .collect();
        let check = other.search(&sample_q, a.k, None)?;
        let fail = |what: String| {
            Err(Error::Gpu(format!(
                "verification of {} against {} failed: {what}",
                index.backend_name(),
                other.backend_name()
            )))
        };
        if check.len() != sample.len() {
            return fail(format!(
                "{} lists for {} queries",
                check.len(),
                sample.len()
            ));
        }
        for (&s, want) in sample.iter().zip(&check) {
            let got = &hits[s];
            if got.len() != want.len() {
                return fail(format!(
                    "query {s} has {} hits, want {}",
                    got.len(),
                    want.len()
                ));
            }
            for (r, (g, w)) in got.iter().zip(want).enumerate() {
                let err = (g.score - w.score).abs();
                max_err = max_err.max(err);
                if g.id != w.id {
                    // only a near-tie may swap ids
                    if err > tol {
                        return fail(format!(
                            "query {s} rank {r}: id {} score {} against id {} score {}",
                            g.id, g.score, w.id, w.score
                        ));
                    }
                    id_mismatches += 1;
                }
            }
        }
        if max_err > tol {
            return fail(format!("scores differ by {max_err} (> {tol})"));
        }
    }
    // The GPU kernel's counted figures, from whichever index runs on the GPU.
    let gpu_index = match (&ctx, &other) {
        (Some(_), _) => Some(&index),
        (None, Some(o)) => Some(o),
        (None, None) => None,
    };
    let counts = match gpu_index {
        Some(g) if a.queries > 0 && a.k > 0 && a.n > 0 => g.gpu_counts(a.queries, a.k)?,
        _ => None,
    };
    let flops = 2.0 * a.n as f64 * a.dim as f64 * a.queries as f64;
    let out = serde_json::json!({
        "backend": if index.backend_name() == "cpu" { "cpu" } else { "gpu" },
        "adapter": index.backend_name(),
        "threads": rayon::current_num_threads(),
        "n": a.n,
        "dim": a.dim,
        "queries": a.queries,
        "k": a.k,
        "metric": a.metric,
        "precision": precision,
        "shards": index.shards(),
        "build_seconds": build_seconds,
        "seconds": best,
        "queries_per_s": a.queries as f64 / best,
        "gflops": flops / best / 1e9,
        "verified_queries": sample.len(),
        "verified_against": other.as_ref().map_or("none".to_string(), |o| o.backend_name()),
        "max_score_difference": max_err,
        "rank_id_differences": id_mismatches,
        // counted from the GPU kernel's tile arithmetic, not measured (null without a GPU)
        "bytes_per_flop": counts.map(|c| c.bytes_per_flop),
        "candidates_per_query": counts.map(|c| c.candidates_per_query),
        "dispatches_per_1000_queries": counts.map(|c| c.dispatches_per_1000_queries),
        "submissions_per_1000_queries": counts.map(|c| c.submissions_per_1000_queries),
    });
    if a.json {
        println!("{out}");
    } else {
        println!(
            "{} {}: {:.0} queries/s, {:.2} GFLOP/s (n {}, d {}, {} queries, k {}){}; verified {} queries against {}",
            out["backend"].as_str().unwrap_or_default(),
            index.backend_name(),
            a.queries as f64 / best,
            flops / best / 1e9,
            a.n,
            a.dim,
            a.queries,
            a.k,
            counts.map_or(String::new(), |c| format!(
                "; kernel {:.4} B/FLOP, {} candidates/query",
                c.bytes_per_flop, c.candidates_per_query
            )),
            sample.len(),
            out["verified_against"].as_str().unwrap_or_default(),
        );
    }
    Ok(ExitCode::SUCCESS)
}
