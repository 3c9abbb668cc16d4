//! Shared test helpers, one concept a module: the GPU-test policy and the twin-test
//! macro (`gpu`), running the `glove-wgpu` binary (`cli`), the seeded test
//! generator (`rng`), and Stanford's binary records (`write_stanford`).
#![allow(dead_code, unused_imports, unused_macros)]

pub mod cli;
pub mod gpu;
pub mod rng;

pub use cli::{bin, cli, fails, ok, run, Out, BIN};
pub(crate) use gpu::twin_test;
pub use gpu::{gpu, in_ci, Device};
pub use rng::Rng;

/// Writes triples as Stanford's binary records (1-based int32 ids, f64 count).
pub fn write_stanford(path: &std::path::Path, cooc: &[glove_wgpu::cooccur::Cooc]) {
    let mut b = Vec::with_capacity(cooc.len() * 16);
    for c in cooc {
        b.extend_from_slice(&(c.i as i32 + 1).to_ne_bytes());
        b.extend_from_slice(&(c.j as i32 + 1).to_ne_bytes());
        b.extend_from_slice(&(c.x as f64).to_ne_bytes());
    }
    std::fs::write(path, b).unwrap();
}
