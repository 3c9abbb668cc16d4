//! Co-occurrence counting, spill and merge, shuffle, and the on-disk formats.
//!
//! [`count`] follows Stanford's `cooccur`: out-of-vocabulary tokens are
//! dropped before windowing (distances count in-vocabulary tokens), a line
//! break ends a document, every word pair at distance `d <= window` adds
//! `1/d` (or 1 without distance weighting) to `X[i][j]`, and, with symmetric
//! windows, the same to `X[j][i]`; with asymmetric windows `i` is the earlier
//! word and `j` the later one, as in Stanford's `-symmetric 0`. The corpus is
//! streamed in blocks, counted by rayon workers into per-worker dense tables
//! (frequent pairs) and pair buffers (the others), which are spilled to sorted
//! runs when the memory budget is reached, and merged into one file sorted by
//! `(i, j)`, row ranges in parallel. Counts are exact (fixed point, see
//! `count.rs`), so the file is bit-identical whatever the thread count and
//! memory budget.
//!
//! ```
//! use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
//! use glove_wgpu::vocab::{Corpus, Vocab};
//! let vocab = Vocab::new(vec!["a".into(), "b".into()], vec![2, 1])?;
//! let out = std::env::temp_dir().join("glove_wgpu_cooccur_doc.bin");
//! let opts = CooccurOptions { window: 2, quiet: true, ..Default::default() };
//! cooccur::count(Corpus::reader(&b"a b a"[..]), &vocab, &out, &opts)?;
//! let x = cooccur::read_all(&out, CoocFormat::Glove)?;
//! // a-b at distance 1 (twice), a-a at distance 2: X[a][a] = 2 * 1/2, X[a][b] = X[b][a] = 2.
//! assert_eq!(x.len(), 3);
//! assert_eq!((x[0].i, x[0].j, x[0].x), (0, 0, 1.0));
//! assert_eq!((x[1].i, x[1].j, x[1].x), (0, 1, 2.0));
//! assert_eq!((x[2].i, x[2].j, x[2].x), (1, 0, 2.0));
//! # std::fs::remove_file(&out).unwrap();
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

mod count;
mod format;
mod merge;
#[cfg(feature = "parquet")]
mod parquet;
mod shuffle;
mod spill;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::vocab::{
    byte_progress, thread_count, thread_pool, token_rate, BlockReader, Corpus, Vocab,
};

pub use format::{read_all, CoocFormat, CoocReader, CoocWriter};
pub use shuffle::{ShuffleOptions, ShuffleStats};

use count::Counter;
use merge::{DenseSource, Source};
use spill::LazyTempDir;

/// One co-occurrence entry: word `i`, context word `j`, weighted count `x`.
/// Ids are 0-based rows of the vocabulary.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Cooc {
    /// Main word id (0-based).
    pub i: u32,
    /// Context word id (0-based).
    pub j: u32,
    /// Weighted count.
    pub x: f32,
}

/// Options of [`count`]; the defaults are Stanford's.
///
/// ```
/// use glove_wgpu::cooccur::{CoocFormat, CooccurOptions};
/// let o = CooccurOptions::default();
/// assert_eq!((o.window, o.symmetric, o.distance_weighting), (15, true, true));
/// assert_eq!(o.format, CoocFormat::Glove);
/// ```
#[derive(Clone, Debug)]
pub struct CooccurOptions {
    /// Context window: pairs at distance `1..=window` are counted.
    pub window: usize,
    /// Count left and right context (`X[i][j]` and `X[j][i]`).
    pub symmetric: bool,
    /// Add `1/d` for a pair at distance `d` (otherwise 1).
    pub distance_weighting: bool,
    /// Memory budget in bytes for counting and merging (vocabulary lookup,
    /// text blocks, tables, merge buffers).
    pub memory_bytes: usize,
    /// Worker threads (`0`: all cores).
    pub threads: usize,
    /// Output format.
    pub format: CoocFormat,
    /// Folder for temporary run files (default: the output's folder).
    pub temp_dir: Option<PathBuf>,
    /// At most this many run files open at once while merging (merges run in
    /// several passes beyond it). At least 3; lowered to what the process's
    /// open-file limit allows (its soft limit is first raised to the hard one).
    pub max_open_files: usize,
    /// No progress bar on stderr.
    pub quiet: bool,
}

