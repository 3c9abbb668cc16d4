//! The IVF index ([`glove_wgpu::ivf::Index`]) on both twins: recall against exact
//! search on clustered data, the same bytes from the same seed (CPU = GPU) and
//! the same hits, updates, the file's checks, and the edges (fewer rows than
//! lists, empty lists, `k` larger than a list).

mod common;

use common::Device;
use glove_wgpu::ivf::{Index, IndexOptions, Probe};
use glove_wgpu::search::{Metric, Neighbor, Precision, SearchIndex, SearchOptions};
use glove_wgpu::Embeddings;

const METRICS: [Metric; 3] = [Metric::Cosine, Metric::Dot, Metric::Euclidean];

/// `n` rows around `clusters` random centres (spread `noise` per dimension).
fn clustered(n: usize, dim: usize, clusters: usize, noise: f32, seed: u64) -> Vec<f32> {
    let mut rng = common::Rng::new(seed);
    let centres = rng.vec(clusters * dim);
    let mut out = Vec::with_capacity(n * dim);
    for _ in 0..n {
        let c = rng.below(clusters as u64) as usize;
        for d in 0..dim {
            out.push(centres[c * dim + d] + noise * rng.uniform());
        }
    }
    out
}

fn embeddings(data: Vec<f32>, dim: usize) -> Embeddings {
    let words = (0..data.len() / dim).map(|i| format!("w{i}")).collect();
    Embeddings::new(words, dim, data).unwrap()
}

fn build(emb: &Embeddings, dev: &Device, opts: &IndexOptions) -> Index {
    Index::build(emb, dev, opts, &mut |_| Ok(())).unwrap()
}

fn ids(hits: &[Neighbor]) -> Vec<u32> {
    hits.iter().map(|h| h.id).collect()
}

/// Recall@k of `got` against `want`, over all queries.
fn recall(got: &[Vec<Neighbor>], want: &[Vec<Neighbor>]) -> f64 {
    let (mut hit, mut all) = (0, 0);
    for (g, w) in got.iter().zip(want) {
        let g = ids(g);
        hit += w.iter().filter(|h| g.contains(&h.id)).count();
        all += w.len();
    }
    hit as f64 / all.max(1) as f64
}

fn recall_on_clustered_data(dev: &Device) {
    let dim = 24;
    let all = clustered(4300, dim, 40, 0.25, 1);
    let (data, queries) = (all[..4000 * dim].to_vec(), all[4000 * dim..].to_vec());
    let emb = embeddings(data.clone(), dim);
    for metric in METRICS {
        let opts = IndexOptions::new(metric).lists(50).seed(3);
        let index = build(&emb, dev, &opts);
        let exact = SearchIndex::cpu(&data, dim, &SearchOptions::new(metric)).unwrap();
        let want = exact.search(&queries, 10, None).unwrap();
        // The table rises to 1 at every list, and every list probed is exact.
        let table = &index.calibration().recall;
        assert!(
            table.windows(2).all(|w| w[0] <= w[1]),
            "{metric:?} {table:?}"
        );
        assert_eq!(*table.last().unwrap(), 1.0);
        let all = index.search(&queries, 10, Probe::Lists(50), None).unwrap();
        assert_eq!(recall(&all, &want), 1.0, "{metric:?}");
        // Asking for 0.95 gives about that on held-out queries, with few lists.
        let p = index.nprobe(Probe::Recall(0.95));
        let got = index
            .search(&queries, 10, Probe::Recall(0.95), None)
            .unwrap();
        let r = recall(&got, &want);
        assert!(r >= 0.9, "{metric:?}: recall {r} at nprobe {p}");
        assert!(p < 25, "{metric:?}: nprobe {p} of 50 for recall 0.95");
        // Scores are those of exact search for the same rows.
        for (g, w) in got.iter().zip(&want) {
            for h in g {
                if let Some(x) = w.iter().find(|x| x.id == h.id) {
                    assert!((x.score - h.score).abs() < 1e-4, "{metric:?} {h:?} {x:?}");
                }
            }
        }
    }
}
common::twin_test!(recall_on_clustered_data);

