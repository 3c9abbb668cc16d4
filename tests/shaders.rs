//! Every WGSL kernel parses and validates with naga, the constants the host reads
//! from it exist, and every entry point translates to the three shading languages
//! wgpu feeds its native backends: SPIR-V (Vulkan), MSL (Metal) and HLSL (DX12),
//! with only the capabilities of the features the kernel declares. A kernel that
//! fails here would fail on a user's Mac or Windows machine first.

use glove_wgpu::shaders::{self, Kernel};
use naga::back::{hlsl, msl, spv};
use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_shader_validates() {
    for k in shaders::all() {
        if let Err(e) = k.validate() {
            panic!("shader {} does not validate:\n{e}", k.name);
        }
    }
}

/// naga capabilities of the device features a kernel declares, and nothing more,
/// on top of what every Vulkan, Metal and DX12 adapter has (wgpu's downlevel flag
/// `SHADER_F16_IN_F32`, which `unpack2x16float` needs; only some GL ES lack it).
fn capabilities(k: &Kernel) -> Capabilities {
    let mut caps = Capabilities::SHADER_FLOAT16_IN_FLOAT32;
    if k.features.contains(wgpu::Features::SUBGROUP) {
        caps |= Capabilities::SUBGROUP;
    }
    if k.features.contains(wgpu::Features::SHADER_F16) {
        caps |= Capabilities::SHADER_FLOAT16;
    }
    caps
}

/// Parses `k`, validates it with its own capabilities, and resolves its override
/// constants to their defaults, as a pipeline without constants would.
fn module(k: &Kernel) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(k.source)
        .unwrap_or_else(|e| panic!("{}: {}", k.name, e.emit_to_string(k.source)));
    let info = Validator::new(ValidationFlags::all(), capabilities(k))
        .subgroup_stages(naga::valid::ShaderStages::COMPUTE)
        .subgroup_operations(naga::valid::SubgroupOperationSet::all())
        .validate(&module)
        .unwrap_or_else(|e| {
            panic!(
                "{} does not validate with the capabilities of {:?}:\n{}",
                k.name,
                k.features,
                e.emit_to_string(k.source)
            )
        });
    let (m, i) = naga::back::pipeline_constants::process_overrides(
        &module,
        &info,
        None,
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("{}: override constants: {e:?}", k.name));
    (m.into_owned(), i.into_owned())
}

#[test]
fn every_kernel_translates_to_spirv_msl_and_hlsl() {
    let mut translated = 0;
    for k in shaders::all() {
        let (module, info) = module(k);
        for ep in &module.entry_points {
            let what = format!("{} {}", k.name, ep.name);
            let stage = ep.stage;
            let spv_opts = spv::Options {
                lang_version: (1, 3),
                ..Default::default()
            };
            let spv_pipeline = spv::PipelineOptions {
                shader_stage: stage,
                entry_point: ep.name.clone(),
            };
            let words = spv::write_vec(&module, &info, &spv_opts, Some(&spv_pipeline))
                .unwrap_or_else(|e| panic!("{what}: SPIR-V: {e}"));
            assert_eq!(words[0], 0x0723_0203, "{what}: SPIR-V magic number");

            let msl_opts = msl::Options {
                lang_version: (2, 4),
                ..Default::default()
            };
            let msl_pipeline = msl::PipelineOptions {
                entry_point: Some((stage, ep.name.clone())),
                ..Default::default()
            };
            let (src, _) = msl::write_string(&module, &info, &msl_opts, &msl_pipeline)
                .unwrap_or_else(|e| panic!("{what}: MSL: {e}"));
            assert!(src.contains("kernel"), "{what}: no MSL kernel");

            let hlsl_opts = hlsl::Options {
                shader_model: hlsl::ShaderModel::V6_2,
                ..Default::default()
            };
            let hlsl_pipeline = hlsl::PipelineOptions {
                entry_point: Some((stage, ep.name.clone())),
            };
            let mut src = String::new();
            hlsl::Writer::new(&mut src, &hlsl_opts, &hlsl_pipeline)
                .write(&module, &info, None)
                .unwrap_or_else(|e| panic!("{what}: HLSL: {e}"));
            assert!(src.contains("numthreads"), "{what}: no HLSL compute entry");
            translated += 1;
        }
    }
    // search: topk_tiles and merge in three row formats, plus merge_subgroup;
    // training: two passes in two lane paths, and the cost.
    assert!(translated >= 12, "{translated} entry points translated");
    eprintln!("{translated} entry points translated");
}

/// A kernel that uses subgroup operations or f16 without declaring the feature
/// would fail on a device without it: validating each kernel with only its own
/// capabilities catches that, and this test shows the check can fail.
#[test]
fn undeclared_features_are_caught() {
    let k = &shaders::GLOVE_STEP_SUBGROUP;
    let module = naga::front::wgsl::parse_str(k.source).unwrap();
    let without = Validator::new(ValidationFlags::all(), Capabilities::empty()).validate(&module);
    assert!(without.is_err(), "subgroup ops validated without SUBGROUP");
}

