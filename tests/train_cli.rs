//! The `fit`, `train` and `eval` subcommands end to end on a small corpus
//! (`tests/data/kjv_head.txt`), on the CPU so they run anywhere.

mod common;

use std::path::Path;
use std::process::Command;

use common::{bin, fails, ok, run};

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
    // The report keeps the checkpoint's earlier epochs (issue 18): 1 to 4.
    let epochs: Vec<_> = rep["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["epoch"].clone())
        .collect();
    assert_eq!(epochs, [1, 2, 3, 4]);

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
        let mut c = bin();
        c.args([
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
        .arg(d.join("v.txt"));
        c
    };
    ok(&mut fit("8", &[]));
    let err = fails(&mut fit("9", &["--resume"]));
    assert!(
        err.contains("dimension 8") && err.contains("dimension 9"),
        "{err}"
    );
}

/// `--resume` with another learning rate, weighting cut-off or seed would train a
/// different model and report the new seed: refused, naming what changed.
#[test]
fn resume_refuses_changed_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ck = d.join("ck");
    let fit = |extra: &[&str]| {
        let mut c = bin();
        c.args(["fit", "tests/data/kjv_head.txt", "--min-count", "2"])
            .args(SMALL)
            .arg("--checkpoint-dir")
            .arg(&ck)
            .args(extra)
            .arg("-o")
            .arg(d.join("v.txt"));
        c
    };
    ok(&mut fit(&["--epochs", "1"]));
    for (flag, value) in [("--eta", "0.1"), ("--alpha", "0.5"), ("--seed", "2")] {
        let err = fails(&mut fit(&["--epochs", "2", "--resume", flag, value]));
        assert!(err.contains(flag) && err.contains("saved"), "{flag}: {err}");
    }
    ok(&mut fit(&["--epochs", "2", "--resume"]));
}

#[test]
fn missing_input_is_an_error_naming_the_file() {
    let err = fails(bin().args([
        "train",
        "--vocab",
        "nope/vocab.txt",
        "--cooc",
        "nope/c.bin",
        "-o",
        "x.txt",
        "-q",
    ]));
    assert!(err.contains("nope/vocab.txt"), "{err}");
    let err = fails(bin().args(["eval", "--vectors", "v.txt"]));
    assert!(err.contains("nothing to evaluate"), "{err}");
}

#[test]
fn fit_on_the_gpu_reports_the_adapter() {
    if common::gpu().is_none() {
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

/// `fit -` and `fit <fifo>` read a corpus that can be read only once: it is copied
/// first, and the vectors equal those of `fit FILE` (the exact trainer is
/// deterministic). Before, the second read got nothing and the random starting
/// vectors were written with exit code 0 (or a FIFO blocked for ever).
#[test]
fn fit_reads_a_corpus_from_stdin_or_a_fifo_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fit = |corpus: &str, out: &Path| {
        let mut c = bin();
        c.args(["fit", corpus, "--min-count", "2", "--epochs", "1"])
            .args(SMALL)
            .arg("-o")
            .arg(out);
        c
    };
    ok(&mut fit("tests/data/kjv_head.txt", &d.join("file.txt")));
    let want = std::fs::read_to_string(d.join("file.txt")).unwrap();

    let corpus = std::fs::File::open("tests/data/kjv_head.txt").unwrap();
    ok(fit("-", &d.join("stdin.txt")).stdin(corpus));
    assert_eq!(std::fs::read_to_string(d.join("stdin.txt")).unwrap(), want);

    let fifo = d.join("corpus.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let text = std::fs::read("tests/data/kjv_head.txt").unwrap();
            std::fs::write(fifo, text).unwrap();
        })
    };
    ok(&mut fit(fifo.to_str().unwrap(), &d.join("fifo.txt")));
    writer.join().unwrap();
    assert_eq!(std::fs::read_to_string(d.join("fifo.txt")).unwrap(), want);
}

