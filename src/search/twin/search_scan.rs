//! CPU twin of `scan` in `shaders/search_scan.wgsl`, one function per mode:
//! [`scan_rows`] (exact search: a block of queries against a range of rows) and
//! [`scan_list`] (an IVF index: one list against the queries that probe it).
//! Both compute scores with a blocked matrix product (the `gemm` crate instead of
//! register tiles). [`scan_rows`] offers those that pass a list's threshold to
//! one bounded list per query, which the GPU keeps per (query, work item) as
//! well; [`scan_list`] returns the scores, and [`offer_ids`] selects from them
//! once per query (see `twin::scan_lists`).

use half::f16;

use super::super::lists::{ListRows, DEAD};
use super::super::topk::TopK;
use super::super::{Exclusions, Metric, Prepared, Queries, Rows};

/// Rows per chunk. 256 x 2048 was the fastest of 128 x 1024, 256 x 2048 and
/// 512 x 1024 on a 2-core Zen 4 (n = 100k, d = 100, 4096 queries: about 8,000
/// against 6,000 queries/s for 128 x 1024); larger blocks repack the rows less often.
pub(crate) const CN: usize = 2048;
/// Scores are screened against the list threshold this many at a time.
const SCAN: usize = 16;

/// Scores of `queries` against `rows`, offered chunk by chunk to one list per query.
pub(crate) fn scan_rows(
    p: &Prepared,
    q: &Queries,
    queries: std::ops::Range<usize>,
    rows: std::ops::Range<usize>,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Vec<TopK> {
    let dp = p.dp;
    let mq = queries.len();
    let mut lists: Vec<TopK> = (0..mq).map(|_| TopK::new(k)).collect();
    // Scores of one chunk: no larger than the rows scanned (a small matrix, such
    // as an IVF index's centroids, needs no full chunk).
    let chunk_rows = CN.min(rows.len());
    let mut scores = vec![0f32; mq * chunk_rows];
    let mut scorer = Scorer::new(p, chunk_rows, metric);
    let lhs = &q.data[queries.start * dp..];
    let mut start = rows.start;
    while start < rows.end {
        let len = CN.min(rows.end - start);
        scorer.score(p, lhs, mq, start, len, &mut scores, len);
        let mut maxima = Vec::new();
        for (qi, list) in lists.iter_mut().enumerate() {
            let row = &scores[qi * len..(qi + 1) * len];
            let excluded = excl.of(queries.start + qi);
            let floor = floor_of(list, std::iter::once(row), excluded.len(), &mut maxima);
            offer(list, row, start as u32, excluded, floor);
        }
        start += len;
    }
    lists
}

/// The scoring step both modes share: keys of `mq` query rows (`lhs`, row
/// stride `dp`) against `len` stored rows from `start`, in a `gemm` product.
/// Half-precision rows are widened into a reused buffer first; Euclidean keys
/// are `2 q.e - |e|^2`, so the product is scaled by 2 and the norms subtracted.
struct Scorer {
    converted: Vec<f32>,
    beta: f32,
    euclidean: bool,
}

impl Scorer {
    /// A scorer for chunks of at most `chunk_rows` rows of `p`.
    fn new(p: &Prepared, chunk_rows: usize, metric: Metric) -> Self {
        let euclidean = metric == Metric::Euclidean;
        Self {
            converted: match p.rows {
                Rows::F16(_) => vec![0f32; chunk_rows * p.dp],
                Rows::F32(_) => Vec::new(),
            },
            beta: if euclidean { 2.0 } else { 1.0 },
            euclidean,
        }
    }

    /// `scores[mq x len]`, row stride `ld` (at least `len`): the keys of the
    /// queries in `lhs` against rows `start..start + len`.
    #[allow(clippy::too_many_arguments)]
    fn score(
        &mut self,
        p: &Prepared,
        lhs: &[f32],
        mq: usize,
        start: usize,
        len: usize,
        scores: &mut [f32],
        ld: usize,
    ) {
        let dp = p.dp;
        assert!(mq == 0 || lhs.len() >= (mq - 1) * dp + p.dim);
        assert!(ld >= len && (mq == 0 || scores.len() >= (mq - 1) * ld + len));
        let chunk: &[f32] = match &p.rows {
            Rows::F32(v) => &v[start * dp..(start + len) * dp],
            Rows::F16(v) => {
                use half::slice::HalfFloatSliceExt;
                let src: &[f16] = &v[start * dp..(start + len) * dp];
                src.convert_to_f32_slice(&mut self.converted[..len * dp]);
                &self.converted[..len * dp]
            }
        };
        // scores[mq x len] = beta * lhs * chunk^T
        // SAFETY: the pointers and strides describe in-bounds row-major matrices
        // (checked above and by the slicing): dst mq x len (row stride ld), lhs
        // mq x dim (row stride dp), rhs dim x len read from chunk's len x dp rows
        // (column stride dp).
        unsafe {
            gemm::gemm(
                mq,
                len,
                p.dim,
                scores.as_mut_ptr(),
                1,
                ld as isize,
                false,
                lhs.as_ptr(),
                1,
                dp as isize,
                chunk.as_ptr(),
                dp as isize,
                1,
                0.0,
                self.beta,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
        if self.euclidean {
            for qi in 0..mq {
                let row = &mut scores[qi * ld..qi * ld + len];
                for (s, n) in row.iter_mut().zip(&p.norms[start..start + len]) {
                    *s -= n;
                }
            }
        }
    }
}

/// A key below which no key of `rows` can be among the `k` best, while `list`
/// is not yet full (`-inf` once it is: its own threshold then rises key by
/// key): the `(k + skip)`-th largest of the rows' block maxima (blocks of
/// `SCAN`). Those maxima are that many distinct keys at or above it, and at
/// most `skip` of them can be excluded or dead, so the `k`-th best key is at or
/// above it too (the rows must hold each id once: a query probes distinct
/// lists). Offering against it from the start spares the insertions a
/// list makes while its threshold climbs from `-inf`.
pub(crate) fn floor_of<'a>(
    list: &TopK,
    rows: impl Iterator<Item = &'a [f32]>,
    skip: usize,
    maxima: &mut Vec<f32>,
) -> f32 {
    if list.threshold() > f32::NEG_INFINITY {
        return f32::NEG_INFINITY;
    }
    let k = list.capacity() + skip;
    maxima.clear();
    for row in rows {
        for block in row.chunks(SCAN) {
            maxima.push(block.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s)));
        }
    }
    if k == 0 || maxima.len() < k {
        return f32::NEG_INFINITY;
    }
    *maxima
        .select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a))
        .1
}

