// Differentially private aggregates with bounded contributions (docs/dp.md): contribution
// bounding per person, group selection, count / sum / mean / histogram / quantiles with the
// discrete Laplace or discrete Gaussian noise of dp_noise.cpp.
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "civitas/deid.hpp"

namespace civitas::deid {
namespace {

using nlohmann::json;
using u128 = unsigned __int128;
using i128 = __int128;

u128 gcd128(u128 a, u128 b) {
  while (b) {
    u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

double pow10(int d) { return std::pow(10.0, d); }

// The noise of one release: Laplace with an epsilon, or Gaussian with a rho, shared out in
// equal parts among the k measurements of a component.
struct Mechanism {
  bool gauss = false;
  std::int64_t eps_units = 0;  // the aggregate's epsilon, 1e-9, before the divisor
  std::uint64_t divisor = 1;   // the aggregate gets epsilon / divisor (2 when groups are selected)
  double rho = 0;              // Gaussian: the aggregate's rho
  json described = json::array();

  // Draws noise for a measurement of L1 (Laplace) / L2 (Gaussian) sensitivity `sens` that
  // gets 1/k of the aggregate's budget.
  std::int64_t draw(DpRandom& rng, std::uint64_t sens, std::uint64_t k) const {
    if (!gauss) {
      // scale b = sens / (epsilon / (divisor k)) = sens 1e9 divisor k / eps_units
      u128 t = static_cast<u128>(sens) * 1'000'000'000u;
      if (t / 1'000'000'000u != sens) throw Error(Code::invalid_argument, "sensitivity too large");
      u128 dk = static_cast<u128>(divisor) * k;
      if (dk && t > (~static_cast<u128>(0)) / dk) throw Error(Code::invalid_argument, "noise scale too large: narrow the bounds or lower max-contributions");
      t *= dk;
      u128 s = static_cast<u128>(eps_units);
      u128 g = gcd128(t, s);
      t /= g;
      s /= g;
      // a scale above 2^52 units could draw noise beyond 64 bits: refused (found by fuzz/dp_query_fuzzer.cpp)
      if (t >= (static_cast<u128>(1) << 96) || t > (s << 52))
        throw Error(Code::invalid_argument, "noise scale too large (above 2^52 units): narrow the bounds, lower max-contributions or raise epsilon");
      return laplace128(rng, t, s);
    }
    return dp_discrete_gaussian(rng, sigma2(sens, k));
  }
  Rational sigma2(std::uint64_t sens, std::uint64_t k) const {
    const double r = rho / static_cast<double>(k);
    const double s2 = static_cast<double>(sens) * static_cast<double>(sens) / (2 * r) * (1 + 1e-9);
    if (!(s2 < 4.0e18)) throw Error(Code::invalid_argument, "Gaussian noise too large: narrow the bounds, lower max-contributions or raise epsilon/delta");
    if (s2 < 1099511627776.0) return {static_cast<std::uint64_t>(std::ceil(s2 * 1048576.0)), 1048576};
    return {static_cast<std::uint64_t>(std::ceil(s2)), 1};
  }
  void describe(const std::string& what, std::uint64_t sens, std::uint64_t k, int decimals) {
    json m = {{"measurement", what}, {"sensitivity", static_cast<double>(sens) / pow10(decimals)}, {"count", k}};
    if (gauss) {
      Rational s = sigma2(sens, k);
      m["sigma"] = std::sqrt(static_cast<double>(s.num) / static_cast<double>(s.den)) / pow10(decimals);
    } else {
      m["scale"] = static_cast<double>(sens) * 1e9 * static_cast<double>(divisor * k) / static_cast<double>(eps_units) / pow10(decimals);
    }
    described.push_back(m);
  }
  static std::int64_t laplace128(DpRandom& rng, u128 t, u128 s);
};

}  // namespace

// dp_noise.cpp's sampler for a scale t/s beyond 64-bit numerators
std::int64_t dp_discrete_laplace_wide(DpRandom& rng, unsigned __int128 t, unsigned __int128 s);

namespace {
std::int64_t Mechanism::laplace128(DpRandom& rng, u128 t, u128 s) { return dp_discrete_laplace_wide(rng, t, s); }

std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b) {
  u128 r = static_cast<u128>(a) * b;
  if (r >> 63) throw Error(Code::invalid_argument, "sensitivity too large: narrow the bounds or lower max-contributions");
  return static_cast<std::uint64_t>(r);
}

std::uint64_t bit_length(std::uint64_t v) {
  std::uint64_t b = 0;
  while (v) {
    ++b;
    v >>= 1;
  }
  return b;
}

}  // namespace

DpRelease dp_compute(const DpQuery& q, const DpInput& in, DpRandom& rng) {
  q.validate();
  const std::int64_t E = dp_parse_units(q.epsilon, kDpEpsilonDecimals, "epsilon");
  const std::int64_t D = dp_parse_units(q.delta.empty() ? "0" : q.delta, kDpDeltaDecimals, "delta");
  const bool gauss = q.noise == "gaussian" || (q.noise.empty() && D > 0);
  const auto N = static_cast<std::uint64_t>(q.max_contributions);
  const bool by = !q.by.empty();
  const bool select = by && q.groups.empty();
  const int dec = in.decimals;
  if (in.rows() != in.present.size() || (by && in.group.size() != in.rows()) ||
      (!q.person.empty() && in.person.size() != in.rows()))
    throw Error(Code::invalid_argument, "the input was not read for this query");
  {
    const DpInput fresh(q);  // the bounds and resolution this query reads values with
    if (fresh.decimals != in.decimals || fresh.lo != in.lo || fresh.hi != in.hi)
      throw Error(Code::invalid_argument, "the input was read with other bounds than this query's");
  }
  // values are clamped when read; clamp again so that no caller-built input escapes the bounds
  auto val = [&](std::size_t r) { return std::clamp(in.value[r], in.lo, in.hi); };

  // 1. the usable rows and their groups
  std::vector<std::string> names;
  std::unordered_map<std::string, std::uint32_t> index;
  if (by && !select)
    for (const auto& g : q.groups) index.emplace(g, static_cast<std::uint32_t>(names.size())), names.push_back(g);
  if (!by) names.push_back({});
  std::vector<std::size_t> rows;
  std::vector<std::uint32_t> gof(in.rows(), 0);
  for (std::size_t r = 0; r < in.rows(); ++r) {
    if (!in.present[r]) continue;
    if (by) {
      auto it = index.find(in.group[r]);
      if (it == index.end()) {
        if (!select) continue;  // not one of the public keys
        it = index.emplace(in.group[r], static_cast<std::uint32_t>(names.size())).first;
        names.push_back(in.group[r]);
      }
      gof[r] = it->second;
    }
    rows.push_back(r);
  }

  // 2. contribution bounding: at most N rows per person, chosen uniformly at random
  if (!q.person.empty()) {
    std::unordered_map<std::string_view, std::vector<std::size_t>> per;
    for (std::size_t r : rows) per[in.person[r]].push_back(r);
    std::vector<std::size_t> kept;
    kept.reserve(rows.size());
    for (auto& [p, rs] : per) {
      if (rs.size() > N)
        for (std::size_t i = 0; i < N; ++i) std::swap(rs[i], rs[i + rng.uniform(rs.size() - i)]);
      kept.insert(kept.end(), rs.begin(), rs.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(rs.size(), N)));
    }
    std::sort(kept.begin(), kept.end());
    rows.swap(kept);
  }

  // 3. the groups to release
  std::vector<std::vector<std::size_t>> members(names.size());
  for (std::size_t r : rows) members[gof[r]].push_back(r);
  std::vector<std::uint32_t> released(names.size());
  std::iota(released.begin(), released.end(), 0u);
  Mechanism m;
  m.gauss = gauss;
  m.eps_units = E;
  json selection = nullptr;
  double delta_agg = static_cast<double>(D) / 1e18;
  if (select) {
    // Laplace noisy counts with epsilon / 2 and a threshold that a group made of one person's
    // rows passes with probability at most delta_sel (docs/dp.md, "Groups")
    const double delta_sel = gauss ? delta_agg / 2 : delta_agg;
    delta_agg -= gauss ? delta_sel : delta_agg;
    Mechanism sel;
    sel.eps_units = E;
    sel.divisor = 2;
    const double b = static_cast<double>(N) * 2e9 / static_cast<double>(E);
    const double tau_d = static_cast<double>(N) + std::ceil(b * std::log(static_cast<double>(N) / delta_sel)) + 1;
    if (!(tau_d < 9e18)) throw Error(Code::invalid_argument, "the group-selection threshold is too large: raise epsilon or delta");
    const auto tau = static_cast<std::int64_t>(tau_d);
    std::vector<std::uint32_t> keep;
    for (std::uint32_t g = 0; g < names.size(); ++g) {
      const std::int64_t noisy = static_cast<std::int64_t>(members[g].size()) + sel.draw(rng, N, 1);
      if (noisy >= tau) keep.push_back(g);
    }
    std::sort(keep.begin(), keep.end(), [&](std::uint32_t a, std::uint32_t b2) { return names[a] < names[b2]; });
    released = keep;
    m.divisor = 2;
    selection = {{"epsilon", static_cast<double>(E) / 2e9}, {"delta", delta_sel}, {"threshold", tau}};
  }
  if (gauss) m.rho = dp_rho(static_cast<double>(E) / 1e9 / static_cast<double>(m.divisor), delta_agg);

  // 4. the statistic, per released group
  const std::uint64_t maxabs = static_cast<std::uint64_t>(std::max(std::llabs(in.lo), std::llabs(in.hi)));
  const auto range = static_cast<std::uint64_t>(in.hi - in.lo);
  const double unit = pow10(dec);
  json groups = json::array();
  switch (q.statistic) {
    case DpStatistic::count: m.describe("count", N, 1, 0); break;
    case DpStatistic::sum: m.describe("sum", checked_mul(N, maxabs), 1, dec); break;
    case DpStatistic::mean:
      m.describe("count", N, 2, 0);
      m.describe("centred sum (x2)", checked_mul(N, range), 2, dec);
      break;
    case DpStatistic::histogram: m.describe("bin counts", N, 1, 0); break;
    case DpStatistic::quantiles: break;
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> qs;  // a / b
  std::uint64_t steps = bit_length(range);
  if (q.statistic == DpStatistic::quantiles) {
    for (const auto& t : q.quantiles) {
      auto a = static_cast<std::uint64_t>(dp_parse_units(t, 6, "quantile"));
      std::uint64_t b = 1'000'000, g = std::gcd(a, b);
      qs.emplace_back(a / g, b / g);
    }
    for (auto [a, b] : qs) m.describe("binary-search step (q=" + std::to_string(static_cast<double>(a) / static_cast<double>(b)).substr(0, 8) + ")",
                                      checked_mul(N, std::max(a, b - a)), qs.size() * steps, 0);
  }
  for (std::uint32_t g : released) {
    const auto& rs = members[g];
    json out = {{"key", by ? json(names[g]) : json(nullptr)}};
    switch (q.statistic) {
      case DpStatistic::count:
        out["value"] = static_cast<std::int64_t>(rs.size()) + m.draw(rng, N, 1);
        break;
      case DpStatistic::sum: {
        i128 s = 0;
        for (std::size_t r : rs) s += val(r);
        const std::int64_t noise = m.draw(rng, checked_mul(N, maxabs), 1);
        out["value"] = static_cast<double>(s + noise) / unit;
        break;
      }
      case DpStatistic::mean: {
        i128 s = 0;
        for (std::size_t r : rs) s += 2 * static_cast<i128>(val(r)) - in.lo - in.hi;
        const std::int64_t c = static_cast<std::int64_t>(rs.size()) + m.draw(rng, N, 2);
        const i128 sn = s + m.draw(rng, checked_mul(N, range), 2);
        const double mid = (static_cast<double>(in.lo) + static_cast<double>(in.hi)) / 2;
        double mean = mid + static_cast<double>(sn) / 2 / static_cast<double>(std::max<std::int64_t>(c, 1));
        mean = std::clamp(mean, static_cast<double>(in.lo), static_cast<double>(in.hi));
        out["value"] = mean / unit;
        break;
      }
      case DpStatistic::histogram: {
        std::vector<std::int64_t> counts(static_cast<std::size_t>(q.bins), 0);
        for (std::size_t r : rs) {
          auto i = static_cast<std::size_t>(static_cast<i128>(val(r) - in.lo) * q.bins / static_cast<i128>(range));
          counts[std::min(i, counts.size() - 1)] += 1;
        }
        json bins = json::array();
        for (std::size_t i = 0; i < counts.size(); ++i) {
          const double l = (static_cast<double>(in.lo) + static_cast<double>(range) * static_cast<double>(i) / q.bins) / unit;
          const double u = (static_cast<double>(in.lo) + static_cast<double>(range) * static_cast<double>(i + 1) / q.bins) / unit;
          bins.push_back({{"lower", l}, {"upper", u}, {"count", counts[i] + m.draw(rng, N, 1)}});
        }
        out["bins"] = bins;
        break;
      }
      case DpStatistic::quantiles: {
        std::vector<std::int64_t> v;
        v.reserve(rs.size());
        for (std::size_t r : rs) v.push_back(val(r));
        std::sort(v.begin(), v.end());
        const auto n = static_cast<i128>(v.size());
        json arr = json::array();
        for (std::size_t k = 0; k < qs.size(); ++k) {
          const auto a = static_cast<i128>(qs[k].first), b = static_cast<i128>(qs[k].second);
          const std::uint64_t sens = checked_mul(N, static_cast<std::uint64_t>(std::max(a, b - a)));
          std::int64_t L = in.lo, H = in.hi;
          for (std::uint64_t st = 0; st < steps && L < H; ++st) {
            const std::int64_t mid = L + (H - L) / 2;
            const auto le = static_cast<i128>(std::upper_bound(v.begin(), v.end(), mid) - v.begin());
            const i128 stat = b * le - a * n + m.draw(rng, sens, qs.size() * steps);
            if (stat >= 0) H = mid;
            else L = mid + 1;
          }
          arr.push_back({{"q", static_cast<double>(qs[k].first) / static_cast<double>(qs[k].second)}, {"value", static_cast<double>(L) / unit}});
        }
        out["quantiles"] = arr;
        break;
      }
    }
    groups.push_back(out);
  }

  json r = {{"version", 1},
            {"dataset", q.dataset},
            {"statistic", dp_statistic_name(q.statistic)},
            {"column", q.column},
            {"by", by ? json(q.by) : json(nullptr)},
            {"person", q.person.empty() ? json(nullptr) : json(q.person)},
            {"epsilon", static_cast<double>(E) / 1e9},
            {"delta", static_cast<double>(D) / 1e18},
            {"noise", dp_noise_name(gauss ? DpNoise::gaussian : DpNoise::laplace)},
            {"max_contributions", q.max_contributions},
            {"mechanisms", m.described}};
  if (!q.lower.empty()) {
    r["bounds"] = {static_cast<double>(in.lo) / unit, static_cast<double>(in.hi) / unit};
    r["resolution"] = 1 / unit;
  }
  if (select) r["group_selection"] = selection;
  r["groups"] = groups;
  if (!by) {
    const json& g0 = groups.at(0);
    for (const char* k : {"value", "bins", "quantiles"})
      if (g0.contains(k)) r[k] = g0[k];
  }
  DpRelease out;
  out.json = r.dump(-1, ' ', false, json::error_handler_t::replace);
  out.epsilon_units = E;
  out.delta_units = D;
  return out;
}

}  // namespace civitas::deid
