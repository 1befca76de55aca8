#!/usr/bin/env bash
# Whole-process figures of `civitas validate` on hostile and dirty input (issue #12): peak
# memory (maximum resident set size, /usr/bin/time -v) and speed, for one or two binaries
# (before/after) in the same run. Results go to docs/benchmarks.md ("Hostile and dirty input").
#
#   bench/validate_hostile.sh AFTER_BIN [BEFORE_BIN]
#   env WORK=dir keeps the generated data there (default: a temp dir).
#
# Cases:
#   enum       1 MB CSV (one column), a 20,000-value enum; half the cells are not in it; --limit 0
#   commas     one 10 MiB line of commas (10,485,761 empty cells: one blank-row error) under a
#              2-column schema; --limit 0
#   xcells     one 10 MiB line ",x,x,…" (5,242,880 extra cells, as many extra-cell errors)
#   clean      200,000 rows x 8 columns, no errors
#   dirty      the same rows, 15 % with an error (--limit 0), text and --json output
#   flat       dirty CSV and JSONL at 1x and 4x the rows: peak memory should not grow
# Then the peer, frictionless-py (`frictionless validate --limit-errors 100000000 --json`, from the
# project's venv or $FRICTIONLESS), on the enum, clean and dirty CSV cases, in the same run
# (SKIP_FRICTIONLESS=1 leaves it out; the 10 MiB one-line cases are left out for it: minutes),
# under a 4 GiB memory cap.
set -euo pipefail
after=${1:?usage: bench/validate_hostile.sh AFTER_BIN [BEFORE_BIN]}
before=${2:-}
after=$(realpath "$after")
here=$(cd "$(dirname "$0")/.." && pwd)
fl=${FRICTIONLESS:-$here/.venv/bin/frictionless}
[ -z "$before" ] || before=$(realpath "$before")
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"

[ -f dirty4.jsonl ] && [ -f xcells.csv ] || python3 - <<'PY'
import random, json
random.seed(12)
# enum: 20,000 values, a 1 MB file where every second value is not among them
vals = ["v%05d" % i for i in range(20000)]
json.dump({"fields": [{"name": "k", "type": "string", "constraints": {"enum": vals}}]}, open("enum.schema.json", "w"))
with open("enum.csv", "w") as f:
    f.write("k\n")
    n = 0; i = 0
    while n < 1_000_000:
        s = ("v%05d" % (i % 20000)) if i % 2 == 0 else ("w%05d" % (i % 20000))
        f.write(s + "\n"); n += len(s) + 1; i += 1
