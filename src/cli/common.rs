//! Flags shared by several subcommands.

use std::sync::Arc;

use glove_wgpu::{GpuContext, Result};

/// Where to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// The GPU if an adapter is found, else the CPU (with a note on stderr).
    Auto,
    /// The GPU; an error if none is found.
    Gpu,
    /// The CPU twin (rayon).
    Cpu,
}

impl BackendChoice {
    /// A GPU context for `Gpu`, maybe one for `Auto`, none for `Cpu`.
    pub fn context(self) -> Result<Option<Arc<GpuContext>>> {
        match self {
            BackendChoice::Cpu => Ok(None),
            BackendChoice::Gpu => Ok(Some(Arc::new(GpuContext::new()?))),
            BackendChoice::Auto => match GpuContext::new() {
                Ok(c) => Ok(Some(Arc::new(c))),
                Err(e) => {
                    eprintln!("note: no GPU ({e}); using the CPU");
                    Ok(None)
                }
            },
        }
    }
}
