#!/usr/bin/env python3
"""Byte-identity check of `civitas classify text` between two builds: stdout, stderr and exit
code of OLD and NEW on the benchmark's generated texts (make_text 16 and 4 MB), every file of
tests/data/classify, and generated inputs (random bytes, texts cut inside characters, corpus
lines mixed and cut at random places, bytes flipped, GBK with --encoding gbk), each also with
--json and --show on a share of them. Exits 1 on the first difference, printing its input.

    python3 bench/classify_identity.py OLD/civitas NEW/civitas [--n 400] [--seed 7]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import classify_vs_presidio as cvp  # noqa: E402

DATA = os.path.join(HERE, "..", "tests", "data", "classify")


def run(binary, path, extra):
    p = subprocess.run([binary, "classify", "text", *extra, path], capture_output=True)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    r = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="cls_ident_")
    checked = 0

    def check(data, extra=(), name=None):
        nonlocal checked
        path = name or os.path.join(tmp, "in.txt")
        if name is None:
            with open(path, "wb") as f:
                f.write(data)
        for ex in ([list(extra)] if extra else [[]]):
            o, n = run(a.old, path, ex), run(a.new, path, ex)
            checked += 1
            if o != n:
                keep = os.path.join(tmp, "diff_input")
                if name is None:
                    os.replace(path, keep)
                print(f"DIFFERENT: {name or keep} {ex}: exit {o[0]} vs {n[0]}, "
                      f"stdout {len(o[1])} vs {len(n[1])} bytes, stderr {o[2][:200]!r} vs {n[2][:200]!r}")
                sys.exit(1)

    # The benchmark's texts.
    for mb in (16, 4):
        check(cvp.make_text(mb).encode("utf-8"))
    check(cvp.make_text(4).encode("utf-8"), ["--json"])
    check(cvp.make_text(1).encode("utf-8"), ["--show"])
    # Every corpus file, as given (and the GBK one with its encoding).
    for root, _, files in os.walk(DATA):
        for fn in sorted(files):
            path = os.path.join(root, fn)
            check(None, (), path)
            check(None, ["--json"], path)
            if "gbk" in fn:
                check(None, ["--encoding", "gbk"], path)
    lines = open(os.path.join(DATA, "text.txt"), encoding="utf-8").read().splitlines()
    text_b = open(os.path.join(DATA, "text.txt"), "rb").read()
    gbk_b = open(os.path.join(DATA, "text_gbk.txt"), "rb").read()
    prose = cvp.PROSE
    pieces = ["数据", "共享", "市", "人", "京", "名", "者", "主", "先", "女", "同", "老", "小", "区", "省", "县", "州", "旗", "盟",
              "个人", "本市", "福州市", "鼓楼区", "福建省", "先生", "女士", "同志", "老师", "小姐", "京A12345", "联系人张三",
              "，", "。", "\n", " ", "A", "7", "@", ".", "-", ":", "The report", "13912345678"]
    for k in range(a.n):
        kind = k % 6
        if kind == 0:  # random bytes
            data = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 3000)))
        elif kind == 1:  # corpus lines and prose mixed, cut at random byte places
            parts = [(r.choice(lines) if r.random() < 0.5 else prose) for _ in range(r.randrange(1, 60))]
            data = "\n".join(parts).encode("utf-8")
            data = data[: r.randrange(0, len(data) + 1)]
        elif kind == 2:  # pieces glued (triggers at every place), cut inside a character
            data = "".join(r.choice(pieces) for _ in range(r.randrange(1, 200))).encode("utf-8")
            data = data[: max(0, len(data) - r.randrange(0, 3))]
        elif kind == 3:  # a slice of the corpus with bytes flipped
            s = r.randrange(0, len(text_b))
            data = bytearray(text_b[s: s + r.randrange(1, 6000)])
            for _ in range(r.randrange(0, 8)):
                if data:
                    data[r.randrange(len(data))] = r.getrandbits(8)
            data = bytes(data)
        elif kind == 4:  # GBK slices, with --encoding gbk and guessed
            s = r.randrange(0, len(gbk_b))
            data = gbk_b[s: s + r.randrange(1, 6000)]
            check(data, ["--encoding", "gbk"])
        else:  # prose runs of every length around the vector steps, a corpus line after
            data = (prose * 3)[: r.randrange(0, 3 * len(prose))].encode("utf-8", "ignore") + r.choice(lines).encode("utf-8")
        check(data)
        if k % 10 == 0:
            check(data, ["--json"])
    print(f"identical: {checked} runs (old {a.old}, new {a.new})")


if __name__ == "__main__":
    main()
