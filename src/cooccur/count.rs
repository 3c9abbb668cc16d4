//! Windowed counting: the counting phase of [`super::count`] ([`count_corpus`]),
//! the corpus turned into ids ([`tokenize`], [`link`]), and the worker
//! ([`Counter`]) that adds each pair to its dense table (see [`super::dense`])
//! or its pair buffer (see [`super::pairs`]), spilling the buffer as a sorted
//! run when it is full.

use std::io::Read;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::corpus::{for_each_token, BlockReader, Token};
use crate::error::Result;
use crate::progress::{Detail, Event, Progress, Step};
use crate::vocab::Vocab;

use super::dense::{slot, DenseLayout, ZeroTable};
use super::pairs::{CellCode, Pairs};
use super::plan::shape;
use super::spill::{LazyTempDir, Run, RunWriter};
use super::{CooccurOptions, Job};

/// Marks a document boundary in a block of ids.
pub(crate) const SEP: u32 = u32::MAX;

/// The corpus read a batch of text blocks at a time (one block a work item).
pub(super) struct Batches {
    blocks: BlockReader,
    texts: Vec<Vec<u8>>,
}

impl Batches {
    /// Batches of the size [`plan::shape`](super::plan::shape) gives.
    pub(super) fn new(reader: Box<dyn Read + Send>, name: String, opts: &CooccurOptions) -> Self {
        let (_, batch, block) = shape(opts);
        Batches {
            blocks: BlockReader::new(reader, name, block),
            texts: (0..batch).map(|_| Vec::new()).collect(),
        }
    }

    /// Reads the next batch; returns its number of blocks (0 at the end).
    pub(super) fn read(&mut self) -> Result<usize> {
        let mut n = 0;
        while n < self.texts.len() && self.blocks.next_block(&mut self.texts[n])? {
            n += 1;
        }
        Ok(n)
    }

    /// Whether a batch of `n` blocks ended the stream (it was not full).
    pub(super) fn ended_within(&self, n: usize) -> bool {
        n < self.texts.len()
    }

    /// Bytes read so far.
    pub(super) fn bytes(&self) -> u64 {
        self.blocks.bytes
    }
}

/// What the counting phase leaves: the workers, and what was read.
pub(super) struct Counted {
    pub(super) counters: Vec<Counter>,
    /// Tokens read (in and out of the vocabulary).
    pub(super) tokens: u64,
    /// Bytes read.
    pub(super) bytes: u64,
}

/// The counting phase: reads the corpus (whose first batch, of `first`
/// blocks, is already read) and counts its pairs on the job's workers, one
/// [`Counter`] a thread. The text buffers are freed on return, for the merge.
pub(super) fn count_corpus(
    job: &Job,
    code: &CellCode,
    mut input: Batches,
    first: usize,
    size: Option<u64>,
    progress: &mut Progress,
) -> Result<Counted> {
    let (vocab, opts, plan, pool) = (job.vocab, job.opts, &job.plan, &job.pool);
    let window = opts.window;
    let layout = Arc::new(plan.layout.clone());
    let counters: Vec<Mutex<Counter>> = (0..plan.threads)
        .map(|_| Counter::new(&layout, plan.pair_capacity, code, &plan.run_bounds).map(Mutex::new))
        .collect::<Result<_>>()?;
    progress(Event::Advance {
        step: Step::Cooccur,
        done: 0,
        total: size,
        detail: Detail::Tokens(0),
    })?;
    let mut ids: Vec<Vec<u32>> = (0..input.texts.len()).map(|_| Vec::new()).collect();
    let mut tail: Vec<u32> = Vec::with_capacity(window);
    let mut tokens = 0u64;
    let mut first = Some(first);
    loop {
        let n = match first.take() {
            Some(n) => n,
            None => input.read()?,
        };
        if n == 0 {
            break;
        }
        tokens += pool.install(|| {
            input.texts[..n]
                .par_iter()
                .zip(ids[..n].par_iter_mut())
                .map(|(t, out)| tokenize(t, vocab, window, out))
                .sum::<u64>()
        });
        for b in ids[..n].iter_mut() {
            link(b, window, &mut tail);
        }
        pool.install(|| {
            ids[..n].par_iter().try_for_each(|b| {
                let k = rayon::current_thread_index().unwrap_or(0) % counters.len();
                let mut c = counters[k].lock().unwrap_or_else(|p| p.into_inner());
                c.count_block(b, window, opts.symmetric, &job.tmp)
            })
        })?;
        progress(Event::Advance {
            step: Step::Cooccur,
            done: input.bytes(),
            total: size,
            detail: Detail::Tokens(tokens),
        })?;
    }
    progress(Event::StepDone(Step::Cooccur))?;
    Ok(Counted {
        counters: counters
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
            .collect(),
        tokens,
        bytes: input.bytes(),
    })
}

/// What one worker counts into.
pub(crate) struct Counter {
    /// The dense layout's row offsets (a copy a worker).
    offsets: Vec<u64>,
    pub(crate) dense: ZeroTable<u32>,
    pub(crate) pairs: Pairs,
    pub(crate) runs: Vec<Run>,
    /// Where runs are cut into parts (see [`Run`]).
    bounds: Arc<Vec<u64>>,
}