/// An output that names an input, or another output, is refused before any work,
/// and the input is left as it was; so is an output in a missing folder.
#[test]
fn outputs_that_would_destroy_inputs_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = d.join("corpus.txt");
    std::fs::copy("tests/data/kjv_head.txt", &corpus).unwrap();
    let original = std::fs::read(&corpus).unwrap();
    let work = d.join("work");
    ok(bin()
        .args([
            "fit",
            corpus.to_str().unwrap(),
            "--min-count",
            "2",
            "--epochs",
            "1",
        ])
        .args(SMALL)
        .arg("-o")
        .arg(d.join("v.txt"))
        .arg("--work-dir")
        .arg(&work));
    let (vocab, cooc) = (work.join("vocab.txt"), work.join("cooc.shuf.bin"));
    let vocab_text = std::fs::read(&vocab).unwrap();

    let err = fails(bin().args([
        "vocab",
        corpus.to_str().unwrap(),
        "-o",
        corpus.to_str().unwrap(),
    ]));
    assert!(err.contains("also the input"), "{err}");
    let err = fails(
        bin()
            .arg("cooccur")
            .arg(&corpus)
            .arg("--vocab")
            .arg(&vocab)
            .arg("-o")
            .arg(&vocab),
    );
    assert!(err.contains("also the input --vocab"), "{err}");
    let train = |out: &Path, report: &Path| {
        let mut c = bin();
        c.arg("train")
            .arg("--vocab")
            .arg(&vocab)
            .arg("--cooc")
            .arg(&cooc)
            .args(["--cooc-format", "native", "--epochs", "1"])
            .args(SMALL)
            .arg("-o")
            .arg(out)
            .arg("--report")
            .arg(report);
        c
    };
    let err = fails(&mut train(&cooc, &d.join("r.json")));
    assert!(err.contains("also the input --cooc"), "{err}");
    // through another name for the same file
    let link = d.join("link.txt");
    std::fs::hard_link(&vocab, &link).unwrap();
    let err = fails(&mut train(&link, &d.join("r.json")));
    assert!(err.contains("also the input --vocab"), "{err}");
    let err = fails(&mut train(&d.join("same.txt"), &d.join("same.txt")));
    assert!(err.contains("the same file"), "{err}");
    let err = fails(&mut train(&d.join("no/such/dir/v.txt"), &d.join("r.json")));
    assert!(err.contains("does not exist"), "{err}");
    let err = fails(
        bin()
            .args(["fit", vocab.to_str().unwrap(), "--epochs", "1"])
            .args(SMALL)
            .arg("-o")
            .arg(d.join("v2.txt"))
            .arg("--work-dir")
            .arg(&work),
    );
    assert!(err.contains("also the input CORPUS"), "{err}");
    assert_eq!(std::fs::read(&corpus).unwrap(), original);
    assert_eq!(std::fs::read(&vocab).unwrap(), vocab_text);
}

/// An empty co-occurrence file, or 0 epochs: an error, not random vectors.
#[test]
fn training_on_nothing_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("vocab.txt"), "a 9\nb 7\n").unwrap();
    std::fs::write(d.join("empty.bin"), b"").unwrap();
    let err = fails(
        bin()
            .arg("train")
            .arg("--vocab")
            .arg(d.join("vocab.txt"))
            .arg("--cooc")
            .arg(d.join("empty.bin"))
            .args(["--cooc-format", "glove"])
            .args(SMALL)
            .arg("-o")
            .arg(d.join("v.txt")),
    );
    assert!(err.contains("no co-occurrences"), "{err}");
    assert!(!d.join("v.txt").exists());
    let err = fails(
        bin()
            .args(["fit", "tests/data/kjv_head.txt", "--epochs", "0"])
            .args(SMALL)
            .arg("-o")
            .arg(d.join("v.txt")),
    );
    assert!(err.contains("epochs"), "{err}");
    assert!(!d.join("v.txt").exists());
}

/// Ids beyond the vocabulary: the error names the file and the record (from 1),
/// with the id as the file writes it.
#[test]
fn ids_beyond_the_vocabulary_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("vocab.txt"), "a 9\nb 7\n").unwrap();
    // Stanford's records: int32 i, int32 j (1-based), float64 x
    let mut rec = Vec::new();
    for (i, j) in [(1i32, 2i32), (2, 3)] {
        rec.extend_from_slice(&i.to_ne_bytes());
        rec.extend_from_slice(&j.to_ne_bytes());
        rec.extend_from_slice(&1.5f64.to_ne_bytes());
    }
    std::fs::write(d.join("cooc.bin"), rec).unwrap();
    let err = fails(
        bin()
            .arg("train")
            .arg("--vocab")
            .arg(d.join("vocab.txt"))
            .arg("--cooc")
            .arg(d.join("cooc.bin"))
            .args(["--cooc-format", "glove"])
            .args(SMALL)
            .arg("-o")
            .arg(d.join("v.txt")),
    );
    assert!(err.contains("cooc.bin: record 2"), "{err}");
    assert!(err.contains("2, 3 in Stanford's 1-based files"), "{err}");
}

