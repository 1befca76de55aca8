// civitas::classify — what a table or a text holds: detectors for personal and enterprise
// identifiers and other personal information (RE2 patterns, checksums through civitas::ids
// and the module's own checks), free-text scanning with byte offsets, and column
// classification (bounded sampling, hit ratio, confidence, column-name hints, schema
// annotations).
//
// User guide: docs/classify.md. Grading and decisions from a policy are civitas::policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/schema.hpp"

namespace civitas::classify {

/// The built-in types. Their names (type_name) are a contract of the CLI, the schema
/// annotations and the bindings; values are not (use names across boundaries). Append only.
enum class Type : std::uint8_t {
  none = 0, uscc, orgcode, ric, gb2260, mobile_phone, phone, bank_card, email, ip_address,
  mac_address, vehicle_plate, passport, hk_macao_permit, postal_code, birth_date, person_name,
  address, gps_coordinates, imei, vin,
};
constexpr std::size_t kTypeCount = 21;

const char* type_name(Type t) noexcept;  ///< "uscc", "mobile_phone", …, "none"
/// The built-in type called name; nullopt when it is not one.
std::optional<Type> type_from_name(std::string_view name) noexcept;
/// Every built-in type name, in Type order ("none" first).
std::vector<std::string> type_names();

/// A detector defined by a user (a policy document): a name (lower-case letters, digits and
/// '_', not a built-in name) and an RE2 pattern. A cell value is of the type when the whole
/// (trimmed) value matches; in free text every match is a finding. `category` and `level`
/// are carried to the column result when given.
struct CustomDetector {
  std::string name;
  std::string pattern;
  std::string category;  ///< "" = none
  std::string level;     ///< "" = none
};

/// A compiled set of detectors: every built-in one plus custom ones. Immutable after
/// construction and safe to share between threads.
class Detectors {
 public:
  /// Built-in detectors only.
  Detectors();
  /// Built-in plus custom detectors; throws Error(invalid_argument) naming the detector for
  /// a bad name, a duplicate, or a pattern RE2 does not compile.
  explicit Detectors(std::vector<CustomDetector> custom);
  ~Detectors();
  Detectors(Detectors&&) noexcept;
  Detectors& operator=(Detectors&&) noexcept;

  const std::vector<CustomDetector>& custom() const noexcept;
  /// The custom detector called name, or nullptr.
  const CustomDetector* find_custom(std::string_view name) const noexcept;

