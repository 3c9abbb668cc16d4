//! Converts an embedding file between formats.
//!
//! ```text
//! cargo run --release --example convert -- IN IN_FORMAT OUT OUT_FORMAT
//! cargo run --release --example convert -- tests/data/gensim.bin auto /tmp/v.txt glove
//! ```
//!
//! Formats: `glove`, `word2vec`, `word2vec-bin`, `fasttext`, `projector`
//! (output only: OUT is a folder receiving `vectors.tsv` and `metadata.tsv`),
//! or `auto` for the input (guessed with `Format::detect`).

use clap::ValueEnum;
use glove_wgpu::io::{self, Format};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, in_format, output, out_format] = args.as_slice() else {
        return Err("usage: convert IN IN_FORMAT OUT OUT_FORMAT".into());
    };
    let in_format = match in_format.as_str() {
        "auto" => Format::detect(input)?,
        name => Format::from_str(name, true)?,
    };
    let e = io::read(input, in_format)?;
    if out_format == "projector" {
        io::write_projector(&e, output)?;
    } else {
        io::write(&e, output, Format::from_str(out_format, true)?)?;
    }
    eprintln!(
        "{input} ({in_format}) -> {output} ({out_format}): {} words x {}",
        e.len(),
        e.dim()
    );
    Ok(())
}
