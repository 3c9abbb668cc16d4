//! Rows stored by list (an inverted file) and the (query, list) pairs of a batch
//! grouped by list, shared by both twins of the list scan.
//!
//! An IVF index keeps its rows contiguous by list: list `l` is rows
//! `off[l]..off[l + 1]` of one [`Prepared`] matrix, and `ids[r]` is the id the
//! caller knows row `r` by ([`DEAD`] for a removed row, which no search returns).
//! A batch of queries probes `nprobe` lists each; [`Pairs`] groups those
//! (query, list) pairs by list, so each probed list is read once per batch and
//! scanned against every query that probes it, then the lists of each query are
//! merged. Results carry the callers' ids, and ties go to the lower id.

use super::Prepared;

/// The id of a removed row (a tombstone): skipped by every scan.
pub const DEAD: u32 = u32::MAX;

/// Rows grouped by list.
#[derive(Clone, Copy)]
pub(crate) struct ListRows<'a> {
    /// The rows, in list order.
    pub rows: &'a Prepared,
    /// `ids[r]`: the id of row `r`, or [`DEAD`].
    pub ids: &'a [u32],
    /// List `l` is rows `off[l]..off[l + 1]`.
    pub off: &'a [usize],
}

impl ListRows<'_> {
    /// Number of lists.
    pub fn lists(&self) -> usize {
        self.off.len().saturating_sub(1)
    }

    /// Rows of list `l`.
    pub fn range(&self, l: usize) -> std::ops::Range<usize> {
        self.off[l]..self.off[l + 1]
    }
}

/// The (query, list) pairs of a batch, grouped by list and by query.
#[derive(Debug)]
pub(crate) struct Pairs {
    /// Pairs of list `l`: `by_list[l]..by_list[l + 1]`.
    pub by_list: Vec<usize>,
    /// The query of each pair, by list, queries ascending within a list.
    pub query: Vec<u32>,
    /// Pairs of query `q`: `pair_of[q_off[q]..q_off[q + 1]]`, in probe order.
    pub q_off: Vec<usize>,
    /// Pair numbers, by query.
    pub pair_of: Vec<u32>,
}

impl Pairs {
    /// Groups `probes` (`m x nprobe`, query-major; a list number at or above
    /// `lists` is no probe) by list.
    pub fn new(probes: &[u32], nprobe: usize, lists: usize) -> Self {
        let m = probes.len().checked_div(nprobe).unwrap_or(0);
        let mut by_list = vec![0usize; lists + 1];
        for &l in probes {
            if (l as usize) < lists {
                by_list[l as usize + 1] += 1;
            }
        }
        for l in 0..lists {
            by_list[l + 1] += by_list[l];
        }
        let total = by_list[lists];
        let mut next = by_list.clone();
        let mut query = vec![0u32; total];
        let mut pair_of = vec![0u32; total];
        let mut q_off = Vec::with_capacity(m + 1);
        q_off.push(0);
        let mut at = 0;
        for q in 0..m {
            let mine = &probes[q * nprobe..(q + 1) * nprobe];
            debug_assert!(
                mine.iter()
                    .enumerate()
                    .all(|(i, &l)| l as usize >= lists || !mine[..i].contains(&l)),
                "query {q} probes a list twice"
            );
            for &l in mine {
                if (l as usize) < lists {
                    let p = next[l as usize];
                    next[l as usize] += 1;
                    query[p] = q as u32;
                    pair_of[at] = p as u32;
                    at += 1;
                }
            }
            q_off.push(at);
        }
        Pairs {
            by_list,
            query,
            q_off,
            pair_of,
        }
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.query.len()
    }

    /// The pairs of query `q`.
    pub fn of_query(&self, q: usize) -> &[u32] {
        &self.pair_of[self.q_off[q]..self.q_off[q + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_group_by_list_and_query() {
        // 3 queries, 2 probes each, 4 lists; list 9 is no probe.
        let probes = [2, 0, 0, 9, 2, 3];
        let p = Pairs::new(&probes, 2, 4);
        assert_eq!(p.by_list, [0, 2, 2, 4, 5]);
        assert_eq!(p.query, [0, 1, 0, 2, 2]);
        assert_eq!(p.q_off, [0, 2, 3, 5]);
        // query 0 probes list 2 (pair 2) then list 0 (pair 0)
        assert_eq!(p.of_query(0), [2, 0]);
        assert_eq!(p.of_query(1), [1]);
        assert_eq!(p.of_query(2), [3, 4]);
    }
}
