//! CPU twin of `shaders/search_scan.wgsl` and `shaders/search_merge.wgsl`.
//!
//! Same two steps as the GPU: `topk_tiles` computes the scores of a block of
//! queries against a range of rows (here with the `gemm` crate instead of
//! register tiles) and offers those that pass the query's threshold to one
//! bounded list per query (the GPU: one list per query and workgroup); the
//! lists of the ranges a query was split over are then merged. The order
//! (`better`) is total, so both twins return the same lists whatever their
//! block sizes and merge order. Work items are
//! `(query block, row range)` pairs run by rayon, so one query over a huge
//! matrix and many queries over a small one both use every core.

use half::f16;
use rayon::prelude::*;

use super::lists::{ListRows, Pairs, DEAD};
use super::topk::{push_into, threshold_of, TopK};
use super::{Exclusions, Lists, Metric, Prepared, Queries, Rows};

/// Queries per block: one `gemm` call multiplies `QB` queries by `CN` rows.
const QB: usize = 256;
/// Rows per chunk. 256 x 2048 was the fastest of 128 x 1024, 256 x 2048 and
/// 512 x 1024 on a 2-core Zen 4 (n = 100k, d = 100, 4096 queries: about 8,000
/// against 6,000 queries/s for 128 x 1024); larger blocks repack the rows less often.
const CN: usize = 2048;
/// Scores are screened against the list threshold this many at a time.
const SCAN: usize = 16;

