//! The GPU context: instance, adapter, device, queue and a pipeline cache, made once.
//!
//! One file, over 500 lines: the context is one concept, each method a short use of the same device, queue and cache.
//!
//! A command makes its context once, at the top, when it resolves its
//! [`Device`](crate::Device) ([`DeviceChoice::resolve`](crate::DeviceChoice::resolve));
//! work functions take it (`&GpuContext` or `Arc<GpuContext>`), so tests and
//! applications can share one device. [`AdapterKind`] tells a hardware GPU from a
//! software one, with what the crate does on each beside it. Adapter choice is
//! high-performance by default and can be forced from the environment:
//!
//! | variable | effect |
//! | --- | --- |
//! | `GLOVE_WGPU_BACKEND` (or wgpu's `WGPU_BACKEND`) | comma list of graphics APIs (wgpu's backends): `vulkan`, `metal`, `dx12`, `gl` |
//! | `GLOVE_WGPU_ADAPTER` (or wgpu's `WGPU_ADAPTER_NAME`) | pick the first adapter whose name contains this text (case-insensitive) |
//!
//! The device is created with the adapter's own limits, not wgpu's defaults,
//! so large storage buffers can be bound where the hardware allows it.
//! No adapter, device loss and out-of-memory are returned as [`Error`] values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::shaders::{Binding, Kernel};

/// How to choose the adapter.
///
/// ```
/// use glove_wgpu::{GpuContext, GpuOptions};
/// let opts = GpuOptions { adapter_name: Some("llvmpipe".into()), no_subgroups: true, ..Default::default() };
/// // The first adapter whose name contains "llvmpipe", without subgroup operations:
/// if let Ok(ctx) = GpuContext::with_options(&opts) {
///     assert!(ctx.adapter().name.contains("llvmpipe") && !ctx.has_subgroups());
/// }
/// ```
#[derive(Clone, Debug, Default)]
pub struct GpuOptions {
    /// Backends to consider; `None` means every backend compiled in.
    pub backends: Option<wgpu::Backends>,
    /// Only adapters whose name contains this text (case-insensitive).
    pub adapter_name: Option<String>,
    /// Do not enable subgroup operations even where the adapter has them, so the
    /// kernels take their workgroup-memory paths (tests run both paths on one adapter;
    /// `GLOVE_WGPU_NO_SUBGROUPS=1` sets it).
    pub no_subgroups: bool,
    /// Do not enable f16 in shaders even where the adapter has it, so f16 search
    /// rows take their unpacking path (tests run both paths on one adapter).
    pub no_f16: bool,
    /// Ask the device for at most this many bytes in one storage binding (the
    /// adapter's limit where it is lower), so that the crate's splitting of large
    /// models, plans and matrices over several bindings runs, enforced by wgpu, on
    /// small inputs: tests use it to sit on both sides of the limit.
    pub max_binding_bytes: Option<u64>,
}

impl GpuOptions {
    /// Options read from `GLOVE_WGPU_BACKEND` / `WGPU_BACKEND` and
    /// `GLOVE_WGPU_ADAPTER` / `WGPU_ADAPTER_NAME`.
    ///
    /// ```
    /// let opts = glove_wgpu::GpuOptions::from_env();
    /// println!("{opts:?}");
    /// ```
    pub fn from_env() -> Self {
        Self::try_from_env().unwrap_or_else(|_| {
            // A value that does not parse selects no graphics API: no adapter
            // (GpuContext::new and the command line report the variable instead).
            GpuOptions {
                backends: Some(wgpu::Backends::empty()),
                ..Self::env_rest()
            }
        })
    }

    /// [`GpuOptions::from_env`], with a value of `GLOVE_WGPU_BACKEND` /
    /// `WGPU_BACKEND` that names no graphics API (`vulkan`/`vk`, `metal`/`mtl`,
    /// `dx12`/`d3d12`, `gl`/`gles`/`opengl`, `webgpu`, `noop`; several are
    /// separated by commas) an error naming the variable and the value, rather
    /// than no adapter at all. [`GpuContext::new`] and
    /// [`DeviceChoice::resolve`](crate::DeviceChoice::resolve) read the
    /// environment through it.
    ///
    /// ```
    /// let opts = glove_wgpu::GpuOptions::try_from_env()?; // this process's variables parse
    /// # let _ = opts;
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn try_from_env() -> Result<Self> {
        let backends = match env_var("GLOVE_WGPU_BACKEND", "WGPU_BACKEND") {
            Some((name, value)) => Some(parse_backends(&name, &value)?),
            None => None,
        };
        Ok(GpuOptions {
            backends,
            ..Self::env_rest()
        })
    }

