//! Library errors as Python exceptions. The classes live in
//! `glove_wgpu/_errors.py` (so that they can have two bases, e.g. `GloveError`
//! and `KeyError`); each carries the library's message.

use glove_wgpu::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// The exception class of `glove_wgpu._errors` named `name`.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(py
        .import("glove_wgpu._errors")?
        .getattr(name)?
        .cast_into::<PyType>()?)
}

/// The Python exception for `e`:
///
/// | library error | Python class (bases) |
/// |---|---|
/// | `UnknownWord` | `UnknownWordError` (`GloveError`, `KeyError`) |
/// | `InvalidArgument`, `Malformed` | `InvalidInputError` (`GloveError`, `ValueError`) |
/// | `Io` | `FileError` (`GloveError`, `OSError`), with `errno` when the OS gave one |
/// | `NoAdapter`, `DeviceLost`, `Gpu` | `GpuError` (`GloveError`, `RuntimeError`) |
/// | `OutOfMemory` | `OutOfMemoryError` (`GloveError`, `MemoryError`) |
/// | anything newer | `GloveError` |
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    let (name, errno) = match &e {
        Error::UnknownWord(_) => ("UnknownWordError", None),
        Error::InvalidArgument(_) | Error::Malformed { .. } => ("InvalidInputError", None),
        Error::Io { source, .. } => ("FileError", source.raw_os_error()),
        Error::NoAdapter(_) | Error::DeviceLost(_) | Error::Gpu(_) => ("GpuError", None),
        Error::OutOfMemory(_) => ("OutOfMemoryError", None),
        _ => ("GloveError", None),
    };
    match class(py, name) {
        Ok(c) => match errno {
            Some(n) => PyErr::from_type(c, (n, message)),
            None => PyErr::from_type(c, (message,)),
        },
        // The package is broken (its Python half missing): still say what failed.
        Err(import) => PyRuntimeError::new_err(format!("{message} (and {import})")),
    }
}

/// `Result<T, Error>` to `PyResult<T>`.
pub trait OrRaise<T> {
    /// The value, or the error as its Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// An `InvalidInputError` (a `ValueError`) with `message`.
pub fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, Error::invalid(message))
}

/// A plain `GloveError`: the library broke a promise (a bug to report).
pub fn internal(py: Python<'_>, message: impl Into<String>) -> PyErr {
    let message = message.into();
    match class(py, "GloveError") {
        Ok(c) => PyErr::from_type(c, (message,)),
        Err(import) => PyRuntimeError::new_err(format!("{message} (and {import})")),
    }
}