/// Words with whitespace other than the separators (U+00A0, \v, \f) pass the
/// tokenizer, the vocabulary and the vectors writer alike: one rule of what a word
/// is. They used to be rejected by the writer after every epoch had run.
#[test]
fn words_with_other_whitespace_survive_the_whole_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = "no\u{a0}break the v\x0btab of \x0cform and the of and\n";
    std::fs::write(d.join("c.txt"), line.repeat(20)).unwrap();
    ok(bin()
        .args([
            "fit",
            d.join("c.txt").to_str().unwrap(),
            "--min-count",
            "1",
            "--epochs",
            "1",
        ])
        .args(SMALL)
        .arg("-o")
        .arg(d.join("v.txt")));
    let text = std::fs::read_to_string(d.join("v.txt")).unwrap();
    let words: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    for w in ["no\u{a0}break", "v\x0btab", "\x0cform"] {
        assert!(words.contains(&w), "{w:?} missing from {words:?}");
    }
}

/// `kill -9` in the middle of training (after some epochs' checkpoints, wherever
/// the signal lands: in an epoch or in a checkpoint's save), then `--resume`: the
/// same vectors, bit for bit, as a run never interrupted (the exact trainer).
#[test]
fn sigkill_then_resume_gives_the_uninterrupted_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fit = |ck: &Path, out: &Path, extra: &[&str]| {
        let mut c = bin();
        c.args([
            "fit",
            "tests/data/kjv_head.txt",
            "--min-count",
            "2",
            "--epochs",
            "60",
        ])
        .args(SMALL)
        .arg("--checkpoint-dir")
        .arg(ck)
        .args(extra)
        .arg("-o")
        .arg(out);
        c
    };
    ok(&mut fit(&d.join("ck_whole"), &d.join("whole.txt"), &[]));
    let want = std::fs::read(d.join("whole.txt")).unwrap();
    for wait_epochs in [1u32, 7] {
        let ck = d.join(format!("ck_{wait_epochs}"));
        let out = d.join(format!("resumed_{wait_epochs}.txt"));
        let mut child = fit(&ck, &out, &[]).spawn().unwrap();
        // Kill once the checkpoint shows `wait_epochs` epochs done.
        let file = ck.join("checkpoint.bin");
        let t0 = std::time::Instant::now();
        loop {
            let done = std::fs::read(&file)
                .ok()
                .filter(|b| b.len() > 28)
                .map(|b| u32::from_le_bytes(b[24..28].try_into().unwrap()));
            if done.is_some_and(|e| e >= wait_epochs) || t0.elapsed().as_secs() > 60 {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break; // finished before the kill: the comparison still holds
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert!(!status.success(), "the run ended before the kill");
        let at = std::fs::read(&file).unwrap();
        let killed_at = u32::from_le_bytes(at[24..28].try_into().unwrap());
        assert!((wait_epochs..60).contains(&killed_at), "{killed_at}");
        ok(&mut fit(&ck, &out, &["--resume"]));
        assert_eq!(
            std::fs::read(&out).unwrap(),
            want,
            "killed after {wait_epochs} epochs"
        );
    }
}

/// `train --memory-mb 16` on kjv.txt's 1.9M co-occurrences (23 MB in memory, far
/// more with a plan) reads the file in 11 chunks every epoch, and writes the
/// vectors of the in-memory run, bit for bit, with the exact trainer.
#[test]
fn train_within_a_memory_budget_streams_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let work = d.join("work");
    ok(bin()
        .args(["fit", "data/kjv.txt", "--epochs", "1"])
        .args(SMALL)
        .arg("-o")
        .arg(d.join("fit.txt"))
        .arg("--work-dir")
        .arg(&work));
    let train = |out: &str, memory: &str| {
        let o = common::run(
            bin()
                .arg("train")
                .arg("--vocab")
                .arg(work.join("vocab.txt"))
                .arg("--cooc")
                .arg(work.join("cooc.shuf.bin"))
                .args([
                    "--cooc-format",
                    "native",
                    "--epochs",
                    "2",
                    "--memory-mb",
                    memory,
                ])
                .args([
                    "--dim",
                    "10",
                    "--x-max",
                    "10",
                    "--backend",
                    "cpu",
                    "--cpu-trainer",
                    "exact",
                ])
                .arg("-o")
                .arg(d.join(out)),
        );
        assert!(o.status.success(), "{}", o.stderr);
        o.stderr
    };
    let streamed = train("streamed.txt", "16");
    assert!(streamed.contains("in chunks every epoch"), "{streamed}");
    let whole = train("whole.txt", "4096");
    assert!(!whole.contains("in chunks"), "{whole}");
    assert_eq!(
        std::fs::read(d.join("streamed.txt")).unwrap(),
        std::fs::read(d.join("whole.txt")).unwrap()
    );
}

