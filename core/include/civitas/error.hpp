// civitas — the one error hierarchy of the C++ core.
//
// Every failure in core throws civitas::Error (or a subclass) carrying a stable Code whose
// numeric value equals the C ABI's CIV_E* value (capi/include/civitas/civitas.h), plus
// optional context: where in the input the problem is (row, field, byte offset).
// Messages never contain secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace civitas {

/// Stable error codes; values are pinned and shared with the C ABI. Append only.
enum class Code : int {
  ok = 0,
  invalid_argument = -1,   ///< caller passed something unusable (usage error)
  out_of_memory = -2,
  internal = -3,           ///< a bug in civitas; please report
  io = -4,                 ///< file or OS error
  not_found = -5,
  parse = -6,              ///< malformed input data (CSV, JSON, table files…)
  integrity = -7,          ///< tampered or damaged data
  wrong_key = -8,          ///< wrong key, or not a civitas workspace
  unsupported_version = -9,
  exists = -10,
  busy = -11,
  denied = -12,            ///< refused by policy or permission
  bad_signature = -13,
  replay = -14,
  unknown_key = -15,
  not_recipient = -16,
  truncated = -17,
  schema_mismatch = -18,
  buffer_too_small = -19,
  invalid_data = -20,      ///< data that breaks the rules it is checked against
};

/// Short stable name of a code ("integrity", "wrong-key", …).
const char* code_name(Code c) noexcept;

/// Where in some input a problem was found. Unset members are unknown.
struct Location {
  std::optional<std::uint64_t> row;        ///< 1-based row number (header is row 1)
  std::optional<std::string> field;        ///< field (column) name
  std::optional<std::uint64_t> offset;     ///< byte offset into the input
  std::optional<std::string> source;       ///< file name or other label
};

class Error : public std::runtime_error {
 public:
  Error(Code code, const std::string& message, Location where = {});
  Code code() const noexcept { return code_; }
  const Location& where() const noexcept { return where_; }

 private:
  Code code_;
  Location where_;
};

/// Formats "what (at source, row R, field F, byte B)" — used by Error for its message.
std::string with_location(const std::string& message, const Location& where);

}  // namespace civitas
