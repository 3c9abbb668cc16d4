//! Evaluation: analogies by section on hand-built vectors, Spearman with ties,
//! coverage, malformed inputs, and the bundled fixtures.

mod common;

use common::Device;
use glove_wgpu::eval::{self, AnalogyQuestions, WordPairs};
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::Embeddings;

fn toy() -> Embeddings {
    // man/woman differ on axis 1, king/queen add axis 2, boy/girl add axis 3.
    let rows: &[(&str, [f32; 4])] = &[
        ("man", [1.0, 0.0, 0.0, 0.0]),
        ("woman", [0.0, 1.0, 0.0, 0.0]),
        ("king", [1.0, 0.0, 1.0, 0.0]),
        ("queen", [0.0, 1.0, 1.0, 0.0]),
        ("boy", [1.0, 0.0, 0.0, 1.0]),
        ("girl", [0.0, 1.0, 0.0, 1.0]),
        ("apple", [0.2, 0.2, -1.0, -1.0]),
    ];
    Embeddings::new(
        rows.iter().map(|r| r.0.to_string()).collect(),
        4,
        rows.iter().flat_map(|r| r.1).collect(),
    )
    .unwrap()
}

fn index(dev: &Device) -> WordIndex {
    let idx = WordIndex::new(toy(), dev, &SearchOptions::new(Metric::Cosine)).unwrap();
    let on_cpu = idx.index().device_name() == "cpu";
    assert_eq!(on_cpu, dev.gpu().is_none(), "the {} twin", dev.name());
    idx
}

fn analogies_tally_sections_groups_and_coverage(dev: &Device) {
    let idx = index(dev);
    let q = AnalogyQuestions::parse(
        ": family\nman woman king queen\nMAN WOMAN BOY GIRL\nman woman king apple\nman woman pear plum\n\
         : gram-test\nking queen man woman\nboy girl man zzz\n",
        "q",
        false,
    )
    .unwrap();
    let r = eval::analogies(&idx, &q).unwrap();
    assert_eq!(r.sections.len(), 2);
    let fam = &r.sections[0].1;
    assert_eq!((fam.correct, fam.covered, fam.total), (2, 3, 4));
    assert_eq!((r.semantic.correct, r.semantic.covered), (2, 3));
    assert_eq!(
        (r.syntactic.correct, r.syntactic.covered, r.syntactic.total),
        (1, 1, 2)
    );
    assert_eq!((r.total.correct, r.total.covered, r.total.total), (3, 4, 6));
    assert!((r.total.accuracy().unwrap() - 0.75).abs() < 1e-12);
    assert!((r.total.coverage().unwrap() - 4.0 / 6.0).abs() < 1e-12);
}

fn analogies_keep_case_when_asked(dev: &Device) {
    let idx = index(dev);
    let q = AnalogyQuestions::parse(": family\nMan Woman King Queen\n", "q", true).unwrap();
    let r = eval::analogies(&idx, &q).unwrap();
    assert_eq!(r.total.covered, 0);
    assert_eq!(r.total.accuracy(), None); // nothing covered: no accuracy, not 0 %
}
common::twin_test!(
    analogies_tally_sections_groups_and_coverage,
    analogies_keep_case_when_asked
);

#[test]
fn analogies_agree_on_gpu_and_cpu() {
    let Some(ctx) = common::gpu() else { return };
    let q = AnalogyQuestions::read("tests/data/eval/questions-head.txt", false).unwrap();
    // a vocabulary covering the fixture's words with seeded vectors
    let mut words: Vec<String> = q.questions.iter().flat_map(|(_, w)| w.clone()).collect();
    words.sort();
    words.dedup();
    let mut rng = common::Rng::new(5);
    let data: Vec<f32> = (0..words.len() * 16).map(|_| rng.unit() - 0.5).collect();
    let emb = Embeddings::new(words, 16, data).unwrap();
    let opts = SearchOptions::new(Metric::Cosine);
    let cpu = eval::analogies(
        &WordIndex::new(emb.clone(), &Device::Cpu, &opts).unwrap(),
        &q,
    )
    .unwrap();
    let gpu = eval::analogies(&WordIndex::new(emb, &Device::Gpu(ctx), &opts).unwrap(), &q).unwrap();
    assert_eq!(cpu, gpu);
    assert_eq!(cpu.total.covered, 79);
}

#[test]
fn spearman_gives_ties_their_average_rank() {
    // ranks [1, 2.5, 2.5, 4] and [1, 3, 2, 4]: rho = 4.5 / sqrt(4.5 * 5)
    let rho = eval::spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
    assert!((rho - 4.5 / (22.5f64).sqrt()).abs() < 1e-12, "{rho}");
    // Undefined, not 0: one pair, or constant scores.
    assert_eq!(eval::spearman(&[1.0], &[2.0]), None);
    assert_eq!(eval::spearman(&[1.0, 1.0], &[2.0, 3.0]), None);
}

#[test]
fn word_pairs_skip_unknown_words() {
    let p = WordPairs::parse(
        "# x\nman king 8\nwoman queen 8.5\nman apple 1\nman zzz 4\n",
        "p",
        false,
    )
    .unwrap();
    let r = eval::word_pairs(&toy(), &p);
    assert_eq!((r.covered, r.total), (3, 4));
    assert!(r.spearman.unwrap() > 0.8, "{r:?}");
}

#[test]
fn malformed_inputs_name_the_line() {
    let e = AnalogyQuestions::parse(": s\na b c\n", "q.txt", false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("q.txt") && e.contains("line 2") && e.contains("4 words"),
        "{e}"
    );
    let e = AnalogyQuestions::parse("a b c d\n", "q.txt", false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 1") && e.contains("section"), "{e}");
    let e = WordPairs::parse("a b c\n", "p.tsv", false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p.tsv") && e.contains("line 1") && e.contains("not a number"),
        "{e}"
    );
    let e = WordPairs::parse("a b\n", "p.tsv", false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("3 fields"), "{e}");
    assert!(AnalogyQuestions::read("tests/data/eval/does-not-exist.txt", false).is_err());
}

#[test]
fn fixtures_parse() {
    let q = AnalogyQuestions::read("tests/data/eval/questions-head.txt", false).unwrap();
    assert_eq!(q.sections, ["family", "gram8-plural"]);
    assert_eq!(q.questions.len(), 79);
    assert_eq!(
        q.questions[0].1,
        ["boy", "girl", "brother", "sister"].map(String::from)
    );
    let p = WordPairs::read("tests/data/eval/wordsim-head.tsv", false).unwrap();
    assert_eq!(p.pairs.len(), 28);
    assert_eq!(p.pairs[0], ("love".into(), "sex".into(), 6.77));
}
