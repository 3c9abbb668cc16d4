//! The one GPU-test policy. Every test that needs an adapter gets it from [`gpu`]:
//! with no adapter, in CI (`CI` set, and not `false` or `0`) the test fails with
//! the reason; elsewhere it prints `SKIPPED <test> (no GPU adapter: ...)` on the
//! terminal and returns, passing. A test written once for both backends takes a
//! [`Device`] and is declared with [`twin_test!`].

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use glove_wgpu::GpuContext;

/// Where a twin test runs: the library's [`Device`], the CPU twin or the GPU
/// kernels on the test adapter; its `name()` is also the command line's
/// `--backend` value.
pub use glove_wgpu::Device;

/// True in CI: `CI` is set to anything but an empty string, `false` or `0`.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "false" | "0"))
}

/// The test binary's GPU context, made once. With no adapter: a panic in CI, and
/// elsewhere `None` after a `SKIPPED` line written straight to stderr (past the
/// test harness's capture, so a passing run shows it).
pub fn gpu() -> Option<Arc<GpuContext>> {
    static CTX: OnceLock<Result<Arc<GpuContext>, String>> = OnceLock::new();
    let ctx = CTX.get_or_init(|| GpuContext::new().map(Arc::new).map_err(|e| e.to_string()));
    let err = match ctx {
        Ok(c) => return Some(c.clone()),
        Err(e) => e,
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("a GPU test")
        .to_string();
    if in_ci() {
        panic!(
            "{test}: no GPU adapter: {err}. CI is set, so GPU tests fail rather than skip; \
             install Mesa's software Vulkan (scripts/test does it: mesa-vulkan-drivers \
             libvulkan1) or unset CI to skip them"
        );
    }
    // The reason in full once per test binary, then one short line per test.
    static TOLD: AtomicBool = AtomicBool::new(false);
    let msg = if TOLD.swap(true, Ordering::Relaxed) {
        format!("SKIPPED {test} (no GPU adapter)")
    } else {
        format!(
            "SKIPPED {test} (no GPU adapter: {err}; run scripts/test to install lavapipe, \
             or set CI=true to make this a failure)"
        )
    };
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

/// `twin_test!(name)` turns `fn name(dev: &Device)` into the tests `name::cpu` and
/// `name::gpu`; the GPU one follows [`gpu`]'s policy.
macro_rules! twin_test {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn cpu() {
                super::$name(&$crate::common::Device::Cpu);
            }

            #[test]
            fn gpu() {
                if let Some(ctx) = $crate::common::gpu() {
                    super::$name(&$crate::common::Device::Gpu(ctx));
                }
            }
        }
    )+};
}
pub(crate) use twin_test;