/// `kill -9` while a checkpoint is being written (its temporary file exists):
/// the last whole checkpoint survives, the next run removes the dead run's
/// temporary file, and `--resume` gives the uninterrupted vectors bit for bit.
#[test]
fn sigkill_during_a_checkpoint_save_then_resume() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fit = |ck: &Path, out: &Path, extra: &[&str]| {
        let mut c = bin();
        c.args([
            "fit",
            "tests/data/kjv_head.txt",
            "--min-count",
            "1",
            "--epochs",
            "40",
        ])
        .args([
            "--dim",
            "200",
            "--x-max",
            "10",
            "--backend",
            "cpu",
            "--cpu-trainer",
            "exact",
            "-q",
        ])
        .arg("--checkpoint-dir")
        .arg(ck)
        .args(extra)
        .arg("-o")
        .arg(out);
        c
    };
    ok(&mut fit(&d.join("ck_whole"), &d.join("whole.txt"), &[]));
    let want = std::fs::read(d.join("whole.txt")).unwrap();
    let ck = d.join("ck");
    std::fs::create_dir_all(&ck).unwrap();
    let out = d.join("resumed.txt");
    let mut child = fit(&ck, &out, &[]).spawn().unwrap();
    let t0 = std::time::Instant::now();
    let mut caught = false;
    while t0.elapsed().as_secs() < 60 && child.try_wait().unwrap().is_none() {
        let saving = std::fs::read_dir(&ck).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".glove-wgpu-tmp-")
        });
        if saving && ck.join("checkpoint.bin").exists() {
            let _ = child.kill();
            caught = true;
            break;
        }
    }
    let _ = child.wait();
    assert!(caught, "no checkpoint save was seen in progress");
    // The last whole checkpoint loads.
    glove_wgpu::train::checkpoint::Checkpoint::load(ck.join("checkpoint.bin")).unwrap();
    ok(&mut fit(&ck, &out, &["--resume"]));
    assert_eq!(std::fs::read(&out).unwrap(), want);
    let left: Vec<_> = std::fs::read_dir(&ck)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".glove-wgpu-tmp-"))
        .collect();
    assert!(left.is_empty(), "leftovers: {left:?}");
}

/// What the README's first command shows: the loss curve, neighbours, an analogy
/// and the scores, after the report; and its flags checked before any work.
#[test]
fn fit_shows_neighbours_analogy_scores_and_draws_the_loss_curve() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (png, report) = (d.join("loss.png"), d.join("r.json"));
    let out = run(bin()
        .args(["fit", "tests/data/kjv_head.txt"])
        .args(SMALL)
        .args(["--epochs", "2"])
        .arg("-o")
        .arg(d.join("v.txt"))
        .arg("--report")
        .arg(&report)
        .arg("--plot")
        .arg(&png)
        .args(["--show", "god,lord,zzzz", "--analogy", "man,king,woman"])
        .args(["--analogies", "tests/data/eval/questions-head.txt"])
        .args(["--pairs", "tests/data/eval/wordsim-head.tsv"]));
    assert!(out.status.success(), "{}", out.stderr);
    let o = &out.stdout;
    assert!(o.contains("god →") && o.contains("lord →"), "{o}");
    assert!(o.contains("zzzz → (unknown word"), "{o}");
    assert!(o.contains("man is to king as woman is to:"), "{o}");
    assert!(o.contains("analogies (") && o.contains("Spearman"), "{o}");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(read_json(&report)["epochs"].as_array().unwrap().len(), 2);

    for (flags, want) in [
        (vec!["--analogy", "man,king"], "three words"),
        (vec!["--plot", "loss.svg"], "give a name ending in .png"),
    ] {
        let out = run(bin()
            .args(["fit", "tests/data/kjv_head.txt"])
            .args(SMALL)
            .arg("-o")
            .arg(d.join("w.txt"))
            .args(&flags));
        assert!(!out.status.success(), "{flags:?} passed");
        assert!(out.stderr.contains(want), "{flags:?}: {}", out.stderr);
        assert!(
            !d.join("w.txt").exists(),
            "{flags:?} trained before failing"
        );
    }
}
