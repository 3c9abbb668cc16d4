//! The batch plan: the shuffled triples cut into batches and grouped by row, once
//! a run, as the GPU kernels and their CPU twins read them.
//!
//! ## The cut
//! A batch is at most `batch_size` triples in which no row has more than its cap
//! ([`ROW_CAP`], or the row's fair share). The stream is cut in fixed *blocks* of
//! [`PLAN_BLOCK_BATCHES`] × `batch_size` triples, each cut on its own: caps and
//! fair shares are counted inside the block, a triple whose row is full waits for
//! a later batch of its block, and the block's last batches take what still
//! waits. Blocks depend on nothing but their own triples, so they are cut in
//! parallel, and the plan is the same whatever the thread count, the chunk size,
//! the memory budget or the device's binding limit: chunks are ranges of batches
//! of this one plan.
//!
//! ## The grouping
//! Each batch's triples are grouped twice, stably (stream order kept inside a
//! group):
//! - by word row `i`: one [`Span`] per distinct `i` (its *slot* in the batch is
//!   its index among the batch's main spans), whose [`Entry`]s hold `(j, x)`;
//! - by context row `j`: one [`Span`] per distinct `j`, whose entries hold
//!   `(slot of i, x)`, so the context pass reads the word row as it stood at the
//!   start of the batch from the snapshot the main pass wrote.
//!
//! ## Layout and bytes a triple
//! Four arrays, each in batch order: main spans, main entries, context spans,
//! context entries, and a host table of [`Batch`]es. A span is `(row, start)`,
//! 8 bytes, `start` counted from the batch's first entry; its length is the next
//! span's start, or the batch's length for the last. An entry is 8 bytes. So a
//! triple costs `16 + 8 (spans / triple)` bytes, where `spans / triple` (main and
//! context) is at most 2 and falls as rows repeat inside a batch: 24.2 bytes on
//! kjv.txt at 4,096 triples a batch (1.03 spans a triple) and 17.3 at 65,536; 29.3
//! on a 55.7M-triple Zipf corpus at 4,096 (1.66 spans a triple). The 16-byte
//! spans (row, start, count, padding) this plan replaced took 32.5 and 42.5 bytes
//! a triple on the same two.
//!
//! The arrays live in memory, or in four files written once (memory-mapped) when
//! the plan does not fit the host memory budget ([`PlanStorage`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::cooccur::Cooc;
use crate::error::{Error, Result};
pub use crate::params::{Entry, Span};

/// Largest batch (4,194,240 triples). The kernels take rows in a grid-stride
/// loop, so no dispatch limit binds; the bound keeps a batch's snapshot (one row
/// per distinct word row) within a storage binding at moderate dimensions, and the
/// GPU trainer checks the adapter's own limit.
///
/// ```
/// use glove_wgpu::train::{TrainConfig, MAX_BATCH};
/// assert!(TrainConfig { batch_size: MAX_BATCH + 1, ..Default::default() }.validate().is_err());
/// ```
pub const MAX_BATCH: usize = 65535 * 64;

/// Batches in a block of the cut (see the module docs): the stream is cut in
/// blocks of `PLAN_BLOCK_BATCHES * batch_size` triples, independently.
///
/// 64 batches keep the cut's fair shares close to those of one cut over the
/// whole stream: a row with `c` triples in a block gets `ceil(c / 64)` a batch,
/// and a block ends with a few short batches of waiting triples. On kjv.txt
/// (x_max 10, 15 epochs, seed 1) at 4,096 a batch (8 blocks) the plan has 503
/// batches against 481 cut whole, and the same final cost (0.03094) and analogy
/// score (5.52 %); at 65,536 (one block) 33 against 30, 0.03096 and 5.85 % both
/// ways.
///
/// ```
/// assert_eq!(glove_wgpu::train::PLAN_BLOCK_BATCHES, 64);
/// ```
pub const PLAN_BLOCK_BATCHES: usize = 64;

/// Fewest triples one row may have in a batch.
///
/// A row's triples in a batch run one after another on one lane group, so the
/// longest row of a batch bounds how long its dispatch takes, whatever the size
/// of the device. A triple whose word row or context row already has its cap in
/// the batch being filled waits for the next batch (in order, before newer
/// triples), so the cut is deterministic. A row's cap is the larger of `ROW_CAP`
/// and its fair share in its block, `ceil(triples of the row in the block /
/// batches of the block)`, so the waiting triples never pile up.
///
/// Measured on kjv.txt (d 50, x_max 10, 15 epochs, seed 1, CPU twin = GPU
/// semantics, one cut over the whole stream), cap 0 / 4 / 8 / 16: at 4,096
/// triples the critical path (longest rows over mean rows, summed over batches)
/// is 8.68 / 6.15 / 6.14 / 8.09 x, the final cost 0.03094 for all, analogies
/// 5.52 / 5.85 / 5.52 / 5.52 %, WordSim 0.263 / 0.263 / 0.268 / 0.262, with 951 /
/// 971 / 963 / 951 dispatches; at 65,536 15.2 / 13.9 / 13.9 / 14.0 x, cost
/// 0.03097 / 0.03095 / 0.03096 / 0.03099, analogies 5.08 / 4.97 / 5.85 / 5.74 %.
/// The fair share sets the floor: the most frequent word of kjv has about 5,000
/// triples, which one batch in 475 (4,096) or 30 (65,536) must take in turn. On a
/// large corpus rows repeat far less (SPEC: the longest row of a 4,096 batch of a
/// 1M-word Zipf corpus has about 2 triples).
///
/// ```
/// use glove_wgpu::train::{TrainConfig, ROW_CAP};
/// assert_eq!(TrainConfig::default().row_cap, ROW_CAP);
/// ```
pub const ROW_CAP: u32 = 8;

