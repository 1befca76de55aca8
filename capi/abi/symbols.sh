#!/usr/bin/env bash
# CTest capi.symbols: libcivitas.so exports exactly the functions its public headers declare,
# each in its version node of capi/civitas.map: the stable ones in CIVITAS_<release> nodes, the
# ones declared under CIV_EXPERIMENTAL in CIVITAS_EXPERIMENTAL. And every function returning
# an int code carries CIV_NODISCARD and documents the codes it returns (its comment names
# CIV_OK), and no function has more than 6 parameters, counting a (pointer, length) or
# (buffer, capacity) pair, a list (pointers, lengths, count) and a column (data, offsets,
# count) as one.
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

# Fallible functions: CIV_NODISCARD, and the codes in the comment just above.
awk '
  /\/\*\*/ { comment = "" ; incomment = 1 }
  incomment { comment = comment $0 "\n" }
  incomment && /\*\// { incomment = 0; last = comment; gap = 0; next }
  /^CIV_API int / && !/civ_version_number/ { print FILENAME ": " $0 ": an int code without CIV_NODISCARD"; bad = 1 }
  /^CIV_API CIV_NODISCARD int / {
    if (last !~ /CIV_OK|@return/ || gap) { print FILENAME ": " $0 ": its comment does not list the codes it returns"; bad = 1 }
  }
  /;[ \t]*$/ && !incomment { gap = 1 }
  END { exit bad }
' "$src"/capi/include/civitas/*.h || { echo "symbols.sh: fallible functions must carry CIV_NODISCARD and document their codes" >&2; exit 1; }

# At most 6 parameters: the second of a pair (*_len, *_cap, *_lens, lengths, count,
# *_count but an output count) and a column's offsets do not count.
awk '
  /^CIV_API/ { decl = ""; indecl = 1 }
  indecl { decl = decl " " $0 }
  indecl && /\);/ {
    indecl = 0
    name = decl; sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]
    params = decl; sub(/^[^(]*\(/, "", params); sub(/\);.*$/, "", params)
    if (params ~ /^[ ]*void[ ]*$/) next
    np = split(params, p, ",")
    count = 0
    for (i = 1; i <= np; ++i) {
      pn = p[i]; sub(/\[.*\]/, "", pn); sub(/[ ]+$/, "", pn); k = split(pn, pw, /[ *]+/); pn = pw[k]
      ++count
      if (pn ~ /(_len|_cap|_lens|^lengths|^count|_count)$/ && pn !~ /^out_(.*_)?count$/) --count
      else if (pn == "offsets") --count
    }
    if (count > 6) { print FILENAME ": " name " has " count " parameters (pairs counted once): take a struct"; bad = 1 }
  }
  END { exit bad }
' "$src"/capi/include/civitas/*.h || { echo "symbols.sh: a function has more than 6 parameters" >&2; exit 1; }

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
