//! CPU trainers: a hand-computed update step, exact reproducibility, resume
//! after a checkpoint, Hogwild against the exact trainer, and input checks.

mod common;

use common::Device;

use glove_wgpu::cooccur::Cooc;
use glove_wgpu::model::{Model, SaveMode};
use glove_wgpu::train::checkpoint::Checkpoint;
use glove_wgpu::train::{self, train, Backend, BatchPlan, TrainConfig};

/// A small random problem: `n` triples over `vocab` words, x in (0, 30].
fn random_cooc(vocab: u32, n: usize, seed: u64) -> Vec<Cooc> {
    let mut rng = common::Rng::new(seed);
    (0..n)
        .map(|_| Cooc {
            i: (rng.next_u64() % vocab as u64) as u32,
            j: (rng.next_u64() % vocab as u64) as u32,
            x: 30.0 * (1.0 - rng.unit()),
        })
        .collect()
}

fn no_report(_: &train::EpochReport, _: &train::EpochView) -> glove_wgpu::Result<()> {
    Ok(())
}

/// One word, dimension 2, one triple (0, 0, 2.0): every value worked out by hand
/// (in f64, see the comments) from glove.c's rule.
fn hand_model() -> Model {
    Model {
        vocab: 1,
        dim: 2,
        // w = [0.1, 0.2], b = 0.3; w~ = [0.4, -0.5], b~ = 0.1
        params: vec![0.1, 0.2, 0.3, 0.4, -0.5, 0.1],
        gradsq: vec![1.0; 6],
    }
}

