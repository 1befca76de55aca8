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
  civ_crypto_field_context ad = CIV_CRYPTO_FIELD_CONTEXT_INIT;
  civ_crypto_column_options co = CIV_CRYPTO_COLUMN_OPTIONS_INIT;
  const char *dept = "91350100M000100Y43";
  uint8_t *ct = NULL, *out_data = NULL;
  uint64_t *out_offsets = NULL, *back_offsets = NULL;
  uint8_t *back_data = NULL;
  char *pt = NULL, *json = NULL, *ikeys = NULL, *imported = NULL;
  size_t ct_len = 0, pt_len = 0, sig_len = 0;
  const size_t iklen = civ_crypto_identity_key_size();
  char key_id[17], ik[80];
  uint8_t sig[128], reasons[3];
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
  CHECK(civ_crypto_field_encrypt(&ct, &ct_len, ctx, &ad, "secret", 6) == CIV_OK);
  CHECK(civ_crypto_field_overhead() == 49);
  CHECK(ct_len == 6 + civ_crypto_field_overhead());
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
  CHECK(pt_len == 6 && memcmp(pt, "secret", 6) == 0);
  civ_free(pt);
  pt = NULL;
  ad.field = "g";
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_EINTEGRITY);
  ad.field = "f";
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, 10) == CIV_ETRUNCATED);
  ct[ct_len - 1] ^= 1;
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_EINTEGRITY);
  ct[ct_len - 1] ^= 1;

  /* rotation keeps old data readable */
  CHECK(civ_keys_id_size() == 16 && civ_keys_id_size() + 1 <= sizeof key_id);
  CHECK(civ_keys_rotate(key_id, 16, ctx, CIV_PURPOSE_FIELD) == CIV_EBUFFER);
  CHECK(civ_keys_rotate(key_id, sizeof key_id, ctx, CIV_PURPOSE_FIELD) == CIV_OK);
  CHECK(strlen(key_id) == 16);
  CHECK(civ_crypto_field_decrypt(&pt, &pt_len, ctx, &ad, ct, ct_len) == CIV_OK);
  civ_free(pt);
  civ_free(ct);
  CHECK(civ_keys_rotate(NULL, 0, ctx, 99) == CIV_EINVAL);
  CHECK(civ_keys_destroy(ctx, key_id, 16) == CIV_EDENIED);
  CHECK(civ_keys_destroy(ctx, "zz", 2) == CIV_EPARSE);

  /* columns */
  co.resource = "res";
  co.resource_len = 3;
  co.field = "name";
  co.field_len = 4;
  co.record_data = (const uint8_t *)recs;
  co.record_offsets = roffs;
  CHECK(civ_crypto_field_encrypt_column(&out_data, &out_offsets, ctx, (const uint8_t *)vals, offs, 3, &co) == CIV_OK);
  CHECK(out_offsets[3] == 14 + 3 * civ_crypto_field_overhead());
  CHECK(civ_crypto_field_decrypt_column(&back_data, &back_offsets, ctx, out_data, out_offsets, 3, &co) == CIV_OK);
  CHECK(back_offsets[3] == 14 && memcmp(back_data, vals, 14) == 0);
  civ_free(back_data);
  civ_free(back_offsets);
  out_data[out_offsets[1] + 20] ^= 1;
  CHECK(civ_crypto_field_decrypt_column(&back_data, &back_offsets, ctx, out_data, out_offsets, 3, &co) == CIV_EINTEGRITY);
  CHECK(strstr(civ_error_last()->message, "row 2") != NULL);
  out_data[out_offsets[1] + 20] ^= 1;
  /* other record ids are other associated data */
  co.record_data = (const uint8_t *)"r1r9r3";
  CHECK(civ_crypto_field_decrypt_column(&back_data, &back_offsets, ctx, out_data, out_offsets, 3, &co) == CIV_EINTEGRITY);
  co.version = 2;
  CHECK(civ_crypto_field_decrypt_column(&back_data, &back_offsets, ctx, out_data, out_offsets, 3, &co) == CIV_EINVAL);
  CHECK(civ_crypto_column_options_init(&co, CIV_CRYPTO_COLUMN_OPTIONS_VERSION) == CIV_OK && co.record_offsets == NULL);
  civ_free(out_data);
  civ_free(out_offsets);

  /* tokens */
  {
    uint8_t *t1 = NULL, *t2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK(civ_crypto_tokenize(&t1, &l1, ctx, "d", 1, "value", 5) == CIV_OK);
    CHECK(civ_crypto_tokenize(&t2, &l2, ctx, "d", 1, "value", 5) == CIV_OK);
    CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
    CHECK(civ_crypto_detokenize(&pt, &pt_len, ctx, "d", 1, t1, l1) == CIV_OK);
    CHECK(pt_len == 5 && strcmp(pt, "value") == 0);
    civ_free(pt);
    CHECK(civ_crypto_detokenize(&pt, &pt_len, ctx, "e", 1, t1, l1) == CIV_EINTEGRITY);
    civ_free(t1);
    civ_free(t2);
  }

  /* identity keys */
  CHECK(iklen == 64 && iklen + 1 <= sizeof ik);
  CHECK(civ_crypto_identity_key(ik, iklen, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_EBUFFER);
  CHECK(civ_crypto_identity_key(ik, sizeof ik, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
  CHECK(strlen(ik) == iklen && strncmp(ik, "ik1:", 4) == 0);
  CHECK(civ_crypto_identity_key(ik, sizeof ik, ctx, CIV_ID_USCC, "tax", 3, "bad", 3) == CIV_EINVALIDDATA);
  ikeys = (char *)malloc(3 * iklen);
  CHECK(ikeys != NULL);
  if (ikeys) {
    memset(ikeys, 'x', 3 * iklen);
    CHECK(civ_crypto_identity_key_column(ikeys, 3 * iklen - 1, reasons, ctx, CIV_ID_USCC, "tax", 3, ids, idoffs, 3) ==
          CIV_EBUFFER);
    CHECK(civ_crypto_identity_key_column(ikeys, 3 * iklen, reasons, ctx, CIV_ID_USCC, "tax", 3, ids, idoffs, 3) == CIV_OK);
    CHECK(reasons[0] == 0 && reasons[1] != 0 && reasons[2] == 0);
    CHECK(memcmp(ikeys, ikeys + 2 * iklen, iklen) == 0 && memcmp(ikeys, ik, iklen) == 0);
    CHECK(ikeys[iklen] == 0 && ikeys[2 * iklen - 1] == 0); /* the invalid row is zero bytes */
    free(ikeys);
  }

  /* signatures, sealed boxes, peers */
  CHECK(civ_crypto_signature_size() >= 64 && civ_crypto_signature_size() <= sizeof sig);
  CHECK(civ_crypto_sign(sig, 63, &sig_len, NULL, 0, ctx, (const uint8_t *)"msg", 3) == CIV_EBUFFER);
  CHECK(civ_crypto_sign(sig, sizeof sig, &sig_len, key_id, 16, ctx, (const uint8_t *)"msg", 3) == CIV_EBUFFER);
  CHECK(civ_crypto_sign(sig, sizeof sig, &sig_len, key_id, sizeof key_id, ctx, (const uint8_t *)"msg", 3) == CIV_OK);
  CHECK(sig_len == 64 && strlen(key_id) == 16);
  CHECK(civ_crypto_verify(ctx, NULL, 0, (const uint8_t *)"msg", 3, sig, sig_len) == CIV_OK);
  CHECK(civ_crypto_verify(ctx, NULL, 0, (const uint8_t *)"msh", 3, sig, sig_len) == CIV_ESIGNATURE);
  CHECK(civ_error_last()->code == CIV_ESIGNATURE);
  CHECK(civ_crypto_verify(ctx, NULL, 0, (const uint8_t *)"msg", 3, sig, sig_len - 1) == CIV_ESIGNATURE);
  CHECK(civ_crypto_verify(ctx, "91110000100000007X", 18, (const uint8_t *)"msg", 3, sig, sig_len) == CIV_EUNKNOWNKEY);
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
    CHECK(civ_crypto_verify(other, dept, 18, (const uint8_t *)"msg", 3, sig, sig_len) == CIV_OK);
    CHECK(civ_crypto_seal(&box, &bl, other, dept, 18, (const uint8_t *)"hi", 2) == CIV_OK);
    CHECK(civ_crypto_unseal(&opened, &ol, ctx, box, bl) == CIV_OK && ol == 2 && memcmp(opened, "hi", 2) == 0);
    civ_free(opened);
    CHECK(civ_crypto_unseal(&opened, &ol, other, box, bl) == CIV_ENOTRECIPIENT);
    civ_free(box);
    /* the peer directory, and sharing the identity-key secret (other -> ctx) */
    CHECK(civ_keys_peers(&json, other, NULL, 0) == CIV_OK);
    CHECK(json && strstr(json, dept) != NULL && strstr(json, "\"exchange\"") != NULL);
    civ_free(json);
    CHECK(civ_keys_peers(&json, other, "91110000100000007X", 18) == CIV_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    civ_free(json);
    {
      char ik_other[80], ik_ctx[80], new_id[17];
      CHECK(civ_crypto_identity_key(ik_other, sizeof ik_other, other, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(civ_crypto_identity_key(ik_ctx, sizeof ik_ctx, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(strcmp(ik_other, ik_ctx) != 0);
      CHECK(civ_keys_share_identity(&box, &bl, other, dept, 18) == CIV_OK);
      CHECK(civ_keys_import_identity(new_id, sizeof new_id, other, box, bl) == CIV_ENOTRECIPIENT);
      CHECK(civ_keys_import_identity(new_id, sizeof new_id, ctx, box, bl - 1) != CIV_OK);
      CHECK(civ_keys_import_identity(new_id, sizeof new_id, ctx, box, bl) == CIV_OK && strlen(new_id) == 16);
      CHECK(civ_crypto_identity_key(ik_ctx, sizeof ik_ctx, ctx, CIV_ID_USCC, "tax", 3, dept, 18) == CIV_OK);
      CHECK(strcmp(ik_other, ik_ctx) == 0);
      civ_free(box);
      CHECK(civ_crypto_seal(&box, &bl, other, dept, 18, (const uint8_t *)"not a key", 9) == CIV_OK);
      /* key separation: a general-purpose sealed box (user-sealing key) is never a share */
      CHECK(civ_keys_import_identity(NULL, 0, ctx, box, bl) == CIV_ENOTRECIPIENT);
      civ_free(box);
      CHECK(civ_keys_share_identity(&box, &bl, other, "91110000100000007X", 18) == CIV_EUNKNOWNKEY);
    }
    /* key documents (issue 12): rotation and revocation reach the peer; a known department
       takes only a document signed by a key it trusts, or one imported with the replace flag */
    {
      char fresh[17];
      char *doc2 = NULL, *doc3 = NULL, *forged = NULL;
      civ_ctx *third = NULL;
      char path3[600];
      snprintf(path3, sizeof path3, "%s/third.db", dir);
      CHECK(civ_keys_rotate(fresh, sizeof fresh, ctx, CIV_PURPOSE_SIGNING) == CIV_OK);
      CHECK(civ_keys_revoke(ctx, fresh, strlen(fresh), "superseded", 10) == CIV_EDENIED); /* primary */
      CHECK(civ_keys_revoke(ctx, key_id, strlen(key_id), "lost", 4) == CIV_EINVAL);
      CHECK(civ_keys_export_public(&doc2, ctx) == CIV_OK);
      CHECK(civ_keys_import_public_flags(NULL, other, doc2, strlen(doc2), 0) == CIV_OK);
      /* key_id is the primary user-signing key (civ_crypto_sign above): rotate it away first */
      CHECK(civ_keys_rotate(fresh, sizeof fresh, ctx, CIV_PURPOSE_USER_SIGNING) == CIV_OK);
      CHECK(civ_keys_revoke(ctx, key_id, strlen(key_id), "compromised", 11) == CIV_OK);
      CHECK(civ_keys_export_public(&doc3, ctx) == CIV_OK);
      CHECK(doc3 && strstr(doc3, "\"compromised\"") != NULL);
      CHECK(civ_keys_import_public_flags(NULL, other, doc3, strlen(doc3), 0) == CIV_OK);
      CHECK(civ_keys_import_public_flags(NULL, other, doc2, strlen(doc2), 0) == CIV_EDENIED); /* older */
      CHECK(civ_keys_import_public_flags(NULL, other, doc3, strlen(doc3), 8) == CIV_EINVAL);  /* unknown flag */
      CHECK(civ_keys_peers(&json, other, dept, 18) == CIV_OK);
      CHECK(json && strstr(json, "\"compromised\"") != NULL);
      civ_free(json);
      /* a second self-signed document for the known department */
      CHECK(civ_ctx_create(&third, path3, strlen(path3), &raw, &opts) == CIV_OK);
      CHECK(civ_keys_export_public(&forged, third) == CIV_OK);
      CHECK(civ_keys_import_public(NULL, other, forged, strlen(forged)) == CIV_ESIGNATURE);
      CHECK(civ_keys_import_public_flags(NULL, other, forged, strlen(forged), CIV_KEYS_IMPORT_REPLACE) == CIV_OK);
      CHECK(civ_keys_remove_peer(other, dept, 18) == CIV_OK);
      CHECK(civ_keys_remove_peer(other, dept, 18) == CIV_ENOTFOUND);
      CHECK(civ_keys_peers(&json, other, dept, 18) == CIV_OK);
      CHECK(json && strcmp(json, "[]") == 0);
      civ_free(json);
      civ_free(doc2);
      civ_free(doc3);
      civ_free(forged);
      civ_ctx_free(third);
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
