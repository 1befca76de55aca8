// Validation of records against a table schema, a batch and a column at a time, with a
// report in the frictionless report shape (docs/formats/validation-report.md). Errors within
// a row are ordered as frictionless-py orders them: cell errors by field, extra cells,
// missing cells (or one blank-row instead of all of these), unique, primary key, foreign key.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "cell.hpp"
#include "civitas/schema.hpp"

namespace civitas::schema {

using nlohmann::json;
using detail::CellIssue;
using detail::FieldReader;
using detail::Value;

namespace {

// The most cells an error lists in "cells" (docs/formats/validation-report.md).
constexpr std::size_t kMaxErrorCells = 1000;

struct ErrorInfo {
  const char* type;
  const char* title;
  const char* description;
  const char* tags;  // "row" (#table #row), "cell" (#table #row #cell), "label", "none"
};

const ErrorInfo kErrors[] = {
    {"type-error", "Type Error", "The value does not match the schema type and format for this field.", "cell"},
    {"constraint-error", "Constraint Error", "A field value does not conform to a constraint.", "cell"},
    {"missing-cell", "Missing Cell",
     "This row has less values compared to the header row (the first row in the data source). A key concept is "
     "that all the rows in tabular data must have the same number of columns.", "cell"},
    {"extra-cell", "Extra Cell",
     "This row has more values compared to the header row (the first row in the data source). A key concept is "
     "that all the rows in tabular data must have the same number of columns.", "cell"},
    {"blank-row", "Blank Row", "This row is empty. A row should contain at least one value.", "row"},
    {"unique-error", "Unique Error",
     "This field is a unique field but it contains a value that has been used in another row.", "cell"},
    {"primary-key", "PrimaryKey Error", "Values in the primary key fields should be unique for every row", "row"},
    {"foreign-key", "ForeignKey Error", "Values in the foreign key fields should exist in the reference table", "row"},
    {"identifier-checksum", "Identifier Checksum",
     "The value is not a valid identifier of its kind: its check character is wrong (civitas extension).", "cell"},
    {"identifier-component", "Identifier Component",
     "The value is not a valid identifier of its kind: its length, characters or a component (authority, "
     "category, region, birth date) are wrong (civitas extension).", "cell"},
    {"duplicate-label", "Duplicate Label",
     "Two columns in the header row have the same value. Column names should be unique.", "label"},
    {"missing-label", "Missing Label",
     "Based on the schema there should be a label that is missing in the data's header.", "label"},
    {"extra-label", "Extra Label",
     "The header of the data source contains label that does not exist in the provided schema.", "label"},
    {"blank-label", "Blank Label",
     "A label in the header row is missing a value. Label should be provided and not be blank.", "label"},
    {"incorrect-label", "Incorrect Label",
     "One of the data source header does not match the field name defined in the schema.", "label"},
    {"blank-header", "Blank Header", "This header is empty. A header should contain at least one value.", "header"},
    {"source-error", "Source Error", "Data reading error because of not supported or inconsistent contents.", "none"},
    {"encoding-error", "Encoding Error", "Data reading error because of an encoding problem.", "none"},
};

const ErrorInfo& info(std::string_view type) {
  for (const auto& e : kErrors)
    if (type == e.type) return e;
  return kErrors[1];
}

json tags_of(const ErrorInfo& i) {
  std::string t = i.tags;
  if (t == "cell") return {"#table", "#row", "#cell"};
  if (t == "row") return {"#table", "#row"};
  if (t == "label") return {"#table", "#header", "#label"};
  if (t == "header") return {"#table", "#header"};
  return json::array();
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

std::string message_for(const std::string& type, const json& e) {
  auto s = [&](const char* k) -> std::string {
    if (!e.contains(k) || e[k].is_null()) return "";
    return e[k].is_string() ? e[k].get<std::string>() : e[k].dump();
  };
  std::string row = s("rowNumber"), fn = s("fieldNumber"), name = s("fieldName"), cell = s("cell"), note = s("note");
  if (type == "type-error")
    return "Type error in the cell " + q(cell) + " in row " + q(row) + " and field " + q(name) + " at position " + q(fn) + ": " + note;
  if (type == "constraint-error")
    return "The cell " + q(cell) + " in row at position " + q(row) + " and field " + q(name) + " at position " + q(fn) +
           " does not conform to a constraint: " + note;
  if (type == "identifier-checksum" || type == "identifier-component")
    return "The cell " + q(cell) + " in row at position " + q(row) + " and field " + q(name) + " at position " + q(fn) +
           " is not a valid identifier: " + note;
  if (type == "missing-cell")
    return "Row at position " + q(row) + " has a missing cell in field " + q(name) + " at position " + q(fn);
  if (type == "extra-cell") return "Row at position " + q(row) + " has an extra value in field at position " + q(fn);
  if (type == "blank-row") return "Row at position " + q(row) + " is completely blank";
  if (type == "unique-error")
    return "Row at position " + q(row) + " has unique constraint violation in field " + q(name) + " at position " + q(fn) + ": " + note;
  if (type == "primary-key") return "Row at position " + q(row) + " violates the primary key: " + note;
  if (type == "foreign-key") return "Row at position " + q(row) + " violates the foreign key: " + note;
  std::string label = s("label");
  if (type == "duplicate-label")
    return "Label " + q(label) + " in the header at position " + q(fn) + " is duplicated to a label: " + note;
  if (type == "missing-label") return "There is a missing label in the header's field " + q(name) + " at position " + q(fn);
  if (type == "extra-label") return "There is an extra label " + q(label) + " in header at position " + q(fn);
  if (type == "blank-label") return "Label in the header in field at position " + q(fn) + " is blank";
  if (type == "incorrect-label")
    return "Label " + q(label) + " in field " + name + " at position " + q(fn) + " does not match the field name in the schema";
  if (type == "blank-header") return "Header is completely blank";
  if (type == "source-error") return "The data source has not supported or has inconsistent contents: " + note;
  if (type == "encoding-error") return "The data source could not be successfully decoded: " + note;
  return note;
}

json make_error(const std::string& type, json fields) {
  const ErrorInfo& i = info(type);
  json e = {{"type", type}, {"title", i.title}, {"description", i.description}};
  e["message"] = message_for(type, fields);
  e["tags"] = tags_of(i);
  for (auto it = fields.begin(); it != fields.end(); ++it) e[it.key()] = std::move(it.value());
  if (!e.contains("note")) e["note"] = "";
  return e;
}

// ---- Errors written without a JSON object (ErrorRecord) ------------------------------------

std::string dump_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF), as nlohmann::json
// checks it when it writes a string.
bool valid_utf8(const unsigned char* p, const unsigned char* e) noexcept {
  while (p < e) {
    unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c == 0xE0) n = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) n = 2;
    else if (c == 0xED) n = 2, hi = 0x9F;
    else if (c == 0xF0) n = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) n = 3;
    else if (c == 0xF4) n = 3, hi = 0x8F;
    else return false;
    if (static_cast<std::size_t>(e - p) <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t k = 2; k <= n; ++k)
      if (p[k] < 0x80 || p[k] > 0xBF) return false;
    p += n + 1;
  }
  return true;
}

