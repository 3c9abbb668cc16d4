//! Parquet in and out: co-occurrences and vocabulary counts round-trip, an
//! engine's output folder reads as one input, and bad files fail with errors
//! that name the file and the row.
#![cfg(feature = "parquet")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use glove_wgpu::cooccur::{self, CoocFormat, CoocReader, CooccurOptions, ShuffleOptions};
use glove_wgpu::corpus::Corpus;
use glove_wgpu::vocab::{Vocab, VocabOptions};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");

/// `glove-wgpu ARGS...` through the shared launcher: exit code and stderr.
fn cli(args: &[&str]) -> (i32, String) {
    let out = common::cli(args);
    (out.code, out.stderr)
}

/// A column to write: values, and definition levels where some are null.
enum Col {
    I32(Vec<i32>),
    I64(Vec<i64>, Option<Vec<i16>>),
    F64(Vec<f64>, Option<Vec<i16>>),
    Text(Vec<&'static str>),
}

/// Writes one row group of `cols` under `schema`, as an engine would.
fn write_parquet(path: &Path, schema: &str, cols: Vec<Col>) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let props = Arc::new(WriterProperties::builder().build());
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut g = w.next_row_group().unwrap();
    for c in cols {
        let mut col = g.next_column().unwrap().unwrap();
        match c {
            Col::I32(v) => col.typed::<Int32Type>().write_batch(&v, None, None),
            Col::I64(v, d) => col.typed::<Int64Type>().write_batch(&v, d.as_deref(), None),
            Col::F64(v, d) => col
                .typed::<DoubleType>()
                .write_batch(&v, d.as_deref(), None),
            Col::Text(v) => {
                let v: Vec<ByteArray> = v.into_iter().map(ByteArray::from).collect();
                col.typed::<ByteArrayType>().write_batch(&v, None, None)
            }
        }
        .unwrap();
        col.close().unwrap();
    }
    g.close().unwrap();
    w.close().unwrap();
}

fn read_f64(path: &Path, format: CoocFormat) -> glove_wgpu::Result<Vec<(u32, u32, f64)>> {
    let mut r = CoocReader::open(path, format)?;
    let mut out = Vec::new();
    while r.read_chunk_f64(&mut out, 1000)? > 0 {}
    Ok(out)
}

fn err_of(path: &Path) -> String {
    read_f64(path, CoocFormat::Parquet)
        .map(|v| format!("no error: {} records", v.len()))
        .unwrap_or_else(|e| e.to_string())
}

struct Setup {
    dir: tempfile::TempDir,
    vocab: Vocab,
}

fn setup() -> Setup {
    let vocab = Vocab::count(
        Corpus::from_arg(KJV),
        &VocabOptions {
            min_count: 5,
            ..Default::default()
        },
    )
    .unwrap();
    Setup {
        dir: tempfile::tempdir().unwrap(),
        vocab,
    }
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn count(&self, name: &str, format: CoocFormat) -> PathBuf {
        let out = self.path(name);
        let opts = CooccurOptions {
            format,
            ..Default::default()
        };
        cooccur::count(Corpus::from_arg(KJV), &self.vocab, &out, &opts).unwrap();
        out
    }
}

#[test]
fn cooccur_parquet_holds_the_glove_records_bit_for_bit() {
    let s = setup();
    let glove = read_f64(&s.count("c.bin", CoocFormat::Glove), CoocFormat::Glove).unwrap();
    let pq = s.count("c.parquet", CoocFormat::Parquet);
    assert_eq!(CoocFormat::detect(&pq).unwrap(), CoocFormat::Parquet);
    let mut r = CoocReader::open(&pq, CoocFormat::Parquet).unwrap();
    assert_eq!(r.len(), Some(glove.len() as u64));
    // Chunks that do not divide the rows, across row-group ends.
    let mut got = Vec::new();
    while r.read_chunk_f64(&mut got, 777).unwrap() > 0 {}
    assert!(glove.len() > 10_000, "{}", glove.len());
    assert_eq!(got.len(), glove.len());
    for (k, (a, b)) in got.iter().zip(&glove).enumerate() {
        assert!(
            a.0 == b.0 && a.1 == b.1 && a.2.to_bits() == b.2.to_bits(),
            "record {k}: {a:?} vs {b:?}"
        );
    }
}

