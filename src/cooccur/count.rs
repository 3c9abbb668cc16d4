//! Windowed counting: per-thread dense tables and pair buffers, spilled as
//! sorted runs.
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
//! a buffer of pair records for the others ([`Pairs`]), which is grouped by
//! row, summed and written to a run file of `((i as u64) << 32 | j, count)`
//! entries when it reaches its share of the memory budget.

use std::sync::Arc;

use crate::error::Result;

use super::spill::{LazyTempDir, Run, RunWriter};

/// Marks a document boundary in a block of ids.
pub(crate) const SEP: u32 = u32::MAX;
/// What an overflowing 32-bit dense cell carries into the worker's pairs.
const CARRY: u64 = 1 << 32;

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
        let offsets = std::iter::once(0)
            .chain(Self::row_lens(v, p, sym).scan(0u64, |acc, len| {
                *acc += len;
                Some(*acc)
            }))
            .collect();
        DenseLayout { v, p, sym, offsets }
    }

    /// The lengths of the stored rows, in order (the rows after the last
    /// stored one are empty).
    fn row_lens(v: u64, p: u64, sym: bool) -> impl Iterator<Item = u64> {
        (0..p.min(v))
            .map(move |i| {
                let e = (p / (i + 1)).min(v);
                if sym {
                    e.saturating_sub(i)
                } else {
                    e
                }
            })
            .take_while(|&len| len > 0)
    }

    /// Entries of a layout, without building it.
    fn entries(v: u64, p: u64, sym: bool) -> u64 {
        Self::row_lens(v, p, sym).sum()
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

/// How a column and a distance share one `u32` cell: `(j << shift) | d`,
/// where `d` in `1..=window` is the distance of one occurrence and `d = 0` a
/// [`CARRY`]. Sorting cells sorts them by column.
#[derive(Debug, Clone)]
pub(crate) struct CellCode {
    shift: u32,
    /// `weights[d]`: the fixed-point weight of distance `d`, [`CARRY`] at 0.
    weights: Vec<u64>,
}

impl CellCode {
    /// The code for `v` words and the weights of [`weights`]; an error if
    /// the largest id and distance do not fit in 32 bits together.
    pub(crate) fn new(v: usize, weights: &[u64]) -> Result<Self> {
        let window = weights.len() - 1;
        let shift = usize::BITS - window.leading_zeros();
        let fits = (v as u64).saturating_sub(1) << shift < 1 << 32;
        if !fits {
            return Err(crate::error::Error::invalid(format!(
                "a window of {window} with {v} words is beyond this counter: ids and distances \
                 share 32 bits, so the vocabulary may hold at most {} words at this window \
                 (use --max-vocab or a smaller window)",
                1u64 << (32 - shift)
            )));
        }
        let mut weights = weights.to_vec();
        weights[0] = CARRY;
        Ok(CellCode { shift, weights })
    }

    #[inline(always)]
    fn pack(&self, j: u32, d: u32) -> u32 {
        (j << self.shift) | d
    }

    #[inline(always)]
    fn column(&self, cell: u32) -> u32 {
        cell >> self.shift
    }

    #[inline(always)]
    fn distance(&self, cell: u32) -> u32 {
        cell & ((1 << self.shift) - 1)
    }

    #[inline(always)]
    fn weight(&self, cell: u32) -> u64 {
        self.weights[self.distance(cell) as usize]
    }
}

/// The pairs outside the dense region, one `[i, (j, d)]` record an
/// occurrence (see [`CellCode`]), appended as they come; with symmetric
/// windows once per unordered pair (`i <= j`), standing for both `X[i][j]`
/// and `X[j][i]`.
///
/// Nearly every such pair is new: on wiki.txt at window 15, 756k occurrences
/// fall outside the dense tables and make about 730k distinct pairs a
/// worker. A hash table keyed by the packed pair (the first design) paid a
/// cache miss an insert, twice with symmetric windows, and the growth of a
/// 32 MiB table; appending is sequential, and grouping by row
/// ([`Pairs::group`], a counting sort) followed by small in-cache sorts
/// costs less than sorting the table. Records and cells are 32-bit words
/// because fresh memory is dear: the kernel zeroes every page first touched
/// (on this project's 2-core VMs, about 1 ms a MiB).
pub(crate) struct Pairs {
    buf: ZeroTable<[u32; 2]>,
    len: usize,
    sym: bool,
    rows: Rows,
}

impl Pairs {
    /// A buffer for `cap` records over a vocabulary of `v` words.
    pub(crate) fn new(cap: usize, v: usize, sym: bool, code: CellCode) -> Result<Self> {
        Ok(Pairs {
            buf: ZeroTable::new(cap)?,
            len: 0,
            sym,
            rows: Rows {
                starts: vec![0; v + 1],
                cells: Vec::new(),
                code,
            },
        })
    }

    /// Records held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Records held before a spill.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    #[inline(always)]
    fn push(&mut self, i: u32, j: u32, d: u32) {
        self.buf[self.len] = [i, self.rows.code.pack(j, d)];
        self.len += 1;
    }

    /// Groups the records by row (with symmetric windows, each unordered pair
    /// in both of its rows) and empties the buffer; the rows' memory is
    /// reused from one call to the next.
    pub(crate) fn group(&mut self) -> &mut Rows {
        let recs = &self.buf[..self.len];
        let rows = &mut self.rows;
        let code = &rows.code;
        let starts = &mut rows.starts;
        let v = starts.len() - 1;
        // Row sizes, shifted by two: `starts[i + 2]` counts the cells of row `i`.
        starts.fill(0);
        starts.push(0);
        for &[i, c] in recs {
            starts[i as usize + 2] += 1;
            let j = code.column(c);
            if self.sym && i != j {
                starts[j as usize + 2] += 1;
            }
        }
        // Prefix sums, shifted by one: `starts[i + 1]` is the start of row `i`.
        let mut total = 0;
        for r in 0..v {
            let n = starts[r + 2];
            starts[r + 1] = total;
            total += n;
        }
        // The scatter moves `starts[i + 1]` to the end of row `i`: then
        // `starts[i]` is the start of row `i` and `starts[v]` the end.
        rows.cells.clear();
        rows.cells.resize(total, 0);
        let cells = &mut rows.cells;
        for &[i, c] in recs {
            let at = &mut starts[i as usize + 1];
            cells[*at] = c;
            *at += 1;
            let j = code.column(c);
            if self.sym && i != j {
                let at = &mut starts[j as usize + 1];
                cells[*at] = code.pack(i, code.distance(c));
                *at += 1;
            }
        }
        starts.pop();
        self.len = 0;
        &mut self.rows
    }

    /// The records grouped by row, the buffer freed.
    pub(crate) fn into_rows(mut self) -> Rows {
        self.group();
        self.rows
    }
}

/// Pair records grouped by row: row `i` holds its cells (see [`CellCode`]),
/// unsorted.
pub(crate) struct Rows {
    starts: Vec<usize>,
    cells: Vec<u32>,
    code: CellCode,
}

impl Rows {
    /// The cells of row `i` (none beyond the vocabulary).
    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[u32] {
        match self.starts.get(i + 1) {
            Some(&end) => &self.cells[self.starts[i]..end],
            None => &[],
        }
    }

    /// The number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// The number of cells in rows `r0..r1`.
    pub(crate) fn cells_in(&self, r0: usize, r1: usize) -> u64 {
        let at = |r: usize| self.starts[r.min(self.rows())];
        (at(r1) - at(r0)) as u64
    }

    /// How the cells are packed.
    pub(crate) fn code(&self) -> &CellCode {
        &self.code
    }

    /// Sorts row `i` and calls `emit(j, count)` for each of its columns in
    /// order, with the column's counts summed.
    pub(crate) fn combine_row(
        &mut self,
        i: usize,
        emit: impl FnMut(u32, u64) -> Result<()>,
    ) -> Result<()> {
        let cells = &mut self.cells[self.starts[i]..self.starts[i + 1]];
        cells.sort_unstable();
        Columns::new(cells, &self.code).drain_below(u64::MAX, emit)
    }
}

/// Sorted cells read as `(column, summed count)` groups.
pub(crate) struct Columns<'a> {
    cells: &'a [u32],
    code: &'a CellCode,
    k: usize,
}

