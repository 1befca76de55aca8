#define _POSIX_C_SOURCE 200809L
/* civ_ctx_options version 2: read_only opens a workspace read-only and without audit (issue
 * 16; core workspace::OpenOptions::read_only). The keyed primitives give the same results as a
 * read-write open and record nothing; every write is refused with CIV_EDENIED; the database,
 * its header and its audit log keep their bytes. A version-1 struct (which ends before
 * read_only) is still accepted and opens read-write whatever follows it in memory. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_test.h"

/* civ_ctx_options as version 1 declared it (before read_only). */
typedef struct ctx_options_v1 {
  unsigned version;
  const char *department;
  size_t department_len;
  const char *name;
  size_t name_len;
  int busy_timeout_ms;
} ctx_options_v1;

static const char *kDept = "91350100M000100Y43";
static const char kKey[32] = "0123456789abcdef0123456789abcde";

static civ_key_source raw_key(void) {
  civ_key_source k = CIV_KEY_SOURCE_INIT;
  k.kind = CIV_KEY_RAW;
  k.secret = kKey;
  k.secret_len = 32;
  return k;
}

static uint64_t audit_size(civ_ctx *ctx) {
  uint64_t n = 0;
  CHECK(civ_audit_size(&n, ctx) == CIV_OK);
  return n;
}

