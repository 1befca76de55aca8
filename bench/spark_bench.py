#!/usr/bin/env python3
"""civitas.spark against Spark's built-in functions and against one civitas process
(issue 16; figures in docs/benchmarks.md, "Spark").

    PYTHONPATH=build-dev/python PYSPARK_PYTHON=$PWD/.venv/bin/python \\
      .venv/bin/python bench/spark_bench.py [--rows 10000000] [--master local[2]] [--json OUT]

Generates ROWS resident IDs (valid, with one in 50 broken) as a Spark DataFrame (spark.range,
no file), then times, each a full pass that ends in a count of a derived column (so nothing
is skipped):

- validate: civitas.spark.validate_ids vs the same in one process (ids.reasons_many on the
  whole column, in batches of 100,000);
- identity keys: civitas.spark.identity_keys vs Spark's sha2(ric, 256) (the keyless hash
  Spark has built in; not an identity key, only the floor of a per-row function) vs one
  process (Workspace.identity_keys);
- tokens: civitas.spark.tokenize vs one process (Workspace.tokenize per value through the
  batch function);
- the baseline: a pass that only reads the generated column (count of a length), whose time
  is subtracted to give the overhead of the Spark path per row.

Prints rows/s per case (and a JSON document with --json). Runs about a minute per million
rows on two cores.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    from pyspark.sql import SparkSession, functions as F

    from civitas import _native, ids
    from civitas import spark as cs
    from civitas.workspace import Workspace

    # Long heartbeat and network timeouts: on a loaded machine a late heartbeat makes the local
    # executor re-register its block manager, which local mode cannot do (the job then hangs).
    spark = (SparkSession.builder.master(a.master).appName("civitas-bench")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.executor.heartbeatInterval", "60s").config("spark.network.timeout", "600s")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    n = a.rows

    # Resident IDs from the row number: region 110105, a birth date, a sequence, the check
    # character computed in SQL (GB 11643 weights); every 50th gets a wrong check character.
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = F.concat(F.lit("110105"), (F.lit(1950) + F.col("id") % 50).cast("string"),
                    F.lpad((F.lit(1) + F.col("id") % 12).cast("string"), 2, "0"),
                    F.lpad((F.lit(1) + F.col("id") % 28).cast("string"), 2, "0"),
                    F.lpad((F.col("id") % 1000).cast("string"), 3, "0"))
    df = spark.range(n).withColumn("body", body)
    s = sum(F.substring("body", i + 1, 1).cast("int") * w for i, w in enumerate(weights))
    chk = F.substring(F.lit("10X98765432"), (s % 11).cast("int") + 1, 1)
    df = df.withColumn("ric", F.when(F.col("id") % 50 == 0, F.lit("0")).otherwise(chk))
    df = df.select(F.concat("body", "ric").alias("ric")).cache()
    df.count()

    tmp = tempfile.mkdtemp(prefix="civitas-spark-bench-")
    key = os.urandom(32)
    wsp, keyf = os.path.join(tmp, "ws.db"), os.path.join(tmp, "ws.key")
    Workspace.create(wsp, key=key).close()
    with open(keyf, "w") as f:
        f.write(key.hex())

    # Warm-up (not timed): the JVM's JIT, the Python workers, the workspace in each worker.
    small = df.limit(1000)
    small.select(F.length("ric").alias("x")).filter("x > 0").count()
    cs.validate_ids(small, "ric", "ric").count()
    cs.identity_keys(small, "ric", "ric", "bench", workspace=wsp, key_file=keyf).count()
    cs.tokenize(small, "ric", "bench", workspace=wsp, key_file=keyf).count()

    results = {}

    def timed(name, fn):
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        load = os.getloadavg()[0]  # the machine is shared: the 1-minute load when the case ended
        results[name] = {"seconds": round(dt, 3), "rows_per_s": round(n / dt), "load_1m": round(load, 2)}
        print(f"{name:34s} {dt:8.2f} s  {n / dt:12,.0f} rows/s  (load {load:.1f})", flush=True)

    timed("spark: read only (baseline)", lambda: df.select(F.length("ric").alias("x")).filter("x > 0").count())
    timed("spark: sha2(ric, 256) built-in", lambda: df.select(F.sha2("ric", 256).alias("h")).filter("h is not null").count())
    timed("civitas.spark validate_ids", lambda: cs.validate_ids(df, "ric", "ric").filter("ric_valid").count())
    timed("civitas.spark identity_keys", lambda: cs.identity_keys(df, "ric", "ric", "bench", workspace=wsp,
                                                                  key_file=keyf).filter("ric_ik is not null").count())
    timed("civitas.spark tokenize", lambda: cs.tokenize(df, "ric", "bench", workspace=wsp, key_file=keyf)
          .filter("ric_token is not null").count())

    # One civitas process on the same values (collected to the driver first, not timed).
    values = [r[0] for r in df.toLocalIterator()]
    step = 100_000
    timed("one process: ids.reasons_many",
          lambda: [ids.reasons_many("ric", values[i:i + step]) for i in range(0, n, step)])
    with Workspace.open(wsp, key=key) as ws:
        timed("one process: identity_keys", lambda: [ws.identity_keys("ric", values[i:i + step], "bench")
                                                     for i in range(0, n, step)])
        timed("one process: tokenize_column", lambda: [_native.spark.tokenize_column(ws._native_handle,
                                                                                       values[i:i + step], "bench")
                                                         for i in range(0, n, step)])
    base = results["spark: read only (baseline)"]["seconds"]
    pairs = {"civitas.spark validate_ids": "one process: ids.reasons_many",
             "civitas.spark identity_keys": "one process: identity_keys",
             "civitas.spark tokenize": "one process: tokenize_column"}
    for k, one in pairs.items():
        results[k]["overhead_us_per_row_over_baseline"] = round((results[k]["seconds"] - base) / n * 1e6, 3)
        # the Spark path's time per row beyond the work itself (one process, one core)
        results[k]["spark_minus_one_process_us_per_row"] = round((results[k]["seconds"] - results[one]["seconds"]) / n * 1e6, 3)
    doc = {"rows": n, "master": a.master, "cpus": os.cpu_count(), "results": results}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)
    print(json.dumps(doc, indent=1))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
