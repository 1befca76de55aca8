/* catalog module (civitas/catalog.h): entry checks and exports, and entries stored,
 * versioned, in a workspace. Used by org.civitas.Catalog, with the civ_ctx handle of
 * org.civitas.Workspace. Entries and version records cross as JSON Strings. */

%civ_enum(civ_catalog_format)
%civ_function(civ_catalog_check)
%civ_function(civ_catalog_export)
%civ_function(civ_catalog_import)
%civ_function(civ_catalog_add)
%civ_function(civ_catalog_get)
%civ_function(civ_catalog_list)
%civ_function(civ_catalog_history)

/* civ_ctx* crosses as a Java long: the %civ_handle(civ_ctx) typemap of swig/typemaps.i. */

%apply (const char *UTF8, size_t LEN) {
  (const char *entry_json, size_t entry_len),
  (const char *doc, size_t doc_len),
  (const char *resource_code, size_t code_len)
};
%apply char **CIV_OUT_STRING { char **out, char **out_record, char **out_entry, char **out_json };

%include "civitas/catalog.h"

%clear (const char *entry_json, size_t entry_len), (const char *doc, size_t doc_len),
       (const char *resource_code, size_t code_len);
%clear char **out, char **out_record, char **out_entry, char **out_json;
