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
        scorer.score(p, lhs, mq, start, len, &mut scores);
        for (qi, list) in lists.iter_mut().enumerate() {
            let row = &scores[qi * len..(qi + 1) * len];
            offer(list, row, start as u32, excl.of(queries.start + qi));
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

    /// `scores[mq x len]`, row stride `len`: the keys of the queries in `lhs`
    /// against rows `start..start + len`.
    fn score(
        &mut self,
        p: &Prepared,
        lhs: &[f32],
        mq: usize,
        start: usize,
        len: usize,
        scores: &mut [f32],
    ) {
        let dp = p.dp;
        assert!((mq == 0 || lhs.len() >= (mq - 1) * dp + p.dim) && scores.len() >= mq * len);
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
        // (checked above and by the slicing): dst mq x len (row stride len), lhs
        // mq x dim (row stride dp), rhs dim x len read from chunk's len x dp rows
        // (column stride dp).
        unsafe {
            gemm::gemm(
                mq,
                len,
                p.dim,
                scores.as_mut_ptr(),
                1,
                len as isize,
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
            for row in scores[..mq * len].chunks_mut(len) {
                for (s, n) in row.iter_mut().zip(&p.norms[start..start + len]) {
                    *s -= n;
                }
            }
        }
    }
}

/// Offers the keys of `row` (ids `base..`) to `list`, screening `SCAN` keys at a
/// time against its threshold so most of a row costs one vector compare.
#[inline]
fn offer(list: &mut TopK, row: &[f32], base: u32, excluded: &[u32]) {
    let mut thr = list.threshold();
    for (b, block) in row.chunks(SCAN).enumerate() {
        if !block.iter().fold(false, |any, &s| any | (s >= thr)) {
            continue;
        }
        for (e, &s) in block.iter().enumerate() {
            if s >= thr {
                let id = base + (b * SCAN + e) as u32;
                if !excluded.contains(&id) {
                    list.push(s, id);
                    thr = list.threshold();
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
    let mut scorer = Scorer::new(p, range.len(), metric);
    scorer.score(p, &block, mq, range.start, range.len(), scores);
}

/// [`offer`] for the keys of one list: `row[e]` belongs to `row_ids[e]`, and
/// dead rows are skipped.
#[inline]
pub(crate) fn offer_ids(list: &mut TopK, row: &[f32], row_ids: &[u32], excluded: &[u32]) {
    let mut thr = list.threshold();
    for (b, block) in row.chunks(SCAN).enumerate() {
        if !block.iter().fold(false, |any, &s| any | (s >= thr)) {
            continue;
        }
        for (e, &s) in block.iter().enumerate() {
            if s >= thr {
                let id = row_ids[b * SCAN + e];
                if id != DEAD && !excluded.contains(&id) {
                    list.push(s, id);
                    thr = list.threshold();
                }
            }
        }
    }
}
