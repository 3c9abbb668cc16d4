//! The one way tests run the `glove-wgpu` binary: [`bin`] makes the command (add
//! arguments, stdin, or spawn it), [`run`] waits for it and returns exit code,
//! stdout and stderr; [`ok`], [`fails`] and [`cli`] are the usual shorthands.

use std::process::{Command, ExitStatus};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_glove-wgpu");

/// What a finished run gave. `code` is -1 when a signal ended it.
#[derive(Debug)]
pub struct Out {
    pub status: ExitStatus,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// `(code, stdout, stderr)`, for `let (code, out, err) = cli(..).parts();`.
    pub fn parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }
}

/// `glove-wgpu` as a command, before its arguments.
pub fn bin() -> Command {
    Command::new(BIN)
}

/// Runs `cmd` to the end. Stdin is whatever `cmd` was given (by default the test's).
#[track_caller]
pub fn run(cmd: &mut Command) -> Out {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = |b: Vec<u8>, what: &str| {
        String::from_utf8(b).unwrap_or_else(|e| panic!("{cmd:?}: {what} is not UTF-8: {e}"))
    };
    Out {
        status: out.status,
        code: out.status.code().unwrap_or(-1),
        stdout: text(out.stdout, "stdout"),
        stderr: text(out.stderr, "stderr"),
    }
}

/// `glove-wgpu ARGS...`, run to the end.
#[track_caller]
pub fn cli(args: &[&str]) -> Out {
    run(bin().args(args))
}

/// Runs `cmd`, which must succeed; its stdout.
#[track_caller]
pub fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed:\n{}", out.stderr);
    out.stdout
}

/// Runs `cmd`, which must fail; its stderr.
#[track_caller]
pub fn fails(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(!out.status.success(), "{cmd:?} succeeded");
    out.stderr
}
