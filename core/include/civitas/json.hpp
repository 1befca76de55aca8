// civitas — the one entry for parsing JSON that comes from outside (module `common`).
//
// Every JSON text civitas reads from a file, a caller, a package, a store or a line of input
// goes through parse_json / parse_ordered_json: the nesting depth is checked first by a
// scan that does not recurse, so that a hostile document (100,000 nested brackets) cannot
// exhaust the stack in the parser, in a destructor or in any later walk of the tree; then
// nlohmann::json parses it. Failures are civitas::Error(Code::parse) with a clean message
// and the byte offset in the Location.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "civitas/error.hpp"

namespace civitas {

/// The deepest nesting of arrays and objects accepted in any JSON input (docs/development.md
/// "Errors, bad input"). `[[1]]` has depth 2; a scalar has depth 0.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// Scans `text` without recursion (strings and escapes are skipped) and throws
/// Error(Code::parse, "<what> nests deeper than 128 levels") at the first bracket beyond the
/// limit; `where.offset`, when set, is the text's offset in a larger input.
void check_json_depth(std::string_view text, std::string_view what = "JSON", const Location& where = {});

/// True when `text` nests no deeper than kMaxJsonDepth (the same scan, no exception).
bool json_depth_ok(std::string_view text) noexcept;

/// Parses outside JSON: depth check, then nlohmann. Error(Code::parse) with the message
/// "<what> is not valid JSON: <reason>" and the byte offset (added to `where.offset`).
nlohmann::json parse_json(std::string_view text, std::string_view what = "JSON", const Location& where = {});
nlohmann::ordered_json parse_ordered_json(std::string_view text, std::string_view what = "JSON",
                                          const Location& where = {});

/// The same without exceptions: nullopt when the text is not JSON or nests too deep.
std::optional<nlohmann::json> try_parse_json(std::string_view text) noexcept;

/// An integer read from outside JSON without surprises: the value when `v` is a JSON integer
/// (not a float, a string or a bool) in [lo, hi], nullopt otherwise. nlohmann's get<int>() is
/// an unchecked cast: undefined for the float 2e119, wrapping for 4294967297 (which would read
/// as 1). Outside input never goes through it; it goes through these.
std::optional<std::int64_t> json_integer(const nlohmann::json& v,
                                         std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                         std::int64_t hi = std::numeric_limits<std::int64_t>::max()) noexcept;
std::optional<std::uint64_t> json_unsigned(const nlohmann::json& v,
                                           std::uint64_t hi = std::numeric_limits<std::uint64_t>::max()) noexcept;

/// The member `key` of the object `o` as json_integer / json_unsigned, or Error(Code::parse)
/// "<what>: \"<key>\" must be an integer from <lo> to <hi>" (missing, wrong type, out of range).
std::int64_t json_integer_at(const nlohmann::json& o, const char* key, const std::string& what,
                             std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                             std::int64_t hi = std::numeric_limits<std::int64_t>::max());
std::uint64_t json_unsigned_at(const nlohmann::json& o, const char* key, const std::string& what,
                               std::uint64_t hi = std::numeric_limits<std::uint64_t>::max());

}  // namespace civitas
