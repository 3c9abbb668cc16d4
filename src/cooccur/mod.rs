//! Co-occurrence counting, spill and merge, shuffle, and the on-disk formats.
//!
//! [`count`] follows Stanford's `cooccur`: out-of-vocabulary tokens are
//! dropped before windowing (distances count in-vocabulary tokens), a line
//! break ends a document, every word pair at distance `d <= window` adds
//! `1/d` (or 1 without distance weighting) to `X[i][j]`, and, with symmetric
//! windows, the same to `X[j][i]`; with asymmetric windows `i` is the earlier
//! word and `j` the later one, as in Stanford's `-symmetric 0`. The corpus is
//! streamed in blocks, counted by rayon workers into per-worker dense tables
//! (frequent pairs) and pair buffers (the others), which are spilled to sorted
//! runs when the memory budget is reached, and merged into one file sorted by
//! `(i, j)`, row ranges in parallel. Counts are exact (fixed point, see
//! `pairs.rs`), so the file is bit-identical whatever the thread count and
//! memory budget.
//!
//! [`count`] runs in phases, one file each:
//!
//! | file | holds |
//! | --- | --- |
//! | `plan.rs` | the memory budget split, and row ranges for the parallel merge |
//! | `count.rs` | the counting phase: text to ids, one counter a worker |
//! | `dense.rs` | the dense tables' layout, their one index rule, zeroed memory |
//! | `pairs.rs` | fixed-point weights, the pair buffers, rows and columns |
//! | `spill.rs` | the temporary folder and the sorted run files |
//! | `merge.rs` | k-way merges of sorted sources, intermediate merges of runs |
//! | `write.rs` | the last phases: gather the tables, merge row ranges, write |
//! | `format.rs` | Stanford's and the native file format, reader and writer |
//! | `shuffle.rs` | the seeded, memory-bounded uniform shuffle |
//!
//! ```
//! use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
//! use glove_wgpu::corpus::Corpus;
//! use glove_wgpu::vocab::Vocab;
//! let vocab = Vocab::new(vec!["a".into(), "b".into()], vec![2, 1])?;
//! let out = std::env::temp_dir().join("glove_wgpu_cooccur_doc.bin");
//! let opts = CooccurOptions { window: 2, ..Default::default() };
//! cooccur::count(Corpus::reader(&b"a b a"[..]), &vocab, &out, &opts)?;
//! let x = cooccur::read_all(&out, CoocFormat::Glove)?;
//! // a-b at distance 1 (twice), a-a at distance 2: X[a][a] = 2 * 1/2, X[a][b] = X[b][a] = 2.
//! assert_eq!(x.len(), 3);
//! assert_eq!((x[0].i, x[0].j, x[0].x), (0, 0, 1.0));
//! assert_eq!((x[1].i, x[1].j, x[1].x), (0, 1, 2.0));
//! assert_eq!((x[2].i, x[2].j, x[2].x), (1, 0, 2.0));
//! # std::fs::remove_file(&out).unwrap();
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

mod count;
mod dense;
mod format;
mod merge;
mod pairs;
#[cfg(feature = "parquet")]
mod parquet;
mod plan;
mod shuffle;
mod spill;
mod write;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::progress::{silent, Progress};
use crate::threads::thread_pool;
use crate::vocab::Vocab;

pub(crate) use format::PlainCooc;
pub use format::{read_all, CoocFormat, CoocReader, CoocWriter};
pub use shuffle::{ShuffleOptions, ShuffleStats};

use spill::LazyTempDir;

/// One co-occurrence entry: word `i`, context word `j`, weighted count `x`.
/// Ids are 0-based rows of the vocabulary.
///
/// ```
/// use glove_wgpu::cooccur::Cooc;
/// let c = Cooc { i: 0, j: 3, x: 0.5 }; // word 0 saw word 3 at distance 2
/// assert_eq!(std::mem::size_of::<Cooc>(), 12); // the native format's record
/// assert_eq!(Cooc::default(), Cooc { i: 0, j: 0, x: 0.0 });
/// # let _ = c;
/// ```
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

