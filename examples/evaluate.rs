//! Evaluation: Google analogy accuracy (3CosAdd, by section) and word-pair
//! Spearman correlation of a vectors file, as the command line's `eval` prints.
//!
//! `cargo run --release --example evaluate -- VECTORS [QUESTIONS] [PAIRS]`
//! (default: the bundled `data/questions-words.txt` and `data/wordsim353.tsv`)

use glove_wgpu::eval::{self, AnalogyQuestions, WordPairs};
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{io, Device, Error, Result};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| Error::invalid("usage: evaluate VECTORS [QUESTIONS] [PAIRS]"))?;
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/");
    let questions = args
        .next()
        .unwrap_or_else(|| format!("{data}questions-words.txt"));
    let pairs = args
        .next()
        .unwrap_or_else(|| format!("{data}wordsim353.tsv"));

    let vectors = io::read(&path, io::Format::detect(&path)?)?;
    let pairs = WordPairs::read(&pairs, false)?; // words lower-cased, as the vectors' are
    let scored = eval::word_pairs(&vectors, &pairs);
    println!(
        "word pairs: Spearman {:.3} over {}/{} pairs",
        scored.spearman, scored.covered, scored.total
    );

    let index = WordIndex::new(vectors, &Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    let report = eval::analogies(&index, &AnalogyQuestions::read(&questions, false)?)?;
    for (section, t) in &report.sections {
        println!(
            "{section:<28} {:6.2}% of {:>5} covered",
            100.0 * t.accuracy(),
            t.covered
        );
    }
    let t = &report.total;
    println!(
        "total: {:.2}% ({}/{}), coverage {:.1}%",
        100.0 * t.accuracy(),
        t.correct,
        t.covered,
        100.0 * t.coverage()
    );
    Ok(())
}
