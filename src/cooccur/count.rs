//! Windowed counting: per-thread dense and sparse tables, spilled as sorted runs.
//!
//! Counts are kept in fixed point: every weight `1/d` is stored as the integer
//! `L/d` with `L = lcm(1..=window)` (exact for windows up to 22; beyond, `L =
//! 2^28` and `L/d` is rounded, a relative error below `window * 2^-29` per
//! weight), so sums are exact integers (up to `x = 2^36` per pair with `L = 2^28`)
//! and the result does
//! not depend on the order of additions: it is bit-identical whatever the
//! thread count, block size and memory budget.
//!
//! Each worker owns a dense table for the frequent pairs (row `i` holds columns
//! `j < P / (i + 1)`, as Stanford's `cooccur` does with its `max_product`) and
//! an open-addressing hash table keyed by the packed pair
//! `(i as u64) << 32 | j` for the others, which is sorted and written to a run
//! file when it reaches its share of the memory budget.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;

use super::spill::{write_run, LazyTempDir};

/// Marks a document boundary in a block of ids.
pub(crate) const SEP: u32 = u32::MAX;
/// What an overflowing 32-bit dense cell carries into the sparse table.
const CARRY: u64 = 1 << 32;
/// An empty slot of the sparse table (no pair packs to it: ids are < 2^32 - 1).
const EMPTY: u64 = u64::MAX;

/// Fixed-point weights: `weights[d]` for distance `d` in `1..=window`, and the
/// scale `L` such that the weight of distance `d` is `weights[d] / L`.
pub(crate) fn weights(window: usize, distance_weighting: bool) -> (Vec<u64>, u64) {
    let mut w = vec![0u64; window + 1];
    if !distance_weighting {
        for x in w.iter_mut().skip(1) {
            *x = 1;
        }
        return (w, 1);
    }
    // lcm(1..=window), if it stays at most 2^28 (windows up to 22).
    let mut l: u64 = 1;
    let mut exact = true;
    for d in 1..=window as u64 {
        let g = gcd(l, d);
        match (l / g).checked_mul(d) {
            Some(v) if v <= 1 << 28 => l = v,
            _ => {
                exact = false;
                break;
            }
        }
    }
    if !exact {
        l = 1 << 28;
    }
    for (d, x) in w.iter_mut().enumerate().skip(1) {
        *x = ((l as f64) / d as f64).round() as u64;
        if exact {
            *x = l / d as u64;
        }
    }
    (w, l)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The shape of the dense tables: the pairs `(i, j)` with
/// `(i + 1) * (j + 1) <= p` (and `j < v`). With symmetric windows only the
/// upper triangle `i <= j` is stored (`X` is symmetric), which halves both the
/// memory and the additions: row `i` holds columns `i..end(i)`; otherwise row
/// `i` holds columns `0..end(i)`.
#[derive(Debug, Clone)]
pub(crate) struct DenseLayout {
    pub(crate) v: u64,
    pub(crate) p: u64,
    pub(crate) sym: bool,
    /// Start of each stored row, plus the total at the end.
    pub(crate) offsets: Vec<u64>,
}

impl DenseLayout {
    pub(crate) fn new(v: usize, p: u64, sym: bool) -> Self {
        let v = v as u64;
        let mut offsets = vec![0u64];
        let mut acc = 0u64;
        for i in 0..p.min(v) {
            let e = (p / (i + 1)).min(v);
            let len = if sym { e.saturating_sub(i) } else { e };
            if len == 0 {
                break;
            }
            acc += len;
            offsets.push(acc);
        }
        DenseLayout { v, p, sym, offsets }
    }

    /// Entries of a layout, without building it.
    fn entries(v: u64, p: u64, sym: bool) -> u64 {
        let mut s = 0u64;
        for i in 0..p.min(v) {
            let e = (p / (i + 1)).min(v);
            let len = if sym { e.saturating_sub(i) } else { e };
            if len == 0 {
                break;
            }
            s += len;
        }
        s
    }

    /// The layout with the largest bound `p` that holds at most `max_entries`.
    pub(crate) fn fit(v: usize, max_entries: u64, sym: bool) -> Self {
        let vv = v as u64;
        let (mut lo, mut hi) = (0u64, vv.saturating_mul(vv));
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if Self::entries(vv, mid, sym) <= max_entries {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Self::new(v, lo, sym)
    }

    /// Number of stored entries.
    pub(crate) fn len(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0) as usize
    }

    /// One past the last column of row `i` in the region (both triangles).
    #[inline]
    pub(crate) fn end(&self, i: u64) -> u64 {
        (self.p / (i + 1)).min(self.v)
    }
}

/// The open-addressing table of one worker: `[key, count]` slots, linear
/// probing, growing up to `max_slots`.
pub(crate) struct Sparse {
    slots: Vec<[u64; 2]>,
    len: usize,
    grow_at: usize,
    max_slots: usize,
}

impl Sparse {
    pub(crate) fn new(max_slots: usize) -> Self {
        Sparse {
            slots: Vec::new(),
            len: 0,
            grow_at: 0,
            max_slots,
        }
    }

    /// The number of distinct pairs held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The most pairs held before a spill.
    pub(crate) fn limit(&self) -> usize {
        self.max_slots / 4 * 3
    }

    #[inline]
    fn slot(key: u64, n: usize) -> usize {
        let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h as u128 * n as u128) >> 64) as usize
    }

    fn grow(&mut self) {
        let n = if self.slots.is_empty() {
            self.max_slots.min(1 << 15)
        } else {
            (self.slots.len() * 2).min(self.max_slots)
        };
        let old = std::mem::replace(&mut self.slots, vec![[EMPTY, 0]; n]);
        self.grow_at = if n < self.max_slots {
            n / 10 * 7
        } else {
            usize::MAX
        };
        for e in old.into_iter().filter(|e| e[0] != EMPTY) {
            let mut p = Self::slot(e[0], n);
            while self.slots[p][0] != EMPTY {
                p += 1;
                if p == n {
                    p = 0;
                }
            }
            self.slots[p] = e;
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, key: u64, w: u64) {
        if self.len >= self.grow_at {
            self.grow();
        }
        let n = self.slots.len();
        let mut p = Self::slot(key, n);
        loop {
            let s = &mut self.slots[p];
            if s[0] == key {
                s[1] += w;
                return;
            }
            if s[0] == EMPTY {
                *s = [key, w];
                self.len += 1;
                return;
            }
            p += 1;
            if p == n {
                p = 0;
            }
        }
    }

    /// Moves the pairs to the front, sorted by key; returns them.
    pub(crate) fn sorted(&mut self) -> &mut [[u64; 2]] {
        let mut w = 0;
        for r in 0..self.slots.len() {
            if self.slots[r][0] != EMPTY {
                self.slots[w] = self.slots[r];
                w += 1;
            }
        }
        let s = &mut self.slots[..w];
        s.sort_unstable_by_key(|e| e[0]);
        s
    }

    /// Empties the table (keeping its memory).
    pub(crate) fn clear(&mut self) {
        self.slots.fill([EMPTY, 0]);
        self.len = 0;
    }

    /// The sorted pairs, owning the memory.
    pub(crate) fn into_sorted(mut self) -> Vec<[u64; 2]> {
        let n = self.sorted().len();
        self.slots.truncate(n);
        self.slots
    }
}

