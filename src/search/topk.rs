//! The order of search results and a bounded sorted list, shared by both twins.
//!
//! Results are ordered by key, higher first, then by id, lower first. The key
//! is what the kernels maximise: `q.e` for cosine and dot, `2 q.e - |e|^2` for
//! Euclidean (the query's own `|q|^2` is the same for every row). This order is
//! total, so "the k best" is one well-defined set: on exact ties the lower id wins,
//! on the GPU (`better` in `shaders/search_scan.wgsl` and `search_merge.wgsl`)
//! and here alike.

/// Whether `(a, ia)` comes before `(b, ib)`: higher key, then lower id.
/// Keep in sync with `better` in `shaders/search_scan.wgsl` and `search_merge.wgsl`.
#[inline(always)]
pub fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
    a > b || (a == b && ia < ib)
}

/// The `k` best `(key, id)` pairs seen so far, best first.
#[derive(Clone, Debug)]
pub struct TopK {
    k: usize,
    keys: Vec<f32>,
    ids: Vec<u32>,
}

impl TopK {
    /// An empty list keeping at most `k` entries.
    pub fn new(k: usize) -> Self {
        TopK {
            k,
            keys: Vec::with_capacity(k),
            ids: Vec::with_capacity(k),
        }
    }

    /// The lowest key that can still enter the list (`-inf` until it is full,
    /// `+inf` for a list of 0).
    /// A key equal to it may still enter with a lower id.
    #[inline(always)]
    pub fn threshold(&self) -> f32 {
        if self.k == 0 {
            f32::INFINITY // nothing can enter
        } else if self.keys.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.keys[self.k - 1]
        }
    }

    /// Offers one candidate; keeps the list sorted and at most `k` long.
    /// An insertion: the GPU's quads merge sorted batches instead (a bitonic
    /// network, `shaders/search_scan.wgsl`), which keeps the same `k` best.
    #[inline]
    pub fn push(&mut self, key: f32, id: u32) {
        let n = self.keys.len();
        let mut p = if n == self.k {
            if n == 0 || !better(key, id, self.keys[n - 1], self.ids[n - 1]) {
                return;
            }
            n - 1
        } else {
            self.keys.push(key);
            self.ids.push(id);
            n
        };
        // Shift the worse entries down one place, in place.
        while p > 0 && better(key, id, self.keys[p - 1], self.ids[p - 1]) {
            self.keys[p] = self.keys[p - 1];
            self.ids[p] = self.ids[p - 1];
            p -= 1;
        }
        self.keys[p] = key;
        self.ids[p] = id;
    }

    /// The most entries the list keeps (`k`).
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.k
    }

    /// `(key, id)` pairs, best first.
    pub fn iter(&self) -> impl Iterator<Item = (f32, u32)> + '_ {
        self.keys.iter().copied().zip(self.ids.iter().copied())
    }
}
