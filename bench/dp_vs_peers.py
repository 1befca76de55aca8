#!/usr/bin/env python3
"""civitas.dp against PyDP (python-dp) and OpenDP on count, sum and mean (docs/benchmarks.md,
"Differential privacy (issue 14)").

Same data, same bounds, same epsilon, one row per person (max contributions 1), Laplace noise:
- error: the mean absolute error of the released value over RUNS releases at each epsilon;
- throughput: rows per second of one release over ROWS rows (best of 3), from Python data in
  memory (civitas: a column of str plus the audited budget transaction in a workspace on
  /dev/shm or a temporary directory; PyDP and OpenDP: a list of ints).

civitas's mean is (LO+HI)/2 + noisy centred sum / noisy count (epsilon/2 each), PyDP's is its
BoundedMean, OpenDP's the ratio of a noisy sum and a noisy count (epsilon/2 each: OpenDP's own
make_mean needs the dataset size as public knowledge).

Usage: PYTHONPATH=build-dev/python .venv/bin/python bench/dp_vs_peers.py [--rows N] [--runs R]
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time

LO, HI = 0, 100


def civitas_setup(tmp):
    from civitas import dp
    from civitas.catalog import Catalog
    from civitas.workspace import Workspace

    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "schema", "entry.json")
    ws = Workspace.create(os.path.join(tmp, "w.db"), key=os.urandom(32), department="91350100M000100Y43")
    code = Catalog(ws).add(json.load(open(src, encoding="utf-8"))).resource_code
    dp.set_budget(ws, code, 1000)
    return ws, code


def make_civitas(ws, code):
    from civitas import dp

    def run(stat, col, eps):
        r = dp.release(ws, stat, col, column="v", dataset=code, epsilon=eps, max_contributions=1,
                       bounds=None if stat == "count" else (LO, HI))
        return r["value"]
    return run


def make_pydp():
    from pydp.algorithms.laplacian import BoundedMean, BoundedSum, Count

    def run(stat, data, eps):
        if stat == "count":
            return Count(epsilon=eps, dtype="int").quick_result(data)
        if stat == "sum":
            return BoundedSum(epsilon=eps, lower_bound=LO, upper_bound=HI, dtype="int").quick_result(data)
        return BoundedMean(epsilon=eps, lower_bound=LO, upper_bound=HI, dtype="int").quick_result(data)
    return run


def make_opendp():
    import opendp.prelude as odp
    odp.enable_features("contrib")
    space = odp.vector_domain(odp.atom_domain(T=int)), odp.symmetric_distance()
    cache = {}

    def meas(kind, eps):
        key = (kind, eps)
        if key not in cache:
            if kind == "count":
                cache[key] = space >> odp.t.then_count() >> odp.m.then_laplace(scale=1.0 / eps)
            else:
                cache[key] = (space >> odp.t.then_clamp(bounds=(LO, HI)) >> odp.t.then_sum()
                              >> odp.m.then_laplace(scale=float(max(abs(LO), abs(HI))) / eps))
            assert cache[key].map(1) <= eps + 1e-9, (kind, eps, cache[key].map(1))
        return cache[key]

    def run(stat, data, eps):
        if stat == "count":
            return meas("count", eps)(data)
        if stat == "sum":
            return meas("sum", eps)(data)
        c = meas("count", eps / 2)(data)
        s = meas("sum", eps / 2)(data)
        return min(max(s / max(c, 1), LO), HI)
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows for the throughput runs")
    ap.add_argument("--error-rows", type=int, default=10_000, help="rows for the error runs")
    ap.add_argument("--runs", type=int, default=200, help="releases per (library, statistic, epsilon)")
    ap.add_argument("--eps", default="0.1,1")
    args = ap.parse_args()
    rnd = random.Random(14)
    epss = [float(e) for e in args.eps.split(",")]
    tmp = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    ws, code = civitas_setup(tmp)
    libs = {"civitas": make_civitas(ws, code), "PyDP": make_pydp(), "OpenDP": make_opendp()}

    small = [rnd.randint(LO, HI) for _ in range(args.error_rows)]
    truth = {"count": len(small), "sum": sum(small), "mean": sum(small) / len(small)}
    inputs = {"civitas": {"v": [str(x) for x in small]}, "PyDP": small, "OpenDP": small}
    print(f"# error: {args.error_rows} rows, uniform integers in [{LO}, {HI}], {args.runs} releases each")
    print("| statistic | epsilon | " + " | ".join(f"{k} MAE" for k in libs) + " |")
    print("|---|---|" + "---|" * len(libs))
    for stat in ("count", "sum", "mean"):
        for eps in epss:
            row = []
            for name, run in libs.items():
                errs = [abs(run(stat, inputs[name], eps) - truth[stat]) for _ in range(args.runs)]
                row.append(f"{statistics.mean(errs):.4g}")
            print(f"| {stat} | {eps:g} | " + " | ".join(row) + " |")
    sys.stdout.flush()

    big = [rnd.randint(LO, HI) for _ in range(args.rows)]
    inputs = {"civitas": {"v": [str(x) for x in big]}, "PyDP": big, "OpenDP": big}
    print(f"\n# throughput: {args.rows} rows, one release at epsilon 1, best of 3 (million rows/s)")
    print("| statistic | " + " | ".join(libs) + " |")
    print("|---|" + "---|" * len(libs))
    for stat in ("count", "sum", "mean"):
        row = []
        for name, run in libs.items():
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                run(stat, inputs[name], 1.0)
                best = min(best, time.perf_counter() - t)
            row.append(f"{args.rows / best / 1e6:.2f}")
        print(f"| {stat} | " + " | ".join(row) + " |")
    ws.close()


if __name__ == "__main__":
    main()
