//! The whole job in one call: a corpus in, vectors and a report out.
//!
//! One file, over 500 lines: the options, events and report are the two calls'
//! signatures, read together with them.
//!
//! [`fit`] runs Stanford's four tools in order — vocabulary, co-occurrence
//! counting, shuffle, training — in a work folder, within a memory budget;
//! [`train_embeddings`] is its last step alone, for co-occurrences counted
//! elsewhere. Both report what they do through a callback of [`Event`]s (the
//! command line draws its progress bar and prints its lines from them) and return
//! the vectors with a [`Report`]; writing them is the caller's choice.
//!
//! ```
//! use glove_wgpu::{device::DeviceChoice, pipeline::{fit, FitConfig, TrainOptions}, progress::Event};
//! use glove_wgpu::corpus::Corpus;
//! let text = "the cat sat on the mat\nthe dog sat on the log\n".repeat(20);
//! let cfg = FitConfig {
//!     min_count: 1,
//! //!     train: TrainOptions { dim: 8, epochs: 5, device: DeviceChoice::Cpu, ..Default::default() },
//!     ..Default::default()
//! };
//! let mut costs = Vec::new();
//! let (vectors, report) = fit(Corpus::reader(std::io::Cursor::new(text)), &cfg, &mut |e| {
//!     if let Event::Epoch(r) = e {
//!         costs.push(r.cost);
//!     }
//!     Ok(())
//! })?;
//! assert_eq!(vectors.len(), 7); // the, sat, on, cat, mat, dog, log
//! assert_eq!(report.epochs.len(), 5);
//! assert!(costs[4] < costs[0]);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cooccur::{self, CoocFormat, CooccurOptions, ShuffleOptions};
use crate::corpus::Corpus;
use crate::device::DeviceChoice;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::{Model, SaveMode};
use crate::progress::{Event, Progress, Stage};
use crate::rng::SplitMix64;
use crate::train::checkpoint::{self, Checkpoint};
use crate::train::{self, Backend, CoocSource, EpochReport, TrainConfig};
use crate::vocab::{Vocab, VocabOptions};

/// The trainer used when training runs on the CPU (see [`Backend`]).
///
/// ```
/// use glove_wgpu::pipeline::{CpuTrainer, TrainOptions};
/// assert_eq!(TrainOptions::default().cpu_trainer, CpuTrainer::Hogwild);
/// let reproducible = TrainOptions { cpu_trainer: CpuTrainer::Exact, ..Default::default() };
/// assert_eq!(reproducible.cpu_trainer, CpuTrainer::Exact);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum CpuTrainer {
    /// Lock-free parallel SGD, as Stanford's `glove`.
    #[default]
    Hogwild,
    /// One thread, triples in order: exactly reproducible.
    Exact,
    /// The GPU's batch semantics on the CPU (the kernels' twins).
    Batched,
}

impl crate::names::Named for CpuTrainer {
    const ALL: &'static [Self] = &[CpuTrainer::Hogwild, CpuTrainer::Exact, CpuTrainer::Batched];

    fn name(self) -> &'static str {
        match self {
            CpuTrainer::Hogwild => "hogwild",
            CpuTrainer::Exact => "exact",
            CpuTrainer::Batched => "batched",
        }
    }
}

/// How to train: the update's settings (Stanford's defaults, from
/// [`TrainConfig::default`]), where, and what to keep.
///
/// ```
/// let o = glove_wgpu::pipeline::TrainOptions::default();
/// assert_eq!((o.dim, o.epochs, o.batch_size), (50, 25, None));
/// ```
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Vector dimension.
    pub dim: usize,
    /// Epochs.
    pub epochs: u32,
    /// Cut-off of the weighting function.
    pub x_max: f32,
    /// Exponent of the weighting function.
    pub alpha: f32,
    /// Learning rate.
    pub eta: f32,
    /// Gradient clip.
    pub clip: f32,
    /// Seed of the initialisation (and of the shuffle in [`fit`]).
    pub seed: u64,
    /// Triples per batch of the GPU and batched CPU trainers; `None`: chosen from
    /// the adapter ([`train::default_batch`]).
    pub batch_size: Option<usize>,
    /// Most triples of one row in a batch, unless the row's fair share is more
    /// (0: no cap).
    pub row_cap: u32,
    /// Where to train (the `--backend` flag).
    pub device: DeviceChoice,
    /// Which trainer runs on the CPU.
    pub cpu_trainer: CpuTrainer,
    /// CPU threads (0: all cores).
    pub threads: usize,
    /// Which vectors to keep.
    pub save: SaveMode,
    /// Save a checkpoint here after every epoch.
    pub checkpoint_dir: Option<PathBuf>,
    /// Resume from the checkpoint in `checkpoint_dir` when there is one; settings
    /// other than the saved ones are refused.
    pub resume: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        let c = TrainConfig::default();
        TrainOptions {
            dim: c.dim,
            epochs: c.epochs,
            x_max: c.x_max,
            alpha: c.alpha,
            eta: c.eta,
            clip: c.clip,
            seed: c.seed,
            batch_size: None,
            row_cap: c.row_cap,
            device: DeviceChoice::Auto,
            cpu_trainer: CpuTrainer::Hogwild,
            threads: 0,
            save: SaveMode::WPlusC,
            checkpoint_dir: None,
            resume: false,
        }
    }
}

