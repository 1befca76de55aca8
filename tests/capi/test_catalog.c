#define _POSIX_C_SOURCE 200809L
/* The catalog (civitas/catalog.h), from C: entry checks and lossless exports / imports;
 * storage in a workspace: add (versions, no duplicate version for an unchanged entry), get
 * (latest, a given version, missing), list, history, and refusals of bad input. */
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

/* Number of occurrences of needle in s. */
static int count(const char *s, const char *needle) {
  int n = 0;
  while (s && (s = strstr(s, needle)) != NULL) {
    ++n;
    s += strlen(needle);
  }
  return n;
}

/* Checks and exports need no workspace. */
static void test_entries(void) {
  size_t len = 0;
  char *entry = read_file(CIVITAS_TEST_DATA "/schema/entry.json", &len);
  char *out = NULL, *doc = NULL, *back = NULL, *norm = NULL;
  int f;
  CHECK(entry != NULL);
  if (!entry) return;
  CHECK(civ_catalog_check(&out, entry, len) == CIV_OK);
  CHECK(out && strstr(out, "\"valid\":true") && strstr(out, "102003004/000017"));
  civ_free(out);
  CHECK(civ_catalog_export(&norm, entry, len, CIV_CATALOG_DATAPACKAGE) == CIV_OK);
  CHECK(civ_catalog_import(&back, norm, strlen(norm), 0) == CIV_OK);
  civ_free(norm);
  for (f = CIV_CATALOG_DATAPACKAGE; f <= CIV_CATALOG_CKAN; ++f) {
    char *again = NULL;
    CHECK(civ_catalog_export(&doc, entry, len, f) == CIV_OK);
    CHECK(civ_catalog_import(&again, doc, strlen(doc), f) == CIV_OK);
    CHECK(again && back && strcmp(again, back) == 0); /* lossless */
    civ_free(again);
    civ_free(doc);
  }
  civ_free(back);
  CHECK(civ_catalog_export(&doc, entry, len, 7) == CIV_EINVAL);
  CHECK(civ_catalog_export(&doc, "{}", 2, CIV_CATALOG_DCAT) == CIV_EINVALIDDATA);
  CHECK(civ_catalog_import(&doc, "[1]", 3, 0) == CIV_EINVALIDDATA);
  free(entry);
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-catalog-XXXXXX";
  char path[256], hdr[300];
  const char *code = "102003004/000017";
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  size_t len = 0;
  char *entry = read_file(CIVITAS_TEST_DATA "/schema/entry.json", &len);
  char *changed = NULL, *p = NULL, *out = NULL, *v1 = NULL;
  unsigned char raw[32];

  test_entries();
  memset(raw, 7, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)raw;
  key.secret_len = sizeof raw;
  if (!entry || !mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/w.db", dir);
  snprintf(hdr, sizeof hdr, "%s.header", path);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, NULL) == CIV_OK);

  /* empty catalog */
  CHECK(civ_catalog_list(&out, ctx) == CIV_OK);
  CHECK(out && strcmp(out, "[]") == 0);
  civ_free(out);
  CHECK(civ_catalog_get(&out, ctx, code, strlen(code), 0) == CIV_ENOTFOUND);
  CHECK(out == NULL);
  CHECK(civ_catalog_history(&out, ctx, code, strlen(code)) == CIV_ENOTFOUND);

  /* version 1; adding the same entry again stores nothing new */
  CHECK(civ_catalog_add(&out, ctx, entry, len) == CIV_OK);
  CHECK(out && strstr(out, "\"title\":\"企业登记基本信息\",\"version\":1}") && strstr(out, code));
  CHECK(out && strstr(out, "\"type\":\"conditional\"")); /* normalised: 有条件共享 -> token */
  civ_free(out);
  CHECK(civ_catalog_add(NULL, ctx, entry, len) == CIV_OK);
  CHECK(civ_catalog_history(&out, ctx, code, strlen(code)) == CIV_OK);
  CHECK(count(out, "\"created_ms\":") == 1);
  civ_free(out);

  /* version 2: a changed title */
  changed = malloc(len + 16);
  CHECK(changed != NULL);
  if (changed) {
    p = strstr(entry, "企业登记基本信息");
    CHECK(p != NULL);
    if (p) {
      size_t head = (size_t)(p - entry);
      memcpy(changed, entry, head);
      strcpy(changed + head, "企业登记信息（第二版）");
      strcat(changed, p + strlen("企业登记基本信息"));
      CHECK(civ_catalog_add(&out, ctx, changed, strlen(changed)) == CIV_OK);
      CHECK(out && strstr(out, "（第二版）\",\"version\":2}"));
      civ_free(out);
    }
  }

  /* latest, version 1, a missing version */
  CHECK(civ_catalog_get(&out, ctx, code, strlen(code), 0) == CIV_OK);
  CHECK(out && strstr(out, "第二版") && strstr(out, "\"resourceCode\":\"102003004/000017\""));
  civ_free(out);
  CHECK(civ_catalog_get(&v1, ctx, code, strlen(code), 1) == CIV_OK);
  CHECK(v1 && strstr(v1, "企业登记基本信息") && !strstr(v1, "第二版"));
  CHECK(civ_catalog_get(&out, ctx, code, strlen(code), 3) == CIV_ENOTFOUND);
  CHECK(strstr(civ_error_last()->message, "version 3") != NULL);
  CHECK(civ_catalog_get(&out, ctx, code, strlen(code), -1) == CIV_EINVAL);

  /* the stored version 1 is the normalised entry: check and export accept it as is */
  if (v1) {
    char *doc = NULL, *back = NULL;
    CHECK(civ_catalog_export(&doc, v1, strlen(v1), CIV_CATALOG_DCAT) == CIV_OK);
    CHECK(civ_catalog_import(&back, doc, doc ? strlen(doc) : 0, CIV_CATALOG_DCAT) == CIV_OK);
    CHECK(back && strcmp(back, v1) == 0);
    civ_free(doc);
    civ_free(back);
  }
  civ_free(v1);

  /* list gives the latest of each; history every version, oldest first */
  CHECK(civ_catalog_list(&out, ctx) == CIV_OK);
  CHECK(count(out, "\"created_ms\":") == 1 && strstr(out, "（第二版）\",\"version\":2}"));
  civ_free(out);
  CHECK(civ_catalog_history(&out, ctx, code, strlen(code)) == CIV_OK);
  CHECK(count(out, "\"created_ms\":") == 2);
  CHECK(out && strstr(out, "基本信息\",\"version\":1}") && strstr(out, "（第二版）\",\"version\":2}") &&
        strstr(out, "基本信息\",\"version\":1}") < strstr(out, "（第二版）\",\"version\":2}"));
  civ_free(out);

  /* refusals */
  CHECK(civ_catalog_add(&out, ctx, "{\"version\":1}", 13) == CIV_EINVALIDDATA);
  CHECK(strstr(civ_error_last()->message, "classification") != NULL);
  CHECK(out == NULL);
  CHECK(civ_catalog_add(&out, ctx, "{not json", 9) == CIV_EPARSE);
  CHECK(civ_catalog_add(&out, NULL, entry, len) == CIV_EINVAL);
  CHECK(civ_catalog_add(&out, ctx, NULL, 0) == CIV_EINVAL);
  CHECK(civ_catalog_get(NULL, ctx, code, strlen(code), 0) == CIV_EINVAL);
  CHECK(civ_catalog_get(&out, ctx, NULL, 0, 0) == CIV_EINVAL);
  CHECK(civ_catalog_history(&out, ctx, "", 0) == CIV_EINVAL);
  CHECK(civ_catalog_list(&out, NULL) == CIV_EINVAL);

  /* stored entries survive closing and reopening */
  civ_ctx_free(ctx);
  ctx = NULL;
  CHECK(civ_ctx_open(&ctx, path, strlen(path), &key, NULL) == CIV_OK);
  CHECK(civ_catalog_history(&out, ctx, code, strlen(code)) == CIV_OK);
  CHECK(count(out, "\"created_ms\":") == 2);
  civ_free(out);
  civ_ctx_free(ctx);

  free(changed);
  free(entry);
  unlink(path);
  unlink(hdr);
  rmdir(dir);
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
