// Export -> import of catalog entries is lossless for every valid entry and every format,
// also through the serialised document: the inputs the catalog fuzzer found lossy
// (fuzz/corpus/catalog/crash-*) and the kinds of entry they stand for.
#include <doctest/doctest.h>

#include <filesystem>

#include "civitas/catalog.hpp"
#include "schema/helpers.hpp"

using namespace civitas::catalog;
using namespace schema_test;
using nlohmann::json;

namespace {

const CatalogFormat kFormats[] = {CatalogFormat::datapackage, CatalogFormat::dcat, CatalogFormat::ckan};
const char* kNames[] = {"", "datapackage", "dcat", "ckan"};

json entry() { return json::parse(slurp(data_path("entry.json"))); }

// Checks import(export(e)) == normalize(e) for each format, in memory and through JSON text.
void check_round_trip(const json& e, const std::string& what) {
  REQUIRE_MESSAGE(check_entry(e).empty(), what);
  json n = normalize_entry(e);
  for (CatalogFormat f : kFormats) {
    json doc = export_entry(e, f);
    json text = json::parse(doc.dump());
    CHECK_MESSAGE(import_entry(doc, &f) == n, what << " via " << kNames[static_cast<int>(f)]);
    CHECK_MESSAGE(import_entry(text) == n, what << " via serialised " << kNames[static_cast<int>(f)]);
  }
}

}  // namespace

TEST_CASE("every valid entry of the catalog fuzz corpus round-trips through every format") {
  namespace fs = std::filesystem;
  int valid = 0;
  for (const auto& p : fs::directory_iterator(fs::path(CIVITAS_SOURCE_DIR) / "fuzz" / "corpus" / "catalog")) {
    json e = json::parse(slurp(p.path().string()), nullptr, false);
    if (e.is_discarded() || !check_entry(e).empty()) continue;
    ++valid;
    check_round_trip(e, p.path().filename().string());
  }
  CHECK(valid >= 4);  // entry and the three crash-* inputs
}

TEST_CASE("open attributes beyond type, condition and licence survive DCAT") {
  json e = entry();
  e["open"]["l0cence"] = "CC-BY-4.0";  // crash-8ebd…: a member DCAT had no place for
  e["open"]["review"] = {{"board", "数据局"}, {"days", 15}};
  check_round_trip(e, "extra open members");
  e["open"] = {{"type", "none"}, {"condition", {{"@value", "x"}}}};  // not a string: kept as JSON
  check_round_trip(e, "non-string open condition");
}

TEST_CASE("an empty licence is a licence") {
  json e = entry();
  e["open"]["licence"] = "";
  check_round_trip(e, "empty licence");
  e["open"].erase("licence");
  check_round_trip(e, "no licence");
}

TEST_CASE("an empty keyword list survives CKAN, whose tags cannot say it") {
  json e = entry();
  e["keywords"] = json::array();
  check_round_trip(e, "empty keywords");
  e["keywords"] = json::array({"with space", "标签/斜线", ""});  // not valid CKAN tag names
  check_round_trip(e, "keywords that are not CKAN tag names");
  e.erase("keywords");
  check_round_trip(e, "no keywords");
}

TEST_CASE("sharing modes of an entry that is not shared are kept as they are") {
  json e = entry();
  e["sharing"] = {{"type", "不予共享"}, {"legalBasis", "《条例》第十条"}, {"modes", json::array({"接口", 3, nullptr})}};
  CHECK(normalize_entry(e)["sharing"]["modes"] == json::array({"api", 3, nullptr}));
  check_round_trip(e, "modes with type none");
  e["sharing"]["modes"] = 7;
  check_round_trip(e, "modes not an array");
}

TEST_CASE("extra members at every level and unusual values round-trip") {
  json e = entry();
  e["provider"]["contact"] = {{"phone", "010-1234"}, {"list", json::array({1, 2.5, -0.0, true, nullptr})}};
  e["items"][0]["civitas:itemExtra"] = "looks like ours";
  e["items"][1]["type"] = "string";
  e["classification"]["note"] = "分类说明";
  e["x-number"] = 1.0e300;
  e["x-big"] = 18446744073709551615ULL;
  e["x-neg"] = -9223372036854775807LL;
  e["related"] = json::array();
  e["formats"] = json::array({"csv", "csv", "api"});
  check_round_trip(e, "extras everywhere");
}
