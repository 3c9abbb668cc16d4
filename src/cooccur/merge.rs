//! k-way merge of sorted `(key, count)` sources: the dense table, in-memory
//! sorted tables and run files; equal keys are summed. Runs beyond the
//! open-file limit are merged in passes first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

use crate::error::{Error, Result};

use super::count::DenseLayout;
use super::spill::{RunReader, RunWriter, TempDir};

/// The summed dense tables, read in `(i, j)` order, zeros skipped, for rows
/// `r0..r1` (with the symmetric layout, `X[i][j]` for `j < i` is read from the
/// stored `X[j][i]`).
pub(crate) struct DenseSource<'a> {
    layout: &'a DenseLayout,
    data: &'a [u64],
    row: u64,
    last: u64,
    col: u64,
    end: u64,
    cur: Option<[u64; 2]>,
}

impl<'a> DenseSource<'a> {
    pub(crate) fn new(layout: &'a DenseLayout, data: &'a [u64], r0: usize, r1: usize) -> Self {
        let last = (r1 as u64).min(layout.p.min(layout.v));
        let row = r0 as u64;
        let mut s = DenseSource {
            layout,
            data,
            row,
            last,
            col: 0,
            end: if row < last { layout.end(row) } else { 0 },
            cur: None,
        };
        s.seek();
        s
    }

    #[inline]
    fn value(&self, i: u64, j: u64) -> u64 {
        let off = &self.layout.offsets;
        let idx = if !self.layout.sym {
            off[i as usize] + j
        } else if j >= i {
            off[i as usize] + (j - i)
        } else {
            off[j as usize] + (i - j)
        };
        self.data[idx as usize]
    }

    fn seek(&mut self) {
        while self.row < self.last {
            while self.col < self.end {
                let c = self.value(self.row, self.col);
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