/// One batch of a plan: where its spans and entries are in the plan's arrays.
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
/// let c = |i, j| Cooc { i, j, x: 1.0 };
/// let plan = BatchPlan::build(&[c(0, 1), c(0, 2), c(1, 2)], 2);
/// let b = plan.batches()[1];
/// assert_eq!((b.entry_base, b.len, b.main_base, b.n_main), (2, 1, 1, 1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// First main span.
    pub main_base: u64,
    /// Distinct word rows.
    pub n_main: u32,
    /// First context span.
    pub ctx_base: u64,
    /// Distinct context rows.
    pub n_ctx: u32,
    /// First entry (in both entry arrays).
    pub entry_base: u64,
    /// Triples.
    pub len: u32,
}

/// Where a plan's arrays live.
///
/// ```
/// use glove_wgpu::train::PlanStorage;
/// assert_eq!(PlanStorage::default(), PlanStorage::Memory);
/// let on_disk = PlanStorage::Files(std::env::temp_dir());
/// assert_ne!(on_disk, PlanStorage::Memory);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PlanStorage {
    /// In memory.
    #[default]
    Memory,
    /// In four files in a temporary folder made inside this one, memory-mapped,
    /// and removed with the plan (on Unix their names are removed at once, so a
    /// killed run leaves nothing behind).
    Files(PathBuf),
}

/// One of a plan's arrays: a vector, or a memory-mapped file.
#[derive(Debug)]
enum Store<T> {
    Memory(Vec<T>),
    Mapped(Option<memmap2::Mmap>),
}

impl<T: bytemuck::Pod> Store<T> {
    fn as_slice(&self) -> &[T] {
        match self {
            Store::Memory(v) => v,
            // A map starts on a page, so it is aligned for T.
            Store::Mapped(Some(m)) => bytemuck::cast_slice(&m[..]),
            Store::Mapped(None) => &[],
        }
    }
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store::Memory(Vec::new())
    }
}

/// The row-grouped form of a run's triples cut into batches (see the module docs).
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// use glove_wgpu::train::BatchPlan;
/// let c = |i, j| Cooc { i, j, x: 1.0 };
/// let plan = BatchPlan::build(&[c(2, 0), c(1, 0), c(2, 1)], 3);
/// assert_eq!(plan.batches().len(), 1);
/// let main: Vec<(u32, u32)> = plan.main_spans_of(0).map(|(s, n)| (s.row, n)).collect();
/// assert_eq!(main, [(2, 2), (1, 1)]); // rows 2 and 1, in order of first appearance
/// assert_eq!(plan.ctx_spans().len(), 2); // rows 0 and 1
/// assert_eq!(plan.ctx_entries()[1].idx, 1); // (1, 0) comes from word slot 1
/// ```
#[derive(Debug, Default)]
pub struct BatchPlan {
    batches: Vec<Batch>,
    main_spans: Store<Span>,
    main_entries: Store<Entry>,
    ctx_spans: Store<Span>,
    ctx_entries: Store<Entry>,
    max_main: u32,
    max_len: u32,
    batch_size: usize,
    row_cap: u32,
    rows: usize,
    _dir: Option<PlanDir>,
}

/// A temporary folder removed when dropped.
#[derive(Debug)]
struct PlanDir(PathBuf);

impl Drop for PlanDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl PartialEq for BatchPlan {
    fn eq(&self, o: &Self) -> bool {
        self.batches == o.batches
            && self.main_spans() == o.main_spans()
            && self.main_entries() == o.main_entries()
            && self.ctx_spans() == o.ctx_spans()
            && self.ctx_entries() == o.ctx_entries()
    }
}

const NONE: u32 = u32::MAX;

/// Per-worker scratch of the cut: counts per row id, zero between uses.
struct CutScratch {
    cap_i: Vec<u32>,
    cap_j: Vec<u32>,
    used_i: Vec<u32>,
    used_j: Vec<u32>,
}

