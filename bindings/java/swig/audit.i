/* audit module (civitas/audit.h): the tamper-evident audit log of a workspace. Used by
 * org.civitas.AuditLog (with the civ_ctx handle of org.civitas.Workspace) and by its offline
 * checks (proofs, checkpoints, witnessing). Entries, proofs and reports cross as JSON Strings,
 * checkpoints as signed-note text. */

%civ_function(civj_audit_append)
%civ_function(civ_audit_append_batch)
%civ_function(civ_audit_size)
%civ_function(civ_audit_log)
%civ_function(civ_audit_checkpoint)
%civ_function(civ_audit_public_key)
%civ_function(civ_audit_prove)
%civ_function(civ_audit_consistency)
%civ_function(civ_audit_verify)
%civ_function(civ_audit_verify_inclusion)
%civ_function(civ_audit_checkpoint_open)
%civ_function(civ_audit_check_consistency)

/* audit.h spells the handle `struct civ_ctx *`: the same Java long as civ_ctx *. */
%apply civ_ctx * { struct civ_ctx * };

/* uint64_t by value (indexes, tree sizes) as a Java long; org.civitas.AuditLog refuses
 * negative values before the call. */
%typemap(jni) uint64_t CIV_U64 "jlong"
%typemap(jtype) uint64_t CIV_U64 "long"
%typemap(jstype) uint64_t CIV_U64 "long"
%typemap(javain) uint64_t CIV_U64 "$javainput"
%typemap(in) uint64_t CIV_U64 %{ $1 = (uint64_t)$input; %}

%apply uint64_t CIV_U64 { uint64_t index, uint64_t size, uint64_t first, uint64_t second };
%apply uint64_t *CIV_OUTVAL { uint64_t *out_index, uint64_t *out_first, uint64_t *out_size };
%apply size_t *CIV_OUTVAL { size_t *out_count };
%apply (const char *UTF8, size_t LEN) {
  (const char *actor, size_t actor_len),
  (const char *action, size_t action_len),
  (const char *resource, size_t resource_len),
  (const char *purpose, size_t purpose_len),
  (const char *details_json, size_t details_len),
  (const char *jsonl, size_t jsonl_len),
  (const char *filter_json, size_t filter_len),
  (const char *checkpoint, size_t checkpoint_len),
  (const char *proof_json, size_t proof_len),
  (const char *verifier_key, size_t key_len),
  (const char *older_note, size_t older_len),
  (const char *newer_note, size_t newer_len)
};
%apply char **CIV_OUT_STRING { char **out_jsonl, char **out_note, char **out_key, char **out_json, char **out_report };

%include "civitas/audit.h"

/* civ_audit_event holds borrowed pointers: this helper (JNI library only, not part of the C
 * ABI) fills it on the C stack. */
%inline %{
static int civj_audit_append(uint64_t *out_index, civ_ctx *ctx, const char *actor, size_t actor_len,
                             const char *action, size_t action_len, const char *resource, size_t resource_len,
                             const char *purpose, size_t purpose_len, const char *details_json, size_t details_len) {
  civ_audit_event e = CIV_AUDIT_EVENT_INIT;
  e.actor = actor;
  e.actor_len = actor_len;
  e.action = action;
  e.action_len = action_len;
  e.resource = resource;
  e.resource_len = resource_len;
  e.purpose = purpose;
  e.purpose_len = purpose_len;
  e.details_json = details_json;
  e.details_len = details_len;
  return civ_audit_append(out_index, ctx, &e);
}
%}

%clear struct civ_ctx *;
%clear uint64_t index, uint64_t size, uint64_t first, uint64_t second;
%clear uint64_t *out_index, uint64_t *out_first, uint64_t *out_size, size_t *out_count;
%clear (const char *actor, size_t actor_len), (const char *action, size_t action_len),
       (const char *resource, size_t resource_len), (const char *purpose, size_t purpose_len),
       (const char *details_json, size_t details_len), (const char *jsonl, size_t jsonl_len),
       (const char *filter_json, size_t filter_len), (const char *checkpoint, size_t checkpoint_len),
       (const char *proof_json, size_t proof_len), (const char *verifier_key, size_t key_len),
       (const char *older_note, size_t older_len), (const char *newer_note, size_t newer_len);
%clear char **out_jsonl, char **out_note, char **out_key, char **out_json, char **out_report;
