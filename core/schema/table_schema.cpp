// Table Schema documents: parsing with one problem per broken rule, and serialisation that
// keeps unknown properties (lossless round trip).
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "civitas/json.hpp"
#include "civitas/schema.hpp"

namespace civitas::schema {

using nlohmann::json;

namespace {

struct TypeInfo {
  const char* name;
  FieldType type;
};
constexpr TypeInfo kTypes[] = {
    {"string", FieldType::string},   {"number", FieldType::number},     {"integer", FieldType::integer},
    {"boolean", FieldType::boolean}, {"object", FieldType::object},     {"array", FieldType::array},
    {"list", FieldType::list},       {"date", FieldType::date},         {"time", FieldType::time},
    {"datetime", FieldType::datetime}, {"year", FieldType::year},       {"yearmonth", FieldType::yearmonth},
    {"duration", FieldType::duration}, {"geopoint", FieldType::geopoint}, {"geojson", FieldType::geojson},
    {"any", FieldType::any}};

bool type_from_name(const std::string& s, FieldType& out) {
  for (const auto& t : kTypes)
    if (s == t.name) return out = t.type, true;
  return false;
}

std::string ptr(const std::string& base, const std::string& key) { return base + "/" + key; }

// Known field properties (everything else goes to Field::extra).
const std::set<std::string> kFieldKeys = {
    "name", "type", "format", "title", "description", "constraints", "missingValues", "trueValues",
    "falseValues", "decimalChar", "groupChar", "bareNumber", "delimiter", "itemType",
    "civitas:dataType", "civitas:dataLength", "civitas:identifier", "civitas:classification"};
const std::set<std::string> kSchemaKeys = {"fields", "missingValues", "primaryKey", "uniqueKeys",
                                           "foreignKeys", "$schema", "civitas:classification"};

bool type_matches_data_type(char dt, FieldType t) {
  switch (dt) {
    case 'C': case 'M': return t == FieldType::string || t == FieldType::any;
    case 'N': return t == FieldType::number || t == FieldType::integer;
    case 'I': return t == FieldType::integer;
    case 'Y': case 'B': case 'F': return t == FieldType::number;
    case 'D': return t == FieldType::date;
    case 'T': return t == FieldType::datetime;
    case 'L': return t == FieldType::boolean;
    case 'G': return true;
  }
  return false;
}

std::vector<std::string> names_of(const json& j) {
  if (j.is_string()) return {j.get<std::string>()};
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}
bool is_names(const json& j) {
  if (j.is_string()) return true;
  if (!j.is_array() || j.empty()) return false;
  return std::all_of(j.begin(), j.end(), [](const json& x) { return x.is_string(); });
}

bool string_list(const json& j, std::vector<std::string>& out, bool allow_objects) {
  if (!j.is_array()) return false;
  out.clear();
  for (const auto& x : j) {
    if (x.is_string()) out.push_back(x.get<std::string>());
    else if (allow_objects && x.is_object() && x.contains("value") && x["value"].is_string())
      out.push_back(x["value"].get<std::string>());
    else return false;
  }
  return true;
}

void build_field(const json& j, const std::string& at, bool v2, Field& f, std::vector<Problem>& p) {
  auto bad = [&](const std::string& key, const std::string& msg) { p.push_back({ptr(at, key), msg}); };
  if (!j.is_object()) return p.push_back({at, "a field must be an object"});
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    bad("name", "a field needs a non-empty string \"name\"");
  else f.name = j["name"].get<std::string>();
  f.type = v2 ? FieldType::any : FieldType::string;
  if (j.contains("type")) {
    if (!j["type"].is_string() || !type_from_name(j["type"].get<std::string>(), f.type))
      bad("type", "unknown type " + j["type"].dump());
  }
  if (j.contains("format")) {
    if (!j["format"].is_string()) bad("format", "format must be a string");
    else f.format = j["format"].get<std::string>();
  }
  const std::string& fm = f.format;
  bool fmt_ok = fm == "default";
  switch (f.type) {
    case FieldType::string: fmt_ok |= fm == "email" || fm == "uri" || fm == "binary" || fm == "uuid"; break;
    case FieldType::date: case FieldType::time: case FieldType::datetime:
      fmt_ok |= fm == "any" || fm.find('%') != std::string::npos;
      if (fm.find('%') != std::string::npos) {
        for (std::size_t i = 0; i + 1 < fm.size(); ++i)
          if (fm[i] == '%') {
            char c = fm[++i];
            if (std::string("YymdHMSfz%").find(c) == std::string::npos) {
              fmt_ok = false;
              bad("format", std::string("unsupported directive %") + c + " in format \"" + fm + "\"");
            }
          }
      }
      break;
    case FieldType::geopoint: fmt_ok |= fm == "array" || fm == "object"; break;
    case FieldType::any: fmt_ok = true; break;
    default: break;
  }
  if (!fmt_ok && fm.find('%') == std::string::npos)
    bad("format", "format \"" + fm + "\" is not defined for type " + type_name(f.type));
  for (const char* k : {"title", "description"})
    if (j.contains(k)) {
      if (!j[k].is_string()) bad(k, std::string(k) + " must be a string");
      else (std::string(k) == "title" ? f.title : f.description) = j[k].get<std::string>();
    }
  if (j.contains("missingValues")) {
    std::vector<std::string> mv;
    if (!string_list(j["missingValues"], mv, true)) bad("missingValues", "missingValues must be an array of strings");
    else f.missing_values = mv;
  }
  if (j.contains("trueValues") && !string_list(j["trueValues"], f.true_values, false))
    bad("trueValues", "trueValues must be an array of strings");
  if (j.contains("falseValues") && !string_list(j["falseValues"], f.false_values, false))
    bad("falseValues", "falseValues must be an array of strings");
  for (const char* k : {"decimalChar", "groupChar", "delimiter"})
    if (j.contains(k)) {
      if (!j[k].is_string()) bad(k, std::string(k) + " must be a string");
      else {
        std::string v = j[k].get<std::string>();
        std::string key = k;
        (key == "decimalChar" ? f.decimal_char : key == "groupChar" ? f.group_char : f.delimiter) = v;
      }
    }
  if (j.contains("bareNumber")) {
    if (!j["bareNumber"].is_boolean()) bad("bareNumber", "bareNumber must be true or false");
    else f.bare_number = j["bareNumber"].get<bool>();
  }
  if (j.contains("itemType")) {
    if (!j["itemType"].is_string() || !type_from_name(j["itemType"].get<std::string>(), f.item_type) ||
        f.item_type == FieldType::list)
      bad("itemType", "itemType must name a type other than list");
  }
  if (j.contains("constraints")) {
    const json& c = j["constraints"];
    std::string cat = ptr(at, "constraints");
    auto cbad = [&](const std::string& key, const std::string& msg) { p.push_back({ptr(cat, key), msg}); };
    if (!c.is_object()) {
      bad("constraints", "constraints must be an object");
    } else {
      Constraints& k = f.constraints;
      for (const char* b : {"required", "unique"})
        if (c.contains(b)) {
          if (!c[b].is_boolean()) cbad(b, std::string(b) + " must be true or false");
          else (std::string(b) == "required" ? k.required : k.unique) = c[b].get<bool>();
        }
      for (const char* n : {"minLength", "maxLength"})
        if (c.contains(n)) {
          if (!c[n].is_number_unsigned()) cbad(n, std::string(n) + " must be a non-negative integer");
          else (std::string(n) == "minLength" ? k.min_length : k.max_length) = c[n].get<std::uint64_t>();
        }
      if (c.contains("pattern")) {
        if (!c["pattern"].is_string()) {
          cbad("pattern", "pattern must be a string");
        } else {
          k.pattern = c["pattern"].get<std::string>();
          RE2::Options o;
          o.set_log_errors(false);
          RE2 re(*k.pattern, o);
          if (!re.ok()) cbad("pattern", "pattern is not a supported regular expression: " + re.error());
        }
      }
      auto ordered = [&](const char* n, std::optional<json>& slot) {
        if (!c.contains(n)) return;
        const json& v = c[n];
        if (!(v.is_number() || v.is_string())) cbad(n, std::string(n) + " must be a number or a string");
        else slot = v;
      };
      ordered("minimum", k.minimum);
      ordered("maximum", k.maximum);
      ordered("exclusiveMinimum", k.exclusive_minimum);
      ordered("exclusiveMaximum", k.exclusive_maximum);
      if (c.contains("enum")) {
        if (!c["enum"].is_array() || c["enum"].empty()) cbad("enum", "enum must be a non-empty array");
        else k.enumeration = c["enum"].get<std::vector<json>>();
      }
    }
  }
  // civitas extensions
  if (j.contains("civitas:dataType")) {
    const json& d = j["civitas:dataType"];
    std::string s = d.is_string() ? d.get<std::string>() : "";
    if (s.size() != 1 || std::string("CNYDTLMGBIF").find(s[0]) == std::string::npos)
      bad("civitas:dataType", "civitas:dataType must be one of C N Y D T L M G B I F");
    else if (!type_matches_data_type(s[0], f.type))
      bad("civitas:dataType", "civitas:dataType " + s + " does not fit type " + type_name(f.type));
    else f.data_type = s[0];
  }
  if (j.contains("civitas:dataLength")) {
    const json& d = j["civitas:dataLength"];
    if (!d.is_number_unsigned() || d.get<std::uint64_t>() == 0 || d.get<std::uint64_t>() > 0xFFFFFFFFu)
      bad("civitas:dataLength", "civitas:dataLength must be a positive integer");
    else f.data_length = d.get<std::uint32_t>();
  }
  if (j.contains("civitas:identifier")) {
    const json& d = j["civitas:identifier"];
    std::string kind;
    if (d.is_string()) kind = d.get<std::string>();
    else if (d.is_object() && d.contains("kind") && d["kind"].is_string()) {
      kind = d["kind"].get<std::string>();
      if (d.contains("strict")) {
        if (!d["strict"].is_boolean()) bad("civitas:identifier", "strict must be true or false");
        else f.identifier_strict = d["strict"].get<bool>();
      }
    }
    if (kind == "uscc") f.identifier = Identifier::uscc;
    else if (kind == "orgcode") f.identifier = Identifier::orgcode;
    else if (kind == "ric") f.identifier = Identifier::ric;
    else if (kind == "gb2260") f.identifier = Identifier::gb2260;
    else bad("civitas:identifier", "civitas:identifier must be uscc, orgcode, ric or gb2260");
    if (f.type != FieldType::string && f.type != FieldType::any)
      bad("civitas:identifier", "an identifier field must have type string");
  }
  if (j.contains("civitas:classification")) {
    if (!j["civitas:classification"].is_object())
      bad("civitas:classification", "civitas:classification must be an object");
    else f.classification = j["civitas:classification"];
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!kFieldKeys.count(it.key())) f.extra[it.key()] = it.value();
}

void build(const json& doc, TableSchema& s, std::vector<Problem>& p) {
  if (!doc.is_object()) return p.push_back({"", "a table schema must be a JSON object"});
  bool v2 = false;
  if (doc.contains("$schema")) {
    if (!doc["$schema"].is_string()) p.push_back({"/$schema", "$schema must be a string"});
    else {
      s.profile = doc["$schema"].get<std::string>();
      v2 = s.profile.find("2.") != std::string::npos || s.profile.find("v2") != std::string::npos;
    }
  }
  if (!doc.contains("fields") || !doc["fields"].is_array()) {
    p.push_back({"/fields", "a table schema needs a \"fields\" array"});
  } else {
    const json& fs = doc["fields"];
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fs.size(); ++i) {
      Field f;
      std::string at = "/fields/" + std::to_string(i);
      build_field(fs[i], at, v2, f, p);
      if (!f.name.empty() && !seen.insert(f.name).second)
        p.push_back({at + "/name", "duplicate field name \"" + f.name + "\""});
      s.fields.push_back(std::move(f));
    }
  }
  if (doc.contains("missingValues") && !string_list(doc["missingValues"], s.missing_values, true))
    p.push_back({"/missingValues", "missingValues must be an array of strings"});
  auto known = [&](const std::vector<std::string>& names, const std::string& at) {
    for (const auto& n : names)
      if (s.field_index(n) < 0) p.push_back({at, "\"" + n + "\" is not a field of this schema"});
  };
  if (doc.contains("primaryKey")) {
    if (!is_names(doc["primaryKey"])) p.push_back({"/primaryKey", "primaryKey must be a field name or an array of them"});
    else {
      s.primary_key = names_of(doc["primaryKey"]);
      known(s.primary_key, "/primaryKey");
    }
  }
  if (doc.contains("uniqueKeys")) {
    const json& u = doc["uniqueKeys"];
    if (!u.is_array()) p.push_back({"/uniqueKeys", "uniqueKeys must be an array of arrays of field names"});
    else
      for (std::size_t i = 0; i < u.size(); ++i) {
        std::string at = "/uniqueKeys/" + std::to_string(i);
        if (!u[i].is_array() || !is_names(u[i])) {
          p.push_back({at, "a unique key must be a non-empty array of field names"});
          continue;
        }
        s.unique_keys.push_back(names_of(u[i]));
        known(s.unique_keys.back(), at);
      }
  }
  if (doc.contains("foreignKeys")) {
    const json& fk = doc["foreignKeys"];
    if (!fk.is_array()) p.push_back({"/foreignKeys", "foreignKeys must be an array"});
    else
      for (std::size_t i = 0; i < fk.size(); ++i) {
        std::string at = "/foreignKeys/" + std::to_string(i);
        const json& k = fk[i];
        if (!k.is_object() || !k.contains("fields") || !is_names(k["fields"]) || !k.contains("reference") ||
            !k["reference"].is_object()) {
          p.push_back({at, "a foreign key needs \"fields\" and a \"reference\" object"});
          continue;
        }
        ForeignKey f;
        f.fields = names_of(k["fields"]);
        known(f.fields, at + "/fields");
        const json& r = k["reference"];
        if (r.contains("resource")) {
          if (!r["resource"].is_string()) p.push_back({at + "/reference/resource", "resource must be a string"});
          else f.resource = r["resource"].get<std::string>();
        }
        if (!r.contains("fields") || !is_names(r["fields"])) {
          p.push_back({at + "/reference/fields", "reference needs \"fields\""});
          continue;
        }
        f.reference_fields = names_of(r["fields"]);
        if (f.reference_fields.size() != f.fields.size())
          p.push_back({at, "fields and reference fields differ in number"});
        if (f.resource.empty()) known(f.reference_fields, at + "/reference/fields");
        s.foreign_keys.push_back(std::move(f));
      }
  }
  if (doc.contains("civitas:classification")) {
    if (!doc["civitas:classification"].is_object())
      p.push_back({"/civitas:classification", "civitas:classification must be an object"});
    else s.classification = doc["civitas:classification"];
  }
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (!kSchemaKeys.count(it.key())) s.extra[it.key()] = it.value();
}

json parse_json(std::string_view text) {
  return civitas::parse_json(text, "schema");
}

json names_json(const std::vector<std::string>& v) { return v.size() == 1 ? json(v[0]) : json(v); }

}  // namespace

