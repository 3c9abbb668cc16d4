//! Host side of the search kernels (`shaders/search_scan.wgsl`,
//! `shaders/search_merge.wgsl`): shards, batches, work items, dispatches,
//! read-back, for exact search ([`GpuIndex`]) and an IVF index's lists
//! ([`GpuLists`]).
//!
//! One file, over 500 lines: the host side of one kernel pair, its plans,
//! buffers, bindings and dispatch loop.
//!
//! Rows are uploaded once, split into shards no larger than the device's
//! storage-binding limit (or a smaller limit the caller sets; an IVF index cuts
//! its shards between lists). A search runs in batches of queries (the lists of
//! a batch stay under a budget); each batch is one submission: the scan once per
//! shard (several dispatches when the work items outnumber a dispatch's
//! workgroups), one merge, and the copy of the results into a mapped staging
//! buffer. Buffers are bound by the names the registry declares
//! ([`SEARCH_SCAN_BINDINGS`](crate::shaders::SEARCH_SCAN_BINDINGS),
//! [`SEARCH_MERGE_BINDINGS`](crate::shaders::SEARCH_MERGE_BINDINGS)); every
//! dispatch's parameters sit in one uniform buffer, one aligned block each,
//! picked by a dynamic offset.
//!
//! # Counted figures
//!
//! [`KernelCounts`] are counted from the same plan the dispatches use (see the
//! kernel's header for the layout): rows are read once per 64-query block of a
//! work item (`b` = 4 bytes per value for f32, 2 for f16), queries once per
//! 128-row tile, the lists of k (8 bytes an entry) written by the scan and read
//! by the merge. For exact search that is about `b / 128 + 4 / 256` bytes per
//! FLOP (0.047 for f32, 0.031 for f16) plus the lists; the product does 3 shared
//! loads (128-bit) per 32 FMAs.
//!
//! A `k` above the kernel's `MAX_K` (128) is searched in pages of 128, each
//! keeping the keys after the last hit of the page before (`bounds`).

use std::sync::{Arc, Mutex};

use super::lists::{ListRows, Pairs};
use super::topk::TopK;
use super::{metric_code, Exclusions, Lists, Metric, Prepared, Queries, Rows};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::params::{Cand, MergeParams, ScanItem, ScanParams};
use crate::shaders::{
    Kernel, SEARCH_MERGE, SEARCH_MERGE_SUBGROUP, SEARCH_SCAN_F16_PACKED_SUBGROUP,
    SEARCH_SCAN_F16_PACKED_WORKGROUP, SEARCH_SCAN_F16_SUBGROUP, SEARCH_SCAN_F16_WORKGROUP,
    SEARCH_SCAN_SUBGROUP, SEARCH_SCAN_WORKGROUP,
};

/// Lists of one batch stay under this many bytes (and the binding limit).
const CANDIDATE_BUDGET: u64 = 256 << 20;
/// Aim for about this many workgroups per shard dispatch.
const TARGET_WORKGROUPS: usize = 2048;
/// Rows per exact-search workgroup, in tiles: at least 4 (a list of k per 512
/// rows or more), at most 32; on a software adapter as many as its loop limit
/// allows ([`AdapterKind::loop_limit`](crate::gpu::AdapterKind::loop_limit)).
const MIN_CHUNK_TILES: usize = 4;
const MAX_CHUNK_TILES: usize = 32;
/// Rows of an IVF list per work item (longer lists are cut).
const ITEM_TILES: usize = 16;

/// A constant of the scan kernel (written once, in the WGSL).
fn scan_const(name: &str) -> usize {
    SEARCH_SCAN_WORKGROUP.const_u32(name) as usize
}

fn merge_const(name: &str) -> usize {
    SEARCH_MERGE.const_u32(name) as usize
}

/// Figures of one search counted from the kernels' tile and index arithmetic
/// (not measured): what the design moves through global memory and workgroup
/// memory, and how it is dispatched.
///
/// ```
/// use glove_wgpu::search::{KernelCounts, Metric, SearchIndex, SearchOptions};
/// let index = SearchIndex::cpu(&[1.0, 0.0, 0.0, 1.0], 2, &SearchOptions::new(Metric::Dot))?;
/// // Only an index built with `SearchIndex::gpu` has kernel figures.
/// let counts: Option<KernelCounts> = index.gpu_counts(1000, 10)?;
/// assert!(counts.is_none());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct KernelCounts {
    /// Bytes of rows read by the scan (each row once per 64-query block).
    pub row_bytes: f64,
    /// Bytes of queries read (each query once per 128-row tile), plus the
    /// Euclidean norms.
    pub query_bytes: f64,
    /// Bytes of lists written by the scan and read by the merge.
    pub candidate_bytes: f64,
    /// `(row + query + candidate bytes) / (2 d x (rows scanned per query) x m)`.
    pub bytes_per_flop: f64,
    /// Loads from workgroup memory per FMA of the product (a 128-bit load counts one).
    pub shared_loads_per_fma: f64,
    /// List entries written to global memory per query.
    pub candidates_per_query: f64,
    /// Compute dispatches per 1,000 queries.
    pub dispatches_per_1000_queries: f64,
    /// Queue submissions per 1,000 queries (the read-back shares the compute's).
    pub submissions_per_1000_queries: f64,
}

/// One shard: rows `row_base ..` of the whole matrix.
struct Shard {
    rows: wgpu::Buffer,
    norms: wgpu::Buffer,
    /// The rows' ids (an IVF index's lists); a 4-byte placeholder otherwise.
    ids: wgpu::Buffer,
    row_base: u32,
    n_rows: u32,
}

