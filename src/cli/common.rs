//! Flags shared by several subcommands.

use std::sync::Arc;

use glove_wgpu::{GpuContext, Result};

/// Where to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// A hardware GPU if one is found, else the CPU (with a note on stderr). A
    /// software adapter (type `Cpu`, such as Mesa's llvmpipe) runs the kernels
    /// slower than the CPU twins do, so `auto` uses the CPU then; `gpu` still
    /// selects it.
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
                Ok(c) if c.adapter().device_type == "Cpu" => {
                    eprintln!(
                        "note: the only GPU adapter is a software one ({}); using the CPU twin \
                         (--backend gpu forces it)",
                        c.adapter().name
                    );
                    Ok(None)
                }
                Ok(c) => Ok(Some(Arc::new(c))),
                Err(e) => {
                    eprintln!("note: no GPU ({e}); using the CPU");
                    Ok(None)
                }
            },
        }
    }
}

/// How co-occurrences are counted: shared by `cooccur` and `fit`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WindowArgs {
    /// Context window: pairs at distance 1..=WINDOW.
    #[arg(long, default_value_t = 15)]
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
