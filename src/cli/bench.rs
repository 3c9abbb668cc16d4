//! `glove-wgpu bench search`: time exact search on random unit vectors. Every
//! timed run is checked (one list per query, `k` distinct hits each) against an
//! f64 brute-force reference on a sample of the queries, and that sample against
//! the other twin when there is one (the CPU twin for a GPU run; a GPU, if any,
//! for a CPU run). `verified_against` names only what ran.

use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use glove_wgpu::rng::SplitMix64;
use glove_wgpu::search::{inv_norm, Metric, Neighbor, Precision, SearchIndex, SearchOptions};
use glove_wgpu::{Error, Result};
use rayon::prelude::*;

use glove_wgpu::{Device, DeviceChoice};

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
    /// An IVF index (approximate search): recall and queries/s per nprobe,
    /// against exact search in the same run.
    Ann(super::bench_ann::AnnArgs),
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
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    backend: DeviceChoice,
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
        What::Ann(a) => super::bench_ann::run(a),
    }
}

/// Host bytes a search benchmark holds at once: the matrix and the queries,
/// each index's padded copy (the CPU twin's too, for the check of a GPU run)
/// with its f16 rows and norms, and the answers.
fn bench_bytes(a: &SearchArgs) -> u128 {
    let (n, d, m, k) = (a.n as u128, a.dim as u128, a.queries as u128, a.k as u128);
    let padded =
        n * d.div_ceil(4) * 4 * 4 + n * 4 + if a.f16 { n * d.div_ceil(4) * 4 * 2 } else { 0 };
    n * d * 4 + 2 * m * d * 4 + 2 * padded + m * k * 8 * 2
}

/// Refuses, before allocating anything, a benchmark that cannot fit the memory
/// this machine has free (it would otherwise thrash, or be killed).
fn check_memory(a: &SearchArgs) -> Result<()> {
    let need = bench_bytes(a);
    let Some(free) = available_memory() else {
        return Ok(());
    };
    if need > free as u128 {
        return Err(Error::OutOfMemory(format!(
            "bench search --n {} --dim {} --queries {} needs about {} MiB of memory, and {} MiB \
             are available; use a smaller --n, --dim or --queries",
            a.n,
            a.dim,
            a.queries,
            need >> 20,
            free >> 20
        )));
    }
    Ok(())
}

/// Memory available to a new allocation, bytes (Linux: `MemAvailable` in
/// `/proc/meminfo`, capped by a cgroup limit); `None` where unknown.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let mut free = kb.saturating_mul(1024);
    // A container's limit (cgroup v2), less what it uses.
    let cg = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok();
    if let (Some(max), Some(cur)) = (cg("memory.max"), cg("memory.current")) {
        if let (Ok(max), Ok(cur)) = (max.trim().parse::<u64>(), cur.trim().parse::<u64>()) {
            free = free.min(max.saturating_sub(cur));
        }
    }
    Some(free)
}

/// The f64 brute-force answer for a sample of the queries: every row scored in
/// f64, the best `k` kept (nearer first, lower id on ties).
struct Reference<'a> {
    matrix: &'a [f32],
    queries: &'a [f32],
    dim: usize,
    metric: Metric,
    /// Query numbers in the sample.
    sample: Vec<usize>,
    /// The reference top `k` per sampled query: (score, id).
    top: Vec<Vec<(f64, u32)>>,
}

impl<'a> Reference<'a> {
    fn new(
        matrix: &'a [f32],
        queries: &'a [f32],
        dim: usize,
        metric: Metric,
        sample: Vec<usize>,
        k: usize,
    ) -> Self {
        let mut r = Reference {
            matrix,
            queries,
            dim,
            metric,
            sample,
            top: Vec::new(),
        };
        let n = matrix.len() / dim;
        r.top = r
            .sample
            .par_iter()
            .map(|&q| {
                let mut top: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
                for id in 0..n as u32 {
                    let s = r.score(q, id);
                    if top.len() == k && !r.better((s, id), top[k - 1]) {
                        continue;
                    }
                    let at = top.partition_point(|&t| r.better(t, (s, id)));
                    top.insert(at, (s, id));
                    top.truncate(k);
                }
                top
            })
            .collect();
        r
    }

    /// The lists of `hits` for the sampled queries, in the sample's order.
    fn lists_of<'h>(&self, hits: &'h [Vec<Neighbor>]) -> Vec<&'h [Neighbor]> {
        self.sample.iter().map(|&q| &hits[q][..]).collect()
    }

    /// Whether `a` ranks before `b`: nearer, then the lower id.
    fn better(&self, a: (f64, u32), b: (f64, u32)) -> bool {
        let nearer = match self.metric {
            Metric::Euclidean => a.0.total_cmp(&b.0),
            Metric::Cosine | Metric::Dot => b.0.total_cmp(&a.0),
        };
        nearer.then(a.1.cmp(&b.1)).is_lt()
    }

    /// Query `q`'s score for row `id`, in f64.
    fn score(&self, q: usize, id: u32) -> f64 {
        let d = self.dim;
        let qv = &self.queries[q * d..(q + 1) * d];
        let ev = &self.matrix[id as usize * d..(id as usize + 1) * d];
        let dot = || -> f64 { qv.iter().zip(ev).map(|(&a, &b)| a as f64 * b as f64).sum() };
        match self.metric {
            Metric::Dot => dot(),
            Metric::Cosine => dot() * inv_norm(qv) * inv_norm(ev),
            Metric::Euclidean => qv
                .iter()
                .zip(ev)
                .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
                .sum::<f64>()
                .sqrt(),
        }
    }
}

