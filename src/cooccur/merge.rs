//! k-way merge of sorted `(key, count)` sources: the dense tables and run
//! files, or (without runs) the dense tables and the workers' pairs grouped by
//! row; equal keys are summed. Runs beyond the
//! open-file limit are merged in passes first.

use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};

use super::dense::DenseLayout;
use super::pairs::{overflow, Columns, Rows};
use super::spill::{Run, RunReader, RunWriter, TempDir};

/// The sum of the workers' dense tables at `X[i][j]` (0 outside the region).
#[inline]
fn dense_sum(layout: &DenseLayout, tables: &[&[u32]], i: u64, j: u64) -> u64 {
    layout
        .slot(i as u32, j as u32)
        .map_or(0, |idx| tables.iter().map(|t| t[idx] as u64).sum())
}

/// The summed dense tables (one a worker, summed as they are read), in
/// `(i, j)` order, zeros skipped, for rows `r0..r1`.
pub(crate) struct DenseSource<'a> {
    layout: &'a DenseLayout,
    tables: &'a [&'a [u32]],
    row: u64,
    last: u64,
    col: u64,
    end: u64,
    cur: Option<[u64; 2]>,
}

impl<'a> DenseSource<'a> {
    pub(crate) fn new(
        layout: &'a DenseLayout,
        tables: &'a [&'a [u32]],
        r0: usize,
        r1: usize,
    ) -> Self {
        let last = (r1 as u64).min(layout.p.min(layout.v));
        let row = r0 as u64;
        let mut s = DenseSource {
            layout,
            tables,
            row,
            last,
            col: 0,
            end: if row < last { layout.end(row) } else { 0 },
            cur: None,
        };
        s.seek();
        s
    }

    fn seek(&mut self) {
        while self.row < self.last {
            while self.col < self.end {
                let c = dense_sum(self.layout, self.tables, self.row, self.col);
                if c != 0 {
                    self.cur = Some([(self.row << 32) | self.col, c]);
                    return;
                }
                self.col += 1;
            }
            self.row += 1;
            self.col = 0;
            self.end = if self.row < self.last {
                self.layout.end(self.row)
            } else {
                0
            };
        }
        self.cur = None;
    }
}

/// One sorted input of a merge.
pub(crate) enum Source<'a> {
    Dense(DenseSource<'a>),
    Run(RunReader),
}

impl Source<'_> {
    #[inline]
    fn peek(&self) -> Option<[u64; 2]> {
        match self {
            Source::Dense(d) => d.cur,
            Source::Run(r) => r.peek(),
        }
    }

    #[inline]
    fn advance(&mut self) -> Result<()> {
        match self {
            Source::Dense(d) => {
                d.col += 1;
                d.seek();
                Ok(())
            }
            Source::Run(r) => r.advance(),
        }
    }
}

/// Merges sorted sources, summing equal keys, calling `emit(key, count)` in
/// key order.
pub(crate) fn merge(
    sources: &mut [Source<'_>],
    mut emit: impl FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (k, s) in sources.iter().enumerate() {
        if let Some(e) = s.peek() {
            heap.push(Reverse((e[0], k, e[1])));
        }
    }
    // The key being summed and its total so far.
    let mut pending: Option<(u64, u64)> = None;
    // The smallest head is replaced in place by its source's next entry (one
    // sift down an entry, where a pop and a push take two).
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((key, k, c)) = *top;
        sources[k].advance()?;
        match sources[k].peek() {
            Some(e) => *top = Reverse((e[0], k, e[1])),
            None => {
                PeekMut::pop(top);
            }
        }
        pending = match pending {
            Some((pk, total)) if pk == key => {
                Some((pk, total.checked_add(c).ok_or_else(overflow)?))
            }
            Some((pk, total)) => {
                emit(pk, total)?;
                Some((key, c))
            }
            None => Some((key, c)),
        };
    }
    if let Some((pk, total)) = pending {
        emit(pk, total)?;
    }
    Ok(())
}

