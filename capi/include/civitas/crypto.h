/**
 * @file crypto.h
 * @brief Field encryption, deterministic tokens, identity keys, signatures and sealed
 * boxes with a workspace's keyring. Included by civitas.h.
 *
 * Formats: docs/formats/field-ciphertext.md, token.md, identity-key.md. Every function is
 * thread-safe. Variable-size outputs are allocated by the library and released with
 * civ_free(); fixed-size ones (signatures, identity keys) go to the caller's buffer, whose
 * capacity the caller gives and the size functions below say.
 */
#ifndef CIVITAS_CRYPTO_H
#define CIVITAS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Sizes
 * Sizes of fixed outputs, as functions (a later crypto suite may need more). */
/**@{*/
/** Bytes a field ciphertext adds to its plaintext (version, key id, nonce, tag): 49 today. */
CIV_API size_t civ_crypto_field_overhead(void);
/** The largest signature civ_crypto_sign() writes (64 for Ed25519 today; an SM2 signature
 *  is up to 72 bytes). */
CIV_API size_t civ_crypto_signature_size(void);
/** Characters of an identity key's text form ("ik1:" + 16 hex + ":" + 43 base64url = 64
 *  today), without a NUL. */
CIV_API size_t civ_crypto_identity_key_size(void);
/**@}*/

/** Associated data of a field value. NULL strings with length 0 are empty. */
typedef struct civ_crypto_field_context {
  unsigned version; /**< CIV_CRYPTO_FIELD_CONTEXT_VERSION */
  const char *resource;
  size_t resource_len;
  const char *field;
  size_t field_len;
  const char *record;
  size_t record_len;
} civ_crypto_field_context;

#define CIV_CRYPTO_FIELD_CONTEXT_VERSION 1
#define CIV_CRYPTO_FIELD_CONTEXT_INIT {CIV_CRYPTO_FIELD_CONTEXT_VERSION, NULL, 0, NULL, 0, NULL, 0}
/** Initialises a field context (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_crypto_field_context_init(civ_crypto_field_context *ad, unsigned version);

/**
 * Encrypts one value with the primary field key. *out (plaintext_len +
 * civ_crypto_field_overhead() bytes) is freed with civ_free().
 * @param ad associated data; NULL means all empty
 * @return CIV_OK; CIV_EINVAL (NULL argument, bad ad version).
 */
CIV_API CIV_NODISCARD int civ_crypto_field_encrypt(uint8_t **out, size_t *out_len, civ_ctx *ctx,
                                                   const civ_crypto_field_context *ad, const char *plaintext,
                                                   size_t plaintext_len);

/** Decrypts one value. *out is NUL-terminated for convenience (not counted in *out_len).
 *  @return CIV_OK; CIV_EINVAL; CIV_ETRUNCATED; CIV_EVERSION; CIV_EUNKNOWNKEY; CIV_EDENIED (key
 *          destroyed); CIV_EINTEGRITY (wrong associated data or key, or tampered). */
CIV_API CIV_NODISCARD int civ_crypto_field_decrypt(char **out, size_t *out_len, civ_ctx *ctx,
                                                   const civ_crypto_field_context *ad, const uint8_t *ciphertext,
                                                   size_t ciphertext_len);

/** Options of the column functions: the associated data every value of a column shares. */
typedef struct civ_crypto_column_options {
  unsigned version; /**< CIV_CRYPTO_COLUMN_OPTIONS_VERSION */
  const char *resource;
  size_t resource_len;
  const char *field;
  size_t field_len;
  /** Record ids, bound into each value's associated data: a second column of as many values
   *  (Arrow layout as the values), or record_offsets NULL for none. */
  const uint8_t *record_data;
  const uint64_t *record_offsets;
} civ_crypto_column_options;

#define CIV_CRYPTO_COLUMN_OPTIONS_VERSION 1
#define CIV_CRYPTO_COLUMN_OPTIONS_INIT {CIV_CRYPTO_COLUMN_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, NULL}
/** Initialises column options (for bindings). @return CIV_OK or CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_crypto_column_options_init(civ_crypto_column_options *opts, unsigned version);

/**
 * Encrypts a column (Arrow layout: value i is data[offsets[i] .. offsets[i+1]); count + 1
 * offsets). Outputs: *out_data and *out_offsets (count + 1 entries, starting at 0), both
 * freed with civ_free().
 * @param opts resource, field and record ids; NULL means all empty
 * @return CIV_OK; CIV_EINVAL (NULL argument, decreasing offsets, bad version).
 */
CIV_API CIV_NODISCARD int civ_crypto_field_encrypt_column(uint8_t **out_data, uint64_t **out_offsets, civ_ctx *ctx,
                                                          const uint8_t *data, const uint64_t *offsets, size_t count,
                                                          const civ_crypto_column_options *opts);

/** Decrypts a column; any bad value fails the call and civ_error_last() names its row
 *  (1-based index). @return the codes of civ_crypto_field_decrypt(). */
