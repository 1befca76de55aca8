// Workspace::deid_run: a de-identification run with the keyring's keys for keyed actions and
// its "deid.run" audit entry (docs/development.md, "Audited operations"). Every front end
// (CLI, C, Python, Java) runs through here, so every run is audit-logged, refusals included.
// The run itself is the deid module's (civitas/deid.hpp); this file only supplies keys and
// the entry.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {
namespace {

// Audit details hold integers only: a fraction is written as its JSON text ("0.2").
nlohmann::json integers_only(const nlohmann::json& j) {
  if (j.is_number_float()) return j.dump();
  if (j.is_object() || j.is_array()) {
    nlohmann::json out = j;
    for (auto it = out.begin(); it != out.end(); ++it) *it = integers_only(*it);
    return out;
  }
  return j;
}

}  // namespace

nlohmann::json Workspace::deid_run(std::string_view spec_json, const std::string& spec_dir, const std::string& in_path,
                                   const std::string& out_path, const nlohmann::json& options) {
  namespace c = civitas::crypto;
  {
    // A workspace without its audit log (opened read-only) cannot record the run: refused.
    std::lock_guard lk(impl_->mu);
    if (!impl_->sink)
      throw Error(Code::denied, "deid run needs a workspace that records its audit log (not one opened read-only): "
                                "every run is audit-logged as deid.run");
  }
  deid::RunOptions opt;
  if (!options.is_object()) throw Error(Code::invalid_argument, "deid run options must be a JSON object");
  for (auto it = options.begin(); it != options.end(); ++it) {
    if (it.key() == "delimiter" && it.value().is_string() && it.value().get<std::string>().size() == 1)
      opt.delimiter = it.value().get<std::string>()[0];
    else if (it.key() == "encoding" && it.value().is_string())
      opt.encoding = it.value().get<std::string>();
    else if (it.key() == "drop_suppressed" && it.value().is_boolean())
      opt.drop_suppressed = it.value().get<bool>();
    else
      throw Error(Code::invalid_argument, "deid run option \"" + it.key() + "\" is unknown or has the wrong type "
                                          "(delimiter: one character, encoding: string, drop_suppressed: boolean)");
  }
  nlohmann::json report;
  try {
    const deid::Spec spec = deid::parse_spec(spec_json, spec_dir);
    const std::shared_ptr<const c::Keyring> ring = keyring();
    deid::TransformKeys keys;
    // The primary keys when the keyring has them; a keyed action without its key fails in
    // the transform with a clear error.
    try {
      keys.identity = &ring->primary(c::Purpose::identity);
    } catch (const Error&) {
    }
    try {
      keys.token = &ring->primary(c::Purpose::token);
    } catch (const Error&) {
    }
    opt.keys = &keys;
    report = deid::run_files(spec, spec_json, in_path, out_path, opt);
  } catch (const Error& e) {
    impl_->audit_refused("deid.run", out_path, e, nlohmann::json{{"input", in_path}});
    throw;
  }
  nlohmann::json details = {{"spec_sha256", report["spec_sha256"]},
                            {"input", {{"path", in_path}, {"sha256", report["input"]["sha256"]}, {"rows", report["input"]["rows"]}}},
                            {"output", {{"path", out_path}, {"sha256", report["output"]["sha256"]}, {"rows", report["output"]["rows"]}}},
                            {"levels", report["levels"]},
                            {"suppressed", report["suppressed"]},
                            {"risk_after", report.contains("risk") ? integers_only(report["risk"]["after"]) : nlohmann::json(nullptr)}};
  try {
    impl_->audit("deid.run", out_path, details);
  } catch (...) {
    std::remove(out_path.c_str());  // no output without its audit entry
    throw;
  }
  report["audit"] = {{"action", "deid.run"}, {"workspace", true}};
  return report;
}

}  // namespace civitas::workspace
