// Foreign keys whose "reference.resource" names another table: checked against that table
// (ValidateOptions::resources, validate_package), with the referenced table typed by its own
// schema or, without one, by the fields that refer to it.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "civitas/schema.hpp"
#include "helpers.hpp"

using namespace civitas;
using namespace civitas::schema;
using namespace schema_test;
using nlohmann::json;

namespace {

std::string pkg(const std::string& name) { return data_path("package/" + name); }

TableSchema staff_schema() {
  json dp = json::parse(slurp(pkg("datapackage.json")));
  return parse_schema(dp["resources"][1]["schema"]);
}

ReferencedResource orgs(bool with_schema) {
  ReferencedResource r;
  r.name = "orgs";
  r.path = pkg("orgs.csv");
  if (with_schema) r.schema = load_schema_file(pkg("orgs.schema.json"));
  return r;
}

const std::vector<std::string> kStaffErrors = {"foreign-key 3", "foreign-key 5", "type-error 6 org", "foreign-key 7"};

}  // namespace

TEST_CASE("a foreign key to another resource is checked against that resource") {
  for (bool with_schema : {true, false}) {
    ValidateOptions o;
    o.resources.push_back(orgs(with_schema));
    json r = validate_file(pkg("staff.csv"), staff_schema(), o);
    CHECK_MESSAGE(error_keys(r) == kStaffErrors, "with schema: " << with_schema);
    const json& e = r["tasks"][0]["errors"][0];
    CHECK(e["referenceName"] == "orgs");
    CHECK(e["note"] == "for \"org\": values \"4\" not found in the lookup table \"orgs\" as \"code\"");
    CHECK(r["tasks"][0]["warnings"].empty());
  }
}

TEST_CASE("without the resource the key is not checked and the report warns") {
  json r = validate_file(pkg("staff.csv"), staff_schema());
  CHECK(error_keys(r) == std::vector<std::string>{"foreign-key 5", "type-error 6 org"});  // the self-reference only
  REQUIRE(r["tasks"][0]["warnings"].size() == 1);
  CHECK(r["tasks"][0]["warnings"][0].get<std::string>().find("\"orgs\" not checked") != std::string::npos);
}

TEST_CASE("referenced values compare as typed values: 01 is 1 for an integer key") {
  TableSchema s = parse_schema(R"({"fields":[{"name":"org","type":"integer"}],
    "foreignKeys":[{"fields":["org"],"reference":{"resource":"orgs","fields":["code"]}}]})");
  ValidateOptions o;
  o.resources.push_back(orgs(false));
  CHECK(error_keys(validate_bytes("org\n01\n3\n4\n", s, o)) == std::vector<std::string>{"foreign-key 4"});
  // a string key does not match across types: "1" in a string field is not the integer 1
  o.resources[0].schema = parse_schema(R"({"fields":[{"name":"code","type":"string"},{"name":"name"}]})");
  CHECK(error_keys(validate_bytes("org\n1\n", s, o)) == std::vector<std::string>{"foreign-key 2"});
}

TEST_CASE("bad resources are errors of the call that name the resource") {
  ValidateOptions o;
  ReferencedResource other = orgs(true);
  other.name = "other";
  o.resources.push_back(other);
  auto refused = [&](Code code, const char* text) {
    try {
      validate_file(pkg("staff.csv"), staff_schema(), o);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == code);
      CHECK_MESSAGE(std::string(e.what()).find(text) != std::string::npos, e.what());
    }
  };
  refused(Code::invalid_argument, "\"orgs\"");
  o.resources[0] = orgs(true);
  o.resources[0].path = pkg("missing.csv");
  refused(Code::io, "referenced resource \"orgs\"");
  o.resources[0] = orgs(false);
  TableSchema s = parse_schema(R"({"fields":[{"name":"org","type":"integer"}],
    "foreignKeys":[{"fields":["org"],"reference":{"resource":"orgs","fields":["nope"]}}]})");
  CHECK_THROWS_WITH_AS(validate_bytes("org\n1\n", s, o), doctest::Contains("has no field \"nope\""), Error);
}

TEST_CASE("a data package is validated table by table with keys across tables") {
  json r = validate_package(pkg("datapackage.json"));
  CHECK(r["valid"] == false);
  REQUIRE(r["tasks"].size() == 2);
  CHECK(r["tasks"][0]["name"] == "orgs");
  CHECK(r["tasks"][0]["valid"] == true);
  CHECK(r["tasks"][1]["name"] == "staff");
  json one = {{"tasks", json::array({r["tasks"][1]})}};
  CHECK(error_keys(one) == kStaffErrors);
  CHECK(r["stats"]["tasks"] == 2);
  CHECK(r["stats"]["errors"] == 4);
}

TEST_CASE("a data package descriptor cannot reach outside its folder") {
  std::string dir = std::string(CIVITAS_BINARY_DIR) + "/test-fk-package";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& text) {
    std::ofstream(dir + "/datapackage.json") << text;
    return dir + "/datapackage.json";
  };
  CHECK_THROWS_WITH_AS(validate_package(write(R"({"resources":[{"name":"a","path":"../x.csv","schema":{"fields":[]}}]})")),
                       doctest::Contains("inside the package"), Error);
  CHECK_THROWS_WITH_AS(validate_package(write(R"({"resources":[{"name":"a","path":"/etc/passwd","schema":{"fields":[]}}]})")),
                       doctest::Contains("inside the package"), Error);
  CHECK_THROWS_AS(validate_package(write("{not json")), Error);
  CHECK_THROWS_AS(validate_package(write(R"({"resources":{}})")), Error);
  CHECK_THROWS_AS(validate_package(dir + "/none.json"), Error);
}
