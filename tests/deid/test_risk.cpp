// Risk measures (docs/formats/deid-risk.md) against hand-computed values and ARX's definitions.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"
#include "common/fixtures.hpp"
#include "deid/risk_pitman.hpp"

using namespace civitas;
using namespace civitas::deid;
using civitas::test::code_of;

TEST_CASE("class sizes become a histogram; equivalence classes of columns are counted") {
  CHECK(class_size_histogram({3, 1, 1, 5, 0, 3}) == ClassSizes{{1, 2}, {3, 2}, {5, 1}});
  std::vector<std::string> a{"x", "x", "y", "x,y", "x"};
  std::vector<std::string> b{"1", "1", "1", "", ",y1"};
  auto s = equivalence_class_sizes({&a, &b});
  CHECK(s == std::vector<std::uint64_t>{2, 1, 1, 1});  // (x,1)x2, (y,1), (x,y|""), (x|",y1")
  std::vector<std::string> c{"1"};
  CHECK(code_of([&] { equivalence_class_sizes({&a, &c}); }) == Code::invalid_argument);
}

TEST_CASE("prosecutor, journalist and marketer risk of a hand-computed example") {
  // Classes of sizes 1, 1, 2, 3, 5: 12 records, 5 classes.
  RiskOptions o;
  o.threshold = 0.25;  // at risk: classes of size < 4 -> 1 + 1 + 2 + 3 = 7 records
  o.model = "none";
  Risk r = measure_risk(class_size_histogram({1, 1, 2, 3, 5}), o);
  CHECK(r.records == 12);
  CHECK(r.classes == 5);
  CHECK(r.prosecutor.max == 1.0);
  CHECK(r.prosecutor.min == doctest::Approx(0.2));
  CHECK(r.prosecutor.average == doctest::Approx(5.0 / 12));
  CHECK(r.prosecutor.records_at_risk == 7);
  CHECK(r.prosecutor.records_at_risk_share == doctest::Approx(7.0 / 12));
  CHECK(r.journalist.max == r.prosecutor.max);
  CHECK(r.journalist.average == r.prosecutor.average);
  CHECK(r.marketer == doctest::Approx(5.0 / 12));
  CHECK(r.sample_uniques == 2);
  // 1/size > threshold is strict (ARX): classes of size 4 are not at risk at 0.25.
  o.threshold = 0.25;
  CHECK(measure_risk(ClassSizes{{4, 3}}, o).prosecutor.records_at_risk == 0);
  o.threshold = 0.2;
  CHECK(measure_risk(ClassSizes{{4, 3}}, o).prosecutor.records_at_risk == 12);
}

TEST_CASE("journalist and marketer risk with population class sizes (ARX's formulas)") {
  RiskOptions o;
  o.threshold = 0.1;
  o.model = "none";
  // Sample classes 1, 2, 2 drawn from population classes 4, 10, 5.
  Risk r = measure_risk({1, 2, 2}, {4, 10, 5}, o);
  CHECK(r.prosecutor.max == 1.0);
  CHECK(r.journalist.max == doctest::Approx(0.25));
  CHECK(r.journalist.min == doctest::Approx(0.1));
  CHECK(r.journalist.records_at_risk == 3);  // 1/4 and 1/5 > 0.1; 1/10 is not
  // marketer = (1/4 + 2/10 + 2/5) / 5 = 0.17; journalist average = max(3/19, 0.17)
  CHECK(r.marketer == doctest::Approx(0.17));
  CHECK(r.journalist.average == doctest::Approx(0.17));
  CHECK(code_of([&] { measure_risk({2}, {1}, o); }) == Code::invalid_argument);
  CHECK(code_of([&] { measure_risk({2, 1}, {3}, o); }) == Code::invalid_argument);
}

TEST_CASE("bad options and bad histograms are refused; empty input is zero risk") {
  RiskOptions o;
  o.threshold = 1.5;
  CHECK(code_of([&] { measure_risk(ClassSizes{{1, 1}}, o); }) == Code::invalid_argument);
  RiskOptions m;
  m.model = "snb2";
  CHECK(code_of([&] { measure_risk(ClassSizes{{1, 1}}, m); }) == Code::invalid_argument);
  RiskOptions f;
  f.sampling_fraction = 0;
  CHECK(code_of([&] { measure_risk(ClassSizes{{1, 1}}, f); }) == Code::invalid_argument);
  RiskOptions p;
  p.population_size = 3;
  CHECK(code_of([&] { measure_risk(ClassSizes{{5, 1}}, p); }) == Code::invalid_argument);
  CHECK(code_of([] { measure_risk(ClassSizes{{0, 1}}); }) == Code::invalid_argument);
  CHECK(code_of([] { measure_risk(ClassSizes{{UINT64_MAX, 3}}); }) == Code::invalid_argument);
  CHECK(code_of([] { class_sizes_from_json(nlohmann::json::parse("[[1,2],[1,3]]")); }) == Code::invalid_argument);
  CHECK(code_of([] { class_sizes_from_json(nlohmann::json::parse("[[1,-2]]")); }) == Code::invalid_argument);
  Risk z = measure_risk(ClassSizes{});
  CHECK(z.records == 0);
  CHECK(z.prosecutor.max == 0);
  CHECK(z.population_uniques.estimate == 0);
}

