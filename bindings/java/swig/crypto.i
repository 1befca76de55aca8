/* crypto module (civitas/crypto.h): allow-list and typemaps. Used by org.civitas.Crypto.
 * Byte outputs the library allocates come back in byte[][] holders and are wiped before
 * civ_free (swig/typemaps.i, block "workspace and crypto"); fixed-size outputs go into a
 * byte[] whose length is the capacity. */

%civ_function(civ_crypto_field_overhead)
%civ_function(civ_crypto_signature_size)
%civ_function(civ_crypto_identity_key_size)
%civ_function(civ_crypto_tokenize)
%civ_function(civ_crypto_detokenize)
%civ_function(civ_crypto_identity_key)
%civ_function(civ_crypto_seal)
%civ_function(civ_crypto_unseal)
%civ_function(civj_crypto_sign)
%civ_function(civj_crypto_verify)
%civ_function(civj_field_encrypt)
%civ_function(civj_field_decrypt)
%civ_function(civj_field_encrypt_column)
%civ_function(civj_field_decrypt_column)
%civ_function(civj_identity_key_column)

%apply (uint8_t **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) { (uint8_t **out, size_t *out_len) };
%apply (char **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) { (char **out, size_t *out_len) };
%apply (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) {
  (uint8_t **out_data, uint64_t **out_offsets, size_t count)
};
%apply (const char *UTF8, size_t LEN) {
  (const char *domain, size_t domain_len),
  (const char *department, size_t department_len),
  (const char *identifier, size_t identifier_len),
  (const char *resource, size_t resource_len),
  (const char *field, size_t field_len),
  (const char *record, size_t record_len)
};
%apply (const char *BYTES, size_t LEN) { (const char *plaintext, size_t plaintext_len) };
%apply (const uint8_t *BYTES, size_t LEN) {
  (const uint8_t *ciphertext, size_t ciphertext_len),
  (const uint8_t *token, size_t token_len),
  (const uint8_t *msg, size_t msg_len),
  (const uint8_t *box, size_t box_len),
  (const uint8_t *signature, size_t signature_len)
};
%apply (char *CIV_OUTBUF, size_t CIV_CAP) { (char *out, size_t out_cap), (char *out_key_id, size_t key_id_cap),
                                            (char *out_keys, size_t out_keys_cap) };
%apply (uint8_t *CIV_OUTBUF, size_t CIV_CAP) { (uint8_t *out_signature, size_t signature_cap) };
%apply int *CIV_OUTVAL { int *out_valid };
%apply uint8_t *CIV_OUT { uint8_t *out_reasons };
%apply const uint8_t *CIV_IN { const uint8_t *data, const uint8_t *record_data };
%apply const uint64_t *CIV_IN { const uint64_t *offsets, const uint64_t *record_offsets };
%apply const char *BYTES { const char *ids };

%include "civitas/crypto.h"

/* civ_crypto_field_context and civ_crypto_column_options hold borrowed pointers: the helpers
 * below (JNI library only, not part of the C ABI) fill them on the C stack. The column
 * helpers take the column's count from the length of the Java output array; the identity-key
 * helper writes the keys into a caller-sized byte[] (count * civ_crypto_identity_key_size()).
 * civj_crypto_verify reports a bad signature as *out_valid = 0 (org.civitas.Crypto.verify
 * returns a boolean); every other error is returned. */
