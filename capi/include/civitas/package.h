/**
 * @file package.h
 * @brief Packages between departments: a data package compressed, encrypted to the
 * consumers' X25519 exchange keys and signed by the provider's Ed25519 key, with streaming
 * writer and reader handles whose memory is bounded independently of the package size.
 * Included by civitas.h. Format: docs/formats/package.md.
 *
 * The stable functions work with a workspace (civ_ctx): its department is the provider and its
 * primary signing key signs; consumers' exchange keys and providers' signing keys come from
 * its peer directory (civ_keys_import_public); sequence numbers per consumer and the replay
 * memory live in its database; creating and opening (refusals included) are recorded in its
 * audit log as "package.create" / "package.open". The ctx must outlive every handle made from
 * it. Functions that take raw keys instead are experimental (CIV_EXPERIMENTAL, at the end).
 *
 * Refusals have their own codes: CIV_ESIGNATURE, CIV_EUNKNOWNKEY (provider key not among the
 * peers), CIV_ENOTRECIPIENT, CIV_ETRUNCATED, CIV_EINTEGRITY (modified or reordered chunks),
 * CIV_EREPLAY, CIV_ESCHEMA (schema hash), CIV_EINVALIDDATA (records break their schema),
 * CIV_EPARSE (not a package), CIV_EVERSION (a newer format). On any refusal no output is left
 * behind.
 *
 * Thread safety: a writer or reader handle is used by one thread at a time; different
 * handles may be used from different threads at once. The other functions are thread-safe.
 */
#ifndef CIVITAS_PACKAGE_H
#define CIVITAS_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A streaming package writer. */
typedef struct civ_package_writer civ_package_writer;
/** A streaming package reader. */
typedef struct civ_package_reader civ_package_reader;

/** Options of a writer: the envelope and the tuning knobs. Strings are (pointer, length)
 *  UTF-8; NULL/0 means empty. */
typedef struct civ_package_writer_options {
  unsigned version;     /**< CIV_PACKAGE_WRITER_OPTIONS_VERSION */
  const char *catalog;  /**< catalog resource code */
  size_t catalog_len;
  const char *purpose;  /**< purpose of use */
  size_t purpose_len;
  const char *approval; /**< approval reference */
  size_t approval_len;
  const char *request_hash; /**< hash of the request answered, or NULL */
  size_t request_hash_len;
  size_t chunk_size;    /**< 0 = default (64 KiB) */
  int level;            /**< zstd level; 0 = default (1) */
  int threads;          /**< zstd worker threads; -1 = default (1) */
  /* version 2 */
  unsigned flags;       /**< 0, or CIV_PACKAGE_SKIP_VALIDATION: do not check the records of a
                             resource with a schema against it (they are by default: records
                             that break it fail civ_package_writer_end_resource() with
                             CIV_EINVALIDDATA and the package is dropped) */
  const char *encoding; /**< encoding of the resource bytes written (gb18030, gbk…; NULL/0 =
                             UTF-8): transcoded, the package holds UTF-8 only */
  size_t encoding_len;
} civ_package_writer_options;

#define CIV_PACKAGE_WRITER_OPTIONS_VERSION 2
#define CIV_PACKAGE_WRITER_OPTIONS_INIT \
  {CIV_PACKAGE_WRITER_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0, 0, -1, 0u, NULL, 0}
/** Initialises writer options (for bindings). @return CIV_OK or CIV_EINVAL (NULL, version). */
CIV_API CIV_NODISCARD int civ_package_writer_options_init(civ_package_writer_options *opts, unsigned version);

/** Flag of civ_package_reader_create_ctx() / civ_package_open_ctx() and of
 *  civ_package_writer_options.flags: do not check records against their schemas. */
#define CIV_PACKAGE_SKIP_VALIDATION 1u
/** Flag of civ_package_reader_create_ctx() / civ_package_open_ctx(): do not force the output
 *  to disk (fsync) before it appears and the sequence number is remembered (faster; after a
 *  power loss the output may be lost while reopening the package is refused as a replay). */
#define CIV_PACKAGE_NO_SYNC 2u
/** Flag of civ_package_reader_create_ctx() / civ_package_open_ctx(): write the decrypted
 *  files and directories with the usual modes (0666 / 0777 less the umask) instead of the
 *  default 0600 / 0700 (readable by the owner only). */
#define CIV_PACKAGE_UMASK_MODES 4u

