//! `glove-wgpu vocab`: count the vocabulary of a corpus (Stanford's `vocab_count`),
//! or sum the word counts of corpus shards.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::{Error, Result};

use super::common::{check_paths, is_dash, no_dash};
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
    /// Where to write the vocabulary (`word count` per line; `-`: standard
    /// output; a name ending in .gz: gzip).
    #[arg(short, long)]
    output: PathBuf,
    /// The member to read when the corpus is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    /// Keep words seen at least this many times (default 5; not with
    /// `--format parquet`, whose counts are summed later).
    #[arg(long)]
    min_count: Option<u64>,
    /// Keep at most this many words (the most frequent; not with `--format parquet`).
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Output format: `text` (Stanford's vocab.txt) or `parquet` (rows word,
    /// count: every word's raw count, to sum with --from-counts or an engine;
    /// --min-count and --max-vocab apply to the sum, not here).
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
        (None, None) => return Err(Error::invalid("give a corpus or --from-counts")),
    };
    let parquet = args.format != VocabFormat::Text;
    if parquet {
        no_dash("-o", &args.output, "a Parquet file")?;
    }
    // A shard's counts are summed later: dropping its rare words here would
    // silently take them out of the sum.
    if parquet && (args.min_count.is_some_and(|m| m > 1) || args.max_vocab.is_some()) {
        return Err(Error::invalid(
            "--format parquet writes every word's raw count, to be summed (vocab \
             --from-counts, or an engine): --min-count and --max-vocab would drop words from \
             the sum; give them to `vocab --from-counts`, which applies them to the sums",
        ));
    }
    if args.member.is_some() && counts.is_some() {
        return Err(Error::invalid(
            "--member names a member of a zip corpus; --from-counts reads Parquet",
        ));
    }
    check_paths(&[input], &[("-o", &args.output)])?;
    let min_count = match (parquet, args.min_count) {
        (true, _) => 1,
        (false, m) => m.unwrap_or(VocabOptions::default().min_count),
    };
    let opts = VocabOptions {
        min_count,
        max_vocab: args.max_vocab,
        threads: args.threads,
        ..VocabOptions::default()
    };
    let start = std::time::Instant::now();
    let vocab = match counts {
        #[cfg(feature = "parquet")]
        Some(c) => Vocab::from_counts(c, &opts)?,
        _ => {
            let corpus = match &args.member {
                Some(m) => Corpus::reader(glove_wgpu::input::Input::open_member(input.1, Some(m))?),
                None => Corpus::from_arg(input.1),
            };
            Vocab::count_with(corpus, &opts, &mut Printer::new(args.quiet).callback())?
        }
    };
    match args.format {
        VocabFormat::Text if is_dash(&args.output) => {
            let out = std::io::BufWriter::new(std::io::stdout().lock());
            vocab
                .write_to(out)
                .map_err(|e| Error::io(super::out::STDOUT, e))?;
        }
        VocabFormat::Text => vocab.write(&args.output)?,
        #[cfg(feature = "parquet")]
        VocabFormat::Parquet => vocab.write_counts(&args.output)?,
    }
    if !args.quiet {
        errln!(
            "{} tokens, {} distinct words, kept {} (min count {}) in {:.2} s: {}",
            vocab.corpus_tokens(),
            vocab.distinct_words(),
            vocab.len(),
            min_count,
            start.elapsed().as_secs_f64(),
            if is_dash(&args.output) {
                "standard output".to_string()
            } else {
                args.output.display().to_string()
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
