// Fuzz target: resident identity numbers (GB 11643, 18 digits and legacy 15). Properties:
// validate()/check() agree, the canonical form re-validates identically, check_column()
// equals per-code check(), the check character agrees with the checksum rule, a valid legacy
// number upgrades to a valid 18-digit number with the same parts, and ric_upgrade() either
// returns that form or throws Error(invalid_data).
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
  const ids::Kind kind = ids::Kind::ric;
  ids::Result r = check_agreement(kind, in);
  const std::string& c = r.canonical;
  const std::string norm = ids::normalize(in);
  // The optimised rules agree with the plain reference on every normalisable input.
  if (!norm.empty() && norm.size() < 19) {
    std::uint32_t ref_warn = 0;
    FUZZ_CHECK(r.reason == reference::ric(norm, fuzz_today(), &ref_warn));
    FUZZ_CHECK(r.warnings == ref_warn);
  }

  if (r.valid) {
    FUZZ_CHECK(c.size() == 18);
    FUZZ_CHECK(ids::ric_check_char(std::string_view(c).substr(0, 17)) == c[17]);
    const ids::Parts& p = r.parts;
    FUZZ_CHECK(p.birth_date == c.substr(6, 4) + "-" + c.substr(10, 2) + "-" + c.substr(12, 2));
    FUZZ_CHECK(p.birth_date.substr(0, 4) + p.birth_date.substr(5, 2) + p.birth_date.substr(8, 2) <= std::to_string(fuzz_today()));
    FUZZ_CHECK(p.sequence == c.substr(14, 3));
    FUZZ_CHECK(p.sex == (((c[16] - '0') % 2) ? 'M' : 'F'));
    FUZZ_CHECK(p.region.code == c.substr(0, 6));
    FUZZ_CHECK(p.region.known == !has_warning(r, ids::Reason::region));
    if (norm.size() == 15) {
      FUZZ_CHECK(p.legacy == norm);
      FUZZ_CHECK(c == norm.substr(0, 6) + "19" + norm.substr(6, 9) + c[17]);
      FUZZ_CHECK(ids::ric_upgrade(in) == c);
    } else {
      FUZZ_CHECK(norm == c && p.legacy.empty() && p.check == c[17]);
    }
  } else {
    if (r.reason == ids::Reason::checksum) {
      FUZZ_CHECK(c.size() == 18);
      FUZZ_CHECK(ids::ric_check_char(std::string_view(c).substr(0, 17)) != c[17]);
    }
    if (norm.size() == 15 || norm.size() == 18) {
      try {
        (void)ids::ric_upgrade(in);
        FUZZ_CHECK(false && "ric_upgrade accepted an invalid number");
      } catch (const civitas::Error& e) {
        FUZZ_CHECK(e.code() == civitas::Code::invalid_data);
      }
    }
  }
  if (c.size() >= 17) {
    try {
      char ch = ids::ric_check_char(std::string_view(c).substr(0, 17));
      std::string full = c.substr(0, 17) + ch;
      ids::Reason rr = ids::check(kind, full, fuzz_options(false));
      FUZZ_CHECK(rr == ids::Reason::ok || rr == ids::Reason::date);
    } catch (const civitas::Error& e) {
      FUZZ_CHECK(e.code() == civitas::Code::invalid_argument);
    }
  }
  check_column_agreement(kind, in);
  return 0;
}
