#!/usr/bin/env bash
# Day one as a new user (issue 17): the commands of docs/cli.md as written, and the refusals
# a new user meets, with clear messages. Also: decrypt emits nothing before it has decrypted
# everything, and deterministic decryption is one audit entry per column (issue 12).
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
printf 'aa%.0s' $(seq 32) > p.key
printf 'bb%.0s' $(seq 32) > c.key
export CIVITAS_USER=cli-test
"$civ" init -w p.db --key-file p.key --department $P >/dev/null; check "init provider" 0 $?
"$civ" init -w c.db --key-file c.key --department $C >/dev/null; check "init consumer" 0 $?
"$civ" keys export-public -w p.db --key-file p.key -o p.pub
"$civ" keys export-public -w c.db --key-file c.key -o c.pub
"$civ" keys import-public -w p.db --key-file p.key c.pub >/dev/null
"$civ" keys import-public -w c.db --key-file c.key p.pub >/dev/null
export CIVITAS_WORKSPACE=p.db
export CIVITAS_KEY=$(cat p.key)

# ---- repeatable options take one value per occurrence: positional inputs are not swallowed
printf 'id,legal_rep_ric\n1,11010519491231002X\n2,110105491231002\n' > enterprises.csv
"$civ" encrypt --column legal_rep_ric enterprises.csv -o enc.csv; check "encrypt --column NAME IN -o OUT" 0 $?
"$civ" encrypt --column=legal_rep_ric enterprises.csv -o enc2.csv; check "encrypt --column=NAME IN -o OUT" 0 $?
"$civ" encrypt -c id --column legal_rep_ric enterprises.csv -o enc3.csv; check "two --column options" 0 $?
# ---- encrypt/decrypt keep the input's line endings
check "LF input gives LF output" 0 "$(grep -c $'\r' enc.csv)"
"$civ" decrypt --column legal_rep_ric enc.csv -o dec.csv; check "decrypt" 0 $?
cmp -s dec.csv enterprises.csv; check "decrypt gives back the LF input byte for byte" 0 $?
printf 'id,v\r\n1,a\r\n' > crlf.csv
"$civ" encrypt --column v crlf.csv -o crlf.enc; check "CRLF input keeps CRLF" 2 "$(grep -c $'\r$' crlf.enc)"
# ---- decrypt to stdout: a bad value anywhere means nothing is emitted
sed '3s/,.*/,garbage!/' enc.csv > broken.csv
out=$("$civ" decrypt --column legal_rep_ric broken.csv 2>err); rc=$?
check "decrypt of a bad value exits non-zero" 2 $rc
check "decrypt emits nothing on stdout before failing" "" "$out"
check "decrypt names the row" 1 "$(grep -c 'row 3' err)"
# ---- deterministic decryption: one audit entry per column, with its count
for i in $(seq 1 300); do echo "$i,v$i"; done | sed '1i id,v' > many.csv
"$civ" encrypt --deterministic --column v many.csv -o tok.csv; check "tokenize" 0 $?
before=$("$civ" audit log --json | grep -c 'token.reverse')
"$civ" decrypt --deterministic --column v tok.csv -o back.csv; check "detokenize" 0 $?
cmp -s back.csv many.csv; check "detokenize gives the input back" 0 $?
after=$("$civ" audit log --json | grep -c 'token.reverse')
check "one token.reverse entry for 300 values" 1 $((after - before))
check "the entry lists the count" 1 "$("$civ" audit log --json | grep 'token.reverse' | grep -c '"values":300')"

# ---- validate --schema S --resource N=F DATA (foreign keys) as docs/cli.md writes it
cat > orgs.json <<'EOF'
{"fields":[{"name":"code","type":"string"}],"primaryKey":["code"]}
EOF
cat > staff.json <<'EOF'
{"fields":[{"name":"name","type":"string"},{"name":"org","type":"string"}],
 "foreignKeys":[{"fields":["org"],"reference":{"resource":"orgs","fields":["code"]}}]}
EOF
printf 'code\nA\nB\n' > orgs.csv
printf 'name,org\nx,A\ny,C\n' > staff.csv
out=$("$civ" validate --schema staff.json --resource orgs=orgs.csv staff.csv); rc=$?
check "validate --schema S --resource N=F DATA runs and finds the bad key" 1 $rc
check "the foreign-key error is reported" 1 "$(echo "$out" | grep -c 'foreign-key')"
"$civ" validate --schema /tmp staff.csv 2>err; check "a directory as schema exits 2" 2 $?
check "a directory as schema is named" 1 "$(grep -c 'is a directory' err)"
echo '{x' > broken.json
"$civ" validate --schema broken.json staff.csv 2>err; check "broken JSON schema exits 2" 2 $?

# ---- usage errors, check-char and id validate
"$civ" encrypt --bogus 2>err; check "usage error exits 2" 2 $?
check "usage error in the civitas: error: form" 1 "$(grep -c '^civitas: error: ' err)"
"$civ" id check-char --type uscc 12 >out 2>err; check "check-char of a short body exits 2" 2 $?
check "check-char error in the civitas: error: form" 1 "$(grep -c '^civitas: error: ' err)"
printf 'ab\001\377\\\n' | "$civ" id validate --type uscc >out; check "junk id is invalid" 1 $?
check "id validate escapes what it cannot print" 'invalid	charset	ab\x01\xff\\' "$(cat out)"

