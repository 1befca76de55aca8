// Shared by the fuzz targets: a property check that survives NDEBUG and stops the fuzzer
// (libFuzzer reports __builtin_trap as a crash and saves the input).
#pragma once

#include <cstdio>

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                 \
    }                                                                                   \
  } while (0)
