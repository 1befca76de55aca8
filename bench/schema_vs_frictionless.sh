#!/usr/bin/env bash
# Whole-process comparison: `civitas validate` against frictionless-py (`frictionless
# validate`, the reference implementation) on the same generated CSV in the same run, with
# wall time, CPU time, MB/s per core and peak memory (maximum resident set size) from
# /usr/bin/time -v. Results go to docs/benchmarks.md ("Schema validation").
#
#   bench/schema_vs_frictionless.sh [SIZE_MB] [CIVITAS_BIN]
#     SIZE_MB      size of the generated CSV (default 100; the recorded run uses 1024)
#     CIVITAS_BIN  the civitas binary (default build/bin/civitas)
#   env SKIP_FRICTIONLESS=1 times civitas only; WORK=dir keeps the data there (default a temp dir).
#
# The CSV has 10 typed columns: id (integer), uscc and ric (civitas:identifier uscc / ric),
# name (string, maxLength), amount (number, minimum), opened (date), updated (datetime),
# active (boolean), level (string, enum), staff (integer, minimum). About 1 row in 10,000
# carries an error (bad check character, out-of-range number, bad date), so both tools
# report errors (all of them: no error limit).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
size_mb=${1:-100}
civ=${2:-$root/build/bin/civitas}
py=$root/.venv/bin/python
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
[ -x "$civ" ] || { echo "civitas binary not found: $civ" >&2; exit 2; }

cat > "$work/schema.json" <<'JSON'
{"fields": [
  {"name": "id", "type": "integer"},
  {"name": "uscc", "type": "string", "civitas:identifier": "uscc"},
  {"name": "ric", "type": "string", "civitas:identifier": "ric"},
  {"name": "name", "type": "string", "constraints": {"maxLength": 40}},
  {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
  {"name": "opened", "type": "date"},
  {"name": "updated", "type": "datetime"},
  {"name": "active", "type": "boolean"},
  {"name": "level", "type": "string", "constraints": {"enum": ["core", "important", "general"]}},
  {"name": "staff", "type": "integer", "constraints": {"minimum": 0}}
]}
JSON

data=$work/data_${size_mb}mb.csv
if [ ! -f "$data" ]; then
  # A 16 MiB block of rows from a fixed-seed generator, repeated up to the size.
  "$py" - "$work/block.csv" <<'PY'
import random, sys
A = '0123456789ABCDEFGHJKLMNPQRTUWXY'
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def val(c): return int(c) if c.isdigit() else ord(c) - 55
def org_check(s8):
    r = 11 - sum(val(c) * w for c, w in zip(s8, [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    return 'X' if r == 10 else '0' if r == 11 else str(r)
def uscc(r):
    org = ''.join(r.choice('0123456789ABCDEFGHJKLMNPQRTUWXY') for _ in range(8))
    body = '91' + r.choice(['110105', '110108', '310101', '440301', '330106']) + org + org_check(org)
    return body + A[(31 - sum(A.index(c) * w for c, w in zip(body, W)) % 31) % 31]
def ric(r):
    body = r.choice(['110105', '310101', '440301']) + '%04d%02d%02d' % (r.randint(1950, 2005), r.randint(1, 12), r.randint(1, 28)) + '%03d' % r.randint(0, 999)
    s = sum(int(c) * w for c, w in zip(body, [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]))
    return body + '10X98765432'[s % 11]
r = random.Random(42)
out = open(sys.argv[1], 'w', newline='')
out.write('id,uscc,ric,name,amount,opened,updated,active,level,staff\n')
size, i = 0, 0
while size < 16 << 20:
    i += 1
    u, p = uscc(r), ric(r)
    amount = '%.2f' % (r.random() * 1e6)
    opened = '%04d-%02d-%02d' % (r.randint(1990, 2024), r.randint(1, 12), r.randint(1, 28))
    if i % 10000 == 0: u = u[:-1] + ('0' if u[-1] != '0' else '1')
    if i % 10000 == 3333: amount = '-5'
    if i % 10000 == 6666: opened = '2023-02-30'
    line = '%d,%s,%s,%s,%s,%s,%sT%02d:%02d:%02dZ,%s,%s,%d\n' % (
        i, u, p, 'Organisation %d of the city' % r.randint(1, 99999), amount, opened,
        opened, r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.choice(['true', 'false']),
        r.choice(['core', 'important', 'general']), r.randint(0, 5000))
    out.write(line)
    size += len(line.encode())
PY
  head -1 "$work/block.csv" > "$data"
  target=$((size_mb * 1024 * 1024))
  tail -n +2 "$work/block.csv" > "$work/rows.csv"
  while [ "$(stat -c %s "$data")" -lt "$target" ]; do cat "$work/rows.csv" >> "$data"; done
  truncate -s "$target" "$data"
  # end on a complete row
  python3 - "$data" <<'PY'
import os, sys
p = sys.argv[1]
with open(p, 'rb+') as f:
    f.seek(-4096, os.SEEK_END); tail = f.read(); cut = tail.rfind(b'\n')
    f.truncate(os.path.getsize(p) - len(tail) + cut + 1)
PY
fi
bytes=$(stat -c %s "$data")
rows=$(( $(wc -l < "$data") - 1 ))
echo "data: $data ($bytes bytes, $rows rows, 10 columns)"

measure() {  # name, command...
  local name=$1; shift
  local log=$work/$name.time
  /usr/bin/time -v "$@" > "$work/$name.out" 2> "$log" || true
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  user=$(awk -F': ' '/User time/ {print $2}' "$log")
  sys=$(awk -F': ' '/System time/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  python3 - "$name" "$wall" "$user" "$sys" "$rss" "$bytes" <<'PY'
import sys
name, wall, user, sys_t, rss, nbytes = sys.argv[1:]
parts = [float(x) for x in wall.split(':')]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(user) + float(sys_t)
mb = int(nbytes) / 1e6
print(f"{name:12s} wall {secs:8.2f} s  cpu {cpu:8.2f} s  {mb / secs:8.1f} MB/s wall  {mb / cpu:8.1f} MB/s per core  peak RSS {int(rss) / 1024:8.1f} MiB")
PY
}

"$civ" validate --schema "$work/schema.json" "$data" --limit 0 > "$work/civitas.summary" || true
head -1 "$work/civitas.summary"
measure civitas "$civ" validate --schema "$work/schema.json" "$data" --limit 0 --json
if [ "${SKIP_FRICTIONLESS:-0}" != 1 ]; then
  (cd "$work" && measure frictionless "$root/.venv/bin/frictionless" validate --schema schema.json "$(basename "$data")" \
      --limit-errors 100000000 --json)
  "$py" - "$work/civitas.out" "$work/frictionless.out" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))['tasks'][0]; f = json.load(open(sys.argv[2]))['tasks'][0]
ext = {'identifier-checksum', 'identifier-component'}
print('civitas errors: %d (%d identifier); frictionless errors: %d; rows %s vs %s' % (
    len(c['errors']), sum(e['type'] in ext for e in c['errors']), len(f['errors']), c['stats']['rows'], f['stats'].get('rows')))
key = lambda e: (e['type'], e.get('rowNumber'), e.get('fieldName'))
same = [key(e) for e in c['errors'] if e['type'] not in ext] == [key(e) for e in f['errors']]
print('same non-identifier errors:', same)
PY
fi
