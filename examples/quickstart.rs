//! The whole pipeline as a library: vocabulary, co-occurrences, shuffle,
//! training, saving, and a nearest-word query. The CLI's `fit` does the same.
//!
//! `cargo run --release --example quickstart [CORPUS]` (default: the bundled `data/kjv.txt`)

use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions, ShuffleOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::model::{Model, SaveMode};
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::train::{self, TrainConfig};
use glove_wgpu::vocab::{Vocab, VocabOptions};
use glove_wgpu::{io, GpuContext};

fn main() -> glove_wgpu::Result<()> {
    let corpus = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt").to_string());
    let work = std::env::temp_dir().join(format!("glove_wgpu_quickstart_{}", std::process::id()));
    std::fs::create_dir_all(&work)
        .map_err(|e| glove_wgpu::Error::io("creating a work folder", e))?;

    // 1. vocabulary (min count 5), 2. co-occurrences (window 15), 3. shuffle
    let vocab = Vocab::count(Corpus::from_arg(&corpus), &VocabOptions::default())?;
    let (counts, shuffled) = (work.join("cooc.bin"), work.join("shuf.bin"));
    let opts = CooccurOptions {
        format: CoocFormat::Native,
        ..Default::default()
    };
    let stats = cooccur::count(Corpus::from_arg(&corpus), &vocab, &counts, &opts)?;
    cooccur::shuffle(
        &counts,
        &shuffled,
        &ShuffleOptions {
            seed: 1,
            ..Default::default()
        },
    )?;
    let triples = cooccur::read_all(&shuffled, CoocFormat::Native)?;
    println!(
        "{} words, {} co-occurrences from {} tokens",
        vocab.len(),
        stats.entries,
        stats.tokens
    );

    // 4. train: on a hardware GPU if there is one, else Hogwild on the CPU
    let config = TrainConfig {
        epochs: 10,
        x_max: 10.0,
        ..Default::default()
    };
    let backend = match GpuContext::new() {
        Ok(ctx) if ctx.adapter().device_type != "Cpu" => {
            train::Backend::Gpu(std::sync::Arc::new(ctx))
        }
        _ => train::Backend::Hogwild { threads: 0 },
    };
    let mut model = Model::new(vocab.len(), config.dim, 1)?;
    train::train(&mut model, &triples, &config, &backend, 0, &mut |r, _| {
        println!(
            "epoch {:>2}: cost {:.5} ({:.2} s)",
            r.epoch, r.cost, r.seconds
        );
        Ok(())
    })?;

    // 5. save (atomically) and query
    let emb = model.embeddings(vocab.words().to_vec(), SaveMode::WPlusC)?;
    io::write(&emb, work.join("vectors.txt"), io::Format::Glove)?;
    let index = WordIndex::new(emb, None, &SearchOptions::new(Metric::Cosine))?;
    for w in index.neighbors(&["god", "water"], 5)?.into_iter().flatten() {
        let words: Vec<&str> = w.iter().map(|s| s.word.as_str()).collect();
        println!("{}", words.join(" "));
    }
    std::fs::remove_dir_all(&work).map_err(|e| glove_wgpu::Error::io("cleaning up", e))?;
    Ok(())
}
