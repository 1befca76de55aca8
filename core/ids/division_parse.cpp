// The parser of the GB/T 2260 division table's text format (division_table.hpp): used at run
// time for loaded tables and at build time for the built-in one.
#include <algorithm>
#include <iterator>
#include <string>

#include "civitas/error.hpp"
#include "division_table.hpp"

namespace civitas::ids::detail {
namespace {
constexpr std::uint32_t kCodes = 1000000;
}  // namespace

std::vector<DivisionEntry> parse_division_entries(std::string_view text, std::string_view label) {
  using Entry = DivisionEntry;
  std::vector<Entry> rows;
  rows.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t lineno = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    std::size_t line_offset = pos;
    pos = end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    // Made only for an error (the label is copied into it): not once per line.
    auto where = [&] { return Location{lineno, std::nullopt, line_offset, std::string(label)}; };
    std::uint32_t code = 0;
    if (line.size() < 6 || !parse_division_code(line.substr(0, 6), &code) || (line.size() > 6 && line[6] != ' '))
      throw Error(Code::parse, "division table: a line must start with a six-digit code", where());
    if (code % 100 == 0)
      throw Error(Code::parse, "division table: only county-level codes (not ending in 00) are listed", where());
    Entry e{code, {}, {}, {}};
    std::size_t i = 6;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) break;
      std::size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
        throw Error(Code::parse, "division table: expected key=\"value\"", where());
      std::string_view key = line.substr(i, eq - i);
      std::size_t close = line.find('"', eq + 2);
      if (close == std::string_view::npos)
        throw Error(Code::parse, "division table: unterminated quoted value", where());
      const std::string_view value = line.substr(eq + 2, close - eq - 2);
      if (key == "province") e.province = value;
      else if (key == "prefecture") e.prefecture = value;
      else if (key == "county") e.county = value;
      // other keys are allowed and ignored, for forward compatibility
      i = close + 1;
    }
    rows.push_back(e);
  }
  if (rows.empty()) throw Error(Code::parse, "division table: no entries", Location{{}, {}, {}, std::string(label)});

  // Derive province (XX0000) and prefecture (XXXX00) entries from the counties. Only the
  // first entry of a code is kept below ("first wins"), so a derived code is made once, from
  // the first county that gives it (the same entry as deriving it from every county).
  std::vector<Entry> derived;
  // One bit per derived code, indexed by code / 100 (a derived code ends in 00).
  std::vector<std::uint64_t> made(kCodes / 100 / 64 + 1, 0);
  auto derive = [&](std::uint32_t code, std::string_view province, std::string_view prefecture) {
    const std::uint32_t k = code / 100;
    if ((made[k >> 6] >> (k & 63)) & 1u) return;
    made[k >> 6] |= std::uint64_t{1} << (k & 63);
    derived.push_back(Entry{code, province, prefecture, {}});
  };
  for (const auto& r : rows) {
    derive(r.code / 10000 * 10000, r.province, {});
    derive(r.code / 100 * 100, r.province, r.prefecture);
  }
  derived.push_back(Entry{100000, "中华人民共和国", {}, {}});  // national level (central organs' USCCs)
  // The stable sort of counties-then-derived, done as two stable sorts and a merge: a county
  // code never ends in 00 and a derived one always does, so the merge meets no equal codes
  // between the two (and the table's counties usually come sorted already).
  const auto by_code = [](const Entry& a, const Entry& b) { return a.code < b.code; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_code)) std::stable_sort(rows.begin(), rows.end(), by_code);
  std::stable_sort(derived.begin(), derived.end(), by_code);
  std::vector<Entry> all;
  all.reserve(rows.size() + derived.size());
  std::merge(rows.begin(), rows.end(), derived.begin(), derived.end(), std::back_inserter(all), by_code);
  std::vector<Entry> out;
  out.reserve(all.size());
  for (const auto& e : all)
    if (out.empty() || out.back().code != e.code) out.push_back(e);  // first wins
  return out;
}

}  // namespace civitas::ids::detail
