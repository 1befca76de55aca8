// C API of the risk measures, unkeyed column transforms and the HTML report (deid.h, section
// "risk measures and reports"). Each entry point is one core call through guard().
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "civitas/deid.h"
#include "civitas/deid.hpp"
#include "civitas/json.hpp"
#include "guard.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace deid = civitas::deid;

namespace {

constexpr civ_deid_risk_options kRiskDefaults = CIV_DEID_RISK_OPTIONS_INIT;
constexpr std::size_t kRiskSizes[] = {sizeof(civ_deid_risk_options)};

deid::RiskOptions to_options(const civ_deid_risk_options* in) {
  civ_deid_risk_options o = read_versioned(in, kRiskDefaults, kRiskSizes, "civ_deid_risk_options");
  deid::RiskOptions r;
  r.threshold = o.threshold;
  r.population_size = o.population_size;
  r.sampling_fraction = o.sampling_fraction;
  r.model = o.model ? o.model : "pitman";
  return r;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

extern "C" {

int civ_deid_risk_options_init(civ_deid_risk_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kRiskDefaults, kRiskSizes, "civ_deid_risk_options");
    return CIV_OK;
  });
}

int civ_deid_risk(char** out_json, const uint64_t* class_sizes, size_t count, const civ_deid_risk_options* opts) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    if (count) require(class_sizes, "class_sizes");
    std::vector<std::uint64_t> sizes(class_sizes, class_sizes + count);
    deid::Risk r = deid::measure_risk(deid::class_size_histogram(sizes), to_options(opts));
    *out_json = dup_out(dump(deid::risk_to_json(r)));
    return CIV_OK;
  });
}

int civ_deid_risk_csv(char** out_json, const char* path, const char* qi, char delimiter, const char* encoding,
                      const civ_deid_risk_options* opts) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    require(path, "path");
    require(qi, "qi");
    deid::CsvRiskInput in;
    in.path = path;
    in.delimiter = delimiter ? delimiter : ',';
    in.encoding = encoding ? encoding : "utf-8";
    std::string q = qi;
    for (std::size_t b = 0;;) {
      std::size_t e = q.find(',', b);
      std::string name = q.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (name.empty()) throw Error(Code::invalid_argument, "qi has an empty column name (\"a,b,c\")");
      in.qi.push_back(name);
      if (e == std::string::npos) break;
      b = e + 1;
    }
    deid::CsvRisk r = deid::measure_csv_risk(in, to_options(opts));
    nlohmann::json j{{"risk", deid::risk_to_json(r.risk)},
                     {"class_sizes", deid::class_sizes_to_json(r.class_sizes)},
                     {"records", r.risk.records},
                     {"classes", r.risk.classes}};
    *out_json = dup_out(dump(j));
    return CIV_OK;
  });
}

int civ_deid_transform_column(uint8_t** out_data, uint64_t** out_offsets, const char* action_json, const char* field,
                              const uint8_t* data, const uint64_t* offsets, size_t count) {
  return guard([&] {
    require(out_data, "out_data");
    require(out_offsets, "out_offsets");
    *out_data = nullptr;
    *out_offsets = nullptr;
    require(action_json, "action_json");
    require(offsets, "offsets");
    if (count && offsets[count] > offsets[0]) require(data, "data");
    nlohmann::json aj;
    try {
      aj = civitas::parse_json(action_json, "action_json");
    } catch (const Error& e) {
      throw Error(Code::invalid_argument, e.what());
    }
    const std::string name = field ? field : "";
    deid::Action a = deid::parse_action(aj, name);
    std::vector<std::string> values(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (offsets[i + 1] < offsets[i])
        throw Error(Code::invalid_argument, "offsets decrease at index " + std::to_string(i + 1));
      values[i].assign(reinterpret_cast<const char*>(data) + offsets[i], offsets[i + 1] - offsets[i]);
    }
    deid::ColumnContext ctx;
    ctx.field = name;
    deid::apply_action(a, values, deid::TransformKeys{}, ctx);
    if (a.kind == deid::ActionKind::drop) values.assign(count, std::string());
    std::size_t total = 0;
    for (const auto& v : values) total += v.size();
    auto* d = static_cast<uint8_t*>(std::malloc(total ? total : 1));
    auto* o = static_cast<uint64_t*>(std::malloc((count + 1) * sizeof(uint64_t)));
    if (!d || !o) {
      std::free(d);
      std::free(o);
      throw std::bad_alloc();
    }
    std::size_t pos = 0;
    o[0] = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (!values[i].empty()) std::memcpy(d + pos, values[i].data(), values[i].size());
      pos += values[i].size();
      o[i + 1] = pos;
    }
    *out_data = d;
    *out_offsets = o;
    return CIV_OK;
  });
}

int civ_deid_report_html(char** out_html, const char* report_json) {
  return guard([&] {
    require(out_html, "out_html");
    *out_html = nullptr;
    require(report_json, "report_json");
    nlohmann::json r = civitas::parse_json(report_json, "the report");
    *out_html = dup_out(deid::report_html(r));
    return CIV_OK;
  });
}

}  // extern "C"