/// Per-worker scratch of the grouping: a slot per row id, `NONE` when unused.
struct GroupScratch {
    slot: Vec<u32>,
    counts: Vec<u32>,
    rows: Vec<u32>,
    first: Vec<u32>,
    main_slot: Vec<u32>,
    of: Vec<u32>,
}

/// Scratch arrays of `rows` entries, reused by the workers (allocating them per
/// block would cost more than the cut at large vocabularies).
struct Pool<T> {
    free: Mutex<Vec<T>>,
    make: Box<dyn Fn() -> T + Sync>,
}

impl<T> Pool<T> {
    fn new(make: impl Fn() -> T + Sync + 'static) -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
            make: Box::new(make),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let got = self.free.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut s = got.unwrap_or_else(|| (self.make)());
        let r = f(&mut s);
        self.free.lock().unwrap_or_else(|p| p.into_inner()).push(s);
        r
    }
}

impl GroupScratch {
    fn new(rows: usize) -> Self {
        GroupScratch {
            slot: vec![NONE; rows],
            counts: Vec::new(),
            rows: Vec::new(),
            first: Vec::new(),
            main_slot: Vec::new(),
            of: Vec::new(),
        }
    }

    /// Groups `keys` by value in order of first appearance: fills `rows`, `counts`
    /// and `first` (where each group starts), and each key's group into `of`.
    fn group(&mut self, keys: impl Iterator<Item = u32>, of: &mut Vec<u32>) {
        self.rows.clear();
        self.counts.clear();
        of.clear();
        for k in keys {
            let s = &mut self.slot[k as usize];
            if *s == NONE {
                *s = self.rows.len() as u32;
                self.rows.push(k);
                self.counts.push(0);
            }
            self.counts[*s as usize] += 1;
            of.push(*s);
        }
        for &r in &self.rows {
            self.slot[r as usize] = NONE;
        }
        self.first.clear();
        let mut acc = 0u32;
        for &c in &self.counts {
            self.first.push(acc);
            acc += c;
        }
    }

    /// The groups of the last [`GroupScratch::group`] as spans.
    fn spans(&self, out: &mut Vec<Span>) {
        out.extend(
            self.rows
                .iter()
                .zip(&self.first)
                .map(|(&row, &start)| Span { row, start }),
        );
    }
}

/// One batch (the triples `order` of `block`) grouped twice; its entries go to
/// `main` and `ctx`, its spans are appended to `main_spans` and `ctx_spans`.
fn group_batch(
    block: &[Cooc],
    order: &[u32],
    main: &mut [Entry],
    ctx: &mut [Entry],
    spans: &mut (Vec<Span>, Vec<Span>),
    scr: &mut GroupScratch,
) {
    let mut of = std::mem::take(&mut scr.main_slot);
    scr.group(order.iter().map(|&t| block[t as usize].i), &mut of);
    scr.spans(&mut spans.0);
    for (&t, &slot) in order.iter().zip(&of) {
        let c = block[t as usize];
        let at = &mut scr.first[slot as usize];
        main[*at as usize] = Entry { idx: c.j, x: c.x };
        *at += 1;
    }
    let main_slot = of;
    let mut of = std::mem::take(&mut scr.of);
    scr.group(order.iter().map(|&t| block[t as usize].j), &mut of);
    scr.spans(&mut spans.1);
    for ((&t, &slot), &ms) in order.iter().zip(&of).zip(&main_slot) {
        let at = &mut scr.first[slot as usize];
        ctx[*at as usize] = Entry {
            idx: ms,
            x: block[t as usize].x,
        };
        *at += 1;
    }
    scr.main_slot = main_slot;
    scr.of = of;
}

/// Cuts one block into batches of at most `batch` triples in which no row
/// appears more often than its cap (see [`ROW_CAP`]; `cap == 0`: no cap).
/// Returns the triples' order (indices into the block) and the batches' bounds.
fn cut(block: &[Cooc], batch: usize, cap: u32, s: &mut CutScratch) -> (Vec<u32>, Vec<usize>) {
    let n = block.len();
    let mut order = Vec::with_capacity(n);
    let mut bounds = vec![0usize];
    if cap == 0 {
        order.extend(0..n as u32);
        bounds.extend((1..=n.div_ceil(batch)).map(|b| (b * batch).min(n)));
        return (order, bounds);
    }
    // Caps: the larger of `cap` and the row's fair share of the block's batches.
    let batches = n.div_ceil(batch).max(1) as u32;
    for c in block {
        s.cap_i[c.i as usize] += 1;
        s.cap_j[c.j as usize] += 1;
    }
    for c in block {
        for v in [&mut s.cap_i[c.i as usize], &mut s.cap_j[c.j as usize]] {
            // Turn each count into its cap once (a cap is at least 1, a count's
            // high bit marks it done).
            if *v & (1 << 31) == 0 {
                *v = (1 << 31) | v.div_ceil(batches).max(cap);
            }
        }
    }
    let cap_of = |v: u32| v & !(1 << 31);
    let mut waiting: std::collections::VecDeque<u32> = Default::default();
    let mut next = 0usize;
    while next < n || !waiting.is_empty() {
        let start = order.len();
        let mut fits = |t: u32, order: &mut Vec<u32>| {
            let c = block[t as usize];
            let (i, j) = (c.i as usize, c.j as usize);
            if s.used_i[i] < cap_of(s.cap_i[i]) && s.used_j[j] < cap_of(s.cap_j[j]) {
                s.used_i[i] += 1;
                s.used_j[j] += 1;
                order.push(t);
                true
            } else {
                false
            }
        };
        for _ in 0..waiting.len() {
            let t = waiting.pop_front().expect("counted");
            if order.len() - start == batch || !fits(t, &mut order) {
                waiting.push_back(t);
            }
        }
        while order.len() - start < batch && next < n {
            let t = next as u32;
            next += 1;
            if !fits(t, &mut order) {
                waiting.push_back(t);
            }
        }
        for &t in &order[start..] {
            let c = block[t as usize];
            s.used_i[c.i as usize] = 0;
            s.used_j[c.j as usize] = 0;
        }
        bounds.push(order.len());
    }
    for c in block {
        s.cap_i[c.i as usize] = 0;
        s.cap_j[c.j as usize] = 0;
    }
    (order, bounds)
}