    /// Everything the environment says but the graphics API.
    fn env_rest() -> Self {
        GpuOptions {
            backends: None,
            adapter_name: env_var("GLOVE_WGPU_ADAPTER", "WGPU_ADAPTER_NAME").map(|(_, v)| v),
            no_subgroups: std::env::var("GLOVE_WGPU_NO_SUBGROUPS")
                .is_ok_and(|v| !v.is_empty() && v != "0"),
            no_f16: false,
            max_binding_bytes: None,
        }
    }
}

/// The first of the variables `a` and `b` that is set, its name and value;
/// `None` when neither is, or when the first set is blank (which means "no
/// choice": `a` set but blank hides `b`, as Python's check reads them).
fn env_var(a: &str, b: &str) -> Option<(String, String)> {
    let (name, v) = [a, b]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().map(|v| (name, v)))?;
    (!v.trim().is_empty()).then(|| (name.to_string(), v))
}

/// The graphics APIs a `GLOVE_WGPU_BACKEND` value names (comma-separated);
/// every name must be one wgpu knows.
///
/// ```
/// use glove_wgpu::gpu::parse_backends;
/// assert_eq!(parse_backends("GLOVE_WGPU_BACKEND", "vulkan")?, wgpu::Backends::VULKAN);
/// assert_eq!(parse_backends("X", "Metal, dx12")?, wgpu::Backends::METAL | wgpu::Backends::DX12);
/// let err = parse_backends("WGPU_BACKEND", "vulcan").unwrap_err().to_string();
/// assert!(err.contains("WGPU_BACKEND") && err.contains("vulcan"), "{err}");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn parse_backends(variable: &str, value: &str) -> Result<wgpu::Backends> {
    let mut all = wgpu::Backends::empty();
    let bad = |what: String| {
        Error::invalid(format!(
            "{variable}={value:?}: {what}; use vulkan, metal, dx12 or gl (several separated by \
             commas), or unset it"
        ))
    };
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let one = wgpu::Backends::from_comma_list(name);
        if one.is_empty() {
            return Err(bad(format!("{name:?} is not a graphics API")));
        }
        all |= one;
    }
    if all.is_empty() {
        return Err(bad("it names no graphics API".into()));
    }
    Ok(all)
}

/// The test policy of a GPU doctest, as one hidden line at its top:
///
/// ```text
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// ```
///
/// `false` when [`GpuContext::new`] finds an adapter (the example then makes its
/// own context). With none, the example is skipped (`true`, after a `SKIPPED` line
/// on stderr), except in CI (`CI` set to anything but an empty string, `false` or
/// `0`), where it panics with the reason: the same policy as the tests'
/// (`tests/common/gpu.rs`), so a GPU example never passes in CI without having run.
///
/// ```
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = glove_wgpu::GpuContext::new()?; // found: the probe said so
/// assert!(!ctx.adapter().name.is_empty());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[doc(hidden)]
pub fn skip_without_adapter() -> bool {
    let err = match GpuOptions::try_from_env().and_then(|o| select_adapter(&o)) {
        Ok(_) => return false,
        Err(e) => e,
    };
    let ci = std::env::var("CI")
        .is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "false" | "0"));
    if ci {
        panic!(
            "{err}. CI is set, so GPU examples fail rather than skip; \
             install Mesa's software Vulkan (mesa-vulkan-drivers libvulkan1) or unset CI"
        );
    }
    // Ignored if standard error cannot be written (closed, /dev/full).
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED (no GPU adapter: {err})");
    true
}

/// What kind of adapter a context runs on, and what the crate does on each: the
/// one place that tells a hardware GPU from a software one.
///
/// A software adapter (wgpu's device type `Cpu`: Mesa's llvmpipe / lavapipe, WARP,
/// SwiftShader) runs the kernels on the CPU, slower than the CPU twins do, and
/// llvmpipe ends every loop of a shader invocation after [`SOFTWARE_LOOP_LIMIT`]
/// iterations. So:
///
/// | kind | `--backend auto` | loop limit | default training batch |
/// | --- | --- | --- | --- |
/// | [`DiscreteGpu`](AdapterKind::DiscreteGpu) | the GPU | none | 65,536 |
/// | [`IntegratedGpu`](AdapterKind::IntegratedGpu), [`VirtualGpu`](AdapterKind::VirtualGpu) | the GPU | none | 16,384 |
/// | [`Other`](AdapterKind::Other) | the GPU | none | 4,096 |
/// | [`Software`](AdapterKind::Software) | the CPU twins (`--backend gpu` still selects it) | [`SOFTWARE_LOOP_LIMIT`] | 4,096 |
///
/// (No adapter at all: `auto` takes the CPU twins, `gpu` is an error.)
///
/// ```
/// use glove_wgpu::gpu::{AdapterKind, SOFTWARE_LOOP_LIMIT};
/// let lavapipe = AdapterKind::of(wgpu::DeviceType::Cpu);
/// assert_eq!(lavapipe, AdapterKind::Software);
/// assert!(!lavapipe.runs_auto() && lavapipe.loop_limit() == Some(SOFTWARE_LOOP_LIMIT));
/// assert!(AdapterKind::DiscreteGpu.runs_auto() && AdapterKind::DiscreteGpu.loop_limit().is_none());
/// assert_eq!(lavapipe.to_string(), "Cpu"); // wgpu's name, as `glove-wgpu info` prints it
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AdapterKind {
    /// A GPU with its own memory.
    DiscreteGpu,
    /// A GPU sharing the host's memory.
    IntegratedGpu,
    /// A virtual machine's slice of a GPU.
    VirtualGpu,
    /// A software rasteriser running on the CPU (wgpu's device type `Cpu`).
    #[serde(rename = "Cpu")]
    Software,
    /// A kind the driver does not tell.
    Other,
}

