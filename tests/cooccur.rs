//! Co-occurrence counting, formats and shuffle: hand-computed cases, a
//! brute-force reference on random corpora, invariance under threads and
//! memory budget (with spills and multi-pass merges), file formats, shuffle.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use glove_wgpu::cooccur::{
    self, read_all, Cooc, CoocFormat, CoocReader, CoocWriter, CooccurOptions, ShuffleOptions,
};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};

use common::{bin, fails, ok, Rng};

/// Relative tolerance against the f64 brute-force reference.
const RTOL: f64 = 1e-9;

/// A Zipf-like word rank in `0..n`.
fn zipf(g: &mut Rng, n: u64) -> u64 {
    let u = (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (((n as f64 + 1.0).powf(u)) as u64)
        .saturating_sub(1)
        .min(n - 1)
}

fn opts(window: usize) -> CooccurOptions {
    CooccurOptions {
        window,
        ..CooccurOptions::default()
    }
}

fn vocab_of(words: &[&str]) -> Vocab {
    Vocab::new(
        words.iter().map(|w| w.to_string()).collect(),
        vec![1; words.len()],
    )
    .unwrap()
}

fn count_text(text: &str, vocab: &Vocab, o: &CooccurOptions, dir: &Path) -> Vec<(u32, u32, f64)> {
    let out = dir.join("out.bin");
    let o = CooccurOptions {
        format: CoocFormat::Glove,
        ..o.clone()
    };
    cooccur::count(
        Corpus::reader(std::io::Cursor::new(text.as_bytes().to_vec())),
        vocab,
        &out,
        &o,
    )
    .unwrap();
    read_f64(&out)
}

fn read_f64(path: &Path) -> Vec<(u32, u32, f64)> {
    let mut r = CoocReader::open(path, CoocFormat::Glove).unwrap();
    let mut v = Vec::new();
    while r.read_chunk_f64(&mut v, 1000).unwrap() > 0 {}
    v
}

/// Stanford's `cooccur`, written the obvious way.
fn brute_force(
    text: &str,
    vocab: &Vocab,
    window: usize,
    symmetric: bool,
    weighting: bool,
) -> Vec<(u32, u32, f64)> {
    let mut m: HashMap<(u32, u32), f64> = HashMap::new();
    for line in text.split('\n') {
        let ids: Vec<u32> = line
            .split([' ', '\t', '\r'])
            .filter(|w| !w.is_empty())
            .filter_map(|w| vocab.id(w))
            .collect();
        for p in 0..ids.len() {
            for d in 1..=window.min(p) {
                let w = if weighting { 1.0 / d as f64 } else { 1.0 };
                *m.entry((ids[p - d], ids[p])).or_default() += w;
                if symmetric {
                    *m.entry((ids[p], ids[p - d])).or_default() += w;
                }
            }
        }
    }
    let mut v: Vec<(u32, u32, f64)> = m.into_iter().map(|((i, j), x)| (i, j, x)).collect();
    v.sort_by_key(|e| (e.0, e.1));
    v
}

fn assert_close(got: &[(u32, u32, f64)], want: &[(u32, u32, f64)], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: entry count");
    let mut worst = (0.0f64, 0usize);
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!((g.0, g.1), (w.0, w.1), "{what}: entry {k} ids");
        let err = (g.2 - w.2).abs() / w.2.abs().max(1e-300);
        if err > worst.0 {
            worst = (err, k);
        }
    }
    assert!(
        worst.0 <= RTOL,
        "{what}: worst relative error {:e} at entry {} ({:?} vs {:?})",
        worst.0,
        worst.1,
        got[worst.1],
        want[worst.1]
    );
}

/// Line 1 `a b c`, line 2 `b a x b` (x out of vocabulary), window 2, by hand.
const TWO_LINES: &str = "a b c\nb a x b\n";

