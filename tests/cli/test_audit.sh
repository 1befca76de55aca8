#!/usr/bin/env bash
# The `civitas audit` CLI contract: append (single, --batch), log [--json] with filters,
# checkpoint, prove, consistency, public-key, verify [--checkpoint], witness; exit codes.
# Then the independent Python verifier (tests/python/test_audit_verify_independent.py), which
# re-verifies the CLI's output using only docs/formats/.
set -uo pipefail
civ=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CIVITAS_KEY=$(printf 'ef%.0s' $(seq 32)) CIVITAS_WORKSPACE=$tmp/ws.db CIVITAS_USER=cli-test
D=91110000MA0000000H

"$civ" init --department $D --name "Audit CLI test" >/dev/null; check "init" 0 $?

out=$("$civ" audit append --actor $D:alice --action data.read --resource res-1 --purpose check --details '{"b":1,"a":2}'); rc=$?
check "append prints the index (entry 0 is workspace.create)" "1" "$out"
check "append exits 0" 0 $rc

out=$(printf '{"actor":"%s:bob","action":"x.y","resource":"r2","details":{"k":"v"}}\n\n{"actor":"%s","action":"x.z"}\n' $D $D |
      "$civ" audit append --batch); rc=$?
check "batch append reports the range" "appended 2 entries: 2..3" "$out"
check "batch exits 0" 0 $rc

out=$(printf '{"actor":"%s","action":"ok"}\n{"actor":"%s","action":"bad","details":{"x":1.5}}\n' $D $D |
      "$civ" audit append --batch 2>&1); rc=$?
check "a bad batch line is refused with exit 2" 2 $rc
case "$out" in *"row 2"*) ;; *) check "bad batch names the line" "row 2" "$out";; esac
out=$("$civ" audit log | wc -l); check "a refused batch appends nothing" "4" "$(echo $out)"

"$civ" audit append --actor not-a-uscc --action x 2>/dev/null; check "bad actor exits 2" 2 $?
"$civ" audit append --actor $D --action x --details '[1]' 2>/dev/null; check "non-object details exit 2" 2 $?

out=$("$civ" audit log --action x.y | cut -f1,3,4,5); rc=$?
check "log filters by action" "2	$D:bob	x.y	r2" "$out"
out=$("$civ" audit log --actor $D:alice | cut -f1); check "log filters by actor with user" "1" "$out"
out=$("$civ" audit log --resource r2 --json); rc=$?
case "$out" in *'"index":2'*) ;; *) check "log --json has index" "index 2" "$out";; esac
case "$out" in *'"entry":"AQ'*) ;; *) check "log --json has base64 entry" "entry" "$out";; esac
case "$out" in *'"leaf_hash":"'*) ;; *) check "log --json has leaf_hash" "leaf_hash" "$out";; esac
case "$out" in *'"details":{"k":"v"}'*) ;; *) check "log --json has decoded details" "details" "$out";; esac
out=$("$civ" audit log --since 2000-01-01T00:00:00Z --until 2000-01-02 | wc -l); check "time range filter" "0" "$(echo $out)"
out=$("$civ" audit log --since 2000-01-01 | wc -l); check "time range filter (since)" "4" "$(echo $out)"
"$civ" audit log --since yesterday 2>/dev/null; check "bad time exits 2" 2 $?

"$civ" audit checkpoint > "$tmp/cp4"; check "checkpoint exits 0" 0 $?
check "checkpoint origin line" "civitas/audit/$D" "$(sed -n 1p "$tmp/cp4")"
check "checkpoint size line" "4" "$(sed -n 2p "$tmp/cp4")"
check "checkpoint blank line" "" "$(sed -n 4p "$tmp/cp4")"
case "$(sed -n 5p "$tmp/cp4")" in "— civitas/audit/$D "*) ;; *) check "signature line" "— name sig" "$(sed -n 5p "$tmp/cp4")";; esac
"$civ" audit checkpoint > "$tmp/cp4b"; check "an unchanged log gives the same checkpoint" "$(cat "$tmp/cp4")" "$(cat "$tmp/cp4b")"

key=$("$civ" audit public-key); check "public-key exits 0" 0 $?
case "$key" in "civitas/audit/$D+"????????"+"*) ;; *) check "verifier key format" "name+hash+key" "$key";; esac

out=$("$civ" audit prove --index 1 --json); check "prove exits 0" 0 $?
case "$out" in *'"leaf_index":1'*'"tree_size":4'*|*'"tree_size":4'*'"leaf_index":1'*) ;; *) check "prove json" "leaf_index/tree_size" "$out";; esac
"$civ" audit prove --index 4 --json 2>/dev/null; check "prove past the end exits 2" 2 $?

for i in 1 2 3; do "$civ" audit append --actor $D --action more >/dev/null; done
"$civ" audit checkpoint > "$tmp/cp7"
"$civ" audit consistency --from 4 --to 7 --json > "$tmp/proof"; check "consistency exits 0" 0 $?
case "$(cat "$tmp/proof")" in *'"first":4'*'"second":7'*) ;; *) check "consistency json" "first/second" "$(cat "$tmp/proof")";; esac
out=$("$civ" audit witness --key "$key" --old "$tmp/cp4" --new "$tmp/cp7" --proof "$tmp/proof"); rc=$?
check "witness accepts a consistent pair" 0 $rc
"$civ" audit consistency --from 3 --to 7 --json > "$tmp/proof3"
"$civ" audit witness --key "$key" --old "$tmp/cp4" --new "$tmp/cp7" --proof "$tmp/proof3" 2>/dev/null
check "witness refuses a proof for other sizes" 2 $?
sed 's/^7$/8/' "$tmp/cp7" > "$tmp/cp7forged"
"$civ" audit witness --key "$key" --old "$tmp/cp4" --new "$tmp/cp7forged" --proof "$tmp/proof" 2>/dev/null
check "witness refuses a forged checkpoint (exit 1)" 1 $?

out=$("$civ" audit verify --checkpoint "$tmp/cp4"); rc=$?
check "verify exits 0 on an intact log" 0 $rc
case "$out" in ok:*) ;; *) check "verify says ok" "ok: …" "$out";; esac
"$civ" audit verify --checkpoint "$tmp/cp7forged" >/dev/null; check "verify with a forged checkpoint exits 1" 1 $?

py=$here/../../.venv/bin/python
[ -x "$py" ] || py=$(command -v python3)
CIVITAS_CLI=$civ "$py" "$here/../python/test_audit_verify_independent.py" || { echo "FAIL: independent Python verifier"; fail=1; }

[ $fail = 0 ] && echo "all audit CLI checks passed"
exit $fail
