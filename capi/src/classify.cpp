// C API of civitas::classify (capi/include/civitas/classify.h).
#include "civitas/classify.h"

#include <memory>

#include "civitas/classify.hpp"
#include "civitas/json.hpp"
#include "guard.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace cl = civitas::classify;

namespace {

using nlohmann::json;

std::vector<cl::CustomDetector> detectors_from_json(const json& a) {
  if (!a.is_array()) throw Error(Code::invalid_argument, "detectors must be a JSON array");
  std::vector<cl::CustomDetector> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const json& d = a[i];
    auto str = [&](const char* k, bool required) -> std::string {
      if (!d.is_object() || !d.contains(k)) {
        if (required) throw Error(Code::invalid_argument, "detectors[" + std::to_string(i) + "] has no \"" + k + "\"");
        return "";
      }
      if (!d[k].is_string()) throw Error(Code::invalid_argument, "detectors[" + std::to_string(i) + "]." + k + " must be a string");
      return d[k].get<std::string>();
    };
    out.push_back({str("name", true), str("pattern", true), str("category", false), str("level", false)});
  }
  return out;
}

// The built-in set, or a compiled set with the custom detectors.
std::unique_ptr<cl::Detectors> detectors(const char* p, size_t n) {
  std::string_view t = view(p, n, "detectors_json");
  if (t.empty()) return nullptr;
  return std::make_unique<cl::Detectors>(detectors_from_json(civitas::parse_json(t, "detectors")));
}

const cl::Detectors& or_builtin(const std::unique_ptr<cl::Detectors>& d) { return d ? *d : cl::builtin(); }

}  // namespace

extern "C" {

int civ_classify_value(char** out_type, const char* value, size_t value_len, const char* detectors_json,
                       size_t detectors_len) {
  return guard([&] {
    require(out_type, "out_type");
    *out_type = nullptr;
    auto d = detectors(detectors_json, detectors_len);
    *out_type = dup_out(std::string(cl::classify_value(view(value, value_len, "value"), or_builtin(d))));
    return CIV_OK;
  });
}

int civ_classify_find(char** out_json, const char* text, size_t text_len, const char* encoding,
                      const char* detectors_json, size_t detectors_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    auto d = detectors(detectors_json, detectors_len);
    auto f = cl::find_encoded(view(text, text_len, "text"), encoding ? encoding : "", or_builtin(d));
    *out_json = dup_out(cl::to_json(f).dump());
    return CIV_OK;
  });
}

int civ_classify_column(char** out_json, const char* name, size_t name_len, const char* data,
                        const uint64_t* offsets, size_t count, const char* detectors_json, size_t detectors_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    require(offsets, "offsets");
    if (count && !data) throw Error(Code::invalid_argument, "data must not be NULL");
    std::vector<std::string_view> values;
    values.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (offsets[i + 1] < offsets[i]) throw Error(Code::invalid_argument, "offsets decrease at " + std::to_string(i));
      values.emplace_back(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
    }
    auto d = detectors(detectors_json, detectors_len);
    auto r = cl::classify_column(view(name, name_len, "name"), values, or_builtin(d));
    *out_json = dup_out(cl::to_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return CIV_OK;
  });
}

int civ_classify_scan_file(char** out_json, const char* path, const char* options_json, size_t options_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    require(path, "path");
    cl::ScanOptions o;
    std::unique_ptr<cl::Detectors> d;
    std::string_view ot = view(options_json, options_len, "options_json");
    if (!ot.empty()) {
      json j = civitas::parse_json(ot, "options");
      if (!j.is_object()) throw Error(Code::invalid_argument, "options must be a JSON object");
      for (const auto& item : j.items()) {
        const std::string& k = item.key();
        if (k != "schema" && k != "dialect" && k != "encoding" && k != "full" && k != "detectors")
          throw Error(Code::invalid_argument, "unknown option \"" + k + "\"");
      }
      if (j.contains("schema")) o.schema = civitas::schema::parse_schema(j["schema"]);
      if (j.contains("dialect")) {
        o.dialect = civitas::schema::Dialect::from_json(j["dialect"]);
        o.encoding_explicit = j["dialect"].is_object() && j["dialect"].contains("encoding");
      }
      if (j.contains("encoding")) {
        if (!j["encoding"].is_string()) throw Error(Code::invalid_argument, "encoding must be a string");
        o.encoding = j["encoding"].get<std::string>();
      }
      if (j.contains("full")) {
        if (!j["full"].is_boolean()) throw Error(Code::invalid_argument, "full must be a boolean");
        o.full = j["full"].get<bool>();
      }
      if (j.contains("detectors")) {
        d = std::make_unique<cl::Detectors>(detectors_from_json(j["detectors"]));
        o.detectors = d.get();
      }
    }
    auto r = cl::scan_file(path, o);
    *out_json = dup_out(cl::to_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return CIV_OK;
  });
}

int civ_classify_types(char** out_json) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    *out_json = dup_out(json(cl::type_names()).dump());
    return CIV_OK;
  });
}

}  // extern "C"
