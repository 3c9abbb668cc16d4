//! Every file users really have, and nothing lost (issue 18): compressed and
//! archived inputs, pipes for every input, outputs that would destroy inputs,
//! standard output that fails, values f16 cannot hold, statistics that do not
//! exist, one text rule, checks before the work, and the smaller holes.
//!
//! Each test drives the `glove-wgpu` binary, on files made in a temporary folder
//! from the small bundled corpus (`tests/data/kjv_head.txt`) or from seeded
//! vectors; compressed files are made here with the same crates the readers use.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{bin, cli, run, Out, Rng};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");

/// `bytes` compressed as `how` (`gz`, `bz2`, `xz`, `zst`).
fn compress(bytes: &[u8], how: &str) -> Vec<u8> {
    match how {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        }
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        }
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        }
        "zst" => {
            // With the content checksum the zstd tool writes by default: without
            // it a changed byte inside a frame cannot be seen.
            let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
            e.include_checksum(true).unwrap();
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        }
        _ => unreachable!("{how}"),
    }
}

/// A zip archive of `members` (deflated).
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Seeded GloVe text: `n` words `w0`, `w1`, ... of `dim` values.
fn glove_text(n: usize, dim: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("w{i}"));
        for _ in 0..dim {
            s.push_str(&format!(" {:.5}", rng.unit() * 2.0 - 1.0));
        }
        s.push('\n');
    }
    s
}

/// The same vectors as word2vec binary.
fn word2vec_bin(text: &str) -> Vec<u8> {
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    let dim = rows[0].len() - 1;
    let mut b = format!("{} {dim}\n", rows.len()).into_bytes();
    for r in &rows {
        b.extend_from_slice(r[0].as_bytes());
        b.push(b' ');
        for v in &r[1..] {
            b.extend_from_slice(&v.parse::<f32>().unwrap().to_le_bytes());
        }
        b.push(b'\n');
    }
    b
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `glove-wgpu args`, with `input` on its standard input (a pipe, so
/// `/dev/stdin` names a pipe too).
fn piped(args: &[&str], input: Vec<u8>) -> Out {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input); // the command may stop reading early
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Out {
        status: out.status,
        code: out.status.code().unwrap_or(-1),
        stdout: text(out.stdout),
        stderr: text(out.stderr),
    }
}

/// Runs `cmd` to the end; its output decoded leniently (it may be binary).
fn run_lossy(cmd: &mut Command) -> Out {
    let out = cmd.output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Out {
        status: out.status,
        code: out.status.code().unwrap_or(-1),
        stdout: text(out.stdout),
        stderr: text(out.stderr),
    }
}

#[track_caller]
fn ok(args: &[&str]) -> String {
    let out = cli(args);
    assert_eq!(out.code, 0, "glove-wgpu {args:?} failed:\n{}", out.stderr);
    out.stdout
}

#[track_caller]
fn fails(args: &[&str]) -> String {
    let out = cli(args);
    assert_ne!(
        out.code, 0,
        "glove-wgpu {args:?} succeeded:\n{}",
        out.stdout
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stderr
}

/// A small pipeline's files: vocabulary, counted and shuffled co-occurrences.
fn pipeline_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let vocab = dir.join("vocab.txt");
    let cooc = dir.join("cooc.bin");
    let shuf = dir.join("shuf.bin");
    ok(&["vocab", CORPUS, "-o", s(&vocab), "--min-count", "2", "-q"]);
    ok(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "-o",
        s(&cooc),
        "--window",
        "5",
        "-q",
    ]);
    ok(&["shuffle", s(&cooc), "-o", s(&shuf), "-q"]);
    (vocab, cooc, shuf)
}

/// Exactly reproducible training flags (one thread, triples in order).
const EXACT: &[&str] = &[
    "--backend",
    "cpu",
    "--cpu-trainer",
    "exact",
    "--dim",
    "8",
    "--epochs",
    "2",
    "-q",
];

// 1. Compressed and archived inputs.

/// `neighbors`, `eval` and `export` give the same results on a GloVe file read
/// plain, compressed four ways (by magic bytes, whatever the name), from a zip
/// archive (alone, `ARCHIVE:MEMBER`, `--member`), and on a word2vec `.bin.gz`.
#[test]
fn compressed_and_archived_vectors_read_as_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = glove_text(300, 8, 1);
    let plain = write(d, "v.txt", &text);
    let mut inputs: Vec<(String, Vec<&str>)> = Vec::new();
    let named = |name: &str, bytes: Vec<u8>| write(d, name, bytes).to_str().unwrap().to_string();
    let gz = named("v.txt.gz", compress(text.as_bytes(), "gz"));
    let bz2 = named("v.txt.bz2", compress(text.as_bytes(), "bz2"));
    let xz = named("v.txt.xz", compress(text.as_bytes(), "xz"));
    let zst = named("v.txt.zst", compress(text.as_bytes(), "zst"));
    let unnamed = named("v-gzip-without-suffix.txt", compress(text.as_bytes(), "gz"));
    // Two gzip members, as bgzip and pigz write: both halves read.
    let half = text[..text.len() / 2].rfind('\n').unwrap() + 1;
    let mut members = compress(&text.as_bytes()[..half], "gz");
    members.extend(compress(&text.as_bytes()[half..], "gz"));
    let two = named("v2.txt.gz", members);
    let one_zip = named("one.zip", zip_of(&[("glove.8d.txt", text.as_bytes())]));
    let many = zip_of(&[
        ("readme.txt", b"not vectors"),
        ("glove.8d.txt", text.as_bytes()),
        ("glove.8d.txt.gz", &compress(text.as_bytes(), "gz")),
    ]);
    let many = named("many.zip", many);
    for p in [&gz, &bz2, &xz, &zst, &unnamed, &two, &one_zip] {
        inputs.push((p.clone(), vec![]));
    }
    inputs.push((format!("{many}:glove.8d.txt"), vec![]));
    inputs.push((format!("{many}:glove.8d.txt.gz"), vec![]));
    inputs.push((many.clone(), vec!["--member", "glove.8d.txt"]));
    // word2vec binary, gzip-compressed as GoogleNews' .bin.gz
    let w2v = named("v.bin.gz", compress(&word2vec_bin(&text), "gz"));
    inputs.push((w2v, vec![]));

    let pairs = write(
        d,
        "pairs.tsv",
        "w1\tw2\t3\nw3\tw4\t1\nw5\tw6\t9\nw7\tw8\t2\n",
    );
    let questions = write(
        d,
        "q.txt",
        ": s\nw1 w2 w3 w4\nw5 w6 w7 w8\nw9 w10 w11 w12\n",
    );
    let neighbors = |input: &str, extra: &[&str]| {
        let mut a = vec![
            "neighbors",
            "--vectors",
            input,
            "--backend",
            "cpu",
            "--json",
            "--k",
            "5",
        ];
        a.extend_from_slice(extra);
        a.extend(["w0", "w17", "w299"]);
        ok(&a)
    };
    let eval = |input: &str, extra: &[&str]| {
        let mut a = vec!["eval", "--vectors", input, "--backend", "cpu", "--json"];
        a.extend_from_slice(extra);
        a.extend(["--pairs", s(&pairs), "--analogies", s(&questions)]);
        let v: serde_json::Value = serde_json::from_str(ok(&a).trim()).unwrap();
        (
            v["pairs"][0]["spearman"].clone(),
            v["analogies"]["total"].clone(),
        )
    };
    let export = |input: &str, extra: &[&str], out: &Path| {
        let mut a = vec!["export", "projector", "--vectors", input, "-o", s(out)];
        a.extend_from_slice(extra);
        ok(&a);
        (
            std::fs::read(out.join("vectors.tsv")).unwrap(),
            std::fs::read(out.join("metadata.tsv")).unwrap(),
        )
    };
    let want = (
        neighbors(s(&plain), &[]),
        eval(s(&plain), &[]),
        export(s(&plain), &[], &d.join("plain-export")),
    );
    for (k, (input, extra)) in inputs.iter().enumerate() {
        let got = (
            neighbors(input, extra),
            eval(input, extra),
            export(input, extra, &d.join(format!("export-{k}"))),
        );
        assert!(
            got == want,
            "{input} {extra:?} reads otherwise than the plain file"
        );
    }
    // A zip of several files names them when none is chosen.
    let err = fails(&["neighbors", "--vectors", &many, "--backend", "cpu", "w0"]);
    assert!(
        err.contains("glove.8d.txt") && err.contains("--member"),
        "{err}"
    );
}

