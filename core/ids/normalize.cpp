#include "normalize.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "civitas/ids.hpp"

namespace civitas::ids {
namespace detail {
namespace {

constexpr const auto& kClass = kNormClass;

// Decodes the multi-byte sequence at s[i] (s[i] >= 0x80). Returns the ASCII character it
// stands for (full-width form, ideographic space, a dash), or -1; sets *used.
int decode_wide(std::string_view s, std::size_t i, std::size_t* used) noexcept {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b(0) < 0xE0 || b(0) >= 0xF0 || i + 2 >= s.size()) return -1;
  if ((b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return -1;
  unsigned cp = ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
  *used = 3;
  if (cp == 0x3000) return ' ';                          // ideographic space
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<int>(cp - 0xFEE0);  // full-width ASCII
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) return '-';           // dashes, minus
  return -1;
}

}  // namespace

NormStatus normalize_into(std::string_view in, char* out, std::size_t cap, std::size_t* len) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    std::uint8_t cls = kClass[c];
    if (cls == kMulti) {
      std::size_t used = 0;
      int a = decode_wide(in, i, &used);
      if (a < 0) return NormStatus::bad_char;
      i += used;
      c = static_cast<unsigned char>(a);
      cls = kClass[c];
    } else {
      ++i;
    }
    if (cls == kDrop) continue;
    if (cls == kBad) return NormStatus::bad_char;
    if (n == cap) return NormStatus::too_long;
    out[n++] = static_cast<char>(cls == kUpper ? c - 32 : c);
  }
  *len = n;
  return NormStatus::ok;
}

}  // namespace detail

std::size_t normalize(std::string_view in, char* out, std::size_t cap) noexcept {
  std::size_t n = 0;
  return detail::normalize_into(in, out, cap, &n) == detail::NormStatus::ok ? n : SIZE_MAX;
}

std::string normalize(std::string_view in) {
  std::string out(in.size(), '\0');  // normalisation never lengthens
  std::size_t n = normalize(in, out.data(), out.size());
  if (n == SIZE_MAX) return {};
  out.resize(n);
  return out;
}

}  // namespace civitas::ids
