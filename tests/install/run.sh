#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a consumer of it
# through find_package(civitas) and through pkg-config.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/civitas"
test -f "$tmp/prefix/include/civitas/civitas.h"
"$tmp/prefix/bin/civitas" --version
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cmake -S "$src/tests/install" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DEXAMPLE="$src/examples/c/validate_ids.c" -DEXAMPLE_SIGN="$src/examples/c/sign_verify.c" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
# No LD_LIBRARY_PATH: a program built against a non-system prefix finds the library by its
# rpath (CMake's build rpath; the -Wl,-rpath of civitas.pc), as docs/c-api.md says.
unset LD_LIBRARY_PATH
"$tmp/consumer/consumer_cmake"
"$tmp/consumer/consumer_pkgconfig" >/dev/null
"$tmp/consumer/consumer_cmake_sign"
"$tmp/consumer/consumer_pkgconfig_sign" >/dev/null
# The plain compiler line of docs/c-api.md.
# shellcheck disable=SC2046
cc -std=c99 "$src/examples/c/validate_ids.c" -o "$tmp/plain" $(pkg-config --cflags --libs civitas)
"$tmp/plain" >/dev/null
# The installed headers declare the experimental functions only on request, and the
# installed library exports them in their own version node.
printf '#include <civitas/civitas.h>\nint f(void) { return civ_package_open(0, 0, 0, 0, 0, 0); }\n' >"$tmp/exp.c"
if cc -std=c99 -Werror -c -I"$tmp/prefix/include" "$tmp/exp.c" -o "$tmp/exp.o" 2>/dev/null; then
  echo "install consumer: an experimental function is declared without CIV_EXPERIMENTAL" >&2
  exit 1
fi
cc -std=c99 -Werror -DCIV_EXPERIMENTAL -c -I"$tmp/prefix/include" "$tmp/exp.c" -o "$tmp/exp.o"
lib="$tmp/prefix/lib/libcivitas.so.0"
nm -D --defined-only "$lib" >"$tmp/syms"
grep -q 'civ_package_open@@CIVITAS_EXPERIMENTAL' "$tmp/syms"
grep -q 'civ_crypto_sign@@CIVITAS_0.1' "$tmp/syms"
echo "install consumer: ok"