/// A corpus read from `.bz2` (two streams, as Wikipedia's multistream dumps)
/// counts the same vocabulary and co-occurrences, byte for byte, as the plain
/// file; so do gzip, xz and zstd.
#[test]
fn a_bz2_corpus_counts_the_same_cooccurrences() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read(CORPUS).unwrap();
    let half = text[..text.len() / 2]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let mut two = compress(&text[..half], "bz2");
    two.extend(compress(&text[half..], "bz2"));
    let bz2 = write(d, "corpus.txt.bz2", two);
    let vocab = d.join("vocab.txt");
    ok(&["vocab", CORPUS, "-o", s(&vocab), "--min-count", "2", "-q"]);
    let count = |corpus: &Path, out: &str| {
        let path = d.join(out);
        ok(&[
            "cooccur",
            s(corpus),
            "--vocab",
            s(&vocab),
            "-o",
            s(&path),
            "-q",
        ]);
        std::fs::read(path).unwrap()
    };
    let want = count(Path::new(CORPUS), "plain.bin");
    assert!(want.len() > 1000);
    assert!(count(&bz2, "bz2.bin") == want, "bz2 counts differ");
    for how in ["gz", "xz", "zst"] {
        let c = write(d, &format!("corpus.{how}"), compress(&text, how));
        assert!(
            count(&c, &format!("{how}.bin")) == want,
            "{how} counts differ"
        );
        let v = d.join(format!("vocab-{how}.txt"));
        ok(&["vocab", s(&c), "-o", s(&v), "--min-count", "2", "-q"]);
        assert!(
            std::fs::read(&v).unwrap() == std::fs::read(&vocab).unwrap(),
            "the outputs differ"
        );
    }
    // fit on the .bz2 corpus trains on the same counts as on the plain one.
    let fit = |corpus: &Path, out: &str| {
        let o = d.join(out);
        let mut a = vec![
            "fit",
            s(corpus),
            "-o",
            s(&o),
            "--min-count",
            "2",
            "--window",
            "5",
        ];
        a.extend_from_slice(EXACT);
        ok(&a);
        std::fs::read(o).unwrap()
    };
    assert!(fit(Path::new(CORPUS), "fit-plain.txt") == fit(&bz2, "fit-bz2.txt"));
}

/// A compressed vocabulary and compressed co-occurrences (any format) train the
/// same vectors, and shuffle the same, as the plain files.
#[test]
fn compressed_vocabularies_and_cooccurrences_read_as_the_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, cooc, shuf) = pipeline_files(d);
    let train = |v: &Path, c: &Path, out: &str| {
        let o = d.join(out);
        let mut a = vec!["train", "--vocab", s(v), "--cooc", s(c), "-o", s(&o)];
        a.extend_from_slice(EXACT);
        ok(&a);
        std::fs::read(o).unwrap()
    };
    let want = train(&vocab, &shuf, "plain.txt");
    let vz = write(
        d,
        "vocab.txt.gz",
        compress(&std::fs::read(&vocab).unwrap(), "gz"),
    );
    for how in ["gz", "bz2", "xz", "zst"] {
        let c = write(
            d,
            &format!("shuf.bin.{how}"),
            compress(&std::fs::read(&shuf).unwrap(), how),
        );
        assert!(train(&vz, &c, &format!("{how}.txt")) == want, "{how}");
    }
    let shuffled = |input: &Path, out: &str| {
        let o = d.join(out);
        ok(&["shuffle", s(input), "-o", s(&o), "--seed", "7", "-q"]);
        std::fs::read(o).unwrap()
    };
    let cz = write(
        d,
        "cooc.bin.xz",
        compress(&std::fs::read(&cooc).unwrap(), "xz"),
    );
    assert!(shuffled(&cooc, "s1.bin") == shuffled(&cz, "s2.bin"));
}

