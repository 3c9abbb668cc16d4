//! `glove-wgpu analogy`: A is to B as C is to ? (B - A + C).

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::io::Format;
use glove_wgpu::progress::Progress;
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::{AnalogyMethod, WordIndex};
use glove_wgpu::{Device, DeviceChoice, Result};

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Embedding file.
    #[arg(long)]
    vectors: PathBuf,
    /// Its format; guessed from the file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The member to read when the file is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    /// Answers to print.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// 3CosAdd (add) or 3CosMul (mul).
    #[arg(long, value_enum, default_value_t = AnalogyMethod::Add)]
    method: AnalogyMethod,
    /// Where to search (3CosAdd).
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    backend: DeviceChoice,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// A (e.g. man).
    a: String,
    /// B (e.g. king).
    b: String,
    /// C (e.g. woman).
    c: String,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut printer = Printer::new(false);
    let progress: &mut Progress = &mut printer.callback();
    let emb = super::common::load_vectors(&a.vectors, a.member.as_deref(), a.format, progress)?;
    // 3CosMul scores every word on the CPU: no device to open.
    let device = match a.method {
        AnalogyMethod::Add => a.backend.resolve(progress)?,
        AnalogyMethod::Mul => Device::Cpu,
    };
    let index = WordIndex::new(emb, &device, &SearchOptions::new(Metric::Cosine))?;
    let answers = index.analogy(&a.a, &a.b, &a.c, a.k, a.method)?;
    if a.json {
        let q = format!("{} - {} + {}", a.b, a.a, a.c);
        outln!("{}", serde_json::json!({"query": q, "answers": answers}))?;
    } else {
        outln!("{} is to {} as {} is to:", a.a, a.b, a.c)?;
        for (r, ws) in answers.iter().enumerate() {
            outln!("  {:>3}. {:<24} {:.4}", r + 1, ws.word, ws.score)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
