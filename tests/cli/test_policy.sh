#!/usr/bin/env bash
# The `civitas policy` CLI contract: `policy check` (every problem with its JSON path; exit 0
# valid, 1 invalid, 2 unreadable), `policy show`, `policy decide` (exit 0 allowed, 3 allowed with
# obligations, 1 denied, 2 error; audit-logged), and `classify scan --policy/--store`.
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

# ---- policy show / check ----
"$civ" policy show > default.json; check "show exits 0" 0 $?
out=$("$civ" policy check default.json); rc=$?
check "the bundled policy is valid" 0 $rc
case "$out" in "valid${tab}civitas-default-city-2026${tab}sha256:"*) ;; *) check "check prints valid, id, digest" "valid<TAB>id<TAB>sha256:…" "$out";; esac
cmp -s default.json "$src/core/policy/default.json"; check "show prints the bundled file byte for byte" 0 $?

$py - default.json > broken.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["levels"][2]["tier"] = "secret"
del d["types"]["vin"]
d["types"]["ric"]["role"] = "direct"
d["rules"][0]["sharing"] = {"type": "none"}
d["rules"][3]["open"]["fields"]["identifier"] = {"action": "encrypt"}
d["risk"]["threshold"] = 1.5
d["colour"] = "red"
json.dump(d, sys.stdout, ensure_ascii=False)
EOF
out=$("$civ" policy check broken.json); rc=$?
check "a broken policy exits 1" 1 $rc
for want in "/levels/2/tier" "/types/vin" "/types/ric/role" "/rules/0/sharing/legalBasis" \
            "/rules/3/open/fields/identifier/action" "/risk/threshold" "/colour"; do
  has "check reports $want" "invalid${tab}${want}${tab}" "$out"
done
check "one line per problem" 7 "$(printf '%s\n' "$out" | grep -c '^invalid')"
j=$("$civ" policy check broken.json --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["valid"], len(j["problems"]), j["problems"][0]["path"])')
check "check --json (unknown members first)" "False 7 /colour" "$j"
j=$("$civ" policy check default.json --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["valid"], j["id"], j["digest"][:7])')
check "check --json of a valid policy" "True civitas-default-city-2026 sha256:" "$j"
printf '{"civitas:policy": 1,' > trunc.json
out=$("$civ" policy check trunc.json); rc=$?
check "malformed JSON is invalid (1)" 1 $rc
has "malformed JSON names the byte" "(at byte" "$out"
head -c 300000 /dev/zero | tr '\0' '[' > deep.json
out=$("$civ" policy check deep.json); rc=$?
check "a 300,000-bracket document exits 1, no crash" 1 $rc
has "the depth limit is named" "128" "$out"
"$civ" policy check missing.json >/dev/null 2>&1; check "an unreadable policy exits 2" 2 $?
"$civ" policy check . >/dev/null 2>&1; check "a directory exits 2" 2 $?

# ---- a workspace with a catalog entry ----
printf 'cc%.0s' $(seq 32) > k.key
W=(-w ws.db --key-file k.key)
"$civ" init "${W[@]}" --department 91350100M000100Y43 >/dev/null; check "init" 0 $?
"$civ" catalog add "${W[@]}" "$ex/enterprises.catalog.json" >/dev/null; check "catalog add" 0 $?
code=102003004/000017
tax=11350100MB00000012
count() {  # action, needle
  "$civ" audit log "${W[@]}" --action "$1" --json 2>/dev/null | grep -c -- "$2"
}

out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 登记核验); rc=$?
check "an unclassified table is denied (1)" 1 $rc
check "denial first line" "deny${tab}none${tab}-" "$(printf '%s\n' "$out" | head -1)"
check "the denial is audit-logged" 1 "$(count policy.decide '"outcome":"denied"')"

# annotations of a schema grade it when nothing is recorded
out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 登记核验 \
      --schema "$ex/enterprises.schema.json" --json); rc=$?
check "with the schema: allowed with obligations (3)" 3 $rc
check "schema-graded decision" "allow_with_obligations conditional general-4 schema" \
  "$(printf '%s' "$out" | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["decision"], j["type"], j["level"], j["levelSource"])')"

# classify scan --store records a classification for the entry (audited)
out=$("$civ" classify scan "$ex/enterprises.csv" --schema "$ex/enterprises.schema.json" --json \
      --store --resource $code "${W[@]}" 2>stored.txt); rc=$?