/// The writers write gzip when the output's name ends in `.gz`, and what they
/// write reads back as the plain output.
#[test]
fn writers_write_gzip_when_the_name_ends_in_gz() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let gunzip = |p: &Path| {
        let bytes = std::fs::read(p).unwrap();
        assert_eq!(&bytes[..2], b"\x1f\x8b", "{} is not gzip", p.display());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out)
            .unwrap();
        out
    };
    let vz = d.join("vocab.txt.gz");
    ok(&["vocab", CORPUS, "-o", s(&vz), "--min-count", "2", "-q"]);
    assert!(gunzip(&vz) == std::fs::read(&vocab).unwrap());
    let cz = d.join("cooc.bin.gz");
    ok(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "-o",
        s(&cz),
        "--window",
        "5",
        "-q",
    ]);
    assert!(gunzip(&cz) == std::fs::read(d.join("cooc.bin")).unwrap());
    let (plain, gz) = (d.join("v.txt"), d.join("v.txt.gz"));
    for (o, report) in [(&plain, "r.json"), (&gz, "r.json.gz")] {
        let r = d.join(report);
        let mut a = vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            s(o),
            "--report",
            s(&r),
        ];
        a.extend_from_slice(EXACT);
        ok(&a);
    }
    assert!(gunzip(&gz) == std::fs::read(&plain).unwrap());
    let report: serde_json::Value = serde_json::from_slice(&gunzip(&d.join("r.json.gz"))).unwrap();
    assert_eq!(report["epochs"].as_array().unwrap().len(), 2);
    // and every reader takes the .gz back
    let n = |v: &Path| {
        ok(&[
            "neighbors",
            "--vectors",
            s(v),
            "--backend",
            "cpu",
            "--json",
            "the",
        ])
    };
    assert_eq!(n(&gz), n(&plain));
}

/// A compressed file cut short or with a changed byte is an error naming it,
/// never fewer rows or tokens read in silence.
#[test]
fn cut_or_corrupt_compressed_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = glove_text(2000, 8, 3);
    for how in ["gz", "bz2", "xz", "zst"] {
        let full = compress(text.as_bytes(), how);
        let cut = write(d, &format!("cut.{how}"), &full[..full.len() * 2 / 3]);
        let err = fails(&["neighbors", "--vectors", s(&cut), "--backend", "cpu", "w0"]);
        assert!(err.contains(&format!("cut.{how}")), "{how}: {err}");
        let err = fails(&["vocab", s(&cut), "-o", s(&d.join("v.txt")), "-q"]);
        assert!(err.contains(&format!("cut.{how}")), "{how}: {err}");
        let mut bad = full.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0x55;
        let bad = write(d, &format!("bad.{how}"), bad);
        fails(&["neighbors", "--vectors", s(&bad), "--backend", "cpu", "w0"]);
    }
}

/// Parquet pages compressed with every codec Spark and DataFusion write
/// (snappy, gzip, brotli, lz4 raw and Hadoop's, zstd) are read.
#[cfg(feature = "parquet")]
#[test]
fn parquet_pages_of_every_codec_are_read() {
    use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(
            "message vocab { required binary word (STRING); required int64 count; }",
        )
        .unwrap(),
    );
    let words: Vec<ByteArray> = ["the", "of", "and", "lord"]
        .iter()
        .map(|&w| w.into())
        .collect();
    let counts = [50i64, 30, 30, 7];
    let mut got = Vec::new();
    for codec in [
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::BROTLI(BrotliLevel::default()),
        Compression::LZ4_RAW,
        Compression::LZ4,
        Compression::ZSTD(ZstdLevel::default()),
    ] {
        let path = dir
            .path()
            .join(format!("{codec:?}.parquet").replace(['(', ')', ' '], "_"));
        let props = WriterProperties::builder().set_compression(codec).build();
        let file = std::fs::File::create(&path).unwrap();
        let mut w = SerializedFileWriter::new(file, schema.clone(), Arc::new(props)).unwrap();
        let mut g = w.next_row_group().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        c.typed::<ByteArrayType>()
            .write_batch(&words, None, None)
            .unwrap();
        c.close().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        c.typed::<Int64Type>()
            .write_batch(&counts, None, None)
            .unwrap();
        c.close().unwrap();
        g.close().unwrap();
        w.close().unwrap();
        let out = dir.path().join("v.txt");
        let o = cli(&[
            "vocab",
            "--from-counts",
            s(&path),
            "-o",
            s(&out),
            "--min-count",
            "1",
            "-q",
        ]);
        assert_eq!(o.code, 0, "{codec:?}: {}", o.stderr);
        got.push(std::fs::read_to_string(&out).unwrap());
    }
    assert!(
        got.iter().all(|g| g == "the 50\nand 30\nof 30\nlord 7\n"),
        "{got:?}"
    );
}

// 2. Pipes and FIFOs for every input.

/// A vectors file piped without `--format` keeps every row: detection looks at
/// the first 64 KiB and gives them back (here a line ends exactly at byte
/// 65,536, where the rest of the stream read alone is a valid shorter file).
#[test]
fn a_piped_vectors_file_keeps_every_row() {
    // Rows of 8 values; pad the first so that a line ends at byte 65,536.
    let mut text = glove_text(4702, 8, 5);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at + line.len() > 65_536 {
            break;
        }
        at += line.len();
    }
    let pad = 65_536 - at;
    text = format!("w0{}{}", "x".repeat(pad), &text[2..]); // the first word grows
    let ends: usize = text
        .split_inclusive('\n')
        .map(str::len)
        .scan(0, |a, l| {
            *a += l;
            Some(*a)
        })
        .find(|&e| e >= 65_536)
        .unwrap();
    assert_eq!(ends, 65_536);
    for (name, bytes) in [
        ("glove", text.clone().into_bytes()),
        ("word2vec", format!("4702 8\n{text}").into_bytes()),
        ("word2vec-bin", word2vec_bin(&text)),
    ] {
        let o = piped(
            &[
                "neighbors",
                "--vectors",
                "/dev/stdin",
                "--backend",
                "cpu",
                "--k",
                "4701",
                "--json",
                "w4701",
            ],
            bytes,
        );
        assert_eq!(o.code, 0, "{name}: {}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
        assert_eq!(
            v["neighbors"].as_array().unwrap().len(),
            4701,
            "{name}: rows lost"
        );
    }
}

