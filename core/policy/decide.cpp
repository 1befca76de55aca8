// Decisions: (catalog entry, graded table, consumer, purpose, share or open) → allow / deny /
// allow with obligations per field. The effective type is the stricter of the catalog entry's
// own sharing.type / open.type and the policy's rules (the table level's rule and every column's
// rule). docs/policy.md, "Decisions".
#include <algorithm>

#include "civitas/ids.hpp"
#include "civitas/policy.hpp"

namespace civitas::policy {

using nlohmann::json;

namespace {

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

Decision decide(const Policy& p, const json& entry, const Grading* g, const Request& r, std::string_view level_source) {
  if (!ids::is_valid(ids::Kind::uscc, r.consumer))
    throw Error(Code::invalid_argument, "the consumer must be a department's valid USCC (统一社会信用代码): " +
                                            std::string(ids::reason_name(ids::check(ids::Kind::uscc, r.consumer))));
  if (r.purpose.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(Code::invalid_argument, "a purpose is required (政务数据共享条例: use within the stated purpose)");
  Decision d;
  d.request = r;
  d.policy = p.id();
  d.policy_digest = p.digest();
  if (r.open) d.risk_threshold = p.risk().threshold;
  const char* kind = r.open ? "open" : "sharing";
  const char* label = r.open ? "开放" : "共享";

  // The catalog entry's own type.
  const json* cat = entry.is_object() && entry.contains(kind) && entry[kind].is_object() ? &entry[kind] : nullptr;
  if (cat && (*cat).contains("type") && (*cat)["type"].is_string())
    d.catalog_type = access_from_name((*cat)["type"].get<std::string>());
  if (!d.catalog_type) {
    d.catalog_type = Access::none;
    d.reasons.push_back(std::string("the catalog entry has no ") + kind + ".type: taken as none");
  }

  if (!g) {
    d.level_source = "none";
    d.policy_type = Access::none;
    d.type = Access::none;
    d.reasons.push_back("the table is not classified: record a classification (civitas classify scan --store --resource " +
                        r.resource + ") or annotate its schema (civitas:classification)");
    d.outcome = "deny";
    return d;
  }
  d.level = g->level;
  d.level_source = std::string(level_source);

  // The policy: the table level's default rule, then every column's (level, category) rule.
  const Rule& tr = p.rule(g->level);
  const AccessRule& ta = r.open ? tr.open : tr.sharing;
  d.policy_type = ta.type;
  d.reasons.push_back("table level " + g->level + ": " + tr.path + "/" + kind + " is " + access_name(ta.type));
  for (const auto& why : g->reasons) d.reasons.push_back(why);
  std::vector<const AccessRule*> applied{&ta};
  for (const auto& c : g->columns) {
    const Rule& cr = p.rule(c.policy_level, c.category);
    const AccessRule& ca = r.open ? cr.open : cr.sharing;
    applied.push_back(&ca);
    if (ca.type > d.policy_type) {
      d.reasons.push_back("column " + c.name + " (" + c.category + ", " + c.policy_level + "): " + cr.path + "/" + kind + " is " +
                          access_name(ca.type));
      d.policy_type = ca.type;
    }
  }
  d.type = stricter(d.policy_type, *d.catalog_type);
  if (*d.catalog_type > d.policy_type)
    d.reasons.push_back(std::string("the catalog entry's ") + kind + ".type " + access_name(*d.catalog_type) +
                        " is stricter than the policy's " + access_name(d.policy_type));

  if (d.type == Access::none) {
    d.outcome = "deny";
    if (*d.catalog_type == Access::none && cat) d.legal_basis = (*cat).value("legalBasis", "");
    if (d.legal_basis.empty())
      for (const AccessRule* a : applied)
        if (a->type == Access::none && !a->legal_basis.empty()) {
          d.legal_basis = a->legal_basis;
          break;
        }
    d.reasons.push_back(std::string("不予") + label);
    return d;
  }

  // Conditions to meet: the catalog's, then the policy's (when the policy makes it conditional).
  if (cat && (*cat).contains("condition") && (*cat)["condition"].is_string() && *d.catalog_type == Access::conditional)
    add_unique(d.conditions, (*cat)["condition"].get<std::string>());
  // The table level's rule governs (就高从严); a column adds the condition of a rule written
  // for its category.
  if (ta.type == Access::conditional) add_unique(d.conditions, ta.condition);
  for (const auto& c : g->columns) {
    const Rule& cr = p.rule(c.policy_level, c.category);
    const AccessRule& ca = r.open ? cr.open : cr.sharing;
    if (!cr.categories.empty() && ca.type == Access::conditional) add_unique(d.conditions, ca.condition);
  }

  // Obligations per field: the stricter of the table rule's and the column rule's for its role.
  bool any = false;
  for (const auto& c : g->columns) {
    FieldDecision f;
    f.name = c.name;
    f.type = c.type;
    f.category = c.category;
    f.level = c.policy_level;
    f.role = c.role;
    f.rule = tr.path + "/" + kind;
    if (auto it = ta.fields.find(c.role); it != ta.fields.end()) {
      f.obligation = it->second;
      f.rule += "/fields/" + std::string(role_name(c.role));
    }
    const Rule& cr = p.rule(c.policy_level, c.category);
    const AccessRule& ca = r.open ? cr.open : cr.sharing;
    if (auto it = ca.fields.find(c.role);
        it != ca.fields.end() && action_rank(it->second.action) < action_rank(f.obligation.action)) {
      f.obligation = it->second;
      f.rule = cr.path + "/" + kind + "/fields/" + role_name(c.role);
    }
    any = any || f.obligation.action != "keep";
    d.fields.push_back(std::move(f));
  }
  for (const AccessRule* a : applied)
    if (a->privacy.contains("k") &&
        (!d.privacy.contains("k") || a->privacy["k"].get<std::int64_t>() > d.privacy["k"].get<std::int64_t>()))
      d.privacy["k"] = a->privacy["k"];
  d.outcome = d.type == Access::conditional || any || !d.privacy.empty() ? "allow_with_obligations" : "allow";
  return d;
}

json to_json(const Decision& d) {
  json fields = json::array();
  for (const auto& f : d.fields) {
    json ob = f.obligation.params;
    ob["action"] = f.obligation.action;
    fields.push_back({{"name", f.name},
                      {"type", f.type},
                      {"category", f.category},
                      {"level", f.level},
                      {"role", role_name(f.role)},
                      {"obligation", ob},
                      {"rule", f.rule}});
  }
  json j = {{"resource", d.request.resource},
            {"consumer", d.request.consumer},
            {"purpose", d.request.purpose},
            {"kind", d.request.open ? "open" : "share"},
            {"decision", d.outcome},
            {"type", access_name(d.type)},
            {"catalogType", d.catalog_type ? json(access_name(*d.catalog_type)) : json(nullptr)},
            {"policyType", access_name(d.policy_type)},
            {"level", d.level.empty() ? json(nullptr) : json(d.level)},
            {"levelSource", d.level_source},
            {"conditions", d.conditions},
            {"reasons", d.reasons},
            {"fields", fields},
            {"privacy", d.privacy},
            {"policy", {{"id", d.policy}, {"digest", d.policy_digest}}}};
  j["legalBasis"] = d.legal_basis.empty() ? json(nullptr) : json(d.legal_basis);
  j["riskThreshold"] = d.risk_threshold ? json(*d.risk_threshold) : json(nullptr);
  return j;
}

}  // namespace civitas::policy
