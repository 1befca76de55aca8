// The policy module: documents and their checker, grading (就高从严), decisions, and the audited
// workspace calls record_classification and decide.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/audit.hpp"
#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "civitas/policy.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::policy;
using nlohmann::json;
using civitas::test::code_of;

namespace {

json builtin_doc() { return json::parse(std::string(Policy::builtin_text())); }

std::vector<std::string> paths(const std::vector<Problem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.path);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

ColumnIn col(const std::string& name, const std::string& type, json ann = nullptr) {
  ColumnIn c;
  c.name = name;
  c.type = type;
  c.ratio = 1;
  c.confidence = 0.99;
  c.annotation = std::move(ann);
  return c;
}

json entry(const std::string& sharing = "conditional", const std::string& open = "conditional") {
  json e = json::parse(R"({
    "version": 1,
    "classification": {"class": "1", "item": "02", "category": "003", "subcategory": "004"},
    "sequence": "000017",
    "title": "人口基本信息", "abstract": "户籍人口基本信息",
    "provider": {"name": "市公安局", "uscc": "91350100M000100Y43"},
    "formats": ["csv"],
    "items": [{"name": "姓名", "dataType": "C", "length": 50}],
    "sharing": {"type": "conditional", "condition": "仅限履职使用", "modes": ["api"]},
    "open": {"type": "conditional", "condition": "经审核后开放"},
    "updateCycle": "daily", "issued": "2024-03-01"})");
  e["sharing"]["type"] = sharing;
  if (sharing == "none") {
    e["sharing"].erase("modes");
    e["sharing"]["legalBasis"] = "某法第十条";
  }
  e["open"]["type"] = open;
  return e;
}

const std::string kConsumer = "91350100M000100Y43";

}  // namespace

TEST_CASE("the bundled policy is valid and maps every detector type") {
  CHECK(check(builtin_doc()).empty());
  const Policy& p = Policy::builtin();
  CHECK(p.id() == "civitas-default-city-2026");
  CHECK(p.digest().rfind("sha256:", 0) == 0);
  CHECK(p.digest().size() == 7 + 64);
  for (const auto& t : detector_types()) CHECK_MESSAGE(p.type_rule(t) != nullptr, t);
  CHECK(p.levels().front().tier == Tier::core);
  CHECK(p.levels().back().id == "general-1");
  CHECK(p.rank("core") == 0);
  CHECK(p.rank("general-1") == static_cast<int>(p.levels().size()) - 1);
  CHECK(p.risk().threshold == doctest::Approx(0.05));
  CHECK(p.type_rule("ric")->role == Role::identifier);
  CHECK(p.type_rule("birth_date")->role == Role::quasi_identifier);
}

TEST_CASE("the checker reports every problem with its JSON path") {
  json d = builtin_doc();
  d["levels"][1]["tier"] = "core";                       // two core levels
  d["levels"][3]["id"] = "general-4";                    // duplicate id
  d["categories"][0]["role"] = "secret";                 // unknown role
  d["types"].erase("vin");                               // a type without rule
  d["types"]["ric"]["level"] = "general-9";              // unknown level
  d["types"]["email"]["colour"] = "red";                 // unknown member
  d["detectors"] = json::array({{{"name", "ssn"}, {"pattern", "(["}, {"category", "nope"}, {"level", "general-2"},
                                 {"role", "identifier"}}});
  d["combinations"][0]["categories"] = {"personal-basic"};
  d["rules"][0]["sharing"].erase("legalBasis");           // 不予共享 without legal basis
  d["rules"][3]["open"]["fields"]["identifier"]["action"] = "encrypt";  // not for opening
  d["rules"][3]["open"]["fields"]["quasi-identifier"] = {{"action", "mask"}, {"keepFirst", -1}};
  d["rules"][4]["open"]["privacy"]["k"] = 1;
  d["rules"][5]["sharing"]["type"] = "sometimes";
  d["risk"]["threshold"] = 0;
  auto ps = paths(check(d));
  for (const char* want :
       {"/levels", "/levels/3/id", "/categories/0/role", "/types/vin", "/types/ric/level", "/types/email/colour",
        "/detectors/0/pattern", "/detectors/0/category", "/combinations/0/categories", "/rules/0/sharing/legalBasis",
        "/rules/3/open/fields/identifier/action", "/rules/3/open/fields/quasi-identifier/keepFirst", "/rules/4/open/privacy/k",
        "/rules/5/sharing/type", "/risk/threshold"})
    CHECK_MESSAGE(has(ps, want), want);
  CHECK(code_of([&] { Policy::from_json(d); }) == Code::invalid_data);
}

