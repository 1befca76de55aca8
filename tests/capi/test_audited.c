/* The C front end of the audited operations (docs/development.md, "Audited operations"):
   package create and open through a civ_ctx leave their audit entries (outcome "ok"), a
   refused open leaves one with its error code and consumes no sequence number, a key rotation
   and a catalog addition leave theirs. The C API adds no entry of its own: these come from the
   Workspace methods it calls. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_test.h"

static const char *kProvider = "91350100M000100Y43";
static const char *kConsumer = "911100001000000248";
static const char kCsv[] = "id,name\n1,a\n";

static civ_ctx *make(const char *dir, const char *name, const char *dept) {
  char path[600];
  civ_ctx *ctx = NULL;
  civ_key_source k = CIV_KEY_SOURCE_INIT;
  civ_ctx_options o = CIV_CTX_OPTIONS_INIT;
  static const char key[32] = "0123456789abcdef0123456789abcde";
  snprintf(path, sizeof path, "%s/%s.db", dir, name);
  k.kind = CIV_KEY_RAW;
  k.secret = key;
  k.secret_len = 32;
  o.department = dept;
  o.department_len = strlen(dept);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &k, &o) == CIV_OK);
  return ctx;
}

static void introduce(civ_ctx *from, civ_ctx *to) {
  char *doc = NULL;
  CHECK(civ_keys_export_public(&doc, from) == CIV_OK);
  CHECK(doc && civ_keys_import_public(NULL, to, doc, strlen(doc)) == CIV_OK);
  civ_free(doc);
}

/* Entries of `action` whose JSON line contains `needle` (e.g. an outcome). */
static int entries(civ_ctx *ctx, const char *action, const char *needle) {
  char filter[200], *log = NULL, *line, *end;
  int n = 0;
  snprintf(filter, sizeof filter, "{\"action\":\"%s\"}", action);
  CHECK(civ_audit_log(&log, ctx, filter, strlen(filter)) == CIV_OK);
  for (line = log; line && *line; line = end + 1) {
    end = strchr(line, '\n');
    if (!end) break;
    *end = 0;
    if (strstr(line, needle)) ++n;
  }
  civ_free(log);
  return n;
}

static int write_package(civ_ctx *ctx, const char *path) {
  civ_package_writer *w = NULL;
  civ_package_writer_options o = CIV_PACKAGE_WRITER_OPTIONS_INIT;
  size_t to_len = strlen(kConsumer);
  int rc;
  o.purpose = "audit test";
  o.purpose_len = strlen(o.purpose);
  rc = civ_package_writer_create_ctx(&w, ctx, path, strlen(path), &kConsumer, &to_len, 1, &o);
  if (rc != CIV_OK) return rc;
  CHECK(civ_package_writer_begin_resource(w, "t", 1, NULL, 0) == CIV_OK);
  CHECK(civ_package_writer_write(w, kCsv, strlen(kCsv)) == CIV_OK);
  CHECK(civ_package_writer_end_resource(w) == CIV_OK);
  rc = civ_package_writer_finish(w, NULL);
  civ_package_writer_free(w);
  return rc;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-audited-XXXXXX";
  char pkg[600], bad[600], out[600], out2[600], id[17] = {0}, needle[80];
  char *data, *entry, *header = NULL;
  size_t len = 0, elen = 0;
  unsigned long hb;
  civ_ctx *a, *b;
  FILE *f;

  if (!mkdtemp(dir)) return 2;
  snprintf(pkg, sizeof pkg, "%s/p.civpkg", dir);
  snprintf(bad, sizeof bad, "%s/bad.civpkg", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(out2, sizeof out2, "%s/out2", dir);
  a = make(dir, "a", kProvider);
  b = make(dir, "b", kConsumer);
  introduce(a, b);
  introduce(b, a);

  /* key rotation */
  CHECK(civ_keys_rotate(id, sizeof id, a, CIV_PURPOSE_TOKEN) == CIV_OK);
  snprintf(needle, sizeof needle, "\"resource\":\"%s\"", id);
  CHECK(entries(a, "key.rotate", needle) == 1);

  /* package create: recorded by the provider */
  CHECK(write_package(a, pkg) == CIV_OK);
  CHECK(entries(a, "package.create", "\"outcome\":\"ok\"") == 1);
  CHECK(entries(a, "package.create", "\"purpose\":\"audit test\"") == 1);

  /* a tampered copy is refused, recorded with its code, and consumes no sequence number */
  CHECK(civ_package_inspect(&header, pkg, strlen(pkg)) == CIV_OK);
  hb = header && strstr(header, "\"header_bytes\":") ? strtoul(strstr(header, "\"header_bytes\":") + 15, NULL, 10) : 0;
  civ_free(header);
  data = read_file(pkg, &len);
  CHECK(data != NULL && hb > 0 && hb + 10 < len);
  if (data && hb > 0 && hb + 10 < len) {
    data[hb + 5] ^= 1; /* inside the first encrypted chunk */
    f = fopen(bad, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
    CHECK(civ_package_open_ctx(NULL, b, bad, strlen(bad), out, strlen(out), 0, NULL, 0) == CIV_EINTEGRITY);
  }
  free(data);
  CHECK(entries(b, "package.open", "\"outcome\":\"integrity\"") == 1);

  /* the good package opens: recorded; opening it again is a recorded replay */
  CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out, strlen(out), 0, NULL, 0) == CIV_OK);
  CHECK(entries(b, "package.open", "\"outcome\":\"ok\"") == 1);
  CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out2, strlen(out2), 0, NULL, 0) == CIV_EREPLAY);
  CHECK(entries(b, "package.open", "\"outcome\":\"replay\"") == 1);

  /* a catalog addition */
  entry = read_file(CIVITAS_TEST_DATA "/schema/entry.json", &elen);
  CHECK(entry != NULL);
  if (entry) CHECK(civ_catalog_add(NULL, a, entry, elen) == CIV_OK);
  free(entry);
  CHECK(entries(a, "catalog.add", "\"outcome\":\"ok\"") == 1);

  civ_ctx_free(a);
  civ_ctx_free(b);
  {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
  }
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
