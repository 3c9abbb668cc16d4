//! The dense tables of the frequent pairs: their shape ([`DenseLayout`]),
//! the one rule that finds a pair's cell ([`slot`]), used by the counters and
//! the merge alike, and the zero-filled memory that holds them
//! ([`ZeroTable`], also the pair buffers' memory).
//!
//! Row `i` holds columns `j < P / (i + 1)`, as Stanford's `cooccur` does with
//! its `max_product`; with symmetric windows only the upper triangle.

use crate::error::Result;

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

    /// Where `X[i][j]` is stored, if it is in the dense region: see [`slot`].
    #[inline]
    pub(crate) fn slot(&self, i: u32, j: u32) -> Option<usize> {
        slot(&self.offsets, self.sym, i, j)
    }
}

/// The one index rule of the dense tables, for counting and merging alike:
/// the cell of `X[i][j]` in a table with row starts `offsets` (see
/// [`DenseLayout`]), or `None` outside the region. With the symmetric layout
/// `X[i][j]` and `X[j][i]` share the cell of the upper triangle.
#[inline(always)]
pub(crate) fn slot(offsets: &[u64], sym: bool, i: u32, j: u32) -> Option<usize> {
    let (row, col) = if sym && j < i { (j, i) } else { (i, j) };
    let r = row as usize;
    if r + 1 >= offsets.len() {
        return None;
    }
    let idx = offsets[r] + (if sym { col - row } else { col }) as u64;
    (idx < offsets[r + 1]).then_some(idx as usize)
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
