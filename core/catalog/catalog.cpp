// Catalog entries: configuration, validation (one problem per broken rule), resource codes,
// normalisation. Export and import are in export.cpp, storage in store.cpp.
#include "civitas/catalog.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "civitas/ids.hpp"
#include "civitas/json.hpp"

namespace civitas::catalog {

using nlohmann::json;
using schema::Problem;

namespace {

struct Label {
  const char* token;
  const char* zh;
};
constexpr Label kSharing[] = {{"unconditional", "无条件共享"}, {"conditional", "有条件共享"}, {"none", "不予共享"}};
constexpr Label kOpen[] = {{"unconditional", "无条件开放"}, {"conditional", "有条件开放"}, {"none", "不予开放"}};
constexpr Label kModes[] = {{"database", "数据库"}, {"api", "接口"}, {"file", "文件"}, {"other", "其他"}};
constexpr Label kCycles[] = {{"realtime", "实时"}, {"daily", "每日"},      {"weekly", "每周"},
                             {"monthly", "每月"},  {"quarterly", "每季度"}, {"half-yearly", "每半年"},
                             {"yearly", "每年"},   {"irregular", "不定期"}, {"other", "其他"}};

template <std::size_t N>
std::string token_of(const Label (&table)[N], const std::string& s) {
  for (const auto& l : table)
    if (s == l.token || s == l.zh) return l.token;
  return s;
}

bool digits(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A proleptic Gregorian date YYYY-MM-DD (years 0001–9999).
bool is_date(const json& j) {
  if (!j.is_string()) return false;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

const char* kParts[] = {"class", "item", "category", "subcategory"};
const char* kPartsZh[] = {"类", "项", "目", "细目"};

bool non_empty_string(const json& e, const char* k) {
  return e.contains(k) && e[k].is_string() && !e[k].get<std::string>().empty();
}

}  // namespace

CatalogConfig CatalogConfig::from_json(const json& j) {
  CatalogConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw Error(Code::invalid_argument, "catalog configuration must be a JSON object");
  try {
    if (j.contains("separator")) c.separator = j["separator"].get<std::string>();
    if (j.contains("widths")) {
      if (!j["widths"].is_array()) throw Error(Code::invalid_argument, "catalog configuration: \"widths\" must be an array of integers");
      c.widths.clear();
      for (const auto& w : j["widths"]) {
        const auto n = json_integer(w, 0, 64);
        if (!n) throw Error(Code::invalid_argument, "catalog configuration: \"widths\" must hold integers from 0 to 64");
        c.widths.push_back(static_cast<int>(*n));
      }
    }
    if (j.contains("sequenceWidth")) {
      const auto n = json_integer(j["sequenceWidth"], 0, 64);
      if (!n) throw Error(Code::invalid_argument, "catalog configuration: \"sequenceWidth\" must be an integer from 0 to 64");
      c.sequence_width = static_cast<int>(*n);
    }
    if (j.contains("formats")) c.formats = j["formats"].get<std::vector<std::string>>();
    if (j.contains("updateCycles")) c.update_cycles = j["updateCycles"].get<std::vector<std::string>>();
    if (j.contains("baseUri")) c.base_uri = j["baseUri"].get<std::string>();
  } catch (const json::exception& e) {
    throw Error(Code::invalid_argument, std::string("catalog configuration: ") + e.what());
  }
  if (c.widths.size() != 4 || std::any_of(c.widths.begin(), c.widths.end(), [](int w) { return w < 1 || w > 9; }))
    throw Error(Code::invalid_argument, "catalog configuration: widths must be four numbers from 1 to 9");
  if (c.sequence_width < 1 || c.sequence_width > 18)
    throw Error(Code::invalid_argument, "catalog configuration: sequenceWidth must be 1 to 18");
  return c;
}

json CatalogConfig::to_json() const {
  return {{"separator", separator}, {"widths", widths},          {"sequenceWidth", sequence_width},
          {"formats", formats},     {"updateCycles", update_cycles}, {"baseUri", base_uri}};
}

CatalogFormat catalog_format_from_name(std::string_view n) {
  if (n == "datapackage" || n == "data-package") return CatalogFormat::datapackage;
  if (n == "dcat" || n == "dcat-ap") return CatalogFormat::dcat;
  if (n == "ckan") return CatalogFormat::ckan;
  throw Error(Code::invalid_argument, "unknown catalog format \"" + std::string(n) + "\" (datapackage, dcat, ckan)");
}

std::vector<Problem> check_entry(const json& e, const CatalogConfig& cfg) {
  std::vector<Problem> p;
  auto bad = [&](const std::string& at, const std::string& msg) { p.push_back({at, msg}); };
  if (!e.is_object()) return {{"", "a catalog entry must be a JSON object"}};
  if (!e.contains("version") || !e["version"].is_number_integer() || e["version"].get<int>() != 1)
    bad("/version", "version must be 1");
  // Classification 类/项/目/细目: each level needs the one above it.
  if (!e.contains("classification") || !e["classification"].is_object()) {
    bad("/classification", "classification (类/项/目/细目) is required");
  } else {
    const json& c = e["classification"];
    bool gap = false;
    for (int i = 0; i < 4; ++i) {
      std::string at = std::string("/classification/") + kParts[i];
      if (!c.contains(kParts[i])) {
        if (i == 0) bad(at, "class (类) is required");
        gap = true;
        continue;
      }
      if (gap) bad(at, std::string(kPartsZh[i]) + " given without the level above it");
      if (!c[kParts[i]].is_string() || !digits(c[kParts[i]].get<std::string>(), static_cast<std::size_t>(cfg.widths[i])))
        bad(at, std::string(kPartsZh[i]) + " must be " + std::to_string(cfg.widths[i]) + " digits");
    }
  }
  if (!e.contains("sequence") || !e["sequence"].is_string() ||
      !digits(e["sequence"].get<std::string>(), static_cast<std::size_t>(cfg.sequence_width)))
    bad("/sequence", "sequence (后段码) must be " + std::to_string(cfg.sequence_width) + " digits");
  if (e.contains("resourceCode")) {
    std::string code;
    try {
      code = resource_code(e, cfg);
    } catch (const Error&) {
    }
    if (!e["resourceCode"].is_string()) bad("/resourceCode", "resourceCode must be a string");
    else if (!code.empty() && e["resourceCode"].get<std::string>() != code)
      bad("/resourceCode", "resourceCode does not match classification and sequence (expected " + code + ")");
  }
  if (!non_empty_string(e, "title")) bad("/title", "title (信息资源名称) is required");
  if (!non_empty_string(e, "abstract")) bad("/abstract", "abstract (信息资源摘要) is required");
  if (!e.contains("provider") || !e["provider"].is_object()) {
    bad("/provider", "provider (信息资源提供方) is required");
  } else {
    const json& pr = e["provider"];
    if (!non_empty_string(pr, "name")) bad("/provider/name", "provider name is required");
    if (!pr.contains("uscc") || !pr["uscc"].is_string()) {
      bad("/provider/uscc", "provider USCC (统一社会信用代码) is required");
    } else {
      ids::Result r = ids::validate(ids::Kind::uscc, pr["uscc"].get<std::string>());
      if (!r.valid) bad("/provider/uscc", "provider USCC is not valid: " + std::string(ids::reason_name(r.reason)));
    }
  }
  if (!e.contains("formats") || !e["formats"].is_array() || e["formats"].empty()) {
    bad("/formats", "formats (信息资源格式) must be a non-empty array");
  } else {
    for (std::size_t i = 0; i < e["formats"].size(); ++i) {
      const json& f = e["formats"][i];
      if (!f.is_string() || std::find(cfg.formats.begin(), cfg.formats.end(), f.get<std::string>()) == cfg.formats.end())
        bad("/formats/" + std::to_string(i), "unknown format " + f.dump());
    }
  }
  if (!e.contains("items") || !e["items"].is_array() || e["items"].empty()) {
    bad("/items", "items (信息项) must be a non-empty array");
  } else {
    std::set<std::string> names, fields;
    for (std::size_t i = 0; i < e["items"].size(); ++i) {
      const json& it = e["items"][i];
      std::string at = "/items/" + std::to_string(i);
      if (!it.is_object()) {
        bad(at, "an item must be an object");
        continue;
      }
      if (!non_empty_string(it, "name")) bad(at + "/name", "item name is required");
      else if (!names.insert(it["name"].get<std::string>()).second)
        bad(at + "/name", "duplicate item name \"" + it["name"].get<std::string>() + "\"");
      if (it.contains("field")) {  // the column of the table's Table Schema this item describes
        if (!non_empty_string(it, "field")) bad(at + "/field", "field must be the name of a schema field (a non-empty string)");
        else if (!fields.insert(it["field"].get<std::string>()).second)
          bad(at + "/field", "field \"" + it["field"].get<std::string>() + "\" is named by two items");
      }
      std::string dt = it.contains("dataType") && it["dataType"].is_string() ? it["dataType"].get<std::string>() : "";
      if (dt.size() != 1 || std::string("CNYDTLMGBIF").find(dt[0]) == std::string::npos)
        bad(at + "/dataType", "dataType must be one of C N Y D T L M G B I F");
      if (it.contains("length")) {
        if (!it["length"].is_number_unsigned() || it["length"].get<std::uint64_t>() == 0)
          bad(at + "/length", "length must be a positive integer");
      } else if (dt == "C" || dt == "N") {
        bad(at + "/length", "length (数据长度) is required for data type " + dt);
      }
    }
  }
  // Sharing attributes (共享属性)
  if (!e.contains("sharing") || !e["sharing"].is_object()) {
    bad("/sharing", "sharing (共享属性) is required");
  } else {
    const json& s = e["sharing"];
    std::string type = s.contains("type") && s["type"].is_string() ? token_of(kSharing, s["type"].get<std::string>()) : "";
    if (type != "unconditional" && type != "conditional" && type != "none")
      bad("/sharing/type", "sharing type must be unconditional (无条件共享), conditional (有条件共享) or none (不予共享)");
    if (type == "conditional" && !non_empty_string(s, "condition"))
      bad("/sharing/condition", "conditional sharing needs its condition (共享条件)");
    if (type == "none" && !non_empty_string(s, "legalBasis"))
      bad("/sharing/legalBasis", "不予共享 needs its legal basis (法律、行政法规或国务院决定依据)");
    if (type == "unconditional" || type == "conditional") {
      if (!s.contains("modes") || !s["modes"].is_array() || s["modes"].empty()) {
        bad("/sharing/modes", "sharing modes (共享方式) must be a non-empty array");
      } else {
        for (std::size_t i = 0; i < s["modes"].size(); ++i) {
          const json& m = s["modes"][i];
          std::string t = m.is_string() ? token_of(kModes, m.get<std::string>()) : "";
          if (t != "database" && t != "api" && t != "file" && t != "other")
            bad("/sharing/modes/" + std::to_string(i), "sharing mode must be database, api, file or other");
        }
      }
    }
  }
  if (!e.contains("open") || !e["open"].is_object()) {
    bad("/open", "open (开放属性) is required");
  } else {
    const json& o = e["open"];
    std::string type = o.contains("type") && o["type"].is_string() ? token_of(kOpen, o["type"].get<std::string>()) : "";
    if (type != "unconditional" && type != "conditional" && type != "none")
      bad("/open/type", "open type must be unconditional (无条件开放), conditional (有条件开放) or none (不予开放)");
    if (type == "conditional" && !non_empty_string(o, "condition"))
      bad("/open/condition", "conditional opening needs its condition (开放条件)");
    if (o.contains("licence") && !o["licence"].is_string()) bad("/open/licence", "licence must be a string");
  }
  if (!e.contains("updateCycle") || !e["updateCycle"].is_string() ||
      std::find(cfg.update_cycles.begin(), cfg.update_cycles.end(), token_of(kCycles, e["updateCycle"].get<std::string>())) ==
          cfg.update_cycles.end())
    bad("/updateCycle", "updateCycle (更新周期) must be one of the configured cycles");
  if (!is_date(e.value("issued", json()))) bad("/issued", "issued (发布日期) must be a date YYYY-MM-DD");
  if (e.contains("modified")) {
    if (!is_date(e["modified"])) bad("/modified", "modified must be a date YYYY-MM-DD");
    else if (is_date(e.value("issued", json())) && e["modified"].get<std::string>() < e["issued"].get<std::string>())
      bad("/modified", "modified is before issued");
  }
  if (e.contains("related")) {
    if (!e["related"].is_array()) {
      bad("/related", "related must be an array of resource codes");
    } else {
      int front = cfg.widths[0] + cfg.widths[1] + cfg.widths[2] + cfg.widths[3];
      for (std::size_t i = 0; i < e["related"].size(); ++i) {
        const json& r = e["related"][i];
        std::string s = r.is_string() ? r.get<std::string>() : "";
        std::size_t sep = s.find(cfg.separator);
        bool ok = sep != std::string::npos && sep >= static_cast<std::size_t>(cfg.widths[0]) &&
                  sep <= static_cast<std::size_t>(front) && digits(s.substr(0, sep), sep) &&
                  digits(s.substr(sep + cfg.separator.size()), static_cast<std::size_t>(cfg.sequence_width));
        if (!ok) bad("/related/" + std::to_string(i), "not a resource code: " + r.dump());
      }
    }
  }
  if (e.contains("keywords") && (!e["keywords"].is_array() ||
                                 !std::all_of(e["keywords"].begin(), e["keywords"].end(),
                                              [](const json& k) { return k.is_string(); })))
    bad("/keywords", "keywords must be an array of strings");
  return p;
}

std::string resource_code(const json& e, const CatalogConfig& cfg) {
  if (!e.is_object() || !e.contains("classification") || !e["classification"].is_object() || !e.contains("sequence") ||
      !e["sequence"].is_string())
    throw Error(Code::invalid_data, "a resource code needs classification and sequence");
  const json& c = e["classification"];
  std::string front;
  for (int i = 0; i < 4; ++i) {
    if (!c.contains(kParts[i])) break;
    if (!c[kParts[i]].is_string() || !digits(c[kParts[i]].get<std::string>(), static_cast<std::size_t>(cfg.widths[i])))
      throw Error(Code::invalid_data, std::string("classification ") + kPartsZh[i] + " is malformed");
    front += c[kParts[i]].get<std::string>();
  }
  std::string seq = e["sequence"].get<std::string>();
  if (front.empty() || !digits(seq, static_cast<std::size_t>(cfg.sequence_width)))
    throw Error(Code::invalid_data, "classification or sequence is malformed");
  return front + cfg.separator + seq;
}

json normalize_entry(const json& entry, const CatalogConfig& cfg) {
  auto p = check_entry(entry, cfg);
  if (!p.empty()) {
    std::string msg = "invalid catalog entry: " + p[0].path + ": " + p[0].message;
    if (p.size() > 1) msg += " (and " + std::to_string(p.size() - 1) + " more problems)";
    throw Error(Code::invalid_data, msg);
  }
  json e = entry;
  e["version"] = 1;
  e["resourceCode"] = resource_code(e, cfg);
  e["sharing"]["type"] = token_of(kSharing, e["sharing"]["type"].get<std::string>());
  // Modes are checked only when sharing is allowed; with 不予共享 they may hold anything,
  // which is kept as it is (only string labels become tokens).
  if (e["sharing"].contains("modes") && e["sharing"]["modes"].is_array())
    for (auto& m : e["sharing"]["modes"])
      if (m.is_string()) m = token_of(kModes, m.get<std::string>());
  e["open"]["type"] = token_of(kOpen, e["open"]["type"].get<std::string>());
  e["updateCycle"] = token_of(kCycles, e["updateCycle"].get<std::string>());
  return e;
}

namespace {

// The Table Schema type an item's guideline data type stands for (items_to_schema's mapping).
const char* table_type_of(const std::string& dt) {
  switch (dt.empty() ? 'C' : dt[0]) {
    case 'N': case 'Y': case 'B': case 'F': return "number";
    case 'I': return "integer";
    case 'D': return "date";
    case 'T': return "datetime";
    case 'L': return "boolean";
    case 'G': return "any";
    default: return "string";
  }
}

// Whether a column of Table Schema type `type` can hold values of the item's data type. Character
// items (C, M) describe any column (catalogs list most items as 字符型); a number item fits an
// integer column; G (binary) fits any.
bool type_fits(const std::string& dt, const std::string& type) {
  if (dt.empty() || dt == "C" || dt == "M" || dt == "G") return true;
  std::string want = table_type_of(dt);
  return type == want || (want == "number" && type == "integer");
}

}  // namespace

std::vector<Problem> check_entry_schema(const json& entry, const json& table_schema, const CatalogConfig& cfg) {
  std::vector<Problem> p = check_entry(entry, cfg);
  if (!p.empty()) return p;
  auto bad = [&](const std::string& at, const std::string& msg) { p.push_back({at, msg}); };
  schema::parse_schema(table_schema);  // throws Error(invalid_data) naming what is wrong with the schema
  std::map<std::string, json> by_name;
  std::vector<std::string> order;
  for (const auto& f : table_schema["fields"]) {
    std::string n = f.value("name", "");
    by_name[n] = f;
    order.push_back(n);
  }
  std::set<std::string> described;
  const json& items = entry["items"];
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    std::string at = "/items/" + std::to_string(i);
    std::string item = it["name"].get<std::string>();
    if (!it.contains("field")) {
      bad(at + "/field", "item \"" + item + "\" names no schema field (\"field\")");
      continue;
    }
    std::string field = it["field"].get<std::string>();
    auto f = by_name.find(field);
    if (f == by_name.end()) {
      bad(at + "/field", "item \"" + item + "\" names field \"" + field + "\", which the schema does not have");
      continue;
    }
    described.insert(field);
    std::string dt = it["dataType"].get<std::string>();
    std::string type = f->second.value("type", "string");
    if (!type_fits(dt, type))
      bad(at + "/dataType", "item \"" + item + "\" has data type " + dt + " (" + table_type_of(dt) + "), but field \"" +
                                field + "\" is of type " + type);
    if (f->second.contains("civitas:dataType") && f->second["civitas:dataType"].is_string() &&
        f->second["civitas:dataType"].get<std::string>() != dt)
      bad(at + "/dataType", "item \"" + item + "\" has data type " + dt + ", but field \"" + field +
                                "\" has civitas:dataType " + f->second["civitas:dataType"].get<std::string>());
    if (it.contains("length") && f->second.contains("civitas:dataLength") && f->second["civitas:dataLength"] != it["length"])
      bad(at + "/length", "item \"" + item + "\" has length " + it["length"].dump() + ", but field \"" + field +
                              "\" has civitas:dataLength " + f->second["civitas:dataLength"].dump());
  }
  for (const auto& n : order)
    if (!described.count(n)) bad("/items", "schema field \"" + n + "\" is described by no item");
  return p;
}

json items_to_schema(const json& items) {
  json fields = json::array();
  if (!items.is_array()) return fields;
  for (const auto& it : items) {
    if (!it.is_object()) continue;
    std::string dt = it.value("dataType", "C");
    const char* type = "string";
    switch (dt.empty() ? 'C' : dt[0]) {
      case 'N': case 'Y': case 'B': case 'F': type = "number"; break;
      case 'I': type = "integer"; break;
      case 'D': type = "date"; break;
      case 'T': type = "datetime"; break;
      case 'L': type = "boolean"; break;
      case 'G': type = "any"; break;
      default: type = "string";
    }
    json f = {{"name", it.value("name", "")}, {"type", type}, {"civitas:dataType", dt}};
    if (it.contains("length")) f["civitas:dataLength"] = it["length"];
    if (it.contains("description")) f["description"] = it["description"];
    json extra = json::object();  // other item properties travel unchanged, so export is lossless
    for (const auto& [k, v] : it.items())
      if (k != "name" && k != "dataType" && k != "length" && k != "description") extra[k] = v;
    if (!extra.empty()) f["civitas:itemExtra"] = extra;
    fields.push_back(f);
  }
  return fields;
}

}  // namespace civitas::catalog
