#!/usr/bin/env bash
# CTest capi.symbols: libcivitas.so exports exactly the functions its public headers declare,
# each in its version node of capi/civitas.map: the stable ones in CIVITAS_<release> nodes, the
# ones declared under CIV_EXPERIMENTAL in CIVITAS_EXPERIMENTAL.
#   symbols.sh LIB SRC_DIR
set -euo pipefail
lib=${1:?library} src=${2:?source dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declarations: "name stable" or "name experimental", from the headers.
awk '
  /^#ifdef CIV_EXPERIMENTAL/ { ex = 1 }
  /^#endif \/\* CIV_EXPERIMENTAL \*\// { ex = 0 }
  /^CIV_API/ {
    line = $0
    sub(/\(.*/, "", line)
    n = split(line, w, /[ *]+/)
    print w[n], (ex ? "experimental" : "stable")
  }
' "$src"/capi/include/civitas/*.h | sort >"$tmp/declared"

# Exports: "name stable" (a CIVITAS_<n> node) or "name experimental".
nm -D --defined-only "$lib" | awk '$2 == "T" {
  split($3, s, "@+")
  if (s[1] ~ /^civ_/) print s[1], (s[2] == "CIVITAS_EXPERIMENTAL" ? "experimental" : "stable")
  else print s[1], "unexpected"
}' | sort >"$tmp/exported"

if ! diff -u "$tmp/declared" "$tmp/exported"; then
  echo "symbols.sh: the exports of $lib (+) differ from the declarations of capi/include (-):" >&2
  echo "  list every function in capi/civitas.map, in CIVITAS_EXPERIMENTAL when it is declared under CIV_EXPERIMENTAL" >&2
  exit 1
fi
echo "symbols.sh: $(grep -c ' stable' "$tmp/declared") stable and $(grep -c ' experimental' "$tmp/declared") experimental functions, all exported in their node"
