//! The one channel from the library to its caller: every long call reports what
//! it does as [`Event`]s to a [`Progress`] callback — notes, the stages of
//! [`fit`](crate::fit), how far a counting, merging, shuffling, loading or writing
//! step has got, and the epochs of training. The library draws nothing: the
//! command line turns the events into lines and progress bars on stderr, Python
//! into calls of its callback and log records.
//!
//! An error returned by the callback stops the work and is returned.
//!
//! ```
//! use glove_wgpu::progress::{Event, Step};
//! use glove_wgpu::vocab::{Vocab, VocabOptions};
//! let mut bytes = 0;
//! let text = "the cat sat on the mat\n".repeat(100);
//! let opts = VocabOptions { min_count: 1, ..Default::default() };
//! let corpus = glove_wgpu::corpus::Corpus::reader(std::io::Cursor::new(text));
//! let vocab = Vocab::count_with(corpus, &opts, &mut |e| {
//!     if let Event::Advance { step: Step::Vocab, done, .. } = e {
//!         bytes = done; // bytes read so far
//!     }
//!     Ok(())
//! })?;
//! assert_eq!((vocab.len(), bytes), (5, 2300));
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use crate::error::Result;
use crate::train::{EpochReport, TrainConfig};

/// The callback that hears a call's [`Event`]s.
///
/// ```
/// use glove_wgpu::progress::{Event, Progress};
/// let mut notes = 0;
/// let progress: &mut Progress = &mut |e| {
///     if let Event::Note(_) = e {
///         notes += 1;
///     }
///     Ok(())
/// };
/// progress(Event::Note("hello"))?;
/// assert_eq!(notes, 1);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub type Progress<'p> = dyn FnMut(Event<'_>) -> Result<()> + 'p;

/// A callback that ignores every event, for calls whose progress nobody watches.
///
/// ```
/// use glove_wgpu::progress::{silent, Event};
/// silent(Event::Note("nobody hears this"))?;
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn silent(_: Event<'_>) -> Result<()> {
    Ok(())
}

/// What the library tells its caller as it goes.
///
/// ```
/// use glove_wgpu::progress::{Event, Stage};
/// let mut lines = Vec::new();
/// let mut progress = |e: Event<'_>| -> glove_wgpu::Result<()> {
///     match e {
///         Event::Note(n) => lines.push(n.to_string()),
///         Event::StageDone { stage, summary, .. } => lines.push(format!("{}: {summary}", stage.name())),
///         _ => {}
///     }
///     Ok(())
/// };
/// progress(Event::Note("copying the corpus"))?;
/// progress(Event::StageDone { stage: Stage::Shuffle, seconds: 0.5, summary: "done".into() })?;
/// assert_eq!(lines, ["copying the corpus", "shuffle: done"]);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// Something worth a line to the user: a fallback taken, a copy made.
    Note(&'a str),
    /// A stage of [`fit`](crate::fit) begins.
    Stage(Stage),
    /// A stage of [`fit`](crate::fit) ended: how long it took and what it made.
    StageDone {
        /// The stage.
        stage: Stage,
        /// Wall-clock seconds.
        seconds: f64,
        /// What it made, in words (`"10,342 words from 1,024,000 tokens"`).
        summary: String,
    },
    /// How far a long step has got: `done` of `total` (when known) in the
    /// step's [`Unit`]. The first event of a step starts it; [`Event::StepDone`]
    /// ends it.
    Advance {
        /// The step.
        step: Step,
        /// Units done so far.
        done: u64,
        /// Units in all, when known.
        total: Option<u64>,
        /// What else the step can tell.
        detail: Detail,
    },
    /// A step that reported [`Event::Advance`] ended.
    StepDone(Step),
    /// Training starts (after a resumed checkpoint's epochs).
    TrainingStarts {
        /// Words (rows).
        words: usize,
        /// Co-occurrence triples.
        nonzeros: u64,
        /// The update's settings.
        config: &'a TrainConfig,
        /// The trainer's name ([`train::Backend::name`](crate::train::Backend::name)).
        backend: &'a str,
        /// The GPU adapter, if any.
        adapter: Option<&'a str>,
        /// Epochs already done (a resumed checkpoint).
        start_epoch: u32,
    },
    /// An epoch ended (after its checkpoint, if any, was saved).
    Epoch(&'a EpochReport),
}

/// The stages of [`fit`](crate::fit), in order.
///
/// ```
/// use glove_wgpu::progress::Stage;
/// assert_eq!(Stage::Shuffle.name(), "shuffle");
/// assert_ne!(Stage::Vocabulary, Stage::Training);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Counting the vocabulary.
    Vocabulary,
    /// Counting co-occurrences.
    Cooccurrences,
    /// Shuffling them.
    Shuffle,
    /// Training.
    Training,
}

impl Stage {
    /// A name for messages.
    ///
    /// ```
    /// use glove_wgpu::progress::Stage;
    /// assert_eq!(Stage::Cooccurrences.name(), "co-occurrences");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Stage::Vocabulary => "vocabulary",
            Stage::Cooccurrences => "co-occurrences",
            Stage::Shuffle => "shuffle",
            Stage::Training => "training",
        }
    }
}

