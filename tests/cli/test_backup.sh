#!/usr/bin/env bash
# The CLI of backup and restore (issue 18, docs/recovery.md, docs/formats/backup.md):
# recovery-key generate, backup (while another process writes, and killed with -9), backup
# verify (own keys, a key document), restore (new master key, --checkpoint), every table
# compared, tampering refused with exit 1, and the audit entries of both.
set -uo pipefail
civ=$(realpath "$1")
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tmp=$(mktemp -d)
writer=
trap '[ -n "$writer" ] && kill -9 $writer 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
D=91350100M000100Y43
printf 'aa%.0s' $(seq 32) > k
printf 'bb%.0s' $(seq 32) > k2
W=(-w ws.db --key-file k)
export CIVITAS_USER=cli-backup
"$civ" init "${W[@]}" --department $D >/dev/null; check "init" 0 $?

# recovery keys: private 0600, public beside it; never over an existing file
"$civ" recovery-key generate -o R.key >/dev/null; check "recovery-key generate" 0 $?
check "the private key is 0600" 600 "$(stat -c %a R.key)"
check "the public key has no secret" 0 "$(grep -c secret_key R.key.pub)"
"$civ" recovery-key generate -o R.key >/dev/null 2>&1; check "generate over an existing key exits 2" 2 $?
"$civ" recovery-key generate -o R2.key >/dev/null

lines() { for i in $(seq "$1"); do echo "{\"actor\":\"$D:clerk\",\"action\":\"data.read\",\"resource\":\"$2$i\"}"; done; }
lines 200 a | "$civ" audit append "${W[@]}" --batch >/dev/null
"$civ" audit checkpoint "${W[@]}" > cp-early.txt

# a backup while another process keeps appending
( while :; do lines 50 w | "$civ" audit append "${W[@]}" --batch >/dev/null 2>&1; done ) &
writer=$!
sleep 0.3
"$civ" backup "${W[@]}" --recipient R.key.pub --recipient R2.key.pub -o b.civbak --json > b.json
check "backup under concurrent writes exits 0" 0 $?
kill -9 $writer 2>/dev/null; wait $writer 2>/dev/null; writer=
n=$(python3 -c 'import json,sys; print(json.load(open("b.json"))["audit"]["size"])')
check "the backup holds the entries of before" 1 "$([ "$n" -ge 201 ] && echo 1 || echo 0)"
check "the backup is audited" 1 "$("$civ" audit log "${W[@]}" --action backup.create --json | grep -c '"outcome":"ok"')"

# verify: own keys, the department's key document; exit codes
"$civ" backup verify b.civbak "${W[@]}" >/dev/null; check "verify (own keys) exits 0" 0 $?
"$civ" keys export-public "${W[@]}" -o mr.pub
"$civ" backup verify b.civbak --public-key mr.pub >/dev/null; check "verify --public-key exits 0" 0 $?
"$civ" backup verify nothing.civbak --public-key mr.pub >/dev/null 2>&1; check "verify of a missing file exits 2" 2 $?

# tampering: a flipped byte in the header, the payload, the trailer; truncation; exit 1
size=$(stat -c %s b.civbak)
for pos in 30 200 $((size / 2)) $((size - 100)) $((size - 1)); do
  cp b.civbak t.civbak
  printf "\\x$(printf %02x $(( ($(od -An -tu1 -j$pos -N1 b.civbak) ^ 1) )))" | dd of=t.civbak bs=1 seek=$pos conv=notrunc 2>/dev/null
  "$civ" backup verify t.civbak --public-key mr.pub >/dev/null 2>&1; check "a flipped byte at $pos: exit 1" 1 $?
done
head -c $((size - 7)) b.civbak > t.civbak
"$civ" backup verify t.civbak --public-key mr.pub > /dev/null 2> err.txt; check "truncated: exit 1" 1 $?
check "truncated: named" 1 "$(grep -c truncated err.txt)"
"$civ" restore t.civbak --recovery-key R.key -w bad.db --key-file k2 >/dev/null 2>&1; check "restore of a truncated backup: exit 1" 1 $?
check "no workspace from a refused restore" "no" "$([ -e bad.db ] || [ -e bad.db.header ] && echo yes || echo no)"