/// Offers the keys of `row` (ids `base..`) at or above `floor` to `list`,
/// screening `SCAN` keys at a time against its threshold so most of a row
/// costs one vector compare.
#[inline]
fn offer(list: &mut TopK, row: &[f32], base: u32, excluded: &[u32], floor: f32) {
    offer_by(list, row, floor, |e| {
        let id = base + e as u32;
        (!excluded.contains(&id)).then_some(id)
    });
}

/// The loop both offers share: keys of `row` at or above the threshold (and
/// `floor`) go to `list` under `id_of(e)`, the id of key `e`, or `None` for a
/// key that may not be offered.
#[inline(always)]
fn offer_by(list: &mut TopK, row: &[f32], floor: f32, id_of: impl Fn(usize) -> Option<u32>) {
    let mut thr = list.threshold().max(floor);
    for (b, block) in row.chunks(SCAN).enumerate() {
        if !block.iter().fold(false, |any, &s| any | (s >= thr)) {
            continue;
        }
        for (e, &s) in block.iter().enumerate() {
            if s >= thr {
                if let Some(id) = id_of(b * SCAN + e) {
                    list.push(s, id);
                    thr = list.threshold().max(floor);
                }
            }
        }
    }
}

/// One work item: the scores of list `list` against `queries` (batch
/// numbers), written to `scores` as `queries.len()` rows of the list's length,
/// one row per (query, list) pair. The GPU keeps each pair's best `k` instead;
/// here [`offer_ids`] selects from the rows afterwards, once per query, so a
/// query's threshold carries from one of its lists to the next.
pub(crate) fn scan_list(
    rows: &ListRows,
    list: usize,
    q: &Queries,
    queries: &[u32],
    metric: Metric,
    scores: &mut [f32],
) {
    let p = rows.rows;
    let dp = p.dp;
    let range = rows.range(list);
    let mq = queries.len();
    if range.is_empty() || mq == 0 {
        return;
    }
    // The block's queries, gathered contiguous.
    let mut block = vec![0f32; mq * dp];
    for (dst, &qi) in block.chunks_mut(dp).zip(queries) {
        dst.copy_from_slice(&q.data[qi as usize * dp..(qi as usize + 1) * dp]);
    }
    // Chunks of at most CN rows (a long f16 list is widened a chunk at a
    // time), each written into its columns of the pairs' rows.
    let ld = range.len();
    let chunk_rows = CN.min(ld);
    let mut scorer = Scorer::new(p, chunk_rows, metric);
    for c0 in (0..ld).step_by(chunk_rows) {
        let len = chunk_rows.min(ld - c0);
        scorer.score(p, &block, mq, range.start + c0, len, &mut scores[c0..], ld);
    }
}

/// [`offer`] for the keys of one list: `row[e]` belongs to `row_ids[e]`, and
/// dead rows are skipped.
#[inline]
pub(crate) fn offer_ids(
    list: &mut TopK,
    row: &[f32],
    row_ids: &[u32],
    excluded: &[u32],
    floor: f32,
) {
    offer_by(list, row, floor, |e| {
        let id = row_ids[e];
        (id != DEAD && !excluded.contains(&id)).then_some(id)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The floor keeps every key that can be among the k best, also when the
    /// excluded ids are the block maxima the floor is drawn from: the lists
    /// equal those offered with no floor, and the brute-force k best.
    #[test]
    fn the_floor_drops_no_key_of_the_k_best() {
        let mut state = 5u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) % 1000) as f32 / 10.0
        };
        for (n, k) in [(100, 3), (64, 4), (16, 1), (200, 10), (33, 2), (5, 3)] {
            let row: Vec<f32> = (0..n).map(|_| next()).collect();
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_by(|&a, &b| row[b as usize].total_cmp(&row[a as usize]).then(a.cmp(&b)));
            for skipped in [0, 1, 5] {
                // the best keys excluded: each the maximum of its block
                let excluded: Vec<u32> = order.iter().take(skipped).copied().collect();
                let want: Vec<u32> = order
                    .iter()
                    .filter(|id| !excluded.contains(id))
                    .take(k)
                    .copied()
                    .collect();
                let mut maxima = Vec::new();
                let mut with = TopK::new(k);
                let floor = floor_of(
                    &with,
                    std::iter::once(&row[..]),
                    excluded.len(),
                    &mut maxima,
                );
                offer(&mut with, &row, 0, &excluded, floor);
                let mut without = TopK::new(k);
                offer(&mut without, &row, 0, &excluded, f32::NEG_INFINITY);
                let ids = |t: &TopK| t.iter().map(|e| e.1).collect::<Vec<_>>();
                assert_eq!(ids(&with), want, "n {n} k {k} skipped {skipped}");
                assert_eq!(ids(&without), want, "n {n} k {k} skipped {skipped}");
            }
        }
    }
}
