/* C API tests of schema validation, written in C against libcivitas.so. */
#include <string.h>

#include "capi_test.h"

static const char *kSchema =
    "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\",\"constraints\":{\"required\":true}},"
    "{\"name\":\"uscc\",\"type\":\"string\",\"civitas:identifier\":\"uscc\"}],\"primaryKey\":\"id\"}";

static void test_check(void) {
  char *out = NULL;
  const char *bad = "{\"fields\":[{\"name\":\"a\",\"type\":\"nope\"}]}";
  CHECK(civ_schema_check(&out, kSchema, strlen(kSchema)) == CIV_OK);
  CHECK(out && strstr(out, "\"valid\":true") != NULL);
  civ_free(out);
  CHECK(civ_schema_check(&out, bad, strlen(bad)) == CIV_OK);
  CHECK(out && strstr(out, "\"valid\":false") && strstr(out, "/fields/0/type"));
  civ_free(out);
  CHECK(civ_schema_check(&out, "{", 1) == CIV_OK); /* malformed JSON is a problem, not an error */
  CHECK(out && strstr(out, "\"valid\":false"));
  civ_free(out);
  CHECK(civ_schema_check(NULL, kSchema, strlen(kSchema)) == CIV_EINVAL);
  CHECK(civ_error_last()->code == CIV_EINVAL);
  CHECK(civ_schema_normalize(&out, bad, strlen(bad)) == CIV_EINVALIDDATA);
  CHECK(strstr(civ_error_last()->message, "/fields/0/type") != NULL);
  CHECK(civ_schema_normalize(&out, "{", 1) == CIV_EPARSE);
  CHECK(civ_schema_normalize(&out, kSchema, strlen(kSchema)) == CIV_OK);
  CHECK(out && strstr(out, "\"primaryKey\":\"id\""));
  civ_free(out);
}

static void test_validate_buffer(void) {
  const char *csv = "id,uscc\n1,91110108MA01ABCD5T\n1,91110108MA01ABCD5A\n,\n";
  const char *semi = "id;uscc\n7;91110108MA01ABCD5T\n";
  char *report = NULL;
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
  CHECK(civ_schema_validate_buffer(&report, kSchema, strlen(kSchema), csv, strlen(csv), NULL) == CIV_OK);
  CHECK(report && strstr(report, "\"valid\":false"));
  CHECK(report && strstr(report, "identifier-checksum"));
  CHECK(report && strstr(report, "\"primary-key\""));
  CHECK(report && strstr(report, "\"blank-row\""));
  civ_free(report);
  o.limit_errors = 1;
  CHECK(civ_schema_validate_buffer(&report, kSchema, strlen(kSchema), csv, strlen(csv), &o) == CIV_OK);
  CHECK(report && strstr(report, "\"partial\":true"));
  civ_free(report);
  o.version = 99;
  CHECK(civ_schema_validate_buffer(&report, kSchema, strlen(kSchema), csv, strlen(csv), &o) == CIV_EINVAL);
  CHECK(civ_schema_validate_options_init(&o, CIV_SCHEMA_VALIDATE_OPTIONS_VERSION) == CIV_OK);
  CHECK(o.limit_errors == 1000);
  o.dialect_json = "{\"delimiter\":\";\"}";
  o.dialect_json_len = strlen(o.dialect_json);
  CHECK(civ_schema_validate_buffer(&report, kSchema, strlen(kSchema), semi, strlen(semi), &o) == CIV_OK);
  CHECK(report && strstr(report, "\"valid\":true"));
  civ_free(report);
}

static void test_validate_file(void) {
  char *report = NULL;
  size_t slen = 0;
  char *schema = read_file(CIVITAS_TEST_DATA "/schema/orgs.v2.json", &slen);
  const char *path = CIVITAS_TEST_DATA "/schema/orgs_gbk.csv";
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
  CHECK(schema != NULL);
  if (!schema) return;
  o.dialect_json = "{\"encoding\":\"gbk\"}";
  o.dialect_json_len = strlen(o.dialect_json);
  CHECK(civ_schema_validate_file(&report, schema, slen, path, strlen(path), &o) == CIV_OK);
  CHECK(report && strstr(report, "\"rows\":5"));
  CHECK(report && strstr(report, "identifier-component"));
  civ_free(report);
  CHECK(civ_schema_validate_file(&report, schema, slen, "/nonexistent.csv", 16, NULL) == CIV_EIO);
  free(schema);
}

