/**
 * @file civitas.h
 * @brief civitas — the stable C ABI of the city's data-sharing trust core.
 *
 * This header is the reference manual of the C API. Conventions (see docs/c-api.md):
 *
 * - Functions are `civ_<module>_<verb>`, the module being the name of the header that
 *   declares them (`civ_crypto_sign` in crypto.h, `civ_package_open_ctx` in package.h). The
 *   exceptions: `civ_id_*` in ids.h, `civ_ctx_*` / `civ_keys_*` in workspace.h, and the
 *   library-wide `civ_version*`, `civ_error_*`, `civ_free` of this header. Macros and enum
 *   values are `CIV_`.
 * - Every fallible function returns `int`: `CIV_OK` (0) or a negative `CIV_E*` code, carries
 *   CIV_NODISCARD, and lists the codes it can return. Results come back through
 *   out-parameters, which come first.
 * - `civ_error_last()` describes the last failure on the calling thread; it never returns NULL.
 * - Memory the library allocates for the caller is released with `civ_free()` unless the
 *   function names another `*_free`. `*_free(NULL)` is a no-op.
 * - Inputs are (pointer, length) pairs, in arguments and in structs alike; they need not be
 *   NUL-terminated. Lists are an array and a count.
 * - A caller's output buffer comes with its capacity; a size function says how large it must
 *   be; a buffer too small gives CIV_EBUFFER.
 * - No function aborts on bad input and no C++ exception crosses this boundary.
 * - Structs the caller fills start with `unsigned version`; initialise them with the
 *   `*_INIT` macro or the `*_init()` function. Every version from 1 to the current one is
 *   accepted; in an array every element carries the same version. A NULL options pointer
 *   means defaults.
 * - Functions not meant to be frozen are declared only when CIV_EXPERIMENTAL is defined
 *   before this header is included; they may change or go in any release (docs/c-api.md).
 *
 * Thread safety is stated per function. Unless stated otherwise functions are safe to call
 * from many threads at once.
 *
 * The module headers below are included from here; include only this one.
 */
#ifndef CIVITAS_H
#define CIVITAS_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas_export.h"

/**
 * CIV_NODISCARD marks a function whose return code must not be ignored
 * (warn_unused_result); empty on compilers without the attribute. Define it before
 * including this header to override.
 */
#ifndef CIV_NODISCARD
#if defined(__has_attribute)
#if __has_attribute(warn_unused_result)
#define CIV_NODISCARD __attribute__((warn_unused_result))
#endif
#elif defined(__GNUC__) && (__GNUC__ > 3 || (__GNUC__ == 3 && __GNUC_MINOR__ >= 4))
#define CIV_NODISCARD __attribute__((warn_unused_result))
#endif
#if !defined(CIV_NODISCARD) && defined(_MSC_VER) && _MSC_VER >= 1700
#define CIV_NODISCARD _Check_return_
#endif
#ifndef CIV_NODISCARD
#define CIV_NODISCARD
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version */
/**@{*/
#define CIV_VERSION_MAJOR 0
#define CIV_VERSION_MINOR 1
#define CIV_VERSION_PATCH 0
#define CIV_VERSION_STRING "0.1.0"
/** ABI major: the SONAME is libcivitas.so.<CIV_ABI_VERSION>. */
#define CIV_ABI_VERSION 0

/** Returns the library's version string ("0.1.0"); static storage. Thread-safe. */
CIV_API const char *civ_version(void);
/** Returns the library's version as major*10000 + minor*100 + patch. Thread-safe. */
CIV_API int civ_version_number(void);
/**@}*/

/** @name Errors
 * Codes are pinned; new ones are only ever appended. Each equals the civitas::Code of the
 * same meaning in the C++ core (a static_assert in capi/src/common.cpp ties them). */
/**@{*/
typedef enum civ_error_code {
  CIV_OK = 0,
  CIV_EINVAL = -1,          /**< invalid argument (NULL pointer, bad option, unknown kind) */
  CIV_ENOMEM = -2,          /**< out of memory */
  CIV_EINTERNAL = -3,       /**< internal error: a bug in civitas */
  CIV_EIO = -4,             /**< file or operating-system error */
  CIV_ENOTFOUND = -5,       /**< the named thing does not exist */
  CIV_EPARSE = -6,          /**< malformed input data (CSV, JSON, tables…) */
  CIV_EINTEGRITY = -7,      /**< tampered or damaged data */
  CIV_EKEY = -8,            /**< wrong key, or not a civitas workspace */
  CIV_EVERSION = -9,        /**< unsupported format or schema version */
  CIV_EEXISTS = -10,        /**< already exists */
  CIV_EBUSY = -11,          /**< resource busy (locked) */
  CIV_EDENIED = -12,        /**< refused by policy or permission */
  CIV_ESIGNATURE = -13,     /**< bad signature */
  CIV_EREPLAY = -14,        /**< replayed message (sequence number seen before) */
  CIV_EUNKNOWNKEY = -15,    /**< key not known (e.g. unknown provider) */
  CIV_ENOTRECIPIENT = -16,  /**< this party is not a recipient */
  CIV_ETRUNCATED = -17,     /**< input ends early */
  CIV_ESCHEMA = -18,        /**< data does not match its schema (hash) */
  CIV_EBUFFER = -19,        /**< caller's buffer too small */
  CIV_EINVALIDDATA = -20    /**< data breaks the rules it is checked against */
} civ_error_code;

/** The last error on the calling thread. */
typedef struct civ_error {
  int code;            /**< a civ_error_code; CIV_OK when there was no error */
  const char *message; /**< UTF-8, never NULL; never contains secrets */
} civ_error;

/**
 * Returns the last error raised on the calling thread. Never NULL. The pointer stays valid
 * until the next civitas call on the same thread. Thread-safe (per-thread state).
 */
CIV_API const civ_error *civ_error_last(void);

/** Short stable name of an error code ("integrity", "wrong-key", …); static storage. */
CIV_API const char *civ_error_name(int code);

/** Clears the calling thread's last error. */
CIV_API void civ_error_clear(void);

/** Releases memory the library allocated for the caller. NULL is a no-op. Thread-safe. */
CIV_API void civ_free(void *ptr);
/**@}*/

#ifdef __cplusplus
}
#endif

#include "civitas/ids.h"
#include "civitas/workspace.h"
#include "civitas/crypto.h"
#include "civitas/schema.h"
#include "civitas/package.h"
#include "civitas/audit.h"
#include "civitas/catalog.h"
#include "civitas/deid.h"
#include "civitas/recovery.h"
#include "civitas/classify.h"
#include "civitas/policy.h"
#include "civitas/publish.h"

#endif /* CIVITAS_H */
