//! The `fit`, `train` and `eval` subcommands end to end on a small corpus
//! (`tests/data/kjv_head.txt`), on the CPU so they run anywhere.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_glove-wgpu"))
}

#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

const SMALL: &[&str] = &[
    "--dim",
    "10",
    "--x-max",
    "10",
    "--backend",
    "cpu",
    "--cpu-trainer",
    "exact",
    "-q",
];

#[test]
fn fit_then_train_with_resume_then_eval() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let work = d.join("work");
    // fit: the whole pipeline, keeping the intermediate files
    ok(bin()
        .args([
            "fit",
            "tests/data/kjv_head.txt",
            "--min-count",
            "2",
            "--epochs",
            "2",
        ])
        .args(SMALL)
        .arg("-o")
        .arg(d.join("fit.txt"))
        .arg("--work-dir")
        .arg(&work)
        .arg("--report")
        .arg(d.join("fit.json")));
    let rep = read_json(&d.join("fit.json"));
    assert_eq!(rep["backend"], "cpu-exact");
    assert_eq!(rep["epochs"].as_array().unwrap().len(), 2);
    assert!(rep["nonzeros"].as_u64().unwrap() > 1000);
    assert!(rep["updates_per_s"].as_f64().unwrap() > 0.0);
    let vocab = rep["vocab_size"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(d.join("fit.txt")).unwrap();
    assert_eq!(text.lines().count(), vocab);
    assert_eq!(text.lines().next().unwrap().split(' ').count(), 11);

    // train 4 epochs straight, and 2 + 2 through a checkpoint: the same vectors
    let train = |out: &str, epochs: &str, extra: &[&str]| {
        ok(bin()
            .arg("train")
            .arg("--vocab")
            .arg(work.join("vocab.txt"))
            .arg("--cooc")
            .arg(work.join("cooc.shuf.bin"))
            .args(["--cooc-format", "native", "--epochs", epochs])
            .args(SMALL)
            .args(extra)
            .arg("-o")
            .arg(d.join(out)));
    };
    let ck = d.join("ck");
    let ck = ck.to_str().unwrap();
    train("straight.txt", "4", &[]);
    train("half.txt", "2", &["--checkpoint-dir", ck]);
    let rp = d.join("resumed.json");
    train(
        "resumed.txt",
        "4",
        &[
            "--checkpoint-dir",
            ck,
            "--resume",
            "--report",
            rp.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(d.join("straight.txt")).unwrap(),
        std::fs::read(d.join("resumed.txt")).unwrap()
    );
    let rep = read_json(&rp);
    assert_eq!(rep["start_epoch"], 2);
    assert_eq!(rep["epochs"][0]["epoch"], 3);

    // other outputs: W and W~ side by side, word2vec binary
    train(
        "both.bin",
        "1",
        &["--save", "both", "--format", "word2vec-bin"],
    );
    let e = glove_wgpu::io::read(d.join("both.bin"), glove_wgpu::io::Format::Word2vecBin).unwrap();
    assert_eq!((e.len(), e.dim()), (vocab, 20));

    // eval
    let out = ok(bin()
        .args([
            "eval",
            "--backend",
            "cpu",
            "--json",
            "--analogies",
            "tests/data/eval/questions-head.txt",
        ])
        .args(["--pairs", "tests/data/eval/wordsim-head.tsv", "--vectors"])
        .arg(d.join("straight.txt")));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["analogies"]["total"]["total"], 79);
    assert_eq!(v["pairs"][0]["total"], 28);
    assert_eq!(v["words"].as_u64().unwrap() as usize, vocab);
}

#[test]
fn resume_refuses_a_checkpoint_of_another_model() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ck = d.join("ck");
    let fit = |dim: &str, extra: &[&str]| {
        bin()
            .args([
                "fit",
                "tests/data/kjv_head.txt",
                "--min-count",
                "2",
                "--epochs",
                "1",
                "-q",
            ])
            .args(["--backend", "cpu", "--dim", dim, "--checkpoint-dir"])
            .arg(&ck)
            .args(extra)
            .arg("-o")
            .arg(d.join("v.txt"))
            .output()
            .unwrap()
    };
    assert!(fit("8", &[]).status.success());
    let out = fit("9", &["--resume"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("dimension 8") && err.contains("dimension 9"),
        "{err}"
    );
}

#[test]
fn missing_input_is_an_error_naming_the_file() {
    let out = bin()
        .args([
            "train",
            "--vocab",
            "nope/vocab.txt",
            "--cooc",
            "nope/c.bin",
            "-o",
            "x.txt",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope/vocab.txt"), "{err}");
    let out = bin().args(["eval", "--vectors", "v.txt"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to evaluate"));
}

#[test]
fn fit_on_the_gpu_reports_the_adapter() {
    if glove_wgpu::GpuContext::new().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no GPU adapter was found"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(bin()
        .args([
            "fit",
            "tests/data/kjv_head.txt",
            "--min-count",
            "2",
            "--epochs",
            "2",
            "--dim",
            "8",
        ])
        .args(["--backend", "gpu", "--batch-size", "1000", "-q", "-o"])
        .arg(d.join("v.txt"))
        .arg("--report")
        .arg(d.join("r.json")));
    let rep = read_json(&d.join("r.json"));
    assert_eq!(rep["backend"], "gpu");
    assert!(rep["adapter"].as_str().is_some_and(|s| !s.is_empty()));
    let costs: Vec<f64> = rep["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cost"].as_f64().unwrap())
        .collect();
    assert!(costs[1] < costs[0], "{costs:?}");
}
