//! `glove-wgpu vocab`: count the vocabulary of a corpus (Stanford's `vocab_count`),
//! or sum the word counts of corpus shards.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::Result;

use super::progress::Printer;

/// What `vocab` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum VocabFormat {
    /// Stanford's `vocab.txt`: `word count` per line.
    Text,
    /// Parquet rows (word: utf8, count: u64), for a shard's counts.
    #[cfg(feature = "parquet")]
    Parquet,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The corpus (whitespace-separated tokens; a line break ends a document), `-` for stdin.
    #[cfg_attr(feature = "parquet", arg(required_unless_present = "from_counts"))]
    #[cfg_attr(not(feature = "parquet"), arg(required = true))]
    corpus: Option<PathBuf>,
    /// Where to write the vocabulary (`word count` per line).
    #[arg(short, long)]
    output: PathBuf,
    /// Keep words seen at least this many times.
    #[arg(long, default_value_t = VocabOptions::default().min_count)]
    min_count: u64,
    /// Keep at most this many words (the most frequent).
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Output format: `text` (Stanford's vocab.txt) or `parquet` (rows word,
    /// count: with --min-count 1, a corpus shard's raw counts, to sum with
    /// --from-counts or an engine).
    #[arg(long, value_enum, default_value_t = VocabFormat::Text)]
    format: VocabFormat,
    /// Instead of counting a corpus, sum the counts of a Parquet file or folder
    /// of part files (columns word, count), as `--format parquet` or an engine's
    /// reduce writes them.
    #[cfg(feature = "parquet")]
    #[arg(long, conflicts_with = "corpus")]
    from_counts: Option<PathBuf>,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = VocabOptions::default().threads)]
    threads: usize,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    #[cfg(feature = "parquet")]
    let counts = args.from_counts.as_deref();
    #[cfg(not(feature = "parquet"))]
    let counts: Option<&std::path::Path> = None;
    let input = match (&args.corpus, counts) {
        (_, Some(c)) => ("--from-counts", c),
        (Some(c), None) => ("CORPUS", c.as_path()),
        (None, None) => return Err(glove_wgpu::Error::invalid("give a corpus or --from-counts")),
    };
    super::common::check_paths(&[input], &[("-o", &args.output)])?;
    let opts = VocabOptions {
        min_count: args.min_count,
        max_vocab: args.max_vocab,
        threads: args.threads,
        ..VocabOptions::default()
    };
    let start = std::time::Instant::now();
    let vocab = match counts {
        #[cfg(feature = "parquet")]
        Some(c) => Vocab::from_counts(c, &opts)?,
        _ => Vocab::count_with(
            Corpus::from_arg(input.1),
            &opts,
            &mut Printer::new(args.quiet).callback(),
        )?,
    };
    match args.format {
        VocabFormat::Text => vocab.write(&args.output)?,
        #[cfg(feature = "parquet")]
        VocabFormat::Parquet => vocab.write_counts(&args.output)?,
    }
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