TEST_CASE("levels are ordered, every level has a default rule, and rules are unique") {
  json d = builtin_doc();
  std::swap(d["levels"][0], d["levels"][2]);  // a general level above core
  auto ps = paths(check(d));
  CHECK(has(ps, "/levels/2/tier"));
  d = builtin_doc();
  d["rules"].erase(d["rules"].begin() + 5);   // general-1 has no rule
  CHECK(has(paths(check(d)), "/rules"));
  d = builtin_doc();
  d["rules"].push_back(d["rules"][5]);        // a second default rule for general-1
  CHECK(has(paths(check(d)), "/rules/6"));
}

TEST_CASE("malformed and hostile policy texts are problems, not crashes") {
  CHECK(check_text("{").size() == 1);
  CHECK(check_text("[]").size() == 1);
  std::string deep(100000, '[');
  auto ps = check_text(deep);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].message.find("128") != std::string::npos);
  CHECK(code_of([&] { Policy::parse(deep); }) == Code::parse);
  CHECK(code_of([] { Policy::load("/nonexistent/policy.json"); }) == Code::io);
}

TEST_CASE("grading: types give category, level and role; the table takes the highest level") {
  const Policy& p = Policy::builtin();
  Grading g = grade(p, {col("code", "uscc"), col("name", "none")});
  CHECK(g.level == "general-1");
  CHECK(g.columns[0].category == "legal-person");
  CHECK(g.columns[0].source == "detected");
  g = grade(p, {col("code", "uscc"), col("born", "birth_date"), col("id", "ric")});
  CHECK(g.level == "general-4");
  CHECK(g.columns[2].role == Role::identifier);
  CHECK(g.reasons.empty());
  CHECK(code_of([&] { grade(p, {col("x", "no_such_type")}); }) == Code::invalid_data);
}

TEST_CASE("grading: combined data is graded at least as high as its parts (就高从严)") {
  const Policy& p = Policy::builtin();
  // gps alone is general-1 (facility coordinates), with a person's name general-4.
  CHECK(grade(p, {col("lat_lng", "gps_coordinates")}).level == "general-1");
  Grading g = grade(p, {col("who", "person_name"), col("lat_lng", "gps_coordinates")});
  CHECK(g.level == "general-4");
  REQUIRE(g.reasons.size() == 1);
  CHECK(g.reasons[0].find("/combinations/2") == 0);
  // name (general-2) + landline (general-2) → general-3 by /combinations/0
  CHECK(grade(p, {col("who", "person_name"), col("tel", "phone")}).level == "general-3");
}

TEST_CASE("grading: schema annotations win over detection and can name tiers") {
  const Policy& p = Policy::builtin();
  Grading g = grade(p, {col("diag", "none", {{"category", "personal-health"}, {"level", "general-4"}}),
                        col("org", "uscc", {{"category", "legal-person"}, {"level", "general"}})});
  CHECK(g.columns[0].source == "schema");
  CHECK(g.columns[0].category == "personal-health");
  CHECK(g.columns[0].role == Role::sensitive);  // the category's role, for a column of type none
  CHECK(g.columns[1].level == "general-4");     // "general" = the highest general sub-level
  CHECK(g.level == "general-4");
  CHECK(grade(p, {col("a", "none", {{"category", "个人健康生理信息"}, {"level", "一般数据3级"}})}).level == "general-3");
  // a category the policy does not define is kept as written; an unknown level is an error
  CHECK(grade(p, {col("a", "none", {{"category", "secret-stuff"}})}).columns[0].category == "secret-stuff");
  Grading lax = grade(p, {col("a", "ric", {{"category", "personal"}, {"level", "sensitive"}})});
  CHECK(lax.columns[0].level == "sensitive");  // reported as written
  CHECK(lax.columns[0].policy_level == "general-4");  // graded at its type's level
  CHECK(lax.level == "general-4");
  CHECK(lax.reasons.size() == 1);
  CHECK(code_of([&] { grade(p, {col("a", "none", {{"level", 3}})}); }) == Code::invalid_data);
  // the table annotation raises the level
  g = grade(p, {col("org", "uscc")}, {{"level", "important"}});
  CHECK(g.level == "important");
  CHECK(g.reasons.size() == 1);
}

