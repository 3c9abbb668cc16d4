//! `glove-wgpu neighbors`: the nearest words of each query word, or of each row
//! of a query file, by exact search over a vectors file or through an IVF index.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use glove_wgpu::io::Format;
use glove_wgpu::ivf::{Index, Probe};
use glove_wgpu::progress::Progress;
use glove_wgpu::search::{Metric, Neighbor, Precision, SearchOptions};
use glove_wgpu::similarity::WordIndex;
use glove_wgpu::{Error, Result};

use glove_wgpu::DeviceChoice;

use super::progress::Printer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Embedding file (exact search).
    #[arg(long, required_unless_present = "index", conflicts_with = "index")]
    vectors: Option<PathBuf>,
    /// An index file (`glove-wgpu index build`): approximate search, words and
    /// vectors from the index.
    #[arg(long)]
    index: Option<PathBuf>,
    /// Query vectors: a vectors file (any format) whose rows are the queries;
    /// its words only label the answers.
    #[arg(long, conflicts_with = "words")]
    queries: Option<PathBuf>,
    /// The format of --vectors and --queries; guessed from each file when not given.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The member to read when the file is a zip archive of several (same as
    /// `ARCHIVE:MEMBER`).
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    /// Neighbours per word.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Metric (exact search; an index keeps the one it was built with).
    #[arg(long, value_enum, default_value_t = Metric::Cosine, conflicts_with = "index")]
    metric: Metric,
    /// Where to search.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    backend: DeviceChoice,
    /// Store the matrix as f16 for the search (exact search).
    #[arg(long, conflicts_with = "index")]
    f16: bool,
    /// With --index: the recall to reach (the index's calibration picks the lists
    /// to read); default: the recall the index was built with.
    #[arg(long, requires = "index", conflicts_with = "nprobe")]
    recall: Option<f32>,
    /// With --index: the number of lists to read.
    #[arg(long, requires = "index")]
    nprobe: Option<usize>,
    /// One JSON object per line: {"query": W, "neighbors": [{"word": .., "score": .., "id": ..}, ..]};
    /// `id` is the neighbour's row in the vectors file or the index.
    #[arg(long)]
    json: bool,
    /// Query words. An unknown word is reported (stderr, and `"error"` in JSON) and
    /// the exit code is 1, but the other words are still answered.
    #[arg(required_unless_present = "queries")]
    words: Vec<String>,
}

/// What answers: exact search over vectors, or an index.
enum Searcher {
    Exact(Box<WordIndex>),
    Index(Box<Index>, Probe),
}

impl Searcher {
    fn word(&self, id: u32) -> &str {
        match self {
            Searcher::Exact(w) => w.embeddings().word(id).unwrap_or_default(),
            Searcher::Index(i, _) => i.word(id).unwrap_or_default(),
        }
    }

    /// Each word's neighbours (the word excluded), or its error.
    fn of_words(&self, words: &[&str], k: usize) -> Result<Vec<Result<Vec<Neighbor>>>> {
        match self {
            Searcher::Exact(w) => {
                let emb = w.embeddings();
                let ids: Vec<Option<u32>> = words.iter().map(|x| emb.id(x)).collect();
                let known: Vec<u32> = ids.iter().flatten().copied().collect();
                let q: Vec<f32> = known
                    .iter()
                    .flat_map(|&id| emb.vector(id).unwrap_or_default().iter().copied())
                    .collect();
                let excl: Vec<Vec<u32>> = known.iter().map(|&id| vec![id]).collect();
                let mut hits = w.index().search(&q, k, Some(&excl))?.into_iter();
                Ok(words
                    .iter()
                    .zip(&ids)
                    .map(|(x, id)| match id {
                        Some(_) => Ok(hits.next().unwrap_or_default()),
                        None => Err(Error::UnknownWord(x.to_string())),
                    })
                    .collect())
            }
            Searcher::Index(i, probe) => i.neighbor_ids(words, k, *probe),
        }
    }

    /// The neighbours of raw vectors (`m x dim`), nothing excluded.
    fn of_vectors(&self, q: &[f32], k: usize) -> Result<Vec<Vec<Neighbor>>> {
        match self {
            Searcher::Exact(w) => w.index().search(q, k, None),
            Searcher::Index(i, probe) => i.search(q, k, *probe, None),
        }
    }

    fn dim(&self) -> usize {
        match self {
            Searcher::Exact(w) => w.embeddings().dim(),
            Searcher::Index(i, _) => i.dim(),
        }
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut printer = Printer::new(false);
    let progress: &mut Progress = &mut printer.callback();
    let searcher = match (&a.vectors, &a.index) {
        (Some(path), _) => {
            let emb = super::common::load_vectors(path, a.member.as_deref(), a.format, progress)?;
            let device = a.backend.resolve(progress)?;
            let precision = if a.f16 {
                Precision::F16
            } else {
                Precision::F32
            };
            let opts = SearchOptions::new(a.metric).precision(precision);
            Searcher::Exact(Box::new(WordIndex::new(emb, &device, &opts)?))
        }
        (None, Some(path)) => {
            let device = a.backend.resolve(progress)?;
            let probe = match (a.recall, a.nprobe) {
                (Some(r), _) => Probe::Recall(r),
                (_, Some(p)) => Probe::Lists(p),
                _ => Probe::Default,
            };
            probe.check()?;
            Searcher::Index(Box::new(Index::load(path, &device)?), probe)
        }
        (None, None) => return Err(Error::invalid("give --vectors or --index")),
    };
    let (labels, answers): (Vec<String>, Vec<Result<Vec<Neighbor>>>) = match &a.queries {
        Some(path) => {
            let q = super::common::load_vectors(path, None, a.format, progress)?;
            if q.dim() != searcher.dim() {
                return Err(Error::invalid(format!(
                    "the queries have {} dimensions, the vectors {}",
                    q.dim(),
                    searcher.dim()
                )));
            }
            let hits = searcher.of_vectors(q.matrix(), a.k)?;
            (q.words().to_vec(), hits.into_iter().map(Ok).collect())
        }
        None => {
            let words: Vec<&str> = a.words.iter().map(String::as_str).collect();
            (a.words.clone(), searcher.of_words(&words, a.k)?)
        }
    };
    let mut out = std::io::stdout().lock();
    let mut unknown = 0;
    for (w, ans) in labels.iter().zip(answers) {
        let line = match ans {
            Ok(list) if a.json => {
                let list: Vec<serde_json::Value> = list
                    .iter()
                    .map(|h| {
                        serde_json::json!({"word": searcher.word(h.id), "score": h.score, "id": h.id})
                    })
                    .collect();
                serde_json::json!({"query": w, "neighbors": list}).to_string()
            }
            Ok(list) => {
                let mut s = format!("{w}\n");
                for (r, h) in list.iter().enumerate() {
                    s.push_str(&format!(
                        "  {:>3}. {:<24} {:.4}\n",
                        r + 1,
                        searcher.word(h.id),
                        h.score
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