impl<'a> Columns<'a> {
    pub(crate) fn new(cells: &'a [u32], code: &'a CellCode) -> Self {
        Columns { cells, code, k: 0 }
    }

    /// The next group's column, if any.
    #[inline]
    pub(crate) fn peek(&self) -> Option<u64> {
        self.cells.get(self.k).map(|&c| self.code.column(c) as u64)
    }

    /// The next group's summed count (there must be one).
    #[inline]
    pub(crate) fn take(&mut self) -> Result<u64> {
        let j = self.code.column(self.cells[self.k]);
        let mut total = 0u64;
        while let Some(&c) = self.cells.get(self.k) {
            if self.code.column(c) != j {
                break;
            }
            total = total
                .checked_add(self.code.weight(c))
                .ok_or_else(overflow)?;
            self.k += 1;
        }
        Ok(total)
    }

    /// Emits the groups with columns below `limit`.
    #[inline]
    pub(crate) fn drain_below(
        &mut self,
        limit: u64,
        mut emit: impl FnMut(u32, u64) -> Result<()>,
    ) -> Result<()> {
        while let Some(j) = self.peek().filter(|&j| j < limit) {
            let c = self.take()?;
            emit(j as u32, c)?;
        }
        Ok(())
    }
}

/// The error of a count beyond the 64-bit fixed point.
pub(crate) fn overflow() -> crate::error::Error {
    crate::error::Error::invalid("a co-occurrence count overflowed its 64-bit fixed point")
}