impl Counter {
    pub(crate) fn new(
        layout: &Arc<DenseLayout>,
        pair_capacity: usize,
        code: &CellCode,
        bounds: &Arc<Vec<u64>>,
    ) -> Result<Self> {
        Ok(Counter {
            dense: ZeroTable::new(layout.len())?,
            offsets: layout.offsets.clone(),
            pairs: Pairs::new(pair_capacity, layout.v as usize, layout.sym, code.clone())?,
            runs: Vec::new(),
            bounds: bounds.clone(),
        })
    }

    /// The fixed-point weight of distance `d`.
    #[inline(always)]
    fn weight(&self, d: u32) -> u64 {
        self.pairs.code().distance_weight(d)
    }

    /// Adds `w` (below `2^32`) to a dense cell; true if it overflowed, in
    /// which case the caller records a [`CARRY`].
    #[inline(always)]
    fn dense_add(&mut self, idx: usize, w: u64) -> bool {
        let (s, o) = self.dense[idx].overflowing_add(w as u32);
        self.dense[idx] = s;
        o
    }

    /// Adds the occurrence at distance `d` to `X[i][j]`.
    #[inline(always)]
    fn add(&mut self, i: u32, j: u32, d: u32) {
        if let Some(idx) = slot(&self.offsets, false, i, j) {
            if self.dense_add(idx, self.weight(d)) {
                self.pairs.push(i, j, 0);
            }
            return;
        }
        self.pairs.push(i, j, d);
    }

    /// Adds the occurrence at distance `d` to `X[a][b]` and to `X[b][a]` (the
    /// upper-triangle layout).
    #[inline(always)]
    fn add_both(&mut self, a: u32, b: u32, d: u32) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        if let Some(idx) = slot(&self.offsets, true, lo, hi) {
            let w = self.weight(d);
            if self.dense_add(idx, if lo == hi { 2 * w } else { w }) {
                // The carry of the stored `X[lo][hi]`, which is also `X[hi][lo]`.
                self.pairs.push(lo, hi, 0);
            }
            return;
        }
        self.pairs.push(lo, hi, d);
        if lo == hi {
            // `X[a][a]` gets the occurrence twice.
            self.pairs.push(lo, hi, d);
        }
    }

    /// Counts the pairs whose later word lies in `ids[window..]`; the first
    /// `window` slots hold the preceding context (or [`SEP`]).
    pub(crate) fn count_block(
        &mut self,
        ids: &[u32],
        window: usize,
        symmetric: bool,
        tmp: &LazyTempDir,
    ) -> Result<()> {
        // A position adds at most `2 * window` records.
        let limit = self.pairs.capacity().saturating_sub(2 * window);
        for p in window..ids.len() {
            let w2 = ids[p];
            if w2 == SEP {
                continue;
            }
            if self.pairs.len() > limit {
                self.spill(tmp)?;
            }
            for d in 1..=window {
                let w1 = ids[p - d];
                if w1 == SEP {
                    break;
                }
                if symmetric {
                    self.add_both(w1, w2, d as u32);
                } else {
                    self.add(w1, w2, d as u32);
                }
            }
        }
        Ok(())
    }

    /// Writes the pairs as a sorted run and empties the buffer.
    pub(crate) fn spill(&mut self, tmp: &LazyTempDir) -> Result<()> {
        if self.pairs.len() == 0 {
            return Ok(());
        }
        let path = tmp.get()?.file("run");
        let rows = self.pairs.group();
        let mut w = RunWriter::create(path, 1 << 20, self.bounds.clone())?;
        for i in 0..rows.rows() {
            let row = (i as u64) << 32;
            rows.combine_row(i, |j, c| w.push([row | j as u64, c]))?;
        }
        self.runs.push(w.finish()?);
        Ok(())
    }
}

/// Turns a block of text into ids (`ids[..window]` reserved for the context,
/// [`SEP`] at each line break, out-of-vocabulary words dropped); returns the
/// number of tokens seen.
pub(crate) fn tokenize(text: &[u8], vocab: &Vocab, window: usize, ids: &mut Vec<u32>) -> u64 {
    ids.clear();
    ids.resize(window, SEP);
    let mut tokens = 0u64;
    for_each_token(text, |t| match t {
        Token::Word(w) => {
            tokens += 1;
            // A vocabulary word is valid UTF-8: other bytes are out of it.
            if let Some(id) = std::str::from_utf8(w).ok().and_then(|w| vocab.id(w)) {
                ids.push(id);
            }
        }
        Token::Newline => {
            if ids.len() == window || ids.last() != Some(&SEP) {
                ids.push(SEP);
            }
        }
    });
    tokens
}

/// Copies the context carried from the previous block into the reserved
/// slots of `ids`, and updates `tail` to the context for the next block.
pub(crate) fn link(ids: &mut [u32], window: usize, tail: &mut Vec<u32>) {
    let k = tail.len();
    ids[window - k..window].copy_from_slice(tail);
    let lo = window - k;
    let end = ids.len();
    let mut p = end;
    while p > lo && end - p < window && ids[p - 1] != SEP {
        p -= 1;
    }
    tail.clear();
    tail.extend_from_slice(&ids[p..]);
}