CIV_API CIV_NODISCARD int civ_crypto_field_decrypt_column(uint8_t **out_data, uint64_t **out_offsets, civ_ctx *ctx,
                                                          const uint8_t *data, const uint64_t *offsets, size_t count,
                                                          const civ_crypto_column_options *opts);

/** Deterministic token (AES-256-SIV) of a value in a domain; equal inputs give equal tokens.
 *  Free *out with civ_free(). @return CIV_OK; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_crypto_tokenize(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *domain,
                                              size_t domain_len, const char *plaintext, size_t plaintext_len);
/** Reverses a token (key holders only); *out is NUL-terminated (not counted in *out_len).
 *  @return the codes of civ_crypto_field_decrypt(). */
CIV_API CIV_NODISCARD int civ_crypto_detokenize(char **out, size_t *out_len, civ_ctx *ctx, const char *domain,
                                                size_t domain_len, const uint8_t *token, size_t token_len);

/**
 * Identity key of one identifier (canonicalised by the ids module first).
 * @param out, out_cap a buffer of at least civ_crypto_identity_key_size() + 1 bytes: the key
 *        and a NUL
 * @param kind a civ_id_kind
 * @return CIV_OK; CIV_EINVALIDDATA (not a valid identifier: reason in civ_error_last());
 *         CIV_EINVAL (empty domain, unknown kind, NULL); CIV_EBUFFER (out_cap too small).
 */
CIV_API CIV_NODISCARD int civ_crypto_identity_key(char *out, size_t out_cap, civ_ctx *ctx, int kind,
                                                  const char *domain, size_t domain_len, const char *identifier,
                                                  size_t identifier_len);

/**
 * Identity keys of a column of identifiers (Arrow layout, count values). Key i is written at
 * out + i * civ_crypto_identity_key_size() (no separators, no NUL); rows whose identifier is
 * invalid are left as zero bytes and get their civ_id_reason in out_reasons[i] (0 = ok).
 * @param out, out_cap at least count * civ_crypto_identity_key_size() bytes
 * @param out_reasons count bytes
 * @return CIV_OK; CIV_EINVAL (NULL, decreasing offsets, empty domain, unknown kind);
 *         CIV_EBUFFER (out_cap too small).
 */
CIV_API CIV_NODISCARD int civ_crypto_identity_key_column(char *out, size_t out_cap, uint8_t *out_reasons,
                                                         civ_ctx *ctx, int kind, const char *domain,
                                                         size_t domain_len, const char *data,
                                                         const uint64_t *offsets, size_t count);

/**
 * Detached signature with the primary user-signing key (CIV_PURPOSE_USER_SIGNING), a key
 * that signs nothing else: no package, key document or audit checkpoint.
 * @param out_signature, signature_cap at least civ_crypto_signature_size() bytes
 * @param out_signature_len receives the signature's length
 * @param out_key_id, key_id_cap NULL, or a buffer of at least civ_keys_id_size() + 1 bytes
 *        that receives the signing key's id and a NUL
 * @return CIV_OK; CIV_EINVAL; CIV_EBUFFER (a capacity too small).
 */
CIV_API CIV_NODISCARD int civ_crypto_sign(uint8_t *out_signature, size_t signature_cap, size_t *out_signature_len,
                                          char *out_key_id, size_t key_id_cap, civ_ctx *ctx, const uint8_t *msg,
                                          size_t msg_len);

/**
 * Verifies a detached signature with the user-signing keys of a department (NULL/empty: this
 * workspace's own), never with keys of other purposes; destroyed keys verify nothing.
 * @return CIV_OK when the signature is valid; CIV_ESIGNATURE when it is not (a signature of
 *         the wrong length included); CIV_EUNKNOWNKEY when no keys of that department, or
 *         none of the user-signing purpose, were imported; CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_crypto_verify(civ_ctx *ctx, const char *department, size_t department_len,
                                            const uint8_t *msg, size_t msg_len, const uint8_t *signature,
                                            size_t signature_len);

/** Seals a message to a department's primary user-sealing key (NULL/empty: own). Free *out
 *  with civ_free(). @return CIV_OK; CIV_EUNKNOWNKEY (no user-sealing key of that
 *  department); CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_crypto_seal(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *department,
                                          size_t department_len, const uint8_t *msg, size_t msg_len);

/** Opens a sealed box addressed to one of this workspace's user-sealing keys. Free *out with
 *  civ_free(). A box to another key, a package's sealed file key or an identity-secret share
 *  included (they name the exchange key), is CIV_ENOTRECIPIENT.
 *  @return CIV_OK; CIV_ENOTRECIPIENT; CIV_EINTEGRITY; CIV_ETRUNCATED; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_crypto_unseal(uint8_t **out, size_t *out_len, civ_ctx *ctx, const uint8_t *box,
                                            size_t box_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_CRYPTO_H */