/// Scratch buffers reused across searches; each grows when a search needs more.
#[derive(Default)]
struct Scratch {
    params: Option<wgpu::Buffer>,
    queries: Option<wgpu::Buffer>,
    excl_off: Option<wgpu::Buffer>,
    excl_ids: Option<wgpu::Buffer>,
    items: Option<wgpu::Buffer>,
    pairs: Option<wgpu::Buffer>,
    bounds: Option<wgpu::Buffer>,
    cands: Option<wgpu::Buffer>,
    q_off: Option<wgpu::Buffer>,
    q_lists: Option<wgpu::Buffer>,
    results: Option<wgpu::Buffer>,
    staging: Option<wgpu::Buffer>,
}

/// Rows resident on the GPU, in shards, with the scratch of their searches.
struct Resident {
    ctx: Arc<GpuContext>,
    n: usize,
    dim: usize,
    dp: usize,
    f16: bool,
    shards: Vec<Shard>,
    scratch: Box<Mutex<Scratch>>,
}

/// How the scan and merge run on this adapter.
struct Paths {
    scan: &'static Kernel,
    merge: &'static Kernel,
    merge_entry: &'static str,
    /// Queries per merge workgroup.
    qpg: usize,
    /// The adapter's loop limit (software adapters).
    loop_limit: Option<u64>,
    /// Lanes of the merge (for its loop bound).
    merge_lanes: usize,
}

/// The list size of a page of `k`: a power of two, at least 4.
fn list_size(k: usize) -> usize {
    k.next_power_of_two().max(scan_const("QUAD"))
}

