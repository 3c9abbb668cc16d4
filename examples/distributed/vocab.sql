-- Word counts of all the shards, summed: the input of `glove-wgpu vocab --from-counts`.
-- The table `counts` holds the shards' rows (word: utf8, count: u64), as
-- `glove-wgpu vocab --format parquet --min-count 1` writes them; the order of
-- the output does not matter (`--from-counts` sorts).
SELECT word, CAST(SUM(count) AS BIGINT) AS count
FROM counts
GROUP BY word