// A JSON string exactly as nlohmann::json dumps it (ensure_ascii off, invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  const auto* q = p;
  while (q < e && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\') ++q;
  if (q == e) {
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
    return;
  }
  if (!valid_utf8(q, e)) {
    out += dump_text(json(std::string(s)));
    return;
  }
  out += '"';
  out.append(s.data(), static_cast<std::size_t>(q - p));
  for (; q < e; ++q) {
    const auto* run = q;  // bytes that need no escape are copied as one run
    while (q < e && *q >= 0x20 && *q != '"' && *q != '\\') ++q;
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(q - run));
    if (q == e) break;
    unsigned char c = *q;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static const char hex[] = "0123456789abcdef";
          char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
          out.append(u, 6);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_uint(std::string& out, std::uint64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

void append_q(std::string& out, std::string_view s) {
  out += '"';
  out.append(s.data(), s.size());
  out += '"';
}
void append_q(std::string& out, std::uint64_t v) {
  out += '"';
  append_uint(out, v);
  out += '"';
}

}  // namespace

json ErrorRecord::to_json() const {
  json f = json::object();
  f["note"] = std::string(note);
  f["rowNumber"] = row_number;
  if (has_cell) {
    f["cell"] = std::string(cell);
    f["fieldName"] = std::string(field_name);
    f["fieldNumber"] = field_number;
  }
  if (cells) {
    json c = json::array();
    for (auto v : *cells) c.push_back(std::string(v));
    f["cells"] = std::move(c);
    if (cells_truncated) f["cellsTruncated"] = true;
  }
  return make_error(type, std::move(f));
}

// The same text as message_for() for the row and cell errors.
void ErrorRecord::append_message(std::string& out) const {
  std::string_view t = type;
  if (t == "type-error") {
    out += "Type error in the cell ";
    append_q(out, cell);
    out += " in row ";
    append_q(out, row_number);
    out += " and field ";
    append_q(out, field_name);
    out += " at position ";
    append_q(out, field_number);
    out += ": ";
    out += note;
  } else if (t == "constraint-error" || t == "identifier-checksum" || t == "identifier-component") {
    out += "The cell ";
    append_q(out, cell);
    out += " in row at position ";
    append_q(out, row_number);
    out += " and field ";
    append_q(out, field_name);
    out += " at position ";
    append_q(out, field_number);
    out += t == "constraint-error" ? " does not conform to a constraint: " : " is not a valid identifier: ";
    out += note;
  } else if (t == "missing-cell") {
    out += "Row at position ";
    append_q(out, row_number);
    out += " has a missing cell in field ";
    append_q(out, field_name);
    out += " at position ";
    append_q(out, field_number);
  } else if (t == "extra-cell") {
    out += "Row at position ";
    append_q(out, row_number);
    out += " has an extra value in field at position ";
    append_q(out, field_number);
  } else if (t == "blank-row") {
    out += "Row at position ";
    append_q(out, row_number);
    out += " is completely blank";
  } else if (t == "unique-error") {
    out += "Row at position ";
    append_q(out, row_number);
    out += " has unique constraint violation in field ";
    append_q(out, field_name);
    out += " at position ";
    append_q(out, field_number);
    out += ": ";
    out += note;
  } else if (t == "primary-key" || t == "foreign-key") {
    out += "Row at position ";
    append_q(out, row_number);
    out += t == "primary-key" ? " violates the primary key: " : " violates the foreign key: ";
    out += note;
  } else {
    out += message_for(type, to_json());
  }
}

// Members in the order nlohmann::json (a sorted map) dumps them.
void ErrorRecord::append_json(std::string& out) const {
  const ErrorInfo& i = info(type);
  thread_local std::string msg;
  msg.clear();
  append_message(msg);
  out += '{';
  if (has_cell) {
    out += "\"cell\":";
    append_json_string(out, cell);
    out += ',';
  }
  if (cells) {
    out += "\"cells\":[";
    bool first = true;
    for (auto v : *cells) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, v);
    }
    out += "],";
    if (cells_truncated) out += "\"cellsTruncated\":true,";
  }
  out += "\"description\":";
  append_json_string(out, i.description);
  if (has_cell) {
    out += ",\"fieldName\":";
    append_json_string(out, field_name);
    out += ",\"fieldNumber\":";
    append_uint(out, field_number);
  }
  out += ",\"message\":";
  append_json_string(out, msg);
  out += ",\"note\":";
  append_json_string(out, note);
  out += ",\"rowNumber\":";
  append_uint(out, row_number);
  out += ",\"tags\":";
  if (std::strcmp(i.tags, "cell") == 0) out += R"(["#table","#row","#cell"])";
  else if (std::strcmp(i.tags, "row") == 0) out += R"(["#table","#row"])";
  else out += dump_text(tags_of(i));
  out += ",\"title\":";
  append_json_string(out, i.title);
  out += ",\"type\":";
  append_json_string(out, type);
  out += '}';
}

