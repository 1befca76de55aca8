// Generalisation hierarchies: ARX files (one row per value, level 0 first, ';'-separated)
// and the built-ins gb2260, date, interval:WIDTH, mask:ric, mask:uscc (docs/formats/deid-spec.md).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "civitas/deid.hpp"
#include "civitas/ids.hpp"
#include "intern.hpp"

namespace civitas::deid {
namespace {

std::string quote_value(std::string_view v) {
  std::string s = "\"";
  for (char c : v.substr(0, 80)) s += (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (v.size() > 80) s += "…";
  return s + "\"";
}

std::string field_part(const std::string& field) {
  return field.empty() ? std::string() : " of field \"" + field + "\"";
}

std::vector<std::vector<std::string>> read_arx_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot read the hierarchy file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::vector<std::string>> rows;
  std::size_t pos = 0, line = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view l(text.data() + pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++line;
    pos = end + 1;
    if (l.empty()) continue;
    std::vector<std::string> row;
    std::size_t s = 0;
    while (true) {
      const std::size_t e = l.find(';', s);
      std::string_view cell = l.substr(s, e == std::string_view::npos ? std::string_view::npos : e - s);
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
      row.emplace_back(cell);
      if (e == std::string_view::npos) break;
      s = e + 1;
    }
    if (!rows.empty() && row.size() != rows[0].size())
      throw Error(Code::parse,
                  "hierarchy " + path + ": line " + std::to_string(line) + " has " + std::to_string(row.size()) +
                      " levels, the first line " + std::to_string(rows[0].size()),
                  Location{line, std::nullopt, std::nullopt, path});
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw Error(Code::parse, "hierarchy " + path + " is empty", Location{std::nullopt, std::nullopt, std::nullopt, path});
  return rows;
}

std::optional<double> strict_number(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string t(s);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  for (char c : t)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
      return std::nullopt;
  return v;
}

std::string fmt(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream o;
  o.precision(15);
  o << v;
  return o.str();
}

bool digits(std::string_view s, std::size_t from, std::size_t n) {
  for (std::size_t i = from; i < from + n; ++i)
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// Rows for the built-ins, one per value (same number of levels each).
std::vector<std::vector<std::string>> builtin_rows(const std::string& spec, const std::vector<std::string>& values,
                                                   const std::string& field) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(values.size());
  auto fail = [&](const std::string& v, const std::string& why) -> void {
    throw Error(Code::invalid_data, "value " + quote_value(v) + field_part(field) + " does not fit hierarchy " + spec + ": " + why,
                Location{std::nullopt, field.empty() ? std::nullopt : std::optional<std::string>(field), std::nullopt, std::nullopt});
  };
  if (spec == "gb2260") {
    for (const auto& v : values) {
      if (v.size() != 6 || !digits(v, 0, 6)) fail(v, "not a six-digit division code");
      if (!ids::region_known(v)) fail(v, "not in the GB/T 2260 division table (" + ids::division_table_source() + ")");
      rows.push_back({v, v.substr(0, 4) + "00", v.substr(0, 2) + "0000", "*"});
    }
  } else if (spec == "date") {
    for (const auto& v : values) {
      if (v.size() != 10 || !digits(v, 0, 4) || v[4] != '-' || !digits(v, 5, 2) || v[7] != '-' || !digits(v, 8, 2))
        fail(v, "not a date YYYY-MM-DD");
      const int m = std::atoi(v.substr(5, 2).c_str()), d = std::atoi(v.substr(8, 2).c_str());
      if (m < 1 || m > 12 || d < 1 || d > 31) fail(v, "not a date YYYY-MM-DD");
      const std::string decade = v.substr(0, 3);
      rows.push_back({v, v.substr(0, 7), v.substr(0, 4), decade + "0-" + decade + "9", "*"});
    }
  } else if (spec == "mask:ric") {
    for (const auto& v : values) {
      if (v.size() != 18 || !digits(v, 0, 17)) fail(v, "not an 18-character resident ID");
      rows.push_back({v, v.substr(0, 10) + std::string(8, '*'), v.substr(0, 6) + std::string(12, '*'),
                      v.substr(0, 2) + std::string(16, '*'), "*"});
    }
  } else if (spec == "mask:uscc") {
    for (const auto& v : values) {
      if (v.size() != 18) fail(v, "not an 18-character USCC");
      rows.push_back({v, v.substr(0, 8) + std::string(10, '*'), v.substr(0, 4) + std::string(14, '*'),
                      v.substr(0, 1) + std::string(17, '*'), "*"});
    }
  } else if (spec.rfind("interval:", 0) == 0) {
    const auto w = strict_number(std::string_view(spec).substr(9));
    if (!w || !(*w > 0)) throw Error(Code::invalid_argument, "hierarchy " + spec + field_part(field) + ": WIDTH must be a number > 0");
    std::vector<double> nums;
    bool integral = *w == std::floor(*w);
    for (const auto& v : values) {
      const auto x = strict_number(v);
      if (!x) fail(v, "not a number");
      if (std::fabs(*x) > 1e15) fail(v, "too large");
      nums.push_back(*x);
      integral = integral && *x == std::floor(*x);
    }
    // Level j (1..) groups by width w·2^(j-1) until one group holds every value; then "*".
    std::vector<std::vector<std::string>> levels;
    for (int j = 1; j <= 48; ++j) {
      const double width = *w * std::ldexp(1.0, j - 1);
      std::vector<std::string> lab;
      lab.reserve(nums.size());
      double first = 0;
      bool one = true;
      for (std::size_t i = 0; i < nums.size(); ++i) {
        const double lo = std::floor(nums[i] / width) * width;
        if (i == 0) first = lo;
        one = one && lo == first;
        lab.push_back(integral ? fmt(lo) + "-" + fmt(lo + width - 1) : "[" + fmt(lo) + ", " + fmt(lo + width) + ")");
      }
      levels.push_back(std::move(lab));
      if (one) break;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::vector<std::string> r{values[i]};
      for (const auto& l : levels) r.push_back(l[i]);
      r.emplace_back("*");
      rows.push_back(std::move(r));
    }
  } else {
    throw Error(Code::invalid_argument, "unknown built-in hierarchy \"" + spec + "\"" + field_part(field) +
                                            " (gb2260, date, interval:WIDTH, mask:ric, mask:uscc)");
  }
  return rows;
}

bool is_builtin(const std::string& spec) {
  return spec == "gb2260" || spec == "date" || spec == "mask:ric" || spec == "mask:uscc" || spec.rfind("interval:", 0) == 0;
}

}  // namespace

Hierarchy Hierarchy::from_rows(const std::vector<std::vector<std::string>>& rows, const std::vector<std::string>& values,
                               const std::string& label) {
  if (rows.empty()) throw Error(Code::parse, label + " has no rows");
  const std::size_t L = rows[0].size();
  if (L == 0) throw Error(Code::parse, label + " has rows without values");
  // Level 0 values must be unique; each label must generalise to one label at the next level.
  std::unordered_map<std::string_view, std::size_t> row_of;
  row_of.reserve(rows.size() * 2);
  std::vector<std::unordered_map<std::string_view, std::pair<std::string_view, std::size_t>>> parent(L);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != L)
      throw Error(Code::parse, label + ": row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) +
                                   " levels, the first row " + std::to_string(L));
    if (!row_of.emplace(rows[r][0], r).second)
      throw Error(Code::parse, label + ": value " + quote_value(rows[r][0]) + " is listed twice (rows " +
                                   std::to_string(row_of[rows[r][0]] + 1) + " and " + std::to_string(r + 1) + ")");
    for (std::size_t l = 0; l + 1 < L; ++l) {
      auto [it, fresh] = parent[l].emplace(rows[r][l], std::make_pair(std::string_view(rows[r][l + 1]), r));
      if (!fresh && it->second.first != rows[r][l + 1])
        throw Error(Code::parse, label + ": inconsistent levels: " + quote_value(rows[r][l]) + " at level " + std::to_string(l) +
                                     " generalises to " + quote_value(it->second.first) + " (row " +
                                     std::to_string(it->second.second + 1) + ") and to " + quote_value(rows[r][l + 1]) +
                                     " (row " + std::to_string(r + 1) + ")");
    }
  }
  Hierarchy h;
  h.source_ = label;
  h.map_.assign(L, std::vector<std::uint32_t>(values.size()));
  std::vector<detail::Interner> lab(L);
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto it = row_of.find(values[i]);
    if (it == row_of.end())
      throw Error(Code::invalid_data, "value " + quote_value(values[i]) + " is not in " + label);
    const auto& row = rows[it->second];
    for (std::size_t l = 0; l < L; ++l) h.map_[l][i] = lab[l].intern(row[l]);
  }
  h.labels_.resize(L);
  for (std::size_t l = 0; l < L; ++l) h.labels_[l] = lab[l].take();
  if (values.empty())
    for (std::size_t l = 0; l < L; ++l) h.labels_[l].clear();
  return h;
}

Hierarchy Hierarchy::build(const std::string& spec, const std::string& base_dir, const std::vector<std::string>& values,
                           const std::string& field) {
  if (is_builtin(spec) || spec.rfind("interval:", 0) == 0)
    return from_rows(builtin_rows(spec, values, field), values, "hierarchy " + spec + field_part(field));
  std::string path = spec;
  if (!path.empty() && path[0] != '/') path = base_dir + "/" + path;
  try {
    return from_rows(read_arx_file(path), values, "hierarchy " + spec + field_part(field));
  } catch (const Error& e) {
    if (e.code() == Code::invalid_data && !field.empty())
      throw Error(e.code(), e.what(), Location{std::nullopt, field, std::nullopt, path});
    throw;
  }
}

}  // namespace civitas::deid
