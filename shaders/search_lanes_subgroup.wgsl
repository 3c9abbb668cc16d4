// The quad exchange and the entry point of search_scan.wgsl on adapters with
// subgroups whose size is at least 4: selection lane s = subgroup_id *
// subgroup_size + subgroup_invocation_id, so the four lanes of a quad are
// consecutive lanes of one subgroup and exchange with subgroupShuffleXor
// (masks 1, 2, 3). Every call is in uniform control flow. Needs
// Features::SUBGROUP (no `enable` directive: naga 30 takes the builtins as is).

fn xchg(key: f32, id: u32, mask: u32, s: u32) -> Cand {
    return Cand(subgroupShuffleXor(key, mask), subgroupShuffleXor(id, mask));
}

@compute @workgroup_size(WG)
fn scan(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(subgroup_id) sg: u32,
    @builtin(subgroup_size) size: u32,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    scan_body(wid, lid, sg * size + lane);
}
