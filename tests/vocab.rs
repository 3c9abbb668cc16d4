//! Vocabulary counting and Stanford's `vocab.txt`: hand cases, a brute-force
//! reference under every block size and thread count, file errors.

mod common;

use std::collections::HashMap;
use std::path::Path;

use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};

fn opts(min_count: u64) -> VocabOptions {
    VocabOptions {
        min_count,
        ..VocabOptions::default()
    }
}

fn count_str(text: &str, o: &VocabOptions) -> Vocab {
    Vocab::count(
        Corpus::reader(std::io::Cursor::new(text.as_bytes().to_vec())),
        o,
    )
    .unwrap()
}

/// `vocab_count`, written the obvious way.
fn brute_force(text: &str, min_count: u64, max_vocab: Option<usize>) -> (Vec<String>, Vec<u64>) {
    let mut m: HashMap<&str, u64> = HashMap::new();
    for w in text
        .split([' ', '\t', '\n', '\r'])
        .filter(|w| !w.is_empty())
    {
        *m.entry(w).or_default() += 1;
    }
    let mut v: Vec<(&str, u64)> = m.into_iter().filter(|e| e.1 >= min_count).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if let Some(k) = max_vocab {
        v.truncate(k);
    }
    (
        v.iter().map(|e| e.0.to_string()).collect(),
        v.iter().map(|e| e.1).collect(),
    )
}

#[test]
fn hand_computed_counts_ties_broken_by_word() {
    let v = count_str("b c a\nc b\n\ta  d b\n", &opts(1));
    assert_eq!(v.words(), ["b", "a", "c", "d"]);
    assert_eq!(v.counts(), [3, 2, 2, 1]);
    assert_eq!(v.id("c"), Some(2));
    assert_eq!(v.id("e"), None);
    assert_eq!(v.corpus_tokens(), 8);
    assert_eq!(v.distinct_words(), 4);
}

#[test]
fn min_count_and_max_vocab() {
    let text = "a a a b b c c d";
    let v = count_str(text, &opts(2));
    assert_eq!(v.words(), ["a", "b", "c"]);
    let v = count_str(
        text,
        &VocabOptions {
            max_vocab: Some(2),
            ..opts(1)
        },
    );
    assert_eq!(v.words(), ["a", "b"]);
    assert_eq!(count_str(text, &opts(4)).len(), 0);
}

#[test]
fn bytes_order_ties_like_strcmp_and_keeps_unicode_words() {
    let v = count_str("été Zebra apple éte zebra\u{a0}x", &opts(1));
    // strcmp order: ASCII upper case < lower case < multi-byte UTF-8; a
    // no-break space is not a separator for Stanford either.
    assert_eq!(v.words(), ["Zebra", "apple", "zebra\u{a0}x", "éte", "été"]);
}

#[test]
fn random_corpora_match_brute_force_whatever_block_size_and_threads() {
    let mut g = common::Rng::new(17);
    for case in 0..20 {
        let n = 2 + g.next_u64() % 500;
        let len = g.next_u64() % 20_000;
        let mut text = String::new();
        for _ in 0..len {
            let r = g.next_u64();
            text.push_str(&format!("w{}", (r % n) * (r % 3) / 2));
            text.push(match g.next_u64() % 10 {
                0 => '\n',
                1 => '\t',
                2 => '\r',
                _ => ' ',
            });
        }
        let min_count = g.next_u64() % 6;
        let max_vocab = g
            .next_u64()
            .is_multiple_of(3)
            .then(|| (g.next_u64() % 50) as usize);
        let (words, counts) = brute_force(&text, min_count, max_vocab);
        for (threads, block) in [(1, 1 << 20), (2, 16), (3, 1000)] {
            let o = VocabOptions {
                min_count,
                max_vocab,
                threads,
                block_bytes: block,
            };
            let v = count_str(&text, &o);
            assert_eq!(
                v.words(),
                words,
                "case {case}, {threads} threads, block {block}"
            );
            assert_eq!(v.counts(), counts, "case {case}");
            assert_eq!(v.corpus_tokens(), len, "case {case}");
        }
    }
}

