//! Writes a synthetic corpus for the scale benchmark of `cooccur`: words
//! `w0 .. w{V-1}` drawn from a Zipf distribution (`p(rank r) ∝ 1 / (r + 1)^s`),
//! in lines of 1 to 2,000 tokens.
//!
//! ```text
//! cargo run --release --example zipf_corpus -- OUT.txt [TOKENS] [VOCAB] [S] [SEED]
//! cargo run --release --example zipf_corpus -- /tmp/zipf.txt 200000000 1000000 1.0 1
//! glove-wgpu vocab /tmp/zipf.txt -o /tmp/zipf.vocab
//! /usr/bin/time -v glove-wgpu cooccur /tmp/zipf.txt --vocab /tmp/zipf.vocab -o /tmp/zipf.bin \
//!     --memory-mb 512 --format native
//! ```

use std::io::Write;
use std::time::Instant;

/// splitmix64
struct Gen(glove_wgpu::rng::SplitMix64);
impl Gen {
    fn new(seed: u64) -> Self {
        Gen(glove_wgpu::rng::SplitMix64::new(seed))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: zipf_corpus OUT.txt [TOKENS=200000000] [VOCAB=1000000] [S=1.0] [SEED=1]");
        std::process::exit(2);
    };
    let arg = |k: usize, d: f64| args.get(k).and_then(|a| a.parse::<f64>().ok()).unwrap_or(d);
    let tokens = arg(1, 2e8) as u64;
    let vocab = (arg(2, 1e6) as usize).max(1);
    let s = arg(3, 1.0);
    let mut g = Gen::new(arg(4, 1.0) as u64);
    let start = Instant::now();
    // Walker's alias table over ranks: one draw costs O(1).
    let weights: Vec<f64> = (0..vocab).map(|r| 1.0 / ((r + 1) as f64).powf(s)).collect();
    let total: f64 = weights.iter().sum();
    let mut prob: Vec<f64> = weights.iter().map(|w| w * vocab as f64 / total).collect();
    let mut alias: Vec<u32> = (0..vocab as u32).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..vocab).partition(|&r| prob[r] < 1.0);
    while let (Some(&l), Some(&g_)) = (small.last(), large.last()) {
        small.pop();
        alias[l] = g_ as u32;
        prob[g_] -= 1.0 - prob[l];
        if prob[g_] < 1.0 {
            large.pop();
            small.push(g_);
        }
    }
    for r in small.into_iter().chain(large) {
        prob[r] = 1.0;
    }
    let words: Vec<String> = (0..vocab).map(|r| format!("w{r}")).collect();
    let mut w = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(out)?);
    let mut left = tokens;
    let mut bytes = 0u64;
    while left > 0 {
        let len = (1 + g.next() % 2000).min(left);
        for k in 0..len {
            let x = g.next();
            let col = ((x as u128 * vocab as u128) >> 64) as usize;
            let r = if g.unit() < prob[col] {
                col
            } else {
                alias[col] as usize
            };
            if k > 0 {
                w.write_all(b" ")?;
                bytes += 1;
            }
            w.write_all(words[r].as_bytes())?;
            bytes += words[r].len() as u64;
        }
        w.write_all(b"\n")?;
        bytes += 1;
        left -= len;
    }
    w.flush()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{out}: {tokens} tokens, {vocab} words (Zipf s = {s}), {:.1} MB in {secs:.1} s ({:.1}M tokens/s)",
        bytes as f64 / 1e6,
        tokens as f64 / secs / 1e6
    );
    Ok(())
}
