// C ABI: de-identification runs (deid.h, first section).
#include <nlohmann/json.hpp>

#include "civitas/json.hpp"
#include "civitas/workspace.hpp"
#include "ctx.hpp"
#include "guard.hpp"

using civitas::capi::dup_out;
using civitas::capi::guard;
using civitas::capi::require;
using nlohmann::json;

int civ_deid_run(char** out_report, civ_ctx* ctx, const char* spec_json, const char* in_path, const char* out_path,
                 const char* options_json) {
  return guard([&] {
    require(out_report, "out_report");
    *out_report = nullptr;
    require(spec_json, "spec_json");
    require(in_path, "in_path");
    require(out_path, "out_path");
    json opts = json::object();
    if (options_json) opts = civitas::parse_json(options_json, "deid run options");
    if (!opts.is_object()) throw civitas::Error(civitas::Code::invalid_argument, "options_json must be a JSON object");
    std::string spec_dir = ".";
    if (opts.contains("spec_dir")) {
      if (!opts["spec_dir"].is_string()) throw civitas::Error(civitas::Code::invalid_argument, "options_json: spec_dir must be a string");
      spec_dir = opts["spec_dir"].get<std::string>();
      opts.erase("spec_dir");
    }
    // Every run is audit-logged ("deid.run"): the one audited call needs a workspace.
    if (!ctx)
      throw civitas::Error(civitas::Code::invalid_argument,
                           "civ_deid_run: ctx must be an open workspace (every run is audit-logged as \"deid.run\")");
    const json report = civitas::capi::ws_of(ctx).deid_run(spec_json, spec_dir, in_path, out_path, opts);
    *out_report = dup_out(report.dump(-1, ' ', false, json::error_handler_t::replace));
    return CIV_OK;
  });
}
