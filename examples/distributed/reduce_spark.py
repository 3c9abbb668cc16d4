"""The reduce on Apache Spark (pip install pyspark; a Java runtime).

On this machine (local mode, all cores):

    python reduce_spark.py --counts counts/ vocab_counts/ --cooc cooc/ cooc_sum/

On a cluster, the same script and SQL, paths the executors can reach:

    spark-submit --master yarn --py-files recipe.py --files vocab.sql,cooc.sql \
        reduce_spark.py --cooc hdfs:///glove/cooc hdfs:///glove/cooc_sum

Each output is a folder of Parquet part files (with Spark's _SUCCESS and .crc
files, which glove-wgpu skips).
"""

import os
import time

from pyspark.sql import SparkSession

from recipe import parse, sql


def reduce(spark, table, source, query, out):
    start = time.time()
    spark.read.parquet(source).createOrReplaceTempView(table)
    spark.sql(query).write.mode("overwrite").parquet(out)
    spark.catalog.dropTempView(table)
    print(f"spark: {table}: {source} -> {out} in {time.time() - start:.2f} s", flush=True)


def main():
    args = parse("Spark")
    builder = SparkSession.builder.appName("glove-wgpu reduce")
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Not under spark-submit: local mode on this machine's cores, a driver of 4 GiB
        # (GLOVE_SPARK_MEMORY), and a partition per core after the shuffle.
        cores = os.cpu_count() or 2
        builder = (builder.master(f"local[{cores}]")
                   .config("spark.driver.memory", os.environ.get("GLOVE_SPARK_MEMORY", "4g"))
                   .config("spark.sql.shuffle.partitions", str(2 * cores))
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    if args.counts:
        reduce(spark, "counts", args.counts[0], sql("vocab", args), args.counts[1])
    if args.cooc:
        reduce(spark, "cooc", args.cooc[0], sql("cooc", args), args.cooc[1])
    spark.stop()


if __name__ == "__main__":
    main()
