#!/usr/bin/env bash
# The `civitas package` CLI contract: create (workspace keys, peers, sequence numbers),
# inspect, verify, open; refusals with exit 1 (bad signature, truncated, replay, records
# against their schema) and exit 2 (not a recipient, unknown provider); no output left
# behind; audit entries on both sides.
set -uo pipefail
civ=$(realpath "$1")
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
P=91110000100000016D
C=911100001000000248
X=911100001000000323
printf 'aa%.0s' $(seq 32) > p.key
printf 'bb%.0s' $(seq 32) > c.key
printf 'cc%.0s' $(seq 32) > x.key
export CIVITAS_USER=cli-test
"$civ" init -w p.db --key-file p.key --department $P >/dev/null; check "init provider" 0 $?
"$civ" init -w c.db --key-file c.key --department $C >/dev/null; check "init consumer" 0 $?
"$civ" init -w x.db --key-file x.key --department $X >/dev/null; check "init other" 0 $?
"$civ" keys export-public -w p.db --key-file p.key -o p.pub
"$civ" keys export-public -w c.db --key-file c.key -o c.pub
"$civ" keys export-public -w x.db --key-file x.key -o x.pub
"$civ" keys import-public -w p.db --key-file p.key c.pub >/dev/null
"$civ" keys import-public -w p.db --key-file p.key x.pub >/dev/null
"$civ" keys import-public -w c.db --key-file c.key p.pub >/dev/null
"$civ" keys import-public -w x.db --key-file x.key c.pub >/dev/null  # x does not know the provider

printf 'id,name,amount\n1,a,10\n2,b,20\n' > t.csv
printf 'id,name,amount\n1,a,10\n2,b,-5\n' > bad.csv
cat > s.json <<'EOF'
{"fields":[{"name":"id","type":"integer"},{"name":"name","type":"string"},
           {"name":"amount","type":"integer","constraints":{"minimum":0}}]}
EOF

"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv --schema s.json \
  --catalog 110000-000001 --purpose test -o a.pkg >/dev/null
check "create exits 0" 0 $?
out=$("$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv -o b.pkg)
check "the second package to the same consumer has sequence 2" "1" "$(grep -c "$C#2" <<<"$out")"

"$civ" package inspect a.pkg > h.json; check "inspect exits 0" 0 $?
check "inspect shows the provider" "1" "$(grep -c "\"department\": \"$P\"" h.json)"

"$civ" package verify -w c.db --key-file c.key a.pkg >/dev/null; check "verify exits 0" 0 $?
"$civ" package verify -w x.db --key-file x.key a.pkg >/dev/null 2>&1; check "verify with an unknown provider exits 2" 2 $?

"$civ" package open -w c.db --key-file c.key a.pkg -o out >/dev/null; check "open exits 0" 0 $?
cmp -s t.csv out/data/t.csv; check "open writes the resource" 0 $?
test -f out/datapackage.json; check "open writes datapackage.json" 0 $?

"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv --long 20 -o l.pkg >/dev/null
check "create --long exits 0" 0 $?
"$civ" package open -w c.db --key-file c.key l.pkg -o outl --no-sync >/dev/null; check "open --no-sync exits 0" 0 $?
cmp -s t.csv outl/data/t.csv; check "open --no-sync writes the resource" 0 $?
check "open writes the resource owner-only (0600)" "600" "$(stat -c %a out/data/t.csv)"
check "open writes the directory owner-only (0700)" "700" "$(stat -c %a out)"
"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv -o u.pkg >/dev/null
(umask 022; "$civ" package open -w c.db --key-file c.key u.pkg -o outu --umask-modes >/dev/null); check "open --umask-modes exits 0" 0 $?
check "open --umask-modes: files 0666 less the umask" "644" "$(stat -c %a outu/data/t.csv)"
check "open --umask-modes: directories 0777 less the umask" "755" "$(stat -c %a outu)"
"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv --long 26 -o l2.pkg 2>/dev/null
check "create --long 26 is a usage error" 2 $?
"$civ" package open -w c.db --key-file c.key a.pkg -o out2 2>err >/dev/null; check "replay exits 1" 1 $?
check "replay is named" "1" "$(grep -c 'replay' err)"
test ! -e out2; check "no output after a replay" 0 $?

"$civ" package open -w x.db --key-file x.key b.pkg -o out3 >/dev/null 2>&1; check "unknown provider exits 2" 2 $?

head -c -50 b.pkg > cut.pkg
"$civ" package open -w c.db --key-file c.key cut.pkg -o out4 2>err >/dev/null; check "truncated exits 1" 1 $?
check "truncation is named" "1" "$(grep -c 'truncated' err)"
test ! -e out4; check "no output after truncation" 0 $?

