//! The recipes of `examples/distributed/` on the real engines, DataFusion and
//! Spark in local mode: the four steps of "Beyond one machine" on 4 shards of a
//! small corpus, checked against the single node: the same vocabulary, the
//! same co-occurrences to the last bit and in the same order, the same vectors
//! from the exact trainer.
//!
//! The engines come from `scripts/distributed-deps` (a Python virtual
//! environment at `target/distributed-venv`, or the Python named by
//! `GLOVE_DISTRIBUTED_PYTHON`; Java for Spark). Where one is missing the test
//! says so and skips it, except in CI (`CI` set), where that is a failure.
#![cfg(feature = "parquet")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
const RECIPES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/distributed");

/// `glove-wgpu ARGS...` through the shared launcher, which must succeed.
fn cli(args: &[&str]) {
    common::ok(common::bin().args(args));
}

fn python() -> PathBuf {
    match std::env::var_os("GLOVE_DISTRIBUTED_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/distributed-venv/bin/python"),
    }
}

/// Whether `module` imports (and, for Spark, Java runs); if not, a skip note,
/// or in CI a failure.
fn engine_ready(module: &str, java: bool) -> bool {
    let py = python();
    let imports = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    let java_ok = !java
        || Command::new("java")
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
    if imports && java_ok {
        return true;
    }
    let why = if imports {
        "no `java` on the PATH".to_string()
    } else {
        format!("{} cannot import {module}", py.display())
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "{module}: {why}; CI must run the engine recipes: run scripts/distributed-deps first"
    );
    eprintln!("SKIPPED: the {module} recipe ({why}; scripts/distributed-deps installs it)");
    false
}

fn read_f64(path: &Path, format: glove_wgpu::cooccur::CoocFormat) -> Vec<(u32, u32, u64)> {
    let mut r = glove_wgpu::cooccur::CoocReader::open(path, format).unwrap();
    let mut out = Vec::new();
    while r.read_chunk_f64(&mut out, 1 << 16).unwrap() > 0 {}
    out.into_iter()
        .map(|(i, j, x)| (i, j, x.to_bits()))
        .collect()
}

fn run_recipe(driver: &str, module: &str, java: bool) {
    if !engine_ready(module, java) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // 4 line-aligned shards.
    let text = std::fs::read_to_string(KJV).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let shards: Vec<String> = lines
        .chunks(lines.len().div_ceil(4))
        .map(|c| c.concat())
        .collect();
    for d in ["shards", "counts", "cooc"] {
        std::fs::create_dir(p(d)).unwrap();
    }
    for (k, s) in shards.iter().enumerate() {
        std::fs::write(p(&format!("shards/{k}.txt")), s).unwrap();
        // Step 1, per shard: raw word counts.
        cli(&[
            "vocab",
            &p(&format!("shards/{k}.txt")),
            "-o",
            &p(&format!("counts/part-{k}.parquet")),
            "--format",
            "parquet",
            "--min-count",
            "1",
            "-q",
        ]);
    }
    let reduce = |args: &[&str]| {
        let out = Command::new(python())
            .arg(Path::new(RECIPES).join(driver))
            .args(args)
            .output()
            .expect("run the driver");
        assert!(
            out.status.success(),
            "{driver}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Step 1, reduce: the vocabulary from the summed counts.
    reduce(&["--counts", &p("counts"), &p("counts_sum")]);
    cli(&[
        "vocab",
        "--from-counts",
        &p("counts_sum"),
        "--min-count",
        "5",
        "-o",
        &p("vocab.txt"),
        "-q",
    ]);
    cli(&[
        "vocab",
        KJV,
        "--min-count",
        "5",
        "-o",
        &p("single_vocab.txt"),
        "-q",
    ]);
    assert_eq!(
        std::fs::read_to_string(p("vocab.txt")).unwrap(),
        std::fs::read_to_string(p("single_vocab.txt")).unwrap(),
        "{driver}: the vocabulary from summed counts"
    );
    // Step 2: co-occurrences per shard, then the reduce.
    for k in 0..shards.len() {
        cli(&[
            "cooccur",
            &p(&format!("shards/{k}.txt")),
            "--vocab",
            &p("vocab.txt"),
            "-o",
            &p(&format!("cooc/part-{k}.parquet")),
            "--format",
            "parquet",
            "--window",
            "10",
            "-q",
        ]);
    }
    reduce(&["--cooc", &p("cooc"), &p("cooc_sum"), "--window", "10"]);
    cli(&[
        "cooccur",
        KJV,
        "--vocab",
        &p("vocab.txt"),
        "-o",
        &p("single.bin"),
        "--window",
        "10",
        "-q",
    ]);
    use glove_wgpu::cooccur::CoocFormat;
    let single = read_f64(&dir.path().join("single.bin"), CoocFormat::Glove);
    let engine = read_f64(&dir.path().join("cooc_sum"), CoocFormat::Parquet);
    assert!(single.len() > 10_000);
    assert_eq!(engine.len(), single.len(), "{driver}: entries");
    if let Some(k) = (0..single.len()).find(|&k| engine[k] != single[k]) {
        panic!(
            "{driver}: record {k}: {:?} vs the single node's {:?}",
            engine[k], single[k]
        );
    }
    // Steps 3 and 4: shuffle, train (exact, reproducible): the same vectors.
    let train = |cooc: &str, format: &str, name: &str| {
        cli(&[
            "shuffle",
            &p(cooc),
            "-o",
            &p(&format!("{name}.shuf")),
            "--seed",
            "7",
            "-q",
        ]);
        cli(&[
            "train",
            "--vocab",
            &p("vocab.txt"),
            "--cooc",
            &p(&format!("{name}.shuf")),
            "--cooc-format",
            format,
            "-o",
            &p(&format!("{name}.txt")),
            "--dim",
            "8",
            "--epochs",
            "3",
            "--backend",
            "cpu",
            "--cpu-trainer",
            "exact",
            "-q",
        ]);
        std::fs::read(p(&format!("{name}.txt"))).unwrap()
    };
    assert_eq!(
        train("cooc_sum", "parquet", "engine"),
        train("single.bin", "glove", "single"),
        "{driver}: vectors"
    );
}

#[test]
fn datafusion_recipe_equals_the_single_node() {
    run_recipe("reduce_datafusion.py", "datafusion", false);
}

#[test]
fn spark_local_recipe_equals_the_single_node() {
    run_recipe("reduce_spark.py", "pyspark", true);
}
