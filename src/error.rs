//! The crate's one error type.
//!
//! Every fallible function in `glove_wgpu` returns [`Result<T>`]. Errors carry
//! enough context to act on them: a malformed file names the file, the line or
//! record and the problem; a GPU failure says what the device reported.

use std::path::Path;

/// Result alias used throughout the crate.
///
/// ```
/// use glove_wgpu::{Error, Result};
/// fn half(n: u32) -> Result<u32> {
///     if n % 2 == 0 { Ok(n / 2) } else { Err(Error::invalid(format!("{n} is odd"))) }
/// }
/// assert_eq!(half(4)?, 2);
/// assert_eq!(half(3).unwrap_err().to_string(), "invalid argument: 3 is odd");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `glove_wgpu`.
///
/// ```
/// use glove_wgpu::Error;
/// let e = Error::malformed("vectors.txt", "line 3", "expected 50 values, found 49");
/// assert_eq!(e.to_string(), "vectors.txt: line 3: expected 50 values, found 49");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system I/O error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, usually naming the file.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Input data (a file or a stream) that does not follow its format.
    #[error("{source_name}: {location}: {problem}")]
    Malformed {
        /// The file (or stream) name.
        source_name: String,
        /// Where: `line N`, `record N`, `header`, `byte N`.
        location: String,
        /// What is wrong.
        problem: String,
    },
    /// An argument that the function cannot work with (shape mismatch, k = 0, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A word that is not in the vocabulary.
    #[error("unknown word: {0:?}")]
    UnknownWord(String),
    /// No GPU adapter matched the request.
    #[error("no GPU adapter found: {0}")]
    NoAdapter(String),
    /// The GPU device was lost (driver reset, device removed, ...).
    #[error("GPU device lost: {0}")]
    DeviceLost(String),
    /// Memory ran out: on the GPU (the message says so) or on the host.
    #[error("out of memory: {0}")]
    OutOfMemory(String),
    /// Any other error reported by the GPU driver or by wgpu validation.
    #[error("GPU error: {0}")]
    Gpu(String),
}

impl Error {
    /// An I/O error with context, e.g. `Error::io(format!("reading {}", p.display()), e)`.
    ///
    /// ```
    /// use glove_wgpu::Error;
    /// let e = Error::io("reading the corpus", std::io::Error::other("disk on fire"));
    /// assert_eq!(e.to_string(), "reading the corpus: disk on fire");
    /// ```
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// An I/O error on a path: the context is `"{verb} {path}"`.
    ///
    /// ```
    /// use glove_wgpu::Error;
    /// let e = Error::io_path("opening", "a.txt".as_ref(), std::io::ErrorKind::NotFound.into());
    /// assert!(matches!(&e, Error::Io { context, .. } if context == "opening a.txt"));
    /// ```
    pub fn io_path(verb: &str, path: &Path, source: std::io::Error) -> Self {
        Error::io(format!("{verb} {}", path.display()), source)
    }

    /// A malformed-input error.
    ///
    /// ```
    /// use glove_wgpu::Error;
    /// let e = Error::malformed("vocab.txt", "line 2", "no count");
    /// assert_eq!(e.to_string(), "vocab.txt: line 2: no count");
    /// ```
    pub fn malformed(
        source_name: impl Into<String>,
        location: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Error::Malformed {
            source_name: source_name.into(),
            location: location.into(),
            problem: problem.into(),
        }
    }

    /// An invalid-argument error.
    ///
    /// ```
    /// use glove_wgpu::Error;
    /// assert!(matches!(Error::invalid("k must be positive"), Error::InvalidArgument(m) if m == "k must be positive"));
    /// ```
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(message.into())
    }
}
