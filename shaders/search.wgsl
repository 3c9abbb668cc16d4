const TILE_Q: u32 = 64u;
@compute @workgroup_size(64)
fn main() {}
