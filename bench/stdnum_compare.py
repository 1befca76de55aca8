#!/usr/bin/env python3
"""Peer comparison: civitas vs python-stdnum validating the same USCCs and resident IDs.

    .venv/bin/python bench/stdnum_compare.py [--build DIR] [--n COUNT] [--repeat R]

The codes (COUNT of each kind, default 1,000,000; about 5% corrupted) come from the bench
program's fixed-seed generator (`bench_ids --dump=KIND`), so every run and every tool sees
the same data. Timed in the same run, single-threaded, best of R:

  * python-stdnum: ``stdnum.cn.uscc.is_valid`` / ``stdnum.cn.ric.is_valid`` over a list of the
    first --peer-n codes (default 100,000 USCCs and 10,000 resident IDs: stdnum's RIC check
    looks the birthplace up in its database file and manages about a thousand codes a second);
  * civitas batch: ``ids::check_column`` over the same codes as one column
    (``bench_ids --validate=KIND``, timing only the validation);
  * civitas from Python: ``civitas.ids.validate_many`` when the Python binding is built in
    DIR/python (skipped otherwise);
  * civitas CLI, whole process: ``civitas id validate --type KIND`` reading the codes on stdin
    and writing one line per code (start-up, parsing and output included).

All times are CPU time (user + system), so that the figures mean the same on a shared machine.
Prints codes/s for each and the ratios to python-stdnum (target: civitas batch >= 200x).
The valid counts are printed too: both libraries must agree on these codes.
"""
import argparse
import os
import resource
import subprocess
import sys
import time


def find_build(here):
    for name in ("build-bench", "build"):
        d = os.path.join(here, name)
        if os.path.exists(os.path.join(d, "bin", "bench", "bench_ids")):
            return d
    return None


def best_of(repeat, fn):
    """Best CPU time (this process and its finished children: user + system) of repeat runs."""
    def cpu():
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + c.ru_utime + c.ru_stime
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = cpu()
        result = fn()
        best = min(best, cpu() - t0)
    return best, result


def rate(n, seconds):  # codes per second
    return n / seconds if seconds > 0 else float("inf")


def fmt_rate(r):
    return f"{r / 1e6:10.2f} M/s" if r >= 1e5 else f"{r / 1e3:10.1f} k/s"


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=None, help="build directory with bin/bench/bench_ids")
    ap.add_argument("--n", type=int, default=1_000_000, help="codes of each kind")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    ap.add_argument("--kinds", default="uscc,ric")
    ap.add_argument("--peer-n", default="uscc=100000,ric=10000",
                    help="codes timed with python-stdnum per kind (the first ones)")
    args = ap.parse_args()

    build = os.path.abspath(args.build) if args.build else find_build(here)
    if not build:
        sys.exit("stdnum_compare: no build with bin/bench/bench_ids found; pass --build DIR")
    bench = os.path.join(build, "bin", "bench", "bench_ids")
    cli = os.path.join(build, "bin", "civitas")

    try:
        import stdnum
        from stdnum.cn import ric as stdnum_ric
        from stdnum.cn import uscc as stdnum_uscc
    except ImportError:
        sys.exit("stdnum_compare: python-stdnum is missing (scripts/install-deps puts it in .venv)")

    binding = None
    pydir = os.path.join(build, "python")
    if os.path.isdir(os.path.join(pydir, "civitas")):
        sys.path.insert(0, pydir)
        try:
            import civitas.ids as binding  # noqa: F401
        except Exception as e:  # built for another interpreter, or not finished
            print(f"(civitas Python binding in {pydir} not usable: {e})")
            binding = None

    print(f"python-stdnum {stdnum.__version__} on Python {sys.version.split()[0]}; "
          f"civitas from {build}; {args.n:,} codes per kind; best of {args.repeat}")
    peers = {"uscc": stdnum_uscc.is_valid, "ric": stdnum_ric.is_valid}
    peer_n = {k: int(v) for k, v in (kv.split("=") for kv in args.peer_n.split(","))}
    failed = False
    for kind in args.kinds.split(","):
        dump = subprocess.run([bench, f"--dump={kind}", f"--n={args.n}"], check=True,
                              stdout=subprocess.PIPE).stdout
        codes = dump.decode("ascii").splitlines()
        n = len(codes)

        # python-stdnum on a sample; civitas on the same sample (for the agreement check)
        # and on all codes (for the rate).
        sample = codes[:min(n, peer_n.get(kind, n))]
        is_valid = peers[kind]
        t_peer, peer_valid = best_of(args.repeat, lambda: sum(map(is_valid, sample)))
        r_peer = rate(len(sample), t_peer)

        def batch(data):
            out = subprocess.run([bench, f"--validate={kind}", f"--repeat={max(args.repeat, 5)}"],
                                 input=data, check=True, stdout=subprocess.PIPE).stdout.decode().split()
            return int(out[0]), int(out[1]), float(out[2])
        civ_valid, civ_n, t_batch = batch(dump)
        assert civ_n == n, (civ_n, n)
        sample_valid, _, _ = batch(("\n".join(sample) + "\n").encode())

        rows = [(f"python-stdnum is_valid ({len(sample):,} codes)", rate(len(sample), t_peer), peer_valid),
                (f"civitas check_column (batch, C++)", rate(n, t_batch), civ_valid)]
        if binding is not None:
            t_py, py_valid = best_of(args.repeat, lambda: sum(binding.validate_many(kind, codes)))
            rows.append(("civitas.ids.validate_many (Python)", rate(n, t_py), py_valid))
        if os.path.exists(cli):
            def run_cli():
                p = subprocess.run([cli, "id", "validate", "--type", kind], input=dump,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                return sum(1 for line in p.stdout.splitlines() if line.startswith(b"valid\t"))
            t_cli, cli_valid = best_of(args.repeat, run_cli)
            rows.append(("civitas CLI (whole process, stdin)", rate(n, t_cli), cli_valid))

        print(f"\n{kind}: {n:,} codes")
        print(f"  {'':42} {'codes/s':>14} {'valid':>10} {'vs stdnum':>10}")
        for name, r, valid in rows:
            print(f"  {name:42} {fmt_rate(r):>14} {valid:10,} {r / r_peer:9.1f}x")
        if sample_valid != peer_valid:
            print(f"  NOTE: on the sample civitas finds {sample_valid:,} valid, stdnum {peer_valid:,}")
        else:
            print(f"  agreement: both find {peer_valid:,} of the {len(sample):,} sampled codes valid")
        ratio = rate(n, t_batch) / r_peer
        met = ratio >= 200
        failed |= not met
        print(f"  target civitas batch >= 200x python-stdnum: {ratio:,.0f}x, {'met' if met else 'NOT met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
