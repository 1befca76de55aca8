// Fuzz target: the JSON Lines reader and validation (one object or array per line; labels
// from the first object's keys). The input's first byte picks the error limit; the rest is
// the JSON Lines text. Properties beyond "no crash, no hang": validation never throws for bad
// data (only a report, or Error(parse) for a line that is not JSON), the report's error count
// equals its stats, row numbers never decrease, and batch size does not change the result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/schema.hpp"
#include "fuzz_check.hpp"

namespace sc = civitas::schema;

namespace {

const sc::TableSchema& schema() {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  sc::ValidateOptions o;
  o.format = "jsonl";
  o.limit_errors = (sel & 0x40) ? 5 : 0;
  nlohmann::json a, b;
  try {
    o.batch_rows = 3;
    a = sc::validate_bytes(text, schema(), o);
  } catch (const civitas::Error& e) {
    // a line that is not JSON, nests too deep, or is neither an object nor an array
    FUZZ_CHECK(e.code() == civitas::Code::parse);
    return 0;
  }
  o.batch_rows = 1000;
  b = sc::validate_bytes(text, schema(), o);
  const auto& t = a["tasks"][0];
  FUZZ_CHECK(t["stats"]["errors"].get<std::size_t>() == t["errors"].size());
  FUZZ_CHECK(a["valid"].get<bool>() == t["errors"].empty());
  if (o.limit_errors) FUZZ_CHECK(t["errors"].size() <= o.limit_errors);
  std::uint64_t last = 0;
  for (const auto& e : t["errors"]) {
    if (!e.contains("rowNumber")) continue;
    std::uint64_t r = e["rowNumber"].get<std::uint64_t>();
    FUZZ_CHECK(r >= last);
    last = r;
  }
  // Same errors whatever the batch size (seconds differ).
  FUZZ_CHECK(a["tasks"][0]["errors"] == b["tasks"][0]["errors"]);
  return 0;
}