/// A zero-filled table (`u32` dense cells, pair records) in anonymous memory, backed by huge pages where
/// the system allows it: the kernel hands out zeroed pages, and 2 MiB pages
/// cut the page faults of a 32 MiB table from 8192 to 16 (measured on
/// wiki.txt at 2 threads: a third less system time and half the page faults
/// than a `Vec`'s 4 KiB pages).
///
/// Dense cells are 32 bits, half the memory (and the zeroing, and the cache
/// footprint) of 64-bit counts; a cell that overflows carries `2^32` into the
/// worker's pairs under the same key, so counts stay exact (the merge
/// sums equal keys).
pub(crate) struct ZeroTable<T> {
    map: Option<memmap2::MmapMut>,
    _cells: std::marker::PhantomData<T>,
}

impl<T> Default for ZeroTable<T> {
    fn default() -> Self {
        ZeroTable {
            map: None,
            _cells: std::marker::PhantomData,
        }
    }
}

impl<T: bytemuck::Pod> ZeroTable<T> {
    /// A table of `len` zeros.
    pub(crate) fn new(len: usize) -> Result<Self> {
        let bytes = len * std::mem::size_of::<T>();
        if bytes == 0 {
            return Ok(Self::default());
        }
        let map = memmap2::MmapMut::map_anon(bytes).map_err(|e| {
            crate::error::Error::OutOfMemory(format!(
                "cannot map {} MiB for a co-occurrence table: {e}",
                bytes >> 20
            ))
        })?;
        #[cfg(target_os = "linux")]
        {
            // Only a hint: without huge pages the table works all the same.
            let _ = map.advise(memmap2::Advice::HugePage);
        }
        Ok(ZeroTable {
            map: Some(map),
            _cells: std::marker::PhantomData,
        })
    }
}

impl<T: bytemuck::Pod> std::ops::Deref for ZeroTable<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.map {
            // A mapping is page-aligned and holds whole cells.
            Some(m) => bytemuck::cast_slice(&m[..]),
            None => &[],
        }
    }
}

impl<T: bytemuck::Pod> std::ops::DerefMut for ZeroTable<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.map {
            Some(m) => bytemuck::cast_slice_mut(&mut m[..]),
            None => &mut [],
        }
    }
}

/// What one worker counts into.
pub(crate) struct Counter {
    /// The dense layout's row offsets (a copy a worker).
    offsets: Vec<u64>,
    pub(crate) dense: ZeroTable<u32>,
    pub(crate) pairs: Pairs,
    pub(crate) runs: Vec<Run>,
    /// Where runs are cut into parts (see [`Run`]).
    bounds: Arc<Vec<u64>>,
}

