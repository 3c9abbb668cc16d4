//! The whole job in one call: a corpus in, vectors and a report out.
//!
//! [`fit`] runs Stanford's four tools in order — vocabulary, co-occurrence
//! counting, shuffle, training — in a work folder, within a memory budget;
//! [`train_embeddings`] is its last step alone, for co-occurrences counted
//! elsewhere. Both take settings resolved once ([`FitConfig::resolve`],
//! [`TrainOptions::resolve`]: validated, with their device), report what they do
//! through a [`Progress`] callback of [`Event`]s (the command line draws its
//! bars and prints its lines from them) and return the vectors with a
//! [`Report`]; writing them is the caller's choice.
//!
//! | file | holds |
//! | --- | --- |
//! | `mod.rs` | [`fit`], [`train_embeddings`] and what they share |
//! | `options.rs` | the settings as asked ([`FitConfig`], [`TrainOptions`]) and resolved ([`FitSetup`], [`TrainSetup`]) |
//! | `report.rs` | [`Report`], what a run did |
//!
//! ```
//! use glove_wgpu::{device::DeviceChoice, pipeline::{fit, FitConfig}, progress::Event};
//! use glove_wgpu::corpus::Corpus;
//! let text = "the cat sat on the mat\nthe dog sat on the log\n".repeat(20);
//! let mut cfg = FitConfig::default();
//! cfg.vocab.min_count = 1;
//! (cfg.train.config.dim, cfg.train.config.epochs, cfg.train.device) = (8, 5, DeviceChoice::Cpu);
//! let setup = cfg.resolve(&mut |_| Ok(()))?; // validated, the device opened: once
//! let mut costs = Vec::new();
//! let (vectors, report) = fit(Corpus::reader(std::io::Cursor::new(text)), &setup, &mut |e| {
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

mod options;
mod report;

pub use options::{CpuTrainer, FitConfig, FitSetup, TrainOptions, TrainSetup};
pub use report::{Report, StageTime, REPORT_VERSION};

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cooccur::{self, CoocFormat, CooccurOptions, ShuffleOptions};
use crate::corpus::Corpus;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::progress::{Event, Progress, Stage};
use crate::rng::SplitMix64;
use crate::train::checkpoint::{self, Checkpoint};
use crate::train::{self, CoocSource};
use crate::vocab::Vocab;

/// Host bytes a triple takes while it trains in a chunk: the chunk being read
/// and the one training (12 bytes each), with room for the batch plan's block
/// work while the plan is built (entries, spans and order of a window of blocks).
/// The plan itself lives in memory only when it fits the whole budget
/// ([`train::Budget::plan_storage`]), else in files.
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
/// `words`) as `setup` says (resolved once: see [`TrainOptions::resolve`]), with
/// checkpoints and resumption.
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// use glove_wgpu::pipeline::{train_embeddings, CpuTrainer, TrainOptions};
/// use glove_wgpu::{train::CoocSource, Device};
/// let cooc = [Cooc { i: 0, j: 1, x: 3.0 }, Cooc { i: 1, j: 0, x: 3.0 }];
/// let mut opts = TrainOptions { cpu_trainer: CpuTrainer::Exact, ..Default::default() };
/// (opts.config.dim, opts.config.epochs) = (4, 3);
/// let setup = opts.resolve_on(Device::Cpu)?;
/// let words = vec!["ham".to_string(), "eggs".to_string()];
/// let (v, report) = train_embeddings(words, &CoocSource::Memory(&cooc), &setup, &mut |_| Ok(()))?;
/// assert_eq!((v.len(), v.dim(), report.epochs.len()), (2, 4, 3));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn train_embeddings(
    words: Vec<String>,
    source: &CoocSource,
    setup: &TrainSetup,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let cfg = setup.config();
    let backend = setup.backend();
    if words.is_empty() {
        return Err(Error::invalid("the vocabulary is empty"));
    }
    let n = source.len()?;
    let (mut model, start, rng_state) = start_model(setup, words.len(), n, progress)?;
    let adapter = setup.device().adapter_name().map(str::to_string);
    if let Some(dir) = setup.checkpoint_dir() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io_path("creating", dir, e))?;
    }
    progress(Event::TrainingStarts {
        words: words.len(),
        nonzeros: n,
        config: cfg,
        backend: backend.name(),
        adapter: adapter.as_deref(),
        start_epoch: start,
    })?;
    if matches!(backend, train::Backend::Batched | train::Backend::Gpu(_)) {
        // Before the first epoch, this trainer cuts the triples into batches once
        // (in parallel: about 40 ns a triple on 2 cores) and places them.
        progress(Event::Note(&format!(
            "cutting the {n} triples into batches once (the batch plan), before epoch 1"
        )))?;
    }
    let t0 = Instant::now();
    let budget = setup.budget();
    let epochs = train::train_source(
        &mut model,
        source,
        cfg,
        backend,
        budget,
        start,
        &mut |r, view| {
            if let Some(dir) = setup.checkpoint_dir() {
                Checkpoint {
                    model: view.model()?,
                    epoch: r.epoch,
                    seed: cfg.seed,
                    rng_state,
                    triples: n,
                    settings: Some(checkpoint::Settings::of(cfg)),
                }
                .save(dir.join(checkpoint::FILE_NAME))?;
            }
            progress(Event::Epoch(r))
        },
    )?;
    let train_seconds = t0.elapsed().as_secs_f64();
    let emb = model.embeddings(words, setup.save())?;
    let epoch_secs: f64 = epochs.iter().map(|r| r.seconds).sum();
    let updates: u64 = epochs.iter().map(|r| r.updates).sum();
    let report = Report {
        version: REPORT_VERSION,
        backend: backend.name().to_string(),
        adapter,
        vocab_size: emb.len(),
        nonzeros: n,
        config: cfg.clone(),
        start_epoch: start,
        final_cost: epochs.last().map(|r| r.cost),
        epochs,
        train_seconds,
        updates_per_s: if epoch_secs > 0.0 {
            updates as f64 / epoch_secs
        } else {
            0.0
        },
        save: setup.save(),
        stages: Vec::new(),
        output: None,
        format: None,
    };
    Ok((emb, report))
}

