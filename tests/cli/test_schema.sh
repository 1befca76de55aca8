#!/usr/bin/env bash
# The `civitas schema check` / `civitas validate` / `civitas catalog` CLI contract: exit codes
# (0 valid, 1 invalid, 2 usage or I/O), output lines, --json, --limit.
set -uo pipefail
civ=$1
data="$(cd "$(dirname "$0")/../data/schema" && pwd)"
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tab=$'\t'
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$("$civ" schema check "$data/people.v1.json"); rc=$?
check "schema check valid" "valid${tab}$data/people.v1.json" "$out"
check "schema check valid exits 0" 0 $rc
"$civ" schema check "$data/broken_schema.json" > "$tmp/out"; rc=$?
check "schema check invalid exits 1" 1 $rc
check "one line per problem" 1 $(( $(wc -l < "$tmp/out") >= 9 ))
"$civ" schema check /nonexistent.json 2>/dev/null; rc=$?
check "schema check unreadable exits 2" 2 $rc

"$civ" validate --schema "$data/people.v1.json" "$data/people_valid.csv" > "$tmp/out"; rc=$?
check "validate valid exits 0" 0 $rc
check "validate valid summary" "valid${tab}$data/people_valid.csv${tab}rows=5${tab}errors=0" "$(cat "$tmp/out")"

"$civ" validate --schema "$data/people.v1.json" "$data/people_broken.csv" --json > "$tmp/r.json"; rc=$?
check "validate invalid exits 1" 1 $rc
grep -q '^  "valid": false' "$tmp/r.json" || { echo "FAIL: json report has no top-level \"valid\": false"; fail=1; }

"$civ" validate --schema "$data/people.v1.json" "$data/people_broken.csv" --limit 3 > "$tmp/out"; rc=$?
check "limit still invalid" 1 $rc
check "limit: summary plus 3 errors" 4 "$(wc -l < "$tmp/out" | tr -d ' ')"

"$civ" validate --schema "$data/orgs.v2.json" "$data/orgs_gbk.csv" --encoding gbk > "$tmp/out"; rc=$?
check "gbk validate exits 1 (errors in fixture)" 1 $rc
grep -q "北京数据局\|identifier-checksum" "$tmp/out" || { echo "FAIL: gbk output"; fail=1; }

"$civ" validate --schema "$data/people.v1.json" /nonexistent.csv 2>/dev/null; rc=$?
check "validate unreadable data exits 2" 2 $rc
"$civ" validate --schema "$data/broken_schema.json" "$data/people_valid.csv" 2>/dev/null; rc=$?
check "validate with a broken schema exits 2" 2 $rc
"$civ" validate "$data/people_valid.csv" 2>/dev/null; rc=$?
check "validate without --schema exits 2" 2 $rc

# foreign keys across tables: a data package, or one table plus the tables it names
pkg="$data/package"
"$civ" validate --package "$pkg/datapackage.json" > "$tmp/out"; rc=$?
check "validate --package invalid exits 1" 1 $rc
check "package: one summary line per table" 2 "$(grep -c '^\(valid\|invalid\)'"${tab}" "$tmp/out")"
check "package: key to another table" 1 "$(grep -c "^foreign-key${tab}row 3${tab}" "$tmp/out")"
"$civ" validate --package "$pkg/datapackage.json" --json > "$tmp/pkg.json"
grep -q '"referenceName": *"orgs"' "$tmp/pkg.json" || { echo "FAIL: package --json names the referenced table"; fail=1; }
"$civ" validate --schema "$pkg/orgs.schema.json" "$pkg/orgs.csv" --package "$pkg/datapackage.json" 2>/dev/null; rc=$?
check "--package with --schema exits 2" 2 $rc
"$civ" validate --package /nonexistent/datapackage.json 2>/dev/null; rc=$?
check "unreadable package exits 2" 2 $rc
"$civ" validate --schema "$data/people.v1.json" "$data/people_valid.csv" --resource orgs 2>/dev/null; rc=$?
check "--resource without NAME=FILE exits 2" 2 $rc
"$civ" validate --schema "$data/people.v1.json" "$data/people_valid.csv" --resource-schema x="$pkg/orgs.schema.json" \
  2>/dev/null; rc=$?
check "--resource-schema without its --resource exits 2" 2 $rc

# catalog without a workspace
out=$("$civ" catalog check "$data/entry.json"); rc=$?
check "catalog check valid" "valid${tab}102003004/000017" "$out"
"$civ" catalog check "$data/entry_broken.json" > /dev/null; rc=$?
check "catalog check invalid exits 1" 1 $rc
for f in datapackage dcat ckan; do
  "$civ" catalog export --as $f --file "$data/entry.json" > "$tmp/$f.json" || { echo "FAIL: export $f"; fail=1; }
  "$civ" catalog import "$tmp/$f.json" > "$tmp/$f.back.json" || { echo "FAIL: import $f"; fail=1; }
done
check "datapackage and dcat import alike" "$(cat "$tmp/datapackage.back.json")" "$(cat "$tmp/dcat.back.json")"
check "ckan and dcat import alike" "$(cat "$tmp/ckan.back.json")" "$(cat "$tmp/dcat.back.json")"

# catalog in a workspace (versioned)
export CIVITAS_KEY=$(printf 'ab%.0s' $(seq 32))
if "$civ" init --workspace "$tmp/ws.db" >/dev/null 2>&1; then
  out=$("$civ" catalog add "$data/entry.json" --workspace "$tmp/ws.db"); rc=$?
  check "catalog add" "stored${tab}102003004/000017${tab}version 1" "$out"
  out=$("$civ" catalog add "$data/entry.json" --workspace "$tmp/ws.db"); rc=$?
  check "catalog add unchanged keeps the version" "stored${tab}102003004/000017${tab}version 1" "$out"
  sed 's/企业登记基本信息/企业登记信息/' "$data/entry.json" > "$tmp/entry2.json"
  out=$("$civ" catalog add "$tmp/entry2.json" --workspace "$tmp/ws.db"); rc=$?
  check "catalog add changed entry" "stored${tab}102003004/000017${tab}version 2" "$out"
  out=$("$civ" catalog list --workspace "$tmp/ws.db"); rc=$?
  check "catalog list" "102003004/000017${tab}v2${tab}企业登记信息" "$out"
  check "catalog history" 2 "$("$civ" catalog history 102003004/000017 --workspace "$tmp/ws.db" | wc -l | tr -d ' ')"
  "$civ" catalog show 102003004/000017 --version 1 --workspace "$tmp/ws.db" | grep -q '"title": "企业登记基本信息"' \
    || { echo "FAIL: catalog show --version 1"; fail=1; }
  "$civ" catalog show 1/000001 --workspace "$tmp/ws.db" 2>/dev/null; rc=$?
  check "catalog show unknown exits 2" 2 $rc
  "$civ" catalog export --as dcat 102003004/000017 --workspace "$tmp/ws.db" > /dev/null; rc=$?
  check "catalog export from workspace" 0 $rc
  out=$("$civ" catalog import "$tmp/ckan.json" --workspace "$tmp/ws.db"); rc=$?
  check "catalog import into workspace (version 1 content again -> version 3)" "stored${tab}102003004/000017${tab}version 3" "$out"
  "$civ" catalog add "$data/entry_broken.json" --workspace "$tmp/ws.db" 2>/dev/null; rc=$?
  check "catalog add of a broken entry fails" 1 $rc
else
  echo "FAIL: civitas init"; fail=1
fi
exit $fail