/// Every input reads from a pipe (`/dev/stdin`, or `-`) as from its file.
#[test]
fn every_input_reads_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, cooc, shuf) = pipeline_files(d);
    let read = |p: &Path| std::fs::read(p).unwrap();
    let corpus = read(Path::new(CORPUS));
    let piped_ok = |args: &[&str], input: Vec<u8>| {
        let o = piped(args, input);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        o.stdout
    };
    // vocab CORPUS and cooccur CORPUS / --vocab
    let v2 = d.join("v2.txt");
    piped_ok(
        &[
            "vocab",
            "/dev/stdin",
            "-o",
            s(&v2),
            "--min-count",
            "2",
            "-q",
        ],
        corpus.clone(),
    );
    assert!(read(&v2) == read(&vocab), "{} differs", stringify!(v2));
    let c2 = d.join("c2.bin");
    piped_ok(
        &[
            "cooccur",
            "/dev/stdin",
            "--vocab",
            s(&vocab),
            "-o",
            s(&c2),
            "--window",
            "5",
            "-q",
        ],
        corpus.clone(),
    );
    assert!(read(&c2) == read(&cooc), "{} differs", stringify!(c2));
    let c3 = d.join("c3.bin");
    piped_ok(
        &[
            "cooccur",
            CORPUS,
            "--vocab",
            "/dev/stdin",
            "-o",
            s(&c3),
            "--window",
            "5",
            "-q",
        ],
        read(&vocab),
    );
    assert!(read(&c3) == read(&cooc), "{} differs", stringify!(c3));
    // shuffle INPUT
    let s1 = d.join("s1.bin");
    let s2 = d.join("s2.bin");
    ok(&["shuffle", s(&cooc), "-o", s(&s1), "-q"]);
    piped_ok(&["shuffle", "/dev/stdin", "-o", s(&s2), "-q"], read(&cooc));
    assert!(read(&s2) == read(&s1), "{} differs", stringify!(s2));
    // train --cooc and --vocab
    let train = |v: &str, c: &str, out: &Path, input: Vec<u8>| {
        let mut a = vec!["train", "--vocab", v, "--cooc", c, "-o", s(out)];
        a.extend_from_slice(EXACT);
        piped_ok(&a, input);
        read(out)
    };
    let t0 = d.join("t0.txt");
    let want = train(s(&vocab), s(&shuf), &t0, Vec::new());
    assert!(
        train(s(&vocab), "/dev/stdin", &d.join("t1.txt"), read(&shuf)) == want,
        "the outputs differ"
    );
    assert!(
        train("/dev/stdin", s(&shuf), &d.join("t2.txt"), read(&vocab)) == want,
        "the outputs differ"
    );
    // fit CORPUS
    let fit = |c: &str, out: &Path, input: Vec<u8>| {
        let mut a = vec!["fit", c, "-o", s(out), "--min-count", "2", "--window", "5"];
        a.extend_from_slice(EXACT);
        piped_ok(&a, input);
        read(out)
    };
    assert!(
        fit("/dev/stdin", &d.join("f1.txt"), corpus.clone())
            == fit(CORPUS, &d.join("f0.txt"), Vec::new()),
        "the outputs differ"
    );
    // eval --pairs / --analogies, plot REPORT
    let pairs = b"lord\tgod\t9\nthe\tand\t2\nearth\theaven\t7\n".to_vec();
    let p = write(d, "pairs.tsv", &pairs);
    let e0 = ok(&[
        "eval",
        "--vectors",
        s(&t0),
        "--pairs",
        s(&p),
        "--json",
        "--backend",
        "cpu",
    ]);
    let e1 = piped_ok(
        &[
            "eval",
            "--vectors",
            s(&t0),
            "--pairs",
            "/dev/stdin",
            "--json",
            "--backend",
            "cpu",
        ],
        pairs,
    );
    assert_eq!(e0.replace(s(&p), "P"), e1.replace("/dev/stdin", "P"));
    let q = b": s\nlord god earth heaven\n".to_vec();
    let qf = write(d, "q.txt", &q);
    let a0 = ok(&[
        "eval",
        "--vectors",
        s(&t0),
        "--analogies",
        s(&qf),
        "--json",
        "--backend",
        "cpu",
    ]);
    let a1 = piped_ok(
        &[
            "eval",
            "--vectors",
            s(&t0),
            "--analogies",
            "/dev/stdin",
            "--json",
            "--backend",
            "cpu",
        ],
        q,
    );
    assert_eq!(a0.replace(s(&qf), "Q"), a1.replace("/dev/stdin", "Q"));
    let r = d.join("r.json");
    let t3 = d.join("t3.txt");
    let mut a = vec![
        "train",
        "--vocab",
        s(&vocab),
        "--cooc",
        s(&shuf),
        "-o",
        s(&t3),
        "--report",
        s(&r),
    ];
    a.extend_from_slice(EXACT);
    ok(&a);
    piped_ok(&["plot", "/dev/stdin", "-o", s(&d.join("p.png"))], read(&r));
    // the Parquet counts of vocab --from-counts
    #[cfg(feature = "parquet")]
    {
        let counts = d.join("counts.parquet");
        ok(&[
            "vocab",
            CORPUS,
            "--format",
            "parquet",
            "-o",
            s(&counts),
            "-q",
        ]);
        let v3 = d.join("v3.txt");
        piped_ok(
            &[
                "vocab",
                "--from-counts",
                "/dev/stdin",
                "-o",
                s(&v3),
                "--min-count",
                "2",
                "-q",
            ],
            read(&counts),
        );
        assert!(read(&v3) == read(&vocab), "{} differs", stringify!(v3));
    }
}

// 3. Outputs that destroy inputs.

/// An output inside an input folder read as part files, an output that is the
/// checkpoint, and an output that is a zip input's archive are refused, and
/// the inputs stay as they were.
#[cfg(feature = "parquet")]
#[test]
fn outputs_inside_part_folders_or_on_checkpoints_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let parts = d.join("counts");
    std::fs::create_dir(&parts).unwrap();
    ok(&[
        "vocab",
        CORPUS,
        "--format",
        "parquet",
        "-o",
        s(&parts.join("part-0.parquet")),
        "-q",
    ]);
    let before = std::fs::read(parts.join("part-0.parquet")).unwrap();
    let err = fails(&[
        "vocab",
        "--from-counts",
        s(&parts),
        "-o",
        s(&parts.join("part-0.parquet")),
    ]);
    assert!(err.contains("part"), "{err}");
    fails(&[
        "vocab",
        "--from-counts",
        s(&parts),
        "-o",
        s(&parts.join("vocab.txt")),
    ]);
    assert!(
        std::fs::read(parts.join("part-0.parquet")).unwrap() == before,
        "the outputs differ"
    );
    assert_eq!(std::fs::read_dir(&parts).unwrap().count(), 1);

    let cooc = d.join("cooc");
    std::fs::create_dir(&cooc).unwrap();
    ok(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "--format",
        "parquet",
        "-o",
        s(&cooc.join("part-0.parquet")),
        "-q",
    ]);
    fails(&["shuffle", s(&cooc), "-o", s(&cooc.join("part-9.parquet"))]);
    assert_eq!(std::fs::read_dir(&cooc).unwrap().count(), 1);

    let ck = d.join("ck");
    let mut a = vec![
        "train",
        "--vocab",
        s(&vocab),
        "--cooc",
        s(&shuf),
        "--checkpoint-dir",
        s(&ck),
        "-o",
    ];
    let target = ck.join("checkpoint.bin");
    a.push(s(&target));
    a.extend_from_slice(EXACT);
    let err = fails(&a);
    assert!(err.contains("checkpoint"), "{err}");
    assert!(!target.exists());

    let archive = write(
        d,
        "v.zip",
        zip_of(&[("v.txt", glove_text(10, 4, 1).as_bytes())]),
    );
    let before = std::fs::read(&archive).unwrap();
    let err = fails(&[
        "vocab",
        &format!("{}:v.txt", s(&archive)),
        "-o",
        s(&archive),
    ]);
    assert!(err.contains("destroy"), "{err}");
    assert!(
        std::fs::read(&archive).unwrap() == before,
        "the outputs differ"
    );
}