#[test]
fn a_word_longer_than_the_block_is_kept_whole() {
    let long = "x".repeat(5000);
    let text = format!("a {long} b {long}\n{long}");
    let o = VocabOptions {
        block_bytes: 64,
        threads: 2,
        ..opts(1)
    };
    let v = count_str(&text, &o);
    assert_eq!(v.words()[0], long);
    assert_eq!(v.counts(), [3, 1, 1]);
}

#[test]
fn fixture_counts_match_brute_force() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv_head.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let v = Vocab::count(&path, &opts(5)).unwrap();
    let (words, counts) = brute_force(&text, 5, None);
    assert_eq!(v.words(), words);
    assert_eq!(v.counts(), counts);
    assert_eq!(v.words()[0], "and"); // Genesis: "and" before "the"
}

#[test]
fn write_then_read_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.txt");
    let v = count_str("c b a b c c é", &opts(1));
    v.write(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "c 3\nb 2\na 1\né 1\n"
    );
    let back = Vocab::read(&path).unwrap();
    assert_eq!(back, v);
    assert_eq!(back.id("é"), Some(3));
}

#[test]
fn read_keeps_file_order_and_skips_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.txt");
    // Stanford's cooccur uses the file's order, whatever the counts.
    std::fs::write(&path, "b 1\n\na 7\r\n").unwrap();
    let v = Vocab::read(&path).unwrap();
    assert_eq!(v.words(), ["b", "a"]);
    assert_eq!(v.counts(), [1, 7]);
}

#[test]
fn malformed_vocab_files_are_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.txt");
    for (content, line, problem) in [
        ("a 1\nb\n", "line 2", "one field"),
        ("a 1\nb 2 3\n", "line 2", "more than two"),
        ("a -1\n", "line 1", "not a non-negative integer"),
        (
            "a 1\nb 2\na 3\n",
            "line 3",
            "duplicate word \"a\" (first on line 1)",
        ),
    ] {
        std::fs::write(&path, content).unwrap();
        let e = Vocab::read(&path).unwrap_err().to_string();
        assert!(e.contains(line) && e.contains(problem), "{content:?}: {e}");
    }
    std::fs::write(&path, b"a 1\n\xff 2\n").unwrap();
    let e = Vocab::read(&path).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("UTF-8"), "{e}");
    let e = Vocab::read(dir.path().join("missing.txt"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.txt"), "{e}");
}

#[test]
fn invalid_utf8_is_an_error_naming_its_byte() {
    // The one text rule: invalid UTF-8 anywhere is an error naming the byte
    // offset, whether or not its word would be kept.
    for min_count in [1, 2] {
        let e = Vocab::count(Corpus::reader(&b"ok \xff\xfe ok"[..]), &opts(min_count))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UTF-8") && e.contains("byte 3"), "{e}");
    }
}

#[test]
fn a_missing_corpus_is_an_error_naming_it() {
    let e = Vocab::count(Path::new("/nonexistent/corpus.txt"), &opts(1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/corpus.txt"), "{e}");
}

/// A stream with no separator (binary data, `/dev/zero`) stops early with an error
/// naming the stream, instead of reading for ever; a long token costs linear time.
#[test]
fn endless_tokens_are_an_error_not_a_hang() {
    use glove_wgpu::corpus::{Corpus, MAX_TOKEN_BYTES};
    use glove_wgpu::vocab::{Vocab, VocabOptions};
    let opts = VocabOptions {
        block_bytes: 1 << 16,
        ..Default::default()
    };
    let zeros = std::io::Read::take(std::io::repeat(0), 1 << 40);
    let err = Vocab::count(Corpus::reader(zeros), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("<reader>") && err.contains("not a word"),
        "{err}"
    );
    // A token just under the bound is a word.
    let mut text = vec![b'a'; MAX_TOKEN_BYTES];
    text.extend_from_slice(b" b b b b b\n");
    let v = Vocab::count(Corpus::reader(std::io::Cursor::new(text)), &opts).unwrap();
    assert_eq!(v.corpus_tokens(), 6);
}
