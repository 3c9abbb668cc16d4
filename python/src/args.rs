//! The names Python passes for the library's enums: the library's own
//! ([`Named`]), the same as the command line's flags and the JSON reports', so an
//! unknown name is a `ValueError` listing the accepted ones.

use glove_wgpu::io::Format;
use glove_wgpu::model::SaveMode;
use glove_wgpu::names::Named;
use glove_wgpu::pipeline::CpuTrainer;
use glove_wgpu::search::Metric;
use glove_wgpu::{DeviceChoice, Error};

/// `"cosine"`, `"dot"` or `"euclidean"`.
pub fn metric(name: &str) -> Result<Metric, Error> {
    Metric::from_name("metric", name)
}

/// `"auto"`, `"gpu"` or `"cpu"`.
pub fn backend(name: &str) -> Result<DeviceChoice, Error> {
    DeviceChoice::from_name("backend", name)
}

/// The file formats by their command-line names.
pub fn format(name: &str) -> Result<Format, Error> {
    Format::from_name("format", name)
}

/// `"hogwild"`, `"exact"` or `"batched"`.
pub fn cpu_trainer(name: &str) -> Result<CpuTrainer, Error> {
    CpuTrainer::from_name("cpu_trainer", name)
}

/// `"w+c"`, `"w"` or `"both"`.
pub fn save_mode(name: &str) -> Result<SaveMode, Error> {
    SaveMode::from_name("save", name)
}