/* Foreign keys to another table: named tables in the options (version 2), a data package,
 * and version-1 options (which have no resources member) still accepted. */
static void test_foreign_keys_across_tables(void) {
  const char *staff = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},{\"name\":\"org\",\"type\":\"integer\"}],"
                      "\"foreignKeys\":[{\"fields\":[\"org\"],\"reference\":{\"resource\":\"orgs\",\"fields\":[\"code\"]}}]}";
  const char *data = "id,org\n1,1\n2,4\n3,03\n";
  const char *resources = "[{\"name\":\"orgs\",\"path\":\"" CIVITAS_TEST_DATA "/schema/package/orgs.csv\"}]";
  const char *pkg = CIVITAS_TEST_DATA "/schema/package/datapackage.json";
  civ_schema_validate_options o = CIV_SCHEMA_VALIDATE_OPTIONS_INIT, v1;
  char *report = NULL;
  CHECK(o.version == 2 && o.resources_json == NULL);
  o.resources_json = resources;
  o.resources_json_len = strlen(resources);
  CHECK(civ_schema_validate_buffer(&report, staff, strlen(staff), data, strlen(data), &o) == CIV_OK);
  CHECK(report && strstr(report, "\"valid\":false") && strstr(report, "\"referenceName\":\"orgs\""));
  CHECK(report && strstr(report, "values \\\"4\\\" not found in the lookup table \\\"orgs\\\""));
  CHECK(report && strstr(report, "\"rowNumber\":3") && !strstr(report, "\"rowNumber\":4"));
  civ_free(report);
  o.resources_json = "[{\"name\":\"other\",\"path\":\"x.csv\"}]";
  o.resources_json_len = strlen(o.resources_json);
  CHECK(civ_schema_validate_buffer(&report, staff, strlen(staff), data, strlen(data), &o) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "\"orgs\"") != NULL);
  o.resources_json = "{";
  o.resources_json_len = 1;
  CHECK(civ_schema_validate_buffer(&report, staff, strlen(staff), data, strlen(data), &o) == CIV_EPARSE);
  /* version 1: no resources member is read; the key is not checked, the report warns */
  /* an old caller's struct ends before resources_json: init and validate leave it unread */
  v1.resources_json = "{";
  v1.resources_json_len = 1;
  CHECK(civ_schema_validate_options_init(&v1, 1) == CIV_OK);
  CHECK(v1.version == 1 && v1.limit_errors == 1000 && v1.resources_json_len == 1);
  CHECK(civ_schema_validate_options_init(&v1, 0) == CIV_EINVAL);
  CHECK(civ_schema_validate_options_init(&v1, CIV_SCHEMA_VALIDATE_OPTIONS_VERSION + 1) == CIV_EINVAL);
  CHECK(v1.version == 1);
  CHECK(civ_schema_validate_buffer(&report, staff, strlen(staff), data, strlen(data), &v1) == CIV_OK);
  CHECK(report && strstr(report, "\"valid\":true") && strstr(report, "not checked"));
  civ_free(report);
  /* a whole data package */
  CHECK(civ_schema_validate_package(&report, pkg, strlen(pkg), NULL) == CIV_OK);
  CHECK(report && strstr(report, "\"valid\":false") && strstr(report, "\"name\":\"staff\"") &&
        strstr(report, "\"name\":\"orgs\"") && strstr(report, "\"tasks\":2"));
  civ_free(report);
  CHECK(civ_schema_validate_package(&report, "/nonexistent/datapackage.json", strlen("/nonexistent/datapackage.json"), NULL) == CIV_EIO);
  CHECK(civ_schema_validate_package(NULL, pkg, strlen(pkg), NULL) == CIV_EINVAL);
}

int main(void) {
  test_check();
  test_foreign_keys_across_tables();
  test_validate_buffer();
  test_validate_file();
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