#[test]
fn one_update_step_matches_hand_computation() {
    let cfg = TrainConfig {
        dim: 2,
        epochs: 1,
        ..Default::default()
    };
    // diff = 0.04 - 0.1 + 0.3 + 0.1 - ln 2 = -0.35314718; f = 0.02^0.75 = 0.05318296
    // fdiff = -0.01878141; cost = 0.5 fdiff diff = 0.0033163013
    // w_k -= 0.05 fdiff w~_k; w~_k -= 0.05 fdiff w_k (old w); b -= fdiff; G += step^2
    let want_params = [
        0.100_375_63,
        0.199_530_46,
        0.318_781_4,
        0.400_093_9,
        -0.499_812_2,
        0.118_781_4,
    ];
    let want_gradsq: [f64; 6] = [
        1.000_000_141,
        1.000_000_22,
        1.000_352_74,
        1.000_000_009,
        1.000_000_035,
        1.000_352_74,
    ];
    let cooc = [Cooc { i: 0, j: 0, x: 2.0 }];
    for backend in [
        Backend::Exact,
        Backend::Hogwild { threads: 2 },
        Backend::Batched,
    ] {
        let mut m = hand_model();
        let r = train(&mut m, &cooc, &cfg, &backend, 0, &mut no_report).unwrap();
        assert!(
            (r[0].cost - 0.003_316_301_3).abs() < 1e-8,
            "{backend:?}: cost {}",
            r[0].cost
        );
        for (k, (got, want)) in m.params.iter().zip(want_params).enumerate() {
            assert!(
                (got - want).abs() < 1e-6,
                "{backend:?}: param {k}: {got} vs {want}"
            );
        }
        for (k, (got, want)) in m.gradsq.iter().zip(want_gradsq).enumerate() {
            assert!(
                (*got as f64 - want).abs() < 1e-6,
                "{backend:?}: gradsq {k}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn weight_is_one_above_x_max() {
    assert_eq!(train::weight(100.5, 100.0, 0.75), 1.0);
    assert_eq!(train::weight(100.0, 100.0, 0.75), 1.0);
    assert!((train::weight(50.0, 100.0, 0.5) - 0.5f32.sqrt()).abs() < 1e-7);
}

/// Counts that are zero, negative or not finite have no logarithm: rejected
/// before any work, naming the record (from 1).
#[test]
fn bad_counts_are_rejected_naming_the_record() {
    let cfg = TrainConfig {
        dim: 2,
        epochs: 1,
        ..Default::default()
    };
    for x in [0.0, -3.0, f32::NAN, f32::INFINITY] {
        let cooc = [Cooc { i: 0, j: 0, x: 1.0 }, Cooc { i: 0, j: 0, x }];
        for backend in [
            Backend::Exact,
            Backend::Batched,
            Backend::Hogwild { threads: 2 },
        ] {
            let mut m = hand_model();
            let err = train(&mut m, &cooc, &cfg, &backend, 0, &mut no_report).unwrap_err();
            assert!(err.to_string().contains("record 2"), "{x}: {err}");
            assert_eq!(m, hand_model(), "nothing trained");
        }
    }
}

/// The trainers of a device: the three CPU trainers, or the GPU trainer.
fn backends(dev: &Device) -> Vec<Backend> {
    match dev {
        Device::Cpu => vec![
            Backend::Exact,
            Backend::Batched,
            Backend::Hogwild { threads: 2 },
        ],
        Device::Gpu(ctx) => vec![Backend::Gpu(ctx.clone())],
    }
}

/// A learning rate that makes the parameters overflow: the first non-finite
/// residual makes the epoch's cost infinite and training stops with a message
/// that says what to change, before the epoch is reported (so a checkpoint
/// callback keeps the last good epoch); on the GPU with the same advice.
fn divergence_stops_training_with_advice(dev: &Device) {
    let cooc = random_cooc(40, 3000, 5);
    let cfg = TrainConfig {
        dim: 8,
        epochs: 5,
        eta: 1e30,
        ..Default::default()
    };
    for backend in backends(dev) {
        let mut m = Model::new(40, 8, 1).unwrap();
        let mut seen = 0;
        let err = train(&mut m, &cooc, &cfg, &backend, 0, &mut |_, _| {
            seen += 1;
            Ok(())
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("diverged") && msg.contains("eta"), "{msg}");
        assert!(seen < 5, "{backend:?}: {seen} epochs reported");
    }
}
common::twin_test!(divergence_stops_training_with_advice);

#[test]
fn exact_trainer_is_reproducible_and_cost_falls() {
    let cooc = random_cooc(40, 3000, 5);
    let cfg = TrainConfig {
        dim: 8,
        epochs: 5,
        x_max: 10.0,
        ..Default::default()
    };
    let run = || {
        let mut m = Model::new(40, 8, 3).unwrap();
        let r = train(&mut m, &cooc, &cfg, &Backend::Exact, 0, &mut no_report).unwrap();
        (m, r)
    };
    let (a, ra) = run();
    let (b, rb) = run();
    assert_eq!(a, b);
    assert_eq!(
        ra.iter().map(|r| r.cost).collect::<Vec<_>>(),
        rb.iter().map(|r| r.cost).collect::<Vec<_>>()
    );
    assert!(ra[4].cost < 0.7 * ra[0].cost, "{ra:?}");
}

#[test]
fn hogwild_reaches_the_exact_trainers_cost() {
    let cooc = random_cooc(300, 20_000, 11);
    let cfg = TrainConfig {
        dim: 10,
        epochs: 6,
        x_max: 10.0,
        ..Default::default()
    };
    let mut costs = Vec::new();
    for backend in [
        Backend::Exact,
        Backend::Hogwild { threads: 2 },
        Backend::Batched,
    ] {
        let mut m = Model::new(300, 10, 1).unwrap();
        let r = train(&mut m, &cooc, &cfg, &backend, 0, &mut no_report).unwrap();
        costs.push(r.last().unwrap().cost);
    }
    for c in &costs[1..] {
        assert!((c / costs[0] - 1.0).abs() < 0.05, "{costs:?}");
    }
}

#[test]
fn resume_after_checkpoint_equals_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let cooc = random_cooc(50, 2000, 2);
    let cfg = TrainConfig {
        dim: 6,
        epochs: 4,
        batch_size: 300,
        ..Default::default()
    };
    for backend in [Backend::Exact, Backend::Batched] {
        let mut whole = Model::new(50, 6, 9).unwrap();
        let full = train(&mut whole, &cooc, &cfg, &backend, 0, &mut no_report).unwrap();

        // Stop after epoch 2 through the callback's error, as a crash would.
        let path = dir.path().join("ck.bin");
        let mut m = Model::new(50, 6, 9).unwrap();
        let stop = train(&mut m, &cooc, &cfg, &backend, 0, &mut |r, view| {
            Checkpoint {
                model: view.model()?,
                epoch: r.epoch,
                seed: 9,
                rng_state: 0,
                triples: cooc.len() as u64,
                settings: None,
                history: Vec::new(),
            }
            .save(&path)?;
            if r.epoch == 2 {
                return Err(glove_wgpu::Error::invalid("stop"));
            }
            Ok(())
        });
        assert!(stop.is_err());
        let ck = Checkpoint::load(&path).unwrap();
        assert_eq!(ck.epoch, 2);
        let mut resumed = ck.model;
        let rest = train(
            &mut resumed,
            &cooc,
            &cfg,
            &backend,
            ck.epoch,
            &mut no_report,
        )
        .unwrap();
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[0].epoch, 3);
        assert_eq!(resumed, whole, "{backend:?}");
        assert_eq!(rest[1].cost, full[3].cost);
    }
}

#[test]
fn checkpoint_rejects_truncated_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ck.bin");
    let ck = Checkpoint {
        model: Model::new(4, 3, 1).unwrap(),
        epoch: 1,
        seed: 1,
        rng_state: 2,
        triples: 3,
        settings: Some(glove_wgpu::train::checkpoint::Settings::of(
            &TrainConfig::default(),
        )),
        history: Vec::new(),
    };
    ck.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), ck);
    let bytes = std::fs::read(&path).unwrap();
    // The first layout (no settings, no history, no checksum) still loads.
    let mut v1 = b"GLOVECK1".to_vec();
    v1.extend_from_slice(&bytes[8..52]);
    v1.extend_from_slice(&bytes[68 + 4..bytes.len() - 4]);
    std::fs::write(&path, &v1).unwrap();
    let old = Checkpoint::load(&path).unwrap();
    assert_eq!((old.settings, old.model), (None, ck.model.clone()));
    std::fs::write(&path, &v1[..v1.len() - 4]).unwrap();
    let e = Checkpoint::load(&path).unwrap_err().to_string();
    assert!(e.contains("file size"), "{e}");
    // The current layout is checksummed: a cut file is refused too.
    std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
    let e = Checkpoint::load(&path).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");
    std::fs::write(
        &path,
        b"not a checkpoint at all, just some text here......................",
    )
    .unwrap();
    let e = Checkpoint::load(&path).unwrap_err().to_string();
    assert!(e.contains("magic"), "{e}");
}

