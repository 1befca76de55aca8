/**
 * @file schema.h
 * @brief Table schemas and record validation (the data-sharing standard). Included by
 * civitas.h. Catalog entries are in catalog.h.
 *
 * Schemas and reports cross this boundary as UTF-8 JSON documents:
 * - table schema: Frictionless Table Schema v1/v2 plus civitas extensions
 *   (docs/formats/table-schema-extensions.md);
 * - validation report: the frictionless report shape with "version": 1
 *   (docs/formats/validation-report.md).
 *
 * Data that fails validation is not an error: validation functions return CIV_OK and the
 * report says "valid": false. Negative returns are for unusable arguments, invalid schemas
 * and unreadable input.
 */
#ifndef CIVITAS_SCHEMA_H
#define CIVITAS_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */

#ifdef __cplusplus
extern "C" {
#endif

/** Options of civ_schema_validate_file / civ_schema_validate_buffer /
 *  civ_schema_validate_package. */
typedef struct civ_schema_validate_options {
  unsigned version;         /**< CIV_SCHEMA_VALIDATE_OPTIONS_VERSION (1 is accepted: no resources) */
  uint64_t limit_errors;    /**< stop after this many errors; 0 = no limit (default 1000) */
  const char *format;       /**< "csv", "jsonl", or NULL/0 = from the file name (buffers: csv) */
  size_t format_len;        /**< length of format in bytes */
  const char *dialect_json; /**< Table Dialect JSON (delimiter, quoteChar, header, encoding…), or NULL */
  size_t dialect_json_len;  /**< length of dialect_json in bytes */
  /** Version 2: the tables foreign keys name in "reference.resource", as a JSON array
   *  `[{"name":…,"path":…,"schema":{…}?,"dialect":{…}?,"format":…?}]`, or NULL. Without a
   *  schema a table's columns are found by its header and the referenced fields are read with
   *  the type of the fields referring to them. NULL: such keys are not checked (a warning in
   *  the report); given: a key naming a table not in the array is CIV_EINVAL. */
  const char *resources_json;
  size_t resources_json_len; /**< length of resources_json in bytes */
} civ_schema_validate_options;

#define CIV_SCHEMA_VALIDATE_OPTIONS_VERSION 2
#define CIV_SCHEMA_VALIDATE_OPTIONS_INIT {CIV_SCHEMA_VALIDATE_OPTIONS_VERSION, 1000, NULL, 0, NULL, 0, NULL, 0}
/** Initialises options to the defaults of a version 1..CIV_SCHEMA_VALIDATE_OPTIONS_VERSION
 *  (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_schema_validate_options_init(civ_schema_validate_options *opts, unsigned version);

/**
 * Checks a table schema document and lists every broken rule.
 * @param out  receives `{"version":1,"valid":bool,"problems":[{"path","message"}…]}`
 *             (NUL-terminated UTF-8; release with civ_free())
 * @return CIV_OK (validity is in the document), CIV_EINVAL for NULL arguments. Malformed JSON
 *         is reported as a problem, not as an error. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_schema_check(char **out, const char *schema_json, size_t schema_len);

/**
 * Parses a schema and writes it back in canonical form (defaults omitted, unknown
 * properties kept).
 * @return CIV_OK, CIV_EPARSE for malformed JSON, CIV_EINVALIDDATA for a schema that breaks a
 *         rule (the first problem is in civ_error_last()). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_schema_normalize(char **out, const char *schema_json, size_t schema_len);

/**
 * Validates a CSV or JSON Lines file against a schema, streaming (memory does not grow with
 * the number of rows, except for the values unique/primary/foreign keys must remember).
 * @param out_report receives the report JSON; release with civ_free()
 * @param opts NULL for defaults
 * @return CIV_OK (data validity is in the report), CIV_EINVAL, CIV_EPARSE / CIV_EINVALIDDATA
 *         for a bad schema or dialect, CIV_EIO when the file cannot be read. Undecodable or
 *         malformed data is reported in the report (encoding-error / source-error).
 *         Thread-safe; the calling thread does the work.
 */
CIV_API CIV_NODISCARD int civ_schema_validate_file(char **out_report, const char *schema_json, size_t schema_len,
                                     const char *path, size_t path_len,
                                     const civ_schema_validate_options *opts);

/**
 * Validates every table of a Frictionless Data Package (datapackage.json) against its schema,
 * with foreign keys resolved across the package's tables: one task per tabular resource.
 * Paths in the descriptor are relative to its directory (absolute paths, "..", URLs refused).
 * @param opts NULL for defaults; only limit_errors is used (per table)
 * @return CIV_OK (validity is in the report), CIV_EINVAL, CIV_EPARSE / CIV_EINVALIDDATA for a
 *         bad descriptor or schema, CIV_EIO for an unreadable file. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_schema_validate_package(char **out_report, const char *path, size_t path_len,
                                        const civ_schema_validate_options *opts);

/** As civ_schema_validate_file, over bytes in memory (default format csv). @return the codes
 *  of civ_schema_validate_file() but CIV_EIO. */
CIV_API CIV_NODISCARD int civ_schema_validate_buffer(char **out_report, const char *schema_json, size_t schema_len,
                                       const char *data, size_t data_len,
                                       const civ_schema_validate_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_SCHEMA_H */
