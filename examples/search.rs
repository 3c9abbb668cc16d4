//! Search over a vectors file: load it (GloVe text, word2vec text or binary,
//! fastText `.vec`; the format is detected), then the nearest words of each query
//! word, on the GPU when there is a hardware one, else the CPU twin.
//!
//! `cargo run --release --example search -- VECTORS WORD...`

use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{io, DeviceChoice, Error, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, words @ ..] = &args[..] else {
        return Err(Error::invalid("usage: search VECTORS WORD..."));
    };
    let format = io::Format::detect(path)?;
    let vectors = io::read(path, format)?;
    println!(
        "{path}: {} words x {} ({})",
        vectors.len(),
        vectors.dim(),
        format.name()
    );
    // `--backend auto`: a hardware GPU if there is one; a software adapter
    // (lavapipe) is slower than the CPU twin, so the CPU then (silently here).
    let device = DeviceChoice::Auto.resolve(&mut |_| Ok(()))?;
    let index = WordIndex::new(vectors, &device, &SearchOptions::new(Metric::Cosine))?;
    let queries: Vec<&str> = words.iter().map(String::as_str).collect();
    for (w, hits) in queries.iter().zip(index.neighbors(&queries, 3)?) {
        match hits {
            Ok(h) => {
                let line: Vec<String> = h
                    .iter()
                    .map(|s| format!("{} {:.3}", s.word, s.score))
                    .collect();
                println!("{w}: {}", line.join(", "));
            }
            Err(e) => println!("{w}: {e}"), // an unknown word; the others are still answered
        }
    }
    Ok(())
}
