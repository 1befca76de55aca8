#!/usr/bin/env bash
# Hostile input through the CLI (issue #12): a JSON document nested 100,000 levels deep
# (200 KB) is refused with a clear parse error by every command that reads JSON (it used to
# crash with SIGSEGV); validation streams its errors (text and JSON), the JSON report stays
# one well-formed document; a 20,000-value enum names the constraint in its notes, not its
# values.
set -uo pipefail
civ=$(realpath "$1")
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
# A refusal: exit 2 (could not run), no crash, one clear message naming the depth limit.
refused() {  # description, exit code, stderr file
  check "$1: exit 2 (no crash)" 2 "$2"
  grep -q "nests deeper than 128 levels" "$3" || { echo "FAIL: $1: message"; cat "$3"; fail=1; }
  if grep -q "json.exception" "$3"; then echo "FAIL: $1: raw nlohmann text"; fail=1; fi
}
tab=$'\t'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
D=91350100M000100Y43
CIVITAS_KEY=$(printf 'ab%.0s' $(seq 32))
export CIVITAS_WORKSPACE="$tmp/w.db" CIVITAS_KEY CIVITAS_USER=cli-hostile
"$civ" init --department $D >/dev/null; check "init" 0 $?

python3 - <<'PY'
n = 100000
deep_arr = "[" * n + "]" * n
deep_obj = '{"a":' * n + "1" + "}" * n
open("deep.json", "w").write(deep_obj)
open("deep_arr.json", "w").write(deep_arr)
open("deep.jsonl", "w").write('{"id":1}\n{"id":' + deep_arr + '}\n')
open("deep_arg.json", "w").write("[" * 60000 + "]" * 60000)  # an argument is at most 128 KiB
open("deep_batch.jsonl", "w").write('{"actor":"91350100M000100Y43","action":"a.b","details":' + deep_arr + '}\n')
PY
check "the document is 200 KB or more" 1 $(( $(wc -c < deep_arr.json) >= 200000 ))

"$civ" keys import-public deep.json >/dev/null 2>err; refused "keys import-public" $? err
"$civ" keys import-public deep_arr.json >/dev/null 2>err; refused "keys import-public (arrays)" $? err
"$civ" audit append --batch < deep_batch.jsonl >/dev/null 2>err; refused "audit append --batch" $? err
"$civ" audit append --actor $D --action a.b --details "$(cat deep_arg.json)" >/dev/null 2>err; refused "audit append --details" $? err
"$civ" catalog add deep.json >/dev/null 2>err; refused "catalog add" $? err
"$civ" schema check deep.json > out 2>err; rc=$?
check "schema check: invalid (exit 1), no crash" 1 $rc
grep -q "nests deeper than 128 levels" out || { echo "FAIL: schema check message"; cat out; fail=1; }
printf '{"fields":[{"name":"id","type":"any"}]}' > s.json
"$civ" validate --schema s.json --format jsonl deep.jsonl > out 2>err; rc=$?
check "validate --format jsonl: invalid (exit 1), no crash" 1 $rc
grep -q "^source-error.*nests deeper than 128 levels" out || { echo "FAIL: validate jsonl message"; cat out err; fail=1; }
"$civ" validate --schema deep.json deep.jsonl > /dev/null 2>err; refused "validate --schema" $? err
"$civ" validate --schema s.json --dialect deep.json --format jsonl deep.jsonl > /dev/null 2>err; refused "validate --dialect" $? err

# Streaming reports: errors as found, summary last; the JSON report parses and counts them.
python3 - <<'PY'
import random
random.seed(7)
with open("dirty.csv", "w") as f:
    f.write("id,kind\n")
    for i in range(2000):
        f.write(("x" if i % 7 == 0 else str(i)) + "," + ("k%d" % (i % 20000)) + "\n")
vals = ",".join('"k%d"' % i for i in range(1, 20000, 2))
open("enum.json", "w").write('{"fields":[{"name":"id","type":"integer"},{"name":"kind","type":"string","constraints":{"enum":[' + vals + ']}}]}')
PY
"$civ" validate --schema enum.json dirty.csv --limit 0 > out; rc=$?
check "dirty: exit 1" 1 $rc
check "dirty: the summary line comes last" "invalid${tab}dirty.csv${tab}rows=2000${tab}errors=1286" "$(tail -n 1 out)"
check "dirty: one line per error before it" 1286 "$(grep -c -v '^invalid' out)"
note=$(grep -m1 '^constraint-error' out)
case "$note" in *"values)]"*) ;; *) echo "FAIL: enum note names its size: $note"; fail=1;; esac
check "an enum error line stays short" 1 $(( ${#note} < 400 ))
"$civ" validate --schema enum.json dirty.csv --limit 0 --json > r.json; rc=$?
check "dirty --json: exit 1" 1 $rc
python3 - <<'PY' || fail=1
import json
r = json.load(open("r.json"))
t = r["tasks"][0]
assert r["valid"] is False and r["version"] == 1 and r["errors"] == [], r.keys()
assert r["stats"]["errors"] == 1286 == t["stats"]["errors"] == len(t["errors"]), (r["stats"], len(t["errors"]))
assert t["name"] == "dirty" and t["labels"] == ["id", "kind"] and t["stats"]["rows"] == 2000
e = [x for x in t["errors"] if x["type"] == "constraint-error"][0]
assert e["note"].startswith("constraint \"enum\" is \"['k1', ") and e["note"].endswith("(10000 values)]\""), e["note"]
PY
"$civ" validate --schema enum.json dirty.csv --limit 5 --json > r5.json
python3 -c '
import json,sys
t = json.load(open("r5.json"))["tasks"][0]
sys.exit(0 if t["partial"] and len(t["errors"]) == 5 else 1)' || { echo "FAIL: --limit 5 --json"; fail=1; }
exit $fail