impl Default for CooccurOptions {
    fn default() -> Self {
        CooccurOptions {
            window: 15,
            symmetric: true,
            distance_weighting: true,
            memory_bytes: 4 << 30,
            threads: 0,
            format: CoocFormat::Glove,
            temp_dir: None,
            max_open_files: 128,
            quiet: false,
        }
    }
}

/// What [`count`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CooccurStats {
    /// Tokens read (in and out of the vocabulary).
    pub tokens: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Non-zero entries written.
    pub entries: u64,
    /// Run files spilled while counting.
    pub spill_files: usize,
    /// Bytes of those run files (delta- and varint-coded entries, equal pairs of a
    /// spill summed once), not counting intermediate merges.
    pub spill_bytes: u64,
    /// Intermediate merges (each of at most `max_open_files - 1` runs, several
    /// at once within the open-file limit) before the final one; non-zero
    /// means a multi-pass merge.
    pub intermediate_merges: usize,
    /// Parts, by rows, that each run is cut into: the final merge of runs
    /// merges the parts in parallel (1 when nothing was spilled).
    pub run_parts: usize,
    /// Worker threads used.
    pub threads: usize,
    /// Entries of each worker's dense table.
    pub dense_entries: u64,
    /// Pair records (outside the dense tables) each worker holds before it
    /// spills.
    pub sparse_capacity: u64,
    /// Seconds spent reading and counting.
    pub count_seconds: f64,
    /// Seconds spent merging and writing the output.
    pub merge_seconds: f64,
}

/// How the memory budget is split.
struct Plan {
    threads: usize,
    layout: count::DenseLayout,
    pair_capacity: usize,
    /// Bytes of each run reader's buffer.
    buf_bytes: usize,
    /// Bytes for output buffers while merging without runs (the text blocks'
    /// share).
    out_bytes: u64,
    /// Bytes for output buffers while merging runs (the pair buffers' share).
    run_out_bytes: u64,
    /// Runs merged at once (intermediate merges, or parts of the final one).
    par: usize,
    /// Runs merged into one: `par * (fan_in + 1)` files at most are open.
    fan_in: usize,
    /// The first key of each part of the runs after the first (see
    /// [`spill::Run`]).
    run_bounds: Arc<Vec<u64>>,
}

/// Bytes of dense tables, all workers together, for a corpus of `bytes`
/// (`None`: unknown, standard input).
///
/// A dense table is paid for up front: the kernel zeroes each page it first
/// touches, and the merge reads every cell. On this project's 2-core VMs,
/// 4 MiB was best for wiki.txt and kjv.txt (2 to 8 MiB within noise; 32 MiB
/// cost 40 ms more at 2 threads, mostly zeroing). A big corpus amortises a
/// bigger table, which keeps more of the frequent pairs out of the spilled
/// runs: a quarter of the corpus size, up to 64 MiB.
fn dense_bytes(corpus_bytes: Option<u64>) -> u64 {
    let (lo, hi) = (4 << 20, 64 << 20);
    corpus_bytes.map_or(hi, |b| (b / 4).clamp(lo, hi))
}

/// Worker threads, text blocks read at once, and bytes a block.
fn shape(opts: &CooccurOptions) -> (usize, usize, usize) {
    let threads = thread_count(opts.threads);
    let batch = 4 * threads;
    let block = (opts.memory_bytes as u64 / 64 / batch as u64).clamp(4096, 512 << 10) as usize;
    (threads, batch, block)
}

