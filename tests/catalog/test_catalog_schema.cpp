// Catalog entries linked to the Table Schema of their table: each item names its field
// ("field"), checked against the schema; exports with the schema describe the real table.
#include <doctest/doctest.h>

#include <algorithm>

#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "schema/helpers.hpp"

using namespace civitas;
using namespace civitas::catalog;
using namespace schema_test;
using nlohmann::json;

namespace {

json linked_entry() {
  json e = json::parse(slurp(data_path("entry.json")));
  const char* fields[] = {"uscc", "name", "capital", "established"};
  for (std::size_t i = 0; i < 4; ++i) e["items"][i]["field"] = fields[i];
  return e;
}

json table_schema() {
  return json::parse(R"({"fields": [
    {"name": "uscc", "type": "string", "civitas:identifier": "uscc", "civitas:dataLength": 18},
    {"name": "name", "type": "string", "title": "名称"},
    {"name": "capital", "type": "number", "civitas:dataType": "Y"},
    {"name": "established", "type": "date"}], "primaryKey": ["uscc"]})");
}

std::vector<std::string> messages(const std::vector<Problem>& ps) {
  std::vector<std::string> m;
  for (const auto& p : ps) m.push_back(p.path + ": " + p.message);
  return m;
}

bool has(const std::vector<Problem>& ps, const std::string& path, const std::string& text) {
  return std::any_of(ps.begin(), ps.end(), [&](const Problem& p) {
    return p.path == path && p.message.find(text) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("an entry whose items name the schema's fields matches the schema") {
  CHECK(check_entry(linked_entry()).empty());
  CHECK(messages(check_entry_schema(linked_entry(), table_schema())).empty());
}

TEST_CASE("the field of an item is checked on its own: a string, named by one item") {
  json e = linked_entry();
  e["items"][1]["field"] = "uscc";
  e["items"][2]["field"] = 7;
  auto ps = check_entry(e);
  CHECK(has(ps, "/items/1/field", "field \"uscc\" is named by two items"));
  CHECK(has(ps, "/items/2/field", "non-empty string"));
}

TEST_CASE("every mismatch between items and schema is a problem naming the item and the field") {
  json e = linked_entry();
  e["items"][0].erase("field");                 // names no field
  e["items"][1]["field"] = "company";           // not in the schema
  e["items"][3]["dataType"] = "L";              // boolean item, date column
  json s = table_schema();
  s["fields"][0]["civitas:dataLength"] = 20u;    // differs from the item's length 18 (but item 0 names no field)
  auto ps = check_entry_schema(e, s);
  CHECK(has(ps, "/items/0/field", "item \"统一社会信用代码\" names no schema field"));
  CHECK(has(ps, "/items/1/field", "item \"企业名称\" names field \"company\", which the schema does not have"));
  CHECK(has(ps, "/items/3/dataType", "item \"成立日期\" has data type L (boolean), but field \"established\" is of type date"));
  CHECK(has(ps, "/items", "schema field \"uscc\" is described by no item"));
  CHECK(has(ps, "/items", "schema field \"name\" is described by no item"));
  CHECK(ps.size() == 5);
}

TEST_CASE("lengths and guideline data types are compared with the schema's civitas extensions") {
  json s = table_schema();
  s["fields"][0]["civitas:dataLength"] = 20u;
  s["fields"][2]["civitas:dataType"] = "N";
  auto ps = check_entry_schema(linked_entry(), s);
  CHECK(has(ps, "/items/0/length", "has length 18, but field \"uscc\" has civitas:dataLength 20"));
  CHECK(has(ps, "/items/2/dataType", "has data type Y, but field \"capital\" has civitas:dataType N"));
  CHECK(ps.size() == 2);
}

TEST_CASE("a number item fits an integer column, a character item any column") {
  json s = table_schema();
  s["fields"][2]["type"] = "integer";
  s["fields"][2].erase("civitas:dataType");
  s["fields"][1]["type"] = "integer";
  CHECK(check_entry_schema(linked_entry(), s).empty());
}

TEST_CASE("the entry's own rules come first, and a broken schema is an error") {
  json e = linked_entry();
  e.erase("title");
  auto ps = check_entry_schema(e, table_schema());
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].path == "/title");
  CHECK_THROWS_AS(check_entry_schema(linked_entry(), json::parse(R"({"fields": [{"name": "a", "type": "no-such"}]})")),
                  Error);
}

TEST_CASE("the Data Package export with the schema describes the real table and imports back") {
  json dp = export_entry(linked_entry(), CatalogFormat::datapackage, {}, table_schema());
  const json& fields = dp["resources"][0]["schema"]["fields"];
  REQUIRE(fields.size() == 4);
  CHECK(fields[0]["name"] == "uscc");
  CHECK(fields[0]["civitas:identifier"] == "uscc");
  CHECK(fields[0]["title"] == "统一社会信用代码");  // the item's name when the field has no title
  CHECK(fields[1]["title"] == "名称");              // the schema's own title is kept
  CHECK(fields[2]["type"] == "number");
  CHECK(fields[2]["civitas:item"]["name"] == "注册资本");
  CHECK(dp["resources"][0]["schema"]["primaryKey"] == json::array({"uscc"}));
  CHECK(import_entry(dp) == normalize_entry(linked_entry()));
}

TEST_CASE("the DCAT export with the schema: every distribution conforms to the table's schema") {
  json d = export_entry(linked_entry(), CatalogFormat::dcat, {}, table_schema());
  const json* standard = nullptr;
  int dists = 0;
  for (const auto& n : d["@graph"]) {
    if (n["@type"] == "dct:Standard") standard = &n;
    if (n["@type"] == "dcat:Distribution") ++dists;
  }
  REQUIRE(standard != nullptr);
  CHECK((*standard)["dct:description"] == "columns: uscc (string), name (string), capital (number), established (date)");
  CHECK((*standard)["civitas:tableSchema"]["@value"]["fields"][3]["civitas:item"]["name"] == "成立日期");
  for (const auto& n : d["@graph"])
    if (n["@type"] == "dcat:Distribution") CHECK(n["dct:conformsTo"]["@id"] == (*standard)["@id"]);
  CHECK(dists == 2);
  CHECK(import_entry(d) == normalize_entry(linked_entry()));
}

TEST_CASE("an export with a schema that does not match is refused with the first problem") {
  json e = linked_entry();
  e["items"][1]["field"] = "company";
  try {
    export_entry(e, CatalogFormat::dcat, {}, table_schema());
    FAIL("no error");
  } catch (const Error& x) {
    CHECK(x.code() == Code::invalid_data);
    CHECK(std::string(x.what()).find("/items/1/field: item \"企业名称\" names field \"company\"") != std::string::npos);
  }
}

TEST_CASE("vocabulary values of the DCAT export carry their DCAT-AP classes") {
  json d = export_entry(linked_entry(), CatalogFormat::dcat);
  for (const auto& n : d["@graph"]) {
    if (n["@type"] == "dcat:Dataset") {
      CHECK(n["dct:accrualPeriodicity"]["@type"] == "dct:Frequency");
      CHECK(n["dct:accessRights"]["@type"] == "dct:RightsStatement");
    }
    if (n["@type"] == "dcat:Distribution") CHECK(n["dct:format"]["@type"] == "dct:MediaTypeOrExtent");
  }
}
