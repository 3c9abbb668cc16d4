//! What a run did: [`Report`], the command line's `report.json`.

use crate::model::SaveMode;
use crate::progress::Stage;
use crate::train::{EpochReport, TrainConfig};

/// What a run did: the JSON `report.json` of the command line.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::CoocSource, Device};
/// use glove_wgpu::pipeline::{train_embeddings, TrainOptions};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let mut opts = TrainOptions::default();
/// (opts.config.dim, opts.config.epochs) = (4, 2);
/// let words = vec!["a".to_string(), "b".to_string()];
/// let setup = opts.resolve_on(Device::Cpu)?;
/// let (_, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &setup, &mut |_| Ok(()))?;
/// assert_eq!((report.backend.as_str(), report.vocab_size, report.nonzeros), ("cpu-hogwild", 2, 2));
/// assert_eq!(report.final_cost, Some(report.epochs[1].cost));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// The backend's name.
    pub backend: String,
    /// The GPU adapter, if any.
    pub adapter: Option<String>,
    /// Words (rows) of the vectors.
    pub vocab_size: usize,
    /// Co-occurrence triples trained on.
    pub nonzeros: u64,
    /// The update's settings.
    pub config: TrainConfig,
    /// Epochs done before this run (a resumed checkpoint).
    pub start_epoch: u32,
    /// Every epoch of this run.
    pub epochs: Vec<EpochReport>,
    /// The last epoch's cost.
    pub final_cost: Option<f64>,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Triples per second over the epochs.
    pub updates_per_s: f64,
    /// Which vectors were kept.
    pub save: SaveMode,
    /// Seconds per stage of [`fit`](super::fit) (empty for [`train_embeddings`](super::train_embeddings)).
    pub stages: Vec<StageTime>,
}

/// One stage's time in a [`Report`].
///
/// ```
/// use glove_wgpu::{corpus::Corpus, pipeline::*, progress::Stage, Device};
/// let mut cfg = FitConfig::default();
/// (cfg.vocab.min_count, cfg.train.config.dim, cfg.train.config.epochs) = (1, 4, 1);
/// let (_, report) = fit(Corpus::reader(&b"a b a b a b\n"[..]), &cfg.resolve_on(Device::Cpu)?, &mut |_| Ok(()))?;
/// let stages: Vec<Stage> = report.stages.iter().map(|t| t.stage).collect();
/// assert_eq!(stages, [Stage::Vocabulary, Stage::Cooccurrences, Stage::Shuffle, Stage::Training]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, serde::Serialize)]
pub struct StageTime {
    /// The stage.
    pub stage: Stage,
    /// Wall-clock seconds.
    pub seconds: f64,
}
