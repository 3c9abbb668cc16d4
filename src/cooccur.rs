//! cooccur: placeholder, filled by its issue.

/// One co-occurrence entry: word `i`, context word `j`, weighted count `x`.
/// Ids are 0-based rows of the vocabulary.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Cooc {
    /// Main word id (0-based).
    pub i: u32,
    /// Context word id (0-based).
    pub j: u32,
    /// Weighted count.
    pub x: f32,
}