#[test]
fn the_same_seed_gives_the_same_bytes_on_cpu_and_gpu() {
    let dim = 13;
    let emb = embeddings(clustered(1500, dim, 25, 0.3, 2), dim);
    for metric in METRICS {
        for precision in [Precision::F32, Precision::F16] {
            let opts = IndexOptions::new(metric)
                .lists(30)
                .seed(9)
                .precision(precision);
            let a = build(&emb, &Device::Cpu, &opts).to_bytes().unwrap();
            let b = build(&emb, &Device::Cpu, &opts).to_bytes().unwrap();
            assert_eq!(a, b, "{metric:?} {precision:?}: two CPU builds");
            let other = build(&emb, &Device::Cpu, &opts.clone().seed(10));
            assert_ne!(a, other.to_bytes().unwrap(), "another seed");
            if let Some(ctx) = common::gpu() {
                let g = build(&emb, &Device::Gpu(ctx), &opts).to_bytes().unwrap();
                assert!(a == g, "{metric:?} {precision:?}: the GPU build differs");
            }
        }
    }
}

/// The GPU's hits are the CPU twin's, wherever the scores leave no near-tie.
#[test]
fn gpu_ids_equal_cpu_ids() {
    let Some(ctx) = common::gpu() else { return };
    let dim = 21;
    let all = clustered(2630, dim, 30, 0.3, 4);
    let (data, queries) = (all[..2500 * dim].to_vec(), all[2500 * dim..].to_vec());
    let emb = embeddings(data, dim);
    for metric in METRICS {
        for precision in [Precision::F32, Precision::F16] {
            let opts = IndexOptions::new(metric)
                .lists(35)
                .seed(1)
                .precision(precision);
            let cpu = build(&emb, &Device::Cpu, &opts);
            let gpu = build(&emb, &Device::Gpu(ctx.clone()), &opts);
            let excl: Vec<Vec<u32>> = (0..130).map(|q| vec![q * 7, q * 11 + 1]).collect();
            for (k, nprobe) in [(10, 3), (1, 1), (40, 8), (150, 35)] {
                let a = cpu
                    .search(&queries, k, Probe::Lists(nprobe), Some(&excl))
                    .unwrap();
                let b = gpu
                    .search(&queries, k, Probe::Lists(nprobe), Some(&excl))
                    .unwrap();
                assert_eq!(a.len(), b.len());
                for (q, (x, y)) in a.iter().zip(&b).enumerate() {
                    assert_eq!(x.len(), y.len(), "{metric:?} {precision:?} k={k} query {q}");
                    for r in 0..x.len() {
                        let gap = |i: usize| {
                            let s = x[r].score;
                            [i.checked_sub(1), Some(i + 1)]
                                .iter()
                                .flatten()
                                .filter_map(|&j| x.get(j))
                                .map(|o| (o.score - s).abs())
                                .fold(f32::MAX, f32::min)
                        };
                        if gap(r) > 1e-4 {
                            assert_eq!(
                                x[r].id, y[r].id,
                                "{metric:?} {precision:?} k={k} nprobe={nprobe} query {q} rank {r}"
                            );
                        }
                        assert!((x[r].score - y[r].score).abs() < 1e-3);
                    }
                }
            }
        }
    }
}

fn add_and_remove(dev: &Device) {
    let dim = 8;
    let data = clustered(600, dim, 12, 0.2, 5);
    let emb = embeddings(data[..500 * dim].to_vec(), dim);
    let opts = IndexOptions::new(Metric::Euclidean).lists(12).seed(2);
    let mut index = build(&emb, dev, &opts);
    // Add the last 100 rows: searching every list is then exact over all 600.
    let words: Vec<String> = (500..600).map(|i| format!("w{i}")).collect();
    index.add(&words, &data[500 * dim..]).unwrap();
    assert_eq!(index.len(), 600);
    let exact = SearchIndex::cpu(&data, dim, &SearchOptions::new(Metric::Euclidean)).unwrap();
    let q = &data[..40 * dim];
    let want = exact.search(q, 7, None).unwrap();
    let got = index.search(q, 7, Probe::Lists(12), None).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(ids(g), ids(w));
    }
    // An added row finds itself through its own list.
    let own = index
        .search(&data[550 * dim..551 * dim], 1, Probe::Lists(1), None)
        .unwrap();
    assert_eq!(own[0][0].id, 550);
    // Remove every even row: no search returns one, and the rest is exact.
    let even: Vec<String> = (0..600).step_by(2).map(|i| format!("w{i}")).collect();
    let even: Vec<&str> = even.iter().map(String::as_str).collect();
    index.remove(&even).unwrap();
    assert_eq!(index.len(), 300);
    let odd: Vec<f32> = data
        .chunks(dim)
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .flat_map(|(_, r)| r.iter().copied())
        .collect();
    let exact_odd = SearchIndex::cpu(&odd, dim, &SearchOptions::new(Metric::Euclidean)).unwrap();
    let want = exact_odd.search(q, 7, None).unwrap();
    let got = index.search(q, 7, Probe::Lists(12), None).unwrap();
    for (g, w) in got.iter().zip(&want) {
        let w: Vec<u32> = w.iter().map(|h| 2 * h.id + 1).collect();
        assert_eq!(ids(g), w);
    }
    // Saved, the removed rows are gone and the ids close up.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.ivf");
    index.save(&path).unwrap();
    let back = Index::load(&path, dev).unwrap();
    assert_eq!(back.len(), 300);
    assert_eq!(back.id("w1"), Some(0));
    assert_eq!(back.id("w599"), Some(299));
    assert_eq!(back.id("w0"), None);
    let got = back.search(q, 7, Probe::Lists(12), None).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(ids(g), ids(w));
    }
    // Removing a word twice or an unknown word is an error that changes nothing.
    assert!(index.remove(&["w0"]).is_err());
    assert!(index.remove(&["w1", "nope"]).is_err());
    assert_eq!(index.len(), 300);
    // A removed word can come back, under a new id.
    index.add(&["w0".to_string()], &data[..dim]).unwrap();
    assert_eq!(index.id("w0"), Some(600));
}
common::twin_test!(add_and_remove);

