#include <doctest/doctest.h>

#include <sstream>

#include "civitas/schema.hpp"
#include "helpers.hpp"

using namespace civitas;
using namespace civitas::schema;
using namespace schema_test;
using nlohmann::json;

namespace {

json run(const char* schema, std::string_view csv, ValidateOptions o = {}) {
  return validate_bytes(csv, parse_schema(std::string_view(schema)), o);
}

const char* kInt = R"({"fields":[{"name":"id","type":"integer"},{"name":"v","type":"string"}]})";

}  // namespace

TEST_CASE("a valid file gives a valid report in the frictionless shape") {
  json r = validate_file(data_path("people_valid.csv"), load_schema_file(data_path("people.v1.json")));
  CHECK(r["valid"] == true);
  CHECK(r["version"] == 1);
  const json& t = r["tasks"][0];
  CHECK(t["valid"] == true);
  CHECK(t["stats"]["rows"] == 5);
  CHECK(t["stats"]["fields"] == 10);
  CHECK(t["name"] == "people_valid");
  CHECK(t["labels"].size() == 10);
  CHECK(r["stats"]["tasks"] == 1);
}

TEST_CASE("broken rows: the errors frictionless reports, in its order") {
  json r = validate_file(data_path("people_broken.csv"), load_schema_file(data_path("people.v1.json")));
  CHECK(r["valid"] == false);
  auto k = error_keys(r);
  REQUIRE(k.size() == 33);
  CHECK(k[0] == "type-error 3 id");
  CHECK(k[1] == "type-error 3 email");
  CHECK(k[2] == "type-error 3 birth");
  CHECK(k[3] == "constraint-error 3 score");
  CHECK(k.back() == "unique-error 11 tag");
  const json& e = r["tasks"][0]["errors"][0];
  CHECK(e["fieldNumber"] == 1);
  CHECK(e["cell"] == "x");
  CHECK(e["note"] == "type is \"integer/default\"");
  CHECK(e["message"] == "Type error in the cell \"x\" in row \"3\" and field \"id\" at position \"1\": type is \"integer/default\"");
  CHECK(e["cells"].size() == 10);
}

TEST_CASE("a completely blank row gives blank-row only (plus key errors)") {
  json r = run(R"({"fields":[{"name":"a","constraints":{"required":true}},{"name":"b"}]})", "a,b\n,\n");
  CHECK(error_keys(r) == std::vector<std::string>{"blank-row 2"});
}

TEST_CASE("missing and extra cells") {
  json r = run(kInt, "id,v\n1\n2,x,y\n");
  CHECK(error_keys(r) == std::vector<std::string>{"missing-cell 2 v", "extra-cell 3"});
  CHECK(r["tasks"][0]["errors"][1]["fieldNumber"] == 3);
}

TEST_CASE("integer follows Python int(): whitespace, sign, underscores") {
  json r = run(kInt, "id,v\n 4 ,a\n+5,b\n1_000,c\n1__0,d\n1.0,e\n99999999999999999999999,f\n");
  CHECK(error_keys(r) == std::vector<std::string>{"type-error 5 id", "type-error 6 id"});
}

TEST_CASE("number, boolean, date, time, datetime, year, yearmonth, duration, geopoint, object, array") {
  const char* s = R"({"fields":[{"name":"n","type":"number"},{"name":"b","type":"boolean"},{"name":"d","type":"date"},
    {"name":"t","type":"time"},{"name":"dt","type":"datetime"},{"name":"y","type":"year"},{"name":"ym","type":"yearmonth"},
    {"name":"du","type":"duration"},{"name":"g","type":"geopoint"},{"name":"o","type":"object"},{"name":"a","type":"array"}]})";
  json ok = run(s, "n,b,d,t,dt,y,ym,du,g,o,a\n1.5e3,TRUE,2024-2-29,23:59:59,2024-01-01T00:00:00+08:00,2024,2024-12,P1Y2M3DT4H,\"116.4, 39.9\",\"{\"\"a\"\":1}\",[1]\n");
  CHECK(ok["valid"] == true);
  json bad = run(s, "n,b,d,t,dt,y,ym,du,g,o,a\n1.5.3,yes,2023-02-29,24:00:00,2024-01-01,99,2024-13,1Y,\"190, 0\",[1],{}\n");
  CHECK(error_keys(bad).size() == 11);
}

TEST_CASE("constraints: minimum/maximum/exclusive, minLength/maxLength in characters, pattern, enum") {
  const char* s = R"({"fields":[{"name":"n","type":"integer","constraints":{"minimum":1,"exclusiveMaximum":10}},
    {"name":"s","type":"string","constraints":{"minLength":2,"maxLength":3,"pattern":"[a-z中]+"}},
    {"name":"e","type":"number","constraints":{"enum":[1,2.5]}}]})";
  json r = run(s, "n,s,e\n1,中中中,2.50\n0,a,3\n10,abcd,1\n");
  CHECK(error_keys(r) == std::vector<std::string>{"constraint-error 3 n", "constraint-error 3 s", "constraint-error 3 e",
                                                  "constraint-error 4 n", "constraint-error 4 s"});
}

