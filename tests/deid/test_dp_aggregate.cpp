// Differentially private aggregates (core/deid/dp_aggregate.cpp, dp_params.cpp): exact
// parameters, refusals of bad parameters, contribution bounding, clamping, groups, and the
// error of each statistic against its true value (seeded randomness: deterministic).
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"

using namespace civitas;
using namespace civitas::deid;
using nlohmann::json;

namespace {

DpRandom seeded(std::uint8_t b) {
  std::uint8_t s[32];
  for (auto& x : s) x = b;
  return DpRandom(s);
}

DpQuery query(DpStatistic s, std::string eps = "1") {
  DpQuery q;
  q.statistic = s;
  q.dataset = "TEST";
  q.column = "v";
  q.epsilon = eps;
  q.lower = "0";
  q.upper = "100";
  q.max_contributions = 1;
  return q;
}

json run(const DpQuery& q, const DpInput& in, std::uint8_t seed = 1) {
  auto r = seeded(seed);
  return json::parse(dp_compute(q, in, r).json);
}

Code code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Code::ok;
}

}  // namespace

TEST_CASE("decimal parameters are exact: units, truncation, exponents, refusals") {
  CHECK(dp_parse_units("0.5", 9, "e") == 500000000);
  CHECK(dp_parse_units("0.3", 9, "e") == 300000000);
  CHECK(dp_parse_units("1e-6", 9, "e") == 1000);
  CHECK(dp_parse_units("-12.25", 2, "x") == -1225);
  CHECK(dp_parse_units("0.1234567891", 9, "e") == 123456789);
  CHECK(dp_parse_units(" 7 ", 0, "x") == 7);
  CHECK(dp_parse_units("1E2", 0, "x") == 100);
  CHECK(code_of([] { (void)dp_parse_units("abc", 9, "epsilon"); }) == Code::invalid_argument);
  CHECK(code_of([] { (void)dp_parse_units("1e400", 9, "epsilon"); }) == Code::invalid_argument);
  CHECK(code_of([] { (void)dp_parse_units("1.2.3", 9, "epsilon"); }) == Code::invalid_argument);
  CHECK(code_of([] { (void)dp_parse_units("", 9, "epsilon"); }) == Code::invalid_argument);
  CHECK(dp_format_units(1225, 2) == "12.25");
  CHECK(dp_format_units(-5, 2) == "-0.05");
  CHECK(dp_format_units(500000000, 9) == "0.5");
  CHECK(dp_format_units(3, 0) == "3");
}

TEST_CASE("bad parameters are refused with the parameter named") {
  auto expect = [](DpQuery q, const char* word) {
    try {
      q.validate();
      FAIL("accepted: " << word);
    } catch (const Error& e) {
      CHECK(e.code() == Code::invalid_argument);
      CHECK(std::string(e.what()).find(word) != std::string::npos);
    }
  };
  DpQuery q = query(DpStatistic::sum);
  q.validate();
  auto m = q;
  m.epsilon = "0";
  expect(m, "epsilon");
  m.epsilon = "-1";
  expect(m, "epsilon");
  m.epsilon = "many";
  expect(m, "epsilon");
  m = q;
  m.delta = "1";
  expect(m, "delta");
  m = q;
  m.noise = "gaussian";
  expect(m, "delta");
  m = q;
  m.lower = "5";
  m.upper = "5";
  expect(m, "bounds");
  m = q;
  m.upper.clear();
  expect(m, "bounds");
  m = q;
  m.max_contributions = 0;
  expect(m, "max-contributions");
  m = q;
  m.by = "g";
  expect(m, "by");  // groups from the data without delta
  m = q;
  m.groups = {"a"};
  expect(m, "groups");  // groups without by
  m = q;
  m.statistic = DpStatistic::quantiles;
  m.quantiles = {"1.5"};
  expect(m, "quantile");
  m = q;
  m.dataset.clear();
  expect(m, "dataset");
  m = q;
  m.lower = "0.0000001";
  expect(m, "bounds");
  // count needs no bounds
  DpQuery c = query(DpStatistic::count);
  c.lower.clear();
  c.upper.clear();
  c.validate();
}

TEST_CASE("a value that is not a number is an error naming its row and column") {
  DpQuery q = query(DpStatistic::sum);
  DpInput in(q);
  in.add("3", {}, {}, 2);
  try {
    in.add("three", {}, {}, 3);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
    CHECK(e.where().row == 3u);
    CHECK(e.where().field == std::string("v"));
  }
}