const char* type_name(FieldType t) noexcept {
  for (const auto& x : kTypes)
    if (x.type == t) return x.name;
  return "any";
}

int TableSchema::field_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<Problem> check_schema(const json& doc) {
  TableSchema s;
  std::vector<Problem> p;
  build(doc, s, p);
  return p;
}

std::vector<Problem> check_schema(std::string_view text) {
  json doc;
  try {
    doc = parse_json(text);
  } catch (const Error& e) {
    return {{"", e.what()}};
  }
  return check_schema(doc);
}

TableSchema parse_schema(const json& doc) {
  TableSchema s;
  std::vector<Problem> p;
  build(doc, s, p);
  if (!p.empty()) {
    std::string msg = "invalid table schema: " + (p[0].path.empty() ? "" : p[0].path + ": ") + p[0].message;
    if (p.size() > 1) msg += " (and " + std::to_string(p.size() - 1) + " more problems)";
    throw Error(Code::invalid_data, msg);
  }
  return s;
}

TableSchema parse_schema(std::string_view text) { return parse_schema(parse_json(text)); }

TableSchema load_schema_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open schema file", Location{{}, {}, {}, path});
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return parse_schema(std::string_view(ss.str()));
  } catch (const Error& e) {
    Location w = e.where();
    w.source = path;
    throw Error(e.code(), e.what(), w);
  }
}

