// civitas::schema — table schemas (Frictionless Table Schema v1/v2 plus civitas
// extensions), streaming readers (CSV with Table Dialect, JSON Lines) that deliver columnar
// batches, and validation with a report in the frictionless report shape.
//
// Formats: docs/schema.md, docs/formats/table-schema-extensions.md,
// docs/formats/validation-report.md. Catalog entries are in civitas/catalog.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/error.hpp"

namespace civitas::schema {

// ---- Table Schema -----------------------------------------------------------------------

enum class FieldType : std::uint8_t {
  string, number, integer, boolean, object, array, list, date, time, datetime, year,
  yearmonth, duration, geopoint, geojson, any
};
const char* type_name(FieldType t) noexcept;

/// civitas extension "civitas:identifier": the field holds identifiers checked by civitas::ids.
enum class Identifier : std::uint8_t { none = 0, uscc = 1, orgcode = 2, ric = 3, gb2260 = 4 };

struct Constraints {
  bool required = false;
  bool unique = false;
  std::optional<std::uint64_t> min_length, max_length;   ///< characters (code points)
  std::optional<nlohmann::json> minimum, maximum;        ///< as written in the schema
  std::optional<nlohmann::json> exclusive_minimum, exclusive_maximum;  ///< v2
  std::optional<std::string> pattern;                    ///< whole-value regular expression
  std::optional<std::vector<nlohmann::json>> enumeration;  ///< "enum"
};

struct Field {
  std::string name;
  FieldType type = FieldType::string;
  std::string format = "default";
  std::string title, description;
  Constraints constraints;
  std::optional<std::vector<std::string>> missing_values;  ///< v2 field-level override
  std::vector<std::string> true_values{"true", "True", "TRUE", "1"};
  std::vector<std::string> false_values{"false", "False", "FALSE", "0"};
  std::string decimal_char = ".";
  std::string group_char;
  bool bare_number = true;
  std::string delimiter = ",";        ///< list type
  FieldType item_type = FieldType::string;  ///< list type
  // civitas extensions (docs/formats/table-schema-extensions.md)
  char data_type = 0;                 ///< "civitas:dataType": guideline type C N Y D T L M G B I F
  std::optional<std::uint32_t> data_length;  ///< "civitas:dataLength"
  Identifier identifier = Identifier::none;  ///< "civitas:identifier"
  bool identifier_strict = false;           ///< soft ids rules are errors too
  nlohmann::json classification;       ///< "civitas:classification" (object) or null
  nlohmann::json extra = nlohmann::json::object();  ///< other properties, kept as given
};

struct ForeignKey {
  std::vector<std::string> fields;
  std::string resource;               ///< "" = this table (self-reference)
  std::vector<std::string> reference_fields;
};

struct TableSchema {
  std::vector<Field> fields;
  std::vector<std::string> missing_values{""};
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;
  std::vector<ForeignKey> foreign_keys;
  std::string profile;                 ///< "$schema" as given (v2), or ""
  nlohmann::json classification;       ///< table-level "civitas:classification"
  nlohmann::json extra = nlohmann::json::object();

  /// Index of the field called name, or -1.
  int field_index(std::string_view name) const noexcept;
  nlohmann::json to_json() const;
};

/// One broken rule in a schema or catalog document. `path` is a JSON pointer.
struct Problem {
  std::string path;
  std::string message;
};

/// Checks a schema document; returns every problem found (empty = valid). Never throws for
/// bad input; malformed JSON is one problem at path "" with the byte offset in the message.
std::vector<Problem> check_schema(std::string_view json_text);
std::vector<Problem> check_schema(const nlohmann::json& doc);

/// Parses a schema; throws Error(parse) for malformed JSON and Error(invalid_data) naming the
/// first problem (and how many there are) when the document breaks a rule.
TableSchema parse_schema(std::string_view json_text);
TableSchema parse_schema(const nlohmann::json& doc);
inline TableSchema parse_schema(const std::string& t) { return parse_schema(std::string_view(t)); }
inline TableSchema parse_schema(const char* t) { return parse_schema(std::string_view(t)); }
inline std::vector<Problem> check_schema(const std::string& t) { return check_schema(std::string_view(t)); }
inline std::vector<Problem> check_schema(const char* t) { return check_schema(std::string_view(t)); }
TableSchema load_schema_file(const std::string& path);

/// A schema derived from a header: every field a string.
TableSchema infer_string_schema(const std::vector<std::string>& header);

// ---- Dialect ----------------------------------------------------------------------------

/// Table Dialect (CSV part): https://datapackage.org/standard/table-dialect/
struct Dialect {
  char delimiter = ',';
  char quote = '"';        ///< 0 = no quoting
  bool double_quote = true;
  char escape = 0;         ///< escape character, 0 = none
  bool header = true;
  bool skip_initial_space = false;
  std::string comment_char;  ///< lines starting with it are skipped ("" = none)
  std::string encoding = "utf-8";  ///< utf-8, gb18030, gbk, gb2312 (anything iconv knows)