/// Options of [`count`]; the defaults are Stanford's.
///
/// ```
/// use glove_wgpu::cooccur::{CoocFormat, CooccurOptions};
/// let o = CooccurOptions::default();
/// assert_eq!((o.window, o.symmetric, o.distance_weighting), (15, true, true));
/// assert_eq!(o.format, CoocFormat::Glove);
/// ```
#[derive(Clone, Debug)]
pub struct CooccurOptions {
    /// Context window: pairs at distance `1..=window` are counted.
    pub window: usize,
    /// Count left and right context (`X[i][j]` and `X[j][i]`).
    pub symmetric: bool,
    /// Add `1/d` for a pair at distance `d` (otherwise 1).
    pub distance_weighting: bool,
    /// Memory budget in bytes for counting and merging (vocabulary lookup,
    /// text blocks, tables, merge buffers).
    pub memory_bytes: usize,
    /// Worker threads (`0`: all cores).
    pub threads: usize,
    /// Output format.
    pub format: CoocFormat,
    /// Folder for temporary run files (default: the output's folder); it must
    /// exist.
    pub temp_dir: Option<PathBuf>,
    /// At most this many run files open at once while merging (merges run in
    /// several passes beyond it). At least 3; lowered to what the process's
    /// open-file limit allows (its soft limit is first raised to the hard one).
    pub max_open_files: usize,
}

impl Default for CooccurOptions {
    fn default() -> Self {
        CooccurOptions {
            window: 15,
            symmetric: true,
            distance_weighting: true,
            memory_bytes: 4 << 30,
            threads: 0,
            format: CoocFormat::Glove,
            temp_dir: None,
            max_open_files: 128,
        }
    }
}

/// What [`count`] did.
///
/// ```
/// use glove_wgpu::{cooccur::{self, CooccurOptions}, corpus::Corpus, vocab::Vocab};
/// let vocab = Vocab::new(vec!["a".into(), "b".into()], vec![1, 1])?;
/// let out = std::env::temp_dir().join(format!("glove-doc-stats-{}.bin", std::process::id()));
/// let opts = CooccurOptions::default();
/// let stats = cooccur::count(Corpus::reader(&b"a b\n"[..]), &vocab, &out, &opts)?;
/// assert_eq!((stats.tokens, stats.bytes, stats.entries, stats.spill_files), (2, 4, 2, 0));
/// std::fs::remove_file(&out).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CooccurStats {
    /// Tokens read (in and out of the vocabulary).
    pub tokens: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Non-zero entries written.
    pub entries: u64,
    /// Run files spilled while counting.
    pub spill_files: usize,
    /// Bytes of those run files (delta- and varint-coded entries, equal pairs of a
    /// spill summed once), not counting intermediate merges.
    pub spill_bytes: u64,
    /// Intermediate merges (each of at most `max_open_files - 1` runs, several
    /// at once within the open-file limit) before the final one; non-zero
    /// means a multi-pass merge.
    pub intermediate_merges: usize,
    /// Parts, by rows, that each run is cut into: the final merge of runs
    /// merges the parts in parallel (1 when nothing was spilled).
    pub run_parts: usize,
    /// Worker threads used.
    pub threads: usize,
    /// Entries of each worker's dense table.
    pub dense_entries: u64,
    /// Pair records (outside the dense tables) each worker holds before it
    /// spills.
    pub sparse_capacity: u64,
    /// Seconds spent reading and counting.
    pub count_seconds: f64,
    /// Seconds spent merging and writing the output.
    pub merge_seconds: f64,
}

/// Counts the co-occurrences of a corpus and writes them to `output`, sorted
/// by `(i, j)`, in `opts.format`, within `opts.memory_bytes`.
///
/// Temporary run files go to a private folder (in `opts.temp_dir` or the
/// output's folder) that is removed when the function returns, also on
/// error. The output file appears atomically, only on success.
///
/// ```
/// use glove_wgpu::cooccur::{self, CoocFormat, CooccurOptions};
/// use glove_wgpu::corpus::Corpus;
/// use glove_wgpu::vocab::Vocab;
/// let vocab = Vocab::new(vec!["x".into(), "y".into()], vec![1, 1])?;
/// let out = std::env::temp_dir().join("glove_wgpu_count_doc.bin");
/// let opts = CooccurOptions { symmetric: false, format: CoocFormat::Native, ..Default::default() };
/// // "oov" is dropped before windowing: x and y are at distance 1.
/// let stats = cooccur::count(Corpus::reader(&b"x oov y\ny"[..]), &vocab, &out, &opts)?;
/// assert_eq!((stats.tokens, stats.entries), (4, 1));
/// assert_eq!(cooccur::read_all(&out, CoocFormat::Native)?[0].x, 1.0);
/// # std::fs::remove_file(&out).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn count(
    corpus: impl Into<Corpus>,
    vocab: &Vocab,
    output: impl AsRef<Path>,
    opts: &CooccurOptions,
) -> Result<CooccurStats> {
    count_with(corpus, vocab, output, opts, &mut silent)
}

