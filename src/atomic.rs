//! Files that appear whole or not at all.
//!
//! [`AtomicFile`] writes to a hidden temporary file in the destination's folder
//! and renames it over the destination on [`AtomicFile::commit`]. If the writer
//! is dropped without committing (an error, a panic), the temporary file is
//! removed and the destination is untouched, so a crash never leaves a
//! half-written model or co-occurrence file.
//!
//! - A symlink at the destination is written through: its target is replaced
//!   (atomically, next to the target) and the link stays.
//! - An existing file keeps its permissions. Hard links to it are not kept: the
//!   rename gives the path a new file, which is what makes the write atomic.
//! - A destination that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO)
//!   is written straight through, with no temporary file: replacing a device by a
//!   regular file would be wrong, and a reader at the other end of a pipe wants the
//!   bytes.
//! - [`AtomicFile::create_compressed`] writes gzip when the destination's name
//!   ends in `.gz`: the text is cut into blocks of 1 MiB, compressed in
//!   parallel, one gzip member each (as `bgzip` and `pigz --independent` write;
//!   `gzip -d`, Python's `gzip` and every reader here take such files).
//! - Every temporary file or folder of this crate is named
//!   `.glove-wgpu-tmp-<pid>-...` ([`temp_name`]); [`remove_leftovers`] removes those
//!   of processes that no longer run (a `kill -9`), and runs wherever one is made.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A buffered writer whose file replaces `path` only when committed.
///
/// ```
/// use std::io::Write;
/// let dir = std::env::temp_dir();
/// let path = dir.join("glove_wgpu_atomic_doc.txt");
/// let mut f = glove_wgpu::atomic::AtomicFile::create(&path)?;
/// writeln!(f, "hello").unwrap();
/// f.commit()?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    /// The gzip blocks in front of the writer, for a `.gz` destination.
    gz: Option<GzBlocks>,
    /// The temporary file, or `None` when writing straight through.
    tmp: Option<PathBuf>,
    dest: PathBuf,
    /// Bytes written so far, and how many of them were handed to
    /// [`AtomicFile::start_writeback`].
    written: u64,
    handed: u64,
}

