// Fuzz target: table schema documents (JSON). Properties: check_schema never throws;
// parse_schema succeeds exactly when check_schema finds no problem; a parsed schema survives
// to_json -> parse -> to_json unchanged; a parsed schema validates a small CSV without
// throwing anything but invalid_data (a constraint value that is not of the field's type).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/schema.hpp"
#include "fuzz_check.hpp"

namespace sc = civitas::schema;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto problems = sc::check_schema(text);
  sc::TableSchema s;
  try {
    s = sc::parse_schema(text);
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(!problems.empty());
    FUZZ_CHECK(e.code() == civitas::Code::parse || e.code() == civitas::Code::invalid_data);
    return 0;
  }
  FUZZ_CHECK(problems.empty());
  nlohmann::json j = s.to_json();
  sc::TableSchema again = sc::parse_schema(j);
  FUZZ_CHECK(again.to_json() == j);
  try {
    sc::ValidateOptions o;
    o.limit_errors = 50;
    auto r = sc::validate_bytes("a,b,c\n1,2,3\n,x,2020-01-01\n\n1,1\n", s, o);
    FUZZ_CHECK(r.contains("valid"));
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == civitas::Code::invalid_data);
  }
  return 0;
}
