//! A seeded, memory-bounded, uniform shuffle of co-occurrence files.
//!
//! If the records fit in the memory budget they are shuffled in memory
//! (Fisher-Yates). Otherwise each record is sent to one of `K` bucket files
//! chosen uniformly at random, then every bucket is shuffled in memory (or,
//! if it happens not to fit, recursively the same way) and the buckets are
//! concatenated. Independent uniform bucket choices followed by uniform
//! permutations within the buckets give a uniform permutation of the whole
//! file (every order is equally likely), at the cost of reading and writing
//! the data twice. Stanford's `shuffle` instead shuffles chunks and
//! interleaves them, which is not uniform.
//!
//! The random numbers come from [`crate::rng`]'s xoshiro256++, so a seed gives
//! the same permutation whatever the version of `rand`. The
//! permutation depends on the seed, the number of records and, once the file
//! exceeds the budget, on the budget.

use std::path::Path;

use crate::error::{Error, Result};
use crate::progress::{Detail, Event, Progress, Step};
use crate::rng::Xoshiro256pp;

use super::format::{CoocFormat, CoocReader, CoocWriter, PlainCooc};
use super::spill::TempDir;

/// Fisher-Yates on records of `rb` bytes.
fn shuffle_records(data: &mut [u8], rb: usize, rng: &mut Xoshiro256pp) {
    let n = data.len() / rb;
    let mut tmp = [0u8; 16];
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        if i != j {
            let (a, b) = (i * rb, j * rb);
            tmp[..rb].copy_from_slice(&data[a..a + rb]);
            data.copy_within(b..b + rb, a);
            data[b..b + rb].copy_from_slice(&tmp[..rb]);
        }
    }
}

/// Options of [`shuffle`](super::shuffle).
///
/// ```
/// use glove_wgpu::cooccur::ShuffleOptions;
/// let o = ShuffleOptions::default();
/// assert_eq!(o.seed, 1);
/// assert_eq!(o.memory_bytes, 2 << 30);
/// ```
#[derive(Clone, Debug)]
pub struct ShuffleOptions {
    /// The seed: the same seed, input and budget give the same order.
    pub seed: u64,
    /// Memory budget in bytes (records held at once, plus buffers).
    pub memory_bytes: usize,
    /// The input's format; `None`: detected from the file.
    pub format: Option<CoocFormat>,
    /// Folder for temporary files (default: the output's folder).
    pub temp_dir: Option<std::path::PathBuf>,
    /// At most this many files open at once (buckets per pass).
    pub max_open_files: usize,
}

impl Default for ShuffleOptions {
    fn default() -> Self {
        ShuffleOptions {
            seed: 1,
            memory_bytes: 2 << 30,
            format: None,
            temp_dir: None,
            max_open_files: 128,
        }
    }
}

/// What a shuffle did.
///
/// ```
/// use glove_wgpu::cooccur::{self, Cooc, CoocFormat, CoocWriter, ShuffleOptions};
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("glove-doc-ss-{}.a", std::process::id())), dir.join(format!("glove-doc-ss-{}.b", std::process::id())));
/// let mut w = CoocWriter::create(&a, CoocFormat::Native)?;
/// (0..10).try_for_each(|k| w.write(&Cooc { i: k, j: 0, x: 1.0 }))?;
/// w.finish()?;
/// let stats = cooccur::shuffle(&a, &b, &ShuffleOptions::default())?;
/// assert_eq!((stats.records, stats.buckets), (10, 0)); // fit in memory: no buckets
/// std::fs::remove_file(&a).unwrap(); std::fs::remove_file(&b).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShuffleStats {
    /// Records shuffled.
    pub records: u64,
    /// Bucket files written (0 when the input fit in memory).
    pub buckets: u64,
}

