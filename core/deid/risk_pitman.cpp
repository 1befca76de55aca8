// Pitman's model of population uniqueness (Hoshino 2001, "Applying Pitman's sampling formula
// to microdata disclosure risk assessment"; ARX's RiskModelPopulationUniqueness uses it): the
// class-size histogram of the sample is fitted to the Pitman (two-parameter
// Poisson-Dirichlet) sampling formula by maximum likelihood, and the number of population
// uniques is its expectation Gamma(theta+1)/Gamma(theta+alpha) * N^alpha.
//
// Log-likelihood of a sample of n records in u classes, f_j classes of size j:
//   L = sum_{i=1}^{u-1} log(theta + i alpha) - sum_{i=1}^{n-1} log(theta + i)
//       + sum_j f_j sum_{k=1}^{j-1} log(k - alpha)
// Every sum has a closed form in log-gamma, digamma and trigamma, so one evaluation costs
// O(distinct class sizes). Maximised by Newton's method with a backtracking line search that
// keeps alpha in (0, 1) and theta >= 0 (as ARX constrains it).
#include "risk_pitman.hpp"

#include <cmath>
#include <limits>

namespace civitas::deid {

double digamma(double x) {
  double r = 0;
  while (x < 8) {
    r -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

double trigamma(double x) {
  double r = 0;
  while (x < 8) {
    r += 1 / (x * x);
    x += 1;
  }
  const double f = 1 / (x * x);
  return r + 1 / x + f / 2 +
         (f / x) * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66)))));
}

namespace {

struct Fit {
  const ClassSizes& h;
  double n = 0, u = 0;

  bool valid(double t, double a) const { return a > 1e-12 && a < 1 - 1e-12 && t >= 0 && std::isfinite(t); }

  double loglik(double t, double a) const {
    const double ta = t / a;
    double l = (u - 1) * std::log(a) + std::lgamma(ta + u) - std::lgamma(ta + 1);
    l -= std::lgamma(t + n) - std::lgamma(t + 1);
    const double base = std::lgamma(1 - a);
    for (const auto& sc : h)
      if (sc.first > 1) l += static_cast<double>(sc.second) * (std::lgamma(static_cast<double>(sc.first) - a) - base);
    return l;
  }

  // Gradient (gt, ga) and Hessian (htt, hta, haa).
  void derive(double t, double a, double& gt, double& ga, double& htt, double& hta, double& haa) const {
    const double ta = t / a;
    const double A = (digamma(ta + u) - digamma(ta + 1)) / a;          // sum 1/(t+ia)
    const double A2 = (trigamma(ta + 1) - trigamma(ta + u)) / (a * a);  // sum 1/(t+ia)^2
    const double B = ((u - 1) - t * A) / a;                             // sum i/(t+ia)
    const double B2 = (A - t * A2) / a;                                 // sum i/(t+ia)^2
    const double C2i = (B - t * B2) / a;                                // sum i^2/(t+ia)^2
    const double N1 = digamma(t + n) - digamma(t + 1);
    const double N2 = trigamma(t + 1) - trigamma(t + n);
    double C1 = 0, C2 = 0;
    const double d0 = digamma(1 - a), t0 = trigamma(1 - a);
    for (const auto& sc : h) {
      if (sc.first < 2) continue;
      const double j = static_cast<double>(sc.first), f = static_cast<double>(sc.second);
      C1 += f * (digamma(j - a) - d0);
      C2 += f * (t0 - trigamma(j - a));
    }
    gt = A - N1;
    ga = B - C1;
    htt = N2 - A2;
    hta = -B2;
    haa = -C2i - C2;
  }
};

}  // namespace

PitmanEstimate pitman_uniques(const ClassSizes& hist, double population) {
  PitmanEstimate out;
  Fit fit{hist};
  double c1 = 0, c2 = 0;
  for (const auto& sc : hist) {
    fit.u += static_cast<double>(sc.second);
    fit.n += static_cast<double>(sc.first) * static_cast<double>(sc.second);
    if (sc.first == 1) c1 = static_cast<double>(sc.second);
    if (sc.first == 2) c2 = static_cast<double>(sc.second);
  }
  const double n = fit.n, u = fit.u;
  if (c1 == 0 || u < 2 || n < 2 || c1 >= n) return out;  // no uniques, or nothing to fit

  // Starting point: Hoshino's moment estimates from the numbers of classes of sizes 1 and 2.
  const double c = c1 * (c1 - 1) / (c2 != 0 ? c2 : 1);
  double t = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c);
  double a = (t * (c1 - n) + (n - 1) * c1) / (n * u);
  if (!fit.valid(t, a)) {
    t = 1;
    a = 0.5;
  }
  double l = fit.loglik(t, a);
  bool done = false;
  for (int it = 0; it < 500 && !done; ++it) {
    double gt = 0, ga = 0, htt = 0, hta = 0, haa = 0;
    fit.derive(t, a, gt, ga, htt, hta, haa);
    if (!std::isfinite(gt) || !std::isfinite(ga)) return out;
    // Newton direction when the Hessian is negative definite, gradient ascent otherwise.
    double dt = 0, da = 0;
    const double det = htt * haa - hta * hta;
    if (htt < 0 && det > 0) {
      dt = -(haa * gt - hta * ga) / det;
      da = -(-hta * gt + htt * ga) / det;
    } else {
      const double g = std::sqrt(gt * gt + ga * ga);
      if (g == 0) break;
      dt = gt / g * std::max(1.0, t) * 0.1;
      da = ga / g * 0.01;
    }
    double step = 1;
    bool moved = false;
    for (int k = 0; k < 80; ++k, step /= 2) {
      double nt = t + step * dt, na = a + step * da;
      if (!fit.valid(nt, na)) continue;
      double nl = fit.loglik(nt, na);
      if (std::isfinite(nl) && nl >= l - 1e-12 * std::fabs(l)) {
        const double change = std::fabs(nt - t) / std::max(1.0, std::fabs(t)) + std::fabs(na - a);
        t = nt;
        a = na;
        l = nl;
        moved = true;
        if (change < 1e-12) done = true;
        break;
      }
    }
    if (!moved) done = true;  // no better point: at the maximum up to rounding
    if (t > 1e15) return out;   // the likelihood grows without bound: no finite estimate
  }
  // A maximum must have a (nearly) zero gradient, unless it sits on the theta = 0 boundary.
  double gt = 0, ga = 0, htt = 0, hta = 0, haa = 0;
  fit.derive(t, a, gt, ga, htt, hta, haa);
  const double scale = std::max(1.0, u);
  if (std::fabs(ga) > 1e-5 * scale || (t > 1e-9 && std::fabs(gt) * std::max(1.0, t) > 1e-5 * scale)) return out;
  const double uniques = std::exp(std::lgamma(t + 1) - std::lgamma(t + a) + a * std::log(population));
  if (!std::isfinite(uniques) || uniques < 0 || uniques > population) return out;
  out.converged = true;
  out.theta = t;
  out.alpha = a;
  out.uniques = uniques;
  return out;
}

}  // namespace civitas::deid
