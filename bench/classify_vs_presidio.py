#!/usr/bin/env python3
"""Free-text classification speed, in one run on the same generated text: `civitas classify
text`, Presidio (presidio-analyzer, pattern recognizers only, NoOpNlpEngine, configured with
the Chinese patterns below) and a plain Python `re` scanner with the same checksum checks;
then `civitas classify scan` of a 1 GiB CSV (made in /tmp, deleted after), whose sampled
result is compared with a full scan of the corpus table it repeats.

    python3 bench/classify_vs_presidio.py --civitas build-dev/bin/civitas [--mb 16] [--csv-gib 1]

Prints a Markdown table for docs/benchmarks.md. MB/s are per core: civitas is timed by its
process CPU time (user + sys, from getrusage of the child) and wall time; the Python scanners
by their CPU time (time.process_time), all single-threaded. The default text is 16 MB: a
`civitas` process has a fixed cost (start, dynamic linking, the GB/T 2260 names) of a few ms,
printed on its own (a one-line text), which a small text would mostly measure.
"""
import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "data", "classify")

PROSE = ("根据本市数据共享工作安排，各部门应当按照目录要求及时更新数据资源，确保数据准确完整。"
         "对于涉及个人信息的数据，应当依法采取脱敏措施后再行共享。"
         "The quarterly report covers data quality, sharing requests and the audit results of the platform.")


def make_text(mb, seed=13):
    """Prose with the corpus's labelled sentences mixed in (about one line in four)."""
    r = random.Random(seed)
    lines = open(os.path.join(CORPUS, "text.txt"), encoding="utf-8").read().splitlines()
    out, size = [], 0
    while size < mb * 1_000_000:
        line = r.choice(lines) if r.random() < 0.25 else PROSE
        out.append(line)
        size += len(line.encode("utf-8")) + 1
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- checks (both Python peers)
def luhn(d):
    s = 0
    for i, c in enumerate(reversed(d)):
        x = int(c)
        if i % 2:
            x = x * 2 - 9 if x > 4 else x * 2
        s += x
    return s % 10 == 0


def ric_ok(s):
    s = s.upper()
    if not s[:17].isdigit():
        return False
    y, m, d = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return False
    v = (12 - sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(s[:17])) % 11) % 11
    return s[17] == ("X" if v == 10 else str(v))


U = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_ok(s):
    try:
        t = sum(U.index(c) * w for c, w in zip(s[:17], [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]))
        return U[(31 - t % 31) % 31] == s[17]
    except ValueError:
        return False


def org_ok(s):
    b = s.replace("-", "")
    try:
        v = 11 - sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(b[:8], [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    except ValueError:
        return False
    return b[8] == ("X" if v == 10 else "0" if v == 11 else str(v))


VT = {**{str(i): i for i in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
      "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}


def vin_ok(s):
    t = sum(VT[c] * w for c, w in zip(s, [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2])) % 11
    return s[8] == ("X" if t == 10 else str(t)) and not s.isdigit()


def card_ok(s):
    d = re.sub(r"[ -]", "", s)
    return 16 <= len(d) <= 19 and luhn(d) and d[:1] in "456" or d[:2] in ("62", "81")


D = r"(?<![0-9A-Za-z])"
E = r"(?![0-9A-Za-z])"
PATTERNS = [  # (type, pattern, check or None)
    ("email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", None),
    ("ric", D + r"\d{17}[\dXx]" + E, ric_ok),
    ("uscc", D + r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}" + E, uscc_ok),
    ("orgcode", D + r"[0-9A-Z]{8}-[0-9X]" + E, org_ok),
    ("mobile_phone", r"(?<!\d)(?:\+86[- ]?)?1[3-9]\d{9}(?!\d)", None),
    ("phone", r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-)[2-9]\d{6,7}(?:-\d{1,6})?(?!\d)", None),
    ("bank_card", r"(?<!\d)\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)", card_ok),
    ("ip_address", r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])", None),
    ("ip_address", r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}:?[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])", None),
    ("mac_address", r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f])", None),
    ("vehicle_plate", r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z](?:[DF][A-HJ-NP-Z0-9]\d{4}|[A-HJ-NP-Z0-9]{5})(?![A-Za-z0-9])", None),
    ("passport", D + r"(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})" + E, None),
    ("hk_macao_permit", D + r"(?:[CW]\d{8}|C[A-HJ-NP-Z]\d{7}|[HM]\d{8}(?:\d{2})?)" + E, None),
    ("postal_code", r"(?<=邮编)\d{6}(?!\d)", None),
    ("birth_date", r"(?<=出生日期)(?:19|20)\d{2}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|年\d{1,2}月\d{1,2}日|\d{4})", None),
    ("gps_coordinates", r"(?<![\d.])-?\d{1,3}\.\d{3,}, ?-?\d{1,3}\.\d{3,}(?![\d.])", None),
    ("imei", D + r"\d{15}" + E, luhn),
    ("vin", D + r"[A-HJ-NPR-Z0-9]{17}" + E, vin_ok),
    ("gb2260", r"(?<=区划代码)\d{6}(?!\d)", None),
    ("person_name", r"(?:(?<=姓名)|(?<=联系人)|(?<=申请人)|(?<=姓名：)|(?<=联系人：)|(?<=申请人：))[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤][\u4e00-\u9fa5]{1,2}", None),
    ("address", r"[\u4e00-\u9fa5]{2,8}(?:省|自治区)?[\u4e00-\u9fa5]{2,8}(?:市|州)[\u4e00-\u9fa5]{1,8}(?:区|县|市)[\u4e00-\u9fa5\d]{2,20}号", None),
]


def re_scan(text):
    compiled = [(t, re.compile(p), c) for t, p, c in PATTERNS]
    out = []
    for t, rx, check in compiled:
        for m in rx.finditer(text):
            if check is None or check(m.group()):
                out.append((m.start(), t))
    return out


def presidio_scan(text):
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    class Checked(PatternRecognizer):
        def __init__(self, entity, pattern, check):
            super().__init__(supported_entity=entity, patterns=[Pattern(entity, pattern, 0.5)], supported_language="zh")
            self._check = check

        def validate_result(self, pattern_text):
            return None if self._check is None else bool(self._check(pattern_text))

    registry = RecognizerRegistry(supported_languages=["zh"])
    for i, (t, p, c) in enumerate(PATTERNS):
        registry.add_recognizer(Checked(t.upper() + ("_%d" % i if t == "ip_address" else ""), p, c))
    nlp = NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "none"}])
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["zh"])
    return engine.analyze(text=text, language="zh")


