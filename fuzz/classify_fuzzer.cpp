// Fuzz target: free-text classification (civitas::classify::find / find_encoded) and value
// classification. Properties: findings are in offset order, inside the text, non-empty and
// non-overlapping, of a known type; each finding's text, classified as a value, is not
// "none" for the whole-value types; GB18030 guessing either fails with an Error or returns
// findings inside the input; the vector code (where the CPU has it: the UTF-8 check, the Han
// and ASCII loops of the scanner) finds and decides exactly what the scalar code does; no
// crash or hang on any bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "fuzz_check.hpp"
#include "../core/classify/utf8.hpp"  // internal: the vector code turned off and on

namespace cl = civitas::classify;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto f = cl::find(in);
  std::uint64_t end = 0;
  for (const auto& x : f) {
    FUZZ_CHECK(x.length > 0);
    FUZZ_CHECK(x.offset >= end);
    FUZZ_CHECK(x.offset + x.length <= size);
    FUZZ_CHECK(cl::type_from_name(x.type).has_value());
    FUZZ_CHECK(x.type != "none");
    end = x.offset + x.length;
  }
  {
    namespace d = civitas::classify::detail;
    const bool utf8 = d::valid_utf8_scalar(in, 0);
    d::set_vector_limit(0);
    const auto g = cl::find(in);
    FUZZ_CHECK(d::valid_utf8(in) == utf8);
    d::set_vector_limit(1);
    FUZZ_CHECK(d::valid_utf8(in) == utf8);
    d::set_vector_limit(2);
    FUZZ_CHECK(d::valid_utf8(in) == utf8);
    FUZZ_CHECK(g.size() == f.size());
    for (std::size_t k = 0; k < f.size() && k < g.size(); ++k)
      FUZZ_CHECK(g[k].type == f[k].type && g[k].offset == f[k].offset && g[k].length == f[k].length);
  }
  (void)cl::classify_value(in);
  try {
    auto g = cl::find_encoded(in, "");
    for (const auto& x : g) FUZZ_CHECK(x.offset + x.length <= size);
  } catch (const civitas::Error&) {
    // not valid in the guessed encoding: an error, never a crash
  }
  return 0;
}
