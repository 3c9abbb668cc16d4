//! Training checkpoints: parameters, AdaGrad state, epoch and generator state,
//! written atomically so a crash leaves the previous checkpoint intact.
//!
//! Layout (little-endian): magic `GLOVECK3`, `u64` vocabulary size, `u64`
//! dimension, `u32` epochs done, `u64` seed, `u64` generator state, `u64`
//! number of triples trained on, the update's settings `x_max`, `alpha`, `eta`,
//! `clip` as f32, `u32` epochs of history then each as `u32` epoch, `f64` cost,
//! `f64` seconds, `u64` updates, then `params` and `gradsq` as f32, and last the
//! CRC-32 of everything before it (`u32`): a flipped byte anywhere is refused.
//! Files of the earlier layouts still load, without a checksum to check and
//! with no history: `GLOVECK2` (no history) and `GLOVECK1` (no settings either,
//! [`Checkpoint::settings`] `None`).

use std::io::{Read, Write};
use std::path::Path;

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::model::Model;

const MAGIC_V1: &[u8; 8] = b"GLOVECK1";
const MAGIC_V2: &[u8; 8] = b"GLOVECK2";
const MAGIC: &[u8; 8] = b"GLOVECK3";
const HEAD_V1: usize = 52;
const HEAD: usize = HEAD_V1 + 16;
/// Bytes of one epoch of history: epoch, cost, seconds, updates.
const EPOCH: usize = 4 + 8 + 8 + 8;

/// The settings of the update a checkpoint was trained with: resuming with others
/// would silently train a different model.
///
/// ```
/// use glove_wgpu::train::{checkpoint::Settings, TrainConfig};
/// let s = Settings::of(&TrainConfig::default());
/// assert_eq!((s.x_max, s.alpha, s.eta, s.clip), (100.0, 0.75, 0.05, 100.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// `x_max`.
    pub x_max: f32,
    /// `alpha`.
    pub alpha: f32,
    /// `eta`.
    pub eta: f32,
    /// Gradient clip.
    pub clip: f32,
}

impl Settings {
    /// The settings of `cfg`.
    ///
    /// ```
    /// use glove_wgpu::train::{checkpoint::Settings, TrainConfig};
    /// let cfg = TrainConfig { eta: 0.01, ..Default::default() };
    /// assert_eq!(Settings::of(&cfg).eta, 0.01);
    /// ```
    pub fn of(cfg: &super::TrainConfig) -> Self {
        Settings {
            x_max: cfg.x_max,
            alpha: cfg.alpha,
            eta: cfg.eta,
            clip: cfg.clip,
        }
    }

    /// `name saved -> given` for each setting of `cfg` that differs from these.
    ///
    /// ```
    /// use glove_wgpu::train::{checkpoint::Settings, TrainConfig};
    /// let saved = Settings::of(&TrainConfig::default());
    /// assert!(saved.differences(&TrainConfig::default()).is_empty());
    /// let now = TrainConfig { alpha: 0.5, ..Default::default() };
    /// assert_eq!(saved.differences(&now), ["--alpha 0.75 (saved) vs 0.5"]);
    /// ```
    pub fn differences(&self, cfg: &super::TrainConfig) -> Vec<String> {
        let now = Settings::of(cfg);
        [
            ("x-max", self.x_max, now.x_max),
            ("alpha", self.alpha, now.alpha),
            ("eta", self.eta, now.eta),
            ("clip", self.clip, now.clip),
        ]
        .into_iter()
        .filter(|(_, a, b)| a.to_bits() != b.to_bits())
        .map(|(name, a, b)| format!("--{name} {a} (saved) vs {b}"))
        .collect()
    }
}

/// The name of the checkpoint file inside a checkpoint folder.
///
/// ```
/// use glove_wgpu::train::checkpoint::FILE_NAME;
/// let dir = std::path::Path::new("checkpoints");
/// assert_eq!(dir.join(FILE_NAME), std::path::Path::new("checkpoints/checkpoint.bin"));
/// ```
pub const FILE_NAME: &str = "checkpoint.bin";