impl AtomicFile {
    /// Starts writing a file that will replace `path` on commit (see the module
    /// docs for symlinks, permissions and files that are not regular).
    ///
    /// ```
    /// use std::io::Write;
    /// use glove_wgpu::atomic::AtomicFile;
    /// let path = std::env::temp_dir().join(format!("glove-doc-atomic-{}.txt", std::process::id()));
    /// let mut f = AtomicFile::create(&path)?;
    /// f.write_all(b"half").unwrap();
    /// drop(f); // not committed: no file
    /// assert!(!path.exists());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let given = path.as_ref().to_path_buf();
        // A device, a pipe or a socket (`/dev/null`, `/dev/stdout`, a FIFO), also
        // through a link (`/dev/stdout` to `/proc/self/fd/1` to `pipe:[...]`):
        // written straight through. Standard output and error by name are the
        // process's own (reopening a pipe whose reader is gone would wait for
        // ever).
        let stream = std::fs::metadata(&given).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if stream {
            let file = match std_stream(&given) {
                Some(f) => f,
                None => std::fs::OpenOptions::new()
                    .write(true)
                    .open(&given)
                    .map_err(|e| Error::io_path("opening", &given, e))?,
            };
            let dest = given;
            return Ok(AtomicFile {
                writer: Some(BufWriter::with_capacity(1 << 20, file)),
                gz: None,
                written: 0,
                handed: 0,
                tmp: None,
                dest,
            });
        }
        // Through a symlink to where it points (the link itself stays).
        let dest = match std::fs::symlink_metadata(&given) {
            Ok(m) if m.file_type().is_symlink() => resolve_link(&given)?,
            _ => given,
        };
        let meta = std::fs::metadata(&dest).ok();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{} is not a file path", dest.display())))?
            .to_string_lossy()
            .into_owned();
        remove_leftovers(&dir);
        let tmp = dir.join(temp_name(&name));
        let file = File::create(&tmp).map_err(|e| Error::io_path("creating", &tmp, e))?;
        if let Some(m) = meta.filter(|m| m.is_file()) {
            // Keep the destination's permissions (best effort: a foreign owner's
            // file may refuse, and the data matters more).
            let _ = file.set_permissions(m.permissions());
        }
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            gz: None,
            written: 0,
            handed: 0,
            tmp: Some(tmp),
            dest,
        })
    }

    /// [`AtomicFile::create`], writing gzip when `path`'s name ends in `.gz`
    /// (any case): what the writers of vectors, vocabularies, co-occurrences
    /// and reports use.
    ///
    /// ```
    /// use std::io::Write;
    /// use glove_wgpu::atomic::AtomicFile;
    /// let path = std::env::temp_dir().join(format!("glove-doc-gz-{}.txt.gz", std::process::id()));
    /// let mut f = AtomicFile::create_compressed(&path)?;
    /// f.write_all(b"the 0.5 1.5\n").unwrap();
    /// f.commit()?;
    /// assert_eq!(&std::fs::read(&path).unwrap()[..2], b"\x1f\x8b"); // gzip's magic
    /// let back = glove_wgpu::input::read_text(&path)?;
    /// assert_eq!(back, "the 0.5 1.5\n");
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn create_compressed(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut f = AtomicFile::create(path)?;
        if is_gz_name(path) {
            f.gz = Some(GzBlocks::default());
        }
        Ok(f)
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    ///
    /// ```
    /// use std::io::Write;
    /// use glove_wgpu::atomic::AtomicFile;
    /// let path = std::env::temp_dir().join(format!("glove-doc-commit-{}.txt", std::process::id()));
    /// std::fs::write(&path, "old").unwrap();
    /// let mut f = AtomicFile::create(&path)?;
    /// f.write_all(b"new").unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "old"); // until the commit
    /// f.commit()?;
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn commit(mut self) -> Result<()> {
        if let Some(gz) = self.gz.take() {
            let writer = self.writer.as_mut().expect("writer present until commit");
            if let Err(e) = gz.finish(writer) {
                let dest = self.dest.clone();
                return Err(Error::io_path("writing", &dest, e));
            }
        }
        let writer = self.writer.take().expect("writer present until commit");
        let Some(tmp) = self.tmp.clone() else {
            // Straight through: flush; devices and pipes have nothing to sync.
            writer
                .into_inner()
                .map_err(|e| Error::io_path("writing", &self.dest, e.into_error()))?;
            return Ok(());
        };
        // Any failure from here on removes the temporary file: `Drop` no longer can.
        let fail = |verb: &str, path: &Path, e: std::io::Error| {
            let _ = std::fs::remove_file(&tmp);
            Error::io_path(verb, path, e)
        };
        let file = writer
            .into_inner()
            .map_err(|e| fail("writing", &self.dest, e.into_error()))?;
        file.sync_all().map_err(|e| fail("syncing", &tmp, e))?;
        drop(file);
        std::fs::rename(&tmp, &self.dest).map_err(|e| fail("renaming into", &self.dest, e))?;
        Ok(())
    }

    /// Flushes and asks the system to start writing the bytes written since
    /// the last call to disk, without waiting for them (Linux's
    /// `sync_file_range` on that range only; elsewhere a flush only). Called
    /// while other work goes on, it leaves the sync in
    /// [`AtomicFile::commit`] less to wait for. Only a hint: the commit still
    /// syncs everything.
    pub(crate) fn start_writeback(&mut self) -> std::io::Result<()> {
        if self.gz.is_some() {
            return Ok(()); // compressed: the commit's sync does it all
        }
        let writer = self.writer.as_mut().expect("not committed");
        writer.flush()?;
        start_writeback(writer.get_ref(), self.handed, self.written - self.handed);
        self.handed = self.written;
        Ok(())
    }

    /// The destination path.
    ///
    /// ```
    /// use glove_wgpu::atomic::AtomicFile;
    /// let path = std::env::temp_dir().join(format!("glove-doc-path-{}.txt", std::process::id()));
    /// let f = AtomicFile::create(&path)?;
    /// assert_eq!(f.path(), path);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.dest
    }
}

/// Starts the write-out of `len` bytes of `file` from `from`, without
/// waiting.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor belongs to `file`, open for the whole call; the
    // call reads only its integer arguments. Its result is ignored: a failed
    // hint changes nothing, and the commit's sync reports real write errors.
    let _ = unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        )
    };
}

/// Elsewhere only the commit's sync writes the file out.
#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _len: u64) {}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(gz) = &mut self.gz {
            gz.push(buf, self.writer.as_mut().expect("not committed"))?;
            return Ok(buf.len());
        }
        let n = self.writer.as_mut().expect("not committed").write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(gz) = &mut self.gz {
            return gz.push(buf, self.writer.as_mut().expect("not committed"));
        }
        self.writer
            .as_mut()
            .expect("not committed")
            .write_all(buf)?;
        self.written += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.as_mut().expect("not committed").flush()
    }
}