#[test]
fn ids_outside_the_vocabulary_are_an_error() {
    let mut m = Model::new(3, 4, 1).unwrap();
    let cfg = TrainConfig {
        dim: 4,
        epochs: 1,
        ..Default::default()
    };
    let cooc = [Cooc { i: 0, j: 3, x: 1.0 }];
    let e = train(&mut m, &cooc, &cfg, &Backend::Exact, 0, &mut no_report)
        .unwrap_err()
        .to_string();
    assert!(e.contains("record 1") && e.contains("3 words"), "{e}");
}

#[test]
fn bad_settings_are_rejected() {
    for cfg in [
        TrainConfig {
            dim: 0,
            ..Default::default()
        },
        TrainConfig {
            eta: -1.0,
            ..Default::default()
        },
        TrainConfig {
            x_max: f32::NAN,
            ..Default::default()
        },
        TrainConfig {
            batch_size: 0,
            ..Default::default()
        },
    ] {
        assert!(cfg.validate().is_err(), "{cfg:?}");
    }
    assert!(Model::new(0, 5, 1).is_err());
}

/// No triples, or no epochs: an error, not the random starting vectors.
#[test]
fn training_on_nothing_is_an_error() {
    let mut m = Model::new(3, 4, 1).unwrap();
    let before = m.clone();
    let cfg = TrainConfig {
        dim: 4,
        epochs: 2,
        ..Default::default()
    };
    for backend in [
        Backend::Exact,
        Backend::Hogwild { threads: 2 },
        Backend::Batched,
    ] {
        let err = train(&mut m, &[], &cfg, &backend, 0, &mut no_report).unwrap_err();
        assert!(err.to_string().contains("no co-occurrences"), "{err}");
        let zero = TrainConfig {
            epochs: 0,
            ..cfg.clone()
        };
        let one = [Cooc { i: 0, j: 1, x: 2.0 }];
        let err = train(&mut m, &one, &zero, &backend, 0, &mut no_report).unwrap_err();
        assert!(err.to_string().contains("epochs"), "{err}");
    }
    assert_eq!(m, before);
}

