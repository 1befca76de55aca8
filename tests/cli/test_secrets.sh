#!/usr/bin/env bash
# Issue 12, "Secrets and the at-rest format": the CLI keeps its memory out of core dumps. It
# sets its core size limit to 0 (even when started with an unlimited one) and makes itself
# non-dumpable (prctl PR_SET_DUMPABLE 0), which the kernel shows by giving the process's
# /proc/<pid> files to root instead of the process's user.
set -uo pipefail
civ=$1
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'exec 7>&- 2>/dev/null; rm -rf "$dir"' EXIT

# A CLI that waits on stdin (a fifo nobody writes yet), so that its /proc entry can be read.
start() {  # command prefix...; sets $pid
  rm -f "$dir/in"; mkfifo "$dir/in"; chmod 666 "$dir/in"
  (ulimit -c unlimited 2>/dev/null || ulimit -c 1000000; exec "$@" "$civ" id validate --type uscc <"$dir/in" >/dev/null) &
  pid=$!
  exec 7>"$dir/in"  # opens the fifo: the CLI's open returns and it blocks reading
  for _ in $(seq 100); do
    [ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$(readlink -f "$civ")" ] && break
    sleep 0.05
  done
  sleep 0.2  # past main()'s first statements
}
stop() { exec 7>&-; wait "$pid" 2>/dev/null; }

start
limit=$(awk '/^Max core file size/ {print $5 " " $6}' /proc/$pid/limits)
check "RLIMIT_CORE is 0 (soft and hard), though started unlimited" "0 0" "$limit"
stop

# Non-dumpable: the process's /proc files belong to root, not to its user. Needs a second
# user to run the CLI as (root can, through setpriv); skipped otherwise.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
   setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -x "$civ" 2>/dev/null; then
  start setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups
  owner=$(stat -c %U /proc/$pid/environ)
  check "the CLI is not dumpable (/proc/<pid>/environ owned by root, not nobody)" "root" "$owner"
  stop
  # The contrast, so that the check above can fail: an ordinary process of nobody's.
  (exec setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups sleep 5) &
  sp=$!
  sleep 0.3
  check "an ordinary process's /proc files belong to its user" "nobody" "$(stat -c %U /proc/$sp/environ)"
  kill $sp 2>/dev/null; wait $sp 2>/dev/null
else
  echo "SKIP: the dumpable check needs root, setpriv and a user nobody that can run $civ"
fi

exit $fail
