// civitas::deid — de-identification for open data (docs/deid.md): transforms, hierarchies,
// privacy models, the optimal search over weighted frequency tables, risk and utility,
// differential-privacy aggregates, reports. Formats: docs/formats/deid-spec.md,
// docs/formats/deid-report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/error.hpp"

namespace civitas::deid {

// ==== spec, hierarchies, frequency tables, privacy models, search, measures ====


// ==== end of search section ====




// ==== field transforms, risk measures, reports (JSON, HTML) ====


// ==== end of transforms/risk section ====




// ==== differential privacy (discrete noise, bounded contributions, aggregates) ====

// Mechanisms and their parameters: docs/dp.md. Every noise value is an integer drawn by exact
// rational arithmetic from uniformly random bits (Canonne, Kamath, Steinke 2020); no
// floating-point sampling anywhere.

/// Random bits for the samplers: libsodium's randombytes_buf (the default), or a ChaCha20
/// stream under a 32-byte seed (reproducible; for tests only). Not thread-safe: one per thread.
class DpRandom {
 public:
  DpRandom();
  explicit DpRandom(const std::uint8_t (&seed)[32]);
  ~DpRandom();
  DpRandom(const DpRandom&) = delete;
  DpRandom& operator=(const DpRandom&) = delete;
  std::uint64_t next64();
  /// Uniform in [0, n) by rejection (no modulo bias); n > 0.
  std::uint64_t uniform(std::uint64_t n);

 private:
  void refill();
  bool seeded_ = false;
  std::uint8_t key_[32] = {};
  std::uint64_t counter_ = 0;
  std::uint8_t buf_[512] = {};
  std::size_t pos_ = sizeof buf_;
};

/// A non-negative rational number num/den (den > 0).
struct Rational {
  std::uint64_t num = 0;
  std::uint64_t den = 1;
};

/// Bernoulli(p), p = num/den in [0, 1]. Error(invalid_argument) otherwise.
bool dp_bernoulli(DpRandom& rng, Rational p);
/// Bernoulli(exp(-gamma)), gamma >= 0 (CKS 2020, Algorithm 1).
bool dp_bernoulli_exp(DpRandom& rng, Rational gamma);
/// Discrete Laplace with scale b = num/den > 0: P[x] = (1-e^(-1/b))/(1+e^(-1/b)) e^(-|x|/b),
/// x in Z (CKS 2020, Algorithm 2). b at most 2^52 (Error(invalid_argument) above).
std::int64_t dp_discrete_laplace(DpRandom& rng, Rational scale);
/// Discrete Gaussian with parameter sigma^2 = num/den > 0: P[x] proportional to
/// e^(-x^2 / (2 sigma^2)), x in Z (CKS 2020, Algorithm 3).
std::int64_t dp_discrete_gaussian(DpRandom& rng, Rational sigma2);

/// A decimal text ("0.5", "1e-6", "-12.25") as an integer count of 10^-decimals, truncated
/// toward zero beyond that precision. Error(invalid_argument) naming `what` when it is not a
/// number or does not fit.
std::int64_t dp_parse_units(std::string_view text, int decimals, std::string_view what);
/// units * 10^-decimals as the shortest decimal text ("0.5", "12", "-3.25").
std::string dp_format_units(std::int64_t units, int decimals);
/// Privacy parameters are held exactly: epsilon in units of 1e-9, delta in units of 1e-18.
inline constexpr int kDpEpsilonDecimals = 9;
inline constexpr int kDpDeltaDecimals = 18;

/// rho for the discrete Gaussian from (epsilon, delta) by the zCDP conversion (Bun-Steinke
/// 2016, Proposition 1.3): the largest rho with rho + 2 sqrt(rho ln(1/delta)) <= epsilon.
double dp_rho(double epsilon, double delta);

enum class DpStatistic { count, sum, mean, histogram, quantiles };
enum class DpNoise { laplace, gaussian };
DpStatistic dp_statistic_from_name(std::string_view name);  ///< Error(invalid_argument)
const char* dp_statistic_name(DpStatistic s) noexcept;
const char* dp_noise_name(DpNoise n) noexcept;

/// One differentially private release: what to compute and its privacy parameters.
struct DpQuery {
  DpStatistic statistic = DpStatistic::count;
  std::string dataset;            ///< catalog resource code whose budget pays
  std::string column;             ///< the value column
  std::string by;                 ///< grouping column; empty: no grouping
  std::vector<std::string> groups;  ///< public group keys for `by`; empty: selected from the data (needs delta)
  std::string person;             ///< column identifying a person; empty: each row is a person
  std::string epsilon;            ///< decimal text, > 0
  std::string delta = "0";        ///< decimal text, in [0, 1)
  std::string lower, upper;       ///< --bounds LO,HI (decimal text; their decimals set the resolution)
  std::int64_t max_contributions = 1;  ///< rows per person kept, at most
  int bins = 10;                  ///< histogram: equal-width bins over [lower, upper]
  std::vector<std::string> quantiles{"0.25", "0.5", "0.75"};  ///< quantiles: each in [0, 1]
  /// "" = laplace without delta, gaussian with delta.
  std::string noise;