TEST_CASE("count: unbiased, with the error of a discrete Laplace of scale N / epsilon") {
  DpQuery q = query(DpStatistic::count);
  DpInput in(q);
  for (int i = 0; i < 500; ++i) in.add("1", {}, {}, i + 2);
  in.add("", {}, {}, 600);  // a missing value is not counted
  double sum = 0, mae = 0;
  const int runs = 400;
  for (int i = 0; i < runs; ++i) {
    json r = run(q, in, static_cast<std::uint8_t>(i));
    const double e = r["value"].get<double>() - 500;
    sum += e;
    mae += std::fabs(e);
  }
  // E|DLap(1)| = 2q/(1-q^2) with q = e^-1: 0.85
  CHECK(std::fabs(sum / runs) < 0.3);
  CHECK(mae / runs > 0.6);
  CHECK(mae / runs < 1.1);
  json r = run(q, in);
  CHECK(r["noise"] == "laplace");
  CHECK(r["mechanisms"][0]["scale"].get<double>() == doctest::Approx(1.0));
  CHECK_FALSE(r.contains("rows"));  // no true count is released
}

TEST_CASE("contribution bounding: a person's extra rows are dropped before the noise") {
  DpQuery q = query(DpStatistic::count, "50");
  q.person = "p";
  DpInput in(q);
  for (int i = 0; i < 1000; ++i) in.add("1", "heavy", {}, i + 2);
  for (int i = 0; i < 100; ++i) in.add("1", "p" + std::to_string(i), {}, i + 2000);
  json r = run(q, in);
  CHECK(std::fabs(r["value"].get<double>() - 101) <= 2);
  q.max_contributions = 3;
  json r3 = run(q, in);
  CHECK(std::fabs(r3["value"].get<double>() - 103) <= 4);
  CHECK(r3["mechanisms"][0]["sensitivity"].get<double>() == 3);
}

TEST_CASE("sum and mean clamp values to the bounds; the resolution is that of the bounds") {
  DpQuery q = query(DpStatistic::sum, "100");
  q.lower = "0.0";
  q.upper = "10.0";
  DpInput in(q);
  for (int i = 0; i < 100; ++i) in.add("1e9", {}, {}, i + 2);   // clamped to 10
  for (int i = 0; i < 100; ++i) in.add("-5", {}, {}, i + 200);  // clamped to 0
  in.add("2.25", {}, {}, 400);                                  // 2.2 at resolution 0.1
  json r = run(q, in);
  CHECK(r["resolution"].get<double>() == doctest::Approx(0.1));
  CHECK(std::fabs(r["value"].get<double>() - 1002.2) < 2);
  q.statistic = DpStatistic::mean;
  json m = run(q, in);
  CHECK(std::fabs(m["value"].get<double>() - 1002.2 / 201) < 0.2);
  CHECK(m["mechanisms"].size() == 2);
}

TEST_CASE("mean: the error shrinks as epsilon grows, and the result stays in the bounds") {
  DpQuery q = query(DpStatistic::mean);
  DpInput in(q);
  for (int i = 0; i < 1000; ++i) in.add(std::to_string(i % 101), {}, {}, i + 2);
  double err_small = 0, err_large = 0;
  for (int i = 0; i < 100; ++i) {
    q.epsilon = "0.01";
    json a = run(q, in, static_cast<std::uint8_t>(i));
    CHECK(a["value"].get<double>() >= 0);
    CHECK(a["value"].get<double>() <= 100);
    err_small += std::fabs(a["value"].get<double>() - 49.95);
    q.epsilon = "1";
    err_large += std::fabs(run(q, in, static_cast<std::uint8_t>(i))["value"].get<double>() - 49.95);
  }
  CHECK(err_large / 100 < 0.5);
  CHECK(err_small > 5 * err_large);
}

TEST_CASE("histogram: fixed bins over the bounds, each count noisy") {
  DpQuery q = query(DpStatistic::histogram, "100");
  q.bins = 4;
  DpInput in(q);
  for (int i = 0; i < 400; ++i) in.add(std::to_string(i % 100), {}, {}, i + 2);
  in.add("100", {}, {}, 999);  // the upper bound goes into the last bin
  json r = run(q, in);
  REQUIRE(r["bins"].size() == 4);
  CHECK(r["bins"][0]["lower"] == 0);
  CHECK(r["bins"][3]["upper"] == 100);
  CHECK(std::fabs(r["bins"][0]["count"].get<double>() - 100) <= 2);
  CHECK(std::fabs(r["bins"][3]["count"].get<double>() - 101) <= 2);
}

