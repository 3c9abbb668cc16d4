//! The pairs outside the dense tables, in fixed point.
//!
//! Counts are kept in fixed point: every weight `1/d` is stored as the integer
//! `L/d` with `L = lcm(1..=window)` (exact for windows up to 22; beyond, `L =
//! 2^28` and `L/d` is rounded, a relative error below `window * 2^-29` per
//! weight), so sums are exact integers (up to `x = 2^36` per pair with `L = 2^28`)
//! and the result does not depend on the order of additions: it is
//! bit-identical whatever the thread count, block size and memory budget.
//!
//! A worker's pair buffer ([`Pairs`]) holds one record an occurrence, a row
//! and a [`CellCode`] cell (column and distance in one `u32`); it is grouped by
//! row ([`Rows`]) and read back as summed columns ([`Columns`]).

use crate::error::Result;

use super::dense::ZeroTable;

/// What an overflowing 32-bit dense cell carries into the worker's pairs.
pub(crate) const CARRY: u64 = 1 << 32;

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

    /// The fixed-point weight of distance `d` ([`CARRY`] at 0).
    #[inline(always)]
    pub(crate) fn distance_weight(&self, d: u32) -> u64 {
        self.weights[d as usize]
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

    /// How the records are packed.
    #[inline(always)]
    pub(crate) fn code(&self) -> &CellCode {
        &self.rows.code
    }

    /// Records held before a spill.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Appends the occurrence of `(i, j)` at distance `d` (0: a [`CARRY`]).
    #[inline(always)]
    pub(crate) fn push(&mut self, i: u32, j: u32, d: u32) {
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
