//! Host side of `shaders/search.wgsl`: shards, batches, dispatches, read-back.
//!
//! The matrix is uploaded once, split into shards no larger than the device's
//! storage-binding limit (or a smaller limit the caller sets). Each search
//! dispatches `topk_tiles` over every shard into one candidate buffer, then
//! `merge` once, per batch of queries; batches keep the candidate buffer under
//! the binding limit.

use std::sync::Arc;

use wgpu::util::DeviceExt;

use super::topk::TopK;
use super::{metric_code, Exclusions, Lists, Metric, Prepared, Queries, Rows};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::shaders::SEARCH;

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
    _pad0: u32,
    _pad1: u32,
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

struct Shard {
    rows: wgpu::Buffer,
    norms: wgpu::Buffer,
    row_base: u32,
    n_rows: u32,
}

/// A matrix resident on the GPU.
pub(crate) struct GpuIndex {
    ctx: Arc<GpuContext>,
    n: usize,
    dp: usize,
    f16: bool,
    shards: Vec<Shard>,
    max_shard_rows: usize,
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
            dp: p.dp,
            f16,
            shards,
            max_shard_rows,
        })
    }

    pub(crate) fn adapter_name(&self) -> String {
        self.ctx.adapter().name.clone()
    }

    pub(crate) fn shards(&self) -> usize {
        self.shards.len()
    }

    fn uniform(&self, params: &SearchParams) -> Result<wgpu::Buffer> {
        self.ctx.scoped(|| {
            self.ctx
                .device()
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("search params"),
                    contents: bytemuck::bytes_of(params),
                    usage: wgpu::BufferUsages::UNIFORM,
                })
        })
    }

    pub(crate) fn search(
        &self,
        q: &Queries,
        k: usize,
        excl: &Exclusions,
        metric: Metric,
    ) -> Result<Lists> {
        let tile_q = SEARCH.const_u32("TILE_Q") as usize;
        let tile_e = SEARCH.const_u32("TILE_E") as usize;
        let sub = SEARCH.const_u32("SUB") as usize;
        let merge_wg = SEARCH.const_u32("MERGE_WG") as usize;
        let max_groups = self.ctx.limits().max_compute_workgroups_per_dimension as usize;
        let binding = self.ctx.max_binding_bytes();
        let budget = binding.min(CANDIDATE_BUDGET);

        // Rows per workgroup: enough workgroups to fill the device, few enough
        // lists that a useful batch of queries fits the candidate budget.
        let qblocks = q.m.div_ceil(tile_q).max(1);
        let mut chunk_rows = (self.n * qblocks)
            .div_ceil(TARGET_WORKGROUPS)
            .next_multiple_of(tile_e)
            .clamp(tile_e, 64 * tile_e)
            .max(
                self.max_shard_rows
                    .div_ceil(max_groups)
                    .next_multiple_of(tile_e),
            );
        let lists_per_query = |cr: usize| -> usize {
            self.shards
                .iter()
                .map(|s| (s.n_rows as usize).div_ceil(cr))
                .sum::<usize>()
                * sub
        };
        while (lists_per_query(chunk_rows) * k * 8) as u64 * tile_q as u64 > budget
            && chunk_rows < self.max_shard_rows
        {
            chunk_rows *= 2;
        }
        let lpq = lists_per_query(chunk_rows);
        let per_query = (lpq * k * 8) as u64;
        let batch = ((budget / per_query) as usize)
            .min((binding / (self.dp as u64 * 4)) as usize)
            .min(max_groups * tile_q)
            .min(q.m);
        if batch == 0 {
            return Err(Error::invalid(format!(
                "k = {k} needs {per_query} bytes of candidates per query, more than the \
                 {budget}-byte budget; use a smaller k or the CPU backend"
            )));
        }

        let constants = [("F16", if self.f16 { 1.0 } else { 0.0 })];
        let tiles = self.ctx.pipeline(&SEARCH, "topk_tiles", &constants)?;
        let merge = self.ctx.pipeline(&SEARCH, "merge", &[])?;
        let excl_off = self.ctx.upload("exclusion offsets", &excl.offsets)?;
        let excl_ids = self.ctx.upload("exclusion ids", &excl.ids)?;

        let mut out: Lists = Vec::with_capacity(q.m);
        let mut q0 = 0;
        while q0 < q.m {
            let bm = batch.min(q.m - q0);
            let queries = self
                .ctx
                .upload("queries", &q.data[q0 * self.dp..(q0 + bm) * self.dp])?;
            let cands = self.ctx.storage("candidates", bm as u64 * per_query)?;
            let results = self.ctx.storage("results", (bm * k * 8) as u64)?;
            let mut enc = self.ctx.encoder();
            let mut chunk_base = 0u32;
            for s in &self.shards {
                let chunks = (s.n_rows as usize).div_ceil(chunk_rows);
                let params = self.uniform(&SearchParams {
                    n_rows: s.n_rows,
                    row_base: s.row_base,
                    dp: self.dp as u32,
                    n_queries: bm as u32,
                    query_base: q0 as u32,
                    k: k as u32,
                    chunk_rows: chunk_rows as u32,
                    chunk_base,
                    lists_per_query: lpq as u32,
                    metric: metric_code(metric),
                    ..Default::default()
                })?;
                let bg = self.ctx.bind(
                    &tiles,
                    &[
                        (0, &params),
                        (1, &queries),
                        (2, &s.rows),
                        (3, &s.norms),
                        (4, &excl_off),
                        (5, &excl_ids),
                        (6, &cands),
                    ],
                )?;
                GpuContext::dispatch(
                    &mut enc,
                    &tiles,
                    &bg,
                    (bm.div_ceil(tile_q) as u32, chunks as u32, 1),
                );
                chunk_base += chunks as u32;
            }
            let params = self.uniform(&SearchParams {
                n_queries: bm as u32,
                k: k as u32,
                lists_per_query: lpq as u32,
                ..Default::default()
            })?;
            let bg = self
                .ctx
                .bind(&merge, &[(0, &params), (6, &results), (7, &cands)])?;
            GpuContext::dispatch(&mut enc, &merge, &bg, (bm.div_ceil(merge_wg) as u32, 1, 1));
            self.ctx.submit(enc)?;
            let found: Vec<Cand> = self.ctx.read(&results, bm * k)?;
            for row in found.chunks(k) {
                let mut list = TopK::new(k);
                for c in row.iter().take_while(|c| c.id != EMPTY) {
                    list.push(c.key, c.id);
                }
                out.push(list);
            }
            q0 += bm;
        }
        Ok(out)
    }
}