impl TrainOptions {
    /// The update's settings, the batch chosen for `ctx` where none is given.
    ///
    /// ```
    /// use glove_wgpu::pipeline::TrainOptions;
    /// let c = TrainOptions { dim: 16, batch_size: Some(1024), ..Default::default() }.config(None);
    /// assert_eq!((c.dim, c.batch_size), (16, 1024));
    /// let chosen = TrainOptions::default().config(None); // no GPU: the CPU twins' batch
    /// assert_eq!(chosen.batch_size, glove_wgpu::train::DEFAULT_BATCH);
    /// ```
    pub fn config(&self, ctx: Option<&GpuContext>) -> TrainConfig {
        TrainConfig {
            dim: self.dim,
            epochs: self.epochs,
            x_max: self.x_max,
            alpha: self.alpha,
            eta: self.eta,
            clip: self.clip,
            seed: self.seed,
            batch_size: self.batch_size.unwrap_or_else(|| train::default_batch(ctx)),
            row_cap: self.row_cap,
        }
    }
}

/// Settings of [`fit`]: the four tools' options, with Stanford's defaults.
///
/// ```
/// let c = glove_wgpu::pipeline::FitConfig::default();
/// assert_eq!((c.min_count, c.window, c.symmetric), (5, 15, true));
/// ```
#[derive(Clone, Debug)]
pub struct FitConfig {
    /// Keep words seen at least this many times.
    pub min_count: u64,
    /// Keep at most this many words (the most frequent).
    pub max_vocab: Option<usize>,
    /// Context window: pairs at distance `1..=window`.
    pub window: usize,
    /// Count left and right context.
    pub symmetric: bool,
    /// Add `1/d` for a pair at distance `d` (otherwise 1).
    pub distance_weighting: bool,
    /// Memory budget for counting, shuffling and training, bytes: co-occurrences
    /// that do not fit are spilled while counting and read in chunks every epoch.
    pub memory_bytes: usize,
    /// Keep the vocabulary and co-occurrence files in this folder; `None`: a
    /// temporary folder inside `temp_parent`, removed at the end.
    pub work_dir: Option<PathBuf>,
    /// Where the temporary work folder goes (`None`: the system's temporary
    /// folder). Choose a disk with room for about 40 bytes per co-occurrence.
    pub temp_parent: Option<PathBuf>,
    /// Training.
    pub train: TrainOptions,
}

impl Default for FitConfig {
    fn default() -> Self {
        let v = VocabOptions::default();
        let c = CooccurOptions::default();
        FitConfig {
            min_count: v.min_count,
            max_vocab: v.max_vocab,
            window: c.window,
            symmetric: c.symmetric,
            distance_weighting: c.distance_weighting,
            memory_bytes: c.memory_bytes,
            work_dir: None,
            temp_parent: None,
            train: TrainOptions::default(),
        }
    }
}

/// What a run did: the JSON `report.json` of the command line.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::CoocSource};
/// use glove_wgpu::{device::DeviceChoice, pipeline::{train_embeddings, TrainOptions}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let opts = TrainOptions { dim: 4, epochs: 2, device: DeviceChoice::Cpu, ..Default::default() };
/// let words = vec!["a".to_string(), "b".to_string()];
/// let (_, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &opts, &mut |_| Ok(()))?;
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
    /// Seconds per stage of [`fit`] (empty for [`train_embeddings`]).
    pub stages: Vec<StageTime>,
}

