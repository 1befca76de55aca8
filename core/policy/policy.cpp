// Policy documents: the checker (every problem with its JSON pointer), the parsed Policy, the
// bundled default policy (core/policy/default.json, embedded by core/CMakeLists.txt).
// Format: docs/formats/policy.md.
#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "civitas/json.hpp"
#include "civitas/policy.hpp"

extern const unsigned char civitas_default_policy[];
extern const std::size_t civitas_default_policy_size;

namespace civitas::policy {

using nlohmann::json;

const char* tier_name(Tier t) noexcept {
  switch (t) {
    case Tier::core: return "core";
    case Tier::important: return "important";
    case Tier::general: return "general";
  }
  return "general";
}

const char* role_name(Role r) noexcept {
  switch (r) {
    case Role::identifier: return "identifier";
    case Role::quasi_identifier: return "quasi-identifier";
    case Role::sensitive: return "sensitive";
    case Role::insensitive: return "insensitive";
  }
  return "insensitive";
}

const char* access_name(Access a) noexcept {
  switch (a) {
    case Access::unconditional: return "unconditional";
    case Access::conditional: return "conditional";
    case Access::none: return "none";
  }
  return "none";
}

std::optional<Role> role_from_name(std::string_view s) noexcept {
  if (s == "identifier") return Role::identifier;
  if (s == "quasi-identifier") return Role::quasi_identifier;
  if (s == "sensitive") return Role::sensitive;
  if (s == "insensitive") return Role::insensitive;
  return std::nullopt;
}

std::optional<Access> access_from_name(std::string_view s) noexcept {
  if (s == "unconditional" || s == "无条件共享" || s == "无条件开放") return Access::unconditional;
  if (s == "conditional" || s == "有条件共享" || s == "有条件开放") return Access::conditional;
  if (s == "none" || s == "不予共享" || s == "不予开放") return Access::none;
  return std::nullopt;
}

const std::vector<std::string>& detector_types() {
  static const std::vector<std::string> t = {
      "uscc",     "orgcode",         "ric",         "gb2260",     "mobile_phone", "phone",      "bank_card",
      "email",    "ip_address",      "mac_address", "vehicle_plate", "passport", "hk_macao_permit", "postal_code",
      "birth_date", "person_name",   "address",     "gps_coordinates", "imei",   "vin",        "none"};
  return t;
}

const std::vector<std::string>& action_names() {
  static const std::vector<std::string> a = {"drop",      "encrypt",    "tokenize",       "pseudonymize",
                                             "generalize", "microaggregate", "top_bottom", "date_shift",
                                             "noise",     "mask",       "keep"};
  return a;
}

int action_rank(std::string_view action) noexcept {
  const auto& a = action_names();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] == action) return static_cast<int>(i);
  return static_cast<int>(a.size());
}

