// Parameters of differentially private releases: exact decimal parsing (epsilon in 1e-9,
// delta in 1e-18, bounds and values in the bounds' resolution), the checks of a DpQuery, and
// the rows a release reads (DpInput, dp_read_csv). docs/dp.md.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "civitas/deid.hpp"
#include "civitas/json.hpp"
#include "civitas/schema.hpp"

namespace civitas::deid {
namespace {

using i128 = __int128;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

enum class Parsed { ok, bad, overflow };

// text -> units of 10^-decimals, truncated toward zero; saturates on overflow.
Parsed parse_decimal(std::string_view t, int decimals, std::int64_t& out) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
  std::size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  std::string digits;
  int frac = 0;
  bool dot = false, any = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (!(digits.empty() && c == '0')) digits += c;
      if (dot) ++frac;
      if (digits.size() > 400) return Parsed::bad;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any) return Parsed::bad;
  long exp = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
    if (i >= t.size()) return Parsed::bad;
    for (; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return Parsed::bad;
      exp = std::min(exp * 10 + (t[i] - '0'), 100000L);
    }
    if (eneg) exp = -exp;
  }
  if (i != t.size()) return Parsed::bad;
  long shift = exp - frac + decimals;  // value * 10^decimals = digits * 10^shift
  if (shift < 0) {
    if (static_cast<long>(digits.size()) <= -shift) digits.clear();
    else digits.resize(digits.size() - static_cast<std::size_t>(-shift));
    shift = 0;
  }
  i128 v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v > kMax) return out = neg ? -kMax : kMax, Parsed::overflow;
  }
  for (long k = 0; k < shift && v != 0; ++k) {
    v *= 10;
    if (v > kMax) return out = neg ? -kMax : kMax, Parsed::overflow;
  }
  out = static_cast<std::int64_t>(neg ? -v : v);
  return Parsed::ok;
}

// decimals a text is written with ("0.25" -> 2, "1e-3" -> 3, "100" -> 0)
int written_decimals(std::string_view t) {
  int frac = 0;
  bool dot = false;
  std::size_t i = 0;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') dot = true;
    else if (dot && t[i] >= '0' && t[i] <= '9') ++frac;
  }
  long exp = 0;
  if (i < t.size()) {
    try {
      exp = std::stol(std::string(t.substr(i + 1)));
    } catch (...) {
      exp = 0;
    }
  }
  return static_cast<int>(std::clamp<long>(frac - exp, 0, 1000));
}

Error bad(std::string_view what, std::string_view why) {
  return Error(Code::invalid_argument, std::string(what) + ": " + std::string(why));
}

}  // namespace

std::int64_t dp_parse_units(std::string_view text, int decimals, std::string_view what) {
  std::int64_t v = 0;
  switch (parse_decimal(text, decimals, v)) {
    case Parsed::ok:
      return v;
    case Parsed::overflow:
      throw bad(what, "'" + std::string(text) + "' is too large");
    default:
      throw bad(what, "'" + std::string(text) + "' is not a decimal number");
  }
}

std::string dp_format_units(std::int64_t units, int decimals) {
  const bool neg = units < 0;
  auto mag = static_cast<unsigned __int128>(neg ? -static_cast<i128>(units) : units);
  std::string s;
  do {
    s += static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag);
  while (static_cast<int>(s.size()) <= decimals) s += '0';
  std::reverse(s.begin(), s.end());
  std::string ip = s.substr(0, s.size() - static_cast<std::size_t>(decimals));
  std::string fp = s.substr(s.size() - static_cast<std::size_t>(decimals));
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  std::string r = (neg ? "-" : "") + ip;
  if (!fp.empty()) r += "." + fp;
  return r == "-0" ? "0" : r;
}

DpStatistic dp_statistic_from_name(std::string_view n) {
  if (n == "count") return DpStatistic::count;
  if (n == "sum") return DpStatistic::sum;
  if (n == "mean") return DpStatistic::mean;
  if (n == "histogram") return DpStatistic::histogram;
  if (n == "quantiles") return DpStatistic::quantiles;
  throw bad("statistic", "'" + std::string(n) + "' is not one of count, sum, mean, histogram, quantiles");
}

const char* dp_statistic_name(DpStatistic s) noexcept {
  switch (s) {
    case DpStatistic::count: return "count";
    case DpStatistic::sum: return "sum";
    case DpStatistic::mean: return "mean";
    case DpStatistic::histogram: return "histogram";
    case DpStatistic::quantiles: return "quantiles";
  }
  return "?";
}

const char* dp_noise_name(DpNoise n) noexcept { return n == DpNoise::gaussian ? "gaussian" : "laplace"; }