TEST_CASE("digamma and trigamma match known values") {
  CHECK(digamma(1) == doctest::Approx(-0.5772156649015329).epsilon(1e-12));
  CHECK(digamma(0.5) == doctest::Approx(-1.9635100260214235).epsilon(1e-12));
  CHECK(digamma(10) == doctest::Approx(2.251752589066721).epsilon(1e-12));
  CHECK(trigamma(1) == doctest::Approx(1.6449340668482264).epsilon(1e-12));
  CHECK(trigamma(0.5) == doctest::Approx(4.934802200544679).epsilon(1e-12));
  CHECK(trigamma(20) == doctest::Approx(0.051270822935203).epsilon(1e-10));
}

TEST_CASE("the Pitman fit is a maximum of the likelihood and gives a plausible count") {
  // 900 records: 300 uniques, 100 classes of 2, 50 of 4, 25 of 8.
  ClassSizes h{{1, 300}, {2, 100}, {4, 50}, {8, 25}};
  auto e = pitman_uniques(h, 100000);
  REQUIRE(e.converged);
  CHECK(e.alpha > 0);
  CHECK(e.alpha < 1);
  // The log-likelihood is not larger at nearby points.
  auto L = [&](double t, double a) {
    double n = 900, u = 475;
    double l = 0;
    for (int i = 1; i < u; ++i) l += std::log(t + i * a);
    for (int i = 1; i < n; ++i) l -= std::log(t + i);
    for (const auto& sc : h)
      for (std::uint64_t k = 1; k < sc.first; ++k) l += static_cast<double>(sc.second) * std::log(k - a);
    return l;
  };
  const double l0 = L(e.theta, e.alpha);
  for (double dt : {-0.01, 0.0, 0.01})
    for (double da : {-1e-3, 0.0, 1e-3})
      if (e.theta * (1 + dt) >= 0) CHECK(L(e.theta * (1 + dt), e.alpha + da) <= l0 + 1e-9);
  // More population, more uniques; never more than the population.
  auto e2 = pitman_uniques(h, 1000000);
  CHECK(e2.uniques > e.uniques);
  CHECK(e.uniques < 100000);
  CHECK(e.uniques > 0);
  // No sample uniques: the model is not needed and the estimate is 0.
  RiskOptions o;
  Risk r = measure_risk(ClassSizes{{2, 10}}, o);
  CHECK(r.population_uniques.estimate == 0);
  CHECK(r.population_uniques.converged);
}

TEST_CASE("risk JSON has the report's keys") {
  RiskOptions o;
  o.sampling_fraction = 0.1;
  Risk r = measure_risk(ClassSizes{{1, 300}, {2, 100}, {4, 50}, {8, 25}}, o);
  auto j = risk_to_json(r);
  for (const char* k : {"prosecutor", "journalist"})
    for (const char* m : {"max", "average", "records_at_risk", "threshold"}) CHECK(j[k].contains(m));
  CHECK(j["marketer"].contains("average"));
  CHECK(j["sample_uniques"] == 300);
  CHECK(j["population_uniques"]["model"] == "pitman");
  CHECK(j["population_uniques"]["sampling_fraction"] == doctest::Approx(0.1));
  CHECK(j["population_uniques"]["population_size"] == doctest::Approx(9000));
  CHECK(j["population_uniques"]["estimate"].get<double>() > 0);
  CHECK(class_sizes_from_json(class_sizes_to_json(ClassSizes{{1, 2}, {3, 4}})) == ClassSizes{{1, 2}, {3, 4}});
}

TEST_CASE("risk of a CSV's quasi-identifiers; unknown column, unreadable file") {
  civitas::test::TempDir d("deid-risk");
  {
    std::ofstream f(d.file("p.csv"));
    f << "name,age,zip\nA,30,100\nB,30,100\nC,40,100\nD,40,200\n\"E,x\",40,200\n";
  }
  CsvRiskInput in;
  in.path = d.file("p.csv");
  in.qi = {"age", "zip"};
  RiskOptions o;
  o.threshold = 0.4;
  auto r = measure_csv_risk(in, o);
  CHECK(r.class_sizes == ClassSizes{{1, 1}, {2, 2}});
  CHECK(r.risk.records == 5);
  CHECK(r.risk.prosecutor.records_at_risk == 5);
  in.qi = {"age", "nope"};
  try {
    measure_csv_risk(in, o);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::not_found);
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
  }
  in.qi = {"age", "age"};
  CHECK(code_of([&] { measure_csv_risk(in, o); }) == Code::invalid_argument);
  in.qi = {"age"};
  in.path = d.file("missing.csv");
  CHECK(code_of([&] { measure_csv_risk(in, o); }) == Code::io);
}
