/* Shared by the C API test programs: a CHECK that counts
 * failures and prints the last civitas error, and a whole-file reader. */
#ifndef CIVITAS_CAPI_TEST_H
#define CIVITAS_CAPI_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "civitas/civitas.h"

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, civ_error_last()->message);                     \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* The whole file, NUL-terminated, its length in *len; NULL when it cannot be read. */
static inline char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (buf) buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

#endif /* CIVITAS_CAPI_TEST_H */