TEST_CASE("the scan JSON has exactly the issue's shape and reads back") {
  const Policy& p = Policy::builtin();
  Grading g = grade(p, {col("id", "ric"), col("diag", "none", {{"category", "personal-health"}, {"level", "general-3"}})});
  json j = to_json(g);
  CHECK(j.size() == 2);
  CHECK(j["level"] == "general-4");
  std::vector<std::string> keys;
  for (auto it = j["columns"][0].begin(); it != j["columns"][0].end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"category", "confidence", "level", "name", "ratio", "source", "type"});
  Grading back = grading_from_json(p, j);
  CHECK(back.level == "general-4");
  CHECK(back.columns[1].category == "personal-health");
  CHECK(back.columns[1].source == "schema");
  CHECK(code_of([&] { grading_from_json(p, json::array()); }) == Code::invalid_data);
  CHECK(code_of([&] { grading_from_json(p, {{"columns", {{{"name", "a"}, {"type", "ric"}, {"source", "guess"}}}}}); }) ==
        Code::invalid_data);
}

TEST_CASE("decisions: the stricter of catalog and policy, in the catalog's tokens") {
  const Policy& p = Policy::builtin();
  Request share{"102003004/000017", kConsumer, "企业监管", false};
  Request open = share;
  open.open = true;
  Grading orgs = grade(p, {col("code", "uscc"), col("name", "none")});
  // policy unconditional, catalog conditional → conditional, with the catalog's condition
  Decision d = decide(p, entry(), &orgs, share);
  CHECK(d.policy_type == Access::unconditional);
  CHECK(d.type == Access::conditional);
  CHECK(d.outcome == "allow_with_obligations");
  CHECK(d.conditions == std::vector<std::string>{"仅限履职使用"});
  // both unconditional → allow, every field kept
  d = decide(p, entry("unconditional", "unconditional"), &orgs, open);
  CHECK(d.outcome == "allow");
  CHECK(d.type == Access::unconditional);
  CHECK(d.risk_threshold.value() == doctest::Approx(0.05));
  // catalog none → deny with its legal basis
  d = decide(p, entry("none"), &orgs, share);
  CHECK(d.outcome == "deny");
  CHECK(d.legal_basis == "某法第十条");
  CHECK(to_json(d)["type"] == "none");
}

TEST_CASE("decisions: obligations per field; general-4 tables are not opened") {
  const Policy& p = Policy::builtin();
  Request open{"102003004/000017", kConsumer, "开放", true};
  Grading people = grade(p, {col("name", "person_name"), col("born", "birth_date"), col("note", "none")});
  CHECK(people.level == "general-2");
  Decision d = decide(p, entry("unconditional", "unconditional"), &people, open);
  CHECK(d.type == Access::conditional);  // the policy's general-2 rule
  CHECK(d.outcome == "allow_with_obligations");
  CHECK(d.fields[0].obligation.action == "drop");        // identifier
  CHECK(d.fields[1].obligation.action == "generalize");  // quasi-identifier
  CHECK(d.fields[2].obligation.action == "keep");
  CHECK(d.fields[0].rule == "/rules/4/open/fields/identifier");
  CHECK(d.privacy["k"] == 20);
  Grading ids_ = grade(p, {col("id", "ric"), col("name", "person_name")});
  d = decide(p, entry("unconditional", "unconditional"), &ids_, open);
  CHECK(d.outcome == "deny");
  CHECK(d.fields.empty());
  // sharing general-4: identifiers encrypted
  Request share = open;
  share.open = false;
  d = decide(p, entry(), &ids_, share);
  CHECK(d.outcome == "allow_with_obligations");
  CHECK(d.fields[0].obligation.action == "encrypt");
  CHECK(d.fields[1].obligation.action == "encrypt");  // the table's level governs every field
}

TEST_CASE("decisions: unclassified tables are denied; bad requests are errors") {
  const Policy& p = Policy::builtin();
  Request r{"102003004/000017", kConsumer, "x", false};
  Decision d = decide(p, entry(), nullptr, r);
  CHECK(d.outcome == "deny");
  CHECK(d.level_source == "none");
  Grading g = grade(p, {col("code", "uscc")});
  Request bad = r;
  bad.consumer = "91350100M000100Y44";  // wrong check character
  CHECK(code_of([&] { decide(p, entry(), &g, bad); }) == Code::invalid_argument);
  bad = r;
  bad.purpose = "  ";
  CHECK(code_of([&] { decide(p, entry(), &g, bad); }) == Code::invalid_argument);
}

