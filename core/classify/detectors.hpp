// Internal: the compiled detectors and the per-type value checks shared by value, column and
// free-text classification.
#pragma once

#include <re2/re2.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/classify.hpp"

namespace civitas::classify {

struct Detectors::Impl {
  std::vector<CustomDetector> custom;
  std::vector<std::unique_ptr<RE2>> custom_re;  ///< anchored-free patterns, one per custom
};

namespace detail {

/// Priority order of the built-in types for a single value (first accepting type wins).
extern const std::array<Type, kTypeCount - 1> kPriority;

/// Trims ASCII whitespace and U+3000 at both ends.
std::string_view trim(std::string_view s) noexcept;
/// Full-width ASCII forms (U+FF01..U+FF5E) to ASCII; other bytes kept.
std::string fold_width(std::string_view s);

/// Whether the (trimmed, width-folded) value is of the built-in type as a whole.
bool check(Type t, std::string_view v);

/// Date parts of a birth date written as YYYYMMDD, YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD or
/// YYYY年M月D日; true when the date exists and lies between 1900-01-01 and today.
bool parse_birth_date(std::string_view v) noexcept;
/// A GPS pair "lat, lon" or "lon, lat" (decimal degrees with ≥ 3 decimals, China-wide or
/// world ranges).
bool parse_gps(std::string_view v) noexcept;
bool chinese_name(std::string_view v) noexcept;
bool latin_name(std::string_view v) noexcept;
bool address_value(std::string_view v);

}  // namespace detail
}  // namespace civitas::classify
