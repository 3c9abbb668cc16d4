//! `glove-wgpu bench ann`: an IVF index built (or loaded) over a vectors file,
//! searched with a batch of query vectors at several `nprobe`, each run's
//! recall@k measured against exact search of the same queries in the same
//! process (on the same device, over the index's own rows). One JSON line per
//! `nprobe`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use glove_wgpu::io::Format;
use glove_wgpu::ivf::{Index, IndexOptions, Probe};
use glove_wgpu::search::{Metric, Neighbor, Precision};
use glove_wgpu::{DeviceChoice, Error, Result};

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct AnnArgs {
    /// The vectors to index (any format; detected unless --format).
    #[arg(long)]
    vectors: PathBuf,
    /// The queries: a vectors file whose rows are the queries (words only label them).
    #[arg(long)]
    queries: PathBuf,
    /// The format of both files; detected per file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Search an index file instead of building one (its metric and precision rule).
    #[arg(long)]
    index: Option<PathBuf>,
    /// Neighbours per query.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Lists of the index built (default: 4 sqrt(n)).
    #[arg(long)]
    lists: Option<usize>,
    /// Lists probed, one run each (comma-separated); default: 1, 2, 4, ... up to
    /// every list, and the calibrated nprobe of each --recall.
    #[arg(long, value_delimiter = ',')]
    nprobe: Vec<usize>,
    /// Runs at the calibrated nprobe of these recalls (comma-separated).
    #[arg(long, value_delimiter = ',')]
    recall: Vec<f32>,
    /// Metric.
    #[arg(long, value_enum, default_value_t = Metric::Cosine)]
    metric: Metric,
    /// Where to run (the index, its search and the exact search).
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    backend: DeviceChoice,
    /// Store the lists as f16.
    #[arg(long)]
    f16: bool,
    /// Seed of the index.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training rows per list.
    #[arg(long, default_value_t = IndexOptions::new(Metric::Cosine).train_per_list)]
    train_per_list: usize,
    /// k-means iterations.
    #[arg(long, default_value_t = IndexOptions::new(Metric::Cosine).iterations)]
    iterations: usize,
    /// Timed repetitions per nprobe (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Write the index built here.
    #[arg(long)]
    save: Option<PathBuf>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

/// Recall@k of `got` against `want`: the share of `want`'s ids found.
fn recall(got: &[Vec<Neighbor>], want: &[Vec<Neighbor>]) -> f64 {
    let (mut hit, mut all) = (0usize, 0usize);
    for (g, w) in got.iter().zip(want) {
        hit += w.iter().filter(|h| g.iter().any(|x| x.id == h.id)).count();
        all += w.len();
    }
    hit as f64 / all.max(1) as f64
}

pub fn run(a: AnnArgs) -> Result<ExitCode> {
    if a.backend == DeviceChoice::Auto {
        return Err(Error::invalid("bench needs --backend cpu or --backend gpu"));
    }
    if a.k == 0 || a.repeat == 0 {
        return Err(Error::invalid(
            "bench ann needs --k and --repeat of at least 1",
        ));
    }
    let mut printer = Printer::new(false);
    let progress = &mut printer.callback();
    let device = a.backend.resolve(progress)?;
    let queries = super::common::load_vectors(&a.queries, None, a.format, progress)?;
    let t = Instant::now();
    let (index, build_seconds) = match &a.index {
        Some(path) => (Index::load(path, &device)?, None),
        None => {
            let emb = super::common::load_vectors(&a.vectors, None, a.format, progress)?;
            let precision = if a.f16 {
                Precision::F16
            } else {
                Precision::F32
            };
            let mut opts = IndexOptions::new(a.metric)
                .precision(precision)
                .seed(a.seed);
            opts.lists = a.lists;
            opts.train_per_list = a.train_per_list;
            opts.iterations = a.iterations;
            let t = Instant::now();
            let index = Index::build(&emb, &device, &opts, progress)?;
            (index, Some(t.elapsed().as_secs_f64()))
        }
    };
    let _ = t;
    if queries.dim() != index.dim() {
        return Err(Error::invalid(format!(
            "the queries have {} dimensions, the index {}",
            queries.dim(),
            index.dim()
        )));
    }
    if let Some(path) = &a.save {
        index.save(path)?;
    }
    let q = queries.matrix();
    let m = queries.len();
    // Exact search over the index's rows: the truth, and its speed.
    index.search_exact(&q[..index.dim()], a.k, None)?; // warm-up
    let t = Instant::now();
    let truth = index.search_exact(q, a.k, None)?;
    let exact_seconds = t.elapsed().as_secs_f64();
    let mut runs: Vec<(usize, Option<f32>)> = Vec::new();
    let mut nprobes = a.nprobe.clone();
    if nprobes.is_empty() && a.recall.is_empty() {
        let mut p = 1;
        while p < index.lists() {
            nprobes.push(p);
            p *= 2;
        }
        nprobes.push(index.lists());
    }
    runs.extend(nprobes.iter().map(|&p| (p, None)));
    runs.extend(
        a.recall
            .iter()
            .map(|&r| (index.nprobe(Probe::Recall(r)), Some(r))),
    );
    let threads = rayon::current_num_threads();
    for (nprobe, target) in runs {
        let probe = Probe::Lists(nprobe);
        index.search(&q[..index.dim()], a.k, probe, None)?; // warm-up
        let mut best = f64::INFINITY;
        let mut hits = Vec::new();
        for _ in 0..a.repeat {
            let t = Instant::now();
            hits = index.search(q, a.k, probe, None)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        let r = recall(&hits, &truth);
        let counts = index.gpu_counts(m, a.k, probe)?;
        let nprobe = index.nprobe(probe);
        let out = serde_json::json!({
            "backend": device.name(),
            "adapter": index.device_name(),
            "threads": threads,
            "n": index.len(),
            "dim": index.dim(),
            "queries": m,
            "k": a.k,
            "metric": index.metric(),
            "precision": index.precision(),
            "lists": index.lists(),
            "nprobe": nprobe,
            "target_recall": target,
            "calibrated_recall": index.calibration().recall_at(nprobe),
            "recall": r,
            "seconds": best,
            "queries_per_s": m as f64 / best,
            "build_seconds": build_seconds,
            "exact_seconds": exact_seconds,
            "exact_queries_per_s": m as f64 / exact_seconds,
            // counted from the GPU kernels' index arithmetic (null on the CPU)
            "shared_loads_per_fma": counts.map(|c| c.shared_loads_per_fma),
            "bytes_per_flop": counts.map(|c| c.bytes_per_flop),
        });
        if a.json {
            outln!("{out}")?;
        } else {
            outln!(
                "lists {} nprobe {:>5}: recall@{} {:.4} (calibrated {}), {:.0} queries/s; \
                 exact {:.0} queries/s; build {}",
                index.lists(),
                nprobe,
                a.k,
                r,
                index
                    .calibration()
                    .recall_at(nprobe)
                    .map_or("-".into(), |c| format!("{c:.4}")),
                m as f64 / best,
                m as f64 / exact_seconds,
                build_seconds.map_or("loaded".into(), |s| format!("{s:.1} s")),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