#[test]
fn hand_computed_two_lines_window_2_symmetric() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a", "b", "c"]);
    let got = count_text(TWO_LINES, &v, &opts(2), dir.path());
    // a-b (d1) a-c (d2) b-c (d1) on line 1; b-a (d1), a-b (d1), b-b (d2) on
    // line 2 (x is dropped, so the b's are 2 apart); c and the next b are on
    // different lines, so no c-b pair crosses the line break.
    let want = [
        (0, 1, 3.0),
        (0, 2, 0.5),
        (1, 0, 3.0),
        (1, 1, 1.0),
        (1, 2, 1.0),
        (2, 0, 0.5),
        (2, 1, 1.0),
    ];
    assert_eq!(got, want);
}

#[test]
fn hand_computed_two_lines_window_2_asymmetric() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a", "b", "c"]);
    let o = CooccurOptions {
        symmetric: false,
        ..opts(2)
    };
    let got = count_text(TWO_LINES, &v, &o, dir.path());
    // (earlier word, later word)
    let want = [
        (0, 1, 2.0),
        (0, 2, 0.5),
        (1, 0, 1.0),
        (1, 1, 0.5),
        (1, 2, 1.0),
    ];
    assert_eq!(got, want);
}

#[test]
fn hand_computed_two_lines_window_2_without_distance_weighting() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a", "b", "c"]);
    let o = CooccurOptions {
        distance_weighting: false,
        ..opts(2)
    };
    let got = count_text(TWO_LINES, &v, &o, dir.path());
    let want = [
        (0, 1, 3.0),
        (0, 2, 1.0),
        (1, 0, 3.0),
        (1, 1, 2.0),
        (1, 2, 1.0),
        (2, 0, 1.0),
        (2, 1, 1.0),
    ];
    assert_eq!(got, want);
}

#[test]
fn window_1_and_window_wider_than_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a", "b", "c"]);
    let text = "a b c";
    assert_eq!(
        count_text(text, &v, &opts(1), dir.path()),
        [(0, 1, 1.0), (1, 0, 1.0), (1, 2, 1.0), (2, 1, 1.0)]
    );
    let wide = count_text(text, &v, &opts(100), dir.path());
    assert_close(&wide, &brute_force(text, &v, 100, true, true), "window 100");
}

#[test]
fn empty_corpus_and_empty_vocabulary_give_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a"]);
    assert!(count_text("", &v, &opts(5), dir.path()).is_empty());
    assert!(count_text("\n\n a \n", &v, &opts(5), dir.path()).is_empty());
    let empty = Vocab::new(vec![], vec![]).unwrap();
    assert!(count_text("a b c", &empty, &opts(5), dir.path()).is_empty());
}

#[test]
fn crlf_tabs_and_blank_lines_split_like_stanford() {
    let dir = tempfile::tempdir().unwrap();
    let v = vocab_of(&["a", "b"]);
    let text = "a\tb\r\n\r\n  b   a\r\n";
    let got = count_text(text, &v, &opts(3), dir.path());
    assert_close(&got, &brute_force(text, &v, 3, true, true), "crlf");
    assert_eq!(got, [(0, 1, 2.0), (1, 0, 2.0)]);
}

/// A random corpus: `lines` lines of Zipf words `w0..w{n}` (the last tenth of
/// the ids out of the vocabulary), a few very long lines.
fn random_corpus(g: &mut Rng, n: u64, lines: usize, max_len: u64) -> String {
    let mut s = String::new();
    for _ in 0..lines {
        let len = if g.below(10) == 0 {
            max_len * 5
        } else {
            g.below(max_len + 1)
        };
        for k in 0..len {
            if k > 0 {
                s.push(if g.below(20) == 0 { '\t' } else { ' ' });
            }
            s.push_str(&format!("w{}", zipf(g, n)));
        }
        s.push('\n');
    }
    s
}

fn random_vocab(n: u64) -> Vocab {
    // Ids in a scrambled order, so that id order is not word order.
    let keep = n - n / 10;
    let words: Vec<String> = (0..keep).rev().map(|k| format!("w{k}")).collect();
    Vocab::new(words, vec![1; keep as usize]).unwrap()
}

