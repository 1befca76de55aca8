// Internal: the entries of a GB/T 2260 division table and the parser of its text format
// (stdnum's loc.dat, docs/formats/division-table.md). Shared by the ids module, for tables
// loaded at run time, and by the build-time generator of the built-in table
// (core/ids/gen/division_gen.cpp), so that the built-in table is exactly what parsing its
// source at run time would give, without the parse in every process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace civitas::ids::detail {

struct DivisionEntry {
  std::uint32_t code;
  std::string_view province, prefecture, county;  // empty where there is none
};

/// The value of a six-digit code (false if `s` is not six ASCII digits).
inline bool parse_division_code(std::string_view s, std::uint32_t* out) noexcept {
  if (s.size() != 6) return false;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

/// The entries of a table in the text format, in code order: each county line's code and
/// names (the first line of a code wins), the provinces (PP0000) and prefectures (PPCC00)
/// derived from the first county that gives them, and 100000 (the national level, for the
/// USCCs of central organs). The names are views into `text`. Throws Error(Code::parse) with
/// the line and `label` on a malformed line, or when there is no entry.
std::vector<DivisionEntry> parse_division_entries(std::string_view text, std::string_view label);

/// The built-in table: parse_division_entries over python-stdnum's loc.dat, run at build time
/// (the generated division_entries.cpp) and stored without pointers, so that the data needs no
/// relocation when a program starts: each name is `offset << 8 | length` into
/// kBuiltinDivisionNames (which holds each distinct name once). DivisionEntry's views are
/// made from them on first use (division.cpp).
struct PackedDivision {
  std::uint32_t code, province, prefecture, county;
};
extern const PackedDivision kBuiltinDivisions[];
extern const std::size_t kBuiltinDivisionCount;
extern const char kBuiltinDivisionNames[];
extern const char kBuiltinDivisionLabel[];

/// A name of a PackedDivision.
inline std::string_view builtin_division_name(std::uint32_t packed) noexcept {
  return {kBuiltinDivisionNames + (packed >> 8), packed & 0xFFu};
}

}  // namespace civitas::ids::detail