void DpQuery::validate() const {
  if (dataset.empty()) throw bad("dataset", "a catalog resource code is required");
  if (column.empty()) throw bad("column", "a value column is required");
  const std::int64_t e = dp_parse_units(epsilon, kDpEpsilonDecimals, "epsilon");
  if (e <= 0) throw bad("epsilon", "must be at least 1e-9");
  if (e > 100'000'000'000) throw bad("epsilon", "must be at most 100");
  const std::int64_t d = dp_parse_units(delta.empty() ? "0" : delta, kDpDeltaDecimals, "delta");
  if (d < 0 || d >= 1'000'000'000'000'000'000) throw bad("delta", "must be in [0, 1)");
  if (!noise.empty() && noise != "laplace" && noise != "gaussian") throw bad("noise", "must be laplace or gaussian");
  const bool gauss = noise == "gaussian" || (noise.empty() && d > 0);
  if (gauss && d == 0) throw bad("delta", "the Gaussian mechanism needs delta > 0");
  if (max_contributions < 1 || max_contributions > 1'000'000) throw bad("max-contributions", "must be in [1, 1000000]");
  if (statistic != DpStatistic::count || !lower.empty() || !upper.empty()) {
    if (lower.empty() || upper.empty()) throw bad("bounds", "LO,HI are required for " + std::string(dp_statistic_name(statistic)));
    const int dec = std::max(written_decimals(lower), written_decimals(upper));
    if (dec > 6) throw bad("bounds", "at most 6 decimals (the resolution of the values)");
    const std::int64_t lo = dp_parse_units(lower, dec, "bounds (LO)"), hi = dp_parse_units(upper, dec, "bounds (HI)");
    if (lo >= hi) throw bad("bounds", "LO must be less than HI");
    if (lo < -(std::int64_t{1} << 52) || hi > (std::int64_t{1} << 52) || hi - lo > (std::int64_t{1} << 52))
      throw bad("bounds", "too wide for their resolution (at most 2^52 steps)");
  }
  if (statistic == DpStatistic::histogram && (bins < 1 || bins > 10000)) throw bad("bins", "must be in [1, 10000]");
  if (statistic == DpStatistic::quantiles) {
    if (quantiles.empty() || quantiles.size() > 100) throw bad("quantiles", "give 1 to 100 quantiles");
    for (const auto& q : quantiles) {
      std::int64_t u = dp_parse_units(q, 6, "quantile");
      if (u < 0 || u > 1'000'000) throw bad("quantile", "'" + q + "' is not in [0, 1]");
    }
  }
  if (!groups.empty()) {
    if (by.empty()) throw bad("groups", "need a grouping column (--by)");
    std::set<std::string> seen(groups.begin(), groups.end());
    if (seen.size() != groups.size()) throw bad("groups", "a group key is listed twice");
  }
  if (!by.empty() && groups.empty() && d == 0)
    throw bad("by", "group keys taken from the data need delta > 0 (or list the public keys with --groups)");
}

std::string DpQuery::to_json() const {
  nlohmann::json j = {{"dataset", dataset},
                      {"statistic", dp_statistic_name(statistic)},
                      {"column", column},
                      {"by", by.empty() ? nlohmann::json(nullptr) : nlohmann::json(by)},
                      {"person", person.empty() ? nlohmann::json(nullptr) : nlohmann::json(person)},
                      {"epsilon", epsilon},
                      {"delta", delta.empty() ? "0" : delta},
                      {"max_contributions", max_contributions}};
  if (!lower.empty()) j["bounds"] = {lower, upper};
  if (!groups.empty()) j["groups"] = groups;
  if (statistic == DpStatistic::histogram) j["bins"] = bins;
  if (statistic == DpStatistic::quantiles) j["quantiles"] = quantiles;
  if (!noise.empty()) j["noise"] = noise;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- DpInput ----

DpInput::DpInput(const DpQuery& q) : column_(q.column), by_(!q.by.empty()), persons_(!q.person.empty()) {
  q.validate();
  if (!q.lower.empty()) {
    decimals = std::max(written_decimals(q.lower), written_decimals(q.upper));
    lo = dp_parse_units(q.lower, decimals, "bounds (LO)");
    hi = dp_parse_units(q.upper, decimals, "bounds (HI)");
  }
  numeric_ = q.statistic != DpStatistic::count;
}

void DpInput::add(std::string_view v, std::string_view p, std::string_view g, std::uint64_t row) {
  std::int64_t units = 0;
  bool has = false;
  std::string_view t = v;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
  if (!t.empty()) {
    has = true;
    if (numeric_) {
      if (parse_decimal(t, decimals, units) == Parsed::bad)
        throw Error(Code::invalid_data, "'" + std::string(t.substr(0, 40)) + "' is not a number", Location{row, column_, {}, {}});
      units = std::clamp(units, lo, hi);
    }
  }
  value.push_back(units);
  present.push_back(has ? 1 : 0);
  if (persons_) person.emplace_back(p);
  if (by_) group.emplace_back(g);
}

DpInput dp_read_csv(const DpQuery& q, const std::string& path, char delimiter, const std::string& encoding) {
  DpInput in(q);
  schema::Dialect d;
  d.delimiter = delimiter;
  d.encoding = encoding;
  auto reader = schema::csv_reader(schema::decode_to_utf8(schema::open_file(path), encoding), d);
  const auto& labels = reader->labels();
  auto find = [&](const std::string& name, const char* role) -> std::size_t {
    auto it = std::find(labels.begin(), labels.end(), name);
    if (it == labels.end())
      throw Error(Code::not_found, std::string("no ") + role + " column '" + name + "' in the header", Location{1, name, {}, path});
    return static_cast<std::size_t>(it - labels.begin());
  };
  const std::size_t vc = find(q.column, "value");
  const std::size_t pc = q.person.empty() ? 0 : find(q.person, "person");
  const std::size_t gc = q.by.empty() ? 0 : find(q.by, "grouping");
  schema::Batch b;
  while (reader->next(b, labels.size(), 65536)) {
    for (std::size_t r = 0; r < b.rows; ++r) {
      auto cell = [&](std::size_t c) { return b.columns[c].present(r) ? b.columns[c].value(r) : std::string_view{}; };
      in.add(cell(vc), q.person.empty() ? std::string_view{} : cell(pc), q.by.empty() ? std::string_view{} : cell(gc),
             b.row_numbers[r]);
    }
  }
  return in;
}

}  // namespace civitas::deid

namespace civitas::deid {

std::string DpBudget::to_json() const {
  auto part = [](std::int64_t total, std::int64_t spent, int dec) {
    return nlohmann::json{{"total", dp_format_units(total, dec)},
                          {"spent", dp_format_units(spent, dec)},
                          {"remaining", dp_format_units(std::max<std::int64_t>(total - spent, 0), dec)}};
  };
  nlohmann::json j = {{"dataset", dataset},
                      {"epsilon", part(epsilon_total, epsilon_spent, kDpEpsilonDecimals)},
                      {"delta", part(delta_total, delta_spent, kDpDeltaDecimals)},
                      {"releases", releases},
                      {"updated", updated}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace civitas::deid

namespace civitas::deid {

DpQuery dp_query_from_json(std::string_view text) {
  const nlohmann::json j = parse_json(text, "the DP query");
  if (!j.is_object()) throw Error(Code::invalid_argument, "the DP query must be a JSON object");
  auto num_text = [](const nlohmann::json& v, const std::string& key) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number()) return v.dump();
    throw Error(Code::invalid_argument, key + ": a number or a decimal text");
  };
  auto str = [](const nlohmann::json& v, const std::string& key) -> std::string {
    if (v.is_null()) return {};
    if (!v.is_string()) throw Error(Code::invalid_argument, key + ": a string");
    return v.get<std::string>();
  };
  DpQuery q;
  if (!j.contains("statistic")) throw Error(Code::invalid_argument, "statistic: required (count, sum, mean, histogram, quantiles)");
  if (!j.contains("max_contributions")) throw Error(Code::invalid_argument, "max_contributions: required");
  for (const auto& [k, v] : j.items()) {
    if (k == "statistic") q.statistic = dp_statistic_from_name(str(v, k));
    else if (k == "dataset") q.dataset = str(v, k);
    else if (k == "column") q.column = str(v, k);
    else if (k == "by") q.by = str(v, k);
    else if (k == "person") q.person = str(v, k);
    else if (k == "noise") q.noise = str(v, k);
    else if (k == "epsilon") q.epsilon = num_text(v, k);
    else if (k == "delta") q.delta = num_text(v, k);
    else if (k == "groups") {
      if (!v.is_array()) throw Error(Code::invalid_argument, "groups: an array of strings");
      for (const auto& g : v) q.groups.push_back(str(g, k));
    } else if (k == "bounds") {
      if (!v.is_array() || v.size() != 2) throw Error(Code::invalid_argument, "bounds: [LO, HI]");
      q.lower = num_text(v[0], k);
      q.upper = num_text(v[1], k);
    } else if (k == "quantiles") {
      if (!v.is_array()) throw Error(Code::invalid_argument, "quantiles: an array of numbers");
      q.quantiles.clear();
      for (const auto& x : v) q.quantiles.push_back(num_text(x, k));
    } else if (k == "max_contributions") {
      const auto n = json_integer(v);
      if (!n) throw Error(Code::invalid_argument, "max_contributions: an integer");
      q.max_contributions = *n;
    } else if (k == "bins") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 10000)
        throw Error(Code::invalid_argument, "bins: an integer in [1, 10000]");
      q.bins = v.get<int>();
    } else {
      throw Error(Code::invalid_argument, "unknown key '" + k + "' in the DP query");
    }
  }
  q.validate();
  return q;
}

}  // namespace civitas::deid
