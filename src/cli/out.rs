//! Standard output and standard error of the commands: every write checked,
//! none panics (`println!` panics on a closed pipe or a full disk).
//!
//! A closed pipe on standard output (`glove-wgpu ... | head -1`) ends the
//! command quietly with exit code 0, as Unix tools end ([`broken_pipe`], in
//! `main`); any other write error is an error naming standard output (exit 1).
//! Lines to standard error are best effort: a closed standard error loses them,
//! and nothing else.

use std::io::Write;

use glove_wgpu::{Error, Result};

/// What a failed write to standard output says it was doing.
pub const STDOUT: &str = "writing to standard output";

/// Writes one line to standard output (what `outln!` calls).
pub fn write_line(args: std::fmt::Arguments) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| Error::io(STDOUT, e))
}

/// Writes one line to standard error, ignoring a failure (what `errln!` calls).
pub fn err_line(args: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// Flushes standard output, at the end of a command: a failure there is an
/// error as any other write's.
pub fn flush() -> Result<()> {
    std::io::stdout()
        .lock()
        .flush()
        .map_err(|e| Error::io(STDOUT, e))
}

/// Whether `e` is a write to a pipe whose reader has gone: the command then
/// ends quietly.
pub fn broken_pipe(e: &Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return true;
            }
        }
        source = s.source();
    }
    false
}
