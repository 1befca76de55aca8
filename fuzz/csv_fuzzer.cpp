// Fuzz target: the CSV reader and validation. The input's first byte picks the dialect
// (delimiter, quote/escape, header, encoding); the rest is the CSV. Properties beyond "no
// crash, no hang": validation never throws for bad data (only a report), the report's error
// count equals its stats, row numbers never decrease, and batch size does not change the
// result.
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
  std::string_view csv(reinterpret_cast<const char*>(data + 1), size - 1);
  sc::ValidateOptions o;
  o.limit_errors = (sel & 0x40) ? 5 : 0;
  o.dialect.delimiter = "\t,;|"[sel & 3];
  if (sel & 4) o.dialect.quote = '\'';
  if (sel & 8) o.dialect.escape = '\\';
  if (sel & 16) o.dialect.header = false;
  if (sel & 32) o.dialect.encoding = "gb18030";
  if (sel & 0x80) o.dialect.skip_initial_space = true;
  nlohmann::json a, b;
  o.batch_rows = 3;
  a = sc::validate_bytes(csv, schema(), o);
  o.batch_rows = 1000;
  b = sc::validate_bytes(csv, schema(), o);
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