#[test]
fn a_damaged_file_is_refused() {
    let dim = 5;
    let emb = embeddings(clustered(200, dim, 5, 0.2, 6), dim);
    let index = build(
        &emb,
        &Device::Cpu,
        &IndexOptions::new(Metric::Cosine).lists(6),
    );
    let bytes = index.to_bytes().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.ivf");
    let load = |b: &[u8]| {
        std::fs::write(&path, b).unwrap();
        Index::load(&path, &Device::Cpu)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    std::fs::write(&path, &bytes).unwrap();
    assert!(Index::load(&path, &Device::Cpu).is_ok());
    // One bit flipped anywhere past the header: the checksum.
    for at in [
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 10,
        bytes.len() - 1,
    ] {
        let mut b = bytes.clone();
        b[at] ^= 0x10;
        let err = load(&b);
        assert!(
            err.contains("damaged") || err.contains("checksum"),
            "byte {at}: {err}"
        );
    }
    // Cut short, or with bytes after its end.
    let err = load(&bytes[..bytes.len() - 100]);
    assert!(err.contains("truncated"), "{err}");
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"xx");
    assert!(load(&longer).contains("padded"));
    assert!(load(&bytes[..5]).contains("truncated"));
    // Not an index, or a newer format.
    assert!(load(b"word 1 2 3\n").contains("not a glove-wgpu index"));
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert!(load(&newer).contains("format version 2"));
    // The error names the file.
    assert!(load(&bytes[..20]).contains("i.ivf"));
}

fn fewer_rows_than_lists(dev: &Device) {
    let emb = embeddings(vec![1.0, 0.0, 0.0, 1.0, -1.0, 0.5, 0.2, 0.2, 3.0, 3.0], 2);
    let index = build(&emb, dev, &IndexOptions::new(Metric::Euclidean).lists(16));
    assert_eq!(index.lists(), 5);
    assert_eq!(index.list_sizes(), [1; 5]);
    let hits = index
        .search(&[0.9, 0.1], 10, Probe::Lists(16), None)
        .unwrap();
    assert_eq!(ids(&hits[0]), [0, 3, 1, 2, 4]);
}
common::twin_test!(fewer_rows_than_lists);

fn empty_lists(dev: &Device) {
    // 60 copies of three points: k-means with 8 lists leaves lists empty or
    // splits copies; removing a whole cluster empties its lists.
    let mut data = Vec::new();
    for i in 0..60 {
        data.extend_from_slice(&[[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]][i % 3]);
    }
    let emb = embeddings(data, 2);
    let mut index = build(&emb, dev, &IndexOptions::new(Metric::Euclidean).lists(8));
    assert_eq!(index.list_sizes().iter().sum::<usize>(), 60);
    let hits = index.search(&[1.0, 0.1], 5, Probe::Lists(8), None).unwrap();
    assert_eq!(ids(&hits[0]), [0, 3, 6, 9, 12]);
    let gone: Vec<String> = (0..60).step_by(3).map(|i| format!("w{i}")).collect();
    index
        .remove(&gone.iter().map(String::as_str).collect::<Vec<_>>())
        .unwrap();
    assert!(index.list_sizes().contains(&0));
    let hits = index.search(&[1.0, 0.1], 3, Probe::Lists(8), None).unwrap();
    assert_eq!(ids(&hits[0]), [1, 4, 7]);
    // Every word removed: no hits, no error.
    let rest: Vec<String> = (0..60)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("w{i}"))
        .collect();
    index
        .remove(&rest.iter().map(String::as_str).collect::<Vec<_>>())
        .unwrap();
    assert!(index.is_empty());
    assert_eq!(
        index.search(&[1.0, 0.1], 3, Probe::Default, None).unwrap(),
        [vec![]]
    );
}
common::twin_test!(empty_lists);

