//! The registry of WGSL sources: one kernel family per file in `shaders/`.
//!
//! Constants that the host needs (tile sizes, workgroup sizes) are written once,
//! in the WGSL, and read here by parsing the source with naga, so the two sides
//! cannot drift apart. Every kernel is validated by naga in the test suite, and
//! translated to SPIR-V, MSL and HLSL with the features it uses.
//!
//! A kernel that exists in two lane paths (with and without subgroup operations)
//! is one body file plus one lane file, joined at compile time with `concat!`; each
//! joined module is a complete WGSL module, validated as such.
//!
//! ## Kernels, entry points, CPU twins and bindings
//!
//! The binding lists below are the only place the kernels' bindings are written on
//! the host: pipelines get their layouts from them, and the trainer, the search
//! and the tests bind buffers in this order.
//!
//! | kernel | entry points | CPU twin ([`Kernel::twins`]) | bindings, in order |
//! | --- | --- | --- | --- |
//! | [`GLOVE_STEP_SUBGROUP`], [`GLOVE_STEP_WORKGROUP`] | `main_pass`, `context_pass` | [`crate::train::twin::glove_step::main_pass`], [`crate::train::twin::glove_step::context_pass`] | [`GLOVE_STEP_BINDINGS`] |
//! | [`GLOVE_COST`] | `reduce_cost` | [`crate::train::twin::glove_cost::reduce_cost`] | [`GLOVE_COST_BINDINGS`] |
//! | [`SEARCH_SCAN_SUBGROUP`], [`SEARCH_SCAN_WORKGROUP`], [`SEARCH_SCAN_F16_SUBGROUP`], [`SEARCH_SCAN_F16_WORKGROUP`], [`SEARCH_SCAN_F16_PACKED_SUBGROUP`], [`SEARCH_SCAN_F16_PACKED_WORKGROUP`] | `scan` | `crate::search::twin::search_scan::scan_rows` (exact search), `scan_list` (an IVF index's lists) | [`SEARCH_SCAN_BINDINGS`] |
//! | [`SEARCH_MERGE`], [`SEARCH_MERGE_SUBGROUP`] | `merge`, `merge_subgroup` | `crate::search::twin::search_merge::merge` (both) | [`SEARCH_MERGE_BINDINGS`] |

use std::collections::HashMap;
use std::sync::OnceLock;

use wgpu::naga;

/// What a binding of a kernel is, as its bind group layout declares it.
///
/// ```
/// use glove_wgpu::shaders::{Binding, GLOVE_COST_BINDINGS};
/// assert_eq!(GLOVE_COST_BINDINGS[1], ("row_cost", Binding::Read));
/// assert_eq!(GLOVE_COST_BINDINGS[3], ("partials", Binding::ReadWrite));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// A uniform of `size` bytes, bound at a dynamic offset (one buffer holds the
    /// parameters of every dispatch; the offset picks one).
    DynamicUniform {
        /// Bytes of one parameter block (the binding size).
        size: u64,
    },
    /// A read-only storage buffer.
    Read,
    /// A read-write storage buffer.
    ReadWrite,
}

/// One WGSL module and the name the pipeline cache knows it by.
///
/// ```
/// use glove_wgpu::shaders::GLOVE_COST;
/// assert_eq!(GLOVE_COST.name, "glove_cost");
/// assert!(GLOVE_COST.source.contains("fn reduce_cost"));
/// assert_eq!(GLOVE_COST.bindings.len(), 4);
/// assert!(GLOVE_COST.features.is_empty()); // runs on any adapter
/// ```
#[derive(Debug)]
pub struct Kernel {
    /// Short name (the file stem, or body and lane path).
    pub name: &'static str,
    /// The WGSL source.
    pub source: &'static str,
    /// Device features the module needs (naga capabilities when translating it).
    pub features: wgpu::Features,
    /// Bindings of group 0 in order (`@binding(0)`, `@binding(1)`, ...) with their
    /// names; empty: the pipeline layout is derived from the WGSL.
    pub bindings: &'static [(&'static str, Binding)],
    /// Each entry point's CPU twin, as `(entry point, path of the twin in the
    /// crate)`: the twins live in files named after their kernels.
    pub twins: &'static [(&'static str, &'static str)],
    consts: OnceLock<HashMap<String, f64>>,
}

