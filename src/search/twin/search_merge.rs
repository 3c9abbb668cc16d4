//! CPU twin of `merge` and `merge_subgroup` in `shaders/search_merge.wgsl` (and
//! `search_merge_subgroup.wgsl`): each query's sorted lists, one per work item
//! of the scan, into its `k` best, sorted. The order (`better`) is total, so the
//! result is the GPU's whatever order the lists come in.

use super::super::topk::TopK;

/// The `k` best entries of `lists`, each a list of `(key, id)` sorted best first
/// (a list is read until an entry falls below the threshold).
pub(crate) fn merge<L, I>(k: usize, lists: L) -> TopK
where
    L: IntoIterator<Item = I>,
    I: IntoIterator<Item = (f32, u32)>,
{
    let mut top = TopK::new(k);
    for list in lists {
        for (key, id) in list {
            if key < top.threshold() {
                break;
            }
            top.push(key, id);
        }
    }
    top
}