namespace {

std::string esc(std::string_view key) {  // RFC 6901
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string sha256_canonical(const json& doc) {
  std::string text = doc.dump(-1, ' ', false, json::error_handler_t::replace);  // std::map: keys sorted
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr) != 1)
    throw Error(Code::internal, "SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

bool id_ok(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return false;
  return s[0] >= 'a' && s[0] <= 'z';
}

constexpr std::size_t kMaxPattern = 1000;

/// The checker: one pass over the document, every problem with its pointer.
struct Checker {
  std::vector<Problem> out;
  std::set<std::string> levels, categories, names;  // names: types and detectors
  std::map<std::string, std::set<std::string>> rule_keys;  // level -> categories covered ("" = default)

  void bad(const std::string& path, std::string msg) { out.push_back({path, std::move(msg)}); }

  /// Members not in `known` (and not "note") are problems: a typo must not pass silently.
  void members(const json& o, const std::string& path, std::initializer_list<const char*> known) {
    for (auto it = o.begin(); it != o.end(); ++it) {
      if (it.key() == "note") {
        if (!it.value().is_string()) bad(path + "/note", "note must be a string");
        continue;
      }
      bool k = false;
      for (const char* n : known) k = k || it.key() == n;
      if (!k) bad(path + "/" + esc(it.key()), "unknown member \"" + it.key() + "\"");
    }
  }

  const json* str(const json& o, const std::string& path, const char* key, bool required) {
    if (!o.contains(key)) {
      if (required) bad(path + "/" + key, std::string("missing ") + key);
      return nullptr;
    }
    const json& v = o[key];
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      bad(path + "/" + key, std::string(key) + " must be a non-empty string");
      return nullptr;
    }
    return &v;
  }

  void ref_level(const json& o, const std::string& path, const char* key = "level") {
    if (const json* v = str(o, path, key, true); v && !levels.count(v->get<std::string>()))
      bad(path + "/" + key, "unknown level \"" + v->get<std::string>() + "\"");
  }
  void ref_category(const json& o, const std::string& path, const char* key = "category") {
    if (const json* v = str(o, path, key, true); v && !categories.count(v->get<std::string>()))
      bad(path + "/" + key, "unknown category \"" + v->get<std::string>() + "\"");
  }
  void ref_role(const json& o, const std::string& path, bool required) {
    if (const json* v = str(o, path, "role", required); v && !role_from_name(v->get<std::string>()))
      bad(path + "/role", "role must be identifier, quasi-identifier, sensitive or insensitive");
  }

  void check_levels(const json& d) {
    if (!d.contains("levels")) return bad("/levels", "missing levels");
    const json& a = d["levels"];
    if (!a.is_array() || a.empty()) return bad("/levels", "levels must be a non-empty array, highest first");
    int last_tier = -1, cores = 0, importants = 0, generals = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string p = "/levels/" + std::to_string(i);
      const json& l = a[i];
      if (!l.is_object()) {
        bad(p, "a level must be an object");
        continue;
      }
      members(l, p, {"id", "tier", "name", "nameEn"});
      if (const json* id = str(l, p, "id", true)) {
        std::string s = *id;
        const json& tj = l.contains("tier") ? l["tier"] : json();
        if (!id_ok(s)) bad(p + "/id", "id must be lower-case letters, digits, '-', '_' or '.', starting with a letter");
        else if (s == "general") bad(p + "/id", "\"general\" names the tier (the highest general sub-level); give the sub-level its own id");
        else if (!levels.insert(s).second) bad(p + "/id", "duplicate level id \"" + s + "\"");
        else if (s == "core" && tj != "core") bad(p + "/id", "the id \"core\" is for the core tier");
        else if (s == "important" && tj != "important") bad(p + "/id", "the id \"important\" is for the important tier");
      }
      str(l, p, "name", true);
      str(l, p, "nameEn", false);
      if (const json* t = str(l, p, "tier", true)) {
        std::string s = *t;
        int tier = s == "core" ? 0 : s == "important" ? 1 : s == "general" ? 2 : -1;
        if (tier < 0) {
          bad(p + "/tier", "tier must be core, important or general (GB/T 43697-2024 §6.1)");
          continue;
        }
        if (tier < last_tier) bad(p + "/tier", "levels must be ordered highest first: core, important, then general sub-levels");
        last_tier = std::max(last_tier, tier);
        (tier == 0 ? cores : tier == 1 ? importants : generals)++;
      }
    }
    if (cores > 1) bad("/levels", "at most one core level");
    if (importants > 1) bad("/levels", "at most one important level");
    if (generals == 0) bad("/levels", "at least one general level");
  }

