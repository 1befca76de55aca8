/* deid module, runs (civitas/deid.h, first section): civ_deid_run, used by org.civitas.Deid.
 * The prototype is declared here rather than by %include "civitas/deid.h", so that the
 * other sections of deid.h (risk, differential privacy) can be bound by their own .i files
 * without SWIG including the header twice. The report crosses as a JSON String. */

%civ_function(civ_deid_run)
%apply char **CIV_OUT_STRING { char **out_report };
int civ_deid_run(char **out_report, civ_ctx *ctx, const char *spec_json, const char *in_path, const char *out_path,
                 const char *options_json);
%clear char **out_report;
