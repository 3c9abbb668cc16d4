//! The command line's output contracts.

mod common;

use std::process::Command;

use common::{cli, Device};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/stanford_glove.txt");

fn neighbors_json_contract_and_unknown_words(dev: &Device) {
    let backend = dev.name();
    let (code, out, err) = cli(&[
        "neighbors",
        "--vectors",
        VECTORS,
        "--k",
        "3",
        "--json",
        "--backend",
        backend,
        "the",
        "nope",
        "東京",
    ])
    .parts();
    assert_eq!(code, 1, "an unknown word gives exit code 1: {err}");
    assert!(err.contains("unknown word: \"nope\""), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with("{\"query\":\"the\",\"neighbors\":["));
    assert_eq!(lines[0]["query"], "the");
    let n = lines[0]["neighbors"].as_array().unwrap();
    assert_eq!(n.len(), 3);
    assert!(n
        .iter()
        .all(|h| h["word"] != "the" && h["score"].is_number()));
    assert_eq!(lines[1]["error"], "unknown word");
    assert_eq!(lines[2]["query"], "東京");
}

#[test]
fn neighbors_text_and_metrics() {
    for metric in ["cosine", "dot", "euclidean"] {
        let (code, out, err) = cli(&[
            "neighbors",
            "--vectors",
            VECTORS,
            "--k",
            "2",
            "--metric",
            metric,
            "--backend",
            "cpu",
            "the",
        ])
        .parts();
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("the\n"), "{out}");
        assert_eq!(out.lines().count(), 3);
    }
}

