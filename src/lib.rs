//! # glove-wgpu
//!
//! GloVe word embeddings trained on the GPU through wgpu compute shaders
//! (Vulkan, Metal, DX12), and exact nearest-neighbour search over any embedding
//! matrix on the GPU. Every WGSL kernel has a CPU twin written with rayon; the
//! twins check each other in the tests, and the CPU path is the fallback where
//! no GPU exists.
//!
//! ```
//! use glove_wgpu::{Embeddings, search::{Metric, SearchIndex, SearchOptions}};
//! let e = Embeddings::new(
//!     vec!["king".into(), "queen".into(), "apple".into()],
//!     2,
//!     vec![1.0, 0.1, 0.9, 0.2, -0.1, 1.0],
//! )?;
//! let index = SearchIndex::cpu(e.matrix(), e.dim(), &SearchOptions::new(Metric::Cosine))?;
//! let hits = index.search(e.get("king").unwrap(), 2, None)?;
//! assert_eq!(hits[0][0].id, 0); // a vector is its own nearest neighbour
//! assert_eq!(hits[0][1].id, 1);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```
//!
//! ## Which file holds what
//!
//! | module | holds |
//! | --- | --- |
//! | [`pipeline`] | the whole job: [`fit`] and `train_embeddings`; the settings as asked (`options.rs`: [`FitConfig`], `TrainOptions`) and resolved once (`FitSetup`, `TrainSetup`); the [`Report`] (`report.rs`) |
//! | [`device`] | where the kernels run: [`DeviceChoice`] (`--backend`) resolved once to a [`Device`] |
//! | [`progress`] | the one channel from the library to its caller: [`progress::Event`]s to a callback |
//! | [`input`] | where every input comes from: files, `-`, pipes, compressed files (by magic bytes), zip members; the one text rule (byte-order mark, UTF-8) |
//! | [`corpus`] | where text comes from, the block reader, the tokenizer, the one word rule |
//! | [`vocab`] | word counting, `min_count` / `max_vocab`, `vocab.txt` |
//! | [`cooccur`] | co-occurrence counting, spill and merge, shuffle, file formats |
//! | [`train`] | the GloVe trainer: GPU kernels and their CPU twin, checkpoints |
//! | [`model`] | the parameters `W`, `W~`, biases and AdaGrad state |
//! | [`embeddings`], [`io`] | the trained vectors and their file formats |
//! | [`search`], [`similarity`], [`eval`] | nearest neighbours, word queries, evaluations |
//! | [`ivf`] | approximate nearest neighbours: the IVF-Flat [`ivf::Index`], its k-means, recall table and file |
//! | [`gpu`], [`shaders`] | the GPU context, the adapter kind and its policy, the WGSL sources |
//! | [`names`] | one name per option value, shared by flags, JSON and Python |
//! | [`rng`] | the seeded generators (one family) |
//! | [`threads`] | worker counts and the rayon pool |
//! | [`atomic`], [`error`] | whole-or-nothing files, the error type |
//! | `hash.rs` | the word hasher |
//! | `params.rs` | the host mirrors of the WGSL structs (parameter blocks, plan records), checked against the WGSL |
//!
//! The command line (`src/cli/`, behind the `cli` feature) maps its flags onto
//! the settings once, resolves them once, and draws the progress bars
//! (`src/cli/progress.rs`, the one use of `indicatif`); the library draws nothing.
//!
//! ## Words with one meaning
//!
//! | word | means | types |
//! | --- | --- | --- |
//! | device | where the kernels run: the CPU twins or one GPU context, chosen once | [`Device`], [`DeviceChoice`] (asked for with the `--backend` flag and Python's `backend=`, names kept from before) |
//! | backend | the trainer that runs the epochs on a device (`cpu-hogwild`, `cpu-exact`, `cpu-batched`, `gpu`) | [`train::Backend`], `Report::backend` |
//! | progress | the events a long call reports to its caller | [`progress::Progress`], [`progress::Event`] |
//! | graphics API | what wgpu reaches the adapter through (Vulkan, Metal, DX12, GL; wgpu calls it a backend) | [`gpu::AdapterSummary::backend`], `GLOVE_WGPU_BACKEND` |
#![warn(missing_docs)]

pub mod atomic;
pub mod cooccur;
pub mod corpus;
pub mod device;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod gpu;
mod hash;
pub mod input;
pub mod io;
pub mod ivf;
pub mod model;
pub mod names;
mod params;
#[cfg(feature = "parquet")]
pub(crate) mod parts;
pub mod pipeline;
pub mod progress;
pub mod rng;
pub mod search;
pub mod shaders;
pub mod similarity;
pub mod threads;
pub mod train;
pub mod vocab;

pub use device::{Device, DeviceChoice};
pub use embeddings::Embeddings;
pub use error::{Error, Result};
pub use gpu::{GpuContext, GpuOptions};
pub use pipeline::{fit, FitConfig, Report};