#[test]
fn random_corpora_match_the_brute_force_reference() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Rng::new(7);
    for case in 0..24 {
        let n = 5 + g.below(300);
        let (lines, len) = (1 + g.below(40) as usize, 1 + g.below(60));
        let text = random_corpus(&mut g, n, lines, len);
        let v = random_vocab(n);
        let window = 1 + g.below(25) as usize;
        let symmetric = g.below(2) == 0;
        let weighting = g.below(4) != 0;
        let o = CooccurOptions {
            window,
            symmetric,
            distance_weighting: weighting,
            threads: 1 + g.below(3) as usize,
            memory_bytes: if g.below(2) == 0 { 1 << 20 } else { 64 << 20 },
            max_open_files: 3 + g.below(4) as usize,
            ..opts(window)
        };
        let got = count_text(&text, &v, &o, dir.path());
        let want = brute_force(&text, &v, window, symmetric, weighting);
        assert_close(&got, &want, &format!("case {case}: {o:?}"));
    }
}

/// Pairs so frequent that their fixed-point counts pass 2^32 (the dense
/// tables hold 32-bit cells that carry into the sparse ones): still exact,
/// with any thread count and budget, both window kinds.
#[test]
fn counts_beyond_32_bits_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Rng::new(5);
    let words = ["a", "b", "c"];
    let mut text = String::new();
    for _ in 0..40 {
        for _ in 0..6000 {
            text.push_str(words[g.below(3) as usize]);
            text.push(' ');
        }
        text.push('\n');
    }
    let v = vocab_of(&words);
    // lcm(1..=15): the fixed-point scale of window 15.
    let scale = 360_360.0;
    for symmetric in [true, false] {
        let want = brute_force(&text, &v, 15, symmetric, true);
        assert!(want.iter().any(|e| e.2 * scale > 2f64.powi(33)), "{want:?}");
        for (threads, memory) in [(1, 64 << 20), (2, 64 << 20), (3, 1 << 20)] {
            let o = CooccurOptions {
                symmetric,
                threads,
                memory_bytes: memory,
                ..opts(15)
            };
            let got = count_text(&text, &v, &o, dir.path());
            assert_close(&got, &want, &format!("{o:?}"));
        }
    }
}

/// Ids and distances share 32 bits in the pair buffers: at window 65,535
/// (16 bits of distance) the vocabulary may hold 65,536 words, not one more,
/// and beyond is a clear error, not a wrong count.
#[test]
fn vocabulary_and_window_beyond_32_bits_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let words = |n: usize| -> Vocab {
        Vocab::new((0..n).map(|k| format!("w{k}")).collect(), vec![1; n]).unwrap()
    };
    let text = "w0 w65535 w7 w65535\n";
    let o = opts(65_535);
    let got = count_text(text, &words(65_536), &o, dir.path());
    assert_close(
        &got,
        &brute_force(text, &words(65_536), 65_535, true, true),
        "at the limit",
    );
    let err = cooccur::count(
        Corpus::reader(text.as_bytes()),
        &words(65_537),
        dir.path().join("over.bin"),
        &o,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("65536 words") && err.contains("window"),
        "{err}"
    );
}

#[test]
fn result_is_bit_identical_whatever_threads_and_budget_with_spills_and_multipass_merge() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Rng::new(11);
    let text = random_corpus(&mut g, 3000, 40, 600);
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(&corpus, &text).unwrap();
    let v = random_vocab(3000);
    let reference = dir.path().join("ref.bin");
    let s = cooccur::count(
        &corpus,
        &v,
        &reference,
        &CooccurOptions {
            threads: 1,
            ..opts(10)
        },
    )
    .unwrap();
    assert_eq!(s.spill_files, 0);
    assert_close(
        &read_f64(&reference),
        &brute_force(&text, &v, 10, true, true),
        "reference",
    );
    let want = std::fs::read(&reference).unwrap();
    for (threads, memory, max_open) in [
        (2, 64 << 20, 128),
        (3, 1100 << 10, 3),
        (2, 1000 << 10, 5),
        (1, 900 << 10, 3),
        // More merge groups than the fan-in allows in one round (a panic
        // once), and many workers.
        (4, 2 << 20, 12),
        (8, 3 << 20, 40),
    ] {
        let out = dir.path().join(format!("t{threads}-m{memory}.bin"));
        let o = CooccurOptions {
            threads,
            memory_bytes: memory,
            max_open_files: max_open,
            ..opts(10)
        };
        let s = cooccur::count(&corpus, &v, &out, &o).unwrap();
        if memory < 2 << 20 {
            assert!(
                s.spill_files > 10,
                "{threads} threads, {memory} bytes: {s:?}"
            );
            assert!(s.intermediate_merges > 0, "{s:?}");
            assert!(s.run_parts > 1, "{s:?}");
        }
        assert!(
            std::fs::read(&out).unwrap() == want,
            "{threads} threads, {memory} bytes differ"
        );
    }
    // Temporary folders are gone: only the corpus and the outputs remain.
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        left.iter()
            .all(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.')),
        "{left:?}"
    );
}

