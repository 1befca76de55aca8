/**
 * @file workspace.h
 * @brief Workspaces (civ_ctx) and their keyring. Included by civitas.h.
 *
 * A workspace is one SQLCipher database file plus a small header file beside it
 * (`<path>.header`, see docs/formats/workspace.md). It holds the department's identity, its
 * keyring (field, token, identity, signing and exchange keys) and the peer directory.
 *
 * Thread safety: a civ_ctx may be used from many threads at once; every function below
 * that takes one is thread-safe except civ_ctx_free(), which must not race with other calls
 * on the same handle. Many processes may open the same workspace at once: writers wait for
 * each other up to the busy timeout (then CIV_EBUSY).
 */
#ifndef CIVITAS_WORKSPACE_H
#define CIVITAS_WORKSPACE_H

#include <stddef.h>
#include <stdint.h>

/** An open workspace. Opaque; release with civ_ctx_free(). Declared before civitas.h is
 *  included: civitas.h includes the module headers that take one. */
typedef struct civ_ctx civ_ctx;

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of key source. Pinned values. */
typedef enum civ_key_source_kind {
  CIV_KEY_PASSPHRASE = 1, /**< a passphrase; Argon2id (crypto_pwhash) makes the master key */
  CIV_KEY_RAW = 2         /**< a raw 32-byte master key (from a KMS or HSM) */
} civ_key_source_kind;

/** Where the master key comes from. The library copies the secret into locked memory and
 *  never keeps the caller's pointer. */
typedef struct civ_key_source {
  unsigned version;       /**< CIV_KEY_SOURCE_VERSION */
  int kind;               /**< a civ_key_source_kind */
  const char *secret;     /**< passphrase bytes (UTF-8) or the 32 key bytes */
  size_t secret_len;
  uint64_t kdf_opslimit;  /**< Argon2id passes when creating / changing master; 0 = 3 */
  size_t kdf_memlimit;    /**< Argon2id memory in bytes; 0 = 64 MiB */
} civ_key_source;

#define CIV_KEY_SOURCE_VERSION 1
#define CIV_KEY_SOURCE_INIT {CIV_KEY_SOURCE_VERSION, 0, NULL, 0, 0, 0}
/** Initialises a key source (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_key_source_init(civ_key_source *src, unsigned version);

/** Options of civ_ctx_create / civ_ctx_open. */
typedef struct civ_ctx_options {
  unsigned version;        /**< CIV_CTX_OPTIONS_VERSION */
  const char *department;  /**< create: the department's USCC (validated); may be NULL */
  size_t department_len;
  const char *name;        /**< create: the department's name (UTF-8); may be NULL */
  size_t name_len;
  int busy_timeout_ms;     /**< how long writers wait for the lock; 0 = 10000 */
  /** Version 2. open: non-zero opens the workspace read-only and without audit — the file is
   *  opened read-only (no migration: a workspace that needs one is CIV_EVERSION), nothing is
   *  ever written to it, and every call that would write it (key rotation, imports, packages,
   *  catalog, audit…) fails with CIV_EDENIED before changing anything; keyed reads (identity
   *  keys, tokens, field decryption) write no audit entry either: the caller records its own
   *  (e.g. a Spark driver, one entry per job, docs/spark.md). Many read-only handles on the
   *  same workspace may be open at once, in many processes. create: must be 0 (CIV_EINVAL). */
  int read_only;
} civ_ctx_options;

