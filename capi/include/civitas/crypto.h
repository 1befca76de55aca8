/**
 * @file crypto.h
 * @brief Field encryption, deterministic tokens, identity keys, signatures and sealed
 * boxes with a workspace's keyring. Included by civitas.h.
 *
 * Formats: docs/formats/field-ciphertext.md, token.md, identity-key.md. Every function is
 * thread-safe; outputs are allocated by the library and released with civ_free().
 */
#ifndef CIVITAS_CRYPTO_H
#define CIVITAS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas_export.h"
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes a field ciphertext adds to its plaintext (version, key id, nonce, tag). */
#define CIV_FIELD_OVERHEAD 49
/** Length of an identity key's text form ("ik1:" + 16 hex + ":" + 43 base64url). */
#define CIV_IDENTITY_KEY_LEN 64

/** Associated data of a field value. NULL strings with length 0 are empty. */
typedef struct civ_field_context {
  unsigned version;  /**< CIV_FIELD_CONTEXT_VERSION */
  const char *resource;
  size_t resource_len;
  const char *field;
  size_t field_len;
  const char *record;
  size_t record_len;
} civ_field_context;

#define CIV_FIELD_CONTEXT_VERSION 1
#define CIV_FIELD_CONTEXT_INIT {CIV_FIELD_CONTEXT_VERSION, NULL, 0, NULL, 0, NULL, 0}
CIV_API int civ_field_context_init(civ_field_context *ctx, unsigned version);

/** Encrypts one value with the primary field key. *out (len + CIV_FIELD_OVERHEAD bytes)
 *  is freed with civ_free(). */
CIV_API int civ_field_encrypt(uint8_t **out, size_t *out_len, civ_ctx *ctx, const civ_field_context *ad,
                              const char *plaintext, size_t plaintext_len);

/** Decrypts one value. *out is NUL-terminated for convenience (not counted in *out_len).
 *  @return CIV_OK, CIV_ETRUNCATED, CIV_EVERSION, CIV_EUNKNOWNKEY, CIV_EDENIED (key destroyed),
 *          CIV_EINTEGRITY (wrong associated data or key, or tampered). */
CIV_API int civ_field_decrypt(char **out, size_t *out_len, civ_ctx *ctx, const civ_field_context *ad,
                              const uint8_t *ciphertext, size_t ciphertext_len);

/**
 * Encrypts a column (Arrow layout: value i is data[offsets[i] .. offsets[i+1]); count + 1
 * offsets). Record ids, when record_offsets is not NULL, are a second column of count values
 * bound into each value's associated data. Outputs: *out_data and *out_offsets (count + 1
 * entries, starting at 0), both freed with civ_free().
 */
CIV_API int civ_field_encrypt_column(uint8_t **out_data, uint64_t **out_offsets, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field,
                                     size_t field_len, const uint8_t *data, const uint64_t *offsets,
                                     size_t count, const uint8_t *record_data,
                                     const uint64_t *record_offsets);

/** Decrypts a column; any bad value fails the call and civ_error_last() names its row
 *  (1-based index). */
CIV_API int civ_field_decrypt_column(uint8_t **out_data, uint64_t **out_offsets, civ_ctx *ctx,
                                     const char *resource, size_t resource_len, const char *field,
                                     size_t field_len, const uint8_t *data, const uint64_t *offsets,
                                     size_t count, const uint8_t *record_data,
                                     const uint64_t *record_offsets);

/** Deterministic token (AES-256-SIV) of a value in a domain; equal inputs give equal tokens. */
CIV_API int civ_token_encode(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *domain, size_t domain_len,
                             const char *plaintext, size_t plaintext_len);
/** Reverses a token (key holders only). Errors as civ_field_decrypt. */
CIV_API int civ_token_decode(char **out, size_t *out_len, civ_ctx *ctx, const char *domain, size_t domain_len,
                             const uint8_t *token, size_t token_len);

/**
 * Identity key of one identifier (canonicalised by the ids module first).
 * @param out 65 bytes: CIV_IDENTITY_KEY_LEN characters and a NUL
 * @param kind a civ_id_kind
 * @return CIV_OK, CIV_EINVALIDDATA (not a valid identifier: reason in civ_error_last()),
 *         CIV_EINVAL (empty domain, unknown kind).
 */
CIV_API int civ_identity_key(char *out, civ_ctx *ctx, int kind, const char *domain, size_t domain_len,
                             const char *identifier, size_t identifier_len);

/**
 * Identity keys of a column of identifiers. *out receives count * CIV_IDENTITY_KEY_LEN
 * bytes (no separators; free with civ_free()); rows whose identifier is invalid are left as
 * zero bytes and get their civ_id_reason in out_reasons[count] (0 = ok).
 */
CIV_API int civ_identity_key_column(char **out, uint8_t *out_reasons, size_t *out_valid_count, civ_ctx *ctx,
                                    int kind, const char *domain, size_t domain_len, const char *data,
                                    const uint64_t *offsets, size_t count);

/** Detached Ed25519 signature with the primary signing key.
 *  @param out_key_id 17 bytes (16 hex digits and a NUL), or NULL */
CIV_API int civ_sign(uint8_t out_signature[64], char *out_key_id, civ_ctx *ctx, const uint8_t *msg, size_t msg_len);

/** Verifies with the signing keys of a department (NULL/empty: this workspace's own).
 *  @param out_valid 1 when valid, else 0
 *  @return CIV_OK, or CIV_EUNKNOWNKEY when no keys of that department were imported. */
CIV_API int civ_verify(int *out_valid, civ_ctx *ctx, const char *department, size_t department_len,
                       const uint8_t *msg, size_t msg_len, const uint8_t signature[64]);

/** Seals a message to a department's exchange key (NULL/empty: own). Free *out with civ_free(). */
CIV_API int civ_seal(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *department, size_t department_len,
                     const uint8_t *msg, size_t msg_len);

/** Opens a sealed box addressed to this workspace. @return CIV_OK, CIV_ENOTRECIPIENT,
 *  CIV_EINTEGRITY, CIV_ETRUNCATED. */
CIV_API int civ_unseal(uint8_t **out, size_t *out_len, civ_ctx *ctx, const uint8_t *box, size_t box_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_CRYPTO_H */