TEST_CASE("missingValues: schema-level and v2 field-level") {
  const char* s = R"({"missingValues":["","-"],"fields":[{"name":"a","type":"integer","constraints":{"required":true}},
    {"name":"b","type":"integer","missingValues":["NA"]}]})";
  json r = run(s, "a,b\n-,NA\n-,1\n1,-\n");
  CHECK(error_keys(r) == std::vector<std::string>{"blank-row 2", "constraint-error 3 a", "type-error 4 b"});
}

TEST_CASE("unique, primary key, v2 uniqueKeys and self-referencing foreign keys") {
  const char* s = R"({"fields":[{"name":"id","type":"integer"},{"name":"parent","type":"integer"},{"name":"code"},{"name":"k"}],
    "primaryKey":["id"],"uniqueKeys":[["code","k"]],
    "foreignKeys":[{"fields":"parent","reference":{"resource":"","fields":"id"}}]})";
  json r = run(s, "id,parent,code,k\n1,,a,1\n2,1,a,2\n02,5,a,1\n,2,b,\n");
  CHECK(error_keys(r) == std::vector<std::string>{"unique-error 4 code", "primary-key 4", "foreign-key 4", "primary-key 5"});
  const json& fk = r["tasks"][0]["errors"][2];
  CHECK(fk["note"] == "for \"parent\": values \"5\" not found in the lookup table \"\" as \"id\"");
}

TEST_CASE("identifier fields run the ids checks: checksum vs component errors") {
  const char* s = R"({"fields":[{"name":"u","civitas:identifier":"uscc"},{"name":"r","civitas:identifier":"ric"}]})";
  json r = run(s, "u,r\n91110108MA01ABCD5T,11010519491231002X\n91110108MA01ABCD5A,110105194912310021\nabc,110105194913310021\n");
  CHECK(error_keys(r) == std::vector<std::string>{"identifier-checksum 3 u", "identifier-checksum 3 r",
                                                  "identifier-component 4 u", "identifier-component 4 r"});
  CHECK(r["tasks"][0]["errors"][0]["note"] == "identifier \"uscc\": checksum");
}

TEST_CASE("guideline data length counts characters (C) or digits (N)") {
  const char* s = R"({"fields":[{"name":"c","civitas:dataType":"C","civitas:dataLength":2},
    {"name":"n","type":"number","civitas:dataType":"N","civitas:dataLength":3}]})";
  json r = run(s, "c,n\n中文,-12.3\n中文字,1234\n");
  CHECK(error_keys(r) == std::vector<std::string>{"constraint-error 3 c", "constraint-error 3 n"});
}

TEST_CASE("header errors: duplicate, blank, incorrect, missing and extra labels") {
  json r = validate_file(data_path("people_header.csv"), load_schema_file(data_path("people.v1.json")));
  CHECK(error_keys(r) == std::vector<std::string>{"missing-label 1 joined", "missing-label 1 tag", "duplicate-label 1 email",
                                                  "blank-label 1 score", "incorrect-label 1 region"});
  json x = run(kInt, "id,v,w\n1,a,b\n");
  CHECK(error_keys(x) == std::vector<std::string>{"extra-label 1", "extra-cell 2"});
}

TEST_CASE("a label error lists the header while it has at most 1,000 labels; a longer header's errors list none") {
  json x = run(kInt, "id,v,w\n1,a,b\n");
  const json& e = x["tasks"][0]["errors"][0];
  CHECK(e["labels"] == json::array({"id", "v", "w"}));
  CHECK(!e.contains("labelsTruncated"));
  // 1,500 labels against a schema of 2 fields: 1,498 extra-label errors, each O(1) in size
  std::string header = "id,v";
  for (int i = 2; i < 1500; ++i) header += ",x" + std::to_string(i);
  ValidateOptions o;
  o.limit_errors = 0;
  json big = run(kInt, header + "\n", o);
  const json& errs = big["tasks"][0]["errors"];
  REQUIRE(errs.size() == 1498);
  for (const json& le : errs) {
    CHECK(le["type"] == "extra-label");
    CHECK(le["labels"] == json::array());
    CHECK(le["labelsTruncated"] == true);
  }
  CHECK(big["tasks"][0]["labels"].size() == 1500);  // the task lists them all, once
}

TEST_CASE("the error limit stops validation and marks the task partial") {
  std::string csv = "id,v\n";
  for (int i = 0; i < 100; ++i) csv += "x,a\n";
  ValidateOptions o;
  o.limit_errors = 7;
  json r = run(kInt, csv, o);
  CHECK(r["tasks"][0]["errors"].size() == 7);
  CHECK(r["tasks"][0]["partial"] == true);
}

TEST_CASE("undecodable input becomes an encoding-error in the report") {
  json r = run(kInt, "id,v\n1,\xc3\x28\n");
  REQUIRE(r["tasks"][0]["errors"].size() == 1);
  CHECK(r["tasks"][0]["errors"][0]["type"] == "encoding-error");
  CHECK(r["valid"] == false);
}