  void check_categories(const json& d) {
    if (!d.contains("categories")) return bad("/categories", "missing categories");
    const json& a = d["categories"];
    if (!a.is_array() || a.empty()) return bad("/categories", "categories must be a non-empty array");
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string p = "/categories/" + std::to_string(i);
      const json& c = a[i];
      if (!c.is_object()) {
        bad(p, "a category must be an object");
        continue;
      }
      members(c, p, {"id", "name", "nameEn", "role"});
      if (const json* id = str(c, p, "id", true)) {
        std::string s = *id;
        if (!id_ok(s)) bad(p + "/id", "id must be lower-case letters, digits, '-', '_' or '.', starting with a letter");
        else if (!categories.insert(s).second) bad(p + "/id", "duplicate category id \"" + s + "\"");
      }
      str(c, p, "name", true);
      str(c, p, "nameEn", false);
      ref_role(c, p, false);
    }
  }

  void check_types(const json& d) {
    if (!d.contains("types")) return bad("/types", "missing types");
    const json& t = d["types"];
    if (!t.is_object()) return bad("/types", "types must be an object from detector type to {category, level, role}");
    const auto& known = detector_types();
    for (const auto& n : known)
      if (!t.contains(n)) bad("/types/" + n, "missing the detector type \"" + n + "\" (every type needs a rule)");
    for (auto it = t.begin(); it != t.end(); ++it) {
      std::string p = "/types/" + esc(it.key());
      if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
        bad(p, "unknown detector type \"" + it.key() + "\" (user detectors go in /detectors)");
        continue;
      }
      names.insert(it.key());
      const json& r = it.value();
      if (!r.is_object()) {
        bad(p, "a type rule must be an object {category, level, role}");
        continue;
      }
      members(r, p, {"category", "level", "role"});
      ref_category(r, p);
      ref_level(r, p);
      ref_role(r, p, true);
    }
  }

  void check_detectors(const json& d) {
    if (!d.contains("detectors")) return;
    const json& a = d["detectors"];
    if (!a.is_array()) return bad("/detectors", "detectors must be an array");
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string p = "/detectors/" + std::to_string(i);
      const json& x = a[i];
      if (!x.is_object()) {
        bad(p, "a detector must be an object");
        continue;
      }
      members(x, p, {"name", "pattern", "category", "level", "role"});
      if (const json* n = str(x, p, "name", true)) {
        std::string s = *n;
        bool ok = !s.empty() && s.size() <= 64 && s[0] >= 'a' && s[0] <= 'z';
        for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
        if (!ok) bad(p + "/name", "name must be lower-case letters, digits and '_', starting with a letter");
        else if (!names.insert(s).second) bad(p + "/name", "the name \"" + s + "\" is already a type or detector");
      }
      if (const json* pat = str(x, p, "pattern", true)) {
        const std::string& s = pat->get_ref<const std::string&>();
        if (s.size() > kMaxPattern) {
          bad(p + "/pattern", "pattern longer than " + std::to_string(kMaxPattern) + " bytes");
        } else {
          RE2::Options o;
          o.set_log_errors(false);
          o.set_max_mem(8 << 20);
          RE2 re(s, o);
          if (!re.ok()) bad(p + "/pattern", "not an RE2 pattern: " + re.error());
        }
      }
      ref_category(x, p);
      ref_level(x, p);
      ref_role(x, p, true);
    }
  }

  void check_combinations(const json& d) {
    if (!d.contains("combinations")) return;
    const json& a = d["combinations"];
    if (!a.is_array()) return bad("/combinations", "combinations must be an array");
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string p = "/combinations/" + std::to_string(i);
      const json& c = a[i];
      if (!c.is_object()) {
        bad(p, "a combination must be an object {categories, level, reason}");
        continue;
      }
      members(c, p, {"categories", "level", "reason"});
      if (!c.contains("categories") || !c["categories"].is_array() || c["categories"].size() < 2) {
        bad(p + "/categories", "categories must be an array of at least two category ids");
      } else {
        std::set<std::string> seen;
        for (std::size_t k = 0; k < c["categories"].size(); ++k) {
          const json& v = c["categories"][k];
          std::string q = p + "/categories/" + std::to_string(k);
          if (!v.is_string()) bad(q, "a category id must be a string");
          else if (!categories.count(v.get<std::string>())) bad(q, "unknown category \"" + v.get<std::string>() + "\"");
          else if (!seen.insert(v.get<std::string>()).second) bad(q, "category listed twice");
        }
      }
      ref_level(c, p);
      str(c, p, "reason", true);
    }
  }

  void check_obligation(const json& o, const std::string& p, bool open) {
    if (!o.is_object()) return bad(p, "an obligation must be an object {\"action\": …}");
    const json* a = str(o, p, "action", true);
    if (!a) return;
    std::string act = *a;
    const auto& names_ = action_names();
    if (std::find(names_.begin(), names_.end(), act) == names_.end()) {
      std::string all;
      for (const auto& n : names_) all += (all.empty() ? "" : ", ") + n;
      return bad(p + "/action", "unknown action \"" + act + "\" (one of " + all + ")");
    }
    if (open && act == "encrypt") bad(p + "/action", "encrypt is not an open-data action (the public has no key): use drop, tokenize or pseudonymize");
    auto nonneg = [&](const char* k) {
      if (o.contains(k) && (!o[k].is_number_integer() || o[k].get<std::int64_t>() < 0 || o[k].get<std::int64_t>() > 64))
        bad(p + "/" + k, std::string(k) + " must be an integer from 0 to 64");
    };
    if (act == "keep" || act == "drop" || act == "encrypt") {
      members(o, p, {"action"});
    } else if (act == "mask") {
      members(o, p, {"action", "keepFirst", "keepLast", "char"});
      nonneg("keepFirst");
      nonneg("keepLast");
      if (o.contains("char") && (!o["char"].is_string() || o["char"].get<std::string>().empty() ||
                                 o["char"].get<std::string>().size() > 4))
        bad(p + "/char", "char must be one character");
    } else if (act == "generalize") {
      members(o, p, {"action", "hierarchy"});
      if (o.contains("hierarchy")) str(o, p, "hierarchy", false);
    } else if (act == "tokenize" || act == "pseudonymize") {
      members(o, p, {"action", "domain"});
      if (o.contains("domain")) str(o, p, "domain", false);
    }
    // date_shift, top_bottom, microaggregate, noise: parameters as the de-identification spec takes them.
  }

  void check_access(const json& r, const std::string& p, bool open) {
    if (!r.is_object()) return bad(p, std::string(open ? "open" : "sharing") + " must be an object {type, …}");
    members(r, p, {"type", "condition", "legalBasis", "fields", "privacy"});
    std::optional<Access> t;
    if (const json* v = str(r, p, "type", true)) {
      t = access_from_name(v->get<std::string>());
      if (!t) bad(p + "/type", "type must be unconditional, conditional or none");
    }
    if (t == Access::conditional && !r.contains("condition"))
      bad(p + "/condition", std::string("a conditional rule needs a condition (") + (open ? "有条件开放" : "有条件共享") + ")");
    if (r.contains("condition")) str(r, p, "condition", false);
    if (!open && t == Access::none && !r.contains("legalBasis"))
      bad(p + "/legalBasis", "不予共享 needs the law, regulation or State Council decision it rests on (政务数据共享条例 art. 14-15)");
    if (r.contains("legalBasis")) str(r, p, "legalBasis", false);
    if (r.contains("fields")) {
      const json& f = r["fields"];
      if (!f.is_object()) {
        bad(p + "/fields", "fields must be an object from role to obligation");
      } else {
        for (auto it = f.begin(); it != f.end(); ++it) {
          std::string q = p + "/fields/" + esc(it.key());
          if (!role_from_name(it.key())) bad(q, "unknown role \"" + it.key() + "\"");
          else check_obligation(it.value(), q, open);
        }
        if (t == Access::none && !f.empty()) bad(p + "/fields", "a rule of type none gives nothing, so no obligations");
      }
    }
    if (r.contains("privacy")) {
      const json& pr = r["privacy"];
      if (!pr.is_object()) {
        bad(p + "/privacy", "privacy must be an object, e.g. {\"k\": 20}");
      } else {
        members(pr, p + "/privacy", {"k"});
        if (!pr.contains("k")) bad(p + "/privacy/k", "missing k (k-anonymity)");
        else if (!pr["k"].is_number_integer() || pr["k"].get<std::int64_t>() < 2 || pr["k"].get<std::int64_t>() > 1000000)
          bad(p + "/privacy/k", "k must be an integer from 2 to 1000000");
      }
    }
  }

  void check_rules(const json& d) {
    if (!d.contains("rules")) return bad("/rules", "missing rules");
    const json& a = d["rules"];
    if (!a.is_array() || a.empty()) return bad("/rules", "rules must be a non-empty array");
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string p = "/rules/" + std::to_string(i);
      const json& r = a[i];
      if (!r.is_object()) {
        bad(p, "a rule must be an object {level, sharing, open}");
        continue;
      }
      members(r, p, {"level", "categories", "sharing", "open"});
      ref_level(r, p);
      std::string lv = r.contains("level") && r["level"].is_string() ? r["level"].get<std::string>() : "";
      std::vector<std::string> cats;
      if (r.contains("categories")) {
        const json& c = r["categories"];
        if (!c.is_array() || c.empty()) bad(p + "/categories", "categories must be a non-empty array of category ids");
        else
          for (std::size_t k = 0; k < c.size(); ++k) {
            std::string q = p + "/categories/" + std::to_string(k);
            if (!c[k].is_string()) bad(q, "a category id must be a string");
            else if (!categories.count(c[k].get<std::string>())) bad(q, "unknown category \"" + c[k].get<std::string>() + "\"");
            else cats.push_back(c[k]);
          }
      } else {
        cats.push_back("");
      }
      if (levels.count(lv))
        for (const auto& c : cats)
          if (!rule_keys[lv].insert(c).second)
            bad(p, c.empty() ? "a second default rule for level \"" + lv + "\""
                             : "a second rule for level \"" + lv + "\" and category \"" + c + "\"");
      if (!r.contains("sharing")) bad(p + "/sharing", "missing sharing");
      else check_access(r["sharing"], p + "/sharing", false);
      if (!r.contains("open")) bad(p + "/open", "missing open");
      else check_access(r["open"], p + "/open", true);
    }
    for (const auto& l : levels)
      if (!rule_keys[l].count("")) bad("/rules", "no default rule (without categories) for level \"" + l + "\"");
  }

  void check_risk(const json& d) {
    if (!d.contains("risk")) return bad("/risk", "missing risk (the re-identification risk threshold for opened tables)");
    const json& r = d["risk"];
    if (!r.is_object()) return bad("/risk", "risk must be an object {threshold, measure}");
    members(r, "/risk", {"threshold", "measure"});
    if (!r.contains("threshold")) bad("/risk/threshold", "missing threshold");
    else if (!r["threshold"].is_number() || !(r["threshold"].get<double>() > 0) || r["threshold"].get<double>() > 1)
      bad("/risk/threshold", "threshold must be a number in (0, 1]");
    if (r.contains("measure")) {
      const json& m = r["measure"];
      if (!m.is_string() || (m != "prosecutor" && m != "journalist" && m != "marketer"))
        bad("/risk/measure", "measure must be prosecutor, journalist or marketer");
    }
  }

  void run(const json& d) {
    if (!d.is_object()) return bad("", "a policy must be a JSON object");
    members(d, "", {"civitas:policy", "id", "name", "nameEn", "levels", "categories", "types", "detectors",
                    "combinations", "rules", "risk"});
    if (!d.contains("civitas:policy")) bad("/civitas:policy", "missing civitas:policy (the format version, 1)");
    else if (d["civitas:policy"] != 1) bad("/civitas:policy", "unsupported policy format version (this library reads 1)");
    if (const json* id = str(d, "", "id", true); id && !id_ok(*id))
      bad("/id", "id must be lower-case letters, digits, '-', '_' or '.', starting with a letter");
    str(d, "", "name", true);
    str(d, "", "nameEn", false);
    check_levels(d);
    check_categories(d);
    check_types(d);
    check_detectors(d);
    check_combinations(d);
    check_rules(d);
    check_risk(d);
  }
};

