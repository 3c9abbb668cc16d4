//! `glove-wgpu eval`: Google analogies and word-pair similarity of an embedding file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use glove_wgpu::eval::{self, AnalogyQuestions, WordPairs};
use glove_wgpu::io::Format;
use glove_wgpu::progress::Progress;
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{DeviceChoice, Embeddings, Error, Result};

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Embedding file.
    #[arg(long)]
    pub vectors: PathBuf,
    /// Its format; guessed from the file when not given (as `neighbors` does).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The member to read when the file is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,
    /// Google analogy questions (`questions-words.txt` format).
    #[arg(long)]
    pub analogies: Option<PathBuf>,
    /// Word-pair files (WordSim-353 `.tsv` format); repeat the flag for several.
    #[arg(long)]
    pub pairs: Vec<PathBuf>,
    /// Look words up as written (default: lower-cased).
    #[arg(long)]
    pub keep_case: bool,
    /// Where to search (analogies).
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    pub backend: DeviceChoice,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the evaluations and returns them as JSON.
pub fn evaluate(a: &Args) -> Result<serde_json::Value> {
    if a.analogies.is_none() && a.pairs.is_empty() {
        return Err(Error::invalid(
            "nothing to evaluate: give --analogies and/or --pairs",
        ));
    }
    let mut printer = Printer::new(false);
    let progress: &mut Progress = &mut printer.callback();
    let emb = super::common::load_vectors(&a.vectors, a.member.as_deref(), a.format, progress)?;
    let tasks = Evaluations::read(a.analogies.as_deref(), &a.pairs, a.keep_case)?;
    // Only the analogies search: word pairs need no device.
    let mut out = if tasks.searches() {
        let device = a.backend.resolve(progress)?;
        let index = WordIndex::new(emb, &device, &SearchOptions::new(Metric::Cosine))?;
        tasks.run(index.embeddings(), Some(&index))?
    } else {
        tasks.run(&emb, None)?
    };
    out["vectors"] = a.vectors.display().to_string().into();
    Ok(out)
}

/// The evaluation files, read and checked before anything is searched (also
/// used by `fit`, on the index of its fresh vectors).
pub struct Evaluations {
    pairs: Vec<(PathBuf, WordPairs)>,
    analogies: Option<(PathBuf, AnalogyQuestions)>,
}

impl Evaluations {
    /// Reads the word-pair files, then the analogy questions.
    pub fn read(analogies: Option<&Path>, pairs: &[PathBuf], keep_case: bool) -> Result<Self> {
        let pairs = pairs
            .iter()
            .map(|p| Ok((p.clone(), WordPairs::read(p, keep_case)?)))
            .collect::<Result<_>>()?;
        let analogies = match analogies {
            Some(p) => Some((p.to_path_buf(), AnalogyQuestions::read(p, keep_case)?)),
            None => None,
        };
        Ok(Evaluations { pairs, analogies })
    }

    /// Whether an evaluation searches (the analogies): the caller then needs an index.
    pub fn searches(&self) -> bool {
        self.analogies.is_some()
    }

    /// Every evaluation as JSON: the word pairs of `emb`, and the analogies
    /// searched on `index` (given when [`Evaluations::searches`]).
    pub fn run(&self, emb: &Embeddings, index: Option<&WordIndex>) -> Result<serde_json::Value> {
        let mut out = serde_json::json!({
            "words": emb.len(),
            "dim": emb.dim(),
        });
        let reports: Vec<serde_json::Value> = self
            .pairs
            .iter()
            .map(|(p, pairs)| {
                let r = eval::word_pairs(emb, pairs);
                let mut v = serde_json::json!({
                    "file": p.display().to_string(),
                    "spearman": r.spearman,
                    "covered": r.covered,
                    "total": r.total,
                });
                if let Some(why) = &r.undefined {
                    v["undefined"] = why.as_str().into();
                }
                v
            })
            .collect();
        out["pairs"] = reports.into();
        if let Some((path, q)) = &self.analogies {
            let index = index.ok_or_else(|| Error::invalid("the analogies need a search index"))?;
            let r = eval::analogies(index, q)?;
            let tally = |t: &eval::Tally| {
                let mut v = serde_json::json!({
                    "accuracy": t.accuracy(), "coverage": t.coverage(),
                    "correct": t.correct, "covered": t.covered, "total": t.total,
                });
                if let Some(why) = t.undefined() {
                    v["undefined"] = why.into();
                }
                v
            };
            out["analogies"] = serde_json::json!({
                "file": path.display().to_string(),
                "backend": index.index().device_name(),
                "sections": r.sections.iter().map(|(n, t)| {
                    let mut v = tally(t);
                    v["section"] = n.clone().into();
                    v
                }).collect::<Vec<_>>(),
                "semantic": tally(&r.semantic),
                "syntactic": tally(&r.syntactic),
                "total": tally(&r.total),
            });
        }
        Ok(out)
    }
}

/// Whether `report` (from [`evaluate`] or [`Evaluations::run`]) holds at least
/// one statistic that exists: an accuracy or a correlation.
pub fn measured(report: &serde_json::Value) -> bool {
    let pairs = report["pairs"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["spearman"].is_number());
    pairs || report["analogies"]["total"]["accuracy"].is_number()
}

/// Prints `report` (from [`evaluate`]) as text; a statistic that does not
/// exist reads "undefined (why)".
pub fn print_text(report: &serde_json::Value) -> Result<()> {
    let pct = |v: &serde_json::Value| v.as_f64().map(|x| 100.0 * x);
    if let Some(an) = report.get("analogies") {
        outln!("analogies ({}):", an["backend"].as_str().unwrap_or(""))?;
        let line = |name: &str, t: &serde_json::Value| {
            let accuracy = match pct(&t["accuracy"]) {
                Some(a) => format!("{a:6.2}% ({}/{})", t["correct"], t["covered"]),
                None => format!("undefined ({})", t["undefined"].as_str().unwrap_or("")),
            };
            let coverage = match pct(&t["coverage"]) {
                Some(c) => format!("{c:5.1}%"),
                None => "undefined".into(),
            };
            outln!(
                "  {name:<28} {accuracy}, coverage {coverage} ({}/{})",
                t["covered"],
                t["total"]
            )
        };
        for s in an["sections"].as_array().into_iter().flatten() {
            line(s["section"].as_str().unwrap_or(""), s)?;
        }
        line("semantic", &an["semantic"])?;
        line("syntactic", &an["syntactic"])?;
        line("total", &an["total"])?;
    }
    for p in report["pairs"].as_array().into_iter().flatten() {
        let rho = match p["spearman"].as_f64() {
            Some(r) => format!("{r:.4}"),
            None => format!("undefined ({})", p["undefined"].as_str().unwrap_or("")),
        };
        outln!(
            "{}: Spearman {rho} over {}/{} pairs",
            p["file"].as_str().unwrap_or(""),
            p["covered"],
            p["total"]
        )?;
    }
    Ok(())
}

pub fn run(a: Args) -> Result<ExitCode> {
    let report = evaluate(&a)?;
    if a.json {
        outln!("{report}")?;
    } else {
        print_text(&report)?;
    }
    if !measured(&report) {
        errln!(
            "error: nothing was measured: every statistic asked for is undefined (see why above)"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
