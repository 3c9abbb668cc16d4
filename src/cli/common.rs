//! Flags shared by several subcommands.

use std::path::{Path, PathBuf};

use glove_wgpu::io::Format;
use glove_wgpu::progress::Progress;
use glove_wgpu::{Embeddings, Error, Result};

/// Prints a library note on stderr.
pub fn note(line: &str) {
    eprintln!("note: {line}");
}

/// How co-occurrences are counted: shared by `cooccur` and `fit`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WindowArgs {
    /// Context window: pairs at distance 1..=WINDOW.
    #[arg(long, default_value_t = glove_wgpu::cooccur::CooccurOptions::default().window)]
    pub window: usize,
    /// Left context only (records (earlier word, later word)).
    #[arg(long)]
    pub asymmetric: bool,
    /// Count 1 per pair instead of 1/distance.
    #[arg(long)]
    pub no_distance_weighting: bool,
}

impl WindowArgs {
    /// These settings on top of `opts`.
    pub fn apply(
        self,
        opts: glove_wgpu::cooccur::CooccurOptions,
    ) -> glove_wgpu::cooccur::CooccurOptions {
        glove_wgpu::cooccur::CooccurOptions {
            window: self.window,
            symmetric: !self.asymmetric,
            distance_weighting: !self.no_distance_weighting,
            ..opts
        }
    }
}

/// The folder a file goes in (`.` for a bare name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether two paths name the same file: the same device and inode where both
/// exist (hard links, symlinks, `./a` and `a`), else the same absolute path.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs(a) == abs(b)
}

/// Checks, before any work starts, that no output path names an input or another
/// output, and that each output's folder exists and takes new files. `inputs` and
/// `outputs` are `(flag, path)` pairs; `-` (standard input) is never a file.
pub fn check_paths(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<()> {
    for (k, (oflag, out)) in outputs.iter().enumerate() {
        // A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written
        // straight through (see `glove_wgpu::atomic`): nothing to destroy or probe.
        if std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            continue;
        }
        for (iflag, input) in inputs {
            if input.as_os_str() != "-" && same_file(out, input) {
                return Err(Error::invalid(format!(
                    "{oflag} {} is also the input {iflag}: writing it would destroy the \
                     input; choose another output path",
                    out.display()
                )));
            }
        }
        for (oflag2, out2) in &outputs[k + 1..] {
            if same_file(out, out2) {
                return Err(Error::invalid(format!(
                    "{oflag} and {oflag2} are the same file ({}); choose two paths",
                    out.display()
                )));
            }
        }
        let dir = folder_of(out);
        if !dir.is_dir() {
            return Err(Error::invalid(format!(
                "{oflag} {}: the folder {} does not exist",
                out.display(),
                dir.display()
            )));
        }
        let probe = dir.join(glove_wgpu::atomic::temp_name("probe"));
        std::fs::File::create(&probe)
            .map_err(|e| Error::io_path(&format!("{oflag}: creating a file in"), &dir, e))?;
        let _ = std::fs::remove_file(&probe);
    }
    Ok(())
}

/// The vectors at `path` in `format`, or in the format [`Format::detect`] finds;
/// a file with no vectors is an error naming it, for every command that loads
/// one (searching it would otherwise fail later on a "dimension 0").
pub fn load_vectors(
    path: &Path,
    format: Option<Format>,
    progress: &mut Progress,
) -> Result<Embeddings> {
    let format = match format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    let emb = glove_wgpu::io::read_with(path, format, progress)?;
    if emb.is_empty() || emb.dim() == 0 {
        return Err(Error::malformed(
            path.display().to_string(),
            "file",
            format!("no vectors in it (read as {format} format)"),
        ));
    }
    Ok(emb)
}
