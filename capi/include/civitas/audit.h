/**
 * @file audit.h
 * @brief The tamper-evident audit log of a workspace (RFC 9162 Merkle tree, C2SP signed-note
 * checkpoints). Included by civitas.h.
 *
 * Every workspace opened with civ_ctx_open()/civ_ctx_create() records its own sensitive
 * actions (key rotation and destruction, decryption, token reversal…) in its log; callers
 * append their own events with civ_audit_append(). Entries, checkpoints and proofs are
 * specified in docs/formats/audit-entry.md, checkpoint.md and proofs.md, so that anyone with
 * the verifier key can check them without civitas.
 *
 * Documents cross as UTF-8 text: entries as JSON Lines (the objects of `civitas audit log
 * --json`), proofs as JSON, checkpoints as signed-note text. Returned strings are
 * NUL-terminated and released with civ_free().
 *
 * Thread safety: all functions are thread-safe; many threads and processes may append to one
 * workspace at once (one total order). An append that returned CIV_OK is committed and
 * survives a crash of the process.
 */
#ifndef CIVITAS_AUDIT_H
#define CIVITAS_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */

#ifdef __cplusplus
extern "C" {
#endif

struct civ_ctx;

/** An event to append: (pointer, length) strings. */
typedef struct civ_audit_event {
  unsigned version;         /**< CIV_AUDIT_EVENT_VERSION */
  const char *actor;        /**< "<department USCC>" or "<department USCC>:<user id>" */
  size_t actor_len;
  const char *action;       /**< non-empty, e.g. "data.read" */
  size_t action_len;
  const char *resource;     /**< may be NULL/0; catalog resource code or package id */
  size_t resource_len;
  const char *purpose;      /**< may be NULL/0 */
  size_t purpose_len;
  const char *details_json; /**< a JSON object (canonicalised; integers only); NULL/0 means {} */
  size_t details_len;
} civ_audit_event;

#define CIV_AUDIT_EVENT_VERSION 1
#define CIV_AUDIT_EVENT_INIT {CIV_AUDIT_EVENT_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0}
/** Initialises an event (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_audit_event_init(civ_audit_event *event, unsigned version);

/**
 * Appends one entry (outcome "ok") in its own transaction.
 * @param out_index receives the entry's index; may be NULL
 * @return CIV_OK; CIV_EINVAL (bad actor, empty action, bad details, NULL ctx or event, bad
 *         version); CIV_EBUSY; CIV_EIO; CIV_EINTEGRITY (the stored log is damaged).
 */
CIV_API CIV_NODISCARD int civ_audit_append(uint64_t *out_index, struct civ_ctx *ctx, const civ_audit_event *event);

/**
 * Appends many entries in one transaction: JSON Lines, one object per line with the fields
 * "actor", "action", "resource", "purpose", "outcome" (strings) and "details" (object).
 * All or nothing: a bad line fails the call (CIV_EPARSE/CIV_EINVAL naming the line).
 * @param out_first receives the index of the first appended entry; may be NULL
 * @param out_count receives the number appended; may be NULL
 * @return CIV_OK; CIV_EPARSE / CIV_EINVAL (a bad line, named; no entry); CIV_EBUSY; CIV_EIO;
 *         CIV_EINTEGRITY.
 */
CIV_API CIV_NODISCARD int civ_audit_append_batch(uint64_t *out_first, size_t *out_count, struct civ_ctx *ctx,
                                   const char *jsonl, size_t jsonl_len);

/** The number of entries (the tree size). @return CIV_OK; CIV_EINVAL; CIV_EBUSY; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_audit_size(uint64_t *out_size, struct civ_ctx *ctx);

/**
 * Entries matching a filter, as JSON Lines (one object per entry: index, time_ms, time, actor,
 * actor_dept, actor_user, action, resource, purpose, outcome, details, entry, leaf_hash).
 * @param filter_json NULL/0 for all, or an object with any of "since_ms", "until_ms" (integers),
 *        "actor" ("USCC" or "USCC:user"), "action", "resource" (strings), "from", "limit".
 * @return CIV_OK; CIV_EPARSE (bad filter); CIV_EINTEGRITY when a matching entry was tampered
 *         with (never returned as data).
 */
CIV_API CIV_NODISCARD int civ_audit_log(char **out_jsonl, struct civ_ctx *ctx, const char *filter_json, size_t filter_len);

/** The latest signed checkpoint note, signing a new one when the log grew. @return CIV_OK;
 *  CIV_EINVAL; CIV_EBUSY; CIV_EIO; CIV_EINTEGRITY. */
CIV_API CIV_NODISCARD int civ_audit_checkpoint(char **out_note, struct civ_ctx *ctx);

/** The note-verifier key "<name>+<key hash>+<key>" of the checkpoint signing key.
 *  @return CIV_OK; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_audit_public_key(char **out_key, struct civ_ctx *ctx);

/**
 * Inclusion proof JSON {"version","leaf_index","tree_size","leaf_hash","hashes"}.
 * @param size tree size; 0 = current. @return CIV_OK or CIV_EINVAL (index ≥ size, size too big).
 */
CIV_API CIV_NODISCARD int civ_audit_prove(char **out_json, struct civ_ctx *ctx, uint64_t index, uint64_t size);

/** Consistency proof JSON {"version","first","second","hashes"}; second 0 = current size.
 *  @return CIV_OK or CIV_EINVAL (first > second, second too big). */
CIV_API CIV_NODISCARD int civ_audit_consistency(char **out_json, struct civ_ctx *ctx, uint64_t first, uint64_t second);

/**
 * Full verification: recomputes the tree from every entry and checks every stored checkpoint
 * (and `checkpoint`, when given: a note kept from earlier).
 * @param out_report receives a JSON report {"ok","entries","checkpoints","root","problems":[
 *        {"kind","index","message"}]}; may be NULL. Set (and to be released with civ_free())
 *        both on CIV_OK and on CIV_EINTEGRITY; NULL on other errors.
 * @return CIV_OK when everything checks; CIV_EINTEGRITY when anything was changed, deleted,
 *         inserted or reordered (the report names the indexes); CIV_EBUSY, CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_audit_verify(char **out_report, struct civ_ctx *ctx, const char *checkpoint, size_t checkpoint_len);

/**
 * Offline check of one entry (no workspace): the checkpoint is signed by `verifier_key` and
 * the inclusion proof leads from the proof's leaf hash to its root at its size.
 * @return CIV_OK; CIV_EPARSE; CIV_EUNKNOWNKEY; CIV_ESIGNATURE; CIV_EINTEGRITY (proof does not
 *         match); CIV_EINVAL (proof and checkpoint sizes differ).
 */
CIV_API CIV_NODISCARD int civ_audit_verify_inclusion(const char *proof_json, size_t proof_len, const char *checkpoint,
                                       size_t checkpoint_len, const char *verifier_key, size_t key_len);

/**
 * Offline check of a checkpoint note (no workspace): verifies its signature with
 * `verifier_key` and returns its body as JSON {"origin","size","root" (hex)}.
 * @param out_json receives the JSON (release with civ_free()); NULL on error. May be NULL to
 *        only check.
 * @return CIV_OK; CIV_EPARSE (malformed note or key); CIV_EUNKNOWNKEY (no signature by
 *         this key); CIV_ESIGNATURE (a signature by this key that does not verify).
 */
CIV_API CIV_NODISCARD int civ_audit_checkpoint_open(char **out_json, const char *checkpoint, size_t checkpoint_len,
                                      const char *verifier_key, size_t key_len);

/**
 * Witnessing another department's log in one call: both checkpoints are signed by
 * `verifier_key`, have the same origin, and the consistency proof shows the newer tree extends
 * the older one. @return CIV_OK; CIV_EPARSE; CIV_EUNKNOWNKEY; CIV_ESIGNATURE; CIV_EINVAL (proof
 * for other sizes); CIV_EINTEGRITY (not consistent: a rewritten history or a fork).
 */
CIV_API CIV_NODISCARD int civ_audit_check_consistency(const char *older_note, size_t older_len, const char *newer_note,
                                        size_t newer_len, const char *proof_json, size_t proof_len,
                                        const char *verifier_key, size_t key_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_AUDIT_H */