  /// Checks every parameter (Error(invalid_argument) naming it).
  void validate() const;
  /// The query as a JSON object text (recorded with the release and in its audit entry).
  std::string to_json() const;
};

/// A query from its JSON form (docs/dp.md, "Query JSON"): {"statistic", "dataset", "column",
/// "by", "groups", "person", "epsilon", "delta", "bounds": [LO, HI], "max_contributions",
/// "bins", "quantiles", "noise"}; numbers may be JSON numbers or decimal text. Unknown keys
/// and wrong types are Error(invalid_argument) naming the key; the query is then validated.
DpQuery dp_query_from_json(std::string_view json);

/// The rows of one release as the aggregation needs them: values parsed and clamped to the
/// bounds, in units of the bounds' resolution (10^-decimals).
class DpInput {
 public:
  explicit DpInput(const DpQuery& q);
  /// One row; `value` empty = missing (skipped by every statistic; `count` counts the rows
  /// with a value). `person` is ignored when the query has none, `group` when it has no `by`.
  /// Error(invalid_data) with Location{row, field} for a value that is not a number.
  void add(std::string_view value, std::string_view person, std::string_view group, std::uint64_t row);
  std::size_t rows() const noexcept { return value.size(); }

  int decimals = 0;             ///< resolution of the values: 10^-decimals
  std::int64_t lo = 0, hi = 0;  ///< bounds in units
  std::vector<std::int64_t> value;   ///< clamped, in units
  std::vector<std::uint8_t> present;  ///< 0: missing value
  std::vector<std::string> person;   ///< empty when each row is a person
  std::vector<std::string> group;    ///< empty without `by`

 private:
  std::string column_;
  bool by_ = false, persons_ = false, numeric_ = true;
};

/// Reads the columns a query needs from a CSV file (header row; delimiter; encoding as
/// schema::Dialect). Error(not_found) naming a missing column, Error(parse) for bad CSV.
DpInput dp_read_csv(const DpQuery& q, const std::string& path, char delimiter = ',',
                    const std::string& encoding = "utf-8");

/// A release: noisy values only (no true count, no number of rows dropped or clamped).
struct DpRelease {
  std::string json;                ///< the result document (docs/dp.md, "Output")
  std::int64_t epsilon_units = 0;  ///< epsilon spent (1e-9)
  std::int64_t delta_units = 0;    ///< delta spent (1e-18)
};

/// Validates the query, bounds contributions, adds the noise and returns the release (nothing
/// is stored; Workspace::dp_release is the audited call that spends the budget).
DpRelease dp_compute(const DpQuery& q, const DpInput& in, DpRandom& rng);

/// The privacy budget of one dataset in a workspace (Workspace::dp_budget; table
/// deid_dp_budget, docs/formats/workspace.md). Amounts in units: epsilon 1e-9, delta 1e-18.
struct DpBudget {
  std::string dataset;
  std::int64_t epsilon_total = 0, delta_total = 0;
  std::int64_t epsilon_spent = 0, delta_spent = 0;
  std::int64_t releases = 0;  ///< releases paid from it
  std::int64_t updated = 0;   ///< Unix seconds of the last change of the total
  /// {"dataset", "epsilon": {"total", "spent", "remaining"}, "delta": {…}, "releases", "updated"}
  /// with the amounts as decimal text.
  std::string to_json() const;
};

// ==== end of differential-privacy section ====

}  // namespace civitas::deid
