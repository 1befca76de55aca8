/* differential privacy (civitas/deid.h, third section): samplers, budgets, releases over a CSV
 * file. Used by org.civitas.Dp, with the civ_ctx handle of org.civitas.Workspace. Budgets and
 * releases cross as JSON Strings. Included after swig/audit.i (its uint64_t CIV_U64 typemap). */

%civ_enum(civ_deid_dp_mechanism)
%civ_function(civ_deid_dp_sample)
%civ_function(civ_deid_dp_budget_set)
%civ_function(civ_deid_dp_budget_get)
%civ_function(civ_deid_dp_release_csv)

%apply int64_t *CIV_OUT { int64_t *out };
%apply uint64_t CIV_U64 { uint64_t num, uint64_t den };
%apply (const char *UTF8, size_t LEN) { (const char *query_json, size_t query_len) };
%apply char **CIV_OUT_STRING { char **out_json };

%include "civitas/deid.h"

%clear int64_t *out;
%clear uint64_t num, uint64_t den;
%clear (const char *query_json, size_t query_len);
%clear char **out_json;
