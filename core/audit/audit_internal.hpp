// Internal helpers of the audit module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/audit.hpp"

namespace civitas::audit {

/// Offset of the first invalid UTF-8 sequence (or control character when no_controls), or
/// std::string::npos when s is clean.
std::size_t utf8_check(std::string_view s, bool no_controls) noexcept;

/// SHA-256 (OpenSSL libcrypto, SHA-NI where the CPU has it).
Hash sha256(const void* p, std::size_t n);
/// SHA-256(prefix ‖ p) without copying.
Hash sha256_prefixed(std::uint8_t prefix, const void* p, std::size_t n);

/// Largest power of two strictly less than n (n ≥ 2).
inline std::uint64_t split_point(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

/// Milliseconds since the Unix epoch (UTC).
std::int64_t now_ms();

}  // namespace civitas::audit
