// De-identification specs (docs/formats/deid-spec.md): parsing with errors that name the
// JSON path of the problem.
#include <cmath>
#include <fstream>
#include <sstream>

#include "civitas/deid.hpp"
#include "civitas/json.hpp"

namespace civitas::deid {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw Error(Code::invalid_argument, "deid spec: " + path + ": " + what);
}

const char* type_of(const json& j) {
  return j.type_name();
}

double number(const json& j, const std::string& path) {
  if (!j.is_number()) bad(path, std::string("expected a number, found ") + type_of(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) bad(path, "expected a finite number");
  return v;
}

std::string string(const json& j, const std::string& path) {
  if (!j.is_string()) bad(path, std::string("expected a string, found ") + type_of(j));
  return j.get<std::string>();
}

void only_keys(const json& obj, const std::string& path, std::initializer_list<const char*> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : keys) ok = ok || it.key() == k;
    if (!ok) {
      std::string list;
      for (const char* k : keys) list += std::string(list.empty() ? "" : ", ") + k;
      bad(path + "." + it.key(), "unknown key (known: " + list + ")");
    }
  }
}

LDiversity parse_l(const json& j, const std::string& path) {
  LDiversity l;
  if (j.is_number()) {
    l.l = number(j, path);
  } else if (j.is_object()) {
    only_keys(j, path, {"variant", "l", "c"});
    if (j.contains("variant")) {
      const std::string v = string(j["variant"], path + ".variant");
      if (v == "distinct") l.variant = LVariant::distinct;
      else if (v == "entropy") l.variant = LVariant::entropy;
      else if (v == "recursive") l.variant = LVariant::recursive;
      else bad(path + ".variant", "\"" + v + "\" is not distinct, entropy or recursive");
    }
    if (!j.contains("l")) bad(path, "missing \"l\"");
    l.l = number(j["l"], path + ".l");
    if (j.contains("c")) {
      if (l.variant != LVariant::recursive) bad(path + ".c", "\"c\" belongs to the recursive variant only");
      l.c = number(j["c"], path + ".c");
      if (!(l.c > 0)) bad(path + ".c", "must be > 0");
    } else if (l.variant == LVariant::recursive) {
      bad(path, "the recursive variant needs \"c\"");
    }
  } else {
    bad(path, std::string("expected a number or an object, found ") + type_of(j));
  }
  if (!(l.l >= 1)) bad(path, "l must be >= 1");
  if (l.variant != LVariant::entropy && l.l != std::floor(l.l)) bad(path, "l must be an integer for this variant");
  if (l.l > 1e6) bad(path, "l is too large");
  return l;
}

TCloseness parse_t(const json& j, const std::string& path) {
  TCloseness t;
  if (j.is_number()) {
    t.t = number(j, path);
  } else if (j.is_object()) {
    only_keys(j, path, {"t", "distance"});
    if (!j.contains("t")) bad(path, "missing \"t\"");
    t.t = number(j["t"], path + ".t");
    if (j.contains("distance")) {
      const std::string d = string(j["distance"], path + ".distance");
      if (d == "equal") t.distance = TDistance::equal;
      else if (d == "hierarchical") t.distance = TDistance::hierarchical;
      else bad(path + ".distance", "\"" + d + "\" is not equal or hierarchical");
    }
  } else {
    bad(path, std::string("expected a number or an object, found ") + type_of(j));
  }
  if (!(t.t >= 0 && t.t <= 1)) bad(path, "t must be in [0, 1]");
  return t;
}

const char* kActions[] = {"keep", "drop", "mask", "generalize", "pseudonymize", "tokenize",
                          "date_shift", "top_bottom", "microaggregate", "noise"};

}  // namespace

const char* role_name(Role r) noexcept {
  switch (r) {
    case Role::identifier: return "identifier";
    case Role::quasi_identifier: return "quasi-identifier";
    case Role::sensitive: return "sensitive";
    case Role::insensitive: return "insensitive";
  }
  return "?";
}

const char* measure_name(Measure m) noexcept {
  switch (m) {
    case Measure::entropy: return "entropy";
    case Measure::discernibility: return "discernibility";
    case Measure::aecs: return "aecs";
    case Measure::loss: return "loss";
  }
  return "?";
}

json Privacy::to_json() const {
  json j = json::object();
  j["k"] = k;
  if (l) {
    const char* v = l->variant == LVariant::distinct ? "distinct" : l->variant == LVariant::entropy ? "entropy" : "recursive";
    json lj = {{"variant", v}, {"l", l->l}};
    if (l->variant == LVariant::recursive) lj["c"] = l->c;
    j["l"] = lj;
  } else {
    j["l"] = nullptr;
  }
  if (t) j["t"] = {{"t", t->t}, {"distance", t->distance == TDistance::equal ? "equal" : "hierarchical"}};
  else j["t"] = nullptr;
  j["suppression_limit"] = suppression_limit;
  j["measure"] = measure_name(measure);
  j["recoding"] = recoding == Recoding::global ? "global" : "local";
  return j;
}

