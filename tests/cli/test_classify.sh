#!/usr/bin/env bash
# The `civitas classify` CLI contract: scan --json shape, text lines and JSON lines with byte
# offsets (GB18030 input mapped back), stdin, --show, exit codes.
set -uo pipefail
civ=$1
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tab=$'\t'
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
data="$(cd "$(dirname "$0")/../data/classify" && pwd)"

printf 'name,phone,amount\n张三,13912345678,12.50\n李四,13800138000,3.00\n王小明,15069323974,7.25\n' > "$dir/a.csv"
out=$("$civ" classify scan "$dir/a.csv" --json); rc=$?
check "scan exits 0" 0 $rc
py=/usr/bin/python3
shape=$(printf '%s' "$out" | $py -c '
import json, sys
j = json.load(sys.stdin)
assert list(j) == ["columns", "level"], list(j)
for c in j["columns"]:
    assert list(c) == ["name", "type", "ratio", "confidence", "category", "level", "source"], list(c)
print(" ".join(c["name"] + "=" + c["type"] + "/" + c["source"] for c in j["columns"]), j["level"])')
check "scan --json has exactly the contract keys" "name=person_name/detected phone=mobile_phone/detected amount=none/detected general-3" "$shape"

printf '{"fields":[{"name":"name","civitas:classification":{"category":"personal","level":"general-2"}},{"name":"phone","civitas:classification":{"category":"contact","level":"important"}},{"name":"amount"}]}' > "$dir/s.json"
lv=$("$civ" classify scan "$dir/a.csv" --schema "$dir/s.json" --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["level"], j["columns"][1]["source"], j["columns"][1]["category"])')
check "schema annotations give category and level; table level is the highest" "important schema contact" "$lv"

printf 'a;b\n13912345678;x\n' > "$dir/semi.csv"
t=$("$civ" classify scan "$dir/semi.csv" --delimiter ';' --json | $py -c 'import json,sys; print(json.load(sys.stdin)["columns"][0]["type"])')
check "--delimiter" "mobile_phone" "$t"

enc=$("$civ" classify scan "$data/tables/enterprises_gbk.csv" | head -1)
case "$enc" in *"encoding gb18030"*) ;; *) check "GBK table is guessed as GB18030" "encoding gb18030" "$enc";; esac
"$civ" classify scan "$data/tables/enterprises_gbk.csv" --encoding utf-8 >/dev/null 2>&1
check "an explicit wrong encoding is unreadable input (exit 2)" 2 $?
"$civ" classify scan "$dir/missing.csv" >/dev/null 2>&1; check "missing file exits 2" 2 $?
"$civ" classify scan "$dir/a.csv" --schema "$dir/missing.json" >/dev/null 2>&1; check "missing schema exits 2" 2 $?
"$civ" classify scan >/dev/null 2>&1; check "no file is a usage error" 2 $?
human=$("$civ" classify scan "$dir/a.csv" | sed -n 3p)
check "human output: one line per column" "  phone${tab}mobile_phone${tab}ratio 1.00  confidence 0.44${tab}detected${tab}category personal-contact${tab}level general-3" "$human"

printf '电话13912345678，邮箱a.b@example.com\n' > "$dir/t.txt"
out=$("$civ" classify text "$dir/t.txt"); rc=$?
check "text: type TAB offset TAB length" "mobile_phone${tab}6${tab}11
email${tab}26${tab}15" "$out"
check "text exits 0" 0 $rc
out=$("$civ" classify text "$dir/t.txt" --json --show | head -1)
check "text --json --show" '{"type":"mobile_phone","offset":6,"length":11,"text":"13912345678"}' "$out"
out=$("$civ" classify text "$dir/t.txt" --json | head -1)
check "text --json without --show has no text" '{"type":"mobile_phone","offset":6,"length":11}' "$out"
out=$(printf 'nothing here\n' | "$civ" classify text -); rc=$?
check "no findings: no output" "" "$out"
check "no findings exits 0" 0 $rc
out=$(printf '\xb5\xe7\xbb\xb013912345678' | "$civ" classify text -)
check "GB18030 stdin: offsets in the bytes as given" "mobile_phone${tab}4${tab}11" "$out"
out=$(printf '\xb5\xe7\xbb\xb013912345678' | "$civ" classify text - --show)
check "--show prints the bytes as given, escaped when not UTF-8" "mobile_phone${tab}4${tab}11${tab}13912345678" "$out"
"$civ" classify text "$dir/nope.txt" >/dev/null 2>&1; check "unreadable text exits 2" 2 $?
printf '\x81' | "$civ" classify text - --encoding gb18030 >/dev/null 2>&1; check "undecodable text exits 2" 2 $?
"$civ" classify text "$dir/t.txt" --encoding no-such-enc >/dev/null 2>&1; check "unknown encoding exits 2" 2 $?
for c in "classify" "classify scan" "classify text"; do
  "$civ" $c --help >/dev/null; check "--help on '$c'" 0 $?
done
exit $fail
