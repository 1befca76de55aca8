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
  -DEXAMPLE="$src/examples/c/validate_ids.c" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/consumer/consumer_cmake"
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/consumer/consumer_pkgconfig" >/dev/null
echo "install consumer: ok"