#[test]
fn search_constants_are_consistent() {
    for s in [
        &glove_wgpu::shaders::SEARCH,
        &glove_wgpu::shaders::SEARCH_F16,
        &glove_wgpu::shaders::SEARCH_F16_PACKED,
        &glove_wgpu::shaders::SEARCH_SUBGROUP,
    ] {
        let c = |n: &str| s.const_u32(n);
        let (tq, te, tk, wg) = (c("TILE_Q"), c("TILE_E"), c("TILE_K"), c("WG"));
        assert_eq!(
            wg,
            (tq / c("REG_Q")) * (te / c("REG_E")),
            "one register block per thread"
        );
        assert_eq!(c("LANES_Q"), tq / c("REG_Q"));
        assert_eq!(
            c("PITCH"),
            tq + 1,
            "odd pitch: conflict-free transposed stores"
        );
        assert_eq!(
            tq, te,
            "the key tile reuses the pitch of both product tiles"
        );
        assert_eq!(
            c("LANES_Q"),
            32,
            "the key tile swizzle (col ^ (q & 31)) spans 32 banks"
        );
        assert_eq!(
            tq * (tk / 4),
            2 * wg,
            "two vec4 loads per thread per tile and step"
        );
        assert!(
            tq * te <= 2 * tk * c("PITCH"),
            "the key tile fits in the product tiles"
        );
        assert!(c("MERGE_WG").is_power_of_two());
    }
}

/// Each host mirror of a WGSL struct has the WGSL's field names, in the same
/// order, at the same offsets, with the same size: a field reordered, renamed or
/// resized on either side fails here (before, only "keep in sync" comments tied
/// them). The field lists are the Rust side's, with `offset_of!`.
#[test]
fn wgsl_structs_match_their_rust_mirrors() {
    use glove_wgpu::train::{CostParams, Entry, Span, StepParams};
    use std::mem::{offset_of, size_of};
    macro_rules! fields {
        ($t:ty: $($f:ident),*) => {
            (stringify!($t), size_of::<$t>(), vec![$((stringify!($f), offset_of!($t, $f))),*])
        };
    }
    let mirrors = [
        (
            &shaders::GLOVE_STEP_WORKGROUP,
            fields!(StepParams: dim, stride, ctx_row, shard_rows, span_base, n_spans,
                entry_base, n_entries, x_max, alpha, eta, clip),
        ),
        (&shaders::GLOVE_STEP_WORKGROUP, fields!(Span: row, start)),
        (&shaders::GLOVE_STEP_WORKGROUP, fields!(Entry: idx, x)),
        (
            &shaders::GLOVE_COST,
            fields!(CostParams: n_batches, out_base, pad0, pad1),
        ),
    ];
    for (kernel, (name, size, rust)) in mirrors {
        let module = naga::front::wgsl::parse_str(kernel.source).unwrap();
        let mut layouter = naga::proc::Layouter::default();
        layouter.update(module.to_ctx()).unwrap();
        let (handle, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{}: no struct {name}", kernel.name));
        let naga::TypeInner::Struct { members, span } = &ty.inner else {
            panic!("{name} is not a struct");
        };
        let wgsl: Vec<(&str, usize)> = members
            .iter()
            .map(|m| (m.name.as_deref().unwrap_or("?"), m.offset as usize))
            .collect();
        assert_eq!(wgsl, rust, "{name}: WGSL ({}) against Rust", kernel.name);
        assert_eq!(*span as usize, size, "{name}: size");
        assert_eq!(layouter[handle].size as usize, size, "{name}: size");
    }
}

/// Every kernel whose bindings the registry declares also declares the CPU twin of
/// each of its entry points, and nothing else: the twin is named after the entry
/// point, in a file named after the kernel's family.
#[test]
fn every_entry_point_of_a_declared_kernel_has_its_twin() {
    for k in shaders::all()
        .into_iter()
        .filter(|k| !k.bindings.is_empty())
    {
        let module = naga::front::wgsl::parse_str(k.source).unwrap();
        let mut entries: Vec<&str> = module
            .entry_points
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let mut declared: Vec<&str> = k.twins.iter().map(|t| t.0).collect();
        entries.sort_unstable();
        declared.sort_unstable();
        assert_eq!(
            entries, declared,
            "{}: entry points against declared twins",
            k.name
        );
        let family = k
            .name
            .trim_end_matches("_subgroup")
            .trim_end_matches("_workgroup");
        for (entry, twin) in k.twins {
            assert_eq!(
                *twin,
                format!("train::twin::{family}::{entry}"),
                "{}: the twin of {entry}",
                k.name
            );
        }
    }
}
