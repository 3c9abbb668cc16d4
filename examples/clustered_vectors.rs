//! Writes a clustered synthetic vector set and held-out queries from the same
//! distribution, for the approximate-search benchmarks (`glove-wgpu bench ann`,
//! `benches/compare_ann.py`): a two-level Gaussian mixture, `CLUSTERS` centres
//! (N(0, 1) per dimension) with 10 sub-centres each (N(0, 0.35^2) around the
//! centre), cluster weights falling as `1 / sqrt(rank)`, and every point a
//! sub-centre plus N(0, 0.25^2) noise. Rows are `v0 ..`, queries `q0 ..`, both
//! word2vec binary files.
//!
//! ```text
//! cargo run --release --example clustered_vectors -- VECTORS.bin QUERIES.bin [N] [DIM] [QUERIES] [CLUSTERS] [SEED] [NOISE]
//! cargo run --release --example clustered_vectors -- /tmp/c1m.bin /tmp/c1m.q.bin 1000000 100 10000 1000 1
//! ```

use glove_wgpu::io::{self, Format};
use glove_wgpu::rng::SplitMix64;
use glove_wgpu::Embeddings;
use rayon::prelude::*;

/// A standard normal value (Box-Muller).
fn normal(r: &mut SplitMix64) -> f32 {
    let u1 = ((r.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    let u2 = (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

struct Mixture {
    dim: usize,
    /// `clusters * 10` sub-centres.
    subs: Vec<f32>,
    /// Cumulative cluster weights.
    cdf: Vec<f64>,
    noise: f32,
}

impl Mixture {
    fn new(dim: usize, clusters: usize, seed: u64, noise: f32) -> Self {
        let mut r = SplitMix64::new(seed);
        let mut subs = Vec::with_capacity(clusters * 10 * dim);
        for _ in 0..clusters {
            let centre: Vec<f32> = (0..dim).map(|_| normal(&mut r)).collect();
            for _ in 0..10 {
                subs.extend(centre.iter().map(|&c| c + 0.35 * normal(&mut r)));
            }
        }
        let mut cdf = Vec::with_capacity(clusters);
        let mut sum = 0.0;
        for c in 0..clusters {
            sum += 1.0 / ((c + 1) as f64).sqrt();
            cdf.push(sum);
        }
        cdf.iter_mut().for_each(|c| *c /= sum);
        Mixture {
            dim,
            subs,
            cdf,
            noise,
        }
    }

    /// Point `i` of the stream `stream`.
    fn point(&self, stream: u64, i: usize, out: &mut [f32]) {
        let mut r = SplitMix64::new(stream ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let u = (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let c = self.cdf.partition_point(|&p| p < u).min(self.cdf.len() - 1);
        let s = c * 10 + (r.next_u64() % 10) as usize;
        let sub = &self.subs[s * self.dim..(s + 1) * self.dim];
        for (o, &m) in out.iter_mut().zip(sub) {
            *o = m + self.noise * normal(&mut r);
        }
    }

    fn rows(&self, stream: u64, n: usize, prefix: &str) -> glove_wgpu::Result<Embeddings> {
        let mut data = vec![0f32; n * self.dim];
        data.par_chunks_mut(self.dim)
            .enumerate()
            .for_each(|(i, row)| self.point(stream, i, row));
        let words = (0..n).map(|i| format!("{prefix}{i}")).collect();
        Embeddings::new(words, self.dim, data)
    }
}

fn main() -> glove_wgpu::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!(
            "usage: clustered_vectors VECTORS.bin QUERIES.bin [N=1000000] [DIM=100] \
             [QUERIES=10000] [CLUSTERS=1000] [SEED=1] [NOISE=1.0]"
        );
        std::process::exit(2);
    }
    let arg = |k: usize, d: usize| args.get(k).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (n, dim, m, clusters, seed) = (
        arg(2, 1_000_000),
        arg(3, 100).max(1),
        arg(4, 10_000),
        arg(5, 1000).max(1),
        arg(6, 1) as u64,
    );
    let noise = args.get(7).and_then(|a| a.parse().ok()).unwrap_or(1.0f32);
    let mix = Mixture::new(dim, clusters, seed, noise);
    let t = std::time::Instant::now();
    io::write(&mix.rows(seed ^ 1, n, "v")?, &args[0], Format::Word2vecBin)?;
    io::write(&mix.rows(seed ^ 2, m, "q")?, &args[1], Format::Word2vecBin)?;
    println!(
        "{n} x {dim} vectors in {clusters} clusters to {}, {m} queries to {} ({:.1} s)",
        args[0],
        args[1],
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
