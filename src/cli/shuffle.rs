//! `glove-wgpu shuffle`: a seeded, memory-bounded uniform shuffle of a co-occurrence file.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::cooccur::{self, CoocFormat, ShuffleOptions};
use glove_wgpu::Result;

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The co-occurrence file (format detected: native header, Parquet file or
    /// folder of part files, else Stanford's records; a pipe or a compressed
    /// file is copied to the temporary folder first).
    input: PathBuf,
    /// Where to write the shuffled records (same format as the input; a Parquet
    /// folder gives one Parquet file).
    #[arg(short, long)]
    output: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = ShuffleOptions::default().seed)]
    seed: u64,
    /// Memory budget in MiB.
    #[arg(long, default_value_t = ShuffleOptions::default().memory_bytes >> 20)]
    memory_mb: usize,
    /// The input's format, if detection should be overridden.
    #[arg(long, value_enum)]
    format: Option<CoocFormat>,
    /// Folder for temporary files (default: the output's folder); it must exist.
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    super::common::no_dash("-o", &args.output, "a co-occurrence file")?;
    super::common::check_paths(&[("INPUT", &args.input)], &[("-o", &args.output)])?;
    super::common::check_temp_dir(args.temp_dir.as_deref())?;
    let opts = ShuffleOptions {
        seed: args.seed,
        memory_bytes: args.memory_mb.saturating_mul(1 << 20),
        format: args.format,
        temp_dir: args.temp_dir,
        ..ShuffleOptions::default()
    };
    let start = std::time::Instant::now();
    let s = cooccur::shuffle_with(
        &args.input,
        &args.output,
        &opts,
        &mut Printer::new(args.quiet).callback(),
    )?;
    if !args.quiet {
        errln!(
            "shuffled {} records ({} bucket files) in {:.2} s: {}",
            s.records,
            s.buckets,
            start.elapsed().as_secs_f64(),
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
