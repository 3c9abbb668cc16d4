//! The recall table: for each `nprobe`, the share of the true `k` nearest
//! neighbours an IVF search finds, measured on a seeded sample of the index's
//! own rows (each excluded from its own answer).
//!
//! A search is exact within the lists it probes, so a true neighbour is found
//! exactly when its list is among the query's `nprobe` nearest centroids. The
//! table therefore needs, per sampled query, its true neighbours and the rank
//! of each neighbour's list among the centroids, which gives the recall of
//! every `nprobe` at once (a histogram of ranks, summed).
//!
//! Both are made exact in f64, so the table (and the index bytes) are the same
//! on the CPU and on any GPU: the device's exact search proposes
//! `k + MARGIN` rows, which are scored again in f64; where the device's
//! rounding could hide a better row (the k-th f64 key within twice the error
//! bound of the last proposal), every row is scored in f64. List ranks come
//! from f64 keys against every centroid.

use rayon::prelude::*;

use super::kmeans::{self, Key};
use super::{key_of, Index, IndexOptions};
use crate::error::Result;
use crate::progress::{Event, Progress, Step};
use crate::search::lists::DEAD;
use crate::search::{padded_dim, Exclusions, Queries, Rows};

/// Neighbours per sampled query in the table.
pub const CALIBRATION_K: usize = 10;
/// Rows the device proposes beyond `k` before the f64 check.
const MARGIN: usize = 6;

/// Recall against exact search per `nprobe`, measured at build time.
///
/// ```
/// use glove_wgpu::ivf::Calibration;
/// let c = Calibration { k: 10, queries: 100, recall: vec![0.5, 0.9, 0.97, 1.0] };
/// assert_eq!(c.nprobe_for(0.95), 3);
/// assert_eq!(c.nprobe_for(0.2), 1);
/// assert_eq!(c.nprobe_for(1.5), 4); // never reached: every list
/// assert_eq!(c.recall_at(2), Some(0.9));
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    /// Neighbours per query.
    pub k: usize,
    /// Sampled queries.
    pub queries: usize,
    /// `recall[p - 1]`: the recall with `p` lists probed.
    pub recall: Vec<f32>,
}

impl Calibration {
    /// The fewest lists whose recall reaches `recall`; every list if none does.
    ///
    /// ```
    /// let c = glove_wgpu::ivf::Calibration { k: 1, queries: 1, recall: vec![0.0, 1.0] };
    /// assert_eq!(c.nprobe_for(1.0), 2);
    /// ```
    pub fn nprobe_for(&self, recall: f32) -> usize {
        self.recall
            .iter()
            .position(|&r| r >= recall)
            .map_or(self.recall.len(), |p| p + 1)
            .max(1)
    }

    /// The recall measured with `nprobe` lists.
    ///
    /// ```
    /// let c = glove_wgpu::ivf::Calibration { k: 1, queries: 1, recall: vec![0.5, 1.0] };
    /// assert_eq!((c.recall_at(1), c.recall_at(3)), (Some(0.5), None));
    /// ```
    pub fn recall_at(&self, nprobe: usize) -> Option<f32> {
        nprobe
            .checked_sub(1)
            .and_then(|p| self.recall.get(p))
            .copied()
    }
}