# commas: one data line of 10 MiB of commas
json.dump({"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}, open("commas.schema.json", "w"))
with open("commas.csv", "w") as f:
    f.write("a,b\n" + "," * (10 << 20) + "\n")
with open("xcells.csv", "w") as f:
    f.write("a,b\n" + ",x" * (5 << 20) + "\n")
# clean / dirty tables
schema = {"fields": [
    {"name": "id", "type": "integer"},
    {"name": "uscc", "type": "string", "civitas:identifier": "uscc"},
    {"name": "name", "type": "string", "constraints": {"maxLength": 40}},
    {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    {"name": "opened", "type": "date"},
    {"name": "active", "type": "boolean"},
    {"name": "level", "type": "string", "constraints": {"enum": ["core", "important", "general"]}},
    {"name": "staff", "type": "integer", "constraints": {"minimum": 0}}]}
json.dump(schema, open("table.schema.json", "w"))
def rows(n, bad):
    r = random.Random(5)
    for i in range(n):
        row = [str(i), "91350100M000100Y43", "name %d" % i, "%d.%02d" % (i % 10000, i % 100),
               "2020-%02d-%02d" % (i % 12 + 1, i % 28 + 1), "true" if i % 2 else "false",
               ["core", "important", "general"][i % 3], str(i % 500)]
        if bad and r.random() < 0.15:
            k = r.randrange(5)
            if k == 0: row[0] = "x%d" % i
            elif k == 1: row[1] = "91350100M000100Y44"
            elif k == 2: row[3] = "-1"
            elif k == 3: row[4] = "2020-13-01"
            else: row[6] = "other"
        yield row
def write(name, n, bad):
    with open(name + ".csv", "w") as f:
        f.write(",".join(x["name"] for x in schema["fields"]) + "\n")
        for row in rows(n, bad): f.write(",".join(row) + "\n")
    with open(name + ".jsonl", "w") as f:
        names = [x["name"] for x in schema["fields"]]
        for row in rows(n, bad): f.write(json.dumps(dict(zip(names, row))) + "\n")
write("clean", 200000, False)
write("dirty", 200000, True)
write("dirty4", 800000, True)
PY

measure() {  # label bin args… → "label  seconds  MB/s  peak MB"
  local label=$1 bin=$2; shift 2
  local input=${@: -1}
  local bytes; bytes=$(stat -c %s "$input")
  /usr/bin/time -v "$bin" validate "$@" > out.txt 2> time.txt || true
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' time.txt)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
  printf '%-34s %8.2f s %9.1f MB/s %8.1f MB peak   (%d errors)\n' "$label" "$secs" \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN{print (s>0? b/1e6/s : 0)}')" "$(awk -v r="$rss" 'BEGIN{print r/1024}')" \
    "$(grep -c -v '^\(valid\|invalid\)' out.txt || true)"
}

for which in before after; do
  bin=$after
  [ $which = before ] && bin=$before
  [ -n "$bin" ] || continue
  echo "== $which: $bin"
  measure "enum 20k values, 1 MB, --limit 0" "$bin" --schema enum.schema.json --limit 0 enum.csv
  measure "10 MiB line of commas, --limit 0" "$bin" --schema commas.schema.json --limit 0 commas.csv
  measure "10 MiB line of commas (limit 1000)" "$bin" --schema commas.schema.json commas.csv
  measure "10 MiB line of ',x', --limit 0" "$bin" --schema commas.schema.json --limit 0 xcells.csv
  measure "clean 200k rows CSV" "$bin" --schema table.schema.json clean.csv
  measure "dirty 200k rows CSV --limit 0" "$bin" --schema table.schema.json --limit 0 dirty.csv
  measure "dirty 200k rows CSV --limit 0 --json" "$bin" --schema table.schema.json --limit 0 --json dirty.csv
  measure "dirty 800k rows CSV --limit 0" "$bin" --schema table.schema.json --limit 0 dirty4.csv
  measure "clean 200k rows JSONL" "$bin" --schema table.schema.json clean.jsonl
  measure "dirty 200k rows JSONL --limit 0" "$bin" --schema table.schema.json --limit 0 dirty.jsonl
  measure "dirty 800k rows JSONL --limit 0" "$bin" --schema table.schema.json --limit 0 dirty4.jsonl
done

peer() {  # label args… → "label  seconds  MB/s  peak MB  (errors)" for frictionless
  local label=$1; shift
  local input=${@: -1}
  local bytes; bytes=$(stat -c %s "$input")
  # Under a 4 GiB address-space cap: on the enum case it grew to 23 GB and was OOM-killed after
  # 255 s when it ran without one (2026-12-07), taking the machine's memory with it.
  ( ulimit -v $((4 << 20)); /usr/bin/time -v "$fl" validate --limit-errors 100000000 --json "$@" > fl.json 2> time.txt ) || true
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' time.txt)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
  printf '%-34s %8.2f s %9.1f MB/s %8.1f MB peak   (%s errors)\n' "$label" "$secs" \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN{print (s>0? b/1e6/s : 0)}')" "$(awk -v r="$rss" 'BEGIN{print r/1024}')" \
    "$(python3 -c 'import json,sys
try:
    r = json.load(open("fl.json")); print(sum(len(t.get("errors", [])) for t in r.get("tasks", [])))
except Exception as e:
    print("no report (stopped: the 4 GiB cap or an error)")')"
}

if [ "${SKIP_FRICTIONLESS:-0}" != 1 ] && [ -x "$fl" ]; then
  echo "== peer: frictionless ($("$fl" --version 2>/dev/null | head -1))"
  peer "enum 20k values, 1 MB" --schema enum.schema.json enum.csv
  peer "clean 200k rows CSV" --schema table.schema.json clean.csv
  peer "dirty 200k rows CSV" --schema table.schema.json dirty.csv
fi
