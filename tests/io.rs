//! Embedding file formats: round trips, files written by other tools
//! (`tests/data/`, see the scripts there), every malformed case, atomic writes.

mod common;

use std::path::{Path, PathBuf};

use glove_wgpu::io::{self, Format};
use glove_wgpu::{Embeddings, Error};
use proptest::prelude::*;

use common::Rng;

const ALL: [Format; 4] = [
    Format::Glove,
    Format::Word2vec,
    Format::Word2vecBin,
    Format::Fasttext,
];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Words with accents, CJK, emoji and punctuation, made unique by a suffix.
fn random_words(rng: &mut Rng, n: usize) -> Vec<String> {
    const STEMS: [&str; 10] = [
        "the",
        "naïve",
        "東京",
        "😀",
        "c++",
        ",",
        "l'été",
        "Straße",
        "Ω≈ç",
        "\u{1F1EB}\u{1F1F7}",
    ];
    (0..n)
        .map(|i| format!("{}{i}", STEMS[rng.below(STEMS.len() as u64) as usize]))
        .collect()
}

/// Values of every magnitude: ordinary, tiny, huge, subnormal, signed zero.
fn random_values(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| match rng.below(8) {
            0 => f32::from_bits(1 + rng.below(0x007F_FFFF) as u32), // subnormal
            1 => -0.0,
            2 => rng.unit() * 1e30,
            3 => -rng.unit() * 1e-30,
            4 => f32::MAX,
            _ => rng.uniform(),
        })
        .collect()
}

fn random_embeddings(seed: u64, n: usize, dim: usize) -> Embeddings {
    let mut rng = Rng::new(seed);
    let words = random_words(&mut rng, n);
    let values = random_values(&mut rng, n * dim);
    Embeddings::new(words, dim, values).unwrap()
}

/// Equal words, dimension and bit-identical values (so -0.0 != 0.0).
fn assert_same(a: &Embeddings, b: &Embeddings) {
    assert_eq!(a.words(), b.words());
    assert_eq!(a.dim(), b.dim());
    let bits = |e: &Embeddings| e.matrix().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
}

fn roundtrip_bytes(e: &Embeddings, format: Format) -> Embeddings {
    let mut bytes = Vec::new();
    io::write_to(e, &mut bytes, format).unwrap();
    io::read_bytes(&bytes, format, "mem").unwrap()
}

#[test]
fn roundtrip_every_format_dims_1_odd_300_exact_bits() {
    for format in ALL {
        for (seed, dim) in [(1, 1), (2, 7), (3, 300)] {
            for n in [1, 37] {
                let e = random_embeddings(seed * 100 + n as u64, n, dim);
                assert_same(&e, &roundtrip_bytes(&e, format));
            }
        }
    }
}

#[test]
fn roundtrip_zero_rows_keeps_dim_where_the_header_holds_it() {
    for format in [Format::Word2vec, Format::Word2vecBin, Format::Fasttext] {
        let e = Embeddings::new(Vec::new(), 50, Vec::new()).unwrap();
        assert_same(&e, &roundtrip_bytes(&e, format));
    }
    // GloVe has no header: an empty file is zero words of dimension 0.
    let e = Embeddings::new(Vec::new(), 50, Vec::new()).unwrap();
    let back = roundtrip_bytes(&e, Format::Glove);
    assert_eq!((back.len(), back.dim()), (0, 0));
}

#[test]
fn roundtrip_zero_dimensions_in_headered_formats() {
    let e = Embeddings::new(vec!["a".into(), "b".into()], 0, Vec::new()).unwrap();
    for format in [Format::Word2vec, Format::Word2vecBin] {
        assert_same(&e, &roundtrip_bytes(&e, format));
    }
    let err = io::write_to(&e, Vec::new(), Format::Glove).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn roundtrip_through_files_for_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let e = random_embeddings(9, 123, 13);
    for format in ALL {
        let path = dir.path().join(format!("v.{format}"));
        io::write(&e, &path, format).unwrap();
        assert_same(&e, &io::read(&path, format).unwrap());
        assert_same(&e, &Embeddings::load(&path, format).unwrap());
    }
}