namespace {

bool is_jsonl_format(const std::string& format, const std::string& path) {
  if (!format.empty()) {
    if (format == "jsonl" || format == "ndjson") return true;
    if (format == "csv" || format == "tsv") return false;
    throw Error(Code::invalid_argument, "unsupported format \"" + format + "\" (csv or jsonl)");
  }
  auto ends = [&](const char* s) {
    std::string e = s;
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  return ends(".jsonl") || ends(".ndjson");
}

std::unique_ptr<RecordReader> open_reader(const std::string& path, const std::string& format, const Dialect& d) {
  if (is_jsonl_format(format, path)) return jsonl_reader(open_file(path));
  return csv_reader(open_file(path), d);
}

struct Pending {
  std::uint32_t row;
  std::uint32_t field;
  std::uint32_t seq;
  CellIssue issue;
};

class Validator {
 public:
  Validator(const TableSchema& s, const ValidateOptions& o) : schema_(s), opts_(o) {
    readers_.reserve(s.fields.size());
    for (const auto& f : s.fields) readers_.emplace_back(f, s.missing_values);
    need_key_.assign(s.fields.size(), false);
    for (std::size_t j = 0; j < s.fields.size(); ++j)
      if (s.fields[j].constraints.unique) {
        need_key_[j] = true;
        unique_.emplace_back(j, std::unordered_map<std::string, std::uint64_t>{});
      }
    for (const auto& n : s.primary_key) pk_.push_back(static_cast<std::size_t>(s.field_index(n)));
    for (std::size_t j : pk_) need_key_[j] = true;
    for (const auto& uk : s.unique_keys) {
      std::vector<std::size_t> idx;
      for (const auto& n : uk) idx.push_back(static_cast<std::size_t>(s.field_index(n)));
      for (std::size_t j : idx) need_key_[j] = true;
      ukeys_.push_back({idx, {}});
    }
    for (const auto& fk : s.foreign_keys) {
      Fk k;
      k.def = &fk;
      if (!fk.resource.empty()) {
        if (o.resources.empty()) {
          warnings_.push_back("foreign key to resource \"" + fk.resource +
                              "\" not checked: validating a single table (give the resource to check it)");
          continue;
        }
        auto it = std::find_if(o.resources.begin(), o.resources.end(),
                               [&](const ReferencedResource& r) { return r.name == fk.resource; });
        if (it == o.resources.end())
          throw Error(Code::invalid_argument, "a foreign key refers to resource \"" + fk.resource +
                                                  "\", which is not among the given resources");
        k.resource = static_cast<int>(it - o.resources.begin());
      }
      for (const auto& n : fk.fields) k.target.push_back(static_cast<std::size_t>(s.field_index(n)));
      for (std::size_t j : k.target) need_key_[j] = true;
      if (k.resource < 0) {
        for (const auto& n : fk.reference_fields) k.source.push_back(static_cast<std::size_t>(s.field_index(n)));
        for (std::size_t j : k.source) need_key_[j] = true;
      }
      fks_.push_back(std::move(k));
    }
    vals_.resize(s.fields.size());
  }

  bool has_lookup_pass() const {
    return std::any_of(fks_.begin(), fks_.end(), [](const Fk& k) { return k.resource < 0; });
  }

  // First pass for self-referencing foreign keys: collects the referenced key tuples.
  void collect_lookup(RecordReader& reader) { collect(reader, readers_, schema_.fields.size(), -1); }

  // Reads the other resources foreign keys refer to (each once, only the referenced fields).
  // Their problems are errors of the call (named after the resource), not of the report.
  void collect_external() {
    std::vector<bool> done(opts_.resources.size(), false);
    for (const auto& fk : fks_) {
      if (fk.resource < 0 || done[static_cast<std::size_t>(fk.resource)]) continue;
      done[static_cast<std::size_t>(fk.resource)] = true;
      const ReferencedResource& res = opts_.resources[static_cast<std::size_t>(fk.resource)];
      try {
        collect_resource(res, fk.resource);
      } catch (const Error& e) {
        throw Error(e.code(), "referenced resource \"" + res.name + "\" (" + res.path + "): " + e.what());
      }
    }
  }
  void header(const RecordReader& reader) {
    if (!reader.has_header()) return;
    const auto& labels = reader.labels();
    labels_ = labels;
    std::size_t nf = schema_.fields.size(), nl = labels.size();
    if (nl == 0) {
      add(make_error("blank-header", {{"labels", json::array()}, {"rowNumbers", {1}}, {"rowNumber", 1}}));
      return;
    }
    // A label error lists the header's labels, as frictionless does, while there are at most
    // kMaxErrorCells of them; the errors of a longer header list none (labelsTruncated: the
    // task's "labels" has them all), so that a hostile header of n labels costs O(n), not
    // O(n^2): one extra label is one error.
    const bool cut = nl > kMaxErrorCells;
    const json listed = cut ? json::array() : json(labels);
    auto label_err = [&](const char* type, const std::string& label, const std::string& field, std::size_t number,
                         const std::string& note) {
      if (stopped_) return;
      json f = {{"note", note}, {"labels", listed}, {"rowNumbers", {1}}, {"rowNumber", 1},
                {"label", label}, {"fieldName", field}, {"fieldNumber", number}};
      if (cut) f["labelsTruncated"] = true;
      add(make_error(type, std::move(f)));
    };
    for (std::size_t i = nf; i < nl; ++i) label_err("extra-label", "", "", i + 1, "");
    for (std::size_t i = nl; i < nf; ++i) label_err("missing-label", "", schema_.fields[i].name, i + 1, "");
    for (std::size_t i = 0; i < std::min(nf, nl); ++i) {
      const std::string& label = labels[i];
      const std::string& name = schema_.fields[i].name;
      if (label.empty()) label_err("blank-label", "", name, i + 1, "");
      bool dup = false;
      if (!label.empty()) {
        std::string at;
        for (std::size_t k = 0; k < i; ++k)
          if (labels[k] == label) at += (at.empty() ? "" : ", ") + std::to_string(k + 1);
        if (!at.empty()) {
          dup = true;
          label_err("duplicate-label", label, name, i + 1, "at position \"" + at + "\"");
        }
      }
      if (!label.empty() && !dup) {
        std::string l = label;
        for (char& c : l)
          if (c == '\n') c = ' ';
        std::size_t b = l.find_first_not_of(" \t\r\f\v"), e = l.find_last_not_of(" \t\r\f\v");
        l = b == std::string::npos ? "" : l.substr(b, e - b + 1);
        if (l != name) label_err("incorrect-label", label, name, i + 1, "");
      }
    }
  }

  // Validates one batch; returns false once the error limit is reached.
  bool batch(const Batch& b) {
    const std::size_t nf = schema_.fields.size(), rows = b.rows;
    null_.assign(nf * rows, 0);
    pending_.clear();
    for (std::size_t j = 0; j < nf; ++j) {
      const Column& c = b.columns[j];
      const FieldReader& rd = readers_[j];
      if (need_key_[j]) vals_[j].resize(rows);
      std::uint8_t* nul = null_.data() + j * rows;
      for (std::size_t r = 0; r < rows; ++r) {
        issues_.clear();
        Value v;
        bool null = rd.check(c.value(r), c.present(r), v, &issues_);
        nul[r] = null;
        if (need_key_[j]) vals_[j][r] = v;
        for (std::size_t k = 0; k < issues_.size(); ++k)
          pending_.push_back({static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(j),
                              static_cast<std::uint32_t>(k), std::move(issues_[k])});
      }
    }
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& c) {
      return a.row != c.row ? a.row < c.row : a.field != c.field ? a.field < c.field : a.seq < c.seq;
    });
    std::size_t pi = 0;
    std::string key;
    for (std::size_t r = 0; r < rows; ++r) {
      ++rows_done_;
      std::size_t blank = 0;
      for (std::size_t j = 0; j < nf; ++j) blank += null_[j * rows + r];
      std::size_t pend_begin = pi;
      while (pi < pending_.size() && pending_[pi].row == r) ++pi;
      std::size_t ext_begin = b.extra_begin[r], ext_end = b.extra_begin[r + 1];
      std::uint64_t rn = b.row_numbers[r];
      std::size_t ncells = b.cell_counts[r];
      bool have_cells = false;
      // An error lists the row's cells, at most kMaxErrorCells of them, so that an error's
      // size does not grow with a hostile row (a 10 MiB line of commas is 5 million cells).
      auto row_cells = [&]() -> const std::vector<std::string_view>& {
        if (!have_cells) {
          have_cells = true;
          cells_.clear();
          for (std::size_t k = 0; k < std::min(ncells, nf) && cells_.size() < kMaxErrorCells; ++k)
            cells_.push_back(b.columns[k].value(r));
          for (std::size_t e = ext_begin; e < ext_end && cells_.size() < kMaxErrorCells; ++e) cells_.push_back(b.extra(e));
          cut_ = std::min(ncells, nf) + (ext_end - ext_begin) > cells_.size();
        }
        return cells_;
      };
      auto cell_err = [&](const char* type, std::size_t j, std::string_view cell, std::string_view note) {
        ErrorRecord e;
        e.type = type;
        e.row_number = rn;
        e.has_cell = true;
        e.cell = cell;
        e.field_name = schema_.fields[j].name;
        e.field_number = j + 1;
        e.note = note;
        e.cells = &row_cells();
        e.cells_truncated = cut_;
        add(e);
      };
      auto row_err = [&](const char* type, std::string_view note) {
        ErrorRecord e;
        e.type = type;
        e.row_number = rn;
        e.note = note;
        e.cells = &row_cells();
        e.cells_truncated = cut_;
        add(e);
      };
      if (nf > 0 && blank == nf) {
        row_err("blank-row", "");
      } else {
        for (std::size_t k = pend_begin; k < pi && !stopped_; ++k) {
          const Pending& p = pending_[k];
          const Column& c = b.columns[p.field];
          cell_err(p.issue.type.c_str(), p.field, c.present(r) ? c.value(r) : std::string_view("None"), p.issue.note);
        }
        for (std::size_t e = ext_begin; e < ext_end && !stopped_; ++e) {
          ErrorRecord x;
          x.type = "extra-cell";
          x.row_number = rn;
          x.has_cell = true;
          x.cell = b.extra(e);
          x.field_name = "";
          x.field_number = nf + 1 + (e - ext_begin);
          x.cells = &row_cells();
          x.cells_truncated = cut_;
          add(x);
        }
        for (std::size_t j = ncells; j < nf && !stopped_; ++j) cell_err("missing-cell", j, "", "");
      }
      // unique
      for (auto& [j, seen] : unique_) {
        if (stopped_) break;
        const Value& v = vals_[j][r];
        if (v.kind == Value::null) continue;
        key.clear();
        readers_[j].key_bytes(v, key);
        auto [it, fresh] = seen.try_emplace(key, rn);
        if (!fresh) {
          std::uint64_t prev = it->second;
          it->second = rn;
          const Column& c = b.columns[j];
          cell_err("unique-error", j, c.value(r), "the same as in the row at position " + std::to_string(prev));
        }
      }
      for (auto& uk : ukeys_) {
        if (stopped_) break;
        key.clear();
        bool any_null = false;
        for (std::size_t j : uk.fields) {
          any_null |= vals_[j][r].kind == Value::null;
          append_key(j, vals_[j][r], key);
        }
        if (any_null) continue;
        auto [it, fresh] = uk.seen.try_emplace(key, rn);
        if (!fresh) {
          std::uint64_t prev = it->second;
          it->second = rn;
          std::string names;
          for (std::size_t j : uk.fields) names += (names.empty() ? "" : ", ") + schema_.fields[j].name;
          const Column& c = b.columns[uk.fields[0]];
          cell_err("unique-error", uk.fields[0], c.value(r),
                   "unique key \"" + names + "\": the same as in the row at position " + std::to_string(prev));
        }
      }
      if (!pk_.empty() && !stopped_) {
        key.clear();
        bool all_null = true;
        for (std::size_t j : pk_) {
          all_null &= vals_[j][r].kind == Value::null;
          append_key(j, vals_[j][r], key);
        }
        if (all_null) {
          row_err("primary-key", "cells composing the primary keys are all \"None\"");
        } else {
          auto [it, fresh] = pk_seen_.try_emplace(key, rn);
          if (!fresh) {
            std::uint64_t prev = it->second;
            it->second = rn;
            std::string note = "the same as in the row at position " + std::to_string(prev);
            row_err("primary-key", note);
          }
        }
      }
      for (auto& fk : fks_) {
        if (stopped_) break;
        key.clear();
        bool all_null = true;
        std::string shown;
        for (std::size_t j : fk.target) {
          const Value& v = vals_[j][r];
          all_null &= v.kind == Value::null;
          append_key(j, v, key);
          shown += (shown.empty() ? "" : ", ") + readers_[j].display(v);
        }
        if (all_null || fk.lookup.count(key)) continue;
        auto join = [](const std::vector<std::string>& v) {
          std::string s;
          for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
          return s;
        };
        json e = make_error("foreign-key", {{"note", "for \"" + join(fk.def->fields) + "\": values \"" + shown +
                                                         "\" not found in the lookup table \"" + fk.def->resource + "\" as \"" +
                                                         join(fk.def->reference_fields) + "\""},
                                            {"cells", cells_json(row_cells())}, {"rowNumber", rn},
                                            {"fieldNames", fk.def->fields}, {"referenceName", fk.def->resource},
                                            {"referenceFieldNames", fk.def->reference_fields}});
        if (cut_) e["cellsTruncated"] = true;
        add(std::move(e));
      }
      if (stopped_) return false;
    }
    return true;
  }