/// A long step that reports [`Event::Advance`].
///
/// ```
/// use glove_wgpu::progress::{Step, Unit};
/// assert_eq!((Step::Vocab.name(), Step::Vocab.unit()), ("vocab", Unit::Bytes));
/// assert_eq!(Step::Shuffle.unit(), Unit::Records);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Counting the words of a corpus ([`Vocab::count_with`](crate::vocab::Vocab::count_with)).
    Vocab,
    /// Counting co-occurrences ([`cooccur::count_with`](crate::cooccur::count_with)).
    Cooccur,
    /// Merging and writing them (entries written).
    Merge,
    /// Shuffling co-occurrence records ([`cooccur::shuffle_with`](crate::cooccur::shuffle_with)).
    Shuffle,
    /// Parsing an embedding file ([`io::read_with`](crate::io::read_with)).
    Load,
    /// Writing one ([`io::write_with`](crate::io::write_with)).
    Write,
    /// Clustering an index's training rows (k-means; rows assigned over all
    /// iterations, [`ivf::Index::build`](crate::ivf::Index::build)).
    Cluster,
    /// Assigning every row of an index to its list.
    Assign,
    /// Calibrating an index's recall against exact search (sampled rows).
    Calibrate,
}

impl Step {
    /// A short name, as the command line labels its bar.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::progress::Step::Load.name(), "loading");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Step::Vocab => "vocab",
            Step::Cooccur => "cooccur",
            Step::Merge => "merge",
            Step::Shuffle => "shuffle",
            Step::Load => "loading",
            Step::Write => "writing",
            Step::Cluster => "k-means",
            Step::Assign => "assigning",
            Step::Calibrate => "calibrating",
        }
    }

    /// What the step counts.
    ///
    /// ```
    /// use glove_wgpu::progress::{Step, Unit};
    /// assert_eq!(Step::Merge.unit(), Unit::Entries);
    /// ```
    pub fn unit(self) -> Unit {
        match self {
            Step::Vocab | Step::Cooccur | Step::Load | Step::Write => Unit::Bytes,
            Step::Merge => Unit::Entries,
            Step::Shuffle | Step::Cluster | Step::Assign | Step::Calibrate => Unit::Records,
        }
    }
}

/// What a [`Step`] counts.
///
/// ```
/// assert_eq!(glove_wgpu::progress::Unit::Records.name(), "records");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Bytes read or written.
    Bytes,
    /// Co-occurrence records.
    Records,
    /// Co-occurrence entries written.
    Entries,
}

impl Unit {
    /// The unit's name in messages.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::progress::Unit::Entries.name(), "entries");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Records => "records",
            Unit::Entries => "entries",
        }
    }
}

/// What else an [`Event::Advance`] tells.
///
/// ```
/// use glove_wgpu::progress::Detail;
/// assert_eq!(Detail::Rows { done: 10, of: 100 }, Detail::Rows { done: 10, of: 100 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Nothing.
    None,
    /// Tokens read so far (the counting steps).
    Tokens(u64),
    /// The merge reduces this many sorted run files (intermediate merges).
    Runs(usize),
    /// The merge writes the rows from `done` (of `of`).
    Rows {
        /// First row of the range being merged.
        done: u64,
        /// Rows in all (the vocabulary).
        of: u64,
    },
}

/// Runs `work` on a thread of its own while this one reports, every 100 ms, the
/// count that `work` advances (from any of its threads) as [`Event::Advance`]s of
/// `step` out of `total`, then [`Event::StepDone`]: the callback is only ever
/// called from the caller's thread. An error of the callback is returned once
/// `work` has finished.
pub(crate) fn watch<R: Send>(
    progress: &mut Progress,
    step: Step,
    total: u64,
    work: impl FnOnce(&std::sync::atomic::AtomicU64) -> R + Send,
) -> Result<R> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let done = AtomicU64::new(0);
    let mut failed = None;
    let out = std::thread::scope(|s| {
        let (tx, rx) = channel::<()>();
        let worker = s.spawn(|| {
            let r = work(&done);
            drop(tx);
            r
        });
        while failed.is_none() {
            match rx.recv_timeout(std::time::Duration::from_millis(100)) {
                Err(RecvTimeoutError::Timeout) => {
                    let event = Event::Advance {
                        step,
                        done: done.load(Ordering::Relaxed),
                        total: Some(total),
                        detail: Detail::None,
                    };
                    failed = progress(event).err();
                }
                _ => break,
            }
        }
        worker.join()
    });
    let out = match out {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    if let Some(e) = failed {
        return Err(e);
    }
    progress(Event::Advance {
        step,
        done: done.load(Ordering::Relaxed),
        total: Some(total),
        detail: Detail::None,
    })?;
    progress(Event::StepDone(step))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn watch_reports_from_the_callers_thread_then_the_end() {
        let me = std::thread::current().id();
        let mut seen = Vec::new();
        let out = watch(
            &mut |e| {
                assert_eq!(std::thread::current().id(), me);
                match e {
                    Event::Advance { done, total, .. } => seen.push((done, total)),
                    Event::StepDone(s) => seen.push((u64::MAX, Some(s.name().len() as u64))),
                    _ => {}
                }
                Ok(())
            },
            Step::Load,
            10,
            |done| {
                for _ in 0..10 {
                    done.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                }
                7
            },
        )
        .unwrap();
        assert_eq!(out, 7);
        assert!(seen.len() >= 3, "{seen:?}"); // ticks, the last count, the end
        assert_eq!(seen[seen.len() - 2], (10, Some(10)));
        assert_eq!(
            seen[seen.len() - 1],
            (u64::MAX, Some("loading".len() as u64))
        );
    }

    #[test]
    fn watch_returns_the_callbacks_error_after_the_work() {
        let finished = std::sync::atomic::AtomicBool::new(false);
        let err = watch(
            &mut |_| Err(crate::Error::invalid("stop")),
            Step::Write,
            1,
            |_| {
                std::thread::sleep(std::time::Duration::from_millis(250));
                finished.store(true, Ordering::Relaxed);
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("stop"));
        assert!(finished.load(Ordering::Relaxed));
    }
}