#[test]
fn analogy_prints_answers() {
    let (code, out, err) = cli(&[
        "analogy",
        "--vectors",
        VECTORS,
        "--k",
        "2",
        "--json",
        "the",
        ",",
        "naïve",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["answers"].as_array().unwrap().len(), 2);
}

#[test]
fn missing_file_is_a_clear_error() {
    let (code, _, err) = cli(&["neighbors", "--vectors", "/no/such/file.txt", "the"]).parts();
    assert_ne!(code, 0);
    assert!(err.contains("/no/such/file.txt"), "{err}");
}

fn bench_search_verifies_and_reports(dev: &Device) {
    let backend = dev.name();
    let (code, out, err) = cli(&[
        "bench",
        "search",
        "--n",
        "3000",
        "--dim",
        "20",
        "--queries",
        "100",
        "--k",
        "5",
        "--backend",
        backend,
        "--repeat",
        "1",
        "--json",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for key in [
        "backend",
        "adapter",
        "n",
        "dim",
        "queries",
        "k",
        "seconds",
        "queries_per_s",
        "gflops",
        "bytes_per_flop",
        "candidates_per_query",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {out}");
    }
    assert_eq!(v["backend"], backend);
    assert_eq!(v["n"], 3000);
}

fn bench_train_verifies_and_reports_counted_figures(dev: &Device) {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
    let dims: &[&str] = match dev {
        Device::Cpu => &["50"],
        Device::Gpu(_) => &["50", "300"],
    };
    let backend = dev.name();
    for &dim in dims {
        let (code, out, err) = cli(&[
            "bench",
            "train",
            "--corpus",
            corpus,
            "--dim",
            dim,
            "--epochs",
            "1",
            "--backend",
            backend,
            "--json",
        ])
        .parts();
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        for key in [
            "backend",
            "adapter",
            "dim",
            "triples",
            "epochs",
            "seconds",
            "updates_per_s",
            "dispatches_per_epoch",
            "copies_per_epoch",
            "bytes_per_update",
            "min_bytes_per_update",
            "sector_efficiency",
            "active_lanes",
            "critical_path_ratio",
        ] {
            assert!(v.get(key).is_some(), "missing {key}: {out}");
        }
        assert_eq!(v["backend"], backend);
        let f = |k: &str| v[k].as_f64().unwrap();
        assert!(
            f("bytes_per_update") <= 1.25 * f("min_bytes_per_update"),
            "{out}"
        );
        assert!(f("sector_efficiency") >= 0.8, "{out}");
        assert!(f("critical_path_ratio") >= 1.0, "{out}");
        if backend == "gpu" {
            assert_eq!(v["verified_against"], "cpu-batched");
            assert_eq!(v["copies_per_epoch"], 1, "{out}");
            let batches = f("dispatches_per_epoch");
            assert!(
                batches >= 3.0 && batches % 2.0 == 1.0,
                "two per batch and one: {out}"
            );
        }
    }
}
common::twin_test!(
    neighbors_json_contract_and_unknown_words,
    bench_search_verifies_and_reports,
    bench_train_verifies_and_reports_counted_figures,
);

#[test]
fn bench_train_summary_and_missing_corpus() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
    let (code, out, err) = cli(&[
        "bench",
        "train",
        "--corpus",
        corpus,
        "--epochs",
        "1",
        "--backend",
        "cpu",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("bytes per update"),
        "a summary without --json: {out}"
    );
    let (code, _, err) = cli(&[
        "bench",
        "train",
        "--corpus",
        "/no/such/corpus.txt",
        "--backend",
        "cpu",
    ])
    .parts();
    assert_ne!(code, 0);
    assert!(err.contains("/no/such/corpus.txt"), "{err}");
}

/// Sizes that overflow or cannot be allocated: an error, not nonsense or a crash.
#[test]
fn bench_search_refuses_impossible_sizes() {
    for n in ["9223372036854775809", "92233720368547"] {
        let (code, out, err) = cli(&["bench", "search", "--n", n, "--backend", "cpu"]).parts();
        assert_eq!(code, 1, "{out}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("address space") || err.contains("out of memory"),
            "{err}"
        );
    }
}

/// `--threads 100000` is capped at a few threads per core, with a note, and the
/// work is done (it used to hang starting the threads).
#[test]
fn absurd_thread_counts_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vocab.txt");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
    let (code, _, err) = cli(&[
        "vocab",
        corpus,
        "-o",
        out.to_str().unwrap(),
        "--threads",
        "100000",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("capped"), "{err}");
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 100);
}

/// `eval` detects the format as `neighbors` does: a header-only word2vec file is
/// no longer read as one GloVe word called "50".
#[test]
fn eval_detects_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w2v.txt");
    std::fs::write(&path, "2 3\nthe 1 0 0\nof 0 1 0\n").unwrap();
    let pairs = dir.path().join("pairs.tsv");
    // Two pairs of different similarities: a Spearman rho exists (eval exits 0
    // only when something was measured).
    std::fs::write(&pairs, "the\tof\t5.0\nthe\tthe\t9.0\n").unwrap();
    let (code, out, err) = cli(&[
        "eval",
        "--vectors",
        path.to_str().unwrap(),
        "--pairs",
        pairs.to_str().unwrap(),
        "--json",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((v["words"].as_u64(), v["dim"].as_u64()), (Some(2), Some(3)));
    std::fs::write(&path, "50 3\n").unwrap();
    let (code, _, err) = cli(&[
        "eval",
        "--vectors",
        path.to_str().unwrap(),
        "--pairs",
        pairs.to_str().unwrap(),
    ])
    .parts();
    assert_ne!(code, 0, "a header promising 50 vectors and holding none");
    assert!(err.contains("w2v.txt"), "{err}");
}

/// An empty vectors file: an error that names the file, for every command that
/// searches (it used to say "vector dimension must be at least 1").
#[test]
fn empty_vectors_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.txt");
    std::fs::write(&path, b"").unwrap();
    let p = path.to_str().unwrap();
    for args in [
        vec!["neighbors", "--vectors", p, "the"],
        vec!["analogy", "--vectors", p, "a", "b", "c"],
        vec!["eval", "--vectors", p, "--pairs", p],
    ] {
        let (code, _, err) = cli(&args).parts();
        assert_ne!(code, 0);
        assert!(
            err.contains("empty.txt") && err.contains("no vectors"),
            "{args:?}: {err}"
        );
    }
}

/// `-o /dev/null` writes through the device; run as root, the atomic rename used
/// to turn /dev/null into a regular file. A dead run's temporary files in the
/// output folder are removed by the next run.
#[test]
fn outputs_to_devices_and_leftovers_of_killed_runs() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
    let (code, _, err) = cli(&["vocab", corpus, "-o", "/dev/null", "-q"]).parts();
    assert_eq!(code, 0, "{err}");
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    let dir = tempfile::tempdir().unwrap();
    let dead = dir
        .path()
        .join(glove_wgpu::atomic::temp_name_of(2147483632, "99-0"));
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(dead.join("run-000001.bin"), vec![0u8; 4096]).unwrap();
    let out = dir.path().join("vocab.txt");
    let (code, _, err) = cli(&["vocab", corpus, "-o", out.to_str().unwrap(), "-q"]).parts();
    assert_eq!(code, 0, "{err}");
    if cfg!(target_os = "linux") {
        assert!(!dead.exists(), "the dead run's folder is still there");
    }
}

/// Under `ulimit -n 48`, a count that spills hundreds of runs plans its merges
/// within the limit and writes the same file as without it (it used to assume 128
/// open files and fail with "Too many open files").
#[test]
fn cooccur_adapts_to_the_open_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = env!("CARGO_MANIFEST_DIR");
    let vocab = d.join("vocab.txt");
    let head = format!("{root}/tests/data/kjv_head.txt");
    let (code, _, err) = cli(&[
        "vocab",
        &head,
        "-o",
        vocab.to_str().unwrap(),
        "--min-count",
        "1",
        "-q",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    let run = |out: &str, limit: &str| {
        let script = format!(
            "{limit} exec \"$0\" cooccur {root}/data/kjv.txt --vocab {} -o {} --memory-mb 1 --threads 2",
            vocab.display(),
            d.join(out).display()
        );
        let o = common::run(Command::new("bash").args(["-c", &script, common::BIN]));
        assert!(o.status.success(), "{limit}: {}", o.stderr);
        o.stderr
    };
    let limited = run("limited.bin", "ulimit -Sn 48; ulimit -Hn 48;");
    assert!(limited.contains("spill files"), "{limited}");
    run("free.bin", "");
    assert_eq!(
        std::fs::read(d.join("limited.bin")).unwrap(),
        std::fs::read(d.join("free.bin")).unwrap()
    );
}

#[test]
fn info_lists_an_adapter() {
    if common::gpu().is_none() {
        return;
    }
    let (code, out, err) = cli(&["info", "--json"]).parts();
    assert_eq!(code, 0, "no adapter: {err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert!(v["max_storage_buffer_binding_size"].as_u64().unwrap() > 0);
}

#[test]
fn format_is_guessed_when_not_given() {
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gensim.bin");
    let txt = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gensim.txt");
    let first = std::fs::read_to_string(txt)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let (c1, o1, e1) = cli(&[
        "neighbors",
        "--vectors",
        bin,
        "--backend",
        "cpu",
        "--json",
        &first,
    ])
    .parts();
    let (c2, o2, e2) = cli(&[
        "neighbors",
        "--vectors",
        txt,
        "--backend",
        "cpu",
        "--json",
        &first,
    ])
    .parts();
    assert_eq!((c1, c2), (0, 0), "{e1} {e2}");
    assert_eq!(
        o1, o2,
        "binary and text word2vec files give the same answers"
    );
}

/// Without XDG_RUNTIME_DIR (containers, `su`, cron) the Vulkan loader and Mesa
/// used to print "XDG_RUNTIME_DIR is invalid or not set", which reads like an
/// error of ours: the binary now points it at a private folder first.
#[test]
fn no_runtime_dir_warning_from_the_vulkan_loader() {
    let out = common::run(common::bin().env_remove("XDG_RUNTIME_DIR").args([
        "neighbors",
        "--vectors",
        "tests/data/stanford_glove.txt",
        "the",
    ]));
    assert!(out.status.success(), "{}", out.stderr);
    assert!(!out.stderr.contains("XDG_RUNTIME_DIR"), "{}", out.stderr);
}