impl Counter {
    pub(crate) fn new(
        layout: &Arc<DenseLayout>,
        pair_capacity: usize,
        code: &CellCode,
        bounds: &Arc<Vec<u64>>,
    ) -> Result<Self> {
        Ok(Counter {
            dense: ZeroTable::new(layout.len())?,
            offsets: layout.offsets.clone(),
            pairs: Pairs::new(pair_capacity, layout.v as usize, layout.sym, code.clone())?,
            runs: Vec::new(),
            bounds: bounds.clone(),
        })
    }

    /// The fixed-point weight of distance `d`.
    #[inline(always)]
    fn weight(&self, d: u32) -> u64 {
        self.pairs.rows.code.weights[d as usize]
    }

    /// Adds `w` (below `2^32`) to a dense cell; true if it overflowed, in
    /// which case the caller records a [`CARRY`].
    #[inline(always)]
    fn dense_add(&mut self, idx: usize, w: u64) -> bool {
        let (s, o) = self.dense[idx].overflowing_add(w as u32);
        self.dense[idx] = s;
        o
    }

    /// Adds the occurrence at distance `d` to `X[i][j]`.
    #[inline(always)]
    fn add(&mut self, i: u32, j: u32, d: u32) {
        let iu = i as usize;
        if iu + 1 < self.offsets.len() {
            let idx = self.offsets[iu] + j as u64;
            if idx < self.offsets[iu + 1] {
                if self.dense_add(idx as usize, self.weight(d)) {
                    self.pairs.push(i, j, 0);
                }
                return;
            }
        }
        self.pairs.push(i, j, d);
    }

    /// Adds the occurrence at distance `d` to `X[a][b]` and to `X[b][a]` (the
    /// upper-triangle layout).
    #[inline(always)]
    fn add_both(&mut self, a: u32, b: u32, d: u32) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let l = lo as usize;
        if l + 1 < self.offsets.len() {
            let idx = self.offsets[l] + (hi - lo) as u64;
            if idx < self.offsets[l + 1] {
                let w = self.weight(d);
                if self.dense_add(idx as usize, if lo == hi { 2 * w } else { w }) {
                    // The carry of the stored `X[lo][hi]`, which is also `X[hi][lo]`.
                    self.pairs.push(lo, hi, 0);
                }
                return;
            }
        }
        self.pairs.push(lo, hi, d);
        if lo == hi {
            // `X[a][a]` gets the occurrence twice.
            self.pairs.push(lo, hi, d);
        }
    }

    /// Counts the pairs whose later word lies in `ids[window..]`; the first
    /// `window` slots hold the preceding context (or [`SEP`]).
    pub(crate) fn count_block(
        &mut self,
        ids: &[u32],
        window: usize,
        symmetric: bool,
        tmp: &LazyTempDir,
    ) -> Result<()> {
        // A position adds at most `2 * window` records.
        let limit = self.pairs.capacity().saturating_sub(2 * window);
        for p in window..ids.len() {
            let w2 = ids[p];
            if w2 == SEP {
                continue;
            }
            if self.pairs.len() > limit {
                self.spill(tmp)?;
            }
            for d in 1..=window {
                let w1 = ids[p - d];
                if w1 == SEP {
                    break;
                }
                if symmetric {
                    self.add_both(w1, w2, d as u32);
                } else {
                    self.add(w1, w2, d as u32);
                }
            }
        }
        Ok(())
    }

    /// Writes the pairs as a sorted run and empties the buffer.
    pub(crate) fn spill(&mut self, tmp: &LazyTempDir) -> Result<()> {
        if self.pairs.len() == 0 {
            return Ok(());
        }
        let path = tmp.get()?.file("run");
        let rows = self.pairs.group();
        let mut w = RunWriter::create(path, 1 << 20, self.bounds.clone())?;
        for i in 0..rows.rows() {
            let row = (i as u64) << 32;
            rows.combine_row(i, |j, c| w.push([row | j as u64, c]))?;
        }
        self.runs.push(w.finish()?);
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
    crate::corpus::for_each_token(text, |t| match t {
        crate::corpus::Token::Word(w) => {
            tokens += 1;
            // A vocabulary word is valid UTF-8: other bytes are out of it.
            if let Some(id) = std::str::from_utf8(w).ok().and_then(|w| vocab.id(w)) {
                ids.push(id);
            }
        }
        crate::corpus::Token::Newline => {
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
