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

    // Any vectors file: plain, compressed (.gz, .bz2, .xz, .zst), a zip member.
    let (vectors, _) = io::read_auto(&path, None, &mut |_| Ok(()))?;
    let pairs = WordPairs::read(&pairs, false)?; // words lower-cased, as the vectors' are
    let scored = eval::word_pairs(&vectors, &pairs);
    // A statistic that does not exist (too few covered pairs) says why.
    let rho = match (scored.spearman, &scored.undefined) {
        (Some(r), _) => format!("{r:.3}"),
        (None, why) => format!("undefined ({})", why.as_deref().unwrap_or("")),
    };
    println!(
        "word pairs: Spearman {rho} over {}/{} pairs",
        scored.covered, scored.total
    );

    let index = WordIndex::new(vectors, &Device::Cpu, &SearchOptions::new(Metric::Cosine))?;
    let report = eval::analogies(&index, &AnalogyQuestions::read(&questions, false)?)?;
    let pct = |x: Option<f64>| x.map_or("undefined".to_string(), |x| format!("{:6.2}%", 100.0 * x));
    for (section, t) in &report.sections {
        println!(
            "{section:<28} {} of {:>5} covered",
            pct(t.accuracy()),
            t.covered
        );
    }
    let t = &report.total;
    println!(
        "total: {} ({}/{}), coverage {}",
        pct(t.accuracy()),
        t.correct,
        t.covered,
        pct(t.coverage())
    );
    Ok(())
}
