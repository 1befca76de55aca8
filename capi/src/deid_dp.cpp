// C ABI of the differential-privacy part of de-identification (civitas/deid.h, third section):
// samplers, budgets and releases, each one core call (deid::dp_* / Workspace::dp_*).
#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"
#include "civitas/json.hpp"
#include "ctx.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace deid = civitas::deid;

extern "C" {

int civ_deid_dp_sample(int64_t* out, size_t n, int mechanism, uint64_t num, uint64_t den) {
  return guard([&] {
    if (n) require(out, "out");
    if (mechanism != CIV_DEID_DP_LAPLACE && mechanism != CIV_DEID_DP_GAUSSIAN) throw Error(Code::invalid_argument, "mechanism: CIV_DEID_DP_LAPLACE or CIV_DEID_DP_GAUSSIAN");
    if (num == 0 || den == 0) throw Error(Code::invalid_argument, "num and den must be positive");
    deid::DpRandom rng;
    for (size_t i = 0; i < n; ++i)
      out[i] = mechanism == CIV_DEID_DP_LAPLACE ? deid::dp_discrete_laplace(rng, {num, den}) : deid::dp_discrete_gaussian(rng, {num, den});
    return CIV_OK;
  });
}

int civ_deid_dp_budget_set(char** out_json, civ_ctx* ctx, const char* dataset, const char* epsilon, const char* delta) {
  return guard([&] {
    require(dataset, "dataset");
    require(epsilon, "epsilon");
    auto b = ws_of(ctx).dp_set_budget(dataset, epsilon, delta ? delta : "0");
    if (out_json) *out_json = dup_out(b.to_json());
    return CIV_OK;
  });
}

int civ_deid_dp_budget_get(char** out_json, civ_ctx* ctx, const char* dataset) {
  return guard([&] {
    require(out_json, "out_json");
    require(dataset, "dataset");
    *out_json = dup_out(ws_of(ctx).dp_budget(dataset).to_json());
    return CIV_OK;
  });
}

int civ_deid_dp_release_csv(char** out_json, civ_ctx* ctx, const char* query_json, size_t query_len, const char* csv_path) {
  return guard([&] {
    require(out_json, "out_json");
    require(csv_path, "csv_path");
    auto& ws = ws_of(ctx);
    nlohmann::json j = civitas::parse_json(view(query_json, query_len, "query_json"), "query_json");
    std::string delimiter = ",", encoding = "utf-8";
    if (j.is_object()) {
      if (j.contains("delimiter")) {
        if (!j["delimiter"].is_string() || j["delimiter"].get<std::string>().size() != 1)
          throw Error(Code::invalid_argument, "delimiter: one character");
        delimiter = j["delimiter"].get<std::string>();
        j.erase("delimiter");
      }
      if (j.contains("encoding")) {
        if (!j["encoding"].is_string()) throw Error(Code::invalid_argument, "encoding: a string");
        encoding = j["encoding"].get<std::string>();
        j.erase("encoding");
      }
    }
    deid::DpQuery q = deid::dp_query_from_json(j.dump());
    deid::DpInput in = deid::dp_read_csv(q, csv_path, delimiter[0], encoding);
    *out_json = dup_out(ws.dp_release(q, in).json);
    return CIV_OK;
  });
}

}  // extern "C"