  void source_error(const Error& e) {
    std::string what = e.what();
    bool enc = what.find("UTF-8") != std::string::npos || what.find("encoding") != std::string::npos;
    add(make_error(enc ? "encoding-error" : "source-error", {{"note", what}}), true);
  }

  json report(const std::string& name, const std::string& place, std::uint64_t bytes, double seconds) {
    bool valid = error_count_ == 0;
    json task = {{"name", name}, {"type", "table"}, {"valid", valid}, {"place", place}, {"labels", labels_}};
    task["stats"] = {{"errors", error_count_}, {"warnings", warnings_.size()}, {"seconds", seconds},
                     {"bytes", bytes}, {"fields", schema_.fields.size()}, {"rows", rows_done_}};
    task["warnings"] = warnings_;
    if (limit_reached_) task["partial"] = true;
    if (opts_.sink) opts_.sink->end_task(task);
    task["errors"] = std::move(errors_);
    errors_ = json::array();
    json r = {{"valid", valid}};
    r["stats"] = {{"tasks", 1}, {"errors", error_count_}, {"warnings", warnings_.size()}, {"seconds", seconds}};
    r["warnings"] = json::array();
    r["errors"] = json::array();
    r["tasks"] = json::array();
    r["tasks"].push_back(std::move(task));
    r["version"] = 1;
    return r;
  }

