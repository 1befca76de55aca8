// Internal: allocation-free parsers for the lexical forms of Table Schema types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace civitas::schema::detail {

/// Python str.strip() for ASCII whitespace.
std::string_view strip(std::string_view s) noexcept;
/// frictionless' non-bare-number rule: drop leading characters that are neither '-' nor a
/// digit, and trailing non-digits.
std::string_view strip_non_bare(std::string_view s) noexcept;
/// Python int(): optional sign, digits with single underscores between them. Values outside
/// int64 set big and d.
bool parse_py_int(std::string_view s, std::int64_t& out, bool& big, double& d) noexcept;
/// Python decimal.Decimal(): sign, digits (underscores between), fraction, exponent, or
/// inf/infinity/nan/snan in any case.
bool parse_py_decimal(std::string_view s, double& out) noexcept;

/// Days since 1970-01-01 of a proleptic Gregorian date (no validation).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;
bool valid_date(std::int64_t y, unsigned m, unsigned d) noexcept;

/// Formats: "default", "any", or a strptime pattern (%Y %m %d %H %M %S %f %y %z %%).
/// Outputs: date → days; time → microseconds of the day (UTC when an offset is given);
/// datetime → microseconds since the epoch.
bool parse_date(const std::string& format, std::string_view s, std::int64_t& out) noexcept;
bool parse_time(const std::string& format, std::string_view s, std::int64_t& out) noexcept;
bool parse_datetime(const std::string& format, std::string_view s, std::int64_t& out) noexcept;
/// ISO 8601 duration (PnYnMnWnDTnHnMnS, decimal fraction on the last component).
bool parse_duration(std::string_view s) noexcept;
/// geopoint formats "default" ("lon, lat"), "array", "object".
bool parse_geopoint(const std::string& format, std::string_view s) noexcept;
/// string formats: default, email, uri, uuid, binary; unknown formats accept everything.
bool check_string_format(const std::string& format, std::string_view s) noexcept;

}  // namespace civitas::schema::detail
