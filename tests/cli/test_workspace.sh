#!/usr/bin/env bash
# The workspace CLI contract: civitas init, keys list|rotate|destroy|export-public|import-public|
# peers|share-identity|import-identity|change-master, encrypt|decrypt --column, id key --domain; key sources (--key-file,
# CIVITAS_KEY, --passphrase on stdin); exit codes 0 ok, 1 tampered/invalid, 2 usage/could not run.
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
dir=$(mktemp -d /tmp/civitas-cli-ws-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
unset CIVITAS_KEY CIVITAS_WORKSPACE

# no key source: usage error
out=$("$civ" init 2>&1); rc=$?
check "init without a key exits 2" 2 $rc
contains "init without a key says how to give one" "--key-file" "$out"

# raw key from CIVITAS_KEY, workspace from CIVITAS_WORKSPACE
export CIVITAS_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CIVITAS_WORKSPACE=$dir/a.db
out=$("$civ" init --department 91350100M000100Y43 --name "Market Regulation"); rc=$?
check "init exits 0" 0 $rc
contains "init reports the workspace" "created workspace $dir/a.db" "$out"
test -f a.db && test -f a.db.header || { echo "FAIL: init did not create a.db and a.db.header"; fail=1; }
"$civ" init >/dev/null 2>&1; check "init over an existing workspace exits 2" 2 $?
out=$("$civ" init --workspace bad.db --department 91350100M000100Y44 2>&1); rc=$?
check "init with an invalid USCC exits 1" 1 $rc
contains "init names the bad department" "not a valid USCC" "$out"

out=$("$civ" keys list); rc=$?
check "keys list exits 0" 0 $rc
check "keys list shows eight primary keys (one per purpose)" 8 "$(grep -c primary <<<"$out")"
"$civ" keys list --json | grep -q '"purpose": "exchange"' || { echo "FAIL: keys list --json"; fail=1; }

# wrong key
out=$(CIVITAS_KEY=$(printf '0%.0s' {1..64}) "$civ" keys list 2>&1); rc=$?
check "wrong key exits 2" 2 $rc
contains "wrong key message" "wrong key, or not a civitas workspace" "$out"
out=$(CIVITAS_KEY=abc "$civ" keys list 2>&1); rc=$?
check "malformed CIVITAS_KEY exits 2" 2 $rc

# encrypt / decrypt a CSV (quotes, commas, CRLF, record ids)
printf 'id,name,ric\r\n1,"Zhang, San",11010519491231002X\r\n2,"Li ""Four""",110105491231002\r\n3,,\r\n' > in.csv
"$civ" encrypt --column name --column ric --record-column id --resource people in.csv -o enc.csv; rc=$?
check "encrypt exits 0" 0 $rc
if grep -q 'Zhang\|11010519491231002X\|Four' enc.csv; then echo "FAIL: plaintext left in enc.csv"; fail=1; fi
check "encrypt keeps the id column" "1 2 3" "$(tail -n +2 enc.csv | cut -d, -f1 | tr -d '\r' | xargs)"
"$civ" decrypt --column name --column ric --record-column id --resource people enc.csv -o dec.csv; rc=$?
check "decrypt exits 0" 0 $rc
check "decrypt gives the input back" "$(cat in.csv)" "$(cat dec.csv)"
out=$("$civ" decrypt --column name --column ric --record-column id enc.csv -o x.csv 2>&1); rc=$?
check "decrypt with another resource exits 1" 1 $rc
contains "the error names file, row and field" "enc.csv, row 2, field 'name'" "$out"
test ! -e x.csv || { echo "FAIL: a failed decrypt left an output file"; fail=1; }
sed '3s/^2,/7,/' enc.csv > moved.csv
out=$("$civ" decrypt -c name -c ric --record-column id --resource people moved.csv 2>&1 >/dev/null); rc=$?
check "a value moved to another record is rejected" 1 $rc
contains "the moved row is named" "row 3" "$out"
out=$("$civ" encrypt --column nope in.csv -o n.csv 2>&1); rc=$?
check "unknown column exits 2" 2 $rc
# deterministic tokens join
"$civ" encrypt --deterministic -c ric --domain person in.csv -o t1.csv && "$civ" encrypt --deterministic -c ric --domain person in.csv -o t2.csv
check "tokens are deterministic" "$(cat t1.csv)" "$(cat t2.csv)"
"$civ" decrypt --deterministic -c ric --domain person t1.csv -o t1d.csv
check "tokens decode" "$(cat in.csv)" "$(cat t1d.csv)"

# rotation keeps old data readable; destroy is explicit
out=$("$civ" keys rotate --purpose field); rc=$?
check "rotate exits 0" 0 $rc
old=$("$civ" keys list | awk '$2=="field" && $4=="active" {print $1}')
"$civ" decrypt -c name -c ric --record-column id --resource people enc.csv -o dec2.csv
check "old ciphertexts decrypt after rotation" "$(cat in.csv)" "$(cat dec2.csv)"
"$civ" keys destroy "$old" >/dev/null 2>&1; check "destroy without --yes exits 2" 2 $?
"$civ" keys destroy "$old" --yes >/dev/null; check "destroy exits 0" 0 $?
"$civ" decrypt -c name -c ric --record-column id --resource people enc.csv -o dec3.csv 2>/dev/null
check "data under a destroyed key is unreadable (exit 2)" 2 $?

# identity keys
out=$(printf '91350100M000100Y43\n91350100m000100y43\n91350100M000100Y44\n' | "$civ" id key --type uscc --domain tax); rc=$?
check "id key exits 1 when an input is invalid" 1 $rc
l1=$(sed -n 1p <<<"$out"); l2=$(sed -n 2p <<<"$out")
check "identity keys are canonical" "$l1" "$l2"
case "$l1" in ik1:????????????????:*) ;; *) echo "FAIL: identity key form: $l1"; fail=1;; esac
check "identity key length" 64 "${#l1}"
contains "invalid input line" $'invalid\tchecksum\t91350100M000100Y44' "$out"
other=$("$civ" id key --type uscc --domain health 91350100M000100Y43)
[ "$other" != "$l1" ] || { echo "FAIL: domains are not separated"; fail=1; }

