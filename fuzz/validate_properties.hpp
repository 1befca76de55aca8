// Shared by the csv and jsonl fuzz targets: the table schema they validate against (every
// constraint kind, keys, a self-referencing foreign key, an identifier field) and the report
// properties both check: the error count equals the stats, `valid` agrees, the limit holds,
// row numbers never decrease, and the batch size does not change the errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "civitas/schema.hpp"
#include "fuzz_check.hpp"

namespace civitas::fuzz {

namespace sc = civitas::schema;

inline const sc::TableSchema& schema() {
  static const sc::TableSchema s = sc::parse_schema(std::string_view(R"({
    "fields": [
      {"name": "id", "type": "integer", "constraints": {"required": true, "minimum": 0}},
      {"name": "name", "type": "string", "constraints": {"maxLength": 8, "pattern": "[A-Za-z ]*"}},
      {"name": "d", "type": "date"},
      {"name": "n", "type": "number", "constraints": {"enum": [1, 2.5]}},
      {"name": "u", "type": "string", "civitas:identifier": "uscc"},
      {"name": "p", "type": "integer"}
    ],
    "primaryKey": ["id"],
    "uniqueKeys": [["name", "d"]],
    "foreignKeys": [{"fields": "p", "reference": {"resource": "", "fields": "id"}}]
  })"));
  return s;
}

// `a` and `b`: the same input validated at two batch sizes.
inline void check_reports(const nlohmann::json& a, const nlohmann::json& b, std::uint64_t limit_errors) {
  const auto& t = a["tasks"][0];
  FUZZ_CHECK(t["stats"]["errors"].get<std::size_t>() == t["errors"].size());
  FUZZ_CHECK(a["valid"].get<bool>() == t["errors"].empty());
  if (limit_errors) FUZZ_CHECK(t["errors"].size() <= limit_errors);
  std::uint64_t last = 0;
  for (const auto& e : t["errors"]) {
    if (!e.contains("rowNumber")) continue;
    std::uint64_t r = e["rowNumber"].get<std::uint64_t>();
    FUZZ_CHECK(r >= last);
    last = r;
  }
  // Same errors whatever the batch size (seconds differ).
  FUZZ_CHECK(a["tasks"][0]["errors"] == b["tasks"][0]["errors"]);
}

}  // namespace civitas::fuzz
