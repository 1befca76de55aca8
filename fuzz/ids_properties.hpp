// Properties every identifier kind must have, shared by the ids fuzz targets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/ids.hpp"
#include "fuzz_check.hpp"

namespace civitas::fuzz {

namespace ids = civitas::ids;

/// "Today", fixed for the whole run, so that every call in one input sees the same date
/// (ric_upgrade() and the default options read the clock too).
inline std::uint32_t fuzz_today() {
  static const std::uint32_t t = ids::today();
  return t;
}

inline ids::Options fuzz_options(bool strict) {
  ids::Options o;
  o.strict = strict;
  o.today = fuzz_today();
  return o;
}

/// The lowest soft-rule bit set in w, as strict mode reports it.
inline ids::Reason first_warning(std::uint32_t w) {
  for (unsigned r = 1; r < 32; ++r)
    if (w & (1u << r)) return static_cast<ids::Reason>(r);
  return ids::Reason::ok;
}

/// validate() and check() agree; strict mode only promotes warnings; the canonical form
/// re-validates to the same result and is a fixed point; the canonical form is what
/// normalize() gives. Returns the non-strict result.
inline ids::Result check_agreement(ids::Kind kind, std::string_view code) {
  const ids::Options lax = fuzz_options(false), strict = fuzz_options(true);
  ids::Result r = ids::validate(kind, code, lax);
  std::uint32_t w = 0xFFFFFFFFu;
  ids::Reason reason = ids::check(kind, code, lax, &w);
  FUZZ_CHECK(reason == r.reason);
  FUZZ_CHECK(w == r.warnings);
  FUZZ_CHECK(r.valid == (reason == ids::Reason::ok));
  FUZZ_CHECK(ids::is_valid(kind, code, lax) == r.valid);
  FUZZ_CHECK(r.valid || r.warnings == 0);  // warnings only accompany a pass of the hard rules
  FUZZ_CHECK(!r.message.empty());

  ids::Result rs = ids::validate(kind, code, strict);
  std::uint32_t ws = 0xFFFFFFFFu;
  FUZZ_CHECK(ids::check(kind, code, strict, &ws) == rs.reason);
  FUZZ_CHECK(ws == rs.warnings);
  FUZZ_CHECK(rs.warnings == r.warnings);
  if (r.valid) FUZZ_CHECK(rs.reason == first_warning(r.warnings));
  else FUZZ_CHECK(rs.reason == r.reason);

  // The canonical form is the normalisation of the input (18-digit form for a valid legacy RIC).
  // (validate() keeps a canonical form only up to 19 characters: longer is never valid.)
  std::string norm = ids::normalize(code);
  if (norm.size() > 19) FUZZ_CHECK(r.canonical.empty() && !r.valid);
  else if (!(kind == ids::Kind::ric && r.valid && norm.size() == 15)) FUZZ_CHECK(r.canonical == norm);

  if (!r.canonical.empty()) {
    ids::Result again = ids::validate(kind, r.canonical, lax);
    FUZZ_CHECK(again.reason == r.reason);
    FUZZ_CHECK(again.warnings == r.warnings);
    FUZZ_CHECK(again.canonical == r.canonical);
  }
  return r;
}

/// check_column over the input split at '\n' equals check() of each value.
inline void check_column_agreement(ids::Kind kind, std::string_view text) {
  std::vector<std::uint64_t> offsets{0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') {
      offsets.push_back(i);      // the value ends before the '\n' …
      offsets.push_back(i + 1);  // … and an empty value sits on the '\n' itself
    }
  offsets.push_back(text.size());
  const std::size_t n = offsets.size() - 1;
  for (bool strict : {false, true}) {
    const ids::Options o = fuzz_options(strict);
    std::vector<std::uint8_t> reasons(n, 0xEE);
    std::vector<std::uint32_t> warnings(n, 0xEEEEEEEEu);
    std::size_t valid = ids::check_column(kind, text.data(), offsets.data(), n, o, reasons.data(), warnings.data());
    std::vector<std::uint8_t> reasons2(n, 0xEE);
    FUZZ_CHECK(ids::check_column(kind, text.data(), offsets.data(), n, o, reasons2.data()) == valid);
    std::size_t expect_valid = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::string_view v = text.substr(offsets[i], offsets[i + 1] - offsets[i]);
      std::uint32_t w = 0;
      ids::Reason r = ids::check(kind, v, o, &w);
      FUZZ_CHECK(reasons[i] == static_cast<std::uint8_t>(r));
      FUZZ_CHECK(reasons2[i] == reasons[i]);
      FUZZ_CHECK(warnings[i] == w);
      expect_valid += r == ids::Reason::ok;
    }
    FUZZ_CHECK(valid == expect_valid);
  }
}

inline bool has_warning(const ids::Result& r, ids::Reason w) {
  return (r.warnings & (1u << static_cast<unsigned>(w))) != 0;
}

}  // namespace civitas::fuzz
