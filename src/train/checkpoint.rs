//! Training checkpoints: parameters, AdaGrad state, epoch and generator state,
//! written atomically so a crash leaves the previous checkpoint intact.
//!
//! Layout (little-endian): magic `GLOVECK1`, `u64` vocabulary size, `u64`
//! dimension, `u32` epochs done, `u64` seed, `u64` generator state, `u64`
//! number of triples trained on, then `params` and `gradsq` as f32.

use std::io::{Read, Write};
use std::path::Path;

use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use crate::model::Model;

const MAGIC: &[u8; 8] = b"GLOVECK1";

/// The name of the checkpoint file inside a checkpoint folder.
pub const FILE_NAME: &str = "checkpoint.bin";

/// A saved training state.
///
/// ```
/// use glove_wgpu::{model::Model, train::checkpoint::Checkpoint};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("c.bin");
/// let ck = Checkpoint { model: Model::new(3, 2, 9)?, epoch: 4, seed: 9, rng_state: 77, triples: 10 };
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
    /// State of the generator after initialisation ([`crate::model::SplitMix64::state`]).
    pub rng_state: u64,
    /// Number of triples trained on (checked on resume).
    pub triples: u64,
}

impl Checkpoint {
    /// Writes the checkpoint to `path` atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut f = AtomicFile::create(path)?;
        let m = &self.model;
        let mut head = Vec::with_capacity(52);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&(m.vocab as u64).to_le_bytes());
        head.extend_from_slice(&(m.dim as u64).to_le_bytes());
        head.extend_from_slice(&self.epoch.to_le_bytes());
        head.extend_from_slice(&self.seed.to_le_bytes());
        head.extend_from_slice(&self.rng_state.to_le_bytes());
        head.extend_from_slice(&self.triples.to_le_bytes());
        let werr = |e| Error::io_path("writing", path, e);
        f.write_all(&head).map_err(werr)?;
        for v in [&m.params, &m.gradsq] {
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            f.write_all(&bytes).map_err(werr)?;
        }
        f.commit()
    }

    /// Reads a checkpoint, checking its magic, sizes and values.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| Error::io_path("reading", path, e))?;
        let bad = |at: usize, what: &str| Error::malformed(&name, format!("byte {at}"), what);
        if bytes.len() < 52 || &bytes[..8] != MAGIC {
            return Err(bad(
                0,
                "not a glove-wgpu checkpoint (bad magic or too short)",
            ));
        }
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
            .filter(|&n| n > 0 && 52 + 8 * n == bytes.len() as u64)
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
        let params = floats(52);
        let gradsq = floats(52 + 4 * n);
        if let Some(p) = params.iter().chain(&gradsq).position(|v| !v.is_finite()) {
            return Err(bad(52 + 4 * p, "non-finite value"));
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
        })
    }
}