TEST_CASE("a custom policy: category rules, user detectors, its own sub-levels") {
  json d = builtin_doc();
  d["detectors"] = json::array({{{"name", "ssn_card"}, {"pattern", "[A-Z][0-9]{8}"}, {"category", "personal-identity"},
                                 {"level", "general-4"}, {"role", "identifier"}}});
  d["rules"].push_back(json::parse(R"({"level": "general-1", "categories": ["legal-person"],
      "sharing": {"type": "unconditional"},
      "open": {"type": "conditional", "condition": "企业信息经审核开放",
               "fields": {"insensitive": {"action": "mask", "keepFirst": 6}}}})"));
  REQUIRE(check(d).empty());
  Policy p = Policy::from_json(d);
  CHECK(p.digest() != Policy::builtin().digest());
  CHECK(p.type_rule("ssn_card")->level == "general-4");
  Grading g = grade(p, {col("code", "uscc")});
  Decision dec = decide(p, entry("unconditional", "unconditional"), &g, {"c", kConsumer, "p", true});
  CHECK(dec.type == Access::conditional);
  CHECK(dec.fields[0].obligation.action == "mask");
  CHECK(dec.fields[0].obligation.params["keepFirst"] == 6);
  CHECK(dec.fields[0].rule == "/rules/6/open/fields/insensitive");
  // a user detector's name cannot shadow a built-in type
  d["detectors"][0]["name"] = "ric";
  CHECK(has(paths(check(d)), "/detectors/0/name"));
}

TEST_CASE("the workspace records classifications and audits every decision") {
  test::TempDir dir("civitas-policy");
  auto key = workspace::KeySource::raw_key_hex(std::string(64, 'b'));
  workspace::CreateOptions o;
  o.department = kConsumer;
  auto ws = workspace::Workspace::create(dir.file("ws.db"), key, o);
  const Policy& p = Policy::builtin();
  Request r{"102003004/000017", kConsumer, "企业监管", false};
  auto count = [&](const std::string& action, const std::string& outcome = {}) {
    audit::Filter f;
    f.action = action;
    int n = 0;
    for (auto& se : audit::WorkspaceLog::open(*ws)->log().query(f))
      if (outcome.empty() || se.entry.outcome == outcome) ++n;
    return n;
  };
  // no such entry: refused, and the refusal recorded
  CHECK(code_of([&] { ws->decide(r, p); }) == Code::not_found);
  CHECK(count("policy.decide", "not-found") == 1);
  CHECK(code_of([&] { ws->record_classification(r.resource, json::object(), p); }) == Code::not_found);
  ws->catalog_add(entry("unconditional", "unconditional"));
  // stored but unclassified: denied (and audited as denied)
  Decision d = ws->decide(r, p);
  CHECK(d.outcome == "deny");
  CHECK(count("policy.decide", "denied") == 1);
  // a schema's annotations grade it when no classification is stored
  schema::TableSchema s = schema::parse_schema(
      R"({"fields": [{"name": "uscc", "type": "string", "civitas:identifier": "uscc",
                      "civitas:classification": {"category": "legal-person", "level": "general"}}]})");
  d = ws->decide(r, p, &s);
  CHECK(d.level_source == "schema");
  CHECK(d.level == "general-4");
  // record a classification: it wins over the schema from now on
  auto sc = ws->record_classification(r.resource, to_json(grade(p, {col("code", "uscc"), col("name", "none")})), p);
  CHECK(sc.seq == 1);
  CHECK(sc.level == "general-1");
  CHECK(count("classify.record", "ok") == 1);
  d = ws->decide(r, p, &s);
  CHECK(d.level_source == "classification");
  CHECK(d.outcome == "allow");
  CHECK(count("policy.decide", "ok") == 2);
  // a bad scan is refused and recorded
  CHECK(code_of([&] { ws->record_classification(r.resource, json::array(), p); }) == Code::invalid_data);
  CHECK(count("classify.record", "invalid-data") == 1);
  ClassificationStore cs(ws->store());
  CHECK(cs.history(r.resource).size() == 1);
  CHECK(cs.latest(r.resource)->policy_digest == p.digest());
  CHECK(ws->store().module_version("policy") == 1);
}
