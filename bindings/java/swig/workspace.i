/* workspace module (civitas/workspace.h): allow-list and typemaps. Used by
 * org.civitas.Workspace. The civ_ctx handle typemap is in swig/typemaps.i (other modules
 * take a civ_ctx too). Documents (info, keys, public keys) cross as JSON Strings. */

%civ_enum(civ_key_source_kind)
%civ_enum(civ_key_purpose)
%civ_function(civ_ctx_free)
%civ_function(civ_ctx_info)
%civ_function(civ_ctx_check)
%civ_function(civ_ctx_refresh)
%civ_function(civ_keys_id_size)
%civ_function(civ_keys_list)
%civ_function(civ_keys_rotate)
%civ_function(civ_keys_destroy)
%civ_function(civ_keys_export_public)
%civ_function(civ_keys_import_public)
%civ_unsigned_constant(CIV_KEYS_IMPORT_REPLACE)
%civ_function(civ_keys_import_public_flags)
%civ_function(civ_keys_remove_peer)
%civ_function(civ_keys_revoke)
%civ_function(civ_keys_peers)
%civ_function(civ_keys_share_identity)
%civ_function(civ_keys_import_identity)
%civ_function(civj_ctx_create)
%civ_function(civj_ctx_open)
%civ_function(civj_ctx_change_master)

%apply civ_ctx **CIV_OUT_HANDLE { civ_ctx **out };
%apply (const char *UTF8, size_t LEN) {
  (const char *path, size_t path_len),
  (const char *key_id, size_t key_id_len),
  (const char *json, size_t json_len),
  (const char *department, size_t department_len),
  (const char *reason, size_t reason_len),
  (const char *name, size_t name_len)
};
%apply (const char *PASSPHRASE, size_t LEN) { (const char *passphrase, size_t passphrase_len) };
%apply (const char *SECRET, size_t LEN) { (const char *raw_key, size_t raw_key_len) };
%apply char **CIV_OUT_STRING { char **out_json, char **out_department };
/* civ_keys_rotate, civ_keys_import_identity: civ_keys_id_size() + 1 bytes */
%apply (char *CIV_OUTBUF, size_t CIV_CAP) { (char *out_id, size_t out_id_cap) };
/* civ_keys_share_identity / civ_keys_import_identity: the sealed identity-key secret */
%apply (uint8_t **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) { (uint8_t **out, size_t *out_len) };
%apply (const uint8_t *BYTES, size_t LEN) { (const uint8_t *box, size_t box_len) };

%include "civitas/workspace.h"

/* civ_key_source and civ_ctx_options hold borrowed pointers (one of them to the secret),
 * which a Java-side struct cannot keep alive or wipe; these helpers (compiled into the JNI
 * library only, not part of the C ABI) fill them on the C stack and call the C API. The
 * secret arrives in locked memory (typemaps above) and is wiped when the call returns. kind
 * is CIV_KEY_PASSPHRASE (passphrase used, raw_key ignored) or CIV_KEY_RAW (the reverse). */
%inline %{
static int civj_key_source(civ_key_source *k, int kind, const char *passphrase, size_t passphrase_len,
                           const char *raw_key, size_t raw_key_len, long long opslimit, long long memlimit) {
  int rc = civ_key_source_init(k, CIV_KEY_SOURCE_VERSION);
  if (rc != CIV_OK) return rc;
  k->kind = kind;
  k->secret = kind == CIV_KEY_RAW ? raw_key : passphrase;
  k->secret_len = kind == CIV_KEY_RAW ? raw_key_len : passphrase_len;
  k->kdf_opslimit = opslimit > 0 ? (uint64_t)opslimit : 0;
  k->kdf_memlimit = memlimit > 0 ? (size_t)memlimit : 0;
  return CIV_OK;
}
static int civj_ctx_create(civ_ctx **out, const char *path, size_t path_len, int kind, const char *passphrase,
                           size_t passphrase_len, const char *raw_key, size_t raw_key_len, long long opslimit,
                           long long memlimit, const char *department, size_t department_len, const char *name,
                           size_t name_len, int busy_timeout_ms) {
  civ_key_source k;
  civ_ctx_options o = CIV_CTX_OPTIONS_INIT;
  int rc = civj_key_source(&k, kind, passphrase, passphrase_len, raw_key, raw_key_len, opslimit, memlimit);
  if (rc != CIV_OK) return rc;
  o.department = department;
  o.department_len = department_len;
  o.name = name;
  o.name_len = name_len;
  o.busy_timeout_ms = busy_timeout_ms;
  return civ_ctx_create(out, path, path_len, &k, &o);
}
static int civj_ctx_open(civ_ctx **out, const char *path, size_t path_len, int kind, const char *passphrase,
                         size_t passphrase_len, const char *raw_key, size_t raw_key_len, int busy_timeout_ms,
                         int read_only) {
  civ_key_source k;
  civ_ctx_options o = CIV_CTX_OPTIONS_INIT;
  int rc = civj_key_source(&k, kind, passphrase, passphrase_len, raw_key, raw_key_len, 0, 0);
  if (rc != CIV_OK) return rc;
  o.busy_timeout_ms = busy_timeout_ms;
  o.read_only = read_only;
  return civ_ctx_open(out, path, path_len, &k, &o);
}
static int civj_ctx_change_master(civ_ctx *ctx, int kind, const char *passphrase, size_t passphrase_len,
                                  const char *raw_key, size_t raw_key_len, long long opslimit, long long memlimit) {
  civ_key_source k;
  int rc = civj_key_source(&k, kind, passphrase, passphrase_len, raw_key, raw_key_len, opslimit, memlimit);
  if (rc != CIV_OK) return rc;
  return civ_ctx_change_master(ctx, &k);
}
%}

%clear civ_ctx **out;
%clear (const char *path, size_t path_len), (const char *key_id, size_t key_id_len),
       (const char *json, size_t json_len), (const char *department, size_t department_len),
       (const char *name, size_t name_len), (const char *passphrase, size_t passphrase_len),
       (const char *raw_key, size_t raw_key_len);
%clear char **out_json, char **out_department, (char *out_id, size_t out_id_cap);
