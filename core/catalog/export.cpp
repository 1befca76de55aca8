// Catalog entry export and import: Frictionless Data Package, DCAT 3 / DCAT-AP 3 JSON-LD,
// CKAN package. Standard properties carry what they can; the rest travels in properties of
// the civitas namespace, so that import(export(entry)) == normalize(entry).
// Mapping tables: docs/catalog.md.
#include <algorithm>
#include <map>
#include <set>

#include "civitas/catalog.hpp"
#include "civitas/json.hpp"

namespace civitas::catalog {

using nlohmann::json;

namespace {

const std::set<std::string> kKnown = {"version", "classification", "sequence", "resourceCode", "title", "abstract",
                                      "provider", "formats", "items", "sharing", "open", "updateCycle", "issued",
                                      "modified", "related", "keywords"};

std::string slug(const std::string& code) {
  std::string s = "civitas-";
  for (char c : code) s += (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ? c : '-';
  return s;
}

json extras_of(const json& e) {
  json x = json::object();
  for (auto it = e.begin(); it != e.end(); ++it)
    if (!kKnown.count(it.key())) x[it.key()] = it.value();
  return x;
}

// Fields of the provider beyond name and uscc.
json provider_rest(const json& p) {
  json r = p;
  r.erase("name");
  r.erase("uscc");
  return r;
}

struct Pair {
  const char* token;
  const char* uri;
};
constexpr Pair kFrequency[] = {
    {"realtime", "CONT"},   {"daily", "DAILY"},       {"weekly", "WEEKLY"}, {"monthly", "MONTHLY"},
    {"quarterly", "QUARTERLY"}, {"half-yearly", "ANNUAL_2"}, {"yearly", "ANNUAL"}, {"irregular", "IRREG"},
    {"other", "OTHER"}};
constexpr Pair kAccess[] = {{"unconditional", "PUBLIC"}, {"conditional", "RESTRICTED"}, {"none", "NON_PUBLIC"}};
const std::string kEuFreq = "http://publications.europa.eu/resource/authority/frequency/";
const std::string kEuAccess = "http://publications.europa.eu/resource/authority/access-right/";
const std::string kEuFileType = "http://publications.europa.eu/resource/authority/file-type/";

template <std::size_t N>
std::string lookup(const Pair (&t)[N], const std::string& token) {
  for (const auto& p : t)
    if (token == p.token) return p.uri;
  return "OTHER";
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}

json date_literal(const std::string& d) { return {{"@value", d}, {"@type", "xsd:date"}}; }
json json_literal(const json& v) { return {{"@type", "@json"}, {"@value", v}}; }

// ---- Data Package ------------------------------------------------------------------------

// The table's Table Schema with each field carrying the item that describes it ("civitas:item")
// and, when it has none, the item's name as its title. Only for an entry checked against it.
json described_schema(const json& e, const json& ts) {
  json out = ts;
  std::map<std::string, json> item_of;
  for (const auto& it : e["items"]) item_of[it["field"].get<std::string>()] = it;
  for (auto& f : out["fields"]) {
    const json& it = item_of.at(f["name"].get<std::string>());
    if (!f.contains("title")) f["title"] = it["name"];
    f["civitas:item"] = it;
  }
  return out;
}

json to_datapackage(const json& e, const json* ts) {
  std::string code = e["resourceCode"];
  json dp = {{"$schema", "https://datapackage.org/profiles/2.0/datapackage.json"},
             {"name", slug(code)},
             {"id", code},
             {"title", e["title"]},
             {"description", e["abstract"]},
             {"created", e["issued"].get<std::string>() + "T00:00:00+08:00"}};
  if (e.contains("keywords")) dp["keywords"] = e["keywords"];
  json contributor = {{"title", e["provider"]["name"]}, {"roles", json::array({"publisher"})}, {"civitas:uscc", e["provider"]["uscc"]}};
  json rest = provider_rest(e["provider"]);
  if (!rest.empty()) contributor["civitas:provider"] = rest;
  dp["contributors"] = json::array({contributor});
  if (e["open"].contains("licence")) dp["licenses"] = json::array({json{{"name", "other"}, {"title", e["open"]["licence"]}}});
  std::string fmt = e["formats"][0];
  json resource = {{"name", slug(code)},
                   {"path", slug(code) + "." + fmt},
                   {"format", fmt},
                   {"schema", ts ? described_schema(e, *ts) : json::object({{"fields", items_to_schema(e["items"])}})}};
  dp["resources"] = json::array({resource});
  json c = {{"classification", e["classification"]}, {"sequence", e["sequence"]}, {"formats", e["formats"]},
            {"sharing", e["sharing"]},             {"open", e["open"]},         {"updateCycle", e["updateCycle"]}};
  c["open"].erase("licence");
  if (e.contains("modified")) c["modified"] = e["modified"];
  if (e.contains("related")) c["related"] = e["related"];
  json x = extras_of(e);
  if (!x.empty()) c["extra"] = x;
  dp["civitas:catalog"] = c;
  return dp;
}

json items_from_fields(const json& fields) {
  json items = json::array();
  for (const auto& f : fields) {
    if (f.is_object() && f.contains("civitas:item") && f["civitas:item"].is_object()) {  // exported with its schema
      items.push_back(f["civitas:item"]);
      continue;
    }
    json it = {{"name", f.value("name", "")}, {"dataType", f.value("civitas:dataType", "C")}};
    if (f.contains("civitas:dataLength")) it["length"] = f["civitas:dataLength"];
    if (f.contains("description")) it["description"] = f["description"];
    if (f.contains("civitas:itemExtra") && f["civitas:itemExtra"].is_object())
      for (const auto& [k, v] : f["civitas:itemExtra"].items())
        if (!it.contains(k)) it[k] = v;
    items.push_back(it);
  }
  return items;
}

json need(const json& j, const char* key, const char* what) {
  if (!j.is_object() || !j.contains(key)) throw Error(Code::invalid_data, std::string(what) + ": \"" + key + "\" is missing");
  return j[key];
}

json from_datapackage(const json& dp) {
  json c = need(dp, "civitas:catalog", "Data Package");
  json e = {{"version", 1}};
  e["classification"] = need(c, "classification", "civitas:catalog");
  e["sequence"] = need(c, "sequence", "civitas:catalog");
  e["title"] = need(dp, "title", "Data Package");
  e["abstract"] = need(dp, "description", "Data Package");
  std::string created = need(dp, "created", "Data Package").get<std::string>();
  e["issued"] = created.substr(0, 10);
  if (dp.contains("keywords")) e["keywords"] = dp["keywords"];
  json contributors = need(dp, "contributors", "Data Package");
  json pub;
  for (const auto& k : contributors)
    if (k.contains("roles") && k["roles"].is_array() &&
        std::find(k["roles"].begin(), k["roles"].end(), json("publisher")) != k["roles"].end())
      pub = k;
  if (pub.is_null()) throw Error(Code::invalid_data, "Data Package: no contributor with role publisher");
  json provider = pub.value("civitas:provider", json::object());
  provider["name"] = need(pub, "title", "publisher");
  provider["uscc"] = need(pub, "civitas:uscc", "publisher");
  e["provider"] = provider;
  e["formats"] = need(c, "formats", "civitas:catalog");
  json res = need(dp, "resources", "Data Package");
  if (!res.is_array() || res.empty()) throw Error(Code::invalid_data, "Data Package: no resources");
  e["items"] = items_from_fields(need(need(res[0], "schema", "resource"), "fields", "schema"));
  e["sharing"] = need(c, "sharing", "civitas:catalog");
  e["open"] = need(c, "open", "civitas:catalog");
  if (dp.contains("licenses") && dp["licenses"].is_array() && !dp["licenses"].empty())
    e["open"]["licence"] = dp["licenses"][0].value("title", dp["licenses"][0].value("name", ""));
  e["updateCycle"] = need(c, "updateCycle", "civitas:catalog");
  if (c.contains("modified")) e["modified"] = c["modified"];
  if (c.contains("related")) e["related"] = c["related"];
  if (c.contains("extra"))
    for (auto it = c["extra"].begin(); it != c["extra"].end(); ++it) e[it.key()] = it.value();
  return e;
}

// ---- DCAT 3 / DCAT-AP 3 JSON-LD -----------------------------------------------------------

json to_dcat(const json& e, const CatalogConfig& cfg, const json* ts) {
  std::string code = e["resourceCode"];
  std::string ds = cfg.base_uri + "dataset:" + code;
  std::string agent = cfg.base_uri + "agent:" + e["provider"]["uscc"].get<std::string>();
  json context = {{"dcat", "http://www.w3.org/ns/dcat#"},  {"dct", "http://purl.org/dc/terms/"},
                  {"foaf", "http://xmlns.com/foaf/0.1/"}, {"xsd", "http://www.w3.org/2001/XMLSchema#"},
                  {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"}, {"civitas", "https://civitas.example/ns/catalog#"},
                  {"@version", 1.1}};
  json d = {{"@id", ds},
            {"@type", "dcat:Dataset"},
            {"dct:identifier", code},
            {"dct:title", e["title"]},
            {"dct:description", e["abstract"]},
            {"dct:publisher", {{"@id", agent}}},
            {"dct:issued", date_literal(e["issued"])},
            // Vocabulary values carry their class, which the DCAT-AP 3.0.1 shapes require (sh:class).
            {"dct:accrualPeriodicity", {{"@id", kEuFreq + lookup(kFrequency, e["updateCycle"])}, {"@type", "dct:Frequency"}}},
            {"dct:accessRights", {{"@id", kEuAccess + lookup(kAccess, e["open"]["type"])}, {"@type", "dct:RightsStatement"}}},
            {"civitas:updateCycle", e["updateCycle"]},
            {"civitas:classification", json_literal(e["classification"])},
            {"civitas:sequence", e["sequence"]},
            {"civitas:items", json_literal(e["items"])},
            {"civitas:sharing", json_literal(e["sharing"])},
            {"civitas:openType", e["open"]["type"]}};
  if (e["open"].contains("condition") && e["open"]["condition"].is_string())
    d["civitas:openCondition"] = e["open"]["condition"];
  json open = e["open"];  // every open attribute but the licence (on the distributions)
  open.erase("licence");
  d["civitas:open"] = json_literal(open);
  if (e.contains("modified")) d["dct:modified"] = date_literal(e["modified"]);
  if (e.contains("keywords")) d["dcat:keyword"] = e["keywords"];
  if (e.contains("related")) {
    json rel = json::array();
    for (const auto& r : e["related"]) rel.push_back({{"@id", cfg.base_uri + "dataset:" + r.get<std::string>()}});
    d["dct:relation"] = rel;
  }
  json x = extras_of(e);
  if (!x.empty()) d["civitas:extra"] = json_literal(x);
  json graph = json::array();
  json dists = json::array();
  std::string schema_id = ds + ":schema";
  if (ts) {  // the table's schema, which every distribution conforms to
    std::string cols;
    for (const auto& f : (*ts)["fields"])
      cols += (cols.empty() ? "" : ", ") + f["name"].get<std::string>() + " (" + f.value("type", "string") + ")";
    graph.push_back({{"@id", schema_id},
                     {"@type", "dct:Standard"},
                     {"dct:title", "Table Schema: " + e["title"].get<std::string>()},
                     {"dct:description", "columns: " + cols},
                     {"civitas:tableSchema", json_literal(described_schema(e, *ts))}});
  }
  for (const auto& f : e["formats"]) {
    std::string fmt = f;
    std::string id = ds + ":distribution:" + fmt;
    json dist = {{"@id", id},
                 {"@type", "dcat:Distribution"},
                 {"dcat:accessURL", {{"@id", id}}},
                 {"dct:format", {{"@id", kEuFileType + upper(fmt)}, {"@type", "dct:MediaTypeOrExtent"}}},
                 {"civitas:format", fmt}};
    if (ts) dist["dct:conformsTo"] = {{"@id", schema_id}};
    if (e["open"].contains("licence"))
      dist["dct:license"] = {{"@type", "dct:LicenseDocument"}, {"rdfs:label", e["open"]["licence"]}};
    dists.push_back({{"@id", id}});
    graph.push_back(dist);
  }
  d["dcat:distribution"] = dists;
  json pub = {{"@id", agent}, {"@type", "foaf:Agent"}, {"foaf:name", e["provider"]["name"]},
              {"dct:identifier", e["provider"]["uscc"]}};
  json rest = provider_rest(e["provider"]);
  if (!rest.empty()) pub["civitas:provider"] = json_literal(rest);
  json record = {{"@id", ds + ":record"},
                 {"@type", "dcat:CatalogRecord"},
                 {"foaf:primaryTopic", {{"@id", ds}}},
                 {"dct:modified", date_literal(e.value("modified", e["issued"].get<std::string>()))}};
  graph.insert(graph.begin(), {d, pub, record});
  return {{"@context", context}, {"@graph", graph}};
}

const json& node_of_type(const json& graph, const std::string& type, const std::string& id = "") {
  for (const auto& n : graph) {
    if (!n.is_object()) continue;
    if (!id.empty() && n.value("@id", "") != id) continue;
    const json& t = n.contains("@type") ? n["@type"] : json();
    if (t == type || (t.is_array() && std::find(t.begin(), t.end(), json(type)) != t.end())) return n;
  }
  throw Error(Code::invalid_data, "DCAT: no " + type + " node" + (id.empty() ? "" : " with @id " + id));
}

json literal(const json& v) { return v.is_object() && v.contains("@value") ? v["@value"] : v; }

json from_dcat(const json& doc, const CatalogConfig& cfg) {
  const json& graph = need(doc, "@graph", "DCAT");
  if (!graph.is_array()) throw Error(Code::invalid_data, "DCAT: @graph must be an array");
  const json& d = node_of_type(graph, "dcat:Dataset");
  json e = {{"version", 1}};
  e["classification"] = literal(need(d, "civitas:classification", "dcat:Dataset"));
  e["sequence"] = literal(need(d, "civitas:sequence", "dcat:Dataset"));
  e["title"] = literal(need(d, "dct:title", "dcat:Dataset"));
  e["abstract"] = literal(need(d, "dct:description", "dcat:Dataset"));
  std::string agent = need(need(d, "dct:publisher", "dcat:Dataset"), "@id", "dct:publisher");
  const json& pub = node_of_type(graph, "foaf:Agent", agent);
  json provider = pub.contains("civitas:provider") ? literal(pub["civitas:provider"]) : json::object();
  provider["name"] = literal(need(pub, "foaf:name", "foaf:Agent"));
  provider["uscc"] = literal(need(pub, "dct:identifier", "foaf:Agent"));
  e["provider"] = provider;
  json formats = json::array();
  json licence;  // null: no distribution has a licence ("" is a licence)
  for (const auto& ref : need(d, "dcat:distribution", "dcat:Dataset")) {
    const json& dist = node_of_type(graph, "dcat:Distribution", need(ref, "@id", "dcat:distribution"));
    formats.push_back(literal(need(dist, "civitas:format", "dcat:Distribution")));
    if (dist.contains("dct:license")) licence = literal(need(dist["dct:license"], "rdfs:label", "dct:license"));
  }
  e["formats"] = formats;
  e["items"] = literal(need(d, "civitas:items", "dcat:Dataset"));
  e["sharing"] = literal(need(d, "civitas:sharing", "dcat:Dataset"));
  if (d.contains("civitas:open")) {  // civitas exports: every open attribute
    e["open"] = literal(d["civitas:open"]);
    if (!e["open"].is_object()) throw Error(Code::invalid_data, "dcat:Dataset: civitas:open must be a JSON object");
  } else {  // other writers: the open type and condition
    e["open"] = {{"type", literal(need(d, "civitas:openType", "dcat:Dataset"))}};
    if (d.contains("civitas:openCondition")) e["open"]["condition"] = literal(d["civitas:openCondition"]);
  }
  if (!licence.is_null()) e["open"]["licence"] = licence;
  e["updateCycle"] = literal(need(d, "civitas:updateCycle", "dcat:Dataset"));
  e["issued"] = literal(need(d, "dct:issued", "dcat:Dataset"));
  if (d.contains("dct:modified")) e["modified"] = literal(d["dct:modified"]);
  if (d.contains("dcat:keyword")) e["keywords"] = d["dcat:keyword"];
  if (d.contains("dct:relation")) {
    json rel = json::array();
    std::string prefix = cfg.base_uri + "dataset:";
    for (const auto& r : d["dct:relation"]) {
      std::string id = need(r, "@id", "dct:relation");
      rel.push_back(id.rfind(prefix, 0) == 0 ? id.substr(prefix.size()) : id);
    }
    e["related"] = rel;
  }
  if (d.contains("civitas:extra")) {
    json x = literal(d["civitas:extra"]);
    for (auto it = x.begin(); it != x.end(); ++it) e[it.key()] = it.value();
  }
  return e;
}

// ---- CKAN ------------------------------------------------------------------------------

json to_ckan(const json& e, const CatalogConfig& cfg) {
  std::string code = e["resourceCode"];
  std::string uscc = e["provider"]["uscc"];
  std::string org;
  for (char c : uscc) org += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  json p = {{"name", slug(code)},
            {"title", e["title"]},
            {"notes", e["abstract"]},
            {"type", "dataset"},
            {"state", "active"},
            {"private", e["open"]["type"] != "unconditional"},
            {"organization", {{"name", "uscc-" + org}, {"title", e["provider"]["name"]}}}};
  if (e["open"].contains("licence")) p["license_title"] = e["open"]["licence"];
  json tags = json::array();
  if (e.contains("keywords"))
    for (const auto& k : e["keywords"]) tags.push_back({{"name", k}});
  p["tags"] = tags;
  json res = json::array();
  for (const auto& f : e["formats"])
    res.push_back({{"name", slug(code) + "." + f.get<std::string>()}, {"format", f},
                   {"url", cfg.base_uri + "dataset:" + code + ":distribution:" + f.get<std::string>()}});
  p["resources"] = res;
  json extras = json::array();
  auto add = [&](const std::string& k, const json& v) { extras.push_back({{"key", k}, {"value", v.is_string() ? v : json(v.dump())}}); };
  add("identifier", e["resourceCode"]);
  add("issued", e["issued"]);
  if (e.contains("modified")) add("modified", e["modified"]);
  add("frequency", kEuFreq + lookup(kFrequency, e["updateCycle"]));
  add("access_rights", kEuAccess + lookup(kAccess, e["open"]["type"]));
  add("publisher_name", e["provider"]["name"]);
  add("publisher_identifier", uscc);
  add("civitas:classification", e["classification"]);
  add("civitas:sequence", e["sequence"]);
  add("civitas:items", e["items"]);
  add("civitas:sharing", e["sharing"]);
  json open = e["open"];
  open.erase("licence");
  add("civitas:open", open);
  add("civitas:updateCycle", e["updateCycle"]);
  json rest = provider_rest(e["provider"]);
  if (!rest.empty()) add("civitas:provider", rest);
  if (e.contains("related")) add("civitas:related", e["related"]);
  // Tags are CKAN's view of the keywords; the exact list (also an empty one) travels here.
  if (e.contains("keywords")) add("civitas:keywords", e["keywords"]);
  json x = extras_of(e);
  if (!x.empty()) add("civitas:extra", x);
  p["extras"] = extras;
  return p;
}

json from_ckan(const json& p) {
  std::map<std::string, std::string> ex;
  for (const auto& x : need(p, "extras", "CKAN package"))
    if (x.contains("key") && x.contains("value") && x["value"].is_string()) ex[x["key"]] = x["value"];
  auto get = [&](const char* k) -> std::string {
    auto it = ex.find(k);
    if (it == ex.end()) throw Error(Code::invalid_data, std::string("CKAN package: extra \"") + k + "\" is missing");
    return it->second;
  };
  auto parsed = [&](const char* k) {
    std::optional<json> v = try_parse_json(get(k));
    if (!v) throw Error(Code::invalid_data, std::string("CKAN package: extra \"") + k + "\" is not JSON (or nests too deep)");
    return *v;
  };
  json e = {{"version", 1}};
  e["classification"] = parsed("civitas:classification");
  e["sequence"] = get("civitas:sequence");
  e["title"] = need(p, "title", "CKAN package");
  e["abstract"] = need(p, "notes", "CKAN package");
  json provider = ex.count("civitas:provider") ? parsed("civitas:provider") : json::object();
  provider["name"] = get("publisher_name");
  provider["uscc"] = get("publisher_identifier");
  e["provider"] = provider;
  json formats = json::array();
  for (const auto& r : need(p, "resources", "CKAN package")) formats.push_back(need(r, "format", "CKAN resource"));
  e["formats"] = formats;
  e["items"] = parsed("civitas:items");
  e["sharing"] = parsed("civitas:sharing");
  e["open"] = parsed("civitas:open");
  if (p.contains("license_title") && p["license_title"].is_string()) e["open"]["licence"] = p["license_title"];
  e["updateCycle"] = get("civitas:updateCycle");
  e["issued"] = get("issued");
  if (ex.count("modified")) e["modified"] = get("modified");
  if (ex.count("civitas:keywords")) {
    e["keywords"] = parsed("civitas:keywords");
  } else if (p.contains("tags") && p["tags"].is_array() && !p["tags"].empty()) {
    json kw = json::array();
    for (const auto& t : p["tags"]) kw.push_back(need(t, "name", "CKAN tag"));
    e["keywords"] = kw;
  }
  if (ex.count("civitas:related")) e["related"] = parsed("civitas:related");
  if (ex.count("civitas:extra")) {
    json x = parsed("civitas:extra");
    for (auto it = x.begin(); it != x.end(); ++it) e[it.key()] = it.value();
  }
  return e;
}

}  // namespace

CatalogFormat detect_catalog_format(const json& doc) {
  if (doc.is_object() && (doc.contains("@graph") || doc.contains("@context"))) return CatalogFormat::dcat;
  if (doc.is_object() && doc.contains("extras") && doc.contains("notes")) return CatalogFormat::ckan;
  if (doc.is_object() && doc.contains("resources")) return CatalogFormat::datapackage;
  throw Error(Code::invalid_data, "not a Data Package, DCAT JSON-LD or CKAN package document");
}

namespace {
json export_normalized(const json& e, CatalogFormat fmt, const CatalogConfig& cfg, const json* ts) {
  switch (fmt) {
    case CatalogFormat::datapackage: return to_datapackage(e, ts);
    case CatalogFormat::dcat: return to_dcat(e, cfg, ts);
    case CatalogFormat::ckan: return to_ckan(e, cfg);
  }
  throw Error(Code::invalid_argument, "unknown catalog format");
}
}  // namespace

json export_entry(const json& entry, CatalogFormat fmt, const CatalogConfig& cfg) {
  return export_normalized(normalize_entry(entry, cfg), fmt, cfg, nullptr);
}

json export_entry(const json& entry, CatalogFormat fmt, const CatalogConfig& cfg, const json& table_schema) {
  json e = normalize_entry(entry, cfg);
  auto p = check_entry_schema(e, table_schema, cfg);
  if (!p.empty()) {
    std::string msg = "catalog entry and table schema do not match: " + p[0].path + ": " + p[0].message;
    if (p.size() > 1) msg += " (and " + std::to_string(p.size() - 1) + " more problems)";
    throw Error(Code::invalid_data, msg);
  }
  return export_normalized(e, fmt, cfg, &table_schema);
}

json import_entry(const json& doc, const CatalogFormat* fmt, const CatalogConfig& cfg) {
  CatalogFormat f = fmt ? *fmt : detect_catalog_format(doc);
  json e;
  try {
    switch (f) {
      case CatalogFormat::datapackage: e = from_datapackage(doc); break;
      case CatalogFormat::dcat: e = from_dcat(doc, cfg); break;
      case CatalogFormat::ckan: e = from_ckan(doc); break;
    }
  } catch (const json::exception& x) {
    throw Error(Code::invalid_data, std::string("cannot import catalog entry: ") + x.what());
  }
  return normalize_entry(e, cfg);
}

}  // namespace civitas::catalog