/// What a check found: the largest score difference and how many ranks hold
/// another id than the reference's (near-ties only).
#[derive(Default)]
struct Agreement {
    max_err: f32,
    id_differences: usize,
}

/// Checks the shape of one answer: one list per query, `k` hits each (counted,
/// not zipped).
fn check_lengths(hits: &[Vec<Neighbor>], queries: usize, k: usize, what: &str) -> Result<()> {
    if hits.len() != queries {
        return Err(Error::malformed(
            what,
            "answer",
            format!("{} lists for {queries} queries", hits.len()),
        ));
    }
    match hits.iter().position(|l| l.len() != k) {
        Some(q) => Err(Error::malformed(
            what,
            format!("query {q}"),
            format!("{} hits, want {k}", hits[q].len()),
        )),
        None => Ok(()),
    }
}

/// Checks `lists` (one per query of `want`'s sample, in its order) against `want`:
/// `k` distinct hits, each hit's score its row's f64 score and the rank's score
/// in `want` within `tol` (a near-tie may swap ids).
fn check_sample(
    lists: &[&[Neighbor]],
    want: &Reference,
    k: usize,
    tol: f32,
    what: &str,
) -> Result<Agreement> {
    let fail = |at: String, problem: String| Err(Error::malformed(what, at, problem));
    if lists.len() != want.sample.len() || want.top.len() != want.sample.len() {
        return fail(
            "answer".into(),
            format!(
                "{} lists and {} to check them against, for {} sampled queries",
                lists.len(),
                want.top.len(),
                want.sample.len()
            ),
        );
    }
    let mut agree = Agreement::default();
    for (s, &q) in want.sample.iter().enumerate() {
        let (got, top) = (lists[s], &want.top[s]);
        if got.len() != k || top.len() != k {
            return fail(
                format!("query {q}"),
                format!("{} hits against {}, want {k}", got.len(), top.len()),
            );
        }
        let mut ids: Vec<u32> = got.iter().map(|h| h.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return fail(format!("query {q}"), "the same row twice".into());
        }
        for r in 0..k {
            let (h, w) = (got[r], top[r]);
            let own = want.score(q, h.id) as f32;
            let err = (h.score - own).abs().max((h.score - w.0 as f32).abs());
            if err.is_nan() || err > tol {
                return fail(
                    format!("query {q} rank {r}"),
                    format!(
                        "id {} score {} (its row's f64 score {own}) against id {} score {} \
                         (tolerance {tol})",
                        h.id, h.score, w.1, w.0
                    ),
                );
            }
            agree.max_err = agree.max_err.max(err);
            agree.id_differences += usize::from(h.id != w.1);
        }
    }
    Ok(agree)
}

