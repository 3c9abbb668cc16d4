//! `glove-wgpu cooccur`: windowed co-occurrence counts (Stanford's `cooccur`).

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::Vocab;
use glove_wgpu::Result;

use super::common::WindowArgs;
use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The corpus, `-` for stdin.
    corpus: PathBuf,
    /// The vocabulary (`word count` per line; ids in file order).
    #[arg(long)]
    vocab: PathBuf,
    /// Where to write the co-occurrences, sorted by (i, j) (a name ending in .gz:
    /// gzip, for the glove and native formats).
    #[arg(short, long)]
    output: PathBuf,
    /// The member to read when the corpus is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    #[command(flatten)]
    window: WindowArgs,
    /// Memory budget in MiB.
    #[arg(long, default_value_t = CooccurOptions::default().memory_bytes >> 20)]
    memory_mb: usize,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = CooccurOptions::default().threads)]
    threads: usize,
    /// Output format: `glove` (Stanford's int32, int32, float64 records), `native`,
    /// or `parquet` (rows i: u32, j: u32, x: f64, 0-based; for Spark or DataFusion).
    #[arg(long, value_enum, default_value_t = CooccurOptions::default().format)]
    format: CoocFormat,
    /// Folder for temporary files (default: the output's folder); it must exist.
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    super::common::no_dash("-o", &args.output, "a co-occurrence file")?;
    super::common::check_paths(
        &[("CORPUS", &args.corpus), ("--vocab", &args.vocab)],
        &[("-o", &args.output)],
    )?;
    super::common::check_temp_dir(args.temp_dir.as_deref())?;
    let vocab = Vocab::read(&args.vocab)?;
    let corpus = match &args.member {
        Some(m) => Corpus::reader(glove_wgpu::input::Input::open_member(
            &args.corpus,
            Some(m),
        )?),
        None => Corpus::from_arg(&args.corpus),
    };
    let opts = args.window.apply(CooccurOptions {
        memory_bytes: args.memory_mb.saturating_mul(1 << 20),
        threads: args.threads,
        format: args.format,
        temp_dir: args.temp_dir,
        ..CooccurOptions::default()
    });
    let s = cooccur::count_with(
        corpus,
        &vocab,
        &args.output,
        &opts,
        &mut Printer::new(args.quiet).callback(),
    )?;
    if !args.quiet {
        let total = s.count_seconds + s.merge_seconds;
        errln!(
            "{} tokens, {} words, {} non-zero entries; {} threads, {} spill files ({:.1} MB, {:.2} bytes an output entry), {} intermediate merges, {} parts a run, \
             dense {} + sparse {} entries a thread; count {:.2} s ({:.2}M tokens/s), merge {:.2} s, total {:.2} s ({:.2}M tokens/s): {}",
            s.tokens,
            vocab.len(),
            s.entries,
            s.threads,
            s.spill_files,
            s.spill_bytes as f64 / 1e6,
            s.spill_bytes as f64 / s.entries.max(1) as f64,
            s.intermediate_merges,
            s.run_parts,
            s.dense_entries,
            s.sparse_capacity,
            s.count_seconds,
            s.tokens as f64 / s.count_seconds.max(1e-9) / 1e6,
            s.merge_seconds,
            total,
            s.tokens as f64 / total.max(1e-9) / 1e6,
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