/// One stage's time in a [`Report`].
///
/// ```
/// use glove_wgpu::{corpus::Corpus, device::DeviceChoice, pipeline::*, progress::Stage};
/// let train = TrainOptions { dim: 4, epochs: 1, device: DeviceChoice::Cpu, ..Default::default() };
/// let cfg = FitConfig { min_count: 1, train, ..Default::default() };
/// let (_, report) = fit(Corpus::reader(&b"a b a b a b\n"[..]), &cfg, &mut |_| Ok(()))?;
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

/// Host bytes a triple takes while it trains in a chunk: the chunk being read
/// and the one training (12 bytes each), and a batch plan's entries, spans and
/// order (at most 52).
const BYTES_PER_STREAMED_TRIPLE: usize = 96;

/// The triples of `path` for training within `memory_bytes`: read into memory
/// when they fit one chunk of the budget, else again every epoch in chunks that
/// fit it ([`train::train_source`] checks every record).
///
/// ```no_run
/// use glove_wgpu::{cooccur::CoocFormat, pipeline::cooc_source};
/// let src = cooc_source("cooc.shuf.bin".as_ref(), CoocFormat::Native, 1 << 30, &mut |_| Ok(()))?;
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn cooc_source(
    path: &Path,
    format: CoocFormat,
    memory_bytes: usize,
    progress: &mut Progress,
) -> Result<CoocSource<'static>> {
    let chunk = (memory_bytes.max(1 << 20) / BYTES_PER_STREAMED_TRIPLE).max(4096);
    let source = CoocSource::File {
        path: path.to_path_buf(),
        format,
        chunk,
    };
    let n = source.len()?;
    if n > chunk as u64 {
        progress(Event::Note(&format!(
            "{n} triples do not fit {} MiB: reading {} in chunks every epoch",
            memory_bytes >> 20,
            path.display()
        )))?;
    }
    Ok(source)
}

/// Trains vectors for `words` on the triples of `source` (ids are rows of
/// `words`), with checkpoints and resumption as `opts` says.
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// use glove_wgpu::{device::DeviceChoice, pipeline::{train_embeddings, CpuTrainer, TrainOptions}};
/// use glove_wgpu::train::CoocSource;
/// let cooc = [Cooc { i: 0, j: 1, x: 3.0 }, Cooc { i: 1, j: 0, x: 3.0 }];
/// let opts = TrainOptions {
///     dim: 4, epochs: 3, device: DeviceChoice::Cpu, cpu_trainer: CpuTrainer::Exact,
///     ..Default::default()
/// };
/// let words = vec!["ham".to_string(), "eggs".to_string()];
/// let (v, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &opts, &mut |_| Ok(()))?;
/// assert_eq!((v.len(), v.dim(), report.epochs.len()), (2, 4, 3));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn train_embeddings(
    words: Vec<String>,
    source: &CoocSource,
    opts: &TrainOptions,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let device = opts.device.resolve(progress)?;
    let ctx = device.gpu().cloned();
    let cfg = opts.config(ctx.as_deref());
    cfg.validate()?;
    if words.is_empty() {
        return Err(Error::invalid("the vocabulary is empty"));
    }
    let n = source.len()?;
    let (mut model, start, rng_state) = start_model(opts, &cfg, words.len(), n, progress)?;
    let adapter = ctx.as_ref().map(|c| c.adapter().name.clone());
    let backend = match ctx {
        Some(c) => Backend::Gpu(c),
        None => match opts.cpu_trainer {
            CpuTrainer::Hogwild => Backend::Hogwild {
                threads: opts.threads,
            },
            CpuTrainer::Exact => Backend::Exact,
            CpuTrainer::Batched => Backend::Batched,
        },
    };
    if let Some(dir) = &opts.checkpoint_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;
    }
    progress(Event::TrainingStarts {
        words: words.len(),
        nonzeros: n,
        config: &cfg,
        backend: backend.name(),
        adapter: adapter.as_deref(),
        start_epoch: start,
    })?;
    let t0 = Instant::now();
    let epochs = train::train_source(&mut model, source, &cfg, &backend, start, &mut |r, view| {
        if let Some(dir) = &opts.checkpoint_dir {
            Checkpoint {
                model: view.model()?,
                epoch: r.epoch,
                seed: cfg.seed,
                rng_state,
                triples: n,
                settings: Some(checkpoint::Settings::of(&cfg)),
            }
            .save(dir.join(checkpoint::FILE_NAME))?;
        }
        progress(Event::Epoch(r))
    })?;
    let train_seconds = t0.elapsed().as_secs_f64();
    let emb = model.embeddings(words, opts.save)?;
    let epoch_secs: f64 = epochs.iter().map(|r| r.seconds).sum();
    let updates: u64 = epochs.iter().map(|r| r.updates).sum();
    let report = Report {
        backend: backend.name().to_string(),
        adapter,
        vocab_size: emb.len(),
        nonzeros: n,
        config: cfg,
        start_epoch: start,
        final_cost: epochs.last().map(|r| r.cost),
        epochs,
        train_seconds,
        updates_per_s: if epoch_secs > 0.0 {
            updates as f64 / epoch_secs
        } else {
            0.0
        },
        save: opts.save,
        stages: Vec::new(),
    };
    Ok((emb, report))
}

