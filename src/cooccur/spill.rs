//! Temporary files: a folder removed on drop, sorted runs of `(key, count)`.
//!
//! A run is a sequence of `[u64; 2]` entries `(packed pair, fixed-point
//! count)`, native order, sorted by key with distinct keys. Runs live only for
//! the duration of one counting job, inside a [`TempDir`] that is removed when
//! the job ends, successfully or not.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// A private folder for temporary files, removed (with its content) on drop.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
    next: AtomicU64,
}

static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

impl TempDir {
    /// Creates a fresh folder inside `parent`.
    pub(crate) fn new(parent: &Path) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let seq = TEMP_SEQ.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!(
            ".glove-wgpu-tmp-{}-{nanos}-{seq}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::io_path("creating temporary folder", &path, e))?;
        Ok(TempDir {
            path,
            next: AtomicU64::new(0),
        })
    }

    /// A fresh file name in the folder.
    pub(crate) fn file(&self, what: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.path.join(format!("{what}-{n:06}.bin"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A temporary folder created on first use.
#[derive(Debug)]
pub(crate) struct LazyTempDir {
    parent: PathBuf,
    dir: Mutex<Option<std::sync::Arc<TempDir>>>,
}

impl LazyTempDir {
    pub(crate) fn new(parent: PathBuf) -> Self {
        LazyTempDir {
            parent,
            dir: Mutex::new(None),
        }
    }

    /// The folder, created if needed.
    pub(crate) fn get(&self) -> Result<std::sync::Arc<TempDir>> {
        let mut g = self.dir.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(d) = g.as_ref() {
            return Ok(d.clone());
        }
        let d = std::sync::Arc::new(TempDir::new(&self.parent)?);
        *g = Some(d.clone());
        Ok(d)
    }
}

/// Writes sorted entries to a new run file; returns its path.
pub(crate) fn write_run(path: &Path, entries: &[[u64; 2]]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io_path("creating", path, e))?;
    for chunk in entries.chunks(1 << 16) {
        f.write_all(bytemuck::cast_slice(chunk))
            .map_err(|e| Error::io_path("writing", path, e))?;
    }
    Ok(())
}

/// Streams `[u64; 2]` entries to a run file.
pub(crate) struct RunWriter {
    file: File,
    path: PathBuf,
    buf: Vec<[u64; 2]>,
    cap: usize,
}

impl RunWriter {
    pub(crate) fn create(path: PathBuf, buf_bytes: usize) -> Result<Self> {
        let file = File::create(&path).map_err(|e| Error::io_path("creating", &path, e))?;
        let cap = (buf_bytes / 16).max(256);
        Ok(RunWriter {
            file,
            path,
            buf: Vec::with_capacity(cap),
            cap,
        })
    }

    #[inline]
    pub(crate) fn push(&mut self, e: [u64; 2]) -> Result<()> {
        self.buf.push(e);
        if self.buf.len() == self.cap {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.file
            .write_all(bytemuck::cast_slice(&self.buf))
            .map_err(|e| Error::io_path("writing", &self.path, e))?;
        self.buf.clear();
        Ok(())
    }

    /// Flushes and closes; returns the path.
    pub(crate) fn finish(mut self) -> Result<PathBuf> {
        self.flush()?;
        Ok(self.path)
    }
}

/// Reads a run file sequentially, with a bounded buffer.
pub(crate) struct RunReader {
    file: File,
    path: PathBuf,
    buf: Vec<[u64; 2]>,
    pos: usize,
    left: u64,
    cap: usize,
}

impl RunReader {
    pub(crate) fn open(path: PathBuf, buf_bytes: usize) -> Result<Self> {
        let file = File::open(&path).map_err(|e| Error::io_path("opening", &path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io_path("reading the size of", &path, e))?
            .len();
        let mut r = RunReader {
            file,
            path,
            buf: Vec::new(),
            pos: 0,
            left: len / 16,
            cap: (buf_bytes / 16).max(256),
        };
        r.refill()?;
        Ok(r)
    }

    fn refill(&mut self) -> Result<()> {
        let n = (self.left.min(self.cap as u64)) as usize;
        self.buf.clear();
        self.buf.resize(n, [0; 2]);
        self.file
            .read_exact(bytemuck::cast_slice_mut(&mut self.buf))
            .map_err(|e| Error::io_path("reading", &self.path, e))?;
        self.left -= n as u64;
        self.pos = 0;
        Ok(())
    }

    /// The current entry, if any.
    #[inline]
    pub(crate) fn peek(&self) -> Option<[u64; 2]> {
        self.buf.get(self.pos).copied()
    }

    /// Moves to the next entry.
    #[inline]
    pub(crate) fn advance(&mut self) -> Result<()> {
        self.pos += 1;
        if self.pos == self.buf.len() && self.left > 0 {
            self.refill()?;
        }
        Ok(())
    }

    /// Closes the reader and deletes its file.
    pub(crate) fn remove(self) {
        let p = self.path.clone();
        drop(self);
        let _ = std::fs::remove_file(p);
    }
}