Obligation obligation_of(const json& o) {
  Obligation ob;
  ob.action = o.at("action").get<std::string>();
  for (auto it = o.begin(); it != o.end(); ++it)
    if (it.key() != "action" && it.key() != "note") ob.params[it.key()] = it.value();
  return ob;
}

AccessRule access_of(const json& r) {
  AccessRule a;
  a.type = *access_from_name(r.at("type").get<std::string>());
  a.condition = r.value("condition", "");
  a.legal_basis = r.value("legalBasis", "");
  if (r.contains("fields"))
    for (auto it = r["fields"].begin(); it != r["fields"].end(); ++it)
      a.fields[*role_from_name(it.key())] = obligation_of(it.value());
  if (r.contains("privacy")) a.privacy = {{"k", r["privacy"]["k"]}};
  return a;
}

}  // namespace

std::vector<Problem> check(const json& doc) {
  Checker c;
  try {
    c.run(doc);
  } catch (const std::exception& e) {  // a bug, but a checker never throws at its caller
    c.bad("", std::string("cannot check: ") + e.what());
  }
  return c.out;
}

std::vector<Problem> check_text(std::string_view text) {
  json doc;
  try {
    doc = parse_json(text, "policy");
  } catch (const Error& e) {
    return {{"", e.what()}};
  }
  return check(doc);
}

