//! Reverse lookup in bulk: the nearest word of each of many model-emitted vectors,
//! in one batched call, on the GPU when there is one (else the CPU twin).
//!
//! `cargo run --release --example reverse_lookup`

use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{Device, DeviceChoice, Embeddings};

fn main() -> glove_wgpu::Result<()> {
    // A toy vocabulary: word i points along axis i % 8, scaled by i.
    let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
    let dim = 8;
    let mut data = vec![0f32; words.len() * dim];
    for i in 0..words.len() {
        data[i * dim + i % dim] = 1.0 + i as f32;
        data[i * dim + (i + 1) % dim] = 0.5;
    }
    let emb = Embeddings::new(words, dim, data)?;

    // Any GPU, even a software one; else the CPU twin.
    let device = match DeviceChoice::Gpu.resolve(&mut |_| Ok(())) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("no GPU ({e}); using the CPU twin");
            Device::Cpu
        }
    };
    let index = WordIndex::new(emb, &device, &SearchOptions::new(Metric::Euclidean))?;
    println!("searching on {}", index.index().device_name());

    // "Model outputs": noisy copies of rows 3, 500 and 999.
    let mut queries = Vec::new();
    for id in [3u32, 500, 999] {
        queries.extend(
            index
                .embeddings()
                .vector(id)
                .unwrap()
                .iter()
                .map(|v| v + 0.01),
        );
    }
    for (q, hits) in index.nearest(&queries, 3)?.iter().enumerate() {
        let list: Vec<String> = hits
            .iter()
            .map(|h| format!("{} ({:.3})", h.word, h.score))
            .collect();
        println!("query {q}: {}", list.join(", "));
    }
    Ok(())
}
