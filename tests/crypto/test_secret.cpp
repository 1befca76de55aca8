// Secret memory stays out of core dumps (issue 12, "Secrets and the at-rest format"): every
// SecretBytes region is locked and MADV_DONTDUMP, which the kernel shows as the "lo" and "dd"
// VmFlags of its mapping in /proc/self/smaps.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "civitas/crypto.hpp"

using namespace civitas;

#if defined(__SANITIZE_ADDRESS__)
#define CIV_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CIV_TEST_ASAN 1
#endif
#endif

namespace {

/// The VmFlags line of the mapping that holds `addr`, or "" when none does.
std::string vm_flags_of(const void* addr) {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = a >= lo && a < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool has_flag(const std::string& flags, const char* f) { return (flags + " ").find(std::string(" ") + f + " ") != std::string::npos; }

}  // namespace

TEST_CASE("secret buffers are locked and excluded from core dumps (smaps VmFlags lo, dd)") {
  for (std::size_t n : {std::size_t(1), std::size_t(32), std::size_t(384), std::size_t(5000)}) {
    crypto::SecretBytes s(n);
    for (const unsigned char* p : {s.data(), s.data() + n - 1}) {
      const std::string flags = vm_flags_of(p);
      INFO("size " << n << ": " << flags);
      REQUIRE_FALSE(flags.empty());
      CHECK(has_flag(flags, "dd"));
#ifndef CIV_TEST_ASAN
      CHECK(has_flag(flags, "lo"));  // AddressSanitizer turns mlock into a no-op (the sanitizer sub-build)
#endif
    }
  }
}

TEST_CASE("ordinary heap memory is not marked dd (the check above can fail)") {
  std::string big(1u << 20, 'x');
  const std::string flags = vm_flags_of(big.data());
  REQUIRE_FALSE(flags.empty());
  CHECK_FALSE(has_flag(flags, "dd"));
}
