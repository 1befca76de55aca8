// Fuzz target: policy documents (JSON, docs/formats/policy.md). Properties: check_text never
// throws; Policy::parse accepts exactly the documents check_text finds no problem in (else it
// throws parse or invalid_data); a valid policy grades every detector type and decides for
// every level without throwing, its table level is one of its levels, and the stricter type
// never loosens the catalog's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "civitas/error.hpp"
#include "civitas/policy.hpp"
#include "fuzz_check.hpp"

namespace pl = civitas::policy;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto problems = pl::check_text(text);
  try {
    pl::Policy p = pl::Policy::parse(text);
    FUZZ_CHECK(problems.empty());
    std::vector<pl::ColumnIn> cols;
    for (const auto& t : pl::detector_types()) {
      pl::ColumnIn c;
      c.name = t;
      c.type = t;
      cols.push_back(c);
    }
    for (const auto& d : p.detectors()) {
      pl::ColumnIn c;
      c.name = d.name;
      c.type = d.name;
      cols.push_back(c);
    }
    pl::Grading g = pl::grade(p, cols);
    FUZZ_CHECK(p.rank(g.level) >= 0);
    for (const auto& c : g.columns) FUZZ_CHECK(p.rank(c.level) >= p.rank(g.level));
    FUZZ_CHECK(pl::grading_from_json(p, pl::to_json(g)).level == g.level);
    json entry = {{"sharing", {{"type", "unconditional"}}}, {"open", {{"type", "conditional"}, {"condition", "c"}}}};
    for (const auto& l : p.levels()) {
      pl::Grading one = pl::grade(p, std::vector<pl::ColumnIn>{}, json{{"level", l.id}});
      for (bool open : {false, true}) {
        pl::Decision d = pl::decide(p, entry, &one, {"r", "91350100M000100Y43", "fuzz", open});
        FUZZ_CHECK(d.type >= (open ? pl::Access::conditional : pl::Access::unconditional));
        FUZZ_CHECK(d.allowed() == (d.type != pl::Access::none));
        (void)pl::to_json(d).dump();
      }
    }
    (void)pl::decide(p, entry, &g, {"r", "91350100M000100Y43", "fuzz", true});
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(!problems.empty());
    FUZZ_CHECK(e.code() == civitas::Code::parse || e.code() == civitas::Code::invalid_data);
  }
  return 0;
}