/**
 * Creates a writer to a file with the workspace as the provider. The package is written under
 * a temporary name in the same directory and renamed by civ_package_writer_finish(), which
 * records "package.create" in the workspace's audit log; freeing the writer before that
 * removes it. The next sequence number of each provider→consumer pair is reserved now.
 * @param consumers, consumer_lens, consumer_count the consumer departments' USCCs: an array of
 *        consumer_count (pointer, length) strings, at least one
 * @param opts NULL means defaults
 * @return CIV_OK; CIV_EINVAL (options, a consumer that is not a USCC, a workspace without a
 *         department); CIV_EUNKNOWNKEY (a consumer with no exchange key among the peers);
 *         CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_writer_create_ctx(civ_package_writer **out, civ_ctx *ctx, const char *path,
                                                        size_t path_len, const char *const *consumers,
                                                        const size_t *consumer_lens, size_t consumer_count,
                                                        const civ_package_writer_options *opts);

/**
 * Starts a resource: name is a Frictionless name (a-z 0-9 . _ -); schema_json a Table
 * Schema (or NULL, 0). The data is stored as data/<name>.csv.
 * @return CIV_OK; CIV_EINVAL (bad name, a resource already open, a finished writer);
 *         CIV_EPARSE (schema_json); CIV_EINVALIDDATA (schema breaks a rule); CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_writer_begin_resource(civ_package_writer *w, const char *name, size_t name_len,
                                                            const char *schema_json, size_t schema_len);
/** Appends bytes to the current resource (in the options' encoding). @return CIV_OK;
 *  CIV_EINVAL (no resource open); CIV_EPARSE (bytes not in the encoding: the package is
 *  dropped); CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_writer_write(civ_package_writer *w, const void *data, size_t len);
/** Ends the current resource; with a schema (and without CIV_PACKAGE_SKIP_VALIDATION) its
 *  records are checked. @return CIV_OK; CIV_EINVAL (no resource open); CIV_EINVALIDDATA
 *  (records break the schema: the package is dropped, the refusal audit-logged, and the
 *  validation report is available from civ_package_last_report()); CIV_EPARSE; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_writer_end_resource(civ_package_writer *w);
/**
 * Writes datapackage.json, the last chunk and the trailer, and commits the file.
 * @param out_summary_json receives a JSON summary (header, envelope, datapackage) to release
 *        with civ_free(); may be NULL.
 * @return CIV_OK; CIV_EINVAL (a resource still open, already finished); CIV_EBUSY; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_writer_finish(civ_package_writer *w, char **out_summary_json);
/** Frees a writer (an unfinished package is removed). NULL is a no-op. */
CIV_API void civ_package_writer_free(civ_package_writer *w);

/**
 * Creates a streaming reader with the workspace as the consumer (keys, peers, replay memory
 * from it) that writes the data package into out_dir (which must not exist or be empty) once
 * everything checked out. Feed bytes with civ_package_reader_write(), then call
 * civ_package_reader_finish(). The header signature is checked before anything is decrypted,
 * each segment (≈ 1 MiB) against the hash that follows it before it is decrypted, and the
 * trailing signature over all segment hashes before out_dir appears. The outcome is recorded
 * as "package.open" in the audit log: success before out_dir appears, a refusal when it is
 * returned. A refusal ends the reader (what it wrote is removed); later calls on it return
 * CIV_EINVAL.
 * @param flags 0, or CIV_PACKAGE_SKIP_VALIDATION and/or CIV_PACKAGE_NO_SYNC
 * @param expected_schemas_json a JSON object {resource name: Table Schema} the consumer
 *        expects (a package resource whose schema hash differs is refused with CIV_ESCHEMA),
 *        or NULL, 0
 * @return CIV_OK; CIV_EINVAL (flags, empty out_dir); CIV_EPARSE (expected_schemas_json);
 *         CIV_EEXISTS (out_dir not empty); CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_reader_create_ctx(civ_package_reader **out, civ_ctx *ctx, const char *out_dir,
                                                        size_t out_dir_len, unsigned flags,
                                                        const char *expected_schemas_json,
                                                        size_t expected_schemas_len);
/** Feeds package bytes. Refusals may come as soon as the evidence is there.
 *  @return CIV_OK or a refusal code (see the top of this file); CIV_EINVAL; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_reader_write(civ_package_reader *r, const void *data, size_t len);
/** Completes the package; out_summary_json (may be NULL) as for the writer.
 *  @return CIV_OK or a refusal code (see the top of this file); CIV_EINVAL; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_reader_finish(civ_package_reader *r, char **out_summary_json);
/** Frees a reader (output of an unfinished package is removed). NULL is a no-op. */
CIV_API void civ_package_reader_free(civ_package_reader *r);

