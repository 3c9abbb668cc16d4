"""The reduce on Apache DataFusion (pip install datafusion), on this machine's cores.

    python reduce_datafusion.py --counts counts/ vocab_counts/ --cooc cooc/ cooc_sum/

Each output is a folder of Parquet part files that glove-wgpu reads whole.
"""

import time

from datafusion import SessionConfig, SessionContext

from recipe import parse, sql


def reduce(ctx, table, source, query, out):
    start = time.time()
    ctx.register_parquet(table, source)
    ctx.sql(query).write_parquet(out)
    ctx.deregister_table(table)
    print(f"datafusion: {table}: {source} -> {out} in {time.time() - start:.2f} s", flush=True)


def main():
    args = parse("DataFusion")
    # One output file at a time (DataFusion's default spreads the rows over 4
    # files written at once, which loses the order of ORDER BY).
    config = SessionConfig().set("datafusion.execution.minimum_parallel_output_files", "1")
    ctx = SessionContext(config)
    if args.counts:
        reduce(ctx, "counts", args.counts[0], sql("vocab", args), args.counts[1])
    if args.cooc:
        reduce(ctx, "cooc", args.cooc[0], sql("cooc", args), args.cooc[1])


if __name__ == "__main__":
    main()