/// A reader that fails after `left` bytes.
struct Failing {
    data: std::io::Cursor<Vec<u8>>,
    left: usize,
}
impl std::io::Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.left);
        let n = self.data.read(&mut buf[..n])?;
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn temporary_files_are_removed_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Rng::new(5);
    let text = random_corpus(&mut g, 3000, 200, 600);
    let v = random_vocab(3000);
    let len = text.len();
    let reader = Failing {
        data: std::io::Cursor::new(text.into_bytes()),
        left: len * 3 / 4,
    };
    let out = dir.path().join("out.bin");
    let o = CooccurOptions {
        memory_bytes: 1000 << 10,
        threads: 2,
        ..opts(10)
    };
    let e = cooccur::count(Corpus::reader(reader), &v, &out, &o).unwrap_err();
    assert!(e.to_string().contains("disk on fire"), "{e}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_budget_too_small_for_the_vocabulary_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let v = random_vocab(100_000);
    let o = CooccurOptions {
        memory_bytes: 1 << 20,
        ..opts(15)
    };
    let e = cooccur::count(
        Corpus::reader(&b"w1 w2"[..]),
        &v,
        dir.path().join("o.bin"),
        &o,
    )
    .unwrap_err();
    assert!(e.to_string().contains("too small"), "{e}");
    let e = cooccur::count(
        Corpus::reader(&b"w1 w2"[..]),
        &v,
        dir.path().join("o.bin"),
        &opts(0),
    )
    .unwrap_err();
    assert!(e.to_string().contains("window"), "{e}");
}

#[test]
fn native_and_stanford_outputs_hold_the_same_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Rng::new(3);
    let text = random_corpus(&mut g, 500, 30, 100);
    let v = random_vocab(500);
    let glove = count_text(&text, &v, &opts(15), dir.path());
    let native = dir.path().join("n.bin");
    let o = CooccurOptions {
        format: CoocFormat::Native,
        ..opts(15)
    };
    cooccur::count(
        Corpus::reader(std::io::Cursor::new(text.into_bytes())),
        &v,
        &native,
        &o,
    )
    .unwrap();
    let n = read_all(&native, CoocFormat::Native).unwrap();
    assert_eq!(n.len(), glove.len());
    for (a, b) in n.iter().zip(&glove) {
        assert_eq!((a.i, a.j, a.x), (b.0, b.1, b.2 as f32));
    }
}

#[test]
fn stanford_file_written_and_read_back_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.bin");
    let mut g = Rng::new(9);
    let recs: Vec<(u32, u32, f64)> = (0..10_000)
        .map(|_| {
            (
                g.below(1 << 20) as u32,
                g.below(1 << 20) as u32,
                g.next_u64() as f64 / 3e15,
            )
        })
        .collect();
    let mut w = CoocWriter::create(&path, CoocFormat::Glove).unwrap();
    for r in &recs {
        w.write_f64(r.0, r.1, r.2).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(read_f64(&path), recs);
    // Byte layout: int32 i+1, int32 j+1, float64 x, native order.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 16 * recs.len());
    assert_eq!(bytes[0..4], ((recs[0].0 + 1) as i32).to_ne_bytes());
    assert_eq!(bytes[4..8], ((recs[0].1 + 1) as i32).to_ne_bytes());
    assert_eq!(bytes[8..16], recs[0].2.to_ne_bytes());
    // Re-writing what was read gives the same bytes.
    let again = dir.path().join("t.bin");
    let mut w = CoocWriter::create(&again, CoocFormat::Glove).unwrap();
    for r in read_f64(&path) {
        w.write_f64(r.0, r.1, r.2).unwrap();
    }
    w.finish().unwrap();
    assert!(std::fs::read(&again).unwrap() == bytes);
}

