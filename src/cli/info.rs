//! `glove-wgpu info`: adapters and the limits that matter.

use std::process::ExitCode;

use glove_wgpu::{GpuContext, GpuOptions, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One JSON object per adapter instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let opts = GpuOptions::try_from_env()?;
    let adapters = GpuContext::list_adapters(&opts);
    if adapters.is_empty() {
        errln!("no GPU adapter found (the CPU backend still works)");
        return Ok(ExitCode::FAILURE);
    }
    for a in &adapters {
        if args.json {
            outln!("{}", serde_json::to_string(a).expect("serialisable"))?;
        } else {
            outln!("{} [{} {}] driver: {}", a.name, a.backend, a.kind, a.driver)?;
            outln!(
                "  max storage binding {} MiB, max buffer {} MiB, workgroup memory {} KiB, \
                 {} invocations/workgroup, {} workgroups/dimension, shader f16: {}, \
                 subgroups: {} (size {}..={})",
                a.max_storage_buffer_binding_size >> 20,
                a.max_buffer_size >> 20,
                a.max_compute_workgroup_storage_size >> 10,
                a.max_compute_invocations_per_workgroup,
                a.max_compute_workgroups_per_dimension,
                a.shader_f16,
                a.subgroups,
                a.subgroup_min_size,
                a.subgroup_max_size
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
