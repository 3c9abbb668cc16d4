//! `glove-wgpu neighbors`: the nearest words of each query word.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::io::Format;
use glove_wgpu::progress::Progress;
use glove_wgpu::search::{Metric, Precision, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{Error, Result};

use glove_wgpu::DeviceChoice;

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
    /// Neighbours per word.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Metric.
    #[arg(long, value_enum, default_value_t = Metric::Cosine)]
    metric: Metric,
    /// Where to search.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    backend: DeviceChoice,
    /// Store the matrix as f16 for the search.
    #[arg(long)]
    f16: bool,
    /// One JSON object per line: {"query": W, "neighbors": [{"word": .., "score": ..}, ..]}.
    #[arg(long)]
    json: bool,
    /// Query words. An unknown word is reported (stderr, and `"error"` in JSON) and
    /// the exit code is 1, but the other words are still answered.
    #[arg(required = true)]
    words: Vec<String>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut printer = Printer::new(false);
    let progress: &mut Progress = &mut printer.callback();
    let emb = super::common::load_vectors(&a.vectors, a.member.as_deref(), a.format, progress)?;
    let device = a.backend.resolve(progress)?;
    let precision = if a.f16 {
        Precision::F16
    } else {
        Precision::F32
    };
    let opts = SearchOptions::new(a.metric).precision(precision);
    let index = WordIndex::new(emb, &device, &opts)?;
    let words: Vec<&str> = a.words.iter().map(String::as_str).collect();
    let answers = index.neighbors(&words, a.k)?;
    let mut out = std::io::stdout().lock();
    let mut unknown = 0;
    for (w, ans) in words.iter().zip(answers) {
        let line = match ans {
            Ok(list) if a.json => serde_json::json!({"query": w, "neighbors": list}).to_string(),
            Ok(list) => {
                let mut s = format!("{w}\n");
                for (r, ws) in list.iter().enumerate() {
                    s.push_str(&format!(
                        "  {:>3}. {:<24} {:.4}\n",
                        r + 1,
                        ws.word,
                        ws.score
                    ));
                }
                s.pop();
                s
            }
            Err(Error::UnknownWord(_)) => {
                unknown += 1;
                errln!("unknown word: {w:?}");
                if !a.json {
                    continue;
                }
                serde_json::json!({"query": w, "neighbors": [], "error": "unknown word"})
                    .to_string()
            }
            Err(e) => return Err(e),
        };
        writeln!(out, "{line}").map_err(|e| Error::io(super::out::STDOUT, e))?;
    }
    Ok(if unknown > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