check "scan --store exits 0" 0 $rc
check "scan --store says what it recorded (stderr with --json)" "recorded${tab}${code}${tab}classification 1${tab}level general-4" "$(cat stored.txt)"
shape=$(printf '%s' "$out" | $py -c '
import json, sys
j = json.load(sys.stdin)
assert list(j) == ["columns", "level"], list(j)
for c in j["columns"]:
    assert list(c) == ["name", "type", "ratio", "confidence", "category", "level", "source"], list(c)
c = {x["name"]: x for x in j["columns"]}
print(j["level"], c["uscc"]["category"], c["uscc"]["level"], c["legal_rep_ric"]["source"])')
check "scan --json keeps the contract shape, category and level from the policy" "general-4 legal-person general-1 schema" "$shape"
check "the classification is audit-logged" 1 "$(count classify.record '"outcome":"ok"')"
"$civ" classify scan "$ex/enterprises.csv" --store --resource 999999999/000001 "${W[@]}" >/dev/null 2>&1
check "recording for an unknown entry exits 2" 2 $?
check "the refusal is audit-logged" 1 "$(count classify.record '"outcome":"not-found"')"
"$civ" classify scan "$ex/enterprises.csv" --store >/dev/null 2>&1; check "--store without --resource exits 2" 2 $?

out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 登记核验); rc=$?
check "sharing a general-4 table: allowed with obligations (3)" 3 $rc
check "first line: decision, type, level" "allow_with_obligations${tab}conditional${tab}general-4" "$(printf '%s\n' "$out" | head -1)"
has "the catalog's condition" "condition${tab}仅限税务部门办理登记核验使用" "$out"
has "the resident ID is encrypted" "field${tab}legal_rep_ric${tab}encrypt" "$out"
out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 开放 --open --json); rc=$?
check "opening a general-4 table is denied (1)" 1 $rc
check "open decision JSON" "open deny none none none 0.05" \
  "$(printf '%s' "$out" | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["kind"], j["decision"], j["type"], j["catalogType"], j["policyType"], j["riskThreshold"])')"
check "four decisions recorded so far" 4 "$(count policy.decide '"action":"policy.decide"')"

# an enterprise-only table, opened: the catalog's 不予开放 is stricter than the policy
cut -d, -f1,2,4,5 "$ex/enterprises.csv" > orgs.csv
"$civ" classify scan orgs.csv --store --resource $code "${W[@]}" >/dev/null; check "second classification" 0 $?
out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 开放 --open --json); rc=$?
check "catalog none wins over the policy's unconditional" "1 deny unconditional none" \
  "$rc $(printf '%s' "$out" | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["decision"], j["policyType"], j["catalogType"])')"

# a custom policy: general-1 legal-person data shared unconditionally with no obligations → 0
$py - default.json > open.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "open-registry"
json.dump(d, sys.stdout, ensure_ascii=False)
EOF
sed 's/"有条件共享", "condition": "仅限税务部门办理登记核验使用"/"无条件共享"/' "$ex/enterprises.catalog.json" > free.json
"$civ" catalog add "${W[@]}" free.json >/dev/null; check "catalog add (unconditional sharing)" 0 $?
out=$("$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose 登记核验 --policy open.json); rc=$?
check "unconditional on both sides: allowed (0)" 0 $rc
check "allow line" "allow${tab}unconditional${tab}general-1" "$(printf '%s\n' "$out" | head -1)"

# errors are 2, never 1
"$civ" policy decide "${W[@]}" --resource $code --consumer 91350100M000100Y44 --purpose x >/dev/null 2>&1
check "a consumer that is not a valid USCC exits 2" 2 $?
"$civ" policy decide "${W[@]}" --resource 999999999/000001 --consumer $tax --purpose x >/dev/null 2>&1
check "an unknown resource exits 2" 2 $?
check "the refusal is audit-logged" 1 "$(count policy.decide '"outcome":"not-found"')"
"$civ" policy decide "${W[@]}" --resource $code --consumer $tax --purpose x --policy broken.json >/dev/null 2>&1
check "an invalid policy exits 2" 2 $?
"$civ" policy decide "${W[@]}" --resource $code --consumer $tax >/dev/null 2>&1
check "a missing --purpose exits 2" 2 $?
"$civ" policy decide -w ws.db --key-file /dev/null --resource $code --consumer $tax --purpose x >/dev/null 2>&1
check "a wrong key exits 2" 2 $?

for c in "policy" "policy check" "policy show" "policy decide"; do
  "$civ" $c --help >/dev/null; check "--help on '$c'" 0 $?
done
exit $fail
