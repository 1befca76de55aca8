// The optimal search against ARX's reference optima on Adult (shared data README), the
// privacy models one by one, and the measures.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "civitas/deid.hpp"

using namespace civitas;
using namespace civitas::deid;

namespace {

#ifndef CIVITAS_ADULT_DIR
#error "CIVITAS_ADULT_DIR is set by tests/CMakeLists.txt"
#endif

const std::vector<std::string> kQi = {"age", "education", "marital-status", "native-country",
                                      "race", "salary-class", "sex", "workclass"};

struct Adult {
  FrequencyTable table;
  std::vector<Hierarchy> hier;
  Hierarchy occupation;
  std::vector<const Hierarchy*> sens;
};

std::vector<std::vector<std::string>> read_semicolon(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> r;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ';')) r.push_back(cell);
    rows.push_back(r);
  }
  return rows;
}

const Adult& adult() {
  static Adult a = [] {
    Adult x;
    auto rows = read_semicolon(std::string(CIVITAS_ADULT_DIR) + "/adult.csv");
    REQUIRE(rows.size() == 30163);
    const auto& h = rows[0];
    std::vector<std::size_t> qc;
    for (const auto& q : kQi) qc.push_back(static_cast<std::size_t>(std::find(h.begin(), h.end(), q) - h.begin()));
    const auto oc = static_cast<std::size_t>(std::find(h.begin(), h.end(), "occupation") - h.begin());
    FrequencyTableBuilder b(kQi, {"occupation"});
    for (std::size_t r = 1; r < rows.size(); ++r) {
      std::vector<std::string_view> qv;
      for (auto c : qc) qv.emplace_back(rows[r][c]);
      b.add(qv, {rows[r][oc]});
    }
    x.table = b.finish();
    for (std::size_t i = 0; i < kQi.size(); ++i)
      x.hier.push_back(Hierarchy::build("adult_hierarchy_" + kQi[i] + ".csv", CIVITAS_ADULT_DIR, x.table.qi_values[i], kQi[i]));
    x.occupation = Hierarchy::build("adult_hierarchy_occupation.csv", CIVITAS_ADULT_DIR, x.table.sensitive_values[0], "occupation");
    x.sens = {&x.occupation};
    return x;
  }();
  return a;
}

std::vector<std::uint32_t> levels_of(const char* s) {
  std::vector<std::uint32_t> v;
  for (const char* p = s; *p; ++p)
    if (*p >= '0' && *p <= '9') v.push_back(static_cast<std::uint32_t>(*p - '0'));
  return v;
}

void expect_arx(const Privacy& p, const char* levels, double loss, std::uint64_t classes) {
  const Adult& a = adult();
  const SearchResult r = search(a.table, a.hier, a.sens, p);
  REQUIRE(r.found);
  CHECK(r.levels == levels_of(levels));
  CHECK(std::fabs(r.measures.entropy - loss) < 1e-4);
  CHECK(r.classes == classes);
  CHECK(r.suppressed == 0);
  CHECK(r.lattice == 4320);
  MESSAGE("checks: " << r.checks);
}

}  // namespace

TEST_CASE("adult: the table and the lattice") {
  const Adult& a = adult();
  CHECK(a.table.rows() == 12458);
  CHECK(a.table.total() == 30162);
  std::uint64_t n = 1;
  for (const auto& h : a.hier) n *= h.levels();
  CHECK(n == 4320);
}

TEST_CASE("adult: ARX's optimum for k-anonymity") {
  Privacy p;
  p.k = 2;
  expect_arx(p, "4,0,1,2,1,1,0,2", 310529.6514, 64);
  p.k = 5;
  expect_arx(p, "1,3,1,2,1,1,1,2", 324620.5270, 30);
  p.k = 10;
  expect_arx(p, "1,3,1,2,1,1,1,2", 324620.5270, 30);
}

TEST_CASE("adult: evaluate the top and the bottom") {
  const Adult& a = adult();
  Privacy p;
  p.k = 2;
  bool anon = false;
  const SearchResult top = evaluate(a.table, a.hier, a.sens, p, levels_of("4,3,2,2,1,1,1,2"), &anon);
  CHECK(anon);
  CHECK(top.classes == 1);
  const SearchResult bottom = evaluate(a.table, a.hier, a.sens, p, levels_of("0,0,0,0,0,0,0,0"), &anon);
  CHECK(!anon);
  CHECK(bottom.suppressed > 0);
}

