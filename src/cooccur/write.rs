//! The last phases of [`super::count`]: the workers' tables gathered (their
//! pairs spilled as runs, or grouped by row in memory), the runs reduced by
//! intermediate merges, then row ranges merged in parallel waves and written
//! in order.

use rayon::prelude::*;

use crate::error::Result;
use crate::progress::{Detail, Event, Progress, Step};

use super::count::Counter;
use super::dense::{DenseLayout, ZeroTable};
use super::format::{self, CoocWriter};
use super::merge::{self, DenseSource, Source};
use super::pairs::Rows;
use super::plan::row_ranges;
use super::spill::{Run, RunReader};
use super::Job;

/// What the merge reads: the workers' dense tables, and their pairs grouped
/// by row in memory or spilled as runs (one of the two is empty).
pub(super) struct Gathered {
    dense: Vec<ZeroTable<u32>>,
    rows: Vec<Rows>,
    pub(super) runs: Vec<Run>,
}

impl Gathered {
    /// Bytes of the runs.
    pub(super) fn run_bytes(&self) -> u64 {
        self.runs.iter().map(|r| r.bytes()).sum()
    }
}

/// Takes the workers' tables for the merge. With runs on disk, the pairs
/// still in memory become runs too (one merge of files), and the pair
/// buffers are freed for the merge's output buffers; without, each worker's
/// pairs are grouped by row in parallel.
pub(super) fn gather(job: &Job, mut counters: Vec<Counter>) -> Result<Gathered> {
    // The workers' dense tables, summed as the merge reads them.
    let dense: Vec<ZeroTable<u32>> = counters
        .iter_mut()
        .map(|c| std::mem::take(&mut c.dense))
        .collect();
    let spilled = counters.iter().any(|c| !c.runs.is_empty());
    if spilled {
        job.pool
            .install(|| counters.par_iter_mut().try_for_each(|c| c.spill(&job.tmp)))?;
    }
    let runs: Vec<Run> = counters.iter_mut().flat_map(|c| c.runs.drain(..)).collect();
    let rows: Vec<Rows> = if spilled {
        drop(counters);
        Vec::new()
    } else {
        job.pool.install(|| {
            counters
                .into_par_iter()
                .map(|c| c.pairs.into_rows())
                .collect()
        })
    };
    Ok(Gathered { dense, rows, runs })
}

/// Merges what was gathered into `output`, sorted by `(i, j)`, each count
/// divided by the fixed-point `scale`; returns the number of intermediate
/// merges and of entries written.
pub(super) fn merge_and_write(
    job: &Job,
    gathered: Gathered,
    output: &std::path::Path,
    scale: u64,
    progress: &mut Progress,
) -> Result<(usize, u64)> {
    let (vocab, opts, plan, pool) = (job.vocab, job.opts, &job.plan, &job.pool);
    let Gathered {
        dense,
        rows,
        mut runs,
    } = gathered;
    let dense: Vec<&[u32]> = dense.iter().map(|t| &t[..]).collect();
    let dir = if runs.is_empty() {
        None
    } else {
        Some(job.tmp.get()?)
    };
    // An intermediate merge can take minutes without another event.
    let detail = match runs.len() {
        0 => Detail::None,
        n => Detail::Runs(n),
    };
    progress(Event::Advance {
        step: Step::Merge,
        done: 0,
        total: None,
        detail,
    })?;
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
    let window = opts.window;
    let layout = &plan.layout;
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
        layout,
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
        progress(Event::Advance {
            step: Step::Merge,
            done: writer.records(),
            total: None,
            detail: Detail::Rows {
                done: ranges[k].0 as u64,
                of: v as u64,
            },
        })?;
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
    }
    let entries = writer.records();
    for r in runs {
        r.remove();
    }
    writer.finish()?;
    progress(Event::Advance {
        step: Step::Merge,
        done: entries,
        total: None,
        detail: Detail::None,
    })?;
    progress(Event::StepDone(Step::Merge))?;
    Ok((intermediate_merges, entries))
}

/// What the final merge reads: the dense tables, and the pairs in memory or
/// the runs (whose part `k` is range `k`).
struct RangeMerger<'a> {
    layout: &'a DenseLayout,
    dense: &'a [&'a [u32]],
    rows: &'a [Rows],
    runs: &'a [Run],
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
                sources.push(Source::Run(RunReader::open(r, k..k + 1, self.buf_bytes)?));
            }
            merge::merge(&mut sources, emit)?;
        }
        Ok(())
    }
}
