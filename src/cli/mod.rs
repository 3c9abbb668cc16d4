//! Subcommands, one module each; shared flags in `common`; standard output and
//! error in `out` (through `outln!` and `errln!`: a write never panics).

/// `println!`, returning an error instead of panicking (see `out`).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::write_line(format_args!($($arg)*))
    };
}

/// `eprintln!`, ignoring a failed write instead of panicking (see `out`).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::err_line(format_args!($($arg)*))
    };
}

mod analogy;
mod bench;
mod bench_ann;
mod bench_train;
mod common;
mod cooccur;
mod eval;
mod export;
mod fit;
mod index;
mod info;
mod neighbors;
pub mod out;
mod plot;
mod progress;
mod shuffle;
mod train;
mod vocab;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use glove_wgpu::Result;

/// GloVe embeddings on the GPU (wgpu), with exact nearest-neighbour search.
#[derive(Parser, Debug)]
#[command(name = "glove-wgpu", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List GPU adapters and the limits that matter.
    Info(info::Args),
    /// Print the nearest words of each query word.
    Neighbors(neighbors::Args),
    /// Build and update approximate-search (IVF) index files.
    Index(index::Args),
    /// Solve analogies: B - A + C.
    Analogy(analogy::Args),
    /// Benchmarks that print one JSON object.
    Bench(bench::Args),
    /// Count the vocabulary of a corpus.
    Vocab(vocab::Args),
    /// Count windowed co-occurrences of a corpus.
    Cooccur(cooccur::Args),
    /// Shuffle a co-occurrence file.
    Shuffle(shuffle::Args),
    /// Train GloVe vectors from a vocabulary and shuffled co-occurrences.
    Train(train::Args),
    /// Run the whole pipeline: vocabulary, co-occurrence, shuffle, training.
    Fit(fit::Args),
    /// Evaluate vectors: Google analogies and word-pair similarity.
    Eval(eval::Args),
    /// Draw the cost per epoch of training reports as a PNG chart.
    Plot(plot::Args),
    /// Export vectors for other tools (the TensorBoard Embedding Projector).
    Export(export::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Info(a) => info::run(a),
        Command::Neighbors(a) => neighbors::run(a),
        Command::Index(a) => index::run(a),
        Command::Analogy(a) => analogy::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Vocab(a) => vocab::run(a),
        Command::Cooccur(a) => cooccur::run(a),
        Command::Shuffle(a) => shuffle::run(a),
        Command::Train(a) => train::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Export(a) => export::run(a),
    }
}