// 4. Writing to standard output that fails.

/// Every command, with its standard output a closed pipe, ends quietly (exit 0,
/// nothing on stderr but its own lines); into `/dev/full`, with an error and
/// exit code 1. None panics.
#[test]
fn every_command_into_a_closed_pipe_and_a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, cooc, shuf) = pipeline_files(d);
    let vectors = write(d, "v.txt", glove_text(200, 8, 2));
    let pairs = write(d, "p.tsv", "w1 w2 5\nw3 w4 1\nw5 w6 3\n");
    let q = write(d, "q.txt", ": s\nw1 w2 w3 w4\n");
    let report = d.join("r.json");
    let t = d.join("t.txt");
    let mut a = vec![
        "train",
        "--vocab",
        s(&vocab),
        "--cooc",
        s(&shuf),
        "-o",
        s(&t),
        "--report",
        s(&report),
    ];
    a.extend_from_slice(EXACT);
    ok(&a);
    let v = s(&vectors);
    let commands: Vec<Vec<String>> = [
        vec!["info"],
        vec!["info", "--json"],
        vec!["neighbors", "--vectors", v, "--backend", "cpu", "w1", "w2"],
        vec![
            "neighbors",
            "--vectors",
            v,
            "--backend",
            "cpu",
            "--json",
            "w1",
        ],
        vec![
            "analogy",
            "--vectors",
            v,
            "--backend",
            "cpu",
            "w1",
            "w2",
            "w3",
        ],
        vec![
            "analogy",
            "--vectors",
            v,
            "--backend",
            "cpu",
            "--json",
            "w1",
            "w2",
            "w3",
        ],
        vec![
            "eval",
            "--vectors",
            v,
            "--backend",
            "cpu",
            "--pairs",
            s(&pairs),
            "--analogies",
            s(&q),
        ],
        vec![
            "eval",
            "--vectors",
            v,
            "--backend",
            "cpu",
            "--pairs",
            s(&pairs),
            "--json",
        ],
        vec![
            "bench",
            "search",
            "--backend",
            "cpu",
            "--n",
            "500",
            "--dim",
            "8",
            "--queries",
            "16",
            "--repeat",
            "1",
        ],
        vec![
            "bench",
            "search",
            "--backend",
            "cpu",
            "--n",
            "500",
            "--dim",
            "8",
            "--queries",
            "16",
            "--json",
        ],
        vec![
            "bench",
            "train",
            "--backend",
            "cpu",
            "--corpus",
            CORPUS,
            "--dim",
            "8",
            "--epochs",
            "1",
            "--min-count",
            "2",
        ],
        vec!["vocab", CORPUS, "-o", "-", "-q"],
        vec!["vocab", CORPUS, "-o", "/dev/stdout", "-q"],
        vec![
            "cooccur",
            CORPUS,
            "--vocab",
            s(&vocab),
            "-o",
            "/dev/stdout",
            "-q",
        ],
        vec!["shuffle", s(&cooc), "-o", "/dev/stdout", "-q"],
        vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            "-",
            "--backend",
            "cpu",
            "--dim",
            "8",
            "--epochs",
            "1",
            "-q",
        ],
        vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            "/dev/stdout",
            "--backend",
            "cpu",
            "--dim",
            "8",
            "--epochs",
            "1",
            "-q",
        ],
        vec![
            "fit",
            CORPUS,
            "-o",
            "/dev/null",
            "--backend",
            "cpu",
            "--dim",
            "8",
            "--epochs",
            "1",
            "--min-count",
            "2",
            "--show",
            "lord,god",
            "--analogy",
            "lord,god,earth",
            "--pairs",
            s(&pairs),
            "-q",
        ],
    ]
    .iter()
    .map(|c| c.iter().map(|x| x.to_string()).collect())
    .collect();
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let normal = run_lossy(bin().args(&args));
        // A closed pipe: the reader is gone before the command writes.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = run_lossy(
            Command::new(common::BIN)
                .args(&args)
                .stdout(writer)
                .stderr(Stdio::piped()),
        );
        assert!(
            !o.stderr.contains("panicked"),
            "{args:?} into a closed pipe panicked:\n{}",
            o.stderr
        );
        assert!(
            !o.stderr.contains("Broken pipe"),
            "{args:?}: not quiet:\n{}",
            o.stderr
        );
        assert_eq!(
            o.code, normal.code,
            "{args:?} into a closed pipe: exit {}:\n{}",
            o.code, o.stderr
        );
        // A full disk.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = run_lossy(
            Command::new(common::BIN)
                .args(&args)
                .stdout(full)
                .stderr(Stdio::piped()),
        );
        assert!(
            !o.stderr.contains("panicked"),
            "{args:?} into /dev/full panicked:\n{}",
            o.stderr
        );
        if normal.stdout.is_empty() {
            assert_eq!(o.code, normal.code, "{args:?}: {}", o.stderr);
        } else {
            assert_eq!(
                o.code, 1,
                "{args:?} into /dev/full: exit {}:\n{}",
                o.code, o.stderr
            );
            assert!(
                o.stderr.contains("No space left"),
                "{args:?}:\n{}",
                o.stderr
            );
        }
    }
}

// 5. Values the format cannot hold.

