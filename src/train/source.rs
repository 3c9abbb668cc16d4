//! Where training reads its triples: memory, or a co-occurrence file read again
//! every epoch in chunks, so a corpus whose co-occurrences do not fit in memory
//! trains within a budget (Stanford's `glove` streams its shuffled file the same
//! way).

use std::path::PathBuf;

use crate::cooccur::{Cooc, CoocFormat, CoocReader};
use crate::error::Result;

/// The triples of a training run.
///
/// ```no_run
/// use glove_wgpu::cooccur::CoocFormat;
/// use glove_wgpu::train::CoocSource;
/// let src = CoocSource::File { path: "cooc.shuf.bin".into(), format: CoocFormat::Native, chunk: 1 << 20 };
/// assert_eq!(src.len()?, 1_942_971);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum CoocSource<'a> {
    /// All in memory.
    Memory(&'a [Cooc]),
    /// A file in `format`, read in chunks of `chunk` triples, the next chunk read
    /// on another thread while the current one trains: about two chunks in memory.
    File {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: CoocFormat,
        /// Triples per chunk.
        chunk: usize,
    },
}

impl CoocSource<'_> {
    /// Number of triples.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::CoocSource};
    /// let cooc = [Cooc { i: 0, j: 1, x: 1.0 }; 3];
    /// assert_eq!(CoocSource::Memory(&cooc).len()?, 3);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn len(&self) -> Result<u64> {
        match self {
            CoocSource::Memory(c) => Ok(c.len() as u64),
            CoocSource::File { path, format, .. } => CoocReader::open(path, *format)?
                .len()
                .ok_or_else(|| crate::Error::invalid("a co-occurrence file of unknown length")),
        }
    }

    /// Whether there are no triples.
    ///
    /// ```
    /// use glove_wgpu::train::CoocSource;
    /// assert!(CoocSource::Memory(&[]).is_empty()?);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// A name for messages: the file, or `co-occurrences`.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::CoocFormat, train::CoocSource};
    /// assert_eq!(CoocSource::Memory(&[]).name(), "co-occurrences");
    /// let file = CoocSource::File { path: "cooc.bin".into(), format: CoocFormat::Native, chunk: 1024 };
    /// assert_eq!(file.name(), "cooc.bin");
    /// ```
    pub fn name(&self) -> String {
        match self {
            CoocSource::Memory(_) => "co-occurrences".into(),
            CoocSource::File { path, .. } => path.display().to_string(),
        }
    }

    /// Calls `f` with the triples in order, `chunk` at a time (when `chunk` is 0:
    /// all at once from memory, the source's own chunk from a file). A file's next chunk is read on another
    /// thread while `f` works; an error from either side stops both.
    ///
    /// ```
    /// use glove_wgpu::{cooccur::Cooc, train::CoocSource};
    /// let cooc = [Cooc { i: 0, j: 1, x: 1.0 }; 5];
    /// let mut sizes = Vec::new();
    /// CoocSource::Memory(&cooc).for_each_chunk(2, &mut |part| Ok(sizes.push(part.len())))?;
    /// assert_eq!(sizes, [2, 2, 1]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn for_each_chunk(
        &self,
        chunk: usize,
        f: &mut dyn FnMut(&[Cooc]) -> Result<()>,
    ) -> Result<()> {
        match self {
            CoocSource::Memory(c) => {
                // 0: all of it at once.
                let chunk = if chunk == 0 { c.len() } else { chunk };
                for part in c.chunks(chunk.max(1)) {
                    f(part)?;
                }
                Ok(())
            }
            CoocSource::File {
                path,
                format,
                chunk: own,
            } => {
                let chunk = if chunk == 0 { *own } else { chunk }.max(1);
                let mut reader = CoocReader::open(path, *format)?;
                std::thread::scope(|s| {
                    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Cooc>>>(1);
                    s.spawn(move || loop {
                        let mut buf = Vec::with_capacity(chunk);
                        match reader.read_chunk(&mut buf, chunk) {
                            Ok(0) => return,
                            Ok(_) => {
                                if tx.send(Ok(buf)).is_err() {
                                    return; // the trainer stopped
                                }
                            }
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        }
                    });
                    for part in rx {
                        f(&part?)?;
                    }
                    Ok(())
                })
            }
        }
    }
}
