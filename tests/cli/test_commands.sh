#!/usr/bin/env bash
# Every command is reachable: a run sets up only the command groups its command needs
# (cli/main.cpp), and a group may touch only the top-level commands it names in its
# Register (else a logic error, exit 2). `civitas --help` sets up every group, so it checks
# every group's names; then each command and subcommand listed in any help answers its own
# --help (exit 0, usage line naming it), and each top-level command's help lists the same
# subcommands whether the run names it first or after `--division-table FILE`.
set -uo pipefail
civ=$1
here=$(cd "$(dirname "$0")" && pwd)
fail=0
t=$(mktemp -d /tmp/civitas-commands-XXXXXX)
trap 'rm -rf "$t"' EXIT

subcommands() {  # the names under "Subcommands:" in a help text on stdin
  awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1}'
}

if ! "$civ" --help > "$t/root" 2> "$t/err"; then
  echo "FAIL: civitas --help: $(cat "$t/err")"; exit 1
fi
top=$(subcommands < "$t/root")
[ "$(echo "$top" | wc -l)" -ge 15 ] || { echo "FAIL: civitas --help lists too few commands: $top"; fail=1; }
# `civitas --help deid` is deid's help, as `civitas deid --help` is.
"$civ" --help deid > "$t/h1" 2>&1
"$civ" deid --help > "$t/h2" 2>&1
cmp -s "$t/h1" "$t/h2" || { echo "FAIL: civitas --help deid differs from civitas deid --help"; fail=1; }

n=0
walk() {  # command words...
  local out
  if ! out=$("$civ" "$@" --help 2>&1); then
    echo "FAIL: civitas $* --help exits non-zero: $out"; fail=1; return
  fi
  case "$out" in *"Usage: civitas $* "*) ;; *) echo "FAIL: civitas $* --help does not show its usage"; fail=1; return;; esac
  n=$((n + 1))
  local s
  for s in $(echo "$out" | subcommands); do walk "$@" "$s"; done
}
for c in $top; do walk "$c"; done
[ "$n" -ge 60 ] || { echo "FAIL: only $n commands and subcommands reached"; fail=1; }

# The built-in table written out and given back: the command after a root option and its
# value is still found.
printf '110000 北京市\n110100 北京市市辖区\n' > "$t/loc.dat"
for c in $top; do
  a=$("$civ" "$c" --help 2>&1 | subcommands)
  b=$("$civ" --division-table "$t/loc.dat" "$c" --help 2>&1 | subcommands)
  [ "$a" = "$b" ] || { echo "FAIL: civitas $c --help lists other subcommands after --division-table"; fail=1; }
done

[ $fail = 0 ] && echo "ok: $n commands and subcommands reachable"
exit $fail