fn plan(vocab: &Vocab, opts: &CooccurOptions, corpus_bytes: Option<u64>) -> Result<Plan> {
    let (threads, batch, block) = shape(opts);
    let mem = opts.memory_bytes as u64;
    let v = vocab.len() as u64;
    // The vocabulary itself counts: its words (a String and a heap block,
    // about 56 bytes a word), its lookup (a String key, an id and a control
    // byte per slot, up to 2.3 slots a word: about 80 bytes, plus the keys'
    // heap blocks) and counts; the dense row offsets, 8 bytes a word.
    // Measured: 1M words take about 200 MiB with the allocator's overhead.
    let words: u64 = vocab.words().iter().map(|w| w.len() as u64).sum();
    let vocab_bytes = 210 * v + 2 * words;
    // Text plus ids (at most 2 bytes of text per token: 2x the text).
    let batch_bytes = 3 * (block * batch) as u64;
    let fixed = vocab_bytes + batch_bytes;
    // Each worker needs at least a small table, and its row offsets for
    // grouping pairs (8 bytes a word).
    let min_table = (64 << 10) + 8 * (v + 2);
    if mem < fixed + threads as u64 * min_table {
        let need = (fixed + threads as u64 * min_table).div_ceil(1 << 20);
        return Err(Error::invalid(format!(
            "a memory budget of {:.1} MiB is too small for {} words and {threads} threads: \
             give at least {need} MiB",
            mem as f64 / (1 << 20) as f64,
            v
        )));
    }
    let avail = mem - fixed;
    let dense_total = (avail / 4).min(dense_bytes(corpus_bytes));
    let layout = count::DenseLayout::fit(
        vocab.len(),
        dense_total / 4 / threads as u64,
        opts.symmetric,
    );
    let dense_entries = layout.len() as u64;
    let sparse_bytes = (avail - dense_entries * 4 * threads as u64) / 10 * 9 / threads as u64;
    // A record takes 8 bytes in the buffer, then 4 (8 with symmetric
    // windows: both rows) when grouped by row, with 8 bytes a row of offsets.
    let grouped = if opts.symmetric { 8 } else { 4 };
    let pair_capacity = ((sparse_bytes.saturating_sub(8 * (v + 2)) / (8 + grouped)) as usize)
        .max(64 * opts.window + 1024);
    // Merges of runs run `par` at a time, within the open-file limit, each of
    // at least 15 runs where the limit allows (a small fan-in means many
    // passes over the data).
    let max_open = opts.max_open_files.min(spill::open_files_allowed()).max(3);
    let par = threads.min(max_open / 16).max(1);
    let fan_in = (max_open / par - 1).max(2);
    let buf_bytes = (batch_bytes as usize / (par * (fan_in + 1))).clamp(4096, 1 << 20);
    // Runs are cut into parts by rows, merged `par` at a time at the end,
    // each into an output buffer; the pair buffers, freed by then, hold them.
    let part_entries =
        sparse_bytes * threads as u64 / par as u64 / opts.format.record_bytes() as u64;
    let run_bounds = row_ranges(vocab, opts.window, par, part_entries.max(1 << 14))
        .iter()
        .skip(1)
        .map(|r| (r.0 as u64) << 32)
        .collect();
    Ok(Plan {
        threads,
        layout,
        pair_capacity,
        buf_bytes,
        out_bytes: batch_bytes,
        run_out_bytes: sparse_bytes * threads as u64,
        par,
        fan_in,
        run_bounds: Arc::new(run_bounds),
    })
}

