//! Loading and writing speed on a real-size file, against a naive sequential
//! reader (lines, `split_whitespace`, `str::parse`) measured in the same run.
//!
//! ```text
//! cargo run --release --example gen_glove_text -- /tmp/glove_400k_300.txt
//! cargo run --release --example io_bench -- /tmp/glove_400k_300.txt
//! python3 benches/gensim_load.py /tmp/glove_400k_300.txt   # gensim on the same file
//! ```
//!
//! With `--read-only` after the path, only our text reader runs (for profiling).
//!
//! Prints MB/s (file bytes per second) for reading the GloVe text, writing it
//! back as GloVe text and as word2vec binary, and reading that binary. The
//! files it writes go next to the input with `.out.txt` / `.out.bin` suffixes
//! and are removed at the end.

use std::time::Instant;

use glove_wgpu::io::{self, Format};

fn naive_read(path: &str) -> std::io::Result<(Vec<String>, Vec<f32>)> {
    let text = std::fs::read_to_string(path)?;
    let mut words = Vec::new();
    let mut data = Vec::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        words.push(f.next().unwrap_or_default().to_string());
        data.extend(f.map(|x| x.parse::<f32>().unwrap_or(f32::NAN)));
    }
    Ok((words, data))
}

fn mbs(bytes: u64, secs: f64) -> String {
    format!("{:8.1} MB/s ({:.2} s)", bytes as f64 / 1e6 / secs, secs)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: io_bench GLOVE_TEXT_FILE".into());
    };
    let size = std::fs::metadata(&path)?.len();
    println!(
        "file {path}: {:.1} MB, {} threads",
        size as f64 / 1e6,
        rayon::current_num_threads()
    );

    let read_only = std::env::args().nth(2).as_deref() == Some("--read-only");
    // Warm the page cache so that both readers see the same conditions.
    drop(std::fs::read(&path)?);

    let t = Instant::now();
    let e = io::read(&path, Format::Glove)?;
    let ours = t.elapsed().as_secs_f64();
    println!(
        "read glove text (ours)      {}  {} x {}",
        mbs(size, ours),
        e.len(),
        e.dim()
    );

    if read_only {
        return Ok(());
    }
    let t = Instant::now();
    let (w, d) = naive_read(&path)?;
    let naive = t.elapsed().as_secs_f64();
    assert_eq!((w.len(), d.len()), (e.len(), e.matrix().len()));
    assert_eq!(d.as_slice(), e.matrix(), "naive and parallel readers agree");
    drop((w, d));
    println!(
        "read glove text (naive std) {}  ours is {:.1}x faster",
        mbs(size, naive),
        naive / ours
    );

    let out_txt = format!("{path}.out.txt");
    let t = Instant::now();
    io::write(&e, &out_txt, Format::Glove)?;
    let secs = t.elapsed().as_secs_f64();
    let txt_size = std::fs::metadata(&out_txt)?.len();
    println!(
        "write glove text            {}  (shortest round-trip values, {:.1} MB)",
        mbs(txt_size, secs),
        txt_size as f64 / 1e6
    );
    let t = Instant::now();
    let again = io::read(&out_txt, Format::Glove)?;
    let secs = t.elapsed().as_secs_f64();
    assert!(again == e, "text round trip");
    println!("read our glove text         {}", mbs(txt_size, secs));
    std::fs::remove_file(&out_txt)?;

    let out_bin = format!("{path}.out.bin");
    let t = Instant::now();
    io::write(&e, &out_bin, Format::Word2vecBin)?;
    let secs = t.elapsed().as_secs_f64();
    let bin_size = std::fs::metadata(&out_bin)?.len();
    println!("write word2vec binary       {}", mbs(bin_size, secs));
    let t = Instant::now();
    let again = io::read(&out_bin, Format::Word2vecBin)?;
    let secs = t.elapsed().as_secs_f64();
    assert!(again == e, "binary round trip");
    println!("read word2vec binary        {}", mbs(bin_size, secs));
    std::fs::remove_file(&out_bin)?;
    Ok(())
}
