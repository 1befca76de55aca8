#include <cstddef>
#include <cstring>

#include "civitas/json.hpp"
#include "civitas/schema.hpp"
#include "guard.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using nlohmann::json;
using namespace civitas::capi;
namespace sc = civitas::schema;

namespace {

json parse_doc(std::string_view text, const char* what) { return civitas::parse_json(text, what); }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

constexpr civ_schema_validate_options kOptionsDefaults = CIV_SCHEMA_VALIDATE_OPTIONS_INIT;
// Version 1 ended before resources_json.
constexpr std::size_t kOptionsSizes[] = {offsetof(civ_schema_validate_options, resources_json),
                                         sizeof(civ_schema_validate_options)};

sc::ValidateOptions to_options(const civ_schema_validate_options* in) {
  sc::ValidateOptions v;
  if (!in) return v;
  const civ_schema_validate_options opts =
      read_versioned(in, kOptionsDefaults, kOptionsSizes, "civ_schema_validate_options");
  const civ_schema_validate_options* o = &opts;
  v.limit_errors = o->limit_errors;
  std::string_view format = view(o->format, o->format_len, "format");
  if (!format.empty()) v.format = std::string(format);
  if (o->dialect_json || o->dialect_json_len)
    v.dialect = sc::Dialect::from_json(parse_doc(view(o->dialect_json, o->dialect_json_len, "dialect_json"), "dialect"));
  if (o->resources_json || o->resources_json_len)
    v.resources = sc::resources_from_json(parse_doc(view(o->resources_json, o->resources_json_len, "resources_json"), "resources_json"));
  return v;
}

json problems_json(const std::vector<sc::Problem>& ps) {
  json a = json::array();
  for (const auto& p : ps) a.push_back({{"path", p.path}, {"message", p.message}});
  return a;
}

}  // namespace

extern "C" {

int civ_schema_validate_options_init(civ_schema_validate_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kOptionsDefaults, kOptionsSizes, "civ_schema_validate_options");
    return CIV_OK;
  });
}

int civ_schema_check(char** out, const char* schema_json, size_t schema_len) {
  return guard([&] {
    require(out, "out");
    auto ps = sc::check_schema(view(schema_json, schema_len, "schema_json"));
    *out = dup_out(dump({{"version", 1}, {"valid", ps.empty()}, {"problems", problems_json(ps)}}));
    return CIV_OK;
  });
}

int civ_schema_normalize(char** out, const char* schema_json, size_t schema_len) {
  return guard([&] {
    require(out, "out");
    sc::TableSchema s = sc::parse_schema(view(schema_json, schema_len, "schema_json"));
    *out = dup_out(dump(s.to_json()));
    return CIV_OK;
  });
}

int civ_schema_validate_file(char** out_report, const char* schema_json, size_t schema_len, const char* path,
                             size_t path_len, const civ_schema_validate_options* opts) {
  return guard([&] {
    require(out_report, "out_report");
    require(path, "path");
    sc::TableSchema s = sc::parse_schema(view(schema_json, schema_len, "schema_json"));
    sc::ValidateOptions o = to_options(opts);
    json r = sc::validate_file(std::string(view(path, path_len, "path")), s, o);
    *out_report = dup_out(dump(r));
    return CIV_OK;
  });
}

int civ_schema_validate_package(char** out_report, const char* path, size_t path_len, const civ_schema_validate_options* opts) {
  return guard([&] {
    require(out_report, "out_report");
    require(path, "path");
    sc::ValidateOptions o = to_options(opts);
    *out_report = dup_out(dump(sc::validate_package(std::string(view(path, path_len, "path")), o)));
    return CIV_OK;
  });
}

int civ_schema_validate_buffer(char** out_report, const char* schema_json, size_t schema_len, const char* data,
                               size_t data_len, const civ_schema_validate_options* opts) {
  return guard([&] {
    require(out_report, "out_report");
    sc::TableSchema s = sc::parse_schema(view(schema_json, schema_len, "schema_json"));
    sc::ValidateOptions o = to_options(opts);
    json r = sc::validate_bytes(view(data, data_len, "data"), s, o);
    *out_report = dup_out(dump(r));
    return CIV_OK;
  });
}

}  // extern "C"