/// One block planned: its batches (bases counted from the block) and spans; its
/// entries went straight to the plan's arrays.
struct BlockPlan {
    batches: Vec<Batch>,
    main_spans: Vec<Span>,
    ctx_spans: Vec<Span>,
}

/// Where a plan under construction puts its arrays.
enum Sink {
    /// The arrays in memory: entries sized for every triple up front (written in
    /// place by the blocks, in parallel), spans with room for one a triple (pages
    /// are only touched as spans are written).
    Memory {
        main_spans: Vec<Span>,
        main_entries: Vec<Entry>,
        ctx_spans: Vec<Span>,
        ctx_entries: Vec<Entry>,
    },
    /// The arrays in files; entries of one window at a time in reused buffers.
    Files {
        dir: PlanDir,
        files: [std::io::BufWriter<std::fs::File>; 4],
        main_entries: Vec<Entry>,
        ctx_entries: Vec<Entry>,
    },
}

const FILE_NAMES: [&str; 4] = [
    "main_spans.bin",
    "main_entries.bin",
    "ctx_spans.bin",
    "ctx_entries.bin",
];

/// Appends `parts` to `out` (which has room), copying in parallel.
fn append<T: Copy + Send + Sync>(out: &mut Vec<T>, parts: &[&[T]]) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    out.reserve(total);
    let len = out.len();
    let mut spare = &mut out.spare_capacity_mut()[..total];
    let mut jobs = Vec::with_capacity(parts.len());
    for p in parts {
        let (head, tail) = std::mem::take(&mut spare).split_at_mut(p.len());
        jobs.push((head, *p));
        spare = tail;
    }
    jobs.into_par_iter().for_each(|(dst, src)| {
        for (d, s) in dst.iter_mut().zip(src) {
            d.write(*s);
        }
    });
    // SAFETY: the `total` elements after `len` were all written above.
    unsafe { out.set_len(len + total) };
}