#[test]
fn shuffle_of_a_parquet_folder_keeps_every_record() {
    let s = setup();
    let pq = s.count("c.parquet", CoocFormat::Parquet);
    let all = read_f64(&pq, CoocFormat::Parquet).unwrap();
    // An engine's output folder: two part files, `_SUCCESS` and `.crc` files.
    let folder = s.path("reduced");
    std::fs::create_dir(&folder).unwrap();
    let cut = all.len() / 3;
    for (name, part) in [
        ("part-00000.parquet", &all[..cut]),
        ("part-00001.parquet", &all[cut..]),
    ] {
        write_parquet(
            &folder.join(name),
            "message m { optional int64 i; optional int64 j; optional double x; }",
            vec![
                Col::I64(
                    part.iter().map(|r| r.0 as i64).collect(),
                    Some(vec![1; part.len()]),
                ),
                Col::I64(
                    part.iter().map(|r| r.1 as i64).collect(),
                    Some(vec![1; part.len()]),
                ),
                Col::F64(
                    part.iter().map(|r| r.2).collect(),
                    Some(vec![1; part.len()]),
                ),
            ],
        );
    }
    std::fs::write(folder.join("_SUCCESS"), "").unwrap();
    std::fs::write(folder.join(".part-00000.parquet.crc"), "crc").unwrap();
    assert_eq!(read_f64(&folder, CoocFormat::Parquet).unwrap(), all);

    // Memory small enough for bucket files.
    let out = s.path("shuf.parquet");
    let opts = ShuffleOptions {
        memory_bytes: 200_000,
        ..Default::default()
    };
    let stats = cooccur::shuffle(&folder, &out, &opts).unwrap();
    assert!(stats.buckets > 0);
    let mut shuffled = read_f64(&out, CoocFormat::Parquet).unwrap();
    assert_ne!(shuffled, all);
    shuffled.sort_by_key(|r| (r.0, r.1));
    assert_eq!(shuffled, all);
}

#[test]
fn train_streams_a_parquet_folder_like_the_glove_file() {
    let s = setup();
    let glove = s.count("c.bin", CoocFormat::Glove);
    let folder = s.path("cooc");
    std::fs::create_dir(&folder).unwrap();
    s.count("cooc/part-0.parquet", CoocFormat::Parquet);
    let vocab = s.path("vocab.txt");
    s.vocab.write(&vocab).unwrap();
    let train = |cooc: &Path, format: &str, out: &str| {
        let out = s.path(out);
        let (code, err) = cli(&[
            "train",
            "--vocab",
            vocab.to_str().unwrap(),
            "--cooc",
            cooc.to_str().unwrap(),
            "--cooc-format",
            format,
            "-o",
            out.to_str().unwrap(),
            "--dim",
            "8",
            "--epochs",
            "2",
            "--backend",
            "cpu",
            "--cpu-trainer",
            "exact",
            "--memory-mb",
            "1",
            "-q",
        ]);
        assert_eq!(code, 0, "{err}");
        std::fs::read(out).unwrap()
    };
    // 1 MiB: the triples stream in chunks every epoch.
    let a = train(&glove, "glove", "a.txt");
    let b = train(&folder, "parquet", "b.txt");
    assert!(!a.is_empty());
    assert_eq!(a, b, "vectors from the Parquet folder differ");
}

