//! Embedding file I/O: parallel readers and writers against a naive
//! sequential baseline (std `split_whitespace` + `str::parse`, `{}` formatting),
//! and the float parsing/formatting crates against std, all in one run.
//!
//! Before anything is timed, every reader gives the sample back bit for bit, every
//! writer's text reads back to it, and the float crates agree with std on every
//! value (these CPU paths are deterministic, so the timed runs repeat that work).
//!
//! `cargo bench --bench io` — throughput is reported in bytes of file text.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use glove_wgpu::io::{self, Format};
use glove_wgpu::Embeddings;
use rand::{RngExt, SeedableRng};

const ROWS: usize = 20_000;
const DIM: usize = 100;

fn sample() -> Embeddings {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let words = (0..ROWS).map(|i| format!("w{i}")).collect();
    let data = (0..ROWS * DIM)
        .map(|_| (rng.random::<f32>() - 0.5) * 2.0)
        .collect();
    Embeddings::new(words, DIM, data).expect("valid sample")
}

/// The obvious sequential reader: lines, `split_whitespace`, `str::parse`.
fn naive_read(text: &str) -> (Vec<String>, Vec<f32>) {
    let mut words = Vec::new();
    let mut data = Vec::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        words.push(f.next().unwrap_or_default().to_string());
        data.extend(f.map(|x| x.parse::<f32>().unwrap_or(0.0)));
    }
    (words, data)
}

/// The obvious sequential writer: `write!` with `{}` per value.
fn naive_write(emb: &Embeddings) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for (i, w) in emb.words().iter().enumerate() {
        write!(out, "{w}").unwrap();
        for v in emb.vector(i as u32).unwrap() {
            write!(out, " {v}").unwrap();
        }
        out.push(b'\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let emb = sample();
    let mut text = Vec::new();
    io::write_to(&emb, &mut text, Format::Glove).unwrap();
    let mut bin = Vec::new();
    io::write_to(&emb, &mut bin, Format::Word2vecBin).unwrap();
    let text_str = std::str::from_utf8(&text).unwrap().to_owned();

    // Every reader and writer must give the sample back exactly (shortest
    // round-trip text, raw f32 binary) before it is timed.
    let same = |name: &str, words: &[String], values: &[f32]| {
        assert_eq!(words.len(), ROWS, "{name}: {} words", words.len());
        assert_eq!(values.len(), ROWS * DIM, "{name}: {} values", values.len());
        assert!(words == emb.words(), "{name}: the words differ");
        let bad = values
            .iter()
            .zip(emb.matrix())
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(bad, None, "{name}: a value differs");
    };
    for (name, bytes, format) in [
        ("glove_text", &text, Format::Glove),
        ("word2vec_bin", &bin, Format::Word2vecBin),
    ] {
        let e = io::read_bytes(bytes, format, "bench").unwrap();
        same(name, e.words(), e.matrix());
    }
    let (w, v) = naive_read(&text_str);
    same("naive_read", &w, &v);
    let naive_text = naive_write(&emb);
    let e = io::read_bytes(&naive_text, Format::Glove, "bench").unwrap();
    same("naive_write", e.words(), e.matrix());

    let mut g = c.benchmark_group("io_read");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(format!("glove_text_{ROWS}x{DIM}"), |b| {
        b.iter(|| io::read_bytes(black_box(&text), Format::Glove, "bench").unwrap())
    });
    g.bench_function(format!("naive_text_{ROWS}x{DIM}"), |b| {
        b.iter(|| naive_read(black_box(&text_str)))
    });
    g.throughput(Throughput::Bytes(bin.len() as u64));
    g.bench_function(format!("word2vec_bin_{ROWS}x{DIM}"), |b| {
        b.iter(|| io::read_bytes(black_box(&bin), Format::Word2vecBin, "bench").unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("io_write");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(format!("glove_text_{ROWS}x{DIM}"), |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(text.len());
            io::write_to(black_box(&emb), &mut out, Format::Glove).unwrap();
            out
        })
    });
    g.bench_function(format!("naive_text_{ROWS}x{DIM}"), |b| {
        b.iter(|| naive_write(black_box(&emb)))
    });
    g.finish();

    // Single-thread float parsing and formatting, the inner loops above.
    let fields: Vec<&str> = text_str
        .split_ascii_whitespace()
        .filter(|f| !f.starts_with('w'))
        .take(200_000)
        .collect();
    let bytes: u64 = fields.iter().map(|f| f.len() as u64 + 1).sum();
    assert_eq!(fields.len(), 200_000, "float fields in the sample");
    for f in &fields {
        let want = f.parse::<f32>().unwrap();
        let got = fast_float2::parse::<f32, _>(f).unwrap();
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "fast_float2 parses {f} as {got}"
        );
    }
    let mut g = c.benchmark_group("f32_parse");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("std_str_parse", |b| {
        b.iter(|| {
            fields
                .iter()
                .map(|f| f.parse::<f32>().unwrap())
                .sum::<f32>()
        })
    });
    g.bench_function("fast_float2", |b| {
        b.iter(|| {
            fields
                .iter()
                .map(|f| fast_float2::parse::<f32, _>(f).unwrap())
                .sum::<f32>()
        })
    });
    g.finish();

    let values = &emb.matrix()[..200_000];
    let mut buf = zmij::Buffer::new();
    for v in values {
        let t = buf.format_finite(*v);
        assert_eq!(
            t.parse::<f32>().unwrap().to_bits(),
            v.to_bits(),
            "zmij wrote {t} for {v}"
        );
    }
    let mut g = c.benchmark_group("f32_format");
    g.throughput(Throughput::Elements(values.len() as u64));
    g.bench_function("std_display", |b| {
        b.iter(|| {
            use std::io::Write;
            let mut out = Vec::with_capacity(values.len() * 12);
            for v in values {
                write!(out, "{v} ").unwrap();
            }
            out
        })
    });
    g.bench_function("zmij", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(values.len() * 12);
            let mut buf = zmij::Buffer::new();
            for v in values {
                out.extend_from_slice(buf.format_finite(*v).as_bytes());
                out.push(b' ');
            }
            out
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
