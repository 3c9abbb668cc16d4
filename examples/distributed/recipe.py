"""What the DataFusion and Spark drivers share: their command line and the SQL."""

import argparse
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def scale(window, distance_weighting=True):
    """The unit of the counts: x * scale is a whole number (see src/cooccur/count.rs)."""
    if not distance_weighting:
        return 1
    lcm = 1
    for d in range(1, window + 1):
        lcm = lcm * d // math.gcd(lcm, d)
        if lcm > 1 << 28:
            return 1 << 28
    return lcm


def sql(name, args):
    """The query in NAME.sql, with ${scale} for the window of ARGS."""
    with open(os.path.join(HERE, name + ".sql")) as f:
        text = f.read()
    query = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return query.replace("${scale}", str(scale(args.window, not args.no_distance_weighting)))


def parse(engine):
    p = argparse.ArgumentParser(
        description=f"Sums glove-wgpu's per-shard Parquet counts with {engine}.")
    p.add_argument("--counts", nargs=2, metavar=("IN", "OUT"),
                   help="word counts: a folder (or file) of `vocab --format parquet` shards "
                        "-> a folder for `vocab --from-counts`")
    p.add_argument("--cooc", nargs=2, metavar=("IN", "OUT"),
                   help="co-occurrences: a folder of `cooccur --format parquet` shards "
                        "-> a folder for `shuffle` and `train --cooc-format parquet`")
    p.add_argument("--window", type=int, default=15, help="cooccur's --window (default 15)")
    p.add_argument("--no-distance-weighting", action="store_true",
                   help="cooccur was run with --no-distance-weighting")
    args = p.parse_args()
    if not args.counts and not args.cooc:
        p.error("give --counts, --cooc or both")
    return args
