// C ABI of the policy module (civitas/policy.h): checks, grading, and the audited calls
// Workspace::record_classification and Workspace::decide, with JSON in and out.
#include <nlohmann/json.hpp>

#include "civitas/json.hpp"
#include "civitas/policy.hpp"
#include "civitas/schema.hpp"
#include "ctx.hpp"

using civitas::Code;
using civitas::Error;
using nlohmann::json;
using namespace civitas::capi;
namespace pl = civitas::policy;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

pl::Policy policy_of(const char* text, size_t len) {
  if (!text) return pl::Policy::builtin();
  return pl::Policy::parse(view(text, len, "policy_json"), "policy_json");
}

/// A request object; Error(invalid_argument) for a member that is missing or of the wrong type.
json request_of(const char* text, size_t len) {
  require(text, "request_json");
  json r = civitas::parse_json(view(text, len, "request_json"), "request_json");
  if (!r.is_object()) throw Error(Code::invalid_argument, "request_json must be a JSON object");
  return r;
}

std::string str_member(const json& r, const char* k) {
  if (!r.contains(k) || !r[k].is_string())
    throw Error(Code::invalid_argument, std::string("request_json needs a string \"") + k + "\"");
  return r[k].get<std::string>();
}

pl::Policy policy_member(const json& r) {
  if (!r.contains("policy") || r["policy"].is_null()) return pl::Policy::builtin();
  return pl::Policy::from_json(r["policy"]);
}

}  // namespace

extern "C" {

int civ_policy_check(char** out, const char* policy_json, size_t policy_len) {
  return guard([&] {
    require(out, "out");
    require(policy_json, "policy_json");
    std::string_view text = view(policy_json, policy_len, "policy_json");
    auto ps = pl::check_text(text);
    json a = json::array();
    for (const auto& p : ps) a.push_back({{"path", p.path}, {"message", p.message}});
    json r = {{"valid", ps.empty()}, {"problems", a}};
    if (ps.empty()) {
      pl::Policy p = pl::Policy::parse(text);
      r["id"] = p.id();
      r["digest"] = p.digest();
    }
    *out = dup_out(dump(r));
    return CIV_OK;
  });
}

int civ_policy_default(char** out) {
  return guard([&] {
    require(out, "out");
    *out = dup_out(std::string(pl::Policy::builtin_text()));
    return CIV_OK;
  });
}

int civ_policy_grade(char** out, const char* policy_json, size_t policy_len, const char* scan_json, size_t scan_len) {
  return guard([&] {
    require(out, "out");
    require(scan_json, "scan_json");
    pl::Policy p = policy_of(policy_json, policy_len);
    json scan = civitas::parse_json(view(scan_json, scan_len, "scan_json"), "scan_json");
    *out = dup_out(dump(pl::to_json(pl::grading_from_json(p, scan))));
    return CIV_OK;
  });
}

int civ_policy_record(char** out_record, civ_ctx* ctx, const char* request_json, size_t request_len) {
  return guard([&] {
    auto& ws = ws_of(ctx);
    json r = request_of(request_json, request_len);
    std::string code = str_member(r, "resource");
    if (!r.contains("scan")) throw Error(Code::invalid_argument, "request_json needs \"scan\"");
    pl::Policy p = policy_member(r);
    auto s = ws.record_classification(code, r["scan"], p);  // audited "classify.record"
    if (out_record)
      *out_record = dup_out(dump({{"resourceCode", s.resource_code},
                                  {"seq", s.seq},
                                  {"level", s.level},
                                  {"policy", s.policy_id},
                                  {"policyDigest", s.policy_digest},
                                  {"created_ms", s.created_ms},
                                  {"scan", s.scan}}));
    return CIV_OK;
  });
}

int civ_policy_decide(char** out_decision, civ_ctx* ctx, const char* request_json, size_t request_len) {
  return guard([&] {
    require(out_decision, "out_decision");
    auto& ws = ws_of(ctx);
    json r = request_of(request_json, request_len);
    pl::Request q;
    q.resource = str_member(r, "resource");
    q.consumer = str_member(r, "consumer");
    q.purpose = str_member(r, "purpose");
    if (r.contains("open")) {
      if (!r["open"].is_boolean()) throw Error(Code::invalid_argument, "request_json \"open\" must be true or false");
      q.open = r["open"].get<bool>();
    }
    pl::Policy p = policy_member(r);
    std::optional<civitas::schema::TableSchema> s;
    if (r.contains("schema") && !r["schema"].is_null()) s = civitas::schema::parse_schema(r["schema"]);
    pl::Decision d = ws.decide(q, p, s ? &*s : nullptr);  // audited "policy.decide"
    *out_decision = dup_out(dump(pl::to_json(d)));
    return CIV_OK;
  });
}

}  // extern "C"
