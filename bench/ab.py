#!/usr/bin/env python3
"""Interleaved A/B timing of whole processes: runs each command in turn, N rounds, and prints
per command the CPU time (user + sys of the child, from wait4) and the wall time, minimum and
median, in ms. Commands run through /bin/sh with stdout and stderr to /dev/null.

    bench/ab.py 40 "OLD/civitas classify text t.txt" "NEW/civitas classify text t.txt"

Interleaving puts both commands under the same machine conditions; compare within one run.
"""
import os
import statistics
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds, cmds = int(sys.argv[1]), sys.argv[2:]
    res = {c: ([], []) for c in cmds}
    devnull = os.open(os.devnull, os.O_WRONLY)
    acts = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    for _ in range(rounds):
        for c in cmds:
            t = time.perf_counter()
            pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exec " + c], os.environ, file_actions=acts)
            _, status, ru = os.wait4(pid, 0)
            wall = time.perf_counter() - t
            if status != 0:
                sys.exit(f"failed ({status}): {c}")
            res[c][0].append((ru.ru_utime + ru.ru_stime) * 1000)
            res[c][1].append(wall * 1000)
    for c in cmds:
        cpu, wall = res[c]
        print(f"cpu min {min(cpu):6.1f} med {statistics.median(cpu):6.1f} | "
              f"wall min {min(wall):6.1f} med {statistics.median(wall):6.1f} ms | {c[:90]}")


if __name__ == "__main__":
    main()