fn k_larger_than_a_list(dev: &Device) {
    let dim = 6;
    let data = clustered(300, dim, 30, 0.1, 7);
    let emb = embeddings(data.clone(), dim);
    let index = build(&emb, dev, &IndexOptions::new(Metric::Dot).lists(30));
    assert!(index.list_sizes().iter().all(|&s| s < 40));
    let exact = SearchIndex::cpu(&data, dim, &SearchOptions::new(Metric::Dot)).unwrap();
    let q = &data[..5 * dim];
    // k above any list: with every list, exact search; with 3 lists, every row of them.
    for k in [40, 300, 1000] {
        let got = index.search(q, k, Probe::Lists(30), None).unwrap();
        let want = exact.search(q, k, None).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.len(), k.min(300));
            assert_eq!(ids(g), ids(w), "k={k}");
        }
        let three = index.search(q, k, Probe::Lists(3), None).unwrap();
        for h in &three {
            assert!(h.len() < 120 && h.len() >= 3, "{}", h.len());
        }
    }
}
common::twin_test!(k_larger_than_a_list);

#[test]
fn words_in_words_out() {
    let dim = 4;
    let data = clustered(500, dim, 10, 0.2, 8);
    let emb = embeddings(data.clone(), dim);
    let index = build(
        &emb,
        &Device::Cpu,
        &IndexOptions::new(Metric::Cosine).lists(10),
    );
    let words = glove_wgpu::similarity::WordIndex::new(
        emb,
        &Device::Cpu,
        &SearchOptions::new(Metric::Cosine),
    )
    .unwrap();
    let a = index
        .neighbors(&["w3", "nope"], 5, Probe::Lists(10))
        .unwrap();
    let b = words.neighbors(&["w3", "nope"], 5).unwrap();
    assert_eq!(
        a[0].as_ref()
            .unwrap()
            .iter()
            .map(|w| &w.word)
            .collect::<Vec<_>>(),
        b[0].as_ref()
            .unwrap()
            .iter()
            .map(|w| &w.word)
            .collect::<Vec<_>>()
    );
    assert!(a[1].is_err());
    let a = index
        .most_similar(&["w1", "w2"], &["w3"], 4, Probe::Lists(10))
        .unwrap();
    let b = words.most_similar(&["w1", "w2"], &["w3"], 4).unwrap();
    assert_eq!(
        a.iter().map(|w| &w.word).collect::<Vec<_>>(),
        b.iter().map(|w| &w.word).collect::<Vec<_>>()
    );
    assert_eq!(index.embeddings().unwrap().len(), 500);
}

#[test]
fn bad_input_is_an_error() {
    let emb = embeddings(vec![1.0, 2.0, 3.0, 4.0], 2);
    let opts = IndexOptions::new(Metric::Dot);
    assert!(Index::build(&embeddings(vec![], 2), &Device::Cpu, &opts, &mut |_| Ok(())).is_err());
    assert!(Index::build(&emb, &Device::Cpu, &opts.clone().lists(0), &mut |_| Ok(())).is_err());
    assert!(
        Index::build(&emb, &Device::Cpu, &opts.clone().recall(1.5), &mut |_| Ok(
            ()
        ))
        .is_err()
    );
    let mut index = build(&emb, &Device::Cpu, &opts);
    assert!(index
        .search(&[1.0, 2.0, 3.0], 1, Probe::Default, None)
        .is_err());
    assert!(index
        .search(&[f32::NAN, 2.0], 1, Probe::Default, None)
        .is_err());
    assert!(index.add(&["x".into()], &[1.0]).is_err());
    assert!(index.add(&["x y".into()], &[1.0, 2.0]).is_err());
    assert!(index.add(&["w0".into()], &[1.0, 2.0]).is_err());
    assert!(index
        .add(&["z".into(), "z".into()], &[1.0, 2.0, 1.0, 2.0])
        .is_err());
}

