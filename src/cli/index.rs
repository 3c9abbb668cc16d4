//! `glove-wgpu index build|add|remove`: IVF index files ([`glove_wgpu::ivf`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use glove_wgpu::io::Format;
use glove_wgpu::ivf::{Index, IndexOptions, Probe};
use glove_wgpu::progress::Progress;
use glove_wgpu::search::{Metric, Precision};
use glove_wgpu::{DeviceChoice, Error, Result};

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// Build an index over a vectors file: k-means lists, the recall calibrated.
    Build(BuildArgs),
    /// Add the words of a vectors file to an index (each to its nearest list).
    Add(AddArgs),
    /// Remove words from an index.
    Remove(RemoveArgs),
}

#[derive(clap::Args, Debug)]
struct BuildArgs {
    /// The vectors to index.
    #[arg(long)]
    vectors: PathBuf,
    /// Their format; guessed from the file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The index file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Lists (default: 4 sqrt(n), at most one per row).
    #[arg(long)]
    lists: Option<usize>,
    /// The recall searches ask for by default (calibrated against exact search
    /// and stored in the index).
    #[arg(long, default_value_t = IndexOptions::new(Metric::Cosine).recall)]
    recall: f32,
    /// Store the lists' rows as f16.
    #[arg(long)]
    f16: bool,
    /// Metric.
    #[arg(long, value_enum, default_value_t = Metric::Cosine)]
    metric: Metric,
    /// Seed of the training sample, the initial centroids and the calibration.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training rows per list (at least 39).
    #[arg(long, default_value_t = IndexOptions::new(Metric::Cosine).train_per_list)]
    train_per_list: usize,
    /// k-means iterations.
    #[arg(long, default_value_t = IndexOptions::new(Metric::Cosine).iterations)]
    iterations: usize,
    /// Where k-means, the assignment and the calibration run.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    backend: DeviceChoice,
}

#[derive(clap::Args, Debug)]
struct AddArgs {
    /// The index file.
    index: PathBuf,
    /// The vectors to add (their words must be new to the index).
    #[arg(long)]
    vectors: PathBuf,
    /// Their format; guessed from the file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the result here instead of replacing the index file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Where the assignment runs.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    backend: DeviceChoice,
}

#[derive(clap::Args, Debug)]
struct RemoveArgs {
    /// The index file.
    index: PathBuf,
    /// Write the result here instead of replacing the index file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Words to remove (every one must be in the index).
    #[arg(required = true)]
    words: Vec<String>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    match a.what {
        What::Build(b) => build(b),
        What::Add(b) => add(b),
        What::Remove(b) => remove(b),
    }
}

/// One line about an index and where it went.
fn summary(index: &Index, path: &std::path::Path, seconds: f64) -> String {
    let mut sizes = index.list_sizes();
    sizes.sort_unstable();
    let nprobe = index.nprobe(Probe::Default);
    format!(
        "{} words x {} ({}, {}) in {} lists (rows per list: min {}, median {}, max {}); \
         recall {} at nprobe {} (calibrated on {} rows); wrote {} in {:.1} s",
        index.len(),
        index.dim(),
        index.metric().name(),
        match index.precision() {
            Precision::F32 => "f32",
            Precision::F16 => "f16",
        },
        index.lists(),
        sizes.first().unwrap_or(&0),
        sizes.get(sizes.len() / 2).unwrap_or(&0),
        sizes.last().unwrap_or(&0),
        index
            .calibration()
            .recall_at(nprobe)
            .map_or("-".to_string(), |r| format!("{r:.3}")),
        nprobe,
        index.calibration().queries,
        path.display(),
        seconds
    )
}

use glove_wgpu::names::Named;

fn build(a: BuildArgs) -> Result<ExitCode> {
    super::common::check_paths(&[("--vectors", &a.vectors)], &[("--output", &a.output)])?;
    glove_wgpu::ivf::Probe::Recall(a.recall).check()?;
    let t = Instant::now();
    let mut printer = Printer::new(false);
    let mut callback = printer.callback();
    let progress: &mut Progress = &mut callback;
    let emb = super::common::load_vectors(&a.vectors, None, a.format, progress)?;
    let device = a.backend.resolve(progress)?;
    let precision = if a.f16 {
        Precision::F16
    } else {
        Precision::F32
    };
    let mut opts = IndexOptions::new(a.metric)
        .precision(precision)
        .seed(a.seed)
        .recall(a.recall);
    opts.lists = a.lists;
    opts.train_per_list = a.train_per_list;
    opts.iterations = a.iterations;
    let index = Index::build(&emb, &device, &opts, progress)?;
    drop(emb);
    index.save(&a.output)?;
    drop(callback);
    drop(printer);
    errln!("{}", summary(&index, &a.output, t.elapsed().as_secs_f64()));
    Ok(ExitCode::SUCCESS)
}

fn add(a: AddArgs) -> Result<ExitCode> {
    let out = a.output.clone().unwrap_or_else(|| a.index.clone());
    super::common::check_paths(&[("--vectors", &a.vectors)], &[("--output", &out)])?;
    let t = Instant::now();
    let mut printer = Printer::new(false);
    let mut callback = printer.callback();
    let progress: &mut Progress = &mut callback;
    let device = a.backend.resolve(progress)?;
    let mut index = Index::load(&a.index, &device)?;
    let emb = super::common::load_vectors(&a.vectors, None, a.format, progress)?;
    if emb.dim() != index.dim() {
        return Err(Error::invalid(format!(
            "{} has {} dimensions, the index {}",
            a.vectors.display(),
            emb.dim(),
            index.dim()
        )));
    }
    index.add(emb.words(), emb.matrix())?;
    index.save(&out)?;
    drop(callback);
    drop(printer);
    errln!(
        "added {} words; {}",
        emb.len(),
        summary(&index, &out, t.elapsed().as_secs_f64())
    );
    Ok(ExitCode::SUCCESS)
}

fn remove(a: RemoveArgs) -> Result<ExitCode> {
    let out = a.output.clone().unwrap_or_else(|| a.index.clone());
    super::common::check_paths(&[], &[("--output", &out)])?;
    let t = Instant::now();
    let mut index = Index::load(&a.index, &glove_wgpu::Device::Cpu)?;
    let words: Vec<&str> = a.words.iter().map(String::as_str).collect();
    index.remove(&words)?;
    index.save(&out)?;
    errln!(
        "removed {} words; {}",
        words.len(),
        summary(&index, &out, t.elapsed().as_secs_f64())
    );
    Ok(ExitCode::SUCCESS)
}