#[test]
fn save_modes_shape_the_output() {
    let m = hand_model();
    assert_eq!(m.vectors(SaveMode::W), vec![0.1, 0.2]);
    let sum = m.vectors(SaveMode::WPlusC);
    assert!((sum[0] - 0.5).abs() < 1e-7 && (sum[1] + 0.3).abs() < 1e-7);
    assert_eq!(m.vectors(SaveMode::Both), vec![0.1, 0.2, 0.4, -0.5]);
}

#[test]
fn batch_plan_groups_rows_stably_with_batches_that_do_not_divide_the_input() {
    let cooc = random_cooc(7, 101, 4);
    let plan = BatchPlan::build_capped(&cooc, 17, 0);
    assert_eq!(plan.batches().len(), 6);
    assert_eq!(plan.main_entries().len(), 101);
    assert_eq!(plan.ctx_entries().len(), 101);
    // Rebuild each batch's triples from the main grouping, in order within a row.
    for (b, range) in plan.batches().iter().enumerate() {
        let part = &cooc[b * 17..(b * 17 + 17).min(101)];
        let first = range.entry_base as usize;
        let main: Vec<_> = plan.main_spans_of(b).collect();
        for &(span, count) in &main {
            let want: Vec<(u32, f32)> = part
                .iter()
                .filter(|c| c.i == span.row)
                .map(|c| (c.j, c.x))
                .collect();
            let at = first + span.start as usize;
            let got: Vec<(u32, f32)> = plan.main_entries()[at..at + count as usize]
                .iter()
                .map(|e| (e.idx, e.x))
                .collect();
            assert_eq!(got, want);
        }
        for (span, count) in plan.ctx_spans_of(b) {
            let want: Vec<(u32, f32)> = part
                .iter()
                .filter(|c| c.j == span.row)
                .map(|c| (c.i, c.x))
                .collect();
            let at = first + span.start as usize;
            let got: Vec<(u32, f32)> = plan.ctx_entries()[at..at + count as usize]
                .iter()
                .map(|e| (main[e.idx as usize].0.row, e.x))
                .collect();
            assert_eq!(got, want);
        }
    }
}

mod traffic {
    use glove_wgpu::cooccur::{self, Cooc, CooccurOptions};
    use glove_wgpu::corpus::Corpus;
    use glove_wgpu::train::traffic::Traffic;
    use glove_wgpu::train::BatchPlan;
    use glove_wgpu::vocab::{Vocab, VocabOptions};

