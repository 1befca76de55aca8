#!/usr/bin/env bash
# CTest capi.nodiscard: CIV_NODISCARD works: a C program that ignores the code of a fallible
# function does not compile with -Werror, and the same program checking it does.
#   nodiscard.sh C_COMPILER INCLUDE_DIR GENERATED_INCLUDE_DIR
set -euo pipefail
cc=$1 inc=$2 geninc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/ignored.c" <<'C'
#include "civitas/civitas.h"
void f(civ_ctx *ctx) { civ_ctx_check(ctx); }
C
cat >"$tmp/checked.c" <<'C'
#include "civitas/civitas.h"
int f(civ_ctx *ctx) { return civ_ctx_check(ctx) == CIV_OK; }
C
"$cc" -std=c99 -Wall -Werror -c -o "$tmp/checked.o" -I"$inc" -I"$geninc" "$tmp/checked.c"
if "$cc" -std=c99 -Wall -Werror -c -o "$tmp/ignored.o" -I"$inc" -I"$geninc" "$tmp/ignored.c" 2>"$tmp/err"; then
  echo "nodiscard.sh: ignoring the result of civ_ctx_check compiled without a warning" >&2
  exit 1
fi
grep -q "unused-result\|warn_unused_result" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
echo "nodiscard.sh: an ignored return code is a compile error with -Werror"
