//! The CPU trainers of `glove.c`: Hogwild over contiguous slices, and one exact thread.
//!
//! Parameters are shared between threads as `AtomicU32` bit patterns read and
//! written with `Relaxed` ordering: on x86 and ARM that compiles to plain loads
//! and stores (what `glove.c` does), without the undefined behaviour of racing
//! plain `f32` writes. Each triple copies its two rows to thread-local arrays,
//! updates them there (vectorised), and stores them back.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use rayon::prelude::*;

use super::{weight, CoocSource, TrainConfig, Trainer};
use crate::cooccur::Cooc;
use crate::error::{Error, Result};
use crate::model::Model;

fn as_atomic(v: &mut [f32]) -> &[AtomicU32] {
    // SAFETY: AtomicU32 has the size and alignment of u32 and f32, and the
    // exclusive borrow guarantees no non-atomic access while the view lives.
    unsafe { &*(v as *mut [f32] as *const [AtomicU32]) }
}

struct Scratch {
    w1: Vec<f32>,
    w2: Vec<f32>,
    g1: Vec<f32>,
    g2: Vec<f32>,
}

#[inline]
fn load(src: &[AtomicU32], dst: &mut [f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = f32::from_bits(s.load(Relaxed));
    }
}

#[inline]
fn store(src: &[f32], dst: &[AtomicU32]) {
    for (s, d) in src.iter().zip(dst) {
        d.store(s.to_bits(), Relaxed);
    }
}

/// Triples ahead whose rows are prefetched: the rows are random, so each
/// triple otherwise waits on about a dozen cache misses.
const PREFETCH: usize = 4;

#[inline]
fn prefetch_rows(params: &[AtomicU32], gradsq: &[AtomicU32], c: &Cooc, vocab: usize, s: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let (l1, l2) = (c.i as usize * s, (vocab + c.j as usize) * s);
        for base in [l1, l2] {
            if base + s > params.len() {
                return;
            }
            for off in (0..s).step_by(16).chain(std::iter::once(s - 1)) {
                let p = params[base + off].as_ptr() as *const i8;
                let g = gradsq[base + off].as_ptr() as *const i8;
                // SAFETY: prefetching is a hint; the addresses are inside the slices.
                unsafe {
                    _mm_prefetch(p, _MM_HINT_T0);
                    _mm_prefetch(g, _MM_HINT_T0);
                }
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (params, gradsq, c, vocab, s);
}

/// Applies `glove.c`'s update for each triple of `cooc` in order; returns the summed cost.
fn run_slice(
    params: &[AtomicU32],
    gradsq: &[AtomicU32],
    vocab: usize,
    dim: usize,
    cooc: &[Cooc],
    cfg: &TrainConfig,
) -> f64 {
    let s = dim + 1;
    let mut sc = Scratch {
        w1: vec![0.0; s],
        w2: vec![0.0; s],
        g1: vec![0.0; s],
        g2: vec![0.0; s],
    };
    let (clip, eta) = (cfg.clip, cfg.eta);
    let mut cost = 0.0f64;
    for (n, c) in cooc.iter().enumerate() {
        if let Some(next) = cooc.get(n + PREFETCH) {
            prefetch_rows(params, gradsq, next, vocab, s);
        }
        let l1 = c.i as usize * s;
        let l2 = (vocab + c.j as usize) * s;
        let (p1, p2) = (&params[l1..l1 + s], &params[l2..l2 + s]);
        load(p1, &mut sc.w1);
        load(p2, &mut sc.w2);
        let (w1, b1) = sc.w1.split_at_mut(dim);
        let (w2, b2) = sc.w2.split_at_mut(dim);
        let dot: f32 = w1.iter().zip(w2.iter()).map(|(a, b)| a * b).sum();
        let diff = dot + b1[0] + b2[0] - c.x.ln();
        if !diff.is_finite() {
            // Skipped, as glove.c does; the inputs are checked positive and
            // finite, so only diverged parameters get here: the epoch's cost
            // becomes infinite and `train` stops.
            cost = f64::INFINITY;
            continue;
        }
        let fdiff = weight(c.x, cfg.x_max, cfg.alpha) * diff;
        cost += 0.5 * fdiff as f64 * diff as f64;
        let (q1, q2) = (&gradsq[l1..l1 + s], &gradsq[l2..l2 + s]);
        load(q1, &mut sc.g1);
        load(q2, &mut sc.g2);
        let (g1, gb1) = sc.g1.split_at_mut(dim);
        let (g2, gb2) = sc.g2.split_at_mut(dim);
        for k in 0..dim {
            let t1 = (fdiff * w2[k]).clamp(-clip, clip) * eta;
            let t2 = (fdiff * w1[k]).clamp(-clip, clip) * eta;
            w1[k] -= t1 / g1[k].sqrt();
            w2[k] -= t2 / g2[k].sqrt();
            g1[k] += t1 * t1;
            g2[k] += t2 * t2;
        }
        b1[0] -= fdiff / gb1[0].sqrt();
        b2[0] -= fdiff / gb2[0].sqrt();
        gb1[0] += fdiff * fdiff;
        gb2[0] += fdiff * fdiff;
        store(&sc.w1, p1);
        store(&sc.w2, p2);
        store(&sc.g1, q1);
        store(&sc.g2, q2);
    }
    cost
}

/// One epoch on one thread, triples in order; returns the summed cost.
/// Ids must be rows of the model (checked by [`super::train`]).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{epoch_exact, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let mut m = Model::new(2, 4, 1)?;
/// let first = epoch_exact(&mut m, &cooc, &cfg);
/// assert!(epoch_exact(&mut m, &cooc, &cfg) < first); // summed cost, falling
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn epoch_exact(model: &mut Model, cooc: &[Cooc], cfg: &TrainConfig) -> f64 {
    let (v, d) = (model.vocab, model.dim);
    let params = as_atomic(&mut model.params);
    let gradsq = as_atomic(&mut model.gradsq);
    run_slice(params, gradsq, v, d, cooc, cfg)
}

/// One Hogwild epoch: `threads` contiguous slices (the last takes the remainder,
/// as in `glove.c`) run in parallel in the current rayon pool, updating shared
/// parameters without locks; returns the summed cost.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{epoch_exact, epoch_hogwild, TrainConfig}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let cfg = TrainConfig { dim: 4, ..Default::default() };
/// let (mut a, mut b) = (Model::new(2, 4, 1)?, Model::new(2, 4, 1)?);
/// assert_eq!(epoch_hogwild(&mut a, &cooc, &cfg, 1), epoch_exact(&mut b, &cooc, &cfg));
/// let cost = epoch_hogwild(&mut a, &cooc, &cfg, 2); // two threads, one triple each
/// assert!(cost.is_finite());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn epoch_hogwild(model: &mut Model, cooc: &[Cooc], cfg: &TrainConfig, threads: usize) -> f64 {
    let threads = threads.max(1);
    let (v, d) = (model.vocab, model.dim);
    let params = as_atomic(&mut model.params);
    let gradsq = as_atomic(&mut model.gradsq);
    let per = cooc.len() / threads;
    (0..threads)
        .into_par_iter()
        .with_min_len(1)
        .with_max_len(1)
        .map(|t| {
            let end = if t + 1 == threads {
                cooc.len()
            } else {
                (t + 1) * per
            };
            run_slice(params, gradsq, v, d, &cooc[t * per..end], cfg)
        })
        .sum()
}

/// The sequential trainers of `glove.c` as [`Trainer`]s: Hogwild over `threads`
/// slices of each chunk of the source (in its own pool), or one exact thread.
/// They train the model in place, reading the source again every epoch.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, model::Model, train::{CoocSource, CpuTrainer, TrainConfig, Trainer}};
/// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 2.0 }];
/// let (cfg, mut m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
/// let source = CoocSource::Memory(&cooc);
/// let mut t = CpuTrainer::exact(&mut m, &source, &cfg);
/// let first = t.epoch()?;
/// assert!(t.epoch()? < first);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct CpuTrainer<'a> {
    model: &'a mut Model,
    source: &'a CoocSource<'a>,
    cfg: TrainConfig,
    pool: Option<rayon::ThreadPool>,
}

