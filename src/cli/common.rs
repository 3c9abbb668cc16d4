//! Flags shared by several subcommands.

use std::path::{Path, PathBuf};

use glove_wgpu::io::Format;
use glove_wgpu::progress::Progress;
use glove_wgpu::{Embeddings, Error, Result};

/// Prints a library note on stderr.
pub fn note(line: &str) {
    errln!("note: {line}");
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

/// Whether `path` is `-`: standard input for an input, standard output for an
/// output.
pub fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses `-` for an output that is not text (`flag` writes `what`): binary
/// data is written to files, or to `/dev/stdout` when asked for by name.
pub fn no_dash(flag: &str, path: &Path, what: &str) -> Result<()> {
    if is_dash(path) {
        return Err(Error::invalid(format!(
            "{flag} -: {what} is not text, so it is not written to standard output by `-`; give \
             a file name (or /dev/stdout, to send the bytes down a pipe)"
        )));
    }
    Ok(())
}

/// Checks, before any work starts, every output path against the inputs and
/// the other outputs. `inputs` and `outputs` are `(flag, path)` pairs; `-` is
/// standard input or output, never a file. An output is refused when it
///
/// - is an existing folder (the writers write files);
/// - names an input (an `ARCHIVE:MEMBER` input's archive included) or another
///   output;
/// - lies inside an input folder read as part files (Parquet folders): it
///   would become a part, read again by the next run;
/// - goes to a folder that does not exist or does not take new files.
///
/// A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written straight
/// through (see `glove_wgpu::atomic`): nothing to destroy or probe.
pub fn check_paths(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<()> {
    let folders: Vec<(&str, PathBuf)> = inputs
        .iter()
        .filter(|(_, p)| !is_dash(p) && p.is_dir())
        .filter_map(|(f, p)| Some((*f, p.canonicalize().ok()?)))
        .collect();
    for (k, (oflag, out)) in outputs.iter().enumerate() {
        if is_dash(out) {
            if let Some((other, _)) = outputs[k + 1..].iter().find(|(_, o)| is_dash(o)) {
                return Err(Error::invalid(format!(
                    "{oflag} and {other} both go to standard output (`-`); give one a file name"
                )));
            }
            continue;
        }
        match std::fs::metadata(out) {
            Ok(m) if m.is_dir() => {
                return Err(Error::invalid(format!(
                "{oflag} {} is a folder; give the name of a file to write (in it, or elsewhere)",
                out.display()
            )))
            }
            Ok(m) if !m.is_file() => continue,
            _ => {}
        }
        for (iflag, input) in inputs {
            if !is_dash(input) && same_file(out, &glove_wgpu::input::file_of(input)) {
                return Err(Error::invalid(format!(
                    "{oflag} {} is also the input {iflag}: writing it would destroy the \
                     input; choose another output path",
                    out.display()
                )));
            }
        }
        for (oflag2, out2) in &outputs[k + 1..] {
            if !is_dash(out2) && same_file(out, out2) {
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
        if let Ok(canon) = dir.canonicalize() {
            if let Some((iflag, folder)) = folders.iter().find(|(_, f)| canon.starts_with(f)) {
                return Err(Error::invalid(format!(
                    "{oflag} {} is inside {iflag} {}, a folder read as part files: the output \
                     would become one of its parts (and the next read would count it too); \
                     write it outside that folder",
                    out.display(),
                    folder.display()
                )));
            }
        }
        probe(oflag, &dir)?;
    }
    Ok(())
}

/// Checks that `dir` takes new files, by making (and removing) one.
fn probe(flag: &str, dir: &Path) -> Result<()> {
    let probe = dir.join(glove_wgpu::atomic::temp_name("probe"));
    std::fs::File::create(&probe)
        .map_err(|e| Error::io_path(&format!("{flag}: creating a file in"), dir, e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Checks, before any work starts, the checkpoint folder `dir`
/// (`--checkpoint-dir`): a folder, or a new one whose parent exists (it is made
/// here), that takes new files; and that no output or input is the checkpoint
/// file or the folder itself, which the first epoch's checkpoint would replace.
pub fn check_checkpoint_dir(
    dir: &Path,
    inputs: &[(&str, &Path)],
    outputs: &[(&str, &Path)],
) -> Result<()> {
    let flag = "--checkpoint-dir";
    let file = dir.join(glove_wgpu::train::checkpoint::FILE_NAME);
    for (oflag, out) in outputs {
        if !is_dash(out) && (same_file(out, dir) || same_file(out, &file)) {
            return Err(Error::invalid(format!(
                "{oflag} {} is the checkpoint {} of {flag} {}: each epoch's checkpoint would \
                 replace it; write it elsewhere",
                out.display(),
                if same_file(out, dir) {
                    "folder"
                } else {
                    "file"
                },
                dir.display()
            )));
        }
    }
    for (iflag, input) in inputs {
        if !is_dash(input) && same_file(&glove_wgpu::input::file_of(input), &file) {
            return Err(Error::invalid(format!(
                "{iflag} {} is the checkpoint file of {flag} {}, which training replaces",
                input.display(),
                dir.display()
            )));
        }
    }
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::invalid(format!(
                "{flag} {} is a file or a device, not a folder",
                dir.display()
            )))
        }
        Err(_) => {
            let parent = folder_of(dir);
            if !parent.is_dir() {
                return Err(Error::invalid(format!(
                    "{flag} {}: the folder {} does not exist",
                    dir.display(),
                    parent.display()
                )));
            }
            std::fs::create_dir(dir)
                .map_err(|e| Error::io_path(&format!("{flag}: creating"), dir, e))?;
        }
    }
    probe(flag, dir)
}

/// Checks, before any work starts, a `--temp-dir`: an existing folder that
/// takes new files (a mistyped one is not made, with all its parents).
pub fn check_temp_dir(dir: Option<&Path>) -> Result<()> {
    let Some(dir) = dir else { return Ok(()) };
    if !dir.is_dir() {
        return Err(Error::invalid(format!(
            "--temp-dir {}: no such folder (make it first; it is not made for you)",
            dir.display()
        )));
    }
    probe("--temp-dir", dir)
}

/// The vectors at `path` (its `member`, for a zip archive named alone), in
/// `format` or the one found in its head: read once, so a pipe loses nothing to
/// the detection. A file with no vectors is an error naming it, for every
/// command that loads one (searching it would otherwise fail later on a
/// "dimension 0").
pub fn load_vectors(
    path: &Path,
    member: Option<&str>,
    format: Option<Format>,
    progress: &mut Progress,
) -> Result<Embeddings> {
    let mut input = match member {
        Some(m) => glove_wgpu::input::Input::open_member(path, Some(m))?,
        None => glove_wgpu::input::Input::open(path)?,
    };
    let (emb, format) = glove_wgpu::io::read_input(&mut input, format, progress)?;
    if emb.is_empty() || emb.dim() == 0 {
        return Err(Error::malformed(
            input.name(),
            "file",
            format!("no vectors in it (read as {format} format)"),
        ));
    }
    Ok(emb)
}