/// The most loop iterations one shader invocation runs on llvmpipe (lavapipe), the
/// software adapter CI runs the kernels on: Mesa ends every loop of an invocation
/// once its loops together have run this many iterations
/// (`LP_MAX_TGSI_LOOP_ITERATIONS`, shared by all loops), so a longer kernel comes
/// back short or wrong there, without an error. Hardware GPUs have no such limit.
///
/// ```
/// use glove_wgpu::gpu::{AdapterKind, SOFTWARE_LOOP_LIMIT};
/// assert_eq!(AdapterKind::Software.loop_limit(), Some(SOFTWARE_LOOP_LIMIT));
/// ```
pub const SOFTWARE_LOOP_LIMIT: u64 = 65_535;

impl AdapterKind {
    /// The kind of wgpu's device type.
    ///
    /// ```
    /// use glove_wgpu::gpu::AdapterKind;
    /// assert_eq!(AdapterKind::of(wgpu::DeviceType::IntegratedGpu), AdapterKind::IntegratedGpu);
    /// ```
    pub fn of(device_type: wgpu::DeviceType) -> Self {
        match device_type {
            wgpu::DeviceType::DiscreteGpu => AdapterKind::DiscreteGpu,
            wgpu::DeviceType::IntegratedGpu => AdapterKind::IntegratedGpu,
            wgpu::DeviceType::VirtualGpu => AdapterKind::VirtualGpu,
            wgpu::DeviceType::Cpu => AdapterKind::Software,
            wgpu::DeviceType::Other => AdapterKind::Other,
        }
    }

    /// Whether this is a software adapter (see the table above).
    ///
    /// ```
    /// use glove_wgpu::gpu::AdapterKind;
    /// assert!(AdapterKind::Software.is_software() && !AdapterKind::Other.is_software());
    /// ```
    pub fn is_software(self) -> bool {
        self == AdapterKind::Software
    }

    /// Whether `--backend auto` runs the kernels on this kind of adapter: every
    /// kind but a software one, which runs them slower than the CPU twins.
    ///
    /// ```
    /// use glove_wgpu::gpu::AdapterKind;
    /// assert!(AdapterKind::VirtualGpu.runs_auto() && !AdapterKind::Software.runs_auto());
    /// ```
    pub fn runs_auto(self) -> bool {
        !self.is_software()
    }

    /// The most loop iterations one shader invocation may run, where the adapter
    /// has a limit ([`SOFTWARE_LOOP_LIMIT`] on a software adapter).
    ///
    /// ```
    /// use glove_wgpu::gpu::AdapterKind;
    /// assert_eq!(AdapterKind::IntegratedGpu.loop_limit(), None);
    /// ```
    pub fn loop_limit(self) -> Option<u64> {
        self.is_software().then_some(SOFTWARE_LOOP_LIMIT)
    }

    /// wgpu's name of the device type (`DiscreteGpu`, ..., `Cpu` for a software
    /// adapter), as `glove-wgpu info` prints it.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::gpu::AdapterKind::DiscreteGpu.name(), "DiscreteGpu");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AdapterKind::DiscreteGpu => "DiscreteGpu",
            AdapterKind::IntegratedGpu => "IntegratedGpu",
            AdapterKind::VirtualGpu => "VirtualGpu",
            AdapterKind::Software => "Cpu",
            AdapterKind::Other => "Other",
        }
    }
}

