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
#include "validate_properties.hpp"

namespace sc = civitas::schema;
using civitas::fuzz::schema;

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
  civitas::fuzz::check_reports(a, b, o.limit_errors);
  return 0;
}