  static Dialect from_json(const nlohmann::json& j);  ///< throws Error(invalid_argument)
  nlohmann::json to_json() const;
};

// ---- Columnar batches -------------------------------------------------------------------

/// One column of a batch in Arrow layout: value i is data[offsets[i] .. offsets[i+1]);
/// bit i of `valid` is 1 when row i has a cell for this column (0 = the row is too short).
struct Column {
  std::string data;
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint8_t> valid;  ///< bitmap, (rows + 7) / 8 bytes

  std::string_view value(std::size_t i) const noexcept {
    return {data.data() + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
  }
  bool present(std::size_t i) const noexcept { return (valid[i >> 3] >> (i & 7)) & 1u; }
  void clear() {
    data.clear();
    offsets.assign(1, 0);
    valid.clear();
  }
};

struct Batch {
  std::size_t rows = 0;
  std::vector<Column> columns;
  std::vector<std::uint64_t> row_numbers;  ///< 1-based; the header is row 1
  std::vector<std::uint64_t> row_offsets;  ///< byte offset of each row in the decoded input
  std::vector<std::uint32_t> cell_counts;  ///< cells in each row as read
  /// Cells beyond the last column, in one buffer (a few bytes per cell, so that a hostile row
  /// of millions of cells stays small): extra cell i is extra(i); row r has the extra cells
  /// [extra_begin[r], extra_begin[r + 1]), the first of them at field number ncols + 1.
  std::string extra_data;
  std::vector<std::uint32_t> extra_ends{};   ///< end of each extra cell in extra_data
  std::vector<std::size_t> extra_begin{0};   ///< rows + 1 entries

  std::string_view extra(std::size_t i) const noexcept {
    std::size_t b = i ? extra_ends[i - 1] : 0;
    return {extra_data.data() + b, static_cast<std::size_t>(extra_ends[i] - b)};
  }
  /// Appends an extra cell to the current (last) row; end_row() closes the row.
  void add_extra(std::string_view v) {
    extra_data.append(v.data(), v.size());
    extra_ends.push_back(static_cast<std::uint32_t>(extra_data.size()));
  }
  void end_row() { extra_begin.push_back(extra_ends.size()); }

  void reset(std::size_t ncols);
};

// ---- Readers ----------------------------------------------------------------------------

/// A source of bytes. read() returns 0 at the end; throws Error(io) on failure.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(char* buf, std::size_t cap) = 0;
  virtual std::string label() const = 0;
};
std::unique_ptr<ByteSource> open_file(const std::string& path);  ///< throws Error(io)
/// The bytes are borrowed and must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes, std::string label = "<memory>");
/// Decodes `encoding` to UTF-8 with iconv, streaming; an undecodable sequence is Error(parse)
/// with its byte offset. UTF-8 input is passed through (a leading BOM is dropped).
std::unique_ptr<ByteSource> decode_to_utf8(std::unique_ptr<ByteSource> in, const std::string& encoding);

/// Reads records as batches. Memory is bounded by the batch size and the longest record.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  /// Header labels (empty when the dialect has no header: fields are then positional).
  virtual const std::vector<std::string>& labels() const = 0;
  virtual bool has_header() const = 0;
  /// Fills `out` with up to max_rows records of ncols columns; false at the end.
  virtual bool next(Batch& out, std::size_t ncols, std::size_t max_rows) = 0;
  virtual std::uint64_t bytes_read() const = 0;
};

/// RFC 4180 CSV with the dialect's options. Limits: a record of more than max_record bytes
/// (default 64 MiB, at most 1 GiB: a larger max_record is Error(invalid_argument)) is
/// Error(parse). Rows of a CSV start at row 1 = header. A batch ends at max_rows or once its
/// rows hold 16 MiB, whichever comes first (both readers).
std::unique_ptr<RecordReader> csv_reader(std::unique_ptr<ByteSource> src, const Dialect& d,
                                         std::size_t max_record = 64u << 20);
/// JSON Lines: one JSON object (keys = labels, taken from the first object) or array per line.
std::unique_ptr<RecordReader> jsonl_reader(std::unique_ptr<ByteSource> src,
                                           std::size_t max_record = 64u << 20);

// ---- Validation -------------------------------------------------------------------------

/// Another table of the same data package, named by foreign keys ("reference.resource").
/// Only the referenced fields are read from it (one streaming pass, before the validated
/// table); its own data is not validated here (validate_package validates every table).
struct ReferencedResource {
  std::string name;                   ///< the name foreign keys use
  std::string path;                   ///< CSV or JSON Lines file
  /// Its schema (fields by position, as for validation). None: the columns are found by the
  /// header labels and the referenced fields are read with the type and format of the
  /// fields that refer to them.
  std::optional<TableSchema> schema;
  Dialect dialect;
  std::string format;                 ///< "csv", "jsonl" or "" = from the path
};