/// Counts the co-occurrences of a corpus and writes them to `output`, sorted
/// by `(i, j)`, in `opts.format`, within `opts.memory_bytes`.
///
/// Temporary run files go to a private folder (in `opts.temp_dir` or the
/// output's folder) that is removed when the function returns, also on
/// error. The output file appears atomically, only on success.
///
/// ```
/// use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
/// use glove_wgpu::vocab::{Corpus, Vocab};
/// let vocab = Vocab::new(vec!["x".into(), "y".into()], vec![1, 1])?;
/// let out = std::env::temp_dir().join("glove_wgpu_count_doc.bin");
/// let opts = CooccurOptions { symmetric: false, format: CoocFormat::Native, quiet: true, ..Default::default() };
/// // "oov" is dropped before windowing: x and y are at distance 1.
/// let stats = cooccur::count(Corpus::reader(&b"x oov y\ny"[..]), &vocab, &out, &opts)?;
/// assert_eq!((stats.tokens, stats.entries), (4, 1));
/// assert_eq!(cooccur::read_all(&out, CoocFormat::Native)?[0].x, 1.0);
/// # std::fs::remove_file(&out).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn count(
    corpus: impl Into<Corpus>,
    vocab: &Vocab,
    output: impl AsRef<Path>,
    opts: &CooccurOptions,
) -> Result<CooccurStats> {
    let output = output.as_ref();
    if opts.window == 0 {
        return Err(Error::invalid("the window must be at least 1"));
    }
    let window = opts.window;
    let (weights, scale) = count::weights(window, opts.distance_weighting);
    let code = count::CellCode::new(vocab.len(), &weights)?;
    let (reader, size, name) = corpus.into().open()?;
    let (_, batch, block) = shape(opts);
    let start = Instant::now();
    let mut blocks = BlockReader::new(reader, name, block);
    let mut texts: Vec<Vec<u8>> = (0..batch).map(|_| Vec::new()).collect();
    let read_batch = |blocks: &mut BlockReader, texts: &mut [Vec<u8>]| -> Result<usize> {
        let mut n = 0;
        while n < texts.len() && blocks.next_block(&mut texts[n])? {
            n += 1;
        }
        Ok(n)
    };
    // The first batch is read before the tables are sized: a stream
    // (standard input) that ends within it has a known size.
    let mut first = Some(read_batch(&mut blocks, &mut texts)?);
    let size = size.or_else(|| (first < Some(batch)).then_some(blocks.bytes));
    let plan = plan(vocab, opts, size)?;
    let parent = match &opts.temp_dir {
        Some(d) => d.clone(),
        None => match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let tmp = LazyTempDir::new(parent);
    let pool = thread_pool(plan.threads)?;
    let layout = Arc::new(plan.layout.clone());
    let counters: Vec<Mutex<Counter>> = (0..plan.threads)
        .map(|_| Counter::new(&layout, plan.pair_capacity, &code, &plan.run_bounds).map(Mutex::new))
        .collect::<Result<_>>()?;

    let pb = byte_progress(opts.quiet, size, "cooccur");
    let mut ids: Vec<Vec<u32>> = (0..batch).map(|_| Vec::new()).collect();
    let mut tail: Vec<u32> = Vec::with_capacity(window);
    let mut tokens = 0u64;
    loop {
        let n = match first.take() {
            Some(n) => n,
            None => read_batch(&mut blocks, &mut texts)?,
        };
        if n == 0 {
            break;
        }
        tokens += pool.install(|| {
            texts[..n]
                .par_iter()
                .zip(ids[..n].par_iter_mut())
                .map(|(t, out)| count::tokenize(t, vocab, window, out))
                .sum::<u64>()
        });
        for b in ids[..n].iter_mut() {
            count::link(b, window, &mut tail);
        }
        pool.install(|| {
            ids[..n].par_iter().try_for_each(|b| {
                let k = rayon::current_thread_index().unwrap_or(0) % counters.len();
                let mut c = counters[k].lock().unwrap_or_else(|p| p.into_inner());
                c.count_block(b, window, opts.symmetric, &tmp)
            })
        })?;
        pb.set_position(blocks.bytes);
        pb.set_message(token_rate(tokens, start));
    }
    pb.finish_and_clear();
    drop(texts);
    drop(ids);
    let count_seconds = start.elapsed().as_secs_f64();

    // Merge: the dense tables, and the pairs in memory or the runs.
    let start = Instant::now();
    let mut counters: Vec<Counter> = counters
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect();
    // The workers' dense tables, summed as the merge reads them.
    let dense: Vec<count::ZeroTable<u32>> = counters
        .iter_mut()
        .map(|c| std::mem::take(&mut c.dense))
        .collect();
    let dense: Vec<&[u32]> = dense.iter().map(|t| &t[..]).collect();
    // With runs on disk, the pairs still in memory become runs too (one merge
    // of files); without, each worker's pairs are grouped by row in parallel.
    let spilled = counters.iter().any(|c| !c.runs.is_empty());
    if spilled {
        pool.install(|| counters.par_iter_mut().try_for_each(|c| c.spill(&tmp)))?;
    }
    let mut runs: Vec<spill::Run> = counters.iter_mut().flat_map(|c| c.runs.drain(..)).collect();
    let spill_files = runs.len();
    let spill_bytes: u64 = runs.iter().map(|r| r.bytes()).sum();
    let rows: Vec<count::Rows> = if spilled {
        // The pair buffers' memory goes to the merge's output buffers.
        drop(counters);
        Vec::new()
    } else {
        pool.install(|| {
            counters
                .into_par_iter()
                .map(|c| c.pairs.into_rows())
                .collect()
        })
    };
    let dir = if runs.is_empty() {
        None
    } else {
        Some(tmp.get()?)
    };
    let mpb = if opts.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "merge {spinner} [{elapsed}] {msg} {human_pos} entries",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        // Ticks on its own: an intermediate merge can take minutes.
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        pb
    };
    if !runs.is_empty() {
        mpb.set_message(format!("{} runs, intermediate merges:", runs.len()));
    }
    let intermediate_merges = pool.install(|| {
        merge::reduce_runs(
            &mut runs,
            plan.fan_in,
            plan.par,
            plan.buf_bytes,
            dir.as_deref(),
            &plan.run_bounds,
        )
    })?;
    let mut writer = CoocWriter::create(output, opts.format)?;
    let scale = scale as f64;
    let v = vocab.len();
    let record_bytes = opts.format.record_bytes() as u64;
    // Rows cut into ranges, merged in parallel in waves, written in order;
    // `share` bytes of output buffer a range of a wave.
    let (ranges, wave, share) = if runs.is_empty() {
        // Ranges of similar expected size (see `row_ranges`); the text blocks
        // and the pair buffers (grouped by now) are free.
        let per_range = (plan.out_bytes / 16 / (2 * plan.threads) as u64).max(1 << 14);
        let free = plan.out_bytes + 8 * (plan.pair_capacity * plan.threads) as u64;
        (
            row_ranges(vocab, window, 8 * plan.threads, per_range),
            2 * plan.threads,
            free / (2 * plan.threads) as u64,
        )
    } else {
        // The runs' parts; the pair buffers are free.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(plan.run_bounds.iter().map(|&b| (b >> 32) as usize))
            .collect();
        let ends = starts.iter().skip(1).copied().chain(std::iter::once(v));
        (
            starts.iter().copied().zip(ends).collect::<Vec<_>>(),
            plan.par,
            plan.run_out_bytes / plan.par as u64,
        )
    };
    // A true bound on the entries of range `k` (the ranges were sized from
    // the vocabulary's counts, which need not be this corpus's): its dense
    // cells, and its pairs' cells in memory or its runs' entries.
    let last = layout.p.min(layout.v) as usize;
    let bound = |k: usize| -> u64 {
        let (r0, r1) = ranges[k];
        let dense_cells: u64 = (r0..r1.min(last)).map(|i| layout.end(i as u64)).sum();
        let pairs: u64 = if runs.is_empty() {
            rows.iter().map(|r| r.cells_in(r0, r1)).sum()
        } else {
            runs.iter().map(|r| r.part_entries(k)).sum()
        };
        dense_cells + pairs
    };
    let merger = RangeMerger {
        layout: &layout,
        dense: &dense,
        rows: &rows,
        runs: &runs,
        ranges: &ranges,
        buf_bytes: plan.buf_bytes,
    };
    // One output buffer a range of a wave, reused from wave to wave: fresh
    // memory is dear (the kernel zeroes every page first touched; on this
    // kind of VM, about 1 ms a MiB).
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); wave];
    let mut k = 0;
    while k < ranges.len() {
        mpb.set_message(format!("rows {}/{}:", ranges[k].0, v));
        if bound(k) * record_bytes > share {
            // Too big to hold: merged alone, straight into the file.
            merger.merge(k, |key, c| {
                // One correctly rounded division of an exact integer sum.
                writer.write_f64((key >> 32) as u32, key as u32, c as f64 / scale)
            })?;
            k += 1;
        } else {
            let mut end = k + 1;
            while end < ranges.len() && end - k < wave && bound(end) * record_bytes <= share {
                end += 1;
            }
            let done: Vec<Result<()>> = pool.install(|| {
                (k..end)
                    .into_par_iter()
                    .zip(bufs.par_iter_mut())
                    .map(|(idx, out)| {
                        out.clear();
                        // Reserved once: no copies while growing, and pages
                        // never written cost nothing.
                        out.reserve((bound(idx) * record_bytes) as usize);
                        merger.merge(idx, |key, c| {
                            // One correctly rounded division of an exact integer sum.
                            format::encode(
                                opts.format,
                                (key >> 32) as u32,
                                key as u32,
                                c as f64 / scale,
                                out,
                            )
                        })
                    })
                    .collect()
            });
            for (r, part) in done.into_iter().zip(&bufs) {
                r?;
                writer.write_raw(part)?;
            }
            // The disk writes this wave while the next one is merged. Not
            // with runs: the disk is busy reading them, and at scale (200M
            // tokens, 220 runs) the merge was slower with the hint (227 s
            // against 188 s).
            if runs.is_empty() {
                writer.start_writeback()?;
            }
            k = end;
        }
        mpb.set_position(writer.records());
    }
    let entries = writer.records();
    for r in runs {
        r.remove();
    }
    writer.finish()?;
    mpb.finish_and_clear();
    drop(tmp);
    Ok(CooccurStats {
        tokens,
        bytes: blocks.bytes,
        entries,
        spill_files,
        spill_bytes,
        intermediate_merges,
        run_parts: if spill_files == 0 {
            1
        } else {
            plan.run_bounds.len() + 1
        },
        threads: plan.threads,
        dense_entries: plan.layout.len() as u64,
        sparse_capacity: plan.pair_capacity as u64,
        count_seconds,
        merge_seconds: start.elapsed().as_secs_f64(),
    })
}

