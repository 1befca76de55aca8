/**
 * @file catalog.h
 * @brief Catalog entries stored in a workspace, versioned. Included by civitas.h.
 *
 * The entry model, its checks and the export formats are in schema.h (civ_catalog_check,
 * civ_catalog_export, civ_catalog_import); this header stores entries in a workspace
 * (civ_ctx). Every change to an entry adds a version (1, 2, … per resource code); earlier
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

#include "civitas/civitas_export.h"
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Validates and normalises an entry and stores it as the next version of its resource code.
 * An entry equal to the latest stored version is not stored again: that version is returned.
 * @param out_record receives the version record (with the normalised entry); release with
 *                   civ_free(); may be NULL
 * @return CIV_OK; CIV_EINVAL (NULL ctx or entry); CIV_EPARSE (malformed JSON);
 *         CIV_EINVALIDDATA (the entry breaks a rule; the first one is in civ_error_last());
 *         CIV_EBUSY; CIV_EIO.
 */
CIV_API int civ_catalog_add(char **out_record, civ_ctx *ctx, const char *entry_json, size_t entry_len);

/**
 * A stored version of an entry.
 * @param out_entry receives the normalised entry JSON; release with civ_free()
 * @param version   1, 2, …; 0 = the latest version
 * @return CIV_OK; CIV_ENOTFOUND (no such resource code or version); CIV_EINVAL (NULL
 *         argument, negative version).
 */
CIV_API int civ_catalog_get(char **out_entry, civ_ctx *ctx, const char *resource_code, size_t code_len,
                            int version);

/**
 * The latest version of every stored entry, ordered by resource code.
 * @param out_json receives a JSON array of version records (empty when the catalog is
 *                 empty); release with civ_free()
 * @return CIV_OK, CIV_EINVAL.
 */
CIV_API int civ_catalog_list(char **out_json, civ_ctx *ctx);

/**
 * Every version of one entry, oldest first.
 * @param out_json receives a JSON array of version records; release with civ_free()
 * @return CIV_OK; CIV_ENOTFOUND (no entry with that resource code); CIV_EINVAL.
 */
CIV_API int civ_catalog_history(char **out_json, civ_ctx *ctx, const char *resource_code, size_t code_len);

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_CATALOG_H */