const FieldSpec* Spec::field(std::string_view name) const noexcept {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Spec parse_spec(std::string_view text, std::string base_dir) {
  const json doc = parse_json(text, "deid spec");
  if (!doc.is_object()) bad("$", std::string("expected an object, found ") + type_of(doc));
  only_keys(doc, "$", {"fields", "privacy", "format", "description"});
  Spec s;
  s.base_dir = std::move(base_dir);
  if (!doc.contains("fields")) bad("$", "missing \"fields\"");
  const json& fields = doc["fields"];
  if (!fields.is_object()) bad("$.fields", std::string("expected an object, found ") + type_of(fields));
  // nlohmann::json sorts keys; keep the order of the document instead.
  const nlohmann::ordered_json ordered = parse_ordered_json(text, "deid spec");
  for (auto it = ordered["fields"].begin(); it != ordered["fields"].end(); ++it) {
    const std::string path = "$.fields." + it.key();
    const json f = parse_json(it.value().dump(), "deid spec");
    if (it.key().empty()) bad("$.fields", "a field name is empty");
    if (!f.is_object()) bad(path, std::string("expected an object, found ") + type_of(f));
    FieldSpec fs;
    fs.name = it.key();
    fs.params = f;
    if (!f.contains("role")) bad(path, "missing \"role\"");
    const std::string role = string(f["role"], path + ".role");
    if (role == "identifier") fs.role = Role::identifier;
    else if (role == "quasi-identifier") fs.role = Role::quasi_identifier;
    else if (role == "sensitive") fs.role = Role::sensitive;
    else if (role == "insensitive") fs.role = Role::insensitive;
    else bad(path + ".role", "\"" + role + "\" is not identifier, quasi-identifier, sensitive or insensitive");
    if (f.contains("hierarchy")) {
      fs.hierarchy = string(f["hierarchy"], path + ".hierarchy");
      if (fs.hierarchy.empty()) bad(path + ".hierarchy", "is empty");
    }
    if (f.contains("action")) {
      fs.action_json = f["action"];
      const json* name = &f["action"];
      if (name->is_object()) {
        if (!name->contains("action")) bad(path + ".action", "missing \"action\" (the action's name)");
        name = &(*name)["action"];
        fs.action = string(*name, path + ".action.action");
      } else {
        fs.action = string(*name, path + ".action");
      }
      bool known = false;
      for (const char* a : kActions) known = known || fs.action == a;
      if (!known)
        bad(path + ".action", "\"" + fs.action +
                                  "\" is not one of keep, drop, mask, generalize, pseudonymize, tokenize, "
                                  "date_shift, top_bottom, microaggregate, noise");
    }
    if (fs.role == Role::quasi_identifier && fs.hierarchy.empty() &&
        (fs.action.empty() || fs.action == "generalize"))
      bad(path, "a quasi-identifier that is generalised needs a \"hierarchy\"");
    if (fs.action == "generalize" && fs.hierarchy.empty()) bad(path, "\"generalize\" needs a \"hierarchy\"");
    if (fs.action == "generalize" && fs.role != Role::quasi_identifier && !f.contains("level") &&
        !(f["action"].is_object() && f["action"].contains("level")))
      bad(path, "\"generalize\" of a field that is not a quasi-identifier needs a fixed \"level\"");
    s.fields.push_back(std::move(fs));
  }
  Privacy& p = s.privacy;
  if (doc.contains("privacy")) {
    const json& pj = doc["privacy"];
    if (!pj.is_object()) bad("$.privacy", std::string("expected an object, found ") + type_of(pj));
    only_keys(pj, "$.privacy", {"k", "l", "t", "suppression_limit", "measure", "recoding"});
    if (pj.contains("k")) {
      const double k = number(pj["k"], "$.privacy.k");
      if (!(k >= 1) || k != std::floor(k) || k > 1e12) bad("$.privacy.k", "must be an integer >= 1");
      p.k = static_cast<std::uint64_t>(k);
    }
    if (pj.contains("l")) p.l = parse_l(pj["l"], "$.privacy.l");
    if (pj.contains("t")) p.t = parse_t(pj["t"], "$.privacy.t");
    if (pj.contains("suppression_limit")) {
      p.suppression_limit = number(pj["suppression_limit"], "$.privacy.suppression_limit");
      if (!(p.suppression_limit >= 0 && p.suppression_limit <= 1))
        bad("$.privacy.suppression_limit", "must be in [0, 1] (a fraction of the records)");
    }
    if (pj.contains("measure")) {
      const std::string m = string(pj["measure"], "$.privacy.measure");
      if (m == "entropy") p.measure = Measure::entropy;
      else if (m == "discernibility") p.measure = Measure::discernibility;
      else if (m == "aecs") p.measure = Measure::aecs;
      else if (m == "loss") p.measure = Measure::loss;
      else bad("$.privacy.measure", "\"" + m + "\" is not entropy, discernibility, aecs or loss");
    }
    if (pj.contains("recoding")) {
      const std::string r = string(pj["recoding"], "$.privacy.recoding");
      if (r == "global") p.recoding = Recoding::global;
      else if (r == "local") p.recoding = Recoding::local;
      else bad("$.privacy.recoding", "\"" + r + "\" is not global or local");
    }
  }
  bool has_sensitive = false, has_qi = false;
  for (const auto& f : s.fields) {
    has_sensitive = has_sensitive || f.role == Role::sensitive;
    has_qi = has_qi || f.role == Role::quasi_identifier;
  }
  if ((p.l || p.t) && !has_sensitive)
    bad("$.privacy", "l-diversity and t-closeness need a field with role \"sensitive\"");
  if (p.t && p.t->distance == TDistance::hierarchical)
    for (const auto& f : s.fields)
      if (f.role == Role::sensitive && f.hierarchy.empty())
        bad("$.fields." + f.name, "hierarchical t-closeness needs a \"hierarchy\" for the sensitive field");
  (void)has_qi;
  return s;
}

Spec load_spec_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot read the deid spec " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string dir = ".";
  const auto slash = path.find_last_of('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  return parse_spec(ss.str(), dir);
}

}  // namespace civitas::deid
