/* package module (civitas/package.h): allow-list and typemaps. Used by org.civitas.Exchange,
 * org.civitas.PackageWriter and org.civitas.PackageReader, which work with a workspace
 * (civ_ctx; its handle typemap is in swig/typemaps.i). Headers and summaries cross as JSON
 * Strings. */

%civ_handle(civ_package_writer)
%civ_handle(civ_package_reader)
%civ_unsigned_constant(CIV_PACKAGE_SKIP_VALIDATION)
%civ_unsigned_constant(CIV_PACKAGE_NO_SYNC)
%civ_unsigned_constant(CIV_PACKAGE_UMASK_MODES)
%civ_function(civ_package_writer_begin_resource)
%civ_function(civ_package_writer_end_resource)
%civ_function(civ_package_writer_finish)
%civ_function(civ_package_writer_free)
%civ_function(civ_package_reader_create_ctx)
%civ_function(civ_package_reader_finish)
%civ_function(civ_package_reader_free)
%civ_function(civ_package_open_ctx)
%civ_function(civ_package_verify_ctx)
%civ_function(civ_package_inspect)
%civ_function(civ_package_last_report)
%civ_function(civj_package_writer_create_ctx)
%civ_function(civj_package_writer_write)
%civ_function(civj_package_reader_write)

%apply civ_package_writer **CIV_OUT_HANDLE { civ_package_writer **out };
%apply civ_package_reader **CIV_OUT_HANDLE { civ_package_reader **out };
%apply (const char *UTF8, size_t LEN) {
  (const char *path, size_t path_len),
  (const char *out_dir, size_t out_dir_len),
  (const char *expected_schemas_json, size_t expected_schemas_len),
  (const char *name, size_t name_len),
  (const char *schema_json, size_t schema_len)
};
%apply (const char *BYTES, size_t LEN) { (const char *data, size_t data_len) };
%apply (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) {
  (const char *const *consumers, const size_t *consumer_lens, size_t consumer_count)
};
%apply char **CIV_OUT_STRING { char **out_summary_json, char **out_header_json, char **out_report_json };

%include "civitas/package.h"

/* civ_package_writer_options holds borrowed pointers, which a Java-side struct cannot keep
 * alive; the helpers below (compiled into the JNI library only, not part of the C ABI) fill
 * it on the C stack. The write helpers take a slice [off, off + n) of a Java array, so that a
 * stream can be copied through one reusable buffer; org.civitas checks the bounds first. */
%inline %{
static int civj_package_writer_create_ctx(civ_package_writer **out, civ_ctx *ctx, const char *path, size_t path_len,
                                          const char *const *consumers, const size_t *consumer_lens,
                                          size_t consumer_count, const char *catalog, const char *purpose,
                                          const char *approval, const char *request_hash, long long chunk_size,
                                          int level, int threads, int validate, const char *encoding) {
  civ_package_writer_options o = CIV_PACKAGE_WRITER_OPTIONS_INIT;
  o.catalog = catalog;
  o.catalog_len = catalog ? strlen(catalog) : 0;
  o.purpose = purpose;
  o.purpose_len = purpose ? strlen(purpose) : 0;
  o.approval = approval;
  o.approval_len = approval ? strlen(approval) : 0;
  o.request_hash = request_hash;
  o.request_hash_len = request_hash ? strlen(request_hash) : 0;
  o.chunk_size = chunk_size > 0 ? (size_t)chunk_size : 0;
  o.level = level;
  o.threads = threads;
  o.flags = validate ? 0u : CIV_PACKAGE_SKIP_VALIDATION;
  o.encoding = encoding;
  o.encoding_len = encoding ? strlen(encoding) : 0;
  return civ_package_writer_create_ctx(out, ctx, path, path_len, consumers, consumer_lens, consumer_count, &o);
}
static int civj_package_writer_write(civ_package_writer *w, const char *data, size_t data_len, long long off,
                                     long long n) {
  if (off < 0 || n < 0 || (unsigned long long)off + (unsigned long long)n > data_len) return CIV_EINVAL;
  return civ_package_writer_write(w, data ? data + off : NULL, (size_t)n);
}
static int civj_package_reader_write(civ_package_reader *r, const char *data, size_t data_len, long long off,
                                     long long n) {
  if (off < 0 || n < 0 || (unsigned long long)off + (unsigned long long)n > data_len) return CIV_EINVAL;
  return civ_package_reader_write(r, data ? data + off : NULL, (size_t)n);
}
%}

%clear civ_package_writer **out, civ_package_reader **out;
%clear (const char *path, size_t path_len), (const char *out_dir, size_t out_dir_len),
       (const char *const *consumers, const size_t *consumer_lens, size_t consumer_count),
       (const char *expected_schemas_json, size_t expected_schemas_len), (const char *name, size_t name_len),
       (const char *schema_json, size_t schema_len), (const char *data, size_t data_len);
%clear char **out_summary_json, char **out_header_json;
