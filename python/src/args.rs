//! The names Python passes for the library's enums, each parsed in one place so
//! that an unknown name is a `ValueError` listing the accepted ones.

use glove_wgpu::io::Format;
use glove_wgpu::model::SaveMode;
use glove_wgpu::pipeline::{BackendChoice, CpuTrainer};
use glove_wgpu::search::Metric;
use glove_wgpu::similarity::AnalogyMethod;
use glove_wgpu::Error;

/// Looks `name` up in `table`; an error names `what` and every accepted name.
fn pick<T: Copy>(what: &str, name: &str, table: &[(&str, T)]) -> Result<T, Error> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<String> = table.iter().map(|(n, _)| format!("{n:?}")).collect();
            Error::invalid(format!(
                "unknown {what} {name:?}: expected one of {}",
                names.join(", ")
            ))
        })
}

/// `"cosine"`, `"dot"` or `"euclidean"`.
pub fn metric(name: &str) -> Result<Metric, Error> {
    pick(
        "metric",
        name,
        &[
            ("cosine", Metric::Cosine),
            ("dot", Metric::Dot),
            ("euclidean", Metric::Euclidean),
        ],
    )
}

/// `"auto"`, `"gpu"` or `"cpu"`.
pub fn backend(name: &str) -> Result<BackendChoice, Error> {
    pick(
        "backend",
        name,
        &[
            ("auto", BackendChoice::Auto),
            ("gpu", BackendChoice::Gpu),
            ("cpu", BackendChoice::Cpu),
        ],
    )
}

/// The file formats by their command-line names.
pub fn format(name: &str) -> Result<Format, Error> {
    let all = [
        Format::Glove,
        Format::Word2vec,
        Format::Word2vecBin,
        Format::Fasttext,
    ];
    let table: Vec<(&str, Format)> = all.iter().map(|f| (f.name(), *f)).collect();
    pick("format", name, &table)
}

/// `"add"` (3CosAdd) or `"mul"` (3CosMul).
pub fn analogy_method(name: &str) -> Result<AnalogyMethod, Error> {
    pick(
        "analogy method",
        name,
        &[("add", AnalogyMethod::Add), ("mul", AnalogyMethod::Mul)],
    )
}

/// `"hogwild"`, `"exact"` or `"batched"`.
pub fn cpu_trainer(name: &str) -> Result<CpuTrainer, Error> {
    pick(
        "cpu_trainer",
        name,
        &[
            ("hogwild", CpuTrainer::Hogwild),
            ("exact", CpuTrainer::Exact),
            ("batched", CpuTrainer::Batched),
        ],
    )
}

/// The CLI's names of [`SaveMode`]: `"w+c"`, `"w"`, `"both"`.
pub const SAVE_MODES: [(&str, SaveMode); 3] = [
    ("w+c", SaveMode::WPlusC),
    ("w", SaveMode::W),
    ("both", SaveMode::Both),
];

/// `"w+c"`, `"w"` or `"both"`.
pub fn save_mode(name: &str) -> Result<SaveMode, Error> {
    pick("save", name, &SAVE_MODES)
}

/// The Python name of a [`BackendChoice`].
pub fn backend_name(b: BackendChoice) -> &'static str {
    match b {
        BackendChoice::Auto => "auto",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Cpu => "cpu",
    }
}

/// The Python name of a [`CpuTrainer`].
pub fn cpu_trainer_name(t: CpuTrainer) -> &'static str {
    match t {
        CpuTrainer::Hogwild => "hogwild",
        CpuTrainer::Exact => "exact",
        CpuTrainer::Batched => "batched",
    }
}
