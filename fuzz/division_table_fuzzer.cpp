// Fuzz target: the GB/T 2260 division table parser (ids::load_division_table, loc.dat text
// format). Arbitrary text must either load or throw civitas::Error(parse) — never crash or
// throw anything else. A loaded table answers for the codes it lists and the province and
// prefecture entries derived from them; the built-in table is restored afterwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "fuzz_check.hpp"

namespace ids = civitas::ids;

// core/ids/tables.hpp (internal): frees the tables of earlier inputs. The library keeps every
// loaded table until exit (a lookup racing a load stays valid); a table per input would grow
// the fuzzer to its memory limit (found by the nightly run: out of memory after 154,567 inputs).
namespace civitas::ids::detail {
void release_retired_division_tables();
}

namespace {

bool six_digits(std::string_view s) {
  if (s.size() < 6) return false;
  for (std::size_t i = 0; i < 6; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// The first listed code: the first line that is neither empty nor a comment.
std::string first_code(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    return six_digits(line) ? std::string(line.substr(0, 6)) : std::string();
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::string builtin_source = ids::division_table_source();
  static const std::size_t builtin_size = ids::division_table_size();

  bool loaded = false;
  try {
    ids::load_division_table(text, "fuzz");
    loaded = true;
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == civitas::Code::parse);
    FUZZ_CHECK(e.where().source && *e.where().source == "fuzz");
  }
  if (loaded) {
    FUZZ_CHECK(ids::division_table_source() == "fuzz");
    FUZZ_CHECK(ids::division_table_size() >= 2);  // a county and the national entry at least
    std::string code = first_code(text);
    FUZZ_CHECK(code.size() == 6);
    FUZZ_CHECK(ids::region_known(code));
    FUZZ_CHECK(ids::lookup_region(code).known);
    FUZZ_CHECK(ids::region_known(code.substr(0, 2) + "0000"));
    FUZZ_CHECK(ids::region_known(code.substr(0, 4) + "00"));
    FUZZ_CHECK(ids::check(ids::Kind::division, code) == ids::Reason::ok);
  }
  ids::reset_division_table();
  ids::detail::release_retired_division_tables();
  FUZZ_CHECK(ids::division_table_source() == builtin_source);
  FUZZ_CHECK(ids::division_table_size() == builtin_size);
  FUZZ_CHECK(ids::region_known("110101"));
  return 0;
}