/// Searches `p` for the `k` best rows of every query in `q`.
pub(crate) fn search(
    p: &Prepared,
    q: &Queries,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Lists {
    let threads = rayon::current_num_threads().max(1);
    let qblocks = q.m.div_ceil(QB);
    let chunks = p.n.div_ceil(CN).max(1);
    // Enough work items for every thread, without splitting rows needlessly.
    let splits = (4 * threads).div_ceil(qblocks).clamp(1, chunks);
    let chunks_per_split = chunks.div_ceil(splits);
    let items: Vec<(usize, usize)> = (0..qblocks)
        .flat_map(|b| (0..splits).map(move |s| (b, s)))
        .collect();
    let partial: Vec<Vec<TopK>> = items
        .par_iter()
        .map(|&(b, s)| {
            let queries = b * QB..((b + 1) * QB).min(q.m);
            let rows =
                (s * chunks_per_split * CN).min(p.n)..((s + 1) * chunks_per_split * CN).min(p.n);
            topk_tiles(p, q, queries, rows, k, excl, metric)
        })
        .collect();
    // merge: the lists of each query block, split by split.
    let mut out: Lists = Vec::with_capacity(q.m);
    for b in 0..qblocks {
        let mut lists = partial[b * splits].clone();
        for s in 1..splits {
            for (l, other) in lists.iter_mut().zip(&partial[b * splits + s]) {
                l.merge(other);
            }
        }
        out.extend(lists);
    }
    out
}

/// Scores of `queries` against `rows`, offered chunk by chunk to one list per query.
fn topk_tiles(
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
    let mut scores = vec![0f32; mq * CN];
    let mut converted = match p.rows {
        Rows::F16(_) => vec![0f32; CN * dp],
        Rows::F32(_) => Vec::new(),
    };
    // Euclidean key: 2 q.e - |e|^2, so the product is scaled by 2.
    let beta = if metric == Metric::Euclidean {
        2.0
    } else {
        1.0
    };
    let mut start = rows.start;
    while start < rows.end {
        let len = CN.min(rows.end - start);
        let chunk: &[f32] = match &p.rows {
            Rows::F32(v) => &v[start * dp..(start + len) * dp],
            Rows::F16(v) => {
                use half::slice::HalfFloatSliceExt;
                let src: &[f16] = &v[start * dp..(start + len) * dp];
                src.convert_to_f32_slice(&mut converted[..len * dp]);
                &converted[..len * dp]
            }
        };
        // scores[mq x len] = beta * Q[queries] * chunk^T
        // SAFETY: the pointers and strides describe in-bounds row-major matrices:
        // dst mq x len (row stride len), lhs mq x dim (row stride dp),
        // rhs dim x len read from chunk's len x dp rows (column stride dp).
        unsafe {
            gemm::gemm(
                mq,
                len,
                p.dim,
                scores.as_mut_ptr(),
                1,
                len as isize,
                false,
                q.data[queries.start * dp..].as_ptr(),
                1,
                dp as isize,
                chunk.as_ptr(),
                dp as isize,
                1,
                0.0,
                beta,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
        for (qi, list) in lists.iter_mut().enumerate() {
            let row = &mut scores[qi * len..(qi + 1) * len];
            if metric == Metric::Euclidean {
                for (s, n) in row.iter_mut().zip(&p.norms[start..start + len]) {
                    *s -= n;
                }
            }
            offer(list, row, start as u32, excl.of(queries.start + qi));
        }
        start += len;
    }
    lists
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

/// Queries per block of one list's scan.
const LIST_QB: usize = 256;

/// CPU twin of the list scan (`scan` in `shaders/search_scan.wgsl`): each probed
/// list is read once, multiplied (gemm) by the block of queries that probe it,
/// and every (query, list) pair keeps its own list of `k`; then each query's
/// pair lists are merged. Work items are `(list, block of its queries)`, the
/// costliest first, run by rayon. Hits carry `rows.ids`; dead rows and each
/// query's exclusions are skipped.
pub(crate) fn scan_lists(
    rows: &ListRows,
    q: &Queries,
    pairs: &Pairs,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Lists {
    let npairs = pairs.len();
    let mut keys = vec![f32::NEG_INFINITY; npairs * k];
    let mut ids = vec![DEAD; npairs * k];
    let mut lens = vec![0usize; npairs];
    // Work items in list order, each with its own pairs' slices of the output.
    struct Item<'o> {
        list: usize,
        first: usize,
        keys: &'o mut [f32],
        ids: &'o mut [u32],
        lens: &'o mut [usize],
    }
    let mut items: Vec<Item> = Vec::new();
    {
        let (mut kr, mut ir, mut lr) = (&mut keys[..], &mut ids[..], &mut lens[..]);
        for l in 0..rows.lists() {
            let (p0, p1) = (pairs.by_list[l], pairs.by_list[l + 1]);
            let mut first = p0;
            while first < p1 {
                let n = LIST_QB.min(p1 - first);
                let (ka, kb) = std::mem::take(&mut kr).split_at_mut(n * k);
                let (ia, ib) = std::mem::take(&mut ir).split_at_mut(n * k);
                let (la, lb) = std::mem::take(&mut lr).split_at_mut(n);
                (kr, ir, lr) = (kb, ib, lb);
                items.push(Item {
                    list: l,
                    first,
                    keys: ka,
                    ids: ia,
                    lens: la,
                });
                first += n;
            }
        }
    }
    let cost = |it: &Item| rows.range(it.list).len() * it.lens.len();
    items.sort_by_key(|it| std::cmp::Reverse(cost(it)));
    items.into_par_iter().for_each(|it| {
        let queries = &pairs.query[it.first..it.first + it.lens.len()];
        scan_list(
            rows, it.list, q, queries, k, excl, metric, it.keys, it.ids, it.lens,
        );
    });
    // Merge each query's pair lists.
    (0..q.m)
        .into_par_iter()
        .map(|qi| {
            let mut top = TopK::new(k);
            for &p in pairs.of_query(qi) {
                let p = p as usize;
                for e in 0..lens[p] {
                    let (key, id) = (keys[p * k + e], ids[p * k + e]);
                    if key < top.threshold() {
                        break;
                    }
                    top.push(key, id);
                }
            }
            top
        })
        .collect()
}

/// One work item: list `list` against `queries` (batch numbers), each query's
/// best `k` into its slice list.
#[allow(clippy::too_many_arguments)]
fn scan_list(
    rows: &ListRows,
    list: usize,
    q: &Queries,
    queries: &[u32],
    k: usize,
    excl: &Exclusions,
    metric: Metric,
    keys: &mut [f32],
    ids: &mut [u32],
    lens: &mut [usize],
) {
    let p = rows.rows;
    let dp = p.dp;
    let range = rows.range(list);
    let mq = queries.len();
    if range.is_empty() || mq == 0 || k == 0 {
        return;
    }
    // The block's queries, gathered contiguous.
    let mut block = vec![0f32; mq * dp];
    for (dst, &qi) in block.chunks_mut(dp).zip(queries) {
        dst.copy_from_slice(&q.data[qi as usize * dp..(qi as usize + 1) * dp]);
    }
    let chunk_rows = CN.min(range.len());
    let mut scores = vec![0f32; mq * chunk_rows];
    let mut converted = match p.rows {
        Rows::F16(_) => vec![0f32; chunk_rows * dp],
        Rows::F32(_) => Vec::new(),
    };
    let beta = if metric == Metric::Euclidean {
        2.0
    } else {
        1.0
    };
    let mut start = range.start;
    while start < range.end {
        let len = chunk_rows.min(range.end - start);
        let chunk: &[f32] = match &p.rows {
            Rows::F32(v) => &v[start * dp..(start + len) * dp],
            Rows::F16(v) => {
                use half::slice::HalfFloatSliceExt;
                let src: &[f16] = &v[start * dp..(start + len) * dp];
                src.convert_to_f32_slice(&mut converted[..len * dp]);
                &converted[..len * dp]
            }
        };
        // SAFETY: as in `topk_tiles`: dst mq x len (row stride len), lhs the
        // gathered block mq x dim (row stride dp), rhs dim x len read from the
        // chunk's len x dp rows (column stride dp), all in bounds.
        unsafe {
            gemm::gemm(
                mq,
                len,
                p.dim,
                scores.as_mut_ptr(),
                1,
                len as isize,
                false,
                block.as_ptr(),
                1,
                dp as isize,
                chunk.as_ptr(),
                dp as isize,
                1,
                0.0,
                beta,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
        let row_ids = &rows.ids[start..start + len];
        for (j, &qi) in queries.iter().enumerate() {
            let row = &mut scores[j * len..(j + 1) * len];
            if metric == Metric::Euclidean {
                for (s, n) in row.iter_mut().zip(&p.norms[start..start + len]) {
                    *s -= n;
                }
            }
            let (kj, ij) = (&mut keys[j * k..(j + 1) * k], &mut ids[j * k..(j + 1) * k]);
            offer_ids(kj, ij, &mut lens[j], row, row_ids, excl.of(qi as usize));
        }
        start += len;
    }
}

/// [`offer`] into a slice list, the keys of `row` belonging to `row_ids`
/// (dead rows skipped).
#[inline]
fn offer_ids(
    keys: &mut [f32],
    ids: &mut [u32],
    len: &mut usize,
    row: &[f32],
    row_ids: &[u32],
    excluded: &[u32],
) {
    let mut thr = threshold_of(keys, *len);
    for (b, block) in row.chunks(SCAN).enumerate() {
        if !block.iter().fold(false, |any, &s| any | (s >= thr)) {
            continue;
        }
        for (e, &s) in block.iter().enumerate() {
            if s >= thr {
                let id = row_ids[b * SCAN + e];
                if id != DEAD && !excluded.contains(&id) {
                    push_into(keys, ids, len, s, id);
                    thr = threshold_of(keys, *len);
                }
            }
        }
    }
}
