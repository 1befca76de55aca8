// Re-identification risk from equivalence-class sizes (docs/formats/deid-risk.md):
// prosecutor, journalist and marketer risk as ARX's RiskModelSampleSummary defines them,
// sample uniques, and the population-uniqueness estimate (risk_pitman.cpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "civitas/deid.hpp"
#include "risk_pitman.hpp"

namespace civitas::deid {

namespace {

void check_options(const RiskOptions& o) {
  if (!(o.threshold >= 0 && o.threshold <= 1)) throw Error(Code::invalid_argument, "the risk threshold must be in [0, 1]");
  if (!(o.population_size >= 0) || !std::isfinite(o.population_size))
    throw Error(Code::invalid_argument, "the population size must be a finite number >= 0");
  if (o.population_size == 0 && !(o.sampling_fraction > 0 && o.sampling_fraction <= 1))
    throw Error(Code::invalid_argument, "the sampling fraction must be in (0, 1]");
  if (o.model != "pitman" && o.model != "none")
    throw Error(Code::invalid_argument, "unknown population-uniqueness model \"" + o.model + "\" (known: pitman, none)");
}

void population(Risk& r, const ClassSizes& hist, const RiskOptions& o) {
  PopulationUniques& p = r.population_uniques;
  p.model = o.model;
  const auto n = static_cast<double>(r.records);
  if (o.population_size > 0) {
    if (o.population_size < n)
      throw Error(Code::invalid_argument, "the population size is smaller than the number of records");
    p.population_size = o.population_size;
    p.sampling_fraction = n > 0 ? n / o.population_size : 0;
  } else {
    p.sampling_fraction = o.sampling_fraction;
    p.population_size = n / o.sampling_fraction;
  }
  if (o.model == "none" || r.records == 0) return;
  if (r.sample_uniques == 0) return;  // no sample uniques: no population uniques (as ARX)
  auto est = pitman_uniques(hist, p.population_size);
  p.converged = est.converged;
  if (est.converged) {
    p.count = est.uniques;
    p.estimate = p.population_size > 0 ? est.uniques / p.population_size : 0;
  }
}

}  // namespace

ClassSizes class_size_histogram(const std::vector<std::uint64_t>& sizes) {
  std::map<std::uint64_t, std::uint64_t> m;
  for (auto s : sizes)
    if (s) ++m[s];
  return ClassSizes(m.begin(), m.end());
}

std::vector<std::uint64_t> equivalence_class_sizes(const std::vector<const std::vector<std::string>*>& qi) {
  if (qi.empty()) throw Error(Code::invalid_argument, "no quasi-identifier columns");
  const std::size_t n = qi[0] ? qi[0]->size() : 0;
  for (auto* c : qi)
    if (!c || c->size() != n) throw Error(Code::invalid_argument, "the quasi-identifier columns differ in length");
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::uint64_t> sizes;
  std::string key;
  for (std::size_t i = 0; i < n; ++i) {
    key.clear();
    for (auto* c : qi) {
      const std::string& v = (*c)[i];
      // Length-prefixed, so that ("a,b", "c") and ("a", "b,c") differ.
      auto len = static_cast<std::uint32_t>(v.size());
      key.append(reinterpret_cast<const char*>(&len), sizeof len);
      key.append(v);
    }
    auto it = index.try_emplace(key, sizes.size());
    if (it.second)
      sizes.push_back(1);
    else
      ++sizes[it.first->second];
  }
  return sizes;
}

Risk measure_risk(const ClassSizes& hist, const RiskOptions& o) {
  check_options(o);
  Risk r;
  std::uint64_t smallest = 0, largest = 0;
  for (const auto& sc : hist) {
    if (sc.first == 0 || sc.second == 0) throw Error(Code::invalid_argument, "class sizes and counts must be positive");
    std::uint64_t rec = 0;
    if (__builtin_mul_overflow(sc.first, sc.second, &rec) || __builtin_add_overflow(r.records, rec, &r.records) ||
        __builtin_add_overflow(r.classes, sc.second, &r.classes))
      throw Error(Code::invalid_argument, "too many records in the class sizes");
    if (!smallest || sc.first < smallest) smallest = sc.first;
    largest = std::max(largest, sc.first);
    if (1.0 / static_cast<double>(sc.first) > o.threshold) r.prosecutor.records_at_risk += rec;
    if (sc.first == 1) r.sample_uniques += sc.second;
  }
  for (size_t i = 1; i < hist.size(); ++i)
    if (hist[i].first <= hist[i - 1].first) throw Error(Code::invalid_argument, "class sizes must be ascending and distinct");
  r.prosecutor.threshold = o.threshold;
  if (r.records) {
    const auto n = static_cast<double>(r.records);
    r.prosecutor.max = 1.0 / static_cast<double>(smallest);
    r.prosecutor.min = 1.0 / static_cast<double>(largest);
    r.prosecutor.average = static_cast<double>(r.classes) / n;
    r.prosecutor.records_at_risk_share = static_cast<double>(r.prosecutor.records_at_risk) / n;
    r.marketer = r.prosecutor.average;
  }
  // Without population class sizes the journalist's population is the sample (as ARX).
  r.journalist = r.prosecutor;
  population(r, hist, o);
  return r;
}

Risk measure_risk(const std::vector<std::uint64_t>& sample, const std::vector<std::uint64_t>& pop, const RiskOptions& o) {
  if (sample.size() != pop.size())
    throw Error(Code::invalid_argument, "there must be one population class size per sample class");
  std::vector<std::uint64_t> s;
  s.reserve(sample.size());
  double c1 = 0, c2 = 0, marketer = 0;
  std::uint64_t pmin = 0, pmax = 0, at_risk = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    if (!sample[i]) continue;
    if (pop[i] < sample[i])
      throw Error(Code::invalid_argument, "population class " + std::to_string(i + 1) + " is smaller than its sample class");
    s.push_back(sample[i]);
    const auto ps = static_cast<double>(pop[i]);
    if (1.0 / ps > o.threshold) at_risk += sample[i];
    if (!pmin || pop[i] < pmin) pmin = pop[i];
    pmax = std::max(pmax, pop[i]);
    c1 += ps;
    c2 += static_cast<double>(sample[i]) / ps;
  }
  Risk r = measure_risk(class_size_histogram(s), o);
  if (r.records) {
    const auto n = static_cast<double>(r.records);
    marketer = c2 / n;
    AttackerRisk& j = r.journalist;
    j.max = 1.0 / static_cast<double>(pmin);
    j.min = 1.0 / static_cast<double>(pmax);
    j.records_at_risk = at_risk;
    j.records_at_risk_share = static_cast<double>(at_risk) / n;
    // ARX: the larger of (classes / population records in them) and the marketer average.
    j.average = std::max(static_cast<double>(r.classes) / c1, marketer);
    r.marketer = marketer;
  }
  return r;
}

