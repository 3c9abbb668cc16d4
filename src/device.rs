//! Where the kernels run: what the user asks for ([`DeviceChoice`], the
//! `--backend` flag and Python's `backend=`) and what it resolves to, once, at
//! the top of a command ([`Device`]: the CPU twins or one GPU context).
//!
//! Everything below the resolution takes the [`Device`] (training through the
//! resolved settings of [`pipeline`](crate::pipeline), search through
//! [`SearchIndex::new`](crate::search::SearchIndex::new) and
//! [`WordIndex::new`](crate::similarity::WordIndex::new)); nothing below it opens
//! a device.
//!
//! ```
//! use glove_wgpu::device::{Device, DeviceChoice};
//! use glove_wgpu::search::{Metric, SearchIndex, SearchOptions};
//! let device = DeviceChoice::Cpu.resolve(&mut |_| Ok(()))?; // `Auto`: a hardware GPU if any
//! let index = SearchIndex::new(&device, &[1.0, 0.0, 0.0, 1.0], 2, &SearchOptions::new(Metric::Dot))?;
//! assert_eq!(index.search(&[0.2, 0.9], 1, None)?[0][0].id, 1);
//! assert!(matches!(device, Device::Cpu));
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::sync::Arc;

use crate::error::Result;
use crate::gpu::{GpuContext, GpuOptions};
use crate::progress::{Event, Progress};

/// Where the kernels run, resolved once: the CPU twins (rayon), or the WGSL
/// kernels on one GPU context shared by everything that runs on it.
///
/// ```
/// use glove_wgpu::Device;
/// let cpu = Device::Cpu;
/// assert_eq!((cpu.name(), cpu.gpu().is_none(), cpu.adapter_name()), ("cpu", true, None));
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let gpu = Device::Gpu(std::sync::Arc::new(glove_wgpu::GpuContext::new()?));
/// assert_eq!(gpu.name(), "gpu");
/// assert_eq!(gpu.adapter_name(), Some(gpu.gpu().unwrap().adapter().name.as_str()));
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum Device {
    /// The CPU twins.
    Cpu,
    /// The GPU kernels on this context.
    Gpu(Arc<GpuContext>),
}

impl Device {
    /// `"cpu"` or `"gpu"`: the `--backend` value that asks for it.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::Device::Cpu.name(), "cpu");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Gpu(_) => "gpu",
        }
    }

    /// The GPU context, if the kernels run on one.
    ///
    /// ```
    /// assert!(glove_wgpu::Device::Cpu.gpu().is_none());
    /// ```
    pub fn gpu(&self) -> Option<&Arc<GpuContext>> {
        match self {
            Device::Cpu => None,
            Device::Gpu(ctx) => Some(ctx),
        }
    }

    /// The GPU adapter's name, if the kernels run on one.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::Device::Cpu.adapter_name(), None);
    /// ```
    pub fn adapter_name(&self) -> Option<&str> {
        self.gpu().map(|c| c.adapter().name.as_str())
    }
}

/// Where the user asks the kernels to run: the `--backend` flag of the command
/// line and the `backend=` argument of Python, with the same names (`auto`,
/// `gpu`, `cpu`). [`DeviceChoice::resolve`] turns it into a [`Device`].
///
/// ```
/// use glove_wgpu::{device::DeviceChoice, names::Named};
/// assert_eq!(DeviceChoice::default(), DeviceChoice::Auto);
/// assert_eq!(DeviceChoice::from_name("backend", "gpu")?, DeviceChoice::Gpu);
/// assert_eq!(DeviceChoice::Cpu.to_string(), "cpu");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// A hardware GPU if one is found, else the CPU (with a note). A software
    /// adapter (type `Cpu`, such as Mesa's llvmpipe) runs the kernels slower than
    /// the CPU twins do, so `Auto` uses the CPU then; `Gpu` still selects it.
    #[default]
    Auto,
    /// The GPU; an error if none is found.
    Gpu,
    /// The CPU twin (rayon).
    Cpu,
}

impl crate::names::Named for DeviceChoice {
    const ALL: &'static [Self] = &[DeviceChoice::Auto, DeviceChoice::Gpu, DeviceChoice::Cpu];

    fn name(self) -> &'static str {
        match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::Gpu => "gpu",
            DeviceChoice::Cpu => "cpu",
        }
    }
}

impl DeviceChoice {
    /// The device this choice resolves to: a GPU context for `Gpu` (an error if
    /// there is none), the CPU for `Cpu`, and for `Auto` the GPU when its adapter
    /// [runs `auto`](crate::gpu::AdapterKind::runs_auto), else the CPU with an
    /// [`Event::Note`] saying why. Call it once, at the top.
    ///
    /// ```
    /// use glove_wgpu::device::{Device, DeviceChoice};
    /// let mut notes = Vec::new();
    /// let device = DeviceChoice::Auto.resolve(&mut |e| {
    ///     if let glove_wgpu::progress::Event::Note(n) = e {
    ///         notes.push(n.to_string()); // why the CPU, when it is
    ///     }
    ///     Ok(())
    /// })?;
    /// if let Device::Cpu = device {
    ///     assert_eq!(notes.len(), 1);
    /// }
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn resolve(self, progress: &mut Progress) -> Result<Device> {
        if self == DeviceChoice::Cpu {
            return Ok(Device::Cpu);
        }
        // A GLOVE_WGPU_BACKEND that names no graphics API is an error, also
        // for `auto`: falling back to the CPU would hide the typo.
        let options = GpuOptions::try_from_env()?;
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Gpu => Ok(Device::Gpu(Arc::new(GpuContext::with_options(&options)?))),
            DeviceChoice::Auto => match GpuContext::with_options(&options) {
                Ok(c) if !c.adapter().kind.runs_auto() => {
                    progress(Event::Note(&format!(
                        "the only GPU adapter is a software one ({}); using the CPU twin \
                         (the gpu backend forces it)",
                        c.adapter().name
                    )))?;
                    Ok(Device::Cpu)
                }
                Ok(c) => Ok(Device::Gpu(Arc::new(c))),
                Err(e) => {
                    progress(Event::Note(&format!("no GPU ({e}); using the CPU")))?;
                    Ok(Device::Cpu)
                }
            },
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::names::Named::name(*self))
    }
}