/// A zero-filled `u32` table in anonymous memory, backed by huge pages where
/// the system allows it: the kernel hands out zeroed pages, and 2 MiB pages
/// cut the page faults of a 32 MiB table from 8192 to 16 (measured on
/// wiki.txt at 2 threads: a third less system time and half the page faults
/// than a `Vec`'s 4 KiB pages).
///
/// Cells are 32 bits, half the memory (and the zeroing, and the cache
/// footprint) of 64-bit counts; a cell that overflows carries `2^32` into the
/// worker's sparse table under the same key, so counts stay exact (the merge
/// sums equal keys).
#[derive(Default)]
pub(crate) struct ZeroTable {
    map: Option<memmap2::MmapMut>,
}

impl ZeroTable {
    /// A table of `len` zeros.
    pub(crate) fn new(len: usize) -> Result<Self> {
        if len == 0 {
            return Ok(ZeroTable { map: None });
        }
        let bytes = len * 4;
        let map = memmap2::MmapMut::map_anon(bytes).map_err(|e| {
            crate::error::Error::OutOfMemory(format!(
                "cannot map {} MiB for a dense co-occurrence table: {e}",
                bytes >> 20
            ))
        })?;
        #[cfg(target_os = "linux")]
        {
            // Only a hint: without huge pages the table works all the same.
            let _ = map.advise(memmap2::Advice::HugePage);
        }
        Ok(ZeroTable { map: Some(map) })
    }
}

impl std::ops::Deref for ZeroTable {
    type Target = [u32];
    #[inline]
    fn deref(&self) -> &[u32] {
        match &self.map {
            // A mapping is page-aligned and holds whole `u64`s.
            Some(m) => bytemuck::cast_slice(&m[..]),
            None => &[],
        }
    }
}

impl std::ops::DerefMut for ZeroTable {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u32] {
        match &mut self.map {
            Some(m) => bytemuck::cast_slice_mut(&mut m[..]),
            None => &mut [],
        }
    }
}

/// What one worker counts into.
pub(crate) struct Counter {
    offsets: Arc<Vec<u64>>,
    pub(crate) dense: ZeroTable,
    pub(crate) sparse: Sparse,
    pub(crate) runs: Vec<PathBuf>,
}