/// A saved training state.
///
/// ```
/// use glove_wgpu::{model::Model, train::checkpoint::Checkpoint};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("c.bin");
/// let ck = Checkpoint { model: Model::new(3, 2, 9)?, epoch: 4, seed: 9, rng_state: 77, triples: 10, settings: None, history: Vec::new() };
/// ck.save(&path)?;
/// assert_eq!(Checkpoint::load(&path)?, ck);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// Parameters and AdaGrad state.
    pub model: Model,
    /// Epochs done.
    pub epoch: u32,
    /// Seed of the initialisation.
    pub seed: u64,
    /// State of the generator after initialisation ([`crate::rng::SplitMix64::state`]).
    pub rng_state: u64,
    /// Number of triples trained on (checked on resume).
    pub triples: u64,
    /// The update's settings (checked on resume); `None` in first-layout files and
    /// when not given (then saved as zeros, which no valid setting equals).
    pub settings: Option<Settings>,
    /// The report of each epoch done, so a resumed run reports them all (empty
    /// in files of the earlier layouts).
    pub history: Vec<super::EpochReport>,
}

impl Checkpoint {
    /// Writes the checkpoint to `path` atomically.
    ///
    /// ```
    /// use glove_wgpu::{model::Model, train::{checkpoint::{Checkpoint, Settings}, TrainConfig}};
    /// let path = std::env::temp_dir().join(format!("glove-doc-ck-save-{}.bin", std::process::id()));
    /// let settings = Some(Settings::of(&TrainConfig::default()));
    /// let ck = Checkpoint { model: Model::new(2, 3, 5)?, epoch: 1, seed: 5, rng_state: 0, triples: 4, settings, history: Vec::new() };
    /// ck.save(&path)?;
    /// assert_eq!(Checkpoint::load(&path)?.settings, settings);
    /// std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut f = AtomicFile::create(path)?;
        let m = &self.model;
        let mut head = Vec::with_capacity(HEAD);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&(m.vocab as u64).to_le_bytes());
        head.extend_from_slice(&(m.dim as u64).to_le_bytes());
        head.extend_from_slice(&self.epoch.to_le_bytes());
        head.extend_from_slice(&self.seed.to_le_bytes());
        head.extend_from_slice(&self.rng_state.to_le_bytes());
        head.extend_from_slice(&self.triples.to_le_bytes());
        let s = self.settings.unwrap_or(Settings {
            x_max: 0.0,
            alpha: 0.0,
            eta: 0.0,
            clip: 0.0,
        });
        for v in [s.x_max, s.alpha, s.eta, s.clip] {
            head.extend_from_slice(&v.to_le_bytes());
        }
        head.extend_from_slice(&(self.history.len() as u32).to_le_bytes());
        for r in &self.history {
            head.extend_from_slice(&r.epoch.to_le_bytes());
            head.extend_from_slice(&r.cost.to_le_bytes());
            head.extend_from_slice(&r.seconds.to_le_bytes());
            head.extend_from_slice(&r.updates.to_le_bytes());
        }
        let werr = |e| Error::io_path("writing", path, e);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&head);
        f.write_all(&head).map_err(werr)?;
        for v in [&m.params, &m.gradsq] {
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            crc.update(&bytes);
            f.write_all(&bytes).map_err(werr)?;
        }
        f.write_all(&crc.finalize().to_le_bytes()).map_err(werr)?;
        f.commit()
    }

    /// Reads a checkpoint, checking its magic, sizes and values.
    ///
    /// ```
    /// use glove_wgpu::train::checkpoint::Checkpoint;
    /// let path = std::env::temp_dir().join(format!("glove-doc-ck-load-{}.bin", std::process::id()));
    /// std::fs::write(&path, b"not a checkpoint").unwrap();
    /// let err = Checkpoint::load(&path).unwrap_err();
    /// assert!(err.to_string().contains("byte 0"), "{err}");
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| Error::io_path("reading", path, e))?;
        let bad = |at: usize, what: &str| Error::malformed(&name, format!("byte {at}"), what);
        let (head, checked) = match bytes.get(..8) {
            Some(m) if m == MAGIC && bytes.len() >= HEAD + 8 => (HEAD, true),
            Some(m) if m == MAGIC_V2 && bytes.len() >= HEAD => (HEAD, false),
            Some(m) if m == MAGIC_V1 && bytes.len() >= HEAD_V1 => (HEAD_V1, false),
            _ => {
                return Err(bad(
                    0,
                    "not a glove-wgpu checkpoint (bad magic or too short)",
                ))
            }
        };
        if checked {
            let end = bytes.len() - 4;
            let want = u32::from_le_bytes(bytes[end..].try_into().expect("4 bytes"));
            if crc32fast::hash(&bytes[..end]) != want {
                return Err(bad(
                    end,
                    "checksum mismatch: the checkpoint is corrupted (a changed byte, or a \
                     partial copy); restore a good copy, or start afresh without --resume",
                ));
            }
            bytes.truncate(end);
        }
        let mut history = Vec::new();
        let mut head = head;
        if checked {
            let n = u32::from_le_bytes(bytes[HEAD..HEAD + 4].try_into().expect("4 bytes")) as usize;
            let end = n
                .checked_mul(EPOCH)
                .and_then(|b| b.checked_add(HEAD + 4))
                .filter(|&e| e <= bytes.len())
                .ok_or_else(|| bad(HEAD, "history longer than the file"))?;
            history = bytes[HEAD + 4..end]
                .chunks_exact(EPOCH)
                .map(|r| super::EpochReport {
                    epoch: u32::from_le_bytes(r[0..4].try_into().expect("4 bytes")),
                    cost: f64::from_le_bytes(r[4..12].try_into().expect("8 bytes")),
                    seconds: f64::from_le_bytes(r[12..20].try_into().expect("8 bytes")),
                    updates: u64::from_le_bytes(r[20..28].try_into().expect("8 bytes")),
                })
                .collect();
            head = end;
        }
        let f32_at = |o: usize| f32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let settings = (head >= HEAD)
            .then(|| Settings {
                x_max: f32_at(52),
                alpha: f32_at(56),
                eta: f32_at(60),
                clip: f32_at(64),
            })
            .filter(|s| s.eta != 0.0);
        let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("8 bytes"));
        let vocab = u64_at(8) as usize;
        let dim = u64_at(16) as usize;
        let epoch = u32::from_le_bytes(bytes[24..28].try_into().expect("4 bytes"));
        let seed = u64_at(28);
        let rng_state = u64_at(36);
        let triples = u64_at(44);
        let n = 2u64
            .checked_mul(vocab as u64)
            .and_then(|v| v.checked_mul(dim as u64 + 1))
            .filter(|&n| n > 0 && head as u64 + 8 * n == bytes.len() as u64)
            .ok_or_else(|| {
                bad(
                    8,
                    &format!(
                        "{vocab} words x dimension {dim} does not match the file size {}",
                        bytes.len()
                    ),
                )
            })? as usize;
        let floats = |o: usize| -> Vec<f32> {
            bytes[o..o + 4 * n]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect()
        };
        let params = floats(head);
        let gradsq = floats(head + 4 * n);
        if let Some(p) = params.iter().chain(&gradsq).position(|v| !v.is_finite()) {
            return Err(bad(head + 4 * p, "non-finite value"));
        }
        Ok(Checkpoint {
            model: Model {
                vocab,
                dim,
                params,
                gradsq,
            },
            epoch,
            seed,
            rng_state,
            triples,
            settings,
            history,
        })
    }
}