/// What the final merge reads: the dense tables, and the pairs in memory or
/// the runs (whose part `k` is range `k`).
struct RangeMerger<'a> {
    layout: &'a count::DenseLayout,
    dense: &'a [&'a [u32]],
    rows: &'a [count::Rows],
    runs: &'a [spill::Run],
    ranges: &'a [(usize, usize)],
    buf_bytes: usize,
}

impl RangeMerger<'_> {
    /// Merges range `k`, calling `emit(key, count)` in key order.
    fn merge(&self, k: usize, emit: impl FnMut(u64, u64) -> Result<()>) -> Result<()> {
        let (r0, r1) = self.ranges[k];
        if self.runs.is_empty() {
            merge::merge_rows(self.layout, self.dense, self.rows, r0, r1, emit)?;
        } else {
            let mut sources = vec![Source::Dense(DenseSource::new(
                self.layout,
                self.dense,
                r0,
                r1,
            ))];
            for r in self.runs {
                sources.push(Source::Run(spill::RunReader::open(
                    r,
                    k..k + 1,
                    self.buf_bytes,
                )?));
            }
            merge::merge(&mut sources, emit)?;
        }
        Ok(())
    }
}

/// Row ranges `[r0, r1)` covering the vocabulary, of similar expected entry
/// counts (a row's entries estimated from its word's count), at least `min`
/// ranges and at most about `per_range` expected entries each.
fn row_ranges(vocab: &Vocab, window: usize, min: usize, per_range: u64) -> Vec<(usize, usize)> {
    let v = vocab.len() as u64;
    let est: Vec<u64> = vocab
        .counts()
        .iter()
        .map(|&c| c.saturating_mul(2 * window as u64).clamp(1, v.max(1)))
        .collect();
    let total: u64 = est.iter().sum();
    let n = (min as u64).max(total.div_ceil(per_range.max(1))).max(1);
    let target = total.div_ceil(n).max(1);
    let mut ranges = Vec::new();
    let (mut start, mut acc) = (0usize, 0u64);
    for (i, &e) in est.iter().enumerate() {
        acc += e;
        if acc >= target {
            ranges.push((start, i + 1));
            start = i + 1;
            acc = 0;
        }
    }
    if start < est.len() || ranges.is_empty() {
        ranges.push((start, est.len()));
    }
    ranges
}

