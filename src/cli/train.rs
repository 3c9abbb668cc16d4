//! `glove-wgpu train`: GloVe vectors from a vocabulary and shuffled co-occurrences.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use glove_wgpu::io::Format;
use glove_wgpu::model::{Model, SaveMode, SplitMix64};
use glove_wgpu::train::checkpoint::{self, Checkpoint};
use glove_wgpu::train::{self, Backend, CoocSource, TrainConfig};
use glove_wgpu::{Error, GpuContext, Result};

use super::common::BackendChoice;

/// The CPU trainer used when training on the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CpuTrainer {
    /// Lock-free parallel SGD, as Stanford's `glove`.
    Hogwild,
    /// One thread, triples in order: exactly reproducible.
    Exact,
    /// The GPU's batch semantics on the CPU (the kernels' twins).
    Batched,
}

/// Training flags shared by `train` and `fit`.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainArgs {
    /// Output vectors.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Vector dimension.
    #[arg(long, default_value_t = 50)]
    pub dim: usize,
    /// Epochs.
    #[arg(long, default_value_t = 25)]
    pub epochs: u32,
    /// Cut-off of the weighting function.
    #[arg(long, default_value_t = 100.0)]
    pub x_max: f32,
    /// Exponent of the weighting function.
    #[arg(long, default_value_t = 0.75)]
    pub alpha: f32,
    /// Learning rate.
    #[arg(long, default_value_t = 0.05)]
    pub eta: f32,
    /// Gradient clip.
    #[arg(long, default_value_t = 100.0)]
    pub clip: f32,
    /// Seed of the initialisation (and of the shuffle in `fit`).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to train.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// CPU threads for the Hogwild trainer (0: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Which CPU trainer.
    #[arg(long, value_enum, default_value_t = CpuTrainer::Hogwild)]
    pub cpu_trainer: CpuTrainer,
    /// Triples per batch (GPU and batched CPU trainers); default: chosen from the
    /// adapter (65,536 on a discrete GPU, 16,384 on an integrated one, else 4,096).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Most triples of one row in a batch, unless the row's fair share is more (0: no cap).
    #[arg(long, default_value_t = train::ROW_CAP)]
    pub row_cap: u32,
    /// Which vectors to save.
    #[arg(long, value_enum, default_value_t = SaveMode::WPlusC)]
    pub save: SaveMode,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Glove)]
    pub format: Format,
    /// Save a checkpoint here after every epoch.
    #[arg(long)]
    pub checkpoint_dir: Option<PathBuf>,
    /// Resume from the checkpoint in --checkpoint-dir.
    #[arg(long, requires = "checkpoint_dir")]
    pub resume: bool,
    /// Write a JSON report (backend, adapter, sizes, cost and time per epoch, updates/s).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Vocabulary file (`word count` per line, ids in file order).
    #[arg(long)]
    vocab: PathBuf,
    /// Shuffled co-occurrence file (for `--cooc-format parquet`, a file or a
    /// folder of part files, as Spark or DataFusion write it).
    #[arg(long)]
    cooc: PathBuf,
    /// Its format.
    #[arg(long, value_enum, default_value_t = CoocFormat::Glove)]
    cooc_format: CoocFormat,
    /// Memory budget for the co-occurrences, MiB: a file larger than this is read
    /// again every epoch in chunks instead of held in memory.
    #[arg(long, default_value_t = 4096)]
    memory_mb: usize,
    #[command(flatten)]
    train: TrainArgs,
}

/// Host bytes a triple takes while it trains in a chunk: the chunk being read
/// and the one training (12 bytes each), and a batch plan's entries, spans and
/// order (at most 52).
const BYTES_PER_STREAMED_TRIPLE: usize = 96;

