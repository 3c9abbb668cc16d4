//! `glove-wgpu vocab`: count the vocabulary of a corpus (Stanford's `vocab_count`).

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::Result;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The corpus (whitespace-separated tokens; a line break ends a document), `-` for stdin.
    corpus: PathBuf,
    /// Where to write the vocabulary (`word count` per line).
    #[arg(short, long)]
    output: PathBuf,
    /// Keep words seen at least this many times.
    #[arg(long, default_value_t = VocabOptions::default().min_count)]
    min_count: u64,
    /// Keep at most this many words (the most frequent).
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = VocabOptions::default().threads)]
    threads: usize,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    super::common::check_paths(&[("CORPUS", &args.corpus)], &[("-o", &args.output)])?;
    let opts = VocabOptions {
        min_count: args.min_count,
        max_vocab: args.max_vocab,
        threads: args.threads,
        quiet: args.quiet,
        ..VocabOptions::default()
    };
    let start = std::time::Instant::now();
    let vocab = Vocab::count(Corpus::from_arg(&args.corpus), &opts)?;
    vocab.write(&args.output)?;
    if !args.quiet {
        eprintln!(
            "{} tokens, {} distinct words, kept {} (min count {}) in {:.2} s: {}",
            vocab.corpus_tokens(),
            vocab.distinct_words(),
            vocab.len(),
            args.min_count,
            start.elapsed().as_secs_f64(),
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