Policy Policy::from_json(const json& doc) {
  auto problems = check(doc);
  if (!problems.empty())
    throw Error(Code::invalid_data, "invalid policy: " + (problems[0].path.empty() ? std::string("/") : problems[0].path) +
                                        ": " + problems[0].message +
                                        (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                                                   " more; civitas policy check lists them)"
                                                             : ""));
  Policy p;
  p.doc_ = doc;
  p.digest_ = sha256_canonical(doc);
  p.id_ = doc["id"];
  p.name_ = doc["name"];
  for (const auto& l : doc["levels"]) {
    std::string t = l["tier"];
    p.levels_.push_back({l["id"], l["name"], l.value("nameEn", ""),
                         t == "core" ? Tier::core : t == "important" ? Tier::important : Tier::general});
  }
  for (const auto& c : doc["categories"]) {
    Category cat{c["id"], c["name"], c.value("nameEn", ""), std::nullopt};
    if (c.contains("role")) cat.role = role_from_name(c["role"].get<std::string>());
    p.categories_.push_back(std::move(cat));
  }
  for (auto it = doc["types"].begin(); it != doc["types"].end(); ++it)
    p.types_[it.key()] = {it.value()["category"], it.value()["level"], *role_from_name(it.value()["role"].get<std::string>())};
  if (doc.contains("detectors"))
    for (const auto& d : doc["detectors"]) {
      Detector x{d["name"], d["pattern"], d["category"], d["level"], *role_from_name(d["role"].get<std::string>())};
      p.types_[x.name] = {x.category, x.level, x.role};
      p.detectors_.push_back(std::move(x));
    }
  if (doc.contains("combinations"))
    for (const auto& c : doc["combinations"])
      p.combinations_.push_back({c["categories"].get<std::vector<std::string>>(), c["level"], c["reason"]});
  for (std::size_t i = 0; i < doc["rules"].size(); ++i) {
    const json& r = doc["rules"][i];
    Rule rule;
    rule.level = r["level"];
    if (r.contains("categories")) rule.categories = r["categories"].get<std::vector<std::string>>();
    rule.sharing = access_of(r["sharing"]);
    rule.open = access_of(r["open"]);
    rule.path = "/rules/" + std::to_string(i);
    p.rules_.push_back(std::move(rule));
  }
  std::vector<classify::CustomDetector> custom;
  for (const auto& d : p.detectors_) custom.push_back({d.name, d.pattern, d.category, d.level});
  p.compiled_ = custom.empty() ? std::shared_ptr<const classify::Detectors>(&classify::builtin(), [](const classify::Detectors*) {})
                               : [&] {
                                   try {
                                     return std::make_shared<const classify::Detectors>(std::move(custom));
                                   } catch (const Error& e) {  // the checker should have said it
                                     throw Error(Code::invalid_data, std::string("invalid policy: /detectors: ") + e.what());
                                   }
                                 }();
  p.risk_.threshold = doc["risk"]["threshold"];
  p.risk_.measure = doc["risk"].value("measure", "prosecutor");
  return p;
}