/// Referenced tables from JSON: `[{"name", "path", "schema"?, "dialect"?, "format"?}]`
/// (the C API's resources_json). Throws Error(invalid_argument) naming the bad item;
/// Error(invalid_data/parse) for a bad schema.
std::vector<ReferencedResource> resources_from_json(const nlohmann::json& a);

/// Receives a validation report while it is made, so that errors need not be held: each
/// task begins, its errors come one by one in report order, and it ends with its totals.
/// With a sink, the report that validate_* return has no errors in tasks[].errors (its
/// stats still count them): memory stays flat in the number of errors.
/// A row error (a cell error when has_cell) as the validator finds it, before it is a JSON
/// object: a view, valid during the call. to_json() is the error of the report;
/// append_json() writes exactly to_json().dump() (compact, invalid UTF-8 replaced by U+FFFD)
/// without building it, append_message() its "message".
struct ErrorRecord {
  const char* type = "";
  std::uint64_t row_number = 0;
  bool has_cell = false;  ///< "cell", "fieldName", "fieldNumber" present
  std::string_view cell, field_name;
  std::uint64_t field_number = 0;
  std::string_view note;
  const std::vector<std::string_view>* cells = nullptr;  ///< the row's cells (at most 1,000)
  bool cells_truncated = false;

  nlohmann::json to_json() const;
  void append_json(std::string& out) const;
  void append_message(std::string& out) const;
};

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void begin_task(const std::string& name, const std::string& place) = 0;
  virtual void error(const nlohmann::json& error) = 0;
  /// Row and cell errors come here (the others to error()); a sink that writes the record
  /// directly avoids a JSON object per error. The default is error(e.to_json()).
  virtual void error_record(const ErrorRecord& e) { error(e.to_json()); }
  /// `task` is the task's member of the report without "errors".
  virtual void end_task(const nlohmann::json& task) = 0;
};

/// A sink that writes the JSON report as it is made (docs/formats/validation-report.md,
/// "Streaming"): begin() before validating, then validate_* with this sink, then
/// end(report) with what they returned. One error per line; totals at the end.
class JsonReportWriter final : public ReportSink {
 public:
  explicit JsonReportWriter(std::ostream& out) : out_(out) {}
  void begin();
  void begin_task(const std::string& name, const std::string& place) override;
  void error(const nlohmann::json& error) override;
  void error_record(const ErrorRecord& e) override;
  void end_task(const nlohmann::json& task) override;
  void end(const nlohmann::json& report);

 private:
  std::ostream& out_;
  bool first_task_ = true, first_error_ = true;
  std::string buf_;
};

struct ValidateOptions {
  std::uint64_t limit_errors = 1000;  ///< stop after this many errors (0 = no limit)
  std::size_t batch_rows = 8192;
  std::string format;                 ///< "csv", "jsonl" or "" = from the name (default csv)
  Dialect dialect;
  std::string name;                   ///< task name (default: file stem)
  std::string place;                  ///< task place (default: the path)
  /// Tables that foreign keys with a "reference.resource" refer to. When empty, such keys are
  /// not checked (a warning in the report); when given, a key naming a resource not among
  /// them is Error(invalid_argument).
  std::vector<ReferencedResource> resources;
  /// Streams the report (errors as found) instead of holding its errors; not owned.
  ReportSink* sink = nullptr;
};

/// Validates a file against a schema; returns the report (docs/formats/validation-report.md).
/// Problems in the data are report errors; Error(io/parse) only when the input cannot be
/// read at all (unreadable file, undecodable encoding, a record over the size limit…) —
/// even then the report is returned with a "source-error"/"encoding-error" error.
nlohmann::json validate_file(const std::string& path, const TableSchema& schema,
                             const ValidateOptions& opts = {});
nlohmann::json validate_bytes(std::string_view data, const TableSchema& schema,
                              const ValidateOptions& opts = {});
/// Validates every tabular resource of a Frictionless Data Package (datapackage.json):
/// each with its schema (inline or a path) and dialect, foreign keys resolved against the
/// package's other resources. One task per resource, in package order; paths are relative to
/// the descriptor's directory. Throws Error(parse/invalid_data) for a bad descriptor and
/// Error(io) for an unreadable file; opts.resources is ignored (the package gives them).
nlohmann::json validate_package(const std::string& descriptor_path, const ValidateOptions& opts = {});
/// The general form: any reader.
nlohmann::json validate(RecordReader& reader, const TableSchema& schema,
                        const ValidateOptions& opts, const std::string& name,
                        const std::string& place);

}  // namespace civitas::schema