/// Whether `path`'s name ends in `.gz` (any case): the writers then write gzip.
///
/// ```
/// use glove_wgpu::atomic::is_gz_name;
/// assert!(is_gz_name("vectors.txt.GZ".as_ref()));
/// assert!(!is_gz_name("vectors.txt".as_ref()));
/// ```
pub fn is_gz_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Uncompressed bytes in one gzip member of a `.gz` output.
const GZ_BLOCK: usize = 1 << 20;
/// The gzip level of `.gz` outputs: gzip's own default.
const GZ_LEVEL: u32 = 6;

/// The text of a `.gz` output, cut into blocks that are compressed in parallel,
/// one gzip member each, and written in order.
#[derive(Debug, Default)]
struct GzBlocks {
    /// The block being filled.
    open: Vec<u8>,
    /// Full blocks waiting to be compressed.
    full: Vec<Vec<u8>>,
    /// Members written so far.
    members: u64,
}

impl GzBlocks {
    fn push(&mut self, mut buf: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
        while !buf.is_empty() {
            if self.open.capacity() == 0 {
                self.open.reserve_exact(GZ_BLOCK);
            }
            let take = buf.len().min(GZ_BLOCK - self.open.len());
            self.open.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.open.len() == GZ_BLOCK {
                self.full.push(std::mem::take(&mut self.open));
                if self.full.len() >= 2 * rayon::current_num_threads().max(1) {
                    self.compress(out)?;
                }
            }
        }
        Ok(())
    }

    /// Compresses the full blocks in parallel and writes them in order.
    fn compress(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        use rayon::prelude::*;
        let members: Vec<std::io::Result<Vec<u8>>> =
            self.full.par_iter().map(|b| gzip_member(b)).collect();
        self.full.clear();
        for m in members {
            out.write_all(&m?)?;
            self.members += 1;
        }
        Ok(())
    }

    /// Writes what is left; an output with no text at all is one empty member
    /// (a valid gzip file).
    fn finish(mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if !self.open.is_empty() || (self.members == 0 && self.full.is_empty()) {
            self.full.push(std::mem::take(&mut self.open));
        }
        self.compress(out)
    }
}

fn gzip_member(block: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(block.len() / 2 + 64),
        flate2::Compression::new(GZ_LEVEL),
    );
    enc.write_all(block)?;
    enc.finish()
}

/// `bytes` as a gzip stream (members of at most 1 MiB, as `.gz` outputs are
/// written).
///
/// ```
/// let gz = glove_wgpu::atomic::gzip(b"hello");
/// assert_eq!(&gz[..2], b"\x1f\x8b");
/// ```
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut blocks = GzBlocks::default();
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = blocks
        .push(bytes, &mut out)
        .and_then(|()| blocks.finish(&mut out));
    out
}

/// Writes `bytes` to `path` atomically, as gzip when its name ends in `.gz`.
///
/// ```
/// let path = std::env::temp_dir().join(format!("glove-doc-write-compressed-{}.gz", std::process::id()));
/// glove_wgpu::atomic::write_compressed(&path, b"abc")?;
/// assert_eq!(glove_wgpu::input::read_text(&path)?, "abc");
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn write_compressed(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let mut f = AtomicFile::create_compressed(path)?;
    f.write_all(bytes)
        .map_err(|e| Error::io_path("writing", path, e))?;
    f.commit()
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            if let Some(tmp) = &self.tmp {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// This process's standard output or error when `path` names it
/// (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`, and the same for 2): a copy
/// of the descriptor.
fn std_stream(path: &Path) -> Option<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let p = path.to_str()?;
        let fd = match p {
            "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => {
                std::io::stdout().as_fd().try_clone_to_owned()
            }
            "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => {
                std::io::stderr().as_fd().try_clone_to_owned()
            }
            _ => return None,
        };
        fd.ok().map(File::from)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Where the symlink `link` finally points, following chains of links.
fn resolve_link(link: &Path) -> Result<PathBuf> {
    let mut at = link.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let target =
                    std::fs::read_link(&at).map_err(|e| Error::io_path("reading", &at, e))?;
                at = match at.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(Error::invalid(format!(
        "{}: too many levels of symbolic links",
        link.display()
    )))
}

const TEMP_PREFIX: &str = ".glove-wgpu-tmp-";

/// The name of a temporary file or folder of this process: `.glove-wgpu-tmp-`,
/// the process id, `-`, this machine's [`process_space`] tag, `-`, then `what`.
/// [`remove_leftovers`] knows it by that.
///
/// ```
/// let name = glove_wgpu::atomic::temp_name("vectors.txt");
/// assert!(name.starts_with(".glove-wgpu-tmp-") && name.ends_with("-vectors.txt"));
/// ```
pub fn temp_name(what: &str) -> String {
    temp_name_of(std::process::id(), what)
}

