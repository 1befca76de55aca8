// Internal: normalisation with a distinguishable failure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace civitas::ids::detail {

/// Byte classes of normalisation: kept as is, upper-cased, dropped, start of a multi-byte
/// sequence, or not allowed.
enum : std::uint8_t { kKeep = 0, kUpper = 1, kDrop = 2, kMulti = 3, kBad = 4 };

inline constexpr std::array<std::uint8_t, 256> kNormClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 0x80) t[c] = kMulti;
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == '-') t[c] = kDrop;
    else if (c < 0x21 || c == 0x7F) t[c] = kBad;
    else if (c >= 'a' && c <= 'z') t[c] = kUpper;
    else t[c] = kKeep;
  }
  return t;
}();

/// True when normalisation leaves s[0..n) unchanged (every byte is kept as is): the common
/// case of data that is already clean, checked without copying.
inline bool is_canonical(const char* s, std::size_t n) noexcept {
  unsigned acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= kNormClass[static_cast<unsigned char>(s[i])];
  return acc == 0;
}

enum class NormStatus { ok, too_long, bad_char };

/// See civitas::ids::normalize. On ok, *len holds the normalised length.
NormStatus normalize_into(std::string_view in, char* out, std::size_t cap, std::size_t* len) noexcept;

}  // namespace civitas::ids::detail
