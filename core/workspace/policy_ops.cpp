// Workspace::record_classification and Workspace::decide: the policy module's audited calls
// (docs/development.md, "Audited operations"). Grading, decisions and the classification table
// are the policy module's (civitas/policy.hpp); this file wraps them with the catalog lookup and
// the audit entries "classify.record" and "policy.decide".
#include <nlohmann/json.hpp>

#include "civitas/catalog.hpp"
#include "civitas/policy.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

using nlohmann::json;

policy::StoredClassification Workspace::record_classification(const std::string& code, const json& scan,
                                                              const policy::Policy& p) {
  json details = {{"resource_code", code}, {"policy", p.id()}, {"policy_digest", p.digest()}};
  try {
    catalog::CatalogStore cs(*impl_->store);
    policy::ClassificationStore pcs(*impl_->store);
    store::Transaction tx(*impl_->store);
    if (!cs.get(code)) throw Error(Code::not_found, "no catalog entry " + code + " (civitas catalog add it first)");
    policy::StoredClassification s = pcs.put(code, scan, p);
    json cols = json::array();
    for (const auto& c : s.scan["columns"])
      cols.push_back({{"name", c["name"]}, {"type", c["type"]}, {"level", c["level"]}, {"source", c["source"]}});
    details["seq"] = s.seq;
    details["level"] = s.level;
    details["columns"] = cols;
    impl_->audit("classify.record", code, details);
    tx.commit();
    return s;
  } catch (const Error& e) {
    impl_->audit_refused("classify.record", code, e, details);
    throw;
  }
}

policy::Decision Workspace::decide(const policy::Request& r, const policy::Policy& p, const schema::TableSchema* sch) {
  json details = {{"consumer", r.consumer},
                  {"kind", r.open ? "open" : "share"},
                  {"policy", p.id()},
                  {"policy_digest", p.digest()}};
  try {
    catalog::CatalogStore cs(*impl_->store);
    policy::ClassificationStore pcs(*impl_->store);
    store::Transaction tx(*impl_->store);
    auto entry = cs.get(r.resource);
    if (!entry) throw Error(Code::not_found, "no catalog entry " + r.resource);
    std::optional<policy::Grading> g;
    std::string source;
    if (auto c = pcs.latest(r.resource)) {
      g = policy::grading_from_json(p, c->scan);
      source = "classification";
      details["classification_seq"] = c->seq;
    } else {
      std::optional<schema::TableSchema> own;
      if (!sch && entry->entry.contains("schema") && entry->entry["schema"].is_object())
        own = schema::parse_schema(entry->entry["schema"]);
      const schema::TableSchema* s = sch ? sch : own ? &*own : nullptr;
      bool annotated = s && s->classification.is_object();
      if (s)
        for (const auto& f : s->fields) annotated = annotated || f.classification.is_object();
      if (annotated) {
        g = policy::grade_schema(p, *s);
        source = "schema";
      }
    }
    policy::Decision d = policy::decide(p, entry->entry, g ? &*g : nullptr, r, source);
    details["decision"] = d.outcome;
    details["type"] = policy::access_name(d.type);
    details["level"] = d.level.empty() ? json(nullptr) : json(d.level);
    details["level_source"] = d.level_source;
    json fields = json::array();
    for (const auto& f : d.fields)
      if (f.obligation.action != "keep") fields.push_back({{"name", f.name}, {"action", f.obligation.action}});
    details["obligations"] = fields;
    impl_->audit("policy.decide", r.resource, details, d.allowed() ? "ok" : "denied", r.purpose);
    tx.commit();
    return d;
  } catch (const Error& e) {
    impl_->audit_refused("policy.decide", r.resource, e, details, r.purpose);
    throw;
  }
}

}  // namespace civitas::workspace