impl Kernel {
    /// A kernel that declares its bindings and its entry points' CPU twins.
    const fn declared(
        name: &'static str,
        source: &'static str,
        features: wgpu::Features,
        bindings: &'static [(&'static str, Binding)],
        twins: &'static [(&'static str, &'static str)],
    ) -> Self {
        Kernel {
            name,
            source,
            features,
            bindings,
            twins,
            consts: OnceLock::new(),
        }
    }

    /// Parses the source with naga and validates it.
    ///
    /// ```
    /// glove_wgpu::shaders::SEARCH_MERGE.validate().unwrap();
    /// ```
    pub fn validate(&self) -> Result<naga::Module, String> {
        let module =
            naga::front::wgsl::parse_str(self.source).map_err(|e| e.emit_to_string(self.source))?;
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        )
        .validate(&module)
        .map_err(|e| e.emit_to_string(self.source))?;
        Ok(module)
    }

    /// Bytes of workgroup memory the module declares (every `var<workgroup>`, sized
    /// by naga's layouter): what the adapter must offer for its pipelines.
    ///
    /// ```
    /// assert!(glove_wgpu::shaders::SEARCH_SCAN_WORKGROUP.workgroup_bytes() > 0);
    /// ```
    pub fn workgroup_bytes(&self) -> u64 {
        let Ok(module) = naga::front::wgsl::parse_str(self.source) else {
            return 0;
        };
        let mut layouter = naga::proc::Layouter::default();
        if layouter.update(module.to_ctx()).is_err() {
            return 0;
        }
        module
            .global_variables
            .iter()
            .filter(|(_, v)| v.space == naga::AddressSpace::WorkGroup)
            .map(|(_, v)| layouter[v.ty].size as u64)
            .sum()
    }

    /// The value of a module-scope `const NAME: u32 = ...;` in the WGSL.
    ///
    /// ```
    /// let tile = glove_wgpu::shaders::SEARCH_SCAN_WORKGROUP.const_u32("TILE_Q");
    /// assert!(tile > 0);
    /// ```
    ///
    /// # Panics
    /// If the constant does not exist: that is a bug in this crate, caught by its tests.
    pub fn const_u32(&self, name: &str) -> u32 {
        let consts = self.consts.get_or_init(|| {
            let module = naga::front::wgsl::parse_str(self.source)
                .unwrap_or_else(|e| panic!("{}: {}", self.name, e.emit_to_string(self.source)));
            let mut out = HashMap::new();
            for (_, c) in module.constants.iter() {
                let Some(cname) = &c.name else { continue };
                let value = match module.global_expressions[c.init] {
                    naga::Expression::Literal(naga::Literal::U32(v)) => v as f64,
                    naga::Expression::Literal(naga::Literal::I32(v)) => v as f64,
                    naga::Expression::Literal(naga::Literal::F32(v)) => v as f64,
                    naga::Expression::Literal(naga::Literal::AbstractInt(v)) => v as f64,
                    _ => continue,
                };
                out.insert(cname.clone(), value);
            }
            out
        });
        match consts.get(name) {
            Some(v) => *v as u32,
            None => panic!("shader {} has no literal constant {name}", self.name),
        }
    }
}

/// Bindings of the search scan (`shaders/search_scan.wgsl`, every row format and
/// lane path), in order: the parameter block (one `ScanParams` at a dynamic
/// offset), the batch's queries, the rows, their squared norms, the rows' ids (an
/// IVF index's lists), the exclusion lists (offsets, ids), the work items and
/// pairs of an IVF scan, the page bounds, and the output lists.
///
/// ```
/// use glove_wgpu::shaders::{Binding, SEARCH_SCAN_BINDINGS};
/// let names: Vec<&str> = SEARCH_SCAN_BINDINGS.iter().map(|b| b.0).collect();
/// assert_eq!(names, ["params", "queries", "rows", "norms", "row_ids", "excl_off", "excl_ids",
///     "items", "pairs", "bounds", "lists"]);
/// assert_eq!(SEARCH_SCAN_BINDINGS[10].1, Binding::ReadWrite);
/// ```
pub const SEARCH_SCAN_BINDINGS: &[(&str, Binding)] = &[
    (
        "params",
        Binding::DynamicUniform {
            size: std::mem::size_of::<crate::params::ScanParams>() as u64,
        },
    ),
    ("queries", Binding::Read),
    ("rows", Binding::Read),
    ("norms", Binding::Read),
    ("row_ids", Binding::Read),
    ("excl_off", Binding::Read),
    ("excl_ids", Binding::Read),
    ("items", Binding::Read),
    ("pairs", Binding::Read),
    ("bounds", Binding::Read),
    ("lists", Binding::ReadWrite),
];

