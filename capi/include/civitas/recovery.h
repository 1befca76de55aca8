/*
 * civitas/recovery.h — backups and restore (docs/recovery.md, docs/formats/backup.md).
 *
 * A backup is one file holding a workspace's database (an online, consistent snapshot) and its
 * workspace key, encrypted to one or more X25519 recovery keys and signed by the department.
 * Included by civitas/civitas.h.
 */
#ifndef CIVITAS_RECOVERY_H
#define CIVITAS_RECOVERY_H

#include "civitas/civitas.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup recovery Backup and restore
 * @{
 */

/**
 * Generates a recovery key and writes the private-key file `path` (mode 0600) and its public
 * key to `path` + ".pub" (docs/formats/backup.md §1). The secret never crosses the ABI.
 * @param out_key_id receives the key id (16 hex digits) and a NUL; NULL: not returned
 * @param cap capacity of out_key_id (at least 17 when given)
 * @return CIV_OK; CIV_EEXISTS (either file exists); CIV_EINVAL; CIV_EBUFFER; CIV_EIO.
 * Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_recovery_key_generate(char *out_key_id, size_t cap, const char *path, size_t path_len);

/**
 * Backs up the workspace of ctx to `path` (which must not exist): an online snapshot while
 * other threads and processes keep writing, encrypted to the recovery public keys and signed
 * with the department's signing key; written under a temporary name and renamed only when
 * complete. Audited as "backup.create" (refusals too).
 * @param out_json receives the backup's summary (JSON object: path, backup_id, created,
 *        workspace_id, department, signer_key_id, audit {origin, size, root}, snapshot_bytes,
 *        bytes, recipients); free with civ_free()
 * @param recipients_json a JSON array of recovery public keys, each the object of an
 *        R.key.pub file (one object alone is accepted too)
 * @return CIV_OK; CIV_EINVAL (no recipient, a duplicate, NULL); CIV_EPARSE / CIV_EINVALIDDATA
 *         (a recipient that is not a recovery public key); CIV_EEXISTS; CIV_EBUSY; CIV_EIO.
 * Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_backup_create(char **out_json, civ_ctx *ctx, const char *path, size_t path_len,
                                            const char *recipients_json, size_t recipients_len);

/**
 * Checks a backup without restoring or decrypting it: layout, both signatures (against the
 * signing keys of ctx's workspace) and the hash of every byte. Not audited.
 * @param out_json receives the summary (as civ_backup_create's); free with civ_free()
 * @return CIV_OK; CIV_EINTEGRITY / CIV_ETRUNCATED (tampered, cut); CIV_ESIGNATURE (not signed
 *         by this workspace, or a signature changed); CIV_EPARSE (not a backup); CIV_EVERSION;
 *         CIV_ENOTFOUND; CIV_EIO; CIV_EINVAL.
 * Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_backup_verify(char **out_json, civ_ctx *ctx, const char *path, size_t path_len);

/**
 * The same against a department's public-key document (civ_keys_export_public's output),
 * with no workspace.
 * @return as civ_backup_verify; CIV_EPARSE / CIV_ESIGNATURE for a bad key document.
 */
CIV_API CIV_NODISCARD int civ_backup_verify_with(char **out_json, const char *path, size_t path_len,
                                                 const char *key_document, size_t key_document_len);

/** What civ_restore needs besides the two paths. recovery_key_path and key are required. */
typedef struct civ_restore_options {
  unsigned version;               /**< CIV_RESTORE_OPTIONS_VERSION */
  const char *recovery_key_path;  /**< the recovery key's private file (R.key); required */
  size_t recovery_key_path_len;
  const struct civ_key_source *key; /**< the new master key (passphrase or raw); required */
  const char *key_document;       /**< the department's public-key document: the backup must be
                                       signed by it (checked before decrypting); NULL: the keys
                                       inside the backup (integrity, not origin) */
  size_t key_document_len;
  const char *checkpoint;         /**< the latest checkpoint of the old log a witness holds; NULL: none */
  size_t checkpoint_len;
  int busy_timeout_ms;            /**< 0 = 10000 */
} civ_restore_options;

#define CIV_RESTORE_OPTIONS_VERSION 1
#define CIV_RESTORE_OPTIONS_INIT {CIV_RESTORE_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL, 0, 0}
/** Initialises options (for bindings). @return CIV_OK or CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_restore_options_init(civ_restore_options *opts, unsigned version);

/**
 * Rebuilds a workspace at `path` (which must not exist, nor its header) from the backup at
 * `backup_path`, with the recovery key's private file, under the new master key (both in
 * opts); the audit log continues in a new epoch whose first entry, "backup.restore", names
 * the old origin, its last checkpoint and the entries lost (docs/recovery.md). On success
 * *out is the restored workspace, open (free with civ_ctx_free). A refused restore leaves
 * nothing at `path`.
 * @return CIV_OK; CIV_EEXISTS; CIV_ENOTRECIPIENT (the backup is not encrypted to this recovery
 *         key); CIV_EINTEGRITY / CIV_ETRUNCATED / CIV_ESIGNATURE (tampered, cut, foreign; a
 *         witness checkpoint showing a fork); CIV_EUNKNOWNKEY (a witness checkpoint by another
 *         key); CIV_EPARSE; CIV_EVERSION; CIV_ENOTFOUND; CIV_EIO; CIV_EINVAL (opts NULL, a
 *         required member missing).
 * Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_restore(civ_ctx **out, const char *backup_path, size_t backup_path_len, const char *path,
                                      size_t path_len, const civ_restore_options *opts);

/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_RECOVERY_H */