fn search(a: SearchArgs) -> Result<ExitCode> {
    if a.backend == DeviceChoice::Auto {
        return Err(Error::invalid("bench needs --backend cpu or --backend gpu"));
    }
    if a.n == 0 || a.queries == 0 || a.k == 0 {
        return Err(Error::invalid(
            "bench search needs --n, --queries and --k of at least 1",
        ));
    }
    if a.verify == 0 {
        return Err(Error::invalid(
            "bench search checks at least one query (--verify 1 or more)",
        ));
    }
    check_memory(&a)?;
    let device = a
        .backend
        .resolve(&mut super::progress::Printer::new(false).callback())?;
    let matrix = random_unit_rows(a.n, a.dim, a.seed)?;
    let queries = random_unit_rows(a.queries, a.dim, a.seed ^ 0xDEAD_BEEF)?;
    let precision = if a.f16 {
        Precision::F16
    } else {
        Precision::F32
    };
    let opts = SearchOptions::new(a.metric).precision(precision);
    let k = a.k.min(a.n);

    let t = Instant::now();
    let index = SearchIndex::new(&device, &matrix, a.dim, &opts)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let name = if device.gpu().is_some() {
        format!("gpu ({})", index.device_name())
    } else {
        "cpu twin".to_string()
    };

    // The f64 brute-force reference on a sample of the queries.
    let sample: Vec<usize> = (0..a.queries)
        .step_by((a.queries / a.verify).max(1))
        .take(a.verify)
        .collect();
    let reference = Reference::new(&matrix, &queries, a.dim, a.metric, sample, k);
    let ref_name = format!("f64 reference ({} queries)", reference.sample.len());
    let tol = if a.f16 { 1e-3 } else { 1e-4 } * (a.dim as f32).sqrt();

    // Warm-up (pipeline compilation, thread pool) on a few queries.
    index.search(&queries[..a.dim.min(queries.len())], k, None)?;
    // Every timed run is checked against the reference, outside the timer.
    let mut best = f64::INFINITY;
    let mut hits = Vec::new();
    let mut agree = Agreement::default();
    for _ in 0..a.repeat.max(1) {
        let t = Instant::now();
        hits = index.search(&queries, k, None)?;
        best = best.min(t.elapsed().as_secs_f64());
        let what = format!("verification of the {name} against the {ref_name}");
        check_lengths(&hits, a.queries, k, &what)?;
        agree = check_sample(&reference.lists_of(&hits), &reference, k, tol, &what)?;
    }
    let mut verified_against = vec![ref_name.clone()];

    // The other twin on the same sample, where there is one: the CPU twin for a GPU
    // run, a GPU (if any) for a CPU run.
    let other = match device {
        Device::Gpu(_) => Some(SearchIndex::cpu(&matrix, a.dim, &opts)?),
        Device::Cpu => match glove_wgpu::GpuContext::new() {
            Ok(c) => Some(SearchIndex::gpu(
                std::sync::Arc::new(c),
                &matrix,
                a.dim,
                &opts,
            )?),
            Err(e) => {
                errln!("note: no GPU twin to check the CPU twin against ({e})");
                None
            }
        },
    };
    if let Some(other) = &other {
        let other_name = if device.gpu().is_some() {
            "cpu twin".to_string()
        } else {
            format!("gpu twin ({})", other.device_name())
        };
        let sample_q: Vec<f32> = reference
            .sample
            .iter()
            .flat_map(|&i| queries[i * a.dim..(i + 1) * a.dim].iter().copied())
            .collect();
        let theirs = other.search(&sample_q, k, None)?;
        let lists: Vec<&[Neighbor]> = theirs.iter().map(|l| &l[..]).collect();
        let what = format!("verification of the {other_name} against the {ref_name}");
        check_sample(&lists, &reference, k, tol, &what)?;
        // Ours against the twin's lists, score by score.
        let twin = Reference {
            sample: reference.sample.clone(),
            top: theirs
                .iter()
                .map(|l| l.iter().map(|h| (h.score as f64, h.id)).collect())
                .collect(),
            ..reference
        };
        let what = format!("verification of the {name} against the {other_name}");
        let pair = check_sample(&twin.lists_of(&hits), &twin, k, tol, &what)?;
        agree.max_err = agree.max_err.max(pair.max_err);
        verified_against.push(format!("{other_name} ({} queries)", reference.sample.len()));
    }
    // The GPU kernel's counted figures, from whichever index runs on the GPU.
    let gpu_index = match (&device, &other) {
        (Device::Gpu(_), _) => Some(&index),
        (Device::Cpu, Some(o)) => Some(o),
        (Device::Cpu, None) => None,
    };
    let counts = match gpu_index {
        Some(g) if a.queries > 0 && a.k > 0 && a.n > 0 => g.gpu_counts(a.queries, a.k)?,
        _ => None,
    };
    let flops = 2.0 * a.n as f64 * a.dim as f64 * a.queries as f64;
    let out = serde_json::json!({
        "backend": if index.device_name() == "cpu" { "cpu" } else { "gpu" },
        "adapter": index.device_name(),
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
        "checked_runs": a.repeat.max(1),
        "verified_queries": reference.sample.len(),
        "verified_against": verified_against.join(", "),
        "max_score_difference": agree.max_err,
        "rank_id_differences": agree.id_differences,
        // counted from the GPU kernel's tile arithmetic, not measured (null without a GPU)
        "bytes_per_flop": counts.map(|c| c.bytes_per_flop),
        "shared_loads_per_fma": counts.map(|c| c.shared_loads_per_fma),
        "candidates_per_query": counts.map(|c| c.candidates_per_query),
        "dispatches_per_1000_queries": counts.map(|c| c.dispatches_per_1000_queries),
        "submissions_per_1000_queries": counts.map(|c| c.submissions_per_1000_queries),
    });
    if a.json {
        outln!("{out}")?;
    } else {
        outln!(
            "{} {}: {:.0} queries/s, {:.2} GFLOP/s (n {}, d {}, {} queries, k {}){}; {} runs checked against {}",
            out["backend"].as_str().unwrap_or_default(),
            index.device_name(),
            a.queries as f64 / best,
            flops / best / 1e9,
            a.n,
            a.dim,
            a.queries,
            a.k,
            counts.map_or(String::new(), |c| format!(
                "; kernel {:.4} B/FLOP, {:.3} shared loads/FMA, {} candidates/query",
                c.bytes_per_flop, c.shared_loads_per_fma, c.candidates_per_query
            )),
            a.repeat.max(1),
            out["verified_against"].as_str().unwrap_or_default(),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