/// The triples of `path` for training within `memory_mb`: the trainer reads them
/// into memory when they fit one chunk of the budget, else again every epoch in
/// chunks that fit it (see `train::train_source`, which also checks every record).
pub fn cooc_source(
    path: &Path,
    format: CoocFormat,
    memory_mb: usize,
    quiet: bool,
) -> Result<CoocSource<'static>> {
    let budget = memory_mb.max(1).saturating_mul(1 << 20);
    let chunk = (budget / BYTES_PER_STREAMED_TRIPLE).max(4096);
    let source = CoocSource::File {
        path: path.to_path_buf(),
        format,
        chunk,
    };
    let n = source.len()?;
    if !quiet && n > chunk as u64 {
        eprintln!(
            "{n} triples do not fit {memory_mb} MiB: reading {} in chunks every epoch",
            path.display()
        );
    }
    Ok(source)
}

use glove_wgpu::cooccur::CoocFormat;

fn load(a: &Args) -> Result<(Vec<String>, CoocSource<'static>)> {
    let vocab = glove_wgpu::vocab::Vocab::read(&a.vocab)?;
    let source = cooc_source(&a.cooc, a.cooc_format, a.memory_mb, a.train.quiet)?;
    Ok((vocab.words().to_vec(), source))
}

pub fn run(a: Args) -> Result<ExitCode> {
    super::common::check_paths(
        &[("--vocab", &a.vocab), ("--cooc", &a.cooc)],
        &a.train.outputs(),
    )?;
    let (words, source) = load(&a)?;
    train_and_save(words, &source, &a.train)?;
    Ok(ExitCode::SUCCESS)
}

impl TrainArgs {
    /// The files training writes, for [`super::common::check_paths`].
    pub fn outputs(&self) -> Vec<(&'static str, &Path)> {
        let mut out = vec![("-o", self.output.as_path())];
        if let Some(r) = &self.report {
            out.push(("--report", r.as_path()));
        }
        out
    }
}

fn config(a: &TrainArgs, ctx: Option<&GpuContext>) -> TrainConfig {
    TrainConfig {
        dim: a.dim,
        epochs: a.epochs,
        x_max: a.x_max,
        alpha: a.alpha,
        eta: a.eta,
        clip: a.clip,
        seed: a.seed,
        batch_size: a.batch_size.unwrap_or_else(|| train::default_batch(ctx)),
        row_cap: a.row_cap,
    }
}

fn start_model(
    a: &TrainArgs,
    cfg: &TrainConfig,
    vocab: usize,
    triples: usize,
) -> Result<(Model, u32, u64)> {
    if let (true, Some(dir)) = (a.resume, &a.checkpoint_dir) {
        let path = dir.join(checkpoint::FILE_NAME);
        if path.exists() {
            let ck = Checkpoint::load(&path)?;
            if ck.model.vocab != vocab || ck.model.dim != cfg.dim || ck.triples != triples as u64 {
                return Err(Error::invalid(format!(
                    "{} was saved for {} words, dimension {}, {} triples; this run has {vocab} words, \
                     dimension {}, {triples} triples",
                    path.display(),
                    ck.model.vocab,
                    ck.model.dim,
                    ck.triples,
                    cfg.dim
                )));
            }
            let mut changed = ck.settings.map(|s| s.differences(cfg)).unwrap_or_default();
            if ck.seed != cfg.seed {
                changed.push(format!("--seed {} (saved) vs {}", ck.seed, cfg.seed));
            }
            if !changed.is_empty() {
                return Err(Error::invalid(format!(
                    "{} was trained with other settings: {}; resume with the saved ones, or \
                     start afresh without --resume",
                    path.display(),
                    changed.join(", ")
                )));
            }
            if !a.quiet {
                eprintln!("resuming from {} after epoch {}", path.display(), ck.epoch);
            }
            return Ok((ck.model, ck.epoch, ck.rng_state));
        }
        if !a.quiet {
            eprintln!("note: no checkpoint in {}; starting afresh", dir.display());
        }
    }
    let mut rng = SplitMix64::new(cfg.seed);
    let model = Model::with_rng(vocab, cfg.dim, &mut rng)?;
    Ok((model, 0, rng.state))
}