# another department's backup
printf 'cc%.0s' $(seq 32) > ko
"$civ" init -w o.db --key-file ko --department 11350100MB00000012 >/dev/null
"$civ" backup -w o.db --key-file ko --recipient R.key.pub -o o.civbak >/dev/null
"$civ" backup verify o.civbak --public-key mr.pub >/dev/null 2>&1; check "another department's backup: exit 1" 1 $?
"$civ" backup verify o.civbak "${W[@]}" >/dev/null 2>&1; check "... against own keys: exit 1" 1 $?

# restore with the second recovery key and a new master key; every table compared
lines 5 after | "$civ" audit append "${W[@]}" --batch >/dev/null
"$civ" audit checkpoint "${W[@]}" > witness.txt
"$civ" restore b.civbak --recovery-key R2.key -w new.db --key-file k2 --checkpoint witness.txt --public-key mr.pub >/dev/null
check "restore exits 0" 0 $?
"$civ" keys list -w new.db --key-file k >/dev/null 2>&1; check "the old master key does not open the restored workspace" 2 $?
"$civ" audit verify -w new.db --key-file k2 >/dev/null; check "the restored log verifies" 0 $?
m=$(head -2 witness.txt | tail -1)
"$civ" audit log -w new.db --key-file k2 --action backup.restore --json > restore.json
check "the first entry of the new epoch is the restore" "$n" "$(python3 -c 'import json; print(json.load(open("restore.json"))["index"])')"
check "it records the entries lost" "$((m - n))" "$(python3 -c 'import json; print(json.load(open("restore.json"))["details"]["lost"])')"
check "and the old origin" "civitas/audit/$D" "$(python3 -c 'import json; print(json.load(open("restore.json"))["details"]["old_origin"])')"
"$civ" audit log -w new.db --key-file k2 --action package.require_statements --json > req.json
check "the restore makes every provider wait for its sequence statement" "$((n + 1))" "$(python3 -c 'import json; print(json.load(open("req.json"))["index"])')"
"$civ" audit checkpoint -w new.db --key-file k2 | head -1 > origin.txt
check "the log continues under a new origin" "civitas/audit/$D/epoch-2" "$(cat origin.txt)"
# the keyring, the peers and the catalog of both are the same
for cmd in "keys list" "keys peers" "catalog list"; do
  check "$cmd is the same" "$("$civ" $cmd "${W[@]}" 2>&1)" "$("$civ" $cmd -w new.db --key-file k2 2>&1)"
done
"$civ" restore b.civbak --recovery-key R.key -w new.db --key-file k2 >/dev/null 2>&1; check "restore over a workspace: exit 2" 2 $?
"$civ" recovery-key generate -o R4.key >/dev/null
"$civ" restore b.civbak --recovery-key R4.key -w n4.db --key-file k2 >/dev/null 2>err.txt; check "a key that is not a recipient: exit 2" 2 $?
check "... named" 1 "$(grep -c 'not encrypted to recovery key' err.txt)"

# a passphrase as the new master key
echo 'new passphrase here' | "$civ" restore b.civbak --recovery-key R.key -w pass.db --passphrase >/dev/null
check "restore with --passphrase exits 0" 0 $?
echo 'new passphrase here' | "$civ" keys list -w pass.db --passphrase >/dev/null; check "... and it opens with it" 0 $?

# kill -9 during backups: a file under a backup's name is always complete
mkdir kills
for i in $(seq 12); do
  "$civ" backup "${W[@]}" --recipient R.key.pub -o kills/b$i.civbak >/dev/null 2>&1 &
  pid=$!
  sleep 0.$((RANDOM % 4))$((RANDOM % 10))
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
done
bad=0; complete=0
for f in kills/*.civbak; do
  [ -e "$f" ] || continue
  if "$civ" backup verify "$f" --public-key mr.pub >/dev/null 2>&1; then complete=$((complete + 1)); else bad=$((bad + 1)); fi
done
check "no partial file under a backup's name after kill -9" 0 $bad
echo "kill -9 drill: $complete complete backups, $(ls kills | grep -c -e '\.tmp-' -e '\.snap-') temporary files left"

exit $fail
