//! Co-occurrence counting throughput (tokens/s): `cooccur::count` at 1 and 2
//! threads against a naive baseline (one `HashMap<(u32, u32), f64>`, the
//! obvious loop) measured in the same run, on the first 200k tokens of
//! `../shared/data/wiki.txt` (or a synthetic Zipf corpus when it is missing).
//! Each variant is checked against the baseline before it is timed (every entry:
//! the same pairs, each count within 1e-6), and each timed run's entry count again.
//!
//! `cargo bench --bench cooccur`

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};

const TOKENS: usize = 200_000;
const WINDOW: usize = 15;

fn corpus() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wiki.txt");
    if let Ok(t) = std::fs::read_to_string(&p) {
        return t
            .split_whitespace()
            .take(TOKENS)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut x = 1u64;
    (0..TOKENS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            format!("w{}", (10_000f64.powf(u)) as u64)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn naive(text: &str, vocab: &Vocab) -> HashMap<(u32, u32), f64> {
    let mut m = HashMap::new();
    for line in text.split('\n') {
        let ids: Vec<u32> = line
            .split_whitespace()
            .filter_map(|w| vocab.id(w))
            .collect();
        for p in 0..ids.len() {
            for d in 1..=WINDOW.min(p) {
                *m.entry((ids[p - d], ids[p])).or_insert(0.0) += 1.0 / d as f64;
                *m.entry((ids[p], ids[p - d])).or_insert(0.0) += 1.0 / d as f64;
            }
        }
    }
    m
}

/// Counts the corpus file `corpus` (a file, as users give it: its size sizes
/// the dense tables).
fn ours(corpus: &Path, vocab: &Vocab, threads: usize, out: &Path) -> u64 {
    let o = CooccurOptions {
        window: WINDOW,
        threads,
        format: CoocFormat::Native,
        memory_bytes: 1 << 30,
        ..CooccurOptions::default()
    };
    cooccur::count(corpus, vocab, out, &o)
        .expect("count")
        .entries
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let vo = VocabOptions::default();
    let vocab = Vocab::count(
        Corpus::reader(std::io::Cursor::new(text.clone().into_bytes())),
        &vo,
    )
    .expect("vocab");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cooc.bin");
    let file = dir.path().join("corpus.txt");
    std::fs::write(&file, &text).expect("write corpus");

    // Verify, then one timed run of each for the ratio line.
    let t = Instant::now();
    let reference = naive(&text, &vocab);
    let naive_s = t.elapsed().as_secs_f64();
    for threads in [1, 2] {
        let t = Instant::now();
        let n = ours(&file, &vocab, threads, &out);
        let s = t.elapsed().as_secs_f64();
        assert_eq!(
            n as usize,
            reference.len(),
            "entries differ from the baseline"
        );
        let got = cooccur::read_all(&out, CoocFormat::Native).expect("read");
        assert_eq!(
            got.len(),
            reference.len(),
            "{threads} thread(s): {} entries in the file, the baseline has {}",
            got.len(),
            reference.len()
        );
        for e in &got {
            let want = *reference
                .get(&(e.i, e.j))
                .unwrap_or_else(|| panic!("({}, {}) is not in the baseline", e.i, e.j));
            assert!(
                (e.x as f64 - want).abs() <= 1e-6 * want,
                "({}, {}): {} vs {want}",
                e.i,
                e.j,
                e.x
            );
        }
        println!(
            "cooccur {threads} thread(s): {:.2}M tokens/s, {:.1}x the naive HashMap baseline ({:.2}M tokens/s)",
            TOKENS as f64 / s / 1e6,
            naive_s / s,
            TOKENS as f64 / naive_s / 1e6
        );
    }

    let mut g = c.benchmark_group("cooccur");
    g.sample_size(10);
    g.throughput(Throughput::Elements(TOKENS as u64));
    g.bench_function("naive_hashmap_wiki200k", |b| {
        b.iter(|| assert_eq!(black_box(naive(&text, &vocab).len()), reference.len()))
    });
    for threads in [1, 2] {
        g.bench_function(format!("cpu_{threads}threads_wiki200k"), |b| {
            b.iter(|| {
                let n = black_box(ours(&file, &vocab, threads, &out));
                assert_eq!(
                    n as usize,
                    reference.len(),
                    "entries differ from the baseline"
                );
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
