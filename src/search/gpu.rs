//! Host side of `shaders/search.wgsl`: shards, batches, dispatches, read-back.
//!
//! One file, over 500 lines: the host side of one kernel, its buffers, bindings and dispatch loop.
//!
//! The matrix is uploaded once, split into shards no larger than the device's
//! storage-binding limit (or a smaller limit the caller sets). A search runs in
//! batches of queries (the candidate lists of a batch stay under a budget); each
//! batch is one submission: `topk_tiles` once per shard, one merge, and the copy
//! of the results into a mapped staging buffer.
//!
//! # Kernel layout
//!
//! `topk_tiles` workgroup `(x, y)`: 256 invocations, `TILE_Q` = 64 queries
//! against chunk `y` of a shard, `TILE_E` = 64 rows at a time (64 x 64 so that
//! the tile of keys fits the 16 KiB of the product tiles it reuses). Per step of 32
//! dimensions the 64 x 32 query and row tiles are read with 16-byte loads (8 lanes
//! per 128 contiguous bytes of a row; f16 rows as `vec4<f16>`, or two u32 unpacked
//! without `SHADER_F16`) and stored transposed with an odd pitch (65), so neither
//! stores nor reads conflict; each thread accumulates a 2 x 8 register block in
//! f32. Each query's threshold (its list's k-th key) sits in workgroup memory;
//! threads screen their keys in registers, the survivors are written to a key
//! tile (aliasing the product tiles) and flagged in a bit mask, and one owner
//! thread per query inserts them into its sorted list of k, in workgroup memory
//! for `k <= LIST_CAP` (16), else in its output slot. One list per (query,
//! chunk) reaches global memory. The merge reduces a query's lists with one
//! subgroup (`merge_subgroup`, `subgroupShuffleXor` arg-max) or, without
//! subgroups, one workgroup (`merge`, tree arg-max in workgroup memory).
//! Workgroup memory: 16,640 B of tiles + 8 KiB of lists + 2.3 KiB of thresholds
//! and masks = 26.5 KiB.
//!
//! # Bytes per FLOP
//!
//! Global bytes the design reads or writes, counted by
//! [`SearchIndex::gpu_counts`](super::SearchIndex::gpu_counts) from
//! the same plan the dispatches use: rows `n dp b` once per 64-query block (`b`
//! = 4 for f32, 2 for f16), queries `64 dp 4` once per 64-row tile of each
//! workgroup, norms `4 n` per query block for Euclidean, and candidates `8 k`
//! per (query, chunk), written by `topk_tiles` and read by the merge. Against
//! `2 n d m` FLOPs that is about `(b + 4) / 128` B/FLOP: 0.0625 for f32 and
//! 0.047 for f16 (dp = d), plus `16 k chunks / (2 n d)` for the lists.
//!
//! Reused across calls of one index: pipelines (the context's cache) and grow-only
//! scratch buffers (params, queries, exclusions, candidates, results, staging)
//! behind a mutex. The parameters of every dispatch of a search go into one
//! uniform buffer, one aligned slot each.

use std::sync::{Arc, Mutex};

use super::topk::TopK;
use super::{metric_code, Exclusions, Lists, Metric, Prepared, Queries, Rows};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::shaders::{Kernel, SEARCH, SEARCH_F16, SEARCH_F16_PACKED, SEARCH_SUBGROUP};

/// Keep in sync with `Params` in `shaders/search.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct SearchParams {
    n_rows: u32,
    row_base: u32,
    dp: u32,
    n_queries: u32,
    query_base: u32,
    k: u32,
    chunk_rows: u32,
    chunk_base: u32,
    lists_per_query: u32,
    metric: u32,
    queries_per_group: u32,
    neg_inf: f32,
}

/// Keep in sync with `Cand` in `shaders/search.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct Cand {
    key: f32,
    id: u32,
}

