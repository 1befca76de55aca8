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
