// Internal: typed reading of one cell against one field (type, format, constraints,
// civitas extensions), written to run over a whole column with no allocation per value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "civitas/ids.hpp"
#include "civitas/schema.hpp"

namespace re2 {
class RE2;
}

namespace civitas::schema::detail {

/// A parsed cell value, comparable within its kind.
struct Value {
  enum Kind : std::uint8_t { null, integer, number, text, ordinal, boolean, other } kind = null;
  std::int64_t i = 0;    ///< integer, ordinal (days, microseconds, months…), boolean
  double d = 0;          ///< number; integer too large for int64
  bool big = false;      ///< integer outside int64: d holds it
  std::string_view s;    ///< text (borrowed from the cell)
};

/// -1/0/1; kinds must match (numbers and integers compare numerically).
int compare(const Value& a, const Value& b) noexcept;
bool equal(const Value& a, const Value& b) noexcept;

/// What reading a cell found.
enum class Outcome : std::uint8_t { ok, null, type_error, constraint_error, identifier_error };

/// Error kinds a cell can raise, in the order they are reported.
struct CellIssue {
  std::string type;   ///< "type-error", "constraint-error", "identifier-checksum", …
  std::string note;
};

class FieldReader {
 public:
  FieldReader(const Field& f, const std::vector<std::string>& schema_missing);
  ~FieldReader();
  FieldReader(FieldReader&&) noexcept;
  FieldReader& operator=(FieldReader&&) noexcept;

  /// True when the raw cell is one of the missing values.
  bool is_missing(std::string_view raw) const noexcept;
  /// Parses a non-missing cell; false = type error. `v.s` borrows from raw.
  bool parse(std::string_view raw, Value& v) const;
  /// Appends every issue of the cell (raw may be absent: present == false). Returns true
  /// when the cell is null (missing value or absent) and has no type error.
  bool check(std::string_view raw, bool present, Value& v, std::vector<CellIssue>* issues) const;
  /// Canonical bytes of a parsed value for unique / key comparisons.
  void key_bytes(const Value& v, std::string& out) const;
  /// Python-like text of a parsed value (used in foreign-key notes).
  std::string display(const Value& v) const;

  const Field& field() const noexcept { return *field_; }
  std::string type_note() const;

 private:
  bool parse_as(FieldType t, std::string_view raw, Value& v) const;
  const Field* field_;
  std::vector<std::string> missing_;
  std::unique_ptr<re2::RE2> pattern_;
  Value min_, max_, xmin_, xmax_;
  bool has_min_ = false, has_max_ = false, has_xmin_ = false, has_xmax_ = false;
  // enum: a hash set of the canonical key bytes of the values of the field's type, and one of
  // the raw texts (for types compared as text); the note is built once and names the
  // constraint with a few of its values, never all of them.
  std::unordered_set<std::string> enum_keys_;
  std::unordered_set<std::string> enum_texts_;
  std::string enum_note_;
  ids::Options id_opts_;
};

/// Python-like rendering of a JSON constraint value (True, 5, 'a', ['a', 'b']).
std::string py_repr(const nlohmann::json& j, bool top = true);

/// Number of UTF-8 code points.
std::size_t utf8_length(std::string_view s) noexcept;

}  // namespace civitas::schema::detail
