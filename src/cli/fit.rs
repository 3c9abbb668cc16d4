//! `glove-wgpu fit`: the whole pipeline, corpus to vectors: vocabulary,
//! co-occurrence counting, shuffle, training.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions, ShuffleOptions};
use glove_wgpu::vocab::{Corpus, Vocab, VocabOptions};
use glove_wgpu::{Error, Result};

use super::common::WindowArgs;
use super::train::{train_and_save, TrainArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The corpus (whitespace-separated tokens; a line break ends a document).
    corpus: PathBuf,
    /// Keep words seen at least this many times.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words (the most frequent).
    #[arg(long)]
    max_vocab: Option<usize>,
    #[command(flatten)]
    window: WindowArgs,
    /// Memory budget for counting and shuffling, MiB.
    #[arg(long, default_value_t = 4096)]
    memory_mb: usize,
    /// Keep the vocabulary and co-occurrence files in this folder (default: a
    /// temporary folder next to the output, removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    #[command(flatten)]
    train: TrainArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let (dir, temporary) = match &a.work_dir {
        Some(d) => (d.clone(), false),
        None => {
            let parent = match a.train.output.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (
                parent.join(format!(".glove-wgpu-fit.{}", std::process::id())),
                true,
            )
        }
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io_path("creating", &dir, e))?;
    let result = pipeline(&a, &dir);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    Ok(ExitCode::SUCCESS)
}

fn pipeline(a: &Args, dir: &std::path::Path) -> Result<()> {
    let quiet = a.train.quiet;
    let threads = a.train.threads;
    let memory = a.memory_mb.max(16) << 20;
    let vocab = Vocab::count(
        Corpus::from_arg(&a.corpus),
        &VocabOptions {
            min_count: a.min_count,
            max_vocab: a.max_vocab,
            threads,
            quiet,
            ..Default::default()
        },
    )?;
    vocab.write(dir.join("vocab.txt"))?;
    let counted = dir.join("cooc.bin");
    let shuffled = dir.join("cooc.shuf.bin");
    cooccur::count(
        Corpus::from_arg(&a.corpus),
        &vocab,
        &counted,
        &a.window.apply(CooccurOptions {
            memory_bytes: memory,
            threads,
            format: CoocFormat::Native,
            temp_dir: Some(dir.to_path_buf()),
            quiet,
            ..Default::default()
        }),
    )?;
    cooccur::shuffle(
        &counted,
        &shuffled,
        &ShuffleOptions {
            seed: a.train.seed,
            memory_bytes: memory,
            format: Some(CoocFormat::Native),
            temp_dir: Some(dir.to_path_buf()),
            quiet,
            ..Default::default()
        },
    )?;
    let _ = std::fs::remove_file(&counted);
    let cooc = cooccur::read_all(&shuffled, CoocFormat::Native)?;
    train_and_save(vocab.words().to_vec(), &cooc, &a.train)?;
    Ok(())
}