#[test]
fn hand_assembled_stanford_bytes_are_read_as_0_based_cooc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.bin");
    let mut bytes = Vec::new();
    for (i, j, x) in [(1i32, 2i32, 0.5f64), (3, 1, 7.25)] {
        bytes.extend_from_slice(&i.to_ne_bytes());
        bytes.extend_from_slice(&j.to_ne_bytes());
        bytes.extend_from_slice(&x.to_ne_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let got = read_all(&path, CoocFormat::Glove).unwrap();
    assert_eq!(
        got,
        [
            Cooc { i: 0, j: 1, x: 0.5 },
            Cooc {
                i: 2,
                j: 0,
                x: 7.25
            }
        ]
    );
    assert_eq!(CoocFormat::detect(&path).unwrap(), CoocFormat::Glove);
}

#[test]
fn malformed_stanford_files_are_errors_naming_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.bin");
    std::fs::write(&path, [0u8; 20]).unwrap();
    let e = CoocReader::open(&path, CoocFormat::Glove)
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated"), "{e}");
    let mut bytes = Vec::new();
    for (i, j, x) in [(1i32, 1i32, 1.0f64), (0, 1, 1.0)] {
        bytes.extend_from_slice(&i.to_ne_bytes());
        bytes.extend_from_slice(&j.to_ne_bytes());
        bytes.extend_from_slice(&x.to_ne_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = read_all(&path, CoocFormat::Glove).unwrap_err().to_string();
    assert!(e.contains("record 1") && e.contains("1-based"), "{e}");
    bytes[16..20].copy_from_slice(&1i32.to_ne_bytes());
    bytes[24..32].copy_from_slice(&f64::NAN.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let e = read_all(&path, CoocFormat::Glove).unwrap_err().to_string();
    assert!(e.contains("record 1") && e.contains("finite"), "{e}");
}

fn write_native(path: &Path, recs: &[Cooc]) {
    let mut w = CoocWriter::create(path, CoocFormat::Native).unwrap();
    for r in recs {
        w.write(r).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn native_file_round_trips_and_detects_corruption_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.bin");
    let mut g = Rng::new(1);
    let recs: Vec<Cooc> = (0..5000)
        .map(|_| Cooc {
            i: g.below(1 << 31) as u32,
            j: g.below(1 << 31) as u32,
            x: g.below(1000) as f32 / 7.0,
        })
        .collect();
    write_native(&path, &recs);
    assert_eq!(read_all(&path, CoocFormat::Native).unwrap(), recs);
    assert_eq!(
        CoocReader::open(&path, CoocFormat::Native).unwrap().len(),
        Some(5000)
    );
    let good = std::fs::read(&path).unwrap();
    assert_eq!(good.len(), 16 + 12 * 5000 + 24);

    // One flipped bit in a record: the checksum catches it at the end.
    let mut bad = good.clone();
    bad[16 + 12 * 1234 + 5] ^= 0x10;
    std::fs::write(&path, &bad).unwrap();
    let e = read_all(&path, CoocFormat::Native).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");

    // A truncated file: no footer.
    std::fs::write(&path, &good[..good.len() - 30]).unwrap();
    let e = CoocReader::open(&path, CoocFormat::Native)
        .unwrap_err()
        .to_string();
    assert!(e.contains("footer") || e.contains("truncated"), "{e}");

    // A Stanford file read as native: bad magic.
    let mut w = CoocWriter::create(&path, CoocFormat::Glove).unwrap();
    for _ in 0..4 {
        w.write(&Cooc { i: 0, j: 0, x: 1.0 }).unwrap();
    }
    w.finish().unwrap();
    let e = CoocReader::open(&path, CoocFormat::Native)
        .unwrap_err()
        .to_string();
    assert!(e.contains("magic"), "{e}");

    // An empty native file is valid.
    write_native(&path, &[]);
    assert!(read_all(&path, CoocFormat::Native).unwrap().is_empty());
}

#[test]
fn read_chunk_appends_and_returns_zero_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.bin");
    let recs: Vec<Cooc> = (0..10)
        .map(|k| Cooc {
            i: k,
            j: 9 - k,
            x: k as f32,
        })
        .collect();
    write_native(&path, &recs);
    let mut r = CoocReader::open(&path, CoocFormat::Native).unwrap();
    let mut buf = vec![Cooc::default()];
    assert_eq!(r.read_chunk(&mut buf, 4).unwrap(), 4);
    assert_eq!(r.read_chunk(&mut buf, 4).unwrap(), 4);
    assert_eq!(r.read_chunk(&mut buf, 4).unwrap(), 2);
    assert_eq!(r.read_chunk(&mut buf, 4).unwrap(), 0);
    assert_eq!(&buf[1..], &recs[..]);
}

#[test]
fn a_writer_dropped_without_finish_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never.bin");
    let mut w = CoocWriter::create(&path, CoocFormat::Native).unwrap();
    w.write(&Cooc { i: 1, j: 2, x: 3.0 }).unwrap();
    drop(w);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn shuffle_opts(seed: u64, memory: usize) -> ShuffleOptions {
    ShuffleOptions {
        seed,
        memory_bytes: memory,
        ..ShuffleOptions::default()
    }
}

#[test]
fn shuffle_is_a_seeded_permutation_in_memory_and_through_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000u32;
    let recs: Vec<Cooc> = (0..n)
        .map(|k| Cooc {
            i: k,
            j: k % 7,
            x: k as f32,
        })
        .collect();
    let input = dir.path().join("in.bin");
    write_native(&input, &recs);
    let mut outputs = Vec::new();
    // In memory; 3 to 4 buckets; many buckets with max 3 open files (recursion).
    for (k, (memory, max_open)) in [(64 << 20, 128), (96_000, 128), (24_000, 3)]
        .into_iter()
        .enumerate()
    {
        let out = dir.path().join(format!("out{k}.bin"));
        let o = ShuffleOptions {
            max_open_files: max_open,
            ..shuffle_opts(42, memory)
        };
        let s = cooccur::shuffle(&input, &out, &o).unwrap();
        assert_eq!(s.records, n as u64);
        assert_eq!(s.buckets > 0, memory < 1 << 20, "{s:?}");
        let got = read_all(&out, CoocFormat::Native).unwrap();
        let mut ids: Vec<u32> = got.iter().map(|c| c.i).collect();
        // Far from the identity: few records stay in place.
        let fixed = ids
            .iter()
            .enumerate()
            .filter(|&(p, &i)| p as u32 == i)
            .count();
        assert!(fixed < 20, "{fixed} fixed points");
        ids.sort_unstable();
        assert_eq!(ids, (0..n).collect::<Vec<_>>());
        assert!(got.iter().all(|c| c.j == c.i % 7 && c.x == c.i as f32));
        outputs.push(std::fs::read(&out).unwrap());
    }
    // Same seed, same budget: same order; another seed: another order.
    let again = dir.path().join("again.bin");
    cooccur::shuffle(&input, &again, &shuffle_opts(42, 64 << 20)).unwrap();
    assert!(std::fs::read(&again).unwrap() == outputs[0]);
    cooccur::shuffle(&input, &again, &shuffle_opts(43, 64 << 20)).unwrap();
    assert!(std::fs::read(&again).unwrap() != outputs[0]);
    // Only the input and outputs are left.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 5);
}

#[test]
fn shuffle_keeps_stanford_records_whole() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.bin");
    let mut w = CoocWriter::create(&input, CoocFormat::Glove).unwrap();
    for k in 0..3000u32 {
        w.write_f64(k, k + 1, 1.0 / (k as f64 + 3.0)).unwrap();
    }
    w.finish().unwrap();
    let out = dir.path().join("o.bin");
    cooccur::shuffle(&input, &out, &shuffle_opts(5, 40_000)).unwrap();
    let mut got = read_f64(&out);
    assert_ne!(got, read_f64(&input));
    got.sort_by_key(|e| e.0);
    assert_eq!(got, read_f64(&input));
}

#[test]
fn shuffle_of_three_records_gives_each_order_about_equally_often() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("three.bin");
    let recs: Vec<Cooc> = (0..3).map(|k| Cooc { i: k, j: 0, x: 1.0 }).collect();
    write_native(&input, &recs);
    let out = dir.path().join("o.bin");
    let mut seen: HashMap<Vec<u32>, usize> = HashMap::new();
    let runs = 600;
    for seed in 0..runs {
        cooccur::shuffle(&input, &out, &shuffle_opts(seed, 1 << 20)).unwrap();
        let order: Vec<u32> = read_all(&out, CoocFormat::Native)
            .unwrap()
            .iter()
            .map(|c| c.i)
            .collect();
        *seen.entry(order).or_default() += 1;
    }
    assert_eq!(seen.len(), 6);
    // Each of the 6 orders expected 100 times; sd about 9.1. Allow 5 sd.
    for (order, c) in &seen {
        assert!(
            (55..=145).contains(c),
            "{order:?} seen {c} times of {runs}: {seen:?}"
        );
    }
}