nlohmann::json risk_to_json(const Risk& r) {
  auto attacker = [](const AttackerRisk& a) {
    return nlohmann::json{{"max", a.max},
                          {"min", a.min},
                          {"average", a.average},
                          {"records_at_risk", a.records_at_risk},
                          {"records_at_risk_share", a.records_at_risk_share},
                          {"threshold", a.threshold}};
  };
  const PopulationUniques& p = r.population_uniques;
  nlohmann::json pu{{"model", p.model},
                    {"estimate", p.converged ? nlohmann::json(p.estimate) : nlohmann::json(nullptr)},
                    {"count", p.converged ? nlohmann::json(p.count) : nlohmann::json(nullptr)},
                    {"sampling_fraction", p.sampling_fraction},
                    {"population_size", p.population_size},
                    {"converged", p.converged}};
  return nlohmann::json{{"records", r.records},
                        {"classes", r.classes},
                        {"prosecutor", attacker(r.prosecutor)},
                        {"journalist", attacker(r.journalist)},
                        {"marketer", {{"average", r.marketer}}},
                        {"sample_uniques", r.sample_uniques},
                        {"population_uniques", pu}};
}

nlohmann::json class_sizes_to_json(const ClassSizes& c) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& sc : c) a.push_back({sc.first, sc.second});
  return a;
}

ClassSizes class_sizes_from_json(const nlohmann::json& j) {
  if (!j.is_array()) throw Error(Code::invalid_argument, "class sizes must be an array of [size, count]");
  ClassSizes out;
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number_unsigned() ||
        e[0].get<std::uint64_t>() == 0 || e[1].get<std::uint64_t>() == 0)
      throw Error(Code::invalid_argument, "class sizes must be [size, count] pairs of positive integers");
    out.emplace_back(e[0].get<std::uint64_t>(), e[1].get<std::uint64_t>());
  }
  std::sort(out.begin(), out.end());
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].first == out[i - 1].first) throw Error(Code::invalid_argument, "a class size appears twice");
  return out;
}

}  // namespace civitas::deid
