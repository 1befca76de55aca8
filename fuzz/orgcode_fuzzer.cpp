// Fuzz target: organisation codes (GB 11714). Properties: validate()/check() agree, the
// canonical form re-validates identically, check_column() equals per-code check(), and the
// check digit accepts exactly the codes that pass the checksum rule.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "fuzz_check.hpp"
#include "ids_properties.hpp"

using namespace civitas::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const ids::Kind kind = ids::Kind::orgcode;
  ids::Result r = check_agreement(kind, in);
  const std::string& c = r.canonical;
  FUZZ_CHECK(r.warnings == 0);  // organisation codes have no soft rules

  if (r.valid) {
    FUZZ_CHECK(c.size() == 9);
    FUZZ_CHECK(ids::orgcode_check_char(std::string_view(c).substr(0, 8)) == c[8]);
    FUZZ_CHECK(ids::check_char(kind, std::string_view(c).substr(0, 8)) == c[8]);
    FUZZ_CHECK(r.parts.check == c[8]);
  } else if (r.reason == ids::Reason::checksum) {
    FUZZ_CHECK(c.size() == 9);
    FUZZ_CHECK(ids::orgcode_check_char(std::string_view(c).substr(0, 8)) != c[8]);
  }
  if (c.size() >= 8) {
    std::string body = c.substr(0, 8);
    try {
      char ch = ids::orgcode_check_char(body);
      FUZZ_CHECK((ch >= '0' && ch <= '9') || ch == 'X');
      FUZZ_CHECK(ids::check(kind, body + ch, fuzz_options(false)) == ids::Reason::ok);
    } catch (const civitas::Error& e) {
      FUZZ_CHECK(e.code() == civitas::Code::invalid_argument);
    }
  }
  check_column_agreement(kind, in);
  return 0;
}