/// The model to train: the checkpoint's when resuming (refusing other settings),
/// else a fresh one from the seed. Returns it with its epochs done and the
/// generator's state.
fn start_model(
    opts: &TrainOptions,
    cfg: &TrainConfig,
    vocab: usize,
    triples: u64,
    progress: &mut Progress,
) -> Result<(Model, u32, u64)> {
    if let (true, Some(dir)) = (opts.resume, &opts.checkpoint_dir) {
        let path = dir.join(checkpoint::FILE_NAME);
        if path.exists() {
            let ck = Checkpoint::load(&path)?;
            if ck.model.vocab != vocab || ck.model.dim != cfg.dim || ck.triples != triples {
                return Err(Error::invalid(format!(
                    "{} was saved for {} words, dimension {}, {} triples; this run has {vocab} \
                     words, dimension {}, {triples} triples",
                    path.display(),
                    ck.model.vocab,
                    ck.model.dim,
                    ck.triples,
                    cfg.dim
                )));
            }
            let mut changed = ck.settings.map(|s| s.differences(cfg)).unwrap_or_default();
            if ck.seed != cfg.seed {
                changed.push(format!("--seed {} (saved) vs {}", ck.seed, cfg.seed));
            }
            if !changed.is_empty() {
                return Err(Error::invalid(format!(
                    "{} was trained with other settings: {}; resume with the saved ones, or \
                     start afresh without --resume",
                    path.display(),
                    changed.join(", ")
                )));
            }
            progress(Event::Note(&format!(
                "resuming from {} after epoch {}",
                path.display(),
                ck.epoch
            )))?;
            return Ok((ck.model, ck.epoch, ck.rng_state));
        }
        progress(Event::Note(&format!(
            "no checkpoint in {}; starting afresh",
            dir.display()
        )))?;
    }
    let mut rng = SplitMix64::new(cfg.seed);
    let model = Model::with_rng(vocab, cfg.dim, &mut rng)?;
    Ok((model, 0, rng.state))
}

/// The work folder's files, for callers that check their own outputs against them.
///
/// ```
/// use glove_wgpu::{corpus::Corpus, device::DeviceChoice, pipeline::*, progress::Stage};
/// let dir = std::env::temp_dir().join(format!("glove-doc-work-{}", std::process::id()));
/// let train = TrainOptions { dim: 4, epochs: 1, device: DeviceChoice::Cpu, ..Default::default() };
/// let cfg = FitConfig { min_count: 1, work_dir: Some(dir.clone()), train, ..Default::default() };
/// fit(Corpus::reader(&b"a b a b a b\n"[..]), &cfg, &mut |_| Ok(()))?;
/// assert!(dir.join(WORK_FILES[0]).is_file()); // vocab.txt, kept
/// assert!(dir.join(WORK_FILES[2]).is_file()); // the shuffled triples, kept
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub const WORK_FILES: [&str; 3] = ["vocab.txt", "cooc.bin", "cooc.shuf.bin"];

/// The whole pipeline: counts the vocabulary of `corpus`, its co-occurrences,
/// shuffles them and trains, in a work folder (see [`FitConfig::work_dir`]).
/// A corpus that cannot be read twice (standard input, a pipe, a reader) is first
/// copied into the work folder. See the [module docs](self) for an example.
///
/// ```
/// use glove_wgpu::{corpus::Corpus, device::DeviceChoice, pipeline::*, progress::Stage};
/// let train = TrainOptions { dim: 4, epochs: 2, device: DeviceChoice::Cpu, ..Default::default() };
/// let cfg = FitConfig { min_count: 2, train, ..Default::default() };
/// let (vectors, report) = fit(Corpus::reader(&b"to be or not to be\n"[..]), &cfg, &mut |_| Ok(()))?;
/// assert_eq!(vectors.words(), ["be", "to"]); // "or" and "not" are seen once
/// assert_eq!(report.epochs.len(), 2);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn fit(
    corpus: impl Into<Corpus>,
    config: &FitConfig,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let (dir, temporary) = match &config.work_dir {
        Some(d) => (d.clone(), false),
        None => {
            let parent = config
                .temp_parent
                .clone()
                .unwrap_or_else(std::env::temp_dir);
            crate::atomic::remove_leftovers(&parent);
            (parent.join(crate::atomic::temp_name("fit")), true)
        }
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io_path("creating", &dir, e))?;
    let result = stages(corpus.into(), config, &dir, progress);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// The corpus as a file that can be read twice (the vocabulary, then the