impl std::fmt::Debug for CpuTrainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpuTrainer")
            .field(
                "threads",
                &self.pool.as_ref().map(|p| p.current_num_threads()),
            )
            .finish()
    }
}

impl<'a> CpuTrainer<'a> {
    /// One thread, triples in order: exactly reproducible.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{CoocSource, CpuTrainer, TrainConfig, Trainer}};
    /// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }];
    /// let (cfg, mut m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
    /// let source = CoocSource::Memory(&cooc);
    /// assert!(CpuTrainer::exact(&mut m, &source, &cfg).epoch()? > 0.0);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn exact(model: &'a mut Model, source: &'a CoocSource<'a>, cfg: &TrainConfig) -> Self {
        CpuTrainer {
            model,
            source,
            cfg: cfg.clone(),
            pool: None,
        }
    }

    /// Hogwild on `threads` threads (0: one per CPU).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, model::Model, train::{CoocSource, CpuTrainer, TrainConfig, Trainer}};
    /// let cooc = [Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 1, j: 0, x: 1.0 }];
    /// let (cfg, mut m) = (TrainConfig { dim: 4, ..Default::default() }, Model::new(2, 4, 1)?);
    /// let source = CoocSource::Memory(&cooc);
    /// assert!(CpuTrainer::hogwild(&mut m, &source, &cfg, 2)?.epoch()?.is_finite());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn hogwild(
        model: &'a mut Model,
        source: &'a CoocSource<'a>,
        cfg: &TrainConfig,
        threads: usize,
    ) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(crate::threads::thread_count(threads))
            .build()
            .map_err(|e| Error::invalid(format!("starting {threads} threads: {e}")))?;
        Ok(CpuTrainer {
            model,
            source,
            cfg: cfg.clone(),
            pool: Some(pool),
        })
    }
}

impl Trainer for CpuTrainer<'_> {
    fn epoch(&mut self) -> Result<f64> {
        let mut total = 0.0;
        let (model, cfg, pool) = (&mut *self.model, &self.cfg, &self.pool);
        self.source.for_each_chunk(0, &mut |part| {
            total += match pool {
                Some(pool) => {
                    pool.install(|| epoch_hogwild(model, part, cfg, pool.current_num_threads()))
                }
                None => epoch_exact(model, part, cfg),
            };
            Ok(())
        })?;
        Ok(total)
    }

    fn read_into(&self, model: &mut Model) -> Result<()> {
        if model.vocab != self.model.vocab || model.dim != self.model.dim {
            return Err(Error::invalid(
                "the model does not match the one being trained",
            ));
        }
        model.params.copy_from_slice(&self.model.params);
        model.gradsq.copy_from_slice(&self.model.gradsq);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}
