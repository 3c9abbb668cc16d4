//! The registry of WGSL sources: one kernel family per file in `shaders/`.
//!
//! Constants that the host needs (tile sizes, workgroup sizes) are written once,
//! in the WGSL, and read here by parsing the source with naga, so the two sides
//! cannot drift apart. Every kernel is validated by naga in the test suite.

use std::collections::HashMap;
use std::sync::OnceLock;

use wgpu::naga;

/// One WGSL file and the name the pipeline cache knows it by.
#[derive(Debug)]
pub struct Kernel {
    /// Short name (the file stem).
    pub name: &'static str,
    /// The WGSL source.
    pub source: &'static str,
    consts: OnceLock<HashMap<String, f64>>,
}

impl Kernel {
    const fn new(name: &'static str, source: &'static str) -> Self {
        Kernel {
            name,
            source,
            consts: OnceLock::new(),
        }
    }

    /// Parses the source with naga and validates it.
    ///
    /// ```
    /// glove_wgpu::shaders::SEARCH.validate().unwrap();
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

    /// The value of a module-scope `const NAME: u32 = ...;` in the WGSL.
    ///
    /// ```
    /// let tile = glove_wgpu::shaders::SEARCH.const_u32("TILE_Q");
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

/// Exact top-k search over f32 rows: register-tiled scores fused with a per-query
/// top-k selection, then a workgroup-memory merge (`shaders/search.wgsl`).
pub static SEARCH: Kernel = Kernel::new(
    "search",
    concat!(
        include_str!("../shaders/search_rows_f32.wgsl"),
        include_str!("../shaders/search.wgsl")
    ),
);

/// [`SEARCH`] over f16 rows read as `vec4<f16>` (devices with `SHADER_F16`).
pub static SEARCH_F16: Kernel = Kernel::new(
    "search_f16",
    concat!(
        include_str!("../shaders/search_rows_f16.wgsl"),
        include_str!("../shaders/search.wgsl")
    ),
);

/// [`SEARCH`] over f16 rows read as u32 pairs and unpacked (devices without `SHADER_F16`).
pub static SEARCH_F16_PACKED: Kernel = Kernel::new(
    "search_f16_packed",
    concat!(
        include_str!("../shaders/search_rows_f16_packed.wgsl"),
        include_str!("../shaders/search.wgsl")
    ),
);

/// [`SEARCH`] plus `merge_subgroup`, the merge with one subgroup per query
/// (devices with `SUBGROUP`).
pub static SEARCH_SUBGROUP: Kernel = Kernel::new(
    "search_subgroup",
    concat!(
        include_str!("../shaders/search_rows_f32.wgsl"),
        include_str!("../shaders/search.wgsl"),
        include_str!("../shaders/search_merge_subgroup.wgsl")
    ),
);

/// GloVe training: the row-gathered main and context passes of one batch.
pub static GLOVE_STEP: Kernel =
    Kernel::new("glove_step", include_str!("../shaders/glove_step.wgsl"));

/// GloVe training: the deterministic per-batch cost reduction.
pub static GLOVE_COST: Kernel =
    Kernel::new("glove_cost", include_str!("../shaders/glove_cost.wgsl"));

/// Every kernel, for validation and `glove-wgpu info`.
pub fn all() -> [&'static Kernel; 6] {
    [
        &SEARCH,
        &SEARCH_F16,
        &SEARCH_F16_PACKED,
        &SEARCH_SUBGROUP,
        &GLOVE_STEP,
        &GLOVE_COST,
    ]
}