#[test]
fn roundtrip_many_rows_crosses_parallel_chunks() {
    // ~4 MB of text: several parsing tasks, several write batches.
    let e = random_embeddings(11, 40_000, 9);
    for format in ALL {
        assert_same(&e, &roundtrip_bytes(&e, format));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn text_roundtrip_is_exact_for_any_finite_f32(
        bits in prop::collection::vec(any::<u32>(), 1..40),
        words in prop::collection::hash_set("[a-zé東😀,.'+-]{1,6}", 1..6),
    ) {
        let words: Vec<String> = words.into_iter().collect();
        let dim = bits.len().div_ceil(words.len());
        let values: Vec<f32> = (0..words.len() * dim)
            .map(|i| f32::from_bits(bits[i % bits.len()]))
            .map(|v| if v.is_finite() { v } else { 1.5 })
            .collect();
        let e = Embeddings::new(words, dim, values).unwrap();
        for format in ALL {
            assert_same(&e, &roundtrip_bytes(&e, format));
        }
    }
}

// ---------- files written by other tools ----------

/// The words and exact values gensim was given (tests/data/gensim_expected.json).
fn gensim_expected() -> Embeddings {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("gensim_expected.json")).unwrap())
            .unwrap();
    let words: Vec<String> = json["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let values: Vec<f32> = json["bits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().clone())
        .map(|b| f32::from_bits(b.as_u64().unwrap() as u32))
        .collect();
    Embeddings::new(words, json["dim"].as_u64().unwrap() as usize, values).unwrap()
}

fn assert_close(a: &Embeddings, b: &Embeddings, rel: f32, abs: f32) {
    assert_eq!(a.words(), b.words());
    assert_eq!(a.dim(), b.dim());
    for (i, (x, y)) in a.matrix().iter().zip(b.matrix()).enumerate() {
        assert!(
            (x - y).abs() <= abs + rel * y.abs(),
            "value {i}: {x} vs {y}"
        );
    }
}

#[test]
fn reads_gensim_binary_without_newlines_exactly() {
    let e = io::read(data("gensim.bin"), Format::Word2vecBin).unwrap();
    assert_same(&e, &gensim_expected());
}

#[test]
fn reads_gensim_text_exactly() {
    let e = io::read(data("gensim.txt"), Format::Word2vec).unwrap();
    assert_same(&e, &gensim_expected());
}

#[test]
fn reads_stanford_glove_printf_lf_output() {
    let e = io::read(data("stanford_glove.txt"), Format::Glove).unwrap();
    // `%lf` keeps 6 decimals.
    assert_close(&e, &gensim_expected(), 0.0, 5.1e-7);
}

#[test]
fn reads_fasttext_vec_with_trailing_spaces() {
    let e = io::read(data("fasttext.vec"), Format::Fasttext).unwrap();
    // `setprecision(5)` keeps 5 significant digits.
    assert_close(&e, &gensim_expected(), 5e-5, 0.0);
}

#[test]
fn binary_with_and_without_newline_after_vectors_reads_the_same() {
    let e = gensim_expected();
    let mut ours = Vec::new();
    io::write_to(&e, &mut ours, Format::Word2vecBin).unwrap();
    let theirs = std::fs::read(data("gensim.bin")).unwrap();
    assert_eq!(ours.len(), theirs.len() + e.len(), "one newline per record");
    assert_same(
        &e,
        &io::read_bytes(&ours, Format::Word2vecBin, "ours").unwrap(),
    );
    assert_same(
        &e,
        &io::read_bytes(&theirs, Format::Word2vecBin, "gensim").unwrap(),
    );
}

#[test]
fn detect_recognises_each_fixture() {
    assert_eq!(
        Format::detect(data("gensim.bin")).unwrap(),
        Format::Word2vecBin
    );
    assert_eq!(
        Format::detect(data("gensim.txt")).unwrap(),
        Format::Word2vec
    );
    assert_eq!(
        Format::detect(data("fasttext.vec")).unwrap(),
        Format::Fasttext
    );
    assert_eq!(
        Format::detect(data("stanford_glove.txt")).unwrap(),
        Format::Glove
    );
    assert_eq!(Format::detect_bytes(b""), Format::Glove);
}