/// [`count`], reporting the bytes and tokens read ([`Step::Cooccur`](crate::progress::Step::Cooccur)) and the
/// entries merged and written ([`Step::Merge`](crate::progress::Step::Merge)) as [`Event::Advance`](crate::progress::Event::Advance)s (see
/// [`crate::progress`]).
///
/// ```
/// use glove_wgpu::{cooccur::{self, CooccurOptions}, corpus::Corpus, progress::{Event, Step}, vocab::Vocab};
/// let vocab = Vocab::new(vec!["a".into(), "b".into()], vec![1, 1])?;
/// let out = std::env::temp_dir().join(format!("glove-doc-count-with-{}.bin", std::process::id()));
/// let mut steps = Vec::new();
/// cooccur::count_with(Corpus::reader(&b"a b\n"[..]), &vocab, &out, &CooccurOptions::default(), &mut |e| {
///     if let Event::StepDone(s) = e {
///         steps.push(s);
///     }
///     Ok(())
/// })?;
/// assert_eq!(steps, [Step::Cooccur, Step::Merge]);
/// std::fs::remove_file(&out).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn count_with(
    corpus: impl Into<Corpus>,
    vocab: &Vocab,
    output: impl AsRef<Path>,
    opts: &CooccurOptions,
    progress: &mut Progress,
) -> Result<CooccurStats> {
    let output = output.as_ref();
    if opts.window == 0 {
        return Err(Error::invalid("the window must be at least 1"));
    }
    // The run files' folder is made at the first spill: check where it goes first.
    spill::check_temp_parent(&spill::temp_parent(opts.temp_dir.as_deref(), output))?;
    let (weights, scale) = pairs::weights(opts.window, opts.distance_weighting);
    let code = pairs::CellCode::new(vocab.len(), &weights)?;
    let (reader, size, name) = corpus.into().open()?;
    let start = Instant::now();
    let mut input = count::Batches::new(reader, name, opts);
    // The first batch is read before the tables are sized: a stream
    // (standard input) that ends within it has a known size.
    let first = input.read()?;
    let size = size.or_else(|| input.ended_within(first).then_some(input.bytes()));
    let plan = plan::plan(vocab, opts, size)?;
    let job = Job {
        vocab,
        opts,
        pool: thread_pool(plan.threads)?,
        tmp: LazyTempDir::new(spill::temp_parent(opts.temp_dir.as_deref(), output)),
        plan,
    };
    let counted = count::count_corpus(&job, &code, input, first, size, progress)?;
    let count_seconds = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let gathered = write::gather(&job, counted.counters)?;
    let (spill_files, spill_bytes) = (gathered.runs.len(), gathered.run_bytes());
    let (intermediate_merges, entries) =
        write::merge_and_write(&job, gathered, output, scale, progress)?;
    let plan = &job.plan;
    Ok(CooccurStats {
        tokens: counted.tokens,
        bytes: counted.bytes,
        entries,
        spill_files,
        spill_bytes,
        intermediate_merges,
        run_parts: if spill_files == 0 {
            1
        } else {
            plan.run_bounds.len() + 1
        },
        threads: plan.threads,
        dense_entries: plan.layout.len() as u64,
        sparse_capacity: plan.pair_capacity as u64,
        count_seconds,
        merge_seconds: start.elapsed().as_secs_f64(),
    })
}

/// What the phases of one [`count`] share.
struct Job<'a> {
    vocab: &'a Vocab,
    opts: &'a CooccurOptions,
    plan: plan::Plan,
    pool: rayon::ThreadPool,
    /// The private folder of the run files, made at the first spill and
    /// removed (with what is left in it) when the job is dropped.
    tmp: LazyTempDir,
}

