/* deid module, risk section (civitas/deid.h, "risk measures and reports"): allow-list and
 * typemaps. Used by org.civitas.DeidRisk. Results cross as JSON Strings.
 *
 * civitas/deid.h is not %included here (the other deid sections have their own files): the
 * helpers below are compiled into the JNI library only (not part of the C ABI); they fill
 * civ_deid_risk_options on the C stack and call the C API. */

%civ_function(civj_deid_risk)
%civ_function(civj_deid_risk_csv)
%civ_function(civj_deid_report_html)

%apply const uint64_t *CIV_IN { const uint64_t *class_sizes };
%apply char **CIV_OUT_STRING { char **out_json, char **out_html };

%inline %{
static int civj_deid_risk(char **out_json, const uint64_t *class_sizes, size_t count, double threshold,
                          double population_size, double sampling_fraction, const char *model) {
  civ_deid_risk_options o = CIV_DEID_RISK_OPTIONS_INIT;
  o.threshold = threshold;
  o.population_size = population_size;
  o.sampling_fraction = sampling_fraction;
  o.model = model;
  return civ_deid_risk(out_json, class_sizes, count, &o);
}
static int civj_deid_risk_csv(char **out_json, const char *path, const char *qi, int delimiter,
                              const char *encoding, double threshold, double population_size,
                              double sampling_fraction, const char *model) {
  civ_deid_risk_options o = CIV_DEID_RISK_OPTIONS_INIT;
  o.threshold = threshold;
  o.population_size = population_size;
  o.sampling_fraction = sampling_fraction;
  o.model = model;
  return civ_deid_risk_csv(out_json, path, qi, (char)delimiter, encoding, &o);
}
static int civj_deid_report_html(char **out_html, const char *report_json) {
  return civ_deid_report_html(out_html, report_json);
}
%}

%clear const uint64_t *class_sizes;
%clear char **out_json, char **out_html;