/// `got` against `want` rank by rank: the same scores (within `tol`), and the
/// same ids wherever a score is more than `tol` from its neighbours' (a near-tie
/// may go either way between the twins' summation orders).
fn assert_same_hits(got: &[Vec<Neighbor>], want: &[Vec<Neighbor>], tol: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: queries");
    for (q, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: query {q}: hits");
        for r in 0..w.len() {
            let s = w[r].score;
            assert!(
                (g[r].score - s).abs() <= tol * s.abs().max(1.0),
                "{what}: query {q} rank {r}: {:?} against {:?}",
                g[r],
                w[r]
            );
            let near = [r.checked_sub(1), Some(r + 1)]
                .iter()
                .flatten()
                .filter_map(|&j| w.get(j))
                .any(|o| (o.score - s).abs() <= tol * s.abs().max(1.0));
            if !near {
                assert_eq!(g[r].id, w[r].id, "{what}: query {q} rank {r}");
            }
        }
    }
}

fn lists_cut_into_work_items_and_query_blocks(dev: &Device) {
    // One list of 2047, 2048 and 2049 rows around the GPU's cut of a list into
    // work items of 16 tiles of 128 rows (fewer tiles on a software adapter, whose
    // loop limit halves them: the cut is still a multiple of 128, so 127, 128 and
    // 129 rows sit around it too), probed by 63, 64, 65 and 129 queries around the
    // 64 queries of a work item. With every list probed the search is exact. The
    // queries are the list's last rows, each its own best hit, so a piece of the
    // list left out or scanned twice shows.
    let dim = 6;
    let mut seed = 20;
    for n in [127, 128, 129, 2047, 2048, 2049] {
        seed += 1;
        let data = clustered(n, dim, 7, 0.4, seed);
        // rows n - 1, n - 2, ..., then rows 0 and 1
        let rows = (n - 127.min(n)..n).rev().chain(0..2);
        let queries: Vec<f32> = rows
            .flat_map(|r| data[r * dim..(r + 1) * dim].to_vec())
            .collect();
        let data = &data[..];
        let emb = embeddings(data.to_vec(), dim);
        let opts = IndexOptions::new(Metric::Euclidean).lists(1).seed(1);
        let index = build(&emb, dev, &opts);
        assert_eq!(index.list_sizes(), [n]);
        let exact = SearchIndex::cpu(data, dim, &SearchOptions::new(Metric::Euclidean)).unwrap();
        for m in [63, 64, 65, 129] {
            let q = &queries[..m * dim];
            let excl: Vec<Vec<u32>> = (0..m as u32).map(|i| vec![i % 7, 5 * i]).collect();
            let want = exact.search(q, 9, Some(&excl)).unwrap();
            let got = index.search(q, 9, Probe::Lists(1), Some(&excl)).unwrap();
            assert_same_hits(&got, &want, 1e-5, &format!("n={n} m={m}"));
        }
    }
}
common::twin_test!(lists_cut_into_work_items_and_query_blocks);

fn k_around_the_page_of_128(dev: &Device) {
    // The GPU keeps at most 128 hits a list in registers and answers larger k in
    // pages of 128: k on both sides of one and two pages, over lists longer than k.
    let dim = 10;
    let n = 1500;
    let all = clustered(n + 70, dim, 5, 0.5, 31);
    let (data, queries) = all.split_at(n * dim);
    let emb = embeddings(data.to_vec(), dim);
    for metric in METRICS {
        let index = build(&emb, dev, &IndexOptions::new(metric).lists(5).seed(2));
        assert!(index.list_sizes().iter().filter(|&&s| s > 257).count() >= 2);
        let exact = SearchIndex::cpu(data, dim, &SearchOptions::new(metric)).unwrap();
        let excl: Vec<Vec<u32>> = (0..70).map(|i| vec![2 * i]).collect();
        for k in [127, 128, 129, 256, 257] {
            let want = exact.search(queries, k, Some(&excl)).unwrap();
            let got = index
                .search(queries, k, Probe::Lists(5), Some(&excl))
                .unwrap();
            assert_same_hits(&got, &want, 1e-5, &format!("{metric:?} k={k}"));
            // Two lists: k hits wherever the two smallest lists hold k rows.
            let mut sizes = index.list_sizes();
            sizes.sort_unstable();
            let two = index
                .search(queries, k, Probe::Lists(2), Some(&excl))
                .unwrap();
            let least = k.min(sizes[0] + sizes[1] - 2); // 2 rows excluded at most
            assert!(
                two.iter().all(|h| h.len() >= least && h.len() <= k),
                "{metric:?} k={k}"
            );
        }
    }
}
common::twin_test!(k_around_the_page_of_128);

