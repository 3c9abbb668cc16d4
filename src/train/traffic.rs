//! The global-memory traffic of the training kernels, counted from their index
//! arithmetic for a given lane count (32: NVIDIA, Apple, AMD in wave32 mode).
//!
//! [`Traffic::count`] walks a [`BatchPlan`] the way `glove_step.wgsl` does: for each
//! pass of each batch, each distinct row is one lane group; every load or store the
//! kernel issues across the lanes is one *access*, whose active lanes' byte ranges
//! touch some 32-byte sectors (the unit a GPU's memory moves). Lane `l` owns the
//! elements `l + t * lanes` of a row ([`lane_element`], as in the kernel and the
//! twin). It counts:
//! - bytes moved (sectors x 32) and bytes used (distinct bytes the lanes ask for);
//! - active lanes of the row accesses against the lanes launched (`lanes x SLOTS`);
//! - the critical path: per batch and pass, the longest row's triple count, summed,
//!   against the sum of the mean row's.
//!
//! Accesses per row of a pass: the span and the next span's start (8 bytes each,
//! one address for all lanes); the row and its AdaGrad state loaded (and, main
//! pass, copied to the snapshot) and stored once; per block of `lanes` triples one
//! coalesced entry load; per triple the other row (`SLOTS` accesses); main pass:
//! the row cost (4 bytes).

use super::layout::device_stride;
use super::plan::BatchPlan;

/// Element of a row that lane `lane` holds in register slot `t` (the kernel's
/// `lane + t * lanes`).
///
/// ```
/// use glove_wgpu::train::traffic::lane_element;
/// assert_eq!(lane_element(3, 0, 32), 3);
/// assert_eq!(lane_element(3, 1, 32), 35); // slot 1: the next 32 elements
/// ```
#[inline]
pub fn lane_element(lane: usize, t: usize, lanes: usize) -> usize {
    lane + t * lanes
}

/// Counted traffic of a plan (see the module docs).
///
/// ```
/// use glove_wgpu::{cooccur::Cooc, train::{traffic::Traffic, BatchPlan}};
/// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }, Cooc { i: 0, j: 2, x: 2.0 }], 8);
/// let t = Traffic::count(&plan, 50, 32);
/// assert_eq!((t.triples, t.dispatches), (2, 3)); // two passes and the cost
/// assert!(t.bytes_used <= t.bytes_moved && t.active_lanes <= t.launched_lanes);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Traffic {
    /// Lanes per row the count assumes.
    pub lanes: usize,
    /// Vector dimension.
    pub dim: usize,
    /// Triples (updates).
    pub triples: u64,
    /// Bytes in the 32-byte sectors the accesses touch.
    pub bytes_moved: u64,
    /// Bytes the accesses ask for.
    pub bytes_used: u64,
    /// Lane slots of row accesses that hold an element.
    pub active_lanes: u64,
    /// Lane slots of row accesses launched.
    pub launched_lanes: u64,
    /// Sum over batches and passes of the longest row's triples.
    pub critical_path: u64,
    /// Sum over batches and passes of the mean row's triples.
    pub mean_path: f64,
    /// Dispatches of one epoch: two per batch, one for the cost.
    pub dispatches: u64,
}

/// Where one row of a pass reads its span and entries.
struct RowAt {
    span_index: usize,
    first_entry: usize,
    count: usize,
    row: usize,
    last: bool,
}

/// Bytes in the sectors touched, and bytes asked for, by the byte ranges
/// `(address, width)` of one access, given in ascending order of address (as the
/// lanes of every access of the kernel are); equal ranges count once.
fn sectors(ranges: impl Iterator<Item = (u64, u64)>) -> (u64, u64) {
    let (mut moved, mut used) = (0u64, 0u64);
    let mut last_sector: Option<u64> = None;
    let mut last_range: Option<(u64, u64)> = None;
    for (a, w) in ranges {
        debug_assert!(
            last_range.is_none_or(|(la, _)| la <= a),
            "ranges out of order"
        );
        if last_range != Some((a, w)) {
            used += w;
            last_range = Some((a, w));
        }
        for sector in a / 32..=(a + w - 1) / 32 {
            if last_sector.is_none_or(|l| sector > l) {
                moved += 32;
                last_sector = Some(sector);
            }
        }
    }
    (moved, used)
}

impl Traffic {
    /// Counts one epoch of `plan` at dimension `dim` with `lanes` lanes per row.
    ///
    /// ```
    /// use glove_wgpu::cooccur::Cooc;
    /// use glove_wgpu::train::{traffic::Traffic, BatchPlan};
    /// let plan = BatchPlan::build(&[Cooc { i: 0, j: 1, x: 2.0 }], 8);
    /// let t = Traffic::count(&plan, 50, 32);
    /// assert_eq!(t.triples, 1);
    /// assert!(t.sector_efficiency() > 0.8);
    /// ```
    pub fn count(plan: &BatchPlan, dim: usize, lanes: usize) -> Traffic {
        use rayon::prelude::*;
        let stride = device_stride(dim);
        let slots = stride.div_ceil(lanes);
        let mut total = (0..plan.batches().len())
            .into_par_iter()
            .map(|b| {
                let mut t = Traffic::default();
                let batch = plan.batches()[b];
                let main: Vec<_> = plan.main_spans_of(b).collect();
                let ctx: Vec<_> = plan.ctx_spans_of(b).collect();
                for (main_pass, spans, base) in
                    [(true, main, batch.main_base), (false, ctx, batch.ctx_base)]
                {
                    let (mut longest, mut sum) = (0u64, 0u64);
                    for (r, &(span, count)) in spans.iter().enumerate() {
                        let at = RowAt {
                            span_index: base as usize + r,
                            first_entry: batch.entry_base as usize + span.start as usize,
                            count: count as usize,
                            row: span.row as usize,
                            last: r + 1 == spans.len(),
                        };
                        t.row(main_pass, r, &at, dim, stride, lanes, slots);
                        longest = longest.max(count as u64);
                        sum += count as u64;
                    }
                    if !spans.is_empty() {
                        t.critical_path += longest;
                        t.mean_path += sum as f64 / spans.len() as f64;
                    }
                }
                t
            })
            .reduce(Traffic::default, |a, b| a.add(&b));
        total.lanes = lanes;
        total.dim = dim;
        total.triples = plan.triples() as u64;
        total.dispatches = 2 * plan.batches().len() as u64 + 1;
        total
    }

