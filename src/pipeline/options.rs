//! What the caller asks for ([`TrainOptions`], [`FitConfig`]: the command line's
//! and Python's flags, mapped once) and what it resolves to, once, at the top
//! ([`TrainSetup`], [`FitSetup`]: the validated update settings, the device and
//! the trainer). Everything below the resolution takes the resolved value and
//! neither validates the settings again nor opens a device.
//!
//! ```
//! use glove_wgpu::{device::DeviceChoice, pipeline::{FitConfig, TrainOptions}};
//! let mut cfg = FitConfig::default(); // Stanford's defaults, as the command line's
//! cfg.vocab.min_count = 1;
//! cfg.train.config.dim = 16;
//! cfg.train.device = DeviceChoice::Cpu;
//! let setup = cfg.resolve(&mut |_| Ok(()))?; // `Auto` would open a GPU here, once
//! assert_eq!((setup.train().config().dim, setup.train().backend().name()), (16, "cpu-hogwild"));
//! cfg.train.config.eta = -1.0;
//! assert!(cfg.resolve(&mut |_| Ok(())).is_err()); // refused before any work
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::path::{Path, PathBuf};

use crate::cooccur::CooccurOptions;
use crate::device::{Device, DeviceChoice};
use crate::error::Result;
use crate::model::SaveMode;
use crate::progress::Progress;
use crate::train::{self, Backend, TrainConfig};
use crate::vocab::VocabOptions;

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

/// How to train, as asked: the update's settings (Stanford's defaults, from
/// [`TrainConfig::default`]), where, and what to keep. [`TrainOptions::resolve`]
/// turns it into a [`TrainSetup`].
///
/// ```
/// let o = glove_wgpu::pipeline::TrainOptions::default();
/// assert_eq!((o.config.dim, o.config.epochs, o.batch_size), (50, 25, None));
/// ```
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// The update's settings. Its `batch_size` is replaced when resolving, by
    /// [`TrainOptions::batch_size`] or the device's choice.
    pub config: TrainConfig,
    /// Triples per batch of the GPU and batched CPU trainers; `None`: chosen from
    /// the adapter ([`train::default_batch`]).
    pub batch_size: Option<usize>,
    /// Where to train (the `--backend` flag).
    pub device: DeviceChoice,
    /// Which trainer runs on the CPU.
    pub cpu_trainer: CpuTrainer,
    /// CPU threads of the Hogwild trainer (0: all cores).
    pub threads: usize,
    /// Which vectors to keep.
    pub save: SaveMode,
    /// Save a checkpoint here after every epoch.
    pub checkpoint_dir: Option<PathBuf>,
    /// Resume from the checkpoint in `checkpoint_dir` when there is one; settings
    /// other than the saved ones are refused.
    pub resume: bool,
    /// Device memory the GPU trainer may take, bytes, the model included
    /// ([`train::DEFAULT_GPU_MEMORY`]): the batch plan's chunks that fit stay on
    /// the device, the others are written to it every epoch. The vectors are the
    /// same at any budget.
    pub gpu_memory_bytes: u64,
    /// Host memory for the batch plan of the GPU and batched CPU trainers, bytes
    /// ([`train::DEFAULT_PLAN_MEMORY`]; [`FitConfig`] sets it to its own budget):
    /// a plan that may not fit is written to files beside the co-occurrences.
    pub memory_bytes: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            config: TrainConfig::default(),
            batch_size: None,
            device: DeviceChoice::Auto,
            cpu_trainer: CpuTrainer::Hogwild,
            threads: 0,
            save: SaveMode::WPlusC,
            checkpoint_dir: None,
            resume: false,
            gpu_memory_bytes: train::DEFAULT_GPU_MEMORY,
            memory_bytes: train::DEFAULT_PLAN_MEMORY,
        }
    }
}

