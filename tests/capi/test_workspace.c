#define _POSIX_C_SOURCE 200809L
/* The workspace and crypto C API, from C: create/open, wrong key, keyring, columns, tokens,
 * identity keys, signatures, sealed boxes, peers, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"


static civ_key_source passphrase(const char *p) {
  civ_key_source k = CIV_KEY_SOURCE_INIT;
  k.kind = CIV_KEY_PASSPHRASE;
  k.secret = p;
  k.secret_len = strlen(p);
  k.kdf_opslimit = 1;
  k.kdf_memlimit = 65536;
  return k;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-XXXXXX";
  char path[256], path2[256], cmd[300];
  civ_ctx *ctx = NULL, *other = NULL, *bad = NULL;
  civ_key_source key = passphrase("capi passphrase"), wrong = passphrase("nope");
  civ_ctx_options opts = CIV_CTX_OPTIONS_INIT;
  civ_field_context ad = CIV_FIELD_CONTEXT_INIT;
  const char *dept = "91350100M000100Y43";
  uint8_t *ct = NULL, *out_data = NULL;
  uint64_t *out_offsets = NULL, *back_offsets = NULL;
  uint8_t *back_data = NULL;
  char *pt = NULL, *json = NULL, *ikeys = NULL, *imported = NULL;
  size_t ct_len = 0, pt_len = 0, valid = 0;
  char key_id[17], ik[CIV_IDENTITY_KEY_LEN + 1];
  uint8_t sig[64], reasons[3];
  int ok = 0;
  /* a column of three values */
  const char *vals = "alphabetagamma";
  uint64_t offs[4] = {0, 5, 9, 14};
  const char *recs = "r1r2r3";
  uint64_t roffs[4] = {0, 2, 4, 6};
  const char *ids = "91350100M000100Y43bad91350100M000100Y43";
  uint64_t idoffs[4] = {0, 18, 21, 39};

  if (!mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/w.db", dir);
  snprintf(path2, sizeof path2, "%s/o.db", dir);

  opts.department = dept;
  opts.department_len = strlen(dept);
  opts.name = "C test";
  opts.name_len = 6;
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, &opts) == CIV_OK);
  CHECK(civ_ctx_create(&bad, path, strlen(path), &key, &opts) == CIV_EEXISTS);
  CHECK(bad == NULL);
  CHECK(civ_ctx_open(&bad, path, strlen(path), &wrong, NULL) == CIV_EKEY);
  CHECK(strstr(civ_error_last()->message, "wrong key, or not a civitas workspace") != NULL);
  CHECK(civ_ctx_open(&bad, path, strlen(path), NULL, NULL) == CIV_EINVAL);

  CHECK(civ_ctx_info(&json, ctx) == CIV_OK);
  CHECK(json && strstr(json, dept) != NULL);
  civ_free(json);
  CHECK(civ_keys_list(&json, ctx) == CIV_OK);
  CHECK(json && strstr(json, "\"primary\"") != NULL);
  civ_free(json);

  /* one value */
  ad.resource = "res";
  ad.resource_len = 3;
  ad.field = "f";
  ad.field_len = 1;
  CHECK(civ_field_encrypt(&ct, &ct_len, ctx, &ad, "secret", 6) == CIV_OK);
  CHECK(ct_len == 6 + CIV_FIELD_OVERHEAD);
  CHECK(civ_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
  CHECK(pt_len == 6 && memcmp(pt, "secret", 6) == 0);
  civ_free(pt);
  pt = NULL;
  ad.field = "g";
  CHECK(civ_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_EINTEGRITY);
  ad.field = "f";
  CHECK(civ_field_decrypt(&pt, &pt_len, ctx, &ad, ct, 10) == CIV_ETRUNCATED);
  ct[ct_len - 1] ^= 1;
  CHECK(civ_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_EINTEGRITY);
  ct[ct_len - 1] ^= 1;

  /* rotation keeps old data readable */
  CHECK(civ_keys_rotate(key_id, ctx, CIV_PURPOSE_FIELD) == CIV_OK);
  CHECK(strlen(key_id) == 16);
  CHECK(civ_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
  civ_free(pt);
  civ_free(ct);
  CHECK(civ_keys_rotate(NULL, ctx, 99) == CIV_EINVAL);
  CHECK(civ_keys_destroy(ctx, key_id, 16) == CIV_EDENIED);
  CHECK(civ_keys_destroy(ctx, "zz", 2) == CIV_EPARSE);

  /* columns */
  CHECK(civ_field_encrypt_column(&out_data, &out_offsets, ctx, "res", 3, "name", 4, (const uint8_t *)vals, offs, 3,
                                 (const uint8_t *)recs, roffs) == CIV_OK);
  CHECK(out_offsets[3] == 14 + 3 * CIV_FIELD_OVERHEAD);
  CHECK(civ_field_decrypt_column(&back_data, &back_offsets, ctx, "res", 3, "name", 4, out_data, out_offsets, 3,
                                 (const uint8_t *)recs, roffs) == CIV_OK);
  CHECK(back_offsets[3] == 14 && memcmp(back_data, vals, 14) == 0);
  civ_free(back_data);
  civ_free(back_offsets);
  out_data[out_offsets[1] + 20] ^= 1;
  CHECK(civ_field_decrypt_column(&back_data, &back_offsets, ctx, "res", 3, "name", 4, out_data, out_offsets, 3,
                                 (const uint8_t *)recs, roffs) == CIV_EINTEGRITY);
  CHECK(strstr(civ_error_last()->message, "row 2") != NULL);
  civ_free(out_data);
  civ_free(out_offsets);

  /* tokens */
  {
    uint8_t *t1 = NULL, *t2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK(civ_token_encode(&t1, &l1, ctx, "d", 1, "value", 5) == CIV_OK);
    CHECK(civ_token_encode(&t2, &l2, ctx, "d", 1, "value", 5) == CIV_OK);
    CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
    CHECK(civ_token_decode(&pt, &pt_len, ctx, "d", 1, t1, l1) == CIV_OK);
    CHECK(pt_len == 5 && strcmp(pt, "value") == 0);
    civ_free(pt);
    CHECK(civ_token_decode(&pt, &pt_len, ctx, "e", 1, t1, l1) == CIV_EINTEGRITY);
    civ_free(t1);
    civ_free(t2);
  }

  /* identity keys */
  CHECK(civ_identity_key(ik, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
  CHECK(strlen(ik) == CIV_IDENTITY_KEY_LEN && strncmp(ik, "ik1:", 4) == 0);
  CHECK(civ_identity_key(ik, ctx, CIV_ID_USCC, "tax", 3, "bad", 3) == CIV_EINVALIDDATA);
  CHECK(civ_identity_key_column(&ikeys, reasons, &valid, ctx, CIV_ID_USCC, "tax", 3, ids, idoffs, 3) == CIV_OK);
  CHECK(valid == 2 && reasons[0] == 0 && reasons[1] != 0 && reasons[2] == 0);
  CHECK(memcmp(ikeys, ikeys + 2 * CIV_IDENTITY_KEY_LEN, CIV_IDENTITY_KEY_LEN) == 0);
  civ_free(ikeys);

  /* signatures, sealed boxes, peers */
  CHECK(civ_sign(sig, key_id, ctx, (const uint8_t *)"msg", 3) == CIV_OK);
  CHECK(civ_verify(&ok, ctx, NULL, 0, (const uint8_t *)"msg", 3, sig) == CIV_OK && ok == 1);
  CHECK(civ_verify(&ok, ctx, NULL, 0, (const uint8_t *)"msh", 3, sig) == CIV_OK && ok == 0);
  {
    uint8_t *box = NULL, *opened = NULL;
    size_t bl = 0, ol = 0;
    civ_key_source raw = CIV_KEY_SOURCE_INIT;
    char rk[32];
    memset(rk, 7, sizeof rk);
    raw.kind = CIV_KEY_RAW;
    raw.secret = rk;
    raw.secret_len = 32;
    CHECK(civ_ctx_create(&other, path2, strlen(path2), &raw, NULL) == CIV_OK);
    CHECK(civ_keys_export_public(&json, ctx) == CIV_OK);
    CHECK(civ_keys_import_public(&imported, other, json, strlen(json)) == CIV_OK);
    CHECK(imported && strcmp(imported, dept) == 0);
    civ_free(imported);
    json[strlen(json) / 2] ^= 1;
    CHECK(civ_keys_import_public(NULL, other, json, strlen(json)) != CIV_OK);
    civ_free(json);
    CHECK(civ_verify(&ok, other, dept, 18, (const uint8_t *)"msg", 3, sig) == CIV_OK && ok == 1);
    CHECK(civ_seal(&box, &bl, other, dept, 18, (const uint8_t *)"hi", 2) == CIV_OK);
    CHECK(civ_unseal(&opened, &ol, ctx, box, bl) == CIV_OK && ol == 2 && memcmp(opened, "hi", 2) == 0);
    civ_free(opened);
    CHECK(civ_unseal(&opened, &ol, other, box, bl) == CIV_ENOTRECIPIENT);
    civ_free(box);
    /* the peer directory, and sharing the identity-key secret (other -> ctx) */
    CHECK(civ_keys_peers(&json, other, NULL, 0) == CIV_OK);
    CHECK(json && strstr(json, dept) != NULL && strstr(json, "\"exchange\"") != NULL);
    civ_free(json);
    CHECK(civ_keys_peers(&json, other, "91110000100000007X", 18) == CIV_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    civ_free(json);
    {
      char ik_other[CIV_IDENTITY_KEY_LEN + 1], ik_ctx[CIV_IDENTITY_KEY_LEN + 1], new_id[17];
      CHECK(civ_identity_key(ik_other, other, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(civ_identity_key(ik_ctx, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(strcmp(ik_other, ik_ctx) != 0);
      CHECK(civ_keys_share_identity(&box, &bl, other, dept, 18) == CIV_OK);
      CHECK(civ_keys_import_identity(new_id, other, box, bl) == CIV_ENOTRECIPIENT);
      CHECK(civ_keys_import_identity(new_id, ctx, box, bl - 1) != CIV_OK);
      CHECK(civ_keys_import_identity(new_id, ctx, box, bl) == CIV_OK && strlen(new_id) == 16);
      CHECK(civ_identity_key(ik_ctx, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(strcmp(ik_other, ik_ctx) == 0);
      civ_free(box);
      CHECK(civ_seal(&box, &bl, other, dept, 18, (const uint8_t *)"not a key", 9) == CIV_OK);
      CHECK(civ_keys_import_identity(NULL, ctx, box, bl) == CIV_EINVALIDDATA);
      civ_free(box);
      CHECK(civ_keys_share_identity(&box, &bl, other, "91110000100000007X", 18) == CIV_EUNKNOWNKEY);
    }
    /* change master to a raw key */
    CHECK(civ_ctx_change_master(ctx, &raw) == CIV_OK);
  }
  CHECK(civ_ctx_check(ctx) == CIV_OK);
  civ_ctx_free(ctx);
  civ_ctx_free(other);
  civ_ctx_free(NULL);
  CHECK(civ_ctx_open(&bad, path, strlen(path), &key, NULL) == CIV_EKEY);

  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