    /// One triple at dimension 50 (stride 56), counted by hand for 32 lanes: a row
    /// access is a slot of 32 elements (128 bytes, 4 sectors) and one of 19 (76
    /// bytes in 3 sectors): 224 bytes moved, 204 used. Main pass: span (32 / 8; the
    /// batch's only span reads no next one), row and state loaded, snapshot, row
    /// and state stored (5 x 224 / 204), one entry (32 / 8), the context row
    /// (224 / 204), the row cost (32 / 4). Context pass: the same without snapshot
    /// and row cost.
    #[test]
    fn one_triple_counted_by_hand() {
        let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], 8);
        let t = Traffic::count(&plan, 50, 32);
        assert_eq!(
            t.bytes_moved,
            (32 + 5 * 224 + 32 + 224 + 32) + (32 + 4 * 224 + 32 + 224)
        );
        assert_eq!(
            t.bytes_used,
            (8 + 5 * 204 + 8 + 204 + 4) + (8 + 4 * 204 + 8 + 204)
        );
        assert_eq!(t.launched_lanes, 11 * 2 * 32);
        assert_eq!(t.active_lanes, 11 * (32 + 19));
        assert_eq!(t.dispatches, 3);
        assert_eq!(t.critical_path_ratio(), 1.0);
        assert_eq!(t.min_bytes_per_update(), 32.0 * 51.0 + 12.0);
    }

    fn kjv_head() -> Vec<Cooc> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/kjv_head.txt");
        let opts = VocabOptions::default();
        let vocab = Vocab::count(Corpus::from_arg(path), &opts).unwrap();
        let opts = CooccurOptions::default();
        cooccur::count_shuffled(path, &vocab, &opts, 1).unwrap()
    }

    /// The bounds the design promises on a real corpus, at dimensions 50 and 300 and
    /// batches of 4,096 and 65,536: at most 1.25 x the minimum bytes per update, at
    /// least 80 % of the bytes moved used, two dispatches per batch and one.
    #[test]
    fn design_bounds_hold_on_a_real_corpus() {
        let cooc = kjv_head();
        assert!(cooc.len() > 50_000, "{}", cooc.len());
        for batch in [4096, 65536] {
            let plan = BatchPlan::build(&cooc, batch);
            for dim in [50, 300] {
                let t = Traffic::count(&plan, dim, 32);
                let what = format!("batch {batch}, dim {dim}: {t:?}");
                assert!(
                    t.bytes_per_update() <= 1.25 * t.min_bytes_per_update(),
                    "{what}"
                );
                assert!(t.sector_efficiency() >= 0.8, "{what}");
                assert!(t.active_lane_fraction() >= 0.75, "{what}");
                assert_eq!(t.dispatches, 2 * plan.batches().len() as u64 + 1);
            }
        }
    }

    /// The row cap shortens the critical path; without it batches are longer.
    #[test]
    fn row_cap_bounds_the_critical_path() {
        let cooc = kjv_head();
        let capped = Traffic::count(&BatchPlan::build_capped(&cooc, 4096, 4), 50, 32);
        let free = Traffic::count(&BatchPlan::build_capped(&cooc, 4096, 0), 50, 32);
        assert!(
            capped.critical_path_ratio() < free.critical_path_ratio(),
            "{} vs {}",
            capped.critical_path_ratio(),
            free.critical_path_ratio()
        );
    }
}

mod plan_cap {
    use crate::common;
    use glove_wgpu::cooccur::Cooc;
    use glove_wgpu::train::BatchPlan;

    fn skewed(n: usize, vocab: u32, seed: u64) -> Vec<Cooc> {
        let mut rng = common::Rng::new(seed);
        (0..n)
            .map(|_| {
                let a = rng.unit();
                Cooc {
                    i: ((a * a * a * vocab as f32) as u32).min(vocab - 1),
                    j: (rng.next_u64() % vocab as u64) as u32,
                    x: 1.0 + rng.unit(),
                }
            })
            .collect()
    }