Policy Policy::parse(std::string_view text, std::string_view what) { return from_json(parse_json(text, what)); }

Policy Policy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open policy file", Location{{}, {}, {}, path});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(Code::io, "cannot read policy file", Location{{}, {}, {}, path});
  std::string t = ss.str();
  try {
    return parse(t, "policy");
  } catch (const Error& e) {
    Location w = e.where();
    w.source = path;
    throw Error(e.code(), e.what(), w);
  }
}

std::string_view Policy::builtin_text() {
  return {reinterpret_cast<const char*>(civitas_default_policy), civitas_default_policy_size};
}

const Policy& Policy::builtin() {
  static const Policy p = parse(builtin_text(), "the bundled policy");
  return p;
}

const Level* Policy::level(std::string_view id) const noexcept {
  for (const auto& l : levels_)
    if (l.id == id) return &l;
  return nullptr;
}

const Category* Policy::category(std::string_view id) const noexcept {
  for (const auto& c : categories_)
    if (c.id == id) return &c;
  return nullptr;
}

int Policy::rank(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < levels_.size(); ++i)
    if (levels_[i].id == id) return static_cast<int>(i);
  return -1;
}

std::string Policy::higher(const std::string& a, const std::string& b) const {
  int ra = rank(a), rb = rank(b);
  if (ra < 0) return rb < 0 ? std::string() : b;
  if (rb < 0) return a;
  return ra <= rb ? a : b;
}