/* 1 when the file's bytes equal `want` (want_len bytes). */
static int same_bytes(const char *path, const char *want, size_t want_len) {
  size_t len = 0;
  char *now = read_file(path, &len);
  int same = now && len == want_len && memcmp(now, want, len) == 0;
  free(now);
  return same;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-ro-XXXXXX";
  char path[600], header[620], other[600], cmd[700];
  civ_ctx *ctx = NULL, *ro = NULL, *ro2 = NULL, *bad = NULL;
  civ_key_source key = raw_key(), wrong = raw_key();
  civ_ctx_options opts = CIV_CTX_OPTIONS_INIT;
  civ_crypto_field_context ad = CIV_CRYPTO_FIELD_CONTEXT_INIT;
  char ik[80], ik_ro[80], key_id[17];
  char wrong_key[32];
  uint8_t *tok = NULL, *tok_ro = NULL, *ct = NULL;
  char *pt = NULL, *json = NULL, *db_bytes = NULL, *header_bytes = NULL;
  size_t tok_len = 0, tok_ro_len = 0, ct_len = 0, pt_len = 0, db_len = 0, header_len = 0;
  uint64_t size_before = 0, index = 0;
  civ_audit_event ev = CIV_AUDIT_EVENT_INIT;
  struct stat st;

  if (!mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/w.db", dir);
  snprintf(header, sizeof header, "%s.header", path);
  snprintf(other, sizeof other, "%s/new.db", dir);
  memset(wrong_key, 9, sizeof wrong_key);
  wrong.secret = wrong_key;

  /* the version and its defaults */
  CHECK(CIV_CTX_OPTIONS_VERSION == 2);
  CHECK(opts.version == 2 && opts.read_only == 0);
  CHECK(offsetof(civ_ctx_options, read_only) >= offsetof(ctx_options_v1, busy_timeout_ms) + sizeof(int));
  opts.read_only = 7;
  CHECK(civ_ctx_options_init(&opts, 1) == CIV_OK); /* writes only the bytes version 1 has */
  CHECK(opts.version == 1 && opts.read_only == 7);
  CHECK(civ_ctx_options_init(&opts, 2) == CIV_OK && opts.version == 2 && opts.read_only == 0);
  CHECK(civ_ctx_options_init(&opts, 3) == CIV_EINVAL);

  /* a workspace with a token, a field ciphertext and an identity key, made read-write */
  opts.department = kDept;
  opts.department_len = strlen(kDept);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, &opts) == CIV_OK);
  CHECK(civ_crypto_identity_key(ik, sizeof ik, ctx, CIV_ID_USCC, "tax", 3, kDept, 18) == CIV_OK);
  CHECK(civ_crypto_tokenize(&tok, &tok_len, ctx, "d", 1, "value", 5) == CIV_OK);
  ad.resource = "res";
  ad.resource_len = 3;
  ad.field = "f";
  ad.field_len = 1;
  CHECK(civ_crypto_field_encrypt(&ct, &ct_len, ctx, &ad, "secret", 6) == CIV_OK);
  /* read-write, a decryption is recorded (field.decrypt) */
  size_before = audit_size(ctx);
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
  civ_free(pt);
  pt = NULL;
  CHECK(audit_size(ctx) == size_before + 1);
  size_before = audit_size(ctx);
  civ_ctx_free(ctx); /* the last connection: the WAL is checkpointed, the bytes are final */
  ctx = NULL;
  db_bytes = read_file(path, &db_len);
  header_bytes = read_file(header, &header_len);
  CHECK(db_bytes != NULL && header_bytes != NULL);

  /* read-only: the same results, nothing recorded */
  opts.department = NULL;
  opts.department_len = 0;
  opts.read_only = 1;
  CHECK(civ_ctx_open(&ro, path, strlen(path), &key, &opts) == CIV_OK);
  CHECK(civ_ctx_open(&ro2, path, strlen(path), &key, &opts) == CIV_OK); /* several at once */
  CHECK(civ_crypto_identity_key(ik_ro, sizeof ik_ro, ro, CIV_ID_USCC, "tax", 3, kDept, 18) == CIV_OK);
  CHECK(strcmp(ik, ik_ro) == 0);
  CHECK(civ_crypto_tokenize(&tok_ro, &tok_ro_len, ro2, "d", 1, "value", 5) == CIV_OK);
  CHECK(tok_ro_len == tok_len && memcmp(tok, tok_ro, tok_len) == 0);
  CHECK(civ_crypto_detokenize(&pt, &pt_len, ro, "d", 1, tok, tok_len) == CIV_OK);
  CHECK(pt && pt_len == 5 && memcmp(pt, "value", 5) == 0);
  civ_free(pt);
  pt = NULL;
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ro, &ad, ct, ct_len) == CIV_OK);
  CHECK(pt && pt_len == 6 && memcmp(pt, "secret", 6) == 0);
  civ_free(pt);
  pt = NULL;
  CHECK(civ_ctx_info(&json, ro) == CIV_OK);
  CHECK(json && strstr(json, kDept) != NULL);
  civ_free(json);
  json = NULL;
  CHECK(audit_size(ro) == size_before);
  /* writes are refused, saying why */
  CHECK(civ_keys_rotate(key_id, sizeof key_id, ro, CIV_PURPOSE_FIELD) == CIV_EDENIED);
  CHECK(strstr(civ_error_last()->message, "read-only") != NULL);
  ev.actor = kDept;
  ev.actor_len = strlen(kDept);
  ev.action = "test.event";
  ev.action_len = strlen(ev.action);
  ev.resource = "r";
  ev.resource_len = 1;
  CHECK(civ_audit_append(&index, ro, &ev) == CIV_EDENIED);
  CHECK(civ_keys_export_public(&json, ro) == CIV_EDENIED); /* keys.export_public is audited */
  CHECK(json == NULL);
  CHECK(civ_ctx_change_master(ro, &wrong) == CIV_EDENIED);
  CHECK(civ_keys_list(&json, ro) == CIV_OK); /* a plain read */
  civ_free(json);
  json = NULL;
  CHECK(audit_size(ro) == size_before);
  civ_ctx_free(ro);
  civ_ctx_free(ro2);
  ro = ro2 = NULL;
  CHECK(same_bytes(path, db_bytes, db_len));
  CHECK(same_bytes(header, header_bytes, header_len));

  /* the errors of an open are the same read-only */
  CHECK(civ_ctx_open(&bad, path, strlen(path), &wrong, &opts) == CIV_EKEY);
  CHECK(bad == NULL);
  CHECK(civ_ctx_open(&bad, other, strlen(other), &key, &opts) == CIV_ENOTFOUND);
  CHECK(stat(other, &st) != 0); /* a read-only open creates nothing */
  /* a new workspace cannot be read-only */
  CHECK(civ_ctx_create(&bad, other, strlen(other), &key, &opts) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "read_only") != NULL);
  CHECK(bad == NULL && stat(other, &st) != 0);

  /* a version-1 struct: read up to its end only, so whatever follows it in the caller's
   * memory (here 0xFF bytes where version 2 has read_only) is not read: a read-write open */
  {
    /* a union: the bytes are aligned as the struct (UBSan checks the alignment) */
    union {
      civ_ctx_options opts;
      unsigned char bytes[sizeof(civ_ctx_options) + 16];
    } buf;
    ctx_options_v1 v1;
    memset(&v1, 0, sizeof v1);
    v1.version = 1;
    v1.busy_timeout_ms = 5000;
    memset(buf.bytes, 0xFF, sizeof buf.bytes);
    memcpy(buf.bytes, &v1, offsetof(civ_ctx_options, read_only));
    CHECK(buf.opts.read_only != 0); /* what a reader of the whole struct would see */
    CHECK(civ_ctx_open(&ctx, path, strlen(path), &key, &buf.opts) == CIV_OK);
    CHECK(audit_size(ctx) == size_before);
    CHECK(civ_keys_rotate(key_id, sizeof key_id, ctx, CIV_PURPOSE_FIELD) == CIV_OK);
    CHECK(audit_size(ctx) == size_before + 1); /* key.rotate */
    CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
    civ_free(pt);
    pt = NULL;
    CHECK(audit_size(ctx) == size_before + 2); /* field.decrypt, read-write */
    civ_ctx_free(ctx);
    ctx = NULL;
    /* version 3 does not exist */
    buf.opts.version = 3;
    CHECK(civ_ctx_open(&ctx, path, strlen(path), &key, &buf.opts) == CIV_EINVAL);
    CHECK(ctx == NULL);
  }
  /* NULL options: read-write, as before */
  CHECK(civ_ctx_open(&ctx, path, strlen(path), &key, NULL) == CIV_OK);
  CHECK(civ_keys_rotate(key_id, sizeof key_id, ctx, CIV_PURPOSE_TOKEN) == CIV_OK);
  civ_ctx_free(ctx);

  civ_free(tok);
  civ_free(tok_ro);
  civ_free(ct);
  free(db_bytes);
  free(header_bytes);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