/// co-occurrences): a regular file itself, else a copy in `dir`.
fn rereadable(corpus: Corpus, dir: &Path, progress: &mut Progress) -> Result<PathBuf> {
    if let Corpus::File(p) = &corpus {
        if std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
            return Ok(p.clone());
        }
    }
    let copy = dir.join("corpus.txt");
    progress(Event::Note(&format!(
        "copying the corpus from {} to {} (it is read twice)",
        corpus.name(),
        copy.display()
    )))?;
    let mut out = std::fs::File::create(&copy).map_err(|e| Error::io_path("creating", &copy, e))?;
    let mut input: Box<dyn Read> = match corpus {
        Corpus::File(p) => {
            Box::new(std::fs::File::open(&p).map_err(|e| Error::io_path("opening", &p, e))?)
        }
        Corpus::Stdin => Box::new(std::io::stdin().lock()),
        Corpus::Reader(r) => r,
    };
    std::io::copy(&mut input, &mut out)
        .map_err(|e| Error::io_path("copying the corpus to", &copy, e))?;
    Ok(copy)
}

fn stages(
    corpus: Corpus,
    cfg: &FitConfig,
    dir: &Path,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let corpus = rereadable(corpus, dir, progress)?;
    let threads = cfg.train.threads;
    let memory = cfg.memory_bytes.max(16 << 20);
    let mut times = Vec::new();
    let mut timed = |stage: Stage,
                     progress: &mut Progress,
                     work: &mut dyn FnMut(&mut Progress) -> Result<String>|
     -> Result<()> {
        progress(Event::Stage(stage))?;
        let t = Instant::now();
        let summary = work(progress)?;
        let seconds = t.elapsed().as_secs_f64();
        times.push(StageTime { stage, seconds });
        progress(Event::StageDone {
            stage,
            seconds,
            summary,
        })
    };

    let mut vocab = Vocab::default();
    timed(Stage::Vocabulary, progress, &mut |progress| {
        vocab = Vocab::count_with(
            Corpus::File(corpus.clone()),
            &VocabOptions {
                min_count: cfg.min_count,
                max_vocab: cfg.max_vocab,
                threads,
                ..Default::default()
            },
            progress,
        )?;
        vocab.write(dir.join(WORK_FILES[0]))?;
        Ok(format!(
            "{} words from {} tokens",
            vocab.len(),
            vocab.corpus_tokens()
        ))
    })?;
    let counted = dir.join(WORK_FILES[1]);
    let shuffled = dir.join(WORK_FILES[2]);
    timed(Stage::Cooccurrences, progress, &mut |progress| {
        let stats = cooccur::count_with(
            Corpus::File(corpus.clone()),
            &vocab,
            &counted,
            &CooccurOptions {
                window: cfg.window,
                symmetric: cfg.symmetric,
                distance_weighting: cfg.distance_weighting,
                memory_bytes: memory,
                threads,
                format: CoocFormat::Native,
                temp_dir: Some(dir.to_path_buf()),
                ..Default::default()
            },
            progress,
        )?;
        Ok(format!("{} non-zero entries", stats.entries))
    })?;
    timed(Stage::Shuffle, progress, &mut |progress| {
        cooccur::shuffle_with(
            &counted,
            &shuffled,
            &ShuffleOptions {
                seed: cfg.train.seed,
                memory_bytes: memory,
                format: Some(CoocFormat::Native),
                temp_dir: Some(dir.to_path_buf()),
                ..Default::default()
            },
            progress,
        )?;
        let _ = std::fs::remove_file(&counted);
        Ok(String::new())
    })?;
    progress(Event::Stage(Stage::Training))?;
    let source = cooc_source(&shuffled, CoocFormat::Native, memory, progress)?;
    let (emb, mut report) =
        train_embeddings(vocab.words().to_vec(), &source, &cfg.train, progress)?;
    times.push(StageTime {
        stage: Stage::Training,
        seconds: report.train_seconds,
    });
    report.stages = times;
    Ok((emb, report))
}