 private:
  struct Fk {
    const ForeignKey* def = nullptr;
    std::vector<std::size_t> target, source;  ///< source: columns of the referenced table
    std::unordered_set<std::string> lookup;
    int resource = -1;                        ///< index in opts.resources; -1 = this table
  };

  // Adds the key tuples of the referenced fields of every row to the lookups of the foreign
  // keys of resource `which` (-1 = this table). A type error counts as a null cell.
  void collect(RecordReader& reader, const std::vector<FieldReader>& rd, std::size_t ncols, int which) {
    Batch b;
    std::string key;
    Value v;
    while (reader.next(b, ncols, opts_.batch_rows ? opts_.batch_rows : 8192)) {
      for (std::size_t r = 0; r < b.rows; ++r)
        for (auto& fk : fks_) {
          if (fk.resource != which) continue;
          key.clear();
          bool all_null = true;
          for (std::size_t j : fk.source) {
            const Column& c = b.columns[j];
            bool null = rd[j].check(c.value(r), c.present(r), v, nullptr);
            if (!null && v.kind == Value::null) null = true;  // type error → None
            all_null &= null;
            append_key(j, null ? Value{} : v, key, rd);
          }
          if (!all_null) fk.lookup.insert(key);
        }
    }
  }

  void collect_resource(const ReferencedResource& res, int which) {
    auto reader = open_reader(res.path, res.format, res.dialect);
    TableSchema inferred;
    const TableSchema* rs = res.schema ? &*res.schema : nullptr;
    if (!rs) {  // columns by header label; referenced fields typed as the fields referring to them
      if (!reader->has_header() || reader->labels().empty())
        throw Error(Code::invalid_argument, "needs a header row or a schema");
      inferred = infer_string_schema(reader->labels());
      for (const auto& fk : fks_) {
        if (fk.resource != which) continue;
        for (std::size_t i = 0; i < fk.def->reference_fields.size(); ++i) {
          int at = inferred.field_index(fk.def->reference_fields[i]);
          if (at < 0) continue;  // reported below
          Field f = schema_.fields[fk.target[i]];
          f.name = fk.def->reference_fields[i];
          f.constraints = {};
          f.identifier = Identifier::none;
          inferred.fields[static_cast<std::size_t>(at)] = std::move(f);
        }
      }
      rs = &inferred;
    }
    for (auto& fk : fks_) {
      if (fk.resource != which) continue;
      fk.source.clear();
      for (const auto& n : fk.def->reference_fields) {
        int at = rs->field_index(n);
        if (at < 0) throw Error(Code::invalid_data, "has no field \"" + n + "\" that a foreign key refers to");
        fk.source.push_back(static_cast<std::size_t>(at));
      }
    }
    std::vector<FieldReader> rd;
    rd.reserve(rs->fields.size());
    for (const auto& f : rs->fields) rd.emplace_back(f, rs->missing_values);
    collect(*reader, rd, rs->fields.size(), which);
  }
  struct UniqueKey {
    std::vector<std::size_t> fields;
    std::unordered_map<std::string, std::uint64_t> seen;
  };

