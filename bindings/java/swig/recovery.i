/* recovery module (civitas/recovery.h): backups and restore. Used by org.civitas.Recovery,
 * with the civ_ctx handle of org.civitas.Workspace. Summaries cross as JSON Strings. */

%civ_function(civ_recovery_key_generate)
%civ_function(civ_backup_create)
%civ_function(civ_backup_verify)
%civ_function(civ_backup_verify_with)
%civ_function(civj_restore)

%apply civ_ctx **CIV_OUT_HANDLE { civ_ctx **out };
%apply (const char *UTF8, size_t LEN) {
  (const char *path, size_t path_len),
  (const char *backup_path, size_t backup_path_len),
  (const char *recovery_key_path, size_t recovery_key_path_len),
  (const char *recipients_json, size_t recipients_len),
  (const char *key_document, size_t key_document_len),
  (const char *checkpoint, size_t checkpoint_len)
};
%apply (const char *PASSPHRASE, size_t LEN) { (const char *passphrase, size_t passphrase_len) };
%apply (const char *SECRET, size_t LEN) { (const char *raw_key, size_t raw_key_len) };
%apply char **CIV_OUT_STRING { char **out_json };
%apply (char *CIV_OUTBUF, size_t CIV_CAP) { (char *out_key_id, size_t cap) };

%include "civitas/recovery.h"

/* civ_restore_options holds borrowed pointers (one to the key source and its secret): this
 * helper (JNI library only, not part of the C ABI) fills it on the C stack. kind is
 * CIV_KEY_PASSPHRASE or CIV_KEY_RAW as for civj_ctx_open (swig/workspace.i). */
%inline %{
static int civj_restore(civ_ctx **out, const char *backup_path, size_t backup_path_len, const char *path,
                        size_t path_len, const char *recovery_key_path, size_t recovery_key_path_len, int kind,
                        const char *passphrase, size_t passphrase_len, const char *raw_key, size_t raw_key_len,
                        const char *key_document, size_t key_document_len, const char *checkpoint,
                        size_t checkpoint_len) {
  civ_key_source k;
  civ_restore_options o;
  int rc = civj_key_source(&k, kind, passphrase, passphrase_len, raw_key, raw_key_len, 0, 0);
  if (rc != CIV_OK) return rc;
  rc = civ_restore_options_init(&o, CIV_RESTORE_OPTIONS_VERSION);
  if (rc != CIV_OK) return rc;
  o.recovery_key_path = recovery_key_path;
  o.recovery_key_path_len = recovery_key_path_len;
  o.key = &k;
  o.key_document = key_document_len ? key_document : NULL;
  o.key_document_len = key_document_len;
  o.checkpoint = checkpoint_len ? checkpoint : NULL;
  o.checkpoint_len = checkpoint_len;
  return civ_restore(out, backup_path, backup_path_len, path, path_len, &o);
}
%}

%clear civ_ctx **out;
%clear (const char *path, size_t path_len), (const char *backup_path, size_t backup_path_len),
       (const char *recovery_key_path, size_t recovery_key_path_len),
       (const char *recipients_json, size_t recipients_len), (const char *key_document, size_t key_document_len),
       (const char *checkpoint, size_t checkpoint_len), (const char *passphrase, size_t passphrase_len),
       (const char *raw_key, size_t raw_key_len);
%clear char **out_json, (char *out_key_id, size_t cap);