/// Shuffles a co-occurrence file uniformly at random, seeded, within
/// `opts.memory_bytes`; the output keeps the input's format. See the
/// `shuffle` module notes for the method.
///
/// ```
/// use glove_wgpu::cooccur::{self, Cooc, CoocFormat, CoocWriter, ShuffleOptions};
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join("glove_wgpu_shuf_in_doc.bin"), dir.join("glove_wgpu_shuf_out_doc.bin"));
/// let mut w = CoocWriter::create(&a, CoocFormat::Native)?;
/// for k in 0..100 {
///     w.write(&Cooc { i: k, j: 0, x: 1.0 })?;
/// }
/// w.finish()?;
/// let stats = cooccur::shuffle(&a, &b, &ShuffleOptions::default())?;
/// assert_eq!(stats.records, 100);
/// let mut ids: Vec<u32> = cooccur::read_all(&b, CoocFormat::Native)?.iter().map(|c| c.i).collect();
/// assert_ne!(ids, (0..100).collect::<Vec<_>>());
/// ids.sort();
/// assert_eq!(ids, (0..100).collect::<Vec<_>>());
/// # std::fs::remove_file(&a).unwrap(); std::fs::remove_file(&b).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn shuffle(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    opts: &ShuffleOptions,
) -> Result<ShuffleStats> {
    shuffle_with(input, output, opts, &mut silent)
}

/// [`shuffle`], reporting the records written as [`Event::Advance`](crate::progress::Event::Advance)s of
/// [`Step::Shuffle`](crate::progress::Step::Shuffle) (see [`crate::progress`]).
///
/// ```
/// use glove_wgpu::cooccur::{self, Cooc, CoocFormat, CoocWriter, ShuffleOptions};
/// use glove_wgpu::progress::Event;
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("glove-doc-sw-{}.a", std::process::id())), dir.join(format!("glove-doc-sw-{}.b", std::process::id())));
/// let mut w = CoocWriter::create(&a, CoocFormat::Native)?;
/// (0..10).try_for_each(|k| w.write(&Cooc { i: k, j: 0, x: 1.0 }))?;
/// w.finish()?;
/// let mut last = (0, None);
/// cooccur::shuffle_with(&a, &b, &ShuffleOptions::default(), &mut |e| {
///     if let Event::Advance { done, total, .. } = e {
///         last = (done, total);
///     }
///     Ok(())
/// })?;
/// assert_eq!(last, (10, Some(10)));
/// std::fs::remove_file(&a).unwrap(); std::fs::remove_file(&b).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn shuffle_with(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    opts: &ShuffleOptions,
    progress: &mut Progress,
) -> Result<ShuffleStats> {
    shuffle::shuffle_file(input.as_ref(), output.as_ref(), opts, progress)
}

/// Counts the co-occurrences of the corpus at `corpus` (a path, or `-` for standard
/// input) with the vocabulary `vocab`, shuffles them with `seed`, and returns them
/// in memory, in the shuffled order: `cooccur` then `shuffle`, through a temporary
/// folder in the system's temporary directory that is removed afterwards. For
/// benchmarks and examples; the `fit` command does the same on disk.
///
/// ```
/// use glove_wgpu::cooccur::{self, CooccurOptions};
/// use glove_wgpu::corpus::Corpus;
/// use glove_wgpu::vocab::{Vocab, VocabOptions};
/// let path = std::env::temp_dir().join(format!("cooc_doc_{}.txt", std::process::id()));
/// std::fs::write(&path, "a b a b c\n").unwrap();
/// let opts = VocabOptions { min_count: 1, ..Default::default() };
/// let vocab = Vocab::count(Corpus::from_arg(&path), &opts)?;
/// let opts = CooccurOptions::default();
/// let cooc = cooccur::count_shuffled(&path, &vocab, &opts, 1)?;
/// assert_eq!(cooc.len(), 8); // every ordered pair of a, b, c but (c, c): one c
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn count_shuffled(
    corpus: impl AsRef<Path>,
    vocab: &Vocab,
    opts: &CooccurOptions,
    seed: u64,
) -> Result<Vec<Cooc>> {
    let dir = spill::TempDir::new(&std::env::temp_dir())?;
    let (counted, shuffled) = (dir.file("cooc"), dir.file("shuf"));
    let opts = CooccurOptions {
        format: CoocFormat::Native,
        ..opts.clone()
    };
    count(Corpus::from_arg(corpus.as_ref()), vocab, &counted, &opts)?;
    let sopts = ShuffleOptions {
        seed,
        ..Default::default()
    };
    shuffle(&counted, &shuffled, &sopts)?;
    read_all(&shuffled, CoocFormat::Native)
}
