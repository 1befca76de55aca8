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

struct RunOptions {
  char delimiter = ',';
  std::string encoding;        ///< "" = UTF-8 (never guessed)
  bool drop_suppressed = false;
};

/// Reads `in_path`, de-identifies it by `spec`, writes `out_path` (temp file + rename; nothing
/// on error) and returns the report (docs/formats/deid-report.md). `spec_bytes` is the spec's
/// text, hashed for the report.
nlohmann::json run_files(const Spec& spec, std::string_view spec_bytes, const std::string& in_path,
                         const std::string& out_path, const RunOptions& opt);


// ==== end of search section ====




// ==== field transforms, risk measures, reports (JSON, HTML) ====


// ==== end of transforms/risk section ====




// ==== differential privacy (discrete noise, bounded contributions, aggregates) ====


// ==== end of differential-privacy section ====

}  // namespace civitas::deid