const EMPTY: u32 = u32::MAX;
/// Candidate lists of one batch stay under this many bytes (and the binding limit).
const CANDIDATE_BUDGET: u64 = 256 << 20;
/// Aim for about this many workgroups per shard dispatch.
const TARGET_WORKGROUPS: usize = 2048;
/// Rows per workgroup, in tiles: at least 8 (so a list of k is written per 512
/// rows or more), at most 64.
const MIN_CHUNK_TILES: usize = 8;
const MAX_CHUNK_TILES: usize = 64;
/// Rows per workgroup on a software adapter, in tiles: an owner's insertions then
/// shift at most 128 x min(128, k) entries, whatever the order of the keys, so
/// most searches stay within the adapter's loop limit
/// ([`AdapterKind::loop_limit`](crate::gpu::AdapterKind::loop_limit)).
const SOFTWARE_CHUNK_TILES: usize = 2;

struct Shard {
    rows: wgpu::Buffer,
    norms: wgpu::Buffer,
    row_base: u32,
    n_rows: u32,
}

/// Figures of one search counted from the kernel's tile and index arithmetic
/// (not measured): what the design moves through global memory, and how it is
/// dispatched.
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
    /// Bytes of rows read by `topk_tiles` (each row once per 64-query block).
    pub row_bytes: f64,
    /// Bytes of queries read (each query tile once per 64-row tile), plus the
    /// Euclidean norms.
    pub query_bytes: f64,
    /// Bytes of candidate lists written by `topk_tiles` and read by the merge.
    pub candidate_bytes: f64,
    /// `(row + query + candidate bytes) / (2 n d m)`.
    pub bytes_per_flop: f64,
    /// Loads from workgroup memory per FMA of the product (a 128-bit load counts one).
    pub shared_loads_per_fma: f64,
    /// Candidate entries written to global memory per query.
    pub candidates_per_query: f64,
    /// Compute dispatches per 1,000 queries.
    pub dispatches_per_1000_queries: f64,
    /// Queue submissions per 1,000 queries (the read-back shares the compute's).
    pub submissions_per_1000_queries: f64,
}

/// How one search is cut into batches and chunks.
struct Plan {
    chunk_rows: usize,
    lists_per_query: usize,
    batch: usize,
}

/// Scratch buffers reused across searches; each grows when a search needs more.
#[derive(Default)]
struct Scratch {
    params: Option<wgpu::Buffer>,
    queries: Option<wgpu::Buffer>,
    excl_off: Option<wgpu::Buffer>,
    excl_ids: Option<wgpu::Buffer>,
    cands: Option<wgpu::Buffer>,
    results: Option<wgpu::Buffer>,
    staging: Option<wgpu::Buffer>,
}

/// A matrix resident on the GPU.
pub(crate) struct GpuIndex {
    ctx: Arc<GpuContext>,
    n: usize,
    dim: usize,
    dp: usize,
    f16: bool,
    shards: Vec<Shard>,
    max_shard_rows: usize,
    scratch: Box<Mutex<Scratch>>,
}

fn tile(name: &str) -> usize {
    SEARCH.const_u32(name) as usize
}

impl GpuIndex {
    pub(crate) fn new(
        ctx: Arc<GpuContext>,
        p: &Prepared,
        max_shard_bytes: Option<u64>,
    ) -> Result<Self> {
        let (row_bytes, f16) = match p.rows {
            Rows::F32(_) => (p.dp as u64 * 4, false),
            Rows::F16(_) => (p.dp as u64 * 2, true),
        };
        let limit = ctx
            .max_binding_bytes()
            .min(max_shard_bytes.unwrap_or(u64::MAX));
        if row_bytes > limit {
            return Err(Error::invalid(format!(
                "one row takes {row_bytes} bytes, more than the shard limit of {limit} bytes"
            )));
        }
        let max_shard_rows = ((limit / row_bytes) as usize).max(1);
        let mut shards = Vec::new();
        let mut start = 0;
        while start < p.n {
            let end = (start + max_shard_rows).min(p.n);
            let rows = match &p.rows {
                Rows::F32(v) => ctx.upload("search rows", &v[start * p.dp..end * p.dp])?,
                Rows::F16(v) => ctx.upload("search rows f16", &v[start * p.dp..end * p.dp])?,
            };
            let norms = ctx.upload("search norms", &p.norms[start..end])?;
            shards.push(Shard {
                rows,
                norms,
                row_base: start as u32,
                n_rows: (end - start) as u32,
            });
            start = end;
        }
        Ok(GpuIndex {
            ctx,
            n: p.n,
            dim: p.dim,
            dp: p.dp,
            f16,
            shards,
            max_shard_rows,
            scratch: Box::default(),
        })
    }

