//! `glove-wgpu fit`: the whole pipeline, corpus to vectors ([`glove_wgpu::fit`]),
//! then what a newcomer wants to see of them: neighbours, analogies, scores.

use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::cooccur::CooccurOptions;
use glove_wgpu::corpus::Corpus;
use glove_wgpu::pipeline::{self, FitConfig};
use glove_wgpu::search::{Metric, SearchOptions};
use glove_wgpu::similarity::{AnalogyMethod, WordIndex, WordScore};
use glove_wgpu::vocab::VocabOptions;
use glove_wgpu::{Device, Embeddings, Error, Result};

use super::common::{check_paths, folder_of, WindowArgs};
use super::eval::Evaluations;
use super::progress::Printer;
use super::train::TrainArgs;

fn defaults() -> FitConfig {
    FitConfig::default()
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The corpus (whitespace-separated tokens; a line break ends a document; `-`
    /// reads standard input).
    corpus: PathBuf,
    /// Keep words seen at least this many times.
    #[arg(long, default_value_t = defaults().vocab.min_count)]
    min_count: u64,
    /// Keep at most this many words (the most frequent).
    #[arg(long)]
    max_vocab: Option<usize>,
    #[command(flatten)]
    window: WindowArgs,
    /// Memory budget for counting, shuffling and training, MiB.
    #[arg(long, default_value_t = defaults().cooccur.memory_bytes >> 20)]
    memory_mb: usize,
    /// Keep the vocabulary and co-occurrence files in this folder (default: a
    /// temporary folder next to the output, removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    #[command(flatten)]
    train: TrainArgs,
    /// After training, print the nearest words of these words (comma-separated).
    #[arg(long, value_delimiter = ',')]
    show: Vec<String>,
    /// After training, solve A is to B as C is to ? (`A,B,C`; repeat the flag for more).
    #[arg(long)]
    analogy: Vec<String>,
    /// After training, score Google analogy questions (`questions-words.txt` format).
    #[arg(long)]
    analogies: Option<PathBuf>,
    /// After training, score word-pair files (WordSim-353 `.tsv`); repeat for several.
    #[arg(long)]
    pairs: Vec<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut inputs = vec![("CORPUS", a.corpus.as_path())];
    if let Some(p) = &a.analogies {
        inputs.push(("--analogies", p.as_path()));
    }
    for p in &a.pairs {
        inputs.push(("--pairs", p.as_path()));
    }
    let mut outputs = a.train.outputs();
    let work: Vec<(String, PathBuf)> = match &a.work_dir {
        Some(d) => {
            if !d.is_dir() && !folder_of(d).is_dir() {
                return Err(Error::invalid(format!(
                    "--work-dir {}: the folder {} does not exist",
                    d.display(),
                    folder_of(d).display()
                )));
            }
            std::fs::create_dir_all(d).map_err(|e| Error::io_path("creating", d, e))?;
            pipeline::WORK_FILES
                .iter()
                .map(|f| (format!("the work folder's {f}"), d.join(f)))
                .collect()
        }
        None => Vec::new(),
    };
    outputs.extend(work.iter().map(|(k, p)| (k.as_str(), p.as_path())));
    a.train.check()?;
    check_paths(&inputs, &outputs)?;
    a.train.check_checkpoint(&inputs)?;
    let analogies = parse_analogies(&a.analogy)?;
    // The evaluation files are read and checked before any work: a missing or
    // malformed one fails now, not after training.
    let evaluations = if a.analogies.is_some() || !a.pairs.is_empty() {
        Some(Evaluations::read(a.analogies.as_deref(), &a.pairs, false)?)
    } else {
        None
    };

    let mut printer = Printer::new(a.train.quiet);
    // Settings checked and the device opened once, before any work: training and
    // the summary's searches run on it.
    let setup = a.config().resolve(&mut printer.callback())?;
    let (emb, report) =
        glove_wgpu::fit(Corpus::from_arg(&a.corpus), &setup, &mut printer.callback())?;
    drop(printer);
    a.train.save(&emb, report)?;
    summary(&a, emb, &analogies, evaluations.as_ref(), setup.device())?;
    Ok(ExitCode::SUCCESS)
}

impl Args {
    /// The library's settings.
    fn config(&self) -> FitConfig {
        let threads = self.train.threads;
        FitConfig {
            vocab: VocabOptions {
                min_count: self.min_count,
                max_vocab: self.max_vocab,
                threads,
                ..VocabOptions::default()
            },
            cooccur: self.window.apply(CooccurOptions {
                memory_bytes: self.memory_mb.saturating_mul(1 << 20),
                threads,
                ..CooccurOptions::default()
            }),
            work_dir: self.work_dir.clone(),
            // Next to the output: the work files go on the disk the user chose.
            temp_parent: Some(self.train.work_parent()),
            train: self.train.options(),
        }
    }
}

/// `A,B,C` triples of `--analogy`, checked before any work starts.
fn parse_analogies(args: &[String]) -> Result<Vec<[String; 3]>> {
    args.iter()
        .map(|s| {
            let parts: Vec<&str> = s.split(',').map(str::trim).collect();
            match parts[..] {
                [a, b, c] if !a.is_empty() && !b.is_empty() && !c.is_empty() => {
                    Ok([a.to_string(), b.to_string(), c.to_string()])
                }
                _ => Err(Error::invalid(format!(
                    "--analogy {s:?}: give three words A,B,C (A is to B as C is to ?), \
                     e.g. --analogy man,king,woman"
                ))),
            }
        })
        .collect()
}

/// Prints what was asked of the fresh vectors: neighbours, analogies, scores,
/// all searched on one index on `device` (the one training ran on).
fn summary(
    a: &Args,
    emb: Embeddings,
    analogies: &[[String; 3]],
    evaluations: Option<&Evaluations>,
    device: &Device,
) -> Result<()> {
    let shows = !a.show.is_empty() || !analogies.is_empty();
    let indexed;
    let searches = evaluations.is_some_and(Evaluations::searches);
    let (vectors, index) = if shows || searches {
        indexed = WordIndex::new(emb, device, &SearchOptions::new(Metric::Cosine))?;
        (indexed.embeddings(), Some(&indexed))
    } else {
        (&emb, None)
    };
    if let Some(index) = index.filter(|_| shows) {
        let words: Vec<&str> = a.show.iter().map(String::as_str).collect();
        for (w, hits) in words.iter().zip(index.neighbors(&words, 5)?) {
            match hits {
                Ok(h) => outln!("{w:>12} → {}", listed(&h))?,
                Err(e) => outln!("{w:>12} → ({e})")?,
            }
        }
        for [x, y, z] in analogies {
            match index.analogy(x, y, z, 3, AnalogyMethod::Add) {
                Ok(h) => outln!("{x} is to {y} as {z} is to: {}", listed(&h))?,
                Err(e) => outln!("{x} is to {y} as {z} is to: ({e})")?,
            }
        }
    }
    if let Some(tasks) = evaluations {
        super::eval::print_text(&tasks.run(vectors, index)?)?;
    }
    Ok(())
}

/// `word score, word score, ...` with three decimals.
fn listed(hits: &[WordScore]) -> String {
    let items: Vec<String> = hits
        .iter()
        .map(|s| format!("{} {:.3}", s.word, s.score))
        .collect();
    items.join(", ")
}
