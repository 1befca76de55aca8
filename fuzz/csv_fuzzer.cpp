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
#include "validate_properties.hpp"

namespace sc = civitas::schema;
using civitas::fuzz::schema;

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
  civitas::fuzz::check_reports(a, b, o.limit_errors);
  return 0;
}