/// `--f16` refuses, at load, a row with a value beyond ±65,504 or whose values
/// all lie below f16's smallest normal number, naming the row and the value;
/// cosine, which normalises rows first, takes them.
#[test]
fn f16_refuses_values_it_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let huge = write(d, "huge.txt", "a 1 2\nb 70000 1\nc 0.5 0.5\n");
    let tiny = write(d, "tiny.txt", "a 1 2\nb 0.5 1\nc 1e-9 -2e-9\n");
    for metric in ["dot", "euclidean"] {
        let err = fails(&[
            "neighbors",
            "--vectors",
            s(&huge),
            "--f16",
            "--metric",
            metric,
            "--backend",
            "cpu",
            "a",
        ]);
        assert!(
            err.contains("row 2") && err.contains("\"b\"") && err.contains("70000"),
            "{err}"
        );
        let err = fails(&[
            "neighbors",
            "--vectors",
            s(&tiny),
            "--f16",
            "--metric",
            metric,
            "--backend",
            "cpu",
            "a",
        ]);
        assert!(
            err.contains("row 3") && err.contains("\"c\"") && err.contains("0.000000002"),
            "{err}"
        );
        ok(&[
            "neighbors",
            "--vectors",
            s(&huge),
            "--metric",
            metric,
            "--backend",
            "cpu",
            "a",
        ]);
    }
    let out = ok(&[
        "neighbors",
        "--vectors",
        s(&huge),
        "--f16",
        "--backend",
        "cpu",
        "--json",
        "a",
    ]);
    assert!(!out.contains("inf"), "{out}");
}

// 6. Statistics that do not exist.

/// Spearman over fewer than two covered pairs or constant scores, and an
/// accuracy over no question, are `null` in JSON and "undefined (why)" in text;
/// eval exits 0 only when something was measured.
#[test]
fn undefined_statistics_are_null_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = write(d, "v.txt", glove_text(50, 4, 9));
    let one = write(d, "one.tsv", "w1 w2 5\nw1 nope 3\n");
    let constant = write(d, "constant.tsv", "w1 w2 5\nw3 w4 5\nw5 w6 5\n");
    let empty_q = write(d, "q.txt", ": section\n");
    for (flag, file, why) in [
        ("--pairs", &one, "fewer than two"),
        ("--pairs", &constant, "same human score"),
        ("--analogies", &empty_q, "no questions"),
    ] {
        let o = cli(&[
            "eval",
            "--vectors",
            s(&v),
            flag,
            s(file),
            "--json",
            "--backend",
            "cpu",
        ]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        let j: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
        let stat = if flag == "--pairs" {
            &j["pairs"][0]["spearman"]
        } else {
            &j["analogies"]["total"]["accuracy"]
        };
        assert!(stat.is_null(), "{j}");
        let o = cli(&[
            "eval",
            "--vectors",
            s(&v),
            flag,
            s(file),
            "--backend",
            "cpu",
        ]);
        assert_eq!(o.code, 1);
        assert!(
            o.stdout.contains("undefined (") && o.stdout.contains(why),
            "{}",
            o.stdout
        );
        assert!(
            !o.stdout.contains("0.00%") && !o.stdout.contains("0.0000"),
            "{}",
            o.stdout
        );
    }
    // Something measured: exit 0, the undefined one still says so.
    let good = write(d, "good.tsv", "w1 w2 5\nw3 w4 1\nw5 w6 3\n");
    let o = cli(&[
        "eval",
        "--vectors",
        s(&v),
        "--pairs",
        s(&good),
        "--pairs",
        s(&one),
        "--backend",
        "cpu",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("undefined ("), "{}", o.stdout);
}

// 7. One text rule.

/// A UTF-8 byte-order mark is dropped by every text reader: vectors, pairs,
/// analogies, vocabularies, corpora.
#[test]
fn every_text_reader_drops_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bom = |t: &str| [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat();
    let text = glove_text(30, 4, 4);
    let v = write(d, "v.txt", &text);
    let vb = write(d, "vb.txt", bom(&text));
    let n = |p: &Path| {
        ok(&[
            "neighbors",
            "--vectors",
            s(p),
            "--backend",
            "cpu",
            "--json",
            "w0",
        ])
    };
    assert_eq!(n(&v), n(&vb));
    let pairs = "w0 w1 5\nw2 w3 1\nw4 w5 3\n";
    let p = write(d, "p.tsv", bom(pairs));
    let j: serde_json::Value = serde_json::from_str(
        ok(&[
            "eval",
            "--vectors",
            s(&v),
            "--pairs",
            s(&p),
            "--json",
            "--backend",
            "cpu",
        ])
        .trim(),
    )
    .unwrap();
    assert_eq!(j["pairs"][0]["covered"], 3, "the first pair was lost: {j}");
    let q = write(d, "q.txt", bom(": s\nw0 w1 w2 w3\n"));
    let j: serde_json::Value = serde_json::from_str(
        ok(&[
            "eval",
            "--vectors",
            s(&v),
            "--analogies",
            s(&q),
            "--json",
            "--backend",
            "cpu",
        ])
        .trim(),
    )
    .unwrap();
    assert_eq!(j["analogies"]["total"]["total"], 1, "{j}");
    // vocabulary: its first word matches the corpus
    let vocab = d.join("vocab.txt");
    ok(&["vocab", CORPUS, "-o", s(&vocab), "--min-count", "2", "-q"]);
    let vocab_bom = write(
        d,
        "vocab-bom.txt",
        bom(&std::fs::read_to_string(&vocab).unwrap()),
    );
    let count = |vf: &Path, out: &str| {
        let o = d.join(out);
        ok(&["cooccur", CORPUS, "--vocab", s(vf), "-o", s(&o), "-q"]);
        std::fs::read(o).unwrap()
    };
    assert!(count(&vocab, "a.bin") == count(&vocab_bom, "b.bin"));
    // corpus: no word "\u{feff}in"
    let corpus = write(d, "c.txt", bom(&std::fs::read_to_string(CORPUS).unwrap()));
    let v2 = d.join("v2.txt");
    ok(&["vocab", s(&corpus), "-o", s(&v2), "--min-count", "2", "-q"]);
    assert!(
        std::fs::read(&v2).unwrap() == std::fs::read(&vocab).unwrap(),
        "the outputs differ"
    );
}

/// Invalid UTF-8 is an error naming its byte offset, in every text reader.
#[test]
fn invalid_utf8_errors_name_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = write(d, "v.txt", glove_text(30, 4, 4));
    let bad = |name: &str| write(d, name, b"w0 w1 5\nw2 w\xff3 1\n".as_slice());
    // byte 12: "w0 w1 5\n" is 8 bytes, then "w2 w" is 4 more, then 0xFF.
    let cases: Vec<Vec<String>> = vec![
        vec![
            "eval".into(),
            "--vectors".into(),
            s(&v).into(),
            "--pairs".into(),
            s(&bad("p.tsv")).into(),
        ],
        vec![
            "eval".into(),
            "--vectors".into(),
            s(&v).into(),
            "--analogies".into(),
            s(&write(d, "q.txt", b": s\nw0 w1 w2 w\xff3\n".as_slice())).into(),
        ],
        vec![
            "vocab".into(),
            s(&bad("corpus.txt")).into(),
            "-o".into(),
            s(&d.join("o.txt")).into(),
        ],
        vec![
            "cooccur".into(),
            CORPUS.into(),
            "--vocab".into(),
            s(&write(d, "vocab.txt", b"the 5\nw\xff 3\n".as_slice())).into(),
            "-o".into(),
            s(&d.join("c.bin")).into(),
        ],
        vec![
            "neighbors".into(),
            "--vectors".into(),
            s(&write(d, "bad.txt", b"a 1 2\nb\xff 3 4\n".as_slice())).into(),
            "--backend".into(),
            "cpu".into(),
            "a".into(),
        ],
    ];
    let at = ["byte 12", "byte 14", "byte 12", "byte 7", "byte 7"];
    for (args, at) in cases.iter().zip(at) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = fails(&args);
        assert!(
            err.contains("UTF-8") && err.contains(at),
            "{args:?}: want {at}:\n{err}"
        );
    }
}

