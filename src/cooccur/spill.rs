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

#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Streams sorted `[key, count]` entries to a run file, compressed: each
/// entry is the varint of the key's difference from the previous key, then
/// the varint of the count (about 5 bytes an entry instead of 16).
pub(crate) struct RunWriter {
    file: File,
    path: PathBuf,
    buf: Vec<u8>,
    cap: usize,
    prev: u64,
}

impl RunWriter {
    pub(crate) fn create(path: PathBuf, buf_bytes: usize) -> Result<Self> {
        let file = File::create(&path).map_err(|e| Error::io_path("creating", &path, e))?;
        let cap = buf_bytes.max(4096);
        Ok(RunWriter {
            file,
            path,
            buf: Vec::with_capacity(cap + 20),
            cap,
            prev: 0,
        })
    }

    #[inline]
    pub(crate) fn push(&mut self, e: [u64; 2]) -> Result<()> {
        put_varint(&mut self.buf, e[0].wrapping_sub(self.prev));
        put_varint(&mut self.buf, e[1]);
        self.prev = e[0];
        if self.buf.len() >= self.cap {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.file
            .write_all(&self.buf)
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
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    cap: usize,
    prev: u64,
    cur: Option<[u64; 2]>,
}

impl RunReader {
    pub(crate) fn open(path: PathBuf, buf_bytes: usize) -> Result<Self> {
        let file = File::open(&path).map_err(|e| Error::io_path("opening", &path, e))?;
        let mut r = RunReader {
            file,
            path,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            cap: buf_bytes.max(4096),
            prev: 0,
            cur: None,
        };
        r.decode()?;
        Ok(r)
    }

    /// Keeps the unread bytes and reads more.
    fn refill(&mut self) -> Result<()> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let old = self.buf.len();
        self.buf.resize(old + self.cap, 0);
        let mut got = 0;
        while old + got < self.buf.len() {
            match self.file.read(&mut self.buf[old + got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io_path("reading", &self.path, e)),
            }
        }
        self.buf.truncate(old + got);
        Ok(())
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(Error::malformed(
                    self.path.display().to_string(),
                    "end",
                    "truncated temporary run",
                ));
            };
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn decode(&mut self) -> Result<()> {
        if self.buf.len() - self.pos < 20 && !self.eof {
            self.refill()?;
        }
        if self.pos == self.buf.len() {
            self.cur = None;
            return Ok(());
        }
        let key = self.prev.wrapping_add(self.varint()?);
        let count = self.varint()?;
        self.prev = key;
        self.cur = Some([key, count]);
        Ok(())
    }

    /// The current entry, if any.
    #[inline]
    pub(crate) fn peek(&self) -> Option<[u64; 2]> {
        self.cur
    }

    /// Moves to the next entry.
    #[inline]
    pub(crate) fn advance(&mut self) -> Result<()> {
        self.decode()
    }

    /// Closes the reader and deletes its file.
    pub(crate) fn remove(self) {
        let p = self.path.clone();
        drop(self);
        let _ = std::fs::remove_file(p);
    }
}
