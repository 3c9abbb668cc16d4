//! Every WGSL kernel parses and validates with naga, and the constants the host
//! reads from it exist.

#[test]
fn every_shader_validates() {
    for k in glove_wgpu::shaders::all() {
        if let Err(e) = k.validate() {
            panic!("shader {} does not validate:\n{e}", k.name);
        }
    }
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