// 8. Check everything before the work.

/// Evaluation files, outputs and the checkpoint folder are checked before any
/// work: the command fails at once and writes nothing.
#[test]
fn inputs_and_outputs_are_checked_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let out = d.join("vectors.txt");
    let fit = |extra: &[&str]| {
        let mut a = vec!["fit", CORPUS, "-o", s(&out), "--min-count", "2"];
        a.extend_from_slice(EXACT);
        a.extend_from_slice(extra);
        let err = fails(&a);
        assert!(!out.exists(), "{extra:?}: trained before failing ({err})");
        err
    };
    let err = fit(&["--pairs", s(&d.join("missing.tsv"))]);
    assert!(err.contains("missing.tsv"), "{err}");
    let q = write(d, "q.txt", ": s\na b c\n");
    let err = fit(&["--analogies", s(&q)]);
    assert!(err.contains("line 2"), "{err}");
    let folder = d.join("folder");
    std::fs::create_dir(&folder).unwrap();
    let err = fit(&["--report", s(&folder)]);
    assert!(err.contains("folder"), "{err}");
    let file = write(d, "a-file", "x");
    for ck in [s(&file), "/dev/null"] {
        let err = fit(&["--checkpoint-dir", ck]);
        assert!(err.contains("--checkpoint-dir"), "{err}");
    }
    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let ro = d.join("read-only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        fit(&["--checkpoint-dir", s(&ro)]);
    }
    let train = |o: &Path, extra: &[&str]| {
        let mut a = vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            s(o),
        ];
        a.extend_from_slice(EXACT);
        a.extend_from_slice(extra);
        fails(&a)
    };
    let x = d.join("x");
    train(&x, &["--checkpoint-dir", s(&x)]);
    assert!(!x.is_file());
    let err = fails(&["vocab", CORPUS, "-o", s(&folder), "-q"]);
    assert!(err.contains("folder"), "{err}");
    let err = fails(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "-o",
        s(&folder),
        "-q",
    ]);
    assert!(err.contains("folder"), "{err}");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[cfg(unix)]
fn is_root() -> bool {
    // The mode bits do not stop root.
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

// 9. Smaller holes.

/// A checkpoint with a changed byte is refused on resume, not trained on.
#[test]
fn a_changed_byte_in_a_checkpoint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let ck = d.join("ck");
    let train = |epochs: &str, resume: bool| {
        let v = d.join("v.txt");
        let mut a = vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            s(&v),
            "--checkpoint-dir",
            s(&ck),
        ];
        a.extend([
            "--backend",
            "cpu",
            "--cpu-trainer",
            "exact",
            "--dim",
            "8",
            "-q",
            "--epochs",
            epochs,
        ]);
        if resume {
            a.push("--resume");
        }
        cli(&a)
    };
    assert_eq!(train("1", false).code, 0);
    let path = ck.join("checkpoint.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let o = train("2", true);
    assert_ne!(o.code, 0, "resumed from a corrupted checkpoint");
    assert!(
        o.stderr.contains("checksum") || o.stderr.contains("corrupt"),
        "{}",
        o.stderr
    );
}

/// `-o -` writes text to standard output (never a file named `-`), and is
/// refused for binary outputs; `-o /dev/stdout` works.
#[test]
fn dash_is_standard_output_for_text_and_refused_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let run_in = |args: &[&str]| run(bin().args(args).current_dir(d));
    let o = run_in(&["vocab", CORPUS, "-o", "-", "--min-count", "2", "-q"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.as_bytes() == std::fs::read(&vocab).unwrap(),
        "-o - differs from the file"
    );
    let mut a = vec!["train", "--vocab", s(&vocab), "--cooc", s(&shuf), "-o", "-"];
    a.extend_from_slice(EXACT);
    let o = run_in(&a);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let file = d.join("v.txt");
    let mut b = vec![
        "train",
        "--vocab",
        s(&vocab),
        "--cooc",
        s(&shuf),
        "-o",
        s(&file),
    ];
    b.extend_from_slice(EXACT);
    ok(&b);
    assert!(
        o.stdout.as_bytes() == std::fs::read(&file).unwrap(),
        "-o - differs from the file"
    );
    for args in [
        vec!["cooccur", CORPUS, "--vocab", s(&vocab), "-o", "-", "-q"],
        vec!["shuffle", s(&shuf), "-o", "-", "-q"],
        vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            "-",
            "--format",
            "word2vec-bin",
            "--backend",
            "cpu",
            "-q",
        ],
    ] {
        let o = run_in(&args);
        assert_ne!(o.code, 0, "{args:?}");
        assert!(o.stderr.contains("-o -"), "{args:?}: {}", o.stderr);
    }
    let o = run_in(&[
        "vocab",
        CORPUS,
        "-o",
        "/dev/stdout",
        "--min-count",
        "2",
        "-q",
    ]);
    assert!(
        o.stdout.as_bytes() == std::fs::read(&vocab).unwrap(),
        "-o /dev/stdout: {}",
        o.stderr
    );
    assert!(!d.join("-").exists(), "a file named - was written");
}

