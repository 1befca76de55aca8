/**
 * @file catalog.h
 * @brief Catalog entries: their checks, their exports to Data Package / DCAT-AP / CKAN and
 * back, and their versioned storage in a workspace. Included by civitas.h.
 *
 * The entry model is docs/formats/catalog-entry.md ("version": 1). civ_catalog_check,
 * civ_catalog_export and civ_catalog_import need no workspace; the other functions store
 * entries in one (civ_ctx). Every change to an entry adds a version (1, 2, … per resource code); earlier
 * versions stay readable. Entries and listings cross as UTF-8 JSON (docs/catalog.md):
 * - an entry: docs/formats/catalog-entry.md, normalised (Chinese labels as tokens,
 *   "resourceCode" filled in);
 * - a version record: `{"resourceCode":…,"version":n,"created_ms":…,"title":…,"entry":{…}}`
 *   (created_ms: milliseconds since the Unix epoch, UTC).
 *
 * Thread safety: every function is thread-safe, and may be called on one civ_ctx from many
 * threads at once. Many processes may store entries in one workspace at once: writers wait
 * for each other up to the workspace's busy timeout (then CIV_EBUSY).
 */
#ifndef CIVITAS_CATALOG_H
#define CIVITAS_CATALOG_H

#include <stddef.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Catalog export / import formats. Pinned values. */
typedef enum civ_catalog_format {
  CIV_CATALOG_DATAPACKAGE = 1, /**< Frictionless Data Package descriptor */
  CIV_CATALOG_DCAT = 2,        /**< DCAT 3 / DCAT-AP 3 JSON-LD */
  CIV_CATALOG_CKAN = 3         /**< CKAN package (package_show result) */
} civ_catalog_format;

/**
 * Checks a catalog entry (docs/formats/catalog-entry.md) against the guideline's rules.
 * @param out receives `{"version":1,"valid":bool,"resourceCode":…,"problems":[…]}`; civ_free()
 * @return CIV_OK (validity is in the document; malformed JSON is a problem), CIV_EINVAL.
 *         Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_catalog_check(char **out, const char *entry_json, size_t entry_len);

/**
 * Exports a valid catalog entry as a Data Package, DCAT-AP JSON-LD or CKAN package.
 * @param format a civ_catalog_format
 * @return CIV_OK, CIV_EINVAL (unknown format, NULL), CIV_EPARSE, CIV_EINVALIDDATA (entry
 *         breaks a rule). Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_catalog_export(char **out, const char *entry_json, size_t entry_len, int format);

/**
 * Imports a catalog entry from a document exported by civ_catalog_export (or written by
 * another system in the same format). Export then import gives back the same entry.
 * @param format a civ_catalog_format, or 0 to detect it
 * @return CIV_OK, CIV_EINVAL, CIV_EPARSE, CIV_EINVALIDDATA. Thread-safe.
 */
CIV_API CIV_NODISCARD int civ_catalog_import(char **out_entry, const char *doc, size_t doc_len, int format);

/**
 * Validates and normalises an entry and stores it as the next version of its resource code.
 * An entry equal to the latest stored version is not stored again: that version is returned.
 * @param out_record receives the version record (with the normalised entry); release with
 *                   civ_free(); may be NULL
 * @return CIV_OK; CIV_EINVAL (NULL ctx or entry); CIV_EPARSE (malformed JSON);
 *         CIV_EINVALIDDATA (the entry breaks a rule; the first one is in civ_error_last());
 *         CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_catalog_add(char **out_record, civ_ctx *ctx, const char *entry_json, size_t entry_len);

/**
 * A stored version of an entry.
 * @param out_entry receives the normalised entry JSON; release with civ_free()
 * @param version   1, 2, …; 0 = the latest version
 * @return CIV_OK; CIV_ENOTFOUND (no such resource code or version); CIV_EINVAL (NULL
 *         argument, negative version).
 */
CIV_API CIV_NODISCARD int civ_catalog_get(char **out_entry, civ_ctx *ctx, const char *resource_code, size_t code_len,
                            int version);

/**
 * The latest version of every stored entry, ordered by resource code.
 * @param out_json receives a JSON array of version records (empty when the catalog is
 *                 empty); release with civ_free()
 * @return CIV_OK, CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_catalog_list(char **out_json, civ_ctx *ctx);

/**
 * Every version of one entry, oldest first.
 * @param out_json receives a JSON array of version records; release with civ_free()
 * @return CIV_OK; CIV_ENOTFOUND (no entry with that resource code); CIV_EINVAL.
 */
CIV_API CIV_NODISCARD int civ_catalog_history(char **out_json, civ_ctx *ctx, const char *resource_code, size_t code_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_CATALOG_H */
