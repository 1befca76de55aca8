#!/usr/bin/env bash
# The `civitas publish` CLI contract (docs/publish.md, docs/formats/publication.md):
# `publish run` (exit 0 published, 1 data invalid, 2 error, 4 refused by the policy, 5 risk above
# the threshold, 6 identifier without an action; nothing left behind on a refusal; audit-logged
# "publish.run") and `publish verify` (exit 0 verified, 1 not verified, 2 error), with the
# workspace's keys, a peer's, or an exported key document; a rotated key still verifies.
set -uo pipefail
civ=$(realpath "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
has() {  # description, needle, haystack
  case "$3" in *"$2"*) ;; *) echo "FAIL: $1"; echo "  missing: $2"; echo "  in: $3"; fail=1;; esac
}
tab=$'\t'
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
ex="$src/examples/data"
cp "$ex"/employment.csv "$ex"/employment.schema.json "$ex"/employment.catalog.json "$ex"/employment.policy.json .
code=105002001/000031
head -c 32 /dev/urandom > hr.key
"$civ" init -w hr.db --key-file hr.key --department 11350100003001527P --name 人社局 > /dev/null || { echo "FAIL: init"; exit 1; }
"$civ" catalog add -w hr.db --key-file hr.key employment.catalog.json > /dev/null || { echo "FAIL: catalog add"; exit 1; }
W=(-w hr.db --key-file hr.key)
nothing_left() {  # description: no directory but the workspace's files
  local extra
  extra=$(ls -A | grep -v -e '^hr\.' -e '^employment' -e '^pub' -e '\.json$' -e '\.csv$' -e '^other' -e '\.txt$' || true)
  check "$1: nothing left behind" "" "$extra"
}

# ---- refusals ----
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json employment.csv -o out1 2>&1); rc=$?
check "the bundled policy does not open a general-4 table: exit 4" 4 $rc
has "the refusal names the rule" "/rules/2/open is none" "$out"
has "the refusal says it is the policy" "refused (policy)" "$out"
[ -e out1 ] && { echo "FAIL: out1 exists after a refusal"; fail=1; }
nothing_left "policy refusal"

cat > weak.json <<'EOF'
{"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"}, "address": {"role": "identifier"},
            "birth_date": {"role": "quasi-identifier", "hierarchy": "date"},
            "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
            "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
 "privacy": {"k": 20}}
EOF
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
      --spec weak.json employment.csv -o out2 2>&1); rc=$?
check "a spec that leaves the phone column as it is: exit 6" 6 $rc
has "the refusal names the column" 'column "phone"' "$out"
has "the refusal says identifier" "refused (identifier)" "$out"
[ -e out2 ] && { echo "FAIL: out2 exists after a refusal"; fail=1; }

cat > risky.json <<'EOF'
{"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"}, "address": {"role": "identifier"},
            "phone": {"role": "identifier"},
            "birth_date": {"role": "quasi-identifier", "hierarchy": "date"},
            "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
            "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
 "privacy": {"k": 2}}
EOF
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
      --spec risky.json employment.csv -o out3 2>&1); rc=$?
check "k = 2 leaves classes under 20: exit 5" 5 $rc
has "the refusal names the threshold rule" "/risk/threshold" "$out"
has "the refusal names the quasi-identifiers" "birth_date, division, registered" "$out"
[ -e out3 ] && { echo "FAIL: out3 exists after a refusal"; fail=1; }

cat > keepqi.json <<'EOF'
{"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"}, "address": {"role": "identifier"},
            "phone": {"role": "identifier"},
            "birth_date": {"role": "quasi-identifier", "action": "keep"},
            "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
            "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
 "privacy": {"k": 20}}
EOF
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
      --spec keepqi.json employment.csv -o out4 2>&1); rc=$?
check "a spec weaker than the obligation (keep for generalize): exit 4" 4 $rc
has "it names the column and the rule" 'column "birth_date": rule /rules/2/open/fields/quasi-identifier asks for generalize' "$out"

$py - <<'EOF'
import csv
rows = list(csv.reader(open("employment.csv", encoding="utf-8")))
rows[5][1 + 2] = "X"  # gender not in the enum
with open("employment_bad.csv", "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
EOF
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
      employment_bad.csv -o out5 2>&1); rc=$?