def cpu_child(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{cmd} failed: {p.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--civitas", required=True)
    ap.add_argument("--mb", type=float, default=16)
    ap.add_argument("--csv-gib", type=float, default=1.0)
    ap.add_argument("--no-presidio", action="store_true")
    a = ap.parse_args()

    text = make_text(a.mb)
    raw = text.encode("utf-8")
    mb = len(raw) / 1e6
    rows = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "text.txt")
        open(path, "wb").write(raw)
        best = None
        for _ in range(3):
            cpu, wall, out = cpu_child([a.civitas, "classify", "text", path])
            best = min(best or (cpu, wall), (cpu, wall))
        civ_n = out.count(b"\n")
        civ_cpu, civ_wall = best
        one = os.path.join(d, "one.txt")
        open(one, "w", encoding="utf-8").write("联系人张伟，住址北京市海淀区中关村大街1号。\n")
        fixed = min(cpu_child([a.civitas, "classify", "text", one])[0] for _ in range(5))
        rows.append(("civitas classify text", mb / civ_cpu, mb / civ_wall, civ_n))

        t0 = time.process_time()
        re_n = len(re_scan(text))
        re_cpu = time.process_time() - t0
        rows.append(("Python re + checksums", mb / re_cpu, None, re_n))

        if not a.no_presidio:
            t0 = time.process_time()
            pr_n = len(presidio_scan(text))
            pr_cpu = time.process_time() - t0
            rows.append(("Presidio (patterns, NoOpNlpEngine)", mb / pr_cpu, None, pr_n))

    print(f"Free text: {mb:.1f} MB (UTF-8, about one corpus sentence in four, the rest prose); "
          f"civitas on a one-line text (its fixed cost per process): {fixed * 1000:.1f} ms CPU\n")
    print("| scanner | MB/s per core (CPU time) | MB/s wall | findings | civitas is … × faster |")
    print("|---|---|---|---|---|")
    for name, cpu_rate, wall_rate, n in rows:
        ratio = rows[0][1] / cpu_rate
        print(f"| {name} | {cpu_rate:.1f} | {'' if wall_rate is None else f'{wall_rate:.1f}'} | {n} | "
              f"{'' if name.startswith('civitas') else f'{ratio:.0f}'} |")

    if a.csv_gib > 0:
        src = open(os.path.join(CORPUS, "tables", "people.csv"), "rb").read()
        header, body = src.split(b"\n", 1)
        target = int(a.csv_gib * (1 << 30))
        with tempfile.TemporaryDirectory(dir="/tmp") as d:
            big = os.path.join(d, "big.csv")
            with open(big, "wb") as f:
                f.write(header + b"\n")
                chunk = body * max(1, (8 << 20) // len(body))
                written = len(header) + 1
                while written < target:
                    f.write(chunk)
                    written += len(chunk)
            size = os.path.getsize(big)
            runs = [cpu_child([a.civitas, "classify", "scan", big, "--json"]) for _ in range(3)]
            cpu, wall, out = min(runs, key=lambda r: r[1])
            sampled = json.loads(out)
            cpu_f, wall_f, out_f = cpu_child([a.civitas, "classify", "scan", os.path.join(CORPUS, "tables", "people.csv"),
                                              "--json", "--full"])
            full = json.loads(out_f)
        same = [c["type"] for c in sampled["columns"]] == [c["type"] for c in full["columns"]]
        print(f"\n`civitas classify scan` of a {size / (1 << 30):.2f} GiB CSV ({size} bytes, page cache warm): "
              f"wall {wall:.3f} s, CPU {cpu:.3f} s (best of 3); column types equal to a full scan of the corpus "
              f"table it repeats: {same}")
        if not same:
            print("sampled:", [c["type"] for c in sampled["columns"]], "full:", [c["type"] for c in full["columns"]])


if __name__ == "__main__":
    main()
