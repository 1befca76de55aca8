/**
 * @file classify.h
 * @brief Classification: which identifiers and other personal information a value, a column,
 * a CSV file or a text holds (docs/classify.md). Included by civitas.h.
 *
 * Results cross as UTF-8 JSON, returned in a string the library allocates (free it with
 * civ_free()):
 * - a value's type: the type name ("ric", "mobile_phone", …, "none"; docs/classify.md lists
 *   them);
 * - findings in a text: `[{"type":…,"offset":…,"length":…}…]`, offsets and lengths in bytes of
 *   the text as given;
 * - a column: `{"name","type","ratio","confidence","category","level","source"}`;
 * - a table: `{"columns":[…],"level":…}` (the shape of `civitas classify scan --json`).
 *
 * Custom detectors (`detectors_json`, NULL or length 0 = none) are a JSON array
 * `[{"name":"employee_no","pattern":"EMP[0-9]{6}","category":…,"level":…}]` (RE2 patterns;
 * category and level optional).
 *
 * Thread safety: every function is thread-safe.
 */
#ifndef CIVITAS_CLASSIFY_H
#define CIVITAS_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The type of one cell value (trimmed; full-width forms read as ASCII): the first type whose
 * detector accepts the whole value, "none" when none does.
 * @param out_type receives the type name; civ_free() it
 * @param value, value_len the value (UTF-8)
 * @param detectors_json, detectors_len custom detectors, or NULL/0
 * @return CIV_OK; CIV_EINVAL (NULL out_type, bad detectors); CIV_EPARSE (detectors not JSON).
 *         Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_classify_value(char **out_type, const char *value, size_t value_len,
                                             const char *detectors_json, size_t detectors_len);

/**
 * Every occurrence in a text, in offset order.
 * @param out_json receives `[{"type","offset","length"}…]`; civ_free() it
 * @param text, text_len the text as given
 * @param encoding NULL or "" = guess (UTF-8 when valid, else GB18030); "utf-8", "gb18030",
 *        "gbk": offsets are in the bytes as given
 * @param detectors_json, detectors_len custom detectors, or NULL/0
 * @return CIV_OK (findings or not); CIV_EINVAL (NULL out_json, unknown encoding, bad
 *         detectors); CIV_EPARSE (bytes not valid in the encoding, with the offset in the
 *         message). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_classify_find(char **out_json, const char *text, size_t text_len,
                                            const char *encoding, const char *detectors_json,
                                            size_t detectors_len);

/**
 * Classifies one column from its values (Arrow layout: value i is data[offsets[i] ..
 * offsets[i+1])). The name is a hint only (docs/classify.md).
 * @param out_json receives the column object; civ_free() it
 * @param name, name_len the column name (may be empty)
 * @param data, offsets, count the values: count + 1 non-decreasing offsets
 * @param detectors_json, detectors_len custom detectors, or NULL/0
 * @return CIV_OK; CIV_EINVAL (NULL pointers, bad offsets, bad detectors); CIV_EPARSE.
 *         Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_classify_column(char **out_json, const char *name, size_t name_len,
                                              const char *data, const uint64_t *offsets, size_t count,
                                              const char *detectors_json, size_t detectors_len);

/**
 * Classifies every column of a CSV file (sampled in segments when large).
 * @param out_json receives `{"columns":[…],"level":…}`; civ_free() it
 * @param path the CSV file
 * @param options_json, options_len NULL/0, or `{"schema": {…table schema…},
 *        "dialect": {…table dialect…}, "encoding": "gb18030", "full": false,
 *        "detectors": […]}` (every member optional)
 * @return CIV_OK; CIV_EINVAL (NULL, bad options); CIV_EIO (unreadable file); CIV_EPARSE (not
 *         CSV in its encoding, options not JSON); CIV_EINVALIDDATA (a schema that breaks a
 *         rule). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_classify_scan_file(char **out_json, const char *path,
                                                 const char *options_json, size_t options_len);

/**
 * The built-in type names, `["none","uscc",…]`.
 * @param out_json receives the JSON array; civ_free() it
 * @return CIV_OK; CIV_EINVAL (NULL out_json). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_classify_types(char **out_json);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_CLASSIFY_H */
