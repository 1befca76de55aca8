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
}  // namespace civitas::deid
// (This section's includes stay inside the section, so that the three sections merge apart.)
#include <memory>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace civitas::deid {

// ---- spec (docs/formats/deid-spec.md) ----

/// Roles as ARX names them.
enum class Role { identifier, quasi_identifier, sensitive, insensitive };
const char* role_name(Role r) noexcept;

/// One field of a spec: its role, its hierarchy (a file path, relative to the spec file, or
/// a built-in name), its action and the action's parameters (the whole field object).
struct FieldSpec {
  std::string name;
  Role role = Role::insensitive;
  std::string hierarchy;  ///< "" = none
  std::string action;     ///< "" = the role's default (identifier: drop; QI: generalize; else keep)
  nlohmann::json params;  ///< the field's object as written
  nlohmann::json action_json;  ///< its "action" as written (string or object; null = none)
};

enum class LVariant { distinct, entropy, recursive };
struct LDiversity {
  LVariant variant = LVariant::distinct;
  double l = 2;
  double c = 1;  ///< recursive only
};
enum class TDistance { equal, hierarchical };
struct TCloseness {
  double t = 0.2;
  TDistance distance = TDistance::equal;
};
enum class Measure { entropy, discernibility, aecs, loss };
enum class Recoding { global, local };
const char* measure_name(Measure m) noexcept;

struct Privacy {
  std::uint64_t k = 1;                  ///< 1 = no k-anonymity
  std::optional<LDiversity> l;          ///< applies to every sensitive field
  std::optional<TCloseness> t;          ///< applies to every sensitive field
  double suppression_limit = 0;         ///< fraction of records, [0, 1]
  Measure measure = Measure::entropy;
  Recoding recoding = Recoding::global;
  /// The normalised form used in reports (every key present, long forms).
  nlohmann::json to_json() const;
};

struct Spec {
  std::vector<FieldSpec> fields;  ///< in the order of the spec
  Privacy privacy;
  std::string base_dir;           ///< hierarchy paths are relative to it
  const FieldSpec* field(std::string_view name) const noexcept;
};

/// Parses a spec; Error(parse) for bad JSON, Error(invalid_argument) naming the JSON path
/// ("$.privacy.l.variant: …") for a document that breaks the format.
Spec parse_spec(std::string_view json_text, std::string base_dir = ".");
/// Reads and parses a spec file (hierarchy paths relative to its folder).
Spec load_spec_file(const std::string& path);

// ---- hierarchies ----

/// A generalisation hierarchy materialised for the distinct values of one column: value i
/// (an index into `values`) has at level L the label labels[L][of(L, i)]. Level 0 is the value.
class Hierarchy {
 public:
  /// Builds from a spec string (ARX file path or built-in: gb2260, date, interval:WIDTH,
  /// mask:ric, mask:uscc) for `values`; Error(invalid_data) when a value is missing from the
  /// file or does not fit the built-in, Error(parse) for an inconsistent file.
  static Hierarchy build(const std::string& spec, const std::string& base_dir,
                         const std::vector<std::string>& values, const std::string& field = "");
  /// From explicit rows (one per value, level 0 first), checked like a file.
  static Hierarchy from_rows(const std::vector<std::vector<std::string>>& rows,
                             const std::vector<std::string>& values, const std::string& label = "hierarchy");

  std::size_t levels() const noexcept { return labels_.size(); }  ///< height + 1
  std::size_t values() const noexcept { return map_.empty() ? 0 : map_[0].size(); }
  std::uint32_t of(std::size_t level, std::uint32_t value) const noexcept { return map_[level][value]; }
  const std::string& label(std::size_t level, std::uint32_t id) const noexcept { return labels_[level][id]; }
  std::size_t labels_at(std::size_t level) const noexcept { return labels_[level].size(); }
  const std::string& source() const noexcept { return source_; }

 private:
  std::vector<std::vector<std::uint32_t>> map_;     ///< [level][value] → label id
  std::vector<std::vector<std::string>> labels_;    ///< [level][id]
  std::string source_;
};

// ---- weighted frequency tables ----