#define CIV_CTX_OPTIONS_VERSION 2
#define CIV_CTX_OPTIONS_INIT {CIV_CTX_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, 0}
/** Initialises options to the defaults of a version 1..CIV_CTX_OPTIONS_VERSION (for
 *  bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_ctx_options_init(civ_ctx_options *opts, unsigned version);

/**
 * Creates a workspace at path (and its header path + ".header") with a fresh keyring.
 * @param opts NULL for defaults
 * @return CIV_OK; CIV_EEXISTS when either file exists; CIV_EINVAL for a bad key source or
 *         opts->read_only set;
 *         CIV_EINVALIDDATA when the department is not a valid USCC; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_ctx_create(civ_ctx **out, const char *path, size_t path_len, const civ_key_source *key,
                           const civ_ctx_options *opts);

/**
 * Opens a workspace (read-only and without audit when opts->read_only, version 2).
 * @param opts NULL for defaults (read-write)
 * @return CIV_OK; CIV_ENOTFOUND (no file or no header); CIV_EKEY "wrong key, or not a civitas
 *         workspace"; CIV_EINTEGRITY (damaged file); CIV_EVERSION (written by a newer civitas;
 *         read-only: also a workspace an older civitas wrote that needs a migration);
 *         CIV_EINVAL (bad options); CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_ctx_open(civ_ctx **out, const char *path, size_t path_len, const civ_key_source *key,
                         const civ_ctx_options *opts);

/** Closes a workspace and wipes its keys. NULL is a no-op. */
CIV_API void civ_ctx_free(civ_ctx *ctx);

/** Workspace facts as a JSON object (path, workspace_id, department, name, created,
 *  schema_version — the version of the workspace module's own tables; every module keeps
 *  its own, docs/formats/workspace.md —, key_source); free with civ_free(). @return CIV_OK; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_ctx_info(char **out_json, civ_ctx *ctx);

/** Re-wraps the workspace key under a new master key (passphrase or raw). Nothing else is
 *  re-encrypted; the header file is replaced atomically.
 *  @return CIV_OK; CIV_EINVAL (bad key source); CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_ctx_change_master(civ_ctx *ctx, const civ_key_source *next);

/** Runs a full integrity check of the database. @return CIV_OK; CIV_EINTEGRITY; CIV_EINVAL;
 *  CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_ctx_check(civ_ctx *ctx);

/** Re-reads the keyring (to see rotations done by other processes at once).
 *  @return CIV_OK; CIV_EINVAL; CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_ctx_refresh(civ_ctx *ctx);

/** Key purposes. Pinned values. */
typedef enum civ_key_purpose {
  CIV_PURPOSE_FIELD = 1,    /**< "field": XChaCha20-Poly1305 field encryption */
  CIV_PURPOSE_TOKEN = 2,    /**< "token": AES-256-SIV deterministic tokens */
  CIV_PURPOSE_IDENTITY = 3, /**< "identity": keyed identity pseudonyms */
  CIV_PURPOSE_SIGNING = 4,  /**< "signing": Ed25519, packages and key documents only */
  CIV_PURPOSE_EXCHANGE = 5, /**< "exchange": X25519, package file keys and identity shares only */
  CIV_PURPOSE_CHECKPOINT = 6,   /**< "checkpoint": Ed25519, audit checkpoints only */
  CIV_PURPOSE_USER_SIGNING = 7, /**< "user-signing": Ed25519, civ_crypto_sign / civ_crypto_verify */
  CIV_PURPOSE_USER_SEALING = 8  /**< "user-sealing": X25519, civ_crypto_seal / civ_crypto_unseal */
} civ_key_purpose;

/** Characters of a key id (16 hex digits), without a NUL: buffers that receive a key id and
 *  its NUL hold civ_keys_id_size() + 1 bytes. */
CIV_API size_t civ_keys_id_size(void);

/** The keyring without secrets, as a JSON array of {id, purpose, algorithm, created,
 *  status, public_key (base64, keys of the signing and sealing purposes)}; free with civ_free(). @return CIV_OK;
 *  CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_keys_list(char **out_json, civ_ctx *ctx);

/**
 * Makes a new primary key of a purpose; the old primary stays usable for decryption and
 * verification. Audited as "key.rotate".
 * @param out_id, out_id_cap NULL, or civ_keys_id_size() + 1 bytes that receive the new key
 *        id and a NUL
 * @param purpose a civ_key_purpose
 * @return CIV_OK; CIV_EINVAL (unknown purpose); CIV_EBUFFER; CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_keys_rotate(char *out_id, size_t out_id_cap, civ_ctx *ctx, int purpose);

/** Destroys a key's secret for good. @return CIV_OK; CIV_ENOTFOUND; CIV_EDENIED (the
 *  primary key of its purpose: rotate first); CIV_EPARSE (not a key id); CIV_EINVAL;
 *  CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_keys_destroy(civ_ctx *ctx, const char *key_id, size_t key_id_len);

/** This department's public keys as a signed JSON document (docs/workspace.md); free with
 *  civ_free(). @return CIV_OK; CIV_EINVAL (NULL, or a workspace without a department). */
