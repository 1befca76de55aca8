#!/usr/bin/env bash
# civitas dp (docs/dp.md): releases paid from a dataset's privacy budget; the release that would
# overspend it is refused (exit 1), prints nothing on stdout, spends nothing, and is recorded in
# the audit log as "dp.release" with outcome "denied"; usage errors exit 2.
set -uo pipefail
civ=$(realpath "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export CIVITAS_USER=cli-dp
printf 'aa%.0s' $(seq 32) > k.key
W=(-w w.db --key-file k.key)
"$civ" init "${W[@]}" --department 91350100M000100Y43 >/dev/null; check "init" 0 $?
"$civ" catalog add "${W[@]}" "$src/examples/data/enterprises.catalog.json" >/dev/null; check "catalog add" 0 $?
DS=$("$civ" catalog list "${W[@]}" | cut -f1)
# 200 people: person p<i> with 1..3 rows; income 0..99; district a/b
{
  echo "person,income,district"
  for i in $(seq 0 199); do
    for r in $(seq 0 $((i % 3))); do echo "p$i,$(( (i * 7 + r) % 100 )),$([ $((i % 2)) = 0 ] && echo a || echo b)"; done
  done
} > people.csv
count() { "$civ" audit log "${W[@]}" --action dp.release --json 2>/dev/null | grep -c -- "$1"; }
REL=(--dataset "$DS" --max-contributions 1 --person person)

# no budget yet: refused, recorded, nothing on stdout
out=$("$civ" dp count people.csv --column income --epsilon 0.5 "${REL[@]}" "${W[@]}" 2>err)
check "a release without a budget exits 1" 1 $?
check "it prints nothing" "" "$out"
grep -q "no privacy budget" err; check "the refusal says why" 0 $?
check "the refusal is recorded" 1 "$(count '"outcome":"denied"')"

# a budget for a dataset that is not in the catalog is refused
"$civ" dp budget "${W[@]}" --dataset NOT-IN-CATALOG --epsilon 1 >/dev/null 2>&1
check "budget for an unknown dataset exits 2" 2 $?
"$civ" dp budget "${W[@]}" --dataset "$DS" --epsilon 1 >/dev/null; check "budget set" 0 $?
"$civ" audit log "${W[@]}" --action dp.budget --json | grep -q '"outcome":"ok"'; check "the budget change is recorded" 0 $?

# count: one row per person -> about 200
out=$("$civ" dp count people.csv --column income --epsilon 0.5 "${REL[@]}" "${W[@]}" 2>/dev/null)
check "count exits 0" 0 $?
[ "$out" -ge 180 ] && [ "$out" -le 220 ]; check "the count is near 200 persons (not 400 rows): $out" 0 $?

# sum with --json: the document's shape
"$civ" dp sum people.csv --column income --bounds 0,100 --epsilon 0.2 "${REL[@]}" "${W[@]}" --json > sum.json 2>/dev/null
check "sum exits 0" 0 $?
python3 - sum.json "$DS" <<'PY' ; check "sum JSON shape" 0 $?
import json, sys
d = json.load(open(sys.argv[1]))
assert d["statistic"] == "sum" and d["dataset"] == sys.argv[2], d
assert d["noise"] == "laplace" and d["epsilon"] == 0.2 and d["delta"] == 0
assert d["bounds"] == [0, 100] and d["max_contributions"] == 1
assert d["budget"]["epsilon"] == {"total": "1", "spent": "0.7", "remaining": "0.3"}, d["budget"]
assert d["release"] == 2
assert isinstance(d["value"], (int, float)) and len(d["groups"]) == 1
assert d["mechanisms"][0]["scale"] == 500.0  # 1 x 100 / 0.2
assert "rows" not in d
PY

# grouped by public keys
out=$("$civ" dp mean people.csv --column income --bounds 0,100 --by district --groups a,b --epsilon 0.2 "${REL[@]}" "${W[@]}" 2>/dev/null)
check "grouped mean exits 0" 0 $?
check "one line per public key" "a b" "$(echo "$out" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"

# the budget has 0.1 left: 0.2 is refused, spends nothing and prints nothing
before=$("$civ" dp budget "${W[@]}" --dataset "$DS" --json)
out=$("$civ" dp sum people.csv --column income --bounds 0,100 --epsilon 0.2 "${REL[@]}" "${W[@]}" 2>err)
check "an overspending release exits 1" 1 $?
check "it releases nothing" "" "$out"
grep -q "exceeded" err; check "the refusal names the budget" 0 $?
check "both refusals are recorded" 2 "$(count '"outcome":"denied"')"
check "the refusal spends nothing" "$before" "$("$civ" dp budget "${W[@]}" --dataset "$DS" --json)"
check "three releases recorded" 3 "$(count '"outcome":"ok"')"
"$civ" dp budget "${W[@]}" --dataset "$DS" | grep -q "epsilon 0.9 of 1 spent"; check "budget shown" 0 $?

# usage and input errors exit 2 and spend nothing
"$civ" dp sum people.csv --column salary --bounds 0,100 --epsilon 0.05 "${REL[@]}" "${W[@]}" >/dev/null 2>err
check "a missing column exits 2" 2 $?
grep -q "salary" err; check "the error names the column" 0 $?
"$civ" dp sum people.csv --column income --bounds 100,0 --epsilon 0.05 "${REL[@]}" "${W[@]}" >/dev/null 2>err
check "bounds LO >= HI exit 2" 2 $?
"$civ" dp sum people.csv --column income --bounds 0,100 --epsilon 0 "${REL[@]}" "${W[@]}" >/dev/null 2>err
check "epsilon 0 exits 2" 2 $?
"$civ" dp count people.csv --column income --by district --epsilon 0.05 "${REL[@]}" "${W[@]}" >/dev/null 2>err
check "groups from the data without delta exit 2" 2 $?
grep -q "delta" err; check "the error says delta is needed" 0 $?
printf 'person,income\nx,12\ny,twelve\n' > bad.csv
"$civ" dp sum bad.csv --column income --bounds 0,100 --epsilon 0.05 "${REL[@]}" "${W[@]}" >/dev/null 2>err
check "a value that is not a number exits 1" 1 $?
grep -q "row 3" err; check "the error names the row" 0 $?
check "no spend from errors" 3 "$(count '"outcome":"ok"')"
"$civ" audit verify "${W[@]}" >/dev/null; check "the audit log verifies" 0 $?
exit $fail