/// A missing `--temp-dir` is an error, and no folder is made.
#[test]
fn a_missing_temp_dir_is_an_error_not_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, cooc, _) = pipeline_files(d);
    let missing = d.join("no/such/tmp");
    let err = fails(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "-o",
        s(&d.join("c.bin")),
        "--temp-dir",
        s(&missing),
        "--memory-mb",
        "1",
        "-q",
    ]);
    assert!(err.contains("no/such/tmp"), "{err}");
    let err = fails(&[
        "shuffle",
        s(&cooc),
        "-o",
        s(&d.join("s.bin")),
        "--temp-dir",
        s(&missing),
        "-q",
    ]);
    assert!(err.contains("no/such/tmp"), "{err}");
    assert!(!d.join("no").exists(), "a tree of folders was made");
}

/// `train --cooc` detects the native, Parquet and Stanford formats as
/// `shuffle` does.
#[test]
fn train_detects_the_cooccurrence_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, cooc, shuf) = pipeline_files(d);
    let native = d.join("native.bin");
    ok(&[
        "cooccur",
        CORPUS,
        "--vocab",
        s(&vocab),
        "-o",
        s(&native),
        "--window",
        "5",
        "--format",
        "native",
        "-q",
    ]);
    let train = |c: &Path, out: &str| {
        let o = d.join(out);
        let mut a = vec!["train", "--vocab", s(&vocab), "--cooc", s(c), "-o", s(&o)];
        a.extend_from_slice(EXACT);
        ok(&a);
        std::fs::read(o).unwrap()
    };
    // Unshuffled counts in either format train the same.
    assert!(
        train(&native, "n.txt") == train(&cooc, "g.txt"),
        "the outputs differ"
    );
    let _ = train(&shuf, "s.txt");
    #[cfg(feature = "parquet")]
    {
        let pq = d.join("cooc.parquet");
        ok(&[
            "cooccur",
            CORPUS,
            "--vocab",
            s(&vocab),
            "-o",
            s(&pq),
            "--window",
            "5",
            "--format",
            "parquet",
            "-q",
        ]);
        assert!(
            train(&pq, "p.txt") == train(&cooc, "g2.txt"),
            "the outputs differ"
        );
    }
}

/// A `GLOVE_WGPU_BACKEND` or `WGPU_BACKEND` that names no graphics API is an
/// error naming the variable, also for `--backend auto` (which would otherwise
/// fall back to the CPU in silence).
#[test]
fn a_backend_variable_that_does_not_parse_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let v = write(dir.path(), "v.txt", glove_text(20, 4, 1));
    for var in ["GLOVE_WGPU_BACKEND", "WGPU_BACKEND"] {
        for args in [vec!["info"], vec!["neighbors", "--vectors", s(&v), "w1"]] {
            let o = run(bin()
                .args(&args)
                .env_remove("GLOVE_WGPU_BACKEND")
                .env_remove("WGPU_BACKEND")
                .env(var, "vulcan"));
            assert_ne!(o.code, 0, "{var} {args:?}");
            assert!(
                o.stderr.contains(var) && o.stderr.contains("vulcan"),
                "{var}: {}",
                o.stderr
            );
        }
    }
    // The first variable set wins, even blank (every graphics API), as the
    // Python package reads them: a blank GLOVE_WGPU_BACKEND hides WGPU_BACKEND.
    let o = run(bin()
        .args(["neighbors", "--vectors", s(&v), "w1"])
        .env("GLOVE_WGPU_BACKEND", " ")
        .env("WGPU_BACKEND", "vulcan"));
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// `--resume` of a finished run says so, and its report keeps the earlier
/// epochs.
#[test]
fn resuming_a_finished_run_says_so_and_keeps_its_epochs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vocab, _, shuf) = pipeline_files(d);
    let ck = d.join("ck");
    let train = |resume: bool, report: &str| {
        let r = d.join(report);
        let v = d.join("v.txt");
        let mut a = vec![
            "train",
            "--vocab",
            s(&vocab),
            "--cooc",
            s(&shuf),
            "-o",
            s(&v),
            "--checkpoint-dir",
            s(&ck),
            "--report",
            s(&r),
            "--backend",
            "cpu",
            "--cpu-trainer",
            "exact",
            "--dim",
            "8",
            "--epochs",
            "2",
        ];
        if resume {
            a.push("--resume");
        }
        let o = cli(&a);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(r).unwrap()).unwrap();
        (o.stderr, j)
    };
    let (_, first) = train(false, "r1.json");
    let (said, again) = train(true, "r2.json");
    assert!(said.contains("nothing is left to train"), "{said}");
    assert_eq!(
        again["epochs"], first["epochs"],
        "the earlier epochs are gone"
    );
    assert_eq!(again["final_cost"], first["final_cost"]);
    assert!(!std::fs::read(d.join("v.txt")).unwrap().is_empty());
}

/// `vocab --format parquet` writes every word's raw count (a shard's counts
/// are summed later); `--min-count` there is refused, not applied to a shard.
#[cfg(feature = "parquet")]
#[test]
fn vocab_parquet_counts_are_raw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(CORPUS).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let shards = d.join("counts");
    std::fs::create_dir(&shards).unwrap();
    for (k, part) in [a, b].iter().enumerate() {
        let f = write(d, &format!("shard{k}.txt"), part.join("\n") + "\n");
        ok(&[
            "vocab",
            s(&f),
            "--format",
            "parquet",
            "-o",
            s(&shards.join(format!("part-{k}.parquet"))),
            "-q",
        ]);
    }
    let (summed, whole) = (d.join("summed.txt"), d.join("whole.txt"));
    ok(&[
        "vocab",
        "--from-counts",
        s(&shards),
        "-o",
        s(&summed),
        "--min-count",
        "5",
        "-q",
    ]);
    ok(&["vocab", CORPUS, "-o", s(&whole), "--min-count", "5", "-q"]);
    assert!(
        std::fs::read(&summed).unwrap() == std::fs::read(&whole).unwrap(),
        "the outputs differ"
    );
    let err = fails(&[
        "vocab",
        CORPUS,
        "--format",
        "parquet",
        "--min-count",
        "5",
        "-o",
        s(&d.join("x.parquet")),
    ]);
    assert!(err.contains("--min-count"), "{err}");
}

/// `bench search` checks the memory before allocating: a matrix that cannot
/// fit is an error at once, not 16 GB taken and a hang.
#[test]
fn bench_search_checks_memory_before_allocating() {
    let t = std::time::Instant::now();
    let err = fails(&[
        "bench",
        "search",
        "--backend",
        "cpu",
        "--n",
        "4000000000",
        "--dim",
        "1",
    ]);
    assert!(err.contains("memory") || err.contains("MiB"), "{err}");
    assert!(t.elapsed().as_secs() < 10, "took {:?}", t.elapsed());
}
