//! Word API: neighbours, most-similar, analogies (3CosAdd, 3CosMul), reverse lookup,
//! on hand-made vectors whose answers are known, on both backends.

mod common;

use common::Device;
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::{AnalogyMethod, WordIndex};
use glove_wgpu::{Embeddings, Error};

/// gender on axis 0/1, royalty on axis 2, fruit on axis 3.
fn royals() -> Embeddings {
    let words = ["man", "woman", "king", "queen", "apple", "pear", "prince"];
    let v = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
        [0.1, 0.0, 0.0, 1.0],
        [1.0, 0.0, 0.8, 0.1],
    ];
    Embeddings::new(words.iter().map(|s| s.to_string()).collect(), 4, v.concat()).unwrap()
}

fn index(dev: &Device) -> WordIndex {
    let opts = SearchOptions::new(Metric::Cosine);
    let idx = WordIndex::new(royals(), dev, &opts).unwrap();
    let on_cpu = idx.index().device_name() == "cpu";
    assert_eq!(on_cpu, dev.gpu().is_none(), "the {} twin", dev.name());
    idx
}

fn analogy_add_and_mul_find_queen(dev: &Device) {
    let idx = index(dev);
    for method in [AnalogyMethod::Add, AnalogyMethod::Mul] {
        let ans = idx.analogy("man", "king", "woman", 2, method).unwrap();
        assert_eq!(
            ans[0].word,
            "queen",
            "{method:?} on {}",
            idx.index().device_name()
        );
        assert!(ans
            .iter()
            .all(|w| !["man", "king", "woman"].contains(&w.word.as_str())));
    }
}

fn analogy_add_score_by_hand(dev: &Device) {
    // q = king/|king| - man + woman = (1/√2 - 1, 1, 1/√2, 0); cos(q, queen) by hand.
    let s = 0.5f64.sqrt();
    let q = [s - 1.0, 1.0, s, 0.0];
    let queen = [0.0, s, s, 0.0];
    let dot: f64 = q.iter().zip(queen).map(|(a, b)| a * b).sum();
    let want = dot / q.iter().map(|a| a * a).sum::<f64>().sqrt();
    let idx = index(dev);
    let ans = idx
        .analogy("man", "king", "woman", 1, AnalogyMethod::Add)
        .unwrap();
    assert!(
        (ans[0].score as f64 - want).abs() < 1e-6,
        "{} vs {want}",
        ans[0].score
    );
}

fn neighbors_exclude_the_word_and_report_unknown_words(dev: &Device) {
    let idx = index(dev);
    let out = idx.neighbors(&["apple", "nope", "king"], 2).unwrap();
    let apple = out[0].as_ref().unwrap();
    assert_eq!(apple[0].word, "pear");
    assert!(apple.iter().all(|w| w.word != "apple"));
    assert!(matches!(&out[1], Err(Error::UnknownWord(w)) if w == "nope"));
    assert_eq!(out[2].as_ref().unwrap()[0].word, "prince");
}

fn most_similar_with_negative_and_nearest_vectors(dev: &Device) {
    let idx = index(dev);
    let ans = idx.most_similar(&["queen"], &["woman"], 1).unwrap();
    assert_eq!(ans[0].word, "king");
    let near = idx
        .nearest(&[0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 1.0, 0.0], 1)
        .unwrap();
    assert_eq!(near[0][0].word, "apple");
    assert_eq!(near[1][0].word, "queen");
    assert!(matches!(
        idx.most_similar(&["zzz"], &[], 1),
        Err(Error::UnknownWord(_))
    ));
    assert!(idx.most_similar(&[], &[], 1).is_err());
}

fn batched_analogies_match_single_ones(dev: &Device) {
    let idx = index(dev);
    let e = idx.embeddings();
    let q = |a: &str, b: &str, c: &str| [e.id(a).unwrap(), e.id(b).unwrap(), e.id(c).unwrap()];
    let qs = [
        q("man", "king", "woman"),
        q("woman", "queen", "man"),
        q("apple", "pear", "man"),
    ];
    let batch = idx.analogies(&qs, 1).unwrap();
    for (question, hits) in qs.iter().zip(&batch) {
        let single = idx
            .analogy(
                e.word(question[0]).unwrap(),
                e.word(question[1]).unwrap(),
                e.word(question[2]).unwrap(),
                1,
                AnalogyMethod::Add,
            )
            .unwrap();
        assert_eq!(e.word(hits[0].id), Some(single[0].word.as_str()));
    }
    assert_eq!(e.word(batch[0][0].id), Some("queen"));
}

common::twin_test!(
    analogy_add_and_mul_find_queen,
    analogy_add_score_by_hand,
    neighbors_exclude_the_word_and_report_unknown_words,
    most_similar_with_negative_and_nearest_vectors,
    batched_analogies_match_single_ones,
);
