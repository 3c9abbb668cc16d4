//! The GPU context: adapter choice, limits, and failures as error values.

mod common;

use glove_wgpu::{Error, GpuContext, GpuOptions};

#[test]
fn adapter_is_found_with_its_own_limits() {
    let Some(ctx) = common::gpu() else { return };
    let a = ctx.adapter();
    assert!(!a.name.is_empty());
    // The device got the adapter's limits, not wgpu's defaults (128 MiB binding).
    assert_eq!(
        ctx.limits().max_storage_buffer_binding_size,
        a.max_storage_buffer_binding_size
    );
    assert!(ctx.max_binding_bytes() >= 128 << 20);
    assert!(!GpuContext::list_adapters(&GpuOptions::default()).is_empty());
}

#[test]
fn unknown_adapter_name_is_an_error() {
    let opts = GpuOptions {
        adapter_name: Some("no such adapter 1234".into()),
        ..Default::default()
    };
    match GpuContext::with_options(&opts) {
        Err(Error::NoAdapter(msg)) => assert!(msg.contains("no such adapter 1234"), "{msg}"),
        other => panic!("expected NoAdapter, got {other:?}"),
    }
}

#[test]
fn oversized_buffer_is_an_error_not_a_panic() {
    let Some(ctx) = common::gpu() else { return };
    let too_big = ctx.limits().max_buffer_size + 4;
    let err = ctx.storage("too big", too_big).unwrap_err();
    assert!(
        matches!(err, Error::Gpu(_) | Error::OutOfMemory(_)),
        "{err:?}"
    );
    // The context stays usable afterwards.
    let buf = ctx.upload("small", &[1u32, 2, 3]).unwrap();
    assert_eq!(ctx.read::<u32>(&buf, 3).unwrap(), [1, 2, 3]);
}

#[test]
fn upload_and_read_round_trip_odd_sizes() {
    let Some(ctx) = common::gpu() else { return };
    for len in [0usize, 1, 3, 1000] {
        let data: Vec<u16> = (0..len as u16).collect();
        let buf = ctx.upload("u16", &data).unwrap();
        assert_eq!(ctx.read::<u16>(&buf, len).unwrap(), data);
    }
}

/// llvmpipe's subgroup size follows `LP_NATIVE_VECTOR_WIDTH` (bits / 32 lanes):
/// `.ci/run` runs the GPU suites at 128, 256 and 512 (4, 8 and 16 lanes), and this
/// checks that each run got the width it asked for.
#[test]
fn llvmpipe_subgroup_size_follows_its_vector_width() {
    let Some(ctx) = common::gpu() else { return };
    let a = ctx.adapter();
    let Ok(width) = std::env::var("LP_NATIVE_VECTOR_WIDTH") else {
        return;
    };
    if !a.name.starts_with("llvmpipe") {
        return;
    }
    let lanes: u32 = width.parse::<u32>().unwrap() / 32;
    assert!(ctx.has_subgroups(), "{}", a.name);
    assert_eq!(
        (a.subgroup_min_size, a.subgroup_max_size),
        (lanes, lanes),
        "LP_NATIVE_VECTOR_WIDTH={width} on {}",
        a.name
    );
}