/// The model to train: the checkpoint's when resuming (refusing other settings),
/// else a fresh one from the seed. Returns it with its epochs done and the
/// generator's state.
fn start_model(
    setup: &TrainSetup,
    vocab: usize,
    triples: u64,
    progress: &mut Progress,
) -> Result<(Model, u32, u64)> {
    let cfg = setup.config();
    if let (true, Some(dir)) = (setup.resume(), setup.checkpoint_dir()) {
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
/// use glove_wgpu::{corpus::Corpus, pipeline::*, Device};
/// let dir = std::env::temp_dir().join(format!("glove-doc-work-{}", std::process::id()));
/// let mut cfg = FitConfig { work_dir: Some(dir.clone()), ..Default::default() };
/// (cfg.vocab.min_count, cfg.train.config.dim, cfg.train.config.epochs) = (1, 4, 1);
/// fit(Corpus::reader(&b"a b a b a b\n"[..]), &cfg.resolve_on(Device::Cpu)?, &mut |_| Ok(()))?;
/// assert!(dir.join(WORK_FILES[0]).is_file()); // vocab.txt, kept
/// assert!(dir.join(WORK_FILES[2]).is_file()); // the shuffled triples, kept
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub const WORK_FILES: [&str; 3] = ["vocab.txt", "cooc.bin", "cooc.shuf.bin"];

/// The whole pipeline: counts the vocabulary of `corpus`, its co-occurrences,
/// shuffles them and trains, in a work folder (see [`FitConfig::work_dir`]), as
/// `setup` says (resolved once: see [`FitConfig::resolve`]). A corpus that cannot
/// be read twice (standard input, a pipe, a reader) is first copied into the work
/// folder. See the [module docs](self) for an example.
///
/// ```
/// use glove_wgpu::{corpus::Corpus, pipeline::*, Device};
/// let mut cfg = FitConfig::default();
/// (cfg.vocab.min_count, cfg.train.config.dim, cfg.train.config.epochs) = (2, 4, 2);
/// let setup = cfg.resolve_on(Device::Cpu)?;
/// let (vectors, report) = fit(Corpus::reader(&b"to be or not to be\n"[..]), &setup, &mut |_| Ok(()))?;
/// assert_eq!(vectors.words(), ["be", "to"]); // "or" and "not" are seen once
/// assert_eq!(report.epochs.len(), 2);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn fit(
    corpus: impl Into<Corpus>,
    setup: &FitSetup,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let config = setup.options();
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
    let result = stages(corpus.into(), setup, &dir, progress);
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
    setup: &FitSetup,
    dir: &Path,
    progress: &mut Progress,
) -> Result<(Embeddings, Report)> {
    let corpus = rereadable(corpus, dir, progress)?;
    let cfg = setup.options();
    let memory = cfg.memory_bytes();
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
        vocab = Vocab::count_with(Corpus::File(corpus.clone()), &cfg.vocab, progress)?;
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
                memory_bytes: memory,
                format: CoocFormat::Native,
                temp_dir: Some(dir.to_path_buf()),
                ..cfg.cooccur.clone()
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
                seed: setup.train().config().seed,
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
        train_embeddings(vocab.words().to_vec(), &source, setup.train(), progress)?;
    times.push(StageTime {
        stage: Stage::Training,
        seconds: report.train_seconds,
    });
    report.stages = times;
    Ok((emb, report))
}
