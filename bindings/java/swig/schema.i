/* schema module (civitas/schema.h): allow-list and typemaps. Used by org.civitas.Schema.
 * Documents (schemas, reports) cross as JSON Strings. */

%civ_constant(CIV_SCHEMA_VALIDATE_OPTIONS_VERSION)
%civ_function(civ_schema_check)
%civ_function(civ_schema_normalize)
%civ_function(civj_schema_validate_file)
%civ_function(civj_schema_validate_buffer)
%civ_function(civj_schema_validate_package)

%apply (const char *UTF8, size_t LEN) {
  (const char *schema_json, size_t schema_len),
  (const char *path, size_t path_len),
  (const char *dialect_json, size_t dialect_len),
  (const char *resources_json, size_t resources_len)
};
%apply (const char *BYTES, size_t LEN) { (const char *data, size_t data_len) };
%apply char **CIV_OUT_STRING { char **out, char **out_report };

%include "civitas/schema.h"

/* civ_schema_validate_options holds borrowed pointers, which a Java-side struct cannot keep alive
 * safely; these helpers (compiled into the JNI library only, not part of the C ABI)
 * fill the options on the C stack and call the C API. */
%inline %{
static int civj_schema_validate_file(char **out_report, const char *schema_json, size_t schema_len,
                                     const char *path, size_t path_len, long long limit_errors,
                                     const char *dialect_json, size_t dialect_len,
                                     const char *resources_json, size_t resources_len) {
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
  o.limit_errors = limit_errors > 0 ? (uint64_t)limit_errors : 0;
  o.dialect_json = dialect_json;
  o.dialect_json_len = dialect_len;
  o.resources_json = resources_json;
  o.resources_json_len = resources_len;
  return civ_schema_validate_file(out_report, schema_json, schema_len, path, path_len, &o);
}
static int civj_schema_validate_package(char **out_report, const char *path, size_t path_len,
                                        long long limit_errors) {
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
  o.limit_errors = limit_errors > 0 ? (uint64_t)limit_errors : 0;
  return civ_schema_validate_package(out_report, path, path_len, &o);
}
static int civj_schema_validate_buffer(char **out_report, const char *schema_json, size_t schema_len,
                                       const char *data, size_t data_len, long long limit_errors,
                                       const char *dialect_json, size_t dialect_len) {
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
  o.limit_errors = limit_errors > 0 ? (uint64_t)limit_errors : 0;
  o.dialect_json = dialect_json;
  o.dialect_json_len = dialect_len;
  return civ_schema_validate_buffer(out_report, schema_json, schema_len, data, data_len, &o);
}
%}

%clear (const char *schema_json, size_t schema_len), (const char *path, size_t path_len),
       (const char *dialect_json, size_t dialect_len), (const char *data, size_t data_len),
       (const char *resources_json, size_t resources_len);
%clear char **out, char **out_report;