    fn add(mut self, o: &Traffic) -> Traffic {
        self.bytes_moved += o.bytes_moved;
        self.bytes_used += o.bytes_used;
        self.active_lanes += o.active_lanes;
        self.launched_lanes += o.launched_lanes;
        self.critical_path += o.critical_path;
        self.mean_path += o.mean_path;
        self
    }

    fn access(&mut self, ranges: impl Iterator<Item = (u64, u64)>) {
        let (moved, used) = sectors(ranges);
        self.bytes_moved += moved;
        self.bytes_used += used;
    }

    /// One slot-wise access of a row at float offset `base` (`slots` accesses).
    fn row_access(&mut self, base: usize, dim: usize, lanes: usize, slots: usize) {
        for t in 0..slots {
            let active = (0..lanes).filter(|&l| lane_element(l, t, lanes) <= dim);
            self.access(
                active
                    .clone()
                    .map(|l| (4 * (base + lane_element(l, t, lanes)) as u64, 4)),
            );
            self.active_lanes += active.count() as u64;
            self.launched_lanes += lanes as u64;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        main: bool,
        r: usize,
        at: &RowAt,
        dim: usize,
        stride: usize,
        lanes: usize,
        slots: usize,
    ) {
        // The span, and the next one's start (where this one's entries end), read
        // by every lane (buffers start on 256-byte boundaries; the offsets below
        // are from each buffer's start).
        self.access(std::iter::once((8 * at.span_index as u64, 8)));
        if !at.last {
            self.access(std::iter::once((8 * at.span_index as u64 + 12, 4)));
        }
        // Row and state loaded, snapshot written (main), row and state stored. A
        // model row is `2 * stride` floats, its state at `+stride`.
        let row = at.row * 2 * stride;
        for _ in 0..2 {
            self.row_access(row, dim, lanes, slots);
            self.row_access(row + stride, dim, lanes, slots);
        }
        if main {
            self.row_access(r * stride, dim, lanes, slots);
        }
        // Entries in blocks of `lanes`, then the other row of each triple.
        let mut e = 0usize;
        while e < at.count {
            let n = lanes.min(at.count - e);
            let first = at.first_entry + e;
            self.access((0..n).map(|l| (8 * (first + l) as u64, 8)));
            e += n;
        }
        // The other row of each triple: any row, all start on a multiple of
        // `stride` floats; its id does not change the count, so row 0 stands for it.
        for _ in 0..at.count {
            self.row_access(0, dim, lanes, slots);
        }
        if main {
            self.access(std::iter::once((4 * r as u64, 4)));
        }
    }

    /// Bytes moved per update.
    ///
    /// ```
    /// # use glove_wgpu::train::traffic::Traffic;
    /// let t = Traffic { triples: 4, bytes_moved: 4096, ..Default::default() };
    /// assert_eq!(t.bytes_per_update(), 1024.0);
    /// ```
    pub fn bytes_per_update(&self) -> f64 {
        self.bytes_moved as f64 / self.triples.max(1) as f64
    }

    /// The least an update can move when it reads and writes both rows and their
    /// AdaGrad state and reads the triple: `32 (d + 1) + 12` bytes.
    ///
    /// ```
    /// # use glove_wgpu::train::traffic::Traffic;
    /// let t = Traffic { dim: 50, ..Default::default() };
    /// assert_eq!(t.min_bytes_per_update(), (32 * 51 + 12) as f64);
    /// ```
    pub fn min_bytes_per_update(&self) -> f64 {
        (32 * (self.dim + 1) + 12) as f64
    }

    /// Bytes used over bytes in the sectors touched.
    ///
    /// ```
    /// # use glove_wgpu::train::traffic::Traffic;
    /// let t = Traffic { bytes_used: 24, bytes_moved: 32, ..Default::default() };
    /// assert_eq!(t.sector_efficiency(), 0.75);
    /// ```
    pub fn sector_efficiency(&self) -> f64 {
        self.bytes_used as f64 / self.bytes_moved.max(1) as f64
    }

    /// Active over launched lanes of the row accesses.
    ///
    /// ```
    /// # use glove_wgpu::train::traffic::Traffic;
    /// let t = Traffic { active_lanes: 51, launched_lanes: 64, ..Default::default() };
    /// assert_eq!(t.active_lane_fraction(), 51.0 / 64.0);
    /// ```
    pub fn active_lane_fraction(&self) -> f64 {
        self.active_lanes as f64 / self.launched_lanes.max(1) as f64
    }

    /// The longest rows' triples over the mean rows', summed over batches and passes.
    ///
    /// ```
    /// # use glove_wgpu::train::traffic::Traffic;
    /// let t = Traffic { critical_path: 30, mean_path: 10.0, ..Default::default() };
    /// assert_eq!(t.critical_path_ratio(), 3.0);
    /// ```
    pub fn critical_path_ratio(&self) -> f64 {
        self.critical_path as f64 / self.mean_path.max(1e-300)
    }
}