TEST_CASE("adult: ARX's optimum for l-diversity on occupation") {
  Privacy p;
  p.l = LDiversity{LVariant::recursive, 3, 4};
  expect_arx(p, "1,3,1,2,1,1,1,2", 324620.5270, 30);
  p.l = LDiversity{LVariant::distinct, 3, 1};
  expect_arx(p, "1,3,1,2,1,1,1,2", 324620.5270, 30);
  p.l = LDiversity{LVariant::entropy, 3, 1};
  expect_arx(p, "1,3,1,2,1,1,1,2", 324620.5270, 30);
}

TEST_CASE("adult: ARX's optimum for 0.2-closeness on occupation") {
  Privacy p;
  p.t = TCloseness{0.2, TDistance::equal};
  expect_arx(p, "4,3,1,2,1,1,1,2", 425817.7143, 2);
  p.t = TCloseness{0.2, TDistance::hierarchical};
  expect_arx(p, "4,3,1,2,1,1,0,2", 398400.0742, 4);
}

namespace {

// A smaller problem: the first `n` records of Adult with some of its quasi-identifiers.
struct Small {
  FrequencyTable table;
  std::vector<Hierarchy> hier;
  Hierarchy occupation;
  std::vector<const Hierarchy*> sens;
};

Small small(std::size_t n, const std::vector<std::string>& qi) {
  Small s;
  auto rows = read_semicolon(std::string(CIVITAS_ADULT_DIR) + "/adult.csv");
  const auto& h = rows[0];
  std::vector<std::size_t> qc;
  for (const auto& q : qi) qc.push_back(static_cast<std::size_t>(std::find(h.begin(), h.end(), q) - h.begin()));
  const auto oc = static_cast<std::size_t>(std::find(h.begin(), h.end(), "occupation") - h.begin());
  FrequencyTableBuilder b(qi, {"occupation"});
  for (std::size_t r = 1; r <= n && r < rows.size(); ++r) {
    std::vector<std::string_view> qv;
    for (auto c : qc) qv.emplace_back(rows[r][c]);
    b.add(qv, {rows[r][oc]});
  }
  s.table = b.finish();
  for (std::size_t i = 0; i < qi.size(); ++i)
    s.hier.push_back(Hierarchy::build("adult_hierarchy_" + qi[i] + ".csv", CIVITAS_ADULT_DIR, s.table.qi_values[i], qi[i]));
  s.occupation = Hierarchy::build("adult_hierarchy_occupation.csv", CIVITAS_ADULT_DIR, s.table.sensitive_values[0], "occupation");
  s.sens = {&s.occupation};
  return s;
}

// The best anonymous transformation by evaluating every node of the lattice.
double brute_force(const Small& s, const Privacy& p, std::vector<std::uint32_t>* best_levels) {
  std::vector<std::uint32_t> lv(s.hier.size(), 0);
  double best = INFINITY;
  while (true) {
    bool anon = false;
    const SearchResult r = evaluate(s.table, s.hier, s.sens, p, lv, &anon);
    double loss = p.measure == Measure::entropy ? r.measures.entropy
                : p.measure == Measure::discernibility ? r.measures.discernibility
                : p.measure == Measure::aecs ? r.measures.aecs : r.measures.loss;
    if (anon && (!std::isfinite(best) || loss < best - 1e-9 * std::max(1.0, std::fabs(best)))) {
      best = loss;
      *best_levels = lv;
    }
    std::size_t k = lv.size();
    while (k-- > 0) {
      if (++lv[k] < s.hier[k].levels()) break;
      lv[k] = 0;
    }
    if (k == static_cast<std::size_t>(-1)) break;
  }
  return best;
}

double measure_of(const SearchResult& r, Measure m) {
  return m == Measure::entropy ? r.measures.entropy
       : m == Measure::discernibility ? r.measures.discernibility
       : m == Measure::aecs ? r.measures.aecs : r.measures.loss;
}

}  // namespace

