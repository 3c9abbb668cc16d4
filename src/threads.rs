//! Worker threads: how many a request gets, and the rayon pool that runs them.

use crate::error::{Error, Result};

/// The number of worker threads: `0` means all available cores.
pub(crate) fn thread_count(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested > 0 {
        capped_threads(requested, cores)
    } else {
        cores
    }
}

/// Most threads per core a request may have: more only adds switching and memory.
///
/// ```
/// use glove_wgpu::threads::{capped_threads, MAX_THREADS_PER_CORE};
/// assert_eq!(capped_threads(1000, 2), 2 * MAX_THREADS_PER_CORE);
/// ```
pub const MAX_THREADS_PER_CORE: usize = 4;

/// `requested` threads, at most [`MAX_THREADS_PER_CORE`] per core (with a note on
/// stderr when capped: 100,000 threads would take minutes to start).
///
/// ```
/// assert_eq!(glove_wgpu::threads::capped_threads(3, 2), 3);
/// assert_eq!(glove_wgpu::threads::capped_threads(100_000, 2), 8);
/// ```
pub fn capped_threads(requested: usize, cores: usize) -> usize {
    let max = MAX_THREADS_PER_CORE * cores.max(1);
    if requested > max {
        // A failed write to standard error (closed, /dev/full) is ignored, not a panic.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {requested} threads capped at {max} ({MAX_THREADS_PER_CORE} per core)"
        );
        max
    } else {
        requested
    }
}

/// A rayon pool of `threads` workers.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::invalid(format!("cannot start {threads} threads: {e}")))
}