/// Measures the recall table of `index` (see the module docs).
pub(crate) fn calibrate(
    index: &Index,
    opts: &IndexOptions,
    progress: &mut Progress,
) -> Result<Calibration> {
    let lists = index.lists();
    // Sampled stored rows of live ids, in order.
    let live: Vec<u32> = (0..index.ids.len() as u32)
        .filter(|&r| index.ids[r as usize] != DEAD)
        .collect();
    let k = CALIBRATION_K.min(live.len().saturating_sub(1));
    let s = opts.calibration_queries.min(live.len());
    if k == 0 || s == 0 || lists == 0 {
        return Ok(Calibration {
            k,
            queries: 0,
            recall: vec![1.0; lists],
        });
    }
    let mut sample: Vec<u32> = kmeans::draw(live.len(), s, opts.seed ^ 0xCA11_B8A7)
        .into_iter()
        .map(|i| live[i as usize])
        .collect();
    sample.sort_unstable();
    let dp = padded_dim(index.dim);
    let data: Vec<f32> = sample
        .iter()
        .flat_map(|&r| index.rows.row_f32(r as usize))
        .collect();
    let q = Queries { m: s, data };
    let own: Vec<Vec<u32>> = sample.iter().map(|&r| vec![r]).collect();
    let excl = Exclusions::new(s, Some(&own))?;
    progress(Event::Advance {
        step: Step::Calibrate,
        done: 0,
        total: Some(s as u64),
        detail: crate::progress::Detail::None,
    })?;
    let proposed = index.exact_rows(&q, k + MARGIN, &excl)?;
    let (key, _) = key_of(index.metric);
    let keys = RowKeys::new(index, key);
    let cents = kmeans::Centroids::new(&index.centroids, index.dim, key);
    // list of each stored row
    let mut list_of = vec![0u32; index.ids.len()];
    for l in 0..lists {
        list_of[index.off[l]..index.off[l + 1]].fill(l as u32);
    }
    let hist: Vec<u64> = (0..s)
        .into_par_iter()
        .map(|i| {
            let query = &q.data[i * dp..i * dp + index.dim];
            let own = sample[i];
            let top = exact_top(&keys, query, own, k, proposed[i].iter().map(|(_, r)| r));
            // f64 keys of every centroid, then the rank of each neighbour's list
            let ck: Vec<f64> = (0..lists).map(|c| cents.key64(query, c)).collect();
            let mut h = vec![0u64; lists];
            for r in top {
                let l = list_of[r as usize] as usize;
                let rank = ck
                    .iter()
                    .enumerate()
                    .filter(|&(c, &v)| v > ck[l] || (v == ck[l] && c < l))
                    .count();
                h[rank] += 1;
            }
            h
        })
        .reduce(
            || vec![0u64; lists],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    progress(Event::Advance {
        step: Step::Calibrate,
        done: s as u64,
        total: Some(s as u64),
        detail: crate::progress::Detail::None,
    })?;
    progress(Event::StepDone(Step::Calibrate))?;
    let total = (s * k) as f64;
    let mut found = 0u64;
    let recall = hist
        .iter()
        .map(|&h| {
            found += h;
            (found as f64 / total) as f32
        })
        .collect();
    Ok(Calibration {
        k,
        queries: s,
        recall,
    })
}

/// f64 keys of a query against stored rows.
struct RowKeys<'a> {
    index: &'a Index,
    key: Key,
    /// The largest stored `|e|`.
    max_norm: f64,
}

impl<'a> RowKeys<'a> {
    fn new(index: &'a Index, key: Key) -> Self {
        let max_norm = index
            .rows
            .norms
            .iter()
            .fold(0f64, |a, &b| a.max(b as f64))
            .sqrt();
        RowKeys {
            index,
            key,
            max_norm,
        }
    }

    fn key64(&self, q: &[f32], r: usize) -> f64 {
        let p = &self.index.rows;
        let dim = self.index.dim;
        let at = r * p.dp;
        let (dot, n2): (f64, f64) = match &p.rows {
            Rows::F32(v) => v[at..at + dim]
                .iter()
                .zip(q)
                .fold((0.0, 0.0), |(d, n), (&e, &x)| {
                    (d + e as f64 * x as f64, n + e as f64 * e as f64)
                }),
            Rows::F16(v) => v[at..at + dim]
                .iter()
                .zip(q)
                .fold((0.0, 0.0), |(d, n), (&e, &x)| {
                    let e = e.to_f64();
                    (d + e * x as f64, n + e * e)
                }),
        };
        match self.key {
            Key::Dot => dot,
            Key::Euclidean => 2.0 * dot - n2,
        }
    }

    fn tolerance(&self, q: &[f32]) -> f64 {
        let qn = q.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
        let u = f32::EPSILON as f64 / 2.0;
        let scale = 2.0 * qn * self.max_norm + self.max_norm * self.max_norm;
        4.0 * (self.index.dim as f64 + 4.0) * u * scale
    }
}

/// The f64-exact best `k` live stored rows of `query` other than `own`, from
/// the device's proposals (best first on the device), checked as the module
/// docs say.
fn exact_top(
    keys: &RowKeys,
    query: &[f32],
    own: u32,
    k: usize,
    proposed: impl Iterator<Item = u32>,
) -> Vec<u32> {
    let proposed: Vec<u32> = proposed.collect();
    let mut scored: Vec<(f64, u32)> = proposed
        .iter()
        .map(|&r| (keys.key64(query, r as usize), r))
        .collect();
    let by = |a: &(f64, u32), b: &(f64, u32)| {
        b.0.total_cmp(&a.0)
            .then(keys.index.ids[a.1 as usize].cmp(&keys.index.ids[b.1 as usize]))
    };
    scored.sort_by(by);
    let live = keys.index.len().saturating_sub(1);
    let complete = proposed.len() >= live; // every other live row was proposed
    let safe = complete
        || match (scored.get(k.saturating_sub(1)), proposed.last()) {
            (Some(kth), Some(&last)) => {
                kth.0 > keys.key64(query, last as usize) + 2.0 * keys.tolerance(query)
            }
            _ => false,
        };
    if !safe {
        // every live row in f64
        scored = (0..keys.index.ids.len() as u32)
            .filter(|&r| r != own && keys.index.ids[r as usize] != DEAD)
            .map(|r| (keys.key64(query, r as usize), r))
            .collect();
        scored.sort_by(by);
    }
    scored.truncate(k);
    scored.into_iter().map(|(_, r)| r).collect()
}
