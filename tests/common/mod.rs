//! Shared test helpers: one GPU context per test binary.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use glove_wgpu::GpuContext;

/// The GPU context for this test binary. A GPU test fails (never skips) when no
/// adapter is found, unless `GLOVE_WGPU_SKIP_GPU_TESTS=1` is set outside CI.
pub fn gpu() -> Option<Arc<GpuContext>> {
    static CTX: OnceLock<Result<Arc<GpuContext>, String>> = OnceLock::new();
    let ctx = CTX.get_or_init(|| GpuContext::new().map(Arc::new).map_err(|e| e.to_string()));
    match ctx {
        Ok(c) => Some(c.clone()),
        Err(e) => {
            let skip = std::env::var("GLOVE_WGPU_SKIP_GPU_TESTS").is_ok_and(|v| v == "1")
                && std::env::var("CI").is_err();
            if skip {
                eprintln!("SKIPPED GPU test (GLOVE_WGPU_SKIP_GPU_TESTS=1): {e}");
                None
            } else {
                panic!(
                    "no GPU adapter: {e}. Install one (Debian/Ubuntu: apt-get install \
                     mesa-vulkan-drivers libvulkan1) or set GLOVE_WGPU_SKIP_GPU_TESTS=1 \
                     to skip GPU tests outside CI"
                )
            }
        }
    }
}

/// A seeded generator of uniform values in [-1, 1).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn uniform(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn vec(&mut self, len: usize) -> Vec<f32> {
        (0..len).map(|_| self.uniform()).collect()
    }
}

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
