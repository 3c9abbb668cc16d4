//! Writes a GloVe text file of random vectors, for loading benchmarks.
//!
//! ```text
//! cargo run --release --example gen_glove_text -- /tmp/glove_400k_300.txt [rows=400000] [dim=300] [seed=1]
//! ```
//!
//! Values are uniform in [-1, 1) printed with six decimals, as Stanford's
//! `glove.c` prints them (`%lf`); words are `w<i>`, every seventh one with a
//! non-ASCII stem. 400000 x 300 is about 1.1 GB.

use std::io::Write;

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        return Err("usage: gen_glove_text PATH [ROWS] [DIM] [SEED]".into());
    };
    let rows: usize = args.get(1).map_or(Ok(400_000), |s| s.parse())?;
    let dim: usize = args.get(2).map_or(Ok(300), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(1), |s| s.parse())?;
    const STEMS: [&str; 7] = ["w", "w", "w", "é", "東京", "😀", "ß"];
    const ROWS_PER_TASK: usize = 1000;
    let mut out = std::io::BufWriter::with_capacity(8 << 20, std::fs::File::create(path)?);
    let start = std::time::Instant::now();
    let mut bytes = 0usize;
    // Each task seeds its own generator from (seed, task), so the output does
    // not depend on the number of threads.
    for batch in (0..rows.div_ceil(ROWS_PER_TASK))
        .collect::<Vec<_>>()
        .chunks(64)
    {
        let bufs: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|&task| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ ((task as u64) << 20));
                let mut buf = Vec::with_capacity(ROWS_PER_TASK * (dim * 10 + 12));
                for i in task * ROWS_PER_TASK..((task + 1) * ROWS_PER_TASK).min(rows) {
                    write!(buf, "{}{i}", STEMS[i % STEMS.len()]).unwrap();
                    for _ in 0..dim {
                        let v: f64 = rng.random::<f64>() * 2.0 - 1.0;
                        write!(buf, " {v:.6}").unwrap();
                    }
                    buf.push(b'\n');
                }
                buf
            })
            .collect();
        for b in &bufs {
            out.write_all(b)?;
            bytes += b.len();
        }
    }
    out.flush()?;
    eprintln!(
        "wrote {path}: {rows} x {dim}, {:.1} MB in {:.1} s",
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