# peer directory between two workspaces
"$civ" keys export-public -o a.pub.json; check "export-public exits 0" 0 $?
keyb=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$keyb" > b.key
"$civ" init --workspace b.db --key-file b.key --department 911100001000000079 >/dev/null 2>&1 || \
  "$civ" init --workspace b.db --key-file b.key --department "$("$civ" id check-char --type uscc --full 91110000100000007)" >/dev/null
out=$("$civ" keys import-public --workspace b.db --key-file b.key a.pub.json); rc=$?
check "import-public exits 0" 0 $rc
contains "import-public names the department" "imported 91350100M000100Y43 (Market Regulation): 4 public keys" "$out"
sed 's/Market Regulation/Impostor/' a.pub.json > forged.json
"$civ" keys import-public --workspace b.db --key-file b.key forged.json >/dev/null 2>&1
check "a forged public-key document exits 1" 1 $?

# peers, and sharing the identity-key secret: equal identity keys in both departments
out=$("$civ" keys peers --workspace b.db --key-file b.key --json); rc=$?
check "peers exits 0" 0 $rc
contains "peers lists the imported department" '"department": "91350100M000100Y43"' "$out"
"$civ" keys export-public --workspace b.db --key-file b.key -o b.pub.json
bdept=$(sed -n 's/.*"department": *"\([0-9A-Z]*\)".*/\1/p' b.pub.json | head -1)
"$civ" keys import-public b.pub.json >/dev/null; check "A imports B's keys" 0 $?
"$civ" keys share-identity --to "$bdept" -o ik.box >/dev/null; check "share-identity exits 0" 0 $?
grep -q "$CIVITAS_KEY" ik.box && { echo "FAIL: the master key is in the box"; fail=1; }
"$civ" keys share-identity --to 91350100M000100Y43 -o own.box >/dev/null 2>&1
check "share-identity with one's own department exits 2" 2 $?
before=$("$civ" id key --workspace b.db --key-file b.key --type uscc --domain tax 91350100M000100Y43)
[ "$before" != "$l1" ] || { echo "FAIL: identity keys equal before sharing"; fail=1; }
out=$("$civ" keys import-identity --workspace b.db --key-file b.key ik.box); rc=$?
check "import-identity exits 0" 0 $rc
contains "import-identity names the key" "imported identity key" "$out"
after=$("$civ" id key --workspace b.db --key-file b.key --type uscc --domain tax 91350100M000100Y43)
check "identity keys equal after sharing" "$l1" "$after"
"$civ" keys import-identity ik.box >/dev/null 2>&1
check "a box for another department is refused (exit 2)" 2 $?
head -c 40 ik.box > short.box
"$civ" keys import-identity --workspace b.db --key-file b.key short.box >/dev/null 2>&1
check "a truncated box is refused (exit 1)" 1 $?

# passphrase on stdin (not a tty), and change-master
out=$(printf 'pass one\n' | "$civ" init --workspace p.db --passphrase); rc=$?
check "init with a passphrase on stdin exits 0" 0 $rc
contains "passphrase workspace" "key source passphrase" "$out"
printf 'pass two\n' | "$civ" keys list --workspace p.db --passphrase >/dev/null 2>&1
check "wrong passphrase exits 2" 2 $?
printf 'pass one\npass two\n' | "$civ" keys change-master --workspace p.db --passphrase --new-passphrase >/dev/null
check "change-master exits 0" 0 $?
printf 'pass two\n' | "$civ" keys list --workspace p.db --passphrase >/dev/null; check "new passphrase opens" 0 $?
printf 'pass one\n' | "$civ" keys list --workspace p.db --passphrase >/dev/null 2>&1; check "old passphrase fails" 2 $?

# plain sqlite3 cannot read the file
if sqlite3 a.db 'SELECT * FROM sqlite_master' >/dev/null 2>&1; then echo "FAIL: sqlite3 read the workspace"; fail=1; fi

exit $fail
