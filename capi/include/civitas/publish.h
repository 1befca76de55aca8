/**
 * @file publish.h
 * @brief The open-data publishing job (docs/publish.md): validate → classify → the policy's
 * opening decision → de-identify → risk check → a signed publication directory
 * (docs/formats/publication.md), as one audited workspace call ("publish.run"); and the
 * check of a publication. Included by civitas.h.
 *
 * Thread safety: every function is thread-safe; calls on one civ_ctx are serialised by the
 * workspace where they write.
 */
#ifndef CIVITAS_PUBLISH_H
#define CIVITAS_PUBLISH_H

#include <stddef.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Progress of a publishing job: called between its steps with the step's name ("validate",
 * "classify", "decide", "deidentify", "risk", "write", "sign", "commit", "done") and the share
 * of the job done, in [0, 1]. Return 0 to go on; any other value stops the job (nothing is
 * written; civ_publish_run returns CIV_EINVAL, "stopped by the progress callback").
 */
typedef int (*civ_publish_progress_fn)(const char *step, double done, void *user);

/**
 * Publishes a table (Workspace::publish).
 * @param request_json `{"data": PATH, "out": DIR, "resource": CODE, "schema": {…},
 *        "policy": {…}?, "spec": {…}?, "spec_dir": PATH?, "encoding": E?, "delimiter": C?}`:
 *        the CSV, the output directory (must not exist), the catalog resource code, the
 *        Table Schema as collected, a policy (absent: the bundled city policy), a
 *        de-identification spec (absent: derived from the policy's obligations)
 * @param progress may be NULL; @param user is passed to it
 * @param out receives the summary JSON (docs/publish.md) on CIV_OK; on a refusal
 *        (CIV_EDENIED, or CIV_EINVALIDDATA for data that breaks its schema) it receives
 *        `{"refused": {"reason": "policy"|"risk"|"identifier"|"invalid", "column", "rule",
 *        "message"}}`; else NULL. Release with civ_free(). May be NULL.
 * @return CIV_OK; CIV_EDENIED (refused by the policy, the risk check, or an identifier
 *         without an action); CIV_EINVALIDDATA; CIV_EEXISTS (out exists); CIV_ENOTFOUND (no
 *         such catalog entry); CIV_EINVAL; CIV_EPARSE; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_publish_run(char **out, civ_ctx *ctx, const char *request_json, size_t request_len,
                                          civ_publish_progress_fn progress, void *user);

/**
 * Checks a publication directory against the workspace's own and its peers' signing keys
 * (not audited).
 * @param out receives `{"resource","department","created","key_id","signer","files"}`;
 *        release with civ_free(); may be NULL
 * @return CIV_OK; CIV_EBADSIGNATURE; CIV_EINTEGRITY (a file changed, missing or unlisted);
 *         CIV_EUNKNOWNKEY; CIV_EDENIED (a revoked key); CIV_EPARSE; CIV_ENOTFOUND; CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_publish_verify(char **out, civ_ctx *ctx, const char *dir, size_t dir_len);

/**
 * The same against a department's public-key document (civitas keys export-public); no
 * workspace needed.
 * @return CIV_OK; CIV_EBADSIGNATURE; CIV_EINTEGRITY; CIV_EUNKNOWNKEY; CIV_EDENIED; CIV_EPARSE
 *         (also a key document that does not parse); CIV_ENOTFOUND; CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_publish_verify_with(char **out, const char *dir, size_t dir_len, const char *key_document,
                                                  size_t key_document_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_PUBLISH_H */