/// Bindings of the search merge (`shaders/search_merge.wgsl`, both paths), in
/// order: the parameter block (one `MergeParams` at a dynamic offset), the scan's
/// lists, each query's lists (offsets, list numbers) and the results.
///
/// ```
/// use glove_wgpu::shaders::{Binding, SEARCH_MERGE_BINDINGS};
/// let names: Vec<&str> = SEARCH_MERGE_BINDINGS.iter().map(|b| b.0).collect();
/// assert_eq!(names, ["params", "cands", "q_off", "q_lists", "results"]);
/// ```
pub const SEARCH_MERGE_BINDINGS: &[(&str, Binding)] = &[
    (
        "params",
        Binding::DynamicUniform {
            size: std::mem::size_of::<crate::params::MergeParams>() as u64,
        },
    ),
    ("cands", Binding::Read),
    ("q_off", Binding::Read),
    ("q_lists", Binding::Read),
    ("results", Binding::ReadWrite),
];

/// The CPU twins of the search scan's entry point `scan`, one per mode: exact
/// search (`mode` 0) and the lists of an IVF index (`mode` 1).
///
/// ```
/// use glove_wgpu::shaders::{SEARCH_SCAN_TWINS, SEARCH_SCAN_WORKGROUP};
/// assert_eq!(SEARCH_SCAN_WORKGROUP.twins, SEARCH_SCAN_TWINS);
/// assert_eq!(SEARCH_SCAN_TWINS[1], ("scan", "search::twin::search_scan::scan_list"));
/// ```
pub const SEARCH_SCAN_TWINS: &[(&str, &str)] = &[
    ("scan", "search::twin::search_scan::scan_rows"),
    ("scan", "search::twin::search_scan::scan_list"),
];

/// The CPU twin of the search merge's entry points: one merge for both lane paths.
///
/// ```
/// use glove_wgpu::shaders::{SEARCH_MERGE_SUBGROUP, SEARCH_MERGE_TWINS};
/// assert_eq!(SEARCH_MERGE_SUBGROUP.twins, SEARCH_MERGE_TWINS);
/// assert_eq!(SEARCH_MERGE_TWINS[0], ("merge", "search::twin::search_merge::merge"));
/// ```
pub const SEARCH_MERGE_TWINS: &[(&str, &str)] = &[
    ("merge", "search::twin::search_merge::merge"),
    ("merge_subgroup", "search::twin::search_merge::merge"),
];