# ---- a directory or a junk file as the workspace
mkdir wsdir
"$civ" keys list -w wsdir 2>err; check "a directory as workspace exits 2" 2 $?
check "a directory as workspace is named" 1 "$(grep -c 'is a directory' err)"
echo junk > junk.db
"$civ" keys list -w junk.db 2>err; check "a junk file as workspace exits 2" 2 $?
check "a junk file is not sent to a backup" 0 "$(grep -c 'backup' err)"

# ---- a GBK table with its schema: transcoded to UTF-8 in the package, opened and validated
cat > s.json <<'EOF'
{"fields":[{"name":"id","type":"integer"},{"name":"name","type":"string","constraints":{"required":true}}]}
EOF
printf 'id,name\n1,北京市\n2,上海市\n' > utf8.csv
iconv -f UTF-8 -t GBK utf8.csv > gbk.csv
"$civ" package create --to $C --resource t=gbk.csv --schema s.json -o gbk.pkg 2>err >/dev/null
check "GBK without --encoding is refused (not UTF-8)" 1 $?
"$civ" package create --to $C --resource t=gbk.csv --schema s.json --encoding gbk -o gbk.pkg >/dev/null
check "create --encoding gbk" 0 $?
"$civ" package open -w c.db --key-file c.key gbk.pkg -o gbkout >out; check "the consumer opens the GBK package" 0 $?
cmp -s gbkout/data/t.csv utf8.csv; check "the resource is UTF-8 inside the package" 0 $?
check "datapackage declares utf-8" 1 "$(grep -c '"encoding": "utf-8"' gbkout/datapackage.json)"
# the encoding from the schema's Table Dialect, as validate --dialect takes it
echo '{"encoding": "gbk"}' > gbk.dialect.json
"$civ" validate --schema s.json --dialect gbk.dialect.json gbk.csv >/dev/null; check "validate --dialect gbk" 0 $?
"$civ" package create --to $C --resource t=gbk.csv --schema s.json --dialect gbk.dialect.json -o gbkd.pkg >/dev/null
check "create --dialect (encoding gbk)" 0 $?
"$civ" package open -w c.db --key-file c.key gbkd.pkg -o gbkdout >/dev/null; check "the consumer opens it" 0 $?
cmp -s gbkdout/data/t.csv utf8.csv; check "the dialect's encoding was transcoded to UTF-8" 0 $?
echo '{"delimiter": ";", "encoding": "gbk"}' > semi.dialect.json
"$civ" package create --to $C --resource t=gbk.csv --dialect semi.dialect.json -o semi.pkg 2>err >/dev/null
check "a dialect with another delimiter is refused (usage)" 2 $?
check "the refusal says only the encoding applies" 1 "$(grep -c "only a dialect's encoding" err)"
check "nothing left behind" 1 "$([ -e semi.pkg ] && echo 0 || echo 1)"
"$civ" package create --to $C --resource t=utf8.csv -o plain.pkg >/dev/null
"$civ" package open -w c.db --key-file c.key plain.pkg -o plainout >out
check "a package without schema does not claim valid records" 0 "$(grep -c 'records valid' out)"
check "it says the records were not checked" 1 "$(grep -c 'not checked' out)"
"$civ" package create --to $C --resource t=utf8.csv --schema /tmp -o x.pkg 2>err
check "a directory as package schema is named" 1 "$(grep -c 'is a directory' err)"

# ---- offline inclusion proof: no workspace
"$civ" audit checkpoint > cp.note
"$civ" audit prove --index 2 > proof.json
key=$("$civ" audit public-key)
e2=$("$civ" audit log --json --from 2 --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["entry"])')
e1=$("$civ" audit log --json --from 1 --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["entry"])')
unset CIVITAS_WORKSPACE CIVITAS_KEY
"$civ" audit verify-proof --key "$key" --checkpoint cp.note --proof proof.json --entry "$e2" >out
check "verify-proof of the right entry exits 0" 0 $?
"$civ" audit verify-proof --key "$key" --checkpoint cp.note --proof proof.json --entry "$e1" >out
check "verify-proof of another entry exits 1" 1 $?
sed 's/ — .*//' cp.note > /dev/null
"$civ" keys export-public -w c.db --key-file c.key >/dev/null
ckey=$(CIVITAS_WORKSPACE=c.db CIVITAS_KEY=$(cat c.key) "$civ" audit public-key)
"$civ" audit verify-proof --key "$ckey" --checkpoint cp.note --proof proof.json --entry "$e2" >out
check "verify-proof with another log's key exits 1" 1 $?
"$civ" audit verify-proof --key "$key" --checkpoint cp.note --proof proof.json --entry '@@' 2>err
check "verify-proof of a non-base64 entry exits 2" 2 $?

exit $fail
