// Fuzz target: de-identification specs (docs/formats/deid-spec.md) and ARX hierarchy files (the
// same page, "Hierarchies"). Input: the spec (JSON) up to the first NUL byte; after it, the
// content of a hierarchy file.
// Properties: parse_spec accepts or throws civitas::Error with parse or invalid_argument (never
// another exception); an accepted spec's privacy.to_json() is an object that parses again; each
// field's hierarchy is built for a few values — a built-in name with values of its kind, any
// other name from the hierarchy content (an in-memory file) with values taken from its first
// cells — and either throws Error (parse, invalid_data, invalid_argument, io) or gives every
// value a label at every level, level 0 being the value itself.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "fuzz_check.hpp"

namespace deid = civitas::deid;
using civitas::Code;

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// Values of the built-in hierarchy's kind (some may not fit it: an error is allowed then).
std::vector<std::string> builtin_values(const std::string& h) {
  if (h == "gb2260") return {"110101", "110102", "310101", "440305"};
  if (h == "date") return {"2020-01-02", "1999-12-31", "2024-02-29"};
  if (starts_with(h, "interval:")) return {"1", "35", "-7", "2.5", "100"};
  if (h == "mask:uscc") return {"91350100M000100Y43", "911100007109288775"};
  return {"11010519491231002X", "110105194912310029", "440305200001011234"};
}

bool builtin_family(const std::string& h) {
  return h == "gb2260" || h == "date" || starts_with(h, "interval:") || starts_with(h, "mask:");
}

// The first cell of each of the first lines of an ARX file (as read_arx_file splits them).
std::vector<std::string> first_cells(std::string_view text) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  std::size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (pos < text.size() && out.size() < 8) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) continue;
    std::string_view c = l.substr(0, l.find(';'));
    if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
    if (seen.insert(std::string(c)).second) out.emplace_back(c);
  }
  if (out.empty()) out.emplace_back("a");
  return out;
}

void check_hierarchy(const deid::Hierarchy& h, const std::vector<std::string>& values) {
  FUZZ_CHECK(h.levels() >= 1);
  FUZZ_CHECK(h.values() == values.size());
  for (std::size_t l = 0; l < h.levels(); ++l)
    for (std::uint32_t i = 0; i < values.size(); ++i) FUZZ_CHECK(h.of(l, i) < h.labels_at(l));
  for (std::uint32_t i = 0; i < values.size(); ++i) FUZZ_CHECK(h.label(0, h.of(0, i)) == values[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = all.find('\0');
  const std::string_view text = all.substr(0, nul);
  const std::string_view file = nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1);
  deid::Spec spec;
  try {
    spec = deid::parse_spec(text, "/nonexistent-civitas-fuzz");
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == Code::parse || e.code() == Code::invalid_argument);
    return 0;
  }
  const nlohmann::json p = spec.privacy.to_json();
  FUZZ_CHECK(p.is_object());
  FUZZ_CHECK(nlohmann::json::parse(p.dump()) == p);
  int fd = -1;
  std::string path;
  for (const auto& f : spec.fields) {
    if (f.hierarchy.empty()) continue;
    std::vector<std::string> values;
    std::string source;
    if (builtin_family(f.hierarchy)) {
      values = builtin_values(f.hierarchy);
      source = f.hierarchy;
    } else {
      if (fd < 0) {
        fd = ::memfd_create("civitas-fuzz-hierarchy", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(::write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
        path = "/proc/self/fd/" + std::to_string(fd);
      }
      values = first_cells(file);
      source = path;
    }
    try {
      check_hierarchy(deid::Hierarchy::build(source, "/nonexistent-civitas-fuzz", values, f.name), values);
    } catch (const civitas::Error& e) {
      FUZZ_CHECK(e.code() == Code::parse || e.code() == Code::invalid_data || e.code() == Code::invalid_argument ||
                 e.code() == Code::io);
    }
  }
  if (fd >= 0) ::close(fd);
  return 0;
}
