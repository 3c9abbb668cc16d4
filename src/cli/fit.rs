//! `glove-wgpu fit`: the whole pipeline, corpus to vectors: vocabulary,
//! co-occurrence counting, shuffle, training.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions, ShuffleOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::{Error, Result};

use super::common::{check_paths, WindowArgs};
use super::train::{cooc_source, train_and_save, TrainArgs};

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
    check_paths(&[("CORPUS", &a.corpus)], &a.train.outputs())?;
    let (dir, temporary) = match &a.work_dir {
        Some(d) => (d.clone(), false),
        None => {
            let parent = match a.train.output.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (
                {
                    glove_wgpu::atomic::remove_leftovers(&parent);
                    parent.join(glove_wgpu::atomic::temp_name("fit"))
                },
                true,
            )
        }
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io_path("creating", &dir, e))?;
    let result = check_paths(
        &[("CORPUS", &a.corpus)],
        &[
            ("the work folder's vocab.txt", &dir.join("vocab.txt")),
            ("the work folder's cooc.bin", &dir.join("cooc.bin")),
            (
                "the work folder's cooc.shuf.bin",
                &dir.join("cooc.shuf.bin"),
            ),
        ],
    )
    .and_then(|()| pipeline(&a, &dir));
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    Ok(ExitCode::SUCCESS)
}

/// The corpus as a file that can be read twice (the vocabulary, then the
/// co-occurrences): the path itself for a regular file, else (standard input, a
/// pipe, a FIFO, `<(...)`) a copy in the work folder.
fn rereadable(a: &Args, dir: &std::path::Path) -> Result<PathBuf> {
    let is_file =
        a.corpus.as_os_str() != "-" && std::fs::metadata(&a.corpus).is_ok_and(|m| m.is_file());
    if is_file {
        return Ok(a.corpus.clone());
    }
    let copy = dir.join("corpus.txt");
    if !a.train.quiet {
        eprintln!(
            "copying the corpus from {} to {} (fit reads it twice)",
            Corpus::from_arg(&a.corpus).name(),
            copy.display()
        );
    }
    let mut out = std::fs::File::create(&copy).map_err(|e| Error::io_path("creating", &copy, e))?;
    let copied = if a.corpus.as_os_str() == "-" {
        std::io::copy(&mut std::io::stdin().lock(), &mut out)
    } else {
        std::fs::File::open(&a.corpus)
            .map_err(|e| Error::io_path("opening", &a.corpus, e))
            .map(|mut f| std::io::copy(&mut f, &mut out))?
    };
    copied.map_err(|e| Error::io_path("copying the corpus to", &copy, e))?;
    Ok(copy)
}

fn pipeline(a: &Args, dir: &std::path::Path) -> Result<()> {
    let corpus = rereadable(a, dir)?;
    let quiet = a.train.quiet;
    let threads = a.train.threads;
    let memory = a.memory_mb.max(16) << 20;
    let vocab = Vocab::count(
        Corpus::from_arg(&corpus),
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
        Corpus::from_arg(&corpus),
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
    let source = cooc_source(&shuffled, CoocFormat::Native, a.memory_mb, quiet)?;
    train_and_save(vocab.words().to_vec(), &source, &a.train)?;
    Ok(())
}