impl Sink {
    fn new(storage: &PlanStorage, n: usize) -> Result<Self> {
        match storage {
            PlanStorage::Memory => Ok(Sink::Memory {
                main_spans: Vec::with_capacity(n),
                main_entries: vec![Entry::default(); n],
                ctx_spans: Vec::with_capacity(n),
                ctx_entries: vec![Entry::default(); n],
            }),
            PlanStorage::Files(parent) => {
                let dir = make_dir(parent)?;
                let open = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
                    let p = dir.0.join(name);
                    // Read too: the file is mapped once written.
                    let f = std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create_new(true)
                        .open(&p)
                        .map_err(|e| Error::io_path("creating", &p, e))?;
                    Ok(std::io::BufWriter::with_capacity(1 << 20, f))
                };
                let files = [
                    open(FILE_NAMES[0])?,
                    open(FILE_NAMES[1])?,
                    open(FILE_NAMES[2])?,
                    open(FILE_NAMES[3])?,
                ];
                // On Unix the names go at once: the open files (and later their
                // maps) keep the data, and a killed process leaves nothing on disk.
                #[cfg(unix)]
                let _ = std::fs::remove_dir_all(&dir.0);
                Ok(Sink::Files {
                    dir,
                    files,
                    main_entries: Vec::new(),
                    ctx_entries: Vec::new(),
                })
            }
        }
    }

    /// The entry arrays for `len` triples from entry `at` of the plan.
    fn entries(&mut self, at: usize, len: usize) -> Result<(&mut [Entry], &mut [Entry])> {
        match self {
            Sink::Memory {
                main_entries,
                ctx_entries,
                ..
            } => {
                if at + len > main_entries.len() {
                    return Err(Error::invalid(format!(
                        "the source gave more than the {} triples it announced",
                        main_entries.len()
                    )));
                }
                Ok((
                    &mut main_entries[at..at + len],
                    &mut ctx_entries[at..at + len],
                ))
            }
            Sink::Files {
                main_entries,
                ctx_entries,
                ..
            } => {
                main_entries.resize(len, Entry::default());
                ctx_entries.resize(len, Entry::default());
                Ok((main_entries, ctx_entries))
            }
        }
    }

    /// Appends the blocks' spans (and, for files, the window's entries).
    fn push(&mut self, blocks: &[BlockPlan]) -> Result<()> {
        let mains: Vec<&[Span]> = blocks.iter().map(|b| &b.main_spans[..]).collect();
        let ctxs: Vec<&[Span]> = blocks.iter().map(|b| &b.ctx_spans[..]).collect();
        match self {
            Sink::Memory {
                main_spans,
                ctx_spans,
                ..
            } => {
                append(main_spans, &mains);
                append(ctx_spans, &ctxs);
                Ok(())
            }
            Sink::Files {
                dir,
                files,
                main_entries,
                ctx_entries,
            } => {
                use std::io::Write;
                let [f0, f1, f2, f3] = files;
                let write = |f: &mut std::io::BufWriter<std::fs::File>, name, bytes: &[u8]| {
                    f.write_all(bytes)
                        .map_err(|e| Error::io_path("writing", &dir.0.join(name), e))
                };
                for m in mains {
                    write(f0, FILE_NAMES[0], bytemuck::cast_slice(m))?;
                }
                write(f1, FILE_NAMES[1], bytemuck::cast_slice(main_entries))?;
                for c in ctxs {
                    write(f2, FILE_NAMES[2], bytemuck::cast_slice(c))?;
                }
                write(f3, FILE_NAMES[3], bytemuck::cast_slice(ctx_entries))
            }
        }
    }

    fn finish(self, plan: &mut BatchPlan, n: usize) -> Result<()> {
        match self {
            Sink::Memory {
                mut main_spans,
                mut main_entries,
                mut ctx_spans,
                mut ctx_entries,
            } => {
                main_entries.truncate(n);
                ctx_entries.truncate(n);
                main_spans.shrink_to_fit();
                ctx_spans.shrink_to_fit();
                plan.main_spans = Store::Memory(main_spans);
                plan.main_entries = Store::Memory(main_entries);
                plan.ctx_spans = Store::Memory(ctx_spans);
                plan.ctx_entries = Store::Memory(ctx_entries);
                Ok(())
            }
            Sink::Files { dir, files, .. } => {
                let mut maps = Vec::with_capacity(4);
                for (f, name) in files.into_iter().zip(FILE_NAMES) {
                    let path = dir.0.join(name);
                    let file = f
                        .into_inner()
                        .map_err(|e| Error::io_path("writing", &path, e.into_error()))?;
                    let len = file
                        .metadata()
                        .map_err(|e| Error::io_path("reading", &path, e))?
                        .len();
                    maps.push(if len == 0 {
                        None
                    } else {
                        // SAFETY: the file is ours (a fresh temporary folder), written
                        // once and never changed while the plan lives.
                        Some(
                            unsafe { memmap2::Mmap::map(&file) }
                                .map_err(|e| Error::io_path("mapping", &path, e))?,
                        )
                    });
                }
                let mut maps = maps.into_iter();
                plan.main_spans = Store::Mapped(maps.next().flatten());
                plan.main_entries = Store::Mapped(maps.next().flatten());
                plan.ctx_spans = Store::Mapped(maps.next().flatten());
                plan.ctx_entries = Store::Mapped(maps.next().flatten());
                plan._dir = Some(dir);
                Ok(())
            }
        }
    }
}

fn make_dir(parent: &Path) -> Result<PlanDir> {
    for k in 0u32.. {
        let p = parent.join(format!(".glove-plan-{}-{k}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(PlanDir(p)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::io_path(
                    "creating a folder for the batch plan in",
                    parent,
                    e,
                ))
            }
        }
    }
    unreachable!("u32 ran out of folder names")
}

/// Cuts and groups blocks, with scratch shared by the workers.
struct Planner {
    batch: usize,
    cap: u32,
    cuts: Pool<CutScratch>,
    groups: Pool<GroupScratch>,
}

/// Builds plans block by block, in parallel, appending to a sink.
struct Builder {
    planner: Planner,
    plan: BatchPlan,
    sink: Sink,
    spans: (u64, u64),
    entries: u64,
}

