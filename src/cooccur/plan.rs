//! Budget planning: how [`super::count`] splits `memory_bytes` between the
//! vocabulary, the text blocks, the workers' dense tables and pair buffers,
//! and the merge's buffers and open files ([`Plan`]), and how rows are cut
//! into ranges of similar size for the parallel merge ([`row_ranges`]).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::threads::thread_count;
use crate::vocab::Vocab;

use super::dense::DenseLayout;
use super::spill::open_files_allowed;
use super::CooccurOptions;

/// How the memory budget is split.
pub(super) struct Plan {
    pub(super) threads: usize,
    pub(super) layout: DenseLayout,
    pub(super) pair_capacity: usize,
    /// Bytes of each run reader's buffer.
    pub(super) buf_bytes: usize,
    /// Bytes for output buffers while merging without runs (the text blocks'
    /// share).
    pub(super) out_bytes: u64,
    /// Bytes for output buffers while merging runs (the pair buffers' share).
    pub(super) run_out_bytes: u64,
    /// Runs merged at once (intermediate merges, or parts of the final one).
    pub(super) par: usize,
    /// Runs merged into one: `par * (fan_in + 1)` files at most are open.
    pub(super) fan_in: usize,
    /// The first key of each part of the runs after the first (see
    /// [`spill::Run`]).
    pub(super) run_bounds: Arc<Vec<u64>>,
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
pub(super) fn shape(opts: &CooccurOptions) -> (usize, usize, usize) {
    let threads = thread_count(opts.threads);
    let batch = 4 * threads;
    let block = (opts.memory_bytes as u64 / 64 / batch as u64).clamp(4096, 512 << 10) as usize;
    (threads, batch, block)
}

/// Splits the memory budget for a corpus of `corpus_bytes` (`None`:
/// unknown).
pub(super) fn plan(
    vocab: &Vocab,
    opts: &CooccurOptions,
    corpus_bytes: Option<u64>,
) -> Result<Plan> {
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
    let layout = DenseLayout::fit(
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
    let max_open = opts.max_open_files.min(open_files_allowed()).max(3);
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

/// Row ranges `[r0, r1)` covering the vocabulary, of similar expected entry
/// counts (a row's entries estimated from its word's count), at least `min`
/// ranges and at most about `per_range` expected entries each.
pub(super) fn row_ranges(
    vocab: &Vocab,
    window: usize,
    min: usize,
    per_range: u64,
) -> Vec<(usize, usize)> {
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