  void append_key(std::size_t j, const Value& v, std::string& key) const { append_key(j, v, key, readers_); }
  static void append_key(std::size_t j, const Value& v, std::string& key, const std::vector<FieldReader>& rd) {
    std::size_t at = key.size();
    key.append(4, '\0');
    rd[j].key_bytes(v, key);
    auto len = static_cast<std::uint32_t>(key.size() - at - 4);
    std::memcpy(&key[at], &len, 4);
  }

  static json cells_json(const std::vector<std::string_view>& cells) {
    json c = json::array();
    for (auto v : cells) c.push_back(std::string(v));
    return c;
  }

  void add(const ErrorRecord& e) {
    if (stopped_) return;
    ++error_count_;
    if (opts_.sink) opts_.sink->error_record(e);
    else errors_.push_back(e.to_json());
    if (opts_.limit_errors && error_count_ >= opts_.limit_errors) {
      stopped_ = true;
      limit_reached_ = true;
    }
  }

  void add(json e, bool force = false) {
    if (stopped_ && !force) return;
    ++error_count_;
    if (opts_.sink) opts_.sink->error(e);
    else errors_.push_back(std::move(e));
    if (opts_.limit_errors && error_count_ >= opts_.limit_errors) {
      stopped_ = true;
      limit_reached_ = true;
    }
  }

