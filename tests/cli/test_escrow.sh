#!/usr/bin/env bash
# Disaster-recovery drills of issue 18 (docs/recovery-escrow.md):
#  - key escrow: lose the master key (delete the key file), recover from K shares with a new
#    key file, open, see keys, peers and audit log intact; wrong, damaged, repeated and foreign
#    shares refused with clear errors and nothing changed;
#  - provider sequence statements: after `package require-statements` (what a restore does),
#    a provider's packages wait for its signed statement; forged ones are refused.
# Exit codes: 0 ok, 1 tampered/invalid, 2 usage/could not run.
set -uo pipefail
civ=$1
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
contains() {  # description, needle, haystack
  case "$3" in *"$2"*) ;; *) echo "FAIL: $1"; echo "  missing: $2"; echo "  in: $3"; fail=1;; esac
}
dir=$(mktemp -d /tmp/civitas-cli-escrow-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
unset CIVITAS_KEY CIVITAS_WORKSPACE
A=91350100M000100Y43
B=911100001000000248
X=911100001000000323

head -c 32 /dev/urandom > a.key; head -c 32 /dev/urandom > b.key; head -c 32 /dev/urandom > x.key
"$civ" init -w a.db --key-file a.key --department $A --name Market >/dev/null || fail=1
"$civ" init -w b.db --key-file b.key --department $B --name Tax >/dev/null || fail=1
"$civ" init -w x.db --key-file x.key --department $X --name Other >/dev/null || fail=1
for w in a b x; do "$civ" keys export-public -w $w.db --key-file $w.key -o $w.pub || fail=1; done
for w in a b x; do for v in a b x; do
  [ $w = $v ] || "$civ" keys import-public -w $w.db --key-file $w.key $v.pub >/dev/null || fail=1
done; done

# ---- key escrow drill -------------------------------------------------------------------------
keys_before=$("$civ" keys list -w a.db --key-file a.key --json | grep '"id"' | sort)
peers_before=$("$civ" keys peers -w a.db --key-file a.key --json | grep -E '"key_id"|"status"' | sort)
out=$("$civ" keys escrow -w a.db --key-file a.key --shares 5 --threshold 3 -o shares); rc=$?
check "keys escrow exits 0" 0 $rc
contains "keys escrow names the share files" "shares/share-5-of-5.json" "$out"
check "the share directory is 0700" 700 "$(stat -c %a shares)"
check "five share files of mode 0600" "600 600 600 600 600" "$(stat -c %a shares/* | tr '\n' ' ' | sed 's/ $//')"
grep -q '"workspace_id"' shares/share-1-of-5.json && grep -q '"checksum"' shares/share-1-of-5.json ||
  { echo "FAIL: a share names its workspace and carries a checksum"; fail=1; }
out=$("$civ" keys escrow -w a.db --key-file a.key --shares 3 --threshold 2 -o shares 2>&1); rc=$?
check "escrow into a non-empty directory exits 2" 2 $rc
contains "escrow refuses to mix sets in one directory" "not empty" "$out"
out=$("$civ" keys escrow -w a.db --key-file a.key --shares 2 --threshold 3 -o s2 2>&1); rc=$?
check "threshold above shares exits 2" 2 $rc
"$civ" keys escrow -w a.db --key-file a.key --shares 3 --threshold 2 -o second >/dev/null || fail=1
"$civ" keys escrow -w x.db --key-file x.key --shares 3 --threshold 2 -o foreign >/dev/null || fail=1

# The master key changes after the escrow (a passphrase now): the shares still serve.
printf 'old passphrase\n' | "$civ" keys change-master -w a.db --key-file a.key --new-passphrase >/dev/null ||
  { echo "FAIL: change-master to a passphrase"; fail=1; }

# The master key is lost.
rm -f a.key
cp a.db.header header.before
out=$("$civ" keys list -w a.db --key-file a.key 2>&1); rc=$?
check "without the key file nothing opens" 2 $rc

head -c 32 /dev/urandom > new.key
out=$("$civ" keys recover -w a.db shares/share-1-of-5.json shares/share-4-of-5.json --new-key-file new.key 2>&1); rc=$?
check "two of three shares: exit 2" 2 $rc
contains "too few shares says how many are needed" "needs 3 shares; 2 given" "$out"
out=$("$civ" keys recover -w a.db shares/share-1-of-5.json shares/share-1-of-5.json shares/share-2-of-5.json --new-key-file new.key 2>&1); rc=$?
check "a share given twice: exit 1" 1 $rc
contains "the repeated share is named" "shares/share-1-of-5.json) is share number 1 again" "$out"
sed 's/"index": 3/"index": 4/' shares/share-3-of-5.json > edited.json
out=$("$civ" keys recover -w a.db shares/share-1-of-5.json edited.json shares/share-2-of-5.json --new-key-file new.key 2>&1); rc=$?
check "a damaged share: exit 1" 1 $rc
contains "the damaged share is named" "(edited.json) is damaged: its checksum does not match" "$out"
out=$("$civ" keys recover -w a.db shares/share-1-of-5.json second/share-2-of-3.json shares/share-3-of-5.json --new-key-file new.key 2>&1); rc=$?
check "shares of two escrow runs: exit 1" 1 $rc
contains "two escrow runs are named" "different escrow runs" "$out"
out=$("$civ" keys recover -w a.db foreign/share-1-of-3.json foreign/share-2-of-3.json --new-key-file new.key 2>&1); rc=$?
check "shares of another workspace: exit 1" 1 $rc
contains "the other workspace is named" "belongs to workspace" "$out"
echo '{"format":"something else"}' > junk.json
out=$("$civ" keys recover -w a.db junk.json shares/share-1-of-5.json shares/share-2-of-5.json --new-key-file new.key 2>&1); rc=$?
check "not a share: exit 2" 2 $rc
contains "not a share is named" "(junk.json) is not a civitas escrow share" "$out"
out=$("$civ" keys recover -w a.db shares/share-1-of-5.json shares/share-2-of-5.json shares/share-3-of-5.json 2>&1); rc=$?
check "recover without a new key source: exit 2" 2 $rc
cmp -s a.db.header header.before || { echo "FAIL: a refused recovery changed the header"; fail=1; }

out=$("$civ" keys recover -w a.db shares/share-2-of-5.json shares/share-5-of-5.json shares/share-3-of-5.json --new-key-file new.key 2>&1); rc=$?
check "recover from three shares exits 0" 0 $rc
contains "recover reports" "wrapped under the new master key" "$out"
check "the recovered keyring has the same keys" "$keys_before" "$("$civ" keys list -w a.db --key-file new.key --json | grep '"id"' | sort)"
check "the recovered peer directory is the same" "$peers_before" "$("$civ" keys peers -w a.db --key-file new.key --json | grep -E '"key_id"|"status"' | sort)"
out=$("$civ" audit verify -w a.db --key-file new.key); rc=$?
check "the audit log verifies after recovery" 0 $rc
log=$("$civ" audit log -w a.db --key-file new.key)
contains "keys.escrow is logged" "keys.escrow" "$log"
contains "the recovery intent is logged" "workspace.recover_key	a.db		intent" "$log"
contains "the recovery is logged" "workspace.recover_key	a.db		ok" "$log"
contains "the recovery names the shares used" '"shares_used":[2,5,3]' "$log"
# Recovery onto a passphrase (one line of stdin), from other shares.
out=$(printf 'recovered passphrase\n' | "$civ" keys recover -w a.db shares/share-1-of-5.json shares/share-4-of-5.json shares/share-3-of-5.json --new-passphrase 2>&1); rc=$?
check "recover onto a passphrase exits 0" 0 $rc
out=$(printf 'recovered passphrase\n' | "$civ" keys list -w a.db --passphrase); rc=$?
check "the workspace opens with the new passphrase" 0 $rc
out=$("$civ" keys list -w a.db --key-file new.key 2>&1); rc=$?
check "the previous key no longer opens it" 2 $rc
printf 'recovered passphrase\n' | "$civ" keys change-master -w a.db --passphrase --new-key-file new.key >/dev/null || fail=1
# The header is lost too: the shares write a new one.
rm -f a.db.header
out=$("$civ" keys list -w a.db --key-file new.key 2>&1); rc=$?
check "without its header the workspace does not open" 2 $rc
out=$("$civ" keys recover -w a.db foreign/share-1-of-3.json foreign/share-3-of-3.json --new-key-file new.key 2>&1); rc=$?
check "another workspace's shares do not open this database" 2 $rc
contains "the rebuilt key is refused by the database" "does not open" "$out"
test -e a.db.header && { echo "FAIL: a refused recovery wrote a header"; fail=1; }
out=$("$civ" keys recover -w a.db shares/share-4-of-5.json shares/share-2-of-5.json shares/share-1-of-5.json --new-key-file new.key 2>&1); rc=$?
check "recover writes a lost header" 0 $rc
check "the workspace opens again" "$keys_before" "$("$civ" keys list -w a.db --key-file new.key --json | grep '"id"' | sort)"

# ---- provider sequence statements ---------------------------------------------------------------
printf 'id,name\n1,Acme\n' > orgs.csv
for i in 1 2 3; do
  "$civ" package create -w a.db --key-file new.key --to $B --resource orgs=orgs.csv -o p$i.civpkg >/dev/null || fail=1
done
"$civ" package open -w b.db --key-file b.key p1.civpkg -o o1 >/dev/null || fail=1
"$civ" package open -w b.db --key-file b.key p2.civpkg -o o2 >/dev/null || fail=1
out=$("$civ" package require-statements -w b.db --key-file b.key); rc=$?
check "require-statements exits 0" 0 $rc
contains "require-statements lists the peers awaiting" "$A" "$out"
out=$("$civ" package open -w b.db --key-file b.key p3.civpkg -o o3 2>&1); rc=$?
check "a package from a provider awaiting its statement: exit 2 (denied)" 2 $rc
contains "the refusal names the command to run" "civitas package import-statement FILE" "$out"
test -e o3 && { echo "FAIL: a refused package left its output"; fail=1; }

out=$("$civ" package statement -w a.db --key-file new.key --consumer $B -o st.json); rc=$?
check "package statement exits 0" 0 $rc
grep -q '"last_sequence": 3' st.json || { echo "FAIL: the statement states 3"; cat st.json; fail=1; }
"$civ" package statement -w a.db --key-file new.key --consumer $X -o st-x.json >/dev/null || fail=1
"$civ" package statement -w x.db --key-file x.key --consumer $B -o st-by-x.json >/dev/null || fail=1
sed 's/"last_sequence": 3/"last_sequence": 1/' st.json > st-tampered.json
out=$("$civ" package import-statement -w b.db --key-file b.key st-tampered.json 2>&1); rc=$?
check "a tampered statement: exit 1" 1 $rc
contains "the tampered statement is refused as such" "does not verify" "$out"
out=$("$civ" package import-statement -w b.db --key-file b.key st-x.json 2>&1); rc=$?
check "a statement for another consumer: exit 1" 1 $rc
contains "the other consumer is named" "addressed to $X" "$out"
sed "s/\"provider\": \"$X\"/\"provider\": \"$A\"/" st-by-x.json > st-forged.json
out=$("$civ" package import-statement -w b.db --key-file b.key st-forged.json 2>&1); rc=$?
check "a statement signed by another department: exit 2 (unknown key)" 2 $rc
contains "the wrong signer is named" "does not hold for $A" "$out"
out=$("$civ" package open -w b.db --key-file b.key p3.civpkg -o o3 2>&1); rc=$?
check "refused statements let nothing in" 2 $rc

out=$("$civ" package import-statement -w b.db --key-file b.key st.json); rc=$?
check "import-statement exits 0" 0 $rc
contains "import-statement says who still awaits" "still awaiting statements from: $X" "$out"
out=$("$civ" package open -w b.db --key-file b.key p3.civpkg -o o3 2>&1); rc=$?
check "a number at or below the statement: exit 1 (replay)" 1 $rc
contains "the replay refusal names the stated number" "at or below the last sequence number 3" "$out"
"$civ" package create -w a.db --key-file new.key --to $B --resource orgs=orgs.csv -o p4.civpkg >/dev/null || fail=1
out=$("$civ" package open -w b.db --key-file b.key p4.civpkg -o o4 2>&1); rc=$?
check "a number above the statement opens" 0 $rc
log=$("$civ" audit log -w b.db --key-file b.key)
contains "require is logged" "package.require_statements" "$log"
contains "the import is logged" "package.import_statement	$A		ok" "$log"
contains "a refused import is logged" "package.import_statement	$A		bad-signature" "$log"
log=$("$civ" audit log -w a.db --key-file new.key)
contains "the statement is logged on the provider's side" "package.statement	$B" "$log"

exit $fail
