// Example: the C++ API (civitas::catalog, civitas::schema) — a department's table described
// for the catalog: the catalog entry is checked against the table's Table Schema (each item
// names its column), the data is validated against the schema, and a Data Package and a
// DCAT-AP document that describe the real table are written.
//   catalog_package [DATA_DIR [OUT_DIR]]   (default: examples/data; OUT_DIR: nothing written)
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/schema.hpp"

#ifndef EXAMPLE_DATA
#define EXAMPLE_DATA "."
#endif

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw civitas::Error(civitas::Code::io, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

void write(const std::string& path, const nlohmann::json& doc) {
  std::ofstream out(path, std::ios::binary);
  out << doc.dump(2) << '\n';
  if (!out) throw civitas::Error(civitas::Code::io, "cannot write " + path);
  std::printf("wrote %s\n", path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace civitas;
  const std::string dir = argc > 1 ? argv[1] : EXAMPLE_DATA;
  const std::string out = argc > 2 ? argv[2] : "";
  try {
    nlohmann::json entry = read_json(dir + "/employment.catalog.json");
    nlohmann::json table_schema = read_json(dir + "/employment.schema.json");

    // 1. The entry and the schema describe the same table: every item names a column.
    auto problems = catalog::check_entry_schema(entry, table_schema);
    for (const auto& p : problems) std::printf("problem %s: %s\n", p.path.c_str(), p.message.c_str());
    if (!problems.empty()) return 1;
    std::printf("catalog entry %s matches its schema (%zu items)\n", catalog::resource_code(entry).c_str(),
                entry["items"].size());

    // 2. The data is valid against the schema (identifiers checked too: civitas:identifier).
    schema::TableSchema s = schema::parse_schema(table_schema);
    nlohmann::json report = schema::validate_file(dir + "/employment.csv", s);
    const auto& task = report["tasks"][0];
    std::printf("employment.csv: %s, %d rows, %d errors\n", report["valid"].get<bool>() ? "valid" : "invalid",
                task["stats"]["rows"].get<int>(), task["stats"]["errors"].get<int>());
    if (!report["valid"].get<bool>()) return 1;

    // 3. Exports that describe the real table: its columns and types, with the catalog's items.
    nlohmann::json dp = catalog::export_entry(entry, catalog::CatalogFormat::datapackage, {}, table_schema);
    nlohmann::json dcat = catalog::export_entry(entry, catalog::CatalogFormat::dcat, {}, table_schema);
    for (const auto& f : dp["resources"][0]["schema"]["fields"])
      std::printf("  %-14s %-8s %s\n", f["name"].get<std::string>().c_str(), f["type"].get<std::string>().c_str(),
                  f["civitas:item"]["name"].get<std::string>().c_str());
    // Import gives the entry back.
    if (catalog::import_entry(dcat) != catalog::normalize_entry(entry)) {
      std::fprintf(stderr, "the DCAT export did not import back to the entry\n");
      return 1;
    }
    if (!out.empty()) {
      write(out + "/datapackage.json", dp);
      write(out + "/dcat.jsonld", dcat);
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
