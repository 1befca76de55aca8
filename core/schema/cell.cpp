// Typed reading of cells: the Table Schema types and formats, constraints, and the civitas
// extensions (guideline data length, identifier checks). Semantics follow frictionless-py
// 5.x where the specification leaves room (see docs/schema.md, "Differences").
#include "cell.hpp"

#include <re2/re2.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "parse_util.hpp"

namespace civitas::schema::detail {

using nlohmann::json;

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string py_repr(const json& j, bool top) {
  if (j.is_boolean()) return j.get<bool>() ? "True" : "False";
  if (j.is_null()) return "None";
  if (j.is_string()) return top ? j.get<std::string>() : "'" + j.get<std::string>() + "'";
  if (j.is_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < j.size(); ++i) s += (i ? ", " : "") + py_repr(j[i], false);
    return s + "]";
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e16) return std::to_string(static_cast<long long>(d)) + ".0";
  }
  return j.dump();
}

int compare(const Value& a, const Value& b) noexcept {
  auto num = [](const Value& v) { return v.kind == Value::integer && !v.big ? static_cast<double>(v.i) : v.d; };
  if ((a.kind == Value::integer || a.kind == Value::number) && (b.kind == Value::integer || b.kind == Value::number)) {
    if (a.kind == Value::integer && b.kind == Value::integer && !a.big && !b.big)
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    double x = num(a), y = num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind == Value::text || a.kind == Value::other) {
    int c = a.s.compare(b.s);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
}

bool equal(const Value& a, const Value& b) noexcept {
  if (a.kind == Value::number || b.kind == Value::number) {
    if ((a.kind == Value::number && std::isnan(a.d)) || (b.kind == Value::number && std::isnan(b.d))) return false;
  }
  bool an = a.kind == Value::integer || a.kind == Value::number;
  bool bn = b.kind == Value::integer || b.kind == Value::number;
  if (an != bn) return false;
  if (!an && a.kind != b.kind) return false;
  return compare(a, b) == 0;
}

namespace {

bool is_nan(const Value& v) { return v.kind == Value::number && std::isnan(v.d); }

// The note of a broken enum: the list as frictionless prints it while it is short; a long
// list is named by its first values and its size, so that an error's size does not grow
// with the constraint ("['a', 'b', ... (20000 values)]").
std::string enum_note(const json& values) {
  constexpr std::size_t kShown = 160;
  std::string all = values.size() <= 64 ? py_repr(values) : std::string();
  if (!all.empty() && all.size() <= kShown) return all;
  std::string out = "[";
  for (const json& v : values) {
    std::string one = py_repr(v, false);
    if (out.size() + one.size() > kShown) break;
    out += one + ", ";
  }
  return out + "... (" + std::to_string(values.size()) + " values)]";
}

// Constraint value from the schema: a JSON number/bool is taken as is, a string is parsed
// with the field's own reader (as frictionless does).
bool constraint_value(const FieldReader& r, const json& j, Value& out, std::string& storage) {
  if (j.is_number_integer()) {
    out.kind = Value::integer;
    out.i = j.get<std::int64_t>();
    if (r.field().type == FieldType::number) {
      out.kind = Value::number;
      out.d = static_cast<double>(out.i);
    }
    return true;
  }
  if (j.is_number()) {
    out.kind = Value::number;
    out.d = j.get<double>();
    return true;
  }
  if (j.is_boolean()) {
    out.kind = Value::boolean;
    out.i = j.get<bool>();
    return true;
  }
  if (j.is_string()) {
    storage = j.get<std::string>();
    return r.parse(storage, out);
  }
  return false;
}

}  // namespace

FieldReader::FieldReader(const Field& f, const std::vector<std::string>& schema_missing)
    : field_(&f), missing_(f.missing_values ? *f.missing_values : schema_missing) {
  const Constraints& c = f.constraints;
  if (c.pattern && f.type == FieldType::string) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(8 << 20);
    pattern_ = std::make_unique<re2::RE2>(*c.pattern, o);
    if (!pattern_->ok())
      throw Error(Code::invalid_data, "pattern of field '" + f.name + "' is not a supported regular expression: " +
                                          pattern_->error());
  }
  std::string tmp;
  auto load = [&](const std::optional<json>& j, Value& v, bool& has, const char* what) {
    if (!j) return;
    std::string storage;
    if (!constraint_value(*this, *j, v, storage) || v.kind == Value::text || v.kind == Value::other)
      throw Error(Code::invalid_data, std::string("constraint ") + what + " of field '" + f.name +
                                          "' is not a value of its type");
    has = true;
  };
  bool ordered = f.type == FieldType::integer || f.type == FieldType::number || f.type == FieldType::date ||
                 f.type == FieldType::time || f.type == FieldType::datetime || f.type == FieldType::year ||
                 f.type == FieldType::yearmonth;
  if (ordered) {
    load(c.minimum, min_, has_min_, "minimum");
    load(c.maximum, max_, has_max_, "maximum");
    load(c.exclusive_minimum, xmin_, has_xmin_, "exclusiveMinimum");
    load(c.exclusive_maximum, xmax_, has_xmax_, "exclusiveMaximum");
  }
  if (c.enumeration) {
    enum_keys_.reserve(c.enumeration->size());
    enum_texts_.reserve(c.enumeration->size());
    std::string key;
    for (const json& e : *c.enumeration) {
      std::string text = e.is_string() ? e.get<std::string>() : e.dump();
      Value v;
      bool typed = e.is_string() ? parse(text, v) : constraint_value(*this, e, v, tmp);
      if (typed) {  // a value of another type never matches
        key.clear();
        key_bytes(v, key);
        enum_keys_.insert(key);
      }
      enum_texts_.insert(std::move(text));
    }
    enum_note_ = enum_note(*c.enumeration);
  }
  id_opts_.strict = f.identifier_strict;
  id_opts_.today = ids::today();
}

