//! The `glove_wgpu._native` extension module: Python bindings of the
//! `glove-wgpu` library, built by maturin (`python/pyproject.toml`).
//!
//! - [`vectors`]: the `Vectors` class (load, save, look-up, search, evaluation);
//! - [`index`]: the `Index` class (the IVF approximate-nearest-neighbour index);
//! - [`fit`]: the `fit` function (the whole training pipeline in one call);
//! - [`errors`]: library errors turned into the exceptions of `glove_wgpu._errors`;
//! - [`args`]: the names Python passes for enums (`"cosine"`, `"gpu"`, ...).
//!
//! The Python package `glove_wgpu` (`python/glove_wgpu/__init__.py`) re-exports
//! what is defined here; its stubs are in `__init__.pyi`.

use pyo3::prelude::*;

mod args;
mod errors;
mod fit;
mod index;
mod vectors;

/// The module's contents (registered under `glove_wgpu._native`).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<vectors::Vectors>()?;
    m.add_class::<index::Index>()?;
    m.add("_INDEX_DEFAULTS", index::defaults(m.py())?)?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add("FIT_DEFAULTS", fit::defaults(m.py())?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
