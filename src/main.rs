//! The `glove-wgpu` command line: see `glove-wgpu --help`.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    runtime_dir();
    let args = cli::Cli::parse();
    match cli::run(args).and_then(|code| cli::out::flush().map(|()| code)) {
        Ok(code) => code,
        // The reader of standard output has gone (`| head -1`): end quietly, as
        // Unix tools do.
        Err(e) if cli::out::broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            cli::out::err_line(format_args!("error: {e}"));
            // An I/O error's message already ends with its source's.
            let mut source = std::error::Error::source(&e);
            if matches!(e, glove_wgpu::Error::Io { .. }) {
                source = source.and_then(|s| s.source());
            }
            while let Some(s) = source {
                cli::out::err_line(format_args!("  caused by: {s}"));
                source = s.source();
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// The Vulkan loader and Mesa's drivers print "XDG_RUNTIME_DIR is invalid or not
/// set" when the variable is missing (containers, `su`, cron), which reads like an
/// error of ours. Where it is unset, point it at a private folder of our own
/// before any thread starts; a set one is left alone.
fn runtime_dir() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::DirBuilderExt;
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let dir = std::env::temp_dir().join(format!("glove-wgpu-runtime-{uid}"));
        let made = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        let ours = std::fs::symlink_metadata(&dir).is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0
        });
        if (made.is_ok() || dir.is_dir()) && ours {
            // Only the main thread runs yet: nothing reads the environment concurrently.
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    }
}
