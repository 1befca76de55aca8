/* policy module (civitas/policy.h): policy checks, grading, and the audited record/decide
 * calls with a workspace. Used by org.civitas.Policy. Documents cross as JSON Strings; a null
 * policy String is the bundled default policy. */

%civ_function(civ_policy_check)
%civ_function(civ_policy_default)
%civ_function(civ_policy_grade)
%civ_function(civ_policy_record)
%civ_function(civ_policy_decide)

/* civ_ctx* crosses as a Java long: the %civ_handle(civ_ctx) typemap of swig/typemaps.i. */

%apply (const char *UTF8, size_t LEN) {
  (const char *policy_json, size_t policy_len),
  (const char *scan_json, size_t scan_len),
  (const char *request_json, size_t request_len)
};
%apply char **CIV_OUT_STRING { char **out, char **out_record, char **out_decision };

%include "civitas/policy.h"

%clear (const char *policy_json, size_t policy_len), (const char *scan_json, size_t scan_len),
       (const char *request_json, size_t request_len);
%clear char **out, char **out_record, char **out_decision;
