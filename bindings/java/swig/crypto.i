/* crypto module (civitas/crypto.h): allow-list and typemaps. Used by org.civitas.Crypto.
 * Byte outputs the library allocates come back in byte[][] holders and are wiped before
 * civ_free (swig/typemaps.i, block "workspace and crypto"). */

%civ_constant(CIV_FIELD_OVERHEAD)
%civ_constant(CIV_IDENTITY_KEY_LEN)
%civ_function(civ_token_encode)
%civ_function(civ_token_decode)
%civ_function(civ_identity_key)
%civ_function(civ_sign)
%civ_function(civ_verify)
%civ_function(civ_seal)
%civ_function(civ_unseal)
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
  (const uint8_t *box, size_t box_len)
};
%apply uint8_t CIV_OUT_FIXED[ANY] { uint8_t out_signature[64] };
%apply const uint8_t CIV_IN_FIXED[ANY] { const uint8_t signature[64] };
%apply char *CIV_OUTBUF { char *out, char *out_key_id, char *out_keys };
%apply int *CIV_OUTVAL { int *out_valid };
%apply uint8_t *CIV_OUT { uint8_t *out_reasons };
%apply const uint8_t *CIV_IN { const uint8_t *data, const uint8_t *record_data };
%apply const uint64_t *CIV_IN { const uint64_t *offsets, const uint64_t *record_offsets };
%apply const char *BYTES { const char *ids };

%include "civitas/crypto.h"

/* civ_field_context holds borrowed pointers: the helpers below (JNI library only, not part
 * of the C ABI) fill it on the C stack. The column helpers take the column's count from the
 * length of the Java output array, and the identity-key helper copies the keys into a
 * caller-sized byte[] (count * CIV_IDENTITY_KEY_LEN). */
%inline %{
static civ_field_context civj_field_context(const char *resource, size_t resource_len, const char *field,
                                            size_t field_len, const char *record, size_t record_len) {
  civ_field_context ad = CIV_FIELD_CONTEXT_INIT;
  ad.resource = resource;
  ad.resource_len = resource_len;
  ad.field = field;
  ad.field_len = field_len;
  ad.record = record;
  ad.record_len = record_len;
  return ad;
}
static int civj_field_encrypt(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *resource, size_t resource_len,
                              const char *field, size_t field_len, const char *record, size_t record_len,
                              const char *plaintext, size_t plaintext_len) {
  civ_field_context ad = civj_field_context(resource, resource_len, field, field_len, record, record_len);
  return civ_field_encrypt(out, out_len, ctx, &ad, plaintext, plaintext_len);
}
static int civj_field_decrypt(char **out, size_t *out_len, civ_ctx *ctx, const char *resource, size_t resource_len,
                              const char *field, size_t field_len, const char *record, size_t record_len,
                              const uint8_t *ciphertext, size_t ciphertext_len) {
  civ_field_context ad = civj_field_context(resource, resource_len, field, field_len, record, record_len);
  return civ_field_decrypt(out, out_len, ctx, &ad, ciphertext, ciphertext_len);
}
static int civj_field_encrypt_column(uint8_t **out_data, uint64_t **out_offsets, size_t count, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field, size_t field_len,
                                     const uint8_t *data, const uint64_t *offsets, const uint8_t *record_data,
                                     const uint64_t *record_offsets) {
  return civ_field_encrypt_column(out_data, out_offsets, ctx, resource, resource_len, field, field_len, data, offsets,
                                  count, record_data, record_offsets);
}
static int civj_field_decrypt_column(uint8_t **out_data, uint64_t **out_offsets, size_t count, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field, size_t field_len,
                                     const uint8_t *data, const uint64_t *offsets, const uint8_t *record_data,
                                     const uint64_t *record_offsets) {
  return civ_field_decrypt_column(out_data, out_offsets, ctx, resource, resource_len, field, field_len, data, offsets,
                                  count, record_data, record_offsets);
}
static int civj_identity_key_column(char *out_keys, uint8_t *out_reasons, civ_ctx *ctx, int kind, const char *domain,
                                    size_t domain_len, const char *ids, const uint64_t *offsets, size_t n) {
  char *keys = NULL;
  int rc = civ_identity_key_column(&keys, out_reasons, NULL, ctx, kind, domain, domain_len, ids, offsets, n);
  if (rc == CIV_OK && n) memcpy(out_keys, keys, n * CIV_IDENTITY_KEY_LEN);
  civ_free(keys);
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
       (const uint8_t *msg, size_t msg_len), (const uint8_t *box, size_t box_len);
%clear uint8_t out_signature[64], const uint8_t signature[64], char *out, char *out_key_id, char *out_keys,
       int *out_valid, uint8_t *out_reasons, const uint8_t *data, const uint8_t *record_data,
       const uint64_t *offsets, const uint64_t *record_offsets, const char *ids;