impl TrainOptions {
    /// Resolves the options once: opens the device they ask for (its notes go to
    /// `progress`), then as [`TrainOptions::resolve_on`].
    ///
    /// ```
    /// use glove_wgpu::{device::DeviceChoice, pipeline::TrainOptions};
    /// let opts = TrainOptions { device: DeviceChoice::Cpu, ..Default::default() };
    /// let setup = opts.resolve(&mut |_| Ok(()))?;
    /// assert_eq!(setup.device().name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resolve(&self, progress: &mut Progress) -> Result<TrainSetup> {
        self.resolve_on(self.device.resolve(progress)?)
    }

    /// Resolves the options on a device made already (one shared by several
    /// runs): chooses the batch for it, validates the update's settings and picks
    /// the trainer (the GPU's, or [`TrainOptions::cpu_trainer`]).
    ///
    /// ```
    /// use glove_wgpu::{pipeline::{CpuTrainer, TrainOptions}, train::DEFAULT_BATCH, Device};
    /// let opts = TrainOptions { cpu_trainer: CpuTrainer::Batched, ..Default::default() };
    /// let setup = opts.resolve_on(Device::Cpu)?;
    /// assert_eq!((setup.backend().name(), setup.config().batch_size), ("cpu-batched", DEFAULT_BATCH));
    /// let mut bad = opts.clone();
    /// bad.config.epochs = 0;
    /// assert!(bad.resolve_on(Device::Cpu).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resolve_on(&self, device: Device) -> Result<TrainSetup> {
        let batch_size = self
            .batch_size
            .unwrap_or_else(|| train::default_batch(device.gpu().map(|c| &**c)));
        let config = TrainConfig {
            batch_size,
            ..self.config.clone()
        };
        config.validate()?;
        if let Some(dir) = &self.checkpoint_dir {
            check_checkpoint_dir(dir)?;
        }
        let backend = match &device {
            Device::Gpu(ctx) => Backend::Gpu(ctx.clone()),
            Device::Cpu => match self.cpu_trainer {
                CpuTrainer::Hogwild => Backend::Hogwild {
                    threads: self.threads,
                },
                CpuTrainer::Exact => Backend::Exact,
                CpuTrainer::Batched => Backend::Batched,
            },
        };
        let budget = train::Budget {
            memory_bytes: self.memory_bytes,
            gpu_memory_bytes: self.gpu_memory_bytes,
            ..Default::default()
        };
        Ok(TrainSetup {
            config,
            backend,
            budget,
            device,
            save: self.save,
            checkpoint_dir: self.checkpoint_dir.clone(),
            resume: self.resume,
        })
    }
}

/// Checks, before any work, that checkpoints can be saved in `dir`: a folder
/// that takes new files, or a new one whose parent exists (a file, a device, a
/// read-only folder or a mistyped path would fail only after the first epoch).
fn check_checkpoint_dir(dir: &Path) -> Result<()> {
    let bad =
        |why: String| crate::Error::invalid(format!("checkpoint folder {}: {why}", dir.display()));
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {
            let probe = dir.join(crate::atomic::temp_name("probe"));
            std::fs::File::create(&probe)
                .map_err(|e| bad(format!("no new file can be made in it ({e})")))?;
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Ok(_) => Err(bad("it is a file or a device, not a folder".into())),
        Err(_) => {
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if parent.is_dir() {
                Ok(())
            } else {
                Err(bad(format!(
                    "the folder {} does not exist",
                    parent.display()
                )))
            }
        }
    }
}

/// Training resolved once ([`TrainOptions::resolve`]): the validated update
/// settings, the device and the trainer on it, and what to keep. Read-only:
/// what it holds was checked together.
///
/// ```
/// use glove_wgpu::{pipeline::TrainOptions, Device};
/// let setup = TrainOptions::default().resolve_on(Device::Cpu)?;
/// assert_eq!((setup.config().dim, setup.backend().name()), (50, "cpu-hogwild"));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TrainSetup {
    config: TrainConfig,
    backend: Backend,
    budget: train::Budget,
    device: Device,
    save: SaveMode,
    checkpoint_dir: Option<PathBuf>,
    resume: bool,
}

impl TrainSetup {
    /// The update's settings, validated, with the batch chosen.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::TrainOptions, Device};
    /// let opts = TrainOptions { batch_size: Some(1024), ..Default::default() };
    /// assert_eq!(opts.resolve_on(Device::Cpu)?.config().batch_size, 1024);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The trainer: the GPU's on a GPU device, else the CPU trainer asked for.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::{CpuTrainer, TrainOptions}, Device};
    /// let opts = TrainOptions { cpu_trainer: CpuTrainer::Exact, ..Default::default() };
    /// assert_eq!(opts.resolve_on(Device::Cpu)?.backend().name(), "cpu-exact");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// What the trainer may use beside the model: host memory for the batch plan,
    /// device memory for the GPU trainer.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::TrainOptions, Device};
    /// let opts = TrainOptions { gpu_memory_bytes: 1 << 30, ..Default::default() };
    /// assert_eq!(opts.resolve_on(Device::Cpu)?.budget().gpu_memory_bytes, 1 << 30);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn budget(&self) -> &train::Budget {
        &self.budget
    }

    /// The device training runs on, for whatever runs after it (the search of
    /// the fresh vectors).
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::TrainOptions, Device};
    /// assert!(TrainOptions::default().resolve_on(Device::Cpu)?.device().gpu().is_none());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Which vectors to keep.
    ///
    /// ```
    /// # use glove_wgpu::{model::SaveMode, pipeline::TrainOptions, Device};
    /// assert_eq!(TrainOptions::default().resolve_on(Device::Cpu)?.save(), SaveMode::WPlusC);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn save(&self) -> SaveMode {
        self.save
    }

    /// Where a checkpoint is saved after every epoch, if anywhere.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::TrainOptions, Device};
    /// let opts = TrainOptions { checkpoint_dir: Some("ck".into()), ..Default::default() };
    /// assert_eq!(opts.resolve_on(Device::Cpu)?.checkpoint_dir(), Some("ck".as_ref()));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn checkpoint_dir(&self) -> Option<&Path> {
        self.checkpoint_dir.as_deref()
    }

    /// Whether to resume from the checkpoint in [`TrainSetup::checkpoint_dir`].
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::TrainOptions, Device};
    /// assert!(!TrainOptions::default().resolve_on(Device::Cpu)?.resume());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resume(&self) -> bool {
        self.resume
    }
}

