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
#include <optional>
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

}  // namespace civitas
