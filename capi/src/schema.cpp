#include <cstddef>
#include <cstring>

#include "civitas/catalog.hpp"
#include "civitas/schema.hpp"
#include "guard.hpp"

using civitas::Code;
using civitas::Error;
using nlohmann::json;
using namespace civitas::capi;
namespace sc = civitas::schema;
namespace cat = civitas::catalog;

namespace {

json parse_doc(std::string_view text, const char* what) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw Error(Code::parse, std::string(what) + " is not valid JSON");
  return j;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

sc::ValidateOptions to_options(const civ_validate_options* o) {
  sc::ValidateOptions v;
  if (!o) return v;
  if (o->version != 1 && o->version != CIV_VALIDATE_OPTIONS_VERSION)
    throw Error(Code::invalid_argument, "civ_validate_options.version must be CIV_VALIDATE_OPTIONS_VERSION");
  v.limit_errors = o->limit_errors;
  if (o->format) v.format = o->format;
  if (o->dialect_json || o->dialect_json_len)
    v.dialect = sc::Dialect::from_json(parse_doc(view(o->dialect_json, o->dialect_json_len, "dialect_json"), "dialect"));
  if (o->version >= 2 && (o->resources_json || o->resources_json_len))
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

int civ_validate_options_init(civ_validate_options* opts, unsigned version) {
  return guard([&] {
    require(opts, "opts");
    if (version != 1 && version != CIV_VALIDATE_OPTIONS_VERSION)
      throw Error(Code::invalid_argument, "unsupported civ_validate_options version " + std::to_string(version));
    civ_validate_options d = CIV_VALIDATE_OPTIONS_INIT;
    d.version = version;
    // A version-1 caller's struct ends before the resources members.
    std::memcpy(opts, &d, version == 1 ? offsetof(civ_validate_options, resources_json) : sizeof d);
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
                             size_t path_len, const civ_validate_options* opts) {
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

int civ_schema_validate_package(char** out_report, const char* path, size_t path_len, const civ_validate_options* opts) {
  return guard([&] {
    require(out_report, "out_report");
    require(path, "path");
    sc::ValidateOptions o = to_options(opts);
    *out_report = dup_out(dump(sc::validate_package(std::string(view(path, path_len, "path")), o)));
    return CIV_OK;
  });
}

int civ_schema_validate_buffer(char** out_report, const char* schema_json, size_t schema_len, const char* data,
                               size_t data_len, const civ_validate_options* opts) {
  return guard([&] {
    require(out_report, "out_report");
    sc::TableSchema s = sc::parse_schema(view(schema_json, schema_len, "schema_json"));
    sc::ValidateOptions o = to_options(opts);
    json r = sc::validate_bytes(view(data, data_len, "data"), s, o);
    *out_report = dup_out(dump(r));
    return CIV_OK;
  });
}

int civ_catalog_check(char** out, const char* entry_json, size_t entry_len) {
  return guard([&] {
    require(out, "out");
    json e = json::parse(view(entry_json, entry_len, "entry_json"), nullptr, false);
    json r = {{"version", 1}};
    if (e.is_discarded()) {
      r["valid"] = false;
      r["problems"] = json::array({{{"path", ""}, {"message", "not valid JSON"}}});
    } else {
      auto ps = cat::check_entry(e);
      r["valid"] = ps.empty();
      r["problems"] = problems_json(ps);
      if (ps.empty()) r["resourceCode"] = cat::resource_code(e);
    }
    *out = dup_out(dump(r));
    return CIV_OK;
  });
}

int civ_catalog_export(char** out, const char* entry_json, size_t entry_len, int format) {
  return guard([&] {
    require(out, "out");
    if (format < CIV_CATALOG_DATAPACKAGE || format > CIV_CATALOG_CKAN)
      throw Error(Code::invalid_argument, "unknown catalog format " + std::to_string(format));
    json e = parse_doc(view(entry_json, entry_len, "entry_json"), "catalog entry");
    *out = dup_out(dump(cat::export_entry(e, static_cast<cat::CatalogFormat>(format))));
    return CIV_OK;
  });
}

int civ_catalog_import(char** out_entry, const char* doc, size_t doc_len, int format) {
  return guard([&] {
    require(out_entry, "out_entry");
    if (format < 0 || format > CIV_CATALOG_CKAN)
      throw Error(Code::invalid_argument, "unknown catalog format " + std::to_string(format));
    json d = parse_doc(view(doc, doc_len, "doc"), "catalog document");
    cat::CatalogFormat f = static_cast<cat::CatalogFormat>(format);
    *out_entry = dup_out(dump(cat::import_entry(d, format ? &f : nullptr)));
    return CIV_OK;
  });
}

}  // extern "C"
