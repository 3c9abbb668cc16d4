//! Every example of `examples/` runs on small inputs and says what it should
//! (`cargo test` builds the examples before it runs any test).

use std::path::PathBuf;
use std::process::Command;

/// The built example `name`, beside this test binary's folder.
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples");
    let path: PathBuf = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} was not built: run `cargo test --release` (which builds the examples), \
         or `cargo build --release --examples` before a filtered run",
        path.display()
    );
    let mut c = Command::new(path);
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{c:?} failed:\n{stdout}\n{stderr}");
    stdout
}

#[test]
fn train_reports_stages_and_epochs_and_answers() {
    let out = run(example("train").args(["tests/data/kjv_head.txt", "3"]));
    for want in [
        "vocabulary",
        "co-occurrences",
        "shuffle",
        "epoch  3: cost",
        "god: ",
    ] {
        assert!(out.contains(want), "no {want:?} in:\n{out}");
    }
    let bad = example("train")
        .args(["tests/data/kjv_head.txt", "three"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a whole number"));
}

#[test]
fn search_answers_known_words_and_names_unknown_ones() {
    let out =
        run(example("search").args(["tests/data/stanford_glove.txt", "the", "naïve", "zebra"]));
    assert!(out.contains("10 words x 5 (glove)"), "{out}");
    assert!(out.contains("the: "), "{out}");
    assert!(out.contains("naïve: "), "{out}");
    assert!(
        out.contains("zebra: ") && out.contains("unknown word"),
        "{out}"
    );
    assert!(!example("search").output().unwrap().status.success());
}

#[test]
fn evaluate_scores_sections_and_pairs() {
    let out = run(example("evaluate").args([
        "tests/data/stanford_glove.txt",
        "tests/data/eval/questions-head.txt",
        "tests/data/eval/wordsim-head.tsv",
    ]));
    assert!(out.contains("word pairs: Spearman"), "{out}");
    assert!(
        out.contains("family") && out.contains("gram8-plural"),
        "{out}"
    );
    assert!(out.contains("total: "), "{out}");
}