#[test]
fn bom_crlf_tabs_and_trailing_blank_lines_are_accepted() {
    let text = "\u{feff}2 3 \r\nα 1 2\t3\r\nβ  4 5 6 \r\n\r\n\n  \n";
    let e = io::read_bytes(text.as_bytes(), Format::Word2vec, "t").unwrap();
    assert_eq!(e.words(), ["α", "β"]);
    assert_eq!(e.matrix(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let glove = "\u{feff}α 1 2 3\r\nβ 4 5 6\r\n\r\n";
    let g = io::read_bytes(glove.as_bytes(), Format::Glove, "t").unwrap();
    assert_eq!(g, e);
    let no_final_newline = "α 1 2 3\nβ 4 5 6";
    let g = io::read_bytes(no_final_newline.as_bytes(), Format::Glove, "t").unwrap();
    assert_eq!(g, e);
}

// ---------- malformed input: one test per case ----------

/// The (location, problem) of the `Error::Malformed` that reading gives.
fn malformed(bytes: &[u8], format: Format) -> (String, String) {
    match io::read_bytes(bytes, format, "bad.txt") {
        Err(Error::Malformed {
            source_name,
            location,
            problem,
        }) => {
            assert_eq!(source_name, "bad.txt");
            (location, problem)
        }
        other => panic!("expected a Malformed error, got {other:?}"),
    }
}

fn assert_malformed(bytes: &[u8], format: Format, location: &str, problem_has: &[&str]) {
    let (loc, problem) = malformed(bytes, format);
    assert_eq!(loc, location, "problem: {problem}");
    for part in problem_has {
        assert!(problem.contains(part), "{problem:?} lacks {part:?}");
    }
}

#[test]
fn malformed_too_many_columns_says_expected_and_found() {
    assert_malformed(
        b"a 1 2\nb 1 2 3 4\n",
        Format::Glove,
        "line 2",
        &["expected 2 values, found 4"],
    );
}

#[test]
fn malformed_too_few_columns_against_the_header() {
    assert_malformed(
        b"2 3\na 1 2 3\nb 1 2\n",
        Format::Word2vec,
        "line 3",
        &["expected 3 values, found 2"],
    );
}

#[test]
fn malformed_non_numeric_value_is_quoted() {
    assert_malformed(
        b"a 1 2\nb 1 2x\n",
        Format::Glove,
        "line 2",
        &["value 2 is not a number", "\"2x\""],
    );
}

#[test]
fn malformed_nan_value() {
    assert_malformed(
        b"a 1 2\nb 3 4\nc NaN 1\n",
        Format::Glove,
        "line 3",
        &["value 1 is not finite", "\"NaN\""],
    );
}

#[test]
fn malformed_inf_and_overflowing_values() {
    assert_malformed(
        b"1 2\na -inf 1\n",
        Format::Word2vec,
        "line 2",
        &["not finite", "\"-inf\""],
    );
    assert_malformed(
        b"a 1 2\nb 1 1e39\n",
        Format::Glove,
        "line 2",
        &["value 2 is not finite", "\"1e39\""],
    );
}

#[test]
fn malformed_duplicate_word_names_both_lines() {
    assert_malformed(
        b"3 1\nx 1\ny 2\nx 3\n",
        Format::Fasttext,
        "line 4",
        &["duplicate word \"x\"", "first on line 2"],
    );
}

#[test]
fn malformed_bad_header() {
    assert_malformed(
        b"3 x\na 1\n",
        Format::Word2vec,
        "line 1",
        &["bad header \"3 x\""],
    );
    assert_malformed(b"3 2 1\n", Format::Word2vec, "line 1", &["bad header"]);
    // A huge first line is quoted briefly.
    let long = "é".repeat(1 << 20);
    let (_, problem) = malformed(long.as_bytes(), Format::Word2vec);
    assert!(
        problem.len() < 200 && problem.contains("\"..."),
        "{problem}"
    );
}

#[test]
fn malformed_huge_header_dimension_fails_on_the_row_without_allocating() {
    assert_malformed(
        b"1 1000000000000000\na 1\n",
        Format::Word2vec,
        "line 2",
        &["expected 1000000000000000 values, found 1"],
    );
    assert_malformed(
        b"1 4611686018427387904\na 1\n",
        Format::Word2vecBin,
        "header",
        &["too large"],
    );
    assert_malformed(
        b"1000000000000 2\n",
        Format::Word2vecBin,
        "record 1",
        &["file ends after 0 records"],
    );
}

#[test]
fn malformed_missing_header_hints_at_glove() {
    assert_malformed(
        b"the 0.1 0.2 0.3\n",
        Format::Word2vec,
        "line 1",
        &["bad header", "GloVe"],
    );
}

#[test]
fn malformed_header_count_larger_than_rows() {
    assert_malformed(
        b"3 2\na 1 2\nb 3 4\n",
        Format::Word2vec,
        "line 1",
        &["header says 3 words, but the file has 2"],
    );
}

#[test]
fn malformed_header_count_smaller_than_rows() {
    assert_malformed(
        b"1 2\na 1 2\nb 3 4\n",
        Format::Fasttext,
        "line 1",
        &["header says 1 words, but the file has 2"],
    );
}

#[test]
fn malformed_empty_file_where_a_header_is_required() {
    for format in [Format::Word2vec, Format::Fasttext] {
        assert_malformed(b"", format, "line 1", &["empty file"]);
        assert_malformed(b"\n \r\n", format, "line 1", &["empty file"]);
    }
    assert_malformed(b"", Format::Word2vecBin, "header", &["empty file"]);
    // GloVe needs no header: an empty file is empty embeddings.
    assert!(io::read_bytes(b"", Format::Glove, "e").unwrap().is_empty());
}

#[test]
fn malformed_invalid_utf8_word_in_text() {
    assert_malformed(
        b"ok 1\nb\xffd 2\n",
        Format::Glove,
        "line 2",
        &["invalid UTF-8"],
    );
}

/// Whitespace other than the separators is part of a word (the tokenizer's rule,
/// `corpus::word_problem`): every format writes and reads it back. It used to be
/// rejected when the vectors were written, after every epoch had run.
#[test]
fn other_whitespace_inside_words_round_trips_in_every_format() {
    let words = [
        "no\u{a0}break",
        "v\x0btab",
        "\x0cform",
        "ideo\u{3000}space",
        "nel\u{85}x",
    ];
    let e = Embeddings::new(
        words.iter().map(|w| w.to_string()).collect(),
        2,
        (0..10).map(|v| v as f32).collect(),
    )
    .unwrap();
    for format in [
        Format::Glove,
        Format::Word2vec,
        Format::Word2vecBin,
        Format::Fasttext,
    ] {
        assert_same(&e, &roundtrip_bytes(&e, format));
    }
    assert!(Embeddings::new(vec!["two words".into()], 1, vec![0.0]).is_err());
}

#[test]
fn malformed_blank_line_between_rows() {
    assert_malformed(b"a 1\n\nb 2\n", Format::Glove, "line 2", &["blank line"]);
}

#[test]
fn malformed_line_starting_with_whitespace() {
    assert_malformed(b"a 1\n b 2\n", Format::Glove, "line 2", &["empty word"]);
}

#[test]
fn malformed_glove_word_without_values() {
    assert_malformed(b"word\n", Format::Glove, "line 1", &["no values"]);
}

#[test]
fn malformed_line_numbers_are_exact_across_parallel_chunks() {
    // ~3 MB: the file is cut into many tasks; errors far from the start.
    let e = random_embeddings(5, 30_000, 8);
    let mut text = Vec::new();
    io::write_to(&e, &mut text, Format::Glove).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for target in [0usize, 1, 12_345, 29_999] {
        // Line 1 sets a GloVe file's dimension, so an extra value there
        // makes line 2 the first wrong one.
        let (line, expected, found) = match target {
            0 => (2, 9, 8),
            t => (t + 1, 8, 9),
        };
        let mut bad: Vec<u8> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                bad.push(b'\n');
            }
            bad.extend_from_slice(l);
            if i == target {
                bad.extend_from_slice(b" 9");
            }
        }
        assert_malformed(
            &bad,
            Format::Glove,
            &format!("line {line}"),
            &[&format!("expected {expected} values, found {found}")],
        );
    }
    // A duplicate far apart names both lines.
    let mut dup = text.clone();
    dup.extend_from_slice(format!("{} 1 2 3 4 5 6 7 8\n", e.word(3).unwrap()).as_bytes());
    assert_malformed(
        &dup,
        Format::Glove,
        "line 30001",
        &["duplicate word", "first on line 4"],
    );
}

