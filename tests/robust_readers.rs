//! Every reader on arbitrary bytes: a value or an error, never a panic or a hang.
//!
//! A stand-in for coverage-guided fuzzing (`cargo fuzz` needs a nightly toolchain,
//! which this project's machines do not have): proptest feeds each reader random
//! bytes and mutations of a valid file, and each must return. Failing inputs that
//! proptest finds are kept in `tests/robust_readers.proptest-regressions`, which
//! `cargo test` replays.

use std::io::Write;

use glove_wgpu::cooccur::{self, CoocFormat};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::eval::{AnalogyQuestions, WordPairs};
use glove_wgpu::input::Input;
use glove_wgpu::io::{self, Format};
use glove_wgpu::train::checkpoint::Checkpoint;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use proptest::prelude::*;

/// A valid file in each format, to mutate.
const GLOVE: &[u8] = b"the 0.1 -0.2 3\nof 1e-3 2 0\nand 4 5 6\n";
const W2V: &[u8] = b"3 3\nthe 0.1 -0.2 3\nof 1e-3 2 0\nand 4 5 6\n";

/// Bytes that are random, or a valid file with a few bytes changed, cut short or
/// duplicated.
fn bytes_near(valid: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        (
            proptest::collection::vec((0usize..64, any::<u8>()), 0..6),
            0usize..valid.len() + 1
        )
            .prop_map(move |(edits, cut)| {
                let mut b = valid[..cut].to_vec();
                for (at, v) in edits {
                    if !b.is_empty() {
                        let i = at % b.len();
                        b[i] = v;
                    }
                }
                b
            }),
    ]
}

/// The valid word2vec file compressed every way the readers take, and as a
/// zip member: `(name, bytes)`.
fn compressed(valid: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(valid).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(valid).unwrap();
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(valid).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("v.txt", opts).unwrap();
    zip.write_all(valid).unwrap();
    vec![
        ("gz", gz.finish().unwrap()),
        ("bz2", bz.finish().unwrap()),
        ("xz", xz.finish().unwrap()),
        ("zst", zstd::encode_all(valid, 3).unwrap()),
        ("zip", zip.finish().unwrap().into_inner()),
    ]
}

/// A compressed valid file (each way in turn) with a few bytes changed, cut
/// short or cut at a random place.
fn compressed_near(valid: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let all = compressed(valid);
    (
        0..all.len(),
        proptest::collection::vec((0usize..4096, any::<u8>()), 0..4),
        0usize..4096,
    )
        .prop_map(move |(k, edits, cut)| {
            let mut b = all[k].1.clone();
            b.truncate(cut.max(b.len() / 3).min(b.len()));
            for (at, v) in edits {
                if !b.is_empty() {
                    let i = at % b.len();
                    b[i] = v;
                }
            }
            b
        })
}

fn in_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

proptest! {
    // 2,000 cases each in the suite; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn vectors_readers_return(bytes in bytes_near(W2V)) {
        for format in [Format::Glove, Format::Word2vec, Format::Word2vecBin, Format::Fasttext] {
            let _ = io::read_bytes(&bytes, format, "fuzz");
        }
        let _ = io::read_bytes(&bytes, Format::detect_bytes(&bytes), "fuzz");
    }

    #[test]
    fn glove_reader_returns(bytes in bytes_near(GLOVE)) {
        let _ = io::read_bytes(&bytes, Format::Glove, "fuzz");
    }

    #[test]
    fn cooccurrence_readers_return(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let f = in_file(&bytes);
        for format in [CoocFormat::Glove, CoocFormat::Native] {
            let _ = cooccur::read_all(f.path(), format);
        }
    }

    #[test]
    fn vocab_checkpoint_and_eval_readers_return(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let f = in_file(&bytes);
        let _ = Vocab::read(f.path());
        let _ = Checkpoint::load(f.path());
        let text = String::from_utf8_lossy(&bytes);
        let _ = AnalogyQuestions::parse(&text, "fuzz", false);
        let _ = WordPairs::parse(&text, "fuzz", false);
    }

    /// The compressed readers (gzip, bzip2, xz, zstd, zip) under every reader
    /// that takes them: vectors (detected or named), a vocabulary, a corpus,
    /// evaluation files, co-occurrences for training. A value or an error.
    #[test]
    fn compressed_readers_return(bytes in compressed_near(W2V)) {
        let f = in_file(&bytes);
        let _ = io::read_auto(f.path(), None, &mut |_| Ok(()));
        let _ = io::read(f.path(), Format::Word2vec);
        let _ = Vocab::read(f.path());
        let opts = VocabOptions { min_count: 1, block_bytes: 64, ..Default::default() };
        let _ = Vocab::count(f.path(), &opts);
        let _ = AnalogyQuestions::read(f.path(), false);
        let _ = WordPairs::read(f.path(), false);
        let dir = tempfile::tempdir().unwrap();
        let _ = glove_wgpu::pipeline::cooc_input(f.path(), None, 1 << 20, dir.path(), &mut |_| Ok(()));
        if let Ok(mut input) = Input::from_reader(std::io::Cursor::new(bytes.clone()), "fuzz") {
            let _ = input.read_all();
        }
    }

    #[test]
    fn tokenizer_returns(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let opts = VocabOptions { min_count: 1, block_bytes: 64, ..Default::default() };
        let _ = Vocab::count(Corpus::reader(std::io::Cursor::new(bytes)), &opts);
    }
}