impl Builder {
    /// A builder for `n` triples with ids below `rows`.
    fn new(rows: usize, n: usize, batch: usize, cap: u32, storage: &PlanStorage) -> Result<Self> {
        let batch = batch.clamp(1, MAX_BATCH);
        Ok(Builder {
            planner: Planner {
                batch,
                cap,
                cuts: Pool::new(move || CutScratch {
                    cap_i: vec![0; rows],
                    cap_j: vec![0; rows],
                    used_i: vec![0; rows],
                    used_j: vec![0; rows],
                }),
                groups: Pool::new(move || GroupScratch::new(rows)),
            },
            plan: BatchPlan {
                batch_size: batch,
                row_cap: cap,
                rows,
                ..Default::default()
            },
            sink: Sink::new(storage, n)?,
            spans: (0, 0),
            entries: 0,
        })
    }

    fn block_triples(&self) -> usize {
        self.planner.batch * PLAN_BLOCK_BATCHES
    }
}

impl Planner {
    /// Plans one block: the cut, then its batches grouped in parallel, their
    /// entries written to `main` and `ctx` (the block's share of the arrays).
    fn block(&self, block: &[Cooc], main: &mut [Entry], ctx: &mut [Entry]) -> BlockPlan {
        let (order, bounds) = self.cuts.with(|s| cut(block, self.batch, self.cap, s));
        let mut parts = Vec::with_capacity(bounds.len().saturating_sub(1));
        let (mut m, mut c) = (main, ctx);
        for w in bounds.windows(2) {
            let len = w[1] - w[0];
            let (mh, mt) = std::mem::take(&mut m).split_at_mut(len);
            let (ch, ct) = std::mem::take(&mut c).split_at_mut(len);
            parts.push((&order[w[0]..w[1]], mh, ch));
            m = mt;
            c = ct;
        }
        let grouped: Vec<(Vec<Span>, Vec<Span>)> = parts
            .into_par_iter()
            .map(|(ord, me, ce)| {
                let mut spans = (Vec::new(), Vec::new());
                self.groups
                    .with(|scr| group_batch(block, ord, me, ce, &mut spans, scr));
                spans
            })
            .collect();
        let mut out = BlockPlan {
            batches: Vec::with_capacity(grouped.len()),
            main_spans: Vec::new(),
            ctx_spans: Vec::new(),
        };
        for (w, (ms, cs)) in bounds.windows(2).zip(grouped) {
            out.batches.push(Batch {
                main_base: out.main_spans.len() as u64,
                n_main: ms.len() as u32,
                ctx_base: out.ctx_spans.len() as u64,
                n_ctx: cs.len() as u32,
                entry_base: w[0] as u64,
                len: (w[1] - w[0]) as u32,
            });
            out.main_spans.extend(ms);
            out.ctx_spans.extend(cs);
        }
        out
    }
}

impl Builder {
    /// Plans `triples` (whole blocks but maybe the last of the stream), in parallel.
    fn push(&mut self, triples: &[Cooc]) -> Result<()> {
        let b = self.block_triples();
        let at = self.entries as usize;
        let (me, ce) = self.sink.entries(at, triples.len())?;
        let this = &self.planner;
        let blocks: Vec<BlockPlan> = triples
            .par_chunks(b)
            .zip(me.par_chunks_mut(b).zip(ce.par_chunks_mut(b)))
            .map(|(t, (m, c))| this.block(t, m, c))
            .collect();
        for (k, block) in blocks.iter().enumerate() {
            let first = (at + k * b) as u64;
            for batch in &block.batches {
                self.plan.batches.push(Batch {
                    main_base: batch.main_base + self.spans.0,
                    ctx_base: batch.ctx_base + self.spans.1,
                    entry_base: batch.entry_base + first,
                    ..*batch
                });
                self.plan.max_main = self.plan.max_main.max(batch.n_main);
                self.plan.max_len = self.plan.max_len.max(batch.len);
            }
            self.spans.0 += block.main_spans.len() as u64;
            self.spans.1 += block.ctx_spans.len() as u64;
        }
        self.entries += triples.len() as u64;
        self.sink.push(&blocks)
    }

    fn finish(mut self) -> Result<BatchPlan> {
        let n = self.entries as usize;
        self.sink.finish(&mut self.plan, n)?;
        Ok(self.plan)
    }
}

impl BatchPlan {
    /// Cuts `cooc` into batches of `batch_size` triples with rows capped at
    /// [`ROW_CAP`] and groups each by rows, in memory.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let cooc: Vec<Cooc> = (0..5).map(|k| Cooc { i: k, j: k + 1, x: 1.0 }).collect();
    /// let plan = BatchPlan::build(&cooc, 2);
    /// assert_eq!(plan.batches().len(), 3); // 2 + 2 + 1 triples
    /// assert_eq!(plan.max_main(), 2);
    /// ```
    pub fn build(cooc: &[Cooc], batch_size: usize) -> Self {
        Self::build_capped(cooc, batch_size, ROW_CAP)
    }