FieldReader::~FieldReader() = default;
FieldReader::FieldReader(FieldReader&&) noexcept = default;
FieldReader& FieldReader::operator=(FieldReader&&) noexcept = default;

std::string FieldReader::type_note() const {
  return std::string("type is \"") + type_name(field_->type) + "/" + field_->format + "\"";
}

bool FieldReader::is_missing(std::string_view raw) const noexcept {
  for (const auto& m : missing_)
    if (m.size() == raw.size() && std::memcmp(m.data(), raw.data(), raw.size()) == 0) return true;
  return false;
}

bool FieldReader::parse(std::string_view raw, Value& v) const {
  bool ok = parse_as(field_->type, raw, v);
  v.s = raw;
  return ok;
}

bool FieldReader::parse_as(FieldType t, std::string_view raw, Value& v) const {
  const Field& f = *field_;
  switch (t) {
    case FieldType::string:
      v.kind = Value::text;
      v.s = raw;
      return check_string_format(f.format, raw);
    case FieldType::integer: {
      std::string_view s = strip(raw);
      std::string buf;
      if (!f.bare_number) s = strip_non_bare(s);
      v.kind = Value::integer;
      return parse_py_int(s, v.i, v.big, v.d);
    }
    case FieldType::number: {
      std::string_view s = strip(raw);
      std::string buf;
      bool processed = !f.bare_number || !f.group_char.empty() || f.decimal_char != ".";
      if (processed) {
        if (!f.bare_number) s = strip_non_bare(s);
        buf.assign(s);
        if (!f.group_char.empty()) {
          std::string out;
          for (std::size_t p = 0; p < buf.size();) {
            if (buf.compare(p, f.group_char.size(), f.group_char) == 0) p += f.group_char.size();
            else out += buf[p++];
          }
          buf.swap(out);
        }
        if (f.decimal_char != ".") {
          if (buf.find('.') != std::string::npos) return false;
          std::string out;
          for (std::size_t p = 0; p < buf.size();) {
            if (!f.decimal_char.empty() && buf.compare(p, f.decimal_char.size(), f.decimal_char) == 0) {
              out += '.';
              p += f.decimal_char.size();
            } else {
              out += buf[p++];
            }
          }
          buf.swap(out);
        }
        s = strip(buf);
      }
      v.kind = Value::number;
      return parse_py_decimal(s, v.d);
    }
    case FieldType::boolean:
      v.kind = Value::boolean;
      for (const auto& tv : f.true_values)
        if (tv == raw) return v.i = 1, true;
      for (const auto& fv : f.false_values)
        if (fv == raw) return v.i = 0, true;
      return false;
    case FieldType::date:
      v.kind = Value::ordinal;
      return parse_date(f.format, raw, v.i);
    case FieldType::time:
      v.kind = Value::ordinal;
      return parse_time(f.format, raw, v.i);
    case FieldType::datetime:
      v.kind = Value::ordinal;
      return parse_datetime(f.format, raw, v.i);
    case FieldType::year: {
      if (raw.size() != 4) return false;
      bool big = false;
      double d = 0;
      v.kind = Value::ordinal;
      return parse_py_int(strip(raw), v.i, big, d) && !big && v.i >= 0 && v.i <= 9999;
    }
    case FieldType::yearmonth: {
      std::size_t dash = raw.find('-');
      if (dash == std::string_view::npos || raw.find('-', dash + 1) != std::string_view::npos) return false;
      std::int64_t y = 0, m = 0;
      bool big = false;
      double d = 0;
      if (!parse_py_int(strip(raw.substr(0, dash)), y, big, d) || big) return false;
      if (!parse_py_int(strip(raw.substr(dash + 1)), m, big, d) || big) return false;
      if (m < 1 || m > 12) return false;
      v.kind = Value::ordinal;
      v.i = y * 12 + (m - 1);
      return true;
    }
    case FieldType::duration:
      v.kind = Value::other;
      v.s = raw;
      return parse_duration(raw);
    case FieldType::geopoint:
      v.kind = Value::other;
      v.s = raw;
      return parse_geopoint(f.format, raw);
    case FieldType::object:
    case FieldType::array:
    case FieldType::geojson: {
      v.kind = Value::other;
      v.s = raw;
      std::optional<json> parsed = try_parse_json(raw);
      if (!parsed) return false;
      const json& j = *parsed;
      if (t == FieldType::array) return j.is_array();
      if (t == FieldType::geojson) return j.is_object() && j.contains("type") && j["type"].is_string();
      return j.is_object();
    }
    case FieldType::list: {
      v.kind = Value::other;
      v.s = raw;
      if (f.delimiter.empty()) return false;
      std::size_t p = 0;
      while (true) {
        std::size_t q = raw.find(f.delimiter, p);
        std::string_view item = raw.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p);
        Value iv;
        if (f.item_type == FieldType::list || !parse_as(f.item_type, item, iv)) return false;
        if (q == std::string_view::npos) break;
        p = q + f.delimiter.size();
      }
      return true;
    }
    case FieldType::any:
      v.kind = Value::other;
      v.s = raw;
      return true;
  }
  return false;
}

