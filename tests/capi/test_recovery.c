/* civitas/recovery.h: a recovery key, a backup of a civ_ctx, its verification (own keys and
   the key document), a restore under a new master key (the backup.restore entry in the new
   epoch), and the refusals: a flipped byte, another recovery key, an existing path. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_test.h"

static const char *kDept = "91350100M000100Y43";

static int count(civ_ctx *ctx, const char *action, const char *needle) {
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

int main(void) {
  char dir[] = "/tmp/civitas-capi-recovery-XXXXXX";
  char db[600], rk[600], rk2[600], pub[600], bk[600], bad[600], nw[600], nw2[600], id[17] = {0};
  static const char key[32] = "0123456789abcdef0123456789abcde";
  static const char key2[32] = "fedcba9876543210fedcba987654321";
  civ_key_source k = CIV_KEY_SOURCE_INIT, k2 = CIV_KEY_SOURCE_INIT;
  civ_ctx_options o = CIV_CTX_OPTIONS_INIT;
  civ_restore_options ro;
  civ_ctx *ctx = NULL, *r = NULL;
  char *pubtext, *summary = NULL, *doc = NULL, *bytes;
  size_t publen = 0, blen = 0;
  FILE *f;
  struct stat st;

  if (!mkdtemp(dir)) return 2;
  snprintf(db, sizeof db, "%s/ws.db", dir);
  snprintf(rk, sizeof rk, "%s/R.key", dir);
  snprintf(rk2, sizeof rk2, "%s/R2.key", dir);
  snprintf(pub, sizeof pub, "%s/R.key.pub", dir);
  snprintf(bk, sizeof bk, "%s/b.civbak", dir);
  snprintf(bad, sizeof bad, "%s/bad.civbak", dir);
  snprintf(nw, sizeof nw, "%s/new.db", dir);
  snprintf(nw2, sizeof nw2, "%s/new2.db", dir);
  k.kind = k2.kind = CIV_KEY_RAW;
  k.secret = key;
  k2.secret = key2;
  k.secret_len = k2.secret_len = 32;
  o.department = kDept;
  o.department_len = strlen(kDept);
  CHECK(civ_ctx_create(&ctx, db, strlen(db), &k, &o) == CIV_OK);

  /* recovery key files */
  CHECK(civ_recovery_key_generate(id, sizeof id, rk, strlen(rk)) == CIV_OK);
  CHECK(strlen(id) == 16);
  CHECK(stat(rk, &st) == 0 && (st.st_mode & 0777) == 0600);
  CHECK(civ_recovery_key_generate(NULL, 0, rk, strlen(rk)) == CIV_EEXISTS);
  CHECK(civ_recovery_key_generate(id, 5, rk2, strlen(rk2)) == CIV_EBUFFER);
  CHECK(civ_recovery_key_generate(NULL, 0, rk2, strlen(rk2)) == CIV_OK);
  pubtext = read_file(pub, &publen);
  CHECK(pubtext != NULL);

  /* backup, verify */
  CHECK(civ_backup_create(&summary, ctx, bk, strlen(bk), "[]", 2) == CIV_EINVAL);
  CHECK(civ_backup_create(&summary, ctx, bk, strlen(bk), "[{]", 3) == CIV_EPARSE);
  CHECK(civ_backup_create(&summary, ctx, bk, strlen(bk), pubtext, publen) == CIV_OK);
  CHECK(summary && strstr(summary, "\"backup_id\""));
  civ_free(summary);
  summary = NULL;
  CHECK(count(ctx, "backup.create", "\"outcome\":\"ok\"") == 1);
  CHECK(civ_backup_create(&summary, ctx, bk, strlen(bk), pubtext, publen) == CIV_EEXISTS);
  CHECK(count(ctx, "backup.create", "\"outcome\":\"exists\"") == 1);
  CHECK(civ_backup_verify(&summary, ctx, bk, strlen(bk)) == CIV_OK);
  civ_free(summary);
  CHECK(civ_keys_export_public(&doc, ctx) == CIV_OK);
  CHECK(civ_backup_verify_with(&summary, bk, strlen(bk), doc, strlen(doc)) == CIV_OK);
  civ_free(summary);

  /* a flipped byte in the payload: integrity, for verify and restore */
  bytes = read_file(bk, &blen);
  CHECK(bytes != NULL && blen > 2000);
  if (bytes) {
    bytes[blen / 2] ^= 1;
    f = fopen(bad, "wb");
    if (f) {
      fwrite(bytes, 1, blen, f);
      fclose(f);
    }
    free(bytes);
  }
  CHECK(civ_backup_verify(&summary, ctx, bad, strlen(bad)) == CIV_EINTEGRITY);

  /* restore */
  CHECK(civ_restore_options_init(&ro, CIV_RESTORE_OPTIONS_VERSION) == CIV_OK);
  CHECK(civ_restore(&r, bk, strlen(bk), nw, strlen(nw), &ro) == CIV_EINVAL); /* no recovery key */
  ro.recovery_key_path = rk2;
  ro.recovery_key_path_len = strlen(rk2);
  ro.key = &k2;
  CHECK(civ_restore(&r, bk, strlen(bk), nw, strlen(nw), &ro) == CIV_ENOTRECIPIENT);
  ro.recovery_key_path = rk;
  ro.recovery_key_path_len = strlen(rk);
  CHECK(civ_restore(&r, bad, strlen(bad), nw, strlen(nw), &ro) == CIV_EINTEGRITY);
  CHECK(access(nw, F_OK) != 0);
  ro.key_document = doc;
  ro.key_document_len = strlen(doc);
  CHECK(civ_restore(&r, bk, strlen(bk), nw, strlen(nw), &ro) == CIV_OK);
  CHECK(r != NULL);
  if (r) CHECK(count(r, "backup.restore", "\"epoch\":2") == 1);
  civ_ctx_free(r);
  r = NULL;
  CHECK(civ_restore(&r, bk, strlen(bk), nw, strlen(nw), &ro) == CIV_EEXISTS);
  CHECK(civ_ctx_open(&r, nw, strlen(nw), &k, NULL) == CIV_EKEY); /* the old master key */
  CHECK(civ_ctx_open(&r, nw, strlen(nw), &k2, NULL) == CIV_OK);
  civ_ctx_free(r);
  (void)nw2;

  civ_free(doc);
  free(pubtext);
  civ_ctx_free(ctx);
  if (failures) fprintf(stderr, "%d failures (files kept in %s)\n", failures, dir);
  return failures ? 1 : 0;
}