/// Distinct quasi-identifier combinations with their weights and, per sensitive attribute,
/// their sensitive-value counts. Values are indices into the dictionaries. Built by
/// FrequencyTableBuilder from records, or filled elsewhere (Spark) and given to search().
struct FrequencyTable {
  std::vector<std::string> qi_names, sensitive_names;
  std::vector<std::vector<std::string>> qi_values;         ///< per QI: its distinct values
  std::vector<std::vector<std::string>> sensitive_values;  ///< per sensitive attribute
  std::vector<std::uint32_t> codes;                        ///< rows × QIs, row-major
  std::vector<std::uint64_t> weights;                      ///< per row (> 0)
  /// Per sensitive attribute s: row r's counts are sens[s][sens_begin[s][r] .. sens_begin[s][r+1])
  std::vector<std::vector<std::uint64_t>> sens_begin;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint64_t>>> sens;

  std::size_t rows() const noexcept { return weights.size(); }
  std::size_t qis() const noexcept { return qi_names.size(); }
  std::uint64_t total() const noexcept;
  /// Throws Error(invalid_argument) naming the first inconsistency (sizes, ids, weights).
  void check() const;
  /// JSON form {"quasi_identifiers":[…],"sensitive":[…],"rows":[{"qi":[…],"count":n,"sensitive":[{"v":n}…]}]}.
  nlohmann::json to_json() const;
  static FrequencyTable from_json(const nlohmann::json& j);
};

class FrequencyTableBuilder {
 public:
  FrequencyTableBuilder(std::vector<std::string> qi_names, std::vector<std::string> sensitive_names);
  ~FrequencyTableBuilder();
  FrequencyTableBuilder(const FrequencyTableBuilder&) = delete;
  FrequencyTableBuilder& operator=(const FrequencyTableBuilder&) = delete;
  /// Adds a record (values in the order of the names); returns its row in the table.
  std::uint32_t add(const std::vector<std::string_view>& qi, const std::vector<std::string_view>& sensitive,
                    std::uint64_t weight = 1);
  FrequencyTable finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- search and measures ----

struct Measures {
  double entropy = 0;         ///< ARX's non-uniform entropy (suppressed records: see deid.md)
  double discernibility = 0;  ///< Σ|E|² + |S|·N
  double aecs = 0;            ///< records / classes (suppressed records one class)
  double loss = 0;            ///< Iyengar's loss metric, mean over QIs and records, in [0, 1]
  nlohmann::json to_json() const;
};

struct SearchResult {
  bool found = false;                  ///< false: no transformation satisfies the model
  std::vector<std::uint32_t> levels;   ///< per QI
  std::uint64_t suppressed = 0;        ///< records
  std::uint64_t classes = 0;           ///< equivalence classes of the released records
  Measures measures;
  std::uint64_t lattice = 0, checks = 0;
  std::vector<std::uint8_t> row_suppressed;  ///< per frequency-table row (global recoding)
  std::vector<std::pair<std::uint64_t, std::uint64_t>> class_sizes;  ///< [size, count] of released classes
};

/// Globally optimal full-domain generalisation (monotonicity pruning, predictive tagging,
/// lower bounds of the measure) over a weighted table. `qi` are the QIs' hierarchies (built
/// for table.qi_values), `sensitive` the sensitive attributes' hierarchies (needed only for
/// hierarchical t-closeness; others may be empty).
SearchResult search(const FrequencyTable& table, const std::vector<Hierarchy>& qi,
                    const std::vector<const Hierarchy*>& sensitive, const Privacy& privacy);

/// Evaluates one transformation (levels per QI): anonymity, suppression, measures.
SearchResult evaluate(const FrequencyTable& table, const std::vector<Hierarchy>& qi,
                      const std::vector<const Hierarchy*>& sensitive, const Privacy& privacy,
                      const std::vector<std::uint32_t>& levels, bool* anonymous = nullptr);

/// [size, count] of the classes of the table at level 0 (the "before" distribution).
std::vector<std::pair<std::uint64_t, std::uint64_t>> table_class_sizes(const FrequencyTable& table);

// ---- runs on files ----

struct TransformKeys;  // the keys of keyed actions (declared with the transforms below)

struct RunOptions {
  char delimiter = ',';
  std::string encoding;        ///< "" = UTF-8 (never guessed)
  bool drop_suppressed = false;
  /// Keys for pseudonymize, tokenize, date_shift and keyed noise; nullptr = none (a spec
  /// with a keyed action then fails with Error(invalid_argument) before anything is written).
  const TransformKeys* keys = nullptr;
};

/// Whether a spec has an action that needs a key (pseudonymize, tokenize, date_shift; noise
/// is keyed when a key is given, random otherwise).
bool spec_needs_keys(const Spec& spec);

/// Reads `in_path`, de-identifies it by `spec`, writes `out_path` (temp file + rename; nothing
/// on error) and returns the report (docs/formats/deid-report.md). `spec_bytes` is the spec's
/// text, hashed for the report.
nlohmann::json run_files(const Spec& spec, std::string_view spec_bytes, const std::string& in_path,
                         const std::string& out_path, const RunOptions& opt);


// ==== end of search section ====




// ==== field transforms, risk measures, reports (JSON, HTML) ====
}  // namespace civitas::deid
// (This section's includes stay inside the section, so that the three sections merge apart.)
#include <functional>
#include <optional>
#include <utility>