impl std::fmt::Display for AdapterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A short description of an adapter, as `glove-wgpu info` prints it.
///
/// ```
/// use glove_wgpu::{GpuContext, GpuOptions};
/// for a in GpuContext::list_adapters(&GpuOptions::default()) { // none without a driver
///     assert!(!a.name.is_empty());
///     assert!(a.max_storage_buffer_binding_size <= a.max_buffer_size);
/// }
/// ```
#[derive(Clone, Debug, serde::Serialize)]
pub struct AdapterSummary {
    /// Adapter name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub name: String,
    /// The graphics API wgpu reaches it through: `Vulkan`, `Metal`, `Dx12`, `Gl`.
    pub backend: String,
    /// What kind of adapter it is (written as wgpu names it: `DiscreteGpu`,
    /// `IntegratedGpu`, `Cpu` for a software one, ...).
    #[serde(rename = "device_type")]
    pub kind: AdapterKind,
    /// Driver name and version.
    pub driver: String,
    /// Largest storage-buffer binding, bytes.
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer, bytes.
    pub max_buffer_size: u64,
    /// Workgroup (shared) memory, bytes.
    pub max_compute_workgroup_storage_size: u32,
    /// Invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Workgroups per dispatch dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Whether the adapter can store f16 in shaders (`SHADER_F16`).
    pub shader_f16: bool,
    /// Whether the adapter has subgroup operations (`SUBGROUP`).
    pub subgroups: bool,
    /// Smallest subgroup (warp, wave) size the adapter may run a kernel with.
    pub subgroup_min_size: u32,
    /// Largest subgroup size the adapter may run a kernel with.
    pub subgroup_max_size: u32,
}

impl AdapterSummary {
    fn new(adapter: &wgpu::Adapter) -> Self {
        let info = adapter.get_info();
        let l = adapter.limits();
        AdapterSummary {
            name: info.name,
            backend: format!("{:?}", info.backend),
            kind: AdapterKind::of(info.device_type),
            driver: format!("{} {}", info.driver, info.driver_info)
                .trim()
                .to_string(),
            max_storage_buffer_binding_size: l.max_storage_buffer_binding_size,
            max_buffer_size: l.max_buffer_size,
            max_compute_workgroup_storage_size: l.max_compute_workgroup_storage_size,
            max_compute_invocations_per_workgroup: l.max_compute_invocations_per_workgroup,
            max_compute_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
            shader_f16: adapter.features().contains(wgpu::Features::SHADER_F16),
            subgroups: adapter.features().contains(wgpu::Features::SUBGROUP),
            subgroup_min_size: info.subgroup_min_size,
            subgroup_max_size: info.subgroup_max_size,
        }
    }
}

type PipelineKey = (&'static str, &'static str, Vec<(String, u64)>);

/// Instance, adapter, device, queue and cached compute pipelines.
///
/// ```
/// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
/// let ctx = glove_wgpu::GpuContext::new()?;
/// println!("running on {}", ctx.adapter().name);
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    summary: AdapterSummary,
    limits: wgpu::Limits,
    features: wgpu::Features,
    modules: Mutex<HashMap<&'static str, wgpu::ShaderModule>>,
    layouts: Mutex<HashMap<&'static str, wgpu::BindGroupLayout>>,
    pipelines: Mutex<HashMap<PipelineKey, wgpu::ComputePipeline>>,
    lost: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.summary)
            .finish()
    }
}

fn instance(backends: Option<wgpu::Backends>) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    if let Some(b) = backends {
        desc.backends = b;
    }
    wgpu::Instance::new(desc)
}

/// The adapter `options` select: the first whose name contains
/// `options.adapter_name`, else wgpu's high-performance choice.
fn select_adapter(options: &GpuOptions) -> Result<wgpu::Adapter> {
    let inst = instance(options.backends);
    match &options.adapter_name {
        Some(name) => {
            let needle = name.to_lowercase();
            let all = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
            let names: Vec<String> = all.iter().map(|a| a.get_info().name).collect();
            all.into_iter()
                .find(|a| a.get_info().name.to_lowercase().contains(&needle))
                .ok_or_else(|| {
                    Error::NoAdapter(format!(
                        "no adapter name contains {name:?}; adapters seen: {names:?}"
                    ))
                })
        }
        None => pollster::block_on(inst.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        }))
        .map_err(|e| {
            Error::NoAdapter(format!(
                "{e} (install a Vulkan, Metal or DX12 driver; on Debian/Ubuntu \
                 `apt-get install mesa-vulkan-drivers libvulkan1` gives a software one)"
            ))
        }),
    }
}

impl GpuContext {
    /// A context on the adapter chosen by [`GpuOptions::try_from_env`] (a
    /// variable that does not parse is an error naming it).
    ///
    /// ```
    /// use glove_wgpu::{Error, GpuContext};
    /// match GpuContext::new() {
    ///     Ok(ctx) => println!("running on {}", ctx.adapter().name),
    ///     Err(Error::NoAdapter(why)) => println!("no GPU: {why}"),
    ///     Err(e) => println!("the GPU failed: {e}"),
    /// }
    /// ```
    pub fn new() -> Result<Self> {
        Self::with_options(&GpuOptions::try_from_env()?)
    }

