/* C API tests of the classify module, written in C against libcivitas.so. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi_test.h"

static void test_value(void) {
  char *t = NULL;
  CHECK(civ_classify_value(&t, "11010519491231002X", 18, NULL, 0) == CIV_OK);
  CHECK(t && strcmp(t, "ric") == 0);
  civ_free(t);
  t = NULL;
  /* only value_len bytes are read */
  CHECK(civ_classify_value(&t, "13912345678999", 11, NULL, 0) == CIV_OK);
  CHECK(t && strcmp(t, "mobile_phone") == 0);
  civ_free(t);
  t = NULL;
  CHECK(civ_classify_value(&t, "hello", 5, NULL, 0) == CIV_OK);
  CHECK(t && strcmp(t, "none") == 0);
  civ_free(t);
  t = NULL;
  {
    const char *det = "[{\"name\":\"employee_no\",\"pattern\":\"EMP[0-9]{6}\"}]";
    CHECK(civ_classify_value(&t, "EMP123456", 9, det, strlen(det)) == CIV_OK);
    CHECK(t && strcmp(t, "employee_no") == 0);
    civ_free(t);
    t = NULL;
  }
  {
    const char *bad = "[{\"name\":\"x\",\"pattern\":\"(\"}]";
    CHECK(civ_classify_value(&t, "x", 1, bad, strlen(bad)) == CIV_EINVAL);
  }
  CHECK(t == NULL);
  CHECK(civ_classify_value(&t, "x", 1, "[", 1) == CIV_EPARSE);
  CHECK(civ_classify_value(NULL, "x", 1, NULL, 0) == CIV_EINVAL);
  CHECK(civ_classify_value(&t, NULL, 3, NULL, 0) == CIV_EINVAL);
}

static void test_find(void) {
  char *j = NULL;
  const char *text = "\xe7\x94\xb5\xe8\xaf\x9d" "13912345678"; /* 电话 in UTF-8 */
  const char *gb = "\xb5\xe7\xbb\xb0" "13912345678";            /* 电话 in GB18030 */
  CHECK(civ_classify_find(&j, text, strlen(text), NULL, NULL, 0) == CIV_OK);
  CHECK(j && strcmp(j, "[{\"type\":\"mobile_phone\",\"offset\":6,\"length\":11}]") == 0);
  civ_free(j);
  j = NULL;
  CHECK(civ_classify_find(&j, gb, strlen(gb), "", NULL, 0) == CIV_OK);
  CHECK(j && strcmp(j, "[{\"type\":\"mobile_phone\",\"offset\":4,\"length\":11}]") == 0);
  civ_free(j);
  j = NULL;
  CHECK(civ_classify_find(&j, "nothing", 7, "utf-8", NULL, 0) == CIV_OK);
  CHECK(j && strcmp(j, "[]") == 0);
  civ_free(j);
  j = NULL;
  CHECK(civ_classify_find(&j, "\x81", 1, "gb18030", NULL, 0) == CIV_EPARSE);
  CHECK(civ_classify_find(&j, "abc", 3, "no-such-encoding", NULL, 0) == CIV_EINVAL);
  CHECK(j == NULL);
}

static void test_column(void) {
  const char *data = "13912345678" "13800138000" "" "15069323974";
  uint64_t offsets[] = {0, 11, 22, 22, 33};
  char *j = NULL;
  CHECK(civ_classify_column(&j, "phone", 5, data, offsets, 4, NULL, 0) == CIV_OK);
  CHECK(j && strstr(j, "\"type\":\"mobile_phone\"") != NULL);
  CHECK(j && strstr(j, "\"source\":\"detected\"") != NULL);
  CHECK(j && strncmp(j, "{\"name\":\"phone\",\"type\"", 22) == 0);
  civ_free(j);
  j = NULL;
  {
    uint64_t bad[] = {0, 11, 5, 22, 33};
    CHECK(civ_classify_column(&j, "x", 1, data, bad, 4, NULL, 0) == CIV_EINVAL);
  }
  CHECK(civ_classify_column(&j, "x", 1, data, NULL, 4, NULL, 0) == CIV_EINVAL);
}

static void test_scan(void) {
  const char *path = "capi_test_classify.csv"; /* in the test's working directory */
  FILE *f;
  char *j = NULL;
  const char *opts = "{\"schema\":{\"fields\":[{\"name\":\"id\",\"civitas:classification\":{\"category\":\"identity\",\"level\":\"important\"}},{\"name\":\"tel\"}]}}";
  f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("id,tel\n11010519491231002X,13912345678\n110105491231002,13800138000\n", f);
  fclose(f);
  CHECK(civ_classify_scan_file(&j, path, NULL, 0) == CIV_OK);
  CHECK(j && strncmp(j, "{\"columns\":[{\"name\":\"id\",\"type\":\"ric\"", 37) == 0);
  CHECK(j && strstr(j, "\"level\":null}") != NULL);
  civ_free(j);
  j = NULL;
  CHECK(civ_classify_scan_file(&j, path, opts, strlen(opts)) == CIV_OK);
  CHECK(j && strstr(j, "\"category\":\"identity\",\"level\":\"important\",\"source\":\"schema\"") != NULL);
  CHECK(j && strstr(j, "],\"level\":\"important\"}") != NULL);
  civ_free(j);
  j = NULL;
  CHECK(civ_classify_scan_file(&j, path, "{\"bogus\":1}", 11) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "bogus") != NULL);
  remove(path);
  CHECK(civ_classify_scan_file(&j, path, NULL, 0) == CIV_EIO);
  CHECK(j == NULL);
}

static void test_types(void) {
  char *j = NULL;
  CHECK(civ_classify_types(&j) == CIV_OK);
  CHECK(j && strncmp(j, "[\"none\",\"uscc\",\"orgcode\",\"ric\",\"gb2260\"", 39) == 0);
  CHECK(j && strstr(j, "\"vin\"]") != NULL);
  civ_free(j);
  CHECK(civ_classify_types(NULL) == CIV_EINVAL);
}

int main(void) {
  test_value();
  test_find();
  test_column();
  test_scan();
  test_types();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi classify: all checks passed\n");
  return 0;
}
