//! Counting beyond one machine: line-aligned shards of a corpus, counted
//! separately against one vocabulary, sum to exactly the single-node counts;
//! the sum is done here in Rust, as an engine's `GROUP BY i, j` does it (see
//! `examples/distributed/`).
//!
//! A line is a document: no window crosses a line break, so no pair spans two
//! line-aligned shards. Shards cut inside a line break this, and a test shows it.
#![cfg(feature = "parquet")]

use std::collections::BTreeMap;
use std::path::Path;

use glove_wgpu::cooccur::{self, CoocFormat, CoocReader, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");

/// Cuts `text` into `n` shards of about equal size; with `aligned`, each cut is
/// moved to the next line start.
fn shards(text: &str, n: usize, aligned: bool) -> Vec<String> {
    let b = text.as_bytes();
    let mut cuts = vec![0];
    for k in 1..n {
        let mut c = (b.len() * k / n).max(*cuts.last().unwrap_or(&0));
        if aligned {
            while c < b.len() && b[c - 1] != b'\n' {
                c += 1;
            }
        } else {
            // Inside a line, between two words.
            while c < b.len() && b[c] != b' ' {
                c += 1;
            }
        }
        cuts.push(c);
    }
    cuts.push(b.len());
    cuts.windows(2)
        .map(|w| text[w[0]..w[1]].to_string())
        .collect()
}

fn read_f64(path: &Path, format: CoocFormat) -> Vec<(u32, u32, f64)> {
    let mut r = CoocReader::open(path, format).unwrap();
    let mut out = Vec::new();
    while r.read_chunk_f64(&mut out, 1 << 16).unwrap() > 0 {}
    out
}

/// `lcm(1..=window)`: the counts of distance-weighted windows are multiples of
/// `1 / lcm`, so `x * lcm` rounds back to the exact integer count.
fn scale(window: u64) -> u64 {
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    (1..=window).fold(1, |l, d| l / gcd(l, d) * d)
}

/// Sums by `(i, j)`.
type Sums<T> = BTreeMap<(u32, u32), T>;

/// Counts every shard against `vocab` and sums the records by `(i, j)`: in
/// exact integers of `1 / scale` (as the recipes' SQL does) and in plain f64.
fn count_and_sum(
    shards: &[String],
    vocab: &Vocab,
    opts: &CooccurOptions,
    dir: &Path,
) -> (Sums<u64>, Sums<f64>) {
    let l = scale(opts.window as u64) as f64;
    let (mut exact, mut plain) = (BTreeMap::new(), BTreeMap::new());
    for (k, text) in shards.iter().enumerate() {
        let out = dir.join(format!("part-{k:05}.parquet"));
        cooccur::count(
            Corpus::reader(std::io::Cursor::new(text.clone().into_bytes())),
            vocab,
            &out,
            opts,
        )
        .unwrap();
        for (i, j, x) in read_f64(&out, CoocFormat::Parquet) {
            let c = (x * l).round();
            assert!((c - x * l).abs() < 1e-3, "{x} is not a multiple of 1/{l}");
            *exact.entry((i, j)).or_insert(0u64) += c as u64;
            *plain.entry((i, j)).or_insert(0.0) += x;
        }
    }
    (exact, plain)
}

#[test]
fn line_aligned_shards_sum_to_the_single_node_counts() {
    let text = std::fs::read_to_string(KJV).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let raw = VocabOptions {
        min_count: 1,
        ..Default::default()
    };
    let parts = shards(&text, 8, true);
    assert_eq!(parts.concat(), text);

    // Vocabulary: raw counts per shard, summed, then min count 5.
    let counts = dir.path().join("counts");
    std::fs::create_dir(&counts).unwrap();
    for (k, p) in parts.iter().enumerate() {
        let v = Vocab::count(
            Corpus::reader(std::io::Cursor::new(p.clone().into_bytes())),
            &raw,
        )
        .unwrap();
        v.write_counts(counts.join(format!("part-{k}.parquet")))
            .unwrap();
    }
    let five = VocabOptions {
        min_count: 5,
        ..Default::default()
    };
    let vocab = Vocab::from_counts(&counts, &five).unwrap();
    let single_vocab = Vocab::count(Corpus::from_arg(KJV), &five).unwrap();
    assert_eq!(vocab, single_vocab);
    assert_eq!(vocab.corpus_tokens(), single_vocab.corpus_tokens());

    for (window, symmetric) in [(15, true), (10, false)] {
        let opts = CooccurOptions {
            window,
            symmetric,
            format: CoocFormat::Parquet,
            ..Default::default()
        };
        let single = dir.path().join("single.bin");
        let glove = CooccurOptions {
            format: CoocFormat::Glove,
            ..opts.clone()
        };
        cooccur::count(Corpus::from_arg(KJV), &vocab, &single, &glove).unwrap();
        let single = read_f64(&single, CoocFormat::Glove);
        let sub = dir.path().join(format!("cooc-{window}"));
        std::fs::create_dir(&sub).unwrap();
        let (exact, plain) = count_and_sum(&parts, &vocab, &opts, &sub);
        assert_eq!(exact.len(), single.len(), "window {window}: entries");
        let l = scale(window as u64) as f64;
        let mut worst = 0f64;
        for ((&(i, j), &c), &(si, sj, sx)) in exact.iter().zip(&single) {
            assert_eq!((i, j), (si, sj));
            // One division of the exact sum: the single node's bits.
            assert_eq!(
                (c as f64 / l).to_bits(),
                sx.to_bits(),
                "({i}, {j}): {c}/{l} vs {sx}"
            );
            worst = worst.max((plain[&(i, j)] - sx).abs() / sx);
        }
        // A plain f64 sum differs in the last bits at most.
        assert!(worst < 1e-14, "window {window}: {worst}");
    }
}

#[test]
fn shards_cut_inside_a_line_do_not_sum_to_the_single_node_counts() {
    let text = std::fs::read_to_string(KJV).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vocab = Vocab::count(
        Corpus::from_arg(KJV),
        &VocabOptions {
            min_count: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let parts = shards(&text, 8, false);
    assert_eq!(parts.concat(), text);
    assert!(
        parts[..7].iter().all(|p| !p.ends_with('\n')),
        "cuts inside lines"
    );
    let opts = CooccurOptions {
        format: CoocFormat::Parquet,
        ..Default::default()
    };
    let single = dir.path().join("single.bin");
    let glove = CooccurOptions {
        format: CoocFormat::Glove,
        ..opts.clone()
    };
    cooccur::count(Corpus::from_arg(KJV), &vocab, &single, &glove).unwrap();
    let single: BTreeMap<(u32, u32), f64> = read_f64(&single, CoocFormat::Glove)
        .into_iter()
        .map(|(i, j, x)| ((i, j), x))
        .collect();
    let (_, plain) = count_and_sum(&parts, &vocab, &opts, dir.path());
    // Pairs across each cut are lost: the sum falls short.
    let total = |m: &BTreeMap<(u32, u32), f64>| m.values().sum::<f64>();
    assert!(
        total(&plain) < total(&single) - 1.0,
        "{} vs {}",
        total(&plain),
        total(&single)
    );
}
