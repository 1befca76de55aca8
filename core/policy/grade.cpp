// Grading: each column's category, level and role from the policy (schema annotations win),
// and the table's level: the highest of its columns, raised by the combination rules and the
// table's own annotation (就高从严, GB/T 43697-2024 §4). docs/formats/policy.md, "Grading".
#include <set>

#include "civitas/policy.hpp"

namespace civitas::policy {

using nlohmann::json;

namespace {

const char* identifier_type(schema::Identifier i) {
  switch (i) {
    case schema::Identifier::uscc: return "uscc";
    case schema::Identifier::orgcode: return "orgcode";
    case schema::Identifier::ric: return "ric";
    case schema::Identifier::gb2260: return "gb2260";
    case schema::Identifier::none: break;
  }
  return "none";
}

std::string lowest(const Policy& p) { return p.levels().back().id; }

}  // namespace

Grading grade(const Policy& p, const std::vector<ColumnIn>& columns, const json& table_annotation) {
  Grading g;
  std::string top;
  for (const auto& c : columns) {
    GradedColumn o;
    o.name = c.name;
    o.type = c.type.empty() ? "none" : c.type;
    o.ratio = c.ratio;
    o.confidence = c.confidence;
    o.source = c.source.empty() ? "detected" : c.source;
    const TypeRule* t = p.type_rule(o.type);
    if (!t)
      throw Error(Code::invalid_data, "type \"" + o.type + "\" has no rule in policy " + p.id(),
                  Location{{}, c.name, {}, {}});
    o.category = t->category;
    o.level = o.policy_level = t->level;
    if (c.annotation.is_object() && (c.annotation.contains("category") || c.annotation.contains("level"))) {
      const json& a = c.annotation;
      if (a.contains("category")) {  // a category the policy does not define is kept as written
        if (!a["category"].is_string() || a["category"].get<std::string>().empty())
          throw Error(Code::invalid_data, "civitas:classification category must be a non-empty string",
                      Location{{}, c.name, {}, {}});
        o.category = p.resolve_category(a["category"].get<std::string>()).value_or(a["category"].get<std::string>());
      }
      if (a.contains("level")) {
        if (!a["level"].is_string() || a["level"].get<std::string>().empty())
          throw Error(Code::invalid_data, "civitas:classification level must be a non-empty string",
                      Location{{}, c.name, {}, {}});
        std::string raw = a["level"];
        if (auto lv = p.resolve_level(raw)) {
          o.level = o.policy_level = *lv;
        } else {
          o.level = raw;
          g.reasons.push_back("column " + c.name + ": civitas:classification level \"" + raw + "\" is not a level of policy " +
                              p.id() + "; graded at its type's level " + o.policy_level);
        }
      }
      o.source = "schema";
    }
    o.role = p.role(o.type, o.category);
    top = p.higher(top, o.policy_level);
    g.columns.push_back(std::move(o));
  }
  if (top.empty()) top = lowest(p);
  // Combination rules: every category of the rule present among the columns. (Annotation
  // reasons come first in g.reasons; the table's reasons follow.)
  std::set<std::string> present;
  for (const auto& c : g.columns) present.insert(c.category);
  for (std::size_t i = 0; i < p.combinations().size(); ++i) {
    const auto& cb = p.combinations()[i];
    bool all = true;
    for (const auto& cat : cb.categories) all = all && present.count(cat);
    if (!all) continue;
    if (p.rank(cb.level) < p.rank(top)) {
      std::string cats;
      for (const auto& cat : cb.categories) cats += (cats.empty() ? "" : " + ") + cat;
      g.reasons.push_back("/combinations/" + std::to_string(i) + ": " + cats + " raises the table from " + top + " to " +
                          cb.level + " (" + cb.reason + ")");
      top = cb.level;
    }
  }
  if (table_annotation.is_object() && table_annotation.contains("level")) {
    const json& l = table_annotation["level"];
    auto lv = l.is_string() ? p.resolve_level(l.get<std::string>()) : std::nullopt;
    if (!lv)
      throw Error(Code::invalid_data, "the table's civitas:classification names level " + l.dump() + ", which policy " +
                                          p.id() + " does not define");
    if (p.rank(*lv) < p.rank(top)) {
      g.reasons.push_back("the table's civitas:classification raises it from " + top + " to " + *lv);
      top = *lv;
    }
  }
  g.level = top;
  return g;
}

Grading grade(const Policy& p, const classify::TableResult& scan, const schema::TableSchema* s) {
  std::vector<ColumnIn> cols;
  for (const auto& c : scan.columns) {
    ColumnIn in;
    in.name = c.name;
    in.type = c.type;
    in.ratio = c.ratio;
    in.confidence = c.confidence;
    in.source = c.source;
    if (s) {
      int i = s->field_index(c.name);
      if (i >= 0) in.annotation = s->fields[static_cast<std::size_t>(i)].classification;
    } else if (c.source == "schema" && (c.category || c.level)) {
      in.annotation = json::object();
      if (c.category) in.annotation["category"] = *c.category;
      if (c.level) in.annotation["level"] = *c.level;
    }
    cols.push_back(std::move(in));
  }
  return grade(p, cols, s ? s->classification : json(nullptr));
}

Grading grade_schema(const Policy& p, const schema::TableSchema& s) {
  std::vector<ColumnIn> cols;
  for (const auto& f : s.fields) {
    ColumnIn c;
    c.name = f.name;
    c.type = identifier_type(f.identifier);
    c.source = "schema";
    c.annotation = f.classification;
    cols.push_back(std::move(c));
  }
  return grade(p, cols, s.classification);
}

json to_json(const Grading& g) {
  json cols = json::array();
  for (const auto& c : g.columns)
    cols.push_back({{"name", c.name},
                    {"type", c.type},
                    {"ratio", c.ratio},
                    {"confidence", c.confidence},
                    {"category", c.category},
                    {"level", c.level},
                    {"source", c.source}});
  return {{"columns", cols}, {"level", g.level}};
}

Grading grading_from_json(const Policy& p, const json& scan) {
  auto bad = [](const std::string& where, const std::string& what) {
    throw Error(Code::invalid_data, "classification " + where + ": " + what);
  };
  if (!scan.is_object()) bad("", "must be an object {columns, level}");
  if (!scan.contains("columns") || !scan["columns"].is_array()) bad("/columns", "must be an array");
  std::vector<ColumnIn> cols;
  for (std::size_t i = 0; i < scan["columns"].size(); ++i) {
    const json& c = scan["columns"][i];
    std::string at = "/columns/" + std::to_string(i);
    if (!c.is_object()) bad(at, "must be an object");
    for (const char* k : {"name", "type", "source"})
      if (!c.contains(k) || !c[k].is_string()) bad(at + "/" + k, "must be a string");
    ColumnIn in;
    in.name = c["name"];
    in.type = c["type"];
    in.source = c["source"];
    if (in.source != "detected" && in.source != "schema" && in.source != "name")
      bad(at + "/source", "must be detected, schema or name");
    if (c.contains("ratio") && c["ratio"].is_number()) in.ratio = c["ratio"];
    if (c.contains("confidence") && c["confidence"].is_number()) in.confidence = c["confidence"];
    if (in.source == "schema") {  // what the schema said stays; detection is re-graded by this policy
      in.annotation = json::object();
      if (c.contains("category") && c["category"].is_string()) in.annotation["category"] = c["category"];
      if (c.contains("level") && c["level"].is_string()) in.annotation["level"] = c["level"];
    }
    cols.push_back(std::move(in));
  }
  json table = nullptr;
  if (scan.contains("level") && scan["level"].is_string() && p.resolve_level(scan["level"].get<std::string>()))
    table = {{"level", scan["level"]}};
  Grading g = grade(p, cols, table);
  for (auto& r : g.reasons)  // the stored level, not a schema, raised it
    if (r.rfind("the table's civitas:classification", 0) == 0) r = "the stored classification's table level " + g.level;
  return g;
}

}  // namespace civitas::policy