/// Shuffles a co-occurrence file uniformly at random, seeded, within
/// `opts.memory_bytes`; the output keeps the input's format. See the
/// `shuffle` module notes for the method.
///
/// ```
/// use glove_wgpu::cooccur::{self, Cooc, CoocFormat, CoocWriter, ShuffleOptions};
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join("glove_wgpu_shuf_in_doc.bin"), dir.join("glove_wgpu_shuf_out_doc.bin"));
/// let mut w = CoocWriter::create(&a, CoocFormat::Native)?;
/// for k in 0..100 {
///     w.write(&Cooc { i: k, j: 0, x: 1.0 })?;
/// }
/// w.finish()?;
/// let stats = cooccur::shuffle(&a, &b, &ShuffleOptions { quiet: true, ..Default::default() })?;
/// assert_eq!(stats.records, 100);
/// let mut ids: Vec<u32> = cooccur::read_all(&b, CoocFormat::Native)?.iter().map(|c| c.i).collect();
/// assert_ne!(ids, (0..100).collect::<Vec<_>>());
/// ids.sort();
/// assert_eq!(ids, (0..100).collect::<Vec<_>>());
/// # std::fs::remove_file(&a).unwrap(); std::fs::remove_file(&b).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn shuffle(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    opts: &ShuffleOptions,
) -> Result<ShuffleStats> {
    shuffle::shuffle_file(input.as_ref(), output.as_ref(), opts)
}