    /// Every triple lands in exactly one batch, batches stay within their size,
    /// and no row passes its cap (the larger of the cap and its fair share of its
    /// block's batches); the plan is the same at 1, 2 and 3 threads.
    #[test]
    fn capped_plan_keeps_every_triple_once_and_rows_under_their_cap() {
        use glove_wgpu::train::PLAN_BLOCK_BATCHES;
        for (n, vocab, batch, cap) in [
            (1, 1, 1, 1),
            (5000, 50, 300, 4),
            (7777, 400, 1000, 16),
            (999, 3, 100, 2),
            // Many blocks: 640 triples a block, the last one short.
            (5003, 40, 10, 3),
            (1280, 5, 10, 1),
        ] {
            let cooc = skewed(n, vocab, n as u64);
            let plan = BatchPlan::build_capped(&cooc, batch, cap);
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let again = pool.install(|| BatchPlan::build_capped(&cooc, batch, cap));
                assert_eq!(plan, again, "{threads} threads");
            }
            let block = batch * PLAN_BLOCK_BATCHES;
            let mut seen: Vec<(u32, u32, u32)> = Vec::new();
            for (b, bt) in plan.batches().iter().enumerate() {
                assert!(bt.len as usize <= batch);
                // The block of this batch and its fair shares.
                let k = bt.entry_base as usize / block;
                let part = &cooc[k * block..((k + 1) * block).min(n)];
                let batches = part.len().div_ceil(batch) as u32;
                let mut per_row = vec![(0u32, 0u32); vocab as usize];
                for c in part {
                    per_row[c.i as usize].0 += 1;
                    per_row[c.j as usize].1 += 1;
                }
                assert!(
                    bt.entry_base as usize + bt.len as usize <= (k + 1) * block,
                    "a batch crosses a block"
                );
                let mut total = 0;
                for (s, count) in plan.main_spans_of(b) {
                    let fair = per_row[s.row as usize].0.div_ceil(batches).max(cap);
                    assert!(count <= fair, "row {} has {count} > {fair}", s.row);
                    let at = (bt.entry_base + s.start as u64) as usize;
                    for e in &plan.main_entries()[at..at + count as usize] {
                        seen.push((s.row, e.idx, e.x.to_bits()));
                    }
                    total += count;
                }
                assert_eq!(total, bt.len);
                for (s, count) in plan.ctx_spans_of(b) {
                    let fair = per_row[s.row as usize].1.div_ceil(batches).max(cap);
                    assert!(count <= fair, "context row {} has {count} > {fair}", s.row);
                }
            }
            let mut want: Vec<(u32, u32, u32)> =
                cooc.iter().map(|c| (c.i, c.j, c.x.to_bits())).collect();
            seen.sort_unstable();
            want.sort_unstable();
            assert_eq!(seen, want);
        }
    }

    /// Blocks are cut on their own: the plan of a stream is its blocks' plans end
    /// to end, so no triple is lost or repeated where one block meets the next.
    #[test]
    fn blocks_are_planned_independently() {
        use glove_wgpu::train::PLAN_BLOCK_BATCHES;
        let (batch, cap) = (7, 2);
        let block = batch * PLAN_BLOCK_BATCHES;
        let cooc = skewed(3 * block + 100, 30, 11);
        let whole = BatchPlan::build_capped(&cooc, batch, cap);
        let mut batches = 0;
        for part in cooc.chunks(block) {
            let alone = BatchPlan::build_capped(part, batch, cap);
            for (b, bt) in alone.batches().iter().enumerate() {
                let w = whole.batches()[batches + b];
                assert_eq!(bt.len, w.len);
                let got: Vec<_> = whole.main_spans_of(batches + b).collect();
                let want: Vec<_> = alone.main_spans_of(b).collect();
                assert_eq!(got, want);
                let (ge, ae) = (w.entry_base as usize, bt.entry_base as usize);
                assert_eq!(
                    &whole.main_entries()[ge..ge + w.len as usize],
                    &alone.main_entries()[ae..ae + bt.len as usize]
                );
                assert_eq!(
                    &whole.ctx_entries()[ge..ge + w.len as usize],
                    &alone.ctx_entries()[ae..ae + bt.len as usize]
                );
            }
            batches += alone.batches().len();
        }
        assert_eq!(batches, whole.batches().len());
    }

    /// Without a cap, batches are runs of consecutive triples.
    #[test]
    fn uncapped_plan_cuts_consecutive_runs() {
        let cooc = skewed(1000, 20, 5);
        let plan = BatchPlan::build_capped(&cooc, 300, 0);
        assert_eq!(plan.batches().len(), 4);
        let firsts: Vec<u32> = (0..4)
            .map(|b| plan.main_spans_of(b).next().unwrap().0.row)
            .collect();
        let want: Vec<u32> = [0, 300, 600, 900].iter().map(|&t| cooc[t].i).collect();
        assert_eq!(firsts, want);
    }
}