fn binary(header: &str, records: &[(&[u8], &[f32])], newline: bool) -> Vec<u8> {
    let mut out = header.as_bytes().to_vec();
    for (w, v) in records {
        out.extend_from_slice(w);
        out.push(b' ');
        for x in *v {
            out.extend_from_slice(&x.to_le_bytes());
        }
        if newline {
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn malformed_binary_truncated_record() {
    let mut bytes = binary(
        "2 3\n",
        &[(b"a", &[1.0, 2.0, 3.0]), (b"b", &[4.0, 5.0, 6.0])],
        true,
    );
    bytes.truncate(bytes.len() - 6);
    assert_malformed(
        &bytes,
        Format::Word2vecBin,
        "record 2",
        &["truncated", "expected 12 bytes of vector, found 7"],
    );
}

#[test]
fn malformed_binary_fewer_records_than_the_header() {
    let bytes = binary("3 1\n", &[(b"a", &[1.0]), (b"b", &[2.0])], false);
    assert_malformed(
        &bytes,
        Format::Word2vecBin,
        "record 3",
        &["file ends after 2 records, but the header says 3"],
    );
}

#[test]
fn malformed_binary_more_records_than_the_header() {
    let bytes = binary("1 1\n", &[(b"a", &[1.0]), (b"b", &[2.0])], true);
    let (loc, problem) = malformed(&bytes, Format::Word2vecBin);
    assert_eq!(loc, "byte 11");
    assert!(problem.contains("after the 1 records"), "{problem}");
}

#[test]
fn malformed_binary_word_without_space_at_end() {
    let mut bytes = binary("2 1\n", &[(b"a", &[1.0])], true);
    bytes.extend_from_slice(b"bword");
    assert_malformed(
        &bytes,
        Format::Word2vecBin,
        "record 2",
        &["no space after the word \"bword\""],
    );
}

#[test]
fn malformed_binary_invalid_utf8_word() {
    let bytes = binary("2 1\n", &[(b"a", &[1.0]), (b"b\xc3\x28", &[2.0])], true);
    assert_malformed(&bytes, Format::Word2vecBin, "record 2", &["invalid UTF-8"]);
}

#[test]
fn malformed_binary_nan_value() {
    let bytes = binary(
        "2 2\n",
        &[(b"a", &[1.0, 1.0]), (b"b", &[0.5, f32::NAN])],
        true,
    );
    assert_malformed(
        &bytes,
        Format::Word2vecBin,
        "record 2",
        &["value 2 of word \"b\" is not finite"],
    );
}

#[test]
fn malformed_binary_duplicate_word_names_both_records() {
    let bytes = binary(
        "3 1\n",
        &[(b"a", &[1.0]), (b"b", &[2.0]), (b"a", &[3.0])],
        false,
    );
    assert_malformed(
        &bytes,
        Format::Word2vecBin,
        "record 3",
        &["duplicate word \"a\"", "first on record 1"],
    );
}

#[test]
fn malformed_binary_bad_header() {
    assert_malformed(b"x y\nab", Format::Word2vecBin, "header", &["bad header"]);
    assert_malformed(b"12 3", Format::Word2vecBin, "header", &["no newline"]);
}

#[test]
fn malformed_error_from_a_path_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.txt");
    std::fs::write(&path, "a 1\nb x\n").unwrap();
    let err = io::read(&path, Format::Glove).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: line 2: value 1 is not a number: \"x\"", path.display())
    );
    let missing = io::read(dir.path().join("nope.txt"), Format::Glove).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
}

