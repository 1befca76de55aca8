// C ABI: de-identification runs (deid.h, first section).
#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"
#include "civitas/json.hpp"
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
    json report;
    if (ctx) {
      report = civitas::capi::ws_of(ctx).deid_run(spec_json, spec_dir, in_path, out_path, opts);
    } else {
      civitas::deid::RunOptions o;
      for (auto it = opts.begin(); it != opts.end(); ++it) {
        if (it.key() == "delimiter" && it.value().is_string() && it.value().get<std::string>().size() == 1)
          o.delimiter = it.value().get<std::string>()[0];
        else if (it.key() == "encoding" && it.value().is_string())
          o.encoding = it.value().get<std::string>();
        else if (it.key() == "drop_suppressed" && it.value().is_boolean())
          o.drop_suppressed = it.value().get<bool>();
        else
          throw civitas::Error(civitas::Code::invalid_argument,
                               "options_json: \"" + it.key() + "\" is unknown or has the wrong type");
      }
      const civitas::deid::Spec spec = civitas::deid::parse_spec(spec_json, spec_dir);
      report = civitas::deid::run_files(spec, spec_json, in_path, out_path, o);
      report["audit"] = nullptr;
    }
    *out_report = dup_out(report.dump(-1, ' ', false, json::error_handler_t::replace));
    return CIV_OK;
  });
}
