/**
 * @file deid.h
 * @brief De-identification for open data: runs of a de-identification spec, risk measures,
 * differential-privacy aggregates (docs/deid.md, docs/formats/deid-spec.md,
 * docs/formats/deid-report.md). Included by civitas.h.
 */
#ifndef CIVITAS_DEID_H
#define CIVITAS_DEID_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== de-identification runs (spec → output + report) ==== */


/* ==== end of runs section ==== */




/* ==== risk measures and reports ==== */


/* ==== end of risk section ==== */




/* ==== differential privacy ==== */

/*
 * Differentially private aggregates (docs/dp.md): count, sum, mean, histogram and quantiles
 * with bounded contributions per person and secure discrete noise, paid from a dataset's
 * privacy budget kept in the workspace. Amounts cross as decimal text ("0.5", "1e-6").
 */

/** Noise mechanisms of civ_deid_dp_sample. */
typedef enum civ_deid_dp_mechanism {
  CIV_DEID_DP_LAPLACE = 1,  /**< discrete Laplace, scale num/den */
  CIV_DEID_DP_GAUSSIAN = 2  /**< discrete Gaussian, sigma^2 = num/den */
} civ_deid_dp_mechanism;

/**
 * Draws n integers of a discrete noise distribution (exact sampling over libsodium's
 * randombytes; docs/dp.md, "Noise").
 * @param out       receives n samples (caller's array)
 * @param mechanism a civ_deid_dp_mechanism
 * @param num, den  the rational parameter num/den (> 0): the Laplace scale or the Gaussian's
 *                  sigma^2
 * @return CIV_OK; CIV_EINVAL (NULL out with n > 0, unknown mechanism, num or den 0).
 * Thread safety: may be called from many threads at once.
 */
CIV_API CIV_NODISCARD int civ_deid_dp_sample(int64_t *out, size_t n, int mechanism, uint64_t num, uint64_t den);

/**
 * Sets the total privacy budget of a dataset (a resource code of the workspace's catalog).
 * Audited as "dp.budget" (refusals too).
 * @param out_json receives the budget JSON (docs/dp.md, "Budget JSON"); release with
 *                 civ_free(); may be NULL
 * @param epsilon  decimal text, in [0, 1000]
 * @param delta    decimal text in [0, 1), or NULL for 0
 * @return CIV_OK; CIV_EINVAL (NULL ctx/dataset/epsilon, bad amounts); CIV_ENOTFOUND (no
 *         such catalog entry); CIV_EBUSY; CIV_EIO.
 * Thread safety: a civ_ctx may be used from many threads at once.
 */
CIV_API CIV_NODISCARD int civ_deid_dp_budget_set(char **out_json, civ_ctx *ctx, const char *dataset, const char *epsilon,
                                            const char *delta);

/**
 * The privacy budget of a dataset: totals, amounts spent, releases.
 * @param out_json receives the budget JSON; release with civ_free()
 * @return CIV_OK; CIV_EINVAL (NULL argument); CIV_ENOTFOUND (no budget set).
 */
CIV_API CIV_NODISCARD int civ_deid_dp_budget_get(char **out_json, civ_ctx *ctx, const char *dataset);

/**
 * One differentially private release over a CSV file (header row), paid from the budget of
 * the query's dataset: the check, the spend and the "dp.release" audit entry commit together
 * before the result is returned.
 * @param out_json   receives the release JSON (docs/dp.md, "Output"); release with civ_free()
 * @param query_json the query (docs/dp.md, "Query JSON"), plus optional "delimiter" (one
 *                   character) and "encoding" of the CSV
 * @param csv_path   NUL-terminated path of the CSV file
 * @return CIV_OK; CIV_EDENIED (no budget, or the release would exceed it: nothing is
 *         released, the refusal is audited); CIV_EINVAL (bad query: civ_error_last() names
 *         the parameter); CIV_ENOTFOUND (a column missing); CIV_EPARSE (bad CSV or JSON);
 *         CIV_EINVALIDDATA (a value is not a number: row and column in the message); CIV_EIO;
 *         CIV_EBUSY.
 * Thread safety: a civ_ctx may be used from many threads at once.
 */
CIV_API CIV_NODISCARD int civ_deid_dp_release_csv(char **out_json, civ_ctx *ctx, const char *query_json, size_t query_len,
                                             const char *csv_path);


/* ==== end of differential-privacy section ==== */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_DEID_H */