// ---------- atomic writes, projector ----------

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn write_replaces_the_previous_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.txt");
    let a = random_embeddings(1, 5, 3);
    let b = random_embeddings(2, 8, 3);
    io::write(&a, &path, Format::Glove).unwrap();
    io::write(&b, &path, Format::Glove).unwrap();
    assert_same(&b, &io::read(&path, Format::Glove).unwrap());
    assert_eq!(dir_entries(dir.path()), ["v.txt"]);
}

#[test]
fn failed_write_keeps_the_previous_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.txt");
    let old = random_embeddings(1, 5, 3);
    io::write(&old, &path, Format::Glove).unwrap();
    let before = std::fs::read(&path).unwrap();
    // GloVe cannot hold 0-dimensional rows: the write fails.
    let zero_dim = Embeddings::new(vec!["a".into()], 0, Vec::new()).unwrap();
    assert!(io::write(&zero_dim, &path, Format::Glove).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(dir_entries(dir.path()), ["v.txt"]);
    // A destination that is a folder: the write fails, the folder stays.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert!(io::write(&old, &sub, Format::Word2vec).is_err());
    assert!(sub.is_dir());
    assert_eq!(dir_entries(dir.path()), ["sub", "v.txt"]);
}

#[test]
fn write_to_a_failing_writer_is_an_io_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = io::write_to(&random_embeddings(1, 3, 2), Full, Format::Word2vec).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn projector_export_writes_vectors_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("projector");
    let e = random_embeddings(4, 6, 5);
    io::write_projector(&e, &out).unwrap();
    let vectors = std::fs::read_to_string(out.join("vectors.tsv")).unwrap();
    let metadata = std::fs::read_to_string(out.join("metadata.tsv")).unwrap();
    assert_eq!(metadata.lines().collect::<Vec<_>>(), e.words());
    let values: Vec<Vec<f32>> = vectors
        .lines()
        .map(|l| l.split('\t').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(values.len(), e.len());
    for (i, row) in values.iter().enumerate() {
        assert_eq!(Some(row.as_slice()), e.vector(i as u32));
    }
    assert_eq!(dir_entries(&out), ["metadata.tsv", "vectors.tsv"]);
}