/// Counts the co-occurrences of the corpus at `corpus` (a path, or `-` for standard
/// input) with the vocabulary `vocab`, shuffles them with `seed`, and returns them
/// in memory, in the shuffled order: `cooccur` then `shuffle`, through a temporary
/// folder in the system's temporary directory that is removed afterwards. For
/// benchmarks and examples; the `fit` command does the same on disk.
///
/// ```
/// use glove_wgpu::cooccur::{self, CooccurOptions};
/// use glove_wgpu::vocab::{Corpus, Vocab, VocabOptions};
/// let path = std::env::temp_dir().join(format!("cooc_doc_{}.txt", std::process::id()));
/// std::fs::write(&path, "a b a b c\n").unwrap();
/// let opts = VocabOptions { min_count: 1, quiet: true, ..Default::default() };
/// let vocab = Vocab::count(Corpus::from_arg(&path), &opts)?;
/// let quiet = CooccurOptions { quiet: true, ..Default::default() };
/// let cooc = cooccur::count_shuffled(&path, &vocab, &quiet, 1)?;
/// assert_eq!(cooc.len(), 8); // every ordered pair of a, b, c but (c, c): one c
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn count_shuffled(
    corpus: impl AsRef<Path>,
    vocab: &Vocab,
    opts: &CooccurOptions,
    seed: u64,
) -> Result<Vec<Cooc>> {
    let dir = spill::TempDir::new(&std::env::temp_dir())?;
    let (counted, shuffled) = (dir.file("cooc"), dir.file("shuf"));
    let opts = CooccurOptions {
        format: CoocFormat::Native,
        ..opts.clone()
    };
    count(Corpus::from_arg(corpus.as_ref()), vocab, &counted, &opts)?;
    let sopts = ShuffleOptions {
        seed,
        quiet: opts.quiet,
        ..Default::default()
    };
    shuffle(&counted, &shuffled, &sopts)?;
    read_all(&shuffled, CoocFormat::Native)
}