check "data that breaks its schema: exit 1" 1 $rc
has "it says so" "does not conform to its Table Schema" "$out"
[ -e out5 ] && { echo "FAIL: out5 exists after a refusal"; fail=1; }

"$civ" publish run "${W[@]}" --catalog 999999999/000001 --schema employment.schema.json employment.csv -o out6 2>/dev/null
check "no such catalog entry: exit 2" 2 $?
nothing_left "every refusal"

# ---- a publication ----
out=$("$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
      employment.csv -o pub 2>err.txt); rc=$?
check "publishes: exit 0" 0 $rc
check "quiet on stderr when it is not a terminal" "" "$(cat err.txt)"
has "prints published" "published${tab}pub${tab}$code" "$out"
has "prints the HTML report's path" "report${tab}pub/deid-report.html" "$out"
check "the directory's files" "data.csv datapackage.json dcat.jsonld deid-report.html deid-report.json manifest.json" "$(ls pub | tr '\n' ' ' | sed 's/ $//')"
nothing_left "a publication"
$py - <<'EOF' || fail=1
import csv, hashlib, json
m = json.load(open("pub/manifest.json", encoding="utf-8"))
assert m["format"] == "civitas-publication" and m["version"] == 1, m
assert [f["path"] for f in m["files"]] == ["data.csv", "datapackage.json", "dcat.jsonld", "deid-report.json", "deid-report.html"]
for f in m["files"]:
    b = open("pub/" + f["path"], "rb").read()
    assert hashlib.sha256(b).hexdigest() == f["sha256"] and len(b) == f["bytes"], f
rows = list(csv.reader(open("pub/data.csv", encoding="utf-8")))
header = rows[0]
for gone in ("name", "ric", "phone", "address"):
    assert gone not in header, (gone, header)
dp = json.load(open("pub/datapackage.json", encoding="utf-8"))
fields = dp["resources"][0]["schema"]["fields"]
assert [f["name"] for f in fields] == header, ([f["name"] for f in fields], header)
bd = next(f for f in fields if f["name"] == "birth_date")
assert bd["type"] == "string" and bd["civitas:deid"]["action"] == "generalize", bd
assert dp["resources"][0]["path"] == "data.csv"
assert dp["resources"][0]["hash"] == "sha256:" + m["files"][0]["sha256"]
r = json.load(open("pub/deid-report.json", encoding="utf-8"))
assert r["risk"]["after"]["prosecutor"]["max"] <= 0.05, r["risk"]["after"]
sizes = {}
for row in rows[1:]:
    key = tuple(row[header.index(q)] for q in ("birth_date", "division", "registered"))
    sizes[key] = sizes.get(key, 0) + 1
assert min(sizes.values()) >= 20, sorted(sizes.values())[:3]
html = open("pub/deid-report.html", encoding="utf-8").read()
assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html"), html[:40]
EOF
"$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json --policy employment.policy.json \
  employment.csv -o pub 2>/dev/null
check "an existing output directory: exit 2" 2 $?

log=$("$civ" audit log "${W[@]}" --action publish.run | cut -f4,5,7)
has "the publication is audit-logged" "publish.run${tab}$code${tab}ok" "$log"
has "refusals are audit-logged" "publish.run${tab}$code${tab}denied" "$log"
has "invalid data is audit-logged" "publish.run${tab}$code${tab}invalid-data" "$log"

# a progress bar on standard error only when it is a terminal (script(1) gives one)
if command -v script > /dev/null 2>&1; then
  bar=$(script -qec "$(printf '%q ' "$civ" publish run "${W[@]}" --catalog $code --schema employment.schema.json \
        --policy employment.policy.json employment.csv -o pubtty) > /dev/null" /dev/null | tr '\r' '\n')
  has "a progress bar on a terminal" "[##############################] 100% done" "$bar"
  rm -rf pubtty
fi

# ---- verify ----
out=$("$civ" publish verify "${W[@]}" pub); rc=$?
check "verify with the workspace's keys: exit 0" 0 $rc
has "verify names the signer" "verified${tab}pub${tab}$code${tab}11350100003001527P" "$out"
"$civ" keys export-public "${W[@]}" > hr.keys.json
out=$("$civ" publish verify pub --public-key hr.keys.json); rc=$?
check "verify with the key document: exit 0" 0 $rc
has "signer document" "${tab}document" "$out"

