#!/usr/bin/env bash
# Peer keys under attack (issue 12), through the CLI: a department's rotation and revocation
# reach its peers through its key document (`keys export-public` / `import-public`), a forged
# document for a known department is refused (exit 1) and its package burns no sequence
# number, `import-public --replace` and `keys remove-peer` are audited, `keys peers --json`
# shows each key's status, a package signed by a compromised key is refused.
set -uo pipefail
civ=$(realpath "$1")
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
contains() {  # description, needle, haystack
  case "$3" in *"$2"*) ;; *) echo "FAIL: $1"; echo "  missing: $2"; echo "  in: $3"; fail=1;; esac
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
P=91110000100000016D
C=911100001000000248
printf 'aa%.0s' $(seq 32) > p.key
printf 'bb%.0s' $(seq 32) > c.key
printf 'dd%.0s' $(seq 32) > m.key
export CIVITAS_USER=cli-peers
"$civ" init -w p.db --key-file p.key --department $P --name Provider >/dev/null; check "init provider" 0 $?
"$civ" init -w c.db --key-file c.key --department $C >/dev/null; check "init consumer" 0 $?
"$civ" init -w m.db --key-file m.key --department $P --name Impostor >/dev/null; check "init impostor" 0 $?
"$civ" keys export-public -w p.db --key-file p.key -o p1.pub
"$civ" keys export-public -w c.db --key-file c.key -o c.pub
"$civ" keys export-public -w m.db --key-file m.key -o m.pub
for w in p m; do "$civ" keys import-public -w $w.db --key-file $w.key c.pub >/dev/null; done
"$civ" keys import-public -w c.db --key-file c.key p1.pub >/dev/null; check "first contact" 0 $?
printf 'id,name\n1,a\n' > t.csv

# key id of the primary key of a purpose in workspace $1
primary() {
  "$civ" keys list -w "$1.db" --key-file "$1.key" | awk -v p="$2" '$2 == p && $4 == "primary" {print $1}'
}
# status of key $1 in c's peer directory (keys peers --json)
status_at_c() {
  "$civ" keys peers -w c.db --key-file c.key --json | tr -d ' \n' | grep -o "\"key_id\":\"$1\"[^}]*" |
    grep -o '"status":"[a-z]*"' | cut -d'"' -f4
}
count() {  # entries of ACTION ($1) in c's log whose JSON line contains $2
  "$civ" audit log -w c.db --key-file c.key --action "$1" --json 2>/dev/null | grep -c -- "$2"
}

s1=$(primary p signing); e1=$(primary p exchange)
check "keys peers --json: status primary" primary "$(status_at_c "$s1")"
out=$("$civ" keys peers -w c.db --key-file c.key)
contains "keys peers text output" "$P  $s1  signing  ed25519  primary  Provider" "$out"

# The impostor's document for the known department: refused, nothing added, the refusal logged.
out=$("$civ" keys import-public -w c.db --key-file c.key m.pub 2>&1); rc=$?
check "a forged document for a known department exits 1" 1 $rc
contains "it names what is missing" "not signed by a key trusted for it" "$out"
check "nothing was added" 4 "$("$civ" keys peers -w c.db --key-file c.key --department $P --json | grep -c '"key_id"')"
check "the refusal is logged" 1 "$(count peer.import '"outcome":"bad-signature"')"
# Its package (sequence 1 of P -> C) is refused and burns no sequence number.
"$civ" package create -w m.db --key-file m.key --to $C --resource t=t.csv -o forged.pkg >/dev/null
out=$("$civ" package open -w c.db --key-file c.key forged.pkg -o outf 2>&1); rc=$?
check "the forged package is refused" 2 $rc
"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv -o real1.pkg >/dev/null
"$civ" package open -w c.db --key-file c.key real1.pkg -o out1 >/dev/null; check "the real sequence 1 opens" 0 $?

# A package signed with s1, sent late.
"$civ" package create -w p.db --key-file p.key --to $C --resource t=t.csv -o late.pkg >/dev/null

# Rotation: the next document is signed by the new key and by s1, which C trusts.
"$civ" keys rotate -w p.db --key-file p.key --purpose signing --purpose exchange >/dev/null
"$civ" keys export-public -w p.db --key-file p.key -o p2.pub
"$civ" keys import-public -w c.db --key-file c.key p2.pub >/dev/null; check "the rotation's document is accepted" 0 $?
check "the old signing key is active" active "$(status_at_c "$s1")"
check "the new signing key is primary" primary "$(status_at_c "$(primary p signing)")"
# An older document is refused (rollback).
out=$("$civ" keys import-public -w c.db --key-file c.key p1.pub 2>&1); rc=$?
check "an older document is refused" 2 $rc
contains "it says why" "not newer" "$out"

# Destroy the old exchange key, declare the old signing key compromised.
"$civ" keys destroy -w p.db --key-file p.key "$e1" --yes >/dev/null; check "destroy" 0 $?
"$civ" keys revoke -w p.db --key-file p.key "$s1" --reason compromised >/dev/null; check "revoke exits 0" 0 $?
out=$("$civ" keys revoke -w p.db --key-file p.key "$(primary p signing)" --reason superseded 2>&1); rc=$?
check "the primary key is not revoked" 2 $rc
"$civ" keys export-public -w p.db --key-file p.key -o p3.pub
contains "the document lists the revocation" '"reason": "compromised"' "$(cat p3.pub)"
"$civ" keys import-public -w c.db --key-file c.key p3.pub >/dev/null; check "the revocation is accepted" 0 $?
check "keys peers --json: compromised" compromised "$(status_at_c "$s1")"
check "keys peers --json: superseded" superseded "$(status_at_c "$e1")"
out=$("$civ" package open -w c.db --key-file c.key late.pkg -o outl 2>&1); rc=$?
check "a package signed by the compromised key is refused" 2 $rc
contains "it says why" "compromised" "$out"
test ! -e outl || { echo "FAIL: output of a refused package"; fail=1; }
# New packages from C to P are sealed to P's new exchange key only.
"$civ" package create -w c.db --key-file c.key --to $P --resource t=t.csv -o to-p.pkg >/dev/null
contains "sealed to the new exchange key" "$(primary p exchange)" "$("$civ" package inspect to-p.pkg)"
case "$("$civ" package inspect to-p.pkg)" in *"$e1"*) echo "FAIL: sealed to the destroyed exchange key"; fail=1;; esac

# --replace after an out-of-band check: accepted and logged.
"$civ" keys import-public -w c.db --key-file c.key m.pub --replace >/dev/null; check "--replace exits 0" 0 $?
check "--replace is logged" 1 "$(count peer.import '"replace":true')"
# remove-peer: gone, logged; again: not found.
"$civ" keys remove-peer -w c.db --key-file c.key $P >/dev/null; check "remove-peer exits 0" 0 $?
check "the department is gone" "[]" "$("$civ" keys peers -w c.db --key-file c.key --department $P --json | tr -d ' \n')"
check "remove-peer is logged" 1 "$(count peer.remove "$P")"
"$civ" keys remove-peer -w c.db --key-file c.key $P >/dev/null 2>&1; check "removing it again exits 2" 2 $?

exit $fail
