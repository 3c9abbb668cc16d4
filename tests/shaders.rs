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
    let s = &glove_wgpu::shaders::SEARCH;
    let (tq, te, sub, wg) = (
        s.const_u32("TILE_Q"),
        s.const_u32("TILE_E"),
        s.const_u32("SUB"),
        s.const_u32("WG"),
    );
    assert_eq!(wg, tq * sub, "one selection thread group per query");
    assert_eq!(wg, (tq / 4) * (te / 4), "4 x 4 keys per thread");
    assert_eq!(te % sub, 0);
}