bool FieldReader::check(std::string_view raw, bool present, Value& v, std::vector<CellIssue>* issues) const {
  const Field& f = *field_;
  const Constraints& c = f.constraints;
  v = Value{};
  if (!present || is_missing(raw)) {
    if (c.required && issues) issues->push_back({"constraint-error", "constraint \"required\" is \"True\""});
    return true;
  }
  if (!parse(raw, v)) {
    if (issues) issues->push_back({"type-error", type_note()});
    v = Value{};
    return false;
  }
  if (!issues) return false;
  auto fail = [&](const char* name, const std::string& shown) {
    issues->push_back({"constraint-error", std::string("constraint \"") + name + "\" is \"" + shown + "\""});
  };
  if (f.type == FieldType::string) {
    if (c.min_length || c.max_length) {
      std::size_t len = utf8_length(raw);
      if (c.min_length && len < *c.min_length) fail("minLength", std::to_string(*c.min_length));
      if (c.max_length && len > *c.max_length) fail("maxLength", std::to_string(*c.max_length));
    }
  }
  if (has_min_ && (is_nan(v) || compare(v, min_) < 0)) fail("minimum", py_repr(*c.minimum));
  if (has_max_ && (is_nan(v) || compare(v, max_) > 0)) fail("maximum", py_repr(*c.maximum));
  if (has_xmin_ && (is_nan(v) || compare(v, xmin_) <= 0)) fail("exclusiveMinimum", py_repr(*c.exclusive_minimum));
  if (has_xmax_ && (is_nan(v) || compare(v, xmax_) >= 0)) fail("exclusiveMaximum", py_repr(*c.exclusive_maximum));
  if (pattern_ && !RE2::FullMatch(re2::StringPiece(raw.data(), raw.size()), *pattern_))
    fail("pattern", *c.pattern);
  if (c.enumeration) {
    bool found;
    if (v.kind == Value::other) {
      found = enum_texts_.count(std::string(raw)) != 0;
    } else if (is_nan(v)) {
      found = false;  // NaN equals nothing
    } else {
      std::string key;
      key_bytes(v, key);
      found = enum_keys_.count(key) != 0;
    }
    if (!found) fail("enum", enum_note_);
  }
  if (f.data_length) {
    std::size_t len = 0;
    switch (f.data_type) {
      case 'N': case 'Y': case 'B': case 'F': case 'I':
        for (char ch : raw) len += ch >= '0' && ch <= '9';
        break;
      case 'D': case 'T': case 'L': case 'G':
        break;
      default:
        len = utf8_length(raw);
    }
    if (len > *f.data_length) fail("civitas:dataLength", std::to_string(*f.data_length));
  }
  if (f.identifier != Identifier::none) {
    std::uint32_t warn = 0;
    auto kind = static_cast<ids::Kind>(f.identifier);
    ids::Reason r = ids::check(kind, raw, id_opts_, &warn);
    if (r != ids::Reason::ok) {
      bool cs = r == ids::Reason::checksum || r == ids::Reason::orgcode_checksum;
      issues->push_back({cs ? "identifier-checksum" : "identifier-component",
                         std::string("identifier \"") + ids::kind_name(kind) + "\": " + ids::reason_name(r)});
    }
  }
  return false;
}