%inline %{
static civ_crypto_field_context civj_field_context(const char *resource, size_t resource_len, const char *field,
                                                   size_t field_len, const char *record, size_t record_len) {
  civ_crypto_field_context ad = CIV_CRYPTO_FIELD_CONTEXT_INIT;
  ad.resource = resource;
  ad.resource_len = resource_len;
  ad.field = field;
  ad.field_len = field_len;
  ad.record = record;
  ad.record_len = record_len;
  return ad;
}
static civ_crypto_column_options civj_column_options(const char *resource, size_t resource_len, const char *field,
                                                     size_t field_len, const uint8_t *record_data,
                                                     const uint64_t *record_offsets) {
  civ_crypto_column_options o = CIV_CRYPTO_COLUMN_OPTIONS_INIT;
  o.resource = resource;
  o.resource_len = resource_len;
  o.field = field;
  o.field_len = field_len;
  o.record_data = record_data;
  o.record_offsets = record_offsets;
  return o;
}
static int civj_field_encrypt(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *resource, size_t resource_len,
                              const char *field, size_t field_len, const char *record, size_t record_len,
                              const char *plaintext, size_t plaintext_len) {
  civ_crypto_field_context ad = civj_field_context(resource, resource_len, field, field_len, record, record_len);
  return civ_crypto_field_encrypt(out, out_len, ctx, &ad, plaintext, plaintext_len);
}
static int civj_field_decrypt(char **out, size_t *out_len, civ_ctx *ctx, const char *resource, size_t resource_len,
                              const char *field, size_t field_len, const char *record, size_t record_len,
                              const uint8_t *ciphertext, size_t ciphertext_len) {
  civ_crypto_field_context ad = civj_field_context(resource, resource_len, field, field_len, record, record_len);
  return civ_crypto_field_decrypt(out, out_len, ctx, &ad, ciphertext, ciphertext_len);
}
static int civj_field_encrypt_column(uint8_t **out_data, uint64_t **out_offsets, size_t count, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field, size_t field_len,
                                     const uint8_t *data, const uint64_t *offsets, const uint8_t *record_data,
                                     const uint64_t *record_offsets) {
  civ_crypto_column_options o =
      civj_column_options(resource, resource_len, field, field_len, record_data, record_offsets);
  return civ_crypto_field_encrypt_column(out_data, out_offsets, ctx, data, offsets, count, &o);
}
static int civj_field_decrypt_column(uint8_t **out_data, uint64_t **out_offsets, size_t count, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field, size_t field_len,
                                     const uint8_t *data, const uint64_t *offsets, const uint8_t *record_data,
                                     const uint64_t *record_offsets) {
  civ_crypto_column_options o =
      civj_column_options(resource, resource_len, field, field_len, record_data, record_offsets);
  return civ_crypto_field_decrypt_column(out_data, out_offsets, ctx, data, offsets, count, &o);
}
static int civj_identity_key_column(char *out_keys, size_t out_keys_cap, uint8_t *out_reasons, civ_ctx *ctx, int kind,
                                    const char *domain, size_t domain_len, const char *ids, const uint64_t *offsets,
                                    size_t n) {
  return civ_crypto_identity_key_column(out_keys, out_keys_cap, out_reasons, ctx, kind, domain, domain_len, ids,
                                        offsets, n);
}
static int civj_crypto_sign(uint8_t *out_signature, size_t signature_cap, char *out_key_id, size_t key_id_cap,
                            civ_ctx *ctx, const uint8_t *msg, size_t msg_len) {
  size_t len = 0;
  return civ_crypto_sign(out_signature, signature_cap, &len, out_key_id, key_id_cap, ctx, msg, msg_len);
}
static int civj_crypto_verify(int *out_valid, civ_ctx *ctx, const char *department, size_t department_len,
                              const uint8_t *msg, size_t msg_len, const uint8_t *signature, size_t signature_len) {
  int rc = civ_crypto_verify(ctx, department, department_len, msg, msg_len, signature, signature_len);
  if (out_valid) *out_valid = rc == CIV_OK;
  if (rc == CIV_ESIGNATURE) {
    civ_error_clear();
    return CIV_OK;
  }
  return rc;
}
%}

%clear (uint8_t **out, size_t *out_len), (char **out, size_t *out_len),
       (uint8_t **out_data, uint64_t **out_offsets, size_t count);
%clear (const char *domain, size_t domain_len), (const char *department, size_t department_len),
       (const char *identifier, size_t identifier_len), (const char *resource, size_t resource_len),
       (const char *field, size_t field_len), (const char *record, size_t record_len),
       (const char *plaintext, size_t plaintext_len);
%clear (const uint8_t *ciphertext, size_t ciphertext_len), (const uint8_t *token, size_t token_len),
       (const uint8_t *msg, size_t msg_len), (const uint8_t *box, size_t box_len),
       (const uint8_t *signature, size_t signature_len);
%clear (char *out, size_t out_cap), (char *out_key_id, size_t key_id_cap), (char *out_keys, size_t out_keys_cap),
       (uint8_t *out_signature, size_t signature_cap), int *out_valid, uint8_t *out_reasons, const uint8_t *data,
       const uint8_t *record_data, const uint64_t *offsets, const uint64_t *record_offsets, const char *ids;
