//! The CPU twins of the search kernels, in files named after their kernels:
//! [`search_scan`] (`scan` of `shaders/search_scan.wgsl`) and [`search_merge`]
//! (`merge` of `shaders/search_merge.wgsl`); this file runs them the way the GPU
//! host runs the kernels.
//!
//! Exact search takes the GPU's two steps: the scan computes the scores of a
//! block of queries against a range of rows and keeps one bounded list per
//! query and work item; the merge reduces each query's lists. The list scan of
//! an IVF index computes each probed list's scores against its queries, then
//! each query selects from the rows of all its lists into one bounded list,
//! whose threshold carries from list to list (the GPU keeps one list per pair
//! and merges them: lists of tens of rows would cost more in per-pair lists
//! and merging than in scoring, on a CPU). The order (`better`) is total, so
//! both twins return the same lists whatever their block sizes and merge
//! order. Work items are `(query
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
/// Scores held at once by the list scan (8 MiB, one buffer reused): a batch
/// whose pairs need more is scanned in waves of pairs.
const WAVE_SCORES: usize = 2 << 20;

/// CPU twin of the list scan (`scan` in `shaders/search_scan.wgsl`): each probed
/// list is read once and multiplied (gemm) by the block of queries that probe
/// it, into one row of scores per (query, list) pair; then each query offers
/// its pairs' rows to one list of `k`. The GPU keeps a list per pair and merges
/// them; the order is total, so both give the same `k` best. Work items are
/// `(list, block of its queries)`, the costliest first, run by rayon; the pairs
/// are taken in waves of at most [`WAVE_SCORES`] scores. Hits carry
/// `rows.ids`; dead rows and each query's exclusions are skipped.
pub(crate) fn scan_lists(
    rows: &ListRows,
    q: &Queries,
    pairs: &Pairs,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
) -> Lists {
    scan_lists_in_waves(rows, q, pairs, k, excl, metric, WAVE_SCORES)
}

/// [`scan_lists`] in waves of at most `wave` scores (at least one pair a wave).
fn scan_lists_in_waves(
    rows: &ListRows,
    q: &Queries,
    pairs: &Pairs,
    k: usize,
    excl: &Exclusions,
    metric: Metric,
    wave: usize,
) -> Lists {
    let mut top: Lists = (0..q.m).map(|_| TopK::new(k)).collect();
    let dead = rows.ids.iter().filter(|&&id| id == DEAD).count();
    let len_of = |l: usize| rows.range(l).len();
    let npairs = pairs.len();
    let mut p0 = 0;
    let mut l = 0;
    let mut scores: Vec<f32> = Vec::new();
    while p0 < npairs {
        // The wave: pairs p0..p1 (list-major), each with its slot of scores.
        let (mut p1, mut total) = (p0, 0usize);
        let mut slot = Vec::new();
        let mut list_of = Vec::new();
        // Work items: (list, first pair, pairs), in pair order.
        let mut items: Vec<(usize, usize, usize)> = Vec::new();
        while p1 < npairs {
            while pairs.by_list[l + 1] <= p1 {
                l += 1;
            }
            let room = wave.saturating_sub(total) / len_of(l).max(1);
            if total > 0 && room == 0 {
                break;
            }
            // A slot larger than a wave still gets a wave of its own.
            let room = room.max(1);
            let end = pairs.by_list[l + 1].min(p1 + room);
            for first in (p1..end).step_by(LIST_QB) {
                items.push((l, first, LIST_QB.min(end - first)));
            }
            for _ in p1..end {
                slot.push(total);
                list_of.push(l as u32);
                total += len_of(l);
            }
            p1 = end;
            if total >= wave {
                break;
            }
        }
        scores.resize(total, 0.0);
        {
            // Each item's scores, split off in pair order.
            let mut rest = &mut scores[..total];
            let mut work = Vec::with_capacity(items.len());
            for &(list, first, n) in &items {
                let (mine, tail) = std::mem::take(&mut rest).split_at_mut(n * len_of(list));
                rest = tail;
                work.push((list, first, n, mine));
            }
            work.sort_by_key(|w| std::cmp::Reverse(len_of(w.0) * w.2));
            work.into_par_iter().for_each(|(list, first, n, mine)| {
                let queries = &pairs.query[first..first + n];
                search_scan::scan_list(rows, list, q, queries, metric, mine);
            });
        }
        // Each query offers the rows of its pairs in this wave, above a floor
        // drawn from all of them (dead rows may hide block maxima: each counts).
        let (scores, slot, list_of) = (&scores, &slot, &list_of);
        let in_wave = |qi: usize| {
            pairs.of_query(qi).iter().filter_map(move |&p| {
                let p = p as usize;
                (p0..p1).contains(&p).then(|| {
                    let list = list_of[p - p0] as usize;
                    let range = rows.range(list);
                    (&scores[slot[p - p0]..slot[p - p0] + range.len()], range)
                })
            })
        };
        top.par_iter_mut()
            .enumerate()
            .with_min_len(64)
            .for_each_init(Vec::new, |maxima, (qi, t)| {
                let excluded = excl.of(qi);
                let skip = excluded.len() + dead;
                let floor = search_scan::floor_of(t, in_wave(qi).map(|r| r.0), skip, maxima);
                for (row, range) in in_wave(qi) {
                    search_scan::offer_ids(t, row, &rows.ids[range], excluded, floor);
                }
            });
        p0 = p1;
    }
    top
}

#[cfg(test)]
mod tests {
    use super::super::{pad_rows, SearchOptions};
    use super::*;
    use crate::search::topk::better;

