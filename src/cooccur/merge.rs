//! k-way merge of sorted `(key, count)` sources: the dense tables, in-memory
//! sorted tables and run files; equal keys are summed. Runs beyond the
//! open-file limit are merged in passes first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

use crate::error::{Error, Result};

use super::count::DenseLayout;
use super::spill::{RunReader, RunWriter, TempDir};

/// The sum of the workers' dense tables at `idx`.
#[inline]
fn dense_sum(tables: &[&[u32]], idx: u64) -> u64 {
    tables.iter().map(|t| t[idx as usize] as u64).sum()
}

/// The index of `X[i][j]` in a dense table (with the symmetric layout,
/// `X[i][j]` for `j < i` is the stored `X[j][i]`).
#[inline]
fn dense_index(layout: &DenseLayout, i: u64, j: u64) -> u64 {
    let off = &layout.offsets;
    if !layout.sym {
        off[i as usize] + j
    } else if j >= i {
        off[i as usize] + (j - i)
    } else {
        off[j as usize] + (i - j)
    }
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
                let c = dense_sum(self.tables, dense_index(self.layout, self.row, self.col));
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

/// The part of a sorted in-memory table with rows `r0..r1`.
pub(crate) struct MemSource<'a> {
    data: &'a [[u64; 2]],
    pos: usize,
}

impl<'a> MemSource<'a> {
    pub(crate) fn new(data: &'a [[u64; 2]], r0: usize, r1: usize) -> Self {
        let lo = data.partition_point(|e| e[0] < (r0 as u64) << 32);
        let hi = data.partition_point(|e| e[0] < (r1 as u64) << 32);
        MemSource {
            data: &data[lo..hi],
            pos: 0,
        }
    }
}

/// One sorted input of a merge.
pub(crate) enum Source<'a> {
    Dense(DenseSource<'a>),
    Mem(MemSource<'a>),
    Run(RunReader),
}

impl Source<'_> {
    #[inline]
    fn peek(&self) -> Option<[u64; 2]> {
        match self {
            Source::Dense(d) => d.cur,
            Source::Mem(m) => m.data.get(m.pos).copied(),
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
            Source::Mem(m) => {
                m.pos += 1;
                Ok(())
            }
            Source::Run(r) => r.advance(),
        }
    }
}

/// Merges sorted sources, summing equal keys, calling `emit(key, count)` in
/// key order; returns the number of distinct keys.
pub(crate) fn merge(
    sources: &mut [Source<'_>],
    mut emit: impl FnMut(u64, u64) -> Result<()>,
) -> Result<u64> {
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (k, s) in sources.iter().enumerate() {
        if let Some(e) = s.peek() {
            heap.push(Reverse((e[0], k, e[1])));
        }
    }
    let mut n = 0u64;
    while let Some(Reverse((key, k, c))) = heap.pop() {
        let mut total = c;
        sources[k].advance()?;
        if let Some(e) = sources[k].peek() {
            heap.push(Reverse((e[0], k, e[1])));
        }
        while let Some(&Reverse((key2, k2, c2))) = heap.peek() {
            if key2 != key {
                break;
            }
            heap.pop();
            total = total.checked_add(c2).ok_or_else(|| {
                Error::invalid("a co-occurrence count overflowed its 64-bit fixed point")
            })?;
            sources[k2].advance()?;
            if let Some(e) = sources[k2].peek() {
                heap.push(Reverse((e[0], k2, e[1])));
            }
        }
        emit(key, total)?;
        n += 1;
    }
    Ok(n)
}

/// Merges rows `r0..r1` of the summed dense tables and of sorted in-memory
/// tables (no run files), summing equal keys, calling `emit(key, count)` in
/// key order; returns the number of distinct keys. The same result as
/// [`merge`] over a [`DenseSource`] and [`MemSource`]s, without a heap: each
/// row's dense columns are read in order and the tables' entries of that row
/// merged in by a scan of their heads (few tables: one a worker).
pub(crate) fn merge_rows(
    layout: &DenseLayout,
    dense: &[&[u32]],
    mems: &[Vec<[u64; 2]>],
    r0: usize,
    r1: usize,
    mut emit: impl FnMut(u64, u64) -> Result<()>,
) -> Result<u64> {
    let mut heads: Vec<&[[u64; 2]]> = mems
        .iter()
        .map(|m| MemSource::new(m, r0, r1).data)
        .filter(|m| !m.is_empty())
        .collect();
    let overflow = || Error::invalid("a co-occurrence count overflowed its 64-bit fixed point");
    // The smallest key among the tables' heads below `limit`, summed over the
    // tables holding it (which all advance).
    let pop_below = |heads: &mut Vec<&[[u64; 2]]>, limit: u64| -> Result<Option<[u64; 2]>> {
        let Some(key) = heads.iter().map(|h| h[0][0]).min().filter(|&k| k < limit) else {
            return Ok(None);
        };
        let mut total = 0u64;
        for h in heads.iter_mut() {
            if h[0][0] == key {
                total = total.checked_add(h[0][1]).ok_or_else(overflow)?;
                *h = &h[1..];
            }
        }
        heads.retain(|h| !h.is_empty());
        Ok(Some([key, total]))
    };
    let last = (r1 as u64).min(layout.p.min(layout.v));
    let mut n = 0u64;
    for i in r0 as u64..r1 as u64 {
        let row = i << 32;
        let end = if i < last { layout.end(i) } else { 0 };
        for j in 0..end {
            let mut c = dense_sum(dense, dense_index(layout, i, j));
            if c == 0 {
                continue;
            }
            let key = row | j;
            while let Some([k, t]) = pop_below(&mut heads, key + 1)? {
                if k == key {
                    c = c.checked_add(t).ok_or_else(overflow)?;
                    break;
                }
                emit(k, t)?;
                n += 1;
            }
            emit(key, c)?;
            n += 1;
        }
        while let Some([k, t]) = pop_below(&mut heads, (i + 1) << 32)? {
            emit(k, t)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Merges run files in groups of `fan_in` until at most `fan_in` remain;
/// returns the number of intermediate merges.
pub(crate) fn reduce_runs(
    runs: &mut Vec<PathBuf>,
    fan_in: usize,
    buf_bytes: usize,
    dir: Option<&TempDir>,
) -> Result<usize> {
    let fan_in = fan_in.max(2);
    let mut merges = 0;
    while runs.len() > fan_in {
        let Some(dir) = dir else {
            return Err(Error::invalid("runs without a temporary folder"));
        };
        let group: Vec<PathBuf> = runs.drain(..fan_in).collect();
        let mut sources = Vec::with_capacity(group.len());
        for p in group {
            sources.push(Source::Run(RunReader::open(p, buf_bytes)?));
        }
        let mut out = RunWriter::create(dir.file("merged"), buf_bytes)?;
        merge(&mut sources, |k, c| out.push([k, c]))?;
        runs.push(out.finish()?);
        for s in sources {
            if let Source::Run(r) = s {
                r.remove();
            }
        }
        merges += 1;
    }
    Ok(merges)
}
