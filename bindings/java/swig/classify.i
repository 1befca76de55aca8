/* classify module (civitas/classify.h): allow-list and typemaps. Used by org.civitas.Classify.
 * Results cross as JSON Strings; a column crosses JNI in one call (Arrow layout). */

%civ_function(civ_classify_value)
%civ_function(civ_classify_find)
%civ_function(civ_classify_column)
%civ_function(civ_classify_scan_file)
%civ_function(civ_classify_types)

%apply (const char *UTF8, size_t LEN) {
  (const char *value, size_t value_len),
  (const char *name, size_t name_len),
  (const char *detectors_json, size_t detectors_len),
  (const char *options_json, size_t options_len)
};
/* The text of civ_classify_find crosses as bytes (offsets are bytes of the text as given). */
%apply (const char *BYTES, size_t LEN) { (const char *text, size_t text_len) };
%apply const char *BYTES { const char *data };
%apply const uint64_t *CIV_IN { const uint64_t *offsets };
%apply char **CIV_OUT_STRING { char **out_type, char **out_json };

%include "civitas/classify.h"

%clear (const char *value, size_t value_len), (const char *name, size_t name_len),
       (const char *detectors_json, size_t detectors_len), (const char *options_json, size_t options_len),
       (const char *text, size_t text_len);
%clear char **out_type, char **out_json;
