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
 * With a workspace (ctx not NULL), the keyring's identity and token keys serve the keyed
 * actions (pseudonymize, tokenize, date_shift) and the run is audit-logged as "deid.run"
 * (spec, input and output SHA-256, the risk after); a refused run is audited with its error.
 * Without one (ctx NULL) a spec with a keyed action fails with CIV_EINVAL and nothing is
 * logged.
 *
 * @param out_report receives the report (NUL-terminated JSON); release with civ_free()
 * @param ctx an open workspace, or NULL
 * @param spec_json the spec (NUL-terminated UTF-8 JSON)
 * @param in_path input CSV (header row)
 * @param out_path output CSV (UTF-8)
 * @param options_json NULL, or {"spec_dir": ".", "delimiter": ",", "encoding": "utf-8",
 *        "drop_suppressed": false}; spec_dir is the folder hierarchy paths are relative to
 * @return CIV_OK; CIV_EINVAL (NULL argument, bad option, keyed action without keys);
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


/* ==== end of differential-privacy section ==== */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_DEID_H */
