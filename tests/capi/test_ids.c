/* C API tests of the ids module, written in C against libcivitas.so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CIV_EXPERIMENTAL 1 /* the division-table loader */
#include "capi_test.h"

static void test_version(void) {
  CHECK(strcmp(civ_version(), CIV_VERSION_STRING) == 0);
  CHECK(civ_version_number() == CIV_VERSION_MAJOR * 10000 + CIV_VERSION_MINOR * 100 + CIV_VERSION_PATCH);
  CHECK(civ_error_last() != NULL);
  CHECK(strcmp(civ_error_name(CIV_EINTEGRITY), "integrity") == 0);
  CHECK(strcmp(civ_error_name(12345), "unknown") == 0);
  civ_free(NULL);
}

static void test_validate(void) {
  civ_id_result r = CIV_ID_RESULT_INIT;
  const char *code = "91350100m000100y43";
  CHECK(civ_id_validate(&r, CIV_ID_USCC, code, strlen(code), 0) == CIV_OK);
  CHECK(r.valid == 1);
  CHECK(r.reason == CIV_ID_OK);
  CHECK(strcmp(r.canonical, "91350100M000100Y43") == 0);
  CHECK(r.parts.authority == '9');
  CHECK(strcmp(r.parts.authority_name, "工商") == 0);
  CHECK(strcmp(r.parts.category_name, "企业") == 0);
  CHECK(strcmp(r.parts.division, "350100") == 0);
  CHECK(strcmp(r.parts.province, "福建省") == 0);
  CHECK(r.parts.region_known == 1);
  CHECK(strcmp(r.parts.orgcode, "M000100Y4") == 0);

  /* not NUL-terminated input: only code_len bytes are read */
  char buf[32];
  memcpy(buf, "91350100M000100Y43XXXX", 22);
  CHECK(civ_id_validate(&r, CIV_ID_USCC, buf, 18, 0) == CIV_OK);
  CHECK(r.valid == 1);

  CHECK(civ_id_validate(&r, CIV_ID_USCC, "91350100M000100Y44", 18, 0) == CIV_OK);
  CHECK(r.valid == 0);
  CHECK(r.reason == CIV_ID_CHECKSUM);
  CHECK(strcmp(civ_id_reason_name(r.reason), "checksum") == 0);

  CHECK(civ_id_validate(&r, CIV_ID_RIC, "110105491231002", 15, 0) == CIV_OK);
  CHECK(r.valid == 1);
  CHECK(strcmp(r.canonical, "11010519491231002X") == 0);
  CHECK(strcmp(r.parts.legacy, "110105491231002") == 0);
  CHECK(r.parts.sex == 'F');
  CHECK(strcmp(r.parts.birth_date, "1949-12-31") == 0);
}

static void test_strict_and_warnings(void) {
  char body[] = "91999999M000100Y4";
  char code[19];
  char c = 0;
  CHECK(civ_id_check_char(&c, CIV_ID_USCC, body, strlen(body)) == CIV_OK);
  memcpy(code, body, 17);
  code[17] = c;
  code[18] = 0;
  int reason = -1;
  unsigned warnings = 0;
  CHECK(civ_id_check(&reason, &warnings, CIV_ID_USCC, code, 18, 0) == CIV_OK);
  CHECK(reason == CIV_ID_OK);
  CHECK(warnings == CIV_ID_WARN(CIV_ID_REGION));
  CHECK(civ_id_check(&reason, &warnings, CIV_ID_USCC, code, 18, CIV_ID_STRICT) == CIV_OK);
  CHECK(reason == CIV_ID_REGION);
}