/// Merges rows `r0..r1` of the dense tables and of the workers' pairs
/// grouped by row (no run files), summing equal keys, calling
/// `emit(key, count)` in key order. The
/// same result as [`merge`] over a [`DenseSource`] and the pairs' runs,
/// without a heap or files: each row's cells from all workers are gathered
/// and sorted (a row is small, the sort stays in cache), then merged with the
/// row's dense columns.
pub(crate) fn merge_rows(
    layout: &DenseLayout,
    dense: &[&[u32]],
    rows: &[Rows],
    r0: usize,
    r1: usize,
    mut emit: impl FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let last = (r1 as u64).min(layout.p.min(layout.v));
    let mut cells: Vec<u32> = Vec::new();
    let Some(code) = rows.first().map(|r| r.code()) else {
        return Err(Error::invalid("merging rows without pairs"));
    };
    for i in r0 as u64..r1 as u64 {
        let row = i << 32;
        cells.clear();
        for r in rows {
            cells.extend_from_slice(r.row(i as usize));
        }
        cells.sort_unstable();
        let mut sparse = Columns::new(&cells, code);
        let mut put = |j: u32, c: u64| emit(row | j as u64, c);
        let end = if i < last { layout.end(i) } else { 0 };
        for j in 0..end {
            let mut c = dense_sum(layout, dense, i, j);
            if c == 0 {
                continue;
            }
            sparse.drain_below(j, &mut put)?;
            if sparse.peek() == Some(j) {
                c = c.checked_add(sparse.take()?).ok_or_else(overflow)?;
            }
            put(j as u32, c)?;
        }
        sparse.drain_below(u64::MAX, &mut put)?;
    }
    Ok(())
}

/// Merges runs in groups of `fan_in`, `par` groups at a time in parallel,
/// until at most `fan_in` remain; returns the number of intermediate merges.
/// Counts are exact integers, so the grouping does not change the result.
pub(crate) fn reduce_runs(
    runs: &mut Vec<Run>,
    fan_in: usize,
    par: usize,
    buf_bytes: usize,
    dir: Option<&TempDir>,
    bounds: &Arc<Vec<u64>>,
) -> Result<usize> {
    let fan_in = fan_in.max(2);
    let mut merges = 0;
    while runs.len() > fan_in {
        let Some(dir) = dir else {
            return Err(Error::invalid("runs without a temporary folder"));
        };
        // The smallest runs first, and no more of them than it takes to
        // leave `fan_in`: a merge of `g` runs removes `g - 1`, and what is
        // merged now is read and written once more.
        runs.sort_by_key(|r| std::cmp::Reverse(r.bytes()));
        let excess = runs.len() - fan_in;
        // At most `fan_in` groups: they take `remove + groups_n` runs, no
        // more than there are.
        let groups_n = excess.div_ceil(fan_in - 1).min(par.max(1)).min(fan_in);
        let remove = excess.min(groups_n * (fan_in - 1));
        let groups: Vec<Vec<Run>> = (0..groups_n)
            .map(|g| {
                // Spread `remove` over the groups.
                let r = remove / groups_n + usize::from(g < remove % groups_n);
                runs.split_off(runs.len() - (r + 1))
            })
            .collect();
        merges += groups.len();
        let merged: Vec<Result<Run>> = groups
            .into_par_iter()
            .map(|g| merge_group(g, buf_bytes, dir, bounds))
            .collect();
        for m in merged {
            runs.push(m?);
        }
    }
    Ok(merges)
}

/// Merges a group of runs into a new run and deletes them.
fn merge_group(
    group: Vec<Run>,
    buf_bytes: usize,
    dir: &TempDir,
    bounds: &Arc<Vec<u64>>,
) -> Result<Run> {
    let mut sources = Vec::with_capacity(group.len());
    for r in &group {
        sources.push(Source::Run(RunReader::open(r, 0..r.parts(), buf_bytes)?));
    }
    let mut out = RunWriter::create(dir.file("merged"), buf_bytes, bounds.clone())?;
    merge(&mut sources, |k, c| out.push([k, c]))?;
    drop(sources);
    let run = out.finish()?;
    for r in group {
        r.remove();
    }
    Ok(run)
}