TEST_CASE("quantiles: a noisy binary search close to the true quantiles") {
  DpQuery q = query(DpStatistic::quantiles, "10");
  q.upper = "1000";
  q.quantiles = {"0.1", "0.5", "0.9"};
  DpInput in(q);
  for (int i = 0; i < 10000; ++i) in.add(std::to_string(i % 1000), {}, {}, i + 2);
  json r = run(q, in);
  REQUIRE(r["quantiles"].size() == 3);
  CHECK(std::fabs(r["quantiles"][0]["value"].get<double>() - 100) < 15);
  CHECK(std::fabs(r["quantiles"][1]["value"].get<double>() - 500) < 15);
  CHECK(std::fabs(r["quantiles"][2]["value"].get<double>() - 900) < 15);
  // 3 quantiles x 10 steps share epsilon
  CHECK(r["mechanisms"][0]["count"] == 30);
}

TEST_CASE("groups: public keys are all released, in order; other keys are ignored") {
  DpQuery q = query(DpStatistic::count, "50");
  q.by = "g";
  q.groups = {"b", "a", "empty"};
  DpInput in(q);
  for (int i = 0; i < 30; ++i) in.add("1", {}, i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "other", i + 2);
  json r = run(q, in);
  REQUIRE(r["groups"].size() == 3);
  CHECK(r["groups"][0]["key"] == "b");
  CHECK(r["groups"][2]["key"] == "empty");
  CHECK(std::fabs(r["groups"][0]["value"].get<double>() - 10) <= 2);
  CHECK(std::fabs(r["groups"][2]["value"].get<double>()) <= 2);
  CHECK_FALSE(r.contains("value"));
}

TEST_CASE("groups from the data: a group of one person is not released, a large one is") {
  DpQuery q = query(DpStatistic::count, "1");
  q.by = "g";
  q.delta = "1e-6";
  q.noise = "laplace";
  DpInput in(q);
  for (int i = 0; i < 500; ++i) in.add("1", {}, "big", i + 2);
  in.add("1", {}, "alone", 600);
  json r = run(q, in);
  REQUIRE(r["groups"].size() == 1);
  CHECK(r["groups"][0]["key"] == "big");
  CHECK(r["group_selection"]["threshold"].get<double>() > 20);
}

TEST_CASE("Gaussian noise: its variance is the sigma^2 the release reports") {
  DpQuery q = query(DpStatistic::count);
  q.delta = "1e-5";
  DpInput in(q);
  for (int i = 0; i < 100; ++i) in.add("x", {}, {}, i + 2);
  double s2 = 0;
  const int runs = 2000;
  double sigma = 0;
  for (int i = 0; i < runs; ++i) {
    auto r = seeded(static_cast<std::uint8_t>(i % 256));
    for (int k = 0; k < i / 256; ++k) (void)r.next64();
    json j = json::parse(dp_compute(q, in, r).json);
    sigma = j["mechanisms"][0]["sigma"].get<double>();
    const double e = j["value"].get<double>() - 100;
    s2 += e * e;
  }
  CHECK(sigma == doctest::Approx(std::sqrt(1 / (2 * dp_rho(1, 1e-5)))).epsilon(1e-6));
  CHECK(std::fabs(s2 / runs / (sigma * sigma) - 1) < 0.15);
}

TEST_CASE("dp_read_csv reads the named columns and names a missing one") {
  const std::string path = std::string(CIVITAS_BINARY_DIR) + "/dp_read_test.csv";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("id,income,district\n1,10,a\n1,20,a\n2,,b\n3,30,b\n", f);
    std::fclose(f);
  }
  DpQuery q = query(DpStatistic::sum, "100");
  q.column = "income";
  q.person = "id";
  q.by = "district";
  q.groups = {"a", "b"};
  DpInput in = dp_read_csv(q, path);
  CHECK(in.rows() == 4);
  CHECK(in.present[2] == 0);
  json r = run(q, in);
  // person 1 keeps one of its two rows (10 or 20)
  const double a = r["groups"][0]["value"].get<double>();
  CHECK((std::fabs(a - 10) < 3 || std::fabs(a - 20) < 3));
  CHECK(std::fabs(r["groups"][1]["value"].get<double>() - 30) < 3);
  q.column = "salary";
  CHECK(code_of([&] { (void)dp_read_csv(q, path); }) == Code::not_found);
}

TEST_CASE("an input read for other bounds is refused; values outside the bounds are clamped anyway") {
  DpQuery q = query(DpStatistic::sum, "100");
  DpInput in(q);
  in.add("50", {}, {}, 2);
  DpQuery other = q;
  other.upper = "10";
  auto r = seeded(3);
  CHECK(code_of([&] { (void)dp_compute(other, in, r); }) == Code::invalid_argument);
  in.value[0] = 1'000'000;  // a caller writing past the bounds
  CHECK(std::fabs(run(q, in)["value"].get<double>() - 100) < 3);
}