/**
 * Opens a package file into out_dir with the workspace as the consumer: both signatures and
 * the signed segment hashes are checked before anything is decrypted, and each segment
 * before it is decrypted; the sequence number is remembered (opening it again gives
 * CIV_EREPLAY); audit-logged. Flags and expected schemas as for
 * civ_package_reader_create_ctx(); summary JSON as for civ_package_writer_finish().
 * @return CIV_OK or a refusal code (see the top of this file; out_dir is not created then);
 *         CIV_EINVAL; CIV_ENOTFOUND (no such file); CIV_EEXISTS; CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_open_ctx(char **out_summary_json, civ_ctx *ctx, const char *path,
                                               size_t path_len, const char *out_dir, size_t out_dir_len,
                                               unsigned flags, const char *expected_schemas_json,
                                               size_t expected_schemas_len);

/** Verifies a package's signatures and segment hashes against the workspace's peer directory
 *  (and its own signing keys), without decrypting anything. Not audit-logged.
 *  @return CIV_OK or a refusal code (see the top of this file); CIV_EINVAL; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_verify_ctx(char **out_summary_json, civ_ctx *ctx, const char *path,
                                                 size_t path_len);

/** A provider whose signatures are trusted: its department and Ed25519 public key. In an
 *  array every element carries the same version. */
typedef struct civ_package_peer {
  unsigned version;           /**< CIV_PACKAGE_PEER_VERSION */
  const char *department;     /**< USCC */
  size_t department_len;
  const uint8_t *signing_key; /**< Ed25519 public key */
  size_t signing_key_len;     /**< 32 */
} civ_package_peer;

#define CIV_PACKAGE_PEER_VERSION 1
#define CIV_PACKAGE_PEER_INIT {CIV_PACKAGE_PEER_VERSION, NULL, 0, NULL, 0}

/**
 * Verifies a package's signatures, segment hashes and every segment without any secret key,
 * with the providers' public keys given (no workspace needed). Summary JSON as for
 * civ_package_writer_finish(); may be NULL.
 * @return CIV_OK or a refusal code (see the top of this file); CIV_EINVAL (NULL, a key that is
 *         not 32 bytes, versions); CIV_EIO.
 */
CIV_API CIV_NODISCARD int civ_package_verify(char **out_summary_json, const char *path, size_t path_len,
                                             const civ_package_peer *peers, size_t peer_count);

/**
 * The validation report (docs/formats/validation-report.md) of the last refusal for records
 * (CIV_EINVALIDDATA) of a package function on the calling thread: every error, not only the
 * first that civ_error_last() names. Each package function that can refuse for records clears
 * it when it starts.
 * @param out_report_json receives the report; free with civ_free()
 * @return CIV_OK; CIV_EINVAL (NULL); CIV_ENOTFOUND (the last such call was no refusal for records).
 */
CIV_API CIV_NODISCARD int civ_package_last_report(char **out_report_json);

/** The public header of a package as JSON (no key, no verification); free with civ_free().
 *  @return CIV_OK; CIV_EINVAL; CIV_EPARSE (not a package); CIV_EVERSION; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_inspect(char **out_header_json, const char *path, size_t path_len);

#ifdef CIV_EXPERIMENTAL
/* ---- experimental: raw keys, not part of the stable ABI (docs/c-api.md) ------------------
 * These take raw secret keys and do the key exchange, sequence numbers and replay memory the
 * workspace functions above keep for the caller. They are not audit-logged. They may change
 * or go in any release; they are exported in the CIVITAS_EXPERIMENTAL version node. */

/** A consumer of a package. In an array every element carries the same version. */
typedef struct civ_package_recipient {
  unsigned version;            /**< CIV_PACKAGE_RECIPIENT_VERSION */
  const char *department;      /**< USCC */
  size_t department_len;
  const uint8_t *exchange_key; /**< X25519 public key */
  size_t exchange_key_len;     /**< 32 */
  uint64_t sequence;           /**< sequence number of this provider→consumer pair */
} civ_package_recipient;

