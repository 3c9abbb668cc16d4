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
    // search: scan in three row formats and two lane paths, merge, and merge plus
    // merge_subgroup;
    // training: two passes in two lane paths, and the cost.
    assert!(translated >= 14, "{translated} entry points translated");
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
    use glove_wgpu::shaders::*;
    let scans = [
        &SEARCH_SCAN_SUBGROUP,
        &SEARCH_SCAN_WORKGROUP,
        &SEARCH_SCAN_F16_SUBGROUP,
        &SEARCH_SCAN_F16_WORKGROUP,
        &SEARCH_SCAN_F16_PACKED_SUBGROUP,
        &SEARCH_SCAN_F16_PACKED_WORKGROUP,
    ];
    for s in scans {
        let c = |n: &str| s.const_u32(n);
        let (tq, te, tk, wg) = (c("TILE_Q"), c("TILE_E"), c("TILE_K"), c("WG"));
        assert_eq!(
            wg,
            (tq / c("REG_Q")) * (te / c("REG_E")),
            "one register block per thread"
        );
        assert_eq!(c("THREADS_Q"), tq / c("REG_Q"));
        assert_eq!(
            c("REG_Q"),
            4,
            "a thread's queries are one vec4 of the query tile"
        );
        assert_eq!(
            c("REG_E"),
            8,
            "a thread's rows are two vec4s of the row tile"
        );
        assert_eq!(
            tq * tk / 4,
            wg,
            "one 16-byte load of the query tile per thread and step"
        );
        assert_eq!(
            te * tk / 4,
            2 * wg,
            "two 16-byte loads of the row tile per thread and step"
        );
        assert_eq!(c("Q_SLOTS"), tk * tq / 4);
        assert_eq!(c("E_SLOTS"), tk * te / 4);
        // The quads own the queries: one quad per query slot.
        assert_eq!(c("QUAD") * tq, wg, "a quad of selection lanes per query");
        assert_eq!(c("LIST_SLOTS"), c("MAX_K") / c("QUAD"));
        assert_eq!(c("BATCH_SLOTS"), c("BATCH") / c("QUAD"));
        assert_eq!(
            c("BATCH"),
            te / c("REG_E"),
            "a batch slot per thread holding a query's keys"
        );
        assert!(c("MAX_K").is_power_of_two() && c("BATCH").is_power_of_two());
        // The offers (keys and ids of BATCH per query) fit in the product tiles.
        assert!(2 * tq * c("BATCH") <= 4 * (c("Q_SLOTS") + c("E_SLOTS")));
        // 32 pending bits per thread.
        assert!(c("REG_Q") * c("REG_E") <= 32);
        assert_eq!(c("EMPTY"), u32::MAX);
        assert!(
            s.workgroup_bytes() <= 16 * 1024,
            "{}: {} bytes",
            s.name,
            s.workgroup_bytes()
        );
    }
    for m in [&SEARCH_MERGE, &SEARCH_MERGE_SUBGROUP] {
        assert!(m.const_u32("MERGE_WG").is_power_of_two());
        assert_eq!(m.const_u32("EMPTY"), u32::MAX);
    }
}

/// The swizzle of the product tiles, by its own arithmetic: the 32 lanes of one
/// transposed store hit 32 banks, and the 128-bit reads of a dimension's row are
/// a permutation of its slots (no two lanes of a quarter-warp on one bank group).
#[test]
fn the_tile_swizzle_is_conflict_free() {
    let swz = |d: u32| ((d >> 2) << 1) & 7;
    for (columns, what) in [(64u32, "query tile"), (128, "row tile")] {
        let slots = columns / 4;
        for warp in 0..(columns * 4 / 32) {
            // lanes 32 warp .. : column i = lane / 4, dimension vec v = lane % 4
            for w in 0..4 {
                let mut banks = std::collections::HashSet::new();
                for lane in 32 * warp..32 * (warp + 1) {
                    let (i, v) = (lane / 4, lane % 4);
                    let d = 4 * v + w;
                    let word = (d * slots + ((i / 4) ^ swz(d))) * 4 + i % 4;
                    banks.insert(word % 32);
                }
                assert_eq!(banks.len(), 32, "{what}: warp {warp} word {w}");
            }
        }
        for d in 0..16 {
            let mut seen: Vec<u32> = (0..slots).map(|s| s ^ swz(d)).collect();
            seen.sort();
            assert_eq!(
                seen,
                (0..slots).collect::<Vec<_>>(),
                "{what}: dimension {d}"
            );
        }
    }
}

