// Internal: normalisation with a distinguishable failure.
#pragma once

#include <cstddef>
#include <string_view>

namespace civitas::ids::detail {

enum class NormStatus { ok, too_long, bad_char };

/// See civitas::ids::normalize. On ok, *len holds the normalised length.
NormStatus normalize_into(std::string_view in, char* out, std::size_t cap, std::size_t* len) noexcept;

}  // namespace civitas::ids::detail