#[test]
fn library_pipeline_from_vocab_to_shuffled_file() {
    // tests/data/kjv_head.txt: the first 20,000 tokens of kjv.txt (public
    // domain, Debian package bible-kjv-text), cut into lines (see its README).
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv_head.txt");
    let vo = VocabOptions {
        min_count: 5,
        ..VocabOptions::default()
    };
    let v = Vocab::count(&corpus, &vo).unwrap();
    assert!(v.len() > 100);
    let sorted = dir.path().join("cooc.bin");
    let s = cooccur::count(&corpus, &v, &sorted, &opts(15)).unwrap();
    let text = std::fs::read_to_string(&corpus).unwrap();
    assert_eq!(s.tokens, text.split_whitespace().count() as u64);
    let got = read_f64(&sorted);
    assert_close(&got, &brute_force(&text, &v, 15, true, true), "kjv head");
    let shuffled = dir.path().join("shuf.bin");
    cooccur::shuffle(&sorted, &shuffled, &shuffle_opts(1, 1 << 20)).unwrap();
    let mut back = read_f64(&shuffled);
    back.sort_by_key(|e| (e.0, e.1));
    assert_eq!(back, got);
}

#[test]
fn command_line_vocab_cooccur_shuffle() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv_head.txt");
    let vocab = dir.path().join("vocab.txt");
    let cooc = dir.path().join("cooc.bin");
    let shuf = dir.path().join("shuf.bin");
    ok(bin()
        .arg("vocab")
        .arg(&corpus)
        .arg("-o")
        .arg(&vocab)
        .args(["--min-count", "3", "-q"]));
    let v = Vocab::read(&vocab).unwrap();
    assert!(v.counts().iter().all(|&c| c >= 3));
    let out = common::run(
        bin()
            .arg("cooccur")
            .arg(&corpus)
            .arg("--vocab")
            .arg(&vocab)
            .arg("-o")
            .arg(&cooc)
            .args(["--window", "5", "--format", "native"])
            .args(["--memory-mb", "64", "--quiet"]),
    );
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stderr.is_empty(), "--quiet printed {}", out.stderr);
    ok(bin()
        .arg("shuffle")
        .arg(&cooc)
        .arg("-o")
        .arg(&shuf)
        .args(["--seed", "3", "-q"]));
    let mut a = read_all(&cooc, CoocFormat::Native).unwrap();
    let b = read_all(&shuf, CoocFormat::Native).unwrap();
    assert_ne!(a, b);
    let mut b = b;
    a.sort_by_key(|c| (c.i, c.j));
    b.sort_by_key(|c| (c.i, c.j));
    assert_eq!(a, b);
    // A bad vocabulary file: a clear error naming the line, and a failure code.
    std::fs::write(&vocab, "the 3\nand\n").unwrap();
    let err = fails(
        bin()
            .arg("cooccur")
            .arg(&corpus)
            .arg("--vocab")
            .arg(&vocab)
            .arg("-o")
            .arg(&cooc),
    );
    assert!(err.contains("line 2"), "{err}");
}