impl Counter {
    pub(crate) fn new(layout: &Arc<DenseLayout>, sparse_slots: usize) -> Result<Self> {
        Ok(Counter {
            dense: ZeroTable::new(layout.len())?,
            offsets: Arc::new(layout.offsets.clone()),
            sparse: Sparse::new(sparse_slots),
            runs: Vec::new(),
        })
    }

    /// Adds `w` (below `2^32`) to a dense cell; true if it overflowed, in
    /// which case the caller carries [`CARRY`] into the sparse table.
    #[inline(always)]
    fn dense_add(&mut self, idx: usize, w: u64) -> bool {
        let (s, o) = self.dense[idx].overflowing_add(w as u32);
        self.dense[idx] = s;
        o
    }

    #[inline(always)]
    fn add(&mut self, i: u32, j: u32, w: u64) {
        let iu = i as usize;
        if iu + 1 < self.offsets.len() {
            let idx = self.offsets[iu] + j as u64;
            if idx < self.offsets[iu + 1] {
                if self.dense_add(idx as usize, w) {
                    self.sparse.add(((i as u64) << 32) | j as u64, CARRY);
                }
                return;
            }
        }
        self.sparse.add(((i as u64) << 32) | j as u64, w);
    }

    /// Adds `w` to `X[a][b]` and to `X[b][a]` (the upper-triangle layout).
    #[inline(always)]
    fn add_both(&mut self, a: u32, b: u32, w: u64) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let l = lo as usize;
        if l + 1 < self.offsets.len() {
            let idx = self.offsets[l] + (hi - lo) as u64;
            if idx < self.offsets[l + 1] {
                if self.dense_add(idx as usize, if lo == hi { 2 * w } else { w }) {
                    // The carry of the stored `X[lo][hi]`, which is also `X[hi][lo]`.
                    self.sparse.add(((lo as u64) << 32) | hi as u64, CARRY);
                    if lo != hi {
                        self.sparse.add(((hi as u64) << 32) | lo as u64, CARRY);
                    }
                }
                return;
            }
        }
        self.sparse.add(((a as u64) << 32) | b as u64, w);
        self.sparse.add(((b as u64) << 32) | a as u64, w);
    }

    /// Counts the pairs whose later word lies in `ids[window..]`; the first
    /// `window` slots hold the preceding context (or [`SEP`]).
    pub(crate) fn count_block(
        &mut self,
        ids: &[u32],
        window: usize,
        weights: &[u64],
        symmetric: bool,
        tmp: &LazyTempDir,
    ) -> Result<()> {
        let limit = self.sparse.limit().saturating_sub(2 * window + 2);
        for p in window..ids.len() {
            let w2 = ids[p];
            if w2 == SEP {
                continue;
            }
            for (k, &wt) in weights.iter().enumerate().skip(1) {
                let w1 = ids[p - k];
                if w1 == SEP {
                    break;
                }
                if symmetric {
                    self.add_both(w1, w2, wt);
                } else {
                    self.add(w1, w2, wt);
                }
            }
            if self.sparse.len() > limit {
                self.spill(tmp)?;
            }
        }
        Ok(())
    }

    /// Writes the sparse table as a sorted run and empties it.
    pub(crate) fn spill(&mut self, tmp: &LazyTempDir) -> Result<()> {
        if self.sparse.len() == 0 {
            return Ok(());
        }
        let dir = tmp.get()?;
        let path = dir.file("run");
        let res = write_run(&path, self.sparse.sorted());
        self.sparse.clear();
        res?;
        self.runs.push(path);
        Ok(())
    }
}

/// Turns a block of text into ids (`ids[..window]` reserved for the context,
/// [`SEP`] at each line break, out-of-vocabulary words dropped); returns the
/// number of tokens seen.
pub(crate) fn tokenize(
    text: &[u8],
    vocab: &crate::vocab::Vocab,
    window: usize,
    ids: &mut Vec<u32>,
) -> u64 {
    ids.clear();
    ids.resize(window, SEP);
    let mut tokens = 0u64;
    crate::vocab::for_each_token(text, |t| match t {
        crate::vocab::Token::Word(w) => {
            tokens += 1;
            // A vocabulary word is valid UTF-8: other bytes are out of it.
            if let Some(id) = std::str::from_utf8(w).ok().and_then(|w| vocab.id(w)) {
                ids.push(id);
            }
        }
        crate::vocab::Token::Newline => {
            if ids.len() == window || ids.last() != Some(&SEP) {
                ids.push(SEP);
            }
        }
    });
    tokens
}

/// Copies the context carried from the previous block into the reserved
/// slots of `ids`, and updates `tail` to the context for the next block.
pub(crate) fn link(ids: &mut [u32], window: usize, tail: &mut Vec<u32>) {
    let k = tail.len();
    ids[window - k..window].copy_from_slice(tail);
    let lo = window - k;
    let end = ids.len();
    let mut p = end;
    while p > lo && end - p < window && ids[p - 1] != SEP {
        p -= 1;
    }
    tail.clear();
    tail.extend_from_slice(&ids[p..]);
}