/// Settings of [`fit`](super::fit), as asked: the four tools' options, with
/// Stanford's defaults. [`FitConfig::resolve`] turns it into a [`FitSetup`].
///
/// `vocab` and `cooccur` are used as given, except that `cooccur.memory_bytes` is
/// the budget of the whole run (counting, shuffling and training; at least 16
/// MiB), and that `fit` writes its co-occurrences in the native format into its
/// work folder (`cooccur.format` and `cooccur.temp_dir` are its own).
///
/// ```
/// let c = glove_wgpu::pipeline::FitConfig::default();
/// assert_eq!((c.vocab.min_count, c.cooccur.window, c.cooccur.symmetric), (5, 15, true));
/// ```
#[derive(Clone, Debug, Default)]
pub struct FitConfig {
    /// Counting the vocabulary.
    pub vocab: VocabOptions,
    /// Counting co-occurrences; its `memory_bytes` is the run's budget.
    pub cooccur: CooccurOptions,
    /// Keep the vocabulary and co-occurrence files in this folder; `None`: a
    /// temporary folder inside `temp_parent`, removed at the end.
    pub work_dir: Option<PathBuf>,
    /// Where the temporary work folder goes (`None`: the system's temporary
    /// folder). Choose a disk with room for about 40 bytes per co-occurrence.
    pub temp_parent: Option<PathBuf>,
    /// Training.
    pub train: TrainOptions,
}

impl FitConfig {
    /// Resolves the settings once: the training's ([`TrainOptions::resolve`],
    /// which opens the device).
    ///
    /// ```
    /// use glove_wgpu::{device::DeviceChoice, pipeline::FitConfig};
    /// let mut cfg = FitConfig::default();
    /// cfg.train.device = DeviceChoice::Cpu;
    /// assert_eq!(cfg.resolve(&mut |_| Ok(()))?.device().name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resolve(&self, progress: &mut Progress) -> Result<FitSetup> {
        self.resolve_on(self.train.device.resolve(progress)?)
    }

    /// Resolves the settings on a device made already.
    ///
    /// ```
    /// use glove_wgpu::{pipeline::FitConfig, Device};
    /// let setup = FitConfig::default().resolve_on(Device::Cpu)?;
    /// assert_eq!(setup.options().vocab.min_count, 5);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resolve_on(&self, device: Device) -> Result<FitSetup> {
        // One memory budget for the run: the batch plan's share is the same.
        let train = TrainOptions {
            memory_bytes: self.memory_bytes() as u64,
            ..self.train.clone()
        };
        Ok(FitSetup {
            train: train.resolve_on(device)?,
            options: self.clone(),
        })
    }

    /// The run's memory budget, bytes (`cooccur.memory_bytes`, at least 16 MiB).
    ///
    /// ```
    /// let mut cfg = glove_wgpu::pipeline::FitConfig::default();
    /// cfg.cooccur.memory_bytes = 1;
    /// assert_eq!(cfg.memory_bytes(), 16 << 20);
    /// ```
    pub fn memory_bytes(&self) -> usize {
        self.cooccur.memory_bytes.max(16 << 20)
    }
}

/// [`fit`](super::fit)'s settings resolved once ([`FitConfig::resolve`]): the
/// counting options as given, and the resolved training.
///
/// ```
/// use glove_wgpu::{pipeline::FitConfig, Device};
/// let setup = FitConfig::default().resolve_on(Device::Cpu)?;
/// assert_eq!(setup.train().config().epochs, 25);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FitSetup {
    options: FitConfig,
    train: TrainSetup,
}

impl FitSetup {
    /// The settings as given (the counting stages read theirs from here).
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::FitConfig, Device};
    /// assert_eq!(FitConfig::default().resolve_on(Device::Cpu)?.options().cooccur.window, 15);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn options(&self) -> &FitConfig {
        &self.options
    }

    /// The resolved training.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::FitConfig, Device};
    /// assert_eq!(FitConfig::default().resolve_on(Device::Cpu)?.train().config().dim, 50);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn train(&self) -> &TrainSetup {
        &self.train
    }

    /// The device of the run, for the search of the fresh vectors.
    ///
    /// ```
    /// # use glove_wgpu::{pipeline::FitConfig, Device};
    /// assert_eq!(FitConfig::default().resolve_on(Device::Cpu)?.device().name(), "cpu");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn device(&self) -> &Device {
        self.train.device()
    }
}