fn write_report(path: &Path, report: &serde_json::Value) -> Result<()> {
    use std::io::Write;
    let mut f = glove_wgpu::atomic::AtomicFile::create(path)?;
    let text = serde_json::to_string_pretty(report)
        .map_err(|e| Error::invalid(format!("formatting the report: {e}")))?;
    writeln!(f, "{text}").map_err(|e| Error::io_path("writing", path, e))?;
    f.commit()
}

/// Trains on `source`, saves the vectors (and checkpoints, and the report); returns the report.
pub fn train_and_save(
    words: Vec<String>,
    source: &CoocSource,
    a: &TrainArgs,
) -> Result<serde_json::Value> {
    let ctx = a.backend.context()?;
    let cfg = config(a, ctx.as_deref());
    cfg.validate()?;
    if words.is_empty() {
        return Err(Error::invalid("the vocabulary is empty"));
    }
    let n = source.len()? as usize;
    let (mut model, start, rng_state) = start_model(a, &cfg, words.len(), n)?;
    let adapter = ctx.as_ref().map(|c| c.adapter().name.clone());
    let backend = match ctx {
        Some(c) => Backend::Gpu(c),
        None => match a.cpu_trainer {
            CpuTrainer::Hogwild => Backend::Hogwild { threads: a.threads },
            CpuTrainer::Exact => Backend::Exact,
            CpuTrainer::Batched => Backend::Batched,
        },
    };
    if let Some(dir) = &a.checkpoint_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;
    }
    let bar = if a.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(cfg.epochs as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {elapsed} (eta {eta})")
            .map_err(|e| Error::invalid(e.to_string()))?,
    );
    bar.set_position(start as u64);
    if !a.quiet {
        eprintln!(
            "training {} words, {} non-zeros, dimension {}, on {}{}",
            words.len(),
            n,
            cfg.dim,
            backend.name(),
            adapter
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    let t0 = Instant::now();
    let reports =
        train::train_source(&mut model, source, &cfg, &backend, start, &mut |r, view| {
            let line = format!(
                "epoch {:>3}: cost {:.6}, {:.2} s, {:.2} M updates/s",
                r.epoch,
                r.cost,
                r.seconds,
                r.updates as f64 / r.seconds.max(1e-9) / 1e6
            );
            // A hidden bar (stderr not a terminal) drops `println`: print the line ourselves.
            if bar.is_hidden() {
                if !a.quiet {
                    eprintln!("{line}");
                }
            } else {
                bar.println(line);
            }
            bar.inc(1);
            if let Some(dir) = &a.checkpoint_dir {
                Checkpoint {
                    model: view.model()?,
                    epoch: r.epoch,
                    seed: cfg.seed,
                    rng_state,
                    triples: n as u64,
                    settings: Some(checkpoint::Settings::of(&cfg)),
                }
                .save(dir.join(checkpoint::FILE_NAME))?;
            }
            Ok(())
        })?;
    bar.finish_and_clear();
    let train_secs = t0.elapsed().as_secs_f64();
    let emb = model.embeddings(words, a.save)?;
    glove_wgpu::io::write(&emb, &a.output, a.format)?;
    let epoch_secs: f64 = reports.iter().map(|r| r.seconds).sum();
    let updates: u64 = reports.iter().map(|r| r.updates).sum();
    let report = serde_json::json!({
        "backend": backend.name(),
        "adapter": adapter,
        "vocab_size": emb.len(),
        "nonzeros": n,
        "config": cfg,
        "start_epoch": start,
        "epochs": reports.iter().map(|r| serde_json::json!({
            "epoch": r.epoch, "cost": r.cost, "seconds": r.seconds,
        })).collect::<Vec<_>>(),
        "final_cost": reports.last().map(|r| r.cost),
        "train_seconds": train_secs,
        "updates_per_s": if epoch_secs > 0.0 { updates as f64 / epoch_secs } else { 0.0 },
        "output": a.output.display().to_string(),
        "save": a.save,
        "format": a.format.name(),
    });
    if let Some(p) = &a.report {
        write_report(p, &report)?;
    }
    if !a.quiet {
        eprintln!(
            "wrote {} ({} words x {})",
            a.output.display(),
            emb.len(),
            emb.dim()
        );
    }
    Ok(report)
}
