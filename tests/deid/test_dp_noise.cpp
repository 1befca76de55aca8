// The secure samplers of core/deid/dp_noise.cpp against their exact distributions: moments and
// chi-square on a fixed large sample from a seeded ChaCha20 stream (deterministic), with
// bounds loose enough for a correct sampler and far too tight for a wrong one.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <vector>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"

using namespace civitas;
using namespace civitas::deid;

namespace {

DpRandom seeded(std::uint8_t b) {
  std::uint8_t s[32];
  for (auto& x : s) x = b;
  return DpRandom(s);
}

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(const std::vector<std::int64_t>& v) {
  Moments m;
  for (auto x : v) m.mean += static_cast<double>(x);
  m.mean /= static_cast<double>(v.size());
  for (auto x : v) m.var += (static_cast<double>(x) - m.mean) * (static_cast<double>(x) - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

// chi-square of the sample against pmf over [-w, w] with both tails pooled into one cell
double chi_square(const std::vector<std::int64_t>& v, const std::map<std::int64_t, double>& pmf, std::int64_t w) {
  std::map<std::int64_t, double> obs;
  double tail = 0;
  for (auto x : v) {
    if (std::llabs(x) <= w) obs[x] += 1;
    else tail += 1;
  }
  const double n = static_cast<double>(v.size());
  double chi = 0, ptail = 1;
  for (std::int64_t x = -w; x <= w; ++x) {
    const double e = n * pmf.at(x);
    ptail -= pmf.at(x);
    chi += (obs[x] - e) * (obs[x] - e) / e;
  }
  if (ptail * n > 5) chi += (tail - ptail * n) * (tail - ptail * n) / (ptail * n);
  return chi;
}

std::map<std::int64_t, double> laplace_pmf(double b, std::int64_t w) {
  const double q = std::exp(-1 / b);
  std::map<std::int64_t, double> p;
  for (std::int64_t x = -w; x <= w; ++x) p[x] = (1 - q) / (1 + q) * std::pow(q, static_cast<double>(std::llabs(x)));
  return p;
}

std::map<std::int64_t, double> gaussian_pmf(double s2, std::int64_t w) {
  double z = 0;
  const auto far = static_cast<std::int64_t>(40 * std::sqrt(s2) + 40);
  for (std::int64_t x = -far; x <= far; ++x) z += std::exp(-static_cast<double>(x * x) / (2 * s2));
  std::map<std::int64_t, double> p;
  for (std::int64_t x = -w; x <= w; ++x) p[x] = std::exp(-static_cast<double>(x * x) / (2 * s2)) / z;
  return p;
}

double gaussian_var(double s2) {
  auto p = gaussian_pmf(s2, static_cast<std::int64_t>(40 * std::sqrt(s2) + 40));
  double v = 0;
  for (auto& [x, px] : p) v += static_cast<double>(x * x) * px;
  return v;
}

constexpr int kN = 200000;
// chi-square critical value for about 30-60 degrees of freedom at p = 1e-6: ~ 90-130
constexpr double kChiMax = 140;

}  // namespace

TEST_CASE("a seeded DpRandom is a reproducible stream; the default one is not") {
  auto a = seeded(7), b = seeded(7), c = seeded(8);
  std::uint64_t x = a.next64();
  CHECK(x == b.next64());
  CHECK(x != c.next64());
  DpRandom r1, r2;
  CHECK(r1.next64() != r2.next64());
}

TEST_CASE("uniform(n) covers [0, n) evenly and refuses n = 0") {
  auto r = seeded(1);
  std::vector<int> c(6, 0);
  for (int i = 0; i < 60000; ++i) c[r.uniform(6)]++;
  for (int k : c) CHECK(std::abs(k - 10000) < 500);
  CHECK_THROWS_AS(r.uniform(0), Error);
}

TEST_CASE("Bernoulli(p) and Bernoulli(exp(-gamma)) have the right frequency") {
  auto r = seeded(2);
  int ones = 0;
  for (int i = 0; i < kN; ++i) ones += dp_bernoulli(r, {1, 3});
  CHECK(std::fabs(ones / double(kN) - 1.0 / 3) < 5 * std::sqrt(2.0 / 9 / kN));
  for (Rational g : {Rational{0, 1}, Rational{1, 2}, Rational{1, 1}, Rational{5, 2}, Rational{7, 1}}) {
    const double p = std::exp(-double(g.num) / double(g.den));
    int k = 0;
    for (int i = 0; i < kN; ++i) k += dp_bernoulli_exp(r, g);
    INFO("gamma = " << g.num << "/" << g.den);
    CHECK(std::fabs(k / double(kN) - p) < 5 * std::sqrt(p * (1 - p) / kN) + 1e-9);
  }
}

TEST_CASE("sampler parameters out of range are refused") {
  auto r = seeded(3);
  CHECK_THROWS_AS(dp_bernoulli(r, {2, 1}), Error);
  CHECK_THROWS_AS(dp_bernoulli(r, {1, 0}), Error);
  CHECK_THROWS_AS(dp_bernoulli_exp(r, {1, 0}), Error);
  CHECK_THROWS_AS(dp_discrete_laplace(r, {0, 1}), Error);
  CHECK_THROWS_AS(dp_discrete_laplace(r, {1, 0}), Error);
  CHECK_THROWS_AS(dp_discrete_laplace(r, {~std::uint64_t{0}, 1}), Error);  // beyond 2^52
  CHECK_THROWS_AS(dp_discrete_gaussian(r, {0, 1}), Error);
  CHECK_THROWS_AS(dp_discrete_gaussian(r, {3, 0}), Error);
  try {
    (void)dp_discrete_laplace(r, {0, 1});
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_argument);
  }
}

TEST_CASE("discrete Laplace: mean 0, the exact variance 2q/(1-q)^2 and the exact pmf") {
  auto r = seeded(4);
  for (Rational b : {Rational{3, 1}, Rational{7, 2}, Rational{1, 4}}) {
    const double scale = double(b.num) / double(b.den);
    std::vector<std::int64_t> v(kN);
    for (auto& x : v) x = dp_discrete_laplace(r, b);
    const double q = std::exp(-1 / scale);
    const double var = 2 * q / ((1 - q) * (1 - q));
    Moments m = moments(v);
    INFO("scale = " << scale << " mean " << m.mean << " var " << m.var << " expected " << var);
    CHECK(std::fabs(m.mean) < 5 * std::sqrt(var / kN) + 1e-9);
    CHECK(std::fabs(m.var / var - 1) < 0.04);
    CHECK(chi_square(v, laplace_pmf(scale, 15), 15) < kChiMax);
  }
}

TEST_CASE("discrete Laplace with a wide scale (1e6) has its variance") {
  auto r = seeded(5);
  std::vector<std::int64_t> v(50000);
  for (auto& x : v) x = dp_discrete_laplace(r, {1000000, 1});
  const double var = 2e12;  // 2 b^2 for a large b
  CHECK(std::fabs(moments(v).var / var - 1) < 0.06);
}

TEST_CASE("discrete Gaussian: mean 0, its exact variance and pmf, also for rational sigma^2") {
  auto r = seeded(6);
  for (Rational s : {Rational{4, 1}, Rational{25, 2}, Rational{1, 4}, Rational{1000, 1}}) {
    const double s2 = double(s.num) / double(s.den);
    std::vector<std::int64_t> v(kN);
    for (auto& x : v) x = dp_discrete_gaussian(r, s);
    const double var = gaussian_var(s2);
    Moments m = moments(v);
    INFO("sigma^2 = " << s2 << " mean " << m.mean << " var " << m.var << " expected " << var);
    CHECK(std::fabs(m.mean) < 5 * std::sqrt(var / kN) + 1e-9);
    CHECK(std::fabs(m.var / var - 1) < 0.04);
    const auto w = static_cast<std::int64_t>(std::min(3 * std::sqrt(s2) + 1, 30.0));
    CHECK(chi_square(v, gaussian_pmf(s2, w), w) < kChiMax);
  }
}

TEST_CASE("a Laplace sample is not a Gaussian one: the chi-square tells them apart") {
  auto r = seeded(9);
  std::vector<std::int64_t> v(kN);
  for (auto& x : v) x = dp_discrete_laplace(r, {2, 1});
  // same variance (about 8) as the Laplace with scale 2: the test must still reject it
  CHECK(chi_square(v, gaussian_pmf(7.6, 12), 12) > 1000);
}

TEST_CASE("the default randomness (libsodium randombytes) gives the same distribution") {
  DpRandom r;
  std::vector<std::int64_t> v(50000);
  for (auto& x : v) x = dp_discrete_laplace(r, {2, 1});
  const double q = std::exp(-0.5), var = 2 * q / ((1 - q) * (1 - q));
  CHECK(std::fabs(moments(v).var / var - 1) < 0.1);
}

TEST_CASE("rho from (epsilon, delta) satisfies rho + 2 sqrt(rho ln(1/delta)) = epsilon") {
  for (double e : {0.1, 1.0, 5.0})
    for (double d : {1e-5, 1e-9}) {
      const double rho = dp_rho(e, d);
      CHECK(std::fabs(rho + 2 * std::sqrt(rho * std::log(1 / d)) - e) < 1e-9);
    }
  CHECK_THROWS_AS(dp_rho(1, 0), Error);
  CHECK_THROWS_AS(dp_rho(0, 1e-5), Error);
}