/// [`temp_name`] as process `pid` of this machine would make it.
///
/// ```
/// use glove_wgpu::atomic::{temp_name, temp_name_of};
/// assert_eq!(temp_name_of(std::process::id(), "x"), temp_name("x"));
/// assert!(temp_name_of(42, "x").starts_with(".glove-wgpu-tmp-42-"));
/// ```
pub fn temp_name_of(pid: u32, what: &str) -> String {
    format!("{TEMP_PREFIX}{pid}-{}-{what}", process_space())
}

/// A tag of the process-id space this process lives in: the machine's boot and
/// its PID namespace (Linux), hashed to 8 hex digits. A process id means
/// something only within one such space: the temporary files of a run on another
/// host sharing the folder, or in another container, carry another tag and are
/// never taken for a dead run's.
///
/// ```
/// let tag = glove_wgpu::atomic::process_space();
/// assert_eq!(tag.len(), 8);
/// assert!(glove_wgpu::atomic::temp_name("x").contains(tag));
/// ```
pub fn process_space() -> &'static str {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
        let ns = std::fs::read_link("/proc/self/ns/pid")
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        // FNV-1a: stable across builds and platforms.
        let mut h: u32 = 0x811c_9dc5;
        for b in boot.trim().bytes().chain(ns.bytes()) {
            h = (h ^ b as u32).wrapping_mul(0x0100_0193);
        }
        format!("{h:08x}")
    })
}

/// Removes the temporary files and folders in `dir` left by processes of this
/// crate that no longer run (killed before they could clean up): those whose
/// [`process_space`] tag is this process's and whose process id is not running.
/// Only on Linux, where `/proc` tells which processes run; elsewhere it does
/// nothing. Errors are ignored: this is housekeeping.
///
/// ```
/// use glove_wgpu::atomic::{remove_leftovers, temp_name, temp_name_of};
/// let dir = std::env::temp_dir().join(format!("glove-doc-leftovers-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let (dead, mine) = (dir.join(temp_name_of(u32::MAX, "a")), dir.join(temp_name("b")));
/// std::fs::write(&dead, "").unwrap();
/// std::fs::write(&mine, "").unwrap();
/// remove_leftovers(&dir);
/// assert_eq!((dead.exists(), mine.exists()), (!cfg!(target_os = "linux"), true));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn remove_leftovers(dir: &Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let mut parts = rest.splitn(3, '-');
        let (Some(pid), Some(space)) = (
            parts.next().and_then(|p| p.parse::<u32>().ok()),
            parts.next(),
        ) else {
            continue;
        };
        if space != process_space() || pid == me || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = e.path();
        let _ = if e.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("keep"), b"x").unwrap(); // a non-empty folder cannot be replaced
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"data").unwrap();
        assert!(f.commit().is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the folder remains: {left:?}");
    }

    #[test]
    fn writes_through_a_symlink_and_keeps_the_link_and_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.txt");
        std::fs::write(&target, b"old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        let mut f = AtomicFile::create(&link).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn devices_are_written_straight_through() {
        let mut f = AtomicFile::create("/dev/null").unwrap();
        f.write_all(b"discarded").unwrap();
        f.commit().unwrap();
        let m = std::fs::metadata("/dev/null").unwrap();
        assert!(!m.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 0x7fff_fff0 runs nowhere; this process's own files stay, and so do
        // those of another host or container (another process space).
        let dead_dir = dir.path().join(temp_name_of(2147483632, "123-0"));
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join("run-000000.bin"), b"x").unwrap();
        let dead_file = dir.path().join(temp_name_of(2147483632, "vectors.txt"));
        std::fs::write(&dead_file, b"x").unwrap();
        let elsewhere = dir
            .path()
            .join(".glove-wgpu-tmp-2147483632-00000000-vectors.txt");
        std::fs::write(&elsewhere, b"x").unwrap();
        let mine = dir.path().join(temp_name("mine"));
        std::fs::write(&mine, b"x").unwrap();
        let other = dir.path().join(".vectors.txt.tmp99");
        std::fs::write(&other, b"x").unwrap();
        remove_leftovers(dir.path());
        if cfg!(target_os = "linux") {
            assert!(!dead_dir.exists() && !dead_file.exists());
        }
        assert!(mine.exists() && other.exists() && elsewhere.exists());
    }

    #[test]
    fn dropped_without_commit_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        std::fs::write(&dest, b"old").unwrap();
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
