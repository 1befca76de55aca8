/**
 * @file policy.h
 * @brief The city's data policy: policy documents and their checks, grading of classified
 * tables (GB/T 43697-2024 levels, 就高从严), and the audited sharing / opening decisions for
 * catalog entries stored in a workspace. Included by civitas.h.
 *
 * Documents cross as UTF-8 JSON (docs/policy.md, docs/formats/policy.md):
 * - a policy: docs/formats/policy.md; where a function takes one, NULL means the bundled
 *   default city policy (civ_policy_default);
 * - a scan: `{"columns":[{"name","type","ratio","confidence","category","level","source"}],"level"}`
 *   (civ_classify_scan_file's result, or a graded one);
 * - a decision: docs/policy.md, "Decisions".
 * A denial is a decision (CIV_OK, `"decision":"deny"`), never an error code.
 *
 * Thread safety: every function is thread-safe, and may be called on one civ_ctx from many
 * threads at once.
 */
#ifndef CIVITAS_POLICY_H
#define CIVITAS_POLICY_H

#include <stddef.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Checks a policy document and lists every problem with its JSON path.
 * @param out receives `{"valid":bool,"problems":[{"path","message"}…],"id":…,"digest":…}`
 *            (id and digest only when valid); release with civ_free()
 * @return CIV_OK (validity is in the document; malformed JSON is a problem at path ""),
 *         CIV_EINVAL (NULL out or policy_json). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_policy_check(char **out, const char *policy_json, size_t policy_len);

/**
 * The bundled default city policy (docs/policy.md), as its JSON text.
 * @param out receives the text; release with civ_free()
 * @return CIV_OK, CIV_EINVAL (NULL out). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_policy_default(char **out);

/**
 * Grades a scan with a policy: every column's category and level (schema-sourced columns keep
 * theirs), and the table level (the highest, raised by the combination rules).
 * @param policy_json a policy, or NULL for the bundled one
 * @param out receives the graded scan JSON; release with civ_free()
 * @return CIV_OK; CIV_EINVAL (NULL out or scan); CIV_EPARSE (malformed JSON);
 *         CIV_EINVALIDDATA (an invalid policy, a scan that is not that shape, a type the
 *         policy does not map). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_policy_grade(char **out, const char *policy_json, size_t policy_len,
                                           const char *scan_json, size_t scan_len);

/**
 * Records a scan, graded by the policy, as the latest classification of a stored catalog
 * entry; writes the audit entry "classify.record" in the same transaction (refusals too).
 * @param request_json `{"resource": CODE, "scan": {…}, "policy": {…}?}` (no policy: the bundled one)
 * @param out_record receives `{"resourceCode","seq","level","policy","policyDigest","created_ms","scan"}`;
 *                   release with civ_free(); may be NULL
 * @return CIV_OK; CIV_EINVAL (NULL ctx or request, a request without resource or scan);
 *         CIV_EPARSE; CIV_ENOTFOUND (no such catalog entry); CIV_EINVALIDDATA (invalid policy
 *         or scan); CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_policy_record(char **out_record, civ_ctx *ctx, const char *request_json,
                                            size_t request_len);

/**
 * Decides sharing a stored catalog entry with a department, or opening it to the public
 * (docs/policy.md, "Decisions"); writes one audit entry "policy.decide" (outcome ok or
 * denied; refusals with their error code) before it returns.
 * @param request_json `{"resource": CODE, "consumer": USCC, "purpose": P, "open": bool?,
 *                     "policy": {…}?, "schema": {…}?}`: the table level comes from the latest
 *                     recorded classification, else from the annotations of "schema" (a Table
 *                     Schema), else the table is unclassified and denied
 * @param out_decision receives the decision JSON; release with civ_free()
 * @return CIV_OK (allowed or denied: see "decision"); CIV_EINVAL (NULL arguments, a missing
 *         member, a consumer that is not a valid USCC, a blank purpose); CIV_EPARSE;
 *         CIV_ENOTFOUND (no such catalog entry); CIV_EINVALIDDATA (invalid policy or schema).
 */
CIV_API CIV_NODISCARD int civ_policy_decide(char **out_decision, civ_ctx *ctx, const char *request_json,
                                            size_t request_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_POLICY_H */