CIV_API CIV_NODISCARD int civ_keys_export_public(char **out_json, civ_ctx *ctx);

/** Imports another department's public-key document.
 *  @param out_department receives the department's USCC (free with civ_free()); may be NULL
 *  @return CIV_OK, CIV_EPARSE, CIV_EINVALIDDATA, CIV_ESIGNATURE, CIV_EVERSION, CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_keys_import_public(char **out_department, civ_ctx *ctx, const char *json, size_t json_len);

/** civ_keys_import_public_flags: replace the keys of a department already known. */
#define CIV_KEYS_IMPORT_REPLACE 1u

/**
 * Imports another department's public-key document, as civ_keys_import_public, with flags.
 * Without flags a document for a department already known is accepted only when it
 * supersedes the last one (version 3, higher sequence number, signed by a key trusted for the
 * department; docs/workspace.md "Rotation and revocation"); CIV_KEYS_IMPORT_REPLACE replaces
 * its keys after an out-of-band check (audited as "peer.import" with replace: true).
 * @param out_department receives the department's USCC (free with civ_free()); may be NULL
 * @param flags 0 or CIV_KEYS_IMPORT_REPLACE
 * @return CIV_OK, CIV_EPARSE, CIV_EINVALIDDATA, CIV_ESIGNATURE (not signed by a trusted key),
 *         CIV_EDENIED (older sequence; version 1/2 for a known department), CIV_EVERSION,
 *         CIV_EINTEGRITY (peer directory changed outside civitas), CIV_EINVAL, CIV_EBUSY, CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_keys_import_public_flags(char **out_department, civ_ctx *ctx, const char *json,
                                                       size_t json_len, unsigned flags);

/** Removes a department and all its keys from the peer directory. Audited as "peer.remove".
 *  @return CIV_OK; CIV_ENOTFOUND (not in the directory); CIV_EINTEGRITY; CIV_EINVAL; CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_keys_remove_peer(civ_ctx *ctx, const char *department, size_t department_len);

/** Revokes one of this department's signing or exchange keys (not the primary) with reason
 *  "superseded" or "compromised": the next civ_keys_export_public() lists it as revoked.
 *  Audited as "key.revoke". @return CIV_OK; CIV_EINVAL (reason, purpose); CIV_ENOTFOUND;
 *  CIV_EDENIED (primary key; already compromised); CIV_EPARSE (not a key id); CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_keys_revoke(civ_ctx *ctx, const char *key_id, size_t key_id_len, const char *reason,
                                          size_t reason_len);

/** The peer directory: imported public keys, as a JSON array of {department, name, key_id,
 *  purpose ("signing"/"exchange"), algorithm, public_key (base64), status ("primary",
 *  "active", "retired", "superseded", "compromised"), imported (Unix seconds), revoked (Unix
 *  seconds from which a superseded key's packages are refused, or null)}.
 *  @param department a USCC to list one department's keys; NULL/empty for all
 *  Free *out_json with civ_free(). @return CIV_OK; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_keys_peers(char **out_json, civ_ctx *ctx, const char *department, size_t department_len);

/**
 * Shares this workspace's primary identity-key secret with another department: the secret
 * sealed to that department's X25519 exchange key (imported with civ_keys_import_public), so
 * that both derive equal identity keys (docs/workspace.md). Audited as "key.share". Only the
 * recipient can open the box; give it to civ_keys_import_identity there.
 * @param out, out_len receive the sealed box; free with civ_free()
 * @return CIV_OK, CIV_EUNKNOWNKEY (no keys of that department), CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_keys_share_identity(uint8_t **out, size_t *out_len, civ_ctx *ctx, const char *department,
                                    size_t department_len);

/**
 * Imports an identity-key secret sealed to this workspace (civ_keys_share_identity of another
 * department) as the new primary identity key; the previous one stays active. Audited as
 * "key.import".
 * @param out_id, out_id_cap NULL, or civ_keys_id_size() + 1 bytes that receive the new key
 *        id and a NUL
 * @return CIV_OK; CIV_ENOTRECIPIENT; CIV_EINTEGRITY; CIV_ETRUNCATED; CIV_EINVALIDDATA;
 *         CIV_EINVAL; CIV_EBUFFER.
 */
