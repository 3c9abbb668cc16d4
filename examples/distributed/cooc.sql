-- Co-occurrences of all the shards, summed by (i, j): the input of
-- `glove-wgpu shuffle` and `train --cooc-format parquet`.
-- The table `cooc` holds the shards' rows (i: u32, j: u32, x: f64), as
-- `glove-wgpu cooccur --format parquet` writes them. A count is a whole
-- multiple of 1/${scale} (lcm(1..window) with distance weighting, 1 without),
-- so it is summed exactly as an integer and divided once: the result is the
-- single-node count to the last bit, whatever the engine's summing order.
-- ORDER BY gives the single node's order, so that a seeded shuffle and the
-- exact trainer reproduce its vectors; drop it when that does not matter.
SELECT i, j, CAST(SUM(CAST(ROUND(x * ${scale}) AS BIGINT)) AS DOUBLE) / ${scale} AS x
FROM cooc
GROUP BY i, j
ORDER BY i, j