"$civ" package open -w c.db --key-file c.key cut.pkg -o out4 --single-pass 2>err >/dev/null
check "truncated exits 1 with --single-pass too" 1 $?
test ! -e out4; check "no output after truncation (--single-pass)" 0 $?
cp b.pkg mid.pkg   # one ciphertext byte changed: the first chunk, just after the header
hb=$("$civ" package inspect b.pkg | sed -n 's/.*"header_bytes": *\([0-9]*\).*/\1/p')
byte=$(od -An -tu1 -j $(( hb + 20 )) -N1 b.pkg | tr -d ' ')
printf "\\$(printf %03o $(( (byte + 1) % 256 )))" | dd of=mid.pkg bs=1 seek=$(( hb + 20 )) conv=notrunc 2>/dev/null
cmp -s b.pkg mid.pkg; check "mid.pkg differs from b.pkg" 1 $?
for mode in "" --single-pass; do
  "$civ" package open -w c.db --key-file c.key mid.pkg -o out8 $mode 2>err >/dev/null
  check "a modified chunk exits 1 ($mode)" 1 $?
  check "a modified chunk is an integrity error ($mode)" "1" "$(grep -c 'integrity' err)"
  test ! -e out8; check "no output after a modified chunk ($mode)" 0 $?
done

cp b.pkg sig.pkg
printf '\x00' | dd of=sig.pkg bs=1 seek=$(( $(stat -c %s b.pkg) - 5 )) conv=notrunc 2>/dev/null
"$civ" package verify -w c.db --key-file c.key sig.pkg 2>err >/dev/null; check "bad signature exits 1" 1 $?
check "bad signature is named" "1" "$(grep -c 'signature' err)"

# create checks the records against their schema: refused with the report, nothing left behind
"$civ" package create -w p.db --key-file p.key --to $C --resource t=bad.csv --schema t=s.json -o bad0.pkg 2>err >/dev/null
check "create refuses invalid records with exit 1" 1 $?
check "create names the broken row" 1 "$(grep -c 'row 3' err)"
check "nothing left behind by a refused create" "" "$(ls -A | grep -E 'bad0|tmp' || true)"
"$civ" package create -w p.db --key-file p.key --to $C --resource t=bad.csv --schema t=s.json -o bad0.pkg --json >rep.json 2>/dev/null
check "create --json prints the validation report" "false 1" "$(python3 -c 'import json; r=json.load(open("rep.json")); print(str(r["valid"]).lower(), r["stats"]["errors"])')"
"$civ" package create -w p.db --key-file p.key --to $C --resource t=/bin/sh --schema t=s.json -o bin.pkg 2>err >/dev/null
check "a binary file is refused" 1 $?
test ! -e bin.pkg; check "no package for a binary file" 0 $?
# the consumer's side: a package made with --no-validate is refused when opened, with the full report
"$civ" package create -w p.db --key-file p.key --to $C --resource t=bad.csv --schema t=s.json -o bad.pkg --no-validate >/dev/null
check "create --no-validate packs invalid records" 0 $?
"$civ" package open -w c.db --key-file c.key bad.pkg -o out5 2>err >/dev/null; check "invalid records exit 1" 1 $?
test ! -e out5; check "no output for invalid records" 0 $?
check "the refusal names no temporary directory" 0 "$(grep -c 'tmp' err)"
"$civ" package open -w c.db --key-file c.key bad.pkg -o out5 --json >rep.json 2>/dev/null
check "open --json prints the full report" "t data/t.csv 1" "$(python3 -c 'import json; r=json.load(open("rep.json")); t=r["tasks"][0]; print(t["name"], t["place"], len(t["errors"]))')"
"$civ" package create -w p.db --key-file p.key --to $C --resource t=bad.csv --schema t=s.json -o bad2.pkg --no-validate >/dev/null
"$civ" package open -w c.db --key-file c.key bad2.pkg -o out6 --no-validate >/dev/null; check "--no-validate opens" 0 $?

"$civ" package open -w c.db --key-file c.key b.pkg -o out7 --schema t=s.json 2>err >/dev/null
check "an expected schema the package lacks exits 1" 1 $?

"$civ" package create -w p.db --key-file p.key --to $X --to $C --resource t=t.csv -o m.pkg >/dev/null
check "create to two consumers" 0 $?
"$civ" package open -w c.db --key-file c.key m.pkg -o out8 >/dev/null; check "second consumer opens" 0 $?

"$civ" package open -w p.db --key-file p.key b.pkg -o out9 >/dev/null 2>&1; check "the provider is not a recipient: exit 2" 2 $?

n=$("$civ" audit log -w c.db --key-file c.key --json 2>/dev/null | grep -c 'package.open')
test "$n" -ge 2; check "opens are audited on the consumer side" 0 $?
n=$("$civ" audit log -w p.db --key-file p.key --json 2>/dev/null | grep -c 'package.create')
test "$n" -ge 2; check "creates are audited on the provider side" 0 $?

exit $fail
