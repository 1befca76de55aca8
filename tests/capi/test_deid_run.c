#define _POSIX_C_SOURCE 200809L
/* civ_deid_run from C: a run without a workspace (report, output, suppression in place), a
 * bad spec (CIV_EINVAL with the JSON path), an unsatisfiable model (CIV_EINVALIDDATA, no
 * output), NULL arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

int main(void) {
  char dir[] = "/tmp/civ_deid_XXXXXX";
  if (!mkdtemp(dir)) return 2;
  char in[256], out[256], age[256], opts[512];
  snprintf(in, sizeof in, "%s/in.csv", dir);
  snprintf(out, sizeof out, "%s/out.csv", dir);
  snprintf(age, sizeof age, "%s/age.csv", dir);
  write_text(in, "name,age,city\nAnn,34,x\nBob,35,y\nCid,36,z\nDan,47,w\n");
  write_text(age, "34;30-39;*\n35;30-39;*\n36;30-39;*\n47;40-49;*\n");
  snprintf(opts, sizeof opts, "{\"spec_dir\": \"%s\", \"delimiter\": \",\"}", dir);
  const char *spec =
      "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": \"quasi-identifier\", "
      "\"hierarchy\": \"age.csv\"}}, \"privacy\": {\"k\": 3, \"suppression_limit\": 0.25}}";

  char *report = NULL;
  CHECK(civ_deid_run(&report, NULL, spec, in, out, opts) == CIV_OK);
  CHECK(report && strstr(report, "\"format\":\"civitas-deid-report/1\""));
  CHECK(report && strstr(report, "\"suppressed\":1"));
  CHECK(report && strstr(report, "\"levels\":{\"age\":1}"));
  civ_free(report);
  size_t n = 0;
  char *text = read_file(out, &n);
  CHECK(text && strcmp(text, "age,city\n30-39,x\n30-39,y\n30-39,z\n*,w\n") == 0);
  free(text);

  report = NULL;
  CHECK(civ_deid_run(&report, NULL, "{\"fields\": {}, \"privacy\": {\"k\": 0}}", in, out, opts) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "$.privacy.k") != NULL);
  CHECK(report == NULL);

  unlink(out);
  const char *hard = "{\"fields\": {\"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"age.csv\"}}, "
                     "\"privacy\": {\"k\": 5}}";
  CHECK(civ_deid_run(&report, NULL, hard, in, out, opts) == CIV_EINVALIDDATA);
  CHECK(access(out, F_OK) != 0);

  CHECK(civ_deid_run(NULL, NULL, spec, in, out, opts) == CIV_EINVAL);
  CHECK(civ_deid_run(&report, NULL, NULL, in, out, opts) == CIV_EINVAL);
  CHECK(civ_deid_run(&report, NULL, spec, in, out, "[1]") == CIV_EINVAL);
  CHECK(civ_deid_run(&report, NULL, spec, in, out, "{\"colour\": 1}") == CIV_EINVAL);

  unlink(in);
  unlink(age);
  rmdir(dir);
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
