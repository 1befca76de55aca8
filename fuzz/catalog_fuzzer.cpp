// Fuzz target: catalog entries and catalog documents (JSON). Properties: check_entry never
// throws; a valid entry exports to every format and imports back to its normalised form
// (lossless), also with the Table Schema its items name when they all name a field; importing
// any document either succeeds with a valid entry or throws invalid_data.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "fuzz_check.hpp"

namespace sc = civitas::catalog;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json doc = civitas::try_parse_json(text).value_or(json(nlohmann::json::value_t::discarded));
  if (doc.is_discarded()) return 0;
  auto problems = sc::check_entry(doc);
  if (problems.empty()) {
    json n = sc::normalize_entry(doc);
    FUZZ_CHECK(sc::check_entry(n).empty());
    for (auto f : {sc::CatalogFormat::datapackage, sc::CatalogFormat::dcat, sc::CatalogFormat::ckan}) {
      json out = sc::export_entry(doc, f);
      // Lossless, in memory and through the serialised document (format given and detected).
      FUZZ_CHECK(sc::import_entry(out, &f) == n);
      FUZZ_CHECK(sc::import_entry(json::parse(out.dump())) == n);
    }
    // Items that all name a field: the schema made of those fields (in item order, with the
    // items' types) matches the entry, and the exports describing it are lossless too.
    bool linked = true;
    for (const auto& it : n["items"]) linked = linked && it.contains("field");
    if (linked) {
      json fields = sc::items_to_schema(n["items"]);
      for (std::size_t i = 0; i < fields.size(); ++i) fields[i] = {{"name", n["items"][i]["field"]}, {"type", fields[i]["type"]}};
      json table = {{"fields", fields}};
      FUZZ_CHECK(sc::check_entry_schema(doc, table).empty());
      for (auto f : {sc::CatalogFormat::datapackage, sc::CatalogFormat::dcat}) {
        json out = sc::export_entry(doc, f, {}, table);
        FUZZ_CHECK(sc::import_entry(json::parse(out.dump())) == n);
      }
      json broken = table;
      broken["fields"].push_back({{"name", "\x01 no item"}});  // a column no item describes
      FUZZ_CHECK(!sc::check_entry_schema(doc, broken).empty());
    }
  }
  try {
    json e = sc::import_entry(doc);
    FUZZ_CHECK(sc::check_entry(e).empty());
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == civitas::Code::invalid_data);
  }
  return 0;
}
