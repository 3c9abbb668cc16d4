//! Seeded, deterministic k-means: the coarse quantizer of an IVF index.
//!
//! - **Assignment** is exact search on the device's own kernels (a matrix product
//!   plus top-[`CANDIDATES`] over the centroids, [`SearchIndex`]), then the
//!   candidates are scored again in f64 and the best kept (higher key, lower
//!   centroid on ties). Where the device's rounding could hide a better centroid
//!   (the best f64 key within twice the product's error bound of the last
//!   candidate's), the row is scored against every centroid in f64. So every
//!   row gets the f64 answer, whatever the device, thread count or batch.
//! - **Update**: each centroid is the f64 sum of its rows taken in row order
//!   (rows sorted by centroid, each centroid summed alone, in parallel), divided
//!   by their count; spherical (cosine) centroids are normalised.
//! - **Empty lists** are refilled as FAISS does (`split_clusters`), without
//!   randomness: the largest list (lowest number on ties) is split in two along
//!   `1 +- 1/1024` per dimension.
//!
//! The result depends on the rows, the seed and the settings only: the same
//! bytes on the CPU and on any GPU.

use rayon::prelude::*;

use crate::device::Device;
use crate::error::Result;
use crate::rng::SplitMix64;
use crate::search::{
    pad_rows, padded_dim, Exclusions, Metric, Queries, SearchIndex, SearchOptions,
};

/// Centroids the device proposes per row before the f64 check.
pub const CANDIDATES: usize = 3;

/// Rows per device search while assigning (bounds the memory of one answer).
const BATCH: usize = 32_768;

/// What a row maximises over the centroids, as the search kernels do: `r.c`
/// (dot product; cosine on unit rows and centroids) or `2 r.c - |c|^2`
/// (Euclidean: the nearest centroid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Dot,
    Euclidean,
}

impl Key {
    /// The search metric that ranks by this key.
    pub fn metric(self) -> Metric {
        match self {
            Key::Dot => Metric::Dot,
            Key::Euclidean => Metric::Euclidean,
        }
    }
}

/// Centroids, `lists x dim`, with what the f64 check needs.
pub(crate) struct Centroids<'a> {
    pub data: &'a [f32],
    pub dim: usize,
    pub key: Key,
    /// `|c|^2` of each centroid, in f64.
    pub norms2: Vec<f64>,
    /// The largest `|c|`.
    pub max_norm: f64,
}

impl<'a> Centroids<'a> {
    pub fn new(data: &'a [f32], dim: usize, key: Key) -> Self {
        let norms2: Vec<f64> = data
            .par_chunks(dim.max(1))
            .map(|c| c.iter().map(|&v| v as f64 * v as f64).sum())
            .collect();
        let max_norm = norms2.iter().fold(0f64, |a, &b| a.max(b)).sqrt();
        Centroids {
            data,
            dim,
            key,
            norms2,
            max_norm,
        }
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.dim.max(1)
    }

    /// The f64 key of `row` against centroid `c`.
    #[inline]
    pub fn key64(&self, row: &[f32], c: usize) -> f64 {
        let cv = &self.data[c * self.dim..(c + 1) * self.dim];
        let dot: f64 = row.iter().zip(cv).map(|(&a, &b)| a as f64 * b as f64).sum();
        match self.key {
            Key::Dot => dot,
            Key::Euclidean => 2.0 * dot - self.norms2[c],
        }
    }

    /// The best centroid of `row` by f64 key over all centroids (lower on ties).
    pub fn best64(&self, row: &[f32]) -> u32 {
        let mut best = (f64::NEG_INFINITY, 0u32);
        for c in 0..self.len() {
            let s = self.key64(row, c);
            if s > best.0 {
                best = (s, c as u32);
            }
        }
        best.1
    }

    /// A bound on how far a device's f32 key of `row` can be from the f64 key:
    /// `d` roundings of products of at most `|r| |c|`, and of `|c|^2`, with a
    /// safety factor of 4.
    fn tolerance(&self, row: &[f32]) -> f64 {
        let rn = row.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
        let u = f32::EPSILON as f64 / 2.0;
        let scale = 2.0 * rn * self.max_norm + self.max_norm * self.max_norm;
        4.0 * (self.dim as f64 + 4.0) * u * scale
    }
}