#define CIV_PACKAGE_RECIPIENT_VERSION 1
#define CIV_PACKAGE_RECIPIENT_INIT {CIV_PACKAGE_RECIPIENT_VERSION, NULL, 0, NULL, 0, 0}

/** The keys of a writer without a workspace. */
typedef struct civ_package_writer_keys {
  unsigned version;                        /**< CIV_PACKAGE_WRITER_KEYS_VERSION */
  const char *provider;                    /**< USCC of the providing department */
  size_t provider_len;
  const uint8_t *signing_key;              /**< Ed25519 secret key (libsodium layout) */
  size_t signing_key_len;                  /**< 64 */
  const civ_package_recipient *recipients; /**< at least one */
  size_t recipient_count;
} civ_package_writer_keys;

#define CIV_PACKAGE_WRITER_KEYS_VERSION 1
#define CIV_PACKAGE_WRITER_KEYS_INIT {CIV_PACKAGE_WRITER_KEYS_VERSION, NULL, 0, NULL, 0, NULL, 0}

/** Creates a writer to a file with explicit keys (otherwise as civ_package_writer_create_ctx,
 *  without the audit entry). @return CIV_OK; CIV_EINVAL (keys, options); CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_writer_create(civ_package_writer **out, const char *path, size_t path_len,
                                                    const civ_package_writer_keys *keys,
                                                    const civ_package_writer_options *opts);

/** Receives package bytes from a streaming writer; returns 0, or non-zero to fail with CIV_EIO. */
typedef int (*civ_package_sink)(void *user, const uint8_t *data, size_t len);

/** Creates a writer with explicit keys that hands its bytes to sink as they are produced.
 *  @return CIV_OK; CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_package_writer_create_stream(civ_package_writer **out, civ_package_sink sink, void *user,
                                                           const civ_package_writer_keys *keys,
                                                           const civ_package_writer_options *opts);

/** Replay memory: returns 1 when (provider, consumer, sequence) was accepted before, else 0.
 *  The strings are NUL-terminated. */
typedef int (*civ_package_seen_fn)(void *user, const char *provider, const char *consumer, uint64_t sequence);
/** Records an accepted package; returns 0, or non-zero to refuse it (CIV_EIO). */
typedef int (*civ_package_remember_fn)(void *user, const char *provider, const char *consumer, uint64_t sequence,
                                       const char *package_id);

/** Keys and replay memory of a reader without a workspace. */
typedef struct civ_package_reader_options {
  unsigned version;                 /**< CIV_PACKAGE_READER_OPTIONS_VERSION */
  const uint8_t *exchange_secret;   /**< own X25519 secret key */
  size_t exchange_secret_len;       /**< 32 */
  const uint8_t *exchange_public;   /**< own X25519 public key */
  size_t exchange_public_len;       /**< 32 */
  const civ_package_peer *peers;    /**< trusted providers */
  size_t peer_count;
  civ_package_seen_fn seen;         /**< may be NULL (no replay check) */
  civ_package_remember_fn remember; /**< may be NULL */
  void *replay_user;
  unsigned flags;                   /**< 0, or CIV_PACKAGE_SKIP_VALIDATION / CIV_PACKAGE_NO_SYNC */
} civ_package_reader_options;

#define CIV_PACKAGE_READER_OPTIONS_VERSION 1
#define CIV_PACKAGE_READER_OPTIONS_INIT \
  {CIV_PACKAGE_READER_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, NULL, 0}
/** Initialises reader options (for bindings). @return CIV_OK or CIV_EINVAL. */
CIV_API CIV_NODISCARD int civ_package_reader_options_init(civ_package_reader_options *opts, unsigned version);

/** Creates a streaming reader with explicit keys (otherwise as civ_package_reader_create_ctx,
 *  without the audit entry). @return CIV_OK; CIV_EINVAL; CIV_EEXISTS; CIV_EIO. */
CIV_API CIV_NODISCARD int civ_package_reader_create(civ_package_reader **out, const char *out_dir, size_t out_dir_len,
                                                    const civ_package_reader_options *opts);

/** Opens a package file into out_dir with explicit keys (otherwise as civ_package_open_ctx,
 *  without the audit entry). @return as civ_package_open_ctx(). */
CIV_API CIV_NODISCARD int civ_package_open(char **out_summary_json, const char *path, size_t path_len,
                                           const char *out_dir, size_t out_dir_len,
                                           const civ_package_reader_options *opts);
#endif /* CIV_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_PACKAGE_H */
