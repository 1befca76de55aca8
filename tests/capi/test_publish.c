#define _POSIX_C_SOURCE 200809L
/* The publishing job from C (civitas/publish.h): civ_publish_run on the synthetic employment
 * table (progress callback, summary), a refusal with its reason, a callback that stops the
 * job, and civ_publish_verify / civ_publish_verify_with, tampering refused. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

#define EX CIVITAS_TEST_DATA "/../../examples/data"

static int steps = 0;
static int last_done_ok = 1;

static int on_progress(const char *step, double done, void *user) {
  (void)step;
  ++*(int *)user;
  if (done < 0.0 || done > 1.0) last_done_ok = 0;
  return 0;
}

static int stop_at_write(const char *step, double done, void *user) {
  (void)done;
  (void)user;
  return strcmp(step, "write") == 0;
}

/* {"data":…,"out":…,"resource":…,"schema":SCHEMA[,"policy":POLICY]} */
static char *request(const char *out_dir, const char *schema, const char *policy) {
  size_t n = strlen(schema) + (policy ? strlen(policy) : 0) + 1024;
  char *r = malloc(n);
  if (!r) return NULL;
  snprintf(r, n, "{\"data\":\"%s\",\"out\":\"%s\",\"resource\":\"105002001/000031\",\"schema\":%s%s%s}",
           EX "/employment.csv", out_dir, schema, policy ? ",\"policy\":" : "", policy ? policy : "");
  return r;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-publish-XXXXXX";
  char path[256], out_dir[300], bad_dir[300];
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  civ_ctx_options o;
  size_t len = 0, slen = 0, plen = 0;
  char *entry = read_file(EX "/employment.catalog.json", &len);
  char *schema = read_file(EX "/employment.schema.json", &slen);
  char *policy = read_file(EX "/employment.policy.json", &plen);
  char *out = NULL, *req = NULL, *keys = NULL;
  unsigned char raw[32];

  memset(raw, 7, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)raw;
  key.secret_len = sizeof raw;
  if (!entry || !schema || !policy || !mkdtemp(dir)) return 2;
  CHECK(civ_ctx_options_init(&o, CIV_CTX_OPTIONS_VERSION) == CIV_OK);
  o.department = "11350100003001527P";
  o.department_len = 18;
  snprintf(path, sizeof path, "%s/hr.db", dir);
  snprintf(out_dir, sizeof out_dir, "%s/pub", dir);
  snprintf(bad_dir, sizeof bad_dir, "%s/refused", dir);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, &o) == CIV_OK);
  CHECK(civ_catalog_add(NULL, ctx, entry, len) == CIV_OK);

  /* the bundled policy refuses: CIV_EDENIED, the reason in out, nothing written */
  req = request(bad_dir, schema, NULL);
  CHECK(civ_publish_run(&out, ctx, req, strlen(req), NULL, NULL) == CIV_EDENIED);
  CHECK(out && strstr(out, "\"reason\":\"policy\"") && strstr(out, "/rules/2/open"));
  CHECK(strstr(civ_error_last()->message, "does not allow opening") != NULL);
  civ_free(out);
  out = NULL;
  CHECK(access(bad_dir, F_OK) != 0);
  free(req);

  /* a callback that stops the job */
  req = request(out_dir, schema, policy);
  CHECK(civ_publish_run(&out, ctx, req, strlen(req), stop_at_write, NULL) == CIV_EINVAL);
  CHECK(out == NULL);
  CHECK(access(out_dir, F_OK) != 0);

  /* published, with progress */
  CHECK(civ_publish_run(&out, ctx, req, strlen(req), on_progress, &steps) == CIV_OK);
  CHECK(steps >= 8 && last_done_ok);
  CHECK(out && strstr(out, "\"path\":\"manifest.json\"") == NULL && strstr(out, "\"path\":\"data.csv\"") &&
        strstr(out, "\"threshold\":0.05"));
  civ_free(out);
  out = NULL;
  CHECK(civ_publish_run(&out, ctx, req, strlen(req), NULL, NULL) == CIV_EEXISTS);
  free(req);

  /* verified with the workspace and with its key document */
  CHECK(civ_publish_verify(&out, ctx, out_dir, strlen(out_dir)) == CIV_OK);
  CHECK(out && strstr(out, "\"signer\":\"workspace\"") && strstr(out, "\"resource\":\"105002001/000031\""));
  civ_free(out);
  out = NULL;
  CHECK(civ_keys_export_public(&keys, ctx) == CIV_OK);
  if (keys) {
    CHECK(civ_publish_verify_with(&out, out_dir, strlen(out_dir), keys, strlen(keys)) == CIV_OK);
    CHECK(out && strstr(out, "\"signer\":\"document\""));
    civ_free(out);
    out = NULL;
  }
  /* a changed file */
  {
    char f[400];
    FILE *fp;
    snprintf(f, sizeof f, "%s/data.csv", out_dir);
    fp = fopen(f, "ab");
    if (fp) {
      fputs("x\n", fp);
      fclose(fp);
    }
    CHECK(civ_publish_verify(&out, ctx, out_dir, strlen(out_dir)) == CIV_EINTEGRITY);
    CHECK(out == NULL);
    if (keys) CHECK(civ_publish_verify_with(&out, out_dir, strlen(out_dir), keys, strlen(keys)) == CIV_EINTEGRITY);
  }
  CHECK(civ_publish_verify(&out, NULL, out_dir, strlen(out_dir)) == CIV_EINVAL);
  CHECK(civ_publish_verify_with(&out, out_dir, strlen(out_dir), NULL, 0) == CIV_EINVAL);
  CHECK(civ_publish_run(&out, ctx, "[", 1, NULL, NULL) == CIV_EPARSE);
  CHECK(civ_publish_run(&out, ctx, "{}", 2, NULL, NULL) == CIV_EINVAL);

  civ_free(keys);
  civ_ctx_free(ctx);
  free(entry);
  free(schema);
  free(policy);
  {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) ++failures;
  }
  return failures ? 1 : 0;
}
