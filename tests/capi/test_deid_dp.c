#define _POSIX_C_SOURCE 200809L
/* Differential privacy from C (civitas/deid.h, third section): the samplers (moments of a
 * large sample, parameter errors), a budget per catalog dataset, a release over a CSV file
 * that spends it, the release that would overspend it refused with nothing released, and
 * bad queries refused with the parameter named. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static void test_samples(void) {
  enum { N = 100000 };
  static int64_t v[N];
  double mean = 0, var = 0, q = exp(-1.0 / 3), expect = 2 * q / ((1 - q) * (1 - q));
  size_t i;
  CHECK(civ_deid_dp_sample(v, N, CIV_DEID_DP_LAPLACE, 3, 1) == CIV_OK);
  for (i = 0; i < N; ++i) mean += (double)v[i];
  mean /= N;
  for (i = 0; i < N; ++i) var += ((double)v[i] - mean) * ((double)v[i] - mean);
  var /= N - 1;
  CHECK(fabs(mean) < 0.1);
  CHECK(fabs(var / expect - 1) < 0.05);
  CHECK(civ_deid_dp_sample(v, N, CIV_DEID_DP_GAUSSIAN, 9, 1) == CIV_OK);
  var = 0;
  for (i = 0; i < N; ++i) var += (double)v[i] * (double)v[i];
  CHECK(fabs(var / N / 9 - 1) < 0.05);
  CHECK(civ_deid_dp_sample(v, 1, 3, 1, 1) == CIV_EINVAL);
  CHECK(civ_deid_dp_sample(v, 1, CIV_DEID_DP_LAPLACE, 0, 1) == CIV_EINVAL);
  CHECK(civ_deid_dp_sample(v, 1, CIV_DEID_DP_GAUSSIAN, 1, 0) == CIV_EINVAL);
  CHECK(civ_deid_dp_sample(NULL, 1, CIV_DEID_DP_LAPLACE, 1, 1) == CIV_EINVAL);
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-dp-XXXXXX";
  char path[256], csv[256], query[512];
  const char *code = "102003004/000017";
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  size_t len = 0;
  char *entry = read_file(CIVITAS_TEST_DATA "/schema/entry.json", &len);
  char *out = NULL;
  unsigned char raw[32];
  FILE *f;
  int i;

  test_samples();
  memset(raw, 7, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)raw;
  key.secret_len = sizeof raw;
  if (!entry || !mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/w.db", dir);
  snprintf(csv, sizeof csv, "%s/t.csv", dir);
  f = fopen(csv, "w");
  if (!f) return 2;
  fputs("id,age\n", f);
  for (i = 0; i < 300; ++i) fprintf(f, "%d,%d\n", i, 20 + i % 50);
  fclose(f);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, NULL) == CIV_OK);
  CHECK(civ_catalog_add(NULL, ctx, entry, len) == CIV_OK);

  snprintf(query, sizeof query,
           "{\"statistic\":\"mean\",\"dataset\":\"%s\",\"column\":\"age\",\"person\":\"id\",\"epsilon\":0.6,"
           "\"bounds\":[0,100],\"max_contributions\":1}",
           code);
  /* no budget: refused */
  CHECK(civ_deid_dp_release_csv(&out, ctx, query, strlen(query), csv) == CIV_EDENIED);
  CHECK(out == NULL);
  CHECK(civ_deid_dp_budget_get(&out, ctx, code) == CIV_ENOTFOUND);
  CHECK(civ_deid_dp_budget_set(NULL, ctx, "000000000/000000", "1", NULL) == CIV_ENOTFOUND);
  CHECK(civ_deid_dp_budget_set(&out, ctx, code, "1", NULL) == CIV_OK);
  CHECK(out && strstr(out, "\"total\":\"1\""));
  civ_free(out);
  out = NULL;

  CHECK(civ_deid_dp_release_csv(&out, ctx, query, strlen(query), csv) == CIV_OK);
  CHECK(out && strstr(out, "\"statistic\":\"mean\"") && strstr(out, "\"release\":1"));
  CHECK(out && strstr(out, "\"spent\":\"0.6\""));
  civ_free(out);
  out = NULL;
  /* 0.6 more would exceed the budget: refused, nothing returned, nothing spent */
  CHECK(civ_deid_dp_release_csv(&out, ctx, query, strlen(query), csv) == CIV_EDENIED);
  CHECK(out == NULL);
  CHECK(strstr(civ_error_last()->message, "exceeded") != NULL);
  CHECK(civ_deid_dp_budget_get(&out, ctx, code) == CIV_OK);
  CHECK(out && strstr(out, "\"releases\":1") && strstr(out, "\"remaining\":\"0.4\""));
  civ_free(out);
  out = NULL;

  /* bad queries */
  CHECK(civ_deid_dp_release_csv(&out, ctx, "{\"statistic\":\"sum\"}", 19, csv) == CIV_EINVAL);
  CHECK(civ_deid_dp_release_csv(&out, ctx, "{", 1, csv) == CIV_EPARSE);
  snprintf(query, sizeof query,
           "{\"statistic\":\"sum\",\"dataset\":\"%s\",\"column\":\"age\",\"epsilon\":0.1,\"bounds\":[0,100],"
           "\"max_contributions\":1,\"colour\":1}",
           code);
  CHECK(civ_deid_dp_release_csv(&out, ctx, query, strlen(query), csv) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "colour") != NULL);
  snprintf(query, sizeof query,
           "{\"statistic\":\"sum\",\"dataset\":\"%s\",\"column\":\"weight\",\"epsilon\":0.1,\"bounds\":[0,100],"
           "\"max_contributions\":1}",
           code);
  CHECK(civ_deid_dp_release_csv(&out, ctx, query, strlen(query), csv) == CIV_ENOTFOUND);
  CHECK(civ_deid_dp_release_csv(&out, NULL, query, strlen(query), csv) == CIV_EINVAL);

  civ_ctx_free(ctx);
  free(entry);
  unlink(csv);
  {
    char hdr[300];
    snprintf(hdr, sizeof hdr, "%s.header", path);
    unlink(hdr);
  }
  unlink(path);
  rmdir(dir);
  return failures ? 1 : 0;
}
