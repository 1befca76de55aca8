/* C API tests of exchange packages between two workspaces (civ_ctx): the provider and the
   consumer exchange public keys; the workspace writer, civ_package_verify_ctx,
   civ_package_open_ctx and the workspace reader; sequence numbers, replay memory, audit
   entries on both sides, and refusals leaving nothing behind. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_test.h"

static const char *kProvider = "91350100M000100Y43";
static const char *kConsumer = "911100001000000248";
static const char *kOther = "91110000100000016D";

static const char kCsv[] = "id,name\n1,a\n2,b\n";
static const char kSchema[] = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},{\"name\":\"name\",\"type\":\"string\"}]}";

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

/* to imports from's public keys. */
static void introduce(civ_ctx *from, civ_ctx *to) {
  char *doc = NULL;
  CHECK(civ_keys_export_public(&doc, from) == CIV_OK);
  CHECK(doc && civ_keys_import_public(NULL, to, doc, strlen(doc)) == CIV_OK);
  civ_free(doc);
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* Number of audit entries of ctx whose JSON line contains needle. */
static int audit_count(civ_ctx *ctx, const char *needle) {
  char *log = NULL, *p;
  int n = 0;
  CHECK(civ_audit_log(&log, ctx, NULL, 0) == CIV_OK);
  for (p = log; p && (p = strstr(p, needle)) != NULL; p += strlen(needle)) ++n;
  civ_free(log);
  return n;
}

static int write_package(civ_ctx *ctx, const char *path, const char *to, const char *purpose) {
  civ_package_writer *w = NULL;
  civ_package_writer_options o = CIV_PACKAGE_WRITER_OPTIONS_INIT;
  size_t to_len = strlen(to);
  int rc;
  o.catalog = "110000-000001";
  o.catalog_len = strlen(o.catalog);
  o.purpose = purpose;
  o.purpose_len = strlen(purpose);
  rc = civ_package_writer_create_ctx(&w, ctx, path, strlen(path), &to, &to_len, 1, &o);
  if (rc != CIV_OK) return rc;
  CHECK(civ_package_writer_begin_resource(w, "t", 1, kSchema, strlen(kSchema)) == CIV_OK);
  CHECK(civ_package_writer_write(w, kCsv, strlen(kCsv)) == CIV_OK);
  CHECK(civ_package_writer_end_resource(w) == CIV_OK);
  rc = civ_package_writer_finish(w, NULL);
  civ_package_writer_free(w);
  return rc;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-xctx-XXXXXX";
  char pkg[600], pkg2[600], bad[600], out[600], out2[600], p[700];
  char *summary = NULL, *data, *header = NULL;
  size_t len = 0;
  unsigned long hb;
  civ_ctx *a, *b, *c;
  civ_package_writer *w = NULL;
  civ_package_reader *r = NULL;
  civ_package_writer_options wo = CIV_PACKAGE_WRITER_OPTIONS_INIT;
  const char *consumers[2];
  size_t consumer_lens[2];
  FILE *f;

  if (!mkdtemp(dir)) return 2;
  snprintf(pkg, sizeof pkg, "%s/p.civpkg", dir);
  snprintf(pkg2, sizeof pkg2, "%s/q.civpkg", dir);
  snprintf(bad, sizeof bad, "%s/bad.civpkg", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(out2, sizeof out2, "%s/out2", dir);

  a = make(dir, "a", kProvider);
  b = make(dir, "b", kConsumer);
  c = make(dir, "c", kOther);
  introduce(a, b);
  introduce(b, a);
  introduce(a, c);

  /* a consumer whose keys were never imported */
  CHECK(write_package(a, pkg, kOther, "x") == CIV_EUNKNOWNKEY);
  CHECK(!file_exists(pkg));

  /* create, inspect, verify, open */
  CHECK(write_package(a, pkg, kConsumer, "ctx test") == CIV_OK);
  CHECK(audit_count(a, "package.create") == 2); /* the refusal above, then this one */
  CHECK(audit_count(a, "\"outcome\":\"unknown-key\"") == 1);
  CHECK(civ_package_inspect(&header, pkg, strlen(pkg)) == CIV_OK);
  CHECK(header && strstr(header, kConsumer) && strstr(header, "\"sequence\":1"));
  civ_free(header);
  CHECK(civ_package_verify_ctx(&summary, b, pkg, strlen(pkg)) == CIV_OK);
  CHECK(summary && strstr(summary, kProvider));
  civ_free(summary);
  summary = NULL;
  CHECK(civ_package_open_ctx(&summary, b, pkg, strlen(pkg), out, strlen(out), 0, NULL, 0) == CIV_OK);
  CHECK(summary && strstr(summary, "ctx test"));
  civ_free(summary);
  summary = NULL;
  snprintf(p, sizeof p, "%s/data/t.csv", out);
  data = read_file(p, &len);
  CHECK(data && len == strlen(kCsv) && memcmp(data, kCsv, len) == 0);
  free(data);
  CHECK(audit_count(b, "package.open") == 1);

  /* opening again: replay, audited, nothing written */
  CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out2, strlen(out2), 0, NULL, 0) == CIV_EREPLAY);
  CHECK(!file_exists(out2));
  CHECK(audit_count(b, "package.open") == 2);

  /* not a recipient (c knows a's keys); unknown provider (a does not know c's) */
  CHECK(civ_package_open_ctx(NULL, c, pkg, strlen(pkg), out2, strlen(out2), 0, NULL, 0) == CIV_ENOTRECIPIENT);
  CHECK(!file_exists(out2));
  CHECK(civ_package_verify_ctx(NULL, b, pkg, strlen(pkg)) == CIV_OK);
  CHECK(write_package(b, pkg2, kProvider, "reply") == CIV_OK);
  {
    civ_ctx *d = make(dir, "d", kOther);
    CHECK(civ_package_verify_ctx(NULL, d, pkg2, strlen(pkg2)) == CIV_EUNKNOWNKEY);
    CHECK(civ_package_open_ctx(NULL, d, pkg2, strlen(pkg2), out2, strlen(out2), 0, NULL, 0) == CIV_EUNKNOWNKEY);
    civ_ctx_free(d);
  }

  /* the second package to the same consumer carries the next sequence number; a byte of
     ciphertext flipped is refused with CIV_EINTEGRITY */
  CHECK(write_package(a, pkg, kConsumer, "second") == CIV_OK);
  CHECK(civ_package_inspect(&header, pkg, strlen(pkg)) == CIV_OK);
  CHECK(header && strstr(header, "\"sequence\":2"));
  hb = header && strstr(header, "\"header_bytes\":") ? strtoul(strstr(header, "\"header_bytes\":") + 15, NULL, 10) : 0;
  civ_free(header);
  data = read_file(pkg, &len);
  CHECK(data != NULL && hb > 0 && hb + 10 < len);
  if (data && hb + 10 < len) {
    data[hb + 5] ^= 1; /* inside the first encrypted chunk */
    f = fopen(bad, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
    CHECK(civ_package_open_ctx(NULL, b, bad, strlen(bad), out2, strlen(out2), 0, NULL, 0) == CIV_EINTEGRITY);
    CHECK(!file_exists(out2));
    data[hb + 5] ^= 1;
  }

  /* schema mismatch, then the streaming workspace reader: truncated, then whole */
  {
    static const char expected[] = "{\"t\":{\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}}";
    CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out2, strlen(out2), 0, expected, strlen(expected)) ==
          CIV_ESCHEMA);
    CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out2, strlen(out2), 0, "[1]", 3) == CIV_EPARSE);
    CHECK(civ_package_open_ctx(NULL, b, pkg, strlen(pkg), out2, strlen(out2), 8, NULL, 0) == CIV_EINVAL);
    CHECK(!file_exists(out2));
  }
  if (data) {
    CHECK(civ_package_reader_create_ctx(&r, b, out2, strlen(out2), CIV_PACKAGE_SKIP_VALIDATION, NULL, 0) == CIV_OK);
    CHECK(civ_package_reader_write(r, data, len - 40) == CIV_OK);
    CHECK(civ_package_reader_finish(r, NULL) == CIV_ETRUNCATED);
    CHECK(civ_package_reader_finish(r, NULL) == CIV_EINVAL); /* refused: the reader is done */
    civ_package_reader_free(r);
    CHECK(!file_exists(out2));
    CHECK(civ_package_reader_create_ctx(&r, b, out2, strlen(out2), CIV_PACKAGE_NO_SYNC, NULL, 0) == CIV_OK);
    CHECK(civ_package_reader_write(r, data, 100) == CIV_OK);
    CHECK(civ_package_reader_write(r, data + 100, len - 100) == CIV_OK);
    CHECK(civ_package_reader_finish(r, &summary) == CIV_OK);
    CHECK(summary && strstr(summary, "second"));
    civ_free(summary);
    summary = NULL;
    civ_package_reader_free(r);
    snprintf(p, sizeof p, "%s/data/t.csv", out2);
    CHECK(file_exists(p));
    free(data);
  }

  /* bad arguments never crash */
  consumers[0] = kConsumer;
  consumer_lens[0] = strlen(kConsumer);
  consumers[1] = "";
  consumer_lens[1] = 0;
  wo.version = CIV_PACKAGE_WRITER_OPTIONS_VERSION + 1;
  CHECK(civ_package_writer_create_ctx(&w, a, pkg, strlen(pkg), consumers, consumer_lens, 1, &wo) == CIV_EINVAL);
  CHECK(w == NULL && strstr(civ_error_last()->message, "civ_package_writer_options.version") != NULL);
  CHECK(civ_package_writer_create_ctx(&w, a, pkg, strlen(pkg), consumers, consumer_lens, 2, NULL) == CIV_EINVAL);
  CHECK(civ_package_writer_create_ctx(&w, a, pkg, strlen(pkg), consumers, consumer_lens, 0, NULL) == CIV_EINVAL);
  CHECK(civ_package_writer_create_ctx(&w, a, pkg, strlen(pkg), NULL, consumer_lens, 1, NULL) == CIV_EINVAL);
  CHECK(civ_package_writer_create_ctx(&w, a, pkg, strlen(pkg), consumers, NULL, 1, NULL) == CIV_EINVAL);
  CHECK(civ_package_writer_create_ctx(&w, NULL, pkg, strlen(pkg), consumers, consumer_lens, 1, NULL) == CIV_EINVAL);
  CHECK(civ_package_writer_create_ctx(NULL, a, pkg, strlen(pkg), consumers, consumer_lens, 1, NULL) == CIV_EINVAL);
  /* two consumers, as an array: the package names both */
  consumers[1] = kOther;
  consumer_lens[1] = strlen(kOther);
  introduce(c, a);
  CHECK(civ_package_writer_create_ctx(&w, a, pkg2, strlen(pkg2), consumers, consumer_lens, 2, NULL) == CIV_OK);
  CHECK(civ_package_writer_begin_resource(w, "t", 1, NULL, 0) == CIV_OK);
  CHECK(civ_package_writer_end_resource(w) == CIV_OK);
  CHECK(civ_package_writer_finish(w, NULL) == CIV_OK);
  civ_package_writer_free(w);
  w = NULL;
  CHECK(civ_package_inspect(&header, pkg2, strlen(pkg2)) == CIV_OK);
  CHECK(header && strstr(header, kConsumer) && strstr(header, kOther));
  civ_free(header);
  header = NULL;
  CHECK(civ_package_reader_create_ctx(&r, NULL, out2, strlen(out2), 0, NULL, 0) == CIV_EINVAL);
  CHECK(civ_package_open_ctx(NULL, NULL, pkg, strlen(pkg), out2, strlen(out2), 0, NULL, 0) == CIV_EINVAL);
  CHECK(civ_package_verify_ctx(NULL, a, "/nonexistent", 12) == CIV_ENOTFOUND);

  /* Day one (issue 17): a GBK table is transcoded to UTF-8; records that break the schema
   * refuse the package when it is created (nothing left behind, full report), unless
   * CIV_PACKAGE_SKIP_VALIDATION. */
  {
    static const char gbk[] = "id,name\n1,\xb1\xb1\xbe\xa9\n"; /* 北京 in GBK */
    static const char bad_rows[] = "id,name\nx,a\ny,b\n";
    char gpkg[640], gout[640], *report = NULL;
    const char *to = kConsumer;
    size_t to_len = strlen(kConsumer);
    civ_package_writer_options go = CIV_PACKAGE_WRITER_OPTIONS_INIT;
    snprintf(gpkg, sizeof gpkg, "%s/gbk.civpkg", dir);
    snprintf(gout, sizeof gout, "%s/gbkout", dir);
    go.encoding = "gbk";
    go.encoding_len = 3;
    CHECK(civ_package_writer_create_ctx(&w, a, gpkg, strlen(gpkg), &to, &to_len, 1, &go) == CIV_OK);
    CHECK(civ_package_writer_begin_resource(w, "t", 1, kSchema, strlen(kSchema)) == CIV_OK);
    CHECK(civ_package_writer_write(w, gbk, 5) == CIV_OK); /* a cut inside a character is carried over */
    CHECK(civ_package_writer_write(w, gbk + 5, strlen(gbk) - 5) == CIV_OK);
    CHECK(civ_package_writer_end_resource(w) == CIV_OK);
    CHECK(civ_package_writer_finish(w, NULL) == CIV_OK);
    civ_package_writer_free(w);
    w = NULL;
    CHECK(civ_package_open_ctx(NULL, b, gpkg, strlen(gpkg), gout, strlen(gout), 0, NULL, 0) == CIV_OK);
    CHECK(civ_package_last_report(&report) == CIV_ENOTFOUND); /* no refusal for records */
    snprintf(p, sizeof p, "%s/data/t.csv", gout);
    f = fopen(p, "rb");
    CHECK(f != NULL);
    if (f) {
      char got[64] = {0};
      size_t n = fread(got, 1, sizeof got - 1, f);
      fclose(f);
      CHECK(n == strlen("id,name\n1,\xe5\x8c\x97\xe4\xba\xac\n") && memcmp(got, "id,name\n1,\xe5\x8c\x97\xe4\xba\xac\n", n) == 0);
    }

    snprintf(gpkg, sizeof gpkg, "%s/badrows.civpkg", dir);
    CHECK(civ_package_writer_create_ctx(&w, a, gpkg, strlen(gpkg), &to, &to_len, 1, NULL) == CIV_OK);
    CHECK(civ_package_writer_begin_resource(w, "t", 1, kSchema, strlen(kSchema)) == CIV_OK);
    CHECK(civ_package_writer_write(w, bad_rows, strlen(bad_rows)) == CIV_OK);
    CHECK(civ_package_writer_end_resource(w) == CIV_EINVALIDDATA);
    CHECK(civ_package_last_report(&report) == CIV_OK);
    CHECK(report && strstr(report, "\"valid\":false") && strstr(report, "\"rowNumber\":3"));
    civ_free(report);
    CHECK(civ_package_writer_finish(w, NULL) == CIV_EINVAL); /* the writer was dropped */
    civ_package_writer_free(w);
    w = NULL;
    CHECK(!file_exists(gpkg));
    CHECK(audit_count(a, "\"outcome\":\"invalid-data\"") == 1);
    CHECK(civ_package_inspect(NULL, gpkg, strlen(gpkg)) != CIV_OK);

    go = (civ_package_writer_options)CIV_PACKAGE_WRITER_OPTIONS_INIT;
    go.flags = CIV_PACKAGE_SKIP_VALIDATION;
    CHECK(civ_package_writer_create_ctx(&w, a, gpkg, strlen(gpkg), &to, &to_len, 1, &go) == CIV_OK);
    CHECK(civ_package_writer_begin_resource(w, "t", 1, kSchema, strlen(kSchema)) == CIV_OK);
    CHECK(civ_package_writer_write(w, bad_rows, strlen(bad_rows)) == CIV_OK);
    CHECK(civ_package_writer_end_resource(w) == CIV_OK);
    CHECK(civ_package_writer_finish(w, NULL) == CIV_OK);
    civ_package_writer_free(w);
    w = NULL;
    snprintf(gout, sizeof gout, "%s/badout", dir);
    CHECK(civ_package_open_ctx(NULL, b, gpkg, strlen(gpkg), gout, strlen(gout), 0, NULL, 0) == CIV_EINVALIDDATA);
    CHECK(civ_package_last_report(&report) == CIV_OK);
    CHECK(report && strstr(report, "\"place\":\"data/t.csv\"") && strstr(report, "\"rowNumber\":3") &&
          !strstr(report, "tmp-"));
    civ_free(report);
    CHECK(!file_exists(gout));
  }

  civ_ctx_free(a);
  civ_ctx_free(b);
  civ_ctx_free(c);
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