static void test_errors(void) {
  civ_id_result r = CIV_ID_RESULT_INIT;
  CHECK(civ_id_validate(&r, 99, "x", 1, 0) == CIV_EINVAL);
  CHECK(civ_error_last()->code == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "kind") != NULL);
  CHECK(civ_id_validate(NULL, CIV_ID_USCC, "x", 1, 0) == CIV_EINVAL);
  CHECK(civ_id_validate(&r, CIV_ID_USCC, NULL, 5, 0) == CIV_EINVAL);
  CHECK(civ_id_validate(&r, CIV_ID_USCC, "x", 1, 0x80) == CIV_EINVAL);
  r.version = 77;
  CHECK(civ_id_validate(&r, CIV_ID_USCC, "x", 1, 0) == CIV_EINVAL);
  CHECK(civ_id_result_init(&r, 77) == CIV_EINVAL);
  CHECK(civ_id_result_init(&r, CIV_ID_RESULT_VERSION) == CIV_OK);
  char c;
  CHECK(civ_id_check_char(&c, CIV_ID_USCC, "123", 3) == CIV_EINVAL);
  CHECK(civ_error_last()->code == CIV_EINVAL);
  char up[19];
  CHECK(civ_id_ric_upgrade(up, sizeof up, "110105490231002", 15) == CIV_EINVALIDDATA);
  CHECK(civ_id_ric_upgrade(up, 18, "110105491231002", 15) == CIV_EBUFFER);
  CHECK(strstr(civ_error_last()->message, "19") != NULL);
  CHECK(civ_id_ric_upgrade(up, sizeof up, "110105491231002", 15) == CIV_OK);
  CHECK(strcmp(up, "11010519491231002X") == 0);
  CHECK(civ_error_last()->code == CIV_OK);
  int kind = 0;
  CHECK(civ_id_kind_from_name(&kind, "ric", 3) == CIV_OK && kind == CIV_ID_RIC);
  CHECK(civ_id_kind_from_name(&kind, "passport", 8) == CIV_EINVAL);
  CHECK(civ_id_load_division_table("/nonexistent", 12) == CIV_EIO);
}

static void test_column(void) {
  const char *codes[] = {"91350100M000100Y43", "91350100M000100Y44", "", "91110000600037341L", "9111000060003734"};
  enum { N = 5 };
  char data[128];
  uint64_t offsets[N + 1];
  size_t lengths[N];
  size_t pos = 0;
  for (int i = 0; i < N; ++i) {
    offsets[i] = pos;
    lengths[i] = strlen(codes[i]);
    memcpy(data + pos, codes[i], lengths[i]);
    pos += lengths[i];
  }
  offsets[N] = pos;
  uint8_t reasons[N];
  uint8_t reasons2[N];
  size_t valid = 0, valid2 = 0;
  CHECK(civ_id_validate_column(reasons, NULL, &valid, CIV_ID_USCC, data, offsets, N, 0) == CIV_OK);
  CHECK(valid == 2);
  CHECK(reasons[0] == CIV_ID_OK && reasons[1] == CIV_ID_CHECKSUM && reasons[2] == CIV_ID_LENGTH);
  CHECK(reasons[3] == CIV_ID_OK && reasons[4] == CIV_ID_LENGTH);
  CHECK(civ_id_validate_many(reasons2, NULL, &valid2, CIV_ID_USCC, codes, lengths, N, 0) == CIV_OK);
  CHECK(valid2 == valid);
  CHECK(memcmp(reasons, reasons2, N) == 0);
  uint64_t bad_offsets[3] = {0, 5, 2};
  CHECK(civ_id_validate_column(reasons, NULL, NULL, CIV_ID_USCC, data, bad_offsets, 2, 0) == CIV_EINVAL);
  CHECK(civ_id_validate_column(reasons, NULL, &valid, CIV_ID_USCC, NULL, NULL, 0, 0) == CIV_OK && valid == 0);
}

static void test_division_table(void) {
  char *src = NULL;
  CHECK(civ_id_division_table_source(&src) == CIV_OK);
  CHECK(src != NULL && strncmp(src, "builtin", 7) == 0);
  civ_free(src);
  CHECK(civ_id_reset_division_table() == CIV_OK);
}

int main(void) {
  test_version();
  test_validate();
  test_strict_and_warnings();
  test_errors();
  test_column();
  test_division_table();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi ids: all checks passed\n");
  return 0;
}