TEST_CASE("GBK file with the encoding stated validates like its UTF-8 original") {
  TableSchema s = load_schema_file(data_path("orgs.v2.json"));
  ValidateOptions o;
  o.dialect.encoding = "gbk";
  json g = validate_file(data_path("orgs_gbk.csv"), s, o);
  json u = validate_file(data_path("orgs.csv"), s);
  CHECK(error_keys(g) == error_keys(u));
  CHECK(error_keys(u).size() == 9);
}

TEST_CASE("JSON Lines validate with the same rules") {
  json r = validate_file(data_path("orgs.jsonl"), load_schema_file(data_path("orgs.v2.json")));
  CHECK(error_keys(r) == std::vector<std::string>{"identifier-checksum 4 uscc", "constraint-error 4 staff",
                                                  "type-error 4 period", "primary-key 4", "foreign-key 4"});
}

TEST_CASE("an unreadable file is an io error, not a report") {
  CHECK_THROWS_AS(validate_file("/nonexistent/x.csv", parse_schema(std::string_view(kInt))), Error);
}

// ---- Errors written without a JSON object (issue #12: the error path) ----------------------

namespace {
std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

TEST_CASE("ErrorRecord writes exactly the JSON and message of its error, whatever the bytes") {
  const std::vector<std::string> texts = {
      "",         "plain",          "say \"hi\"",       "back\\slash",   "tab\there",  "two\r\nlines",
      "\b\f",     std::string("nul\0x", 5), "\x01\x1f\x7f", "名称 ünï",       "😀",         "\xff",
      "a\xc0\xaf", "\xed\xa0\x80",  "\xe4\xb8",         "\xf4\x90\x80\x80", "ok\xe4\xb8\xadz\x80"};
  const char* types[] = {"type-error", "constraint-error", "identifier-checksum", "identifier-component",
                         "missing-cell", "extra-cell", "blank-row", "unique-error", "primary-key"};
  for (const char* type : types)
    for (const auto& t : texts) {
      std::vector<std::string_view> cells = {t, "x", t};
      ErrorRecord e;
      e.type = type;
      e.row_number = 123456789012ULL;
      bool row = std::string_view(type) == "blank-row" || std::string_view(type) == "primary-key";
      e.has_cell = !row;
      if (!row) {
        e.cell = t;
        e.field_name = t;
        e.field_number = 7;
      }
      e.note = t;
      e.cells = &cells;
      e.cells_truncated = t.size() % 2 == 1;
      json j = e.to_json();
      std::string out;
      e.append_json(out);
      CAPTURE(type);
      CAPTURE(t);
      CHECK(out == dumped(j));
      std::string msg;
      e.append_message(msg);
      CHECK(msg == j["message"].get<std::string>());
      CHECK(j["type"] == type);
      CHECK(j.contains("cellsTruncated") == (t.size() % 2 == 1));
    }
}

TEST_CASE("the streamed JSON report has the same errors as the returned one") {
  const char* schema = R"({"fields":[{"name":"id","type":"integer","constraints":{"unique":true}},
    {"name":"v","type":"string","constraints":{"enum":["a","b"]}},
    {"name":"d","type":"date"}],"primaryKey":["v","d"]})";
  std::string csv = "id,v,d\n1,a,2020-01-01\nx,\"q\"\"z\",2020-13-01\n1,b,2020-01-02,extra,\"more \\ \t\"\n,,\n2\n"
                    "3,a,2020-01-01\n";
  json whole = run(schema, csv, {});
  std::ostringstream out;
  JsonReportWriter w(out);
  ValidateOptions o;
  o.sink = &w;
  w.begin();
  json streamed = run(schema, csv, o);
  w.end(streamed);
  json parsed = json::parse(out.str());
  const json& errors = whole["tasks"][0]["errors"];
  REQUIRE(errors.size() >= 8);
  CHECK(parsed["tasks"][0]["errors"] == errors);
  CHECK(parsed["tasks"][0]["stats"]["errors"] == errors.size());
  CHECK(streamed["tasks"][0]["errors"].empty());
  // and byte for byte: each error line is the returned error, dumped compactly
  std::istringstream lines(out.str());
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("        {", 0) != 0) continue;
    if (line.back() == ',') line.pop_back();
    REQUIRE(n < errors.size());
    CHECK(line.substr(8) == dumped(errors[n]));
    ++n;
  }
  CHECK(n == errors.size());
}

TEST_CASE("a row of 500,000 extra cells is reported with bounded errors") {
  std::string csv = "a,b\n1,2";
  for (int i = 0; i < 500000; ++i) csv += ",x";
  csv += "\n";
  ValidateOptions o;
  o.limit_errors = 3;
  json r = run(R"({"fields":[{"name":"a","type":"string"},{"name":"b","type":"string"}]})", csv, o);
  const json& errors = r["tasks"][0]["errors"];
  REQUIRE(errors.size() == 3);
  CHECK(errors[0]["type"] == "extra-cell");
  CHECK(errors[0]["fieldNumber"] == 3);
  CHECK(errors[2]["fieldNumber"] == 5);
  CHECK(errors[0]["cells"].size() == 1000);
  CHECK(errors[0]["cellsTruncated"] == true);
}
