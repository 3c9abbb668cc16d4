//! The GPU context: instance, adapter, device, queue and a pipeline cache, made once.
//!
//! One file, over 500 lines: the context is one concept, each method a short use of the same device, queue and cache.
//!
//! Work functions take a `&GpuContext`, so tests and applications can share one
//! device. Adapter choice is high-performance by default and can be forced
//! from the environment:
//!
//! | variable | effect |
//! | --- | --- |
//! | `GLOVE_WGPU_BACKEND` (or wgpu's `WGPU_BACKEND`) | comma list of backends: `vulkan`, `metal`, `dx12`, `gl` |
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
        let var = |a: &str, b: &str| {
            std::env::var(a)
                .ok()
                .or_else(|| std::env::var(b).ok())
                .filter(|s| !s.trim().is_empty())
        };
        GpuOptions {
            backends: var("GLOVE_WGPU_BACKEND", "WGPU_BACKEND")
                .map(|s| wgpu::Backends::from_comma_list(&s)),
            adapter_name: var("GLOVE_WGPU_ADAPTER", "WGPU_ADAPTER_NAME"),
            no_subgroups: std::env::var("GLOVE_WGPU_NO_SUBGROUPS")
                .is_ok_and(|v| !v.is_empty() && v != "0"),
            no_f16: false,
        }
    }
}

/// A short description of an adapter, as `glove-wgpu info` prints it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AdapterSummary {
    /// Adapter name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub name: String,
    /// Backend: `Vulkan`, `Metal`, `Dx12`, `Gl`.
    pub backend: String,
    /// `DiscreteGpu`, `IntegratedGpu`, `Cpu`, ...
    pub device_type: String,
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
            device_type: format!("{:?}", info.device_type),
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
/// ```no_run
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

impl GpuContext {
    /// A context on the adapter chosen by [`GpuOptions::from_env`].
    pub fn new() -> Result<Self> {
        Self::with_options(&GpuOptions::from_env())
    }

    /// Every adapter the instance can see (for `glove-wgpu info`).
    ///
    /// ```no_run
    /// for a in glove_wgpu::GpuContext::list_adapters(&Default::default()) {
    ///     println!("{} ({})", a.name, a.backend);
    /// }
    /// ```
    pub fn list_adapters(options: &GpuOptions) -> Vec<AdapterSummary> {
        let inst = instance(options.backends);
        let adapters = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
        adapters.iter().map(AdapterSummary::new).collect()
    }

    /// A context on the adapter the options select.
    pub fn with_options(options: &GpuOptions) -> Result<Self> {
        let inst = instance(options.backends);
        let adapter = match &options.adapter_name {
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
                    })?
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
            })?,
        };
        let summary = AdapterSummary::new(&adapter);
        let limits = adapter.limits();
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
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// What the adapter is, and the limits that matter.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.summary
    }

    /// The device's limits (the adapter's own).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// Whether the device was created with subgroup operations (`Features::SUBGROUP`).
    pub fn has_subgroups(&self) -> bool {
        self.features.contains(wgpu::Features::SUBGROUP)
    }

    /// Whether the device was created with f16 in shaders (`Features::SHADER_F16`).
    pub fn has_f16(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_F16)
    }

    /// The largest buffer this device can bind as one storage binding, in bytes.
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// A compute pipeline for `entry` of `kernel`, with override constants; cached.
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
    pub fn uniform_stride(&self, block: u64) -> u64 {
        block.next_multiple_of(self.limits.min_uniform_buffer_offset_alignment.max(4) as u64)
    }

    /// A uniform buffer of `blocks` parameter blocks, block `b` at byte
    /// `b * uniform_stride(size_of::<T>())` (bind with [`GpuContext::bind_kernel`],
    /// pick a block with [`GpuContext::dispatch_at`]).
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

    /// A bind group for `pipeline`'s group 0 with `buffers` at bindings given in order.
    pub fn bind(
        &self,
        pipeline: &wgpu::ComputePipeline,
        buffers: &[(u32, &wgpu::Buffer)],
    ) -> Result<wgpu::BindGroup> {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .map(|(binding, b)| wgpu::BindGroupEntry {
                binding: *binding,
                resource: b.as_entire_binding(),
            })
            .collect();
        self.scoped(|| {
            self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &pipeline.get_bind_group_layout(0),
                entries: &entries,
            })
        })
    }

    /// Submits `encoder`, waits for the GPU, and reports errors.
    pub fn submit(&self, encoder: wgpu::CommandEncoder) -> Result<()> {
        self.scoped(|| {
            self.queue.submit([encoder.finish()]);
        })?;
        self.wait()
    }

    /// Blocks until the device is idle.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Gpu(format!("waiting for the GPU: {e}")))?;
        self.check_lost()
    }

    /// Copies the first `len` elements of `buffer` back to the host.
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
    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device.create_command_encoder(&Default::default())
    }
}