TEST_CASE("search equals brute force over the lattice (suppression, every measure, every model)") {
  const Small s = small(3000, {"age", "education", "marital-status", "race", "sex"});
  std::vector<Privacy> models;
  for (double limit : {0.0, 0.01, 0.05}) {
    for (int kind = 0; kind < 5; ++kind) {
      Privacy p;
      p.suppression_limit = limit;
      if (kind == 0) p.k = 5;
      if (kind == 1) p.k = 10;
      if (kind == 2) p.l = LDiversity{LVariant::recursive, 3, 4};
      if (kind == 3) p.l = LDiversity{LVariant::entropy, 2, 1};
      if (kind == 4) p.t = TCloseness{0.3, TDistance::hierarchical};
      models.push_back(p);
    }
  }
  for (Privacy p : models) {
    for (Measure m : {Measure::entropy, Measure::discernibility, Measure::aecs, Measure::loss}) {
      p.measure = m;
      CAPTURE(p.to_json().dump());
      std::vector<std::uint32_t> bl;
      const double bf = brute_force(s, p, &bl);
      const SearchResult r = search(s.table, s.hier, s.sens, p);
      REQUIRE(r.found == std::isfinite(bf));
      if (!r.found) continue;
      const double got = measure_of(r, m);
      CHECK(std::fabs(got - bf) <= 1e-6 * std::max(1.0, bf));
      CHECK(r.suppressed <= static_cast<std::uint64_t>(std::floor(p.suppression_limit * 3000)));
      // k holds on the released records
      if (!r.class_sizes.empty()) CHECK(r.class_sizes.front().first >= p.k);
    }
  }
}

TEST_CASE("adult with a 1 % suppression limit: the invariants") {
  const Adult& a = adult();
  Privacy p;
  p.k = 5;
  p.suppression_limit = 0.01;
  const SearchResult r = search(a.table, a.hier, a.sens, p);
  REQUIRE(r.found);
  CHECK(r.suppressed > 0);
  CHECK(r.suppressed <= 301);  // floor(0.01 × 30162), ARX's absolute limit
  CHECK(r.class_sizes.front().first >= 5);
  // better than the optimum without suppression (ARX's 324620.5270)
  CHECK(r.measures.entropy < 324620.5270);
  // and every other anonymous transformation in the lattice is no better
  bool anon = false;
  const SearchResult none = evaluate(a.table, a.hier, a.sens, p, levels_of("1,3,1,2,1,1,1,2"), &anon);
  CHECK(anon);
  CHECK(none.measures.entropy >= r.measures.entropy);
  MESSAGE("1 %: levels " << r.levels[0] << r.levels[1] << r.levels[2] << r.levels[3] << r.levels[4] << r.levels[5]
                          << r.levels[6] << r.levels[7] << " entropy " << r.measures.entropy << " suppressed " << r.suppressed
                          << " checks " << r.checks);
}

TEST_CASE("frequency tables: JSON round trip and checks") {
  const Small s = small(500, {"age", "sex"});
  const FrequencyTable back = FrequencyTable::from_json(s.table.to_json());
  CHECK(back.rows() == s.table.rows());
  CHECK(back.total() == 500);
  Privacy p;
  p.k = 3;
  p.l = LDiversity{LVariant::distinct, 2, 1};
  std::vector<Hierarchy> h;
  for (std::size_t i = 0; i < 2; ++i)
    h.push_back(Hierarchy::build("adult_hierarchy_" + back.qi_names[i] + ".csv", CIVITAS_ADULT_DIR, back.qi_values[i]));
  const SearchResult a = search(s.table, s.hier, s.sens, p);
  const SearchResult b = search(back, h, {nullptr}, p);
  CHECK(a.levels == b.levels);
  CHECK(a.measures.entropy == doctest::Approx(b.measures.entropy));
  FrequencyTable broken = s.table;
  broken.weights[0] = 0;
  CHECK_THROWS_AS(broken.check(), Error);
  CHECK_THROWS_AS(FrequencyTable::from_json(nlohmann::json::parse(R"({"quasi_identifiers":["a"],"rows":[{"qi":[1],"count":1}]})")), Error);
}
