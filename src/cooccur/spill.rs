//! Temporary files: a folder removed on drop, sorted runs of `(key, count)`.
//!
//! A run is a sequence of `[u64; 2]` entries `(packed pair, fixed-point
//! count)`, sorted by key with distinct keys, cut into parts at fixed row
//! bounds (the same for every run of a job) so that each part can be read on
//! its own and the parts merged in parallel. Runs live only for the duration
//! of one counting job, inside a [`TempDir`] that is removed when the job
//! ends, successfully or not.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Where a job writing `output` makes its private folder: `temp_dir` if
/// given, otherwise the output's folder (the system's temporary folder when the
/// output is a device or a pipe, such as `/dev/stdout`).
pub(crate) fn temp_parent(temp_dir: Option<&Path>, output: &Path) -> PathBuf {
    let stream = std::fs::metadata(output).is_ok_and(|m| !m.is_file() && !m.is_dir());
    match temp_dir {
        Some(d) => d.to_path_buf(),
        None if stream => std::env::temp_dir(),
        None => match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}

/// Checks that the folder temporary files go in exists.
pub(crate) fn check_temp_parent(parent: &Path) -> Result<()> {
    match std::fs::metadata(parent) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::invalid(format!(
            "the folder for temporary files, {}, is not a folder",
            parent.display()
        ))),
        Err(e) => Err(Error::io_path(
            "the folder for temporary files: opening",
            parent,
            e,
        )),
    }
}

/// A private folder for temporary files, removed (with its content) on drop.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
    next: AtomicU64,
}

static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

impl TempDir {
    /// Creates a fresh folder inside `parent`, which must exist (a mistyped
    /// `--temp-dir` is an error, not a tree of new folders).
    pub(crate) fn new(parent: &Path) -> Result<Self> {
        check_temp_parent(parent)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let seq = TEMP_SEQ.fetch_add(1, Ordering::Relaxed);
        crate::atomic::remove_leftovers(parent);
        let path = parent.join(crate::atomic::temp_name(&format!("{nanos}-{seq}")));
        std::fs::create_dir(&path)
            .map_err(|e| Error::io_path("creating temporary folder", &path, e))?;
        Ok(TempDir {
            path,
            next: AtomicU64::new(0),
        })
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
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

/// A run file and where its parts begin.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) path: PathBuf,
    /// The byte offset of each part, then the file's length: part `p` is
    /// `offsets[p]..offsets[p + 1]`.
    offsets: Vec<u64>,
    /// The entries of each part.
    entries: Vec<u64>,
}

impl Run {
    /// The number of parts.
    pub(crate) fn parts(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The entries of part `p`.
    pub(crate) fn part_entries(&self, p: usize) -> u64 {
        self.entries[p]
    }

    /// The file's length.
    pub(crate) fn bytes(&self) -> u64 {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Deletes the file.
    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Streams sorted `[key, count]` entries to a run file, compressed: each
/// entry is the varint of the key's difference from the previous key (from 0
/// at the start of a part), then the varint of the count (about 5 bytes an
/// entry instead of 16).
pub(crate) struct RunWriter {
    file: File,
    path: PathBuf,
    buf: Vec<u8>,
    cap: usize,
    prev: u64,
    /// The first key of each part after the first.
    bounds: std::sync::Arc<Vec<u64>>,
    offsets: Vec<u64>,
    entries: Vec<u64>,
    written: u64,
}

impl RunWriter {
    /// A new run file cut into parts at `bounds` (see [`Run`]).
    pub(crate) fn create(
        path: PathBuf,
        buf_bytes: usize,
        bounds: std::sync::Arc<Vec<u64>>,
    ) -> Result<Self> {
        let file = File::create(&path).map_err(|e| Error::io_path("creating", &path, e))?;
        let cap = buf_bytes.max(4096);
        Ok(RunWriter {
            file,
            path,
            buf: Vec::with_capacity(cap + 20),
            cap,
            prev: 0,
            bounds,
            offsets: vec![0],
            entries: vec![0],
            written: 0,
        })
    }

    /// Starts the parts whose bounds are at most `key`.
    #[inline]
    fn cut(&mut self, key: u64) {
        while let Some(&b) = self.bounds.get(self.offsets.len() - 1) {
            if key < b {
                break;
            }
            self.offsets.push(self.written + self.buf.len() as u64);
            self.entries.push(0);
            self.prev = 0;
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, e: [u64; 2]) -> Result<()> {
        self.cut(e[0]);
        put_varint(&mut self.buf, e[0].wrapping_sub(self.prev));
        put_varint(&mut self.buf, e[1]);
        self.prev = e[0];
        *self.entries.last_mut().expect("a part is open") += 1;
        if self.buf.len() >= self.cap {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.file
            .write_all(&self.buf)
            .map_err(|e| Error::io_path("writing", &self.path, e))?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Flushes and closes the file.
    pub(crate) fn finish(mut self) -> Result<Run> {
        self.cut(u64::MAX);
        self.flush()?;
        self.offsets.push(self.written);
        Ok(Run {
            path: self.path,
            offsets: self.offsets,
            entries: self.entries,
        })
    }
}

/// Reads consecutive parts of a run file sequentially, with a bounded buffer.
pub(crate) struct RunReader {
    file: std::io::Take<File>,
    /// The file offset of `buf[0]`.
    base: u64,
    /// The offsets of the parts after the first, where keys restart from 0.
    restarts: Vec<u64>,
    next_restart: usize,
    path: PathBuf,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    cap: usize,
    prev: u64,
    cur: Option<[u64; 2]>,
}

impl RunReader {
    /// A reader of parts `parts` of `run`.
    pub(crate) fn open(run: &Run, parts: std::ops::Range<usize>, buf_bytes: usize) -> Result<Self> {
        use std::io::Seek;
        let path = run.path.clone();
        let (start, end) = (run.offsets[parts.start], run.offsets[parts.end]);
        let mut file = File::open(&path).map_err(|e| Error::io_path("opening", &path, e))?;
        file.seek(std::io::SeekFrom::Start(start))
            .map_err(|e| Error::io_path("seeking in", &path, e))?;
        let mut r = RunReader {
            file: file.take(end - start),
            base: start,
            restarts: run.offsets[parts.start + 1..parts.end].to_vec(),
            next_restart: 0,
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
        self.base += self.pos as u64;
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
        let at = self.base + self.pos as u64;
        while self.restarts.get(self.next_restart) == Some(&at) {
            self.prev = 0;
            self.next_restart += 1;
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
}

/// Run files this process may hold open at once: the open-file limit (the soft
/// limit, first raised to the hard limit where allowed), less the files already
/// open and a margin of 32, at most 128 (the fan-in the merge was tuned for) and at
/// least 3. Read once. Without `getrlimit` (not Linux): 128.
pub(crate) fn open_files_allowed() -> usize {
    static ALLOWED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *ALLOWED.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            let mut r = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: `r` is a valid rlimit the calls read or fill.
            if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 {
                if r.rlim_cur < r.rlim_max {
                    let raised = libc::rlimit {
                        rlim_cur: r.rlim_max.min(1 << 16),
                        rlim_max: r.rlim_max,
                    };
                    // SAFETY: as above.
                    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                        r.rlim_cur = raised.rlim_cur;
                    }
                }
                let open = std::fs::read_dir("/proc/self/fd").map_or(16, |d| d.count());
                return (r.rlim_cur as usize)
                    .saturating_sub(open + 32)
                    .clamp(3, 128);
            }
        }
        128
    })
}