# another department that imported hr's key document verifies as a peer
head -c 32 /dev/urandom > other.key
"$civ" init -w other.db --key-file other.key --department 11350100MB00000012 --name 税务局 > /dev/null
"$civ" keys import-public -w other.db --key-file other.key hr.keys.json > /dev/null
out=$("$civ" publish verify -w other.db --key-file other.key pub); rc=$?
check "a peer verifies: exit 0" 0 $rc
has "signer peer" "${tab}peer" "$out"
"$civ" publish verify -w other.db --key-file other.key pub --public-key other.db.header >/dev/null 2>&1
check "a file that is not a key document: exit 2 or 1" 1 $(( $? == 0 ? 0 : 1 ))

# a rotated key still verifies what it signed
"$civ" keys rotate "${W[@]}" --purpose signing > /dev/null
"$civ" publish verify "${W[@]}" pub > /dev/null
check "after rotation, the old key still verifies: exit 0" 0 $?
"$civ" keys export-public "${W[@]}" > hr.keys2.json
"$civ" publish verify pub --public-key hr.keys2.json > /dev/null
check "the new key document (old key active) verifies: exit 0" 0 $?

# the old key destroyed: the new key document lists it as superseded; the peer still verifies
# what it signed before (a destroyed key of its own is no longer among the workspace's keys)
old=$($py -c 'import json; print(json.load(open("pub/manifest.json"))["signatures"][0]["key_id"])')
sleep 1  # the manifest's time (seconds) is then before the revocation time
"$civ" keys destroy "${W[@]}" --yes "$old" > /dev/null; check "destroy the old signing key" 0 $?
"$civ" keys export-public "${W[@]}" > hr.keys3.json
has "the key document revokes it as superseded" "superseded" "$(cat hr.keys3.json)"
"$civ" keys import-public -w other.db --key-file other.key hr.keys2.json > /dev/null
"$civ" keys import-public -w other.db --key-file other.key hr.keys3.json > /dev/null; check "the peer takes the new document" 0 $?
has "the peer marks it superseded" "superseded" "$("$civ" keys peers -w other.db --key-file other.key)"
out=$("$civ" publish verify -w other.db --key-file other.key pub); rc=$?
check "a superseded key still verifies what it signed before: exit 0" 0 $rc

# tampering
cp -r pub t1 && printf 'JY209900999,男,*,*,*,*,*,*,1,*\n' >> t1/data.csv
out=$("$civ" publish verify t1 --public-key hr.keys.json 2>&1); rc=$?
check "a changed data file: exit 1" 1 $rc
has "names the file" "data.csv" "$out"
cp -r pub t2 && sed -i 's/"resource": "105002001\/000031"/"resource": "105002001\/000032"/' t2/manifest.json
out=$("$civ" publish verify t2 --public-key hr.keys.json 2>&1); rc=$?
check "a changed manifest: exit 1" 1 $rc
has "bad signature" "does not verify" "$out"
cp -r pub t3 && echo hi > t3/extra.txt
"$civ" publish verify t3 --public-key hr.keys.json > /dev/null 2>&1
check "an unlisted file: exit 1" 1 $?
cp -r pub t4 && rm t4/dcat.jsonld
"$civ" publish verify t4 --public-key hr.keys.json > /dev/null 2>&1
check "a missing file: exit 1" 1 $?
"$civ" keys export-public -w other.db --key-file other.key > other.keys.json
out=$("$civ" publish verify pub --public-key other.keys.json 2>&1); rc=$?
check "another department's key document: exit 1" 1 $rc
has "unknown key" "not signed by a signing key" "$out"
"$civ" publish verify nosuchdir --public-key hr.keys.json > /dev/null 2>&1
check "no such directory: exit 2" 2 $?

# --json
"$civ" publish verify pub --public-key hr.keys.json --json | $py -c '
import json, sys
j = json.load(sys.stdin)
assert j["resource"] == "105002001/000031" and j["signer"] == "document" and len(j["files"]) == 5, j' || { echo "FAIL: verify --json"; fail=1; }

exit $fail
