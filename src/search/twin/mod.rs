//! The CPU twins of the search kernels, in files named after their kernels:
//! [`search_scan`] (`scan` of `shaders/search_scan.wgsl`) and [`search_merge`]
//! (`merge` of `shaders/search_merge.wgsl`); this file runs them the way the GPU
//! host runs the kernels.
//!
//! Same two steps as the GPU: the scan computes the scores of a block of queries
//! against a range of rows (exact search) or against one list (an IVF index) and
//! keeps one bounded list per query and work item; the merge reduces each
//! query's lists. The order (`better`) is total, so both twins return the same
//! lists whatever their block sizes and merge order. Work items are `(query
//! block, row range)` or `(list, block of its queries)` pairs run by rayon, so
//! one query over a huge matrix and many queries over a small one both use every
//! core.

pub(crate) mod search_merge;
pub(crate) mod search_scan;

use rayon::prelude::*;

use super::lists::{ListRows, Pairs, DEAD};
use super::topk::TopK;
use super::{Exclusions, Lists, Metric, Prepared, Queries};
use search_scan::CN;

/// Queries per block: one `gemm` call multiplies `QB` queries by `CN` rows.
const QB: usize = 256;
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
            search_scan::scan_rows(p, q, queries, rows, k, excl, metric)
        })
        .collect();
    // merge: the lists of each query block, split by split.
    let mut out: Lists = Vec::with_capacity(q.m);
    for b in 0..qblocks {
        let block = &partial[b * splits..(b + 1) * splits];
        for i in 0..block[0].len() {
            out.push(search_merge::merge(k, block.iter().map(|l| l[i].iter())));
        }
    }
    out
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
        search_scan::scan_list(
            rows, it.list, q, queries, k, excl, metric, it.keys, it.ids, it.lens,
        );
    });
    // Merge each query's pair lists.
    (0..q.m)
        .into_par_iter()
        .map(|qi| {
            let (keys, ids, lens) = (&keys, &ids, &lens);
            let lists = pairs.of_query(qi).iter().map(|&p| {
                let p = p as usize;
                (0..lens[p]).map(move |e| (keys[p * k + e], ids[p * k + e]))
            });
            search_merge::merge(k, lists)
        })
        .collect()
}
