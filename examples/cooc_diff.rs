//! Compares two co-occurrence inputs record by record (each a file in any
//! format, or a Parquet folder): entries, identical records, the largest
//! relative difference of the counts. Exit code 1 if the ids differ anywhere.
//!
//! ```text
//! cargo run --release --example cooc_diff -- single.bin cooc_sum/
//! ```

use std::path::Path;
use std::process::ExitCode;

use glove_wgpu::cooccur::{CoocFormat, CoocReader};

fn open(path: &str) -> glove_wgpu::Result<CoocReader> {
    CoocReader::open(path, CoocFormat::detect(Path::new(path))?)
}

fn main() -> glove_wgpu::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [a, b] = &args[..] else {
        eprintln!("usage: cooc_diff A B");
        return Ok(ExitCode::from(2));
    };
    let (mut ra, mut rb) = (open(a)?, open(b)?);
    println!("{a}: {:?} records; {b}: {:?} records", ra.len(), rb.len());
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    let (mut n, mut same, mut worst) = (0u64, 0u64, 0f64);
    loop {
        xa.clear();
        xb.clear();
        let (ga, gb) = (
            ra.read_chunk_f64(&mut xa, 1 << 20)?,
            rb.read_chunk_f64(&mut xb, 1 << 20)?,
        );
        for (p, q) in xa.iter().zip(&xb) {
            if (p.0, p.1) != (q.0, q.1) {
                println!("record {n}: ids {:?} vs {:?}", (p.0, p.1), (q.0, q.1));
                return Ok(ExitCode::FAILURE);
            }
            same += (p.2.to_bits() == q.2.to_bits()) as u64;
            worst = worst.max((p.2 - q.2).abs() / p.2.abs().max(f64::MIN_POSITIVE));
            n += 1;
        }
        if ga != gb {
            println!("record {n}: one input ends here");
            return Ok(ExitCode::FAILURE);
        }
        if ga == 0 {
            break;
        }
    }
    println!("{n} records, same ids in the same order; {same} counts identical to the bit; largest relative difference {worst:e}");
    Ok(ExitCode::SUCCESS)
}
