//! `glove-wgpu export`: vectors in other tools' formats. `export projector`
//! writes the TensorBoard Embedding Projector's `vectors.tsv` and `metadata.tsv`
//! with [`glove_wgpu::io::write_projector`].
//!
//! No word can break the TSV files: every reader builds its vectors with
//! `Embeddings::new`, which refuses a word that is empty or holds a space, tab,
//! newline or carriage return, so a loaded word never holds a tab or a newline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use glove_wgpu::io::Format;
use glove_wgpu::{Embeddings, Error, Result};

use super::common::{check_paths, folder_of, load_vectors};
use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// `vectors.tsv` and `metadata.tsv` for the TensorBoard Embedding Projector
    /// (projector.tensorflow.org: "Load", then the two files).
    Projector(ProjectorArgs),
}

#[derive(clap::Args, Debug)]
struct ProjectorArgs {
    /// Embedding file.
    #[arg(long)]
    vectors: PathBuf,
    /// Its format; guessed from the file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The member to read when the file is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    /// Folder to write `vectors.tsv` and `metadata.tsv` into (made if missing;
    /// files of those names in it are replaced).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Export only the first N words (the most frequent in files written by
    /// `train` and `fit`, which sort by count).
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.what {
        What::Projector(a) => projector(a),
    }
}

/// The first `n` words of `emb` (all of them when it has no more).
fn first(emb: Embeddings, n: usize) -> Result<Embeddings> {
    if n >= emb.len() {
        return Ok(emb);
    }
    let dim = emb.dim();
    let words = emb.words()[..n].to_vec();
    let data = emb.matrix()[..n * dim].to_vec();
    Embeddings::new(words, dim, data)
}

fn projector(a: ProjectorArgs) -> Result<ExitCode> {
    if a.limit == Some(0) {
        return Err(Error::invalid("--limit must be at least 1"));
    }
    let dir = &a.output;
    super::common::no_dash(
        "-o",
        dir,
        "a folder of two files (vectors.tsv, metadata.tsv)",
    )?;
    let files = [dir.join("vectors.tsv"), dir.join("metadata.tsv")];
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(Error::invalid(format!(
                "-o {}: not a folder (export projector writes two files into a folder)",
                dir.display()
            )));
        }
        // The folder exists: neither file may be the input, and it must take files.
        Ok(_) => check_paths(
            &[("--vectors", a.vectors.as_path())],
            &[
                ("-o (vectors.tsv)", files[0].as_path()),
                ("-o (metadata.tsv)", files[1].as_path()),
            ],
        )?,
        // A new folder: its parent must exist (a typo should not build a tree).
        Err(_) => {
            let parent = folder_of(dir);
            if !parent.is_dir() {
                return Err(Error::invalid(format!(
                    "-o {}: the folder {} does not exist",
                    dir.display(),
                    parent.display()
                )));
            }
        }
    }
    let emb = load_vectors(
        &a.vectors,
        a.member.as_deref(),
        a.format,
        &mut Printer::new(false).callback(),
    )?;
    let emb = match a.limit {
        Some(n) => first(emb, n)?,
        None => emb,
    };
    glove_wgpu::io::write_projector(&emb, dir)?;
    errln!(
        "wrote {} and {} ({} words x {})",
        files[0].display(),
        files[1].display(),
        emb.len(),
        emb.dim()
    );
    Ok(ExitCode::SUCCESS)
}