/// On the GPU the lists are cut into shards (storage bindings) between lists:
/// a binding limit of exactly the rows' bytes keeps one shard, 4 bytes less
/// makes two, a small one many; each gives the CPU twin's hits. A list larger
/// than one binding is refused, not cut short.
#[test]
fn gpu_shards_cut_between_lists() {
    use glove_wgpu::gpu::{GpuContext, GpuOptions};
    use std::sync::Arc;
    common::gpu().expect("a GPU adapter");
    let dim = 8; // padded to 8: 32 bytes a row
    let n = 1200;
    let all = clustered(n + 90, dim, 12, 0.3, 41);
    let (data, queries) = all.split_at(n * dim);
    let emb = embeddings(data.to_vec(), dim);
    let opts = IndexOptions::new(Metric::Cosine).lists(12).seed(5);
    let cpu = build(&emb, &Device::Cpu, &opts);
    let bytes = cpu.to_bytes().unwrap();
    let largest = *cpu.list_sizes().iter().max().unwrap() as u64 * 32;
    let excl: Vec<Vec<u32>> = (0..90).map(|i| vec![i, i + 1]).collect();
    let want = cpu
        .search(queries, 20, Probe::Lists(4), Some(&excl))
        .unwrap();
    let rows = n as u64 * 32;
    for (limit, shards) in [
        (rows, Some(1)),
        (rows - 4, Some(2)),
        (largest.max(4096), None),
    ] {
        let ctx = GpuContext::with_options(&GpuOptions {
            max_binding_bytes: Some(limit),
            ..GpuOptions::from_env()
        })
        .unwrap();
        let gpu = build(&emb, &Device::Gpu(Arc::new(ctx)), &opts);
        assert!(
            gpu.to_bytes().unwrap() == bytes,
            "limit {limit}: the GPU build differs"
        );
        let got_shards = gpu.gpu_shards().unwrap().unwrap();
        match shards {
            Some(s) => assert_eq!(got_shards, s, "limit {limit}"),
            None => assert!(got_shards > 2, "limit {limit}: {got_shards} shards"),
        }
        let got = gpu
            .search(queries, 20, Probe::Lists(4), Some(&excl))
            .unwrap();
        assert_same_hits(&got, &want, 1e-5, &format!("limit {limit}"));
    }
    // Below the largest list: an error that says so.
    let ctx = GpuContext::with_options(&GpuOptions {
        max_binding_bytes: Some(largest - 32),
        ..GpuOptions::from_env()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.ivf");
    cpu.save(&path).unwrap();
    let err = Index::load(&path, &Device::Gpu(Arc::new(ctx)))
        .and_then(|i| i.search(queries, 5, Probe::Lists(4), None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than one GPU binding"), "{err}");
}

/// The build normalises and assigns rows a block of 65,536 at a time: rows on
/// both sides of the first block's end land in their own cluster's list, so
/// each is its own nearest hit when only the query's nearest list is read.
#[test]
fn rows_past_one_assignment_block_land_in_their_lists() {
    let (n, dim, clusters) = (65_536 + 40, 4, 4);
    // Four far-apart clusters along the axes, row r in cluster (r / 3) % 4
    // (rows 65,536 apart differ).
    let mut rng = common::Rng::new(9);
    let mut data = Vec::with_capacity(n * dim);
    for r in 0..n {
        let c = (r / 3) % clusters;
        for d in 0..dim {
            data.push(if d == c { 10.0 } else { 0.0 } + 0.5 * rng.uniform());
        }
    }
    let emb = embeddings(data.clone(), dim);
    let index = build(
        &emb,
        &Device::Cpu,
        &IndexOptions::new(Metric::Cosine).lists(clusters),
    );
    let rows: Vec<usize> = (0..20).chain(65_516..n).collect();
    let queries: Vec<f32> = rows
        .iter()
        .flat_map(|&r| data[r * dim..(r + 1) * dim].to_vec())
        .collect();
    let hits = index.search(&queries, 1, Probe::Lists(1), None).unwrap();
    for (&r, h) in rows.iter().zip(&hits) {
        assert_eq!(ids(h), [r as u32], "row {r}");
    }
}
