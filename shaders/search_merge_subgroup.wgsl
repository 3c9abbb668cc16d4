// merge_subgroup: the merge of search_merge.wgsl with one subgroup per query.
// Appended to search_merge.wgsl (src/shaders.rs, `SEARCH_MERGE_SUBGROUP`); used
// only on a device with Features::SUBGROUP (no `enable` directive: naga 30
// rejects it).
//
// The host gives each workgroup of MERGE_WG lanes `queries_per_group` queries,
// MERGE_WG / the adapter's largest subgroup size, so every query has a subgroup
// whatever size up to MERGE_WG the driver picks; spare subgroups return. An
// adapter whose subgroups may be wider than MERGE_WG gets the workgroup `merge`.
// Lane j of the subgroup owns lists j, j + size, ...; each of the k rounds finds
// the best head with a subgroupShuffleXor butterfly in `better` order (a fixed
// order, and a total one, so every lane ends with the same winner) and the
// winning lane advances.
@compute @workgroup_size(MERGE_WG)
fn merge_subgroup(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(subgroup_id) sid: u32,
    @builtin(subgroup_size) size: u32,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    if sid >= params.queries_per_group {
        return;
    }
    let q = wid.x * params.queries_per_group + sid;
    if q >= params.n_queries {
        return;
    }
    let k = params.k;
    var mine = lane_best(q, lane, size, false, 0.0, 0u);
    for (var r = 0u; r < k; r = r + 1u) {
        var key = mine.key;
        var id = mine.id;
        for (var s = 1u; s < size; s = s * 2u) {
            let ok = subgroupShuffleXor(key, s);
            let oi = subgroupShuffleXor(id, s);
            if better(ok, oi, key, id) {
                key = ok;
                id = oi;
            }
        }
        if lane == 0u {
            results[q * k + r] = Cand(key, id);
        }
        if id != EMPTY && mine.id == id {
            mine = lane_best(q, lane, size, true, key, id);
        }
    }
}