CIV_API CIV_NODISCARD int civ_keys_import_identity(char *out_id, size_t out_id_cap, civ_ctx *ctx, const uint8_t *box,
                                                   size_t box_len);

/* ---- key escrow and provider sequence statements (issue 18; docs/recovery-escrow.md) ---- */

/**
 * Splits the workspace key (the key the header wraps under the master key) into `shares`
 * Shamir shares over GF(2^8), any `threshold` of which rebuild it (docs/formats/escrow-share.md).
 * Audited as "keys.escrow".
 * @param out_json receives a JSON array of `shares` strings, string i-1 being the document of
 *        share i (write each to its own file). The shares are secrets: overwrite the buffer
 *        (e.g. sodium_memzero) before civ_free().
 * @return CIV_OK; CIV_EINVAL (not 1 <= threshold <= shares <= 255, NULL); CIV_EBUSY; CIV_EIO.
 * Thread safety: as every call on a civ_ctx.
 */
CIV_API CIV_NODISCARD int civ_keys_escrow(char **out_json, civ_ctx *ctx, unsigned shares, unsigned threshold);

/**
 * Rebuilds the workspace key of the workspace at `path` from escrow share documents (at least
 * the threshold, of one escrow run), without its master key, wraps it under `next` (header
 * replaced atomically) and opens the workspace. Audited as "workspace.recover_key" (intent,
 * then ok) once the rebuilt key opened it; a refusal changes nothing and is not logged.
 * @param out receives the open workspace (free with civ_ctx_free())
 * @param share_docs, share_lens, n the share documents (each up to 4096 bytes)
 * @return CIV_OK; CIV_EPARSE (not a share); CIV_EINTEGRITY (a damaged share);
 *         CIV_EINVALIDDATA (another workspace or escrow run, a share twice); CIV_EINVAL (fewer
 *         shares than the threshold, bad key source); CIV_EKEY (the shares do not rebuild this
 *         workspace's key); CIV_ENOTFOUND; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_keys_recover(civ_ctx **out, const char *path, size_t path_len,
                                           const char *const *share_docs, const size_t *share_lens, size_t n,
                                           const civ_key_source *next);

/**
 * This department's signed statement of the last sequence number it used for packages to
 * `consumer` (docs/formats/sequence-statement.md). Audited as "package.statement".
 * @param out_json receives the statement (free with civ_free())
 * @return CIV_OK; CIV_EINVAL (no department, consumer not a USCC or this department).
 */
CIV_API CIV_NODISCARD int civ_package_statement(char **out_json, civ_ctx *ctx, const char *consumer,
                                                size_t consumer_len);

/**
 * Imports a provider's sequence statement; from then on its packages numbered at or below the
 * stated number are refused (CIV_EREPLAY), those above accepted. Audited as
 * "package.import_statement" (refusals too).
 * @param out_provider NULL, or receives the provider's USCC (free with civ_free())
 * @return CIV_OK; CIV_EPARSE; CIV_EVERSION; CIV_ESIGNATURE; CIV_EUNKNOWNKEY; CIV_EINVALIDDATA
 *         (addressed to another department); CIV_EDENIED (revoked key, made before the
 *         restore, lower than one imported); CIV_EINTEGRITY; CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_package_import_statement(char **out_provider, civ_ctx *ctx, const char *json,
                                                       size_t json_len);

/**
 * After a restore: packages of every provider are refused (CIV_EDENIED) until its sequence
 * statement is imported. Audited as "package.require_statements".
 * @return CIV_OK; CIV_EINTEGRITY; CIV_EINVAL; CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_require_statements(civ_ctx *ctx);

/* ---- end of issue 18 ---- */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_WORKSPACE_H */