    /// As [`BatchPlan::build`] with another row cap (0: none, batches are runs of
    /// consecutive triples).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// let cooc = [c(0, 1), c(0, 2), c(0, 3), c(0, 4), c(1, 5), c(2, 6), c(3, 7), c(4, 8)];
    /// let runs = BatchPlan::build_capped(&cooc, 4, 0); // batches of consecutive triples
    /// assert_eq!(runs.main_spans_of(0).next().map(|(s, n)| (s.row, n)), Some((0, 4)));
    /// let capped = BatchPlan::build_capped(&cooc, 4, 1); // row 0's fair share: 4 / 2 batches
    /// assert_eq!(capped.main_spans_of(0).next().map(|(s, n)| (s.row, n)), Some((0, 2)));
    /// ```
    pub fn build_capped(cooc: &[Cooc], batch_size: usize, cap: u32) -> Self {
        let rows = cooc
            .par_iter()
            .map(|c| c.i.max(c.j) as usize + 1)
            .max()
            .unwrap_or(0);
        Self::build_rows(cooc, rows, batch_size, cap)
    }

    /// As [`BatchPlan::build_capped`] for ids below `rows` (checked by the caller).
    fn build_rows(cooc: &[Cooc], rows: usize, batch_size: usize, cap: u32) -> Self {
        let build = || -> Result<Self> {
            let mut b = Builder::new(rows, cooc.len(), batch_size, cap, &PlanStorage::Memory)?;
            b.push(cooc)?;
            b.finish()
        };
        build().expect("an in-memory plan has no I/O to fail")
    }

    /// The plan of `source`'s triples for a model of `rows` rows, every record
    /// checked first ([`super::check_records`]): read once, in blocks, planned in
    /// parallel, stored as `storage` says.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, CoocSource, PlanStorage}};
    /// let cooc: Vec<Cooc> = (0..50).map(|k| Cooc { i: k % 7, j: (k * 3) % 7, x: 1.0 }).collect();
    /// let memory = BatchPlan::from_source(&CoocSource::Memory(&cooc), 7, 4, 2, &PlanStorage::Memory)?;
    /// let files = PlanStorage::Files(std::env::temp_dir());
    /// let mapped = BatchPlan::from_source(&CoocSource::Memory(&cooc), 7, 4, 2, &files)?;
    /// assert_eq!(memory, mapped);
    /// assert_eq!(memory, BatchPlan::build_capped(&cooc, 4, 2));
    /// assert!(BatchPlan::from_source(&CoocSource::Memory(&cooc), 6, 4, 2, &files).is_err()); // id 6
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn from_source(
        source: &super::CoocSource,
        rows: usize,
        batch_size: usize,
        cap: u32,
        storage: &PlanStorage,
    ) -> Result<Self> {
        let n = source.len()? as usize;
        let mut b = Builder::new(rows, n, batch_size, cap, storage)?;
        let name = source.name();
        let mut first = 0u64;
        // Whole blocks at a time, a few per thread; the plan does not depend on how
        // many (blocks are cut on their own). A part that ends inside a block waits
        // for the rest of it.
        let block = b.block_triples();
        let window = block * 4 * rayon::current_num_threads().max(2);
        let mut pending: Vec<Cooc> = Vec::new();
        source.for_each_chunk(window, &mut |part| {
            super::check_records_from(part, rows, &name, first)?;
            first += part.len() as u64;
            if pending.is_empty() && part.len() % block == 0 {
                return b.push(part);
            }
            pending.extend_from_slice(part);
            let whole = pending.len() / block * block;
            if whole > 0 {
                b.push(&pending[..whole])?;
                pending.drain(..whole);
            }
            Ok(())
        })?;
        if !pending.is_empty() {
            b.push(&pending)?;
        }
        if b.entries as usize != n {
            return Err(Error::invalid(format!(
                "{name}: {} triples read, {n} announced",
                b.entries
            )));
        }
        b.finish()
    }

    /// Batches in order.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }; 3], 2);
    /// assert_eq!(plan.batches().iter().map(|b| b.len).sum::<u32>(), 3);
    /// ```
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// Word-row spans of every batch.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Span}};
    /// let plan = BatchPlan::build(&[Cooc { i: 5, j: 1, x: 1.0 }], 2);
    /// assert_eq!(plan.main_spans(), [Span { row: 5, start: 0 }]);
    /// ```
    pub fn main_spans(&self) -> &[Span] {
        self.main_spans.as_slice()
    }

    /// Entries `(j, x)` grouped by word row.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Entry}};
    /// let plan = BatchPlan::build(&[Cooc { i: 5, j: 1, x: 2.5 }], 2);
    /// assert_eq!(plan.main_entries(), [Entry { idx: 1, x: 2.5 }]);
    /// ```
    pub fn main_entries(&self) -> &[Entry] {
        self.main_entries.as_slice()
    }

    /// Context-row spans of every batch.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Span}};
    /// let plan = BatchPlan::build(&[Cooc { i: 5, j: 1, x: 1.0 }], 2);
    /// assert_eq!(plan.ctx_spans(), [Span { row: 1, start: 0 }]);
    /// ```
    pub fn ctx_spans(&self) -> &[Span] {
        self.ctx_spans.as_slice()
    }