    /// Every adapter the instance can see (for `glove-wgpu info`).
    ///
    /// ```
    /// for a in glove_wgpu::GpuContext::list_adapters(&Default::default()) { // none without a driver
    ///     println!("{} ({})", a.name, a.backend);
    /// }
    /// ```
    pub fn list_adapters(options: &GpuOptions) -> Vec<AdapterSummary> {
        let inst = instance(options.backends);
        let adapters = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
        adapters.iter().map(AdapterSummary::new).collect()
    }

    /// A context on the adapter the options select.
    ///
    /// ```
    /// use glove_wgpu::{Error, GpuContext, GpuOptions};
    /// let opts = GpuOptions { adapter_name: Some("no such adapter".into()), ..Default::default() };
    /// assert!(matches!(GpuContext::with_options(&opts), Err(Error::NoAdapter(_))));
    /// ```
    pub fn with_options(options: &GpuOptions) -> Result<Self> {
        let adapter = select_adapter(options)?;
        let summary = AdapterSummary::new(&adapter);
        let mut limits = adapter.limits();
        if let Some(b) = options.max_binding_bytes {
            let b = b.max(4);
            limits.max_storage_buffer_binding_size = limits.max_storage_buffer_binding_size.min(b);
        }
        // The optional features the kernels use where they exist: subgroup
        // operations (training reductions) and f16 in shaders (search rows).
        let mut wanted = wgpu::Features::empty();
        if !options.no_f16 {
            wanted |= wgpu::Features::SHADER_F16;
        }
        if !options.no_subgroups {
            wanted |= wgpu::Features::SUBGROUP;
        }
        let features = adapter.features() & wanted;
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("glove-wgpu"),
            required_features: features,
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| Error::Gpu(format!("requesting a device on {}: {e}", summary.name)))?;
        let lost = Arc::new(Mutex::new(None));
        let lost2 = lost.clone();
        device.set_device_lost_callback(move |reason, msg| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                *lost2.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("{reason:?}: {msg}"));
            }
        });
        // Errors are collected through error scopes in `run`; anything that escapes
        // them is recorded as a loss so the next call reports it instead of panicking.
        let lost3 = lost.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            *lost3.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("uncaptured: {e}"));
        }));
        Ok(GpuContext {
            device,
            queue,
            summary,
            limits,
            features,
            modules: Mutex::new(HashMap::new()),
            layouts: Mutex::new(HashMap::new()),
            pipelines: Mutex::new(HashMap::new()),
            lost,
        })
    }

    /// The wgpu device.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let has = ctx.device().features().contains(wgpu::Features::SUBGROUP);
    /// assert_eq!(has, ctx.has_subgroups());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let buf = ctx.storage("one", 4)?;
    /// ctx.queue().write_buffer(&buf, 0, &7u32.to_ne_bytes());
    /// assert_eq!(ctx.read::<u32>(&buf, 1)?, [7]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// What the adapter is, and the limits that matter.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let a = ctx.adapter();
    /// assert!(["DiscreteGpu", "IntegratedGpu", "VirtualGpu", "Cpu", "Other"].contains(&a.kind.name()));
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }

    /// The device's limits (the adapter's own).
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// assert_eq!(ctx.limits().max_buffer_size, ctx.adapter().max_buffer_size); // all the adapter has
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// Whether the device was created with subgroup operations (`Features::SUBGROUP`).
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// assert!(!ctx.has_subgroups() || ctx.adapter().subgroups); // enabled where the adapter has them
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn has_subgroups(&self) -> bool {
        self.features.contains(wgpu::Features::SUBGROUP)
    }

    /// Whether the device was created with f16 in shaders (`Features::SHADER_F16`).
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// assert!(!ctx.has_f16() || ctx.adapter().shader_f16);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn has_f16(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_F16)
    }

    /// The largest buffer this device can bind as one storage binding, in bytes.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// assert!(ctx.max_binding_bytes() <= ctx.limits().max_storage_buffer_binding_size);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// A compute pipeline for `entry` of `kernel`, with override constants; cached.
    ///
    /// ```
    /// use glove_wgpu::{shaders::GLOVE_COST, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let _reduce = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?; // see `dispatch_at` for a run
    /// assert!(ctx.pipeline(&GLOVE_COST, "no_such_entry", &[]).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn pipeline(
        &self,
        kernel: &Kernel,
        entry: &'static str,
        constants: &[(&str, f64)],
    ) -> Result<wgpu::ComputePipeline> {
        let key: PipelineKey = (
            kernel.name,
            entry,
            constants
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_bits()))
                .collect(),
        );
        let mut cache = self.pipelines.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let (need, have) = (
            kernel.workgroup_bytes(),
            self.limits.max_compute_workgroup_storage_size as u64,
        );
        if need > have {
            return Err(Error::Gpu(format!(
                "kernel {} needs {need} bytes of workgroup memory, but the adapter {} offers \
                 {have}; use the CPU backend (--backend cpu)",
                kernel.name, self.summary.name
            )));
        }
        let pipeline = self.scoped(|| {
            let mut modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
            let module = modules.entry(kernel.name).or_insert_with(|| {
                self.device
                    .create_shader_module(wgpu::ShaderModuleDescriptor {
                        label: Some(kernel.name),
                        source: wgpu::ShaderSource::Wgsl(kernel.source.into()),
                    })
            });
            let bgl = self.bind_group_layout(kernel);
            let layout = bgl.as_ref().map(|bgl| {
                self.device
                    .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                        label: Some(kernel.name),
                        bind_group_layouts: &[Some(bgl)],
                        immediate_size: 0,
                    })
            });
            self.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: layout.as_ref(),
                    module,
                    entry_point: Some(entry),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants,
                        zero_initialize_workgroup_memory: false,
                    },
                    cache: None,
                })
        })?;
        cache.insert(key, pipeline.clone());
        Ok(pipeline)
    }

    /// The bind group layout written in `kernel.bindings` (cached), or `None` for a
    /// kernel whose layout is derived from its WGSL.
    fn bind_group_layout(&self, kernel: &Kernel) -> Option<wgpu::BindGroupLayout> {
        if kernel.bindings.is_empty() {
            return None;
        }
        let mut layouts = self.layouts.lock().unwrap_or_else(|p| p.into_inner());
        let layout = layouts.entry(kernel.name).or_insert_with(|| {
            let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
                .bindings
                .iter()
                .enumerate()
                .map(|(i, (_, b))| wgpu::BindGroupLayoutEntry {
                    binding: i as u32,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: match b {
                            Binding::DynamicUniform { .. } => wgpu::BufferBindingType::Uniform,
                            Binding::Read => wgpu::BufferBindingType::Storage { read_only: true },
                            Binding::ReadWrite => {
                                wgpu::BufferBindingType::Storage { read_only: false }
                            }
                        },
                        has_dynamic_offset: matches!(b, Binding::DynamicUniform { .. }),
                        min_binding_size: None,
                    },
                    count: None,
                })
                .collect();
            self.device
                .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                    label: Some(kernel.name),
                    entries: &entries,
                })
        });
        Some(layout.clone())
    }

    /// A bind group for `kernel`'s group 0, one buffer per binding in the order of
    /// `kernel.bindings`. A dynamic uniform binds one parameter block of the buffer;
    /// [`GpuContext::dispatch_at`] picks which.
    ///
    /// ```
    /// use glove_wgpu::{shaders::GLOVE_COST, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let buf = ctx.storage("b", 4)?;
    /// // GLOVE_COST has four bindings (params, row_cost, batch_rows, partials); see `dispatch_at`.
    /// assert!(ctx.bind_kernel(&GLOVE_COST, &[&buf]).is_err());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn bind_kernel(
        &self,
        kernel: &Kernel,
        buffers: &[&wgpu::Buffer],
    ) -> Result<wgpu::BindGroup> {
        if buffers.len() != kernel.bindings.len() {
            return Err(Error::Gpu(format!(
                "kernel {} has {} bindings, {} buffers given",
                kernel.name,
                kernel.bindings.len(),
                buffers.len()
            )));
        }
        let layout = self.scoped(|| self.bind_group_layout(kernel))?;
        let Some(layout) = layout else {
            return Err(Error::Gpu(format!(
                "kernel {} lists no bindings",
                kernel.name
            )));
        };
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .zip(kernel.bindings)
            .enumerate()
            .map(|(i, (buf, (_, b)))| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: match b {
                    Binding::DynamicUniform { size } => {
                        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: buf,
                            offset: 0,
                            size: std::num::NonZeroU64::new(*size),
                        })
                    }
                    _ => buf.as_entire_binding(),
                },
            })
            .collect();
        self.scoped(|| {
            self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(kernel.name),
                layout: &layout,
                entries: &entries,
            })
        })
    }

    /// Runs `f` inside out-of-memory, validation and internal error scopes and turns
    /// what they catch, or a device loss, into an [`Error`].
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::STORAGE; // not allowed together
    /// let desc = wgpu::BufferDescriptor { label: None, size: 4, usage, mapped_at_creation: false };
    /// let err = ctx.scoped(|| ctx.device().create_buffer(&desc)).unwrap_err();
    /// assert!(matches!(err, glove_wgpu::Error::Gpu(_)), "{err}");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn scoped<R>(&self, f: impl FnOnce() -> R) -> Result<R> {
        self.check_lost()?;
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let val = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let int = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let r = f();
        let errors = [
            pollster::block_on(int.pop()),
            pollster::block_on(val.pop()),
            pollster::block_on(oom.pop()),
        ];
        if let Some(e) = errors.into_iter().flatten().next() {
            return Err(match e {
                wgpu::Error::OutOfMemory { .. } => Error::OutOfMemory(format!("on the GPU: {e}")),
                other => Error::Gpu(other.to_string()),
            });
        }
        self.check_lost()?;
        Ok(r)
    }

    fn check_lost(&self) -> Result<()> {
        match self.lost.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            Some(msg) => Err(Error::DeviceLost(msg)),
            None => Ok(()),
        }
    }

    /// A storage buffer holding `data` (at least 4 bytes, as wgpu wants no empty bindings).
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let buf = ctx.upload("bytes", &[1u8, 2, 3])?;
    /// assert_eq!(buf.size(), 4); // rounded up to 4 bytes
    /// assert_eq!(ctx.read::<u8>(&buf, 3)?, [1, 2, 3]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn upload<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> Result<wgpu::Buffer> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let size = (bytes.len() as u64).max(4).next_multiple_of(4);
        self.scoped(|| {
            let buf = self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            if !bytes.is_empty() {
                let mut padded;
                let write = if bytes.len().is_multiple_of(4) {
                    bytes
                } else {
                    padded = bytes.to_vec();
                    padded.resize(size as usize, 0);
                    &padded[..]
                };
                self.queue.write_buffer(&buf, 0, write);
            }
            buf
        })
    }

    /// Bytes between parameter blocks bound at dynamic offsets: the block size
    /// rounded up to the device's uniform offset alignment.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let s = ctx.uniform_stride(16);
    /// assert!(s >= 16 && s % ctx.limits().min_uniform_buffer_offset_alignment as u64 == 0);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn uniform_stride(&self, block: u64) -> u64 {
        block.next_multiple_of(self.limits.min_uniform_buffer_offset_alignment.max(4) as u64)
    }

    /// A uniform buffer of `blocks` parameter blocks, block `b` at byte
    /// `b * uniform_stride(size_of::<T>())` (bind with [`GpuContext::bind_kernel`],
    /// pick a block with [`GpuContext::dispatch_at`]).
    ///
    /// ```
    /// use glove_wgpu::{train::CostParams, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let blocks = ctx.upload_blocks("params", &[CostParams::default(); 3])?;
    /// assert_eq!(blocks.size(), 3 * ctx.uniform_stride(16)); // CostParams: 16 bytes
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn upload_blocks<T: bytemuck::Pod>(
        &self,
        label: &str,
        blocks: &[T],
    ) -> Result<wgpu::Buffer> {
        let size = std::mem::size_of::<T>();
        let stride = self.uniform_stride(size as u64) as usize;
        let mut bytes = vec![0u8; (stride * blocks.len()).max(stride)];
        for (b, block) in blocks.iter().enumerate() {
            bytes[b * stride..b * stride + size].copy_from_slice(bytemuck::bytes_of(block));
        }
        self.scoped(|| {
            let buf = self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes.len() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            self.queue.write_buffer(&buf, 0, &bytes);
            buf
        })
    }

    /// A buffer the host can map for reading, of `size` bytes (rounded up to 4),
    /// to copy results into at the end of a submission.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (src, staging) = (ctx.upload("src", &[5u32, 6])?, ctx.staging("out", 8)?);
    /// let mut enc = ctx.encoder();
    /// enc.copy_buffer_to_buffer(&src, 0, &staging, 0, 8);
    /// ctx.submit(enc)?;
    /// assert_eq!(ctx.read_staging::<u32>(&staging, 2)?, [5, 6]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn staging(&self, label: &str, size: u64) -> Result<wgpu::Buffer> {
        self.scoped(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(4).next_multiple_of(4),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })
    }

    /// Maps `staging` (filled by a copy in an earlier submission), waits, and
    /// returns its first `len` elements.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (src, staging) = (ctx.upload("src", &[1.5f32, 2.5])?, ctx.staging("out", 8)?);
    /// let mut enc = ctx.encoder();
    /// enc.copy_buffer_to_buffer(&src, 0, &staging, 0, 8);
    /// ctx.submit(enc)?;
    /// assert_eq!(ctx.read_staging::<f32>(&staging, 1)?, [1.5]); // the first element only
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read_staging<T: bytemuck::Pod>(
        &self,
        staging: &wgpu::Buffer,
        len: usize,
    ) -> Result<Vec<T>> {
        let bytes = len * std::mem::size_of::<T>();
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let slice = staging.slice(..(bytes as u64).next_multiple_of(4));
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| Error::Gpu("buffer map callback never ran".into()))?
            .map_err(|e| Error::Gpu(format!("mapping a buffer for reading: {e}")))?;
        let view = slice
            .get_mapped_range()
            .map_err(|e| Error::Gpu(format!("reading a mapped buffer: {e}")))?;
        let out = bytemuck::pod_collect_to_vec::<u8, T>(&view[..bytes]);
        drop(view);
        staging.unmap();
        Ok(out)
    }

    /// An uninitialised storage buffer of `size` bytes (rounded up to 4).
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let buf = ctx.storage("scratch", 10)?;
    /// assert_eq!(buf.size(), 12);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn storage(&self, label: &str, size: u64) -> Result<wgpu::Buffer> {
        self.scoped(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(4).next_multiple_of(4),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        })
    }

    /// Submits `encoder`, waits for the GPU, and reports errors.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let (a, b) = (ctx.upload("a", &[9u32])?, ctx.storage("b", 4)?);
    /// let mut enc = ctx.encoder();
    /// enc.copy_buffer_to_buffer(&a, 0, &b, 0, 4);
    /// ctx.submit(enc)?; // returns when the copy is done
    /// assert_eq!(ctx.read::<u32>(&b, 1)?, [9]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn submit(&self, encoder: wgpu::CommandEncoder) -> Result<()> {
        self.scoped(|| {
            self.queue.submit([encoder.finish()]);
        })?;
        self.wait()
    }

    /// Blocks until the device is idle.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// ctx.queue().submit([ctx.encoder().finish()]);
    /// ctx.wait()?;
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Gpu(format!("waiting for the GPU: {e}")))?;
        self.check_lost()
    }

    /// Copies the first `len` elements of `buffer` back to the host.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let buf = ctx.upload("v", &[1.0f32, 2.0, 3.0])?;
    /// assert_eq!(ctx.read::<f32>(&buf, 2)?, [1.0, 2.0]);
    /// assert!(ctx.read::<f32>(&buf, 0)?.is_empty());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, len: usize) -> Result<Vec<T>> {
        let bytes = (len * std::mem::size_of::<T>()) as u64;
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let staging = self.staging("readback", bytes)?;
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes.next_multiple_of(4));
        self.submit(enc)?;
        self.read_staging(&staging, len)
    }

    /// Records one compute dispatch of `pipeline` with `bind_group` into `encoder`.
    ///
    /// ```
    /// // A pipeline, a bind group (`GpuContext::bind_kernel`), then one dispatch of 4 workgroups.
    /// use glove_wgpu::GpuContext;
    /// fn run(ctx: &GpuContext, p: &wgpu::ComputePipeline, bg: &wgpu::BindGroup) -> glove_wgpu::Result<()> {
    ///     let mut enc = ctx.encoder();
    ///     GpuContext::dispatch(&mut enc, p, bg, (4, 1, 1));
    ///     ctx.submit(enc)
    /// }
    /// ```
    pub fn dispatch(
        encoder: &mut wgpu::CommandEncoder,
        pipeline: &wgpu::ComputePipeline,
        bind_group: &wgpu::BindGroup,
        groups: (u32, u32, u32),
    ) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
    }

    /// Records `pipeline` with `bind_group` at dynamic offset `offset` (the parameter
    /// block of this dispatch) into an open compute pass.
    ///
    /// ```
    /// use glove_wgpu::{shaders::GLOVE_COST, train::CostParams, GpuContext};
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let params = ctx.upload_blocks("params", &[CostParams { n_batches: 1, ..Default::default() }])?;
    /// let (rows, partials) = (ctx.upload("row_cost", &[1.0f32, 2.0, 3.0])?, ctx.storage("partials", 4)?);
    /// let batch_rows = ctx.upload("batch_rows", &[0u32, 3])?; // one batch of three rows
    /// let bind_group = ctx.bind_kernel(&GLOVE_COST, &[&params, &rows, &batch_rows, &partials])?;
    /// let pipeline = ctx.pipeline(&GLOVE_COST, "reduce_cost", &[])?;
    /// let mut enc = ctx.encoder();
    /// let mut pass = enc.begin_compute_pass(&Default::default());
    /// GpuContext::dispatch_at(&mut pass, &pipeline, &bind_group, 0, 1); // block 0, one workgroup
    /// drop(pass);
    /// ctx.submit(enc)?;
    /// assert_eq!(ctx.read::<f32>(&partials, 1)?, [6.0]);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn dispatch_at(
        pass: &mut wgpu::ComputePass<'_>,
        pipeline: &wgpu::ComputePipeline,
        bind_group: &wgpu::BindGroup,
        offset: u32,
        groups: u32,
    ) {
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, bind_group, &[offset]);
        pass.dispatch_workgroups(groups, 1, 1);
    }

    /// A new command encoder.
    ///
    /// ```
    /// # use glove_wgpu::GpuContext;
    /// # if glove_wgpu::gpu::skip_without_adapter() { return Ok(()) }
    /// let ctx = GpuContext::new()?;
    /// let enc = ctx.encoder();
    /// ctx.submit(enc)?; // an empty submission
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device.create_command_encoder(&Default::default())
    }
}
