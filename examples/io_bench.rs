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
//! Prints MB/s (file bytes per wall-clock second, and per CPU-second, which
//! shared machines make the steadier figure) for reading the GloVe text, writing it
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

/// Process CPU time (user + system) in seconds, from `/proc/self/stat` (Linux).
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

/// Wall-clock and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let c = cpu_secs().unwrap_or(0.0);
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    (out, wall, cpu_secs().unwrap_or(0.0) - c)
}

fn mbs(bytes: u64, (wall, cpu): (f64, f64)) -> String {
    format!(
        "{:7.1} MB/s ({:.2} s wall, {:.2} CPU-s = {:.0} MB per CPU-s)",
        bytes as f64 / 1e6 / wall,
        wall,
        cpu,
        bytes as f64 / 1e6 / cpu.max(0.01)
    )
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

    let (e, ours, cpu) = timed(|| io::read(&path, Format::Glove));
    let e = e?;
    println!(
        "read glove text (ours)      {}  {} x {}",
        mbs(size, (ours, cpu)),
        e.len(),
        e.dim()
    );

    if read_only {
        return Ok(());
    }
    let (res, naive, cpu) = timed(|| naive_read(&path));
    let (w, d) = res?;
    assert_eq!((w.len(), d.len()), (e.len(), e.matrix().len()));
    assert_eq!(d.as_slice(), e.matrix(), "naive and parallel readers agree");
    drop((w, d));
    println!(
        "read glove text (naive std) {}  ours is {:.1}x faster",
        mbs(size, (naive, cpu)),
        naive / ours
    );

    let out_txt = format!("{path}.out.txt");
    let (res, wall, cpu) = timed(|| io::write(&e, &out_txt, Format::Glove));
    res?;
    let txt_size = std::fs::metadata(&out_txt)?.len();
    println!(
        "write glove text            {}  (shortest round-trip values, {:.1} MB)",
        mbs(txt_size, (wall, cpu)),
        txt_size as f64 / 1e6
    );
    let (again, wall, cpu) = timed(|| io::read(&out_txt, Format::Glove));
    assert!(again? == e, "text round trip");
    println!("read our glove text         {}", mbs(txt_size, (wall, cpu)));
    std::fs::remove_file(&out_txt)?;

    let out_bin = format!("{path}.out.bin");
    let (res, wall, cpu) = timed(|| io::write(&e, &out_bin, Format::Word2vecBin));
    res?;
    let bin_size = std::fs::metadata(&out_bin)?.len();
    println!("write word2vec binary       {}", mbs(bin_size, (wall, cpu)));
    let (again, wall, cpu) = timed(|| io::read(&out_bin, Format::Word2vecBin));
    assert!(again? == e, "binary round trip");
    println!("read word2vec binary        {}", mbs(bin_size, (wall, cpu)));
    std::fs::remove_file(&out_bin)?;
    Ok(())
}