#[test]
fn vocab_counts_round_trip_and_sum() {
    let s = setup();
    let raw = Vocab::count(
        Corpus::from_arg(KJV),
        &VocabOptions {
            min_count: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let counts = s.path("counts.parquet");
    raw.write_counts(&counts).unwrap();
    let back = Vocab::from_counts(&counts, &VocabOptions::default()).unwrap();
    assert_eq!(back, s.vocab, "min count 5 from the raw counts");
    assert_eq!(back.corpus_tokens(), raw.corpus_tokens());

    // The CLI: raw counts as Parquet, then vocab.txt from them.
    let pq = s.path("cli.parquet");
    let txt = s.path("cli.txt");
    let (code, err) = cli(&[
        "vocab",
        KJV,
        "-o",
        pq.to_str().unwrap(),
        "--format",
        "parquet",
        "--min-count",
        "1",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = cli(&[
        "vocab",
        "--from-counts",
        pq.to_str().unwrap(),
        "-o",
        txt.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(Vocab::read(&txt).unwrap(), s.vocab);
    let (code, err) = cli(&[
        "vocab",
        KJV,
        "--from-counts",
        pq.to_str().unwrap(),
        "-o",
        txt.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "a corpus and --from-counts together: {err}");
}

#[test]
fn vocab_counts_keep_stanford_order_and_reject_non_words() {
    let s = setup();
    let p = s.path("c.parquet");
    // Ties broken by the word; a word counted in two rows is summed; an
    // engine's 64-bit signed counts read as well.
    write_parquet(
        &p,
        "message m { required binary word (STRING); optional int64 count; }",
        vec![
            Col::Text(vec!["b", "a", "c", "a"]),
            Col::I64(vec![2, 1, 3, 1], Some(vec![1; 4])),
        ],
    );
    let v = Vocab::from_counts(
        &p,
        &VocabOptions {
            min_count: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.words(), ["c", "a", "b"]);
    assert_eq!(v.counts(), [3, 2, 2]);
    for (words, problem) in [
        (vec!["ok", "two words"], "separator"),
        (vec!["ok", ""], "empty word"),
    ] {
        write_parquet(
            &p,
            "message m { required binary word (STRING); required int64 count; }",
            vec![Col::Text(words), Col::I64(vec![1, 1], None)],
        );
        let e = Vocab::from_counts(&p, &VocabOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1") && e.contains(problem), "{e}");
    }
    write_parquet(
        &p,
        "message m { required binary word (STRING); required int64 count; }",
        vec![Col::Text(vec!["a"]), Col::I64(vec![-3], None)],
    );
    let e = Vocab::from_counts(&p, &VocabOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 0") && e.contains("negative"), "{e}");
}

#[test]
fn bad_parquet_inputs_fail_naming_the_file_and_row() {
    let s = setup();
    let p = s.path("bad.parquet");
    let ids = "message m { required int64 i; required int64 j; required double x; }";

    // Negative and out-of-range ids, and a null count.
    write_parquet(
        &p,
        ids,
        vec![
            Col::I64(vec![0, -1], None),
            Col::I64(vec![0, 0], None),
            Col::F64(vec![1.0, 1.0], None),
        ],
    );
    let e = err_of(&p);
    assert!(
        e.contains("bad.parquet") && e.contains("row 1") && e.contains("-1, a negative number"),
        "{e}"
    );
    write_parquet(
        &p,
        ids,
        vec![
            Col::I64(vec![0, 0, 0], None),
            Col::I64(vec![0, 1, 1 << 32], None),
            Col::F64(vec![1.0; 3], None),
        ],
    );
    let e = err_of(&p);
    assert!(
        e.contains("row 2") && e.contains("does not fit 32 bits"),
        "{e}"
    );
    write_parquet(
        &p,
        "message m { required int64 i; required int64 j; optional double x; }",
        vec![
            Col::I64(vec![0, 0], None),
            Col::I64(vec![0, 1], None),
            Col::F64(vec![1.0], Some(vec![1, 0])),
        ],
    );
    let e = err_of(&p);
    assert!(e.contains("row 1") && e.contains("`x` is null"), "{e}");
    write_parquet(
        &p,
        ids,
        vec![
            Col::I64(vec![0], None),
            Col::I64(vec![0], None),
            Col::F64(vec![f64::NAN], None),
        ],
    );
    let e = err_of(&p);
    assert!(e.contains("not finite"), "{e}");

    // The wrong schema: a missing column, a column of the wrong type.
    write_parquet(
        &p,
        "message m { required int32 i; required int32 k; required double x; }",
        vec![
            Col::I32(vec![0]),
            Col::I32(vec![0]),
            Col::F64(vec![1.0], None),
        ],
    );
    let e = err_of(&p);
    assert!(
        e.contains("schema") && e.contains("no column `j`") && e.contains("i, k, x"),
        "{e}"
    );
    write_parquet(
        &p,
        "message m { required int32 i; required int32 j; required binary x (STRING); }",
        vec![Col::I32(vec![0]), Col::I32(vec![0]), Col::Text(vec!["1.0"])],
    );
    let e = err_of(&p);
    assert!(
        e.contains("column `x` holds BYTE_ARRAY values, not floating-point numbers"),
        "{e}"
    );

    // Corrupt: not Parquet at all, and a good file cut short.
    std::fs::write(&p, b"i,j,x\n0,0,1.0\n").unwrap();
    let e = err_of(&p);
    assert!(
        e.contains("bad.parquet") && e.contains("not a readable Parquet file"),
        "{e}"
    );
    let good = s.count("c.parquet", CoocFormat::Parquet);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let e = err_of(&p);
    assert!(e.contains("not a readable Parquet file"), "{e}");
    // Damaged pages: the footer reads, the data does not.
    let mut bytes = bytes;
    for b in &mut bytes[100..2000] {
        *b ^= 0x5a;
    }
    std::fs::write(&p, &bytes).unwrap();
    let e = err_of(&p);
    assert!(
        e.contains("bad.parquet") && e.contains("row group 0"),
        "{e}"
    );

    // An empty folder, and one with only bookkeeping files.
    let empty = s.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = err_of(&empty);
    assert!(e.contains("no Parquet part files"), "{e}");
    std::fs::write(empty.join("_SUCCESS"), "").unwrap();
    let e = err_of(&empty);
    assert!(e.contains("no Parquet part files"), "{e}");
    // Through the CLI: a clear error and a failing exit code.
    let out = s.path("shuf.parquet");
    let (code, err) = cli(&[
        "shuffle",
        empty.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("no Parquet part files"), "{err}");
    assert!(!out.exists());
}