mod streamed {
    use super::*;
    use glove_wgpu::cooccur::CoocFormat;
    use glove_wgpu::train::{train_source, Budget, CoocSource};

    /// Training from a file in 8+ chunks gives the in-memory vectors bit for bit in
    /// the deterministic modes: the exact trainer, and the batched twin (its plan
    /// is the same) with or without the row cap, in memory or in plan files.
    #[test]
    fn file_in_chunks_equals_memory_in_deterministic_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cooc.bin");
        let cooc = random_cooc(60, 4000, 9);
        super::common::write_stanford(&path, &cooc);
        for (backend, chunk, row_cap, plan_memory) in [
            (Backend::Exact, 333, 8, 1 << 30),
            (Backend::Batched, 400, 0, 1 << 30),
            (Backend::Batched, 333, 8, 1 << 30),
            (Backend::Batched, 333, 8, 1000), // the plan in files
        ] {
            let cfg = TrainConfig {
                dim: 6,
                epochs: 3,
                batch_size: 200,
                row_cap,
                ..Default::default()
            };
            let mut a = Model::new(60, 6, 3).unwrap();
            let ra = train(&mut a, &cooc, &cfg, &backend, 0, &mut no_report).unwrap();
            let mut b = Model::new(60, 6, 3).unwrap();
            let src = CoocSource::File {
                path: path.clone(),
                format: CoocFormat::Glove,
                chunk,
            };
            let mut chunks = 0;
            src.for_each_chunk(0, &mut |_| {
                chunks += 1;
                Ok(())
            })
            .unwrap();
            assert!(chunks >= 8, "{chunks} chunks");
            let budget = Budget {
                memory_bytes: plan_memory,
                plan_dir: Some(dir.path().to_path_buf()),
                ..Default::default()
            };
            let rb =
                train_source(&mut b, &src, &cfg, &backend, &budget, 0, &mut no_report).unwrap();
            assert_eq!(a, b, "{backend:?}");
            // The plan files are gone with the run.
            let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            assert_eq!(left.len(), 1, "{left:?}");
            // The exact trainer's cost is summed chunk by chunk: equal to rounding.
            for (x, y) in ra.iter().zip(&rb) {
                assert!(
                    (x.cost - y.cost).abs() <= 1e-6 * x.cost,
                    "{} vs {}",
                    x.cost,
                    y.cost
                );
            }
        }
    }

    /// From memory, chunk 0 is all triples at once (in-memory training must not
    /// run triple by triple); other chunks cut in order.
    #[test]
    fn memory_source_chunks() {
        let cooc = random_cooc(10, 1000, 1);
        let src = CoocSource::Memory(&cooc);
        let mut sizes = Vec::new();
        src.for_each_chunk(0, &mut |p| {
            sizes.push(p.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(sizes, [1000]);
        sizes.clear();
        src.for_each_chunk(300, &mut |p| {
            sizes.push(p.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(sizes, [300, 300, 300, 100]);
    }

    /// A bad record in a later chunk is found before the first epoch, numbered in
    /// the whole file.
    #[test]
    fn bad_record_in_a_later_chunk_stops_before_training() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cooc.bin");
        let mut cooc = random_cooc(60, 4000, 9);
        cooc[3210].x = -1.0;
        super::common::write_stanford(&path, &cooc);
        let src = CoocSource::File {
            path,
            format: CoocFormat::Glove,
            chunk: 500,
        };
        let cfg = TrainConfig {
            dim: 4,
            epochs: 2,
            ..Default::default()
        };
        let mut m = Model::new(60, 4, 3).unwrap();
        let before = m.clone();
        let mut epochs = 0;
        for backend in [Backend::Exact, Backend::Batched] {
            let err = train_source(
                &mut m,
                &src,
                &cfg,
                &backend,
                &Budget::default(),
                0,
                &mut |_, _| {
                    epochs += 1;
                    Ok(())
                },
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("cooc.bin: record 3211"), "{backend:?}: {err}");
            assert_eq!((epochs, &m), (0, &before));
        }
    }
}
