//! The CPU twin of `shaders/glove_cost.wgsl`: [`reduce_cost`], one partial sum a
//! batch in the kernel's order (strided sums over `COST_WG` lanes, then a tree).

use crate::params::CostParams;
use crate::shaders::GLOVE_COST;

/// Workgroup size of `reduce_cost`, read from the WGSL.
///
/// ```
/// use glove_wgpu::{shaders::GLOVE_COST, train::twin::cost_wg};
/// assert_eq!(cost_wg(), GLOVE_COST.const_u32("COST_WG"));
/// assert!(cost_wg().is_power_of_two()); // the tree halves it
/// ```
pub fn cost_wg() -> u32 {
    GLOVE_COST.const_u32("COST_WG")
}

/// Twin of `reduce_cost`: for each of the chunk's `cp.n_batches` batches, the sum
/// of its row costs `row_cost[batch_rows[b]..batch_rows[b + 1]]` (`COST_WG`
/// strided sums, then a tree), written to `partials[cp.out_base + b]`.
///
/// ```
/// use glove_wgpu::train::{twin, CostParams};
/// let rows = vec![1.0f32; 1000];
/// let cp = CostParams { n_batches: 2, out_base: 1, ..Default::default() };
/// let mut partials = [0.0f32; 3];
/// twin::reduce_cost(&cp, &rows, &[0, 300, 1000], &mut partials);
/// assert_eq!(partials, [0.0, 300.0, 700.0]); // from out_base
/// ```
pub fn reduce_cost(cp: &CostParams, row_cost: &[f32], batch_rows: &[u32], partials: &mut [f32]) {
    let wg = cost_wg() as usize;
    for b in 0..cp.n_batches as usize {
        let (first, end) = (batch_rows[b] as usize, batch_rows[b + 1] as usize);
        let mut partial: Vec<f32> = (0..wg)
            .map(|t| {
                let mut s = 0.0f32;
                let mut r = first + t;
                while r < end {
                    s += row_cost[r];
                    r += wg;
                }
                s
            })
            .collect();
        let mut h = wg / 2;
        while h > 0 {
            for t in 0..h {
                partial[t] += partial[t + h];
            }
            h /= 2;
        }
        partials[cp.out_base as usize + b] = partial[0];
    }
}
