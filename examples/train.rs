//! Training from Rust: the whole pipeline (vocabulary, co-occurrences, shuffle,
//! training) in one call, with a progress callback, then the vectors saved and
//! asked for a few neighbours. The command line's `fit` is this call.
//!
//! `cargo run --release --example train [CORPUS] [EPOCHS]` (default: the bundled
//! `data/kjv.txt`, 15 epochs; on a hardware GPU if there is one, else the CPU).

use glove_wgpu::corpus::Corpus;
use glove_wgpu::pipeline::FitConfig;
use glove_wgpu::progress::Event;
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{io, Error, Result};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let corpus = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt").into());
    let epochs = match args.next() {
        Some(e) => e
            .parse()
            .map_err(|_| Error::invalid(format!("EPOCHS {e:?} is not a whole number")))?,
        None => 15,
    };
    let mut config = FitConfig::default(); // the command line's defaults
    config.vocab.min_count = 2;
    config.train.config.epochs = epochs;
    config.train.config.x_max = 10.0;
    let mut on_event = |e: Event| {
        match e {
            Event::StageDone {
                stage,
                seconds,
                summary,
            } => {
                println!("{:<15} {seconds:6.2} s  {summary}", stage.name())
            }
            Event::Epoch(r) => println!(
                "epoch {:>2}: cost {:.5} ({:.2} s)",
                r.epoch, r.cost, r.seconds
            ),
            Event::Note(n) => println!("note: {n}"),
            _ => {}
        }
        Ok(()) // an Err here would stop the work
    };
    // Settings checked and the device opened once; fit and the search below use it.
    let setup = config.resolve(&mut on_event)?;
    let (vectors, report) = glove_wgpu::fit(Corpus::from_arg(&corpus), &setup, &mut on_event)?;
    println!(
        "{} words x {} on {}",
        vectors.len(),
        vectors.dim(),
        report.backend
    );

    let out = std::env::temp_dir().join(format!("glove_wgpu_example_{}.txt", std::process::id()));
    io::write(&vectors, &out, io::Format::Glove)?; // atomic: all or nothing
    let index = WordIndex::new(vectors, setup.device(), &SearchOptions::new(Metric::Cosine))?;
    for (w, hits) in ["god", "water"]
        .iter()
        .zip(index.neighbors(&["god", "water"], 5)?)
    {
        match hits {
            Ok(h) => println!(
                "{w}: {}",
                h.iter()
                    .map(|s| s.word.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Err(e) => println!("{w}: {e}"),
        }
    }
    std::fs::remove_file(&out).map_err(|e| Error::io_path("removing", &out, e))
}