TableSchema infer_string_schema(const std::vector<std::string>& header) {
  TableSchema s;
  for (const auto& h : header) {
    Field f;
    f.name = h;
    s.fields.push_back(f);
  }
  return s;
}

json TableSchema::to_json() const {
  json doc = extra;
  if (!profile.empty()) doc["$schema"] = profile;
  json fs = json::array();
  for (const Field& f : fields) {
    json j = f.extra;
    j["name"] = f.name;
    j["type"] = type_name(f.type);
    if (f.format != "default") j["format"] = f.format;
    if (!f.title.empty()) j["title"] = f.title;
    if (!f.description.empty()) j["description"] = f.description;
    const Constraints& c = f.constraints;
    json cj = json::object();
    if (c.required) cj["required"] = true;
    if (c.unique) cj["unique"] = true;
    if (c.min_length) cj["minLength"] = *c.min_length;
    if (c.max_length) cj["maxLength"] = *c.max_length;
    if (c.minimum) cj["minimum"] = *c.minimum;
    if (c.maximum) cj["maximum"] = *c.maximum;
    if (c.exclusive_minimum) cj["exclusiveMinimum"] = *c.exclusive_minimum;
    if (c.exclusive_maximum) cj["exclusiveMaximum"] = *c.exclusive_maximum;
    if (c.pattern) cj["pattern"] = *c.pattern;
    if (c.enumeration) cj["enum"] = *c.enumeration;
    if (!cj.empty()) j["constraints"] = cj;
    if (f.missing_values) j["missingValues"] = *f.missing_values;
    if (f.type == FieldType::boolean) {
      if (f.true_values != Field{}.true_values) j["trueValues"] = f.true_values;
      if (f.false_values != Field{}.false_values) j["falseValues"] = f.false_values;
    }
    if (f.decimal_char != ".") j["decimalChar"] = f.decimal_char;
    if (!f.group_char.empty()) j["groupChar"] = f.group_char;
    if (!f.bare_number) j["bareNumber"] = false;
    if (f.type == FieldType::list) {
      if (f.delimiter != ",") j["delimiter"] = f.delimiter;
      if (f.item_type != FieldType::string) j["itemType"] = type_name(f.item_type);
    }
    if (f.data_type) j["civitas:dataType"] = std::string(1, f.data_type);
    if (f.data_length) j["civitas:dataLength"] = *f.data_length;
    if (f.identifier != Identifier::none) {
      const char* k = f.identifier == Identifier::uscc ? "uscc" : f.identifier == Identifier::orgcode ? "orgcode"
                      : f.identifier == Identifier::ric ? "ric" : "gb2260";
      if (f.identifier_strict) j["civitas:identifier"] = {{"kind", k}, {"strict", true}};
      else j["civitas:identifier"] = k;
    }
    if (f.classification.is_object()) j["civitas:classification"] = f.classification;
    fs.push_back(j);
  }
  doc["fields"] = fs;
  if (missing_values != std::vector<std::string>{""}) doc["missingValues"] = missing_values;
  if (!primary_key.empty()) doc["primaryKey"] = names_json(primary_key);
  if (!unique_keys.empty()) doc["uniqueKeys"] = unique_keys;
  if (!foreign_keys.empty()) {
    json a = json::array();
    for (const auto& k : foreign_keys)
      a.push_back({{"fields", names_json(k.fields)},
                   {"reference", {{"resource", k.resource}, {"fields", names_json(k.reference_fields)}}}});
    doc["foreignKeys"] = a;
  }
  if (classification.is_object()) doc["civitas:classification"] = classification;
  return doc;
}