  const TableSchema& schema_;
  const ValidateOptions& opts_;
  std::vector<FieldReader> readers_;
  std::vector<bool> need_key_;
  std::vector<std::pair<std::size_t, std::unordered_map<std::string, std::uint64_t>>> unique_;
  std::vector<UniqueKey> ukeys_;
  std::vector<std::size_t> pk_;
  std::unordered_map<std::string, std::uint64_t> pk_seen_;
  std::vector<Fk> fks_;
  std::vector<std::vector<Value>> vals_;
  std::vector<std::uint8_t> null_;
  std::vector<Pending> pending_;
  std::vector<CellIssue> issues_;
  std::vector<std::string_view> cells_;
  bool cut_ = false;
  std::vector<std::string> labels_;
  json errors_ = json::array();
  std::vector<std::string> warnings_;
  std::uint64_t rows_done_ = 0, error_count_ = 0;
  bool stopped_ = false, limit_reached_ = false;

 public:
  bool stopped() const { return stopped_; }
};

using Factory = std::function<std::unique_ptr<RecordReader>()>;

json run(const Factory& make, const TableSchema& schema, const ValidateOptions& opts, const std::string& name,
         const std::string& place) {
  auto t0 = std::chrono::steady_clock::now();
  Validator v(schema, opts);
  v.collect_external();
  if (opts.sink) opts.sink->begin_task(name, place);
  std::uint64_t bytes = 0;
  try {
    if (v.has_lookup_pass()) {
      auto r = make();
      v.collect_lookup(*r);
    }
    auto reader = make();
    v.header(*reader);
    if (reader->has_header() && reader->labels().empty() && reader->bytes_read() == 0) {
      // nothing at all: frictionless reports an empty source
    }
    Batch b;
    while (!v.stopped() && reader->next(b, schema.fields.size(), opts.batch_rows ? opts.batch_rows : 8192))
      if (!v.batch(b)) break;
    bytes = reader->bytes_read();
  } catch (const Error& e) {
    if (e.code() == Code::io || e.code() == Code::invalid_argument) throw;
    v.source_error(e);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return v.report(name, place, bytes, static_cast<double>(static_cast<long long>(secs * 1000)) / 1000.0);
}

std::string stem(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::size_t dot = base.find('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

bool is_jsonl(const ValidateOptions& o, const std::string& path) { return is_jsonl_format(o.format, path); }

}  // namespace

json validate(RecordReader& reader, const TableSchema& schema, const ValidateOptions& opts, const std::string& name,
              const std::string& place) {
  bool used = false;
  Factory f = [&]() -> std::unique_ptr<RecordReader> {
    if (used) throw Error(Code::invalid_argument, "foreign keys need a re-readable source (validate_file/validate_bytes)");
    used = true;
    struct Borrowed final : RecordReader {
      RecordReader& r;
      explicit Borrowed(RecordReader& x) : r(x) {}
      const std::vector<std::string>& labels() const override { return r.labels(); }
      bool has_header() const override { return r.has_header(); }
      bool next(Batch& b, std::size_t n, std::size_t m) override { return r.next(b, n, m); }
      std::uint64_t bytes_read() const override { return r.bytes_read(); }
    };
    return std::make_unique<Borrowed>(reader);
  };
  return run(f, schema, opts, name, place);
}

json validate_file(const std::string& path, const TableSchema& schema, const ValidateOptions& opts) {
  (void)is_jsonl(opts, path);        // an unsupported format is Error(invalid_argument)
  { auto probe = open_file(path); }  // an unreadable file is Error(io), not a report
  Factory f = [&]() { return open_reader(path, opts.format, opts.dialect); };
  return run(f, schema, opts, opts.name.empty() ? stem(path) : opts.name, opts.place.empty() ? path : opts.place);
}

json validate_bytes(std::string_view data, const TableSchema& schema, const ValidateOptions& opts) {
  bool jl = is_jsonl(opts, "");
  Factory f = [&]() -> std::unique_ptr<RecordReader> {
    if (jl) return jsonl_reader(memory_source(data));
    return csv_reader(memory_source(data), opts.dialect);
  };
  return run(f, schema, opts, opts.name.empty() ? "memory" : opts.name, opts.place.empty() ? "<memory>" : opts.place);
}

// ---- Streaming JSON report ----------------------------------------------------------------

namespace {
// The members of `obj` except "errors", as `"k": v` lines of the given indent (no newline after).
void put_members(std::ostream& out, const json& obj, const char* indent, bool& first) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "errors" || it.key() == "tasks" || it.key() == "version") continue;
    out << (first ? "\n" : ",\n") << indent << dump_text(json(it.key())) << ": " << dump_text(it.value());
    first = false;
  }
}
}  // namespace