std::optional<std::string> Policy::resolve_level(std::string_view s) const {
  if (level(s)) return std::string(s);
  for (Tier t : {Tier::core, Tier::important, Tier::general})
    if (s == tier_name(t))
      for (const auto& l : levels_)
        if (l.tier == t) return l.id;  // the first is the highest of the tier
  for (const auto& l : levels_)
    if (l.name == s || (!l.name_en.empty() && l.name_en == s)) return l.id;
  if (s == "核心数据") return resolve_level("core");
  if (s == "重要数据") return resolve_level("important");
  if (s == "一般数据") return resolve_level("general");
  return std::nullopt;
}

std::optional<std::string> Policy::resolve_category(std::string_view s) const {
  for (const auto& c : categories_)
    if (c.id == s || c.name == s || (!c.name_en.empty() && c.name_en == s)) return c.id;
  return std::nullopt;
}

const Rule& Policy::rule(std::string_view lv, std::string_view cat) const {
  const Rule* def = nullptr;
  for (const auto& r : rules_) {
    if (r.level != lv) continue;
    if (r.categories.empty()) def = def ? def : &r;
    else if (!cat.empty() && std::find(r.categories.begin(), r.categories.end(), cat) != r.categories.end()) return r;
  }
  if (!def) throw Error(Code::internal, "policy has no rule for level " + std::string(lv));
  return *def;
}

const TypeRule* Policy::type_rule(std::string_view type) const noexcept {
  auto it = types_.find(std::string(type));
  return it == types_.end() ? nullptr : &it->second;
}

Role Policy::role(std::string_view type, std::string_view cat) const {
  if (type != "none")
    if (const TypeRule* t = type_rule(type)) return t->role;
  if (const Category* c = category(cat); c && c->role) return *c->role;
  if (const TypeRule* t = type_rule("none")) return t->role;
  return Role::insensitive;
}

}  // namespace civitas::policy
