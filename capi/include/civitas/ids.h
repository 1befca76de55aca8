/**
 * @file ids.h
 * @brief Identifiers: USCC (GB 32100), organisation codes (GB 11714), resident ID numbers
 * (GB 11643) and GB/T 2260 division codes. Included by civitas.h.
 *
 * An invalid identifier is not an error: validation functions return CIV_OK and report
 * validity in their result. Errors (negative returns) are for bad arguments.
 */
#ifndef CIVITAS_IDS_H
#define CIVITAS_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */

#ifdef __cplusplus
extern "C" {
#endif

/** Identifier kinds. Pinned values. */
typedef enum civ_id_kind {
  CIV_ID_USCC = 1,     /**< "uscc": Unified Social Credit Code, 18 characters */
  CIV_ID_ORGCODE = 2,  /**< "orgcode": organisation code, 8 + check digit */
  CIV_ID_RIC = 3,      /**< "ric": resident identity number, 18 (or legacy 15) */
  CIV_ID_GB2260 = 4    /**< "gb2260": administrative division code, 6 digits */
} civ_id_kind;

/** Why an identifier fails or warns. Pinned values; the names are stable reason codes. */
typedef enum civ_id_reason {
  CIV_ID_OK = 0,               /**< "ok" */
  CIV_ID_LENGTH = 1,           /**< "length" */
  CIV_ID_CHARSET = 2,          /**< "charset" */
  CIV_ID_CHECKSUM = 3,         /**< "checksum" */
  CIV_ID_AUTHORITY = 4,        /**< "authority" */
  CIV_ID_CATEGORY = 5,         /**< "category" */
  CIV_ID_REGION = 6,           /**< "region" */
  CIV_ID_DATE = 7,             /**< "date" */
  CIV_ID_ORGCODE_CHECKSUM = 8  /**< "orgcode-checksum" */
} civ_id_reason;

/** Bit for a reason in civ_id_result.warnings. */
#define CIV_ID_WARN(reason) (1u << (unsigned)(reason))

/** Validation flags. */
#define CIV_ID_STRICT 1u /**< soft rules (warnings) become errors */

/** Stable name of a reason ("checksum"); static storage; "unknown" for other values. */
CIV_API const char *civ_id_reason_name(int reason);
/** Stable name of a kind ("uscc"); static storage; "unknown" for other values. */
CIV_API const char *civ_id_kind_name(int kind);
/**
 * Parses a kind name ("uscc", "orgcode", "ric", "gb2260").
 * @return CIV_OK, or CIV_EINVAL for an unknown name.
 */
CIV_API CIV_NODISCARD int civ_id_kind_from_name(int *out_kind, const char *name, size_t name_len);

/** Parts of a parsed identifier. Strings are NUL-terminated UTF-8; empty when unknown. */
typedef struct civ_id_parts {
  char authority;            /**< USCC: registration authority code, or 0 */
  char category;             /**< USCC: entity category code, or 0 */
  char check;                /**< the check character as given, or 0 */
  char sex;                  /**< RIC: 'M' or 'F', or 0 */
  char authority_name[96];   /**< USCC: e.g. "工商" */
  char category_name[96];    /**< USCC: e.g. "企业" */
  char orgcode[12];          /**< USCC: the embedded organisation code (9 characters) */
  char division[8];          /**< USCC, RIC, GB2260: the six-digit division code */
  char province[64];         /**< region names from the GB/T 2260 table */
  char prefecture[64];
  char county[64];
  int region_known;          /**< 1 when the division code is in the table */
  char birth_date[12];       /**< RIC: YYYY-MM-DD */
  char sequence[4];          /**< RIC: three-digit order code */
  char legacy[16];           /**< RIC: the 15-digit input when a legacy number was converted */
} civ_id_parts;

/** Result of civ_id_validate. Initialise with CIV_ID_RESULT_INIT or civ_id_result_init(). */
typedef struct civ_id_result {
  unsigned version;      /**< CIV_ID_RESULT_VERSION */
  int valid;             /**< 1 when valid (warnings allowed), else 0 */
  int reason;            /**< civ_id_reason: first failed rule; CIV_ID_OK when valid */
  unsigned warnings;     /**< CIV_ID_WARN(reason) bits of soft rules that failed */
  char canonical[24];    /**< normalised form; 18-digit form for legacy resident IDs */
  char message[256];     /**< human-readable explanation (UTF-8) */
  civ_id_parts parts;
} civ_id_result;

#define CIV_ID_RESULT_VERSION 1
#define CIV_ID_RESULT_INIT {CIV_ID_RESULT_VERSION, 0, 0, 0, {0}, {0}, {0}}
/** Initialises a result struct (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_id_result_init(civ_id_result *result, unsigned version);

/**
 * Validates one identifier and parses it into parts.
 * The input is normalised first: trimmed, full-width forms to ASCII, upper-cased, spaces
 * and hyphens dropped.
 * @param out   result; its version must be set (CIV_ID_RESULT_INIT)
 * @param kind  a civ_id_kind
 * @param code  the identifier, code_len bytes of UTF-8 (need not be NUL-terminated)
 * @param flags 0 or CIV_ID_STRICT
 * @return CIV_OK (validity is in out->valid), or CIV_EINVAL for a NULL pointer, an unknown
 *         kind or result version. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_id_validate(civ_id_result *out, int kind, const char *code, size_t code_len,
                            unsigned flags);

/**
 * Validates without parts: the allocation-free fast path.
 * @param out_reason  receives a civ_id_reason (CIV_ID_OK when valid)
 * @param out_warnings receives warning bits; may be NULL
 * @return CIV_OK or CIV_EINVAL. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_id_check(int *out_reason, unsigned *out_warnings, int kind, const char *code,
                         size_t code_len, unsigned flags);

/**
 * Validates a column of identifiers with no allocation per value.
 *
 * The column uses the Arrow layout: value i is data[offsets[i] .. offsets[i+1]), so offsets
 * has count + 1 entries and is non-decreasing.
 *
 * @param out_reasons   count bytes, each a civ_id_reason (0 = valid)
 * @param out_warnings  count warning bit sets, or NULL
 * @param out_valid_count number of valid values, or NULL
 * @return CIV_OK, or CIV_EINVAL for NULL arrays, an unknown kind or decreasing offsets.
 *         Thread-safe; the calling thread does all the work.
 */
CIV_API CIV_NODISCARD int civ_id_validate_column(uint8_t *out_reasons, uint32_t *out_warnings,
                                   size_t *out_valid_count, int kind, const char *data,
                                   const uint64_t *offsets, size_t count, unsigned flags);

/**
 * Validates an array of identifiers given as pointers and lengths (convenient for bindings).
 * Same results as civ_id_validate_column.
 * @return CIV_OK, or CIV_EINVAL for NULL arrays or an unknown kind. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_id_validate_many(uint8_t *out_reasons, uint32_t *out_warnings,
                                 size_t *out_valid_count, int kind, const char *const *codes,
                                 const size_t *lengths, size_t count, unsigned flags);

/**
 * Computes the check character of an identifier body (USCC: 17 characters; orgcode: 8;
 * RIC: 17 digits). The body is normalised first.
 * @return CIV_OK, or CIV_EINVAL when the body has the wrong length or characters (see
 *         civ_error_last()).
 */
CIV_API CIV_NODISCARD int civ_id_check_char(char *out, int kind, const char *body, size_t body_len);

/**
 * Converts a valid legacy 15-digit resident ID number to its 18-digit form.
 * @param out, out_cap at least 19 bytes: the 18 characters and a NUL
 * @return CIV_OK, CIV_EINVAL for NULL pointers, CIV_EBUFFER when out_cap is below 19,
 *         CIV_EINVALIDDATA when the input is not a valid 15-digit number (reason in
 *         civ_error_last()).
 */
CIV_API CIV_NODISCARD int civ_id_ric_upgrade(char *out, size_t out_cap, const char *legacy, size_t legacy_len);

/**
 * Describes the current division table (source label) as a NUL-terminated string the
 * caller releases with civ_free(). @return CIV_OK; CIV_EINVAL (NULL out).
 */
CIV_API CIV_NODISCARD int civ_id_division_table_source(char **out);

#ifdef CIV_EXPERIMENTAL
/* ---- experimental: not part of the stable ABI (docs/c-api.md) ----------------------------
 * The division table is process-global state: replacing it changes every caller in the
 * process. A per-context table will replace these. */

/**
 * Replaces the GB/T 2260 division table with one in the loc.dat text format
 * (docs/formats/division-table.md). Thread-safe: lookups in flight finish on the old table.
 * @return CIV_OK, CIV_EIO when the file cannot be read, CIV_EPARSE (with the line) when it
 *         is malformed.
 */
CIV_API CIV_NODISCARD int civ_id_load_division_table(const char *path, size_t path_len);

/** Restores the built-in division table. @return CIV_OK. */
CIV_API CIV_NODISCARD int civ_id_reset_division_table(void);
#endif /* CIV_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_IDS_H */