    /// Entries `(slot of i, x)` grouped by context row.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::{BatchPlan, Entry}};
    /// let plan = BatchPlan::build(&[Cooc { i: 5, j: 1, x: 2.5 }], 2);
    /// assert_eq!(plan.ctx_entries(), [Entry { idx: 0, x: 2.5 }]);
    /// ```
    pub fn ctx_entries(&self) -> &[Entry] {
        self.ctx_entries.as_slice()
    }

    /// The main spans of batch `b` with their lengths.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// let plan = BatchPlan::build(&[c(4, 0), c(2, 0), c(4, 1)], 8);
    /// let rows: Vec<(u32, u32)> = plan.main_spans_of(0).map(|(s, n)| (s.row, n)).collect();
    /// assert_eq!(rows, [(4, 2), (2, 1)]);
    /// ```
    pub fn main_spans_of(&self, b: usize) -> impl Iterator<Item = (Span, u32)> + '_ {
        let bt = self.batches[b];
        with_lengths(
            &self.main_spans()[bt.main_base as usize..][..bt.n_main as usize],
            bt.len,
        )
    }

    /// The context spans of batch `b` with their lengths.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// let plan = BatchPlan::build(&[c(4, 0), c(2, 0), c(4, 1)], 8);
    /// let rows: Vec<(u32, u32)> = plan.ctx_spans_of(0).map(|(s, n)| (s.row, n)).collect();
    /// assert_eq!(rows, [(0, 2), (1, 1)]);
    /// ```
    pub fn ctx_spans_of(&self, b: usize) -> impl Iterator<Item = (Span, u32)> + '_ {
        let bt = self.batches[b];
        with_lengths(
            &self.ctx_spans()[bt.ctx_base as usize..][..bt.n_ctx as usize],
            bt.len,
        )
    }

    /// Most distinct word rows in one batch (the snapshot's size in rows).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// assert_eq!(BatchPlan::build(&[c(0, 1), c(0, 2), c(3, 1)], 8).max_main(), 2);
    /// ```
    pub fn max_main(&self) -> u32 {
        self.max_main
    }

    /// Most triples in one batch.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// assert_eq!(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }; 5], 2).max_len(), 2);
    /// ```
    pub fn max_len(&self) -> u32 {
        self.max_len
    }

    /// The batch size the plan was cut with.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// assert_eq!(BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }], 64).batch_size(), 64);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The row cap the plan was cut with.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// assert_eq!(BatchPlan::build_capped(&[Cooc { i: 0, j: 1, x: 1.0 }], 64, 3).row_cap(), 3);
    /// ```
    pub fn row_cap(&self) -> u32 {
        self.row_cap
    }

    /// Rows the plan was built for: every id is below it.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// assert_eq!(BatchPlan::build(&[Cooc { i: 0, j: 6, x: 1.0 }], 8).rows(), 7);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the arrays are memory-mapped files ([`PlanStorage::Files`]).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// assert!(!BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }], 64).in_files());
    /// ```
    pub fn in_files(&self) -> bool {
        self._dir.is_some()
    }

    /// Bytes of the plan's four arrays (what the device holds of it, but the
    /// per-batch parameters).
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }], 8);
    /// assert_eq!(plan.bytes(), 2 * 8 + 2 * 8); // a main and a context span and entry
    /// ```
    pub fn bytes(&self) -> u64 {
        (self.main_spans().len() + self.ctx_spans().len()) as u64 * 8
            + (self.main_entries().len() + self.ctx_entries().len()) as u64 * 8
    }

    /// [`BatchPlan::bytes`] over the triples.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let c = |i, j| Cooc { i, j, x: 1.0 };
    /// let plan = BatchPlan::build(&[c(0, 1), c(0, 2)], 8); // 1 main span, 2 context spans
    /// assert_eq!(plan.bytes_per_triple(), (3.0 * 8.0 + 4.0 * 8.0) / 2.0);
    /// ```
    pub fn bytes_per_triple(&self) -> f64 {
        self.bytes() as f64 / self.triples().max(1) as f64
    }

    /// Triples in the plan.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 1.0 }; 3], 2);
    /// assert_eq!(plan.triples(), 3);
    /// ```
    pub fn triples(&self) -> usize {
        self.main_entries().len()
    }
}

/// Spans of one batch of `len` triples with their lengths.
fn with_lengths(spans: &[Span], len: u32) -> impl Iterator<Item = (Span, u32)> + '_ {
    spans.iter().enumerate().map(move |(r, s)| {
        let end = spans.get(r + 1).map_or(len, |n| n.start);
        (*s, end - s.start)
    })
}

/// The bytes a plan of `triples` may take at most: an entry in each array and a
/// span in each (every row distinct).
///
/// ```
/// assert_eq!(glove_wgpu::train::plan_bytes_bound(10), 320);
/// ```
pub fn plan_bytes_bound(triples: u64) -> u64 {
    32 * triples
}
