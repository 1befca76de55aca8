#!/usr/bin/env bash
# The `civitas id` CLI contract: output lines, exit codes, stdin, --json, --help.
set -uo pipefail
civ=$1
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tab=$'\t'

out=$("$civ" id validate --type uscc 91350100M000100Y43 91350100m000100y43); rc=$?
check "valid codes print valid<TAB>canonical" "valid${tab}91350100M000100Y43
valid${tab}91350100M000100Y43" "$out"
check "all valid exits 0" 0 $rc

out=$("$civ" id validate --type uscc 91350100M000100Y44 91350100M000100Y43); rc=$?
check "invalid prints invalid<TAB>reason<TAB>input, in input order" "invalid${tab}checksum${tab}91350100M000100Y44
valid${tab}91350100M000100Y43" "$out"
check "any invalid exits 1" 1 $rc

out=$(printf '11010519491231002X\r\n110105491231002\n\n' | "$civ" id validate --type ric); rc=$?
check "stdin, one code per line (CRLF too); empty line is invalid" "valid${tab}11010519491231002X
valid${tab}11010519491231002X
invalid${tab}length${tab}" "$out"
check "stdin with an invalid line exits 1" 1 $rc

out=$("$civ" id validate --type orgcode --json 60003734-1); rc=$?
case "$out" in *'"valid":true'*'"canonical":"600037341"'*|*'"canonical":"600037341"'*'"valid":true'*) ;; *) check "json output" "valid json" "$out";; esac
check "json valid exits 0" 0 $rc

"$civ" id validate --type passport 123 >/dev/null 2>&1; check "unknown type is a usage error" 2 $?
"$civ" id validate >/dev/null 2>&1; check "missing --type is a usage error" 2 $?
"$civ" id validate --type uscc --bogus >/dev/null 2>&1; check "unknown flag is a usage error" 2 $?
"$civ" --version >/dev/null; check "--version exits 0" 0 $?
for c in "" "id" "id validate" "id parse" "id check-char"; do
  "$civ" $c --help >/dev/null; check "--help on '$c'" 0 $?
done

s=$(printf 'Y' | head -c 1)
out=$("$civ" id validate --type uscc --strict 9199999900000000$s"$( "$civ" id check-char --type uscc 9199999900000000$s)"); rc=$?
check "--strict turns an unknown region into an error" 1 $rc
case "$out" in invalid${tab}region${tab}*) ;; *) check "--strict reason" "invalid<TAB>region" "$out";; esac

out=$("$civ" id check-char --type uscc 91350100M000100Y4); check "check-char" "3" "$out"
out=$("$civ" id check-char --type uscc --full 91350100M000100Y4); check "check-char --full" "91350100M000100Y43" "$out"
"$civ" id check-char --type uscc 123 >/dev/null 2>&1; check "check-char on a bad body exits 2" 2 $?
out=$("$civ" id parse --type ric --json 110105491231002)
case "$out" in *'"legacy":"110105491231002"'*) ;; *) check "parse legacy" "legacy field" "$out";; esac

printf '# t\n990101 county="新区" prefecture="新市" province="新省"\n' > "${TMPDIR:-/tmp}/civ_loc_$$.dat"
out=$("$civ" --division-table "${TMPDIR:-/tmp}/civ_loc_$$.dat" id validate --type gb2260 990101 371702); rc=$?
rm -f "${TMPDIR:-/tmp}/civ_loc_$$.dat"
check "--division-table replaces the table" "valid${tab}990101
invalid${tab}region${tab}371702" "$out"

exit $fail
