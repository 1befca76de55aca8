#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "civitas/catalog.hpp"
#include "civitas/workspace.hpp"
#include "schema/helpers.hpp"

using namespace civitas;
using namespace civitas::catalog;
using namespace schema_test;
using nlohmann::json;

namespace {
json entry() { return json::parse(slurp(data_path("entry.json"))); }
}  // namespace

TEST_CASE("a complete entry is valid and its resource code is built from the classification") {
  CHECK(check_entry(entry()).empty());
  CHECK(resource_code(entry()) == "102003004/000017");
  CatalogConfig c;
  c.separator = "-";
  CHECK(resource_code(entry(), c) == "102003004-000017");
}

TEST_CASE("a broken entry reports one problem per broken rule") {
  auto ps = check_entry(json::parse(slurp(data_path("entry_broken.json"))));
  std::vector<std::string> paths;
  for (const auto& p : ps) paths.push_back(p.path);
  for (const char* want : {"/classification/category", "/sequence", "/title", "/abstract", "/provider/uscc",
                           "/formats/1", "/items/0/dataType", "/items/1/name", "/items/1/length",
                           "/sharing/legalBasis", "/open/condition", "/updateCycle", "/issued", "/related/0"})
    CHECK_MESSAGE(std::find(paths.begin(), paths.end(), want) != paths.end(), want);
}

TEST_CASE("normalisation turns Chinese labels into tokens and fills the resource code") {
  json n = normalize_entry(entry());
  CHECK(n["sharing"]["type"] == "conditional");
  CHECK(n["sharing"]["modes"] == json({"api", "file"}));
  CHECK(n["updateCycle"] == "daily");
  CHECK(n["resourceCode"] == "102003004/000017");
}

TEST_CASE("export then import is lossless for every format") {
  json n = normalize_entry(entry());
  for (auto f : {CatalogFormat::datapackage, CatalogFormat::dcat, CatalogFormat::ckan}) {
    json doc = export_entry(entry(), f);
    CHECK(detect_catalog_format(doc) == f);
    json back = import_entry(doc);
    CHECK(back == n);
  }
}

TEST_CASE("DCAT-AP export has every mandatory property") {
  json d = export_entry(entry(), CatalogFormat::dcat);
  const json& g = d["@graph"];
  auto node = [&](const std::string& type) {
    for (const auto& n : g)
      if (n["@type"] == type) return n;
    return json();
  };
  json ds = node("dcat:Dataset");
  CHECK(ds.contains("dct:title"));
  CHECK(ds.contains("dct:description"));
  json dist = node("dcat:Distribution");
  CHECK(dist.contains("dcat:accessURL"));
  json agent = node("foaf:Agent");
  CHECK(agent.contains("foaf:name"));
  json rec = node("dcat:CatalogRecord");
  CHECK(rec.contains("dct:modified"));
  CHECK(rec.contains("foaf:primaryTopic"));
  CHECK(ds["dct:accrualPeriodicity"]["@id"] == "http://publications.europa.eu/resource/authority/frequency/DAILY");
  CHECK(ds["dct:accessRights"]["@id"] == "http://publications.europa.eu/resource/authority/access-right/RESTRICTED");
}

TEST_CASE("Data Package export carries the items as a table schema") {
  json dp = export_entry(entry(), CatalogFormat::datapackage);
  const json& fields = dp["resources"][0]["schema"]["fields"];
  REQUIRE(fields.size() == 4);
  CHECK(fields[2]["type"] == "number");
  CHECK(fields[2]["civitas:dataType"] == "Y");
  CHECK(fields[3]["type"] == "date");
  CHECK(schema::check_schema(dp["resources"][0]["schema"]).empty());
}

TEST_CASE("import of an incomplete document names what is missing") {
  json dp = export_entry(entry(), CatalogFormat::datapackage);
  dp.erase("civitas:catalog");
  try {
    import_entry(dp);
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
    CHECK(std::string(e.what()).find("civitas:catalog") != std::string::npos);
  }
  CHECK_THROWS_AS(import_entry(json::array()), Error);
}

TEST_CASE("configurable enumerations") {
  CatalogConfig c = CatalogConfig::from_json(json::parse(R"({"formats":["csv","parquet"],"updateCycles":["daily"]})"));
  json e = entry();
  e["formats"] = {"parquet"};
  CHECK(check_entry(e, c).empty());
  CHECK_FALSE(check_entry(e).empty());
  CHECK_THROWS_AS(CatalogConfig::from_json(json::parse(R"({"widths":[1,2]})")), Error);
}

TEST_CASE("the workspace keeps every version of an entry") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("civitas-catalog-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "ws.db").string();
  auto key = workspace::KeySource::raw_key_hex(std::string(64, 'a'));
  {
    auto ws = workspace::Workspace::create(path, key);
    catalog::CatalogStore cs(ws->store());
    auto a = cs.put(entry());
    CHECK(a.version == 1);
    CHECK(cs.put(entry()).version == 1);  // unchanged: not stored again
    json e2 = entry();
    e2["title"] = "企业登记基本信息（第二版）";
    CHECK(cs.put(e2).version == 2);
    CHECK_THROWS_AS(cs.put(json::parse(slurp(data_path("entry_broken.json")))), Error);
  }
  {
    auto ws = workspace::Workspace::open(path, key);
    catalog::CatalogStore cs(ws->store());
    auto latest = cs.get("102003004/000017");
    REQUIRE(latest);
    CHECK(latest->version == 2);
    CHECK(cs.get("102003004/000017", 1)->entry["title"] == "企业登记基本信息");
    CHECK(cs.history("102003004/000017").size() == 2);
    CHECK(cs.list().size() == 1);
    CHECK_FALSE(cs.get("999/000001"));
  }
  fs::remove_all(dir);
}