/// The f64-best centroid of each row of `rows` (`m x dim`), the candidates
/// proposed by a search on `device`. `done(rows)` hears the progress.
pub(crate) fn assign(
    device: &Device,
    cents: &Centroids,
    rows: &[f32],
    done: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<Vec<u32>> {
    let dim = cents.dim;
    let m = rows.len() / dim.max(1);
    let lists = cents.len();
    if lists == 0 {
        return Ok(vec![0; m]);
    }
    let t = CANDIDATES.min(lists);
    let index = SearchIndex::new(
        device,
        cents.data,
        dim,
        &SearchOptions::new(cents.key.metric()),
    )?;
    let mut out = Vec::with_capacity(m);
    let mut start = 0;
    while start < m {
        let end = (start + BATCH).min(m);
        let batch = &rows[start * dim..end * dim];
        // The batch padded as the kernels read it; candidates as (key, centroid).
        let q = Queries {
            m: end - start,
            data: pad_rows(batch, dim, padded_dim(dim), false),
        };
        let hits = index.search_keys(&q, t, &Exclusions::new(q.m, None)?)?;
        drop(q);
        let best: Vec<u32> = hits
            .par_iter()
            .zip(batch.par_chunks(dim))
            .map(|(h, row)| {
                if t == lists {
                    // every centroid is a candidate: the f64 best among them is the answer
                    return best_of(cents, row, h.iter().map(|(_, id)| id));
                }
                let mut best = (f64::NEG_INFINITY, u32::MAX);
                for (_, id) in h.iter() {
                    let s = cents.key64(row, id as usize);
                    if s > best.0 || (s == best.0 && id < best.1) {
                        best = (s, id);
                    }
                }
                let last = h.iter().last().map(|(_, id)| cents.key64(row, id as usize));
                match last {
                    Some(l) if best.0 > l + 2.0 * cents.tolerance(row) => best.1,
                    _ => cents.best64(row),
                }
            })
            .collect();
        out.extend(best);
        done(end - start)?;
        start = end;
    }
    Ok(out)
}

fn best_of(cents: &Centroids, row: &[f32], ids: impl Iterator<Item = u32>) -> u32 {
    let mut best = (f64::NEG_INFINITY, u32::MAX);
    for id in ids {
        let s = cents.key64(row, id as usize);
        if s > best.0 || (s == best.0 && id < best.1) {
            best = (s, id);
        }
    }
    if best.1 == u32::MAX {
        cents.best64(row)
    } else {
        best.1
    }
}

/// Rows of each list, in row order: `(offsets, rows)` with list `l` holding
/// `rows[offsets[l]..offsets[l + 1]]`.
pub(crate) fn group(assign: &[u32], lists: usize) -> (Vec<usize>, Vec<u32>) {
    let mut off = vec![0usize; lists + 1];
    for &a in assign {
        off[a as usize + 1] += 1;
    }
    for l in 0..lists {
        off[l + 1] += off[l];
    }
    let mut next = off.clone();
    let mut rows = vec![0u32; assign.len()];
    for (r, &a) in assign.iter().enumerate() {
        rows[next[a as usize]] = r as u32;
        next[a as usize] += 1;
    }
    (off, rows)
}

/// New centroids from an assignment: each the f64 mean of its rows summed in
/// row order (normalised when `spherical`); empty lists split the largest.
pub(crate) fn update(
    rows: &[f32],
    dim: usize,
    assign: &[u32],
    lists: usize,
    spherical: bool,
) -> Vec<f32> {
    let (off, order) = group(assign, lists);
    let mut sums: Vec<Vec<f64>> = (0..lists)
        .into_par_iter()
        .map(|l| {
            let mut s = vec![0f64; dim];
            for &r in &order[off[l]..off[l + 1]] {
                for (a, &v) in s
                    .iter_mut()
                    .zip(&rows[r as usize * dim..(r as usize + 1) * dim])
                {
                    *a += v as f64;
                }
            }
            let n = (off[l + 1] - off[l]) as f64;
            if n > 0.0 {
                s.iter_mut().for_each(|a| *a /= n);
            }
            s
        })
        .collect();
    let mut counts: Vec<usize> = (0..lists).map(|l| off[l + 1] - off[l]).collect();
    split_empty(&mut sums, &mut counts);
    let mut out = Vec::with_capacity(lists * dim);
    for s in &sums {
        let scale = if spherical {
            let norm = s.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm > 0.0 {
                1.0 / norm
            } else {
                0.0
            }
        } else {
            1.0
        };
        out.extend(s.iter().map(|a| (a * scale) as f32));
    }
    out
}

/// FAISS's `split_clusters` without randomness: each empty list, in order,
/// takes half of the largest list (lowest number on ties), the two centroids
/// moved apart by `1 +- 1/1024` on alternate dimensions.
fn split_empty(cents: &mut [Vec<f64>], counts: &mut [usize]) {
    const EPS: f64 = 1.0 / 1024.0;
    for ci in 0..cents.len() {
        if counts[ci] > 0 {
            continue;
        }
        let Some(cj) = (0..cents.len())
            .filter(|&j| counts[j] > 1)
            .max_by_key(|&j| (counts[j], std::cmp::Reverse(j)))
        else {
            return; // no list has two rows to give
        };
        let src = cents[cj].clone();
        for (d, &v) in src.iter().enumerate() {
            let (a, b) = if d % 2 == 0 {
                (1.0 + EPS, 1.0 - EPS)
            } else {
                (1.0 - EPS, 1.0 + EPS)
            };
            cents[ci][d] = v * a;
            cents[cj][d] = v * b;
        }
        counts[ci] = counts[cj] / 2;
        counts[cj] -= counts[ci];
    }
}

/// `count` distinct numbers below `n` drawn by a seeded partial Fisher-Yates
/// shuffle, in the order drawn.
pub(crate) fn draw(n: usize, count: usize, seed: u64) -> Vec<u32> {
    let count = count.min(n);
    let mut rng = SplitMix64::new(seed);
    // A sparse Fisher-Yates: only the swapped positions are stored.
    let mut swapped = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        let vj = *swapped.get(&j).unwrap_or(&j);
        let vi = *swapped.get(&i).unwrap_or(&i);
        swapped.insert(j, vi);
        out.push(vj as u32);
    }
    out
}

