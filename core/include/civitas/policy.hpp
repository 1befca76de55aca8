// civitas::policy — the city's data policy (docs/policy.md, docs/formats/policy.md):
// categories, levels following GB/T 43697-2024 (core / important / general, the general level
// split into sub-levels the policy names), the mapping from the classify detectors' types to
// category, level and de-identification role, user-defined detectors (RE2), combination rules
// (就高从严), and the rules from level and category to sharing type (无条件/有条件/不予共享) and
// open type (无条件/有条件/不予开放) with obligations per field and the re-identification risk
// threshold an opened table must stay under.
//
// Grading fills each column's category and level and the table's level; decisions combine the
// policy's rule with a catalog entry's own sharing/open type (the stricter wins). Storage of
// classifications per catalog resource code: table policy_classification (docs/formats/workspace.md).
// The audited calls (recording a classification, deciding) are Workspace methods.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "civitas/schema.hpp"
#include "civitas/store.hpp"

namespace civitas::policy {

using schema::Problem;

/// GB/T 43697-2024 §6.1: the three levels. A policy names one level per tier for core and
/// important and splits general into sub-levels (一般数据4级…1级 in the bundled policy).
enum class Tier { core, important, general };
/// De-identification roles, as ARX names them (and civitas::deid).
enum class Role { identifier, quasi_identifier, sensitive, insensitive };
/// Sharing or open type, in the catalog's tokens; a larger value is stricter.
enum class Access { unconditional = 0, conditional = 1, none = 2 };

const char* tier_name(Tier t) noexcept;          ///< "core", "important", "general"
const char* role_name(Role r) noexcept;          ///< "identifier", "quasi-identifier", …
const char* access_name(Access a) noexcept;      ///< "unconditional", "conditional", "none"
std::optional<Role> role_from_name(std::string_view s) noexcept;
std::optional<Access> access_from_name(std::string_view s) noexcept;  ///< tokens or 无条件共享/有条件开放/…
inline Access stricter(Access a, Access b) noexcept { return a > b ? a : b; }

/// The classify detectors' type names (issue #13); a policy maps every one of them.
const std::vector<std::string>& detector_types();

/// The field actions an obligation may name: the de-identification actions (civitas::deid)
/// plus `encrypt` (field encryption, sharing only). Ordered strictest first (docs/formats/policy.md).
const std::vector<std::string>& action_names();
/// Strictness rank of an action: 0 = strictest (drop); unknown names rank after `keep`.
int action_rank(std::string_view action) noexcept;

struct Level {
  std::string id, name, name_en;
  Tier tier = Tier::general;
};
struct Category {
  std::string id, name, name_en;
  std::optional<Role> role;  ///< role of columns of this category whose type is `none`
};
struct TypeRule {
  std::string category, level;
  Role role = Role::insensitive;
};
/// A user-defined detector: run by civitas::classify (RE2, whole cell value; every match in
/// free text) as a type called `name`, graded as `category` and `level`.
struct Detector {
  std::string name, pattern, category, level;
  Role role = Role::insensitive;
};
/// 就高从严: a table with columns of every category in `categories` is at least `level`.
struct Combination {
  std::vector<std::string> categories;
  std::string level, reason;
};
/// One field action with its parameters (e.g. {"action":"mask","keepFirst":3}).
struct Obligation {
  std::string action = "keep";
  nlohmann::json params = nlohmann::json::object();  ///< the other members, as given
};
struct AccessRule {
  Access type = Access::none;
  std::string condition, legal_basis;
  std::map<Role, Obligation> fields;                      ///< per role; absent = keep
  nlohmann::json privacy = nlohmann::json::object();      ///< e.g. {"k": 20}
};
struct Rule {
  std::string level;
  std::vector<std::string> categories;  ///< empty: the level's default rule
  AccessRule sharing, open;
  std::string path;                     ///< JSON pointer of the rule in the document
};
struct Risk {
  double threshold = 0.05;
  std::string measure = "prosecutor";
};

/// A checked policy document. Immutable; cheap to share.
class Policy {
 public:
  /// Parses and checks a policy (JSON text through civitas::parse_json). Throws Error(parse)
  /// for malformed JSON and Error(invalid_data) naming the first problem and the count.
  static Policy parse(std::string_view text, std::string_view what = "policy");
  static Policy from_json(const nlohmann::json& doc);
  /// Reads and parses a file; Error(io) when it cannot be read.
  static Policy load(const std::string& path);
  /// The bundled default city policy (docs/policy.md), embedded in the library.
  static const Policy& builtin();
  static std::string_view builtin_text();