    pub(crate) fn adapter_name(&self) -> String {
        self.ctx.adapter().name.clone()
    }

    pub(crate) fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Chunks of each shard for `chunk_rows` rows per workgroup.
    fn chunks(&self, chunk_rows: usize) -> impl Iterator<Item = usize> + '_ {
        self.shards
            .iter()
            .map(move |s| (s.n_rows as usize).div_ceil(chunk_rows))
    }

    fn plan(&self, m: usize, k: usize) -> Result<Plan> {
        let (tile_q, tile_e) = (tile("TILE_Q"), tile("TILE_E"));
        let max_groups = self.ctx.limits().max_compute_workgroups_per_dimension as usize;
        let binding = self.ctx.max_binding_bytes();
        let budget = binding.min(CANDIDATE_BUDGET);
        // Rows per workgroup: enough workgroups to fill the device, few enough
        // lists that a useful batch of queries fits the candidate budget.
        let qblocks = m.div_ceil(tile_q).max(1);
        let tiles = if self.software() {
            SOFTWARE_CHUNK_TILES * tile_e
        } else {
            (self.n * qblocks)
                .div_ceil(TARGET_WORKGROUPS)
                .next_multiple_of(tile_e)
                .clamp(MIN_CHUNK_TILES * tile_e, MAX_CHUNK_TILES * tile_e)
        };
        let mut chunk_rows = tiles.max(
            self.max_shard_rows
                .div_ceil(max_groups)
                .next_multiple_of(tile_e),
        );
        let lpq = |cr: usize| self.chunks(cr).sum::<usize>();
        while (lpq(chunk_rows) * k * 8) as u64 * tile_q as u64 > budget
            && chunk_rows < self.max_shard_rows
        {
            chunk_rows *= 2;
        }
        let lists_per_query = lpq(chunk_rows);
        let per_query = (lists_per_query * k * 8) as u64;
        let batch = ((budget / per_query) as usize)
            .min((binding / (self.dp as u64 * 4)) as usize)
            .min(max_groups)
            .min(m);
        if batch == 0 {
            return Err(Error::invalid(format!(
                "k = {k} needs {per_query} bytes of candidates per query, more than the \
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
        let k = k.min(self.n);
        if m == 0 || k == 0 {
            return Err(Error::invalid("counts need at least one query and one hit"));
        }
        let plan = self.plan(m, k)?;
        let (tile_q, tile_e) = (tile("TILE_Q") as f64, tile("TILE_E"));
        let b = if self.f16 { 2.0 } else { 4.0 };
        let dp = self.dp as f64;
        // 64-row tiles summed over every chunk of every shard
        let tiles: usize = self
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
        let row_bytes = self.n as f64 * dp * b * qblocks;
        let norms = if metric == Metric::Euclidean {
            self.n as f64 * 4.0 * qblocks
        } else {
            0.0
        };
        let query_bytes = m as f64 * dp * 4.0 * tiles as f64 + norms;
        let candidates_per_query = (plan.lists_per_query * k) as f64;
        let candidate_bytes = 2.0 * m as f64 * candidates_per_query * 8.0;
        let flops = 2.0 * self.n as f64 * self.dim as f64 * m as f64;
        let per_1000 = 1000.0 / m as f64;
        Ok(KernelCounts {
            row_bytes,
            query_bytes,
            candidate_bytes,
            bytes_per_flop: (row_bytes + query_bytes + candidate_bytes) / flops,
            shared_loads_per_fma: (tile("REG_Q") + tile("REG_E")) as f64
                / (tile("REG_Q") * tile("REG_E")) as f64,
            candidates_per_query,
            dispatches_per_1000_queries: (batches * (self.shards.len() + 1)) as f64 * per_1000,
            submissions_per_1000_queries: batches as f64 * per_1000,
        })
    }

    /// The `topk_tiles` module for the row storage and the device's features.
    fn tiles_kernel(&self) -> &'static Kernel {
        match (self.f16, self.ctx.has_f16()) {
            (false, _) => &SEARCH,
            (true, true) => &SEARCH_F16,
            (true, false) => &SEARCH_F16_PACKED,
        }
    }

    /// Whether the adapter is a software one (llvmpipe), whose loop limit the
    /// plan must respect.
    fn software(&self) -> bool {
        self.ctx.adapter().kind.is_software()
    }

    /// An upper bound of the loop iterations one invocation runs, whatever the
    /// order of the keys: `topk_tiles` (products, screening with its exclusion
    /// scans, the owners' insertions and shifts, the padding) and the merge (k
    /// rounds over each lane's lists, a binary search per list, the reduction).
    fn loop_bound(&self, plan: &Plan, k: usize, max_excl: usize, lanes: usize) -> u64 {
        let (r, k, e) = (plan.chunk_rows as u64, k as u64, max_excl as u64);
        let tiles = r.div_ceil(tile("TILE_E") as u64);
        let steps = (self.dp as u64).div_ceil(tile("TILE_K") as u64);
        let per_tile = steps * (2 + tile("TILE_K") as u64) + 2 * 8 * (1 + e) + 8 * 9;
        let tiles_bound = tiles * per_tile + r * (1 + r.min(k)) + k;
        let lists = (plan.lists_per_query as u64).div_ceil(lanes.max(1) as u64);
        let search = 64 - k.leading_zeros() as u64 + 1;
        let merge = (k + 1) * (lists * (search + 1) + lanes.ilog2() as u64 + 2);
        tiles_bound.max(merge)
    }

    /// Queries per merge workgroup on the subgroup path: one subgroup each, for
    /// the largest subgroup size the adapter may pick.
    fn queries_per_group(&self) -> usize {
        let max = self.ctx.adapter().subgroup_max_size as usize;
        (tile("MERGE_WG") / max.max(1)).max(1)
    }

    pub(crate) fn search(
        &self,
        q: &Queries,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        let tile_q = tile("TILE_Q");
        let plan = self.plan(q.m, k)?;
        let lpq = plan.lists_per_query;
        // The subgroup merge needs whole subgroups inside its MERGE_WG-wide
        // workgroups: where the adapter may pick wider ones (Adreno: 128), the
        // workgroup-memory merge runs instead.
        let max_sg = self.ctx.adapter().subgroup_max_size as usize;
        let subgroups = self.ctx.has_subgroups() && max_sg > 0 && max_sg <= tile("MERGE_WG");
        let qpg = if subgroups {
            self.queries_per_group()
        } else {
            1
        };
        if let Some(limit) = self.ctx.adapter().kind.loop_limit() {
            let lanes = if subgroups { max_sg } else { tile("MERGE_WG") };
            let max_excl = excl
                .offsets
                .windows(2)
                .map(|w| (w[1] - w[0]) as usize)
                .max();
            let bound = self.loop_bound(&plan, k, max_excl.unwrap_or(0), lanes);
            if bound > limit {
                return Err(Error::invalid(format!(
                    "this search (k = {k} over {} rows) needs up to {bound} loop iterations \
                     in one shader invocation, and the software adapter {} stops at \
                     {limit} (it would return wrong results); search on the \
                     CPU backend, which is faster here anyway, or with a smaller k",
                    self.n,
                    self.ctx.adapter().name
                )));
            }
        }
        let tiles = self.ctx.pipeline(self.tiles_kernel(), "topk_tiles", &[])?;
        let merge = if subgroups {
            self.ctx.pipeline(&SEARCH_SUBGROUP, "merge_subgroup", &[])?
        } else {
            self.ctx.pipeline(&SEARCH, "merge", &[])?
        };

        // Every dispatch's parameters, one aligned slot each: per batch, one per
        // shard, then the merge's.
        let batches = q.m.div_ceil(plan.batch);
        let per_batch = self.shards.len() + 1;
        let mut params = Vec::with_capacity(batches * per_batch);
        for b in 0..batches {
            let q0 = b * plan.batch;
            let bm = plan.batch.min(q.m - q0);
            let base = SearchParams {
                dp: self.dp as u32,
                n_queries: bm as u32,
                query_base: q0 as u32,
                k: k as u32,
                chunk_rows: plan.chunk_rows as u32,
                lists_per_query: lpq as u32,
                metric: metric_code(metric),
                queries_per_group: qpg as u32,
                neg_inf: f32::NEG_INFINITY,
                ..Default::default()
            };
            let mut chunk_base = 0;
            for (s, chunks) in self.shards.iter().zip(self.chunks(plan.chunk_rows)) {
                params.push(SearchParams {
                    n_rows: s.n_rows,
                    row_base: s.row_base,
                    chunk_base,
                    ..base
                });
                chunk_base += chunks as u32;
            }
            params.push(base);
        }
        let align = self.ctx.limits().min_uniform_buffer_offset_alignment as u64;
        let stride = (std::mem::size_of::<SearchParams>() as u64).next_multiple_of(align);
        let mut param_bytes = vec![0u8; (stride * params.len() as u64) as usize];
        for (i, p) in params.iter().enumerate() {
            let at = i * stride as usize;
            param_bytes[at..at + std::mem::size_of::<SearchParams>()]
                .copy_from_slice(bytemuck::bytes_of(p));
        }

        let max_bm = plan.batch.min(q.m);
        let cand_bytes = (max_bm * lpq * k * 8) as u64;
        let result_bytes = (max_bm * k * 8) as u64;
        let query_bytes = (max_bm * self.dp * 4) as u64;
        let mut scratch = self.scratch.lock().unwrap_or_else(|p| p.into_inner());
        use wgpu::BufferUsages as U;
        let s = &mut *scratch;
        let params_buf = self.grow(
            &mut s.params,
            "search params",
            param_bytes.len() as u64,
            U::UNIFORM | U::COPY_DST,
        )?;
        let queries = self.grow(
            &mut s.queries,
            "search queries",
            query_bytes,
            U::STORAGE | U::COPY_DST,
        )?;
        let excl_off = self.grow(
            &mut s.excl_off,
            "search exclusion offsets",
            excl.offsets.len() as u64 * 4,
            U::STORAGE | U::COPY_DST,
        )?;
        let excl_ids = self.grow(
            &mut s.excl_ids,
            "search exclusion ids",
            excl.ids.len() as u64 * 4,
            U::STORAGE | U::COPY_DST,
        )?;
        let cands = self.grow(&mut s.cands, "search candidates", cand_bytes, U::STORAGE)?;
        let results = self.grow(
            &mut s.results,
            "search results",
            result_bytes,
            U::STORAGE | U::COPY_SRC,
        )?;
        let staging = self.grow(
            &mut s.staging,
            "search read-back",
            result_bytes,
            U::MAP_READ | U::COPY_DST,
        )?;
        let queue = self.ctx.queue();
        queue.write_buffer(params_buf, 0, &param_bytes);
        queue.write_buffer(excl_off, 0, bytemuck::cast_slice(&excl.offsets));
        if !excl.ids.is_empty() {
            queue.write_buffer(excl_ids, 0, bytemuck::cast_slice(&excl.ids));
        }
        let excl_off_b = || whole(excl_off, excl.offsets.len() as u64 * 4);
        let excl_ids_b = || whole(excl_ids, excl.ids.len() as u64 * 4);

        let mut out: Lists = Vec::with_capacity(q.m);
        for b in 0..batches {
            let q0 = b * plan.batch;
            let bm = plan.batch.min(q.m - q0);
            let data = &q.data[q0 * self.dp..(q0 + bm) * self.dp];
            queue.write_buffer(queries, 0, bytemuck::cast_slice(data));
            let slot = |i: usize| wgpu::BufferBinding {
                buffer: params_buf,
                offset: (b * per_batch + i) as u64 * stride,
                size: wgpu::BufferSize::new(std::mem::size_of::<SearchParams>() as u64),
            };
            let cands_b = || whole(cands, (bm * lpq * k * 8) as u64);
            let results_b = whole(results, (bm * k * 8) as u64);
            let mut enc = self.ctx.encoder();
            for (i, (s, chunks)) in self
                .shards
                .iter()
                .zip(self.chunks(plan.chunk_rows))
                .enumerate()
            {
                let bg = self.bind(
                    &tiles,
                    &[
                        (0, slot(i)),
                        (1, whole(queries, data.len() as u64 * 4)),
                        (2, s.rows.as_entire_buffer_binding()),
                        (3, s.norms.as_entire_buffer_binding()),
                        (4, excl_off_b()),
                        (5, excl_ids_b()),
                        (6, cands_b()),
                    ],
                )?;
                GpuContext::dispatch(
                    &mut enc,
                    &tiles,
                    &bg,
                    (bm.div_ceil(tile_q) as u32, chunks as u32, 1),
                );
            }
            let bg = self.bind(
                &merge,
                &[(0, slot(per_batch - 1)), (6, results_b), (7, cands_b())],
            )?;
            GpuContext::dispatch(&mut enc, &merge, &bg, (bm.div_ceil(qpg) as u32, 1, 1));
            let bytes = (bm * k * 8) as u64;
            enc.copy_buffer_to_buffer(results, 0, staging, 0, bytes);
            self.ctx.submit(enc)?;
            let found: Vec<Cand> = self.ctx.read_staging(staging, bm * k)?;
            for row in found.chunks(k) {
                let mut list = TopK::new(k);
                for c in row.iter().take_while(|c| c.id != EMPTY) {
                    list.push(c.key, c.id);
                }
                out.push(list);
            }
        }
        Ok(out)
    }
}

/// The first `bytes` of `buffer` (at least 4) as a binding.
fn whole(buffer: &wgpu::Buffer, bytes: u64) -> wgpu::BufferBinding<'_> {
    wgpu::BufferBinding {
        buffer,
        offset: 0,
        size: wgpu::BufferSize::new(bytes.max(4)),
    }
}

impl GpuIndex {
    /// `slot`'s buffer, replaced by a larger one (a power of two of bytes, within
    /// the device's buffer limit) when it holds fewer than `bytes`.
    fn grow<'a>(
        &self,
        slot: &'a mut Option<wgpu::Buffer>,
        label: &str,
        bytes: u64,
        usage: wgpu::BufferUsages,
    ) -> Result<&'a wgpu::Buffer> {
        let bytes = bytes.max(16).next_multiple_of(16);
        if slot.as_ref().is_none_or(|b| b.size() < bytes) {
            let size = bytes
                .next_power_of_two()
                .min(self.ctx.limits().max_buffer_size)
                .max(bytes);
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

    fn bind(
        &self,
        pipeline: &wgpu::ComputePipeline,
        buffers: &[(u32, wgpu::BufferBinding)],
    ) -> Result<wgpu::BindGroup> {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .map(|(binding, b)| wgpu::BindGroupEntry {
                binding: *binding,
                resource: wgpu::BindingResource::Buffer(b.clone()),
            })
            .collect();
        self.ctx.scoped(|| {
            self.ctx
                .device()
                .create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("search"),
                    layout: &pipeline.get_bind_group_layout(0),
                    entries: &entries,
                })
        })
    }
}

/// Lists of rows resident on the GPU (an IVF index's storage): TODO.
pub(crate) struct GpuLists {
    _ctx: Arc<GpuContext>,
}

impl GpuLists {
    pub(crate) fn new(
        ctx: Arc<GpuContext>,
        _rows: &super::lists::ListRows,
        _max_shard_bytes: Option<u64>,
    ) -> Result<Self> {
        Ok(GpuLists { _ctx: ctx })
    }

    pub(crate) fn scan(
        &self,
        _q: &Queries,
        _pairs: &super::lists::Pairs,
        _k: usize,
        _excl: &Exclusions,
        _metric: Metric,
    ) -> Result<Lists> {
        Err(Error::Gpu("not yet".into()))
    }

    pub(crate) fn exact(
        &self,
        _q: &Queries,
        _k: usize,
        _excl: &Exclusions,
        _metric: Metric,
    ) -> Result<Lists> {
        Err(Error::Gpu("not yet".into()))
    }

    pub(crate) fn counts(&self, _m: usize, _k: usize, _nprobe: usize) -> Result<KernelCounts> {
        Err(Error::Gpu("not yet".into()))
    }
}
