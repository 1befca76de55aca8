#define _POSIX_C_SOURCE 200809L
/* Issue 18 from C: key escrow (civ_keys_escrow, civ_keys_recover) and provider sequence
 * statements (civ_package_statement, civ_package_import_statement,
 * civ_package_require_statements). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static civ_key_source raw(const char *k32) {
  civ_key_source k = CIV_KEY_SOURCE_INIT;
  k.kind = CIV_KEY_RAW;
  k.secret = k32;
  k.secret_len = 32;
  return k;
}

/* The i-th string of a JSON array of strings escaped only with \n, \" and \\ (what
 * civ_keys_escrow writes); malloc'd, its length in *len; NULL when there is none. */
static char *nth_string(const char *arr, int i, size_t *len) {
  const char *p = arr;
  char *out, *o;
  int k;
  for (k = 0; k <= i; ++k) {
    p = strchr(p, '"');
    if (!p) return NULL;
    if (k < i) {  /* skip this string */
      for (++p; *p && *p != '"'; ++p)
        if (*p == '\\') ++p;
      ++p;
    }
  }
  out = o = malloc(strlen(p) + 1);
  for (++p; *p && *p != '"'; ++p) {
    if (*p == '\\') {
      ++p;
      *o++ = *p == 'n' ? '\n' : *p;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  *len = (size_t)(o - out);
  return out;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-escrow-XXXXXX";
  char pa[256], pb[256];
  civ_ctx *a = NULL, *b = NULL, *back = NULL;
  civ_key_source ka = raw("0123456789abcdef0123456789abcdef");
  civ_key_source kb = raw("fedcba9876543210fedcba9876543210");
  civ_key_source knew = raw("new master key, thirty-two bytes");
  civ_ctx_options oa = CIV_CTX_OPTIONS_INIT, ob = CIV_CTX_OPTIONS_INIT;
  const char *da = "91350100M000100Y43", *db = "911100001000000248";
  char *shares = NULL, *doc = NULL, *provider = NULL, *st = NULL;
  const char *docs[3];
  size_t lens[3];
  char *s[3];
  int i;

  if (!mkdtemp(dir)) return 2;
  snprintf(pa, sizeof pa, "%s/a.db", dir);
  snprintf(pb, sizeof pb, "%s/b.db", dir);
  oa.department = da;
  oa.department_len = strlen(da);
  ob.department = db;
  ob.department_len = strlen(db);
  CHECK(civ_ctx_create(&a, pa, strlen(pa), &ka, &oa) == CIV_OK);
  CHECK(civ_ctx_create(&b, pb, strlen(pb), &kb, &ob) == CIV_OK);

  /* escrow: 3 shares, 2 rebuild */
  CHECK(civ_keys_escrow(&shares, a, 2, 3) == CIV_EINVAL);
  CHECK(civ_keys_escrow(NULL, a, 3, 2) == CIV_EINVAL);
  CHECK(civ_keys_escrow(&shares, a, 3, 2) == CIV_OK);
  for (i = 0; i < 3; ++i) {
    s[i] = nth_string(shares, i, &lens[i]);
    CHECK(s[i] != NULL && strstr(s[i], "\"format\": \"civitas-escrow-share\"") != NULL);
    docs[i] = s[i];
  }
  memset(shares, 0, strlen(shares));
  civ_free(shares);
  civ_ctx_free(a);
  a = NULL;

  /* too few, repeated, then shares 3 and 1 onto a new raw key */
  CHECK(civ_keys_recover(&back, pa, strlen(pa), docs, lens, 1, &knew) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "needs 2 shares; 1 given") != NULL);
  {
    const char *twice[2];
    size_t tl[2];
    twice[0] = docs[0];
    twice[1] = docs[0];
    tl[0] = tl[1] = lens[0];
    CHECK(civ_keys_recover(&back, pa, strlen(pa), twice, tl, 2, &knew) == CIV_EINVALIDDATA);
  }
  CHECK(civ_keys_recover(&back, pa, strlen(pa), docs, lens, 3, NULL) == CIV_EINVAL);
  CHECK(back == NULL);
  {
    const char *pick[2];
    size_t pl[2];
    pick[0] = docs[2];
    pick[1] = docs[0];
    pl[0] = lens[2];
    pl[1] = lens[0];
    CHECK(civ_keys_recover(&back, pa, strlen(pa), pick, pl, 2, &knew) == CIV_OK);
  }
  CHECK(back != NULL);
  civ_ctx_free(back);
  CHECK(civ_ctx_open(&a, pa, strlen(pa), &ka, NULL) == CIV_EKEY);
  CHECK(civ_ctx_open(&a, pa, strlen(pa), &knew, NULL) == CIV_OK);
  for (i = 0; i < 3; ++i) {
    memset(s[i], 0, lens[i]);
    free(s[i]);
  }

  /* statements: B requires them; A's statement is imported; a changed one is refused */
  CHECK(civ_keys_export_public(&doc, a) == CIV_OK);
  CHECK(civ_keys_import_public(NULL, b, doc, strlen(doc)) == CIV_OK);
  civ_free(doc);
  CHECK(civ_keys_export_public(&doc, b) == CIV_OK);
  CHECK(civ_keys_import_public(NULL, a, doc, strlen(doc)) == CIV_OK);
  civ_free(doc);
  CHECK(civ_package_require_statements(b) == CIV_OK);
  CHECK(civ_package_statement(&st, a, db, strlen(db)) == CIV_OK);
  CHECK(strstr(st, "\"last_sequence\": 0") != NULL);
  CHECK(civ_package_statement(&doc, a, da, strlen(da)) == CIV_EINVAL);  /* itself */
  {
    char *changed = malloc(strlen(st) + 1);
    char *at;
    strcpy(changed, st);
    at = strstr(changed, "\"last_sequence\": 0");
    at[17] = '7';
    CHECK(civ_package_import_statement(&provider, b, changed, strlen(changed)) == CIV_ESIGNATURE);
    CHECK(provider == NULL);
    free(changed);
  }
  CHECK(civ_package_import_statement(&provider, b, st, strlen(st)) == CIV_OK);
  CHECK(provider != NULL && strcmp(provider, da) == 0);
  civ_free(provider);
  CHECK(civ_package_import_statement(NULL, b, "{", 1) == CIV_EPARSE);
  CHECK(civ_package_require_statements(NULL) == CIV_EINVAL);
  civ_free(st);

  civ_ctx_free(a);
  civ_ctx_free(b);
  {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) ++failures;
  }
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