/// The settings of one k-means run.
pub(crate) struct Training {
    /// Centroids wanted (at most the rows).
    pub lists: usize,
    pub key: Key,
    /// Whether centroids are normalised (cosine).
    pub spherical: bool,
    pub iterations: usize,
    pub seed: u64,
}

/// Seeded k-means over `rows` (`m x dim`): `t.lists` centroids, started on
/// distinct rows drawn with `t.seed`, `t.iterations` rounds of assignment and
/// update (fewer once the assignment stops changing). `done(rows)` hears every
/// row assigned.
pub(crate) fn train(
    device: &Device,
    rows: &[f32],
    dim: usize,
    t: &Training,
    done: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<Vec<f32>> {
    let m = rows.len() / dim.max(1);
    let lists = t.lists.min(m);
    let mut cents = Vec::with_capacity(lists * dim);
    for r in draw(m, lists, t.seed) {
        cents.extend_from_slice(&rows[r as usize * dim..(r as usize + 1) * dim]);
    }
    let mut last: Option<Vec<u32>> = None;
    for _ in 0..t.iterations {
        let c = Centroids::new(&cents, dim, t.key);
        let a = assign(device, &c, rows, done)?;
        if last.as_ref() == Some(&a) {
            break; // converged: the update would give the same centroids
        }
        cents = update(rows, dim, &a, lists, t.spherical);
        last = Some(a);
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_is_distinct_and_seeded() {
        let a = draw(100, 30, 7);
        let mut s = a.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 30);
        assert_eq!(a, draw(100, 30, 7));
        assert_ne!(a, draw(100, 30, 8));
        assert_eq!(draw(5, 10, 1).len(), 5);
    }

    #[test]
    fn empty_lists_split_the_largest() {
        let rows = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0];
        // every row in list 1 (mean (1, 1)); lists 0 and 2 empty
        let c = update(&rows, 2, &[1, 1, 1], 3, false);
        let e = 1.0 / 1024.0f64;
        // list 0 takes half of list 1, then list 2 half of what list 1 kept
        assert_eq!(&c[0..2], &[(1.0 + e) as f32, (1.0 - e) as f32]);
        assert_eq!(
            &c[2..4],
            &[
                ((1.0 - e) * (1.0 - e)) as f32,
                ((1.0 + e) * (1.0 + e)) as f32
            ]
        );
        assert_eq!(
            &c[4..6],
            &[
                ((1.0 - e) * (1.0 + e)) as f32,
                ((1.0 + e) * (1.0 - e)) as f32
            ]
        );
    }

    #[test]
    fn assignment_is_the_f64_best_even_on_near_ties() {
        // centroids 0 and 1 differ by far less than the f32 rounding of a product;
        // more centroids than candidates, so the f64 check decides
        let cents = [1.0, 0.0, 1.0, 1e-9, 0.0, 1.0, -1.0, 0.0, 0.0, -1.0];
        let c = Centroids::new(&cents, 2, Key::Dot);
        let rows = [1.0, 1.0, 0.0, 2.0, 3.0, 0.0, -1.0, -0.5];
        let a = assign(&Device::Cpu, &c, &rows, &mut |_| Ok(())).unwrap();
        assert_eq!(a, [1, 2, 0, 3]); // (3, 0): a tie, the lower centroid
        for (r, &got) in rows.chunks(2).zip(&a) {
            assert_eq!(c.best64(r), got);
        }
    }
}
