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
//! let hits = index.search(e.vector(0), 2, None)?;
//! assert_eq!(hits[0][0].id, 0); // a vector is its own nearest neighbour
//! assert_eq!(hits[0][1].id, 1);
//! # Ok::<(), glove_wgpu::Error>(())
//! ```
#![warn(missing_docs)]

pub mod atomic;
pub mod cooccur;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod gpu;
pub mod io;
pub mod model;
#[cfg(feature = "parquet")]
pub(crate) mod parts;
pub mod search;
pub mod shaders;
pub mod similarity;
pub mod train;
pub mod vocab;

pub use embeddings::Embeddings;
pub use error::{Error, Result};
pub use gpu::{GpuContext, GpuOptions};
