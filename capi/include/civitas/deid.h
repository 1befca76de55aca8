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

/**
 * De-identifies a CSV file by a spec (docs/deid.md, docs/formats/deid-spec.md) and returns
 * the report (docs/formats/deid-report.md). The output is written to a temporary file and
 * renamed: on any error nothing is left at out_path.
 *
 * Every run is audit-logged as "deid.run" in the workspace ctx (spec, input and output
 * SHA-256, the chosen levels, suppressed records, the risk after); a refused run (bad spec,
 * unreadable input, no transformation satisfies the model…) is audited with its error. The
 * keyring's identity and token keys serve the keyed actions (pseudonymize, tokenize,
 * date_shift). ctx is required: NULL fails with CIV_EINVAL and nothing is run.
 *
 * @param out_report receives the report (NUL-terminated JSON); release with civ_free()
 * @param ctx an open workspace (required)
 * @param spec_json the spec (NUL-terminated UTF-8 JSON)
 * @param in_path input CSV (header row)
 * @param out_path output CSV (UTF-8)
 * @param options_json NULL, or {"spec_dir": ".", "delimiter": ",", "encoding": "utf-8",
 *        "drop_suppressed": false}; spec_dir is the folder hierarchy paths are relative to
 * @return CIV_OK; CIV_EINVAL (NULL argument or ctx, bad option, keyed action without keys);
 *         CIV_EPARSE (malformed spec JSON, bad CSV, undecodable input); CIV_EIO; CIV_ENOTFOUND
 *         (a named field missing from the input); CIV_EINVALIDDATA (a value outside its
 *         hierarchy, or no transformation satisfies the privacy model); CIV_EBUSY.
 *         Thread-safe; calls on one ctx serialise on its database.
 */
CIV_API CIV_NODISCARD int civ_deid_run(char **out_report, civ_ctx *ctx, const char *spec_json, const char *in_path,
                                       const char *out_path, const char *options_json);


/* ==== end of runs section ==== */




/* ==== risk measures and reports ==== */

/** Options of the risk measures (docs/formats/deid-risk.md). */
typedef struct civ_deid_risk_options {
  unsigned version;         /**< CIV_DEID_RISK_OPTIONS_VERSION */
  double threshold;         /**< a record is at risk when its risk exceeds it (0.2) */
  double population_size;   /**< population for the uniqueness model; 0 = from sampling_fraction */
  double sampling_fraction; /**< records / population when population_size is 0 (0.01) */
  const char *model;        /**< "pitman" (NULL) or "none" */
} civ_deid_risk_options;

#define CIV_DEID_RISK_OPTIONS_VERSION 1
#define CIV_DEID_RISK_OPTIONS_INIT {CIV_DEID_RISK_OPTIONS_VERSION, 0.2, 0.0, 0.01, NULL}
/** Initialises risk options to the defaults (for bindings). @return CIV_OK or CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_deid_risk_options_init(civ_deid_risk_options *opts, unsigned version);

/**
 * Re-identification risk of a release from its equivalence-class sizes: prosecutor,
 * journalist and marketer risk, sample uniques and the population-uniqueness estimate, as
 * the RISK JSON object of docs/formats/deid-risk.md. Thread-safe.
 * @param out_json NUL-terminated JSON, freed with civ_free()
 * @param class_sizes count sizes (one per class; zeros are ignored)
 * @param opts NULL means defaults
 * @return CIV_OK; CIV_EINVAL (NULL, bad version, bad threshold or fraction, unknown model).
 */
CIV_API CIV_NODISCARD int civ_deid_risk(char **out_json, const uint64_t *class_sizes, size_t count,
                                        const civ_deid_risk_options *opts);

/**
 * Risk of a CSV file's quasi-identifier columns: {"risk": RISK, "class_sizes": [[size,
 * count], ...], "records": n, "classes": n}. Thread-safe.
 * @param qi column names, comma-separated (one string)
 * @param delimiter 0 means ','
 * @param encoding NULL means UTF-8
 * @return CIV_OK; CIV_EIO (unreadable); CIV_ENOTFOUND (unknown column); CIV_EPARSE (bad
 *         CSV or encoding); CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_deid_risk_csv(char **out_json, const char *path, const char *qi, char delimiter,
                                            const char *encoding, const civ_deid_risk_options *opts);

/**
 * Applies a field action that needs no key (keep, mask, top_bottom, microaggregate, noise
 * with "keyed": false; docs/formats/deid-actions.md) to a column in Arrow layout (value i
 * is data[offsets[i] .. offsets[i+1]); count + 1 offsets). Outputs *out_data and
 * *out_offsets (count + 1 entries), both freed with civ_free(). Thread-safe.
 * @param action_json the action object, e.g. {"action":"mask","keep_last":4}
 * @param field the column's name (for errors; may be NULL)
 * @return CIV_OK; CIV_EINVAL (bad action, keyed action, NULL, decreasing offsets);
 *         CIV_EINVALIDDATA (a value the action cannot take: civ_error_last() names the row,
 *         1-based index + 1 as in a CSV with a header).
 */
CIV_API CIV_NODISCARD int civ_deid_transform_column(uint8_t **out_data, uint64_t **out_offsets,
                                                    const char *action_json, const char *field,
                                                    const uint8_t *data, const uint64_t *offsets, size_t count);

/**
 * Renders a de-identification report (docs/formats/deid-report.md) as one self-contained
 * HTML page (inline CSS and SVG; no script, no network access). Thread-safe.
 * @param out_html NUL-terminated, freed with civ_free()
 * @return CIV_OK; CIV_EPARSE (not JSON); CIV_EINVAL (NULL, not an object).
 */
CIV_API CIV_NODISCARD int civ_deid_report_html(char **out_html, const char *report_json);



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