/// The search scan over f32 rows, selection lanes exchanging by subgroup
/// shuffles (`search_rows_f32.wgsl` + `search_scan.wgsl` +
/// `search_lanes_subgroup.wgsl`): register-tiled products fused with a top-k kept
/// in registers by groups of four lanes.
///
/// ```
/// use glove_wgpu::shaders::{SEARCH_SCAN_BINDINGS, SEARCH_SCAN_SUBGROUP};
/// assert!(SEARCH_SCAN_SUBGROUP.source.contains("fn scan("));
/// assert!(SEARCH_SCAN_SUBGROUP.features.contains(wgpu::Features::SUBGROUP));
/// assert_eq!(SEARCH_SCAN_SUBGROUP.bindings, SEARCH_SCAN_BINDINGS);
/// SEARCH_SCAN_SUBGROUP.validate().unwrap();
/// ```
pub static SEARCH_SCAN_SUBGROUP: Kernel = Kernel::declared(
    "search_scan_subgroup",
    concat!(
        include_str!("../shaders/search_rows_f32.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_subgroup.wgsl")
    ),
    wgpu::Features::SUBGROUP,
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// [`SEARCH_SCAN_SUBGROUP`] exchanging through workgroup memory (adapters
/// without subgroups, or with subgroups of fewer than 4 lanes).
///
/// ```
/// use glove_wgpu::shaders::SEARCH_SCAN_WORKGROUP;
/// assert!(SEARCH_SCAN_WORKGROUP.features.is_empty());
/// assert_eq!(SEARCH_SCAN_WORKGROUP.const_u32("TILE_Q"), 64);
/// SEARCH_SCAN_WORKGROUP.validate().unwrap();
/// ```
pub static SEARCH_SCAN_WORKGROUP: Kernel = Kernel::declared(
    "search_scan_workgroup",
    concat!(
        include_str!("../shaders/search_rows_f32.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_workgroup.wgsl")
    ),
    wgpu::Features::empty(),
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// The search scan over f16 rows read as `vec4<f16>` (`SHADER_F16`), subgroup lanes.
///
/// ```
/// use glove_wgpu::shaders::SEARCH_SCAN_F16_SUBGROUP;
/// assert!(SEARCH_SCAN_F16_SUBGROUP.features.contains(wgpu::Features::SHADER_F16));
/// SEARCH_SCAN_F16_SUBGROUP.validate().unwrap();
/// ```
pub static SEARCH_SCAN_F16_SUBGROUP: Kernel = Kernel::declared(
    "search_scan_f16_subgroup",
    concat!(
        include_str!("../shaders/search_rows_f16.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_subgroup.wgsl")
    ),
    wgpu::Features::SHADER_F16.union(wgpu::Features::SUBGROUP),
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// The search scan over `vec4<f16>` rows, workgroup-memory lanes.
///
/// ```
/// use glove_wgpu::shaders::SEARCH_SCAN_F16_WORKGROUP;
/// assert_eq!(SEARCH_SCAN_F16_WORKGROUP.features, wgpu::Features::SHADER_F16);
/// ```
pub static SEARCH_SCAN_F16_WORKGROUP: Kernel = Kernel::declared(
    "search_scan_f16_workgroup",
    concat!(
        include_str!("../shaders/search_rows_f16.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_workgroup.wgsl")
    ),
    wgpu::Features::SHADER_F16,
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// The search scan over f16 rows read as u32 pairs and unpacked (no
/// `SHADER_F16`), subgroup lanes.
///
/// ```
/// use glove_wgpu::shaders::SEARCH_SCAN_F16_PACKED_SUBGROUP;
/// assert_eq!(SEARCH_SCAN_F16_PACKED_SUBGROUP.features, wgpu::Features::SUBGROUP);
/// ```
pub static SEARCH_SCAN_F16_PACKED_SUBGROUP: Kernel = Kernel::declared(
    "search_scan_f16_packed_subgroup",
    concat!(
        include_str!("../shaders/search_rows_f16_packed.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_subgroup.wgsl")
    ),
    wgpu::Features::SUBGROUP,
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// The search scan over unpacked f16 rows, workgroup-memory lanes: runs on any adapter.
///
/// ```
/// use glove_wgpu::shaders::SEARCH_SCAN_F16_PACKED_WORKGROUP;
/// assert!(SEARCH_SCAN_F16_PACKED_WORKGROUP.features.is_empty());
/// SEARCH_SCAN_F16_PACKED_WORKGROUP.validate().unwrap();
/// ```
pub static SEARCH_SCAN_F16_PACKED_WORKGROUP: Kernel = Kernel::declared(
    "search_scan_f16_packed_workgroup",
    concat!(
        include_str!("../shaders/search_rows_f16_packed.wgsl"),
        include_str!("../shaders/search_scan.wgsl"),
        include_str!("../shaders/search_lanes_workgroup.wgsl")
    ),
    wgpu::Features::empty(),
    SEARCH_SCAN_BINDINGS,
    SEARCH_SCAN_TWINS,
);

/// The search merge, one workgroup per query (`shaders/search_merge.wgsl`).
///
/// ```
/// use glove_wgpu::shaders::{SEARCH_MERGE, SEARCH_MERGE_BINDINGS};
/// assert!(SEARCH_MERGE.source.contains("fn merge("));
/// assert_eq!(SEARCH_MERGE.bindings, SEARCH_MERGE_BINDINGS);
/// SEARCH_MERGE.validate().unwrap();
/// ```
pub static SEARCH_MERGE: Kernel = Kernel::declared(
    "search_merge",
    include_str!("../shaders/search_merge.wgsl"),
    wgpu::Features::empty(),
    SEARCH_MERGE_BINDINGS,
    &[("merge", "search::twin::search_merge::merge")],
);

/// [`SEARCH_MERGE`] plus `merge_subgroup`, one subgroup per query (devices with
/// `SUBGROUP`).
///
/// ```
/// use glove_wgpu::shaders::SEARCH_MERGE_SUBGROUP;
/// assert!(SEARCH_MERGE_SUBGROUP.source.contains("fn merge_subgroup"));
/// assert!(SEARCH_MERGE_SUBGROUP.features.contains(wgpu::Features::SUBGROUP));
/// ```
pub static SEARCH_MERGE_SUBGROUP: Kernel = Kernel::declared(
    "search_merge_subgroup",
    concat!(
        include_str!("../shaders/search_merge.wgsl"),
        include_str!("../shaders/search_merge_subgroup.wgsl")
    ),
    wgpu::Features::SUBGROUP,
    SEARCH_MERGE_BINDINGS,
    SEARCH_MERGE_TWINS,
);

/// Bindings of `glove_step` (both lane paths), in order: the parameter block, the
/// model's row shards (`rows0` .. `rows7`, see [`crate::train::max_shards`]), the
/// snapshot, the pass's spans and entries, and the row costs. The uniform is one
/// [`crate::params::StepParams`] at a dynamic offset.
///
/// ```
/// use glove_wgpu::{shaders::{Binding, GLOVE_STEP_BINDINGS}, train::StepParams};
/// let names: Vec<&str> = GLOVE_STEP_BINDINGS.iter().map(|b| b.0).collect();
/// assert_eq!(names, ["params", "rows0", "rows1", "rows2", "rows3", "rows4", "rows5", "rows6",
///     "rows7", "snapshot", "spans", "entries", "row_cost"]);
/// let size = std::mem::size_of::<StepParams>() as u64;
/// assert_eq!(GLOVE_STEP_BINDINGS[0].1, Binding::DynamicUniform { size });
/// ```
pub const GLOVE_STEP_BINDINGS: &[(&str, Binding)] = &[
    (
        "params",
        Binding::DynamicUniform {
            size: std::mem::size_of::<crate::params::StepParams>() as u64,
        },
    ),
    ("rows0", Binding::ReadWrite),
    ("rows1", Binding::ReadWrite),
    ("rows2", Binding::ReadWrite),
    ("rows3", Binding::ReadWrite),
    ("rows4", Binding::ReadWrite),
    ("rows5", Binding::ReadWrite),
    ("rows6", Binding::ReadWrite),
    ("rows7", Binding::ReadWrite),
    ("snapshot", Binding::ReadWrite),
    ("spans", Binding::Read),
    ("entries", Binding::Read),
    ("row_cost", Binding::ReadWrite),
];

/// Bindings of `glove_cost`, in order.
///
/// ```
/// use glove_wgpu::shaders::{Binding, GLOVE_COST_BINDINGS};
/// assert_eq!(GLOVE_COST_BINDINGS[0], ("params", Binding::DynamicUniform { size: 16 })); // CostParams
/// assert_eq!(GLOVE_COST_BINDINGS[2], ("batch_rows", Binding::Read));
/// ```
pub const GLOVE_COST_BINDINGS: &[(&str, Binding)] = &[
    (
        "params",
        Binding::DynamicUniform {
            size: std::mem::size_of::<crate::params::CostParams>() as u64,
        },
    ),
    ("row_cost", Binding::Read),
    ("batch_rows", Binding::Read),
    ("partials", Binding::ReadWrite),
];

/// The CPU twins of `glove_step`'s entry points (both lane paths).
///
/// ```
/// use glove_wgpu::shaders::{GLOVE_STEP_SUBGROUP, GLOVE_STEP_TWINS};
/// assert_eq!(GLOVE_STEP_SUBGROUP.twins, GLOVE_STEP_TWINS);
/// assert_eq!(GLOVE_STEP_TWINS[0], ("main_pass", "train::twin::glove_step::main_pass"));
/// ```
pub const GLOVE_STEP_TWINS: &[(&str, &str)] = &[
    ("main_pass", "train::twin::glove_step::main_pass"),
    ("context_pass", "train::twin::glove_step::context_pass"),
];

/// GloVe training, subgroup path: the row-gathered main and context passes of one
/// batch, one subgroup per row (`glove_step.wgsl` + `glove_lanes_subgroup.wgsl`).
///
/// ```
/// use glove_wgpu::shaders::{GLOVE_STEP_BINDINGS, GLOVE_STEP_SUBGROUP};
/// assert!(GLOVE_STEP_SUBGROUP.features.contains(wgpu::Features::SUBGROUP));
/// assert_eq!(GLOVE_STEP_SUBGROUP.bindings, GLOVE_STEP_BINDINGS);
/// GLOVE_STEP_SUBGROUP.validate().unwrap();
/// ```
pub static GLOVE_STEP_SUBGROUP: Kernel = Kernel::declared(
    "glove_step_subgroup",
    concat!(
        include_str!("../shaders/glove_step.wgsl"),
        include_str!("../shaders/glove_lanes_subgroup.wgsl")
    ),
    wgpu::Features::SUBGROUP,
    GLOVE_STEP_BINDINGS,
    GLOVE_STEP_TWINS,
);

/// GloVe training, fallback path: the same passes with one 32-invocation workgroup
/// per row, reductions in workgroup memory (`glove_step.wgsl` +
/// `glove_lanes_workgroup.wgsl`).
///
/// ```
/// use glove_wgpu::shaders::GLOVE_STEP_WORKGROUP;
/// assert_eq!(GLOVE_STEP_WORKGROUP.const_u32("LANES"), 32);
/// assert!(GLOVE_STEP_WORKGROUP.features.is_empty());
/// ```
pub static GLOVE_STEP_WORKGROUP: Kernel = Kernel::declared(
    "glove_step_workgroup",
    concat!(
        include_str!("../shaders/glove_step.wgsl"),
        include_str!("../shaders/glove_lanes_workgroup.wgsl")
    ),
    wgpu::Features::empty(),
    GLOVE_STEP_BINDINGS,
    GLOVE_STEP_TWINS,
);

/// GloVe training: the deterministic cost reduction, one partial a batch, once per chunk.
///
/// ```
/// use glove_wgpu::shaders::GLOVE_COST;
/// assert_eq!(GLOVE_COST.const_u32("COST_WG"), 256);
/// GLOVE_COST.validate().unwrap();
/// ```
pub static GLOVE_COST: Kernel = Kernel::declared(
    "glove_cost",
    include_str!("../shaders/glove_cost.wgsl"),
    wgpu::Features::empty(),
    GLOVE_COST_BINDINGS,
    &[("reduce_cost", "train::twin::glove_cost::reduce_cost")],
);

/// Every kernel, for validation and translation tests.
///
/// ```
/// let kernels = glove_wgpu::shaders::all();
/// assert_eq!(kernels.len(), 11);
/// for k in kernels {
///     k.validate().unwrap_or_else(|e| panic!("{}: {e}", k.name));
/// }
/// ```
pub fn all() -> Vec<&'static Kernel> {
    vec![
        &SEARCH_SCAN_SUBGROUP,
        &SEARCH_SCAN_WORKGROUP,
        &SEARCH_SCAN_F16_SUBGROUP,
        &SEARCH_SCAN_F16_WORKGROUP,
        &SEARCH_SCAN_F16_PACKED_SUBGROUP,
        &SEARCH_SCAN_F16_PACKED_WORKGROUP,
        &SEARCH_MERGE,
        &SEARCH_MERGE_SUBGROUP,
        &GLOVE_STEP_SUBGROUP,
        &GLOVE_STEP_WORKGROUP,
        &GLOVE_COST,
    ]
}
