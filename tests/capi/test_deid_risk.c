/* C API tests of the risk measures, unkeyed column transforms and the HTML report (deid.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi_test.h"

static void test_risk(void) {
  const uint64_t sizes[] = {1, 1, 2, 3, 5};
  civ_deid_risk_options o = CIV_DEID_RISK_OPTIONS_INIT;
  char *json = NULL;
  o.threshold = 0.25;
  o.model = "none";
  CHECK(civ_deid_risk(&json, sizes, 5, &o) == CIV_OK);
  CHECK(json != NULL && strstr(json, "\"records_at_risk\":7") != NULL);
  CHECK(json != NULL && strstr(json, "\"sample_uniques\":2") != NULL);
  CHECK(json != NULL && strstr(json, "\"max\":1.0") != NULL);
  civ_free(json);
  json = NULL;
  CHECK(civ_deid_risk(&json, sizes, 5, NULL) == CIV_OK);
  CHECK(json != NULL && strstr(json, "\"model\":\"pitman\"") != NULL);
  civ_free(json);

  CHECK(civ_deid_risk_options_init(&o, CIV_DEID_RISK_OPTIONS_VERSION) == CIV_OK);
  CHECK(o.threshold == 0.2 && o.sampling_fraction == 0.01 && o.model == NULL);
  CHECK(civ_deid_risk_options_init(&o, 99) == CIV_EINVAL);
  o.threshold = 2;
  CHECK(civ_deid_risk(&json, sizes, 5, &o) == CIV_EINVAL);
  CHECK(json == NULL);
  CHECK(civ_deid_risk(NULL, sizes, 5, NULL) == CIV_EINVAL);
  CHECK(civ_deid_risk(&json, NULL, 3, NULL) == CIV_EINVAL);
  CHECK(civ_deid_risk(&json, NULL, 0, NULL) == CIV_OK);
  civ_free(json);
}

static void test_risk_csv(void) {
  const char *path = "/tmp/civitas-capi-risk.csv";
  char *json = NULL;
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("a;b\n1;x\n1;x\n2;y\n", f);
  fclose(f);
  CHECK(civ_deid_risk_csv(&json, path, "a,b", ';', NULL, NULL) == CIV_OK);
  CHECK(json != NULL && strstr(json, "\"class_sizes\":[[1,1],[2,1]]") != NULL);
  civ_free(json);
  json = NULL;
  CHECK(civ_deid_risk_csv(&json, path, "a,zz", ';', NULL, NULL) == CIV_ENOTFOUND);
  CHECK(strstr(civ_error_last()->message, "zz") != NULL);
  CHECK(civ_deid_risk_csv(&json, path, "a,,b", ';', NULL, NULL) == CIV_EINVAL);
  CHECK(civ_deid_risk_csv(&json, "/nonexistent/x.csv", "a", 0, NULL, NULL) == CIV_EIO);
  remove(path);
}

static void test_transform(void) {
  const char *data = "13812345678abc";
  const uint64_t offsets[] = {0, 11, 11, 14};
  uint8_t *out = NULL;
  uint64_t *out_off = NULL;
  CHECK(civ_deid_transform_column(&out, &out_off, "{\"action\":\"mask\",\"keep_first\":3,\"keep_last\":4}", "phone",
                                  (const uint8_t *)data, offsets, 3) == CIV_OK);
  CHECK(out_off != NULL && out_off[1] == 11 && out_off[2] == 11 && out_off[3] == 14);
  CHECK(out != NULL && memcmp(out, "138****5678***", 14) == 0);
  civ_free(out);
  civ_free(out_off);
  CHECK(civ_deid_transform_column(&out, &out_off, "{\"action\":\"top_bottom\",\"top\":5}", "n", (const uint8_t *)data,
                                  offsets, 3) == CIV_EINVALIDDATA);
  CHECK(strstr(civ_error_last()->message, "row 4") != NULL); /* index 2: CSV row 4 */
  CHECK(out == NULL && out_off == NULL);
  CHECK(civ_deid_transform_column(&out, &out_off, "\"pseudonymize\"", "n", (const uint8_t *)data, offsets, 3) ==
        CIV_EINVAL);
  CHECK(civ_deid_transform_column(&out, &out_off, "{nope", "n", (const uint8_t *)data, offsets, 3) == CIV_EINVAL);
  {
    const uint64_t bad[] = {0, 5, 3};
    CHECK(civ_deid_transform_column(&out, &out_off, "\"keep\"", "n", (const uint8_t *)data, bad, 2) == CIV_EINVAL);
  }
}

static void test_html(void) {
  char *html = NULL;
  CHECK(civ_deid_report_html(&html, "{\"fields\":[{\"name\":\"<script>x</script>\",\"role\":\"identifier\"}]}") == CIV_OK);
  CHECK(html != NULL && strstr(html, "<script>") == NULL && strstr(html, "&lt;script&gt;x") != NULL);
  civ_free(html);
  CHECK(civ_deid_report_html(&html, "{not json") == CIV_EPARSE);
  CHECK(civ_deid_report_html(&html, "[1]") == CIV_EINVAL);
  CHECK(civ_deid_report_html(NULL, "{}") == CIV_EINVAL);
}

int main(void) {
  test_risk();
  test_risk_csv();
  test_transform();
  test_html();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi deid risk: all checks passed\n");
  return 0;
}