  const std::string& id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }
  /// "sha256:<hex>" of the document in canonical form (compact, keys sorted).
  const std::string& digest() const noexcept { return digest_; }
  const nlohmann::json& document() const noexcept { return doc_; }
  const std::vector<Level>& levels() const noexcept { return levels_; }  ///< highest first
  const std::vector<Category>& categories() const noexcept { return categories_; }
  const std::map<std::string, TypeRule>& types() const noexcept { return types_; }
  const std::vector<Detector>& detectors() const noexcept { return detectors_; }
  const std::vector<Combination>& combinations() const noexcept { return combinations_; }
  const std::vector<Rule>& rules() const noexcept { return rules_; }
  const Risk& risk() const noexcept { return risk_; }
  /// The classify detectors: the built-in ones plus this policy's user-defined detectors.
  const classify::Detectors& classify_detectors() const noexcept { return *compiled_; }

  const Level* level(std::string_view id) const noexcept;
  const Category* category(std::string_view id) const noexcept;
  /// Rank of a level, 0 = highest; -1 when unknown.
  int rank(std::string_view level_id) const noexcept;
  /// The higher (stricter) of two levels; an unknown or empty one loses.
  std::string higher(const std::string& a, const std::string& b) const;
  /// A level as written in a schema annotation: a level id, or a tier name ("general" is the
  /// highest general sub-level, 就高从严), or a level's Chinese name. nullopt when unknown.
  std::optional<std::string> resolve_level(std::string_view annotated) const;
  /// A category id, or a category's Chinese or English name. nullopt when unknown.
  std::optional<std::string> resolve_category(std::string_view annotated) const;
  /// The rule for a level and category: the rule naming the category, else the level's default.
  const Rule& rule(std::string_view level, std::string_view category = {}) const;
  /// Type rule of a built-in type or a user detector; nullptr when unknown.
  const TypeRule* type_rule(std::string_view type) const noexcept;
  /// The role of a column of this type and category.
  Role role(std::string_view type, std::string_view category) const;

 private:
  std::string id_, name_, digest_;
  nlohmann::json doc_;
  std::vector<Level> levels_;
  std::vector<Category> categories_;
  std::map<std::string, TypeRule> types_;  ///< built-in types and user detectors
  std::vector<Detector> detectors_;
  std::vector<Combination> combinations_;
  std::vector<Rule> rules_;
  Risk risk_;
  std::shared_ptr<const classify::Detectors> compiled_;
};

/// Every problem of a policy document (empty = valid), each with its JSON pointer. Never throws.
std::vector<Problem> check(const nlohmann::json& doc);
/// The same for a text: malformed JSON is one problem at path "" with the byte offset.
std::vector<Problem> check_text(std::string_view text);

// ---- grading -------------------------------------------------------------------------------

/// One column of a scan as the classify module reports it (before grading).
struct ColumnIn {
  std::string name;
  std::string type = "none";    ///< a detector type (or a user detector's name)
  double ratio = 0, confidence = 0;
  std::string source = "detected";  ///< detected, schema or name
  nlohmann::json annotation;    ///< the field's civitas:classification {category, level}, or null
};
struct GradedColumn {
  std::string name, type;
  double ratio = 0, confidence = 0;
  std::string category, level;  ///< as reported (a schema annotation as written when the policy lacks it)
  std::string policy_level;     ///< the policy's level used for the table level and the rules
  std::string source;           ///< detected, schema or name
  Role role = Role::insensitive;
};
struct Grading {
  std::vector<GradedColumn> columns;
  std::string level;                 ///< the table's level (highest, combination rules, table annotation)
  std::vector<std::string> reasons;  ///< why the table level is above its highest column, if it is
};