// ---- Dialect ----------------------------------------------------------------------------

Dialect Dialect::from_json(const json& j) {
  Dialect d;
  if (j.is_null()) return d;
  if (!j.is_object()) throw Error(Code::invalid_argument, "a dialect must be a JSON object");
  const json& c = j.contains("csv") && j["csv"].is_object() ? j["csv"] : j;  // frictionless v5 nests "csv"
  auto ch = [&](const char* key, char& out, bool allow_empty) {
    const json& src = c.contains(key) ? c : j;
    if (!src.contains(key)) return;
    if (!src[key].is_string()) throw Error(Code::invalid_argument, std::string("dialect ") + key + " must be a string");
    std::string s = src[key].get<std::string>();
    if (s.empty() && allow_empty) return void(out = 0);
    if (s.size() != 1 || s[0] == '\n' || s[0] == '\r')
      throw Error(Code::invalid_argument, std::string("dialect ") + key + " must be one ASCII character");
    out = s[0];
  };
  auto flag = [&](const char* key, bool& out) {
    const json& src = c.contains(key) ? c : j;
    if (!src.contains(key)) return;
    if (!src[key].is_boolean()) throw Error(Code::invalid_argument, std::string("dialect ") + key + " must be true or false");
    out = src[key].get<bool>();
  };
  ch("delimiter", d.delimiter, false);
  ch("quoteChar", d.quote, true);
  ch("escapeChar", d.escape, true);
  flag("doubleQuote", d.double_quote);
  flag("header", d.header);
  flag("skipInitialSpace", d.skip_initial_space);
  if (j.contains("commentChar")) {
    if (!j["commentChar"].is_string()) throw Error(Code::invalid_argument, "dialect commentChar must be a string");
    d.comment_char = j["commentChar"].get<std::string>();
  }
  if (j.contains("encoding")) {
    if (!j["encoding"].is_string()) throw Error(Code::invalid_argument, "dialect encoding must be a string");
    d.encoding = j["encoding"].get<std::string>();
  }
  if (d.delimiter == d.quote) throw Error(Code::invalid_argument, "dialect delimiter and quoteChar are the same");
  return d;
}

json Dialect::to_json() const {
  json j{{"delimiter", std::string(1, delimiter)}, {"doubleQuote", double_quote}, {"header", header}};
  j["quoteChar"] = quote ? std::string(1, quote) : std::string();
  if (escape) j["escapeChar"] = std::string(1, escape);
  if (skip_initial_space) j["skipInitialSpace"] = true;
  if (!comment_char.empty()) j["commentChar"] = comment_char;
  if (encoding != "utf-8") j["encoding"] = encoding;
  return j;
}

}  // namespace civitas::schema
