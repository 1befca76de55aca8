// C ABI of the catalog (civitas/catalog.h): entry checks and exports, and storage over
// civitas::catalog::CatalogStore.
#include <nlohmann/json.hpp>

#include "civitas/catalog.hpp"
#include "civitas/json.hpp"
#include "ctx.hpp"

using civitas::Code;
using civitas::Error;
using nlohmann::json;
using namespace civitas::capi;
namespace cat = civitas::catalog;
namespace sc = civitas::schema;

namespace {

json record(const cat::StoredEntry& s) {
  return {{"resourceCode", s.resource_code},
          {"version", s.version},
          {"created_ms", s.created_ms},
          {"title", s.entry.value("title", "")},
          {"entry", s.entry}};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string records(const std::vector<cat::StoredEntry>& all) {
  json a = json::array();
  for (const auto& s : all) a.push_back(record(s));
  return dump(a);
}

std::string code_of(const char* code, size_t len) {
  require(code, "resource_code");
  std::string c(view(code, len, "resource_code"));
  if (c.empty()) throw Error(Code::invalid_argument, "resource_code is empty");
  return c;
}

json parse_doc(std::string_view text, const char* what) { return civitas::parse_json(text, what); }

json problems_json(const std::vector<sc::Problem>& ps) {
  json a = json::array();
  for (const auto& p : ps) a.push_back({{"path", p.path}, {"message", p.message}});
  return a;
}

}  // namespace

extern "C" {

int civ_catalog_check(char** out, const char* entry_json, size_t entry_len) {
  return guard([&] {
    require(out, "out");
    std::string_view text = view(entry_json, entry_len, "entry_json");
    json r = {{"version", 1}};
    json e;
    std::string bad;
    try {
      e = civitas::parse_json(text, "entry_json");
    } catch (const Error& x) {
      bad = x.what();
    }
    if (!bad.empty()) {
      r["valid"] = false;
      r["problems"] = json::array({{{"path", ""}, {"message", bad}}});
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


int civ_catalog_add(char** out_record, civ_ctx* ctx, const char* entry_json, size_t entry_len) {
  return guard([&] {
    if (out_record) *out_record = nullptr;
    require(entry_json, "entry_json");
    std::string_view text = view(entry_json, entry_len, "entry_json");
    json e = civitas::parse_json(text, "catalog entry");
    cat::StoredEntry s = ws_of(ctx).catalog_add(e);  // audited "catalog.add"
    if (out_record) *out_record = dup_out(dump(record(s)));
    return CIV_OK;
  });
}

int civ_catalog_get(char** out_entry, civ_ctx* ctx, const char* resource_code, size_t code_len, int version) {
  return guard([&] {
    require(out_entry, "out_entry");
    *out_entry = nullptr;
    if (version < 0) throw Error(Code::invalid_argument, "version must be 0 (latest) or positive");
    std::string code = code_of(resource_code, code_len);
    cat::CatalogStore cs(ws_of(ctx).store());
    auto s = cs.get(code, version);
    if (!s)
      throw Error(Code::not_found,
                  "no catalog entry " + code + (version ? " version " + std::to_string(version) : std::string()));
    *out_entry = dup_out(dump(s->entry));
    return CIV_OK;
  });
}

int civ_catalog_list(char** out_json, civ_ctx* ctx) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    cat::CatalogStore cs(ws_of(ctx).store());
    *out_json = dup_out(records(cs.list()));
    return CIV_OK;
  });
}

int civ_catalog_history(char** out_json, civ_ctx* ctx, const char* resource_code, size_t code_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    std::string code = code_of(resource_code, code_len);
    cat::CatalogStore cs(ws_of(ctx).store());
    auto all = cs.history(code);
    if (all.empty()) throw Error(Code::not_found, "no catalog entry " + code);
    *out_json = dup_out(records(all));
    return CIV_OK;
  });
}

}  // extern "C"
