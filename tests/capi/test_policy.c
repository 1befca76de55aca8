#define _POSIX_C_SOURCE 200809L
/* The policy (civitas/policy.h), from C: checks with JSON paths, the bundled policy, grading,
 * and the audited calls: a classification recorded for a stored catalog entry, decisions
 * (denial as a decision, not an error) with their audit entries, and refusals of bad input. */
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static int count(const char *s, const char *needle) {
  int n = 0;
  while (s && (s = strstr(s, needle)) != NULL) {
    ++n;
    s += strlen(needle);
  }
  return n;
}

static void test_documents(void) {
  char *def = NULL, *out = NULL;
  const char *scan =
      "{\"columns\":[{\"name\":\"id\",\"type\":\"ric\",\"ratio\":1,\"confidence\":1,\"category\":null,"
      "\"level\":null,\"source\":\"detected\"},{\"name\":\"lat\",\"type\":\"gps_coordinates\",\"ratio\":1,"
      "\"confidence\":1,\"category\":null,\"level\":null,\"source\":\"detected\"}],\"level\":null}";
  CHECK(civ_policy_default(&def) == CIV_OK);
  CHECK(def && strstr(def, "\"civitas:policy\": 1"));
  if (def) {
    CHECK(civ_policy_check(&out, def, strlen(def)) == CIV_OK);
    CHECK(out && strstr(out, "\"valid\":true") && strstr(out, "\"id\":\"civitas-default-city-2026\"") &&
          strstr(out, "\"digest\":\"sha256:"));
    civ_free(out);
  }
  CHECK(civ_policy_check(&out, "{\"civitas:policy\":1,\"risk\":{\"threshold\":2}}", 44) == CIV_OK);
  CHECK(out && strstr(out, "\"valid\":false") && strstr(out, "\"path\":\"/risk/threshold\"") &&
        strstr(out, "\"path\":\"/levels\""));
  civ_free(out);
  CHECK(civ_policy_check(&out, "{", 1) == CIV_OK); /* malformed JSON is a problem */
  CHECK(out && strstr(out, "\"valid\":false") && strstr(out, "byte"));
  civ_free(out);
  CHECK(civ_policy_check(&out, NULL, 0) == CIV_EINVAL);
  CHECK(civ_policy_check(NULL, "{}", 2) == CIV_EINVAL);

  /* grading: ric is general-4 and an identity with coordinates stays general-4 */
  out = NULL;
  CHECK(civ_policy_grade(&out, NULL, 0, scan, strlen(scan)) == CIV_OK);
  CHECK(out && strstr(out, "\"category\":\"personal-identity\"") && strstr(out, "\"category\":\"location\"") &&
        strstr(out, "],\"level\":\"general-4\"}"));
  civ_free(out);
  if (def) {
    CHECK(civ_policy_grade(&out, def, strlen(def), "[]", 2) == CIV_EINVALIDDATA);
    CHECK(civ_policy_grade(&out, "{}", 2, scan, strlen(scan)) == CIV_EINVALIDDATA); /* an invalid policy */
    CHECK(strstr(civ_error_last()->message, "invalid policy") != NULL);
  }
  CHECK(civ_policy_grade(&out, NULL, 0, "{", 1) == CIV_EPARSE);
  civ_free(def);
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-policy-XXXXXX";
  char path[256];
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  size_t len = 0;
  char *entry = read_file(CIVITAS_TEST_DATA "/schema/entry.json", &len);
  char *out = NULL;
  unsigned char raw[32];
  const char *share = "{\"resource\":\"102003004/000017\",\"consumer\":\"91350100M000100Y43\",\"purpose\":\"监管\"}";
  const char *open_ = "{\"resource\":\"102003004/000017\",\"consumer\":\"91350100M000100Y43\",\"purpose\":\"开放\",\"open\":true}";
  const char *record =
      "{\"resource\":\"102003004/000017\",\"scan\":{\"columns\":[{\"name\":\"code\",\"type\":\"uscc\",\"ratio\":1,"
      "\"confidence\":1,\"category\":null,\"level\":null,\"source\":\"detected\"},{\"name\":\"rep\",\"type\":"
      "\"person_name\",\"ratio\":0.9,\"confidence\":0.8,\"category\":null,\"level\":null,\"source\":\"detected\"}],"
      "\"level\":null}}";

  test_documents();
  memset(raw, 9, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)raw;
  key.secret_len = sizeof raw;
  if (!entry || !mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/w.db", dir);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, NULL) == CIV_OK);

  /* no such entry: an error, recorded */
  CHECK(civ_policy_decide(&out, ctx, share, strlen(share)) == CIV_ENOTFOUND);
  CHECK(out == NULL);
  CHECK(civ_catalog_add(NULL, ctx, entry, len) == CIV_OK);
  /* unclassified: denied, as a decision */
  CHECK(civ_policy_decide(&out, ctx, share, strlen(share)) == CIV_OK);
  CHECK(out && strstr(out, "\"decision\":\"deny\"") && strstr(out, "\"levelSource\":\"none\""));
  civ_free(out);
  out = NULL;
  /* record a classification (name → general-2), then decide */
  CHECK(civ_policy_record(&out, ctx, record, strlen(record)) == CIV_OK);
  CHECK(out && strstr(out, "\"seq\":1") && strstr(out, "\"level\":\"general-2\""));
  civ_free(out);
  out = NULL;
  CHECK(civ_policy_decide(&out, ctx, share, strlen(share)) == CIV_OK);
  CHECK(out && strstr(out, "\"decision\":\"allow_with_obligations\"") && strstr(out, "\"type\":\"conditional\"") &&
        strstr(out, "\"levelSource\":\"classification\""));
  civ_free(out);
  out = NULL;
  CHECK(civ_policy_decide(&out, ctx, open_, strlen(open_)) == CIV_OK);
  CHECK(out && strstr(out, "\"kind\":\"open\"") && strstr(out, "\"action\":\"drop\"") &&
        strstr(out, "\"riskThreshold\":0.05") && strstr(out, "\"privacy\":{\"k\":20}"));
  civ_free(out);
  out = NULL;

  /* refusals */
  CHECK(civ_policy_decide(&out, ctx, "{\"resource\":\"102003004/000017\"}", 31) == CIV_EINVAL);
  CHECK(civ_policy_decide(&out, ctx, "{\"resource\":\"102003004/000017\",\"consumer\":\"x\",\"purpose\":\"p\"}", 60) ==
        CIV_EINVAL);
  CHECK(civ_policy_decide(&out, ctx, "[", 1) == CIV_EPARSE);
  CHECK(civ_policy_decide(&out, NULL, share, strlen(share)) == CIV_EINVAL);
  CHECK(civ_policy_record(NULL, ctx, "{\"resource\":\"999/000001\",\"scan\":{\"columns\":[]}}", 48) == CIV_ENOTFOUND);
  CHECK(civ_policy_record(NULL, ctx, "{\"resource\":\"102003004/000017\",\"scan\":7}", 40) == CIV_EINVALIDDATA);
  CHECK(out == NULL);

  /* every decision and classification is in the audit log, denials and refusals included */
  CHECK(civ_audit_log(&out, ctx, "{\"action\":\"policy.decide\"}", 26) == CIV_OK);
  CHECK(count(out, "\"action\":\"policy.decide\"") == 5);
  CHECK(count(out, "\"outcome\":\"denied\"") == 1);
  CHECK(count(out, "\"outcome\":\"not-found\"") == 1);
  CHECK(count(out, "\"outcome\":\"invalid-argument\"") == 1);
  civ_free(out);
  out = NULL;
  CHECK(civ_audit_log(&out, ctx, "{\"action\":\"classify.record\"}", 28) == CIV_OK);
  CHECK(count(out, "\"outcome\":\"ok\"") == 1 && count(out, "\"outcome\":\"not-found\"") == 1 &&
        count(out, "\"outcome\":\"invalid-data\"") == 1);
  civ_free(out);

  civ_ctx_free(ctx);
  free(entry);
  {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) ++failures;
  }
  return failures ? 1 : 0;
}
