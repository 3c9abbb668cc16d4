// The quad exchange and the entry point of search_scan.wgsl without subgroups:
// selection lane s = local_invocation_index, and a quad exchanges through
// workgroup memory between two barriers (every call is in uniform control flow:
// the loops around it run to pipeline constants).

var<workgroup> xkey: array<f32, WG>;
var<workgroup> xid: array<u32, WG>;

fn xchg(key: f32, id: u32, mask: u32, s: u32) -> Cand {
    workgroupBarrier(); // every lane has read the previous exchange
    xkey[s] = key;
    xid[s] = id;
    workgroupBarrier();
    return Cand(xkey[s ^ mask], xid[s ^ mask]);
}

@compute @workgroup_size(WG)
fn scan(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    scan_body(wid, lid, lid);
}