/// Each host mirror of a WGSL struct has the WGSL's field names, in the same
/// order, at the same offsets, with the same size: a field reordered, renamed or
/// resized on either side fails here (before, only "keep in sync" comments tied
/// them). The field lists are the Rust side's, with `offset_of!`.
#[test]
fn wgsl_structs_match_their_rust_mirrors() {
    use glove_wgpu::search::{Cand, MergeParams, ScanItem, ScanParams};
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
        (
            &shaders::SEARCH_SCAN_WORKGROUP,
            fields!(ScanParams: n_rows, row_base, dp, n_queries, k, chunk_rows,
                chunk_base, lists_per_query, metric, mode, item_base, paged, neg_inf),
        ),
        (
            &shaders::SEARCH_SCAN_WORKGROUP,
            fields!(ScanItem: row_start, row_count, pair_start, pair_count, out_base),
        ),
        (&shaders::SEARCH_SCAN_WORKGROUP, fields!(Cand: key, id)),
        (
            &shaders::SEARCH_MERGE,
            fields!(MergeParams: n_queries, k, lists_per_query, listed, queries_per_group,
                neg_inf),
        ),
        (&shaders::SEARCH_MERGE, fields!(Cand: key, id)),
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

/// Every kernel whose bindings the registry declares also declares the CPU twin
/// of each of its entry points, and nothing else: the twin lives in a file named
/// after the kernel's family (`src/<area>/twin/<family>.rs`, the area being
/// `train` for `glove_*` and `search` for `search_*`), and that file defines it.
#[test]
fn every_entry_point_of_a_declared_kernel_has_its_twin() {
    let declared_kernels: Vec<_> = shaders::all()
        .into_iter()
        .filter(|k| !k.bindings.is_empty())
        .collect();
    assert_eq!(
        declared_kernels.len(),
        shaders::all().len(),
        "every kernel declares its bindings"
    );
    for k in declared_kernels {
        let module = naga::front::wgsl::parse_str(k.source).unwrap();
        let mut entries: Vec<&str> = module
            .entry_points
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let mut declared: Vec<&str> = k.twins.iter().map(|t| t.0).collect();
        entries.sort_unstable();
        declared.sort_unstable();
        declared.dedup(); // an entry point may have one twin per mode
        assert_eq!(
            entries, declared,
            "{}: entry points against declared twins",
            k.name
        );
        let family = ["_f16_packed", "_f16"].iter().fold(
            k.name
                .trim_end_matches("_subgroup")
                .trim_end_matches("_workgroup"),
            |n, suffix| n.trim_end_matches(suffix),
        );
        let area = if family.starts_with("search_") {
            "search"
        } else {
            "train"
        };
        for (entry, twin) in k.twins {
            let prefix = format!("{area}::twin::{family}::");
            let name = twin.strip_prefix(&prefix).unwrap_or_else(|| {
                panic!(
                    "{}: the twin of {entry}, {twin}, is not in {prefix}",
                    k.name
                )
            });
            let file = format!("{}/src/{area}/twin/{family}.rs", env!("CARGO_MANIFEST_DIR"));
            let src = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(
                src.contains(&format!("fn {name}(")) || src.contains(&format!("fn {name}<")),
                "{}: the twin of {entry}, {twin}, is not defined in {file}",
                k.name
            );
        }
    }
}
