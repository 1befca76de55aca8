// Example: the C++ API (civitas::ids) — validate a column of codes in one batch call.
#include <cstdio>
#include <string>
#include <vector>

#include "civitas/ids.hpp"

int main() {
  using namespace civitas;
  std::vector<std::string> codes = {"91350100M000100Y43", "9135 0100 M000 100Y 43", "91350100M000100Y44",
                                    "51100000500010993L", "not a code"};
  std::string data;
  std::vector<std::uint64_t> offsets{0};
  for (const auto& c : codes) {
    data += c;
    offsets.push_back(data.size());
  }
  std::vector<std::uint8_t> reasons(codes.size());
  std::size_t valid = ids::check_column(ids::Kind::uscc, data.data(), offsets.data(), codes.size(), {}, reasons.data());
  for (std::size_t i = 0; i < codes.size(); ++i)
    std::printf("%-24s %s\n", codes[i].c_str(), ids::reason_name(static_cast<ids::Reason>(reasons[i])));
  std::printf("%zu of %zu valid\n", valid, codes.size());
  auto r = ids::validate(ids::Kind::uscc, "91350100M000100Y43");
  std::printf("region: %s %s, authority: %s, category: %s\n", r.parts.region.province.c_str(),
              r.parts.region.prefecture.c_str(), r.parts.authority_name.c_str(), r.parts.category_name.c_str());
  return valid == 3 ? 0 : 1;
}