/// A source of raw records: the input file or a bucket file.
trait RawSource {
    fn read(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize>;
}

impl RawSource for CoocReader {
    fn read(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize> {
        self.read_raw(out, max)
    }
}

struct RawFile {
    file: std::fs::File,
    path: std::path::PathBuf,
    left: u64,
    rb: usize,
}

impl RawSource for RawFile {
    fn read(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize> {
        use std::io::Read;
        let n = self.left.min(max as u64) as usize;
        let old = out.len();
        out.resize(old + n * self.rb, 0);
        self.file
            .read_exact(&mut out[old..])
            .map_err(|e| Error::io_path("reading", &self.path, e))?;
        self.left -= n as u64;
        Ok(n)
    }
}

struct Shuffler<'a, 'p> {
    rb: usize,
    cap: usize,
    max_open: usize,
    dir: &'a TempDir,
    rng: Xoshiro256pp,
    buckets: u64,
    out: CoocWriter,
    /// Records written, and of how many.
    done: u64,
    total: u64,
    progress: &'a mut Progress<'p>,
}

impl Shuffler<'_, '_> {
    /// Shuffles `n` records from `src` into the output.
    fn run(&mut self, src: &mut dyn RawSource, n: u64) -> Result<()> {
        let rb = self.rb;
        if n as usize <= self.cap {
            let mut data = Vec::with_capacity(n as usize * rb);
            while src.read(&mut data, 1 << 20)? > 0 {}
            shuffle_records(&mut data, rb, &mut self.rng);
            self.out.write_raw(&data)?;
            self.done += n;
            return (self.progress)(Event::Advance {
                step: Step::Shuffle,
                done: self.done,
                total: Some(self.total),
                detail: Detail::None,
            });
        }
        // Scatter into k buckets, each expected to fill 80% of the budget.
        let k = ((n as f64 / (self.cap as f64 * 0.8)).ceil() as usize)
            .clamp(2, self.max_open.max(3) - 1);
        let buf_records = (self.cap / k).clamp(1, 1 << 16);
        let mut files = Vec::with_capacity(k);
        let mut bufs: Vec<Vec<u8>> = Vec::with_capacity(k);
        let mut counts = vec![0u64; k];
        for _ in 0..k {
            let p = self.dir.file("bucket");
            let f = std::fs::File::create(&p).map_err(|e| Error::io_path("creating", &p, e))?;
            files.push((f, p));
            bufs.push(Vec::with_capacity(buf_records * rb));
        }
        self.buckets += k as u64;
        let mut chunk = Vec::new();
        loop {
            chunk.clear();
            let got = src.read(&mut chunk, 1 << 16)?;
            if got == 0 {
                break;
            }
            for rec in chunk.chunks_exact(rb) {
                let b = self.rng.below(k as u64) as usize;
                bufs[b].extend_from_slice(rec);
                counts[b] += 1;
                if bufs[b].len() >= buf_records * rb {
                    use std::io::Write;
                    files[b]
                        .0
                        .write_all(&bufs[b])
                        .map_err(|e| Error::io_path("writing", &files[b].1, e))?;
                    bufs[b].clear();
                }
            }
        }
        let mut paths = Vec::with_capacity(k);
        for ((mut f, p), buf) in files.into_iter().zip(bufs) {
            use std::io::Write;
            f.write_all(&buf)
                .map_err(|e| Error::io_path("writing", &p, e))?;
            paths.push(p);
        }
        for (p, c) in paths.into_iter().zip(counts) {
            let file = std::fs::File::open(&p).map_err(|e| Error::io_path("opening", &p, e))?;
            let mut raw = RawFile {
                file,
                path: p.clone(),
                left: c,
                rb,
            };
            self.run(&mut raw, c)?;
            drop(raw);
            let _ = std::fs::remove_file(&p);
        }
        Ok(())
    }
}

/// Shuffles a co-occurrence file (any format; the output keeps the input's
/// format, and Stanford's records keep their f64 counts) uniformly at random
/// within a memory budget. A pipe or a compressed input is copied into the
/// temporary folder first.
pub(crate) fn shuffle_file(
    input: &Path,
    output: &Path,
    opts: &ShuffleOptions,
    progress: &mut Progress,
) -> Result<ShuffleStats> {
    let parent = super::spill::temp_parent(opts.temp_dir.as_deref(), output);
    let dir = TempDir::new(&parent)?;
    // A pipe or a compressed file is copied into the folder first: the
    // shuffle needs the number of records before it starts.
    let plain = PlainCooc::open(input, opts.format, dir.path(), progress)?;
    let format = plain.format;
    let rb = format.record_bytes();
    let mut reader = CoocReader::open(&plain.path, format)?;
    let n = reader.len().unwrap_or(0);
    // Half the budget for records held at once, the rest for buffers.
    let cap = (opts.memory_bytes / 2 / rb).max(1024);

    let mut s = Shuffler {
        rb,
        cap,
        max_open: opts.max_open_files.min(super::spill::open_files_allowed()),
        dir: &dir,
        rng: Xoshiro256pp::new(opts.seed),
        buckets: 0,
        out: CoocWriter::create(output, format)?,
        done: 0,
        total: n,
        progress,
    };
    s.run(&mut reader, n)?;
    let buckets = s.buckets;
    (s.progress)(Event::StepDone(Step::Shuffle))?;
    s.out.finish()?;
    Ok(ShuffleStats {
        records: n,
        buckets,
    })
}
