#define _POSIX_C_SOURCE 200809L
/* civ_deid_run from C: a run in a workspace (report, output, suppression in place, exactly
 * one "deid.run" audit entry with the hashes and the risk after), a bad spec (CIV_EINVAL with
 * the JSON path) and an unsatisfiable model (CIV_EINVALIDDATA, no output), both audited as
 * refusals; no workspace (CIV_EINVAL, nothing written); NULL arguments. */
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

/* The number of lines of the audit log's entries for action "deid.run" containing `needle`. */
static int audit_count(civ_ctx *ctx, const char *needle) {
  char *log = NULL;
  const char *filter = "{\"action\": \"deid.run\"}";
  if (civ_audit_log(&log, ctx, filter, strlen(filter)) != CIV_OK || !log) return -1;
  int n = 0;
  for (const char *p = log; (p = strstr(p, needle)) != NULL; p += strlen(needle)) ++n;
  civ_free(log);
  return n;
}

int main(void) {
  char dir[] = "/tmp/civ_deid_XXXXXX";
  if (!mkdtemp(dir)) return 2;
  char in[256], out[256], age[256], opts[512], wpath[256];
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  unsigned char raw[32];
  memset(raw, 9, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)raw;
  key.secret_len = sizeof raw;
  snprintf(wpath, sizeof wpath, "%s/w.db", dir);
  CHECK(civ_ctx_create(&ctx, wpath, strlen(wpath), &key, NULL) == CIV_OK);
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
  CHECK(civ_deid_run(&report, ctx, spec, in, out, opts) == CIV_OK);
  CHECK(report && strstr(report, "\"format\":\"civitas-deid-report/1\""));
  CHECK(report && strstr(report, "\"audit\":{\"action\":\"deid.run\""));
  CHECK(report && strstr(report, "\"suppressed\":1"));
  CHECK(report && strstr(report, "\"levels\":{\"age\":1}"));
  civ_free(report);
  size_t n = 0;
  char *text = read_file(out, &n);
  CHECK(text && strcmp(text, "age,city\n30-39,x\n30-39,y\n30-39,z\n*,w\n") == 0);
  free(text);
  /* exactly one entry, ok, with the spec, input and output hashes and the risk after */
  CHECK(audit_count(ctx, "\"action\":\"deid.run\"") == 1);
  CHECK(audit_count(ctx, "\"outcome\":\"ok\"") == 1);
  CHECK(audit_count(ctx, "\"spec_sha256\"") == 1);
  CHECK(audit_count(ctx, "\"risk_after\":{") == 1);
  CHECK(audit_count(ctx, "\"sha256\"") == 2);

  report = NULL;
  CHECK(civ_deid_run(&report, ctx, "{\"fields\": {}, \"privacy\": {\"k\": 0}}", in, out, opts) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "$.privacy.k") != NULL);
  CHECK(report == NULL);

  unlink(out);
  const char *hard = "{\"fields\": {\"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"age.csv\"}}, "
                     "\"privacy\": {\"k\": 5}}";
  CHECK(civ_deid_run(&report, ctx, hard, in, out, opts) == CIV_EINVALIDDATA);
  CHECK(access(out, F_OK) != 0);
  /* both refusals are audited with their outcome */
  CHECK(audit_count(ctx, "\"action\":\"deid.run\"") == 3);
  CHECK(audit_count(ctx, "\"outcome\":\"invalid-argument\"") == 1);
  CHECK(audit_count(ctx, "\"outcome\":\"invalid-data\"") == 1);

  /* no workspace: CIV_EINVAL with a message, nothing written, nothing run */
  CHECK(civ_deid_run(&report, NULL, spec, in, out, opts) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "workspace") != NULL);
  CHECK(report == NULL);
  CHECK(access(out, F_OK) != 0);

  CHECK(civ_deid_run(NULL, ctx, spec, in, out, opts) == CIV_EINVAL);
  CHECK(civ_deid_run(&report, ctx, NULL, in, out, opts) == CIV_EINVAL);
  CHECK(civ_deid_run(&report, ctx, spec, in, out, "[1]") == CIV_EINVAL);
  CHECK(civ_deid_run(&report, ctx, spec, in, out, "{\"colour\": 1}") == CIV_EINVAL);

  civ_ctx_free(ctx);
  char side[300];
  const char *suffix[] = {"", "-wal", "-shm", ".header", "-journal"};
  for (size_t i = 0; i < sizeof suffix / sizeof *suffix; ++i) {
    snprintf(side, sizeof side, "%s%s", wpath, suffix[i]);
    unlink(side);
  }

  unlink(in);
  unlink(age);
  rmdir(dir);
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