#include <nlohmann/json_fwd.hpp>

namespace civitas::crypto {
struct Key;
struct ColumnView;
struct Column;
}
namespace civitas::deid {

// Transforms work on one column at a time (a vector of UTF-8 values, row i of the table at
// index i); they change the column in place and never reorder it. An empty value is a
// missing value: every action keeps it empty (keep, mask, …) except drop. Errors name the
// field and the row (Location{row = ctx.first_row + index, field}). Formats of the actions'
// JSON: docs/formats/deid-actions.md. Risk measures: docs/formats/deid-risk.md.

/// What a field's "action" does. Names as the spec writes them (action_name).
enum class ActionKind : int {
  keep = 0,
  drop = 1,
  mask = 2,
  generalize = 3,   ///< by a hierarchy: applied by the search, not by apply_action
  pseudonymize = 4,
  tokenize = 5,
  date_shift = 6,
  top_bottom = 7,
  microaggregate = 8,
  noise = 9,
};
/// "keep", "drop", "mask", "generalize", "pseudonymize", "tokenize", "date_shift",
/// "top_bottom", "microaggregate", "noise".
const char* action_name(ActionKind k) noexcept;
/// Parses an action name; throws Error(invalid_argument) listing the known names.
ActionKind action_from_name(std::string_view name);

/// A field's action with its parameters (only the members of its kind are used).
struct Action {
  ActionKind kind = ActionKind::keep;
  // mask
  std::size_t keep_first = 0;          ///< characters (code points) kept at the start
  std::size_t keep_last = 0;           ///< characters kept at the end
  std::string mask_char = "*";         ///< one UTF-8 character
  // pseudonymize, tokenize, date_shift, noise (keyed): the key's domain; "" = the field name
  std::string domain;
  // pseudonymize: the identifier kind ("ric", "uscc", "orgcode", "gb2260"); 0 = any text
  int id_kind = 0;                     ///< 0 or an ids::Kind value
  // date_shift
  std::string subject;                 ///< column whose value names the subject ("" = this field)
  int max_days = 0;                    ///< offsets are in [-max_days, +max_days], never 0 when max_days > 0
  // top_bottom
  std::optional<double> bottom;        ///< values below become bottom
  std::optional<double> top;           ///< values above become top
  // microaggregate
  std::size_t group_size = 3;          ///< k: groups of k consecutive sorted values
  bool median = false;                 ///< aggregate: median instead of mean
  // microaggregate, top_bottom, noise: decimals of numbers written back (-1 = as computed)
  int decimals = -1;
  // noise
  std::string distribution = "laplace";  ///< "laplace", "gaussian" or "uniform"
  double scale = 1.0;                  ///< Laplace b, Gaussian sigma, uniform half-width
  bool keyed = true;                   ///< keyed (same value and row key → same noise) or random
  std::string hierarchy;               ///< generalize: the hierarchy as the spec names it
};

/// Parses a field's "action" (a JSON object {"action": NAME, parameters…}, or a bare
/// string NAME). Unknown keys and bad values throw Error(invalid_argument) naming the field.
Action parse_action(const nlohmann::json& action, std::string_view field);
/// The action's JSON form (as parse_action reads it).
nlohmann::json action_to_json(const Action& a);
/// One line for the report's fields[].detail, e.g. "mask: keep first 3, last 4 with '*'".
std::string describe_action(const Action& a);

/// Keys of the keyed actions. None is owned; each must outlive the call.
struct TransformKeys {
  /// Identity key (crypto::Purpose::identity): pseudonymize, date_shift, keyed noise
  /// (subkeys per action and domain, docs/formats/deid-actions.md).
  const crypto::Key* identity = nullptr;
  /// Token key (crypto::Purpose::token): tokenize, with crypto::token_encode.
  const crypto::Key* token = nullptr;
  /// Alternative to `token`: returns the token text of a value in a domain.
  std::function<std::string(std::string_view value, std::string_view domain)> tokenizer;
};

/// Where a column is, for errors and per-row actions.
struct ColumnContext {
  std::string field;                    ///< the column's name
  std::uint64_t first_row = 2;          ///< row number of values[0] (CSV: the header is row 1)
  /// date_shift: the subject column (same length as the values); date_shift refuses nullptr.
  const std::vector<std::string>* subject = nullptr;
};

/// Applies an action to a column in place. drop empties the column (the caller removes
/// it); generalize throws Error(invalid_argument) (the search applies hierarchies). Keyed
/// actions without their key throw Error(invalid_argument).
void apply_action(const Action& a, std::vector<std::string>& values, const TransformKeys& keys,
                  const ColumnContext& ctx);

// The transforms one by one (apply_action calls these).

/// Masks every value: keeps the first keep_first and last keep_last code points, replaces
/// the others by mask_char. A value not longer than keep_first + keep_last is masked whole
/// (so that short values do not leak). Invalid UTF-8 throws Error(invalid_data) with the row.
void mask_column(std::vector<std::string>& values, std::size_t keep_first, std::size_t keep_last,
                 std::string_view mask_char, const ColumnContext& ctx);
/// One value (row index 0 for errors).
std::string mask_value(std::string_view value, std::size_t keep_first, std::size_t keep_last,
                       std::string_view mask_char = "*");
/// Keyed pseudonyms. id_kind != 0: crypto::IdentityKeyer (ik1, identical to `civitas id
/// key`; an invalid identifier throws Error(invalid_data) with the row and the ids reason);
/// id_kind == 0: "ps1:<key id>:<base64url 32 bytes>" over the exact bytes of the value.
void pseudonymize_column(std::vector<std::string>& values, const crypto::Key& identity_key,
                         std::string_view domain, int id_kind, const ColumnContext& ctx);
/// The same over a column in Arrow layout, written to `out` (cleared first): 64 bytes per
/// non-empty value, empty values stay empty; no allocation per value (the bulk path).
void pseudonymize_column(const crypto::ColumnView& values, const crypto::Key& identity_key, std::string_view domain,
                         int id_kind, const ColumnContext& ctx, crypto::Column& out);
/// Deterministic tokens (docs/formats/token.md), text form base64url.
void tokenize_column(std::vector<std::string>& values, const crypto::Key& token_key,
                     std::string_view domain, const ColumnContext& ctx);
/// Shifts ISO dates (YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss… whose date part is shifted) by a
/// keyed per-subject offset (date_shift_offset). Other text throws Error(invalid_data).
void date_shift_column(std::vector<std::string>& values, const crypto::Key& identity_key,
                       std::string_view domain, int max_days, const ColumnContext& ctx);
/// The offset in days of one subject: in [-max_days, -1] ∪ [1, max_days] (0 when max_days is 0).
int date_shift_offset(const crypto::Key& identity_key, std::string_view domain, std::string_view subject,
                      int max_days);
/// Top/bottom coding of numbers; non-numeric text throws Error(invalid_data) with the row.
void top_bottom_column(std::vector<std::string>& values, std::optional<double> bottom,
                       std::optional<double> top, int decimals, const ColumnContext& ctx);
/// Fixed-size microaggregation: the non-empty values sorted, cut into groups of k (the last
/// group takes the remainder: sizes k..2k-1), each replaced by its group's mean or median.
void microaggregate_column(std::vector<std::string>& values, std::size_t k, bool median, int decimals,
                           const ColumnContext& ctx);
/// Additive noise. keyed with a key: noise of row i from PRF(subkey, row i || value), so a
/// rerun gives the same output; otherwise from the OS random generator.
struct NoiseOptions {
  std::string distribution = "laplace";
  double scale = 1.0;
  int decimals = -1;
};
void noise_column(std::vector<std::string>& values, const NoiseOptions& o, const crypto::Key* identity_key,
                  std::string_view domain, const ColumnContext& ctx);

/// Parses a number as the numeric actions read it (decimal, optional sign and exponent,
/// surrounding spaces allowed); nullopt for anything else.
std::optional<double> parse_number(std::string_view s) noexcept;
/// Writes a number back: decimals >= 0 fixed, else the shortest form that reads back equal.
std::string format_number(double v, int decimals);

// ---- risk measures (docs/formats/deid-risk.md) ----

/// A class-size histogram: (class size, number of classes of that size), sizes ascending,
/// counts > 0.
using ClassSizes = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
/// The histogram of a list of class sizes (zeros ignored).
ClassSizes class_size_histogram(const std::vector<std::uint64_t>& sizes);
/// Equivalence classes of a table's quasi-identifier columns (each the same length):
/// the size of every distinct combination of values, in first-seen order.
std::vector<std::uint64_t> equivalence_class_sizes(const std::vector<const std::vector<std::string>*>& qi_columns);

struct RiskOptions {
  double threshold = 0.2;               ///< a record is at risk when its risk > threshold
  /// Population size for the uniqueness model; 0 = from sampling_fraction.
  double population_size = 0;
  /// Records / population; used when population_size is 0. Default 0.01.
  double sampling_fraction = 0.01;
  std::string model = "pitman";         ///< "pitman" or "none" (not estimated)
};

/// One attacker model's figures (ARX RiskModelSampleSummary): max = 1 / smallest class,
/// average = ARX's success rate, records_at_risk = records in classes whose risk > threshold.
struct AttackerRisk {
  double max = 0;
  double min = 0;                       ///< 1 / largest class
  double average = 0;
  std::uint64_t records_at_risk = 0;
  double records_at_risk_share = 0;     ///< records_at_risk / records (ARX's figure)
  double threshold = 0.2;
};

struct PopulationUniques {
  std::string model;                    ///< "pitman" or "none"
  double estimate = 0;                  ///< estimated share of population records that are unique (count / N)
  double count = 0;                     ///< estimated number of unique population records
  double sampling_fraction = 0;
  double population_size = 0;
  bool converged = true;                ///< false: the model found no estimate (estimate is 0)
};

struct Risk {
  std::uint64_t records = 0;
  std::uint64_t classes = 0;
  AttackerRisk prosecutor;
  AttackerRisk journalist;              ///< equals prosecutor without population class sizes
  double marketer = 0;                  ///< average marketer risk
  std::uint64_t sample_uniques = 0;     ///< records alone in their class
  PopulationUniques population_uniques;
};

/// Risk of a release from its class-size histogram (population = sample for the journalist).
Risk measure_risk(const ClassSizes& sample, const RiskOptions& o = {});
/// With the population class size of each sample class (same order, population >= sample),
/// as ARX computes journalist and marketer risk for a sample of a known population.
Risk measure_risk(const std::vector<std::uint64_t>& sample_sizes,
                  const std::vector<std::uint64_t>& population_sizes, const RiskOptions& o = {});
/// Risk of a CSV file's quasi-identifier columns. Throws Error(io) (unreadable),
/// Error(not_found) naming an unknown column, Error(parse) for bad CSV.
struct CsvRiskInput {
  std::string path;
  std::vector<std::string> qi;
  char delimiter = ',';
  std::string encoding = "utf-8";
};
struct CsvRisk {
  Risk risk;
  ClassSizes class_sizes;
};
CsvRisk measure_csv_risk(const CsvRiskInput& in, const RiskOptions& o = {});

/// The report's RISK object and class-size list ([[size, count], …]).
nlohmann::json risk_to_json(const Risk& r);
nlohmann::json class_sizes_to_json(const ClassSizes& c);
/// Reads a class-size list back; throws Error(invalid_argument) for a malformed one.
ClassSizes class_sizes_from_json(const nlohmann::json& j);

// ---- HTML report ----

/// One self-contained HTML page (inline CSS and SVG, no script, no network) of a report
/// (docs/formats/deid-report.md): summary, per-field actions, class sizes and risk before
/// and after. Every text from the report is escaped. Missing parts are left out.
std::string report_html(const nlohmann::json& report);


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
