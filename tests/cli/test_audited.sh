#!/usr/bin/env bash
# The CLI front end of the audited operations (docs/development.md, "Audited operations"):
# `package create`, `package open` (a refusal included), `keys rotate`, `keys change-master`
# and `catalog add` each leave their audit entry, written by the Workspace method the command
# calls (the CLI adds none of its own). A refused open consumes no sequence number.
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
P=91110000100000016D
C=911100001000000248
printf 'aa%.0s' $(seq 32) > p.key
printf 'bb%.0s' $(seq 32) > c.key
export CIVITAS_USER=cli-audited
"$civ" init -w p.db --key-file p.key --department $P >/dev/null; check "init provider" 0 $?
"$civ" init -w c.db --key-file c.key --department $C >/dev/null; check "init consumer" 0 $?
"$civ" keys export-public -w p.db --key-file p.key -o p.pub
"$civ" keys export-public -w c.db --key-file c.key -o c.pub
"$civ" keys import-public -w p.db --key-file p.key c.pub >/dev/null
"$civ" keys import-public -w c.db --key-file c.key p.pub >/dev/null
printf 'id,name\n1,a\n' > t.csv

# entries of ACTION in workspace DB (key KEY) whose JSON line contains NEEDLE
count() {
  "$civ" audit log -w "$1" --key-file "$2" --action "$3" --json 2>/dev/null | grep -c -- "$4"
}

# key rotation
"$civ" keys rotate -w p.db --key-file p.key --purpose token >/dev/null; check "rotate exits 0" 0 $?
check "the rotation is recorded" 1 "$(count p.db p.key key.rotate '"purpose":"token"')"

# package create
"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv --purpose audit -o a.pkg >/dev/null
check "create exits 0" 0 $?
id=$("$civ" package inspect a.pkg | sed -n 's/.*"package_id": "\([0-9a-f]*\)".*/\1/p')
check "create is recorded with its package id" 1 "$(count p.db p.key package.create "\"resource\":\"$id\"")"

# a create refused (unknown consumer) is recorded too
"$civ" package create -w p.db --key-file p.key --to 911100001000000323 --resource t=t.csv -o x.pkg >/dev/null 2>&1
check "create to an unknown consumer exits 2" 2 $?
check "the refused create is recorded" 1 "$(count p.db p.key package.create '"outcome":"unknown-key"')"

# a tampered copy: refused, recorded, no sequence number consumed
hb=$("$civ" package inspect a.pkg | sed -n 's/.*"header_bytes": \([0-9]*\).*/\1/p')
cp a.pkg bad.pkg
b=$(od -An -tu1 -j $((hb + 5)) -N1 a.pkg | tr -d ' ')
printf "\\x$(printf %02x $((b ^ 1)))" | dd of=bad.pkg bs=1 seek=$((hb + 5)) conv=notrunc status=none  # inside the first encrypted chunk
cmp -s a.pkg bad.pkg; check "one byte flipped" 1 $?
"$civ" package open -w c.db --key-file c.key bad.pkg -o out >/dev/null 2>&1
check "open of a tampered package exits 1" 1 $?
check "the refusal is recorded" 1 "$(count c.db c.key package.open '"outcome":"integrity"')"
test -e out/data; check "a refusal leaves no output" 1 $?

"$civ" package open -w c.db --key-file c.key a.pkg -o out >/dev/null; check "the good package still opens" 0 $?
check "the open is recorded" 1 "$(count c.db c.key package.open "\"outcome\":\"ok\".*\"resource\":\"$id\"")"
"$civ" package open -w c.db --key-file c.key a.pkg -o out2 >/dev/null 2>&1; check "a replay exits 1" 1 $?
check "the replay is recorded" 1 "$(count c.db c.key package.open '"outcome":"replay"')"

# catalog add
"$civ" catalog add -w p.db --key-file p.key "$src/tests/data/schema/entry.json" >/dev/null; check "catalog add exits 0" 0 $?
check "the catalog addition is recorded" 1 "$(count p.db p.key catalog.add '"outcome":"ok"')"

# master-key change: an intent, then the change
printf 'dd%.0s' $(seq 32) > p2.key
"$civ" keys change-master -w p.db --key-file p.key --new-key-file p2.key >/dev/null; check "change-master exits 0" 0 $?
check "the change has its intent" 1 "$(count p.db p2.key workspace.change_master '"outcome":"intent"')"
check "and its completion" 1 "$(count p.db p2.key workspace.change_master '"outcome":"ok"')"

exit $fail