  struct Impl;
  const Impl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// The shared built-in set (built once).
const Detectors& builtin();

// ---- Values -----------------------------------------------------------------------------

/// The type of one cell value (trimmed; full-width digits and letters are read as ASCII):
/// the first type in priority order whose detector accepts the whole value, "none" when
/// none does (and for a blank value). Custom detectors come after the built-in ones.
/// The returned view is a static name or a name owned by `d`.
std::string_view classify_value(std::string_view value, const Detectors& d = builtin());
/// Whether the detector called `type` (built-in or custom) accepts the whole value.
/// Throws Error(invalid_argument) for an unknown type name.
bool matches(std::string_view type, std::string_view value, const Detectors& d = builtin());

// ---- Free text --------------------------------------------------------------------------

/// One occurrence in a text: bytes [offset, offset + length) of the text as given.
struct Finding {
  std::string_view type;  ///< a static name, or a name owned by the Detectors
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// Every occurrence in a UTF-8 text, in offset order, without overlaps (the longer, then
/// the earlier-priority finding wins). Bytes that are not UTF-8 are skipped. Digit
/// boundaries are explicit: a run of digits is read whole (a 19-digit run is never an
/// 18-digit ID), and a number glued to Chinese text is found. Types that a bare number
/// would give too often in prose (postal_code, gb2260, birth_date, orgcode without its
/// hyphen, person_name) need a nearby keyword (邮编, 出生, 姓名…; docs/classify.md).
std::vector<Finding> find(std::string_view text, const Detectors& d = builtin());

/// find() on bytes in `encoding` ("" = guess: UTF-8 when the bytes are valid UTF-8,
/// otherwise GB18030); offsets and lengths are in the bytes as given. Throws Error(parse)
/// with the byte offset when the bytes are not valid in the encoding.
std::vector<Finding> find_encoded(std::string_view bytes, const std::string& encoding,
                                  const Detectors& d = builtin());

/// A finding in a column of free text (remarks, descriptions): the row (0-based index of the
/// value) and the finding, its offset in bytes of that value.
struct CellFinding {
  std::size_t row = 0;
  Finding finding;
};
/// find() on every value of a column, in row order.
std::vector<CellFinding> find_in_column(const std::vector<std::string_view>& values,
                                        const Detectors& d = builtin());

/// "utf-8" when bytes are valid UTF-8 (a sequence cut at the end allowed), else "gb18030".
std::string guess_encoding(std::string_view bytes);

// ---- Columns and tables -----------------------------------------------------------------

struct ColumnResult {
  std::string name;
  std::string type = "none";   ///< a built-in or custom type name
  double ratio = 0;            ///< share of the sampled non-blank values of `type`
  double confidence = 0;       ///< 0..1
  std::optional<std::string> category, level;
  std::string source = "detected";  ///< "detected", "schema" or "name"
  std::size_t sampled = 0;     ///< non-blank values looked at
  std::size_t blank = 0;       ///< blank values seen among the sampled rows
};

struct TableResult {
  std::vector<ColumnResult> columns;
  std::optional<std::string> level;  ///< the highest column level, or none
  std::string encoding;              ///< the encoding the table was read in
  bool sampled = false;              ///< read in segments (false = every row was read)
  std::uint64_t rows_read = 0;       ///< rows looked at
};

/// The type a column name suggests (Chinese or English words: 手机/mobile → mobile_phone,
/// 身份证/id_card → ric…), or nullopt.
std::optional<Type> name_hint(std::string_view column_name);

/// The rank of a level for "the highest level": core/核心 3, important/重要 2, general/一般 1
/// (general sub-levels such as general-2 or 一般3级 rank 1 + n/100), anything else 0.
double level_rank(std::string_view level) noexcept;
/// The highest of the columns' levels by `rank` (level_rank when null), or nullopt.
std::optional<std::string> table_level(const std::vector<ColumnResult>& columns,
                                       const std::function<double(std::string_view)>& rank = nullptr);

struct ColumnOptions {
  /// A column whose best type covers at least this share of its sampled values is of it…
  double threshold = 0.8;
  /// …or this share when the column's name suggests the same type.
  double hinted_threshold = 0.6;
};

/// Classifies one column from its values (blank ones are counted and skipped). The name is
/// a hint only: it lowers the threshold for the type it names, and decides alone
/// (source "name") only when there is no non-blank value.
ColumnResult classify_column(std::string_view name, const std::vector<std::string_view>& values,
                             const Detectors& d = builtin(), const ColumnOptions& opts = {});

struct ScanOptions {
  std::optional<schema::TableSchema> schema;  ///< annotations win; its field names are the columns'
  schema::Dialect dialect;            ///< delimiter, quoting, header
  std::string encoding;               ///< "" = the dialect's when explicit, else guess
  bool encoding_explicit = false;     ///< dialect.encoding was given by the user
  std::size_t max_values = 4000;      ///< non-blank values per column to classify at most
  std::size_t segments = 32;          ///< segments read from a large file
  std::size_t segment_bytes = 128u << 10;  ///< bytes per segment
  bool full = false;                  ///< read every row instead of segments
  const Detectors* detectors = nullptr;    ///< null = builtin()
  ColumnOptions column;
  /// Ranks levels for the table level (null = level_rank).
  std::function<double(std::string_view)> rank;
};

/// Classifies every column of a CSV file. A file larger than segments × segment_bytes is
/// read in `segments` evenly spread segments (each starts after a line break) unless
/// `full`; smaller files are read whole. Throws Error(io) when the file cannot be read,
/// Error(parse) when it is not CSV in its encoding.
TableResult scan_file(const std::string& path, const ScanOptions& opts = {});
/// The same on bytes in memory.
TableResult scan_bytes(std::string_view bytes, const ScanOptions& opts = {});

/// `{"columns": [{"name","type","ratio","confidence","category","level","source"}], "level"}`
/// (the CLI's --json; category and level null when unknown).
nlohmann::ordered_json to_json(const TableResult& r);
nlohmann::ordered_json to_json(const ColumnResult& c);
/// `[{"type","offset","length"}…]`, with "text" (the bytes of `text`, as UTF-8 when the
/// text is) when text is not empty.
nlohmann::ordered_json to_json(const std::vector<Finding>& f, std::string_view text = {});

// ---- Checks used by the detectors (exposed for tests and other modules) -----------------

bool luhn_valid(std::string_view digits) noexcept;  ///< ASCII digits only, length ≥ 2
bool vin_valid(std::string_view vin) noexcept;      ///< 17 characters, ISO 3779 check digit
bool imei_valid(std::string_view digits) noexcept;  ///< 15 digits, Luhn
/// 16–19 digits, Luhn, and a known issuer prefix (UnionPay 62, 81; Visa 4; Mastercard
/// 51–55, 2221–2720; Amex 34/37 (15 digits are not accepted); JCB 3528–3589; Discover 6011,
/// 65; domestic debit prefixes 60, 9).
bool bank_card_valid(std::string_view digits) noexcept;

}  // namespace civitas::classify