/// A word2vec text file with one stray non-UTF-8 byte in a value: detected as
/// text (its first record reads as text), and the reader names the line, where it
/// used to be taken for binary and garbage loaded.
#[test]
fn stray_byte_in_word2vec_text_is_reported_at_its_line() {
    let bytes = b"3 2\nthe 0.1 0.2\ncat 0.\xff3 1\ndog 1 2\n";
    assert_eq!(Format::detect_bytes(bytes), Format::Word2vec);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stray.txt");
    std::fs::write(&path, bytes).unwrap();
    let err = io::read(&path, Format::detect(&path).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
}

/// Memory that runs out on the host is not labelled a GPU failure.
#[test]
fn host_out_of_memory_is_not_called_a_gpu_failure() {
    let e = glove_wgpu::Error::OutOfMemory("cannot map 9 MiB".into());
    assert_eq!(e.to_string(), "out of memory: cannot map 9 MiB");
}

/// A vectors file truncated by another process while it is being read: an error
/// or the rows read, never SIGBUS (the reader no longer memory-maps files).
#[test]
fn file_truncated_while_read_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let e = random_embeddings(11, 80_000, 100); // about 80 MB: the parallel read
    io::write(&e, &path, Format::Glove).unwrap();
    let full = std::fs::read(&path).unwrap();
    for delay_us in [0u64, 200, 2000] {
        std::fs::write(&path, &full).unwrap();
        let p = path.clone();
        let cut = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_micros(delay_us));
            let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.set_len(1000).unwrap();
        });
        match io::read(&path, Format::Glove) {
            Ok(got) => assert!(got.len() <= e.len()),
            Err(err) => assert!(err.to_string().contains("big.txt"), "{err}"),
        }
        cut.join().unwrap();
    }
}

/// A fastText file with a malformed header is taken for GloVe by detection; the
/// error says the first line looks like a broken header.
#[test]
fn malformed_fasttext_header_is_named_as_such() {
    let bytes = b"2 3 9\nthe 1 2 3\nof 4 5 6\n";
    assert_eq!(Format::detect_bytes(bytes), Format::Glove);
    let err = io::read_bytes(bytes, Format::Glove, "bad.vec")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.vec: line 2") && err.contains("header"),
        "{err}"
    );
    // A real GloVe file whose first word is a number keeps the plain message.
    let err = io::read_bytes(b"2 x 1\n", Format::Glove, "g.txt")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("header"), "{err}");
}
