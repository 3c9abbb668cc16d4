//! `glove-wgpu train`: GloVe vectors from a vocabulary and shuffled co-occurrences.
//! The flags map onto [`TrainOptions`] once ([`TrainArgs::options`]), resolved
//! once at the top; the work is [`pipeline::train_embeddings`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use glove_wgpu::io::Format;
use glove_wgpu::model::SaveMode;
use glove_wgpu::pipeline::{self, CpuTrainer, Report, TrainOptions};
use glove_wgpu::progress::Progress;
use glove_wgpu::train::TrainConfig;
use glove_wgpu::{DeviceChoice, Embeddings, Error, Result};

use super::common::{is_dash, no_dash};
use super::progress::Printer;

fn defaults() -> TrainOptions {
    TrainOptions::default()
}

/// Training flags shared by `train` and `fit`; their defaults are the library's.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainArgs {
    /// Output vectors.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Vector dimension.
    #[arg(long, default_value_t = defaults().config.dim)]
    pub dim: usize,
    /// Epochs.
    #[arg(long, default_value_t = defaults().config.epochs)]
    pub epochs: u32,
    /// Cut-off of the weighting function.
    #[arg(long, default_value_t = defaults().config.x_max)]
    pub x_max: f32,
    /// Exponent of the weighting function.
    #[arg(long, default_value_t = defaults().config.alpha)]
    pub alpha: f32,
    /// Learning rate.
    #[arg(long, default_value_t = defaults().config.eta)]
    pub eta: f32,
    /// Gradient clip.
    #[arg(long, default_value_t = defaults().config.clip)]
    pub clip: f32,
    /// Seed of the initialisation (and of the shuffle in `fit`).
    #[arg(long, default_value_t = defaults().config.seed)]
    pub seed: u64,
    /// Where to train.
    #[arg(long, value_enum, default_value_t = defaults().device)]
    pub backend: DeviceChoice,
    /// CPU threads (0: all cores).
    #[arg(long, default_value_t = defaults().threads)]
    pub threads: usize,
    /// Which CPU trainer.
    #[arg(long, value_enum, default_value_t = defaults().cpu_trainer)]
    pub cpu_trainer: CpuTrainer,
    /// Triples per batch (GPU and batched CPU trainers); default: chosen from the
    /// adapter (65,536 on a discrete GPU, 16,384 on an integrated one, else 4,096).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Most triples of one row in a batch, unless the row's fair share is more (0: no cap).
    #[arg(long, default_value_t = defaults().config.row_cap)]
    pub row_cap: u32,
    /// Which vectors to save.
    #[arg(long, value_enum, default_value_t = defaults().save)]
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
    /// Device memory the GPU trainer may take, MiB, the model included (wgpu cannot
    /// tell a GPU's memory): the batch plan's chunks that fit stay on the device,
    /// the others are written to it every epoch; the vectors are the same at any
    /// budget.
    #[arg(long, default_value_t = defaults().gpu_memory_bytes >> 20)]
    pub gpu_memory_mb: u64,
    /// Write a JSON report (backend, adapter, sizes, cost and time per epoch, updates/s).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Draw the cost per epoch into this PNG (`glove-wgpu plot` draws several reports).
    #[arg(long, value_name = "PNG")]
    pub plot: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl TrainArgs {
    /// The library's options.
    pub fn options(&self) -> TrainOptions {
        TrainOptions {
            config: TrainConfig {
                dim: self.dim,
                epochs: self.epochs,
                x_max: self.x_max,
                alpha: self.alpha,
                eta: self.eta,
                clip: self.clip,
                seed: self.seed,
                row_cap: self.row_cap,
                ..TrainConfig::default()
            },
            batch_size: self.batch_size,
            device: self.backend,
            cpu_trainer: self.cpu_trainer,
            threads: self.threads,
            save: self.save,
            checkpoint_dir: self.checkpoint_dir.clone(),
            resume: self.resume,
            gpu_memory_bytes: self.gpu_memory_mb.saturating_mul(1 << 20),
            ..TrainOptions::default()
        }
    }

    /// The files training writes, for [`super::common::check_paths`].
    pub fn outputs(&self) -> Vec<(&'static str, &Path)> {
        let mut out = vec![("-o", self.output.as_path())];
        if let Some(r) = &self.report {
            out.push(("--report", r.as_path()));
        }
        if let Some(p) = &self.plot {
            out.push(("--plot", p.as_path()));
        }
        out
    }

    /// Checks the flags that need no file: the plot's name, and `-` (standard
    /// output) only for text.
    pub fn check(&self) -> Result<()> {
        if self.format == Format::Word2vecBin {
            no_dash("-o", &self.output, "word2vec-bin")?;
        }
        match &self.plot {
            Some(p) => {
                no_dash("--plot", p, "a PNG chart")?;
                super::plot::check_png("--plot", p)
            }
            None => Ok(()),
        }
    }

    /// Checks the checkpoint folder, if any, against `inputs` and the outputs
    /// (see [`super::common::check_checkpoint_dir`]).
    pub fn check_checkpoint(&self, inputs: &[(&str, &Path)]) -> Result<()> {
        match &self.checkpoint_dir {
            Some(dir) => super::common::check_checkpoint_dir(dir, inputs, &self.outputs()),
            None => Ok(()),
        }
    }

    /// Where work files go: the output's folder (the system's temporary folder
    /// when the output is standard output or a device).
    pub fn work_parent(&self) -> PathBuf {
        let stream = is_dash(&self.output)
            || std::fs::metadata(&self.output).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if stream {
            std::env::temp_dir()
        } else {
            super::common::folder_of(&self.output)
        }
    }

    /// Writes the vectors and the report (with the output's path and format);
    /// `-` is standard output.
    pub fn save(&self, emb: &Embeddings, mut report: Report) -> Result<()> {
        let mut printer = Printer::new(self.quiet);
        if is_dash(&self.output) {
            let out = std::io::stdout().lock();
            glove_wgpu::io::write_to(
                emb,
                std::io::BufWriter::with_capacity(1 << 20, out),
                self.format,
            )?;
        } else {
            glove_wgpu::io::write_with(emb, &self.output, self.format, &mut printer.callback())?;
        }
        report.output = Some(self.output.clone());
        report.format = Some(self.format);
        if let Some(p) = &self.report {
            write_report(p, &report)?;
        }
        if let Some(p) = &self.plot {
            super::plot::loss_curve(&report, p)?;
        }
        if !self.quiet {
            let also: String = [&self.report, &self.plot]
                .into_iter()
                .flatten()
                .map(|p| format!(", {}", p.display()))
                .collect();
            let wrote = if is_dash(&self.output) {
                "standard output".to_string()
            } else {
                self.output.display().to_string()
            };
            errln!("wrote {wrote} ({} words x {}){also}", emb.len(), emb.dim());
        }
        Ok(())
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Vocabulary file (`word count` per line, ids in file order).
    #[arg(long)]
    vocab: PathBuf,
    /// Shuffled co-occurrence file (a Parquet file or a folder of part files, as
    /// Spark or DataFusion write it; a pipe or a compressed file is copied to a
    /// plain file beside the output first).
    #[arg(long)]
    cooc: PathBuf,
    /// Its format; detected when not given, as `shuffle` detects it: a Parquet
    /// file or folder, the native header, else Stanford's records.
    #[arg(long, value_enum)]
    cooc_format: Option<CoocFormat>,
    /// Memory budget, MiB: co-occurrences that do not fit are read again every
    /// epoch in chunks instead of held in memory, and a batch plan (GPU and batched
    /// trainers) that may not fit is written to files beside them.
    #[arg(long, default_value_t = glove_wgpu::FitConfig::default().cooccur.memory_bytes >> 20)]
    memory_mb: usize,
    #[command(flatten)]
    train: TrainArgs,
}

use glove_wgpu::cooccur::CoocFormat;

pub fn run(a: Args) -> Result<ExitCode> {
    a.train.check()?;
    let inputs = [("--vocab", a.vocab.as_path()), ("--cooc", a.cooc.as_path())];
    super::common::check_paths(&inputs, &a.train.outputs())?;
    a.train.check_checkpoint(&inputs)?;
    let (emb, report) = {
        let mut printer = Printer::new(a.train.quiet);
        let progress: &mut Progress = &mut printer.callback();
        // Settings checked and the device opened once, before any work.
        let memory = a.memory_mb.saturating_mul(1 << 20);
        let options = TrainOptions {
            memory_bytes: memory as u64,
            ..a.train.options()
        };
        let setup = options.resolve(progress)?;
        let words = glove_wgpu::vocab::Vocab::read(&a.vocab)?.words().to_vec();
        let cooc = pipeline::cooc_input(
            &a.cooc,
            a.cooc_format,
            memory,
            &a.train.work_parent(),
            progress,
        )?;
        pipeline::train_embeddings(words, cooc.source(), &setup, progress)?
    };
    a.train.save(&emb, report)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `report` as pretty JSON, atomically (gzip when the name ends in
/// `.gz`); `-` is standard output.
pub fn write_report(path: &Path, report: &Report) -> Result<()> {
    use std::io::Write;
    if is_dash(path) {
        return outln!("{}", report.to_json());
    }
    let mut f = glove_wgpu::atomic::AtomicFile::create_compressed(path)?;
    writeln!(f, "{}", report.to_json()).map_err(|e| Error::io_path("writing", path, e))?;
    f.commit()
}