/// Fills category, level and role of every column from the policy (a schema annotation wins
/// and sets source "schema"), and the table level: the highest column level, raised by every
/// combination rule whose categories are all present and by the table's own annotation.
/// An annotated category or level the policy does not define is kept as written (schema
/// annotations win): such a category matches no category rule, and such a level is reported
/// but the column is graded at its type's level (policy_level), with a reason.
Grading grade(const Policy& p, const std::vector<ColumnIn>& columns, const nlohmann::json& table_annotation = nullptr);
/// Grading of a classify scan (its columns, with the annotations of `s` where given, and the
/// table annotation of `s`). Columns of a user detector take the policy's rule for it.
Grading grade(const Policy& p, const classify::TableResult& scan, const schema::TableSchema* s = nullptr);
/// Grading of a schema's annotations alone (no data): annotated fields keep their category and
/// level (source "schema"); the others are type none. Fields with civitas:identifier take that type.
Grading grade_schema(const Policy& p, const schema::TableSchema& s);
/// The scan JSON: {"columns": [{"name","type","ratio","confidence","category","level","source"}], "level"}.
nlohmann::json to_json(const Grading& g);
/// Reads a scan JSON back (a stored classification) and re-derives roles with the policy.
/// Error(invalid_data) naming the member when it is not that shape.
Grading grading_from_json(const Policy& p, const nlohmann::json& scan);

// ---- decisions -----------------------------------------------------------------------------

struct Request {
  std::string resource;   ///< catalog resource code
  std::string consumer;   ///< consumer department's USCC
  std::string purpose;
  bool open = false;      ///< opening to the public instead of sharing with the consumer
};
struct FieldDecision {
  std::string name, type, category, level;
  Role role = Role::insensitive;
  Obligation obligation;
  std::string rule;       ///< JSON pointer of the rule that gave the obligation
};
struct Decision {
  Request request;
  std::string outcome;    ///< "allow", "allow_with_obligations" or "deny"
  Access type = Access::none;          ///< effective: stricter of catalog and policy
  std::optional<Access> catalog_type;  ///< the entry's sharing.type / open.type
  Access policy_type = Access::none;
  std::string level;                   ///< table level ("" when unclassified)
  std::string level_source;            ///< classification, schema or none
  std::vector<std::string> conditions; ///< catalog and policy conditions to meet
  std::string legal_basis;             ///< for `none`: the catalog's or policy's legal basis
  std::vector<std::string> reasons;
  std::vector<FieldDecision> fields;
  nlohmann::json privacy = nlohmann::json::object();
  std::optional<double> risk_threshold;  ///< opening: the policy's threshold
  std::string policy;                    ///< policy id
  std::string policy_digest;
  bool allowed() const noexcept { return outcome != "deny"; }
};

/// The decision for a request on a catalog entry (normalised, docs/formats/catalog-entry.md)
/// whose table is graded as `g` (nullptr: unclassified, which is denied). Pure: no I/O.
/// Error(invalid_argument) for a consumer that is not a valid USCC or an empty purpose.
Decision decide(const Policy& p, const nlohmann::json& entry, const Grading* g, const Request& r,
                std::string_view level_source = "classification");
/// The decision JSON (docs/policy.md "Decisions").
nlohmann::json to_json(const Decision& d);

// ---- storage -------------------------------------------------------------------------------

/// Brings the policy module's tables to this library's version (module "policy" of
/// module_schema). ClassificationStore calls it; idempotent.
void migrate(store::Store& s);

struct StoredClassification {
  std::string resource_code;
  int seq = 0;                   ///< 1, 2, … per resource code
  nlohmann::json scan;           ///< the graded scan JSON
  std::string level;
  std::string policy_id, policy_digest;
  std::int64_t created_ms = 0;
};

/// Classifications per catalog resource code, kept in table policy_classification.
class ClassificationStore {
 public:
  explicit ClassificationStore(store::Store& s);
  StoredClassification put(const std::string& resource_code, const nlohmann::json& scan, const Policy& p);
  std::optional<StoredClassification> latest(const std::string& resource_code);
  std::vector<StoredClassification> history(const std::string& resource_code);

 private:
  store::Store& store_;
};

}  // namespace civitas::policy