/// The pipeline constants of the scan for a page of `k`.
fn scan_constants(k: usize) -> [(&'static str, f64); 1] {
    [("K_SLOTS", (list_size(k) / scan_const("QUAD")) as f64)]
}

impl Resident {
    /// Uploads `p` cut at the row numbers `cuts` (ascending, within `p.n`), with
    /// `ids` per row if given.
    fn new(
        ctx: Arc<GpuContext>,
        p: &Prepared,
        ids: Option<&[u32]>,
        cuts: &[usize],
    ) -> Result<Self> {
        let f16 = matches!(p.rows, Rows::F16(_));
        let mut shards = Vec::new();
        let mut bounds: Vec<usize> = vec![0];
        bounds.extend(cuts.iter().copied().filter(|&c| c > 0 && c < p.n));
        bounds.push(p.n);
        bounds.dedup();
        for w in bounds.windows(2) {
            let (start, end) = (w[0], w[1]);
            if start == end {
                continue;
            }
            let rows = match &p.rows {
                Rows::F32(v) => ctx.upload("search rows", &v[start * p.dp..end * p.dp])?,
                Rows::F16(v) => ctx.upload("search rows f16", &v[start * p.dp..end * p.dp])?,
            };
            let norms = ctx.upload("search norms", &p.norms[start..end])?;
            let ids = match ids {
                Some(ids) => ctx.upload("search row ids", &ids[start..end])?,
                None => ctx.upload("search row ids (none)", &[0u32])?,
            };
            shards.push(Shard {
                rows,
                norms,
                ids,
                row_base: start as u32,
                n_rows: (end - start) as u32,
            });
        }
        Ok(Resident {
            ctx,
            n: p.n,
            dim: p.dim,
            dp: p.dp,
            f16,
            shards,
            scratch: Box::default(),
        })
    }

    /// The largest shard in rows for one binding (or `max_shard_bytes`).
    fn max_rows(ctx: &GpuContext, p: &Prepared, max_shard_bytes: Option<u64>) -> Result<usize> {
        let row_bytes = match p.rows {
            Rows::F32(_) => p.dp as u64 * 4,
            Rows::F16(_) => p.dp as u64 * 2,
        };
        let limit = ctx
            .max_binding_bytes()
            .min(max_shard_bytes.unwrap_or(u64::MAX));
        if row_bytes > limit {
            return Err(Error::invalid(format!(
                "one row takes {row_bytes} bytes, more than the shard limit of {limit} bytes"
            )));
        }
        Ok(((limit / row_bytes) as usize).max(1))
    }

    fn paths(&self) -> Paths {
        let a = self.ctx.adapter();
        let merge_wg = merge_const("MERGE_WG");
        let sub = self.ctx.has_subgroups() && a.subgroup_max_size > 0;
        // Quads need subgroups of 4 lanes or more.
        let scan_sub = sub && a.subgroup_min_size >= scan_const("QUAD") as u32;
        let scan = match (self.f16, self.ctx.has_f16(), scan_sub) {
            (false, _, true) => &SEARCH_SCAN_SUBGROUP,
            (false, _, false) => &SEARCH_SCAN_WORKGROUP,
            (true, true, true) => &SEARCH_SCAN_F16_SUBGROUP,
            (true, true, false) => &SEARCH_SCAN_F16_WORKGROUP,
            (true, false, true) => &SEARCH_SCAN_F16_PACKED_SUBGROUP,
            (true, false, false) => &SEARCH_SCAN_F16_PACKED_WORKGROUP,
        };
        // The subgroup merge needs whole subgroups inside its MERGE_WG-wide
        // workgroups: where the adapter may pick wider ones (Adreno: 128), the
        // workgroup merge runs instead.
        let max_sg = a.subgroup_max_size as usize;
        let merge_sub = sub && max_sg <= merge_wg;
        Paths {
            scan,
            merge: if merge_sub {
                &SEARCH_MERGE_SUBGROUP
            } else {
                &SEARCH_MERGE
            },
            merge_entry: if merge_sub { "merge_subgroup" } else { "merge" },
            qpg: if merge_sub {
                (merge_wg / max_sg).max(1)
            } else {
                1
            },
            loop_limit: a.kind.loop_limit(),
            merge_lanes: if merge_sub { max_sg } else { merge_wg },
        }
    }

    /// An upper bound of the loop iterations one scan invocation runs over
    /// `rows` rows, whatever the order of the keys: per 128-row tile the product
    /// steps, then at most REG_E + 1 rounds (a thread offers each query one of
    /// its REG_E keys a round), each screening 32 keys, scanning the exclusions
    /// of 4 offers, sorting and merging.
    fn scan_loop_bound(&self, rows: usize, k: usize, max_excl: usize) -> u64 {
        let c = |n: &str| scan_const(n) as u64;
        let kk = list_size(k) as u64;
        let k_slots = kk / c("QUAD");
        let b = c("BATCH");
        let b_slots = c("BATCH_SLOTS");
        let log = |x: u64| 64 - x.leading_zeros() as u64 - 1;
        let steps = (self.dp as u64).div_ceil(c("TILE_K"));
        let per_step = 2 + 3 * 4 + c("TILE_K") + 1;
        let keys = c("REG_Q") * c("REG_E");
        let sort = log(b) * (log(b) + 1) / 2 * (b_slots + 1) + log(b);
        let merge = k_slots + (log(kk) + 1) * (k_slots + 1);
        let offers = c("REG_Q") * (1 + max_excl as u64);
        let per_round = keys + offers + c("REG_Q") + b_slots + sort + merge + k_slots + 2;
        let rounds = c("REG_E") + 1;
        let per_tile =
            steps * (per_step + 1) + c("REG_E") * (1 + c("REG_Q")) + rounds * (per_round + 1);
        let tiles = (rows as u64).div_ceil(c("TILE_E")).max(1);
        tiles * per_tile + 3 * k_slots + 4
    }

    /// The merge's bound for `lists` lists per query.
    fn merge_loop_bound(&self, lists: usize, k: usize, lanes: usize) -> u64 {
        let (k, lanes) = (k as u64, lanes.max(1) as u64);
        let per_lane = (lists as u64).div_ceil(lanes);
        let search = 64 - k.leading_zeros() as u64 + 1;
        (k + 1) * (per_lane * (search + 1) + lanes.ilog2() as u64 + 2)
    }

    /// Rows a work item may scan on this adapter: `max` tiles, fewer on a
    /// software adapter, whose loop limit must hold.
    fn item_rows(&self, paths: &Paths, k: usize, max_excl: usize, max: usize) -> Result<usize> {
        let tile = scan_const("TILE_E");
        let Some(limit) = paths.loop_limit else {
            return Ok(max * tile);
        };
        let mut tiles = max;
        while tiles > 1 && self.scan_loop_bound(tiles * tile, k, max_excl) > limit {
            tiles /= 2;
        }
        let bound = self.scan_loop_bound(tiles * tile, k, max_excl);
        if bound > limit {
            return Err(self.loop_error(k, bound, limit));
        }
        Ok(tiles * tile)
    }

    fn loop_error(&self, k: usize, bound: u64, limit: u64) -> Error {
        Error::invalid(format!(
            "this search (k = {k} over {} rows) needs up to {bound} loop iterations in one \
             shader invocation, and the software adapter {} stops at {limit} (it would return \
             wrong results); search on the CPU backend, which is faster here anyway, or with \
             a smaller k",
            self.n,
            self.ctx.adapter().name
        ))
    }

    /// `slot`'s buffer, replaced by a larger one (a power of two of bytes, within
    /// one binding) when it holds fewer than `bytes`.
    fn grow<'a>(
        &self,
        slot: &'a mut Option<wgpu::Buffer>,
        label: &str,
        bytes: u64,
        usage: wgpu::BufferUsages,
    ) -> Result<&'a wgpu::Buffer> {
        let bytes = bytes.max(16).next_multiple_of(16);
        if slot.as_ref().is_none_or(|b| b.size() < bytes) {
            let cap = if usage.contains(wgpu::BufferUsages::MAP_READ) {
                self.ctx.limits().max_buffer_size
            } else {
                self.ctx.max_binding_bytes()
            };
            let size = bytes.next_power_of_two().min(cap).max(bytes);
            let buf = self.ctx.scoped(|| {
                self.ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size,
                    usage,
                    mapped_at_creation: false,
                })
            })?;
            *slot = Some(buf);
        }
        Ok(slot.as_ref().expect("set above"))
    }

    /// A bind group for `kernel`, buffers named as its registry entry declares
    /// them, in its order.
    fn bind(&self, kernel: &Kernel, named: &[(&str, &wgpu::Buffer)]) -> Result<wgpu::BindGroup> {
        let names: Vec<&str> = kernel.bindings.iter().map(|b| b.0).collect();
        let given: Vec<&str> = named.iter().map(|b| b.0).collect();
        if names != given {
            return Err(Error::Gpu(format!(
                "kernel {} binds {names:?}, {given:?} given",
                kernel.name
            )));
        }
        let buffers: Vec<&wgpu::Buffer> = named.iter().map(|b| b.1).collect();
        self.ctx.bind_kernel(kernel, &buffers)
    }
}

/// Records one dispatch with the parameter block at `offset`.
fn dispatch(
    enc: &mut wgpu::CommandEncoder,
    pipeline: &wgpu::ComputePipeline,
    bind_group: &wgpu::BindGroup,
    offset: u64,
    groups: (u32, u32),
) {
    let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind_group, &[offset as u32]);
    pass.dispatch_workgroups(groups.0, groups.1, 1);
}

/// Parameter blocks of one submission, each at an aligned offset.
struct Blocks {
    bytes: Vec<u8>,
    stride: u64,
}

impl Blocks {
    fn new(ctx: &GpuContext) -> Self {
        let size = std::mem::size_of::<ScanParams>().max(std::mem::size_of::<MergeParams>());
        Blocks {
            bytes: Vec::new(),
            stride: ctx.uniform_stride(size as u64),
        }
    }

