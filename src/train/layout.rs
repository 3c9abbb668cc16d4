//! The model's device layout, as the training kernels read it (their parameter
//! blocks and plan records are in `src/params.rs`, below the shader registry).
//!
//! ## The model on the device
//! A row is `2 * stride` floats: the vector and its bias, zero padding to `stride`
//! ([`device_stride`]: `dim + 1` rounded up to 8 floats, so rows start on 32-byte
//! sectors), then the row's AdaGrad state in the same shape, so one row's
//! parameters and state are neighbours in memory. Word rows `0..V`, context rows
//! `V..2V`. The GPU trainer splits the rows over up to `MAX_SHARDS` (8) storage
//! bindings of `shard_rows` rows each; the CPU twins see one array.

use crate::model::Model;

/// Floats of a row's vector part on the device: `dim + 1` (vector and bias)
/// rounded up to `ROW_ALIGN` (8 floats, 32 bytes, read from `glove_step.wgsl`), so
/// every row starts on a 32-byte sector and a `vec4` boundary. The padding costs
/// 9.8 % of the model's memory at d = 50 (56 for 51), 3.0 % at d = 100 (104 for
/// 101) and 1.0 % at d = 300 (304 for 301), and no traffic: the kernels never load
/// it, and the sectors a row touches are the same with or without it.
///
/// ```
/// assert_eq!(glove_wgpu::train::device_stride(50), 56);
/// assert_eq!(glove_wgpu::train::device_stride(7), 8);
/// ```
pub fn device_stride(dim: usize) -> usize {
    let align = crate::shaders::GLOVE_STEP_WORKGROUP.const_u32("ROW_ALIGN") as usize;
    (dim + 1).next_multiple_of(align)
}

/// Rows `rows` of the model (of its `2V`) in the device layout: `2 * stride`
/// floats a row, parameters then AdaGrad state, zero padding.
///
/// ```
/// use glove_wgpu::{model::Model, train::{device_stride, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let rows = to_device_layout(&m, 0..4);
/// let s = device_stride(3);
/// assert_eq!(rows.len(), 4 * 2 * s); // 2V rows of 8 + 8 floats
/// assert_eq!(&rows[2 * s..2 * s + 4], m.word_row(1));
/// assert_eq!(&rows[3 * s..3 * s + 4], [1.0; 4]); // word row 1's AdaGrad state
/// assert_eq!(&rows[3 * s + 4..4 * s], [0.0; 4]); // padding
/// assert_eq!(to_device_layout(&m, 1..2), rows[2 * s..4 * s]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn to_device_layout(model: &Model, rows: std::ops::Range<usize>) -> Vec<f32> {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    let mut out = vec![0f32; rows.len() * 2 * ds];
    for (k, r) in rows.enumerate() {
        let at = k * 2 * ds;
        out[at..at + s].copy_from_slice(&model.params[r * s..(r + 1) * s]);
        out[at + ds..at + ds + s].copy_from_slice(&model.gradsq[r * s..(r + 1) * s]);
    }
    out
}

/// Copies device-layout rows back into `model`, from row `first`.
///
/// ```
/// use glove_wgpu::{model::Model, train::{from_device_layout, to_device_layout}};
/// let m = Model::new(2, 3, 1)?;
/// let mut back = Model::new(2, 3, 99)?;
/// from_device_layout(&mut back, 0, &to_device_layout(&m, 0..4));
/// assert_eq!(back, m);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn from_device_layout(model: &mut Model, first: usize, rows: &[f32]) {
    let (s, ds) = (model.stride(), device_stride(model.dim));
    for (k, row) in rows.chunks_exact(2 * ds).enumerate() {
        let r = first + k;
        model.params[r * s..(r + 1) * s].copy_from_slice(&row[..s]);
        model.gradsq[r * s..(r + 1) * s].copy_from_slice(&row[ds..ds + s]);
    }
}
