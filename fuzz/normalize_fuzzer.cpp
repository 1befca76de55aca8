// Fuzz target: identifier normalisation (trim, full-width to ASCII, upper case, drop spaces
// and hyphens). Properties: the result is printable ASCII without lower case, spaces or
// hyphens and never longer than the input; normalising is idempotent; the buffer and string
// forms agree; a too-small buffer fails cleanly; every kind validates an input and its
// normalised form identically, and a failing normalisation is a length or charset failure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/ids.hpp"
#include "fuzz_check.hpp"
#include "ids_properties.hpp"

using namespace civitas::fuzz;

namespace {
constexpr ids::Kind kKinds[] = {ids::Kind::uscc, ids::Kind::orgcode, ids::Kind::ric, ids::Kind::division};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<char> buf(size + 1, '\x7f');
  const std::size_t n = ids::normalize(in, buf.data(), size);
  const std::string s = ids::normalize(in);

  if (n == SIZE_MAX) {
    FUZZ_CHECK(s.empty());
    // Failure is about the characters, never about space: the input length always suffices.
    for (ids::Kind k : kKinds) {
      ids::Reason r = ids::check(k, in, fuzz_options(false));
      FUZZ_CHECK(r == ids::Reason::charset || r == ids::Reason::length);
    }
    return 0;
  }
  FUZZ_CHECK(n <= size);
  FUZZ_CHECK(std::string_view(buf.data(), n) == s);
  FUZZ_CHECK(buf[size] == '\x7f');  // nothing written past cap
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    FUZZ_CHECK(u > 0x20 && u < 0x7F && ch != '-' && !(ch >= 'a' && ch <= 'z'));
  }
  // Idempotent.
  FUZZ_CHECK(ids::normalize(s) == s);
  // Exact fit works; one byte less fails.
  if (n > 0) {
    std::vector<char> exact(n);
    FUZZ_CHECK(ids::normalize(in, exact.data(), n) == n);
    FUZZ_CHECK(ids::normalize(in, exact.data(), n - 1) == SIZE_MAX);
  }
  // Validation sees only the normalised form.
  for (ids::Kind k : kKinds) {
    for (bool strict : {false, true}) {
      std::uint32_t w1 = 0, w2 = 0;
      ids::Reason r1 = ids::check(k, in, fuzz_options(strict), &w1);
      ids::Reason r2 = ids::check(k, s, fuzz_options(strict), &w2);
      FUZZ_CHECK(r1 == r2 && w1 == w2);
    }
  }
  return 0;
}
