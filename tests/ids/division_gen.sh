#!/usr/bin/env bash
# The build-time generator of the built-in GB/T 2260 table on bad input: a missing file, a
# malformed line, a name too long for the packed form. Each fails with exit 1, a message
# that names the problem (and the line), and no output file; a good table gives one.
#   tests/ids/division_gen.sh path/to/civitas_division_gen
set -u
gen=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

expect_error() {  # name, input file, expected message part
  local name=$1 in=$2 want=$3
  "$gen" "$in" "label" "$work/out.cpp" 2>"$work/err"
  local rc=$?
  if [ "$rc" -ne 1 ]; then echo "FAIL $name: exit $rc, expected 1"; fail=1; fi
  if ! grep -qF -- "$want" "$work/err"; then echo "FAIL $name: message lacks '$want':"; cat "$work/err"; fail=1; fi
  if [ -e "$work/out.cpp" ] || [ -e "$work/out.cpp.tmp" ]; then echo "FAIL $name: output written"; fail=1; fi
  rm -f "$work/out.cpp" "$work/out.cpp.tmp"
}

expect_error missing "$work/none.dat" "cannot open"

printf '371702 county="牡丹区" prefecture="菏泽市" province="山东省"\n37170 county="x"\n' >"$work/bad.dat"
expect_error malformed "$work/bad.dat" "a line must start with a six-digit code"
grep -qF "row 2" "$work/err" || { echo "FAIL malformed: no line number:"; cat "$work/err"; fail=1; }

printf '371702 county="%s" province="山东省"\n' "$(printf 'x%.0s' $(seq 300))" >"$work/long.dat"
expect_error long_name "$work/long.dat" "longer than 255 bytes"

"$gen" "$work/none.dat" 2>"$work/err"
[ $? -eq 2 ] && grep -qF usage "$work/err" || { echo "FAIL usage: expected exit 2 and usage"; fail=1; }

printf '371702 county="牡丹区" prefecture="菏泽市" province="山东省"\n' >"$work/good.dat"
if ! "$gen" "$work/good.dat" 'a "label"' "$work/out.cpp" 2>"$work/err"; then
  echo "FAIL good: generator failed:"; cat "$work/err"; fail=1
else
  # 371702 and its derived 370000, 371700, plus 100000.
  n=$(grep -cE '^    \{[0-9]+, [0-9]+, [0-9]+, [0-9]+\},$' "$work/out.cpp")
  [ "$n" -eq 4 ] || { echo "FAIL good: $n entries, expected 4"; fail=1; }
  grep -qF 'kBuiltinDivisionLabel[] = "a \042label\042";' "$work/out.cpp" || { echo "FAIL good: label not escaped"; fail=1; }
fi

[ "$fail" -eq 0 ] && echo "division_gen: all checks passed"
exit "$fail"
