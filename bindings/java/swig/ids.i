/* ids module (civitas/ids.h): allow-list and typemaps. Used by org.civitas.Ids. */

%civ_enum(civ_id_kind)
%civ_enum(civ_id_reason)
%civ_unsigned_constant(CIV_ID_STRICT)
%civ_constant(CIV_ID_RESULT_VERSION)
%civ_struct(civ_id_parts)
%civ_struct(civ_id_result)
%civ_function(civ_id_reason_name)
%civ_function(civ_id_kind_name)
%civ_function(civ_id_kind_from_name)
%civ_function(civ_id_result_init)
%civ_function(civ_id_validate)
%civ_function(civ_id_check)
%civ_function(civ_id_validate_column)
%civ_function(civ_id_check_char)
%civ_function(civ_id_ric_upgrade)
%civ_function(civ_id_load_division_table)
%civ_function(civ_id_reset_division_table)
%civ_function(civ_id_division_table_source)

/* Text inputs are Java Strings, passed as UTF-8 bytes and a length. */
%apply (const char *UTF8, size_t LEN) {
  (const char *name, size_t name_len),
  (const char *code, size_t code_len),
  (const char *body, size_t body_len),
  (const char *legacy, size_t legacy_len),
  (const char *path, size_t path_len)
};
%apply int *CIV_OUTVAL { int *out_kind, int *out_reason };
%apply unsigned *CIV_OUTVAL { unsigned *out_warnings };
/* civ_id_validate_column: the whole column crosses JNI in one call. */
%apply uint8_t *CIV_OUT { uint8_t *out_reasons };
%apply uint32_t *CIV_OUT { uint32_t *out_warnings };
%apply size_t *CIV_OUTVAL { size_t *out_valid_count };
%apply const char *BYTES { const char *data };
%apply const uint64_t *CIV_IN { const uint64_t *offsets };
%apply char *CIV_OUTCHAR { char *out };          /* civ_id_check_char */
%apply (char *CIV_OUTBUF, size_t CIV_CAP) { (char *out, size_t out_cap) };  /* civ_id_ric_upgrade */
%apply char **CIV_OUT_STRING { char **out };     /* civ_id_division_table_source */

/* Results are filled by C; Java only reads them (civ_id_result_init sets the version). */
%immutable;
%include "civitas/ids.h"
%mutable;

/* Typemaps applied by parameter name stay local to this module. */
%clear (const char *name, size_t name_len), (const char *code, size_t code_len),
       (const char *body, size_t body_len), (const char *legacy, size_t legacy_len),
       (const char *path, size_t path_len);
%clear int *out_kind, int *out_reason, unsigned *out_warnings, uint8_t *out_reasons,
       uint32_t *out_warnings, size_t *out_valid_count, const char *data,
       const uint64_t *offsets, char *out, char **out;
%clear (char *out, size_t out_cap);