void FieldReader::key_bytes(const Value& v, std::string& out) const {
  auto put64 = [&](char tag, std::uint64_t x) {
    out += tag;
    char b[8];
    std::memcpy(b, &x, 8);
    out.append(b, 8);
  };
  switch (v.kind) {
    case Value::null: out += 'z'; return;
    case Value::integer:
      if (!v.big) return put64('i', static_cast<std::uint64_t>(v.i));
      [[fallthrough]];
    case Value::number: {
      double d = v.kind == Value::integer ? v.d : v.d;
      if (d == 0) d = 0;  // -0 == 0
      if (std::fabs(d) < 9.2e18 && d == std::floor(d)) return put64('i', static_cast<std::uint64_t>(static_cast<std::int64_t>(d)));
      std::uint64_t bits;
      std::memcpy(&bits, &d, 8);
      return put64('n', bits);
    }
    case Value::ordinal: return put64('o', static_cast<std::uint64_t>(v.i));
    case Value::boolean: out += v.i ? 'T' : 'F'; return;
    case Value::text:
    case Value::other:
      out += 's';
      out.append(v.s.data(), v.s.size());
      return;
  }
}

std::string FieldReader::display(const Value& v) const {
  switch (v.kind) {
    case Value::null: return "None";
    case Value::integer: return v.big ? std::string(strip(v.s)) : std::to_string(v.i);
    case Value::number: return std::string(strip(v.s));
    case Value::boolean: return v.i ? "True" : "False";
    default: return std::string(v.s);
  }
}

}  // namespace civitas::schema::detail