    fn lcg(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    /// Waves of one pair, of a part of a list, of whole lists and of the whole
    /// batch give the same lists, and those are the brute-force best of each
    /// query's probed lists (dead rows and exclusions skipped).
    #[test]
    fn list_scan_waves_of_any_size_equal_brute_force() {
        let (dim, n, m, nprobe, k) = (5, 300, 40, 3, 5);
        let mut st = 7u64;
        let matrix: Vec<f32> = (0..n * dim).map(|_| lcg(&mut st)).collect();
        let p = Prepared::new(&matrix, dim, &SearchOptions::new(Metric::Dot)).unwrap();
        // 7 lists, one empty, one of a single row, one longer than a wave of 90.
        let off = [0, 10, 10, 110, 150, 151, 260, 300];
        let ids: Vec<u32> = (0..n as u32)
            .map(|r| if r % 17 == 3 { DEAD } else { 1000 + r })
            .collect();
        let rows = ListRows {
            rows: &p,
            ids: &ids,
            off: &off,
        };
        let qm: Vec<f32> = (0..m * dim).map(|_| lcg(&mut st)).collect();
        let q = Queries {
            m,
            data: pad_rows(&qm, dim, p.dp, false),
        };
        let probes: Vec<u32> = (0..m)
            .flat_map(|qi| (0..nprobe).map(move |j| ((qi + 2 * j) % 7) as u32))
            .collect();
        let pairs = Pairs::new(&probes, nprobe, 7);
        let exclude: Vec<Vec<u32>> = (0..m)
            .map(|qi| vec![1000 + (qi as u32 * 7) % 300])
            .collect();
        let excl = Exclusions::new(m, Some(&exclude)).unwrap();
        // Ids exactly; keys to rounding (gemm sums in an order of its own per shape).
        let ids_of = |l: &Lists| -> Vec<Vec<u32>> {
            l.iter().map(|t| t.iter().map(|e| e.1).collect()).collect()
        };
        let scan = |wave| scan_lists_in_waves(&rows, &q, &pairs, k, &excl, Metric::Dot, wave);
        let whole_lists = scan(usize::MAX);
        let whole = ids_of(&whole_lists);
        for wave in [1, 9, 90, 91, 110, 1000] {
            let got = scan(wave);
            assert_eq!(ids_of(&got), whole, "wave {wave}");
            for (a, b) in got.iter().zip(&whole_lists) {
                for (x, y) in a.iter().zip(b.iter()) {
                    assert!((x.0 - y.0).abs() <= 1e-6, "wave {wave}: {x:?} {y:?}");
                }
            }
        }
        // k = 0: empty lists, nothing offered.
        let none = scan_lists_in_waves(&rows, &q, &pairs, 0, &excl, Metric::Dot, 7);
        assert!(none.iter().all(|t| t.iter().next().is_none()));
        for qi in 0..m {
            let mut all: Vec<(f32, u32)> = Vec::new();
            for &l in &probes[qi * nprobe..(qi + 1) * nprobe] {
                for r in off[l as usize]..off[l as usize + 1] {
                    let id = ids[r];
                    if id == DEAD || exclude[qi].contains(&id) {
                        continue;
                    }
                    let key: f32 = (0..dim)
                        .map(|d| q.data[qi * p.dp + d] * matrix[r * dim + d])
                        .sum();
                    all.push((key, id));
                }
            }
            all.sort_by(|a, b| {
                if better(a.0, a.1, b.0, b.1) {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            });
            let want: Vec<u32> = all.iter().take(k).map(|e| e.1).collect();
            assert_eq!(whole[qi], want, "query {qi}");
        }
    }

    /// A list longer than one gemm chunk (2,048 rows) of f16 rows, Euclidean:
    /// scored a chunk at a time into the pairs' rows, the brute-force best of
    /// the widened rows (keys `2 q.e - |e|^2`).
    #[test]
    fn a_list_past_one_chunk_equals_brute_force() {
        use super::super::Rows;
        use crate::search::Precision;
        let (dim, n, m, k) = (3, 2 * search_scan::CN + 77, 5, 7);
        let mut st = 3u64;
        let matrix: Vec<f32> = (0..n * dim).map(|_| lcg(&mut st)).collect();
        let opts = SearchOptions::new(Metric::Euclidean).precision(Precision::F16);
        let p = Prepared::new(&matrix, dim, &opts).unwrap();
        let off = [0, 10, n];
        let ids: Vec<u32> = (0..n as u32).collect();
        let rows = ListRows {
            rows: &p,
            ids: &ids,
            off: &off,
        };
        let qm: Vec<f32> = (0..m * dim).map(|_| lcg(&mut st)).collect();
        let q = Queries {
            m,
            data: pad_rows(&qm, dim, p.dp, false),
        };
        let probes: Vec<u32> = (0..m).flat_map(|_| [1u32, 0]).collect();
        let pairs = Pairs::new(&probes, 2, 2);
        let excl = Exclusions::new(m, None).unwrap();
        let got = scan_lists_in_waves(&rows, &q, &pairs, k, &excl, Metric::Euclidean, 1000);
        let Rows::F16(wide) = &p.rows else {
            panic!("f16 rows")
        };
        for (qi, hits) in got.iter().enumerate() {
            let mut all: Vec<(f32, u32)> = (0..n)
                .map(|r| {
                    let e: Vec<f32> = (0..dim).map(|d| wide[r * p.dp + d].to_f32()).collect();
                    let dot: f32 = (0..dim).map(|d| q.data[qi * p.dp + d] * e[d]).sum();
                    (2.0 * dot - p.norms[r], r as u32)
                })
                .collect();
            all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let want: Vec<u32> = all.iter().take(k).map(|e| e.1).collect();
            let have: Vec<u32> = hits.iter().map(|e| e.1).collect();
            assert_eq!(have, want, "query {qi}");
        }
    }
}