void JsonReportWriter::begin() {
  out_ << "{\n  \"version\": 1,\n  \"tasks\": [";
  first_task_ = true;
}

void JsonReportWriter::begin_task(const std::string& name, const std::string& place) {
  out_ << (first_task_ ? "\n" : ",\n") << "    {\n      \"name\": " << dump_text(json(name))
       << ",\n      \"place\": " << dump_text(json(place)) << ",\n      \"errors\": [";
  first_task_ = false;
  first_error_ = true;
}

void JsonReportWriter::error(const json& e) {
  buf_.assign(first_error_ ? "\n        " : ",\n        ");
  buf_ += dump_text(e);
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  first_error_ = false;
}

void JsonReportWriter::error_record(const ErrorRecord& e) {
  buf_.assign(first_error_ ? "\n        " : ",\n        ");
  e.append_json(buf_);
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  first_error_ = false;
}

void JsonReportWriter::end_task(const json& task) {
  out_ << (first_error_ ? "]" : "\n      ]");
  json rest = task;
  rest.erase("name");
  rest.erase("place");
  bool first = false;  // "errors" came before
  put_members(out_, rest, "      ", first);
  out_ << "\n    }";
  out_.flush();
}

void JsonReportWriter::end(const json& report) {
  out_ << (first_task_ ? "]" : "\n  ]") << ",\n  \"errors\": []";
  bool first = false;
  put_members(out_, report, "  ", first);
  out_ << "\n}\n";
  out_.flush();
}

}  // namespace civitas::schema