    /// Appends `p`; returns its offset.
    fn push<T: bytemuck::Pod>(&mut self, p: &T) -> u64 {
        let at = self.bytes.len();
        self.bytes.resize(at + self.stride as usize, 0);
        self.bytes[at..at + std::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(p));
        at as u64
    }
}

/// One batch of queries as the kernels see it: the scan's work, the merge's lists.
enum Work<'a> {
    /// Exact search: every chunk of every shard, `lists_per_query` lists a query.
    Exact {
        chunk_rows: usize,
        lists_per_query: usize,
    },
    /// An IVF scan: items per shard, and each query's lists.
    Lists {
        items: &'a [Vec<ScanItem>],
        pairs: &'a [u32],
        q_off: &'a [u32],
        q_lists: &'a [u32],
        lists: usize,
    },
}

impl Resident {
    /// One submission: `q`'s rows `q0..q0 + bm` searched for pages of `k` (the
    /// kernel's k) with `work`; `bounds` per query for later pages. Returns the
    /// sorted lists of k, (-inf, EMPTY) padded.
    #[allow(clippy::too_many_arguments)]
    fn submit(
        &self,
        paths: &Paths,
        q: &Queries,
        q0: usize,
        bm: usize,
        k: usize,
        excl: &Exclusions,
        bounds: Option<&[Cand]>,
        metric: Metric,
        work: &Work,
    ) -> Result<Vec<Cand>> {
        let ctx = &*self.ctx;
        // The batch's own exclusion lists, renumbered from its query 0.
        let excl = &excl.range(q0, q0 + bm);
        let max_groups = ctx.limits().max_compute_workgroups_per_dimension as usize;
        let constants = scan_constants(k);
        let scan = ctx.pipeline(paths.scan, "scan", &constants)?;
        let merge = ctx.pipeline(paths.merge, paths.merge_entry, &[])?;
        let tile_q = scan_const("TILE_Q");
        let mut blocks = Blocks::new(ctx);
        let base = ScanParams {
            dp: self.dp as u32,
            n_queries: bm as u32,
            k: k as u32,
            metric: metric_code(metric),
            paged: bounds.is_some() as u32,
            neg_inf: f32::NEG_INFINITY,
            ..Default::default()
        };
        // (shard, parameter offset, workgroups) of every scan dispatch.
        let mut scans: Vec<(usize, u64, (u32, u32))> = Vec::new();
        let (n_lists, merge_params) = match work {
            Work::Exact {
                chunk_rows,
                lists_per_query,
            } => {
                let mut chunk_base = 0u32;
                for (si, s) in self.shards.iter().enumerate() {
                    let chunks = (s.n_rows as usize).div_ceil(*chunk_rows);
                    let at = blocks.push(&ScanParams {
                        n_rows: s.n_rows,
                        row_base: s.row_base,
                        chunk_rows: *chunk_rows as u32,
                        chunk_base,
                        lists_per_query: *lists_per_query as u32,
                        mode: 0,
                        ..base
                    });
                    scans.push((si, at, (bm.div_ceil(tile_q) as u32, chunks as u32)));
                    chunk_base += chunks as u32;
                }
                (
                    bm * lists_per_query,
                    MergeParams {
                        n_queries: bm as u32,
                        k: k as u32,
                        lists_per_query: *lists_per_query as u32,
                        listed: 0,
                        queries_per_group: paths.qpg as u32,
                        neg_inf: f32::NEG_INFINITY,
                    },
                )
            }
            Work::Lists { items, lists, .. } => {
                let mut item_base = 0usize;
                for (si, it) in items.iter().enumerate() {
                    let mut done = 0;
                    while done < it.len() {
                        let n = (it.len() - done).min(max_groups);
                        let at = blocks.push(&ScanParams {
                            mode: 1,
                            item_base: (item_base + done) as u32,
                            ..base
                        });
                        scans.push((si, at, (n as u32, 1)));
                        done += n;
                    }
                    item_base += it.len();
                }
                (
                    *lists,
                    MergeParams {
                        n_queries: bm as u32,
                        k: k as u32,
                        lists_per_query: 0,
                        listed: 1,
                        queries_per_group: paths.qpg as u32,
                        neg_inf: f32::NEG_INFINITY,
                    },
                )
            }
        };
        let merge_at = blocks.push(&merge_params);

        use wgpu::BufferUsages as U;
        let mut scratch = self.scratch.lock().unwrap_or_else(|p| p.into_inner());
        let s = &mut *scratch;
        let params = self
            .grow(
                &mut s.params,
                "search params",
                blocks.bytes.len() as u64,
                U::UNIFORM | U::COPY_DST,
            )?
            .clone();
        let queries = self
            .grow(
                &mut s.queries,
                "search queries",
                (bm * self.dp * 4) as u64, // the batch's queries only: one binding
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let excl_off = self
            .grow(
                &mut s.excl_off,
                "search exclusion offsets",
                excl.offsets.len() as u64 * 4,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let excl_ids = self
            .grow(
                &mut s.excl_ids,
                "search exclusion ids",
                excl.ids.len() as u64 * 4,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let cands = self
            .grow(
                &mut s.cands,
                "search lists",
                (n_lists * k * 8) as u64,
                U::STORAGE,
            )?
            .clone();
        let results = self
            .grow(
                &mut s.results,
                "search results",
                (bm * k * 8) as u64,
                U::STORAGE | U::COPY_SRC,
            )?
            .clone();
        let staging = self
            .grow(
                &mut s.staging,
                "search read-back",
                (bm * k * 8) as u64,
                U::MAP_READ | U::COPY_DST,
            )?
            .clone();
        let bounds_buf = self
            .grow(
                &mut s.bounds,
                "search page bounds",
                (bm * 8) as u64,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let (items_len, pairs_len, q_off_len, q_lists_len) = match work {
            Work::Exact { .. } => (1, 1, 1, 1),
            Work::Lists {
                items,
                pairs,
                q_off,
                q_lists,
                ..
            } => (
                items.iter().map(Vec::len).sum::<usize>().max(1),
                pairs.len().max(1),
                q_off.len().max(1),
                q_lists.len().max(1),
            ),
        };
        let items_buf = self
            .grow(
                &mut s.items,
                "search items",
                (items_len * std::mem::size_of::<ScanItem>()) as u64,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let pairs_buf = self
            .grow(
                &mut s.pairs,
                "search pairs",
                (pairs_len * 4) as u64,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let q_off_buf = self
            .grow(
                &mut s.q_off,
                "search query lists offsets",
                (q_off_len * 4) as u64,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        let q_lists_buf = self
            .grow(
                &mut s.q_lists,
                "search query lists",
                (q_lists_len * 4) as u64,
                U::STORAGE | U::COPY_DST,
            )?
            .clone();
        drop(scratch);

        let queue = ctx.queue();
        queue.write_buffer(&params, 0, &blocks.bytes);
        queue.write_buffer(
            &queries,
            0,
            bytemuck::cast_slice(&q.data[q0 * self.dp..(q0 + bm) * self.dp]),
        );
        queue.write_buffer(&excl_off, 0, bytemuck::cast_slice(&excl.offsets));
        if !excl.ids.is_empty() {
            queue.write_buffer(&excl_ids, 0, bytemuck::cast_slice(&excl.ids));
        }
        if let Some(b) = bounds {
            queue.write_buffer(&bounds_buf, 0, bytemuck::cast_slice(b));
        }
        if let Work::Lists {
            items,
            pairs,
            q_off,
            q_lists,
            ..
        } = work
        {
            let flat: Vec<ScanItem> = items.iter().flatten().copied().collect();
            if !flat.is_empty() {
                queue.write_buffer(&items_buf, 0, bytemuck::cast_slice(&flat));
            }
            if !pairs.is_empty() {
                queue.write_buffer(&pairs_buf, 0, bytemuck::cast_slice(pairs));
            }
            queue.write_buffer(&q_off_buf, 0, bytemuck::cast_slice(q_off));
            if !q_lists.is_empty() {
                queue.write_buffer(&q_lists_buf, 0, bytemuck::cast_slice(q_lists));
            }
        }

        let mut enc = ctx.encoder();
        let mut groups = Vec::with_capacity(self.shards.len());
        for sh in &self.shards {
            groups.push(self.bind(
                paths.scan,
                &[
                    ("params", &params),
                    ("queries", &queries),
                    ("rows", &sh.rows),
                    ("norms", &sh.norms),
                    ("row_ids", &sh.ids),
                    ("excl_off", &excl_off),
                    ("excl_ids", &excl_ids),
                    ("items", &items_buf),
                    ("pairs", &pairs_buf),
                    ("bounds", &bounds_buf),
                    ("lists", &cands),
                ],
            )?);
        }
        for &(si, at, g) in &scans {
            if g.0 > 0 && g.1 > 0 {
                dispatch(&mut enc, &scan, &groups[si], at, g);
            }
        }
        let mg = self.bind(
            paths.merge,
            &[
                ("params", &params),
                ("cands", &cands),
                ("q_off", &q_off_buf),
                ("q_lists", &q_lists_buf),
                ("results", &results),
            ],
        )?;
        dispatch(
            &mut enc,
            &merge,
            &mg,
            merge_at,
            (bm.div_ceil(paths.qpg) as u32, 1),
        );
        enc.copy_buffer_to_buffer(&results, 0, &staging, 0, (bm * k * 8) as u64);
        ctx.submit(enc)?;
        ctx.read_staging(&staging, bm * k)
    }

    /// Pages of at most MAX_K: `run(q0, bm, k_page, bounds)` answers one page;
    /// the pages of each query are joined into its list of `k`.
    fn paged(
        &self,
        m: usize,
        k: usize,
        mut run: impl FnMut(Option<&[Cand]>, usize) -> Result<Vec<Cand>>,
    ) -> Result<Lists> {
        let max_k = scan_const("MAX_K");
        let mut out: Lists = (0..m).map(|_| TopK::new(k)).collect();
        let mut done = 0;
        let mut bounds: Option<Vec<Cand>> = None;
        let empty = scan_const("EMPTY") as u32;
        while done < k {
            let page = (k - done).min(max_k);
            let found = run(bounds.as_deref(), page)?;
            let mut next = vec![Cand::default(); m];
            let mut more = false;
            for (qi, row) in found.chunks(page).enumerate() {
                let mut last = None;
                for c in row.iter().take_while(|c| c.id != empty) {
                    out[qi].push(c.key, c.id);
                    last = Some(*c);
                }
                let full = row.last().is_some_and(|c| c.id != empty);
                more |= full;
                // a finished query's bound lets nothing through: no finite key
                // comes after (-inf, 0)
                next[qi] = match (full, last) {
                    (true, Some(c)) => c,
                    _ => Cand {
                        key: f32::NEG_INFINITY,
                        id: 0,
                    },
                };
            }
            done += page;
            if !more {
                break;
            }
            bounds = Some(next);
        }
        Ok(out)
    }
}

/// A matrix resident on the GPU, searched exactly.
pub(crate) struct GpuIndex {
    res: Resident,
}

/// How one exact search is cut into batches and chunks.
struct Plan {
    chunk_rows: usize,
    lists_per_query: usize,
    batch: usize,
}

impl GpuIndex {
    pub(crate) fn new(
        ctx: Arc<GpuContext>,
        p: &Prepared,
        max_shard_bytes: Option<u64>,
    ) -> Result<Self> {
        let max_rows = Resident::max_rows(&ctx, p, max_shard_bytes)?;
        let cuts: Vec<usize> = (1..p.n.div_ceil(max_rows)).map(|i| i * max_rows).collect();
        Ok(GpuIndex {
            res: Resident::new(ctx, p, None, &cuts)?,
        })
    }

    pub(crate) fn adapter_name(&self) -> String {
        self.res.ctx.adapter().name.clone()
    }

    pub(crate) fn shards(&self) -> usize {
        self.res.shards.len()
    }

    fn chunks(&self, chunk_rows: usize) -> usize {
        self.res
            .shards
            .iter()
            .map(|s| (s.n_rows as usize).div_ceil(chunk_rows))
            .sum()
    }

    fn plan(&self, paths: &Paths, m: usize, k: usize, max_excl: usize) -> Result<Plan> {
        let r = &self.res;
        let (tile_q, tile_e) = (scan_const("TILE_Q"), scan_const("TILE_E"));
        let max_groups = r.ctx.limits().max_compute_workgroups_per_dimension as usize;
        let binding = r.ctx.max_binding_bytes();
        let budget = binding.min(CANDIDATE_BUDGET);
        let max_shard = r
            .shards
            .iter()
            .map(|s| s.n_rows as usize)
            .max()
            .unwrap_or(1);
        let qblocks = m.div_ceil(tile_q).max(1);
        let tiles = match paths.loop_limit {
            Some(_) => r.item_rows(paths, k, max_excl, MAX_CHUNK_TILES)? / tile_e,
            None => (r.n * qblocks)
                .div_ceil(TARGET_WORKGROUPS)
                .div_ceil(tile_e)
                .clamp(MIN_CHUNK_TILES, MAX_CHUNK_TILES),
        };
        let mut chunk_rows =
            (tiles * tile_e).max(max_shard.div_ceil(max_groups).next_multiple_of(tile_e));
        let soft = paths.loop_limit.is_some();
        while (self.chunks(chunk_rows) * k * 8) as u64 * tile_q as u64 > budget
            && chunk_rows < max_shard
            && !soft
        {
            chunk_rows *= 2;
        }
        let lists_per_query = self.chunks(chunk_rows);
        if let Some(limit) = paths.loop_limit {
            let bound = r
                .scan_loop_bound(chunk_rows, k, max_excl)
                .max(r.merge_loop_bound(lists_per_query, k, paths.merge_lanes));
            if bound > limit {
                return Err(r.loop_error(k, bound, limit));
            }
        }
        let per_query = (lists_per_query * k * 8) as u64;
        let batch = ((budget / per_query) as usize)
            .min((binding / (r.dp as u64 * 4)) as usize)
            .min((max_groups * paths.qpg).min(max_groups * tile_q))
            .min(m);
        if batch == 0 {
            return Err(Error::invalid(format!(
                "k = {k} needs {per_query} bytes of lists per query, more than the \
                 {budget}-byte budget; use a smaller k or the CPU backend"
            )));
        }
        Ok(Plan {
            chunk_rows,
            lists_per_query,
            batch,
        })
    }

    /// The figures of a search of `m` queries for `k` hits, counted from the plan
    /// the dispatches use (see the module docs).
    pub(crate) fn counts(&self, m: usize, k: usize, metric: Metric) -> Result<KernelCounts> {
        let r = &self.res;
        let k = k.min(r.n);
        if m == 0 || k == 0 {
            return Err(Error::invalid("counts need at least one query and one hit"));
        }
        let paths = r.paths();
        let max_k = scan_const("MAX_K");
        let pages = k.div_ceil(max_k);
        let (tile_q, tile_e) = (scan_const("TILE_Q") as f64, scan_const("TILE_E"));
        let b = if r.f16 { 2.0 } else { 4.0 };
        let dp = r.dp as f64;
        let mut row_bytes = 0.0;
        let mut query_bytes = 0.0;
        let mut candidate_bytes = 0.0;
        let mut candidates_per_query = 0.0;
        let mut dispatches = 0.0;
        let mut submissions = 0.0;
        for page in 0..pages {
            let kp = (k - page * max_k).min(max_k);
            let plan = self.plan(&paths, m, kp, 0)?;
            // 128-row tiles summed over every chunk of every shard
            let tiles: usize = r
                .shards
                .iter()
                .map(|s| {
                    let n = s.n_rows as usize;
                    let full = n / plan.chunk_rows;
                    let rest = n % plan.chunk_rows;
                    full * plan.chunk_rows.div_ceil(tile_e) + rest.div_ceil(tile_e)
                })
                .sum();
            let batches = m.div_ceil(plan.batch);
            let mut qblocks = 0.0;
            for i in 0..batches {
                let bm = plan.batch.min(m - i * plan.batch);
                qblocks += (bm as f64 / tile_q).ceil();
            }
            row_bytes += r.n as f64 * dp * b * qblocks;
            let norms = if metric == Metric::Euclidean {
                r.n as f64 * 4.0 * qblocks
            } else {
                0.0
            };
            query_bytes += m as f64 * dp * 4.0 * tiles as f64 + norms;
            let per_query = (plan.lists_per_query * kp) as f64;
            candidates_per_query += per_query;
            candidate_bytes += 2.0 * m as f64 * per_query * 8.0;
            dispatches += (batches * (r.shards.len() + 1)) as f64;
            submissions += batches as f64;
        }
        let flops = 2.0 * r.n as f64 * r.dim as f64 * m as f64 * pages as f64;
        let per_1000 = 1000.0 / m as f64;
        Ok(KernelCounts {
            row_bytes,
            query_bytes,
            candidate_bytes,
            bytes_per_flop: (row_bytes + query_bytes + candidate_bytes) / flops,
            shared_loads_per_fma: shared_loads_per_fma(),
            candidates_per_query,
            dispatches_per_1000_queries: dispatches * per_1000,
            submissions_per_1000_queries: submissions * per_1000,
        })
    }

    pub(crate) fn search(
        &self,
        q: &Queries,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        let r = &self.res;
        let paths = r.paths();
        let max_excl = max_exclusions(excl);
        let mut out: Lists = Vec::with_capacity(q.m);
        // Plan with the largest page; each page runs every batch.
        let plan = self.plan(&paths, q.m, k.min(scan_const("MAX_K")), max_excl)?;
        for q0 in (0..q.m).step_by(plan.batch) {
            let bm = plan.batch.min(q.m - q0);
            let lists = r.paged(bm, k, |bounds, kp| {
                let plan = self.plan(&paths, bm, kp, max_excl)?;
                let work = Work::Exact {
                    chunk_rows: plan.chunk_rows,
                    lists_per_query: plan.lists_per_query,
                };
                r.submit(&paths, q, q0, bm, kp, excl, bounds, metric, &work)
            })?;
            out.extend(lists);
        }
        Ok(out)
    }
}

/// Shared loads per FMA of the product: one 128-bit load of REG_Q queries and
/// REG_E / 4 of rows per REG_Q x REG_E FMAs.
fn shared_loads_per_fma() -> f64 {
    let (rq, re) = (scan_const("REG_Q") as f64, scan_const("REG_E") as f64);
    (1.0 + re / 4.0) / (rq * re)
}

/// The longest exclusion list of a batch.
fn max_exclusions(excl: &Exclusions) -> usize {
    excl.offsets
        .windows(2)
        .map(|w| (w[1] - w[0]) as usize)
        .max()
        .unwrap_or(0)
}

/// An IVF index's lists resident on the GPU (shards cut between lists), scanned
/// in batches of (query, list) pairs grouped by list.
pub(crate) struct GpuLists {
    res: Resident,
    /// List `l` is stored rows `off[l]..off[l + 1]`.
    off: Vec<usize>,
    /// The shard of each list.
    shard_of: Vec<usize>,
}

impl GpuLists {
    pub(crate) fn new(
        ctx: Arc<GpuContext>,
        rows: &ListRows,
        max_shard_bytes: Option<u64>,
    ) -> Result<Self> {
        let max_rows = Resident::max_rows(&ctx, rows.rows, max_shard_bytes)?;
        // Shards end between lists; a list longer than a shard gets its own shards.
        let mut cuts = Vec::new();
        let mut start = 0;
        let mut shard_of = Vec::with_capacity(rows.lists());
        let mut shard = 0;
        for l in 0..rows.lists() {
            let r = rows.range(l);
            if r.end - start > max_rows && r.start > start {
                cuts.push(r.start);
                start = r.start;
                shard += 1;
            }
            if r.end - start > max_rows {
                return Err(Error::invalid(format!(
                    "list {l} holds {} rows, more than one GPU binding ({max_rows} rows)",
                    r.len()
                )));
            }
            shard_of.push(shard);
        }
        Ok(GpuLists {
            res: Resident::new(ctx, rows.rows, Some(rows.ids), &cuts)?,
            off: rows.off.to_vec(),
            shard_of,
        })
    }

    /// Shards (bindings) the lists are stored in.
    pub(crate) fn shards(&self) -> usize {
        self.res.shards.len()
    }

    /// Exact search over every stored row (as row numbers).
    pub(crate) fn exact(
        &self,
        q: &Queries,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        // The shards' own ids are list ids; exact search numbers rows instead.
        let as_exact = GpuIndex {
            res: Resident {
                ctx: self.res.ctx.clone(),
                n: self.res.n,
                dim: self.res.dim,
                dp: self.res.dp,
                f16: self.res.f16,
                shards: self
                    .res
                    .shards
                    .iter()
                    .map(|s| Shard {
                        rows: s.rows.clone(),
                        norms: s.norms.clone(),
                        ids: s.ids.clone(),
                        row_base: s.row_base,
                        n_rows: s.n_rows,
                    })
                    .collect(),
                scratch: Box::default(),
            },
        };
        as_exact.search(q, k, excl, metric)
    }

    /// The work items of `pairs` on this adapter: per shard, each list's rows cut
    /// into pieces of `item_rows` and its queries into blocks of TILE_Q; each
    /// (piece, query) gets its own output list. Returns the items, each query's
    /// lists (CSR) and the number of lists.
    fn items(
        &self,
        pairs: &Pairs,
        m: usize,
        item_rows: usize,
    ) -> (Vec<Vec<ScanItem>>, Vec<u32>, Vec<u32>, usize) {
        let tile_q = scan_const("TILE_Q");
        let mut items: Vec<Vec<ScanItem>> = vec![Vec::new(); self.res.shards.len()];
        let mut out_of: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut out = 0u32;
        for l in 0..self.off.len() - 1 {
            let (p0, p1) = (pairs.by_list[l], pairs.by_list[l + 1]);
            let (r0, r1) = (self.off[l], self.off[l + 1]);
            if p0 == p1 || r0 == r1 {
                continue;
            }
            let s = self.shard_of[l];
            let base = self.res.shards[s].row_base as usize;
            let mut piece = r0;
            while piece < r1 {
                let len = item_rows.min(r1 - piece);
                let mut first = p0;
                while first < p1 {
                    let n = tile_q.min(p1 - first);
                    items[s].push(ScanItem {
                        row_start: (piece - base) as u32,
                        row_count: len as u32,
                        pair_start: first as u32,
                        pair_count: n as u32,
                        out_base: out,
                    });
                    for (i, &qi) in pairs.query[first..first + n].iter().enumerate() {
                        out_of[qi as usize].push(out + i as u32);
                    }
                    out += n as u32;
                    first += n;
                }
                piece += len;
            }
        }
        let mut q_off = Vec::with_capacity(m + 1);
        q_off.push(0u32);
        let mut q_lists = Vec::new();
        for o in &out_of {
            q_lists.extend_from_slice(o);
            q_off.push(q_lists.len() as u32);
        }
        (items, q_off, q_lists, out as usize)
    }

    /// The best `k` of each query among the rows of the lists it probes.
    pub(crate) fn scan(
        &self,
        q: &Queries,
        pairs: &Pairs,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        let r = &self.res;
        let paths = r.paths();
        let max_excl = max_exclusions(excl);
        let item_rows = r.item_rows(&paths, k.min(scan_const("MAX_K")), max_excl, ITEM_TILES)?;
        let (items, q_off, q_lists, lists) = self.items(pairs, q.m, item_rows);
        if let Some(limit) = paths.loop_limit {
            let most = q_off
                .windows(2)
                .map(|w| (w[1] - w[0]) as usize)
                .max()
                .unwrap_or(0);
            let bound = r.merge_loop_bound(most, k.min(scan_const("MAX_K")), paths.merge_lanes);
            if bound > limit {
                return Err(r.loop_error(k, bound, limit));
            }
        }
        let budget = r.ctx.max_binding_bytes().min(CANDIDATE_BUDGET);
        let kp = k.min(scan_const("MAX_K"));
        if (lists * kp * 8) as u64 > budget
            || q.m > r.ctx.limits().max_compute_workgroups_per_dimension as usize
        {
            // Too many lists for one batch: halve the queries.
            if q.m <= 1 {
                return Err(Error::invalid(format!(
                    "one query's lists of k = {k} exceed the {budget}-byte budget"
                )));
            }
            let half = q.m / 2;
            let mut out = self.scan_part(q, pairs, 0, half, k, excl, metric)?;
            out.extend(self.scan_part(q, pairs, half, q.m, k, excl, metric)?);
            return Ok(out);
        }
        r.paged(q.m, k, |bounds, kp| {
            let work = Work::Lists {
                items: &items,
                pairs: &pairs.query,
                q_off: &q_off,
                q_lists: &q_lists,
                lists,
            };
            r.submit(&paths, q, 0, q.m, kp, excl, bounds, metric, &work)
        })
    }

    /// [`GpuLists::scan`] of queries `a..b` only.
    #[allow(clippy::too_many_arguments)]
    fn scan_part(
        &self,
        q: &Queries,
        pairs: &Pairs,
        a: usize,
        b: usize,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        let dp = q.dp();
        let sub = Queries {
            m: b - a,
            data: q.data[a * dp..b * dp].to_vec(),
        };
        let lists = self.off.len() - 1;
        let mut probes = Vec::new();
        let mut nprobe = 0;
        for qi in a..b {
            nprobe = nprobe.max(pairs.of_query(qi).len());
        }
        for qi in a..b {
            let mut mine: Vec<u32> = pairs
                .of_query(qi)
                .iter()
                .map(|&p| list_of_pair(pairs, p as usize) as u32)
                .collect();
            mine.resize(nprobe, u32::MAX);
            probes.extend(mine);
        }
        let sub_pairs = Pairs::new(&probes, nprobe, lists);
        self.scan(&sub, &sub_pairs, k, &excl.range(a, b), metric)
    }

    /// The figures of a scan of `m` queries probing `nprobe` lists each for `k`
    /// hits, counted from the items the plan makes, every list probed by an equal
    /// share of the queries.
    pub(crate) fn counts(&self, m: usize, k: usize, nprobe: usize) -> Result<KernelCounts> {
        let r = &self.res;
        if m == 0 || k == 0 {
            return Err(Error::invalid("counts need at least one query and one hit"));
        }
        let paths = r.paths();
        let lists = self.off.len() - 1;
        let max_k = scan_const("MAX_K");
        let pages = k.div_ceil(max_k) as f64;
        let kp = k.min(max_k);
        let item_rows = r.item_rows(&paths, kp, 0, ITEM_TILES)?;
        let (tile_q, tile_e) = (scan_const("TILE_Q"), scan_const("TILE_E"));
        let b = if r.f16 { 2.0 } else { 4.0 };
        let dp = r.dp as f64;
        let pairs_per_list = (m * nprobe) as f64 / lists.max(1) as f64;
        let (mut row_bytes, mut query_bytes, mut outs, mut flops) = (0.0, 0.0, 0.0, 0.0);
        for l in 0..lists {
            let rows = self.off[l + 1] - self.off[l];
            if rows == 0 {
                continue;
            }
            let pieces = rows.div_ceil(item_rows) as f64;
            let blocks = (pairs_per_list / tile_q as f64).ceil();
            row_bytes += rows as f64 * dp * b * blocks;
            query_bytes += pairs_per_list * dp * 4.0 * rows.div_ceil(tile_e) as f64;
            outs += pairs_per_list * pieces;
            flops += 2.0 * pairs_per_list * rows as f64 * r.dim as f64;
        }
        let candidate_bytes = 2.0 * outs * kp as f64 * 8.0;
        let per_1000 = 1000.0 / m as f64;
        Ok(KernelCounts {
            row_bytes: row_bytes * pages,
            query_bytes: query_bytes * pages,
            candidate_bytes: candidate_bytes * pages,
            bytes_per_flop: (row_bytes + query_bytes + candidate_bytes) / flops.max(1.0),
            shared_loads_per_fma: shared_loads_per_fma(),
            candidates_per_query: outs * kp as f64 * pages / m as f64,
            dispatches_per_1000_queries: (r.shards.len() + 1) as f64 * pages * per_1000,
            submissions_per_1000_queries: pages * per_1000,
        })
    }
}

/// The list a pair belongs to.
fn list_of_pair(pairs: &Pairs, p: usize) -> usize {
    pairs.by_list.partition_point(|&o| o <= p) - 1
}
