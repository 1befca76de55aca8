// Population uniqueness with the Pitman model (internal to core/deid; docs/formats/deid-risk.md).
#pragma once

#include "civitas/deid.hpp"

namespace civitas::deid {

struct PitmanEstimate {
  bool converged = false;
  double theta = 0;
  double alpha = 0;
  double uniques = 0;  ///< estimated number of population uniques
};

/// Maximum-likelihood fit of the Pitman sampling formula to the class-size histogram and the
/// expected number of population uniques Gamma(theta+1)/Gamma(theta+alpha) * N^alpha.
PitmanEstimate pitman_uniques(const ClassSizes& hist, double population_size);

/// psi and psi' for x > 0 (exposed for tests).
double digamma(double x);
double trigamma(double x);

}  // namespace civitas::deid
