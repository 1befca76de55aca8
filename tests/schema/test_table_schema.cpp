#include <doctest/doctest.h>

#include "civitas/schema.hpp"
#include "helpers.hpp"

using namespace civitas;
using namespace civitas::schema;
using namespace schema_test;

TEST_CASE("a v1 schema parses with types, constraints and primary key") {
  TableSchema s = load_schema_file(data_path("people.v1.json"));
  REQUIRE(s.fields.size() == 10);
  CHECK(s.fields[0].type == FieldType::integer);
  CHECK(s.fields[0].constraints.required);
  CHECK(s.fields[1].constraints.max_length == 10u);
  CHECK(s.fields[2].format == "email");
  CHECK(s.primary_key == std::vector<std::string>{"id"});
  CHECK(s.fields[9].constraints.unique);
}

TEST_CASE("a v2 schema parses with civitas extensions, field missingValues and foreign keys") {
  TableSchema s = load_schema_file(data_path("orgs.v2.json"));
  CHECK(s.profile.find("2.0") != std::string::npos);
  CHECK(s.fields[1].identifier == Identifier::uscc);
  CHECK(s.fields[1].data_type == 'C');
  CHECK(s.fields[1].data_length == 18u);
  CHECK(s.fields[1].classification["level"] == "general");
  CHECK(s.fields[3].identifier == Identifier::gb2260);
  REQUIRE(s.fields[4].missing_values);
  CHECK(*s.fields[4].missing_values == std::vector<std::string>{"", "NA"});
  CHECK(s.missing_values == std::vector<std::string>{"", "-"});
  REQUIRE(s.foreign_keys.size() == 1);
  CHECK(s.foreign_keys[0].resource.empty());
  CHECK(s.classification["category"] == "organisations");
}

TEST_CASE("schema round trip through to_json is lossless") {
  for (const char* f : {"people.v1.json", "orgs.v2.json"}) {
    TableSchema a = load_schema_file(data_path(f));
    nlohmann::json j = a.to_json();
    TableSchema b = parse_schema(j);
    CHECK(b.to_json() == j);
  }
  TableSchema c = parse_schema(R"({"fields":[{"name":"x","type":"string","x-custom":{"k":1}}],"x-top":true})");
  CHECK(c.to_json()["fields"][0]["x-custom"]["k"] == 1);
  CHECK(c.to_json()["x-top"] == true);
}

TEST_CASE("check_schema reports one problem per broken rule") {
  auto ps = check_schema(slurp(data_path("broken_schema.json")));
  std::vector<std::string> paths;
  for (const auto& p : ps) paths.push_back(p.path);
  auto has = [&](const std::string& p) { return std::find(paths.begin(), paths.end(), p) != paths.end(); };
  CHECK(has("/fields/0/type"));
  CHECK(has("/fields/1/name"));                    // duplicate
  CHECK(has("/fields/1/constraints/maxLength"));
  CHECK(has("/fields/1/constraints/pattern"));
  CHECK(has("/fields/2/name"));
  CHECK(has("/fields/2/civitas:dataType"));
  CHECK(has("/fields/2/civitas:identifier"));
  CHECK(has("/primaryKey"));
  CHECK(has("/foreignKeys/0"));
  CHECK(ps.size() >= 9);
}

TEST_CASE("malformed schema JSON is a parse error with its byte offset") {
  auto ps = check_schema(std::string_view("{\"fields\": [}"));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].message.find("byte") != std::string::npos);
  CHECK_THROWS_AS(parse_schema(std::string_view("{\"fields\": [}")), Error);
  try {
    parse_schema(std::string_view("{\"fields\": [}"));
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    CHECK(e.where().offset.has_value());
  }
}

TEST_CASE("an invalid schema throws invalid_data naming the first problem") {
  try {
    parse_schema(std::string_view(R"({"fields":[{"name":"a","type":"nope"}]})"));
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
    CHECK(std::string(e.what()).find("/fields/0/type") != std::string::npos);
  }
}

TEST_CASE("identifier extension requires a string field and a known kind") {
  auto ps = check_schema(std::string_view(R"({"fields":[{"name":"a","type":"integer","civitas:identifier":"uscc"}]})"));
  CHECK(ps.size() == 1);
  ps = check_schema(std::string_view(R"({"fields":[{"name":"a","civitas:identifier":{"kind":"ric","strict":true}}]})"));
  CHECK(ps.empty());
}

TEST_CASE("guideline data type must fit the Table Schema type") {
  auto ps = check_schema(std::string_view(R"({"fields":[{"name":"a","type":"date","civitas:dataType":"N"}]})"));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].path == "/fields/0/civitas:dataType");
}

TEST_CASE("dialect from JSON: flat and frictionless v5 nested csv control") {
  Dialect d = Dialect::from_json(nlohmann::json::parse(R"({"delimiter":";","quoteChar":"'","header":false,"encoding":"gbk"})"));
  CHECK(d.delimiter == ';');
  CHECK(d.quote == '\'');
  CHECK_FALSE(d.header);
  CHECK(d.encoding == "gbk");
  Dialect n = Dialect::from_json(nlohmann::json::parse(R"({"csv":{"delimiter":"|","escapeChar":"\\"}})"));
  CHECK(n.delimiter == '|');
  CHECK(n.escape == '\\');
  CHECK_THROWS_AS(Dialect::from_json(nlohmann::json::parse(R"({"delimiter":";;"})")), Error);
}
