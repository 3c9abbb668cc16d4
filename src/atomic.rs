//! Files that appear whole or not at all.
//!
//! [`AtomicFile`] writes to a hidden temporary file in the destination's folder
//! and renames it over the destination on [`AtomicFile::commit`]. If the writer
//! is dropped without committing (an error, a panic), the temporary file is
//! removed and the destination is untouched, so a crash never leaves a
//! half-written model or co-occurrence file.

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
    tmp: PathBuf,
    dest: PathBuf,
    /// Bytes written so far, and how many of them were handed to
    /// [`AtomicFile::start_writeback`].
    written: u64,
    handed: u64,
}

impl AtomicFile {
    /// Starts writing a file that will replace `path` on commit.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let dest = path.as_ref().to_path_buf();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{} is not a file path", dest.display())))?
            .to_string_lossy()
            .into_owned();
        let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
        let file = File::create(&tmp).map_err(|e| Error::io_path("creating", &tmp, e))?;
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            written: 0,
            handed: 0,
            tmp,
            dest,
        })
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        // Any failure from here on removes the temporary file: `Drop` no longer can.
        let fail = |verb: &str, path: &Path, e: std::io::Error| {
            let _ = std::fs::remove_file(&self.tmp);
            Error::io_path(verb, path, e)
        };
        let file = writer
            .into_inner()
            .map_err(|e| fail("writing", &self.dest, e.into_error()))?;
        file.sync_all().map_err(|e| fail("syncing", &self.tmp, e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| fail("renaming into", &self.dest, e))?;
        Ok(())
    }

    /// Flushes and asks the system to start writing the bytes written since
    /// the last call to disk, without waiting for them (Linux's
    /// `sync_file_range` on that range only; elsewhere a flush only). Called
    /// while other work goes on, it leaves the sync in
    /// [`AtomicFile::commit`] less to wait for. Only a hint: the commit still
    /// syncs everything.
    pub(crate) fn start_writeback(&mut self) -> std::io::Result<()> {
        let writer = self.writer.as_mut().expect("not committed");
        writer.flush()?;
        start_writeback(writer.get_ref(), self.handed, self.written - self.handed);
        self.handed = self.written;
        Ok(())
    }

    /// The destination path.
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
        let n = self.writer.as_mut().expect("not committed").write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
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

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
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
