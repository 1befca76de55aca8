// Fuzz target: Unified Social Credit Codes (GB 32100). Properties checked beyond "no crash":
// validate() and check() agree, strict mode only promotes warnings, the canonical form
// re-validates identically, check_column() equals per-code check(), the check character
// accepts exactly the codes that pass the checksum rule, and parts match the canonical form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "fuzz_check.hpp"
#include "ids_properties.hpp"
#include "ids_reference.hpp"

using namespace civitas::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const ids::Kind kind = ids::Kind::uscc;
  ids::Result r = check_agreement(kind, in);
  const std::string& c = r.canonical;
  // The optimised rules agree with the plain reference on every normalisable input.
  const std::string norm = ids::normalize(in);
  if (!norm.empty() && norm.size() < 19) {
    std::uint32_t ref_warn = 0;
    FUZZ_CHECK(r.reason == reference::uscc(norm, &ref_warn));
    FUZZ_CHECK(r.warnings == ref_warn);
  }

  if (r.valid) {
    FUZZ_CHECK(c.size() == 18);
    FUZZ_CHECK(ids::uscc_check_char(std::string_view(c).substr(0, 17)) == c[17]);
    FUZZ_CHECK(r.parts.authority == c[0] && r.parts.category == c[1] && r.parts.check == c[17]);
    FUZZ_CHECK(!r.parts.authority_name.empty());
    FUZZ_CHECK(r.parts.category_name.empty() == has_warning(r, ids::Reason::category));
    FUZZ_CHECK(r.parts.orgcode == c.substr(8, 9));
    FUZZ_CHECK(r.parts.region.code == c.substr(2, 6));
    FUZZ_CHECK(r.parts.region.known == !has_warning(r, ids::Reason::region));
    FUZZ_CHECK(r.parts.region.known == ids::region_known(c.substr(2, 6)));
    // The embedded organisation code passes GB 11714 exactly when there is no warning.
    FUZZ_CHECK(ids::is_valid(ids::Kind::orgcode, r.parts.orgcode) ==
               !has_warning(r, ids::Reason::orgcode_checksum));
  } else if (r.reason == ids::Reason::checksum) {
    FUZZ_CHECK(c.size() == 18);
    FUZZ_CHECK(ids::uscc_check_char(std::string_view(c).substr(0, 17)) != c[17]);
  }
  // Any 17 characters the check-character function accepts complete to a code that passes
  // the checksum rule.
  if (c.size() >= 17) {
    std::string body = c.substr(0, 17);
    try {
      char ch = ids::uscc_check_char(body);
      ids::Reason rr = ids::check(kind, body + ch, fuzz_options(false));
      FUZZ_CHECK(rr != ids::Reason::checksum && rr != ids::Reason::length);
    } catch (const civitas::Error& e) {
      FUZZ_CHECK(e.code() == civitas::Code::invalid_argument);
    }
  }
  check_column_agreement(kind, in);
  return 0;
}
